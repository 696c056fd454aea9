"""Printers that remember what they printed: a derivation prints the same factors again and
again (∂E/∂out of a unit in every parameter below it; a deep chain's product is the one
before it times three factors), so each distinct expression is printed once per printer.

A printer's print of an expression depends only on the expression and the printer's
settings (which never change once it is made), so a remembered print is the print. SymPy's
equality tells apart what prints differently (a Float of 15 digits is not one of 20);
the key holds the expression's type as well. Prints asked with keyword arguments (a power's
``exp``) are not remembered.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

MEMO_LIMIT = 50_000  # prints kept per printer; the memory is let go when it fills


class Remembering:
    """A printer mixin: ``remember()`` switches the memory on for this printer."""

    _memo: dict[tuple[type, sp.Basic], str] | None = None
    _brackets: dict[tuple[type, sp.Basic, bool, bool], bool] | None = None

    def remember(self) -> None:
        self._memo = {}
        self._brackets = {}

    def forget(self) -> None:
        """No memory (a printer copied from this one that prints some things its own way)."""
        self._memo = None
        self._brackets = None

    def _needs_mul_brackets(self, expr: Any, first: bool = False, last: bool = False) -> bool:
        """The LaTeX printer's test whether a factor of a product needs brackets (it looks
        through the factor for sums and integrals), once per factor and place."""
        memo = self._brackets
        if memo is None or not isinstance(expr, sp.Basic):
            return super()._needs_mul_brackets(expr, first, last)  # type: ignore[misc, no-any-return]
        key = (type(expr), expr, first, last)
        try:
            found = memo.get(key)
        except TypeError:  # an expression that cannot be hashed
            return super()._needs_mul_brackets(expr, first, last)  # type: ignore[misc, no-any-return]
        if found is None:
            found = memo[key] = super()._needs_mul_brackets(expr, first, last)  # type: ignore[misc]
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
        return found  # type: ignore[return-value]

    def _print(self, expr: Any, **kwargs: Any) -> str:
        memo = self._memo
        if memo is None or kwargs or not isinstance(expr, sp.Basic) or not expr.args:
            return super()._print(expr, **kwargs)  # type: ignore[misc, no-any-return]
        key = (type(expr), expr)
        try:
            found = memo.get(key)
        except TypeError:  # an expression that cannot be hashed
            return super()._print(expr)  # type: ignore[misc, no-any-return]
        if found is None:
            found = super()._print(expr)  # type: ignore[misc]
            if len(memo) >= MEMO_LIMIT:
                memo.clear()
            memo[key] = found
        return found  # type: ignore[return-value]
