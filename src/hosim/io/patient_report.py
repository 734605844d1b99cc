"""report.html of a patient run: the evidence-based estimate for the patient's clinical setting (the
clinical layer's page) with a section on what the simulation of this patient showed: bone over the weeks,
the grade of the simulated section and the symptom stages, with the run's figures."""

from __future__ import annotations

from html import escape
from pathlib import Path

from hosim.clinical import estimate_risk
from hosim.clinical.report import render_report
from hosim.clinical.settings import SETTINGS, setting_of_run
from hosim.files import write_text

PROPHYLAXIS = {"nsaid": "nsaid", "radiation": "radiotherapy"}  # intervention -> `hosim risk --prophylaxis`


def simulated_section(result, figures: bool, left_out: list[str]) -> str:
    """What the model run showed, in plain words, with its figures when they were drawn; left_out: the run's
    prophylaxis the published estimate above does not include."""
    patient = result.patient
    course = patient["course"]["heterotopic_bone_cm3"]
    onset = patient["imaging"]["onset_week"]
    shown = ("did not reach the size a radiograph shows" if onset is None
             else f"would show on imaging from about week {onset:g}")
    grade = patient["grade"]
    graded = ("" if grade is None else f" Graded like a radiograph at week {grade['day'] / 7:g}: "
              f"{escape(grade['reading'])}.")
    rows = "".join(f"<tr><td><b>{escape(s['stage'].replace('_', ' '))}</b></td><td>{escape(s['signs'])}</td>"
                   f"<td>weeks {s['from_day'] / 7:.1f} to {s['to_day'] / 7:.1f}</td></tr>" for s in patient["stages"])
    pictures = "".join(f'<p><img src="figures/{name}" alt="{escape(alt)}" style="max-width:100%"></p>'
                       for name, alt in (("course.png", "bone over time with the stages"),
                                         ("sections.png", "the simulated section at chosen weeks"))
                       if figures and (name != "sections.png" or grade is not None))
    return (f"<h2>What the simulation of this situation showed</h2>"
            f"<p>The mechanistic model (scenario <b>{escape(result.scenario)}</b>) made "
            f"<b>{course[-1]:.2g} cm<sup>3</sup></b> of extra bone by week {len(course) - 1}; it {shown}.{graded} "
            f"This is one simulated course for the situation you described, not a forecast for you: the numbers "
            f"above come from published studies, this course from the model's mechanism.</p>"
            f"<table><tr><th>Stage</th><th>What it feels like</th><th>When (simulated)</th></tr>{rows}</table>"
            f"{pictures}"
            + ("" if not left_out else
               f"<p>The simulation included {escape(', '.join(left_out))}; the published numbers above do not: "
               "the evidence for this situation gives one prophylaxis at most, for hip operations only.</p>"))


def mechanistic_section(cohort: dict) -> str:
    """`hosim risk --mechanistic`: the patient's virtual cohort in plain words, beside the published numbers."""
    def share(p: dict) -> str:
        return (f"<b>{100 * p['probability']:.0f} in 100</b> (between {100 * p['low']:.0f} and "
                f"{100 * p['high']:.0f} with this many simulated patients)")

    severe = cohort["severe_ho"]
    missing = cohort["factors_not_modelled"]
    return (f"<h2>What the mechanistic model says</h2>"
            f"<p>The model simulated <b>{cohort['n']}</b> virtual patients in your situation"
            f"{' with ' + escape(', '.join(cohort['factors_used'])) if cohort['factors_used'] else ''}, each with "
            f"their own body (how strongly their tissue responds to injury). In about {share(cohort['any_ho'])} "
            f"the extra bone would show on imaging"
            + ("" if severe["probability"] is None else f"; in about {share(severe)} it was severe (Brooker III-IV)")
            + ". The numbers above come from published studies; these come from the model's mechanism, calibrated "
            "to those studies' incidence. Where they disagree, the published numbers are the better guide.</p>"
            + ("" if not missing else f"<p>The model does not yet represent: {escape(', '.join(missing))}.</p>"))


def patient_report(result, figures: bool = True) -> str | None:
    """The report page, or None where the scenario has no clinical setting to estimate."""
    evidence = setting_of_run(result.scenario, result.options, result.options.get("factors", ()))
    if evidence is None:
        return None
    given = [PROPHYLAXIS[i["name"]] for i in result.interventions if i.get("name") in PROPHYLAXIS]
    used = given[:1] if given and SETTINGS[evidence["setting"]].prophylaxis else []
    estimate = estimate_risk(**evidence, prophylaxis=used[0] if used else None)
    return render_report(estimate, simulated_section(result, figures, [g for g in given if g not in used]))


def write_patient_report(result, folder: Path, figures: bool = True) -> Path | None:
    """Write folder/report.html (see patient_report); returns its path, or None."""
    page = patient_report(result, figures)
    if page is None:
        return None
    path = Path(folder) / "report.html"
    write_text(path, page)
    return path
