"""What the sides of a step are at the spec's worked example: the value of a side, how far
it may be off, a whole number that is a value there (``∂E/∂M_2 = 0`` on a blocked path), a
step that holds only at the example's targets, and numbers too few to judge."""

from __future__ import annotations

import sympy as sp

from .claims import Instance
from .context import Context
from .numbers import is_numeric, written_holds
from .sample_points import Value, close
from .sides import Evaluated, constant_side


class AtExample:
    """The worked-example readings of a :class:`~.steps.Derivation`."""

    ctx: Context

    def worked(self, ev: Evaluated) -> Value:
        if ev.worked is None and not ev.numeric:
            ev.worked = self.ctx.points.at_worked_example(ev.side.value)
        return ev.worked

    def worked_error(self, ev: Evaluated, value: Value) -> Value:
        """How far ``value`` (``ev`` at the worked example) may be off: how far it moves in
        more digits (where terms cancel)."""
        return self.ctx.points.worked_error(ev.side.value, value)

    def whole_at_example(self, head: Evaluated, side: Evaluated) -> bool:
        """``∂E/∂M_2 = 0``: a whole number beside a quantity that is not that number
        everywhere, but is at the worked example (the example's value, as written)."""
        if head.numeric or side.numeric or constant_side(head) or not constant_side(side) or \
                not is_numeric(side.side.node, integers=True):
            return False
        value = self.worked(head)
        return value is not None and written_holds(
            self.ctx.numbers.span(side.side.node), value,
            lambda: self.ctx.points.at_worked_example(head.side.value, closer=True))

    def at_example_targets(self, head: Evaluated, side: Evaluated) -> str | None:
        """A step specialised to the example's targets (∂L/∂z_1 = a_1 where y_1 = 0, a one-hot
        label written into the loss): it holds wherever the targets are the example's, at
        every parameter and input. The targets, as a note; None where it does not hold so."""
        if head.values is None or side.values is None or not self.ctx.points.has_worked_example():
            return None
        example = self.ctx.net.spec.values.examples[0].targets
        given = {t: sp.Rational(repr(float(example[u.name])))
                 for u, t in zip(self.ctx.net.outputs, self.ctx.net.targets, strict=True)
                 if u.name in example}
        used = (head.side.value.free_symbols | side.side.value.free_symbols) & set(given)
        if not given or not used:
            return None
        points = self.ctx.points
        a = points.compile(head.side.value.xreplace(given)).everywhere()
        b = points.compile(side.side.value.xreplace(given)).everywhere()
        if not all(close(x, y) for x, y in zip(a, b, strict=True)):
            return None
        shown = ", ".join(f"{self.ctx.text_of(t)} = {v}" for t, v in given.items())
        return f"holds at the example's targets ({shown}), not for every target"

    def too_few_digits(self, evaluated: list[tuple[Instance, list[Evaluated]]],
                       heads: list[Evaluated], k: int) -> str | None:
        """Why side ``k``, which holds, is still undecided: a number whose digits also fit a
        quantity of the example with which the line is wrong."""
        for (_, sides), head in zip(evaluated, heads, strict=True):
            side = sides[k]
            if side.numeric == head.numeric:
                continue
            number, other = (side, head) if side.numeric else (head, side)
            value = self.worked(other)
            if value is None:
                continue
            found = self.ctx.numbers.read(
                number.side.node, value,
                lambda other=other, value=value: self.worked_error(other, value), True
            ).undecided
            if found is not None:
                return found
        return None
