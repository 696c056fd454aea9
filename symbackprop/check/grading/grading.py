"""Grade a file of answers (YAML or CSV rows) against one network, in parallel if asked.

A row has an ``id`` and either a ``formula`` (with its ``param``, unless it says ∂L/∂param =
…) or a ``derivation`` (several lines, checked step by step); update rules are formulas too.
An answer that cannot be read becomes an ``error`` row; the file itself must be readable,
bounded in size and a list of rows, or a :class:`SpecError` says why not. Identical answers
are checked once; ``jobs`` worker processes share the distinct ones.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import Any

import yaml

from ...errors import SpecError
from ..judging.verdict import Checker, SpecLike, checker_for
from .answers import GradeRow, Key, grade

MAX_ANSWERS = 20_000
MAX_ANSWERS_BYTES = 20_000_000


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
                  syntax: str = "auto", jobs: int = 1) -> list[GradeRow]:
    """Grade every answer in the file; an unreadable answer becomes an ``error`` row.

    ``syntax`` is how formulas are read unless a row gives its own ``syntax``; ``jobs``
    worker processes grade the distinct answers in parallel.
    """
    rows = read_answers(answers_path)
    keyed: list[tuple[str, Key | GradeRow]] = [_key(n, row, syntax)
                                               for n, row in enumerate(rows, start=1)]
    distinct = list(dict.fromkeys(k for _, k in keyed if isinstance(k, tuple)))
    if jobs > 1 and len(distinct) > 1:
        from .parallel import grade_in_parallel

        graded = grade_in_parallel(spec, distinct, seed=seed, jobs=jobs)
    else:
        checker = checker_for(spec, seed=seed)
        graded = {key: grade(checker, key) for key in distinct}
    return [dataclasses.replace(graded[k], id=ident) if isinstance(k, tuple) else k
            for ident, k in keyed]


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


def _key(n: int, row: Any, default_syntax: str) -> tuple[str, Key | GradeRow]:
    """The row's id and what to check (or the error row when the row itself is malformed)."""
    if not isinstance(row, dict):
        return str(n), GradeRow(str(n), "", "", "error",
                                error="expected a mapping id, param, formula")
    try:
        ident, param, formula, derivation, syntax = (
            _plain_value(row.get(key)) for key in ("id", "param", "formula", "derivation",
                                                   "syntax"))
    except ValueError as exc:
        return str(n), GradeRow(str(n), "", "", "error",
                                error=f"id, param, formula, derivation and syntax must be "
                                      f"text, not {exc}")
    ident = ident or str(n)
    param = param or ""
    if formula is not None and derivation is not None:
        return ident, GradeRow(ident, param, "", "error",
                               error="give a formula or a derivation, not both")
    text = formula if formula is not None else derivation
    if text is None or isinstance(row.get("formula"), bool):
        return ident, GradeRow(ident, param, "", "error", error="no formula")
    kind = "derivation" if derivation is not None else "formula"
    return ident, (kind, param, text, syntax or default_syntax)
