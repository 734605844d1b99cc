"""The parameter data file: every number has unit, range, source and step; overrides are checked."""

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest

import hosim.biology
from hosim.analysis.targets import load_targets
from hosim.biology import CASCADE_STEPS, load_parameters
from hosim.biology.parameters import apply_overlay, parse_parameters, species_names
from hosim.clinical.evidence import load_evidence
from hosim.errors import InputError

SRC = Path(hosim.biology.__file__).resolve().parents[1]


def test_every_parameter_is_documented_and_in_range():
    params = load_parameters()
    assert len(params) > 50
    for name, p in params.items():
        assert p.unit and p.source and p.description, name
        assert p.low <= p.value <= p.high, name
        assert 1 <= p.cascade_step <= len(CASCADE_STEPS), name


def test_every_parameter_is_used_by_the_model():
    code = "".join(f.read_text() for d in ("biology", "scenarios") for f in (SRC / d).glob("*.py"))
    unused = [n for n in load_parameters() if not re.search(rf"\b{n}\b", code)]
    assert unused == []


def test_calibrated_sources_name_real_targets():
    """A tuned value names what it was tuned to: a mouse target or a clinical evidence row."""
    events = set(load_targets("mouse_bmp2")) | set(load_targets("mouse_injury")) | set(load_evidence())
    for name, p in load_parameters().items():
        for target in re.findall(r"(?:calibrated|fitted) to ([a-z0-9_]+)", p.source):
            assert target in events, f"{name}: unknown target {target}"


def untold_tuning(p) -> str | None:
    """Why a parameter's value breaks the literature rule (None if it keeps it): more than 10% from the
    number its source gives without saying fitted or hand-calibrated, or a range that excludes that number."""
    if p.literature is None:
        return None
    if not p.low <= p.literature <= p.high:
        return f"{p.name}: range [{p.low}, {p.high}] excludes the literature's {p.literature}"
    if abs(p.value / p.literature - 1.0) > 0.10 and p.basis not in ("fitted", "hand-calibrated"):
        return f"{p.name}: {p.value} is not the literature's {p.literature} and the source does not say it was tuned"
    return None


@pytest.mark.parametrize("species", species_names())
def test_a_value_away_from_its_literature_number_says_it_was_tuned(species):
    params = load_parameters(species)
    assert species != "mouse" or sum(params[n].literature is not None for n in params) >= 8
    assert [untold_tuning(params[n]) for n in params if untold_tuning(params[n])] == []
    mouse = load_parameters()["periosteal_proliferation"]
    assert untold_tuning(dataclasses.replace(mouse, value=2.0)) is not None  # tuned in silence: caught
    assert untold_tuning(dataclasses.replace(mouse, value=2.0, source="x; hand-calibrated to bone")) is None
    assert untold_tuning(dataclasses.replace(mouse, low=1.5)) is not None  # range moved off the literature


def test_the_fitted_parameters_are_the_fitting_scripts():
    spec = importlib.util.spec_from_file_location("fit", SRC.parents[1] / "tools" / "fit_mouse_bmp2.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    fitted = {n for n, p in load_parameters().items() if "fitted to" in p.source}
    assert fitted == set(tool.FREE)


def test_hill_coefficients_are_whole_numbers():
    for name, p in load_parameters().items():
        if name.endswith("_hill"):
            assert p.value == int(p.value) and p.whole, name
    with pytest.raises(InputError, match="whole number"):
        load_parameters().with_values(fap_necrosis_hill=2.5)  # not truncated in silence


def test_overrides_are_checked():
    params = load_parameters()
    original = params.value("bmp2_decay")
    changed = params.with_values({"bmp2_decay": 1.5 * original})
    assert changed.value("bmp2_decay") == 1.5 * original
    assert params.value("bmp2_decay") == original  # a copy, not a change
    with pytest.raises(InputError, match="no_such_rate"):
        params.with_values(no_such_rate=1.0)
    with pytest.raises(InputError, match="bmp2_decay.*plausible range"):
        params.with_values(bmp2_decay=1e9)
    with pytest.raises(InputError, match="needs a number"):
        params.with_values(bmp2_decay="fast")


def test_parse_refuses_incomplete_or_out_of_range_entries():
    with pytest.raises(ValueError, match="lacks"):
        parse_parameters('[x]\nvalue = 1.0\nunit = "1"\n')
    entry = '[x]\nvalue = 5.0\nunit = "1"\nrange = [0.0, 1.0]\ncascade_step = 1\nsource = "s"\ndescription = "d"\n'
    with pytest.raises(ValueError, match="outside"):
        parse_parameters(entry)


def test_a_species_is_the_mouse_base_with_its_overlay_and_sources():
    mouse, human = load_parameters(), load_parameters("human")
    assert species_names()[0] == "mouse" and "human" in species_names()
    assert mouse.species == "mouse" and human.species == "human"
    changed = {n for n in mouse if human[n] != mouse[n]}
    assert changed and all(human[n].source != mouse[n].source for n in changed)
    assert all(human[n].unit == mouse[n].unit and human[n].low <= human.value(n) <= human[n].high for n in changed)
    assert human.with_values(bmp2_decay=3.0).species == "human"
    with pytest.raises(InputError, match="unknown species 'dog'; allowed: mouse, human"):
        load_parameters("dog")


def test_an_overlay_names_only_base_parameters_each_with_a_source():
    base = load_parameters()
    with pytest.raises(ValueError, match="not a parameter"):
        apply_overlay(base, "[warp_speed]\nvalue = 1.0\nsource = 's'\n", "test")
    with pytest.raises(ValueError, match="needs value and source"):
        apply_overlay(base, "[bmp2_decay]\nvalue = 1.0\n", "test")
    with pytest.raises(ValueError, match="outside its range"):
        apply_overlay(base, "[bmp2_decay]\nvalue = 1e9\nsource = 's'\n", "test")
    moved = apply_overlay(base, "[bmp2_decay]\nvalue = 1e3\nrange = [1.0, 2e3]\nsource = 's'\n", "test")
    assert moved.value("bmp2_decay") == 1e3 and moved["bmp2_decay"].high == 2e3 and moved.species == "test"
