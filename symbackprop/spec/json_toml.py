"""JSON and TOML to plain data with the line of every field, linear and bounded.

The standard library parses; one regular-expression pass over the text finds the line of
every value (JSON) or key (TOML) and checks nesting and size before the parser runs. JSON
keys given twice are refused, as YAML's are.
"""

from __future__ import annotations

import json
import re
import tomllib
from bisect import bisect_left, bisect_right
from fractions import Fraction
from typing import Any

from ..errors import SpecError
from .limits import Limits
from .located import Path_, field_name, float_or_exact, long_number, too_deep, too_many

# ------------------------------------------------------------------------------- JSON

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]|[^\s\[\]{}:,"]+')


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as the list of its pairs, so that a key given twice can be seen."""


def _newlines(text: str) -> list[int]:
    return [m.start() for m in re.finditer("\n", text)]


def _json_marks(text: str, file: str, limits: Limits) -> list[int]:
    """The line of every value start and every key, in document order; bounds checked."""
    newlines = _newlines(text)
    marks: list[int] = []
    depth = keys = 0
    for token in _JSON_TOKEN.finditer(text):
        kind = token.group()[0]
        if kind in ",]}:":
            depth -= kind in "]}"
            keys += kind == ":"
            continue
        depth += kind in "[{"
        if depth > limits.max_depth:
            raise too_deep(file, bisect_right(newlines, token.start()) + 1, limits)
        marks.append(bisect_right(newlines, token.start()) + 1)
        if len(marks) - keys > limits.max_values + 1:  # +1: a key whose colon is next
            raise too_many(file, marks[-1], limits)
    return marks


def _float(text: str) -> float | Fraction:
    return float_or_exact(text, float(text))


def read_json(text: str, file: str, limits: Limits) -> tuple[Any, dict[Path_, int]]:
    marks = _json_marks(text, file, limits)
    try:
        data = json.loads(text, object_pairs_hook=_Pairs, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise SpecError(f"not valid JSON: {exc.msg}", file=file, line=exc.lineno,
                        field="(syntax)") from None
    except (ValueError, RecursionError):
        raise long_number(text, file, "JSON") from None
    lines: dict[Path_, int] = {}
    position = iter(marks)

    def walk(value: Any, path: Path_) -> Any:
        lines.setdefault(path, next(position, 1))
        if isinstance(value, _Pairs):
            out: dict[str, Any] = {}
            for key, sub in value:
                at = next(position, 1)
                if key in out:
                    raise SpecError(f"duplicate key `{key}`", file=file, line=at,
                                    field=field_name((*path, key)),
                                    hint="JSON keeps only the last; give each key once")
                lines[(*path, key)] = at
                out[key] = walk(sub, (*path, key))
            return out
        if isinstance(value, list):
            return [walk(sub, (*path, k)) for k, sub in enumerate(value)]
        return value

    return walk(data, ()), lines


# ------------------------------------------------------------------------------- TOML

_TOML_SKIP = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                        r"'[^'\n]*'|#[^\n]*|[\[\]{}]", re.S)
_TOML_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
_TOML_KEYS = re.compile(rf"(?:^|[{{,])\s*({_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*)\s*=|"
                        rf"^\s*\[\[?\s*({_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*)\s*\]", re.M)
_TOML_PART = re.compile(_TOML_KEY)


def _toml_depth(text: str, file: str, limits: Limits) -> None:
    newlines: list[int] | None = None
    depth = 0
    for token in _TOML_SKIP.finditer(text):
        ch = token.group()
        if ch in "[{":
            depth += 1
            if depth > limits.max_depth:
                newlines = newlines or _newlines(text)
                raise too_deep(file, bisect_right(newlines, token.start()) + 1, limits)
        elif ch in "]}":
            depth = max(0, depth - 1)


def _toml_key_lines(text: str) -> dict[str, list[int]]:
    """Every line (0-based) on which each key is written, in order: one pass over the text."""
    newlines = _newlines(text)
    out: dict[str, list[int]] = {}
    for m in _TOML_KEYS.finditer(text):
        keys = m.group(1) or m.group(2)
        line = bisect_right(newlines, m.start(1) if m.group(1) else m.start(2))
        for part in _TOML_PART.findall(keys):
            out.setdefault(part.strip("\"'"), []).append(line)
    return out


def read_toml(text: str, file: str, limits: Limits) -> tuple[Any, dict[Path_, int]]:
    _toml_depth(text, file, limits)
    try:
        data = tomllib.loads(text, parse_float=_float)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else (text.count("\n") + (not text.endswith("\n"))
                                          if "end of document" in str(exc) else 1)
        raise SpecError(f"not valid TOML: {exc}", file=file, line=line,
                        field="(syntax)") from None
    except (ValueError, RecursionError):
        raise long_number(text, file, "TOML") from None
    key_lines = _toml_key_lines(text)
    lines: dict[Path_, int] = {(): 1}
    count = 0

    def find(key: str, start: int) -> int | None:
        found = key_lines.get(key, [])
        k = bisect_left(found, start)
        return found[k] if k < len(found) else None

    def walk(value: Any, path: Path_, start: int) -> None:
        nonlocal count
        count += 1
        if count > limits.max_values:
            raise too_many(file, start + 1, limits)
        if len(path) > limits.max_depth:
            raise too_deep(file, start + 1, limits)
        if isinstance(value, dict):
            for key, sub in value.items():
                found = find(str(key), start)
                at = found if found is not None else start
                lines[(*path, key)] = at + 1
                walk(sub, (*path, key), at)
        elif isinstance(value, list):
            item_start = start
            for i, sub in enumerate(value):
                if isinstance(sub, dict) and path and i > 0:  # [[array]] tables, in order
                    nxt = find(str(path[-1]), item_start + 1)
                    item_start = nxt if nxt is not None else item_start
                lines[(*path, i)] = item_start + 1
                walk(sub, (*path, i), item_start)

    walk(data, (), 0)
    return data, lines
