"""Check a derivation step by step in the network's semantics.

Every line is read in the network's notation; its sides are compared with its first side
(the quantity being computed) at the random points, or at the spec's worked example for
sides made of numbers. A line starting with ``=`` continues the previous equation. A wrong
side that equals the side before it only carries an earlier error forward, and so does a
later line that the same fix (replace w6 by w7, flip a sign) would make right: both are
marked as consequences, so the first wrong line is the one to correct. ``Let`` lines define
the derivation's own names; update rules are checked against gradient descent.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from ...errors import FormulaError
from ..diagnosis.diagnosis import NO_EXPLANATION, Finding
from ..diagnosis.rereadings import index_hints
from ..diagnosis.shared_weights import shared_weight_mistakes
from ..diagnosis.wrong_steps import WrongSteps
from ..meaning.code_names import mentions_code_names
from ..meaning.free_indices import declared_letters, out_of_range
from ..meaning.meaning import Locals, Scope, meaning
from ..meaning.names import MissingInstance
from ..meaning.recurrent_steps import missing_past_last_step
from ..reading.forms import IDENTITY_VARIABLE, MATRIX_WORDS, matrix_form, unchecked_form
from ..reading.lines import SourceLine
from ..reading.scripts import substitute
from ..reading.syntax import Name, Statement
from .at_example import AtExample
from .claims import (
    Instance,
    Side,
    at_most_undecided,
    instance_scope,
    instances,
    not_judged,
    read_side,
    uncovered,
)
from .context import Context
from .delta_gradients import as_gradients
from .matrix_steps import matrix_names, matrix_results
from .numbers import numbers_carried_on, overlap, written_holds
from .outcome import StepResult
from .own_functions import define_function, defined_function
from .sample_points import close
from .sides import (
    Evaluated,
    claim_text,
    constant_side,
    counterexample,
    instances_text,
    plain,
    shown,
    shown_side,
    side_latex,
    single_partial,
    step_text,
    zero_notes,
)
from .updates import as_increment, check_update, frozen_derivative_note, is_update

AT_EXAMPLE = "holds at the spec's values (the worked example), not as an identity"


def _same(head: Evaluated, side: Evaluated) -> bool:
    """Whether a side only restates what it is compared with: the same name or ∂A/∂B
    (``w5 = w5``, ``∂E/∂w5 = ∂E/∂w5``), or numbers beside numbers (``1 = 1``)."""
    if constant_side(head) and constant_side(side):
        return True
    if head.side.raw == side.side.raw and isinstance(head.side.node, Name) and \
            isinstance(side.side.node, Name):
        return True
    a, b = single_partial(head.side), single_partial(side.side)
    return a is not None and b is not None and \
        (a.numerator, a.denominator) == (b.numerator, b.denominator)


@dataclass
class Chain:
    """The equation a continuation line (``= …``) extends."""

    line: int
    heads: list[Evaluated]
    lasts: list[Evaluated]
    last_wrong: int | None  # the line of the wrong side the chain ended with


@dataclass
class Derivation(AtExample, WrongSteps):
    """The state of a derivation being checked."""

    ctx: Context
    param: sp.Symbol | None
    syntax: str = "auto"
    default_head: Side | None = None  # formula mode: a bare expression is ∂E/∂param
    locals: Locals = field(default_factory=Locals)
    results: list[StepResult] = field(default_factory=list)
    fixes: list[tuple[int, Finding]] = field(default_factory=list)
    errors: list[tuple[int, sp.Expr, sp.Expr]] = field(default_factory=list)  # wrong, truth
    chain: Chain | None = None
    defining: bool = False
    strict: bool = False  # one formula: unreadable text is an error, not an unread line
    equals: list[str | None] = field(default_factory=list)  # per result: whose gradient
    heads_written: list[sp.Symbol | None] = field(default_factory=list)
    updates: int = 0
    gradient_marks: dict[str, str] = field(default_factory=dict)  # δW is ∂E/∂W, as declared
    masked: dict[str, Any] = field(default_factory=dict)  # dhidden after dhidden[h <= 0] = 0
    last_gradient: sp.Symbol | None = None
    last_value: sp.Expr | None = None
    parsed: Side | str = ""  # the last side read (printed when asked), or an update's text
    parsed_side: Side | None = None  # the last side of an equation, for its LaTeX
    lines_seen: int = 0
    detail: bool = True  # each step's claim in words (not needed to grade a class)

    @property
    def parsed_text(self) -> str:
        return self.parsed if isinstance(self.parsed, str) else shown_side(self.ctx, self.parsed)

    @property
    def parsed_latex(self) -> str:
        return "" if self.parsed_side is None else side_latex(self.ctx, self.parsed_side)

    def claim(self, sides: list[Evaluated], head: Evaluated, k: int) -> str:
        return claim_text(self.ctx, sides, head, k) if self.detail else ""

    @property
    def derivation_like(self) -> bool:
        return self.lines_seen > 1

    # -- the loop ------------------------------------------------------------------
    def run(self, lines: list[SourceLine]) -> list[StepResult]:
        for line in lines:
            self.lines_seen += 1
            try:
                self.line(line)
            except FormulaError as exc:
                if self.strict:
                    # ∂L/∂b^{[1]} = δ^{[1]}: a layer's vector the index reader cannot read
                    if unchecked_form(line.formula, str(exc)) != MATRIX_WORDS:
                        raise
                    self.matrix_line(line, line.formula)
                    continue
                if not line.continues:
                    self.chain = None  # an unreadable continuation keeps its equation
                last = self.results[-1] if self.results else None
                words = unchecked_form(line.formula, str(exc))
                if words == MATRIX_WORDS:  # a layer's vector the index reader cannot read
                    self.matrix_line(line, line.formula)
                    continue
                found = [] if words is not None or line.continues else \
                    matrix_results(self.ctx, line, line.formula, strict=None,
                                   bound=self.masked)
                if found:  # z^l = w^l a^{l-1} + b^l: whole layers, read in matrix form
                    for result in found:
                        self.add(result)
                    continue
                if words is None and line.continues and self.chain is None and \
                        last is not None and last.verdict == "unchecked":
                    words = last.diagnosis[0]  # `= 0.427` goes on from an unchecked line
                if words:
                    self.add(StepResult(line.number, line.text, "unchecked", (words,),
                                        label=line.label))
                    continue
                self.add(StepResult(line.number, line.text, "unread", (exc.located(),),
                                    label=line.label))
        return self.results

    def add(self, result: StepResult, equals: str | None = None) -> None:
        self.results.append(result)
        self.equals.append(equals)

    def scope(self) -> Scope:
        return self.ctx.scope(self.param, self.locals)

    def line(self, line: SourceLine) -> None:
        formula = line.formula.strip()
        continues = line.continues and self.chain is not None
        if line.continues:
            formula = formula.lstrip("=≈").strip()
            if formula.startswith("\\approx"):
                formula = formula[len("\\approx"):]
        if line.matrix or matrix_form(formula) or \
                mentions_code_names(formula, matrix_names(self.ctx).code):
            self.chain = None
            self.matrix_line(line, formula)
            return
        for letter in IDENTITY_VARIABLE.findall(formula):  # d/dz σ(z) = σ(z)(1 − σ(z))
            table = self.ctx.table
            if table.lookup(letter) is None and table.generic(letter) is None and \
                    table.param_role(letter) is None:
                self.locals.variable(letter)
        own = defined_function(formula, self.ctx.table, self.locals)
        statement = as_gradients(self.ctx.parse(formula, self.syntax, self.locals),
                                 self.gradient_marks)
        if own is not None and self.function_definition(line, statement, own):
            return
        if self.definition(line, statement):
            return
        self.defining = False
        rule = Statement(statement.sides[:2], statement.relations[:1], statement.text,
                         statement.spans[:2]) if len(statement.sides) > 2 else statement
        rule = as_increment(rule) or rule
        if is_update(rule, self.ctx, self.scope()):
            self.chain = None
            self.updates += 1
            self.add(check_update(rule, line, self))
            self.parsed = statement.text
            if len(statement.sides) > 2:  # w⁺ = w − α ∂E/∂w = 0.4 − 0.5 · 0.082 = 0.359
                self.equation(line, Statement(statement.sides[1:], statement.relations[1:],
                                              statement.text, statement.spans[1:]), False)
            return
        if len(statement.sides) == 1 and not continues and self.default_head is None:
            raise FormulaError("which gradient is this? give --param or write "
                               "∂L/∂param = … ")
        self.equation(line, statement, continues)

    def matrix_line(self, line: SourceLine, formula: str) -> None:
        """A step in matrix form (:mod:`symbackprop.check.judging.matrix_steps`)."""
        for result in matrix_results(self.ctx, line, formula, strict=self.strict,
                                     bound=self.masked):
            self.add(result)
            self.parsed = result.claim or self.parsed  # what was read, as the report shows

    # -- definitions ---------------------------------------------------------------
    def function_definition(self, line: SourceLine, statement: Statement, name: str) -> bool:
        """``s(x) = 1/(1+e^{-x})``: a function of the derivation's own (``own_functions``)."""
        own = define_function(statement, name, self.locals, self.scope())
        if own is None:
            return False
        self.chain = None
        self.add(StepResult(line.number, line.text, "definition", label=line.label,
                            claim=f"{name}({own.variable.name}) := {plain(self.ctx, own.body)}"))
        return True

    def definition(self, line: SourceLine, statement: Statement) -> bool:
        """A ``Let`` line (or one that follows it) defining a name of the derivation."""
        if not (line.let or self.defining) or len(statement.sides) != 2 or \
                statement.relations != ("=",) or not isinstance(statement.sides[0], Name):
            return False
        name = statement.sides[0].written
        table = self.ctx.table
        known = table.lookup(name) or table.generic(name) or table.param_role(name)
        if known and name not in self.locals.symbols:
            return False  # a network quantity: a claim to check
        scope = self.scope()
        scope.defining = True
        value, reading = meaning(statement.sides[1], scope)
        if reading.partials:
            raise FormulaError("a definition cannot contain ∂ factors")
        sym = self.locals.symbols.get(name) or sp.Dummy(name, real=True)
        if sym in value.free_symbols:
            raise FormulaError(f"`{name}` is defined in terms of itself")
        self.locals.symbols[name] = sym
        self.locals.definitions[sym] = value
        self.locals.kinds[sym] = "local"
        self.defining = True
        self.chain = None
        self.add(StepResult(
            line.number, line.text, "definition",
            claim=f"{name} := {plain(self.ctx, value)}",
            label=line.label, notes=tuple(reading.notes)))
        return True

    # -- equations -----------------------------------------------------------------
    def equation(self, line: SourceLine, statement: Statement, continues: bool) -> None:
        scope = self.scope()
        found = instances(statement, self.ctx, scope)
        evaluated: list[tuple[Instance, list[Evaluated]]] = []
        skipped: list[tuple[Instance, str]] = []  # past a recurrent layer's last step
        for inst in found:
            try:
                inner = instance_scope(scope, inst)
                sides = [read_side(node, inner, self.ctx) for node in statement.sides]
                if any(s.reading.examples for s in sides):
                    # a statement about the cost: the loss's name may mean the cost (seed 000)
                    inner.cost_context = True
                    sides = [read_side(node, inner, self.ctx) for node in statement.sides]
            except MissingInstance as missing:
                past = missing_past_last_step(self.ctx.table, missing) if inst.indices else None
                if past is not None:
                    skipped.append((inst, past))
                    continue
                if declared_letters(statement, self.ctx.table) or \
                        not (inst.indices or inst.generic):
                    raise out_of_range(statement, inst.indices, missing, self.ctx.table) \
                        from None
                continue
            sides = numbers_carried_on(sides, self.chain.lasts if continues and self.chain
                                       else None, self.ctx.points)
            evaluated.append((inst, [self.evaluate(s) for s in sides]))
        if not evaluated:
            if skipped:
                raise FormulaError(f"no instance is judged: {skipped[0][1]}",
                                   hint="the formula applies to no step of the network")
            for node in statement.sides:  # `in_{i22}`: an unknown name, not a free index
                with contextlib.suppress(MissingInstance):
                    meaning(node, scope)
            raise FormulaError("no values of the free indices give names that all exist in "
                               "the network")
        left_out = uncovered(statement, [i for i, _ in evaluated], self.ctx, scope) \
            if not continues else None
        # past the last step the formula does not apply (said, not held against it)
        past_last = not_judged(skipped, len(evaluated), self.ctx) if skipped else None
        if continues and self.chain is not None and len(self.chain.heads) == len(evaluated):
            heads = self.chain.heads
            previous = self.chain.lasts
            links = range(len(statement.sides))
            prev_wrong = self.chain.last_wrong
        else:
            if len(statement.sides) == 1:
                assert self.default_head is not None
                heads = [self.evaluate(self.default_head) for _ in evaluated]
            else:
                heads = [sides[0] for _, sides in evaluated]
            previous = heads
            links = range(1 if len(statement.sides) > 1 else 0, len(statement.sides))
            prev_wrong = None
        last_wrong = prev_wrong
        gradient = self.gradient_param(heads[0]) if len(evaluated) == 1 else None
        if not continues:
            self.heads_written.append(gradient if len(statement.sides) > 1 else None)
        if gradient is not None:
            self.last_gradient = gradient
        for k in links:
            result, wrong, equals = self.link(line, statement, k, evaluated, heads, previous,
                                              last_wrong)
            if left_out:
                result = at_most_undecided(replace(result, notes=(*result.notes, left_out)),
                                           left_out)
            if past_last:
                result = replace(result, notes=(*result.notes, past_last))
            if gradient is not None and gradient in self.ctx.net.frozen:
                frozen = frozen_derivative_note(self.ctx, gradient)
                result = replace(result, notes=(*result.notes, frozen))
            self.add(result, equals)
            last_wrong = line.number if wrong else None
            previous = [sides[k] for _, sides in evaluated]
        last = evaluated[0][1][-1].side
        self.last_value = last.value if gradient is not None and not last.numeric else None
        self.parsed = self.parsed_side = last
        self.chain = Chain(line.number, heads, [sides[-1] for _, sides in evaluated],
                           last_wrong)

    def evaluate(self, side: Side) -> Evaluated:
        ev = Evaluated(side)
        if side.numeric:
            ev.span = self.ctx.numbers.span(side.node)
        else:
            ev.compiled = self.ctx.points.compile(side.value)
            ev.values = ev.compiled.everywhere()
            if side.direct is not None:
                ev.direct = self.ctx.points.compile(side.direct).everywhere()
        return ev

    def agrees_directly(self, a: Evaluated, b: Evaluated) -> bool:
        """Whether two sides agree when ∂A/∂B factors with two readings are read along
        direct edges (the chain rule as written for skip connections and shared biases)."""
        if a.direct is None and b.direct is None:
            return False
        x, y = a.direct or a.values, b.direct or b.values
        return x is not None and y is not None and \
            all(close(u, v) for u, v in zip(x, y, strict=True))

    def agrees(self, a: Evaluated, b: Evaluated) -> bool | None:
        """Whether two sides are equal (None: numbers, and the spec has no worked example)."""
        if a.numeric and b.numeric:
            return overlap(a.span, b.span)
        if a.numeric or b.numeric:
            number, other = (a, b) if a.numeric else (b, a)
            value = self.worked(other)
            if value is None:
                return None
            return written_holds(number.span, value, lambda: self.ctx.points.at_worked_example(
                other.side.value, closer=True))
        assert a.values is not None and b.values is not None
        values = (a.values, b.values)  # each side's values depend on its expression alone
        return self.ctx.agreed.get((a.side.value, b.side.value), lambda: all(
            close(x, y) for x, y in zip(*values, strict=True)))

    def link(self, line: SourceLine, statement: Statement, k: int,
             evaluated: list[tuple[Instance, list[Evaluated]]], heads: list[Evaluated],
             previous: list[Evaluated], prev_wrong: int | None
             ) -> tuple[StepResult, bool, str | None]:
        """The verdict on side ``k`` of a line (against the head of its equation)."""
        text = step_text(statement, k, continued=prev_wrong is not None or
                          previous is not heads)
        holds: list[bool | None] = []
        direct: list[str] = []
        specialised = False  # holds at the example's targets only
        for (_, sides), head in zip(evaluated, heads, strict=True):
            side = sides[k]
            ok = self.agrees(head, side)
            if ok is False and self.agrees_directly(head, side):
                ok = True
                direct += [*head.side.direct_notes, *side.side.direct_notes]
            if ok is False and self.whole_at_example(head, side):
                ok = True
                direct.append(AT_EXAMPLE)
            if ok is False and not head.numeric and not side.numeric and \
                    (targets := self.at_example_targets(head, side)) is not None:
                ok = True
                direct.append(targets)
                specialised = True
            holds.append(ok if not (side.side.fatal or head.side.fatal) else False)
        notes = tuple(dict.fromkeys(
            n for _, sides in evaluated for s in shown(sides, k, previous is heads)
            for n in s.side.reading.notes))
        count = instances_text(evaluated, holds)
        if all(h is None for h in holds):
            return StepResult(line.number, text, "unchecked",
                              ("numbers are checked at the spec's worked example, and "
                               + self.ctx.points.why_no_worked_example(),),
                              label=line.label, notes=notes), False, None
        undecided = self.too_few_digits(evaluated, heads, k) \
            if all(h is not False for h in holds) else None
        if undecided is not None:
            return StepResult(line.number, text, "undecided", (undecided,), label=line.label,
                              instances=count, notes=notes,
                              claim=self.claim(evaluated[0][1], heads[0], k)), False, None
        if all(h is not False for h in holds):
            remark = [] if specialised else \
                self.operator_remark(statement.sides[k], evaluated[0][0], heads[0])
            remark += [n for _, sides in evaluated for s in shown(sides, k, previous is heads)
                       for n in zero_notes(s.side)] + direct
            trivial = all(_same(head, sides[k]) for (_, sides), head in
                          zip(evaluated, heads, strict=True))
            about = tuple(dict.fromkeys(p.name for p in map(self.gradient_param, heads)
                                        if p is not None))
            return StepResult(line.number, text, "correct", label=line.label,
                              instances=count, notes=tuple(dict.fromkeys((*notes, *remark))),
                              claim=self.claim(evaluated[0][1], heads[0], k),
                              trivial=trivial, about=about), False, None
        bad = next(j for j, h in enumerate(holds) if h is False)
        inst, sides = evaluated[bad]
        side, head = sides[k], heads[bad]
        source = self.consequence(side, head, previous[bad], prev_wrong)
        counter = counterexample(self.ctx, head, side, self.worked)
        if source is not None:
            return StepResult(line.number, text, "consequence",
                              (f"follows from the error in line {source}",), counter,
                              claim=self.claim(sides, head, k), label=line.label,
                              consequence_of=source, instances=count, notes=notes), True, None
        findings, equals = self.diagnose(head, side)
        if head.side.problems and head is not side:
            findings = [Finding(p) for p in head.side.problems] + \
                [f for f in findings if f.text != NO_EXPLANATION]
        again = self.reread(statement, k, inst, head)
        if again:
            findings = again + [f for f in findings if f.text != NO_EXPLANATION]
        self.fixes += [(line.number, f) for f in findings if f.swap or f.scale is not None]
        if not side.numeric and not head.numeric and side.side.value.free_symbols:
            self.errors.append((line.number, side.side.value, head.side.value))
        words = [f.text for f in findings]
        if not any(h is not False for h in holds) and (len(evaluated) > 1 or inst.indices):
            hints = index_hints(statement, list(inst.indices))
            if hints:
                words = hints + [w for w in words if w != NO_EXPLANATION]
        if inst.indices:
            fixes = self.transposed_fixes(statement, k, inst)
            if fixes:
                words = fixes + [w for w in words if w != NO_EXPLANATION]
        shared = shared_weight_mistakes(self.ctx, evaluated, heads, k, bad, self.gradient_param)
        if shared:
            words = shared + [w for w in words if w != NO_EXPLANATION]
        if len(evaluated) > 1 or inst.indices or inst.generic:
            written = substitute(f"{statement.side_text(0)} = {statement.side_text(k)}",
                                 inst.indices) if inst.indices else None
            words.insert(0, f"fails for {inst.describe(self.ctx)}"
                         + (f": {written}" if written else ""))
        result = StepResult(line.number, text, "incorrect", tuple(dict.fromkeys(words)),
                            counter, claim=self.claim(sides, head, k), label=line.label,
                            instances=count, notes=notes)
        return result, True, equals

    def gradient_param(self, head: Evaluated) -> sp.Symbol | None:
        """The parameter θ when the head is ∂E/∂θ (the network's loss, one example)."""
        partial = single_partial(head.side)
        if partial is None:
            return None
        q = self.ctx.quantities
        if partial.numerator == q.loss and self.ctx.graph.kind(partial.denominator) == "param":
            return partial.denominator
        return None

