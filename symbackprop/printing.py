"""Printing expressions in the network's own notation, as plain text or LaTeX.

Plain text uses the identifier names (``out_o1``), LaTeX the notation block's names
(``out_{o1}``). Both keep the order in which products were built (chain order), so that
∂E/∂out · ∂out/∂net · ∂net/∂w prints in that order.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from .build import Network


class TextPrinter(StrPrinter):
    """SymPy's str printer, keeping the built order of sums and products."""

    _default_settings = {**StrPrinter._default_settings, "order": "none"}


class NetworkLatexPrinter(LatexPrinter):
    """LaTeX in the spec's notation: symbols print with the notation block's names."""

    def __init__(self, network: Network | None = None, **settings: object) -> None:
        names = dict(network.latex_names) if network is not None else {}
        settings.setdefault("order", "none")
        settings.setdefault("symbol_names", names)
        super().__init__(settings)


def text(expr: sp.Expr) -> str:
    """Plain-text form, e.g. ``(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1``."""
    return TextPrinter().doprint(expr)


def tex(network: Network | None, expr: sp.Expr) -> str:
    """LaTeX form in the network's notation."""
    return NetworkLatexPrinter(network).doprint(expr)


def symbol_tex(network: Network, sym: sp.Symbol) -> str:
    return network.latex_of(sym)


def partial_text(num: sp.Symbol, den: sp.Symbol) -> str:
    return f"∂{num.name}/∂{den.name}"


def partial_tex(network: Network, num: sp.Symbol, den: sp.Symbol) -> str:
    return (rf"\frac{{\partial {symbol_tex(network, num)}}}"
            rf"{{\partial {symbol_tex(network, den)}}}")


def number(value: float, digits: int = 9) -> str:
    """A value as a textbook prints it: 9 significant digits, no trailing noise."""
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"
