"""Tables of experiments as CSV and markdown text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence


def format_value(value, digits: int = 3) -> str:
    """Numbers with `digits` significant digits, None as an empty cell, booleans as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def csv_text(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """CSV with a header row; None becomes an empty field, numbers keep full precision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return buffer.getvalue()


def markdown_table(rows: Sequence[dict], columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table of `rows` (numbers to 3 significant digits)."""
    headers = list(headers or columns)
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(format_value(row.get(c)) for c in columns) + " |")
    return "\n".join(lines) + "\n"
