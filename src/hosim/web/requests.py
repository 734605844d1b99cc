"""What the web app may be asked to run, as pydantic models, and the checks that turn a request into a
job's spec: the CLI's own checks (same messages) plus the server's caps on grid, days and cohort size,
so one visitor cannot occupy the machine for hours."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hosim.arguments import parse_arm, parse_intervention
from hosim.errors import InputError
from hosim.web.limits import costly

MAX_PATIENTS = 5000  # per cohort or trial arm: about 30 s of a 2-core machine per arm
MAX_ARMS = 6
MAX_ARM_TREATMENTS = 10  # as a run's interventions
NAME = Field(max_length=80)
ITEMS = Field(default_factory=list, max_length=20)


class RunRequest(BaseModel):
    """A scenario run, as `hosim run SCENARIO --dims D --days T --resolution UM --seed S --species X
    --factor F... -i SPEC... -p KEY=VALUE...`."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = NAME
    dims: int = 2
    days: float | None = None
    resolution_um: float | None = None
    seed: int = 0
    species: str | None = Field(default=None, max_length=20)
    factors: list[str] = ITEMS
    interventions: list[str] = Field(default_factory=list, max_length=10,
                                     description="NAME[:key=value,...] as `hosim run -i`")
    options: dict[str, float | str] = Field(default_factory=dict, max_length=40,
                                            description="scenario options and model parameters, as `hosim run -p`")


class CohortRequest(BaseModel):
    """A virtual cohort, as `hosim cohort --setting NAME --n N --factor F... -i SPEC... --seed S`."""

    model_config = ConfigDict(extra="forbid")
    setting: str = NAME
    n: int = 200
    factors: list[str] = ITEMS
    interventions: list[str] = Field(default_factory=list, max_length=10)
    seed: int = 0


class TrialRequest(BaseModel):
    """A virtual trial, as `hosim trial --setting NAME --arm NAME=SPEC... --n N --factor F... --seed S`."""

    model_config = ConfigDict(extra="forbid")
    setting: str = NAME
    arms: list[str] = Field(min_length=1, max_length=MAX_ARMS, description="NAME=SPEC as `hosim trial --arm`")
    n: int = 200
    factors: list[str] = ITEMS
    seed: int = 0


def run_spec(request: RunRequest) -> tuple[str, dict]:
    """The job title and spec of a run, checked by building it (InputError naming the first bad value): the
    request's keys, and under "run" the RunSpec's plain data, which the job's process parses back."""
    from hosim.arguments import run_spec as parse_run
    from hosim.scenarios import get_scenario
    from hosim.simulation import prepare

    scenario = get_scenario(request.scenario)
    spec = parse_run(scenario.name, list(request.interventions), dict(request.options), dims=request.dims,
                     days=request.days, resolution_um=request.resolution_um, seed=request.seed,
                     species=request.species, factors=list(request.factors))
    finest = scenario.default_resolution_um.get(spec.dims, 24.0)
    if spec.dims and request.resolution_um is not None and request.resolution_um < finest:
        raise InputError(f"resolution_um: the web app runs grids no finer than scenario {scenario.name}'s default "
                         f"of {finest:g} um in {spec.dims}-D, got {request.resolution_um:g} (finer grids: `hosim run`)")
    with costly("run"):  # building a 3-D run takes seconds; the job's process builds it again to run it
        prepare(spec)
    job = {"scenario": spec.scenario, "dims": spec.dims, "days": spec.days, "resolution_um": request.resolution_um,
           "seed": spec.seed, "species": request.species, "factors": list(request.factors),
           "interventions": [dict(i) for i in spec.interventions], "params": dict(request.options),
           "run": spec.inputs()}
    return f"{scenario.name}, {spec.dims}-D, {spec.days:g} days", job


def cohort_spec_of(request: CohortRequest) -> tuple[str, dict]:
    """The job title and checked spec of a cohort."""
    from hosim.cohort.cohorts import cohort_spec

    _check_size(request.n)
    spec = cohort_spec(request.setting, request.n, {"cohort": [parse_intervention(t) for t in request.interventions]},
                       request.factors, request.seed)
    return f"cohort: {spec['setting']}, {spec['n']} patients", spec


def trial_spec_of(request: TrialRequest) -> tuple[str, dict]:
    """The job title and checked spec of a trial (arms in the order given; the first is the reference)."""
    from hosim.cohort.cohorts import cohort_spec

    _check_size(request.n)
    arms = dict(parse_arm(text) for text in request.arms)
    if len(arms) != len(request.arms):
        raise InputError("each arm needs its own name")
    crowded = [name for name, specs in arms.items() if len(specs) > MAX_ARM_TREATMENTS]
    if crowded:
        raise InputError(f"arm {crowded[0]}: at most {MAX_ARM_TREATMENTS} treatments joined by '+'")
    spec = cohort_spec(request.setting, request.n, arms, request.factors, request.seed)
    return f"trial: {spec['setting']}, {len(arms)} arms of {spec['n']} patients", spec


def _check_size(n: int) -> None:
    if not 1 <= n <= MAX_PATIENTS:
        raise InputError(f"n: the web app runs 1 to {MAX_PATIENTS} patients per cohort or arm, got {n} "
                         "(larger cohorts: `hosim cohort` on a cluster)")


def errors_message(errors: list[dict]) -> str:
    """pydantic's validation errors as one line naming each bad field and what it must be."""
    parts = []
    for error in errors[:5]:
        loc = tuple(error.get("loc", ()))
        where = ".".join(str(p) for p in (loc[1:] if loc[:1] in (("body",), ("query",), ("path",)) else loc))
        given = error.get("input")
        shown = "" if error.get("type") == "missing" or isinstance(given, (dict, list)) else f", got {str(given)[:60]!r}"
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid')}{shown}")
    return "; ".join(parts)


def refusal(exc: Exception) -> str:
    """The one-line message of a refused request (InputError, or pydantic's ValidationError)."""
    return errors_message(exc.errors()) if isinstance(exc, ValidationError) else str(exc)
