"""Grade one student's submission against an assignment, and write the results as the
autograder platforms read them: Gradescope's ``results.json``, PrairieLearn's external
grader results, or the tool's own JSON.

Grading always yields results: an answer that is missing or cannot be read scores 0 with the
reason, and so does every question when the submission itself cannot be read. Only a broken
assignment (:func:`~symbackprop.check.grading.assignment.read_assignment`) or spec raises.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ...errors import SymbackpropError
from ..diagnosis.codes import class_summary, mistakes
from .answers import GradeRow, Key
from .assignment import Assignment, Question, read_assignment, read_submission
from .limits import AnswerLimits

FORMATS = ("gradescope", "prairielearn", "json")
MAX_OUTPUT = 4000  # characters of feedback per question


@dataclass(frozen=True)
class QuestionResult:
    """A question's grade: its score, the graded answer and why it got that score."""

    question: Question
    score: float
    row: GradeRow
    reason: str  # "correct", "partial credit for SIGN", "no answer", …

    @property
    def passed(self) -> bool:
        return self.row.verdict == "correct"


@dataclass(frozen=True)
class Graded:
    """A submission graded: each question's result, the total, and how long it took."""

    results: tuple[QuestionResult, ...]
    execution_time: float
    submission_error: str | None = None

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.question.points for r in self.results)

    @property
    def mistakes(self) -> dict[str, int]:
        return class_summary(r.row.codes for r in self.results if not r.passed)


def grade_submission(assignment: str | Path | Assignment, submission: str | Path, *,
                     seed: int = 0, limits: AnswerLimits | None = None) -> Graded:
    """Grade every question of ``assignment`` with the answer ``submission`` gives it, each
    answer under ``limits`` (10 s of CPU and 512 MB by default)."""
    from ..judging.verdict import checker_for
    from .parallel import grade_keys

    start = time.process_time()
    if not isinstance(assignment, Assignment):
        assignment = read_assignment(assignment)
    checker = checker_for(str(assignment.spec), seed=seed)
    try:
        answers = read_submission(submission)
        broken = None
    except SymbackpropError as exc:
        answers, broken = {}, f"the submission cannot be read: {exc.located()}"
    keys = {q.id: _key(q, *answers[q.id]) for q in assignment.questions if q.id in answers}
    # each answer under the CPU-time and memory limits, as check --answers grades it
    graded = grade_keys(checker, list(dict.fromkeys(keys.values())), seed=seed, jobs=1,
                        limits=limits or AnswerLimits()).rows if keys else {}
    results = []
    for q in assignment.questions:
        if q.id not in keys:
            why = broken or f"no answer with id `{q.id}` in the submission"
            row = GradeRow(q.id, q.param, "", "error", error=why)
        else:
            row = replace(graded[keys[q.id]], id=q.id)
        results.append(_scored(q, row))
    return Graded(tuple(results), time.process_time() - start, broken)


def _key(q: Question, kind: str, text: str) -> Key:
    """What to check for question ``q``: its answer as a formula or a derivation."""
    if kind == "section":  # one line of a .tex/.md file is a formula, more a derivation
        kind = "derivation" if q.derivation or "\n" in text.strip() else "formula"
    if q.derivation:
        kind = "derivation"
    if q.quantity and kind == "formula":
        text = f"{q.quantity} = {text}"
    return (kind, "" if q.quantity else q.param, text, "auto")


def _scored(q: Question, row: GradeRow) -> QuestionResult:
    if row.verdict == "correct":
        return QuestionResult(q, q.points, row, "correct")
    if row.verdict == "error":
        return QuestionResult(q, 0.0, row, row.error or "unreadable")
    credit = [(q.partial[c], c) for c in mistakes(row.codes) if c in q.partial]
    if credit:
        share, code = max(credit)
        return QuestionResult(q, round(q.points * share, 6), row,
                              f"partial credit for {code}")
    return QuestionResult(q, 0.0, row, row.verdict)


# -- the results files -------------------------------------------------------------------
def _markdown(r: QuestionResult) -> str:
    """The feedback of one question in Markdown: the verdict, the diagnosis, the
    counterexample. Student text is shown in code spans, never as Markdown."""
    row = r.row
    lines = [f"**{row.verdict.upper()}** — {r.score:g} of {r.question.points:g} points"
             + (f" ({r.reason})" if r.reason not in ("correct", row.verdict) and
                row.verdict != "error" else "")]
    if row.verdict == "error":
        lines.append(f"- {_code_span(row.error or '')}")
    for text, code in zip(row.diagnosis, row.codes, strict=False):
        lines.append(f"- `{code}`: {_code_span(text)}")
    c = row.counterexample
    if c is not None and row.verdict == "incorrect":
        point = ", ".join(f"{k} = {v:.6g}" for k, v in list(c.point.items())[:12])
        lines.append(f"- counterexample: at {_code_span(point)} the true value is "
                     f"{_number(c.true_value)}, the answer gives {_number(c.formula_value)}")
    text = "\n".join(lines)
    return text if len(text) <= MAX_OUTPUT else text[:MAX_OUTPUT] + "…"


def _code_span(text: str) -> str:
    text = " ".join(text.split()).replace("`", "ˋ")
    return f"`{text}`"


def _number(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.12g}"


def gradescope_results(graded: Graded, *, visibility: str = "visible") -> dict[str, Any]:
    """Gradescope's results.json (https://gradescope-autograders.readthedocs.io/en/latest/
    specs/): one test per question, the codes in ``extra_data``."""
    tests = [{
        "name": r.question.name, "score": r.score, "max_score": r.question.points,
        "status": "passed" if r.passed else "failed", "output": _markdown(r),
        "output_format": "md", "visibility": visibility,
        "extra_data": {"verdict": r.row.verdict, "codes": list(r.row.codes)},
    } for r in graded.results]
    data: dict[str, Any] = {
        "score": round(graded.score, 6), "execution_time": round(graded.execution_time, 3),
        "output_format": "md", "visibility": visibility, "tests": tests,
        "extra_data": {"mistakes": graded.mistakes, "max_score": graded.max_score},
    }
    if graded.submission_error:
        data["output"] = _code_span(graded.submission_error)
    return data


def prairielearn_results(graded: Graded) -> dict[str, Any]:
    """PrairieLearn's external grader results (https://prairielearn.readthedocs.io/en/latest/
    externalGrading/): a score in [0, 1], a message, one test per question."""
    total = graded.max_score
    score = graded.score / total if total else 1.0
    message = graded.submission_error or (
        f"{graded.score:g} of {total:g} points" + (
            "; mistakes: " + ", ".join(f"{c}" for c in graded.mistakes)
            if graded.mistakes else ""))
    return {
        "gradable": True, "score": min(1.0, max(0.0, round(score, 6))), "message": message,
        "tests": [{
            "name": r.question.name, "points": r.score, "max_points": r.question.points,
            "message": f"{r.row.verdict}: {r.reason}" if r.reason != r.row.verdict
            else r.row.verdict,
            "output": _markdown(r),
        } for r in graded.results],
    }


def json_results(graded: Graded) -> dict[str, Any]:
    """The tool's own results: every question's row as ``check --answers`` gives it."""
    return {
        "score": graded.score, "max_score": graded.max_score,
        "execution_time": graded.execution_time, "mistakes": graded.mistakes,
        "submission_error": graded.submission_error,
        "questions": [{"id": r.question.id, "score": r.score, "max_score": r.question.points,
                       "reason": r.reason, **r.row.to_dict()} for r in graded.results],
    }


def render_results(graded: Graded, fmt: str) -> str:
    """The results in ``fmt`` (one of :data:`FORMATS`), as JSON text."""
    from ...render.escape import json_text

    make = {"gradescope": gradescope_results, "prairielearn": prairielearn_results,
            "json": json_results}[fmt]
    return json_text(make(graded))
