"""Exact evaluation: every value as a fraction, when the network keeps rationals rational.

A linear network (seed 001), ReLU and leaky ReLU, and the squared error map rationals to
rationals: at values written as decimals or fractions, every unit value, the loss and every
gradient is an exact fraction (553/20, not 27.65). The forward pass, the δ recurrences and
the gradients are the same SymPy expressions the tool prints, evaluated in rational
arithmetic; a value that is not rational (σ(3/8)) is an error naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..errors import SymbackpropError
from ..network.build import Network
from ..network.chains import backward_order
from ..network.derivation import Gradients
from ..network.losses import require_numeric_loss
from ..spec.load import Values
from .evaluation import check_values_complete, frozen_names


@dataclass(frozen=True)
class ExactEvaluation:
    """What ``eval --exact`` reports: every number a SymPy Rational."""

    loss: sp.Rational
    units: dict[str, dict[str, sp.Rational]]  # unit → {"net": …, "out": …} (first example)
    gradients: dict[str, sp.Rational]
    learning_rate: sp.Rational | None
    steps: int
    updated: dict[str, sp.Rational] | None
    history: list[sp.Rational]  # the loss after 0, 1, … updates
    frozen: tuple[str, ...] = ()


def exact(value: float) -> sp.Rational:
    """The exact value of a number read from a spec (``0.1`` → 1/10)."""
    written = getattr(value, "exact", None)
    if isinstance(written, Fraction):
        return sp.Rational(written.numerator, written.denominator)
    return sp.Rational(repr(float(value)))  # a number typed on the command line


def _rational(expr: sp.Expr, what: str) -> sp.Rational:
    value = expr if expr.is_Rational else sp.expand(expr)  # (1/2)·(3/4 − 1)² is rational
    if not value.is_Rational:
        raise SymbackpropError(f"--exact: {what} = {sp.sstr(expr)} is not a rational number",
                               field="--exact",
                               hint="drop --exact for floating-point values; exact values need "
                                    "linear, ReLU or leaky ReLU units")
    return value


def _one_example(net: Network, grads: Gradients, params: dict[sp.Symbol, sp.Rational],
                 inputs: dict[sp.Symbol, sp.Rational], targets: dict[sp.Symbol, sp.Rational]
                 ) -> tuple[sp.Rational, dict[sp.Symbol, sp.Rational], dict[sp.Symbol,
                                                                            sp.Rational]]:
    at: dict[sp.Symbol, sp.Expr] = {**params, **inputs, **targets}
    for sym, definition in net.definitions:
        at[sym] = _rational(definition.xreplace(at), sym.name)
    loss = _rational(net.with_decay_value(net.objective).xreplace(at), net.loss_symbol.name)
    for u in backward_order(net):
        at[u.delta] = _rational(grads.deltas[u.name].xreplace(at), u.delta.name)
    gradients = {p: _rational(net.with_decay_value(grads.gradient(p)).xreplace(at),
                              f"∂{net.loss_symbol.name}/∂{p.name}") for p in net.trained}
    return loss, at, gradients


def _mean(net: Network, grads: Gradients, params: dict[sp.Symbol, sp.Rational],
          examples: list[tuple[dict[sp.Symbol, sp.Rational], dict[sp.Symbol, sp.Rational]]]
          ) -> tuple[sp.Rational, dict[sp.Symbol, sp.Rational], dict[sp.Symbol, sp.Rational]]:
    m = len(examples)
    total = sp.Integer(0)
    sums = dict.fromkeys(net.trained, sp.Integer(0))
    first: dict[sp.Symbol, sp.Rational] = {}
    for k, (inputs, targets) in enumerate(examples):
        loss, at, gradients = _one_example(net, grads, params, inputs, targets)
        total += loss
        for p, g in gradients.items():
            sums[p] += g
        if k == 0:
            first = at
    return total / m, first, {p: g / m for p, g in sums.items()}


def evaluate_exact(net: Network, grads: Gradients, values: Values, *, steps: int = 1,
                   learning_rate: float | None = None, frozen: Iterable[str] = ()
                   ) -> ExactEvaluation:
    """``evaluate`` in exact rational arithmetic.

    >>> ev = evaluate_exact(net, grads, values)  # doctest: +SKIP
    >>> ev.gradients["w_1_1_1"]  # doctest: +SKIP
    553/20
    """
    require_numeric_loss(net.spec.loss, net.spec.file)
    check_values_complete(net, values)
    frozen = frozen_names(net, frozen)
    params = {p: exact(values.params[p.name]) for p in net.params}
    examples = [({s: exact(ex.inputs[i.name]) for s, i in zip(net.inputs, net.spec.inputs,
                                                                strict=True)},
                 {u.target: exact(ex.targets[u.name]) for u in net.outputs
                  if u.target is not None})
                for ex in values.examples]
    loss, at, gradients = _mean(net, grads, params, examples)
    rate = learning_rate if learning_rate is not None else values.learning_rate
    lr = exact(rate) if rate is not None else None
    history = [loss]
    updated = None
    if lr is not None:
        current, current_grads = dict(params), gradients
        for _ in range(steps):
            current = {p: v - (0 if p.name in frozen else lr * current_grads[p])
                       for p, v in current.items()}
            step_loss, _, current_grads = _mean(net, grads, current, examples)
            history.append(step_loss)
        updated = {p.name: v for p, v in current.items()}
    units = {u.name: {"net": at[u.net], "out": at[u.out]} for u in net.units}
    return ExactEvaluation(loss=loss, units=units,
                           gradients={p.name: g for p, g in gradients.items()},
                           learning_rate=lr, steps=steps if lr is not None else 0,
                           updated=updated, history=history, frozen=frozen)
