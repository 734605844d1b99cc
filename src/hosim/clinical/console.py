"""Terminal tables for `hosim risk` and `hosim grade` (rich), kept apart from the arithmetic."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from hosim.clinical.evidence import evidence_row
from hosim.clinical.grading import Grade
from hosim.clinical.risk import Probability, RiskEstimate
from hosim.clinical.settings import PROPHYLAXIS, SETTINGS


def _probability(p: Probability) -> tuple[str, str]:
    interval = "not available" if p.low is None else f"{p.low:.1%} - {p.high:.1%}"
    return f"{p.probability:.1%}", interval


def print_risk(estimate: RiskEstimate, console: Console, fhir_notes: tuple[str, ...] = ()) -> None:
    """The estimate, the evidence rows behind it (literature and seed figures side by side), the notes."""
    spec = estimate.setting_spec
    console.print(f"[bold]HO risk: {spec.label}[/bold] (setting {estimate.setting})")
    extras = [f"tbsa {estimate.tbsa:g}%"] if estimate.tbsa is not None else []
    extras += [f"delay {estimate.delay_days:g} days"] if estimate.delay_days is not None else []
    console.print(f"factors: {', '.join(estimate.factors) or 'none'}"
                  f"{'; ' + ', '.join(extras) if extras else ''}; prophylaxis: {estimate.prophylaxis or 'none'}")
    table = Table(title="Estimate", show_lines=False)
    for column in ("outcome", "probability", "95% interval"):
        table.add_column(column)
    table.add_row(f"any {spec.event}", *_probability(estimate.any_ho))
    if estimate.severe_ho is not None:
        table.add_row(f"severe: {estimate.severe_definition}", *_probability(estimate.severe_ho))
    else:
        table.add_row("severe HO", "not available", "-")
    onset = estimate.onset_days
    table.add_row("expected onset", "not available" if onset is None else f"{onset[0]:g}-{onset[1]:g} days", "")
    console.print(table)

    console.print("[bold]Evidence used[/bold] (literature figure; the seed documents' figure where they gave one)")
    for row_id in estimate.evidence:
        row = evidence_row(row_id)
        figure = "qualitative" if row.value is None else f"{row.value:g} {row.unit}"
        if row.low is not None or row.high is not None:
            figure += f" ({'' if row.low is None else f'{row.low:g}'}-{'' if row.high is None else f'{row.high:g}'})"
        seed = f" [seed: {row.seed_figure}]" if row.seed_figure else ""
        console.print(f"  {row.id}: {figure}; {row.source}{seed}", soft_wrap=True, markup=False)
    console.print("[bold]Notes[/bold]")
    for note in (*fhir_notes, *estimate.notes):
        console.print(f"  - {note}", soft_wrap=True, markup=False)
    console.print("Research tool, not a diagnosis.")


def print_mechanistic(cohort: dict, console: Console) -> None:
    """`hosim risk --mechanistic`: the patient's virtual cohort beside the evidence table."""
    table = Table(title=f"Mechanistic: {cohort['n']} virtual patients like this one", show_lines=False)
    for column in ("outcome", "share", "95% interval (Wilson)"):
        table.add_column(column)
    for key, label in (("any_ho", "any HO (visible on imaging)"), ("severe_ho", "severe HO (Brooker III-IV)")):
        p = cohort[key]
        if p["probability"] is not None:
            table.add_row(label, f"{p['probability']:.1%}", f"{p['low']:.1%} - {p['high']:.1%}")
    console.print(table)
    console.print(f"  people: {cohort['people']}", soft_wrap=True, markup=False)
    if cohort["interventions"]:
        console.print("  prophylaxis as: " + ", ".join(
            i["name"] + ":" + ",".join(f"{k}={v:g}" for k, v in i.items() if k != "name") for i in cohort["interventions"]),
            soft_wrap=True, markup=False)
    if cohort["factors_not_modelled"]:
        console.print(f"  not in the mechanism: {', '.join(cohort['factors_not_modelled'])}", soft_wrap=True, markup=False)


def print_grade(grade: Grade, console: Console) -> None:
    """One row per measure of the graded image."""
    table = Table(title="Hip HO grading")
    table.add_column("measure")
    table.add_column("value")
    gap = "no spur" if grade.min_gap_mm is None else f"{grade.min_gap_mm:.2f} mm"
    rows = [("Brooker", grade.brooker), ("Della Valle", grade.della_valle), ("minimum gap", gap),
            ("islands", str(grade.islands)), ("spurs", str(grade.spurs)),
            ("heterotopic area", f"{grade.heterotopic_area_mm2:.2f} mm^2")]
    if grade.heterotopic_volume_mm3 is not None:
        rows.append(("heterotopic volume", f"{grade.heterotopic_volume_mm3:.2f} mm^3"))
    if grade.longest_island_mm is not None:
        rows.append(("longest island", f"{grade.longest_island_mm:.2f} mm"))
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print("Thresholds: " + "; ".join(f"{evidence_row(i).quantity} {evidence_row(i).value:g} mm "
                                            f"({evidence_row(i).source})" for i in grade.evidence), soft_wrap=True)


def settings_listing() -> dict:
    """Every setting with the factors and options it accepts (also the `--list --json` document)."""
    return {
        name: {
            "label": spec.label,
            "odds_factors": list(spec.odds_factors),
            "patterns": list(spec.patterns),
            "unquantified_factors": list(spec.unquantified),
            "prophylaxis": spec.prophylaxis,
            "needs_tbsa": spec.uses_tbsa,
            "accepts_delay_days": spec.uses_delay,
        }
        for name, spec in SETTINGS.items()
    }


def print_settings(console: Console) -> None:
    """The settings and the factors each accepts, one block per setting."""
    for name, info in settings_listing().items():
        options = [flag for flag, on in ((f"--prophylaxis {'|'.join(PROPHYLAXIS)}", info["prophylaxis"]),
                                         ("--tbsa PCT (required)", info["needs_tbsa"]),
                                         ("--delay-days D", info["accepts_delay_days"])) if on]
        console.print(f"[bold]{name}[/bold]: {info['label']}", soft_wrap=True)
        for title, items in (("factors (odds ratio)", info["odds_factors"]),
                             ("patterns (own incidence, at most one)", info["patterns"]),
                             ("not quantified (recorded, not in the number)", info["unquantified_factors"]),
                             ("options", options)):
            if items:
                console.print(f"    {title}: {', '.join(items)}", soft_wrap=True, markup=False)
