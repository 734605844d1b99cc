"""Bad input, generated and hostile: every case must be refused with one line on stderr naming the
problem, exit code 2, no traceback and nothing written. Hypothesis generates the option values, specs
and files (a few hundred cases per run); a table holds the hostile files found by hand."""

import json
import math
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hosim.cli import main, parse_assignments, parse_intervention
from hosim.errors import InputError

# derandomize: the same cases every run, so CI never meets a case no developer saw (raise max_examples or
# drop derandomize locally to search wider)
FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
not_a_number = text.filter(lambda s: not _is_number(s))
bad_reals = st.one_of(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not math.isfinite(x)),
                      st.floats(max_value=-1e-9, allow_nan=False), st.floats(min_value=1e6, allow_infinity=False))


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def refused(capsys, argv, written: Path | None = None) -> str:
    """Run `hosim ARGV`: it must exit 2 with one line on stderr and leave `written` absent."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    line = captured.err
    assert code == 2, (argv, captured.out, line)
    assert line.startswith("hosim: error: ") and line.count("\n") == 1 and "Traceback" not in line, (argv, line)
    if written is not None:
        assert not written.exists(), (argv, written)
    return line


@pytest.fixture
def out(tmp_path):
    return tmp_path / "never-written"


# ------------------------------------------------------------------ hosim run: option values
@FAST
@given(option=st.sampled_from(["--days", "--resolution"]), value=st.one_of(bad_reals.map(repr), not_a_number))
def test_run_refuses_bad_numbers(capsys, out, option, value):
    refused(capsys, ["run", "mouse-bmp2", "--dims", "0", option, value, "--out", out], out)


@FAST
@given(dims=st.one_of(st.integers().filter(lambda d: d not in (0, 1, 2, 3)).map(str), not_a_number),
       seed=st.one_of(st.integers(max_value=-1).map(str), st.just("1.5"), not_a_number))
def test_run_refuses_bad_dims_and_seeds(capsys, out, dims, seed):
    refused(capsys, ["run", "mouse-bmp2", "--dims", dims, "--out", out], out)
    refused(capsys, ["run", "mouse-bmp2", "--dims", "0", "--seed", seed, "--out", out], out)


@FAST
@given(key=st.sampled_from(["dose", "injection_distance_um", "slab_thickness_um", "bmp2_decay", "seed", "dims"]),
       value=st.one_of(bad_reals.map(repr), not_a_number.filter(lambda s: s.strip() and "=" not in s)))
def test_run_refuses_bad_scenario_options_and_parameters(capsys, out, key, value):
    refused(capsys, ["run", "mouse-bmp2", "--dims", "0", "-p", f"{key}={value}", "--out", out], out)


@FAST
@given(spec=st.one_of(
    text.filter(lambda s: s.split(":")[0].strip() not in _INTERVENTIONS and "," not in s),
    st.builds(lambda n, k, v: f"{n}:{k}={v}", st.sampled_from(["cromolyn", "radiation", "nsaid", "trpv1-ko"]),
              st.sampled_from(["strength", "start", "dose"]),
              st.one_of(bad_reals.map(repr), st.sampled_from(["-3", "soon", "400"]))),
    st.sampled_from(["cromolyn:strength=1.5", "radiation:strength=-0.1", "cromolyn:start=4,end=2", "nsaid:dose=1"]),
    st.builds(lambda n, v: f"{n}:end={v}", st.sampled_from(["cromolyn", "radiation", "nsaid"]),
              st.one_of(st.floats(max_value=0.0).map(repr), st.sampled_from(["nan", "inf", "soon"]))),
))
def test_run_refuses_bad_intervention_specs(capsys, out, spec):
    refused(capsys, ["run", "mouse-bmp2", "--dims", "0", "--days", "5", "-i", spec, "--out", out], out)


_INTERVENTIONS = {"trpv1-ko", "ppt-ko", "nk1r-antagonist", "mast-cell-deficient", "cromolyn", "mmp9-inactive",
                  "plasminogen-deficient", "beta3-blocker", "hif1-inhibitor", "nsaid", "radiation", "acvr1-r206h",
                  "activin-a-antibody", "palovarotene"}


@FAST
@given(items=st.lists(text, min_size=1, max_size=4))
def test_assignment_parsing_either_parses_or_names_the_problem(items):
    try:
        parsed = parse_assignments(items, "-p")
    except InputError as exc:
        assert "\n" not in str(exc) and "-p" in str(exc)
    else:
        assert len(parsed) == len(items)
    try:
        spec = parse_intervention(":".join(items))
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert spec["name"]


# ------------------------------------------------------------------ experiments: options checked before any folder
@FAST
@given(name=st.sampled_from(["knockouts", "dose-response", "timing"]),
       option=st.sampled_from(["--days", "--resolution", "--seed", "--dims", "--workers"]),
       value=st.one_of(st.sampled_from(["-1", "0", "nan", "inf", "1e9", "x"]), bad_reals.map(repr)))
def test_experiment_refuses_bad_options_before_any_folder(capsys, out, name, option, value):
    if value == "0" and option in ("--dims", "--seed"):  # valid there: take a bad one instead
        value = "-1"
    refused(capsys, ["experiment", name, option, value, "--out", out], out)


# ------------------------------------------------------------------ risk and grade
@FAST
@given(option=st.sampled_from(["--setting", "--factor", "--prophylaxis", "--tbsa", "--delay-days", "--seed"]),
       value=st.one_of(text.filter(lambda s: s.strip() not in ("male", "nsaid", "radiotherapy", "tha")),
                       bad_reals.map(repr)))
def test_risk_refuses_bad_values(capsys, option, value):
    setting = ["--setting", "burns", "--tbsa", "40"] if option != "--setting" else []
    if option == "--tbsa":
        setting = ["--setting", "burns"]
    if option == "--delay-days":
        setting = ["--setting", "hip-fracture-arthroplasty"]
    if option == "--seed" and _is_number(value) and math.isfinite(float(value)) and float(value) >= 0 \
            and float(value) == int(float(value)):
        value = "-1"  # a whole number >= 0 is a valid seed
    refused(capsys, ["risk", *setting, option, value])


@FAST
@given(spacing=st.one_of(bad_reals.map(repr), st.sampled_from(["0", "1e308", "1e-300", "-0.5"]), not_a_number))
def test_grade_refuses_bad_spacings(capsys, spacing):
    mask = np.zeros((20, 20), np.int8)
    mask[:5], mask[15:] = 1, 2
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hip.npy"
        np.save(path, mask)
        refused(capsys, ["grade", path, "--spacing-mm", spacing])


@FAST
@given(content=st.binary(max_size=200))
def test_grade_refuses_files_that_are_not_label_images(capsys, content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mask.npy"
        path.write_bytes(content)
        refused(capsys, ["grade", path, "--spacing-mm", "1"])


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
                           lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
                           max_leaves=10)


@FAST
@given(document=st.one_of(json_values, st.fixed_dictionaries({"resourceType": st.just("Bundle"),
                                                               "entry": st.lists(json_values, max_size=3)})))
def test_risk_refuses_json_that_is_no_usable_bundle(capsys, document):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(json.dumps(document))
        refused(capsys, ["risk", "--fhir-in", path])


# ------------------------------------------------------------------ hostile files and places, by hand
def _bundle(*resources) -> dict:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{k}", "resource": r} for k, r in enumerate(resources)]}


HOSTILE_BUNDLES = {
    "unknown resource type": json.dumps(_bundle({"resourceType": "Alien"})),
    "100k-deep nesting": '{"resourceType": "Bundle", "type": "collection", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "5000-digit integer": '{"resourceType": "Bundle", "type": "collection", "total": ' + "9" * 5000 + "}",
    "not JSON": "{'resourceType': 'Bundle'",
    "a Patient, not a Bundle": json.dumps({"resourceType": "Patient"}),
    "FOP under another setting": json.dumps(_bundle(
        {"resourceType": "Patient", "id": "p", "gender": "male"},
        {"resourceType": "Condition", "subject": {"reference": "urn:uuid:0"},
         "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M61.1"}]}})),
}


@pytest.mark.parametrize("case", HOSTILE_BUNDLES)
def test_hostile_bundles_are_refused(capsys, tmp_path, case):
    path = tmp_path / "bundle.json"
    path.write_text(HOSTILE_BUNDLES[case])
    report = tmp_path / "report.html"
    line = refused(capsys, ["risk", "--fhir-in", path, "--setting", "tha", "--report", report], report)
    if case == "FOP under another setting":
        assert "fibrodysplasia ossificans progressiva" in line and "--setting fop" in line


def test_a_bundle_over_the_size_limit_is_refused_at_once(capsys, tmp_path):
    path = tmp_path / "big.json"
    with path.open("w") as handle:  # a valid Bundle of 11 MB
        handle.write('{"resourceType": "Bundle", "type": "collection", "entry": [')
        handle.write(",".join(['{"resource": {"resourceType": "Basic", "code": {"text": "' + "x" * 1000 + '"}}}'] * 11_000))
        handle.write("]}")
    assert "at most 10 MB" in refused(capsys, ["risk", "--fhir-in", path])


def test_hostile_places_are_refused_before_any_work(capsys, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    quick = ["run", "mouse-bmp2", "--dims", "0", "--days", "1"]
    refused(capsys, [*quick, "--out", a_file])
    refused(capsys, [*quick, "--out", "/dev/null"])
    refused(capsys, [*quick, "--out", ""])
    refused(capsys, [*quick, "--out", "/proc/hosim"])  # a place nobody can write, not even root
    refused(capsys, ["experiment", "timing", "--dims", "0", "--out", a_file])
    refused(capsys, ["risk", "--setting", "tha", "--report", tmp_path / "missing" / "r.html"])
    refused(capsys, ["risk", "--setting", "tha", "--report", "/proc/r.html"])
    same = tmp_path / "same.html"
    refused(capsys, ["risk", "--setting", "tha", "--report", same, "--fhir-out", same], same)
    refused(capsys, ["risk", "--fhir-in", "/dev/zero"])
    refused(capsys, ["bench", "--sizes", "100000"])
    refused(capsys, ["risk", "--setting", "tha", "--seed", "-1"])
    refused(capsys, [*quick, "-i", "cromolyn", "-i", "cromolyn", "--out", tmp_path / "o"], tmp_path / "o")
    refused(capsys, [*quick, "-p", "dose=1", "-p", "dose=2", "--out", tmp_path / "o"], tmp_path / "o")


def test_pickled_arrays_are_refused(capsys, tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    refused(capsys, ["grade", path, "--spacing-mm", "1"])
    path.write_bytes(pickle.dumps(os.system))  # a plain pickle that would call a function
    refused(capsys, ["grade", path, "--spacing-mm", "1"])
