"""Gradient checks in float64: random directions with sampled parameters, and every parameter
of a large layered network through the matrix code.

In float64 along a direction d with Gaussian entries, g·d is compared with
(J(θ + hd) − J(θ − hd)) / 2h, h = 10⁻⁶·max(1, rms θ), and a sampled parameter with
h = 10⁻⁵·max(1, |p|). Rounding leaves ≈ 10⁻¹⁶·|J|/h of noise in the difference, so a
gradient below FLOAT_FLOOR·max(1, |J|) cannot be resolved to the relative tolerance: where
such a gradient and its difference do not agree relatively and their difference is within
the noise floor, the check is reported not checked instead of passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients
from ..spec.load import Values
from .check_results import (
    AGREE,
    DISAGREE,
    NOT_CHECKED,
    DirectionCheck,
    GradcheckReport,
    ParamCheck,
    build_report,
)
from .identifiers import lambdify_by_position
from .lambdified import compile_network, namespace, stable_deltas
from .vectorized import VectorizedNetwork, activation_function, loss_function, vectorize

FULL_LIMIT = 2000  # auto: a full check up to this many parameters, directional above
FLOAT_STEP = 1e-5
DIRECTION_STEP = 1e-6  # a direction moves every parameter at once: a smaller step
FLOAT_REL_TOL = 1e-6
FLOAT_FLOOR = 1e-3  # times max(1, |J|): below this a gradient counts as near zero

FLOAT_RULE = (f"central difference (J(θ+hd) − J(θ−hd))/2h in float64 with "
              f"h = {FLOAT_STEP:g}·max(1, |p|) for one parameter and "
              f"{DIRECTION_STEP:g}·max(1, rms θ) for a direction d (Gaussian entries); a check "
              f"agrees when |analytic − numeric| / max(|analytic|, |numeric|) is at most "
              f"{FLOAT_REL_TOL:g}, disagrees when "
              f"|analytic − numeric| / max(|analytic|, |numeric|, {FLOAT_FLOOR:g}·max(1, |J|)) "
              f"is above it, and is not checked otherwise (a gradient below the floor, which "
              f"float64 cannot resolve)")


@dataclass
class _FloatProblem:
    """J(θ) and its analytic gradient in float64, by the fastest available route."""

    names: tuple[str, ...]
    theta: np.ndarray
    cost: Callable[[np.ndarray], float]
    gradient: np.ndarray
    coordinate: Callable[[int], float]  # the analytic value reported for one parameter


def matrix_code(net: Network) -> VectorizedNetwork | None:
    """The matrix code of ``net``, or None when it is not layered or its loss is a stand-in
    for an unspecified one (which the matrix code has no formula for)."""
    if net.spec.loss.kind == "unspecified":
        return None
    return vectorize(net)


def _float_problem(net: Network, grads: Gradients, point: Values,
                   vec: VectorizedNetwork | None) -> _FloatProblem:
    names = tuple(p.name for p in net.trained)  # θ: a frozen parameter stays at its value
    if vec is not None:
        x = vec.batch([ex.inputs for ex in point.examples], vec.plan.inputs)
        t = vec.batch([ex.targets for ex in point.examples], vec.plan.outputs)
        theta = vec.pack(point.params)
        batch = vec.run(theta, x, t)
        symbolic = _SymbolicGradient(net, grads, theta, x, t, batch)
        return _FloatProblem(names, theta, lambda th: vec.cost(th, x, t), batch.gradient,
                             symbolic.value)
    compiled = compile_network(net, grads, module="numpy")
    theta = np.array([point.params[n] for n in names], dtype=float)
    m = len(point.examples)
    gradient = np.zeros(len(names))
    for ex in point.examples:
        result = compiled.run(point.params, ex.inputs, ex.targets)
        gradient += np.array([float(result.gradients[n]) for n in names]) / m

    def cost(th: np.ndarray) -> float:
        at = {**point.params, **dict(zip(names, th.tolist(), strict=True))}
        return sum(float(compiled.loss(at, ex.inputs, ex.targets))
                   for ex in point.examples) / m

    return _FloatProblem(names, theta, cost, gradient, lambda k: float(gradient[k]))


class _SymbolicGradient:
    """∂J/∂p from the symbolic δ-form, with each δ_v evaluated from its own recurrence.

    The recurrence of δ_v needs the δ of the units v feeds, the weights and the unit values;
    those come from the matrix pass, so a wrong recurrence or local derivative shows up as a
    disagreement with the finite difference.
    """

    def __init__(self, net: Network, grads: Gradients, theta: np.ndarray, x: np.ndarray,
                 t: np.ndarray, batch: Any) -> None:
        self.net, self.grads = net, grads
        self.values: dict[sp.Symbol, Any] = {}
        for k, p in enumerate(net.params):
            self.values[p] = theta[k]
        for k, s in enumerate(net.inputs):
            self.values[s] = x[:, k]
        for u in net.units:
            self.values[u.net] = batch.nets[u.name]
            self.values[u.out] = batch.outs[u.name]
            # the matrix pass computes ∂J/∂z; δ is that times the spec's sign
            self.values[u.delta] = grads.sign * batch.deltas[u.name]
        for k, u in enumerate(net.outputs):
            if u.target is not None:
                self.values[u.target] = t[:, k]
        self.deltas: dict[str, Any] = {}
        # an output δ in the log domain where the loss needs it (see numeric.stable)
        self.stable_deltas = stable_deltas(net, grads)

    def _evaluate(self, expr: sp.Expr) -> Any:
        free = sorted(expr.free_symbols, key=lambda s: s.name)
        f = lambdify_by_position(free, expr,
                                 modules=[namespace("numpy", [expr], self.net), "numpy"])
        return f(*[self.values[s] for s in free])

    def delta(self, unit: str) -> Any:
        if unit not in self.deltas:
            self.deltas[unit] = self._evaluate(self.stable_deltas[unit])
        return self.deltas[unit]

    def value(self, k: int) -> float:
        param = self.net.params[k]
        total = 0.0
        for use in self.grads.uses(param):
            source = 1.0 if use.source is None else self.values[use.source]
            total += float(np.mean(self.delta(use.unit.name) * source))
        return self.grads.sign * total


def _judge(analytic: float, numeric: float, cost: float) -> tuple[float, float, str, str]:
    """(absolute error, relative error, verdict, reason) of one float64 comparison.

    float64 rounding leaves ≈ 1e-16·|J|/h of noise in the difference: below the floor
    FLOAT_FLOOR·max(1, |J|) a gradient that does not agree relatively is within that noise,
    and is not checked rather than passed."""
    abs_err = abs(analytic - numeric)
    scale = max(abs(analytic), abs(numeric))
    rel = abs_err / scale if scale > 0 else 0.0
    floor = FLOAT_FLOOR * max(1.0, abs(cost))
    if rel <= FLOAT_REL_TOL:
        return abs_err, rel, AGREE, ""
    if abs_err > FLOAT_REL_TOL * max(scale, floor):
        return abs_err, rel, DISAGREE, ""
    return abs_err, rel, NOT_CHECKED, (f"below what float64 resolves: |gradient| under "
                                       f"{floor:.1e} ({FLOAT_FLOOR:g}·max(1, |J|))")


def _param_check(name: str, analytic: float, numeric: float, cost: float) -> ParamCheck:
    abs_err, rel, status, reason = _judge(analytic, numeric, cost)
    return ParamCheck(name, analytic, numeric, abs_err, rel, status != DISAGREE, status, reason)


def directional_check(net: Network, grads: Gradients, point: Values, notes: list[str], *,
                      seed: int, directions: int, coordinates: int,
                      progress: Callable[[str], None] | None) -> GradcheckReport:
    problem = _float_problem(net, grads, point, matrix_code(net))
    theta, cost = problem.theta, problem.cost
    rng = np.random.default_rng(seed)
    j0 = cost(theta)
    h = DIRECTION_STEP * max(1.0, float(np.sqrt(np.mean(theta ** 2))))
    checks: list[DirectionCheck] = []
    for k in range(directions):
        d = rng.standard_normal(theta.size)
        analytic = float(problem.gradient @ d)
        numeric = (cost(theta + h * d) - cost(theta - h * d)) / (2 * h)
        abs_err, rel, status, reason = _judge(analytic, numeric, j0)
        checks.append(DirectionCheck(k + 1, analytic, numeric, abs_err, rel, status != DISAGREE,
                                     status, reason))
        if progress is not None:
            progress(f"direction {k + 1}")
    sample = sorted(rng.choice(theta.size, size=min(coordinates, theta.size), replace=False))
    rows = [_coordinate(problem, int(k), j0) for k in sample]
    if progress is not None:
        for r in rows:
            progress(r.name)
    notes = [*notes, f"{directions} random directions and {len(rows)} of {theta.size} "
             f"parameters sampled (seed {seed})"]
    return build_report(rows, checks, FLOAT_RULE, "directional", point, notes, theta.size)


def _coordinate(problem: _FloatProblem, k: int, j0: float) -> ParamCheck:
    theta = problem.theta
    h = FLOAT_STEP * max(1.0, abs(float(theta[k])))
    plus, minus = theta.copy(), theta.copy()
    plus[k] += h
    minus[k] -= h
    numeric = (problem.cost(plus) - problem.cost(minus)) / (2 * h)
    analytic = problem.coordinate(k)
    return _param_check(problem.names[k], analytic, numeric, j0)


def full_float_check(net: Network, vec: VectorizedNetwork, point: Values, notes: list[str],
                     *, progress: Callable[[str], None] | None) -> GradcheckReport:
    x = vec.batch([ex.inputs for ex in point.examples], vec.plan.inputs)
    t = vec.batch([ex.targets for ex in point.examples], vec.plan.outputs)
    theta = vec.pack(point.params)
    batch = vec.run(theta, x, t)
    gradient = batch.gradient
    names = tuple(p.name for p in net.params)
    problem = _FloatProblem(names, theta, lambda th: vec.cost(th, x, t), gradient,
                            lambda k: float(gradient[k]))
    j0 = problem.cost(theta)
    steps = FLOAT_STEP * np.maximum(1.0, np.abs(theta))
    shifted = _shifted_costs(vec, theta, x, t, steps)
    rows: list[ParamCheck] = []
    if shifted is None:
        for k in range(theta.size):
            rows.append(_coordinate(problem, k, j0))
            if progress is not None:
                progress(rows[-1].name)
    else:
        numeric = (shifted[0] - shifted[1]) / (2 * steps)
        for k, (a, nu) in enumerate(zip(gradient.tolist(), numeric.tolist(), strict=True)):
            rows.append(_param_check(names[k], a, nu, float(j0)))
            if progress is not None:
                progress(names[k])
    notes = [*notes, "float64 through the matrix code: a high-precision check of every "
             f"parameter of a network this size is too slow (over {FULL_LIMIT} parameters)"]
    return build_report(rows, [], FLOAT_RULE, "full", point, notes, theta.size)


CHUNK = 4096  # shifted parameters evaluated together (bounds the memory of a layer's pass)


def _shifted_costs(vec: VectorizedNetwork, theta: np.ndarray, x: np.ndarray, t: np.ndarray,
                   steps: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """J(θ + h_k e_k) and J(θ − h_k e_k) for every parameter k at once, or None.

    Shifting the weight w^l_{jk} by h moves only z^l_j, by h·a^{l−1}_k (a bias: by h), so
    every shifted pass shares the layers below l and differs from the unshifted one by a
    single column of layer l: those columns go through the layers above together, as one
    batch. Needs every W^l and b^l to be its own slice of θ (no shared parameters).
    """
    plan = vec.plan
    blocks = [b for lay in plan.layers for b in (lay.weights, lay.bias) if b is not None]
    if any(b.kind != "slice" for b in blocks):
        return None
    _, _, zs, acts, _ = vec.core(theta, x, t)
    weights = [theta[lay.weights.start:lay.weights.start + lay.weights.size].reshape(
        lay.weights.shape) for lay in plan.layers]
    biases = [None if lay.bias is None else theta[lay.bias.start:lay.bias.start + lay.bias.size]
              for lay in plan.layers]
    functions = [activation_function(lay) for lay in plan.layers]
    losses = loss_function(plan)
    plus, minus = np.empty(theta.size), np.empty(theta.size)
    for n, lay in enumerate(plan.layers):
        below = x if n == 0 else acts[n - 1]
        rows, cols = lay.weights.shape
        # (unit j, shift of z_j per example) for each parameter of the layer, in θ order
        units = np.repeat(np.arange(rows), cols)
        moves = np.tile(below.T, (rows, 1))  # row j·cols + k is a^{l−1}_k over the batch
        index = np.arange(lay.weights.start, lay.weights.start + lay.weights.size)
        if lay.bias is not None:
            units = np.concatenate([units, np.arange(rows)])
            moves = np.concatenate([moves, np.ones((rows, x.shape[0]))])
            index = np.concatenate([index, np.arange(lay.bias.start,
                                                     lay.bias.start + lay.bias.size)])
        for lo in range(0, len(units), CHUNK):
            part = slice(lo, lo + CHUNK)
            h = steps[index[part]][:, None]
            for sign, out in ((1.0, plus), (-1.0, minus)):
                out[index[part]] = _tail(n, units[part], sign * h * moves[part], zs, acts,
                                         weights, biases, functions, losses, t)
    return plus, minus


def _tail(n: int, units: np.ndarray, shift: np.ndarray, zs: Sequence[np.ndarray],
          acts: Sequence[np.ndarray], weights: Sequence[np.ndarray],
          biases: Sequence[np.ndarray | None], functions: Sequence[Any], losses: Any,
          t: np.ndarray) -> np.ndarray:
    """J with z^{n+1}_{units[p]} moved by shift[p] (per example), for every p."""
    count, m = shift.shape
    last = len(weights) - 1
    if n == last:
        z = np.repeat(zs[n][None], count, axis=0)
        z[np.arange(count), :, units] += shift
    else:
        zj = zs[n][:, units].T + shift  # (count, m)
        change = functions[n](zj.reshape(-1, 1)).reshape(count, m) - acts[n][:, units].T
        z = zs[n + 1][None] + change[:, :, None] * weights[n + 1][:, units].T[:, None, :]
        for k in range(n + 1, last):
            a = functions[k](z.reshape(count * m, -1))
            z = a @ weights[k + 1].T
            if biases[k + 1] is not None:
                z += biases[k + 1]
            z = z.reshape(count, m, -1)
    flat = z.reshape(count * m, -1)
    a = functions[last](flat)
    return np.asarray(losses(flat, a, np.tile(t, (count, 1)))).reshape(count, m).mean(axis=1)
