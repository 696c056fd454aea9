"""Name the likely mistake behind a wrong formula.

The formula's values at the random points are compared with the values of likely mistakes
(:mod:`~symbackprop.check.diagnosis.candidates`): another parameter's gradient, the formula
with one symbol replaced or two swapped (a weight's indices transposed), a sign or constant
factor, a missing or extra factor (an activation derivative above all), a missing path of a
sum; and the formula is searched for one activation's derivative written for another's.
The first candidates that match are reported, best first. A finding that is a fix (replace
w6 by w7, flip the sign) is kept in a form that can be applied to later steps of a
derivation, to tell an inherited error from a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from .activations import activation_fixes
from .candidates import MAX_SUBSTITUTIONS, Candidate, Candidates
from .codes import code_of
from .occurrences import occurrence_fixes
from .paths import paths_from
from .transposition import reads_transposed, transposed_weights
from .wording import words

MAX_DIAGNOSES = 4
MAX_RATIO_DENOMINATOR = 16
MAX_RATIO_NUMERATOR = 64
MAX_CONSTANT_DENOMINATOR = 10**6

SOUGHT = ("another parameter's gradient", "a swapped symbol or a weight's indices transposed",
          "a sign", "a constant factor", "a missing or extra factor, term or path",
          "another activation's derivative", "a softmax Jacobian taken as diagonal",
          "a missing transpose")  # the mistakes looked for, as the codes name them
NO_EXPLANATION = (f"no single common mistake ({', '.join(SOUGHT)}) explains the difference")


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


class Diagnoser(Candidates):
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
        wrong = activation_fixes(self.net, self.grads, self.points, expr, truth, self.text_of)
        if wrong:  # with the unit's own derivative it holds: nothing else to say
            return [Finding(t) for t in wrong], None
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
            if cand.path and path:  # one path diagnosis: the first, the most specific
                continue
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
                       mine: list[Value], partial: tuple[sp.Symbol, sp.Symbol] | None = None
                       ) -> list[Finding]:
        """Likely mistakes in a side that should equal ``truth``: a sign, a constant, a symbol,
        and for ∂E/∂(a net input or activation) given as ``partial`` a path of the sum
        (worked out once per formula and truth)."""
        return list(self._memo.get(("claim", tuple(truth), expr, partial),
                                   lambda: self._diagnose_claim(truth, compiled, expr, mine,
                                                                partial)))

    def _diagnose_claim(self, truth: list[Value], compiled: Compiled, expr: sp.Expr,
                        mine: list[Value], partial: tuple[sp.Symbol, sp.Symbol] | None
                        ) -> list[Finding]:
        wrong = activation_fixes(self.net, self.grads, self.points, expr, truth, self.text_of)
        if wrong:
            return [Finding(t) for t in wrong]
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
        if not found:
            found += self._claim_paths(truth, mine, partial)
        if not found:  # a slip at one of the places a symbol is written, or a missing term
            pool = {s: self.net.kinds[s] for s in self._swap_pool()}
            found += [Finding(t) for t in occurrence_fixes(expr, truth, self.points, pool,
                                                           self.text_of, self.text)]
        return found[:MAX_DIAGNOSES]

    def _claim_paths(self, truth: list[Value], mine: list[Value],
                     partial: tuple[sp.Symbol, sp.Symbol] | None) -> list[Finding]:
        """A side for ∂E/∂(a unit's net input or activation) that is a sum of some paths."""
        if partial is None or partial[0] != self.net.loss_symbol:
            return []
        unit = next((u for u in self.net.units if partial[1] in (u.net, u.out)), None)
        paths = None if unit is None else paths_from(self.grads, unit, partial[1])
        for cand in self.path_candidates(paths or (), truth):
            if self._match(mine, cand) == 1:
                return [Finding(cand.description)]
        return []

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
        """Single replacements and swaps of symbols that make the formula correct, and the
        weights of a written-out sum transposed together."""
        kinds = self.net.kinds
        index = self.points.index
        mine_syms = sorted((s for s in expr.free_symbols if s in index), key=str)
        transpose = self._transposed()
        found: list[Finding] = []
        budget = MAX_SUBSTITUTIONS
        # a weight's transpose first: Σ_j δ_j w_{1,j} for Σ_j δ_j w_{j,1} is read as such
        # however many other names the formula has
        pool = self._swap_pool()
        for s in mine_syms:
            for r in sorted(pool, key=lambda x: (x != transpose.get(s), kinds[x] != kinds[s],
                                                str(x))):
                if r == s or budget <= 0:
                    continue
                budget -= 1
                tries = [({s: r}, self._replacing(s, r, transpose))]
                if r in expr.free_symbols and str(r) > str(s):  # each pair once
                    tries.append(({s: r, r: s}, f"swapping {self.text_of(s)} and "
                                                f"{self.text_of(r)} makes it correct"))
                for swap, said in tries:
                    if agrees(lambda k, swap=swap: compiled.at(k, swap), truth):
                        found.append(Finding(said, swap=tuple(swap.items())))
                        break
        several = {s: transpose[s] for s in mine_syms if s in transpose and
                   transpose[s] not in expr.free_symbols and
                   reads_transposed(self.text_of(s), self.text_of(transpose[s]))}
        if not found and len(several) > 1 and \
                agrees(lambda k: compiled.at(k, several), truth):
            written = " and ".join(self.text_of(s) for s in several)
            meant = " and ".join(self.text_of(r) for r in several.values())
            found.append(Finding(f"the indices of {written} are transposed: {meant} belong "
                                 f"there", swap=tuple(several.items())))
        return found

    def _replacing(self, s: sp.Symbol, r: sp.Symbol, transpose: dict[sp.Symbol, sp.Symbol]
                   ) -> str:
        written, meant = self.text_of(s), self.text_of(r)
        if transpose.get(s) == r and reads_transposed(written, meant):
            return f"the indices of {written} are transposed: {meant} belongs there"
        return f"replacing {written} by {meant} makes it correct"

    def _transposed(self) -> dict[sp.Symbol, sp.Symbol]:
        return self._memo.get(("transposed",), lambda: transposed_weights(self.net))

    def text(self, expr: sp.Expr) -> str:
        """``expr`` as text with every name in the spec's notation: 1 − (a^[1]_1)²."""
        return words(expr, self.text_of)


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
