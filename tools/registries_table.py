"""docs/generated/registries.md: what hosim offers, made from its registries (scenarios, clinical settings,
interventions, experiments), so no list in the docs is kept by hand.

    python tools/registries_table.py            # write the table
    python tools/registries_table.py --check    # exit 1 if the committed table is not the registries'
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "generated" / "registries.md"


def cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]) + "\n"


def registries_markdown() -> str:
    """The four registries as markdown tables."""
    from hosim.biology.interventions import listing
    from hosim.clinical.settings import SETTINGS
    from hosim.cohort.population import get_setting
    from hosim.cohort.registry import EXPERIMENTS, FLAGS
    from hosim.scenarios import SCENARIOS

    parts = ["# What hosim offers\n\nMade by `python tools/registries_table.py` from the registries "
             "(docs/architecture.md); a test checks it is current.\n"]
    parts.append("\n## Scenarios (`hosim scenarios`, `hosim run SCENARIO`)\n\n" + table(
        ["scenario", "species", "default days", "options (-p)", "description"],
        [[f"`{name}`", s.species, f"{s.default_days:g}", ", ".join(s.options) or "none", s.description]
         for name, s in SCENARIOS.items()]))
    parts.append("\n## Clinical settings (`hosim risk --setting`, `hosim cohort --setting`)\n\n" + table(
        ["setting", "what", "scenario of its virtual patients", "factors"],
        [[f"`{name}`", s.label, f"`{get_setting(name).scenario}`", ", ".join(s.factor_names) or "none"]
         for name, s in SETTINGS.items()]))
    parts.append("\n## Interventions (`hosim interventions`, `-i NAME`)\n\n" + table(
        ["intervention", "kind", "cascade step", "not in", "description"],
        [[f"`{row['name']}`", row["kind"], row["steps"], ", ".join(row["exceptions"]) or "", row["description"]]
         for row in listing()]))
    parts.append("\n## Experiments (`hosim experiment NAME`)\n\n" + table(
        ["experiment", "options", "description"],
        [[f"`{name}`", ", ".join(FLAGS[k] for k in e.takes), e.description] for name, e in EXPERIMENTS.items()]))
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    text = registries_markdown()
    if parser.parse_args().check:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        print("docs/generated/registries.md is current" if current == text else
              "docs/generated/registries.md is stale: run python tools/registries_table.py")
        return 0 if current == text else 1
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
