"""Walking parsed spec data with field paths, raising errors that name file, line and field."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from ..errors import SpecError, did_you_mean
from .limits import Limits, current_limits
from .located import Path_, Source, field_name
from .naming import (
    NameAuthority,
    NameClash,
    Quantity,
    identifier_hint,
    is_identifier,
    shown,
)

MAX_NUMBER = 1e300  # a number a spec may give; floats end near 1.8e308
MIN_NUMBER = Fraction(1, 10**300)  # and the least size of one other than 0; float64's normal
# range ends near 2.2e-308, below which a float holds fewer digits or becomes 0
MAX_NUMBER_TEXT = 400  # characters in a number written as text
_NUMBER_TEXT = re.compile(
    r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE](?P<exponent>[+-]?\d{1,6}))?"
    r"|[+-]?\d+\s*/\s*(?P<denominator>[+-]?\d+)")


class Reader:
    """Walks the data with paths, raising located errors."""

    def __init__(self, source: Source, limits: Limits | None = None) -> None:
        self.src = source
        self.names = NameAuthority()
        self.limits = limits or current_limits()

    def fail(self, path: Path_, message: str, hint: str | None = None) -> SpecError:
        return SpecError(message, file=self.src.file, line=self.src.line(path),
                         field=field_name(path) or "(top level)", hint=hint)

    def claim(self, path: Path_, role: str, owner: str, name: str, latex: str,
              shares: tuple[str, str] | None = None) -> Quantity:
        """Claim a name from the naming authority; a clash is an error at ``path``."""
        try:
            return self.names.claim(role, owner, name, latex, where=path, shares=shares)
        except NameClash as clash:
            raise self._clash(clash) from None

    def claim_many(self, path: Path_, role: str,
                   entries: Sequence[tuple[str, str, str]]) -> None:
        """:meth:`claim` for each (owner, name, LaTeX), in order, all at ``path``."""
        try:
            self.names.claim_many(role, entries, where=path)
        except NameClash as clash:
            raise self._clash(clash) from None

    def claim_function(self, path: Path_, name: str) -> None:
        try:
            self.names.claim_function(name, where=path)
        except NameClash as clash:
            raise self._clash(clash) from None

    def _clash(self, clash: NameClash) -> SpecError:
        hint = clash.hint
        if isinstance(clash.first, tuple):
            line = self.src.line(clash.first)
            at = field_name(clash.first) or "the top"
            hint += f"; the other is at {at}" + (f", line {line}" if line else "")
        where = clash.where if isinstance(clash.where, tuple) else ()
        return self.fail(where, clash.message, hint=hint)

    def get(self, path: Path_) -> Any:
        value: Any = self.src.data
        for p in path:
            value = value[p]
        return value

    def mapping(self, path: Path_, allowed: tuple[str, ...], required: tuple[str, ...] = ()
                ) -> dict[str, Any]:
        value = self.get(path)
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of keys, got {kind_of(value)}",
                            hint="allowed keys: " + ", ".join(allowed))
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail((*path, key), f"unknown key `{key}`",
                                hint=did_you_mean(str(key), allowed)
                                or "allowed keys: " + ", ".join(allowed))
        for key in required:
            if key not in value:
                raise self.fail(path, f"missing required key `{key}`")
        return value

    def string(self, path: Path_, *, identifier: bool = False) -> str:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(path, f"expected text, got {kind_of(value)}")
        text = str(value)
        if identifier and not is_identifier(text):
            raise self.fail(path, f"`{shown(text)}` is not a valid name",
                            hint=identifier_hint(text))
        return text

    def number(self, path: Path_) -> Fraction:
        """A number float64 holds as written, 0 or from 1e-300 to 1e300 in size: ``0.5``, ``-3``,
        ``1e-3`` or ``1/2``."""
        value = self.get(path)
        if isinstance(value, bool):
            raise self.fail(path, f"expected a number, got {kind_of(value)}")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(path, f"expected a finite number, got {value}",
                                hint="NaN and infinity (or a number beyond ±1e308) have no "
                                     "gradient to show")
            exact = Fraction(str(value))
        elif isinstance(value, int | Fraction):
            exact = Fraction(value)
        elif isinstance(value, str):
            exact = self._number_text(path, value.strip())
        else:
            raise self.fail(path, f"expected a number, got {kind_of(value)}")
        if abs(exact) > MAX_NUMBER:
            raise self.fail(path, "number too large", hint=f"numbers are at most {MAX_NUMBER:g} "
                            "in size")
        if exact and abs(exact) < MIN_NUMBER:
            raise self.fail(path, "number too small", hint="numbers other than 0 are at least "
                            "1e-300 in size; write 0 for nothing")
        return exact

    def _number_text(self, path: Path_, text: str) -> Fraction:
        m = _NUMBER_TEXT.fullmatch(text)
        if m is None or len(text) > MAX_NUMBER_TEXT:
            raise self.fail(path, f"expected a number, got {kind_of(text)}",
                            hint="e.g. 0.5, -3, 1e-3 or 1/2")
        if m.group("exponent") and abs(int(m.group("exponent"))) > 400:
            raise self.fail(path, "number too large" if int(m.group("exponent")) > 0
                            else "number too small", hint="exponents go from -400 to 400")
        if m.group("denominator") and int(m.group("denominator")) == 0:
            raise self.fail(path, f"`{text}` divides by zero")
        return Fraction(text.replace(" ", ""))

    def name_list(self, path: Path_) -> list[Any]:
        value = self.get(path)
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {kind_of(value)}")
        return value


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Fraction):
        return f"the number {float(value):g}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"`{value}`"
