"""The clinical settings, one file each (data/settings/NAME.toml): read by one type, and a patient run
placed in its setting from the files alone."""

import pytest

from hosim.clinical.settings import SETTINGS, parse_setting, setting_of_run


def test_every_setting_file_names_its_rows_and_its_virtual_patients():
    assert list(SETTINGS)[:2] == ["tha", "hip-fracture-arthroplasty"]  # the order keys, as `hosim risk --list`
    for setting in SETTINGS.values():
        assert setting.any_ho and setting.scenario
        for draw in setting.draws.values():
            assert len(draw.values) == len(draw.weights) and abs(sum(draw.weights) - 1) < 1e-9 and draw.source
        assert all(0 <= p <= 1 and source for p, source in setting.factors.values())


@pytest.mark.parametrize("scenario, options, factors, expected", [
    ("tha", {"approach": "lateral"}, ["male"], {"setting": "tha", "factors": ["male"]}),
    ("hip-fracture", {"treatment": "fixation", "delay_days": 2.0}, [], {"setting": "hip-fracture-fixation",
                                                                       "factors": []}),
    ("hip-fracture", {"treatment": "arthroplasty", "delay_days": 2.0}, [],
     {"setting": "hip-fracture-arthroplasty", "factors": [], "delay_days": 2.0}),
    ("acetabular-fracture", {"brain_injury": "severe"}, [], {"setting": "acetabular-fracture", "factors": ["tbi"]}),
    ("burns", {"tbsa": 30.0, "grafted": "yes"}, [], {"setting": "burns", "factors": ["arm-graft"], "tbsa": 30.0}),
    ("tbi", {"cause": "tbi", "severity": "moderate"}, ["spasticity"], {"setting": "tbi", "factors": ["spasticity"]}),
    ("tbi", {"cause": "stroke", "severity": "severe"}, [], None),
    ("muscle-contusion", {"site": "quadriceps"}, [], None),
])
def test_a_patient_run_is_placed_in_its_setting_by_the_files(scenario, options, factors, expected):
    assert setting_of_run(scenario, options, factors) == expected


def test_a_malformed_setting_file_is_named():
    with pytest.raises(ValueError, match="data/settings/knee.toml"):
        parse_setting("knee", 'label = "knee"\n')
    with pytest.raises(ValueError, match="adding up to 1"):
        parse_setting("knee", 'label = "k"\nevent = "e"\nany_ho = ["tha_any"]\n[patients]\nscenario = "tha"\n'
                              '[patients.draw.approach]\nvalues = ["lateral"]\nweights = [0.5]\nsource = "s"\n')
