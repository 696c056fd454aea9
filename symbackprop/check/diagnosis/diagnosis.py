"""Name the likely mistake behind a wrong formula.

The formula's values at the random points are compared with the values of likely mistakes:
another parameter's gradient, the formula with one symbol replaced or two swapped, a sign or
constant factor, a missing or extra factor (an activation derivative above all), a missing
path of a sum. The first candidates that match are reported, best first. A finding that is
a fix (replace w6 by w7, flip the sign) is kept in a form that can be applied to later steps
of a derivation, to tell an inherited error from a new one.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ...network.build import Network
from ...network.derivation import Gradients
from ..judging.memo import Memo
from ..judging.sample_points import (
    RELATIVE_TOLERANCE,
    SCREEN,
    Compiled,
    EvaluationPoints,
    Value,
    agrees,
    close,
)
from ..meaning.graph import INDEPENDENT
from .codes import code_of
from .occurrences import occurrence_fixes

MAX_DIAGNOSES = 4
MAX_SUBSTITUTIONS = 600
MAX_OTHER_GRADIENTS = 300
MAX_RATIO_DENOMINATOR = 16
MAX_RATIO_NUMERATOR = 64
MAX_CONSTANT_DENOMINATOR = 10**6

NO_EXPLANATION = ("no single common mistake (another parameter's gradient, a swapped symbol, "
                  "a sign, a constant factor, a missing factor or path) explains the difference")


@dataclass(frozen=True)
class Finding:
    """A diagnosis, and the fix it implies when it is one (a swap of symbols, a factor)."""

    text: str
    swap: tuple[tuple[sp.Symbol, sp.Symbol], ...] = ()
    scale: Fraction | None = None  # the formula equals scale × the truth

    @property
    def code(self) -> str:
        """Its stable code (:mod:`symbackprop.check.diagnosis.codes`)."""
        return code_of(self.text)


@dataclass(eq=False)
class Candidate:
    """A likely mistake: a description and its value at each point (computed on demand).

    The candidate with an empty description is the true value itself, matched up to a
    constant factor (a wrong sign or constant).
    """

    description: str
    at: Callable[[int], Value]
    gradient_of: str | None = None
    scalable: bool = False  # also report k · candidate for a simple constant k
    pair: tuple[sp.Symbol, sp.Symbol] | None = None  # (written, meant) for a substitution
    path: bool = False  # a missing path or contribution (a term of the sum)
    memo: dict[int, Value] = field(default_factory=dict)

    @property
    def reported_first(self) -> bool:
        """Another gradient or a constant factor: always tried, before any substitution."""
        return self.gradient_of is not None or not self.description

    def value(self, k: int) -> Value:
        if k not in self.memo:
            self.memo[k] = self.at(k)
        return self.memo[k]


class Diagnoser:
    """Likely mistakes for formulas of one network (candidates kept per parameter)."""

    def __init__(self, net: Network, grads: Gradients, points: EvaluationPoints,
                 text_of: Callable[[sp.Symbol], str]) -> None:
        self.net = net
        self.grads = grads
        self.points = points
        self.text_of = text_of
        self._candidates: dict[sp.Symbol, list[Candidate]] = {}
        self._memo: Memo[Any] = Memo()

    # -- entry points --------------------------------------------------------------
    def diagnose_gradient(self, param: sp.Symbol, compiled: Compiled, expr: sp.Expr,
                          mine: list[Value]) -> tuple[list[Finding], str | None]:
        """Likely mistakes in a formula for ∂E/∂param, and whose gradient it is (worked out
        once per formula: ``compiled`` and ``mine`` are ``expr`` compiled and evaluated)."""
        found, equals = self._memo.get(("gradient", param, expr), lambda: self._diagnose_gradient(
            param, compiled, expr, mine))
        return list(found), equals

    def _diagnose_gradient(self, param: sp.Symbol, compiled: Compiled, expr: sp.Expr,
                           mine: list[Value]) -> tuple[list[Finding], str | None]:
        cands = self.candidates(param)
        _, truth = self.points.gradient(param)
        found: list[Finding] = []
        equals: str | None = None
        for cand in (c for c in cands if c.reported_first):
            k = self._match(mine, cand)
            if k == 1:
                found.append(Finding(cand.description) if cand.description else
                             Finding("it is the true gradient", scale=Fraction(1)))
                equals = equals or cand.gradient_of
            elif k is not None:
                found.append(_scaled(cand, k))
            elif not cand.description:
                other = self._constant_ratio(mine, cand)
                if other is not None:  # k × the truth for an unusual k: nothing else fits
                    return [_constant_factor(other)], equals
        found = [f for f in found if f.text != "it is the true gradient"]
        fixes = self.substitutions(truth, compiled, expr)
        found += fixes
        fixed_pairs = {f.swap[0] for f in fixes if f.swap}
        written = expr.free_symbols
        path = False
        for cand in (c for c in cands if not c.reported_first):
            if len(found) >= MAX_DIAGNOSES:
                break
            if cand.pair is not None and (cand.pair in fixed_pairs or path or
                                          cand.pair[0] not in written):
                # "it uses r where s belongs" only when the formula has r, and not for the
                # r (a target for an output) that only zeroes the term of a missing path
                continue
            if self._match(mine, cand) == 1:
                found.append(Finding(cand.description,
                                     swap=(cand.pair,) if cand.pair else ()))
                path = path or cand.path
        return found[:MAX_DIAGNOSES], equals

    def diagnose_claim(self, truth: list[Value], compiled: Compiled, expr: sp.Expr,
                       mine: list[Value]) -> list[Finding]:
        """Likely mistakes in a side that should equal ``truth``: a sign, a constant, a symbol
        (worked out once per formula and truth)."""
        return list(self._memo.get(("claim", tuple(truth), expr), lambda: self._diagnose_claim(
            truth, compiled, expr, mine)))

    def _diagnose_claim(self, truth: list[Value], compiled: Compiled, expr: sp.Expr,
                        mine: list[Value]) -> list[Finding]:
        found: list[Finding] = []
        cand = Candidate("", lambda j: truth[j], scalable=True)
        k = self._match(mine, cand)
        if k is not None and k != 1:
            found.append(_scaled(cand, k))
        elif k is None:
            other = self._constant_ratio(mine, cand)
            if other is not None:
                return [_constant_factor(other)]
        found += self.substitutions(truth, compiled, expr)
        if not found:  # a slip at one of the places a symbol is written, or a missing term
            pool = {s: self.net.kinds[s] for s in self._swap_pool()}
            found += [Finding(t) for t in occurrence_fixes(expr, truth, self.points, pool,
                                                           self.text_of, self.text)]
        return found[:MAX_DIAGNOSES]

    def diagnose_cost(self, param: sp.Symbol, truth: list[Value], mine: list[Value],
                      counts: list[Any], loss: str) -> list[Finding]:
        """Mistakes in ∂J/∂θ, the mean over the m examples of a batch (m is 2, 3 or 4 at the
        points): one example's ∂L/∂θ, the sum without 1/m, or a fixed count for m."""
        if self.net.kinds.get(param) != "param":
            return []
        theta = self.text_of(param)
        single = self.points.gradient(param)[1]  # the first example of a batch is the point's
        if agrees(lambda k: single[k], mine):
            return [Finding(f"it is ∂{loss}/∂{theta} of one example; ∂J/∂{theta} is the mean "
                            f"of ∂{loss}^(i)/∂{theta} over the m examples")]
        if agrees(lambda k: None if truth[k] is None else truth[k] * int(counts[k]), mine):
            return [Finding(f"it sums ∂{loss}^(i)/∂{theta} over the m examples without "
                            f"dividing by m")]
        return _divisor(truth, mine, counts)

    def diagnose_mean(self, truth: list[Value], mine: list[Value], counts: list[Any]
                      ) -> list[Finding]:
        """Mistakes in the cost J, the mean of the loss over the m examples of a batch: the
        loss of one example, the sum without 1/m, another divisor (m − 1)."""
        loss = self.net.loss_symbol
        single = self.points.array(f"ex:{loss.name}")  # example 1 is the point's own
        name = self.text_of(loss)
        if agrees(lambda k: single[k][1], mine):
            return [Finding(f"it is the loss {name} of one example; the cost is the mean of "
                            f"{name}^(i) over the m examples")]
        if agrees(lambda k: None if truth[k] is None else truth[k] * int(counts[k]), mine):
            return [Finding(f"it sums {name}^(i) over the m examples without dividing by m")]
        return _divisor(truth, mine, counts)

    # -- matching ------------------------------------------------------------------
    def _match(self, mine: list[Value], cand: Candidate) -> Fraction | None:
        """1 when ``mine`` equals the candidate, k for k · candidate (scalable ones), else None."""
        if all(close(mine[k], cand.value(k)) for k in range(SCREEN)):
            return Fraction(1) if agrees(cand.value, mine) else None
        if not cand.scalable:
            return None
        return _simple_ratio(self._ratio(mine, cand))

    def _ratio(self, mine: list[Value], cand: Candidate) -> Value:
        """k when ``mine`` is k × the candidate at every point (to 40 digits), else None."""
        ratios = []
        for k in range(self.points.count):
            c = cand.value(k)
            if mine[k] is None or c is None or c == 0:
                return None
            ratios.append(mine[k] / c)
            if k < SCREEN and not _same_ratio(ratios[0], ratios[-1]):
                return None
        if not all(_same_ratio(ratios[0], r) for r in ratios):
            return None
        return ratios[0]

    def _constant_ratio(self, mine: list[Value], cand: Candidate) -> Value:
        """The constant k ≠ 1 with ``mine`` = k × the candidate, when no small fraction is."""
        ratio = self._ratio(mine, cand)
        if ratio is None or ratio == 0 or close(ratio, mpmath.mpf(1)):
            return None
        return ratio

    def _swap_pool(self) -> list[sp.Symbol]:
        """The quantities a symbol may be confused with (not δ, not the loss)."""
        return [s for s in self.points.symbols
                if self.net.kinds[s] in (*INDEPENDENT, "net", "out")]

    def substitutions(self, truth: list[Value], compiled: Compiled,
                      expr: sp.Expr) -> list[Finding]:
        """Single replacements and swaps of symbols that make the formula correct."""
        kinds = self.net.kinds
        index = self.points.index
        mine_syms = sorted((s for s in expr.free_symbols if s in index), key=str)
        found: list[Finding] = []
        budget = MAX_SUBSTITUTIONS
        for s in mine_syms:
            for r in sorted(self._swap_pool(), key=lambda x: (kinds[x] != kinds[s], str(x))):
                if r == s or budget <= 0:
                    continue
                budget -= 1
                tries = [({s: r}, f"replacing {self.text_of(s)} by {self.text_of(r)} makes "
                                  f"it correct")]
                if r in expr.free_symbols and str(r) > str(s):  # each pair once
                    tries.append(({s: r, r: s}, f"swapping {self.text_of(s)} and "
                                                f"{self.text_of(r)} makes it correct"))
                for swap, words in tries:
                    if agrees(lambda k, swap=swap: compiled.at(k, swap), truth):
                        found.append(Finding(words, swap=tuple(swap.items())))
                        break
        return found

    # -- candidates of one parameter -----------------------------------------------
    def candidates(self, param: sp.Symbol) -> list[Candidate]:
        """Likely mistakes for ∂E/∂param, in the order they are reported (kept per param)."""
        if param not in self._candidates:
            self._candidates[param] = self._build_candidates(param)
        return self._candidates[param]

    def _build_candidates(self, param: sp.Symbol) -> list[Candidate]:
        loss = self.text_of(self.net.loss_symbol)
        compiled, truth = self.points.gradient(param)
        out: list[Candidate] = []
        for q in self.net.params[:MAX_OTHER_GRADIENTS]:
            if q == param:
                continue
            out.append(Candidate(
                f"it equals ∂{loss}/∂{self.text_of(q)}, the gradient of {self.text_of(q)}, "
                f"not of {self.text_of(param)}",
                lambda k, q=q: self.points.gradient(q)[1][k], gradient_of=q.name,
                scalable=True))
        out.append(Candidate("", lambda k: truth[k], scalable=True))  # sign / constant
        closed = self.grads.derivation(param).closed
        out += self._factor_candidates(closed, truth)
        out += self._path_candidates(param, truth)
        out += self._gradient_substitutions(compiled, closed)
        return out

    def _factor_candidates(self, closed: sp.Expr, truth: list[Value]) -> list[Candidate]:
        factors: dict[str, tuple[sp.Expr, str]] = {}
        for u in self.net.units:
            local = self.grads.local_derivative(u)
            if local != 1 and local.free_symbols:
                factors.setdefault(sp.sstr(local), (local, f"the activation-derivative factor "
                                                           f"{self.text(local)} of "
                                                           f"{self.text_of(u.out)}"))
        for g in sp.Mul.make_args(closed):
            if not g.is_Number:
                factors.setdefault(sp.sstr(g), (g, f"the factor {self.text(g)}"))
        for s in sorted(closed.free_symbols, key=str):
            factors.setdefault(s.name, (s, f"the factor {self.text_of(s)}"))
        out = []
        for g, words in factors.values():
            gfn = self.points.compile(g)
            out.append(Candidate(f"it misses {words}",
                                 self._combined(truth, gfn, _divide_or_none)))
            out.append(Candidate(f"it has an extra {words.removeprefix('the ')}",
                                 self._combined(truth, gfn, operator.mul)))
        return out

    def text(self, expr: sp.Expr) -> str:
        """``expr`` as text with every name in the spec's notation."""
        names = {s: sp.Symbol(self.text_of(s)) for s in expr.free_symbols}
        return sp.sstr(expr.xreplace(names))

    def _path_candidates(self, param: sp.Symbol, truth: list[Value]) -> list[Candidate]:
        derivation = self.grads.derivation(param)
        out = []
        decay = self.net.decay_term(param)
        if decay != 0:  # J = L + λ/2 Σ w²: the term that reaches the loss by no unit
            out.append(Candidate(
                f"it misses the weight-decay term {self.text(decay)}: the objective adds "
                f"{self.text(self.net.decay)}/2 Σ w², whose derivative by "
                f"{self.text(param)} is that term",
                self._combined(truth, self.points.compile(decay), operator.sub), path=True))
        if len(derivation.uses) > 1:
            for use in derivation.uses:
                term = self.grads.sign * self.grads.closed_delta(use.unit.name) * (
                    use.source if use.source is not None else 1)
                out.append(Candidate(
                    f"it misses the contribution through {self.text_of(use.unit.out)} "
                    f"({self.text_of(param)} is shared, so its gradient sums over every unit "
                    f"it feeds)", self._combined(truth, self.points.compile(term),
                                                 operator.sub), path=True))
        paths = derivation.paths
        if not paths or len(paths) < 2:
            return out
        names = [self._path_units(p) for p in paths]
        common = set.intersection(*(set(n) for n in names))
        for path, units in zip(paths, names, strict=True):
            label = ", ".join(u for u in units if u not in common) or ", ".join(units)
            pfn = self.points.compile(sp.Mul(*[f.value for f in path]))
            out.append(Candidate(f"it misses the path through {label} (a term of the sum)",
                                 self._combined(truth, pfn, operator.sub), path=True))
            if len(paths) > 2:
                out.append(Candidate(f"it keeps only the path through {label}",
                                     lambda k, pfn=pfn: pfn.at(k), path=True))
        return out

    def _path_units(self, path: Sequence[Any]) -> list[str]:
        outs = {u.out: self.text_of(u.out) for u in self.net.units}
        return [outs[f.numerator] for f in path if f.numerator in outs]

    def _gradient_substitutions(self, compiled: Compiled, closed: sp.Expr) -> list[Candidate]:
        """The true gradient with one symbol replaced by another."""
        out = []
        budget = MAX_SUBSTITUTIONS
        for s in sorted(closed.free_symbols, key=str):
            for r in self._swap_pool():
                if r == s or budget <= 0:
                    continue
                budget -= 1
                out.append(Candidate(
                    f"it uses {self.text_of(r)} where {self.text_of(s)} belongs",
                    lambda k, s=s, r=r: compiled.at(k, {s: r}), pair=(r, s)))
        return out

    def _combined(self, truth: list[Value], fn: Compiled,
                  op: Callable[[Any, Any], Value]) -> Callable[[int], Value]:
        """The true gradient combined with ``fn`` by ``op`` at each point (None if undefined)."""
        def at(k: int) -> Value:
            other = fn.at(k)
            return None if other is None or truth[k] is None else op(truth[k], other)
        return at


def _divisor(truth: list[Value], mine: list[Value], counts: list[Any]) -> list[Finding]:
    """``mine`` is the truth (a mean over the m examples) divided by a fixed number or by
    m − 1 (m + c) instead of m: which one (m is 2, 3 or 4 at the points)."""
    fixed = [None if v is None or t is None or v == 0 else t * int(m) / v
             for v, t, m in zip(mine, truth, counts, strict=True)]
    if fixed[0] is None or len({int(m) for m in counts}) < 2:
        return []
    words = None
    if all(close(f, fixed[0]) for f in fixed):
        n = _simple_ratio(fixed[0])
        words = _fraction_text(n) if n is not None and n > 1 else None
    shift = [None if f is None else f - int(m) for f, m in zip(fixed, counts, strict=True)]
    c = shift[0]
    if words is None and c is not None and all(close(d, c) for d in shift) and \
            c != 0 and close(c, mpmath.nint(c)) and abs(c) < MAX_RATIO_NUMERATOR:
        words = f"m {'+' if c > 0 else '−'} {abs(int(mpmath.nint(c)))}"
    if words is None:
        return []
    return [Finding(f"it divides by {words} where the cost divides by the number of "
                    f"examples m")]


def _same_ratio(a: Any, b: Any) -> bool:
    """Two ratios equal to 40 digits, relative to their size only: w5¹⁰⁰⁰ over the gradient
    is 10⁻³³⁷ at one point and 10⁻²⁰⁰ at another, not one constant."""
    return a != 0 and bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)))


def _divide_or_none(a: Any, b: Any) -> Value:
    return None if b == 0 else a / b


def _simple_ratio(ratio: Value) -> Fraction | None:
    """``ratio`` as a small fraction (−1, 2, 1/2, …) when it is one to 40 digits."""
    if ratio is None or ratio == 0:
        return None
    guess = Fraction(float(ratio)).limit_denominator(MAX_RATIO_DENOMINATOR)
    if guess == 0 or abs(guess.numerator) > MAX_RATIO_NUMERATOR:
        return None
    exact = mpmath.mpf(guess.numerator) / guess.denominator
    return guess if close(ratio, exact) else None


def _constant_factor(ratio: Any) -> Finding:
    """k × the true value for a constant k that is no small fraction: as a fraction when one
    with a denominator up to 10⁶ equals it to 40 digits (1005/1004), else in decimals."""
    guess = Fraction(float(ratio)).limit_denominator(MAX_CONSTANT_DENOMINATOR)
    if guess != 0 and close(ratio, mpmath.mpf(guess.numerator) / guess.denominator):
        text = _fraction_text(guess)
        return Finding(f"it is off by a constant factor {text} (it equals {text} × the true "
                       f"value)", scale=guess)
    text = mpmath.nstr(ratio, 12)
    return Finding(f"it is off by a constant factor of about {text} (it equals that constant "
                   f"× the true value)")


def _fraction_text(k: Fraction) -> str:
    return str(k.numerator) if k.denominator == 1 else f"{k.numerator}/{k.denominator}"


def _scaled(cand: Candidate, k: Fraction) -> Finding:
    if not cand.description:
        if k == -1:
            return Finding("the sign is wrong: it equals −1 × the true value", scale=k)
        return Finding(f"it is off by a constant factor {_fraction_text(k)} (it equals "
                       f"{_fraction_text(k)} × the true value)", scale=k)
    return Finding(f"{cand.description} (times {_fraction_text(k)})")
