"""What reading a formula gives: its right-hand sides, a written ``∂L/∂param`` and ∂ factors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from ..network.build import Network


@dataclass(frozen=True)
class Partial:
    """A factor ∂numerator/∂denominator written in a formula."""

    numerator: sp.Symbol
    denominator: sp.Symbol
    text: str

    def plain(self) -> str:
        return f"∂{self.numerator.name}/∂{self.denominator.name}"


@dataclass(frozen=True)
class ParsedFormula:
    """A formula read against a network.

    ``sides`` are the right-hand sides (one unless the text chains ``=``); ``lhs`` is a
    leading ``∂L/∂param`` when written. Placeholders in ``partials`` stand for ∂ factors.
    """

    sides: tuple[sp.Expr, ...]
    lhs: Partial | None
    partials: dict[sp.Symbol, Partial] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    syntax: str = "plain"

    @property
    def expr(self) -> sp.Expr:
        return self.sides[-1]

    def text(self, expr: sp.Expr | None = None) -> str:
        """Plain text of a side, with ∂ factors written out."""
        e = self.expr if expr is None else expr
        names = {d: sp.Symbol(p.plain()) for d, p in self.partials.items()}
        return sp.sstr(e.xreplace(names)) if names else sp.sstr(e)

    def latex(self, net: Network, expr: sp.Expr | None = None) -> str:
        """LaTeX of a side in the network's notation, with ∂ factors as fractions."""
        e = self.expr if expr is None else expr
        names: dict[sp.Basic, str] = {s: net.latex_of(s) for s in net.latex_names}
        for d, p in self.partials.items():
            names[d] = (rf"\frac{{\partial {net.latex_of(p.numerator)}}}"
                        rf"{{\partial {net.latex_of(p.denominator)}}}")
        return sp.latex(e, symbol_names=names)
