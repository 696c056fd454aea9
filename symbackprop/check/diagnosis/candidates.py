"""The likely mistakes a formula for one gradient is compared with, built once per
parameter: another parameter's gradient, a sign or constant, a missing or extra factor (two
factors missing together), a missing path or group of paths (the softmax Jacobian's diagonal
alone), one symbol of the true gradient replaced by another.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ...network.build import Network
from ...network.derivation import Gradients
from ..judging.memo import Memo
from ..judging.sample_points import Compiled, EvaluationPoints, Value
from .paths import PathSum, path_sums

MAX_SUBSTITUTIONS = 600
MAX_OTHER_GRADIENTS = 300
MAX_PRODUCT_FACTORS = 12  # factors of a gradient's product paired as missing together


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


class Candidates:
    """The candidates of each parameter, for :class:`~.diagnosis.Diagnoser` (kept per
    parameter)."""

    net: Network
    grads: Gradients
    points: EvaluationPoints
    text_of: Callable[[sp.Symbol], str]
    _candidates: dict[sp.Symbol, list[Candidate]]
    _memo: Memo[Any]

    def text(self, expr: sp.Expr) -> str:  # pragma: no cover - the diagnoser's own
        raise NotImplementedError

    def _swap_pool(self) -> list[sp.Symbol]:  # pragma: no cover - the diagnoser's own
        raise NotImplementedError

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
        # two factors of the product left out together (w4 and w2 of a chain)
        product = [g for g in sp.Mul.make_args(closed) if not g.is_Number]
        compiled = [(g, self.points.compile(g)) for g in product[:MAX_PRODUCT_FACTORS]]
        for i, (g, gfn) in enumerate(compiled):
            for h, hfn in compiled[i + 1:]:
                out.append(Candidate(f"it misses the factors {self.text(g)} and "
                                     f"{self.text(h)}", self._without_both(truth, gfn, hfn)))
        return out

    def _without_both(self, truth: list[Value], gfn: Compiled, hfn: Compiled
                      ) -> Callable[[int], Value]:
        """The true gradient divided by two of its factors (each compiled once)."""
        def at(k: int) -> Value:
            g, h = gfn.at(k), hfn.at(k)
            return None if g is None or h is None or truth[k] is None else \
                _divide_or_none(truth[k], g * h)
        return at

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
        sums = path_sums(self.net, paths, self.text_of)
        out += [self._path_sum(s, truth) for s in sums if "diagonal" in s.words]
        names = [self._path_units(p) for p in paths]
        common = set.intersection(*(set(n) for n in names))
        labels = [", ".join(u for u in units if u not in common) or ", ".join(units)
                  for units in names]
        if len(set(labels)) < len(labels):  # softmax: a path is named by its net inputs too
            names = [self._path_nodes(p) for p in paths]
            common = set.intersection(*(set(n) for n in names))
            labels = [", ".join(u for u in units if u not in common) for units in names]
        for path, label in zip(paths, labels, strict=True):
            pfn = self.points.compile(sp.Mul(*[f.value for f in path]))
            out.append(Candidate(f"it misses the path through {label} (a term of the sum)",
                                 self._combined(truth, pfn, operator.sub), path=True))
            if len(paths) > 2:
                out.append(Candidate(f"it keeps only the path through {label}",
                                     lambda k, pfn=pfn: pfn.at(k), path=True))
        out += [self._path_sum(s, truth) for s in sums if "diagonal" not in s.words]
        return out

    def _path_sum(self, found: PathSum, truth: list[Value]) -> Candidate:
        fn = self.points.compile(found.expr)
        return Candidate(found.words, (lambda k: fn.at(k)) if found.keeps else
                         self._combined(truth, fn, operator.sub), path=True)

    def path_candidates(self, paths: Sequence[Any], truth: list[Value]) -> list[Candidate]:
        """Sums of paths a side for ∂E/∂(a net input or activation) may be (claims)."""
        return [self._path_sum(s, truth) for s in path_sums(self.net, paths, self.text_of)]

    def _path_units(self, path: Sequence[Any]) -> list[str]:
        outs = {u.out: self.text_of(u.out) for u in self.net.units}
        return [outs[f.numerator] for f in path if f.numerator in outs]

    def _path_nodes(self, path: Sequence[Any]) -> list[str]:
        kinds = self.net.kinds
        return [self.text_of(f.numerator) for f in path
                if kinds.get(f.numerator) in ("net", "out")]

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


def _divide_or_none(a: Any, b: Any) -> Value:
    return None if b == 0 else a / b
