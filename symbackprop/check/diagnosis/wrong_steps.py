"""Why a step of a derivation is wrong, or only inherits an earlier error.

A wrong side is compared with likely mistakes (:mod:`symbackprop.check.diagnosis.diagnosis`), its
Leibniz factors with the network's graph (:mod:`symbackprop.check.judging.leibniz`), its numbers
with the worked example's values (:mod:`symbackprop.check.judging.worked_numbers`), and other
readings of its brackets and indices; a side that the fix of an earlier line makes right is
a consequence of that line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ...errors import FormulaError
from ..judging.claims import Instance, instance_scope, instances, read_side
from ..judging.leibniz import chain_diagnosis, corrected_chains
from ..judging.sample_points import Value, close
from ..judging.sides import Evaluated, constant_side, single_partial
from ..meaning.meaning import Scope, meaning
from ..meaning.names import MissingInstance
from ..reading.scripts import substitute
from ..reading.syntax import DerivOp, Statement
from .diagnosis import NO_EXPLANATION, Finding
from .rereadings import rereadings
from .transposition import transpositions

if TYPE_CHECKING:
    from ..judging.context import Context
    from ..judging.sides import Side

DIFFERENT_NUMBERS = "the two sides are different numbers"
MAX_CARRIED = 8  # the earlier wrong expressions looked for in a later side


class WrongSteps:
    """The diagnosis of wrong steps, for :class:`~symbackprop.check.judging.steps.Derivation`."""

    ctx: Context
    fixes: list[tuple[int, Finding]]
    errors: list[tuple[int, sp.Expr, sp.Expr]]  # a wrong side's line, its value, the truth

    def scope(self) -> Scope:  # pragma: no cover - the derivation's own
        raise NotImplementedError

    def evaluate(self, side: Side) -> Evaluated:  # pragma: no cover - the derivation's own
        raise NotImplementedError

    def agrees(self, a: Evaluated, b: Evaluated) -> bool | None:  # pragma: no cover
        raise NotImplementedError

    def worked(self, ev: Evaluated) -> Value:  # pragma: no cover - the derivation's own
        raise NotImplementedError

    def worked_error(self, ev: Evaluated, value: Value) -> Value:  # pragma: no cover
        raise NotImplementedError

    def gradient_param(self, head: Evaluated) -> sp.Symbol | None:  # pragma: no cover
        raise NotImplementedError

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
        return self.carried_error(side, head)

    def carried_error(self, side: Evaluated, head: Evaluated) -> int | None:
        """The earlier line whose wrong expression this side uses as written (a(1 − a)
        for tanh′, then that product again in the gradient): with the true value in its
        place the side holds."""
        if head.values is None or side.numeric:
            return None
        for number, wrong, truth in self.errors[-MAX_CARRIED:]:
            if not isinstance(wrong, sp.Symbol) and wrong != side.side.value:
                fixed = side.side.value.subs(wrong, truth)
                if fixed != side.side.value and all(close(a, b) for a, b in zip(
                        self.ctx.points.compile(fixed).everywhere(), head.values, strict=True)):
                    return number
        return None

    def diagnose(self, head: Evaluated, side: Evaluated) -> tuple[list[Finding], str | None]:
        findings: list[Finding] = [Finding(p) for p in side.side.problems]
        equals: str | None = None
        if constant_side(head) and constant_side(side):  # 2 = 3: no factor or symbol explains it
            return [*findings, Finding(DIFFERENT_NUMBERS)], None
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
                more = self.ctx.diagnoser.diagnose_claim(
                    head.values, side.compiled, side.side.value, side.values,
                    None if partial is None else (partial.numerator, partial.denominator))
            q = self.ctx.quantities
            if partial is not None and partial.numerator == q.cost:  # ∂J/∂θ: m examples
                more = self.ctx.diagnoser.diagnose_cost(
                    partial.denominator, head.values, side.values,
                    self.ctx.points.scalar(q.count), self.ctx.text_of(q.loss)) + more
            elif head.side.value == q.cost:  # J = (1/m) Σ L^(i): m examples
                more = self.ctx.diagnoser.diagnose_mean(
                    head.values, side.values, self.ctx.points.scalar(q.count)) + more
            findings += more
        elif side.numeric and head.numeric:
            findings.append(Finding(DIFFERENT_NUMBERS))
        elif side.numeric or head.numeric:
            number, other = (side, head) if side.numeric else (head, side)
            value = self.worked(other)
            if value is not None:
                findings += [Finding(t) for t in self.ctx.numbers.read(
                    number.side.node, value, lambda: self.worked_error(other, value), False
                ).explanations]
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
