"""The weight-decay term λ w in the rows of a chain-rule derivation.

With J = L + λ/2 Σ w² a decayed weight's gradient is the chain rule through the network plus
λ w, which reaches the loss by no unit; every row of its derivation (factors, their values,
their numbers) is followed by + λ w, as d2l writes ∂J/∂W = ∂J/∂o hᵀ + λW.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from ..network.build import Network

ROW_KINDS = ("factors", "expanded", "values", "numbers")
"""The rows that show the chain rule alone, before λ w is added (a result row has it)."""


def decay_product(net: Network, param: sp.Symbol) -> sp.Expr | None:
    """λ · param, printed in that order, or None where param is not decayed."""
    if net.decay is None or param not in net.decayed:
        return None
    return sp.Mul(net.decay, param, evaluate=False)


def with_decay(net: Network, param: sp.Symbol, rows: list[Any] | None,
               number_of: Callable[[sp.Symbol], sp.Expr] | None,
               make_row: Callable[[sp.Expr, str], Any]) -> list[Any] | None:
    """``rows`` with + λ w after the chain rule in each row that shows it; the numbers row
    gets λ and w as numbers (``number_of``)."""
    term = decay_product(net, param)
    if term is None or rows is None:
        return rows
    out = []
    for row in rows:
        if row.kind not in ROW_KINDS or row.expr is None:
            out.append(row)
            continue
        extra = term
        if row.kind == "numbers":
            if number_of is None:
                out.append(row)
                continue
            extra = sp.Mul(number_of(net.decay), number_of(param), evaluate=False)
        out.append(make_row(sp.Add(row.expr, extra, evaluate=False), row.kind))
    return out
