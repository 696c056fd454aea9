"""The network evaluated at random points in 50-digit arithmetic.

At each point the parameters, inputs and targets are drawn at random and the forward pass
gives every net input, activation, δ and the loss its value. Formulas are compiled with
``lambdify`` over all of these quantities, so a formula may use any of them. Unspecified
activations (seed 000's f) become a different random smooth function at each point, so an
identity that holds only for one choice of f is not accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients
from ..numeric.identifiers import lambdify_by_position
from ..numeric.lambdified import namespace
from ..numeric.points import random_example

DIGITS = 50
POINTS = 24
SCREEN = 4  # comparisons look at this many points first, to give up early
RELATIVE_TOLERANCE = mpmath.mpf(10) ** -40
ABSOLUTE_TOLERANCE = mpmath.mpf(10) ** -45
MAX_EXP_ARGUMENT = 10**6

Value = Any  # an mpmath number, or None where a formula is undefined


def real(value: Any) -> Value:
    """An mpf, or None for complex, infinite or undefined values."""
    try:
        if isinstance(value, mpmath.mpc):
            if abs(value.imag) > ABSOLUTE_TOLERANCE * max(1, abs(value.real)):
                return None
            value = value.real
        value = mpmath.mpf(value)
    except (TypeError, ValueError):
        return None
    return value if mpmath.isfinite(value) else None


def close(a: Value, b: Value) -> bool:
    """Agreement to 40 digits (two undefined values agree)."""
    if a is None or b is None:
        return a is None and b is None
    with mpmath.workdps(DIGITS):
        return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE)


def agrees(values_at: Callable[[int], Value], truth: list[Value]) -> bool:
    """Whether ``values_at(k)`` is close to ``truth[k]`` at every point (stops at the first
    that is not, so a wrong candidate usually costs one evaluation)."""
    return all(close(values_at(k), truth[k]) for k in range(len(truth)))


def _safe_exp(x: Any) -> Any:
    if abs(x) > MAX_EXP_ARGUMENT:
        raise OverflowError("exp argument too large")
    return mpmath.exp(x)


class EvaluationPoints:
    """Every quantity of ``net`` at ``count`` random points, and formulas evaluated there."""

    def __init__(self, net: Network, grads: Gradients, *, seed: int, count: int) -> None:
        self.net = net
        self.grads = grads
        self.count = count
        self.symbols: list[sp.Symbol] = list(net.latex_names)
        self.index = {s: k for k, s in enumerate(self.symbols)}
        self._rng = np.random.default_rng(seed)
        self._point = 0
        self._coefficients: list[list[Any]] = []
        self._namespace = self._build_namespace()
        self._gradients: dict[sp.Symbol, tuple[Callable[..., Any], list[Value]]] = {}
        with mpmath.workdps(DIGITS):
            self.values = self._forward_values()

    def _build_namespace(self) -> dict[str, Any]:
        ns = namespace("mpmath", [d for _, d in self.net.definitions])
        ns["exp"] = _safe_exp
        for u in self.net.units:
            if u.activation.kind == "unspecified":
                name = u.activation.fname or "f"
                ns[name] = self._generic(0)
                ns[f"{name}_prime"] = self._generic(1)
        return ns

    def _generic(self, order: int) -> Callable[[Any], Any]:
        """A random smooth function (or its derivative), different at each point."""
        def value(x: Any) -> Any:
            c0, c1, c2, c3, c4 = self._coefficients[self._point]
            if order == 0:
                return c0 + c1 * x + c2 * x**2 + c3 * mpmath.sin(c4 * x)
            return c1 + 2 * c2 * x + c3 * c4 * mpmath.cos(c4 * x)

        return value

    def _forward_values(self) -> list[list[Value]]:
        net = self.net
        args = [*net.params, *net.inputs, *net.targets]
        defs = [*net.definitions, (net.loss_symbol, net.loss)]
        defs += [(u.delta, self.grads.deltas[u.name]) for u in reversed(net.units)]
        forward = lambdify_by_position(args, self.symbols,
                                       modules=[self._namespace, "mpmath"], definitions=defs)
        rows: list[list[Value]] = []
        for k in range(self.count):
            self._coefficients.append([mpmath.mpf(float(c)) for c in
                                       self._rng.uniform(-1.0, 1.0, size=5)])
            self._point = k
            example = random_example(net, self._rng)
            params = [mpmath.mpf(float(v)) for v in self._rng.uniform(-1.0, 1.0,
                                                                       size=len(net.params))]
            inputs = [mpmath.mpf(example.inputs[i.name]) for i in net.spec.inputs]
            targets = [mpmath.mpf(example.targets[u.name]) for u in net.outputs]
            rows.append([real(v) for v in forward(*params, *inputs, *targets)])
        return rows

    def compile(self, expr: sp.Expr) -> Callable[..., Any]:
        """``expr`` as a function of every quantity, in :attr:`symbols` order."""
        return lambdify_by_position(self.symbols, expr, modules=[self._namespace, "mpmath"])

    def call(self, fn: Callable[..., Any], k: int, swap: dict[int, int] | None = None) -> Value:
        """``fn`` at point ``k``; ``swap`` gives argument ``i`` the value of argument ``j``."""
        row = self.values[k]
        if swap:
            row = list(row)
            for i, j in swap.items():
                row[i] = self.values[k][j]
        self._point = k
        try:
            with mpmath.workdps(DIGITS):
                return real(fn(*row))
        except (ArithmeticError, ValueError, TypeError):
            return None

    def at_every_point(self, fn: Callable[..., Any]) -> list[Value]:
        return [self.call(fn, k) for k in range(self.count)]

    def gradient(self, param: sp.Symbol) -> tuple[Callable[..., Any], list[Value]]:
        """The true ∂E/∂param, compiled, and its value at every point (kept per param)."""
        if param not in self._gradients:
            fn = self.compile(self.grads.derivation(param).closed)
            self._gradients[param] = (fn, self.at_every_point(fn))
        return self._gradients[param]

    def point(self, k: int) -> dict[str, float]:
        """The parameters, inputs and targets drawn at point ``k``."""
        net = self.net
        return {s.name: float(self.values[k][self.index[s]])
                for s in [*net.params, *net.inputs, *net.targets]}
