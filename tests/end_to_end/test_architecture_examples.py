"""The worked examples of docs/architecture.md, run as written: a new scenario (one module and one line of
registration), a species (one data file), an intervention (one table), an observable with its measure,
and an experiment."""

import re
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

import hosim.biology.parameters as parameters_module
from hosim.analysis.measures import MEASURES, compute_measures
from hosim.biology import load_parameters, species_names
from hosim.biology.interventions import (
    INTERVENTIONS,
    check_registry,
    listing,
    parse_interventions,
)
from hosim.cohort import registry
from hosim.cohort.experiments import run_options
from hosim.cohort.runner import Case, case_spec, run_case
from hosim.errors import InputError
from hosim.scenarios import SCENARIOS
from hosim.scenarios.observables import OBSERVABLES
from hosim.simulation import simulate

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def example(name: str) -> str:
    """The code block that follows `<!-- example: NAME -->` in docs/architecture.md."""
    match = re.search(rf"<!-- example: {name} -->\n```\w+\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"docs/architecture.md has no example {name!r}"
    return match.group(1)


def run_example(name: str) -> dict:
    namespace: dict = {}
    exec(compile(example(name), f"docs/architecture.md:{name}", "exec"), namespace)
    return namespace


def test_a_new_scenario_is_one_module_and_one_line_of_registration(monkeypatch, tmp_path):
    scenario = run_example("scenario")["MouseReinjury"]()
    monkeypatch.setitem(SCENARIOS, scenario.name, scenario)  # the one line in SCENARIOS
    result = simulate("mouse-reinjury", dims=0, days=10.0)
    t, muscle = result.dataset["time"].values, result.dataset["muscle_total"].values
    before, after = muscle[t < 7.0][-1], muscle[t >= 7.0][0]  # the state at day 7 holds that day's injury
    assert after < 0.9 * before  # the second injury on day 7
    assert result.options["damage"] == 0.5 and result.options["repeat_day"] == 7.0
    with pytest.raises(InputError, match=r"damage must lie in \[0, 1\]"):
        simulate("mouse-reinjury", dims=0, days=1.0, damage=2.0)

    class Killed(Exception):
        pass

    def kill_after_the_second_injury(step, total):
        if step == 400:  # day 8
            raise Killed

    ckpt = tmp_path / "checkpoint.npz"
    with pytest.raises(Killed):
        simulate("mouse-reinjury", dims=0, days=10.0, checkpoint_path=ckpt, checkpoint_every=50,
                 progress=kill_after_the_second_injury)
    resumed = simulate("mouse-reinjury", dims=0, days=10.0, checkpoint_path=ckpt, checkpoint_every=50)
    assert np.array_equal(resumed.dataset["muscle_total"].values, muscle)  # injured twice, not three times


@pytest.fixture
def rat(monkeypatch, tmp_path):
    """The species example installed as data/species/rat.toml (a copy of the package's species folder)."""
    folder = tmp_path / "species"
    shutil.copytree(parameters_module.species_folder(), folder)
    (folder / "rat.toml").write_text(example("species"), encoding="utf-8")
    monkeypatch.setattr(parameters_module, "species_folder", lambda: folder)
    parameters_module._load.cache_clear()
    yield "rat"
    parameters_module._load.cache_clear()


def test_a_new_species_is_one_data_file(rat):
    assert "rat" in species_names()
    rat = load_parameters("rat")
    assert rat.value("blood_volume") == 16000.0 and "Lee & Blaufox 1985" in rat["blood_volume"].source
    result = simulate("mouse-bmp2", dims=0, days=1.0, species="rat", parameters={"bmp2_decay": 3.0})
    assert result.options["species"] == "rat" and result.options["parameters"] == {"bmp2_decay": 3.0}


def test_a_new_species_runs_every_intervention_without_another_edit(rat):
    """An intervention applies to every species its table does not except, so the rat file is enough;
    a mouse knockout still refuses humans, with its table's reason."""
    check_registry(load_parameters(), species_names())
    assert all("rat" in row["species"] and "rat" not in row["exceptions"] for row in listing())
    control = simulate("mouse-bmp2", dims=0, days=1.0, species="rat")
    treated = simulate("mouse-bmp2", ["trpv1-ko", {"name": "nsaid", "start": 0.0}], dims=0, days=1.0,
                       species="rat")
    assert [i["name"] for i in treated.interventions] == ["trpv1-ko", "nsaid"]
    assert treated.options["species"] == "rat"
    assert not np.array_equal(treated.dataset["substance_p_total"].values,
                              control.dataset["substance_p_total"].values)
    reason = INTERVENTIONS["trpv1-ko"].exceptions["human"]
    with pytest.raises(InputError, match=re.escape(f"intervention trpv1-ko does not apply to human: {reason}")):
        simulate("mouse-bmp2", ["trpv1-ko"], dims=0, days=1.0, species="human")


def test_a_new_intervention_is_one_table(monkeypatch):
    (item,) = parse_interventions(example("intervention")).values()
    monkeypatch.setitem(INTERVENTIONS, item.name, item)
    check_registry(load_parameters(), species_names())
    control = simulate("mouse-bmp2", dims=0, days=6.0)
    treated = simulate("mouse-bmp2", [{"name": "vegf-trap", "start": 1.0}], dims=0, days=6.0)
    assert treated.dataset["vegf_total"].values[-1] < 0.5 * control.dataset["vegf_total"].values[-1]
    assert treated.interventions[0]["start"] == 1.0
    assert tomllib.loads(example("intervention"))["vegf-trap"]["evidence"]


def test_a_new_observable_and_measure_reach_runs_and_experiments(monkeypatch, tmp_path):
    names = run_example("observable")
    spec, measure = names["LESION_MACROPHAGES"], names["MACROPHAGE_PEAK_DAY"]
    monkeypatch.setitem(OBSERVABLES, spec.name, spec)
    monkeypatch.setitem(MEASURES, measure.name, measure)
    result = simulate("mouse-bmp2", dims=0, days=6.0)
    assert result.dataset[spec.name].attrs["units"] == "1e6 mL-1"  # the model unit in UDUNITS words
    day = compute_measures(*result.series(), [measure.name])[measure.name]
    assert 0.0 < day < 6.0
    spec = case_spec(Case("control", "mouse-bmp2"), run_options(dims=0, days=6.0), "model")
    assert measure.name in spec["measures"]  # a saved case from before the measure existed is recomputed
    assert run_case(spec)["extra"][measure.name] == day  # what every experiment's worker runs


def test_a_new_experiment_is_registered_and_runs(monkeypatch, tmp_path):
    import sys
    import types

    module = types.ModuleType("hosim.cohort.distance")  # the example as the module its entry names
    exec(compile(example("experiment"), "docs/architecture.md:experiment", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    entry = eval(example("experiment entry"), vars(registry))
    monkeypatch.setitem(registry.EXPERIMENTS, entry.name, entry)
    plan = registry.get_experiment("injection-distance").plan({"dims": 0, "days": 2.0}, workers=1)
    report, counts, unit = plan.run(tmp_path)
    assert counts == {"computed": 3, "reused": 0} and unit == "cases"
    assert (tmp_path / "distance.csv").read_text().count("\n") == 4
    assert [row["distance_um"] for row in report["rows"]] == [500.0, 1000.0, 2000.0]
    with pytest.raises(InputError, match="only the sensitivity experiment takes"):
        registry.get_experiment("injection-distance").plan({"method": "sobol"})


@pytest.mark.parametrize("name", ["run spec", "run path", "service"])
def test_the_run_specification_the_run_path_and_the_service_layer_run_as_written(name):
    run_example(name)


def test_a_new_setting_is_one_data_file(tmp_path):
    import hosim.clinical.settings as clinical_settings
    import hosim.cohort.population as population
    from hosim.clinical.console import settings_listing
    from hosim.clinical.risk import estimate_risk
    from hosim.cohort.cohorts import cohort_spec, run_chunk

    folder = tmp_path / "settings"
    shutil.copytree(clinical_settings.settings_folder(), folder)
    (folder / "tha-lateral.toml").write_text(example("setting"), encoding="utf-8")
    loaded = clinical_settings.load_settings(folder)  # the package reads its folder this way at import
    saved = dict(clinical_settings.SETTINGS)
    clinical_settings.SETTINGS.clear()
    clinical_settings.SETTINGS.update(loaded)
    population._table.cache_clear()
    try:
        assert list(loaded)[-1] == "tha-lateral" and "tha-lateral" in settings_listing()
        assert estimate_risk("tha-lateral", ["male"]).any_ho == estimate_risk("tha", ["male"]).any_ho
        spec = cohort_spec("tha-lateral", 20, seed=3)
        chunk = run_chunk({"spec": spec, "chunk_index": 0})  # what a cohort's worker runs, in this process
        assert chunk["arms"]["cohort"]["heterotopic_bone_cm3"].shape == (20,)
        assert {options["approach"] for options in chunk["options"]} == {"lateral"}
    finally:
        clinical_settings.SETTINGS.clear()
        clinical_settings.SETTINGS.update(saved)
        population._table.cache_clear()
