"""The full gradient check in high precision, at the precision each gradient needs.

At D significant digits the check compares ∂J/∂p with n = (J(p + h) − J(p − h)) / 2h,
h = 10⁻¹⁵·max(1, |p|). Rounding leaves about |J|·10⁻ᴰ/h in n (:data:`ROUNDING` times that,
as a margin) and truncation O(h²) of the gradient's own scale, so at 40 digits a gradient
above about 10⁻¹²·|J| is resolved to the relative tolerance. A smaller one (a deep chain of
saturating units multiplies its gradients down to 10⁻²²⁰) is checked at the precision that
resolves it, up to :data:`MAX_DIGITS`.

The verdict at D digits, with e the error of n measured as the change of n when the step
shrinks :data:`SHRINK`-fold (at least the rounding of that smaller step):

* agree: |a − n| ≤ REL_TOL·max(|a|, |n|) (a gradient of exactly 0: |n| ≤ SAFETY·e);
* disagree: |a − n| > SAFETY·e, so the difference resolves a wrong gradient;
* otherwise n cannot tell: the precision is raised until it can, and past MAX_DIGITS the
  parameter is not checked, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath

from ..network.build import Network
from ..network.derivation import Gradients
from ..spec.load import Values
from .check_results import AGREE, DISAGREE, NOT_CHECKED, GradcheckReport, ParamCheck, build_report
from .identifiers import lambdify_by_position
from .lambdified import (
    HIGH_PRECISION_DIGITS,
    CompiledNetwork,
    compile_network,
    namespace,
    stable_loss,
)
from .points import softmax_cross_entropy

REL_TOL = 1e-10
STEP = "1e-15"
MAX_DIGITS = 320  # the most digits a difference is computed with
ROUNDING = 100  # the rounding of one loss value, in units of its last digit (a margin)
SHRINK = 100  # the error of n is measured against the difference with step h/SHRINK
SAFETY = 10  # a disagreement exceeds the measured error of n this many times
DIGIT_STEP = 20  # precisions are multiples of this, so parameters share their passes
KINKED = ("relu", "leaky_relu")
KINK_DISTANCE = mpmath.mpf("1e-12")  # a net input this close to 0 puts the point on a kink

RULE = (f"central difference (J(p+h) − J(p−h))/2h with h = {STEP}·max(1, |p|), computed with "
        f"{HIGH_PRECISION_DIGITS} significant digits (mpmath), or more where a gradient is too "
        f"small for them to resolve (up to {MAX_DIGITS}); a gradient agrees when its relative "
        f"error is at most {REL_TOL:g} (a zero gradient: when the difference is zero within "
        f"its error), disagrees when the difference resolves it as wrong, and is not checked "
        f"when no precision up to {MAX_DIGITS} digits resolves it")


class _Forward:
    """J with one parameter moved, recomputing only what follows its first use.

    Each forward definition (net input, activation) is compiled on its own; moving a
    parameter keeps the values computed before the first definition that uses it, so in a
    deep network a parameter near the output costs only the layers above it."""

    def __init__(self, net: Network) -> None:
        defs = list(net.definitions)
        loss = stable_loss(net)
        ns = namespace("mpmath", [*(d for _, d in defs), loss], net)
        self.steps: list[tuple[Any, list[Any], Callable[..., Any]]] = []
        for symbol, expr in [*defs, (None, loss)]:
            free = sorted(expr.free_symbols, key=lambda x: x.name)
            self.steps.append((symbol, free, lambdify_by_position(free, expr,
                                                                  modules=[ns, "mpmath"])))
        first: dict[Any, int] = {}
        for k, (_, free, _) in enumerate(self.steps):
            for x in free:
                first.setdefault(x, k)
        self.net = net
        self.first = {p.name: first.get(p, len(self.steps) - 1) for p in net.params}
        self.symbol = {p.name: p for p in net.params}

    def values(self, params: dict[str, Any], inputs: dict[str, Any],
               targets: dict[str, Any]) -> tuple[dict[Any, Any], Any]:
        """Every quantity of one example, and its loss."""
        net = self.net
        known: dict[Any, Any] = {p: params[p.name] for p in net.params}
        known.update(zip(net.inputs, (inputs[i.name] for i in net.spec.inputs), strict=True))
        known.update(zip(net.targets, (targets[u.name] for u in net.outputs
                                       if u.target is not None), strict=True))
        return known, self._run(known, 0)

    def _run(self, known: dict[Any, Any], start: int) -> Any:
        value = None
        for symbol, free, f in self.steps[start:]:
            value = f(*[known[x] for x in free])
            if symbol is not None:
                known[symbol] = value
        return value

    def moved(self, known: dict[Any, Any], name: str, value: Any) -> Any:
        """The loss of the example of ``known`` with parameter ``name`` at ``value``."""
        return self._run({**known, self.symbol[name]: value}, self.first[name])


@dataclass
class _Level:
    """The point, the cost and the symbolic gradient at one precision."""

    digits: int
    params: dict[str, Any]
    cost: Callable[[str, Any], Any]  # J with one parameter moved by an amount
    analytic: dict[str, Any]
    j0: Any
    kinks: list[str]


def _level(net: Network, compiled: CompiledNetwork, forward: _Forward, point: Values,
           digits: int) -> _Level:
    """Everything at ``digits`` digits (call inside ``mpmath.workdps(digits)``)."""
    params = {k: mpmath.mpf(repr(v)) for k, v in point.params.items()}
    examples = [({k: mpmath.mpf(repr(v)) for k, v in ex.inputs.items()},
                 _exact_targets(net, ex.targets)) for ex in point.examples]
    m = len(examples)
    analytic = {p.name: mpmath.mpf(0) for p in net.trained}
    kinks: list[str] = []
    for inputs, targets in examples:
        result = compiled.run(params, inputs, targets)
        for name, g in result.gradients.items():
            analytic[name] += g / m
        kinks += [u.name for u in net.spec.units if u.activation.kind in KINKED
                  and abs(result.nets[u.name]) <= KINK_DISTANCE and u.name not in kinks]
    known = [forward.values(params, inputs, targets) for inputs, targets in examples]
    j0 = mpmath.fsum(loss for _, loss in known) / m

    def cost(name: str, by: Any) -> Any:
        value = params[name] + by
        return mpmath.fsum(forward.moved(k, name, value) for k, _ in known) / m

    return _Level(digits, params, cost, analytic, j0, kinks)


def needed_digits(analytic: Any, cost: Any, h: Any) -> int:
    """The fewest digits (a multiple of :data:`DIGIT_STEP`, at least 40) at which the
    rounding of the difference, ROUNDING·|J|·10⁻ᴰ/h, is a tenth of REL_TOL·|a|."""
    if analytic == 0:
        return HIGH_PRECISION_DIGITS
    ratio = 10 * ROUNDING * max(abs(cost), mpmath.mpf(1e-300)) / (h * REL_TOL * abs(analytic))
    digits = math.ceil(float(mpmath.log10(ratio)))
    return max(HIGH_PRECISION_DIGITS, -(-digits // DIGIT_STEP) * DIGIT_STEP)


@dataclass(frozen=True)
class _Verdict:
    status: str
    numeric: Any
    reason: str = ""
    next_digits: int = 0  # where an undecided check goes on


def _verdict(level: _Level, name: str) -> _Verdict:
    """The verdict on one parameter at one precision, or the precision to try next."""
    p = level.params[name]

    def moved(by: Any) -> Any:
        return level.cost(name, by)

    h = mpmath.mpf(STEP) * max(1, abs(p))
    plus, minus = moved(h), moved(-h)
    numeric = (plus - minus) / (2 * h)
    a = level.analytic[name]
    if _relative(a, numeric) <= REL_TOL:
        return _Verdict(AGREE, numeric)
    if level.kinks:
        # on a kink the central difference straddles two slopes: the derivative there is a
        # choice (step(0) = 0); any value between the one-sided slopes is one
        right, left = (plus - level.j0) / h, (level.j0 - minus) / h
        if (_relative(a, left) <= REL_TOL or _relative(a, right) <= REL_TOL
                or min(left, right) <= a <= max(left, right)):
            near = left if abs(a - left) <= abs(a - right) else right
            return _Verdict(AGREE, near, "kink")
    small = h / SHRINK
    rounding = ROUNDING * abs(level.j0) * mpmath.mpf(10) ** -level.digits / small
    finer = numeric
    if abs(a - numeric) > SAFETY * rounding:  # else n cannot tell, whatever its error
        finer = (moved(small) - moved(-small)) / (2 * small)
    error = max(abs(numeric - finer), rounding)
    if abs(a - numeric) > SAFETY * error:
        return _Verdict(DISAGREE, numeric)
    if a == 0:
        return _Verdict(AGREE, numeric, "zero")
    if abs(numeric - finer) > 10 * rounding:  # truncation, which more digits do not shrink
        return _Verdict(NOT_CHECKED, numeric, "the central difference does not settle as "
                        "its step shrinks (truncation error at this point)")
    scale = max(abs(a), abs(numeric))
    more = math.ceil(float(mpmath.log10(10 * SAFETY * error / (REL_TOL * scale))))
    digits = max(level.digits + DIGIT_STEP, level.digits + more,
                 needed_digits(scale, level.j0, h))
    return _Verdict("", numeric, next_digits=-(-digits // DIGIT_STEP) * DIGIT_STEP)


def _relative(a: Any, b: Any) -> Any:
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale != 0 else mpmath.mpf(0)


def full_precise_check(net: Network, grads: Gradients, point: Values, notes: list[str], *,
                       max_digits: int = MAX_DIGITS,
                       progress: Callable[[str], None] | None) -> GradcheckReport:
    """Every parameter of ``net`` against its central difference, each at the precision
    that resolves it (up to ``max_digits``)."""
    compiled = compile_network(net, grads, module="mpmath")
    forward = _Forward(net)
    names = [p.name for p in net.trained]  # a frozen parameter has no gradient to check
    rows: dict[str, ParamCheck] = {}
    with mpmath.workdps(HIGH_PRECISION_DIGITS):
        first = _level(net, compiled, forward, point, HIGH_PRECISION_DIGITS)
        pending: dict[str, int] = {}
        for name in names:
            h = mpmath.mpf(STEP) * max(1, abs(first.params[name]))
            wanted = needed_digits(first.analytic[name], first.j0, h)
            pending[name] = wanted if wanted <= max_digits else HIGH_PRECISION_DIGITS
    kinks = first.kinks
    at_kink: list[str] = []
    while pending:
        digits = min(pending.values())
        group = [n for n in names if pending.get(n) == digits]
        with mpmath.workdps(digits):
            level = first if digits == HIGH_PRECISION_DIGITS else \
                _level(net, compiled, forward, point, digits)
            level.kinks = kinks
            for name in group:
                del pending[name]
                v = _verdict(level, name)
                if v.status == "" and v.next_digits <= max_digits:
                    pending[name] = v.next_digits
                    continue
                if v.status == "":
                    v = _Verdict(NOT_CHECKED, v.numeric, f"vanishes below what the central "
                                 f"difference resolves at {max_digits} digits")
                if v.reason == "kink":
                    at_kink.append(name)
                rows[name] = _row(name, level.analytic[name], v, digits)
                if progress is not None:
                    progress(name)
    if at_kink:
        notes = [*notes, f"the point is on a kink (net input 0) of {', '.join(kinks)}: "
                 f"{', '.join(at_kink)} checked against the one-sided differences, the "
                 f"gradient there being a one-sided slope (step(0) = 0)"]
    raised = sorted({r.digits for r in rows.values() if r.digits > HIGH_PRECISION_DIGITS})
    if raised:
        count = sum(r.digits > HIGH_PRECISION_DIGITS for r in rows.values())
        notes = [*notes, f"{count} gradient(s) too small for {HIGH_PRECISION_DIGITS} digits "
                 f"to resolve checked at up to {raised[-1]} digits"]
    return build_report([rows[n] for n in names], [], RULE, "full", point, notes, len(names))


def _row(name: str, analytic: Any, v: _Verdict, digits: int) -> ParamCheck:
    abs_err = abs(analytic - v.numeric)
    reason = "" if v.reason in ("kink", "zero") else v.reason
    if v.reason == "zero":
        reason = "the gradient is 0 and the difference is 0 within its error"
    return ParamCheck(name, float(analytic), float(v.numeric), float(abs_err),
                      float(_relative(analytic, v.numeric)), v.status != DISAGREE, v.status,
                      reason, digits)


def _exact_targets(net: Network, targets: dict[str, float]) -> dict[str, Any]:
    """The targets in high precision; a softmax layer's scaled to sum to 1 exactly. A sum
    within 10⁻⁹ of 1 is a distribution to the loader, and δ = a − y holds only at 1: at 40
    digits the difference would fail a correct gradient near 0."""
    exact = {k: mpmath.mpf(repr(v)) for k, v in targets.items()}
    for group in net.spec.output_groups() if softmax_cross_entropy(net) else ():
        here = [k for k in group if k in exact]  # one softmax per step in a recurrent network
        total = mpmath.fsum(exact[k] for k in here)
        if total > 0:
            exact |= {k: exact[k] / total for k in here}
    return exact
