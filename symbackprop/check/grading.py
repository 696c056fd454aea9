"""Grade a file of answers (YAML or CSV rows of id, param, formula) against one network.

An answer that cannot be read becomes an ``error`` row; the file itself must be readable,
bounded in size and a list of rows, or a :class:`SpecError` says why not.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError, SymbackpropError
from .verdict import Checker, SpecLike, checker_for

MAX_ANSWERS = 20_000
MAX_ANSWERS_BYTES = 20_000_000
MAX_SHOWN_FORMULA = 200


@dataclass(frozen=True)
class GradeRow:
    """One graded answer: verdict ``correct``, ``incorrect`` or ``error`` (unreadable)."""

    id: str
    param: str
    formula: str
    verdict: str
    diagnosis: tuple[str, ...] = ()
    equals_gradient_of: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["diagnosis"] = list(self.diagnosis)
        return data


def read_answers(path: str | Path) -> list[Any]:
    """Rows (id, param, formula) from a YAML or CSV file; malformed rows are kept as given."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_ANSWERS_BYTES:
            raise SpecError(f"the answers file is larger than {MAX_ANSWERS_BYTES} bytes",
                            file=str(file))
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot read the answers file: {exc.strerror}", file=str(file)) from None
    except UnicodeDecodeError:
        raise SpecError("the answers file is not UTF-8 text", file=str(file)) from None
    rows = _csv_rows(text, file) if file.suffix.lower() == ".csv" else _yaml_rows(text, file)
    if len(rows) > MAX_ANSWERS:
        raise SpecError(f"more than {MAX_ANSWERS} answers", file=str(file))
    return rows


def _csv_rows(text: str, file: Path) -> list[Any]:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:  # a field beyond csv.field_size_limit(), say
        raise SpecError(f"the answers file is not valid CSV: {exc}", file=str(file)) from None
    return [{(k or "").strip().lower(): v for k, v in r.items()} for r in rows]


def _yaml_rows(text: str, file: Path) -> list[Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"the answers file is not valid YAML: {exc}".splitlines()[0],
                        file=str(file)) from None
    except RecursionError:
        raise SpecError("the answers file is nested too deeply", file=str(file)) from None
    if isinstance(data, dict) and "answers" in data:
        data = data["answers"]
    if not isinstance(data, list):
        raise SpecError("expected a list of answers (id, param, formula)", file=str(file))
    return data


def grade_answers(spec: SpecLike | Checker, answers_path: str | Path, *, seed: int = 0,
                  syntax: str = "auto") -> list[GradeRow]:
    """Grade every answer in the file; an unreadable answer becomes an ``error`` row.

    ``syntax`` is how formulas are read unless a row gives its own ``syntax``.
    """
    checker = checker_for(spec, seed=seed)
    memo: dict[tuple[str, str, str], GradeRow] = {}
    return [_grade_row(checker, n, row, memo, syntax)
            for n, row in enumerate(read_answers(answers_path), start=1)]


def _plain_value(value: Any) -> str | None:
    """A scalar field as text; None when missing or blank.

    Anything else (a list, a mapping) raises ValueError: YAML aliases can make a small file
    hold a structure too large to print.
    """
    if value is None:
        return None
    if not isinstance(value, (str, int, float)):
        raise ValueError(type(value).__name__)
    text = str(value)
    return text if text.strip() else None


def _grade_row(checker: Checker, n: int, row: Any,
               memo: dict[tuple[str, str, str], GradeRow], default_syntax: str) -> GradeRow:
    if not isinstance(row, dict):
        return GradeRow(str(n), "", "", "error", error="expected a mapping id, param, formula")
    try:
        ident, param, formula, syntax = (_plain_value(row.get(key)) for key in
                                         ("id", "param", "formula", "syntax"))
    except ValueError as exc:
        return GradeRow(str(n), "", "", "error",
                        error=f"id, param, formula and syntax must be text, not {exc}")
    ident = ident or str(n)
    param = param or ""
    if formula is None or isinstance(row.get("formula"), bool):
        return GradeRow(ident, param, "", "error", error="no formula")
    key = (param, formula, syntax or default_syntax)
    if key not in memo:
        memo[key] = _grade(checker, *key)
    return dataclasses.replace(memo[key], id=ident)


def _grade(checker: Checker, param: str, formula: str, syntax: str) -> GradeRow:
    try:
        result = checker.check(param or None, formula, syntax=syntax)
        return GradeRow("", result.param, formula, result.verdict, result.diagnosis,
                        result.equals_gradient_of)
    except SymbackpropError as exc:
        error = exc.located()
    except (RecursionError, MemoryError):
        error = "the formula is too large to check"
    return GradeRow("", param, formula[:MAX_SHOWN_FORMULA], "error", error=error)
