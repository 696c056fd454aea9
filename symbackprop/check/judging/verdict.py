"""The verdict on a hand-written formula or derivation: the :class:`Checker` of one network.

Every side of every step is evaluated at many random points in 50-digit arithmetic
(:mod:`symbackprop.check.sample_points`) and must agree with the quantity it claims to equal
to 40 digits everywhere; a symbolic check confirms a correct gradient when it can. A wrong
step gets the first point where the values differ and a diagnosis
(:mod:`symbackprop.check.diagnosis`, :mod:`symbackprop.check.leibniz`); a derivation reports
each step and its first wrong line (:mod:`symbackprop.check.judging.steps`).
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import sympy as sp

from ...errors import FormulaError
from ...network.build import Network, build_network
from ...spec.load import NetworkSpec, load_spec
from ..diagnosis.diagnosis import NO_EXPLANATION
from ..meaning.meaning import Partial, Reading
from ..meaning.unknown_names import param_hint
from ..reading.lines import SourceLine, split_lines
from ..reading.syntax import Deriv, Name
from ..reading.tokens import MAX_LENGTH
from .claims import Side
from .context import Context
from .delta_gradients import declared
from .outcome import CheckResult, StepResult
from .sample_points import DIGITS, POINTS, SCREEN
from .steps import Derivation
from .symbolic import symbolic_check

MAX_SHOWN_FORMULA = 2000
MAX_DERIVATION_LENGTH = 200_000
UNSPECIFIED_NOTE = ("unspecified activations are evaluated as a different random smooth "
                    "function at each point")

SpecLike = str | Path | NetworkSpec | Network


class Checker:
    """Checks formulas and derivations against one network; reuse it to grade a class."""

    def __init__(self, net: Network, *, seed: int = 0, points: int = POINTS) -> None:
        self.net = net
        self.points_count = max(SCREEN, points)
        self.ctx = Context.build(net, seed=seed, points=self.points_count)
        self.grads = self.ctx.grads
        self.names = self.ctx.table
        self.evaluation = self.ctx.points
        self._latex_names = {s: net.latex_of(s) for s in net.latex_names}
        self._shown_names = {s.name: self.ctx.text_of(s)
                             for s in [*net.params, *net.inputs, *net.targets,
                                       *(q for u in net.units for q in (u.net, u.out))]}
        self._notes = (UNSPECIFIED_NOTE,) if any(
            u.activation.kind == "unspecified" for u in net.units) else ()

    def gradient(self, param: sp.Symbol) -> tuple[object, list[object]]:
        """The true ∂E/∂param, compiled, and its value at every point."""
        return self.evaluation.gradient(param)

    def warm_up(self, params: list[str]) -> None:
        """Compile the true gradients of the parameters named (in any spelling; unknown
        names are left to the answers that use them) and their likely mistakes, so that
        worker processes forked from this checker start with them."""
        with mpmath.workdps(DIGITS):
            for name in params:
                try:
                    param = self.resolve_param(name)
                except FormulaError:
                    continue
                self.gradient(param)
                self.ctx.diagnoser.candidates(param)

    def resolve_param(self, name: str) -> sp.Symbol:
        """The parameter called ``name`` (in any spelling the formulas accept)."""
        found = self.names.lookup(name.strip())
        if found is None or self.net.kinds.get(found[0]) != "param":
            raise FormulaError(f"no parameter called `{name}`",
                               hint=param_hint(self.names, name.strip()))
        return found[0]

    def read(self, formula: str, *, param: str | None = None, syntax: str = "auto"
             ) -> tuple[list[sp.Expr], Reading]:
        """The sides of ``formula`` as SymPy objects in the network's symbols (∂ factors as
        placeholders in ``Reading.partials``), without checking anything."""
        from ..meaning.meaning import meaning
        from ..reading.parser import parse_statement

        target = self.resolve_param(param) if param else None
        knows, is_function = self.ctx.knows(None)
        statement = parse_statement(formula, knows=knows, is_function=is_function,
                                    syntax=syntax)
        scope = self.ctx.scope(target)
        reading = Reading()
        sides = [meaning(node, scope, reading)[0] for node in statement.sides]
        return sides, reading

    # -- one formula ---------------------------------------------------------------
    def check(self, param: str | None, formula: str, *, syntax: str = "auto",
              detail: bool = True) -> CheckResult:
        """Check ``formula`` as ∂E/∂``param`` (``param`` may come from a ``∂E/∂w =`` side).

        A formula may chain equalities (A = B = C) or be an update rule; an unreadable
        formula raises :class:`FormulaError`. ``detail=False`` leaves out what only a
        report shows (each step's claim, the parsed form, the gradient in LaTeX, the
        symbolic confirmation) and gives the same verdict, diagnosis and first wrong line.
        """
        if not isinstance(formula, str):
            raise FormulaError("a formula must be text")
        if len(formula) > MAX_LENGTH:
            raise FormulaError(f"the formula is {len(formula)} characters long; the limit is "
                               f"{MAX_LENGTH}")
        with mpmath.workdps(DIGITS):
            target = self.resolve_param(param) if param else None
            # one formula is one statement, however its text is broken into lines (as in
            # the examples of --help); only \\ separates rows
            lines = split_lines(" ".join(formula.splitlines()), self.ctx.line_words())
            if not lines:
                lines = [SourceLine(1, formula.strip(), formula.strip())]
            run = Derivation(self.ctx, target, syntax, strict=True, detail=detail,
                             gradient_marks=declared(formula))
            if target is not None:
                run.default_head = self.gradient_side(target)
            run.run(lines)
            self._agree(run, target)
            return self.result(run, formula, target)

    def _agree(self, run: Derivation, target: sp.Symbol | None) -> None:
        """A written ∂L/∂w on the left must be the gradient of the parameter given."""
        for step in run.heads_written:
            if target is not None and step is not None and step != target:
                raise FormulaError(f"the left side is ∂/∂{step.name} but the parameter "
                                   f"given is {target.name}")
        if target is None and not run.results:
            raise FormulaError("which gradient is this? give --param or write ∂L/∂param = … ")

    def gradient_side(self, param: sp.Symbol) -> Side:
        """∂E/∂param as a side (the head of a bare formula)."""
        placeholder = sp.Dummy(f"d{self.net.loss_symbol.name}_d{param.name}")
        reading = Reading()
        reading.partials[placeholder] = Partial(self.net.loss_symbol, param,
                                                f"∂{self.net.loss_symbol.name}/∂{param.name}")
        closed = self.grads.derivation(param).closed
        return Side(Deriv(Name(self.net.loss_symbol.name, 0), Name(param.name, 0),
                          "", 0), placeholder, closed, reading)

    # -- a derivation --------------------------------------------------------------
    def check_derivation(self, text: str, *, param: str | None = None,
                         syntax: str = "auto", detail: bool = True) -> CheckResult:
        """Check every step of a derivation (LaTeX or plain, one step per line);
        ``detail`` as for :meth:`check`."""
        if len(text) > MAX_DERIVATION_LENGTH:
            raise FormulaError(f"the derivation is {len(text)} characters long; the limit is "
                               f"{MAX_DERIVATION_LENGTH}")
        with mpmath.workdps(DIGITS):
            target = self.resolve_param(param) if param else None
            lines = split_lines(text, self.ctx.line_words())
            if not lines:
                raise FormulaError("no step to check: a derivation has one equation per line")
            run = Derivation(self.ctx, target, syntax, detail=detail,
                             gradient_marks=declared(text))
            run.run(lines)
            return self.result(run, text, target)

    # -- the report ----------------------------------------------------------------
    def result(self, run: Derivation, text: str, target: sp.Symbol | None) -> CheckResult:
        steps = tuple(run.results)
        if not any(s.verdict in ("correct", "incorrect", "consequence", "undecided")
                   for s in steps):
            reasons = [s.diagnosis[0] for s in steps if s.diagnosis]
            raise FormulaError("no step could be checked" + (f": {reasons[0]}" if reasons
                                                             else ""))
        wrong = next((s for s in steps if s.verdict == "incorrect"), None)
        first_bad = next((s for s in steps if s.wrong), None)
        param = target or run.last_gradient
        undecided = next((s for s in steps if s.verdict == "undecided"), None) \
            if first_bad is None else None
        verdict = "incorrect" if first_bad is not None else "undecided" if undecided else \
            "correct" if _answers(steps, param) else "not an answer"
        correct = verdict == "correct"
        shown = wrong or first_bad or undecided
        diagnosis: tuple[str, ...] = ()
        counter = None
        if verdict == "not an answer":
            subject = f"∂{self.names.text_of(self.net.loss_symbol)}/∂" \
                f"{self.names.text_of(param)}" if param is not None else "a quantity"
            diagnosis = (f"not an answer: it states nothing about {subject} but what it "
                         f"starts from",)
        if shown is not None:
            diagnosis = shown.diagnosis or (NO_EXPLANATION,)
            counter = shown.counterexample
            if len(steps) > 1:
                diagnosis = (f"line {shown.line}: {shown.text}"[:200], *diagnosis) \
                    if run.derivation_like else diagnosis
        if len(text) > MAX_SHOWN_FORMULA:
            text = text[:MAX_SHOWN_FORMULA] + "…"
        gradient = gradient_latex = None
        symbolic = {"correct": "not run (the random points decide)",
                    "incorrect": "not needed (values differ)",
                    "undecided": "not run (the verdict is undecided)"}.get(verdict, "not run")
        if param is not None:
            closed = self.grads.derivation(param).closed
            gradient = self.ctx.plain(closed)
            gradient_latex = self.ctx.printed.get(("gradient latex", closed), lambda: sp.latex(
                closed, symbol_names=self._latex_names)) if run.detail else None
            if correct and run.last_value is not None and run.detail:
                symbolic = symbolic_check(self.net, run.last_value, closed)
        notes = tuple(dict.fromkeys([n for s in steps for n in s.notes] + list(self._notes)))
        equals = next((e for s, e in zip(steps, run.equals, strict=False)
                       if e is not None and s is shown), None)
        return CheckResult(
            param=param.name if param is not None else None, formula=text,
            verdict=verdict, counterexample=counter,
            diagnosis=tuple(dict.fromkeys(diagnosis)), equals_gradient_of=equals,
            parsed=run.parsed_text if run.detail else "",
            parsed_latex=run.parsed_latex if run.detail else "",
            gradient=gradient, gradient_latex=gradient_latex, notes=notes,
            method=(f"{self.points_count} random points at {DIGITS} digits (agreement to 40 "
                    f"digits required); symbolic check: {symbolic}"),
            loss=self.names.text_of(self.net.loss_symbol),
            steps=steps, first_wrong_line=first_bad.line if first_bad is not None else None,
            not_judged=len({s.line for s in steps if s.verdict in ("unread", "unchecked")}),
            names=self._shown_names,
        )


def _answers(steps: tuple[StepResult, ...], param: sp.Symbol | None) -> bool:
    """Whether the correct steps state something in terms other than itself: with a
    parameter, its gradient or update; without one, any quantity."""
    stated = [s for s in steps if s.verdict == "correct" and not s.trivial]
    if param is None:
        return bool(stated)
    return any(param.name in s.about for s in stated)


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


def check_derivation(spec: SpecLike | Checker, text: str, *, param: str | None = None,
                     syntax: str = "auto", seed: int = 0) -> CheckResult:
    """Check every step of a derivation; see :meth:`Checker.check_derivation`."""
    return checker_for(spec, seed=seed).check_derivation(text, param=param, syntax=syntax)


__all__ = ["Checker", "StepResult", "check_derivation", "check_formula", "checker_for"]
