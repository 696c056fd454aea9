"""An independent reference for losses and gradients, written from the spec data alone.

The forward pass below reads the validated spec (inputs, units, edges, biases, outputs and
loss) and evaluates it with ``autograd.numpy``; ``autograd`` then differentiates it. None of
the package's symbolic network, derivation or numeric code is used, so an agreement between
this module and the package is evidence from two separate implementations.

Conventions shared with the package (and nothing else):

* an unspecified activation ``f`` is evaluated as tanh (the stand-in the tests ask for);
* softmax takes the net inputs of its whole layer;
* a constant bias (``spec.constants``) is added to its unit's net input;
* the loss is ``factor · Σ term`` over the output units (divided by their number for a mean
  reduction), with ``(y − a)²``, ``−(y log a + (1 − y) log(1 − a))`` or ``−y log a`` as term;
* over several examples the cost is the mean of the examples' losses;
* a weight decay adds λ/2 Σ w² (over the weights, and the biases when asked) to the cost;
* a pooling unit (``spec.pools``) is the maximum (``max``) or the mean (``avg``) of its
  window's sources, with no weights and no bias;
* a frozen parameter (``spec.frozen``) is differentiated like any other here; the package
  reports no gradient for it, so :func:`trained` leaves it out of a comparison.
* the j-th unit of a dropout layer is m_j a_j / p, read from the layer's mask and keep
  probability p, a_j the j-th unit of the layer before it (or the j-th input).
* a formula node (``spec.formulas``) is its formula's tree evaluated with ``autograd.numpy``
  (σ(z) = 1/(1 + e^(−z)), softplus(z) = log(1 + e^z)), and a loss formula likewise, its
  targets named as the spec names them.
* the j-th unit of a layer_norm layer is γ_j (a_j − μ)/√(σ² + ε) + β_j over the units a of
  the layer before it, μ their mean and σ² their (biased) variance, with ε, γ_j and β_j read
  from the layer's geometry (its formula trees are not read).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import grad

from symbackprop.spec.load import NetworkSpec

UNSPECIFIED_AS = "tanh"
KINKED = ("relu", "leaky_relu")


@dataclass(frozen=True)
class OracleResult:
    """Loss and gradient (by parameter name) of one example or of the mean over examples."""

    loss: float
    gradients: dict[str, float]


def param_names(spec: NetworkSpec) -> list[str]:
    return [p.name for p in spec.params]


def trained(spec: NetworkSpec, gradients: Mapping[str, float]) -> dict[str, float]:
    """The gradients of the parameters the spec trains: all but its ``frozen`` ones."""
    return {n: g for n, g in gradients.items() if n not in spec.frozen}


def _order(spec: NetworkSpec) -> list[str]:
    """Units in an order where every unit follows its sources (a DFS of the edge list)."""
    preds: dict[str, list[str]] = {u.name: [] for u in spec.units}
    for e in spec.edges:
        preds[e.target].append(e.source)
    for pool in spec.pools:
        preds[pool.unit] += pool.sources
    for f in spec.formulas:
        preds[f.unit] += f.parents
    order: list[str] = []
    done: set[str] = {i.name for i in spec.inputs}
    for start in preds:
        stack = [start]
        while stack:
            top = stack[-1]
            if top in done:
                stack.pop()
                continue
            waiting = [s for s in preds[top] if s not in done]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            done.add(top)
            order.append(top)
    return order


def _elementwise(kind: str, alpha: float | None) -> Callable[[Any], Any]:
    if kind == "unspecified":
        kind = UNSPECIFIED_AS
    if kind == "sigmoid":
        return lambda z: 1.0 / (1.0 + anp.exp(-z))
    if kind == "tanh":
        return anp.tanh
    if kind == "relu":
        return lambda z: anp.where(z > 0, z, 0.0 * z)
    if kind == "leaky_relu":
        a = 0.01 if alpha is None else alpha
        return lambda z: anp.where(z > 0, z, a * z)
    if kind == "linear":
        return lambda z: z
    if kind == "softplus":
        return lambda z: anp.logaddexp(0.0, z)
    raise ValueError(f"no elementwise activation {kind!r}")


def activation(kind: str, z: Any) -> Any:
    """An activation of every entry of an array, as the array-code references write it."""
    return _elementwise(kind, None)(z)


def output_loss(kind: str, loss: str, z: Any, y: Any) -> Any:
    """The loss of one output vector ``z`` (through its activation ``kind``, or a softmax)
    against the targets ``y``, in array code."""
    if kind == "softmax":
        shifted = z - anp.max(z)
        out = anp.exp(shifted) / anp.sum(anp.exp(shifted))
    else:
        out = activation(kind, z)
    if loss == "binary_cross_entropy":
        return -anp.sum(y * anp.log(out) + (1 - y) * anp.log(1 - out))
    if loss == "cross_entropy":
        return -anp.sum(y * anp.log(out))
    return 0.5 * anp.sum((y - out) ** 2)


def forward(spec: NetworkSpec, params: Mapping[str, Any], inputs: Mapping[str, Any]
            ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Net inputs and activations of every unit (autograd-traceable in ``params``)."""
    incoming: dict[str, list[tuple[str, str]]] = {u.name: [] for u in spec.units}
    for e in spec.edges:
        incoming[e.target].append((e.source, e.weight))
    bias_of: dict[str, list[str]] = {u.name: [] for u in spec.units}
    for unit, b in spec.biases:
        bias_of[unit].append(b)
    constant = dict.fromkeys(bias_of, 0.0)
    for unit, value in spec.constants:  # a constant bias, `bias: {value: 1, trainable: false}`
        constant[unit] += float(value)
    units = {u.name: u for u in spec.units}
    layer_units = {lay.position: lay.units for lay in spec.layers}
    outs: dict[str, Any] = {i.name: inputs[i.name] for i in spec.inputs}
    nets: dict[str, Any] = {}
    pools = {pool.unit: pool for pool in spec.pools}
    dropped = _dropout_units(spec)
    formulas = {f.unit: f.term for f in spec.formulas}
    normed = _layer_norm_units(spec)
    for name in _order(spec):
        if name in normed:  # γ_j (a_j − μ)/√(σ² + ε) + β_j over the layer below
            below, j, gamma, beta, epsilon = normed[name]
            a = anp.stack([outs[s] for s in below])
            centred = a - anp.mean(a)
            variance = anp.mean(centred ** 2)
            nets[name] = outs[name] = (params[gamma] * centred[j] / anp.sqrt(variance + epsilon)
                                       + params[beta])
            continue
        if name in formulas:
            nets[name] = outs[name] = term_value(formulas[name], {**params, **outs})
            continue
        if name in dropped:  # m_j a_j / p of the j-th unit below
            source, mask, keep = dropped[name]
            nets[name] = outs[name] = outs[source] * mask / keep
            continue
        if name in pools:  # max or mean of the window; autograd differentiates anp.max
            window = anp.stack([outs[s] for s in pools[name].sources])
            reduce = anp.max if pools[name].kind == "max" else anp.mean
            nets[name] = outs[name] = reduce(window)
            continue
        total: Any = 0.0
        for source, weight in incoming[name]:
            total = total + params[weight] * outs[source]
        for b in bias_of[name]:
            total = total + params[b]
        nets[name] = total = total + constant[name]
        act = units[name].activation
        if act.kind == "softmax":
            group = [g for g in layer_units[units[name].layer]  # one step's, in an RNN
                     if units[g].group == units[name].group]
            if all(g in nets for g in group):
                zs = [nets[g] for g in group]
                shift = max(float(_value(z)) for z in zs)
                exps = [anp.exp(z - shift) for z in zs]
                denom = sum(exps[1:], exps[0])
                for g, ez in zip(group, exps, strict=True):
                    outs[g] = ez / denom
            continue
        alpha = float(act.alpha) if act.alpha is not None else None
        outs[name] = _elementwise(act.kind, alpha)(total)
    return nets, outs


def _dropout_units(spec: NetworkSpec) -> dict[str, tuple[str, float, float]]:
    """Each dropout unit with the unit below it at the same place, its mask entry and p."""
    out: dict[str, tuple[str, float, float]] = {}
    for lay in spec.layers:
        if lay.dropout is None:
            continue
        below = [i.name for i in spec.inputs] if lay.position == 1 \
            else list(spec.layers[lay.position - 2].units)
        for j, unit in enumerate(lay.units):
            out[unit] = (below[j], float(lay.dropout.mask[j]), float(lay.dropout.keep))
    return out


def _layer_norm_units(spec: NetworkSpec
                      ) -> dict[str, tuple[list[str], int, str, str, float]]:
    """Each layer_norm unit with the units below it, its place j, γ_j, β_j and ε."""
    out: dict[str, tuple[list[str], int, str, str, float]] = {}
    for lay in spec.layers:
        if lay.norm is None:
            continue
        below = list(spec.layers[lay.position - 2].units)
        for j, unit in enumerate(lay.units):
            out[unit] = (below, j, lay.norm.gammas[j][0], lay.norm.betas[j][0],
                         float(lay.norm.epsilon))
    return out


_TERM_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "exp": anp.exp, "log": anp.log, "tanh": anp.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)), "softplus": lambda z: anp.logaddexp(0.0, z),
}


def term_value(term: Any, env: Mapping[str, Any]) -> Any:
    """A formula tree (``spec.formulas.Term``) evaluated with ``autograd.numpy``."""
    from fractions import Fraction

    args = [term_value(a, env) for a in term.args]
    if term.op == "name":
        return env[term.text]
    if term.op == "num":
        return float(Fraction(term.text))
    if term.op == "neg":
        return -args[0]
    if term.op == "add":
        return sum(args[1:], args[0])
    if term.op in ("mul", "div", "pow"):
        total = args[0]
        for a in args[1:]:
            total = total * a if term.op == "mul" else total / a if term.op == "div" \
                else total ** a
        return total
    return _TERM_FUNCTIONS[term.text](args[0])


def _value(x: Any) -> Any:
    """The plain number inside an autograd box (used only for the softmax shift)."""
    while hasattr(x, "_value"):
        x = x._value
    return x


def loss_of_outputs(spec: NetworkSpec, outs: Mapping[str, Any], targets: Mapping[str, Any]
                    ) -> Any:
    kind = spec.loss.kind
    if spec.loss.formula is not None:
        named = {spec.names.name("target", u): targets[u] for u in spec.outputs}
        return term_value(spec.loss.formula, {**outs, **named})
    terms: list[Any] = []
    for name in spec.outputs:
        a = outs[name]
        y = targets[name]
        if kind == "squared_error":
            terms.append((y - a) ** 2)
        elif kind == "binary_cross_entropy":
            terms.append(-(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a)))
        elif kind == "cross_entropy":
            terms.append(-y * anp.log(a))
        else:
            raise ValueError(kind)
    scale = float(spec.loss.factor)
    if spec.loss.reduction == "mean":
        scale /= len(spec.outputs)
    return scale * sum(terms[1:], terms[0])


def example_loss(spec: NetworkSpec, params: Mapping[str, Any], inputs: Mapping[str, Any],
                 targets: Mapping[str, Any]) -> Any:
    _, outs = forward(spec, params, inputs)
    return loss_of_outputs(spec, outs, targets)


def penalty(spec: NetworkSpec, params: Mapping[str, Any]) -> Any:
    """λ/2 Σ w² over the weights (and the biases when the spec says so), λ the spec's."""
    decay = spec.weight_decay
    if decay is None:
        return 0.0
    assert spec.values.weight_decay is not None, "a weight decay needs its λ in the values"
    names = [p.name for p in spec.params if p.kind == "weight" or decay.biases]
    squares = [params[n] * params[n] for n in names]
    return float(spec.values.weight_decay) / 2 * sum(squares[1:], squares[0])


def loss_function(spec: NetworkSpec, examples: Sequence[tuple[Mapping[str, float],
                                                              Mapping[str, float]]]
                  ) -> Callable[[Any], Any]:
    """θ ↦ mean loss over ``examples``, θ a vector in the order of ``spec.params``."""
    names = param_names(spec)

    def cost(theta: Any) -> Any:
        params = {n: theta[k] for k, n in enumerate(names)}
        losses = [example_loss(spec, params, i, t) for i, t in examples]
        return sum(losses[1:], losses[0]) / len(losses) + penalty(spec, params)

    return cost


def oracle(spec: NetworkSpec, params: Mapping[str, float],
           examples: Sequence[tuple[Mapping[str, float], Mapping[str, float]]]) -> OracleResult:
    """Loss and autograd gradient of the mean loss over ``examples`` at ``params``."""
    names = param_names(spec)
    theta = np.array([float(params[n]) for n in names], dtype=float)
    cost = loss_function(spec, examples)
    gradient = grad(cost)(theta) if names else np.zeros(0)
    return OracleResult(float(cost(theta)),
                        {n: float(gradient[k]) for k, n in enumerate(names)})


def kink_distance(spec: NetworkSpec, params: Mapping[str, float],
                  examples: Sequence[tuple[Mapping[str, float], Mapping[str, float]]]) -> float:
    """The smallest |net input| of a relu or leaky_relu unit over ``examples`` (inf if none)."""
    kinked = [u.name for u in spec.units if u.activation.kind in KINKED]
    best = float("inf")
    for inputs, _ in examples:
        nets, _ = forward(spec, params, inputs)
        for name in kinked:
            best = min(best, abs(float(nets[name])))
    return best


def close(actual: float, expected: float, *, rel: float = 1e-9, floor: float = 1e-12) -> bool:
    """|actual − expected| ≤ rel · max(|actual|, |expected|), or ≤ floor near zero."""
    diff = abs(actual - expected)
    return bool(diff <= rel * max(abs(actual), abs(expected)) or diff <= floor)


def mismatches(actual: Mapping[str, float], expected: Mapping[str, float], *,
               rel: float = 1e-9, floor: float = 1e-12) -> list[str]:
    """A line per parameter whose values disagree (or that only one side has)."""
    lines: list[str] = []
    for name in sorted(set(actual) | set(expected)):
        if name not in actual or name not in expected:
            lines.append(f"{name}: present on one side only")
            continue
        a, e = float(actual[name]), float(expected[name])
        if not close(a, e, rel=rel, floor=floor):
            lines.append(f"{name}: tool {a!r} vs oracle {e!r}")
    return lines


# ------------------------------------------------------------------ the package's side
#
# The functions below run the package under test at a point, so that both test modules
# compare the same three things with the oracle: the compiled (lambdified) δ-form, the δ-form
# evaluated by SymPy substitution, and the fully substituted closed form.


@dataclass
class ToolRun:
    """The package's numbers for one example."""

    loss: float
    gradients: dict[str, float]
    nets: dict[str, float]
    outs: dict[str, float]


def _numeric_stand_ins(expr: Any) -> Any:
    """Replace unspecified activations f, f' by tanh, 1 − tanh² (the stand-in the tests ask
    the package for with ``--define f=tanh``)."""
    import sympy as sp

    from symbackprop.network.functions import Unspecified, UnspecifiedPrime

    expr = expr.replace(lambda e: isinstance(e, UnspecifiedPrime),
                        lambda e: 1 - sp.tanh(e.args[0]) ** 2)
    return expr.replace(lambda e: isinstance(e, Unspecified), lambda e: sp.tanh(e.args[0]))


def sympy_number(expr: Any, values: Mapping[Any, Any], digits: int = 30) -> float:
    """``expr`` at ``values`` (symbol → number), evaluated by SymPy itself (no lambdify)."""
    import sympy as sp

    filled = _numeric_stand_ins(sp.sympify(expr).xreplace(dict(values)))
    number = sp.N(filled, digits)
    if number.free_symbols:
        raise AssertionError(f"unevaluated symbols left: {number.free_symbols}")
    return float(number)


def point_symbols(net: Any, params: Mapping[str, float], inputs: Mapping[str, float],
                  targets: Mapping[str, float]) -> dict[Any, Any]:
    """Numbers for the network's parameter, input and target symbols."""
    import sympy as sp

    values: dict[Any, Any] = {}
    if net.decay is not None:  # λ of a weight decay: the spec's, as the oracle's penalty
        values[net.decay] = sp.Float(repr(float(net.spec.values.weight_decay)), 30)
    for p in net.params:
        values[p] = sp.Float(repr(float(params[p.name])), 30)
    for i, sym in zip(net.spec.inputs, net.inputs, strict=True):
        values[sym] = sp.Float(repr(float(inputs[i.name])), 30)
    for u in net.outputs:
        assert u.target is not None
        values[u.target] = sp.Float(repr(float(targets[u.name])), 30)
    return values


def delta_form_gradients(net: Any, grads: Any, params: Mapping[str, float],
                         inputs: Mapping[str, float], targets: Mapping[str, float]
                         ) -> dict[str, float]:
    """Every ``grads.gradient(p)`` (δ-form) evaluated by substitution.

    Net inputs and activations come from the oracle's forward pass; each δ is the package's
    recurrence ``grads.deltas`` evaluated from the output layer back.
    """
    import sympy as sp

    values = point_symbols(net, params, inputs, targets)
    nets, outs = forward(net.spec, params, inputs)
    for u in net.units:
        values[u.net] = sp.Float(repr(float(nets[u.name])), 30)
        values[u.out] = sp.Float(repr(float(outs[u.name])), 30)
    for u in reversed(net.units):
        values[u.delta] = sp.Float(sympy_number(grads.deltas[u.name], values), 30)
    return {p.name: sympy_number(grads.gradient(p), values) for p in net.params}


def closed_form_gradients(net: Any, grads: Any, params: Mapping[str, float],
                          inputs: Mapping[str, float], targets: Mapping[str, float]
                          ) -> dict[str, float]:
    """Every closed form, with every net and out substituted, evaluated by SymPy."""
    values = point_symbols(net, params, inputs, targets)
    return {p.name: sympy_number(net.substitute(grads.derivation(p).closed), values)
            for p in net.params}


def tool_runs(net: Any, grads: Any, params: Mapping[str, float],
              examples: Sequence[tuple[Mapping[str, float], Mapping[str, float]]],
              module: str = "numpy") -> list[ToolRun]:
    """The package's compiled pass for each example."""
    from symbackprop.numeric.lambdified import compile_network

    compiled = compile_network(net, grads, module=module)
    runs = []
    for inputs, targets in examples:
        r = compiled.run(params, inputs, targets)
        runs.append(ToolRun(float(r.loss), {k: float(v) for k, v in r.gradients.items()},
                            {k: float(v) for k, v in r.nets.items()},
                            {k: float(v) for k, v in r.outs.items()}))
    return runs


def built(spec: Any) -> Any:
    """The package's network of ``spec``, its unspecified functions evaluated as the oracle
    evaluates them (asked for, as a user asks with ``--define f=tanh``)."""
    from symbackprop.network.build import build_network

    net = build_network(spec)
    return net.with_stand_ins(dict.fromkeys(net.functions, UNSPECIFIED_AS))


def agrees_with_reference(spec: NetworkSpec, params: Mapping[str, float],
                          inputs: Mapping[str, float], targets: Mapping[str, float],
                          expected_loss: float, expected: Mapping[str, float]) -> tuple[Any, Any]:
    """The package's loss and every gradient at one example equal the reference's, and
    gradcheck passes there; the network and its derivation, for further comparisons."""
    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.numeric.gradient_check import gradcheck
    from symbackprop.spec.load import Example, Values

    net = build_network(spec)
    grads = derive(net)
    run = tool_runs(net, grads, params, [(inputs, targets)])[0]
    assert close(run.loss, expected_loss), (run.loss, expected_loss)
    bad = mismatches(run.gradients, expected)
    assert not bad, "; ".join(bad)
    report = gradcheck(net, grads, Values(params=dict(params),
                                          examples=(Example(dict(inputs), dict(targets)),)))
    assert report.ok, [r.name for r in report.parameters if not r.ok]
    return net, grads

