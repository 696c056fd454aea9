"""Check results and graded answers as text (for people), JSON or CSV (for programs)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..render.escape import json_text, spreadsheet_safe
from .grading import GradeRow
from .outcome import CheckResult

GRADE_COLUMNS = ("id", "param", "verdict", "equals_gradient_of", "diagnosis")
VERDICTS = ("correct", "incorrect", "error")


def _value(number: float | None) -> str:
    return "undefined" if number is None else f"{number:.12g}"


def render_check(result: CheckResult, fmt: str = "text") -> str:
    """The result as text (for people) or JSON (for programs)."""
    if fmt == "json":
        return json_text(result.to_dict())
    lines = [f"∂{result.loss}/∂{result.param}: {result.verdict.upper()}",
             f"  formula:  {result.parsed}",
             f"  gradient: {result.gradient}"]
    if result.diagnosis:
        lines.append("  diagnosis:")
        lines += [f"    - {d}" for d in result.diagnosis]
    if result.counterexample is not None:
        c = result.counterexample
        point = ", ".join(f"{k}={v:.6g}" for k, v in c.point.items())
        lines.append(f"  counterexample: at {point}")
        lines.append(f"    true value {_value(c.true_value)}, formula gives "
                     f"{_value(c.formula_value)}")
    lines += [f"  note: {n}" for n in result.notes]
    lines.append(f"  method: {result.method}")
    return "\n".join(lines) + "\n"


def render_grades(rows: Sequence[GradeRow], fmt: str = "text") -> str:
    """The graded answers as a text table, CSV or JSON (with a summary)."""
    summary = {v: sum(r.verdict == v for r in rows) for v in VERDICTS}
    if fmt == "json":
        return json_text({"summary": summary, "answers": [r.to_dict() for r in rows]})
    table = [[r.id, r.param, r.verdict, r.equals_gradient_of or "",
              "; ".join(r.diagnosis) if r.verdict != "error" else (r.error or "")]
             for r in rows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(GRADE_COLUMNS)
        writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in table])
        return buffer.getvalue()
    widths = [max([len(h), *(len(row[c]) for row in table)]) for c, h in
              enumerate(GRADE_COLUMNS[:3])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(GRADE_COLUMNS[:3], widths, strict=True))
             + "  diagnosis"]
    for row in table:
        extra = row[4] if not row[3] else f"equals ∂/∂{row[3]}; {row[4]}"
        lines.append("  ".join(v.ljust(w) for v, w in zip(row[:3], widths, strict=True))
                     + "  " + extra)
    lines.append(f"{summary['correct']} correct, {summary['incorrect']} incorrect, "
                 f"{summary['error']} unreadable")
    return "\n".join(lines) + "\n"
