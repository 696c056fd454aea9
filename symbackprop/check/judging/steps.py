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

from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from ...errors import FormulaError
from ..diagnosis.diagnosis import NO_EXPLANATION, Finding
from ..diagnosis.rereadings import index_hints, rereadings
from ..diagnosis.transposition import transpositions
from ..meaning.meaning import Locals, Scope, meaning
from ..meaning.names import MissingInstance
from ..reading.forms import IDENTITY_VARIABLE, MATRIX_WORDS, matrix_form, unchecked_form
from ..reading.lines import SourceLine
from ..reading.scripts import substitute
from ..reading.syntax import DerivOp, Name, Statement
from .claims import Instance, Side, instance_scope, instances, read_side, uncovered
from .context import Context
from .leibniz import chain_diagnosis, corrected_chains
from .numbers import interval, numbers_carried_on, overlap, written_holds
from .outcome import StepResult
from .sample_points import Value, close
from .sides import (
    Evaluated,
    claim_text,
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
from .updates import check_update, is_update


@dataclass
class Chain:
    """The equation a continuation line (``= …``) extends."""

    line: int
    heads: list[Evaluated]
    lasts: list[Evaluated]
    last_wrong: int | None  # the line of the wrong side the chain ended with


@dataclass
class Derivation:
    """The state of a derivation being checked."""

    ctx: Context
    param: sp.Symbol | None
    syntax: str = "auto"
    default_head: Side | None = None  # formula mode: a bare expression is ∂E/∂param
    locals: Locals = field(default_factory=Locals)
    results: list[StepResult] = field(default_factory=list)
    fixes: list[tuple[int, Finding]] = field(default_factory=list)
    chain: Chain | None = None
    defining: bool = False
    strict: bool = False  # one formula: unreadable text is an error, not a verdict
    equals: list[str | None] = field(default_factory=list)  # per result: whose gradient
    heads_written: list[sp.Symbol | None] = field(default_factory=list)
    updates: int = 0
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
                    raise
                if not line.continues:
                    self.chain = None  # an unreadable continuation keeps its equation
                if words := unchecked_form(line.formula, str(exc)):
                    self.add(StepResult(line.number, line.text, "unchecked", (words,),
                                        label=line.label))
                    continue
                self.add(StepResult(line.number, line.text, "unreadable", (exc.located(),),
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
        if line.matrix or matrix_form(formula):
            if self.strict:
                raise FormulaError(MATRIX_WORDS)
            self.chain = None
            self.add(StepResult(line.number, line.text, "unchecked", (MATRIX_WORDS,),
                                label=line.label))
            return
        for letter in IDENTITY_VARIABLE.findall(formula):  # d/dz σ(z) = σ(z)(1 − σ(z))
            table = self.ctx.table
            if table.lookup(letter) is None and table.generic(letter) is None and \
                    table.param_role(letter) is None:
                self.locals.variable(letter)
        statement = self.ctx.parse(formula, self.syntax, self.locals)
        if self.definition(line, statement):
            return
        self.defining = False
        rule = Statement(statement.sides[:2], statement.relations[:1], statement.text,
                         statement.spans[:2]) if len(statement.sides) > 2 else statement
        if is_update(rule, self.ctx, self.scope()):
            self.chain = None
            self.updates += 1
            self.add(check_update(rule, line, self))
            self.parsed = statement.text
            if rule is not statement:  # w⁺ = w − α ∂E/∂w = 0.4 − 0.5 · 0.082 = 0.359
                self.equation(line, Statement(statement.sides[1:], statement.relations[1:],
                                              statement.text, statement.spans[1:]), False)
            return
        if len(statement.sides) == 1 and not continues and self.default_head is None:
            raise FormulaError("which gradient is this? give --param or write "
                               "∂L/∂param = … ")
        self.equation(line, statement, continues)

    # -- definitions ---------------------------------------------------------------
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
        for inst in found:
            try:
                inner = instance_scope(scope, inst)
                sides = [read_side(node, inner, self.ctx) for node in statement.sides]
                if any(s.reading.examples for s in sides):
                    # a statement about the cost: the loss's name may mean the cost (seed 000)
                    inner.cost_context = True
                    sides = [read_side(node, inner, self.ctx) for node in statement.sides]
            except MissingInstance:
                continue
            sides = numbers_carried_on(sides, self.chain.lasts if continues and self.chain
                                       else None, self.ctx.points)
            evaluated.append((inst, [self.evaluate(s) for s in sides]))
        if not evaluated:
            raise FormulaError("no values of the free indices give names that all exist in "
                               "the network")
        left_out = uncovered(statement, [i for i, _ in evaluated], self.ctx, scope) \
            if not continues else None
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
                result = replace(result, notes=(*result.notes, left_out))
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
            ev.span = interval(side.node)
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

    def worked(self, ev: Evaluated) -> Value:
        if ev.worked is None and not ev.numeric:
            ev.worked = self.ctx.points.at_worked_example(ev.side.value)
        return ev.worked

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
        for (_, sides), head in zip(evaluated, heads, strict=True):
            side = sides[k]
            ok = self.agrees(head, side)
            if ok is False and self.agrees_directly(head, side):
                ok = True
                direct += [*head.side.direct_notes, *side.side.direct_notes]
            holds.append(ok if not (side.side.fatal or head.side.fatal) else False)
        notes = tuple(dict.fromkeys(
            n for _, sides in evaluated for s in shown(sides, k, previous is heads)
            for n in s.side.reading.notes))
        count = instances_text(evaluated, holds)
        if all(h is None for h in holds):
            return StepResult(line.number, text, "unchecked",
                              ("numbers are checked at the spec's worked example, and the "
                               "spec has no values (or an unspecified activation)",),
                              label=line.label, notes=notes), False, None
        if all(h is not False for h in holds):
            remark = self.operator_remark(statement.sides[k], evaluated[0][0], heads[0])
            remark += [n for _, sides in evaluated for s in shown(sides, k, previous is heads)
                       for n in zero_notes(s.side)] + direct
            return StepResult(line.number, text, "correct", label=line.label,
                              instances=count, notes=tuple(dict.fromkeys((*notes, *remark))),
                              claim=self.claim(evaluated[0][1], heads[0], k)), False, None
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
        words = [f.text for f in findings]
        if not any(h is not False for h in holds) and (len(evaluated) > 1 or inst.indices):
            hints = index_hints(statement, list(inst.indices))
            if hints:
                words = hints + [w for w in words if w != NO_EXPLANATION]
        if inst.indices:
            fixes = self.transposed_fixes(statement, k, inst)
            if fixes:
                words = fixes + [w for w in words if w != NO_EXPLANATION]
        if len(evaluated) > 1 or inst.indices or inst.generic:
            written = substitute(f"{statement.side_text(0)} = {statement.side_text(k)}",
                                 inst.indices) if inst.indices else None
            words.insert(0, f"fails for {inst.describe(self.ctx)}"
                         + (f": {written}" if written else ""))
        result = StepResult(line.number, text, "incorrect", tuple(dict.fromkeys(words)),
                            counter, claim=self.claim(sides, head, k), label=line.label,
                            instances=count, notes=notes)
        return result, True, equals

    # -- wrong steps ---------------------------------------------------------------
    def transposed_fixes(self, statement: Statement, k: int, inst: Instance) -> list[str]:
        """Two indices of one name swapped (w^{l+1}_{jk} for w^{l+1}_{kj}) when that makes
        side ``k`` hold for every instance, with the fix of the failing instance."""
        for raw, new, candidate in transpositions(statement):
            if self.holds_everywhere(candidate, k):
                was, fix = substitute(raw, inst.indices), substitute(new, inst.indices)
                return [f"the indices of {raw} are transposed: with {new} it holds for every "
                        f"instance (here {was} → {fix})"]
        return []

    def holds_everywhere(self, statement: Statement, k: int) -> bool:
        """Whether side ``k`` of ``statement`` equals its first side in every instance."""
        scope = self.scope()
        checked = 0
        for inst in instances(statement, self.ctx, scope):
            inner = instance_scope(scope, inst)
            try:
                head, side = (self.evaluate(read_side(statement.sides[j], inner, self.ctx))
                              for j in (0, k))
            except MissingInstance:
                continue
            except FormulaError:
                return False
            if head.side.fatal or side.side.fatal or not self.agrees(head, side):
                return False
            checked += 1
        return checked > 0

    def consequence(self, side: Evaluated, head: Evaluated, previous: Evaluated,
                    prev_wrong: int | None) -> int | None:
        """The earlier line whose error this side carries forward, if any."""
        if prev_wrong is not None and previous is not side and self.agrees(previous, side):
            return prev_wrong
        if side.compiled is None or head.values is None:
            return None
        for number, finding in self.fixes:
            if finding.swap:
                swap = dict(finding.swap)
                if all(close(side.compiled.at(j, swap), head.values[j])
                       for j in range(self.ctx.points.count)):
                    return number
            elif finding.scale is not None and side.values is not None:
                s = finding.scale
                if all(v is not None and h is not None and
                       close(v, h * s.numerator / s.denominator)
                       for v, h in zip(side.values, head.values, strict=True)):
                    return number
        return None

    def diagnose(self, head: Evaluated, side: Evaluated) -> tuple[list[Finding], str | None]:
        findings: list[Finding] = [Finding(p) for p in side.side.problems]
        equals: str | None = None
        partial = single_partial(head.side)
        graph = self.scope().graph
        if partial is not None:
            fixed = corrected_chains(graph, side.side.raw, side.side.partials,
                                     partial.numerator, partial.denominator)
            if fixed:
                findings.append(Finding(f"without the meaningless factors the chain reads "
                                        f"{fixed}"))
            findings += [Finding(t) for t in chain_diagnosis(
                graph, side.side.raw, side.side.partials, partial.numerator,
                partial.denominator)]
        if side.compiled is not None and side.values is not None and head.values is not None:
            gradient_of = self.gradient_param(head)
            if gradient_of is not None and not side.side.reading.examples:
                more, equals = self.ctx.diagnoser.diagnose_gradient(
                    gradient_of, side.compiled, side.side.value, side.values)
            else:
                more = self.ctx.diagnoser.diagnose_claim(head.values, side.compiled,
                                                         side.side.value, side.values)
            q = self.ctx.quantities
            if partial is not None and partial.numerator == q.cost:  # ∂J/∂θ: m examples
                more = self.ctx.diagnoser.diagnose_cost(
                    partial.denominator, head.values, side.values,
                    self.ctx.points.scalar(q.count), self.ctx.text_of(q.loss)) + more
            elif head.side.value == q.cost:  # J = (1/m) Σ L^(i): m examples
                more = self.ctx.diagnoser.diagnose_mean(
                    head.values, side.values, self.ctx.points.scalar(q.count)) + more
            findings += more
        elif side.numeric or head.numeric:
            value = self.worked(head if side.numeric else side)
            if value is not None:
                findings.append(Finding(
                    f"at the spec's values the exact value is {sp.Float(value, 12)}, which "
                    f"the written numbers do not round to"))
        if not findings:
            findings.append(Finding(NO_EXPLANATION))
        return findings, equals

    def operator_remark(self, node: Any, inst: Instance, head: Evaluated) -> list[str]:
        """∂E/∂o = ∂/∂o [ … ]: a remark when the bracket is not E, though its derivative is."""
        partial = single_partial(head.side)
        if not isinstance(node, DerivOp) or partial is None:
            return []
        scope = instance_scope(self.scope(), inst)
        try:
            body = read_side(node.body, scope, self.ctx)
            bottom = meaning(node.bottom, scope)[0]
        except (FormulaError, MissingInstance):
            return []
        if bottom != partial.denominator or body.numeric:
            return []
        mine = self.evaluate(body).values
        truth = self.ctx.points.compile(partial.numerator).everywhere()
        if mine is None or all(close(a, b) for a, b in zip(mine, truth, strict=True)):
            return []
        top, by = self.ctx.text_of(partial.numerator), self.ctx.text_of(partial.denominator)
        return [f"the expression under ∂/∂{by} is not {top}; the step holds only because the "
                f"difference does not depend on {by}"]

    def reread(self, statement: Statement, k: int, inst: Instance, head: Evaluated
               ) -> list[Finding]:
        """Readings of side ``k`` the student may have meant (brackets), when they hold."""
        found = []
        for words, node in rereadings(statement.sides[k], statement):
            try:
                side = read_side(node, instance_scope(self.scope(), inst), self.ctx)
            except (FormulaError, MissingInstance):
                continue
            if self.agrees(head, self.evaluate(side)):
                found.append(Finding(words))
        return found

    def gradient_param(self, head: Evaluated) -> sp.Symbol | None:
        """The parameter θ when the head is ∂E/∂θ (the network's loss, one example)."""
        partial = single_partial(head.side)
        if partial is None:
            return None
        q = self.ctx.quantities
        if partial.numerator == q.loss and self.ctx.graph.kind(partial.denominator) == "param":
            return partial.denominator
        return None


