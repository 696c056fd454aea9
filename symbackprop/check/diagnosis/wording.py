"""Expressions as a diagnosis writes them for people: 1 − (a^[1]_1)², not 1 - a^[1]_1**2.

Names come in the spec's notation (``text_of``); a power of a name with a superscript is
bracketed so that the layer and the exponent are not confused; products are written with a
middle dot and minus signs as minus signs.

>>> import sympy as sp
>>> a, x = sp.symbols("a_1_1 x1")
>>> words(x * (1 - a**2), {a: "a^[1]_1", x: "x1"}.__getitem__)
'x1·(1 − (a^[1]_1)²)'
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.printing.str import StrPrinter

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class _WordsPrinter(StrPrinter):
    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp.is_Integer and exp > 1:
            shown = self._print(base)
            if not (base.is_Symbol and shown.isalnum()):
                shown = f"({shown})"
            return shown + str(exp).translate(SUPERSCRIPTS)
        return str(super()._print_Pow(expr, rational))

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return expr.name


def words(expr: sp.Expr, text_of: Callable[[sp.Symbol], str]) -> str:
    """``expr`` for a diagnosis, every name as ``text_of`` writes it."""
    names = {s: sp.Symbol(text_of(s)) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    text = _WordsPrinter().doprint(expr.xreplace(names))
    text = text.replace("*", "·").replace(" - ", " − ")
    return "−" + text[1:] if text.startswith("-") else text
