"""Stand-in losses for a loss left unspecified (seed 002's C), for the gradient check.

A derivation with C(a, y) unspecified keeps ∂C/∂a_k as symbols, so it holds for every C. A
gradient check gives C a formula in turn from :data:`LOSS_STAND_INS` and each ∂C/∂a_k the
derivative of that formula: the derivation must agree with the finite differences of every
one. The two differ in kind: squared error is symmetric in a − y and the same for every
output; the other is not symmetric and weighs output k by k, so a derivation that swaps two
outputs' ∂C/∂a, or their signs, disagrees with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients, LazyMap
from ..network.losses import UnspecifiedLoss


def _squared(outs: Sequence[sp.Expr], targets: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Rational(1, 2) * sp.Add(*[(a - y) ** 2 for a, y in zip(outs, targets,
                                                                    strict=True)])


def _asymmetric(outs: Sequence[sp.Expr], targets: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Add(*[k * (sp.exp(a - y) - (a - y) - 1)
                    for k, (a, y) in enumerate(zip(outs, targets, strict=True), start=1)])


@dataclass(frozen=True)
class LossStandIn:
    """A formula an unspecified loss is checked with."""

    name: str
    formula: str  # in words and symbols, for the report
    build: Callable[[Sequence[sp.Expr], Sequence[sp.Expr]], sp.Expr]


LOSS_STAND_INS = (
    LossStandIn("squared error", "½ Σ_k (a_k − y_k)²", _squared),
    LossStandIn("asymmetric exponential", "Σ_k k·(exp(a_k − y_k) − (a_k − y_k) − 1)",
                _asymmetric),
)
"""The stand-ins a gradient check tries in turn for an unspecified loss."""


@dataclass(frozen=True)
class Trial:
    """One network and its gradients to check, with the stand-in its loss is given."""

    net: Network
    grads: Gradients
    loss: LossStandIn | None = None


def loss_unspecified(net: Network) -> bool:
    """True when the loss of ``net`` has no formula (its derivatives are symbols)."""
    return isinstance(net.loss, UnspecifiedLoss)


def with_stand_in_loss(net: Network, grads: Gradients, stand_in: LossStandIn
                       ) -> tuple[Network, Gradients]:
    """``net`` with its unspecified loss C given the formula of ``stand_in``, and ``grads``
    with every ∂C/∂a_k and ∂C/∂y_k symbol replaced by the derivative of that formula.

    The δ recurrences are the derivation's own: only the symbols of C's derivatives get
    values, so the check tests the derivation, not a new one."""
    loss = net.loss
    args = list(loss.args)
    outs, targets = args[:len(net.outputs)], args[len(net.outputs):]
    formula = stand_in.build(outs, targets)
    slopes = {g: sp.diff(formula, a) for g, a in zip(type(loss).gradients, args, strict=True)}
    new_net = replace(net, loss=formula)
    names = [u.name for u in net.units]

    def substituted(source: object) -> Callable[[str], sp.Expr]:
        return lambda name: source[name].xreplace(slopes)  # type: ignore[index]

    new_grads = replace(
        grads, network=new_net, notes=list(grads.notes),
        dE_dout=LazyMap(names, substituted(grads.dE_dout)),
        deltas=LazyMap(names, substituted(grads.deltas)),
        output_delta={k: v.xreplace(slopes) for k, v in grads.output_delta.items()},
        direct_loss={k: v.xreplace(slopes) for k, v in grads.direct_loss.items()},
        _closed_delta={}, _display_delta={}, _derivations={},
    )
    return new_net, new_grads


def loss_trials(net: Network, grads: Gradients) -> list[Trial]:
    """``net`` once if its loss has a formula, else once per loss of :data:`LOSS_STAND_INS`."""
    if not loss_unspecified(net):
        return [Trial(net, grads)]
    return [Trial(*with_stand_in_loss(net, grads, s), s) for s in LOSS_STAND_INS]
