"""What a derivation document holds: its rows, each parameter's derivation and the document
as a whole, built by :mod:`symbackprop.render.derivations` and formatted by the printers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..network.build import Network
from ..network.derivation import Derivation


@dataclass(frozen=True, eq=False)
class Row:
    """One ``= …`` step of a derivation, in both notations. The LaTeX may be given as a
    function that prints it, called the first time it is asked for: a document written as
    text never prints its rows' LaTeX."""

    text: str
    printed_latex: str | Callable[[], str]
    kind: str  # factors | values | numbers | result | value | delta | forward | loss | cost
    expr: sp.Expr | None = field(default=None)  # for line breaking
    lhs: sp.Expr | None = field(default=None)  # of an equation row
    printer: Any = field(default=None)  # prints expr and lhs, when not the default

    @property
    def latex(self) -> str:
        made = self.printed_latex
        if callable(made):
            made = made()
            object.__setattr__(self, "printed_latex", made)  # printed once
        return made

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and (self.text, self.kind, self.latex) == (
            other.text, other.kind, other.latex)

    def __hash__(self) -> int:
        return hash((self.text, self.kind))


@dataclass
class ParamDerivation:
    name: str
    lhs_text: str
    lhs_latex: str
    rows: list[Row]
    derivation: Derivation
    value: float | None = None
    notes: list[str] = field(default_factory=list)
    printer: Any = None  # prints the rows' expressions, when not the network's printer
    written_out: bool = True  # False: too large written out, shown in δ form only


@dataclass
class DerivationDocument:
    """Derivations of the requested parameters plus the shared definitions."""

    network: Network
    form: str
    params: list[ParamDerivation]
    definitions: list[Row]  # forward pass and loss
    deltas: list[Row]  # δ recurrences (delta form)
    notes: list[str]
    cost: Row | None
    matrix: Any = None  # a MatrixForm for the delta form, when the network is layered
