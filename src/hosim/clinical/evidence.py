"""The clinical evidence table: every number the clinical layer uses, with its source.

Two files of package data share one layout (id, setting, quantity, value, low, high, unit,
source, seed_figure, note): ``clinical_evidence.csv`` is the project's evidence table copied
unchanged, ``evidence_added.csv`` holds the figures hosim looked up to fill its gaps.
``uncertainty.csv`` says how to read a row's interval where the low/high columns are not a
95% range (counts, a p-value, a column that holds a different figure).
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib.resources import files

DATA = files("hosim").joinpath("data/clinical")
EVIDENCE_FILES = ("clinical_evidence.csv", "evidence_added.csv")
UNCERTAINTY_KINDS = ("range95", "counts", "p_value", "fixed")


@dataclass(frozen=True)
class EvidenceRow:
    """One published figure and where it comes from."""

    id: str
    setting: str
    quantity: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    source: str
    seed_figure: str
    note: str
    file: str

    def require_value(self) -> float:
        """The figure itself; a qualitative row has none, and asking for it is a programming error."""
        if self.value is None:
            raise ValueError(f"evidence row {self.id!r} is qualitative and has no value")
        return self.value


@dataclass(frozen=True)
class Uncertainty:
    """How hosim samples a row: a 95% range, binomial counts, a p-value, or no spread (fixed)."""

    kind: str
    a: float | None = None
    b: float | None = None
    source: str = ""
    note: str = ""


def _number(text: str, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{where}: {text!r} is not a finite number")
    return value


@functools.cache
def load_evidence() -> dict[str, EvidenceRow]:
    """All evidence rows by id, from both files; ids must be unique across them."""
    rows: dict[str, EvidenceRow] = {}
    for name in EVIDENCE_FILES:
        with DATA.joinpath(name).open(newline="", encoding="utf-8") as handle:
            for record in csv.DictReader(handle):
                row_id = record["id"].strip()
                if row_id in rows:
                    raise ValueError(f"evidence id {row_id!r} appears twice ({rows[row_id].file}, {name})")
                where = f"{name}:{row_id}"
                rows[row_id] = EvidenceRow(
                    id=row_id,
                    setting=record["setting"].strip(),
                    quantity=record["quantity"].strip(),
                    value=_number(record["value"], where),
                    low=_number(record["low"], where),
                    high=_number(record["high"], where),
                    unit=record["unit"].strip(),
                    source=record["source"].strip(),
                    seed_figure=(record["seed_figure"] or "").strip(),
                    note=(record["note"] or "").strip(),
                    file=name,
                )
    return rows


@functools.cache
def _uncertainty_table() -> dict[str, Uncertainty]:
    table: dict[str, Uncertainty] = {}
    with DATA.joinpath("uncertainty.csv").open(newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            row_id = record["id"].strip()
            kind = record["kind"].strip()
            if kind not in UNCERTAINTY_KINDS:
                raise ValueError(f"uncertainty.csv:{row_id}: kind {kind!r} is not one of {UNCERTAINTY_KINDS}")
            where = f"uncertainty.csv:{row_id}"
            table[row_id] = Uncertainty(
                kind=kind,
                a=_number(record["a"], where),
                b=_number(record["b"], where),
                source=record["source"].strip(),
                note=(record["note"] or "").strip(),
            )
    return table


def evidence_row(row_id: str) -> EvidenceRow:
    """The row with this id (a missing id is a bug in hosim's tables, not user input)."""
    return load_evidence()[row_id]


def uncertainty_of(row_id: str) -> Uncertainty:
    """How to sample a row: its uncertainty.csv entry, else its low/high as a 95% range, else fixed."""
    explicit = _uncertainty_table().get(row_id)
    if explicit is not None:
        return explicit
    row = evidence_row(row_id)
    if row.low is not None and row.high is not None:
        return Uncertainty("range95", row.low, row.high)
    if row.low is None and row.high is None:
        return Uncertainty("fixed")
    raise ValueError(
        f"evidence row {row_id!r} has only one bound; say in uncertainty.csv how to read it"
    )

