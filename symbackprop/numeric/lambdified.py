"""Numbers from the symbolic network: lambdified forward/backward passes, in float64 (NumPy)
or in high precision (mpmath).

The compiled function takes parameters, inputs and targets and returns the loss, every
gradient (from the δ-form, so its cost is linear in the network's size) and every unit's
net input and activation. Intermediate symbols are computed once, in order, through
``lambdify``'s ``cse`` hook.

Losses are evaluated in a form that cannot take log 0 (:func:`stable_loss`): with a sigmoid,
softmax or softplus output, log a is written through the pre-activation, e.g.
log σ(z) = −softplus(−z), and log softplus(z) in the log domain (:mod:`.stable`).
Large layered networks use the matrix code of :mod:`symbackprop.numeric.vectorized` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p

from ..network.build import Network
from ..network.derivation import Gradients
from ..network.functions import Unspecified, UnspecifiedPrime, softplus
from ..network.losses import UnspecifiedLoss, loss_scale, require_numeric_loss
from . import stable
from .identifiers import lambdify_by_position
from .stable import log_softplus
from .stand_ins import stand_in_functions

HIGH_PRECISION_DIGITS = 40


# ----------------------------------------------------------------------- numeric stand-ins


def _np_sigmoid(x: Any) -> Any:
    # 0.5(1 + tanh(x/2)) equals 1/(1 + e^−x) and never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def _np_softmax(k: int, *zs: Any) -> Any:
    arr = np.stack(np.broadcast_arrays(*[np.asarray(z, dtype=float) for z in zs]))
    shifted = arr - arr.max(axis=0)
    e = np.exp(shifted)
    return e[int(k)] / e.sum(axis=0)


def _np_logsumexp(*zs: Any) -> Any:
    arr = np.stack(np.broadcast_arrays(*[np.asarray(z, dtype=float) for z in zs]))
    return np.logaddexp.reduce(arr, axis=0)


def _np_pool_max(*xs: Any) -> Any:
    return np.maximum.reduce(np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in xs]))


def _np_first_max(k: int, *xs: Any) -> Any:
    # argmax returns the first maximum: the one a tie routes the gradient to
    arr = np.stack(np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in xs]))
    return np.where(arr.argmax(axis=0) == int(k), 1.0, 0.0)


def _mp_first_max(k: int, *xs: Any) -> Any:
    best = max(range(len(xs)), key=lambda i: (xs[i], -i))
    return mpmath.mpf(1) if best == int(k) else mpmath.mpf(0)


NUMPY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "pool_max": _np_pool_max,
    "first_max": _np_first_max,
    "sigmoid": _np_sigmoid,
    "softplus": lambda x: np.logaddexp(0.0, x),
    "relu": lambda x: np.maximum(x, 0.0),
    "step": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0),
    "leaky_relu": lambda x, a: np.where(np.asarray(x) > 0, x, a * np.asarray(x)),
    "leaky_step": lambda x, a: np.where(np.asarray(x) > 0, 1.0, a),
    "softmax": _np_softmax,
    "logsumexp": _np_logsumexp,
    **stable.NUMPY_FUNCTIONS,
    "log1p": np.log1p,
}


def _mp_softmax(k: int, *zs: Any) -> Any:
    m = max(zs)
    es = [mpmath.exp(z - m) for z in zs]
    return es[int(k)] / mpmath.fsum(es)


MPMATH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "pool_max": lambda *xs: max(xs),
    "first_max": _mp_first_max,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "relu": lambda x: x if x > 0 else mpmath.mpf(0),
    "step": lambda x: mpmath.mpf(1) if x > 0 else mpmath.mpf(0),
    "leaky_relu": lambda x, a: x if x > 0 else a * x,
    "leaky_step": lambda x, a: mpmath.mpf(1) if x > 0 else a,
    "softmax": _mp_softmax,
    "logsumexp": lambda *zs: mpmath.log(mpmath.fsum(mpmath.exp(z) for z in zs)),
    **stable.MPMATH_FUNCTIONS,
    "log1p": mpmath.log1p,
}


def _unspecified_names(exprs: Sequence[sp.Expr]) -> set[str]:
    """The unspecified functions (by their own name) that ``exprs`` call, or their derivatives."""
    names: set[str] = set()
    for e in exprs:
        for f in e.atoms(sp.Function):
            if isinstance(f, UnspecifiedPrime):
                names.add(type(f).base_name)
            elif isinstance(f, Unspecified):
                names.add(type(f).__name__)
    return names


def namespace(module: str, exprs: Sequence[sp.Expr] = (), net: Network | None = None
              ) -> dict[str, Callable[..., Any]]:
    """Functions lambdify needs for our activations in ``module`` ('numpy' or 'mpmath').

    An unspecified activation f that ``exprs`` use is evaluated as the stand-in asked for in
    ``net`` (:mod:`symbackprop.numeric.stand_ins`); none asked for is an error naming f.
    Without ``net`` the caller supplies f and f' itself.
    """
    ns = dict(NUMPY_FUNCTIONS if module == "numpy" else MPMATH_FUNCTIONS)
    if net is not None and _unspecified_names(exprs):
        ns.update(stand_in_functions(net, module))
    return ns


# ------------------------------------------------------------------------- stable loss


class logsumexp(sp.Function):
    """log Σ_k exp(z_k), evaluated without overflow (numeric use only)."""


def stable_loss(net: Network) -> sp.Expr:
    """The objective of ``net`` for numbers: :func:`stable_data_loss` plus the weight decay
    λ/2 Σ w² with the spec's λ."""
    return net.with_decay_value(stable_data_loss(net) + net.penalty)


def stable_data_loss(net: Network) -> sp.Expr:
    """The loss of ``net`` written through pre-activations where log a could be log 0.

    Binary cross-entropy of sigmoid outputs becomes Σ softplus(z) − t z, of a softmax layer
    −Σ t (z − logsumexp(z)) + (1 − t)(logsumexp(z without z_k) − logsumexp(z)),
    cross-entropy of a softmax layer Σ t (logsumexp(z) − z) and of sigmoid outputs
    Σ t softplus(−z); any other loss is returned unchanged. The value is the same; only the
    evaluation differs.
    """
    outs = net.outputs
    kinds = {u.activation.kind for u in outs}
    kind = net.spec.loss.kind
    scale = loss_scale(net.spec.loss, len(outs))
    pairs = [(u.net, u.target) for u in outs if u.target is not None]
    if len(pairs) != len(outs) or len(kinds) != 1:
        return net.loss
    (activation,) = kinds
    steps = net.spec.output_groups()
    if (activation == "softmax" and kind == "cross_entropy") or (
            kind == "binary_cross_entropy" and activation == "softmax" and len(pairs) > 1):
        out = {u.name: (u.net, u.target) for u in outs}  # one softmax per step, if stepped
        return sp.Add(*[_softmax_loss(kind, scale, [out[n] for n in g]) for g in steps])
    if kind == "binary_cross_entropy" and activation == "sigmoid":
        return scale * sp.Add(*[softplus(z) - t * z for z, t in pairs])
    if kind == "cross_entropy" and activation == "sigmoid":
        return scale * sp.Add(*[t * softplus(-z) for z, t in pairs])
    if kind == "cross_entropy" and activation == "softplus":
        return -scale * sp.Add(*[t * log_softplus(z) for z, t in pairs])
    if kind == "binary_cross_entropy" and activation == "softplus":
        return -scale * sp.Add(*[t * log_softplus(z) + (1 - t) * log1p(-softplus(z))
                                 for z, t in pairs])
    return net.loss


def _softmax_loss(kind: str, scale: sp.Expr, pairs: list[tuple[sp.Symbol, sp.Symbol]]
                  ) -> sp.Expr:
    """The loss of one softmax group written through its net inputs: cross-entropy
    Σ t (logsumexp(z) − z); binary cross-entropy with log(1 − a_k) = logsumexp of the other
    net inputs − logsumexp of them all."""
    lse = logsumexp(*[z for z, _ in pairs])
    if kind == "cross_entropy":
        return scale * sp.Add(*[t * (lse - z) for z, t in pairs])
    return -scale * sp.Add(*[t * (z - lse) + (1 - t) * (
        logsumexp(*[o for o, _ in pairs if o != z]) - lse) for z, t in pairs])


def stable_deltas(net: Network, grads: Gradients) -> dict[str, sp.Expr]:
    """Every unit's δ for numeric use: an output's δ = ∂L/∂z is taken from
    :func:`stable_loss` where that is written in the log domain (a softplus output with a
    cross-entropy loss), so that it stays finite where softplus(z) underflows."""
    deltas = dict(grads.deltas)
    loss = stable_data_loss(net)
    if loss.has(log_softplus):
        for u in net.outputs:
            deltas[u.name] = grads.sign * sp.diff(loss, u.net)
    return deltas


# ------------------------------------------------------------------------- compiled net


@dataclass(frozen=True)
class Pass:
    """The result of one forward and backward pass for one example."""

    loss: float
    gradients: dict[str, Any]
    nets: dict[str, Any]
    outs: dict[str, Any]


@dataclass
class CompiledNetwork:
    """A lambdified forward + backward pass of a network."""

    network: Network
    module: str
    function: Callable[..., Any]
    loss_function: Callable[..., Any]

    def run(self, params: Mapping[str, Any], inputs: Mapping[str, Any],
            targets: Mapping[str, Any]) -> Pass:
        net = self.network
        args = self._args(params, inputs, targets)
        values = self.function(*args)
        n_params = len(net.trained)  # a frozen parameter is an argument with no gradient
        loss = values[0]
        grads = {p.name: values[1 + k] for k, p in enumerate(net.trained)}
        rest = values[1 + n_params:]
        nets = {u.name: rest[2 * k] for k, u in enumerate(net.units)}
        outs = {u.name: rest[2 * k + 1] for k, u in enumerate(net.units)}
        return Pass(loss, grads, nets, outs)

    def loss(self, params: Mapping[str, Any], inputs: Mapping[str, Any],
             targets: Mapping[str, Any]) -> Any:
        return self.loss_function(*self._args(params, inputs, targets))

    def _args(self, params: Mapping[str, Any], inputs: Mapping[str, Any],
              targets: Mapping[str, Any]) -> list[Any]:
        net = self.network
        args = [params[p.name] for p in net.params]
        args += [inputs[i.name] for i in net.spec.inputs]
        args += [targets[u.name] for u in net.outputs]
        return args


def _ordered_definitions(net: Network, grads: Gradients | None
                         ) -> list[tuple[sp.Symbol, sp.Expr]]:
    defs = list(net.definitions)
    if grads is not None:
        deltas = stable_deltas(net, grads)
        for u in reversed(net.units):
            defs.append((u.delta, deltas[u.name]))
    return defs


def compile_network(net: Network, grads: Gradients, *, module: str = "numpy"
                    ) -> CompiledNetwork:
    """Lambdify loss, gradients and unit values of ``net`` for ``module`` (numpy|mpmath)."""
    if isinstance(net.loss, UnspecifiedLoss):  # a stand-in formula is computed with
        require_numeric_loss(net.spec.loss, net.spec.file)
    args = [*net.params, *net.inputs, *net.targets]
    loss = stable_loss(net)
    outputs: list[sp.Expr] = [loss]
    outputs += [net.with_decay_value(grads.gradient(p)) for p in net.trained]
    for u in net.units:
        outputs += [u.net, u.out]
    defs = _ordered_definitions(net, grads)
    ns = namespace(module, [d for _, d in defs] + outputs, net)
    function = lambdify_by_position(args, outputs, modules=[ns, module], definitions=defs)
    loss_function = lambdify_by_position(args, loss, modules=[ns, module],
                                         definitions=list(net.definitions))
    return CompiledNetwork(net, module, function, loss_function)


def to_float(value: Any) -> float:
    return float(value)

