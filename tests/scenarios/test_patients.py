"""Patients (issue 13): the human parameter set, the hip section, patient factors, and what a patient run
adds to summary.json (course, imaging onset, grade, stages), with the rules of targets/human.toml a single
patient can show."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from hosim import simulate
from hosim.analysis.patient import RADIOGRAPH_MM, radiograph_labels, stages
from hosim.biology import load_parameters
from hosim.biology.factors import Factor, apply_factors, check_factors, factor_table, factors_for
from hosim.biology.homeostasis import resting_oxygen
from hosim.cli import app
from hosim.clinical.grading import FEMUR, HETEROTOPIC, PELVIS
from hosim.errors import InputError
from hosim.scenarios import get_scenario

runner = CliRunner()
BRIDGE_FACTORS = ["prior-ho", "ankylosing-spondylitis"]


def test_the_human_tempo_scales_cell_rates_and_keeps_their_labels():
    mouse, human = load_parameters(), load_parameters("human")
    scaled = [n for n in mouse if human[n].source.startswith("mouse value x 0.4")]
    assert len(scaled) >= 30
    for name in scaled:
        assert human.value(name) == pytest.approx(0.4 * mouse.value(name))
        assert human[name].low == pytest.approx(0.33 * mouse[name].low)
        assert human[name].high == pytest.approx(0.5 * mouse[name].high)
        assert human[name].basis == mouse[name].basis  # a fitted mouse value stays labelled fitted
    for molecular in ("bmp2_decay", "bmp2_diffusivity", "sp_decay", "vegf_decay", "oxygen_diffusivity"):
        assert human.value(molecular) == mouse.value(molecular)


def test_resting_human_muscle_has_the_measured_oxygen():
    """targets/human.toml [human_tissue]: resting human muscle pO2 about 38 mmHg."""
    p = load_parameters("human").namespace()
    capillaries = p.capillary_density * np.pi * p.capillary_radius**2 * 1e-6
    po2 = float(resting_oxygen(np.array([capillaries]), np.array([p.muscle_o2_uptake]), p)[0])
    assert 34.0 <= po2 <= 42.0


def test_the_same_equations_give_mouse_days_and_human_weeks():
    """targets/human.toml [human_mouse_bridge] and [species_scaling]: the species sets alone stretch the
    course 2-3 fold, with no clock set per scenario."""
    runs = {sp: simulate("tha", dims=0, species=sp, factors=BRIDGE_FACTORS).metrics for sp in ("mouse", "human")}
    assert runs["mouse"]["bone_onset_day"] < 10.0 and runs["mouse"]["bone_t50_day"] < 21.0
    for metric in ("bone_onset_day", "bone_t50_day"):
        assert 2.0 <= runs["human"][metric] / runs["mouse"][metric] <= 3.0


def test_a_patient_summary_has_its_course_imaging_stages_and_factors():
    result = simulate("tha", dims=0, factors=["male", *BRIDGE_FACTORS])
    summary = json.loads(json.dumps(result.summary()))
    assert summary["options"]["factors"] == ["male", *BRIDGE_FACTORS]
    assert summary["grade"] is None  # a 0-D run has no section to grade
    course = summary["course"]
    assert course["week"][0] == 0 and course["week"][-1] == 26 and len(course["heterotopic_bone_cm3"]) == 27
    onset = summary["imaging"]["onset_week"]
    assert 3.0 <= onset <= 12.0  # targets/human.toml [onset_general]
    assert [s["stage"] for s in summary["stages"]][:2] == ["inflammation", "firm_lump"]
    assert all(s["from_day"] <= s["to_day"] and s["signs"] and s["rule"] for s in summary["stages"])
    moved = {f["name"]: f["applied"] for f in summary["factors"]}
    assert moved == {"male": False, "prior-ho": True, "ankylosing-spondylitis": True}


@pytest.mark.slow
def test_untreated_tha_grades_by_risk_factors():
    """targets/human.toml [tha_brooker_untreated]: a typical untreated THA without risk factors stays at
    Brooker 0-I; with risk factors (prior HO, ankylosing spondylitis) it reaches II-III; bone shows within
    3-12 weeks and has stopped growing by 3 months (the 1978 series' reading of [tha_time_course])."""
    plain = simulate("tha", dims=2).summary()
    risky = simulate("tha", dims=2, factors=BRIDGE_FACTORS).summary()
    assert plain["grade"]["brooker"] in ("0", "I")
    assert risky["grade"]["brooker"] in ("II", "III")
    assert 3.0 <= risky["imaging"]["onset_week"] <= 12.0
    course = risky["course"]["heterotopic_bone_cm3"]
    assert course[13] >= 0.9 * course[-1]
    over_time = risky["grade"]["over_time"]
    assert over_time[0]["brooker"] == "0" and [g["day"] for g in over_time] == sorted(g["day"] for g in over_time)


@pytest.mark.slow
def test_an_elbow_section_is_graded_like_a_lateral_radiograph():
    """A fixed distal humerus fracture grows visible bone behind the joint; the section is read as
    Hastings-Graham (not Brooker, the hip's), and the stage after growth follows whether it bridges."""
    summary = simulate("elbow-trauma", dims=2, injury="distal-humerus").summary()
    grade = summary["grade"]
    assert (grade["joint"], grade["system"], grade["brooker"]) == ("elbow", "Hastings-Graham", None)
    assert grade["over_time"][0]["hastings_graham"] == "0" and grade["hastings_graham"] in ("I-II", "III")
    assert grade["bridged"] == (grade["hastings_graham"] == "III") == (grade["min_gap_mm"] == 0.0)
    assert summary["stages"][-1]["stage"] == ("ankylosis" if grade["bridged"] else "mature")


def test_a_factor_must_apply_to_the_scenario():
    assert "ankylosing-spondylitis" in factors_for("tha") and factors_for("mouse-bmp2") == []
    with pytest.raises(InputError, match="factor 'uti' does not apply to scenario tha; allowed: .*prior-ho"):
        check_factors("tha", ["uti"])
    with pytest.raises(InputError, match="none"):
        check_factors("mouse-bmp2", ["male"])
    with pytest.raises(InputError, match="twice"):
        check_factors("tha", ["male", "male"])
    every = [n for n, f in factor_table().items()]
    assert all(factor_table()[n].reading and factor_table()[n].size for n in every)


def test_risk_factors_held_as_options_are_those_options():
    """`--factor arm-graft` (the name `hosim risk --list` uses) is `-p grafted=yes` of the burns scenario; a
    factor that contradicts an option given, or another factor, is refused."""
    from hosim.scenarios import SCENARIOS, get_scenario
    from hosim.simulation import prepare

    assert prepare("burns", dims=0, factors=["arm-graft"], grafted="yes").config() == \
        prepare("burns", dims=0, grafted="yes").config()
    assert prepare("elbow-trauma", dims=0, factors=["distal-humerus"]).setup.options["injury"] == "distal-humerus"
    with pytest.raises(InputError, match="injury is already dislocation"):
        prepare("elbow-trauma", dims=0, factors=["distal-humerus"], injury="dislocation")
    with pytest.raises(InputError, match="allowed: arm-graft"):
        prepare("burns", dims=0, factors=["wings"])
    for name, scenario in SCENARIOS.items():  # every factor option names a real option and one of its values
        for option, value in scenario.factor_options.values():
            assert value in get_scenario(name).options[option].choices


def test_factors_multiply_and_never_leave_a_range():
    human = load_parameters("human")
    both = apply_factors(human, check_factors("tha", BRIDGE_FACTORS))
    assert both.value("fap_bmp2_half") == pytest.approx(0.25 * human.value("fap_bmp2_half"))
    assert apply_factors(human, check_factors("tha", ["male"])) is human
    extreme = Factor("test", ("tha",), "test", {"fap_bmp2_half": 0.01}, "test", "test")
    with pytest.raises(InputError, match="fap_bmp2_half .* outside its plausible range"):
        apply_factors(human, [extreme])


def test_factors_and_dimensions_are_checked_at_the_command_line(tmp_path):
    for args, words in ((["--factor", "uti"], "allowed: ankylosing-spondylitis"),
                        (["--dims", "3"], "runs in 0 or 2 dimensions"),
                        (["-p", "approach=medial"], "approach must be one of lateral, posterior, anterior")):
        result = runner.invoke(app, ["run", "tha", "--out", str(tmp_path / "run"), *args])
        assert result.exit_code == 2, result.output
        assert words in result.output and "Traceback" not in result.output
        assert not (tmp_path / "run" / "summary.json").exists()
    listing = runner.invoke(app, ["scenarios", "tha"])
    assert "--factor prior-ho" in listing.output and "no mechanistic reading" in listing.output


def test_the_hip_section_labels_bones_implants_and_layers():
    setup = get_scenario("tha").build(dims=2)
    regions = {k: v[0] for k, v in setup.grid.regions.items()}
    for bone in ("pelvis", "femur", "implant"):
        assert regions[bone].sum() > 0
    assert np.all(regions["implant"] <= regions["skeleton"])
    tissue = sum(regions[r] for r in ("muscle", "tendon", "periosteum", "skeleton", "nerve", "perineurium",
                                      "epineurium"))
    assert np.allclose(tissue, 1.0)
    assert 0 < regions["periosteum"].max() < 0.1  # 100 um of periosteum in a 2 mm voxel
    state = dict(zip(setup.state.variables, setup.state.fields))
    assert all(state[name].max() == 0.0 for name in ("bone_woven", "bone_mature", "periosteal_bone_mature"))
    assert setup.voxel_volume_mm3 == pytest.approx(2.0 * 2.0 * 60.0)


def test_a_radiograph_shows_bone_that_adds_up_along_the_beam():
    regions = {"pelvis": np.zeros((4, 4)), "femur": np.zeros((4, 4)), "skeleton": np.zeros((4, 4))}
    regions["pelvis"][0] = 1
    regions["femur"][3] = 1
    regions["skeleton"][[0, 3]] = 1
    bone = np.zeros((4, 4))
    bone[1, 1] = RADIOGRAPH_MM / 60.0  # just enough over a 60 mm slab
    bone[2, 2] = 0.9 * RADIOGRAPH_MM / 60.0
    labels = radiograph_labels(regions, bone, slab_mm=60.0)
    assert labels[0, 0] == PELVIS and labels[3, 0] == FEMUR
    assert labels[1, 1] == HETEROTOPIC and labels[2, 2] == 0


def test_an_elbow_radiograph_puts_the_humerus_against_the_forearm():
    """The elbow's label image: humerus on one side of the joint, ulna and radius on the other."""
    regions = {name: np.zeros((3, 3)) for name in ("humerus", "ulna", "radius", "skeleton")}
    regions["humerus"][0] = regions["ulna"][2, :2] = regions["radius"][2, 2] = 1
    regions["skeleton"][[0, 2]] = 1
    labels = radiograph_labels(regions, np.full((3, 3), RADIOGRAPH_MM), slab_mm=1.0, joint="elbow")
    assert labels.tolist() == [[PELVIS] * 3, [HETEROTOPIC] * 3, [FEMUR] * 3]


def test_stages_follow_their_rules():
    times = np.linspace(0.0, 100.0, 1001)
    leukocytes = 1.0 + 10.0 * np.exp(-((times - 5.0) / 4.0) ** 2)
    bone = 1000.0 * 0.5 / (1.0 + np.exp(-(times - 40.0) / 5.0))  # mm^3: 0.5 cm^3 at the end
    series = {"lesion_leukocytes": leukocytes, "heterotopic_bone_mm3": bone,
              "radiographic_bone_mm3": bone, "cartilage_mm3": 0.0 * times}
    found = {s["stage"]: s for s in stages(times, series, True, pixels=False)}
    assert list(found) == ["inflammation", "firm_lump", "hardening", "ankylosis"]
    assert found["firm_lump"]["to_day"] == found["hardening"]["from_day"]
    assert 0.09 <= np.interp(found["hardening"]["from_day"], times, bone) / 1000.0 <= 0.11
    none = stages(times, {**series, "heterotopic_bone_mm3": 0.0 * times, "radiographic_bone_mm3": 0.0 * times}, False,
                  pixels=False)
    assert [s["stage"] for s in none] == ["inflammation", "resolved"]


PATIENT_SCENARIOS = ("tha", "hip-fracture", "acetabular-fracture", "sci", "tbi", "elbow-trauma", "burns",
                     "amputation", "muscle-contusion", "fop-flare")


@pytest.mark.parametrize("name", PATIENT_SCENARIOS)
def test_every_patient_scenario_runs_in_0d_with_its_outputs(name):
    result = simulate(name, dims=0, days=56.0)
    summary = result.summary()
    assert summary["species"] == "human" and summary["grade"] is None
    assert summary["stages"][0]["stage"] == "inflammation"
    assert len(summary["course"]["heterotopic_bone_cm3"]) == 9


def test_episodes_a_factor_adds_meet_the_damage_the_hip_takes():
    """Factors that add an episode act where the paralysed hip's micro-trauma leaves damage: pneumonia's
    systemic inflammation after SCI, autonomic storms (daily neural surges for storm_days) after a brain
    injury; without the factor the episode is 0 and changes nothing, and without micro-trauma nothing forms."""
    def bone(scenario, factors=(), **options):
        return simulate(scenario, dims=0, factors=list(factors), **options).metrics["heterotopic_bone_mm3"]

    assert bone("sci", ["pneumonia"]) > 1.3 * bone("sci")
    assert bone("tbi", ["autonomic-dysregulation"]) > 5 * bone("tbi")
    assert bone("tbi", ["autonomic-dysregulation"], storm_days=0.0) == bone("tbi")
    assert bone("tbi", ["autonomic-dysregulation"], micro_trauma_every_days=0.0) < 1e-3


def test_sci_forms_bone_only_below_the_lesion():
    """targets/human.toml [sci]: HO only below the level of the lesion. A hip above a low sacral lesion keeps
    its innervation and takes none of a paralysed limb's micro-trauma."""
    below = simulate("sci", dims=0, level="T6").metrics["heterotopic_bone_mm3"]
    above = simulate("sci", dims=0, level="S3").metrics["heterotopic_bone_mm3"]
    assert below > 10.0 and above < 1e-3 * below


@pytest.mark.slow
def test_a_fop_flare_leaves_tens_of_cm3():
    """targets/human.toml [fop_flare]: a flare-up that converts leaves about 28.8 cm3 of new HO by day 84
    (the natural history study's mean); the model must give that order (10-100 cm3) in the section."""
    result = simulate("fop-flare", dims=2, days=84.0)
    assert 10.0 <= result.metrics["heterotopic_bone_mm3"] / 1000.0 <= 100.0
    assert result.summary()["grade"] is None  # Brooker grades a hip, not a thigh


@pytest.mark.slow
def test_a_patient_run_writes_its_report_with_the_evidence_beside_it(tmp_path):
    result = runner.invoke(app, ["run", "tha", "--dims", "0", "--factor", "male", "--factor", "ankylosing-spondylitis",
                                 "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "patient:" in result.output and "report.html" in result.output
    page = (tmp_path / "run" / "report.html").read_text()
    assert "What the simulation of this situation showed" in page and "being male" in page
    assert "figures/course.png" in page


@pytest.mark.slow
def test_a_viral_illness_triggers_less_fop_bone_than_a_contusion():
    """Systemic inflammation primes macrophages only where there is local danger: a viral illness alone does
    not turn the resident macrophages of undamaged tissue inflammatory (and their activin A osteogenic on
    ACVR1 R206H) along the section's nerves. Before priming was made to amplify local danger, the viral
    trigger formed 176 cm3 in this section."""
    viral = simulate("fop-flare", dims=2, days=84.0, trigger="viral").metrics["heterotopic_bone_mm3"]
    bump = simulate("fop-flare", dims=2, days=84.0, trigger="contusion").metrics["heterotopic_bone_mm3"]
    assert viral < bump


def test_burns_form_bone_steeply_with_the_burned_surface():
    """targets/human.toml [burns]: risk rises steeply above 20-30% of the body surface, with a grafted arm burn.
    With a deep, grafted burn over the elbow, a 10% burn forms no bone that shows on imaging and a 40% burn
    forms it, with at least 10 times the volume; a partial-thickness burn there, left to heal, forms none at
    any size (Levi 2015: 96 of 98 burn patients with HO had arm grafts)."""
    small, large = (simulate("burns", dims=0, tbsa=t, grafted="yes") for t in (10.0, 40.0))
    assert large.metrics["heterotopic_bone_mm3"] >= 10.0 * small.metrics["heterotopic_bone_mm3"]
    assert small.patient["imaging"]["onset_week"] is None and large.patient["imaging"]["onset_week"] is not None
    healed = simulate("burns", dims=0, tbsa=60.0, grafted="no")
    assert healed.metrics["heterotopic_bone_mm3"] < 1e-3 * large.metrics["heterotopic_bone_mm3"]


def test_an_elbow_fracture_forms_more_bone_than_a_dislocation():
    """A dislocation alone (capsule and brachialis torn) forms less than a fixed distal humerus fracture."""
    bone = {injury: simulate("elbow-trauma", dims=0, injury=injury).metrics["heterotopic_bone_mm3"]
            for injury in ("dislocation", "distal-humerus")}
    assert bone["dislocation"] < 0.1 * bone["distal-humerus"]


def test_a_blast_and_the_zone_of_injury_raise_residual_limb_bone():
    """targets/human.toml [amputation]: amputation through the zone of injury and a blast mechanism raise HO."""
    bone = {(blast, zone): simulate("amputation", dims=0, blast=blast, zone_of_injury=zone).metrics[
        "heterotopic_bone_mm3"] for blast in ("yes", "no") for zone in ("yes", "no")}
    assert bone[("yes", "yes")] > bone[("no", "yes")] > bone[("no", "no")]
    assert bone[("yes", "yes")] > bone[("yes", "no")] > bone[("no", "no")]


def test_radiotherapy_takes_a_dose_in_gy_and_a_time_before_surgery():
    """Prophylactic radiotherapy as a dose in Gy (linear-quadratic kill; 7 Gy is the default 0.9) given hours
    before or after surgery: before the operation the damaged cells die at their first divisions after it."""
    from hosim.biology.courses import resolve

    seven, four = (resolve([{"name": "radiation", "dose_gy": d}], 182.0)[0] for d in (7.0, 4.0))
    assert seven.strength == pytest.approx(0.9, abs=0.02) and four.strength < seven.strength
    before = resolve([{"name": "radiation", "dose_gy": 7.0, "start": -0.2}], 182.0)[0]
    assert (before.start, before.end) == (0.0, 2.0) and before.record()["given_start"] == -0.2
    bone = {d: simulate("tha", [{"name": "radiation", "dose_gy": d}], dims=0, factors=BRIDGE_FACTORS).metrics[
        "heterotopic_bone_mm3"] for d in (4.0, 8.0)}
    assert bone[8.0] < bone[4.0]


def test_a_brain_injury_reaches_the_elbow_on_the_affected_side():
    """`tbi -p site=elbow`: the spastic flexors in front of the humerus take the micro-trauma; the elbow
    section is graded as an elbow, and autonomic storms add bone there as at the hip."""
    from hosim.simulation import prepare

    assert prepare("tbi", dims=2, site="elbow").setup.joint == "elbow"
    assert prepare("tbi", dims=2).setup.joint == "hip"
    plain, storms = (simulate("tbi", dims=0, site="elbow", factors=f).metrics["heterotopic_bone_mm3"]
                     for f in ([], ["autonomic-dysregulation"]))
    assert 0.0 < plain < storms


def test_a_brachialis_contusion_uses_the_elbow_section():
    result = simulate("muscle-contusion", dims=0, days=28.0, site="brachialis")
    assert result.options["site"] == "brachialis" and result.summary()["grade"] is None
    assert "humerus" in get_scenario("muscle-contusion").build(dims=2, days=1.0, site="brachialis").grid.regions
