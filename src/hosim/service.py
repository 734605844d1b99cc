"""The workflows the `hosim` command and the web app share (docs/architecture.md "The service layer"): a
run into a folder, a virtual cohort or trial into a folder, and the risk answer with its FHIR resource and
patient report. The CLI and the web parse their own text forms into these calls and print or serve what
they return; neither keeps a workflow of its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hosim.errors import InputError

CHECKPOINT = "checkpoint.npz"


# ------------------------------------------------------------------------------------------------ a run
def run_into_folder(spec, out: Path, *, figures: bool = True, fresh: bool = False, force: bool = False,
                    progress: Callable[[int, int], None] | None = None, command: Sequence[str] | None = None):
    """Run a RunSpec into folder `out`: summary.json, result.nc, figures/ and, for a patient, report.html,
    resuming from out/checkpoint.npz (fresh: discard it). A folder holding another run's results is
    refused unless `force`. Returns the Result."""
    from hosim.files import FolderLock
    from hosim.io.painters import Painters
    from hosim.simulation import execute, prepare

    prepared = prepare(spec)
    refuse_other_results(out, prepared.config(), force)
    with FolderLock(out, f"hosim run {spec.scenario}"), Painters(2 if figures else 0) as painters:
        checkpoint = out / CHECKPOINT
        if fresh:
            checkpoint.unlink(missing_ok=True)
        result = execute(prepared, checkpoint, progress=progress, command=command)
        result.save(out, figures=figures, painters=painters)
        checkpoint.unlink(missing_ok=True)
    return result


def refuse_other_results(out: Path, config: dict, force: bool) -> None:
    """A folder holding the results of another run (other scenario, options or interventions) is not
    overwritten without `force`; the same run again replaces them."""
    summary = out / "summary.json"
    if force or not summary.is_file():
        return
    try:
        saved = json.loads(summary.read_text(encoding="utf-8"))
        previous = {key: saved.get(key) for key in config}
    except (OSError, ValueError, AttributeError):
        previous = None
    if previous != config:
        differing = [k for k in config if previous is None or previous.get(k) != config[k]]
        raise InputError(f"{out} holds the results of another run (its {', '.join(differing)} differ); "
                         "choose another --out, or give --force to replace them")


def written_files(out: Path, figures: bool) -> list[Path]:
    """The files a run wrote into `out`, as the command lists them."""
    names = ["summary.json", "result.nc"] + ([f"figures/{p.name}" for p in sorted((out / "figures").glob("*.png"))]
                                             if figures else [])
    return [out / name for name in names] + ([out / "report.html"] if (out / "report.html").is_file() else [])


# ------------------------------------------------------------------------------------- cohorts and trials
def population_into_folder(spec: dict, out: Path, *, trial: bool, workers: int | None = None, client=None,
                           progress: Callable[[int, int], None] | None = None, archive: bool = False
                           ) -> tuple[dict, list[Path]]:
    """Run (or resume) a cohort or trial spec (cohort.cohorts.cohort_spec) into `out`: cohort.zarr, the
    figures beside the evidence estimate and, with `archive`, cohort.zarr.zip and summary.json (a web
    job's downloads). Returns the summary and the figure files."""
    import xarray as xr

    from hosim.cohort.cohorts import run_cohort
    from hosim.cohort.evidence import evidence_estimate
    from hosim.files import FolderLock, write_json
    from hosim.io.cohort_figures import cohort_figures, trial_figures

    with FolderLock(out, f"hosim {'trial' if trial else 'cohort'}"):
        summary = run_cohort(spec, out, workers=workers, client=client, progress=progress)
        if trial:
            files = trial_figures(spec, summary, out / "figures")
        else:
            with xr.open_zarr(out / "cohort.zarr") as data:
                files = cohort_figures(spec, summary, data.sel(arm="cohort").load(), out / "figures",
                                       evidence_estimate(spec))
        if archive:  # the store is a folder: zipped so it downloads as one file (xarray opens it with ZipStore)
            shutil.make_archive(str(out / "cohort.zarr"), "zip", root_dir=out / "cohort.zarr")
            write_json(out / "summary.json", summary)
    return summary, files


# ------------------------------------------------------------------------------------------------ risk
@dataclass(frozen=True)
class RiskQuestion:
    """One patient's risk question, as `hosim risk`'s options."""

    setting: str
    factors: tuple[str, ...] = ()
    prophylaxis: str | None = None
    tbsa: float | None = None
    delay_days: float | None = None
    seed: int | None = None
    mechanistic: bool = False


@dataclass(frozen=True)
class RiskAnswer:
    """The evidence estimate, the patient's own virtual cohort when asked (None otherwise), and the FHIR
    inputs it was read from (None: typed in), in every form the command and the web give it."""

    estimate: object  # clinical.risk.RiskEstimate
    cohort: dict | None = None
    inputs: object = None  # clinical.fhir's risk inputs
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        """What `hosim risk --json` prints and GET /api/risk returns."""
        return {**self.estimate.to_json(), **({"mechanistic": self.cohort} if self.cohort else {})}

    def fhir(self) -> dict:
        """The FHIR R4 RiskAssessment (`--fhir-out`, /api/risk/fhir)."""
        from hosim.clinical.fhir import risk_assessment

        return risk_assessment(self.estimate, self.inputs)

    def report(self) -> str:
        """The plain-language patient report (`--report`, /api/risk/report)."""
        from hosim.clinical.report import render_report
        from hosim.io.patient_report import mechanistic_section

        return render_report(self.estimate, mechanistic_section(self.cohort) if self.cohort else "")


def answer_risk(question: RiskQuestion, inputs=None, notes: Sequence[str] = ()) -> RiskAnswer:
    """The evidence estimate for a question and, when asked, the patient's own virtual cohort."""
    from hosim.checks import check_seed
    from hosim.clinical.risk import DEFAULT_SEED, estimate_risk

    seed = DEFAULT_SEED if question.seed is None else check_seed(question.seed)
    estimate = estimate_risk(question.setting, list(question.factors), question.prophylaxis, question.tbsa,
                             question.delay_days, seed=seed)
    cohort = None
    if question.mechanistic:
        from hosim.cohort.mechanistic_risk import mechanistic_estimate

        cohort = mechanistic_estimate(question.setting, estimate.factors, question.prophylaxis, question.tbsa,
                                      question.delay_days, seed=seed)
    return RiskAnswer(estimate, cohort, inputs, tuple(notes))


def question_from_bundle(findings, name: str, question: RiskQuestion) -> tuple[RiskQuestion, object, str]:
    """The question a FHIR R4 Bundle answers (its findings: clinical.fhir.read_bundle or parse_bundle),
    given what was typed beside it (a setting chosen, factors added, options): the question, the
    Bundle's inputs, and the line that says what was read."""
    from hosim.clinical.fhir import risk_inputs

    inputs = risk_inputs(findings, question.setting or None)
    note = (f"From {name}: setting {inputs.setting}; factors {', '.join(inputs.factors) or 'none'}"
            + (f"; mapped but not used by this setting: {', '.join(inputs.ignored)}" if inputs.ignored else ""))
    tbsa = question.tbsa if question.tbsa is not None else inputs.tbsa
    return (RiskQuestion(inputs.setting, (*question.factors, *inputs.factors), question.prophylaxis, tbsa,
                         question.delay_days, question.seed, question.mechanistic), inputs, note)


__all__ = ["RiskAnswer", "RiskQuestion", "answer_risk", "population_into_folder", "question_from_bundle",
           "refuse_other_results", "run_into_folder", "written_files"]
