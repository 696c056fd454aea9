"""Exponentials of an attention head's scores shifted by their row's maximum in generated
code, so that the row softmax and its derivatives do not overflow.

Every expression that holds exp(S_{t,k}) of a head is made of the row softmax
P_{t,u} = exp(S_{t,u}) / Σ_k exp(S_{t,k}) and its derivatives: ratios in which the
exponentials of row t appear to the same total degree above and below the bar. Multiplying
each exp(S_{t,k}) by exp(−M_t) therefore leaves the value unchanged, and with M_t the row's
largest score no exponential exceeds 1 (as a stable softmax computes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sympy as sp

from ..network.build import Network


def score_rows(net: Network) -> list[tuple[sp.Symbol, tuple[sp.Symbol, ...]]]:
    """For each row of every attention head, the symbol of its maximum (``_max_S_<t>``, from
    the unit names) and the scores it is the maximum of, in the order of the row's
    softmax."""
    definitions = dict(net.definitions)
    rows: dict[tuple[sp.Symbol, ...], sp.Symbol] = {}
    for lay in net.spec.layers:
        if lay.attention is None:
            continue
        for name in lay.attention.nodes:
            if not name.startswith("P_"):
                continue
            expr = definitions.get(net.unit_by_name[name].net)
            scores = _row_of(expr)
            if scores is not None and scores not in rows:
                rows[scores] = sp.Symbol(f"_max_{scores[0].name.rsplit('_', 1)[0]}")
    return [(m, scores) for scores, m in rows.items()]


def _row_of(expr: sp.Expr | None) -> tuple[sp.Symbol, ...] | None:
    """The scores S_{t,k} of a row softmax exp(S_{t,u}) / Σ_k exp(S_{t,k})."""
    if not isinstance(expr, sp.Mul):
        return None
    for factor in expr.args:
        if isinstance(factor, sp.Pow) and factor.exp == -1 and isinstance(factor.base, sp.Add):
            terms = factor.base.args
            if all(isinstance(e, sp.exp) and e.args[0].is_Symbol for e in terms):
                return tuple(sorted((e.args[0] for e in terms), key=sp.default_sort_key))
    return None


def shifted(expr: sp.Expr, rows: list[tuple[sp.Symbol, tuple[sp.Symbol, ...]]]) -> sp.Expr:
    """``expr`` with every exp(a) whose argument holds the scores of one row written
    exp(a − c M_t), c the sum of the scores' coefficients in a (so exp(2 S) becomes
    exp(2 S − 2 M)); unchanged where no exponential holds them."""
    if not rows or not expr.has(sp.exp):
        return expr
    row_of = {s: (m, scores) for m, scores in rows for s in scores}

    def shift(e: sp.exp) -> sp.Expr:
        arg = e.args[0]
        held = [s for s in arg.free_symbols if s in row_of]
        if not held:
            return e
        m, scores = row_of[held[0]]
        if any(s not in scores for s in arg.free_symbols if s in row_of):
            return e
        return sp.exp(arg.xreplace({s: s - m for s in scores}), evaluate=False)

    return expr.replace(lambda e: isinstance(e, sp.exp), shift)


def forward_lines(definitions: Iterable[tuple[sp.Symbol, sp.Expr]],
                  rows: list[tuple[sp.Symbol, tuple[sp.Symbol, ...]]],
                  variables: dict[sp.Symbol, str],
                  line: Callable[[sp.Symbol, sp.Expr], str]) -> list[str]:
    """The forward pass's lines, ``line(sym, expr)`` for each definition, with each row's
    largest score computed right before the first exponential of the row."""
    out: list[str] = []
    waiting = dict(rows)
    for sym, expr in definitions:
        for m in [m for m, scores in waiting.items()
                  if expr.has(sp.exp) and scores[0] in expr.free_symbols]:
            scores = waiting.pop(m)
            out.append(f"{m.name} = np.maximum.reduce([{', '.join(variables[s] for s in scores)}])")
        if sym != expr:
            out.append(line(sym, expr))
    return out
