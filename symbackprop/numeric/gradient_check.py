"""Compare symbolic gradients with central finite differences.

Two methods:

* **full** (small networks): every parameter, in high precision. With 40 significant digits,
  numeric = (J(p + h) − J(p − h)) / 2h, h = 10⁻¹⁵·max(1, |p|). The truncation error is
  O(h²) ≈ 10⁻³⁰ and rounding ≈ 10⁻²⁵, so a correct gradient agrees to far better than the
  tolerance, and a wrong one cannot hide in floating-point noise. On a large layered network
  a full check runs in float64 through the matrix code instead.
* **directional** (large networks): in float64, k random directions d, comparing g·d with
  (J(θ + hd) − J(θ − hd)) / 2h, plus a random sample of single parameters. For each sampled
  parameter the analytic value is the symbolic δ-form Σ δ_v·a, with δ_v evaluated from its
  own symbolic recurrence, so the derivation itself is checked, not only the matrix code.
  h = 10⁻⁵·max(1, |p|) per parameter and 10⁻⁶·max(1, rms θ) along a direction with
  Gaussian entries (which moves every parameter at once): large enough that rounding
  (≈ 10⁻¹⁶·J/h) stays far below the tolerance, small enough that truncation does too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import ValuesError
from ..network.build import Network
from ..network.derivation import Gradients
from ..network.display import Displayable
from ..spec.load import Values
from .identifiers import lambdify_by_position
from .lambdified import HIGH_PRECISION_DIGITS, compile_network, namespace, stable_deltas
from .points import complete_values, softmax_cross_entropy
from .vectorized import VectorizedNetwork, activation_function, loss_function, vectorize

REL_TOL = 1e-10
ABS_TOL = 1e-20
STEP = "1e-15"

METHODS = ("auto", "full", "directional")
FULL_LIMIT = 2000  # auto: a full check up to this many parameters, directional above
DIRECTIONS = 8
COORDINATES = 32
FLOAT_STEP = 1e-5
DIRECTION_STEP = 1e-6  # a direction moves every parameter at once: a smaller step
FLOAT_REL_TOL = 1e-6
FLOAT_FLOOR = 1e-3  # times max(1, |J|): below this a gradient counts as near zero
KINKED = ("relu", "leaky_relu")
KINK_DISTANCE = mpmath.mpf("1e-12")  # a net input this close to 0 puts the point on a kink


@dataclass(frozen=True)
class ParamCheck:
    name: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class DirectionCheck:
    """One random-direction check: g·d against the central difference along d."""

    index: int
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport(Displayable):
    """The outcome of a gradient check: one row per parameter checked."""

    ok: bool
    max_rel_error: float
    parameters: list[ParamCheck]
    rule: str
    method: str  # "full" | "directional"
    point: Values
    notes: list[str] = field(default_factory=list)
    directions: list[DirectionCheck] = field(default_factory=list)
    total_parameters: int = 0


RULE = (f"central difference (J(p+h) − J(p−h))/2h with h = {STEP}·max(1, |p|), computed with "
        f"{HIGH_PRECISION_DIGITS} significant digits (mpmath); a gradient passes when its "
        f"relative error is at most {REL_TOL:g} or its absolute error at most {ABS_TOL:g}")
FLOAT_RULE = (f"central difference (J(θ+hd) − J(θ−hd))/2h in float64 with "
              f"h = {FLOAT_STEP:g}·max(1, |p|) for one parameter and "
              f"{DIRECTION_STEP:g}·max(1, rms θ) for a direction d (Gaussian entries); a check "
              f"passes when "
              f"|analytic − numeric| / max(|analytic|, |numeric|, {FLOAT_FLOOR:g}·max(1, |J|)) "
              f"is at most {FLOAT_REL_TOL:g} (the floor judges near-zero gradients by their "
              f"absolute error)")


def relative_error(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def resolve_method(net: Network, method: str = "auto") -> str:
    """``full`` or ``directional``: ``auto`` picks by the number of parameters."""
    if method not in METHODS:
        raise ValuesError(f"unknown gradcheck method `{method}`", field="--method",
                          hint="choose from " + ", ".join(METHODS))
    if method == "auto":
        return "full" if len(net.params) <= FULL_LIMIT else "directional"
    return method


def check_count(net: Network, method: str = "auto", *, directions: int = DIRECTIONS,
                coordinates: int = COORDINATES) -> int:
    """How many progress ticks :func:`gradcheck` reports."""
    if resolve_method(net, method) == "full":
        return len(net.params)
    return directions + min(coordinates, len(net.params))


def gradcheck(net: Network, grads: Gradients, values: Values | None = None, *, seed: int = 0,
              method: str = "auto", directions: int = DIRECTIONS,
              coordinates: int = COORDINATES,
              progress: Callable[[str], None] | None = None) -> GradcheckReport:
    """Check the gradients of ``net`` at ``values`` (random where values are missing).

    ``method`` is ``full`` (every parameter), ``directional`` (random directions plus a
    sample of parameters) or ``auto`` (full up to :data:`FULL_LIMIT` parameters).

    >>> report = gradcheck(net, derive(net))  # doctest: +SKIP
    >>> report.ok, report.method  # doctest: +SKIP
    (True, 'full')
    """
    chosen = resolve_method(net, method)
    point, notes = complete_values(net, values or Values(), seed=seed)
    if chosen == "directional":
        return _directional(net, grads, point, notes, seed=seed, directions=directions,
                            coordinates=coordinates, progress=progress)
    vec = vectorize(net) if len(net.params) > FULL_LIMIT else None
    if vec is not None:
        return _full_float(net, vec, point, notes, progress=progress)
    return _full_exact(net, grads, point, notes, progress=progress)


def _report(rows: list[ParamCheck], checks: Sequence[DirectionCheck], rule: str, method: str,
            point: Values, notes: list[str], total: int) -> GradcheckReport:
    errors = [r.rel_error for r in rows] + [c.rel_error for c in checks]
    return GradcheckReport(
        ok=all(r.ok for r in rows) and all(c.ok for c in checks),
        max_rel_error=max(errors, default=0.0), parameters=rows, rule=rule, method=method,
        point=point, notes=notes, directions=list(checks), total_parameters=total,
    )


def _full_exact(net: Network, grads: Gradients, point: Values, notes: list[str], *,
                progress: Callable[[str], None] | None) -> GradcheckReport:
    compiled = compile_network(net, grads, module="mpmath")
    rows: list[ParamCheck] = []
    with mpmath.workdps(HIGH_PRECISION_DIGITS):
        params = {k: mpmath.mpf(repr(v)) for k, v in point.params.items()}
        examples = [({k: mpmath.mpf(repr(v)) for k, v in ex.inputs.items()},
                     _exact_targets(net, ex.targets)) for ex in point.examples]
        m = len(examples)
        analytic = {p.name: mpmath.mpf(0) for p in net.params}
        kinks: list[str] = []
        for inputs, targets in examples:
            result = compiled.run(params, inputs, targets)
            for name, g in result.gradients.items():
                analytic[name] += g / m
            kinks += [u.name for u in net.spec.units if u.activation.kind in KINKED
                      and abs(result.nets[u.name]) <= KINK_DISTANCE and u.name not in kinks]

        def cost(at: dict[str, mpmath.mpf]) -> mpmath.mpf:
            return mpmath.fsum(compiled.loss(at, i, t) for i, t in examples) / m

        def moved(name: str, by: mpmath.mpf) -> mpmath.mpf:
            return cost({**params, name: params[name] + by})

        at_kink = []
        for p in net.params:
            h = mpmath.mpf(STEP) * max(1, abs(params[p.name]))
            numeric = (moved(p.name, h) - moved(p.name, -h)) / (2 * h)
            a = analytic[p.name]
            ok = _agrees(a, numeric)
            if not ok and kinks:
                # on a kink the central difference straddles two slopes: the derivative there
                # is a choice (step(0) = 0); any value between the one-sided slopes is one
                here = cost(params)
                right, left = (moved(p.name, h) - here) / h, (here - moved(p.name, -h)) / h
                low, high = min(left, right), max(left, right)
                ok = _agrees(a, left) or _agrees(a, right) or low <= a <= high
                if ok:
                    numeric = left if abs(a - left) <= abs(a - right) else right
                    at_kink.append(p.name)
            abs_err = abs(a - numeric)
            scale = max(abs(a), abs(numeric))
            rel = abs_err / scale if scale != 0 else mpmath.mpf(0)
            rows.append(ParamCheck(p.name, float(a), float(numeric), float(abs_err), float(rel),
                                   ok))
            if progress is not None:
                progress(p.name)
    if at_kink:
        notes = [*notes, f"the point is on a kink (net input 0) of {', '.join(kinks)}: "
                 f"{', '.join(at_kink)} checked against the one-sided differences, the "
                 f"gradient there being a one-sided slope (step(0) = 0)"]
    return _report(rows, [], RULE, "full", point, notes, len(net.params))


def _exact_targets(net: Network, targets: dict[str, float]) -> dict[str, Any]:
    """The targets in high precision; a softmax layer's scaled to sum to 1 exactly. A sum
    within 10⁻⁹ of 1 is a distribution to the loader, and δ = a − y holds only at 1: at 40
    digits the difference would fail a correct gradient near 0."""
    exact = {k: mpmath.mpf(repr(v)) for k, v in targets.items()}
    total = mpmath.fsum(exact.values())
    if softmax_cross_entropy(net) and total > 0:
        exact = {k: v / total for k, v in exact.items()}
    return exact


def _agrees(analytic: Any, numeric: Any) -> bool:
    abs_err = abs(analytic - numeric)
    scale = max(abs(analytic), abs(numeric))
    return bool(abs_err <= ABS_TOL or (scale != 0 and abs_err / scale <= REL_TOL))


# ------------------------------------------------------------------------- float64 checks


@dataclass
class _FloatProblem:
    """J(θ) and its analytic gradient in float64, by the fastest available route."""

    names: tuple[str, ...]
    theta: np.ndarray
    cost: Callable[[np.ndarray], float]
    gradient: np.ndarray
    coordinate: Callable[[int], float]  # the analytic value reported for one parameter


def _float_problem(net: Network, grads: Gradients, point: Values,
                   vec: VectorizedNetwork | None) -> _FloatProblem:
    names = tuple(p.name for p in net.params)
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
        at = dict(zip(names, th.tolist(), strict=True))
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
            self.values[u.delta] = batch.deltas[u.name]
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
        return total


def _judge(analytic: float, numeric: float, cost: float) -> tuple[float, float, bool]:
    abs_err = abs(analytic - numeric)
    # float64 rounding leaves ≈ 1e-16·|J|/h of noise: a floor on the scale keeps it from
    # counting as relative error on components that are zero in all but rounding
    scale = max(abs(analytic), abs(numeric), FLOAT_FLOOR * max(1.0, abs(cost)))
    rel = abs_err / scale
    return abs_err, rel, rel <= FLOAT_REL_TOL


def _directional(net: Network, grads: Gradients, point: Values, notes: list[str], *,
                 seed: int, directions: int, coordinates: int,
                 progress: Callable[[str], None] | None) -> GradcheckReport:
    problem = _float_problem(net, grads, point, vectorize(net))
    theta, cost = problem.theta, problem.cost
    rng = np.random.default_rng(seed)
    j0 = cost(theta)
    h = DIRECTION_STEP * max(1.0, float(np.sqrt(np.mean(theta ** 2))))
    checks: list[DirectionCheck] = []
    for k in range(directions):
        d = rng.standard_normal(theta.size)
        analytic = float(problem.gradient @ d)
        numeric = (cost(theta + h * d) - cost(theta - h * d)) / (2 * h)
        checks.append(DirectionCheck(k + 1, analytic, numeric, *_judge(analytic, numeric, j0)))
        if progress is not None:
            progress(f"direction {k + 1}")
    sample = sorted(rng.choice(theta.size, size=min(coordinates, theta.size), replace=False))
    rows = [_coordinate(problem, int(k), j0) for k in sample]
    if progress is not None:
        for r in rows:
            progress(r.name)
    notes = [*notes, f"{directions} random directions and {len(rows)} of {theta.size} "
             f"parameters sampled (seed {seed})"]
    return _report(rows, checks, FLOAT_RULE, "directional", point, notes, theta.size)


def _coordinate(problem: _FloatProblem, k: int, j0: float) -> ParamCheck:
    theta = problem.theta
    h = FLOAT_STEP * max(1.0, abs(float(theta[k])))
    plus, minus = theta.copy(), theta.copy()
    plus[k] += h
    minus[k] -= h
    numeric = (problem.cost(plus) - problem.cost(minus)) / (2 * h)
    analytic = problem.coordinate(k)
    return ParamCheck(problem.names[k], analytic, numeric, *_judge(analytic, numeric, j0))


def _full_float(net: Network, vec: VectorizedNetwork, point: Values, notes: list[str], *,
                progress: Callable[[str], None] | None) -> GradcheckReport:
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
        # _judge, for every parameter at once
        abs_err = np.abs(gradient - numeric)
        scale = np.maximum(np.maximum(np.abs(gradient), np.abs(numeric)),
                           FLOAT_FLOOR * max(1.0, abs(float(j0))))
        rel = abs_err / scale
        ok = rel <= FLOAT_REL_TOL
        for k, (a, nu, e, r, good) in enumerate(zip(gradient.tolist(), numeric.tolist(),
                                                    abs_err.tolist(), rel.tolist(),
                                                    ok.tolist(), strict=True)):
            rows.append(ParamCheck(names[k], a, nu, e, r, good))
            if progress is not None:
                progress(names[k])
    notes = [*notes, "float64 through the matrix code: a high-precision check of every "
             f"parameter of a network this size is too slow (over {FULL_LIMIT} parameters)"]
    return _report(rows, [], FLOAT_RULE, "full", point, notes, theta.size)


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
