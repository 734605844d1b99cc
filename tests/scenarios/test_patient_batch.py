"""A batch of 0-D patients stepped together (engine Grid.patients): each patient is exactly its own run."""

import numpy as np
import pytest

from hosim.biology.parameters import load_parameters
from hosim.engine import Grid, Recorder, Stepper, run
from hosim.errors import InputError
from hosim.scenarios import get_scenario

DAYS = 40.0
WATCHED = ("heterotopic_bone_mm3", "lesion_leukocytes", "circulating_progenitors_total", "glucocorticoid_total")


def _series(setup):
    stepper = Stepper(setup.grid, setup.state.variables, setup.state.compartments, setup.transports,
                      setup.reactions, setup.dt)
    recorder = Recorder({k: setup.observables[k] for k in WATCHED}, setup.sample_every)
    run(stepper, setup.state, setup.days, recorder, None, None, setup.events)
    return recorder.series()[1]


def test_batch_patients_are_their_own_runs():
    """Per-patient multipliers (transport-leak and cascade parameters, the blood volume that scales the
    flows to and from the blood, a factor on top) give each patient's series of its own single run, to the
    last bit: nothing passes between patients."""
    scenario = get_scenario("tha")
    multipliers = {"fap_bmp2_half": np.array([0.6, 1.0, 1.5]), "bmp2_decay": np.array([1.2, 0.9, 1.0]),
                   "macrophage_recruitment": np.array([1.0, 1.3, 0.8]), "blood_volume": np.array([0.8, 1.0, 1.2])}
    batch = _series(scenario.build(dims=0, days=DAYS, patients=3, patient_multipliers=multipliers,
                                   factors=["prior-ho"]))
    human = load_parameters("human")
    for k in range(3):
        values = {name: human.value(name) * m[k] for name, m in multipliers.items()}
        single = _series(scenario.build(dims=0, days=DAYS, parameters=values, factors=["prior-ho"]))
        assert single["heterotopic_bone_mm3"][-1] > 1.0  # bone has formed: the comparison means something
        for name in WATCHED:
            assert batch[name].shape == (len(single[name]), 3)
            np.testing.assert_array_equal(batch[name][:, k], single[name], err_msg=name)


def test_factors_that_add_reach_only_their_patients():
    """A factor that adds to a parameter that is 0 without it (an infection's systemic inflammation) acts in
    the batch exactly as in the patient's own run, and only on the patients who have it."""
    from hosim.cohort.population import patients_of, variability

    scenario = get_scenario("sci")
    factors = [(), ("uti",), ("uti", "pneumonia")]
    patients = patients_of(np.arange(3), [{}] * 3, factors, np.ones((3, len(variability()))))
    np.testing.assert_allclose(patients.offsets["complication_inflammation"], [0.0, 0.35, 1.0])
    batch = _series(scenario.build(dims=0, days=DAYS, patients=3, patient_multipliers=patients.multipliers,
                                   patient_offsets=patients.offsets))
    for k, names in enumerate(factors):
        single = _series(scenario.build(dims=0, days=DAYS, factors=list(names)))
        for name in WATCHED:
            np.testing.assert_allclose(batch[name][:, k], single[name], rtol=1e-12, err_msg=f"{names} {name}")
    assert batch["heterotopic_bone_mm3"][-1, 0] < batch["heterotopic_bone_mm3"][-1, 1] < \
        batch["heterotopic_bone_mm3"][-1, 2]


def test_batch_refusals():
    scenario = get_scenario("tha")
    with pytest.raises(InputError, match="0-D reduced model only"):
        scenario.build(dims=2, patients=2)
    with pytest.raises(InputError, match="values for 2 patients"):
        scenario.build(dims=0, patients=2, patient_multipliers={"fap_bmp2_half": np.ones(3)})
    with pytest.raises(InputError, match="patient 1 .* outside its plausible range"):
        scenario.build(dims=0, patients=2, patient_multipliers={"fap_bmp2_half": np.array([1.0, 1e6])})
    with pytest.raises(InputError, match="Hill coefficient"):
        scenario.build(dims=0, patients=2, patient_multipliers={"bmp2_hill": np.ones(2)})
    with pytest.raises(InputError, match="only a 0-D grid"):
        Grid((4,), 10.0, patients=2)
