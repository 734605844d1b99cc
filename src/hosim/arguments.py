"""The text forms of a run's arguments, shared by the `hosim` command and the web app so both accept and
refuse the same values with the same messages: KEY=VALUE pairs, NAME[:key=value,...] interventions,
NAME=SPEC trial arms, and the split of -p pairs into scenario options and model parameters."""

from __future__ import annotations

from hosim.errors import InputError


def shown(text: str, limit: int = 80) -> str:
    """A value as a message quotes it: repr, cut to `limit` characters (a message never echoes megabytes)."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[:limit] + "...'"


def parse_assignments(items: list[str], what: str) -> dict[str, float | str]:
    """KEY=VALUE pairs; numbers become floats; a key given twice is refused (which one was meant?)."""
    out: dict[str, float | str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            raise InputError(f"{what} must look like KEY=VALUE, got {shown(item)}")
        if key in out:
            raise InputError(f"{what} {shown(key)} is given twice; give it once")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value.strip()
    return out


RUN_OPTIONS = {"dims": "--dims", "days": "--days", "resolution_um": "--resolution", "seed": "--seed",
               "species": "--species", "parameters": "-p NAME=VALUE for each model parameter"}


def split_run_params(scenario: str, assigned: dict, species: str | None) -> dict:
    """-p KEY=VALUE pairs of `hosim run` as simulate() keywords: the scenario's own options (dose, ...)
    as themselves, model parameters (see `hosim parameters`) gathered under `parameters`."""
    from hosim.biology import load_parameters
    from hosim.scenarios import get_scenario

    own = get_scenario(scenario)
    model = load_parameters(own.run_species(species))
    params, overrides = {}, {}
    for key, value in assigned.items():
        key = str(key)
        if len(key) > 80:
            raise InputError(f"-p {key[:40]}...: a name of {len(key)} characters is no option or parameter")
        if key in RUN_OPTIONS:
            raise InputError(f"-p {key}: {key} is set with {RUN_OPTIONS[key]}, not with -p")
        if key in own.options:
            params[key] = value
        elif key in model:
            overrides[key] = value
        else:
            raise InputError(f"-p {key}: not an option of scenario {scenario} ({', '.join(own.options) or 'none'}) "
                             "nor a model parameter (listed by `hosim parameters`)")
    return {**params, "parameters": overrides} if overrides else params


def parse_intervention(text: str) -> dict:
    """NAME[:key=value,...] -> {"name": NAME, key: value, ...}."""
    name, _, rest = text.partition(":")
    if not name.strip():
        raise InputError(f"-i needs NAME[:key=value,...], got {shown(text)}")
    spec = {"name": name.strip()}
    spec.update(parse_assignments([p for p in rest.split(",") if p.strip()], f"-i {name} option"))
    return spec


def parse_arm(text: str) -> tuple[str, list[dict]]:
    """NAME=SPEC, SPEC empty or `-i` style interventions joined by '+'."""
    name, sep, rest = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--arm needs NAME=SPEC (SPEC may be empty: --arm control=), got {shown(text)}")
    return name.strip(), [parse_intervention(part) for part in rest.split("+") if part.strip()]


def run_spec(scenario: str, interventions: list[str], assigned: dict, *, dims=2, days=None, resolution_um=None,
             seed=0, species: str | None = None, factors: list[str] = ()):
    """The RunSpec of `hosim run`'s text arguments (-i NAME[:k=v], -p KEY=VALUE pairs as a dict), as the
    command and the web app both build it."""
    from hosim.scenarios.spec import RunSpec

    params = split_run_params(scenario, assigned, species)
    overrides = params.pop("parameters", None)
    return RunSpec.parse(scenario, [parse_intervention(text) for text in interventions], dims=dims, days=days,
                         resolution_um=resolution_um, seed=seed, species=species, parameters=overrides,
                         factors=list(factors), options=params)
