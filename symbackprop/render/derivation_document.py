"""What a derivation document holds: its rows, each parameter's derivation and the document
as a whole, built by :mod:`symbackprop.render.derivations` and formatted by the printers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..network.build import Network
from ..network.derivation import Derivation


@dataclass(frozen=True)
class Row:
    """One ``= …`` step of a derivation, in both notations."""

    text: str
    latex: str
    kind: str  # factors | values | numbers | result | value | delta | forward | loss | cost
    expr: sp.Expr | None = field(default=None, compare=False)  # for line breaking
    lhs: sp.Expr | None = field(default=None, compare=False)  # of an equation row
    printer: Any = field(default=None, compare=False)  # prints expr and lhs, when not the default


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
