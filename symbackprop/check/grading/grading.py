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

from ...errors import SpecError
from ..judging.verdict import Checker, SpecLike, checker_for
from .answers import GradeRow, Key, grade
from .limits import AnswerLimits

MAX_ANSWERS = 20_000
MAX_ANSWERS_BYTES = 20_000_000


def read_answers(path: str | Path) -> list[Any]:
    """Rows (id, param, formula) from a YAML or CSV file (``-``: YAML on stdin); malformed
    rows are kept as given. The file is read within a size bound and never waits on a FIFO
    (:mod:`symbackprop.input_files`); a number beyond 4300 digits is kept as its text, so
    that its answer is graded with the rest; a key given twice in a YAML answer, a CSV
    column given twice or a CSV without a header line are refused with
    the file and line."""
    from ...input_files import read_input, shown_name

    file = shown_name(path)
    raw = read_input(path, MAX_ANSWERS_BYTES, what="the answers file",
                     hint="split the answers into files of at most 20 MB")
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError("the answers file is not UTF-8 text", file=file,
                        line=body[:exc.start].count(b"\n") + 1, field="(file)",
                        hint="save it as UTF-8") from None
    rows = _csv_rows(text, file) if Path(str(path)).suffix.lower() == ".csv" \
        else _yaml_rows(text, file)
    if len(rows) > MAX_ANSWERS:
        raise SpecError(f"more than {MAX_ANSWERS} answers", file=file)
    return rows



def _csv_rows(text: str, file: str) -> list[Any]:
    try:
        reader = csv.reader(io.StringIO(text))
        header = [(k or "").strip().lower() for k in next(reader, [])]
        rows = []
        for row in reader:
            if len(row) > len(header) and any(f.strip() for f in row[len(header):]) and \
                    any(n in ("formula", "derivation") for n in header):
                raise SpecError(
                    f"this row has {len(row)} fields but the header names {len(header)}: "
                    "a comma in a formula (w^{[2]}_{1,1}, L(a, y)) ends its field",
                    file=file, line=reader.line_num, field="(row)",
                    hint='put the formula in double quotes: "w^{[2]}_{1,1} = …" (a quote '
                         'inside it is written twice)')
            rows.append(row)
    except csv.Error as exc:  # a field beyond csv.field_size_limit(), say
        raise SpecError(f"the answers file is not valid CSV: {exc}", file=file) from None
    if not any(name in ("formula", "derivation") for name in header):
        raise SpecError("the first line is not a header naming the columns", file=file,
                        line=1, field="(header)",
                        hint="start with a line such as `id,param,formula` (or derivation)")
    for k, name in enumerate(header):
        if name and name in header[:k]:
            raise SpecError(f"the column `{name}` is given twice", file=file, line=1,
                            field="(header)", hint="keep one column of each name")
    return [dict(zip(header, row, strict=False)) for row in rows if row]


def _yaml_rows(text: str, file: str) -> list[Any]:
    from ...spec.limits import Limits
    from ...spec.yaml_reader import read_yaml

    data, _ = read_yaml(text, file, Limits(max_bytes=MAX_ANSWERS_BYTES), any_escape=True,
                        numbers_as_text=True)
    if isinstance(data, dict) and "answers" in data:
        data = data["answers"]
    if not isinstance(data, list):
        raise SpecError("expected a list of answers (id, param, formula)", file=file)
    return data


def grade_answers(spec: SpecLike | Checker, answers_path: str | Path, *, seed: int = 0,
                  syntax: str = "auto", jobs: int = 1,
                  limits: AnswerLimits | None = None) -> list[GradeRow]:
    """Grade every answer in the file; an unreadable answer becomes an ``error`` row.

    ``syntax`` is how formulas are read unless a row gives its own ``syntax``; ``jobs``
    worker processes grade the distinct answers in parallel. Each answer is checked under
    ``limits`` (by default :class:`AnswerLimits`: 10 CPU seconds and 512 MB); one over a
    limit becomes an ``error`` row saying which, and the others are graded as before.
    """
    rows = read_answers(answers_path)
    keyed: list[tuple[str, Key | GradeRow]] = [_key(n, row, syntax)
                                               for n, row in enumerate(rows, start=1)]
    distinct = list(dict.fromkeys(k for _, k in keyed if isinstance(k, tuple)))
    limits = AnswerLimits() if limits is None else limits
    if distinct and (limits.bounded or (jobs > 1 and len(distinct) > 1)):
        from .parallel import grade_keys

        graded = grade_keys(spec, distinct, seed=seed, jobs=jobs, limits=limits).rows
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
