"""Numbers at a spec's worked example, in high precision, as a derivation prints them.

float64 gets the sign and size of a value wrong where terms cancel (−0.1 + 0.099999999999999
is −1e-15; float64 leaves −1.0000000000000009e-15 of it, or 0) and loses it where it leaves
float64's range (a product of factors near 1e-200 is near 1e-663, in float64 0). Every number
a derivation prints is worked out here instead, from the spec's numbers exactly as written
(0.1 is 1/10) at :data:`LOW_DIGITS` and at :data:`HIGH_DIGITS` significant digits: the two
differ by the error of the first, and a value within that error of 0 is 0 (δ₁ + δ₂ of a
softmax layer's shared bias, whose targets sum to 1). ``check`` reads a printed number back
against the same two values (:mod:`symbackprop.check.judging.steps`).

>>> decimal_exponent(mpmath.mpf("3.1e-663"))
-663
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ..network.build import Network
from ..network.chains import backward_order
from ..network.derivation import Gradients
from .identifiers import lambdify_by_position
from .walk import Missing, NotWalkable, value_at

LOW_DIGITS = 50  # at least; more where the spec's numbers span many orders of magnitude
MORE_DIGITS = 20  # the second precision's
HIGH_DIGITS = LOW_DIGITS + MORE_DIGITS

# The decimal exponent a printed number may have, and the digits the numbers of one printed
# row may have together (check folds a product of them into one fraction). A spec's numbers
# are 0 or 1e-300 to 1e300 in size (spec/reader.py); a chain's factor is a product of a few of
# them (w·x is at least 1e-600), and a row multiplies a dozen factors or so. Beyond these a
# value is not printed; check refuses larger constants, so that no formula keeps it busy.
MAX_PRINTED_EXPONENT = 1_000
MAX_PRINTED_DIGITS = 4_000


class Precise(float):
    """A value as a float that keeps its high-precision digits: where float64 cannot hold
    it (3.4e-671 is 0.0) or rounds it, it prints from those (``precise``), and arithmetic
    goes on in float64.

    >>> tiny = Precise(mpmath.mpf("3.4e-671"))
    >>> float(tiny), precise(tiny) == mpmath.mpf("3.4e-671")
    (0.0, True)
    """

    precise: Any
    given: frozenset[Fraction]  # the example's given values, which it is not unless it is

    def __new__(cls, value: Any, given: frozenset[Fraction] = frozenset()) -> Precise:
        number = super().__new__(cls, float(value))
        number.precise = value
        number.given = given
        return number


def given_values(net: Network) -> frozenset[Fraction]:
    """The values a spec gives its worked example (parameters, inputs, targets, the learning
    rate) as written: ``check`` reads a number equal to one of them as exactly that value, so
    a computed value is never printed as one of them unless it is one.

    >>> from symbackprop.network.build import build_network
    >>> from symbackprop.spec.load import load_spec
    >>> Fraction("0.55") in given_values(build_network(load_spec(
    ...     "specs/seed-004-mazur-2-2-2.yaml")))
    True
    """
    known = _GIVEN.get(id(net))
    if known is not None and known[0] is net:
        return known[1]
    values = net.spec.values
    numbers: list[float] = [*values.params.values()]
    for ex in values.examples[:1]:
        numbers += [*ex.inputs.values(), *ex.targets.values()]
    if values.learning_rate is not None:
        numbers.append(values.learning_rate)
    found = frozenset(Fraction(repr(float(v))) for v in numbers)
    if len(_GIVEN) > 8:  # printing asks once per expression: kept for the last networks
        _GIVEN.clear()
    _GIVEN[id(net)] = (net, found)
    return found


_GIVEN: dict[int, tuple[Network, frozenset[Fraction]]] = {}


def precise(value: Any) -> Any:
    """The high-precision value of a :class:`Precise` (any other value as it is)."""
    return getattr(value, "precise", value)


def working_digits(numbers: Iterable[float]) -> int:
    """The digits to work in at values ``numbers``: :data:`LOW_DIGITS`, and twice the orders
    of magnitude their nonzero sizes span. σ(2.5 × 10^{-200}) − 0.5 is 6.25 × 10^{-201}, which
    50 digits round to 0 (0.5 + 6.25 × 10^{-201} is 0.5 to them) at both precisions alike;
    a product of two such numbers beside a third (w·x + b) needs twice the span.

    >>> working_digits([0.5, 0.25, -3.0]), working_digits([1e-200, 0.5, 0])
    (54, 450)
    """
    sizes = [math.log10(abs(float(v))) for v in numbers if v]
    span = math.ceil(max(sizes) - min(sizes)) if sizes else 0
    return LOW_DIGITS + 2 * span


def as_written(value: float) -> Any:
    """A spec's number in mpmath's working precision, exactly as the spec wrote it where the
    spec kept it (``0.1`` is 1/10, ``1/3`` is 1/3), else from its shortest decimal form."""
    exact = getattr(value, "exact", None)
    if exact is None:
        return mpmath.mpf(repr(float(value)))
    return mpmath.mpf(exact.numerator) / exact.denominator


def softmax_cross_entropy(net: Network) -> bool:
    """Cross-entropy on a softmax layer: its targets are a distribution (δ = a − y)."""
    return net.spec.loss.kind == "cross_entropy" and \
        net.spec.layers[-1].activation.kind == "softmax"


def targets_as_written(net: Network, targets: Mapping[str, float]) -> dict[str, Any]:
    """The targets in mpmath's working precision, as written; a softmax layer's last target
    (with cross-entropy) is the rest of 1 at that precision, as ``check`` takes it: δ = a − y
    holds only where the targets sum to 1, and 0.33333333333333337 beside two
    0.3333333333333333 sums to 1 in float64 but not in 50 digits."""
    exact = {k: as_written(v) for k, v in targets.items()}
    for names in net.spec.output_groups() if softmax_cross_entropy(net) else ():
        if names and all(n in exact for n in names):  # each step's, in a recurrent network
            exact[names[-1]] = 1 - mpmath.fsum(exact[n] for n in names[:-1])
    return exact


def decimal_exponent(value: Any) -> int:
    """The power of ten of ``value``'s leading digit (0 for 0): −663 for 3.1e-663."""
    value = precise(value)
    if not value:
        return 0
    size = abs(float(value))
    if 1e-300 < size < 1e300:
        exponent = math.floor(math.log10(size))
        # float64's logarithm is exact enough away from a power of ten; near one (0.0999…9
        # whose float is 0.1) the high-precision digits decide
        if 1.000001 * 10.0 ** exponent < size < 0.999999 * 10.0 ** (exponent + 1):
            return exponent
    with mpmath.workdps(20):
        return int(mpmath.floor(mpmath.log10(abs(mpmath.mpf(value)))))


def printable(value: Any) -> bool:
    """Whether ``value`` is a number a derivation prints and check reads back."""
    value = precise(value)
    if value is None or not mpmath.isfinite(value):
        return False
    return abs(decimal_exponent(value)) <= MAX_PRINTED_EXPONENT


@dataclass(frozen=True)
class WorkedExample:
    """Every quantity of a network at its worked example, at two precisions."""

    network: Network
    low: Mapping[sp.Symbol, Any]
    high: Mapping[sp.Symbol, Any]
    digits: int = LOW_DIGITS  # of ``low``; ``high`` has MORE_DIGITS more
    # what has been worked out: expression → value, and each precision's node → value (a
    # derivation asks for the same factors, and factors sharing subexpressions, many times)
    known: dict[sp.Expr, Any] = field(default_factory=dict, compare=False, repr=False)
    nodes: tuple[dict[sp.Basic, Any], dict[sp.Basic, Any]] = field(
        default_factory=lambda: ({}, {}), compare=False, repr=False)

    def value(self, expr: sp.Expr) -> Any:
        """``expr`` at the worked example (an mpf of :data:`HIGH_DIGITS` digits), 0 where it
        is 0 to the error of :data:`LOW_DIGITS` digits; None where it is not defined.
        """
        if expr in self.known:
            return self.known[expr]
        low = evaluate(expr, self.low, self.network, self.digits, self.nodes[0])
        high = evaluate(expr, self.high, self.network, self.digits + MORE_DIGITS,
                        self.nodes[1])
        found = self.known[expr] = settled(low, high, self.digits + MORE_DIGITS)
        return found


def evaluate(expr: sp.Expr, at: Mapping[sp.Symbol, Any], net: Network, digits: int,
             nodes: dict[sp.Basic, Any] | None = None) -> Any:
    """``expr`` at the values ``at`` in ``digits`` significant digits; None where undefined.
    ``nodes`` keeps the value of every node worked out, for later calls at the same values and
    digits."""
    with mpmath.workdps(digits):
        try:
            value = value_at(expr, at, implementations(net), nodes)
        except Missing:
            return None
        except NotWalkable:
            return _lambdified(expr, at, net, digits)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        return _finite(value)


def _finite(value: Any) -> Any:
    try:
        value = mpmath.mpf(value)
    except (ValueError, TypeError):  # complex, or not a number
        return None
    return value if mpmath.isfinite(value) else None


def _lambdified(expr: sp.Expr, at: Mapping[sp.Symbol, Any], net: Network, digits: int) -> Any:
    """:func:`evaluate` through ``lambdify``, for what the walk has no rule for."""
    from .lambdified import namespace  # local: lambdified builds on this module's values

    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if any(s not in at for s in free):
        return None
    f = lambdify_by_position(free, expr, modules=[namespace("mpmath", [expr], net), "mpmath"])
    with mpmath.workdps(digits):
        try:
            value = mpmath.mpf(f(*[at[s] for s in free]))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None
        return value if mpmath.isfinite(value) else None


def implementations(net: Network) -> dict[str, Any]:
    """The mpmath functions of ``net``'s activations by class name, with the stand-ins of its
    unspecified functions where every one has its stand-in (else a call to one is not
    walked, and ``lambdify`` reports the missing stand-in)."""
    from .lambdified import MPMATH_FUNCTIONS
    from .stand_ins import stand_in_functions

    table = dict(MPMATH_FUNCTIONS)
    if net.functions and all(f in net.stand_ins for f in net.functions):
        table.update(stand_in_functions(net, "mpmath"))
    return table


@dataclass(frozen=True)
class _Run:
    """One example's values by symbol (None where not defined), and its loss."""

    at: dict[sp.Symbol, Any]
    loss: Any


def _run(net: Network, deltas: Mapping[str, sp.Expr], table: Mapping[str, Any],
         params: Mapping[str, Any], inputs: Mapping[str, Any], targets: Mapping[str, Any],
         loss: sp.Expr) -> _Run:
    """A forward pass definition by definition and a backward pass δ by δ, at the current
    precision: each quantity walked from the values before it, so that no expression is
    larger than one definition. Raises :class:`NotWalkable` where the walk has no rule."""
    at: dict[sp.Symbol, Any] = {s: params[s.name] for s in net.params}
    at.update({s: inputs[i.name] for s, i in zip(net.inputs, net.spec.inputs, strict=True)})
    at.update({u.target: targets[u.name] for u in net.outputs if u.target is not None})
    if net.decay is not None and net.spec.values.weight_decay is not None:
        at[net.decay] = as_written(net.spec.values.weight_decay)

    def walk(expr: sp.Expr) -> Any:
        try:
            return value_at(expr, at, table)
        except (Missing, ZeroDivisionError, ValueError, OverflowError, TypeError):
            return None

    for sym, definition in net.definitions:
        at[sym] = walk(definition)
    loss_value = walk(loss)
    for u in backward_order(net):  # each δ from the δs of the units it feeds
        at[u.delta] = walk(deltas[u.name])
    return _Run(at, loss_value)


def worked_example(net: Network, grads: Gradients, params: Mapping[str, float],
                   inputs: Mapping[str, float], targets: Mapping[str, float]) -> WorkedExample:
    """Every parameter, input, target, net input, activation, δ and the loss at one example,
    at :data:`LOW_DIGITS` and at :data:`HIGH_DIGITS` digits."""
    from .lambdified import stable_loss  # local: lambdified builds on this module

    low_digits = working_digits([*params.values(), *inputs.values(), *targets.values()])
    table = implementations(net)
    loss = stable_loss(net)
    tables = []
    for digits in (low_digits, low_digits + MORE_DIGITS):
        with mpmath.workdps(digits):
            p = {k: as_written(v) for k, v in params.items()}
            x = {k: as_written(v) for k, v in inputs.items()}
            t = targets_as_written(net, targets)
            try:
                run = _run(net, grads.deltas, table, p, x, t, loss)
            except NotWalkable:
                return _compiled_worked_example(net, grads, params, inputs, targets)
        run.at[net.loss_symbol] = run.loss
        tables.append(run.at)
    return WorkedExample(net, tables[0], tables[1], low_digits)


def _compiled_worked_example(net: Network, grads: Gradients, params: Mapping[str, float],
                             inputs: Mapping[str, float], targets: Mapping[str, float]
                             ) -> WorkedExample:
    """:func:`worked_example` through ``lambdify``, for a network the walk has no rule for."""
    from .lambdified import compile_network  # local: lambdified builds on this module

    compiled = compile_network(net, grads, module="mpmath")
    low_digits = working_digits([*params.values(), *inputs.values(), *targets.values()])
    tables = []
    for digits in (low_digits, low_digits + MORE_DIGITS):
        with mpmath.workdps(digits):
            p = {k: as_written(v) for k, v in params.items()}
            x = {k: as_written(v) for k, v in inputs.items()}
            t = targets_as_written(net, targets)
            result = compiled.run(p, x, t)
        at: dict[sp.Symbol, Any] = {s: p[s.name] for s in net.params}
        if net.decay is not None and net.spec.values.weight_decay is not None:
            at[net.decay] = as_written(net.spec.values.weight_decay)
        at.update({s: x[i.name] for s, i in zip(net.inputs, net.spec.inputs, strict=True)})
        at.update({u.target: t[u.name] for u in net.outputs if u.target is not None})
        for u in net.units:
            at[u.net], at[u.out] = result.nets[u.name], result.outs[u.name]
        at[net.loss_symbol] = result.loss
        for u in backward_order(net):  # each δ from the δs of the units it feeds
            at[u.delta] = evaluate(grads.deltas[u.name], at, net, digits)
        tables.append(at)
    return WorkedExample(net, tables[0], tables[1], low_digits)


def settled(low: Any, high: Any, digits: int = HIGH_DIGITS) -> Any:
    """A value worked out at both precisions (the second in ``digits``): the one in more
    digits, 0 where no digit of it survives the error of the other; None where either is not
    defined."""
    if low is None or high is None:
        return None
    with mpmath.workdps(digits):
        if not (mpmath.isfinite(low) and mpmath.isfinite(high)):
            return None
        return mpmath.mpf(0) if abs(high - low) >= abs(high) else mpmath.mpf(high)


@dataclass(frozen=True)
class PrecisePass:
    """A forward and backward pass over examples, as printed: the mean loss and gradients,
    and each example's loss and unit values (unit → {"net": …, "out": …})."""

    loss: Any
    gradients: dict[str, Any]
    examples: list[tuple[Any, dict[str, dict[str, Any]]]]


def precise_pass(net: Network, grads: Gradients, params: Mapping[str, float],
                 examples: list[Any]) -> PrecisePass:
    """:func:`worked_example`'s values for ``eval``: every example at both precisions."""
    from .lambdified import compile_network  # local: lambdified builds on this module

    low_digits = working_digits([*params.values(), *(v for ex in examples for part in (
        ex.inputs, ex.targets) for v in part.values())])
    high_digits = low_digits + MORE_DIGITS
    try:
        runs = [_walked_passes(net, grads, params, examples, digits)
                for digits in (low_digits, high_digits)]
    except NotWalkable:
        compiled = compile_network(net, grads, module="mpmath")
        runs = []
        for digits in (low_digits, high_digits):
            with mpmath.workdps(digits):
                p = {k: as_written(v) for k, v in params.items()}
                runs.append([compiled.run(p, {k: as_written(v) for k, v in ex.inputs.items()},
                                          targets_as_written(net, ex.targets))
                             for ex in examples])
    low, high = runs
    m = len(examples)

    def mean(pick: Any) -> Any:
        lows, highs = [pick(r) for r in low], [pick(r) for r in high]
        if any(v is None for v in lows + highs):
            return None
        with mpmath.workdps(high_digits):
            return settled(mpmath.fsum(lows) / m, mpmath.fsum(highs) / m, high_digits)

    gradients = {p.name: mean(lambda r, name=p.name: r.gradients[name]) for p in net.trained}
    per_example = [(settled(a.loss, b.loss, high_digits),
                    {u.name: {"net": settled(a.nets[u.name], b.nets[u.name], high_digits),
                              "out": settled(a.outs[u.name], b.outs[u.name], high_digits)}
                     for u in net.units}) for a, b in zip(low, high, strict=True)]
    return PrecisePass(mean(lambda r: r.loss), gradients, per_example)


def _walked_passes(net: Network, grads: Gradients, params: Mapping[str, float],
                   examples: list[Any], digits: int) -> list[Any]:
    """Each example's pass (loss, gradients, unit values) at ``digits`` digits, walked
    quantity by quantity as :func:`worked_example` does, the δs and the loss in the forms
    the compiled passes take (:func:`~symbackprop.numeric.lambdified.stable_deltas`)."""
    from .lambdified import Pass, stable_deltas, stable_loss

    table = implementations(net)
    deltas, loss = stable_deltas(net, grads), stable_loss(net)
    gradients = [(p, grads.gradient(p)) for p in net.trained]
    passes = []
    with mpmath.workdps(digits):
        values = {k: as_written(v) for k, v in params.items()}
        for ex in examples:
            run = _run(net, deltas, table, values,
                       {k: as_written(v) for k, v in ex.inputs.items()},
                       targets_as_written(net, ex.targets), loss)
            walked = {}
            for p, g in gradients:
                try:
                    walked[p.name] = value_at(g, run.at, table)
                except (Missing, ZeroDivisionError, ValueError, OverflowError, TypeError):
                    walked[p.name] = None
            passes.append(Pass(run.loss, walked, {u.name: run.at[u.net] for u in net.units},
                               {u.name: run.at[u.out] for u in net.units}))
    return passes
