"""The JSON API under /api: the risk estimate exactly as `hosim risk --json` prints it, the catalogue of
scenarios and settings, and runs, cohorts and trials as background jobs."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from hosim.web import catalog
from hosim.web.jobs import Job, Jobs
from hosim.web.requests import CohortRequest, RunRequest, TrialRequest, cohort_spec_of, run_spec, trial_spec_of
from hosim.service import RiskQuestion
from hosim.web.risk import answer

router = APIRouter(prefix="/api")

SETTING = Query(..., max_length=80, description="A setting of `hosim risk --list`.")
FACTORS = Query([], max_length=30, description="A risk factor (repeat the parameter for several).")


def risk_query(setting: str = SETTING, factor: list[str] = FACTORS,
               prophylaxis: str | None = Query(None, max_length=40, description="nsaid or radiotherapy (hip settings)."),
               tbsa: float | None = Query(None, description="Burned % of total body surface (burns)."),
               delay_days: float | None = Query(None, description="Days from hip fracture to surgery."),
               seed: int | None = Query(None, description="Seed of the interval sampling."),
               mechanistic: bool = Query(False, description="Also the patient's own virtual cohort (about 5 s).")
               ) -> RiskQuestion:
    return RiskQuestion(setting, tuple(factor), prophylaxis, tbsa, delay_days, seed, mechanistic)


@router.get("/risk", summary="Evidence-based risk, as `hosim risk --json` prints it")
def risk(query: RiskQuestion = Depends(risk_query)) -> dict:
    return answer(query).to_json()


@router.get("/risk/settings", summary="The settings and the factors each accepts (`hosim risk --list --json`)")
def risk_settings() -> dict:
    from hosim.clinical.console import settings_listing

    return settings_listing()


@router.get("/risk/report", summary="The patient report (`hosim risk --report`), as an HTML download")
def risk_report(query: RiskQuestion = Depends(risk_query)) -> Response:
    return Response(answer(query).report(), media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="hosim-risk-report.html"'})


@router.get("/risk/fhir", summary="A FHIR R4 RiskAssessment (`hosim risk --fhir-out`), as a JSON download")
def risk_fhir(query: RiskQuestion = Depends(risk_query)) -> Response:
    return Response(json.dumps(answer(query).fhir(), indent=2) + "\n", media_type="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="hosim-risk-assessment.json"'})


@router.get("/scenarios", summary="Scenarios with their options, grid dimensions and patient factors")
def scenarios() -> dict:
    return catalog.scenarios()


@router.get("/interventions", summary="Interventions (`hosim interventions`)")
def interventions() -> dict:
    return catalog.interventions()


@router.get("/cohort-settings", summary="Settings a virtual cohort or trial runs, with the factors it may fix")
def cohort_settings() -> dict:
    return catalog.cohort_settings()


def _queued(request: Request, kind: str, title: str, spec: dict) -> JSONResponse:
    job = request.app.state.jobs.submit(kind, title, spec)
    return JSONResponse(job.to_json(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


@router.post("/runs", status_code=202, summary="Start a scenario run (`hosim run`) in the background")
def start_run(body: RunRequest, request: Request) -> JSONResponse:
    return _queued(request, "run", *run_spec(body))


@router.post("/cohorts", status_code=202, summary="Start a virtual cohort (`hosim cohort`) in the background")
def start_cohort(body: CohortRequest, request: Request) -> JSONResponse:
    return _queued(request, "cohort", *cohort_spec_of(body))


@router.post("/trials", status_code=202, summary="Start a virtual trial (`hosim trial`) in the background")
def start_trial(body: TrialRequest, request: Request) -> JSONResponse:
    return _queued(request, "trial", *trial_spec_of(body))


def jobs_of(request: Request) -> Jobs:
    return request.app.state.jobs


@router.get("/jobs", summary="Every job this server holds, newest first")
def list_jobs(request: Request) -> list[dict]:
    return [job.to_json() for job in jobs_of(request).all()]


@router.get("/jobs/{job_id}", summary="A job: status, progress, and when done its summary and files")
def get_job(job_id: str, request: Request) -> dict:
    return jobs_of(request).get(job_id).to_json()


@router.delete("/jobs/{job_id}", summary="Cancel a queued or running job")
def cancel_job(job_id: str, request: Request) -> dict:
    return jobs_of(request).cancel(job_id).to_json()


@router.get("/jobs/{job_id}/files/{name:path}", summary="One of a finished job's files (as listed in its `files`)")
def job_file(job_id: str, name: str, request: Request) -> FileResponse:
    job: Job = jobs_of(request).get(job_id)
    # figures open in the browser; every other file (report.html included) is a download, never a page of
    # this site
    return FileResponse(job.file(name), filename=name.rsplit("/", 1)[-1],
                        content_disposition_type="inline" if name.endswith(".png") else "attachment")
