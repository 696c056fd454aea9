"""Read an assignment (the spec, the questions, their points and partial credit) and a
submission (the answers, one per question) for :mod:`symbackprop.check.grading.autograder`.

An assignment is YAML::

    spec: network.yaml            # relative to the assignment file
    questions:
      - {id: q1, param: w5, points: 2, partial: {SIGN: 0.5}}
      - {id: q2, quantity: "∂E_total/∂out_h1", points: 1}
      - {id: q3, derivation: true, param: w1, points: 3}

A question asks for ∂E/∂param (``param``), for the value of a quantity (``quantity``: the
answer is checked as ``quantity = answer``), or for a derivation (``derivation: true``,
checked step by step; ``param`` then names the gradient it must end in). ``partial`` gives a
fraction of the points for a wrong answer whose diagnosis has a code
(:mod:`symbackprop.check.diagnosis.codes`). A submission is a YAML or CSV file of answers as
``check --answers`` reads them (``id`` is the question's), or a ``.tex``/``.md`` derivation
with one section per question, each opened by a marker line ``% question: q1`` (LaTeX) or
``<!-- question: q1 -->`` (Markdown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import SpecError
from ..diagnosis.codes import BY_NAME

MAX_ASSIGNMENT_BYTES = 1_000_000
MAX_QUESTIONS = 500
MAX_SUBMISSION_BYTES = 2_000_000
MAX_POINTS = 1e6
MARKER = re.compile(r"^\s*(?:%\s*question:\s*(?P<tex>\S+)\s*|<!--\s*question:\s*(?P<md>\S+?)"
                    r"\s*-->\s*)$", re.M)
_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class Question:
    """One question: what is asked, its points, and partial credit by diagnosis code."""

    id: str
    points: float
    param: str = ""
    quantity: str = ""
    derivation: bool = False
    partial: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        asked = f"∂E/∂{self.param}" if self.param and not self.quantity else self.quantity
        kind = "derivation" if self.derivation else "answer"
        return f"{self.id}: {kind}" + (f" for {asked}" if asked else "")


@dataclass(frozen=True)
class Assignment:
    """The spec's path (resolved) and the questions, in order."""

    spec: Path
    questions: tuple[Question, ...]


def read_assignment(path: str | Path) -> Assignment:
    """The assignment in ``path``; a :class:`SpecError` names the file, line and field of
    anything wrong in it."""
    from ...input_files import read_input, shown_name
    from ...spec.limits import Limits
    from ...spec.yaml_reader import read_yaml

    file = shown_name(path)
    raw = read_input(path, MAX_ASSIGNMENT_BYTES, what="the assignment")
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError("the assignment is not UTF-8 text", file=file) from None
    data, lines = read_yaml(text, file, Limits(max_bytes=MAX_ASSIGNMENT_BYTES))

    def fail(message: str, where: tuple[Any, ...], hint: str | None = None) -> SpecError:
        line = next((lines[where[:k]] for k in range(len(where), -1, -1)
                     if where[:k] in lines), None)
        return SpecError(message, file=file, line=line,
                         field=".".join(str(p) for p in where) or None, hint=hint)

    if not isinstance(data, dict):
        raise fail("expected a mapping with `spec` and `questions`", ())
    unknown = sorted(set(map(str, data)) - {"spec", "questions", "title"})
    if unknown:
        raise fail(f"unknown field `{unknown[0]}`", (unknown[0],),
                   "an assignment has spec, questions and an optional title")
    spec = data.get("spec")
    if not isinstance(spec, str) or not spec.strip():
        raise fail("`spec` must name the network spec (a path relative to the assignment)",
                   ("spec",))
    base = Path(str(path)).parent if str(path) != "-" else Path.cwd()
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise fail("`questions` must be a non-empty list", ("questions",))
    if len(questions) > MAX_QUESTIONS:
        raise fail(f"more than {MAX_QUESTIONS} questions", ("questions",))
    read = [_question(q, ("questions", k), fail) for k, q in enumerate(questions)]
    seen: set[str] = set()
    for k, q in enumerate(read):
        if q.id in seen:
            raise fail(f"the question id `{q.id}` is given twice", ("questions", k, "id"))
        seen.add(q.id)
    return Assignment(base / spec, tuple(read))


def _question(data: Any, where: tuple[Any, ...], fail: Any) -> Question:
    if not isinstance(data, dict):
        raise fail("a question is a mapping (id, param or quantity, points)", where)
    known = {"id", "param", "quantity", "derivation", "points", "partial"}
    unknown = sorted(set(map(str, data)) - known)
    if unknown:
        raise fail(f"unknown field `{unknown[0]}`", (*where, unknown[0]),
                   "a question has " + ", ".join(sorted(known)))
    ident = data.get("id")
    if not isinstance(ident, (str, int)) or isinstance(ident, bool) or \
            not _ID.fullmatch(str(ident)):
        raise fail("`id` must be a short name (letters, digits, _ . -)", (*where, "id"))
    points = data.get("points", 1)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or \
            not 0 <= points <= MAX_POINTS:
        raise fail(f"`points` must be a number from 0 to {MAX_POINTS:g}", (*where, "points"))
    param, quantity = data.get("param", ""), data.get("quantity", "")
    for name, value in (("param", param), ("quantity", quantity)):
        if not isinstance(value, str) or len(value) > 200:
            raise fail(f"`{name}` must be text", (*where, name))
    derivation = data.get("derivation", False)
    if not isinstance(derivation, bool):
        raise fail("`derivation` must be true or false", (*where, "derivation"))
    if param and quantity:
        raise fail("give `param` or `quantity`, not both", (*where, "quantity"))
    if not (param or quantity or derivation):
        raise fail("say what is asked: `param`, `quantity` or `derivation: true`", where)
    partial = data.get("partial", {}) or {}
    if not isinstance(partial, dict):
        raise fail("`partial` maps diagnosis codes to a fraction of the points",
                   (*where, "partial"))
    credit: dict[str, float] = {}
    for code, share in partial.items():
        if str(code) not in BY_NAME:
            raise fail(f"unknown diagnosis code `{code}`", (*where, "partial", code),
                       "the codes are listed in docs/diagnosis-codes.md")
        if not isinstance(share, (int, float)) or isinstance(share, bool) or \
                not 0 <= share <= 1:
            raise fail("a partial credit is a fraction from 0 to 1", (*where, "partial", code))
        credit[str(code)] = float(share)
    return Question(str(ident), float(points), param.strip(), quantity.strip(), derivation,
                    credit)


def read_submission(path: str | Path) -> dict[str, tuple[str, str]]:
    """Each question id's answer as (``formula``, ``derivation`` or ``section``: a section
    of a .tex/.md file, a derivation or one formula, text); a file that
    cannot be read raises :class:`SpecError` (the caller scores every question 0)."""
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".tex", ".md"):
        return _sections(path)
    from .grading import read_answers

    found: dict[str, tuple[str, str]] = {}
    for row in read_answers(path):
        if not isinstance(row, dict):
            continue
        ident = str(row.get("id", "")).strip()
        for kind in ("formula", "derivation"):
            value = row.get(kind)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and \
                    ident and ident not in found:
                found[ident] = (kind, str(value))
    return found


def _sections(path: str | Path) -> dict[str, tuple[str, str]]:
    from ...input_files import read_input, shown_name

    raw = read_input(path, MAX_SUBMISSION_BYTES, what="the submission")
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError("the submission is not UTF-8 text", file=shown_name(path)) from None
    marks = list(MARKER.finditer(text))
    if not marks:
        raise SpecError("no question marker", file=shown_name(path),
                        hint="open each answer with a line `% question: q1` (LaTeX) or "
                             "`<!-- question: q1 -->` (Markdown)")
    found: dict[str, tuple[str, str]] = {}
    for k, mark in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        ident = mark.group("tex") or mark.group("md")
        body = text[mark.end():end].strip()
        if ident not in found and body:
            found[ident] = ("section", body)
    return found
