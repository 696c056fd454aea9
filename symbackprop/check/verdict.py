"""The verdict on a hand-written gradient: the :class:`Checker` of one network.

Both the formula and ∂E/∂param are evaluated at many random points in 50-digit arithmetic
(:mod:`symbackprop.check.sample_points`); they must agree to 40 digits everywhere. A symbolic check
confirms a correct verdict when it can. A wrong formula gets the first point where the values
differ and a diagnosis (:mod:`symbackprop.check.diagnosis`, :mod:`symbackprop.check.leibniz`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mpmath
import sympy as sp

from ..errors import FormulaError, did_you_mean
from ..network.build import Network, build_network
from ..network.derivation import Derivation, Gradients, derive
from ..spec.load import NetworkSpec, load_spec
from .diagnosis import NO_EXPLANATION, Diagnoser
from .leibniz import Graph
from .outcome import CheckResult, Counterexample
from .parser import NameTable, ParsedFormula, parse_formula
from .sample_points import DIGITS, POINTS, SCREEN, EvaluationPoints, Value, close
from .symbolic import symbolic_check

MAX_SHOWN_FORMULA = 2000
UNSPECIFIED_NOTE = ("unspecified activations are evaluated as a different random smooth "
                    "function at each point")

SpecLike = str | Path | NetworkSpec | Network


@dataclass
class _Side:
    """The verdict on one right-hand side."""

    correct: bool
    counterexample: Counterexample | None
    diagnosis: list[str]
    equals_gradient_of: str | None
    symbolic: str


class Checker:
    """Checks formulas against one network; reuse it to grade many answers quickly."""

    def __init__(self, net: Network, *, seed: int = 0, points: int = POINTS) -> None:
        self.net = net
        self.grads: Gradients = derive(net)
        self.names = NameTable.of(net)
        self.points = max(SCREEN, points)
        self.evaluation = EvaluationPoints(net, self.grads, seed=seed, count=self.points)
        self.graph = Graph(net)
        self.diagnoser = Diagnoser(net, self.grads, self.evaluation)
        self._latex_names = {s: net.latex_of(s) for s in net.latex_names}
        self._notes = (UNSPECIFIED_NOTE,) if any(
            u.activation.kind == "unspecified" for u in net.units) else ()

    def gradient(self, param: sp.Symbol) -> tuple[Callable[..., Any], list[Value]]:
        """The true ∂E/∂param, compiled, and its value at every point."""
        return self.evaluation.gradient(param)

    def resolve_param(self, name: str) -> sp.Symbol:
        """The parameter called ``name`` (in any spelling the formulas accept)."""
        found = self.names.lookup(name.strip())
        if found is None or self.net.kinds.get(found[0]) != "param":
            raise FormulaError(f"no parameter called `{name}`",
                               hint=did_you_mean(name, [p.name for p in self.net.params]))
        return found[0]

    def check(self, param: str | None, formula: str, *, syntax: str = "auto") -> CheckResult:
        """Check ``formula`` as ∂E/∂``param`` (``param`` may come from a ``∂E/∂w =`` side)."""
        with mpmath.workdps(DIGITS):
            return self._check(param, formula, syntax)

    def _check(self, param: str | None, formula: str, syntax: str) -> CheckResult:
        parsed = parse_formula(formula, self.net, syntax=syntax, names=self.names)
        target = self._target_param(param, parsed)
        derivation = self.grads.derivation(target)
        values: dict[sp.Symbol, sp.Expr] = {}
        problems: list[str] = []
        meaningless = False
        for placeholder, p in parsed.partials.items():
            values[placeholder], problem, fatal = self.graph.partial_value(p)
            if problem:
                problems.append(problem)
            meaningless |= fatal
        sides = [self._check_side(side.xreplace(values), target, derivation)
                 for side in parsed.sides]
        bad = next((k for k, s in enumerate(sides) if not s.correct), None)
        shown = -1 if bad is None else bad
        diagnosis = problems if meaningless or bad is not None else []
        if bad is not None:
            diagnosis += self.graph.chain_diagnosis(parsed, parsed.sides[bad], target,
                                                    derivation)
            diagnosis += sides[bad].diagnosis
            if not diagnosis:
                diagnosis.append(NO_EXPLANATION)
            if len(sides) > 1:
                diagnosis.insert(0, f"right-hand side {bad + 1} of {len(sides)} is wrong")
        return self._result(parsed, formula, target, derivation, sides[shown],
                            parsed.sides[shown], diagnosis,
                            correct=bad is None and not meaningless)

    def _result(self, parsed: ParsedFormula, formula: str, target: sp.Symbol,
                derivation: Derivation, side: _Side, expr: sp.Expr, diagnosis: list[str],
                *, correct: bool) -> CheckResult:
        if len(formula) > MAX_SHOWN_FORMULA:
            formula = formula[:MAX_SHOWN_FORMULA] + "…"
        return CheckResult(
            param=target.name, formula=formula,
            verdict="correct" if correct else "incorrect",
            counterexample=side.counterexample,
            diagnosis=tuple(dict.fromkeys(diagnosis)),
            equals_gradient_of=side.equals_gradient_of,
            parsed=parsed.text(expr), parsed_latex=parsed.latex(self.net, expr),
            gradient=sp.sstr(derivation.closed),
            gradient_latex=sp.latex(derivation.closed, symbol_names=self._latex_names),
            notes=(*parsed.notes, *self._notes),
            method=(f"{self.points} random points at {DIGITS} digits (agreement to 40 digits "
                    f"required); symbolic check: {side.symbolic}"),
            loss=self.net.loss_symbol.name,
        )

    def _target_param(self, param: str | None, parsed: ParsedFormula) -> sp.Symbol:
        """The parameter the formula is for: ``param``, the written ``∂L/∂param``, or both."""
        lhs = parsed.lhs
        named = self.resolve_param(param) if param else None
        if lhs is None:
            if named is None:
                raise FormulaError("which gradient is this? give --param or write "
                                   "∂L/∂param = … ")
            return named
        if lhs.numerator != self.net.loss_symbol:
            raise FormulaError(f"the left side {lhs.text} is not a derivative of the loss "
                               f"{self.net.loss_symbol.name}")
        if self.net.kinds[lhs.denominator] != "param":
            raise FormulaError(f"the left side {lhs.text} is not a gradient of a parameter")
        if named is not None and named != lhs.denominator:
            raise FormulaError(f"the left side is ∂/∂{lhs.denominator.name} but the parameter "
                               f"given is {named.name}")
        return lhs.denominator

    def _check_side(self, expr: sp.Expr, param: sp.Symbol, derivation: Derivation) -> _Side:
        """One right-hand side (∂ factors already replaced by their values) against ∂E/∂param."""
        fn = self.evaluation.compile(expr)
        _, truth = self.gradient(param)
        mine = self.evaluation.at_every_point(fn)
        bad = next((k for k in range(self.points) if not close(mine[k], truth[k])), None)
        if bad is None:
            return _Side(True, None, [], None, symbolic_check(self.net, expr, derivation.closed))
        counter = Counterexample(self.evaluation.point(bad), _number(truth[bad]),
                                 _number(mine[bad]))
        diagnosis, equals = self.diagnoser.diagnose(param, fn, expr, mine)
        return _Side(False, counter, diagnosis, equals, "not needed (values differ)")


def _number(value: Value) -> float | None:
    return None if value is None else float(value)


def checker_for(spec: SpecLike | Checker, *, seed: int = 0) -> Checker:
    """``spec`` itself when it is a Checker, else a new Checker of the network it describes."""
    if isinstance(spec, Checker):
        return spec
    if isinstance(spec, Network):
        return Checker(spec, seed=seed)
    if isinstance(spec, NetworkSpec):
        return Checker(build_network(spec), seed=seed)
    return Checker(build_network(load_spec(spec)), seed=seed)


def check_formula(spec: SpecLike | Checker, param: str | None, formula: str, *,
                  syntax: str = "auto", seed: int = 0) -> CheckResult:
    """Check a hand-written ∂E/∂``param``; raise :class:`FormulaError` if it is unreadable.

    >>> r = check_formula("specs/seed-004-mazur-2-2-2.yaml", "w5",
    ...                   "-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1")  # doctest: +SKIP
    >>> r.verdict  # doctest: +SKIP
    'correct'
    """
    return checker_for(spec, seed=seed).check(param, formula, syntax=syntax)
