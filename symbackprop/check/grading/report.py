"""Check results and graded answers as text (for people), JSON or CSV (for programs)."""

from __future__ import annotations

import csv
import io
import textwrap
from collections import Counter
from collections.abc import Sequence

from ...network.display import register
from ...render.escape import json_text, spreadsheet_safe
from ..diagnosis.codes import BY_NAME, class_summary
from ..judging.outcome import VERDICTS as CHECK_VERDICTS
from ..judging.outcome import CheckResult, Counterexample, StepResult
from .answers import GradeRow

GRADE_COLUMNS = ("id", "param", "verdict", "equals_gradient_of", "first_wrong_line",
                 "diagnosis", "codes")
VERDICTS = (*CHECK_VERDICTS, "error")
MAX_STEP_TEXT = 100


def _value(number: float | None) -> str:
    return "undefined" if number is None else f"{number:.12g}"


def _counterexample(c: Counterexample, indent: str, names: dict[str, str]) -> list[str]:
    """The point: the quantities the formula uses, the rest said to be drawn at random (a
    formula in numbers alone is at the spec's worked example, given whole)."""
    shown = c.uses or c.point
    point = ", ".join(f"{names.get(k, k)}={v:.6g}" for k, v in shown.items())
    if c.worked:
        point = "the spec's worked example (the values it gives)"
    elif c.uses:
        point += "; the other parameters, inputs and targets at random"
    return [f"{indent}counterexample: at {point}",
            f"{indent}  true value {_value(c.true_value)}, formula gives "
            f"{_value(c.formula_value)}"]


def _whole(text: str, indent: str) -> str:
    """``text`` as written, whole, broken at spaces into lines of about 100 characters."""
    text = " ".join(text.split())
    return textwrap.fill(text, width=MAX_STEP_TEXT + len(indent), subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _step_lines(step: StepResult, names: dict[str, str], place: str = "") -> list[str]:
    """One step: ``place`` tells the steps of one line apart (A = B = C: step 1 of 2)."""
    label = f" ({step.label})" if step.label else ""
    count = f" — {step.instances}" if step.instances else ""
    lines = [f"  line {step.line}{place}{label}: {step.verdict.upper()}{count}",
             f"    {_whole(step.text, '    ')}"]
    if step.claim and step.verdict in ("incorrect", "consequence") and not step.instances:
        lines.append(f"    read as: {_whole(step.claim, '             ')}")
    lines += [f"    - {d}" for d in dict.fromkeys(step.diagnosis)]
    if step.counterexample is not None and step.verdict == "incorrect":
        lines += _counterexample(step.counterexample, "    ", names)
    lines += [f"    note: {n}" for n in step.notes]
    return lines


def render_check(result: CheckResult, fmt: str = "text") -> str:
    """The result as text (for people) or JSON (for programs)."""
    if fmt == "json":
        return json_text(result.to_dict())
    several = len(result.steps) > 1
    subject = f"∂{result.loss}/∂{result.names.get(result.param, result.param)}" \
        if result.param else "derivation"
    if not result.param and len(result.steps) == 1 and " = " in result.steps[0].claim:
        first = result.steps[0]  # ∂E_o1/∂out_h1, not a gradient; δ^{l}_{j} as written
        subject = (first.text if first.instances else first.claim).split(" = ")[0]
    lines = [f"{subject}: {result.verdict.upper()}"]
    remarks = [f"first wrong line: {result.first_wrong_line}"] \
        if several and result.first_wrong_line is not None else []
    if result.not_judged:
        remarks.append(f"{result.not_judged} line{'s' * (result.not_judged > 1)} not judged")
    if remarks:
        lines[0] += f" ({'; '.join(remarks)})"
    if not several:
        written = result.steps[0].text if result.steps else result.formula
        lines.append(f"  written:  {_whole(written, '            ')}")
        lines.append(f"  read as:  {_whole(result.parsed, '            ')}")
        if result.gradient is not None:
            lines.append(f"  gradient: {result.gradient}")
        if result.diagnosis:
            lines.append("  diagnosis:")
            lines += [f"    - {d}" for d in dict.fromkeys(result.diagnosis)]
        if result.counterexample is not None:
            lines += _counterexample(result.counterexample, "  ", result.names)
        for step in result.steps:
            if step.instances:
                lines.append(f"  instances: {step.instances}")
    else:
        if result.gradient is not None:
            lines.append(f"  gradient: {result.gradient}")
        if result.verdict == "not an answer":
            lines += [f"  - {d}" for d in result.diagnosis]
        per_line = Counter(step.line for step in result.steps)
        seen: Counter[int] = Counter()
        for step in result.steps:
            seen[step.line] += 1
            place = f", step {seen[step.line]} of {per_line[step.line]}" \
                if per_line[step.line] > 1 else ""
            lines += _step_lines(step, result.names, place)
    shown = {n for step in result.steps for n in step.notes} if several else set()
    lines += [f"  note: {n}" for n in result.notes if n not in shown]
    lines.append(f"  method: {result.method}")
    return "\n".join(lines) + "\n"


def _diagnosis_text(row: GradeRow) -> str:
    """The diagnosis of a row, each finding once (an `equals` already in it is not added)."""
    if row.verdict == "error":
        return row.error or ""
    found = list(dict.fromkeys(row.diagnosis))
    if row.equals_gradient_of and not any(f"∂/∂{row.equals_gradient_of}" in d or
                                          f"gradient of {row.equals_gradient_of}" in d
                                          for d in found):
        found.insert(0, f"equals ∂/∂{row.equals_gradient_of}")
    return "; ".join(found)


def render_grades(rows: Sequence[GradeRow], fmt: str = "text") -> str:
    """The graded answers as a text table, CSV or JSON (with a summary)."""
    summary = {v: sum(r.verdict == v for r in rows) for v in VERDICTS}
    mistakes = class_summary(r.codes for r in rows if r.verdict != "correct")
    if fmt == "json":
        return json_text({"summary": summary, "mistakes": mistakes,
                          "answers": [r.to_dict() for r in rows]})
    table = [[r.id, r.param, r.verdict, r.equals_gradient_of or "",
              "" if r.first_wrong_line is None else str(r.first_wrong_line),
              _diagnosis_text(r), " ".join(dict.fromkeys(r.codes))] for r in rows]
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
        where = f"line {row[4]}: " if row[4] and not row[5].startswith(f"line {row[4]}:") \
            else ""
        lines.append("  ".join(v.ljust(w) for v, w in zip(row[:3], widths, strict=True))
                     + "  " + where + row[5])
    counts = [f"{summary[v]} {v}" for v in CHECK_VERDICTS if summary[v] or v in (
        "correct", "incorrect")]
    lines.append(", ".join([*counts, f"{summary['error']} unreadable"]))
    if mistakes:
        lines.append("mistakes: " + ", ".join(f"{n} {code}" for code, n in mistakes.items()))
    return "\n".join(lines) + "\n"


def render_mistakes(rows: Sequence[GradeRow]) -> str:
    """The class summary as CSV: each diagnosis code and how many answers made it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("code", "answers", "meaning"))
    for code, n in class_summary(r.codes for r in rows if r.verdict != "correct").items():
        writer.writerow((code, n, BY_NAME[code].meaning))
    return buffer.getvalue()


def check_markdown(result: CheckResult) -> str:
    """In Jupyter: the verdict in bold, the formula and the gradient as maths, the rest as
    ``check`` prints it."""
    maths = f"\n\n$${result.parsed_latex}$$" if result.parsed_latex else ""
    if result.gradient_latex:
        maths += f"\n\nthe gradient: $${result.gradient_latex}$$"
    return f"**{result.verdict.upper()}**{maths}\n\n```text\n{render_check(result)}```"


register(CheckResult, "markdown", check_markdown)
register(CheckResult, "text", lambda result: f"CheckResult: {result.verdict}")
