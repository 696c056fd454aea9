"""Output derivatives worked out once and reused: the key under which output units share
their δ up to their names, the loss's derivative by one output from the loss's terms that
hold it, and a softmax's δ = out − target proved for one step's group and given to every
step's group with the same shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from .build import Network, Unit


def output_key(unit: Unit) -> tuple[object, ...] | None:
    """Output units with equal keys have the same δ up to their own symbols: the same
    elementwise activation, and their out, net and target names in the same order (the
    printers and ``factor`` order terms by name)."""
    if unit.activation.kind == "softmax" or unit.target is None:
        return None
    names = (unit.out.name, unit.net.name, unit.target.name)
    order = tuple(sorted(range(3), key=names.__getitem__))
    act = unit.activation
    return (act.kind, act.alpha, act.fname, order)


def loss_terms(net: Network) -> Callable[[sp.Symbol], sp.Expr]:
    """``diff(net.loss, out)`` by differentiating only the loss's terms that hold ``out``.

    A loss that is a sum is differentiated term by term in SymPy as well, and the terms
    without ``out`` give 0, so the result is the same expression; asking every output of
    a sum over thousands of outputs would otherwise cost the outputs times the terms.
    """
    loss = net.loss
    if not isinstance(loss, sp.Add):
        return lambda out: sp.diff(loss, out)
    holding: dict[sp.Symbol, list[int]] = {}
    for k, term in enumerate(loss.args):
        for sym in term.free_symbols:
            holding.setdefault(sym, []).append(k)  # type: ignore[arg-type]

    def diff(out: sp.Symbol) -> sp.Expr:
        return sp.Add(*[loss.args[k].diff(out) for k in holding.get(out, [])])
    return diff


def argument_diff(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """``diff(expr, symbol)``; for a function with ``symbol`` as one argument and in no
    other, its own ``fdiff`` at that place, which is what ``diff`` returns there (the chain
    rule's other terms are 0) without differentiating every argument: a softmax over 50
    outputs has 51 (its place first).

    >>> x, y = sp.symbols("x y")
    >>> argument_diff(sp.Function("f")(x, y), y)
    Derivative(f(x, y), y)
    """
    args = expr.args
    if isinstance(expr, sp.Function) and symbol in args and \
            sum(symbol in a.free_symbols for a in args) == 1:
        return expr.fdiff(args.index(symbol) + 1)
    return sp.diff(expr, symbol)


@dataclass
class SoftmaxSteps:
    """δ_j = out_j − t_j of a softmax with cross-entropy, proved once per place j of a
    group and given to the same place of every group alike: the groups of one layer (the
    steps of a recurrent network) whose ∂L/∂out and softmax are the first group's with
    their own names, so the proof is the first group's with every name replaced."""

    net: Network
    direct: dict[str, sp.Expr]
    proved: dict[tuple[int, int, int], tuple[Unit, ...]] = field(default_factory=dict)
    alike: dict[tuple[str, str], bool] = field(default_factory=dict)

    def found(self, group: tuple[Unit, ...], unit: Unit) -> None:
        self.proved.setdefault((unit.layer, len(group), group.index(unit)), group)

    def like(self, group: tuple[Unit, ...], unit: Unit) -> sp.Expr | None:
        first = self.proved.get((unit.layer, len(group), group.index(unit)))
        if first is None or first == group or unit.target is None:
            return None
        key = (first[0].name, group[0].name)
        if key not in self.alike:
            self.alike[key] = self._alike(first, group)
        return unit.out - unit.target if self.alike[key] else None

    def _alike(self, first: tuple[Unit, ...], group: tuple[Unit, ...]) -> bool:
        names: dict[sp.Basic, sp.Basic] = {}
        for a, b in zip(first, group, strict=True):
            if a.target is None or b.target is None or a.name not in self.direct \
                    or b.name not in self.direct:
                return False
            names.update({a.out: b.out, a.net: b.net, a.target: b.target})
        defs = self.net.out_definitions
        return all(self.direct[a.name].xreplace(names) == self.direct[b.name] and
                   defs[a.out].xreplace(names) == defs[b.out]
                   for a, b in zip(first, group, strict=True))
