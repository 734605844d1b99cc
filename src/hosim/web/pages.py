"""The server-rendered pages: risk, scenario, cohort, trial and a job's page. Every form works without
scripts (a script only reloads a chooser and polls a job's progress); a refused form comes back with the
CLI's message and what was typed, as a 422."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from hosim import __version__
from hosim.clinical.settings import FACTOR_LABELS
from hosim.arguments import shown
from hosim.errors import InputError
from hosim.web import catalog
from hosim.web.jobs import FINISHED
from hosim.web.requests import (
    CohortRequest,
    RunRequest,
    TrialRequest,
    cohort_spec_of,
    refusal,
    run_spec,
    trial_spec_of,
)
from hosim.service import RiskQuestion
from hosim.web.risk import answer, bundle_question

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["version"] = __version__
templates.env.globals["factor_label"] = lambda name: FACTOR_LABELS.get(name, name)
FORM_LIMITS = {"max_files": 1, "max_fields": 200}
INTERVENTION_ROWS = 3  # intervention rows on the scenario and cohort forms
ARM_ROWS = 4


def page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status, code=status, message=message)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    return page(request, "home.html")


# ---------------------------------------------------------------------------------------------------- risk
@router.get("/risk", response_class=HTMLResponse)
def risk(request: Request):
    from hosim.clinical.console import settings_listing

    q = request.query_params
    settings = settings_listing()
    setting = q.get("setting") or next(iter(settings))
    if setting not in settings:
        raise InputError(f"unknown setting {shown(setting)}; allowed: {', '.join(settings)}")
    form = {"setting": setting, "factors": [f for f in q.getlist("factor") if f], "prophylaxis": q.get("prophylaxis") or None,
            "tbsa": q.get("tbsa") or None, "delay_days": q.get("delay_days") or None,
            "mechanistic": q.get("mechanistic") == "1"}
    context = {"settings": settings, "form": form, "info": settings[setting]}
    if q.get("show") != "1":
        return page(request, "risk.html", **context)
    try:
        query = RiskQuestion(setting, tuple(form["factors"]), form["prophylaxis"], _number(form["tbsa"], "tbsa"),
                          _number(form["delay_days"], "delay_days"), None, form["mechanistic"])
        return _risk_result(request, query, context)
    except InputError as exc:
        return page(request, "risk.html", 422, error=str(exc), **context)


@router.post("/risk/bundle", response_class=HTMLResponse)
async def risk_from_bundle(request: Request):
    from hosim.clinical.console import settings_listing

    settings = settings_listing()
    async with request.form(**FORM_LIMITS) as data:
        upload, chosen, mechanistic = data.get("bundle"), data.get("setting"), data.get("mechanistic") == "1"
        setting = chosen if isinstance(chosen, str) and chosen in settings else None
        content = await upload.read() if upload is not None and not isinstance(upload, str) and upload.filename else None
        name = Path(upload.filename).name[:80] if content is not None else ""
    form = {"setting": setting or next(iter(settings)), "factors": [], "mechanistic": mechanistic}
    context = {"settings": settings, "info": settings[form["setting"]], "form": form}

    def answer() -> HTMLResponse:
        try:
            if content is None:
                raise InputError("choose a FHIR R4 Bundle (a .json file) to upload")
            query, inputs, note = bundle_question(content, name or "the uploaded file", setting, mechanistic)
            form.update(setting=query.setting, factors=list(query.factors))
            context["info"] = settings[query.setting]
            return _risk_result(request, query, context, note, inputs)
        except InputError as exc:
            return page(request, "risk.html", 422, error=str(exc), **context)

    return await run_in_threadpool(answer)


def _risk_result(request: Request, query: RiskQuestion, context: dict, note: str = "", inputs=None
                 ) -> HTMLResponse:
    from urllib.parse import urlencode

    from hosim.clinical import report

    given = answer(query, inputs)
    result, cohort = given.estimate, given.cohort
    pairs = [("setting", result.setting), *(("factor", f) for f in result.factors)]
    pairs += [(k, v) for k, v in (("prophylaxis", result.prophylaxis), ("tbsa", result.tbsa),
                                  ("delay_days", result.delay_days)) if v is not None]
    return page(request, "risk.html", result=result, cohort=cohort, note=note, report=report,
                downloads=urlencode(pairs), mechanistic_downloads=urlencode([*pairs, ("mechanistic", "true")]),
                **context)


def _number(text: str | None, name: str) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{name} must be a number, got {shown(text)}") from None


# ------------------------------------------------------------------------------------------------ scenario
@router.get("/scenario", response_class=HTMLResponse)
def scenario(request: Request):
    return _scenario_form(request, request.query_params.get("scenario") or "tha", {})


def _scenario_form(request: Request, name: str, typed: dict, status: int = 200, error: str = "") -> HTMLResponse:
    scenarios = catalog.scenarios()
    if name not in scenarios:
        raise InputError(f"unknown scenario {shown(name)}; allowed: {', '.join(scenarios)}")
    info = scenarios[name]
    return page(request, "scenario.html", status, scenarios=scenarios, name=name, info=info, typed=typed,
                error=error, interventions=catalog.interventions_for(info["species"]), rows=range(INTERVENTION_ROWS))


async def form_fields(request: Request) -> dict:
    """A posted form's fields as typed (factor: every one ticked); a file where text belongs is refused."""
    async with request.form(**FORM_LIMITS) as data:
        files = [key for key, value in data.multi_items() if not isinstance(value, str)]
        if files:
            raise InputError(f"field {shown(files[0])} must be text, not a file")
        return {key: data.getlist(key) if key == "factor" else data.get(key) for key in data.keys()}


def queued_or_refused(request: Request, kind: str, build, refused) -> Response:
    """Queue the job `build()` checks and names, and open its page; a refusal comes back as `refused(message)`."""
    try:
        job = request.app.state.jobs.submit(kind, *build())
    except (InputError, ValidationError) as exc:
        return refused(refusal(exc))
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/scenario", response_class=HTMLResponse)
async def start_scenario(request: Request):
    typed = await form_fields(request)
    name = str(typed.get("scenario") or "")

    def build():
        return run_spec(RunRequest(
            scenario=name, dims=_whole(typed.get("dims"), "dims", 2), days=_number(typed.get("days") or None, "days"),
            seed=_whole(typed.get("seed"), "seed", 0), species=typed.get("species") or None,
            factors=typed.get("factor", []), interventions=_intervention_texts(typed), options=_options(name, typed)))

    return await run_in_threadpool(queued_or_refused, request, "run", build,
                                   lambda message: _scenario_form(request, name, typed, 422, message))


def _whole(text, name: str, default: int) -> int:
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{name} must be a whole number, got {shown(text)}") from None


def _options(scenario: str, typed: dict) -> dict:
    """The scenario's options from fields named option_KEY (only those changed from the default)."""
    info = catalog.scenarios().get(scenario, {"options": {}})["options"]
    chosen = {}
    for key, option in info.items():
        value = typed.get(f"option_{key}")
        if value in (None, "") or str(value) == str(option["default"]):
            continue
        chosen[key] = value if "choices" in option else _number(value, key)
    return chosen


def _intervention_texts(typed: dict) -> list[str]:
    """Rows of (name, start, end, strength) as `-i NAME:start=..,end=..,strength=..` texts."""
    texts = []
    for row in range(INTERVENTION_ROWS):
        name = typed.get(f"i{row}_name")
        if not name:
            continue
        keys = [f"{key}={typed[f'i{row}_{key}']}" for key in ("start", "end", "strength", "dose_gy")
                if typed.get(f"i{row}_{key}")]
        texts.append(name + (":" + ",".join(keys) if keys else ""))
    return texts


# ------------------------------------------------------------------------------------------- cohort, trial
@router.get("/cohort", response_class=HTMLResponse)
def cohort(request: Request):
    return _population_form(request, "cohort.html", request.query_params.get("setting") or "tha", {})


@router.get("/trial", response_class=HTMLResponse)
def trial(request: Request):
    return _population_form(request, "trial.html", request.query_params.get("setting") or "tha", {})


def _population_form(request: Request, template: str, setting: str, typed: dict, status: int = 200,
                     error: str = "") -> HTMLResponse:
    settings = catalog.cohort_settings()
    if setting not in settings:
        raise InputError(f"unknown setting {shown(setting)}; allowed: {', '.join(settings)}")
    info = settings[setting]
    species = catalog.scenarios()[info["scenario"]]["species"]
    return page(request, template, status, settings=settings, setting=setting, info=info, typed=typed, error=error,
                interventions=catalog.interventions_for(species), rows=range(INTERVENTION_ROWS),
                arm_rows=range(ARM_ROWS))


@router.post("/cohort", response_class=HTMLResponse)
async def start_cohort(request: Request):
    typed = await form_fields(request)
    setting = str(typed.get("setting") or "")

    def build():
        return cohort_spec_of(CohortRequest(
            setting=setting, n=_whole(typed.get("n"), "n", 200), factors=typed.get("factor", []),
            interventions=_intervention_texts(typed), seed=_whole(typed.get("seed"), "seed", 0)))

    return await run_in_threadpool(queued_or_refused, request, "cohort", build, lambda message: _population_form(
        request, "cohort.html", setting, typed, 422, message))


@router.post("/trial", response_class=HTMLResponse)
async def start_trial(request: Request):
    typed = await form_fields(request)
    setting = str(typed.get("setting") or "")

    def build():
        arms = [f"{typed[f'arm{row}_name'].strip()}={typed.get(f'arm{row}_spec') or ''}"
                for row in range(ARM_ROWS) if (typed.get(f"arm{row}_name") or "").strip()]
        if not arms:
            raise InputError("a trial needs at least one arm: give the first arm a name (control, say)")
        return trial_spec_of(TrialRequest(setting=setting, arms=arms, n=_whole(typed.get("n"), "n", 200),
                                          factors=typed.get("factor", []), seed=_whole(typed.get("seed"), "seed", 0)))

    return await run_in_threadpool(queued_or_refused, request, "trial", build, lambda message: _population_form(
        request, "trial.html", setting, typed, 422, message))


# ---------------------------------------------------------------------------------------------------- jobs
@router.get("/jobs", response_class=HTMLResponse)
def jobs(request: Request):
    return page(request, "jobs.html", jobs=[job.to_json() for job in request.app.state.jobs.all()])


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: str):
    found = request.app.state.jobs.get(job_id).to_json()
    return page(request, "job.html", job=found, finished=found["status"] in FINISHED)


@router.post("/jobs/{job_id}/cancel")
def cancel(request: Request, job_id: str) -> Response:
    request.app.state.jobs.cancel(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
