"""Parsed spec data with the line of every field, and the errors every format reader shares."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import SpecError
from .limits import Limits

Path_ = tuple[str | int, ...]


@dataclass
class Source:
    """Parsed spec data plus the line number of each field path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest located parent."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


def field_name(path: Path_) -> str:
    """``layers[0].units``: a field path as the error messages write it."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def line_of_offset(raw: bytes | str, offset: int) -> int:
    return raw.count(b"\n" if isinstance(raw, bytes) else "\n", 0, offset) + 1


def too_deep(file: str, line: int | None, limits: Limits) -> SpecError:
    return SpecError(f"nested more than {limits.max_depth} levels deep", file=file, line=line,
                     field="(nesting)", hint="a spec needs about 6; raise the bound with "
                     "--max-depth if this one is real")


def too_many(file: str, line: int | None, limits: Limits) -> SpecError:
    return SpecError(f"more than {limits.max_values} values", file=file, line=line,
                     field="(size)", hint="each use of a YAML alias counts in full; raise the "
                     "bound with --max-values if this file is real")


def long_number(text: str, file: str, language: str) -> SpecError:
    """The error for a number Python will not read (more than 4300 digits), located."""
    m = re.search(r"[0-9_]{4300,}", text)
    line = line_of_offset(text, m.start()) if m else 1
    return SpecError(f"not valid {language}: a number with more than 4300 digits", file=file,
                     line=line, field="(syntax)", hint="write it with an exponent, e.g. 1e-3")


_EXPONENT = re.compile(r"[eE]([+-]?[0-9_]+)$")
_NONZERO_DIGIT = re.compile("[1-9]")


def float_or_exact(text: str, value: float) -> float | Fraction:
    """``value``, the float a number's text was read as; or, where the text is not 0 but its
    float is 0 or below float64's normal range (``1e-400``, ``5e-324``), the exact value of
    the text, so that the reader can refuse it as too small instead of reading a different
    number. Exponents below -400 stand for 10^-401: every such number is refused alike."""
    if value != 0.0 and abs(value) >= sys.float_info.min:
        return value
    digits = text.replace("_", "")
    exponent = _EXPONENT.search(digits)
    mantissa = digits[:exponent.start()] if exponent else digits
    if not _NONZERO_DIGIT.search(mantissa):
        return value
    if exponent and int(exponent.group(1)) < -400:
        return Fraction(-1 if digits.startswith("-") else 1, 10**401)
    try:
        return Fraction(digits)
    except ValueError:  # a YAML form Fraction does not read; its float stands
        return value
