"""The network evaluated at random points in 50-digit arithmetic.

At each point the parameters, inputs and targets are drawn at random and the forward pass
gives every net input, activation, δ and the loss its value; the learning rate and each
output's loss term get theirs too. Formulas are compiled with ``lambdify`` over the
quantities they use, so a formula may use any of them. Unspecified activations (seed 000's
f) become a different random smooth function at each point, so an identity that holds only
for one choice of f is not accepted; functions a derivation introduces (``Let y = f(u)``)
get their own.

Cross-entropy targets of a softmax layer are made to sum to 1 exactly at the working
precision: the simplification δ = a − y that the tool states holds only then, and a correct
formula must not fail by 10⁻¹⁶.

A cost over m examples is checked on batches: point k has 2, 3 or 4 examples (the first
is the point's own), so ``1/m Σ_i ∂L^{(i)}/∂θ`` and ``1/3 Σ …`` cannot both pass.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ...network.derivation import Gradients
from ...numeric.identifiers import lambdify_by_position
from ...numeric.lambdified import namespace
from ...numeric.points import random_example, softmax_cross_entropy
from ...numeric.worked import MORE_DIGITS, as_written, working_digits
from ..meaning.quantities import Quantities

DIGITS = 50
POINTS = 24
SCREEN = 4  # comparisons look at this many points first, to give up early
RELATIVE_TOLERANCE = mpmath.mpf(10) ** -40
ABSOLUTE_TOLERANCE = mpmath.mpf(10) ** -45
FLOAT_SCREEN = 1e-12  # floats further apart than this (relative) cannot agree to 40 digits
FLOAT_FLOOR = 1e-44  # nor further apart than this absolutely (beyond ABSOLUTE_TOLERANCE)
MAX_EXP_ARGUMENT = 10**6
BATCH_SIZES = (2, 3, 4)
MAX_COMPILED = 20_000  # compiled formulas kept per network

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
    """Agreement to 40 digits (two undefined values agree).

    Values that differ already as floats (by more than 10⁻¹² relative, far beyond a float's
    rounding) are told apart without multiprecision arithmetic; every other pair is compared
    at full precision (mpmath rounds a − b correctly whatever the working precision).
    """
    if a is None or b is None:
        return a is None and b is None
    fa, fb = float(a), float(b)
    if abs(fa - fb) > FLOAT_SCREEN * max(abs(fa), abs(fb)) + FLOAT_FLOOR:
        return False  # an overflowing float gives inf - inf = nan: the exact test decides
    return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE)


def agrees(values_at: Callable[[int], Value], truth: list[Value]) -> bool:
    """Whether ``values_at(k)`` is close to ``truth[k]`` at every point (stops at the first
    that is not, so a wrong candidate usually costs one evaluation)."""
    return all(close(values_at(k), truth[k]) for k in range(len(truth)))


def _safe_exp(x: Any) -> Any:
    if abs(x) > MAX_EXP_ARGUMENT:
        raise OverflowError("exp argument too large")
    return mpmath.exp(x)


def _mpf(x: float) -> Any:
    """A number in the working precision, as the spec wrote it (0.1 is 1/10, 1/3 is 1/3)."""
    return as_written(x)


class Count(int):
    """A number of examples: an int for ``range``, exact under division and powers."""

    def __truediv__(self, other: Any) -> Any:
        return mpmath.mpf(int(self)) / other

    def __rtruediv__(self, other: Any) -> Any:
        return mpmath.mpf(other) / int(self)

    def __pow__(self, other: Any) -> Any:  # type: ignore[override]
        return mpmath.mpf(int(self)) ** other

    def __rpow__(self, other: Any) -> Any:  # type: ignore[override]
        return mpmath.mpf(other) ** int(self)


@dataclass
class Compiled:
    """A formula compiled over the quantities it uses; :meth:`at` evaluates it at a point."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]  # Symbols and IndexedBase labels, in argument order
    points: EvaluationPoints
    values: list[Value] | None = None

    def at(self, k: int, swap: dict[sp.Symbol, sp.Symbol] | None = None) -> Value:
        """The value at point ``k``; ``swap`` gives a symbol the value of another."""
        p = self.points
        try:
            row = [p.value_of(swap.get(a, a) if swap else a, k) for a in self.args]
            p.current = k
            with mpmath.workdps(DIGITS):
                return real(self.fn(*row))
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError):
            return None

    def everywhere(self) -> list[Value]:
        if self.values is None:  # the points never change: computed once
            self.values = [self.at(k) for k in range(self.points.count)]
        return list(self.values)


class EvaluationPoints:
    """Every quantity of a network at ``count`` random points, and formulas evaluated there."""

    def __init__(self, quantities: Quantities, grads: Gradients, *, seed: int,
                 count: int) -> None:
        net = quantities.net
        self.q = quantities
        self.net = net
        self.grads = grads
        self.count = count
        self.seed = seed
        self.symbols: list[sp.Symbol] = list(net.latex_names)
        self.index = {s: k for k, s in enumerate(self.symbols)}
        self._rng = np.random.default_rng(seed)
        self.current = 0
        self._coefficients: list[list[Any]] = []
        self._salted: dict[str, list[list[Any]]] = {}
        self._namespace = self._build_namespace()
        self._compiled: dict[sp.Expr, Compiled] = {}
        self._gradients: dict[sp.Symbol, tuple[Compiled, list[Value]]] = {}
        self._scalars: dict[sp.Symbol, list[Value]] = {}
        self._batches: list[list[list[Value]]] | None = None
        self._arrays: dict[str, list[list[Value]]] = {}
        self._params: list[list[Any]] = []
        with mpmath.workdps(DIGITS):
            self.values = self._forward_values()
            self._scalars[quantities.rate] = [
                mpmath.mpf(repr(float(r))) for r in self._rng.uniform(0.01, 1.0, size=count)]
            self._scalars[quantities.count] = [
                Count(BATCH_SIZES[k % len(BATCH_SIZES)]) for k in range(count)]

    # -- set-up --------------------------------------------------------------------
    def _build_namespace(self) -> dict[str, Any]:
        from ...network.functions import leaky_relu, leaky_step, relu, sigmoid, softplus, step

        x, a = sp.symbols("x a")
        every = [sigmoid(x), softplus(x), relu(x), step(x), leaky_relu(x, a),
                 leaky_step(x, a), *(d for _, d in self.net.definitions)]
        ns = namespace("mpmath", every)
        ns["exp"] = _safe_exp
        for u in self.net.units:
            if u.activation.kind == "unspecified":
                name = u.activation.fname or "f"
                ns[name] = self._generic(0)
                ns[f"{name}_prime"] = self._generic(1)
        if self.net.spec.loss.kind == "unspecified":
            # C(a, y) = Σ_k g_k(arg_k), random and smooth; ∂C/∂arg_k = g_k'(arg_k)
            name = type(self.net.loss).__name__
            parts = [self._generic(0, f"loss {k}") for k in range(len(self.net.loss.args))]
            ns[name] = lambda *args: mpmath.fsum(g(a) for g, a in zip(parts, args, strict=True))
            for k in range(len(self.net.loss.args)):
                ns[f"{name}_slope_{k}"] = self._generic(1, f"loss {k}")
        return ns

    def _generic(self, order: int, salt: str | None = None) -> Callable[[Any], Any]:
        """A random smooth function (or its derivative), different at each point."""
        def value(x: Any) -> Any:
            table = self._coefficients if salt is None else self._salt(salt)
            c0, c1, c2, c3, c4 = table[self.current]
            if order == 0:
                return c0 + c1 * x + c2 * x**2 + c3 * mpmath.sin(c4 * x)
            return c1 + 2 * c2 * x + c3 * c4 * mpmath.cos(c4 * x)

        return value

    def _salt(self, salt: str) -> list[list[Any]]:
        if salt not in self._salted:
            rng = np.random.default_rng([self.seed, zlib.crc32(salt.encode())])
            self._salted[salt] = [[mpmath.mpf(repr(float(c))) for c in
                                   rng.uniform(-1.0, 1.0, size=5)] for _ in range(self.count)]
        return self._salted[salt]

    def local_function(self, name: str) -> None:
        """Give a function a derivation introduces (``y = f(u)``) its own random values."""
        self._namespace.setdefault(name, self._generic(0, "function " + name))
        self._namespace.setdefault(f"{name}_prime", self._generic(1, "function " + name))

    def _forward(self) -> Callable[..., Any]:
        net = self.net
        args = [*net.params, *net.inputs, *net.targets]
        defs = [*net.definitions, (net.loss_symbol, net.objective)]
        if net.decay is not None:  # λ of a weight decay: the spec's, else a tenth
            value = net.spec.values.weight_decay
            defs.insert(0, (net.decay, sp.Rational(1, 10) if value is None
                            else sp.Rational(repr(float(value)))))
        if net.spec.loss.kind == "unspecified":  # each ∂C/∂a is the slope of C's random part
            name = type(net.loss).__name__
            defs += [(g, sp.Function(f"{name}_slope_{k}")(arg)) for k, (g, arg) in enumerate(
                zip(type(net.loss).gradients, net.loss.args, strict=True))]
        defs += [(u.delta, self.grads.deltas[u.name]) for u in reversed(net.units)]
        return lambdify_by_position(args, self.symbols, modules=[self._namespace, "mpmath"],
                                    definitions=defs)

    def _targets(self, example: Any) -> list[Any]:
        targets = {u.name: _mpf(example.targets[u.name]) for u in self.net.outputs}
        for group in self.net.spec.output_groups() if softmax_cross_entropy(self.net) else ():
            # exactly on the simplex at this precision: a − y needs Σ y = 1 (a sigmoid
            # output's target is a probability of its own; a recurrent network has one
            # softmax per step)
            targets[group[-1]] = 1 - mpmath.fsum(targets[n] for n in group[:-1])
        return list(targets.values())

    def _forward_values(self) -> list[list[Value]]:
        net = self.net
        forward = self._forward()
        self._forward_fn = forward
        rows: list[list[Value]] = []
        for k in range(self.count):
            self._coefficients.append([_mpf(c) for c in self._rng.uniform(-1.0, 1.0, size=5)])
            self.current = k
            example = random_example(net, self._rng)
            params = [_mpf(v) for v in self._rng.uniform(-1.0, 1.0, size=len(net.params))]
            self._params.append(params)
            inputs = [_mpf(example.inputs[i.name]) for i in net.spec.inputs]
            rows.append([real(v) for v in forward(*params, *inputs, *self._targets(example))])
        return rows

    # -- values of quantities --------------------------------------------------------
    def value_of(self, arg: Any, k: int) -> Value:
        """The value of a symbol (or per-example array) at point ``k``."""
        if isinstance(arg, sp.Symbol) and arg in self.index:
            return self.values[k][self.index[arg]]
        if isinstance(arg, sp.IndexedBase):
            return self.array(str(arg.label))[k]
        return self.scalar(arg)[k]

    def scalar(self, sym: sp.Symbol) -> list[Value]:
        """Values of a quantity outside the forward row: loss terms, the cost, variables."""
        if sym not in self._scalars:
            if sym in self.q.loss_terms:
                self._scalars[sym] = self.compile(self.q.loss_terms[sym][1]).everywhere()
            elif sym == self.q.cost:
                losses = self.array(f"ex:{self.q.loss.name}")
                self._scalars[sym] = [mpmath.fsum(ls[1:]) / (len(ls) - 1) for ls in losses]
            else:  # a derivation's own variable: random, different at each point
                rng = np.random.default_rng([self.seed, zlib.crc32(str(sym).encode())])
                self._scalars[sym] = [_mpf(v) for v in rng.uniform(-2.0, 2.0, self.count)]
        return self._scalars[sym]

    def batches(self) -> list[list[list[Value]]]:
        """For every point, the forward rows of its examples (the point's own first)."""
        if self._batches is None:
            rng = np.random.default_rng([self.seed, 1])
            forward = self._forward_fn
            out = []
            with mpmath.workdps(DIGITS):
                for k in range(self.count):
                    self.current = k
                    rows = [self.values[k]]
                    size = int(self._scalars[self.q.count][k])
                    for _ in range(size - 1):
                        ex = random_example(self.net, rng)
                        inputs = [_mpf(ex.inputs[i.name]) for i in self.net.spec.inputs]
                        rows.append([real(v) for v in forward(*self._params[k], *inputs,
                                                                *self._targets(ex))])
                    out.append(rows)
            self._batches = out
        return self._batches

    def array(self, name: str) -> list[list[Value]]:
        """Per point, ``[None, value of example 1, …, value of example m]``."""
        if name not in self._arrays:
            kind, _, base = name.partition(":")
            batches = self.batches()
            if kind == "grad":
                param = next(p for p in self.net.params if p.name == base)
                fn = self.compile(self.grads.derivation(param).closed)
                values = []
                for k, rows in enumerate(batches):
                    self.current = k
                    values.append([None, *(self._row_call(fn, row) for row in rows)])
            else:
                sym = next(s for s in [*self.symbols, *self.q.loss_terms] if s.name == base)
                if sym in self.index:
                    values = [[None, *(row[self.index[sym]] for row in rows)]
                              for rows in batches]
                else:
                    fn = self.compile(self.q.loss_terms[sym][1])
                    values = [[None, *(self._row_call(fn, row) for row in rows)]
                              for rows in batches]
            self._arrays[name] = values
        return self._arrays[name]

    def at_row(self, expr: sp.Expr, row: list[Value], k: int) -> Value:
        """``expr`` at one forward row (one example of point ``k``'s batch)."""
        compiled = self.compile(expr)
        self.current = k
        return self._row_call(compiled, row)

    def function_of(self, var: sp.Symbol, expr: sp.Expr) -> Callable[[Any], Any]:
        """``expr`` as a function of ``var`` alone, with the network's functions (an
        unspecified one is the point's random function: set ``current`` first)."""
        return lambdify_by_position([var], expr, modules=[self._namespace, "mpmath"])

    def _row_call(self, compiled: Compiled, row: list[Value]) -> Value:
        try:
            with mpmath.workdps(DIGITS):
                return real(compiled.fn(*[row[self.index[a]] for a in compiled.args]))
        except (ArithmeticError, ValueError, TypeError):
            return None

    # -- formulas --------------------------------------------------------------------
    def compile(self, expr: sp.Expr) -> Compiled:
        """``expr`` compiled over the quantities (and per-example arrays) it uses; the same
        expression (a step many answers share) is compiled once."""
        found = self._compiled.get(expr)
        if found is None:
            found = self._compile(expr)
            if len(self._compiled) < MAX_COMPILED:
                self._compiled[expr] = found
        return found

    def _compile(self, expr: sp.Expr) -> Compiled:
        arrays = sorted({i.base for i in expr.atoms(sp.Indexed)}, key=str)
        bound = {v for s in expr.atoms(sp.Sum) for v, *_ in s.limits}
        symbols = sorted((s for s in expr.free_symbols
                          if isinstance(s, sp.Symbol) and s not in bound), key=str)
        if not arrays:
            fn = lambdify_by_position(symbols, expr, modules=[self._namespace, "mpmath"])
            return Compiled(fn, tuple(symbols), self)
        return Compiled(_lambdify_arrays(symbols, arrays, expr, self._namespace),
                        (*symbols, *arrays), self)

    def gradient(self, param: sp.Symbol) -> tuple[Compiled, list[Value]]:
        """The true ∂E/∂param, compiled, and its value at every point (kept per param)."""
        if param not in self._gradients:
            compiled = self.compile(self.grads.derivation(param).closed)
            self._gradients[param] = (compiled, compiled.everywhere())
        return self._gradients[param]

    def has_worked_example(self) -> bool:
        """Whether the spec gives every parameter and one example: a worked example, which
        ``derive`` prints numbers of, whether or not its functions let check evaluate it."""
        values = self.net.spec.values
        complete = set(values.params) == {p.name for p in self.net.params}
        return complete and len(values.examples) == 1

    def why_no_worked_example(self) -> str:
        """Why numbers cannot be checked at the worked example: which values are missing."""
        values = self.net.spec.values
        missing = [p.name for p in self.net.params if p.name not in values.params]
        if not values.params and not values.examples:
            return "the spec has no values"
        if missing:
            shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more"
                                              if len(missing) > 8 else "")
            return f"the spec's values give no {shown}"
        if len(values.examples) != 1:
            return f"the spec's values hold {len(values.examples)} examples, not one"
        unknown = [str(f) for f in getattr(self.net, "functions", ())]
        if unknown or self.net.spec.loss.kind == "unspecified":
            return f"an unspecified function ({', '.join(unknown) or 'the loss'}) has no " \
                "value there"
        return "the line's numbers have no value there"

    def worked_digits(self, closer: bool = False) -> int:
        """The digits the worked example is evaluated in, as derive prints it: DIGITS or
        more, as its numbers ask (:func:`working_digits`), and MORE_DIGITS more ``closer``."""
        values = self.net.spec.values
        numbers = [*values.params.values()]
        for ex in values.examples[:1]:
            numbers += [*ex.inputs.values(), *ex.targets.values()]
        return max(DIGITS, working_digits(numbers)) + (MORE_DIGITS if closer else 0)

    def worked_row(self, digits: int | None = None) -> list[Value] | None:
        """The forward row at the spec's own values (its worked example), if it has one and
        its activations are all specified, in ``digits`` digits (:meth:`worked_digits`, or
        more to see how far a value in those is off)."""
        digits = self.worked_digits() if digits is None else digits
        if not hasattr(self, "_worked"):
            self._worked: dict[int, list[Value] | None] = {}
        if digits not in self._worked:
            self._worked[digits] = None
            values = self.net.spec.values
            unspecified = any(u.activation.kind == "unspecified" for u in self.net.units)
            if self.has_worked_example() and not unspecified:
                ex = values.examples[0]
                with mpmath.workdps(digits):  # the spec's numbers as written: 0.1 is 1/10
                    params = [_mpf(values.params[p.name]) for p in self.net.params]
                    inputs = [_mpf(ex.inputs[i.name]) for i in self.net.spec.inputs]
                    self._worked[digits] = [real(v) for v in self._forward_fn(
                        *params, *inputs, *self._targets(ex))]
        return self._worked[digits]

    def at_worked_example(self, expr: sp.Expr, closer: bool = False) -> Value:
        """``expr`` at the spec's worked example (None without one, or where undefined), in
        MORE_DIGITS more digits ``closer``."""
        digits = self.worked_digits(closer)
        row = self.worked_row(digits)
        if row is None:
            return None
        expr = expr.xreplace({s: d for s, (_, d) in self.q.loss_terms.items()})
        rate = self.net.spec.values.learning_rate
        if rate is not None:  # the spec's learning rate, as written (0.5 is exactly 1/2)
            expr = expr.xreplace({self.q.rate: sp.Rational(repr(float(rate)))})
        compiled = self.compile(expr)
        if any(a not in self.index for a in compiled.args):
            return None
        try:
            with mpmath.workdps(digits):
                return real(compiled.fn(*[row[self.index[a]] for a in compiled.args]))
        except (ArithmeticError, ValueError, TypeError):
            return None

    def worked_error(self, expr: sp.Expr, value: Value) -> Value:
        """How far ``value``, ``expr`` at the worked example, may be off: how far it moves in
        more digits (where terms cancel)."""
        better = self.at_worked_example(expr, closer=True)
        return 0 if better is None else abs(better - value)

    def point(self, k: int) -> dict[str, float]:
        """The parameters, inputs and targets drawn at point ``k``."""
        net = self.net
        return {s.name: float(self.values[k][self.index[s]])
                for s in [*net.params, *net.inputs, *net.targets]}


def _lambdify_arrays(symbols: Sequence[sp.Symbol], arrays: Sequence[sp.IndexedBase],
                     expr: sp.Expr, ns: dict[str, Any]) -> Callable[..., Any]:
    """lambdify with plain symbols and per-example arrays renamed by position."""
    rename: dict[Any, Any] = {s: sp.Symbol(f"_{k}", **s.assumptions0)
                              for k, s in enumerate(symbols)}
    bases = {b: sp.IndexedBase(f"_a{k}") for k, b in enumerate(arrays)}
    counters = {v: sp.Symbol(f"_i{k}", integer=True)
                for k, v in enumerate({v for s in expr.atoms(sp.Sum) for v, *_ in s.limits})}

    def swap(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Indexed):
            return bases[e.base][tuple(swap(i) for i in e.indices)]
        if isinstance(e, sp.Symbol):
            return counters.get(e, rename.get(e, e))
        if not e.args:
            return e
        return e.func(*[swap(a) for a in e.args])

    new = swap(expr)
    return sp.lambdify([*rename.values(), *bases.values()], new, modules=[ns, "mpmath"])
