"""Matrix-form forward and backward passes for plain layered networks.

For a layered network (:mod:`symbackprop.numeric.layered_plan`) the δ recurrences derived by
:mod:`symbackprop.network.derivation` read, layer by layer, as matrix code over a batch (rows are
examples)::

    z^l = a^{l-1} W^lᵀ + b^l,  a^l = f(z^l)
    δ^L = ∂L/∂a^L ⊙ f'(z^L),   δ^l = (δ^{l+1} W^{l+1}) ⊙ f'(z^l)
    ∂J/∂W^l = δ^lᵀ a^{l-1} / m,  ∂J/∂b^l = Σ_rows δ^l / m

:func:`matrix_source` writes that code as Python text; :func:`compile_layered` runs the same
text (as ``lambdify`` does with its printed code), and :mod:`symbackprop.numeric.codegen` wraps
it into a standalone module. Weights and biases live in one parameter vector θ in the spec's
parameter order; each W^l and b^l is a slice of it, one shared entry, or a gathered index array (for
shared or reordered names), so gradients of shared parameters add up by themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..network.build import Network
from .layered_plan import Block, DenseLayer, LayeredPlan, layered_plan
from .stable import NUMPY_SOURCE

# forward code of each activation, from the pre-activation {z}
FORWARD_CODE = {
    "sigmoid": "_sigmoid({z})",
    "tanh": "np.tanh({z})",
    "sin": "np.sin({z})",  # a stand-in for an unspecified f (numeric.stand_ins)
    "relu": "np.maximum({z}, 0.0)",
    "leaky_relu": "np.where({z} > 0.0, {z}, {alpha} * {z})",
    "linear": "{z}",
    "softplus": "np.logaddexp(0.0, {z})",
    "softmax": "_softmax({z})",
}

# f'(z) of each elementwise activation, from {z} and the activation {a} (None: f' = 1)
DERIVATIVE_CODE: dict[str, str | None] = {
    "sigmoid": "{a} * (1.0 - {a})",
    "tanh": "(1.0 - {a} ** 2)",
    "sin": "np.cos({z})",
    "relu": "({z} > 0.0)",
    "leaky_relu": "np.where({z} > 0.0, 1.0, {alpha})",
    "linear": None,
    "softplus": "_sigmoid({z})",
}

HELPERS = {
    "_sigmoid": '''
def _sigmoid(z):
    """σ(z) = 1/(1 + e^−z) to full relative precision: where e^−z overflows (z < −709)
    the quotient is 0, the limit, and the overflow is not worth a warning."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))
''',
    "_softmax": '''
def _softmax(z):
    """Softmax over each row, shifted by the row maximum so that exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
    **NUMPY_SOURCE,
    "_logsumexp": '''
def _logsumexp(z):
    """log Σ exp(z) over each row, shifted by the row maximum."""
    top = z.max(axis=1, keepdims=True)
    return top + np.log(np.exp(z - top).sum(axis=1, keepdims=True))
''',
    "_softmax_without": '''
def _softmax_without(z):
    """(log Σ_{j≠k} exp(z_j) for each k, softmax over the units other than k for each k):
    row k of the second leaves out unit k, so log(1 − softmax_k) = first_k − logsumexp(z)
    stays finite where 1 − softmax_k rounds to 0."""
    z = np.asarray(z, dtype=float)
    n = z.shape[1]
    others = np.where(np.eye(n, dtype=bool), -np.inf, z[:, None, :])
    top = np.max(others, axis=2, keepdims=True)
    e = np.exp(others - top)
    total = e.sum(axis=2, keepdims=True)
    return (top + np.log(total))[:, :, 0], e / total
''',
}


# ----------------------------------------------------------------------------- the code


def _fill(template: str, layer: DenseLayer, z: str, a: str) -> str:
    return template.format(z=z, a=a, alpha=repr(layer.alpha))


def gather_code(block: Block, name: str) -> str:
    """Code for one W or b from θ."""
    if block.kind == "slice":
        stop = block.start + block.size
        if len(block.shape) == 1:
            return f"theta[{block.start}:{stop}]"
        return f"theta[{block.start}:{stop}].reshape{block.shape}"
    if block.kind == "shared":
        if len(block.shape) == 1:
            return f"theta[{block.start}]"
        return f"np.full({block.shape}, theta[{block.start}])"
    return f"theta[{name}]"


def _product_into(block: Block, left: str, right: str) -> str:
    """Code that writes the matrix product left @ right straight into the block's slice of
    g (no temporary, no zeros to add to)."""
    stop = block.start + block.size
    return f"np.matmul({left}, {right}, out=g[{block.start}:{stop}].reshape{block.shape})"


def _sum_into(block: Block, rows: str) -> str:
    """Code that writes the column sums of ``rows`` straight into the block's slice of g."""
    return f"np.sum({rows}, axis=0, out=g[{block.start}:{block.start + block.size}])"


def _tiles(plan: LayeredPlan) -> bool:
    """True when every W^l and b^l is its own slice of θ and together they cover θ."""
    blocks = [b for lay in plan.layers for b in (lay.weights, lay.bias) if b is not None]
    if any(b.kind != "slice" for b in blocks):
        return False
    covered = sorted((b.start, b.start + b.size) for b in blocks)
    return covered[0][0] == 0 and all(a[1] == b[0] for a, b in itertools.pairwise(covered)) \
        and covered[-1][1] == len(plan.param_names)


def _scatter(block: Block, name: str, per_unit: str, total: str) -> str:
    """Code that adds a block's gradient to g: ``per_unit`` shaped like the block, ``total``
    its sum (for one shared entry)."""
    if block.kind == "slice":
        stop = block.start + block.size
        flat = per_unit if len(block.shape) == 1 else f"({per_unit}).ravel()"
        return f"g[{block.start}:{stop}] += {flat}"
    if block.kind == "shared":
        return f"g[{block.start}] += {total}"
    return f"np.add.at(g, {name}, {per_unit})"


def _scaled(scale: float, expr: str) -> str:
    """``scale * (expr)``, or ``expr`` alone when the scale is 1."""
    return expr if scale == 1 else f"{scale!r} * ({expr})"


def _index_constants(plan: LayeredPlan) -> list[str]:
    lines = []
    for lay in plan.layers:
        for block, name in ((lay.weights, f"_IDX_W{lay.position}"),
                            (lay.bias, f"_IDX_b{lay.position}")):
            if block is not None and block.kind == "index":
                value = np.array(block.index).reshape(block.shape).tolist()
                lines.append(f"{name} = np.array({value!r})")
    return lines


def _loss_code(plan: LayeredPlan, z: str, a: str) -> tuple[str, str, set[str]]:
    """Per-example losses and the output δ = ∂L/∂z (per example), and the helpers they use.

    Losses are written from the pre-activations where the textbook form would take log 0:
    log σ(z) = −softplus(−z), log softmax(z) = z − logsumexp(z) and log softplus(z) in the
    log domain (:mod:`symbackprop.numeric.stable`).
    """
    out = plan.layers[-1]
    kind, act, s = plan.loss_kind, out.activation, plan.loss_scale
    helpers: set[str] = set()
    chain_g: str | None = None
    if kind == "squared_error":
        losses = _scaled(s, f"np.sum((t - {a}) ** 2, axis=1)")
        chain_g = _scaled(2 * s, f"{a} - t")
    elif kind == "binary_cross_entropy" and act == "sigmoid":
        losses = _scaled(s, f"np.sum(np.logaddexp(0.0, {z}) - t * {z}, axis=1)")
        delta = _scaled(s, f"{a} - t")
    elif kind in ("binary_cross_entropy", "cross_entropy") and act == "softplus":
        # log softplus(z) and its slope in the log domain: finite where softplus underflows
        helpers |= {"_log_softplus", "_sigmoid_over_softplus"}
        log_a = f"t * _log_softplus({z})"
        slope = f"t * _sigmoid_over_softplus({z})"
        if kind == "binary_cross_entropy":
            helpers.add("_sigmoid")
            log_a += f" + (1.0 - t) * np.log1p(-{a})"
            slope += f" - (1.0 - t) * _sigmoid({z}) / (1.0 - {a})"
        losses = _scaled(-s, f"np.sum({log_a}, axis=1)")
        delta = _scaled(-s, slope)
    elif kind == "binary_cross_entropy" and act == "softmax":
        # log a_k = z_k − lse(z), log(1 − a_k) = lse(z without k) − lse(z); then
        # δ_j = n·a_j − t_j − Σ_k (1 − t_k)·softmax(z without k)_j, finite for any z
        helpers |= {"_logsumexp", "_softmax_without"}
        lse, without, others = f"_logsumexp({z})", f"_softmax_without({z})[0]", \
            f"_softmax_without({z})[1]"
        losses = _scaled(-s, f"np.sum(t * ({z} - {lse}) + (1.0 - t) * ({without} - {lse}), "
                             "axis=1)")
        delta = _scaled(s, f"{z}.shape[1] * {a} - t - np.einsum('mk,mkj->mj', 1.0 - t, "
                           f"{others})")
    elif kind == "binary_cross_entropy":
        losses = _scaled(-s, f"np.sum(t * np.log({a}) + (1.0 - t) * np.log(1.0 - {a}), axis=1)")
        chain_g = _scaled(s, f"(1.0 - t) / (1.0 - {a}) - t / {a}")
    elif kind == "cross_entropy" and act == "softmax":
        helpers.add("_logsumexp")
        losses = _scaled(s, f"np.sum(t * (_logsumexp({z}) - {z}), axis=1)")
        # exact for any targets; equals a − t when the targets sum to 1
        delta = _scaled(s, f"{a} * t.sum(axis=1, keepdims=True) - t")
    elif kind == "cross_entropy" and act == "sigmoid":
        losses = _scaled(s, f"np.sum(t * np.logaddexp(0.0, -{z}), axis=1)")
        delta = _scaled(-s, f"t * (1.0 - {a})")
    else:
        losses = _scaled(-s, f"np.sum(t * np.log({a}), axis=1)")
        chain_g = _scaled(-s, f"t / {a}")
    if chain_g is not None:
        delta = _chain(out, chain_g, z, a, helpers)
    return losses, delta, helpers


def _atom(code: str) -> str:
    """``code`` in parentheses unless it is one name or one ``(…)`` or ``(…).T``."""
    depth = 0
    for k, ch in enumerate(code):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch == ")":
            return code if code[0] == "(" and code[k + 1:] in ("", ".T") else f"({code})"
    return f"({code})" if " " in code else code


def _chain(layer: DenseLayer, g: str, z: str, a: str, helpers: set[str]) -> str:
    """δ = ∂L/∂z from g = ∂L/∂a through the layer's activation."""
    if layer.activation == "softmax":
        g = _atom(g)
        return f"{a} * ({g} - np.sum({g} * {a}, axis=1, keepdims=True))"
    derivative = DERIVATIVE_CODE[layer.activation]
    if derivative is None:
        return g
    if layer.activation == "softplus":
        helpers.add("_sigmoid")
    return f"{_atom(g)} * {_fill(derivative, layer, z, a)}"


def _times(rows: str, matrix: str) -> str:
    """Code for ``rows @ matrix`` (rows are examples) computed as ``(matrixᵀ @ rowsᵀ)ᵀ``.

    The same numbers, but the batch becomes the long dimension of the BLAS product (OpenBLAS
    multiplies a few units by many examples fastest that way: the first layer of 784-30-10
    at batch 1024 takes 30 % less time) and the result is column-major, so that each δᵀ of
    the gradient products δᵀ a is row-major, again the fast operand."""
    transposed = matrix[:-2] if matrix.endswith(".T") else f"{matrix}.T"
    return f"({transposed} @ {rows}.T).T"


def _forward_lines(plan: LayeredPlan, helpers: set[str]) -> list[str]:
    lines = ["# z = a Wᵀ + b, multiplied as (W aᵀ)ᵀ: the batch is the long side of the product"]
    prev = "x"
    for lay in plan.layers:
        n = lay.position
        lines.append(f"W{n} = {gather_code(lay.weights, f'_IDX_W{n}')}")
        z = _times(prev, f"W{n}.T")
        if lay.bias is not None:
            lines.append(f"b{n} = {gather_code(lay.bias, f'_IDX_b{n}')}")
            z += f" + b{n}"
        lines.append(f"z{n} = {z}")
        lines.append(f"a{n} = {_fill(FORWARD_CODE[lay.activation], lay, f'z{n}', f'a{n}')}")
        if lay.activation in ("sigmoid", "softmax"):
            helpers.add(f"_{lay.activation}")
        prev = f"a{n}"
    return lines


def matrix_source(plan: LayeredPlan) -> str:
    """Python source (NumPy only) of ``_core`` and ``_cost`` for ``plan``.

    ``_core(theta, x, t)`` returns ``(losses, g, zs, activations, deltas)``: the loss of
    every example, the gradient of their mean, and per layer the batch's z, a and
    δ = ∂L/∂z (one row per example). ``_cost(theta, x, t)`` returns the losses alone.
    """
    helpers: set[str] = set()
    forward = _forward_lines(plan, helpers)
    last = plan.layers[-1].position
    losses, delta, loss_helpers = _loss_code(plan, f"z{last}", f"a{last}")
    helpers |= loss_helpers
    direct = _tiles(plan)  # each gradient block written in place, every entry once
    body = ["m = x.shape[0]", *forward, f"losses = {losses}",
            "# backward: δ = ∂L/∂z per example, from the output layer back",
            f"d{last} = {delta}",
            "g = np.empty_like(theta)" if direct else "g = np.zeros_like(theta)"]
    for lay in reversed(plan.layers):
        n = lay.position
        prev = "x" if n == 1 else f"a{n - 1}"
        if direct:
            body.append(_product_into(lay.weights, f"d{n}.T", prev))
        else:
            body.append(_scatter(lay.weights, f"_IDX_W{n}", f"d{n}.T @ {prev}",
                                 f"np.sum(d{n}.T @ {prev})"))
        if lay.bias is not None and direct:
            body.append(_sum_into(lay.bias, f"d{n}"))
        elif lay.bias is not None:
            body.append(_scatter(lay.bias, f"_IDX_b{n}", f"d{n}.sum(axis=0)", f"d{n}.sum()"))
        if n > 1:
            below = plan.layers[n - 2]
            body.append(f"d{n - 1} = " + _chain(below, _times(f"d{n}", f"W{n}"), f"z{n - 1}",
                                                 f"a{n - 1}", helpers))
    body.append("g /= m")
    positions = [lay.position for lay in plan.layers]
    body.append("return (losses, g, [" + ", ".join(f"z{n}" for n in positions) + "], ["
                + ", ".join(f"a{n}" for n in positions) + "], ["
                + ", ".join(f"d{n}" for n in positions) + "])")
    cost = [*forward, f"return {losses}"]
    parts = [HELPERS[h].strip("\n") for h in sorted(helpers)]
    parts += _index_constants(plan)
    parts.append(function_source(
        "_core", "Losses, mean gradient, and z, a, δ of every layer for a batch.", body))
    parts.append(function_source("_cost", "The loss of every example of the batch.", cost))
    return "\n\n\n".join(parts) + "\n"


def _namespace() -> dict[str, Any]:
    namespace: dict[str, Any] = {"np": np}
    for helper in HELPERS.values():
        exec(helper, namespace)
    return namespace


def activation_function(layer: DenseLayer) -> Any:
    """The layer's activation as a NumPy function of z (rows are examples), from the same
    code the matrix pass runs."""
    code = _fill(FORWARD_CODE[layer.activation], layer, "z", "a")
    return _compiled("activation", "z", code)


def loss_function(plan: LayeredPlan) -> Any:
    """The per-example losses as a NumPy function of the output layer's (z, a, t)."""
    losses, _, _ = _loss_code(plan, "z", "a")
    return _compiled("losses", "z, a, t", losses)


def _compiled(name: str, arguments: str, code: str) -> Any:
    """A NumPy function of ``arguments`` returning ``code``, written from the tool's templates."""
    namespace = _namespace()
    source = f"def {name}({arguments}):\n    return {code}\n"
    exec(compile(source, f"<symbackprop {name}>", "exec"), namespace)
    return namespace[name]


def function_source(name: str, doc: str, lines: Sequence[str]) -> str:
    """The text of ``def name(theta, x, t)`` with a docstring and the given body lines."""
    body = "\n".join(f"    {line}" for line in lines)
    quotes = '"' * 3
    return f"def {name}(theta, x, t):\n    {quotes}{doc}{quotes}\n{body}"


# ------------------------------------------------------------------------ the runtime


@dataclass(frozen=True)
class BatchPass:
    """One forward and backward pass over a batch (rows are examples)."""

    losses: np.ndarray  # (m,)
    gradient: np.ndarray  # (P,), of the mean loss
    nets: dict[str, np.ndarray]  # unit → (m,)
    outs: dict[str, np.ndarray]
    deltas: dict[str, np.ndarray]  # δ_u = ∂L/∂net_u per example

    @property
    def loss(self) -> float:
        return float(self.losses.mean())


@dataclass
class VectorizedNetwork:
    """The compiled matrix code of a layered network."""

    plan: LayeredPlan
    source: str
    core: Any
    cost_function: Any

    @property
    def size(self) -> int:
        return len(self.plan.param_names)

    def pack(self, params: Mapping[str, float] | np.ndarray) -> np.ndarray:
        """θ in the spec's parameter order, from a mapping name → value (or θ itself)."""
        if isinstance(params, np.ndarray):
            return np.asarray(params, dtype=float)
        return np.array([params[n] for n in self.plan.param_names], dtype=float)

    def unpack(self, theta: np.ndarray) -> dict[str, float]:
        return {n: float(v) for n, v in zip(self.plan.param_names, theta, strict=True)}

    def batch(self, rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
        """Examples given as mappings, as a (m, len(names)) array."""
        return np.array([[row[n] for n in names] for row in rows], dtype=float).reshape(
            len(rows), len(names))

    def cost(self, theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> float:
        """J(θ): the mean loss over the batch."""
        return float(np.mean(self.cost_function(theta, x, t)))

    def run(self, theta: np.ndarray, x: np.ndarray, t: np.ndarray) -> BatchPass:
        losses, g, zs, acts, ds = self.core(theta, x, t)
        nets: dict[str, np.ndarray] = {}
        outs: dict[str, np.ndarray] = {}
        deltas: dict[str, np.ndarray] = {}
        for lay, z, a, d in zip(self.plan.layers, zs, acts, ds, strict=True):
            for k, unit in enumerate(lay.units):
                nets[unit], outs[unit], deltas[unit] = z[:, k], a[:, k], d[:, k]
        return BatchPass(losses, g, nets, outs, deltas)


def compile_layered(plan: LayeredPlan) -> VectorizedNetwork:
    """Run :func:`matrix_source` into functions (the way ``lambdify`` runs printed code)."""
    source = matrix_source(plan)
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, "<symbackprop matrix code>", "exec"), namespace)
    return VectorizedNetwork(plan, source, namespace["_core"], namespace["_cost"])


def vectorize(net: Network) -> VectorizedNetwork | None:
    """The matrix code of ``net``, or None when it is not a plain layered network."""
    plan = layered_plan(net)
    return compile_layered(plan) if plan is not None else None
