"""The sides of a step as evaluated at the random points, and how a step is shown.

A side is evaluated once per instance (:class:`Evaluated`); a step's report names its
quantities as the spec writes them (``y′``, ``w^2_22``) and writes ∂ factors out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..reading.syntax import Statement
from .claims import Instance, Side
from .context import Context
from .numbers import middle
from .outcome import Counterexample
from .sample_points import Compiled, Value, close

MAX_SHOWN = 200


@dataclass
class Evaluated:
    """A side of one instance, with its values."""

    side: Side
    compiled: Compiled | None = None
    values: list[Value] | None = None
    span: Any = None  # the interval of a side written in numbers
    worked: Value = None
    direct: list[Value] | None = None  # values with ∂A/∂B read along direct edges

    @property
    def numeric(self) -> bool:
        return self.side.numeric



def constant_side(ev: Evaluated) -> bool:
    """A side with no quantity in it: a number (2, 1/2, 0.25)."""
    return ev.numeric or (ev.side.value.is_number and not ev.side.partials)


def shown(sides: list[Evaluated], k: int, fresh: bool) -> list[Evaluated]:
    """The sides a step's text shows: the first one too when the step starts an equation."""
    return [sides[0], sides[k]] if fresh and k == 1 else [sides[k]]


def zero_notes(side: Side) -> list[str]:
    """Remarks on ∂A/∂B factors that are 0 because A does not depend on B (not errors)."""
    return [] if side.fatal else list(side.problems)


def single_partial(side: Side) -> Any:
    raw = side.raw
    if isinstance(raw, sp.Symbol) and raw in side.partials:
        return side.partials[raw]
    return None


def step_text(statement: Statement, k: int, *, continued: bool = False) -> str:
    if continued and k == 0:
        return f"= {statement.side_text(0)}"[:MAX_SHOWN * 4]
    if len(statement.sides) == 1:
        return statement.side_text(0)
    if k <= 1:
        return f"{statement.side_text(0)} = {statement.side_text(1)}"[:MAX_SHOWN * 4]
    return f"= {statement.side_text(k)}"[:MAX_SHOWN * 4]


def plain(ctx: Context, expr: sp.Expr) -> str:
    return ctx.plain(expr)[:MAX_SHOWN * 4]


def shown_side(ctx: Context, side: Side) -> str:
    """A side in plain text in the spec's notation, ∂ factors written out."""
    names = {d: sp.Symbol(f"∂{ctx.text_of(p.numerator)}/∂{ctx.text_of(p.denominator)}")
             for d, p in side.partials.items()}
    return ctx.plain(side.raw.xreplace(names) if names else side.raw)


def side_latex(ctx: Context, side: Side) -> str:
    """A side in LaTeX in the network's notation, ∂ factors as fractions."""
    q = ctx.quantities
    fractions = {d: (rf"\frac{{\partial {q.latex_of(p.numerator)}}}"
                     rf"{{\partial {q.latex_of(p.denominator)}}}")
                 for d, p in side.partials.items()}
    # the key names each ∂ placeholder by its fraction: the same side read in another answer
    # (with placeholders of its own) is printed once
    key = side.raw.xreplace({d: sp.Symbol(text) for d, text in fractions.items()})

    def printed() -> str:
        names: dict[sp.Basic, str] = dict(q.latex)
        names.update(fractions)
        try:
            return sp.latex(side.raw, symbol_names=names)
        except (TypeError, ValueError):  # pragma: no cover - a printer gap: plain text instead
            return shown_side(ctx, side)

    return ctx.printed.get(("side latex", key, tuple(fractions.values())), printed)


def claim_text(ctx: Context, sides: list[Evaluated], head: Evaluated, k: int) -> str:
    return f"{shown_side(ctx, head.side)} = {shown_side(ctx, sides[k].side)}"[:MAX_SHOWN * 4]


def to_float(value: Value) -> float | None:
    return None if value is None else float(value)


def instances_text(evaluated: list[tuple[Instance, list[Evaluated]]],
                    holds: list[bool | None]) -> str | None:
    if len(evaluated) == 1 and not evaluated[0][0].indices and not evaluated[0][0].generic:
        return None
    good = sum(h is not False for h in holds)
    return f"{good} of {len(holds)} instances hold"


def worked_point(ctx: Context) -> dict[str, float]:
    values = ctx.net.spec.values
    point = dict(values.params)
    if values.examples:
        point.update(values.examples[0].inputs)
        units = ctx.net.unit_by_name
        for k, v in values.examples[0].targets.items():
            # by the target's own name, which the report writes in the spec's notation (y_1)
            target = units[k].target if k in units else None
            point[target.name if target is not None else f"target {k}"] = v
    return point


def counterexample(ctx: Context, head: Evaluated, side: Evaluated,
                   worked: Callable[[Evaluated], Value]) -> Counterexample:
    """The first point where two sides differ (the spec's worked example for numbers, whose
    exact value ``worked`` gives)."""
    if head.numeric or side.numeric:
        number, other = (head, side) if head.numeric else (side, head)
        value = worked(other)
        shown = None if value is None else float(value)
        mid = middle(number.span)
        return Counterexample(worked_point(ctx), shown if number is side else mid,
                              mid if number is side else shown, worked=True)
    assert head.values is not None and side.values is not None
    pairs = list(zip(head.values, side.values, strict=True))
    k = next((j for j, (a, b) in enumerate(pairs) if not close(a, b)), 0)
    return Counterexample(ctx.points.point(k), to_float(head.values[k]),
                          to_float(side.values[k]), uses_at(ctx, [side, head], k))


def uses_at(ctx: Context, sides: list[Evaluated], k: int) -> dict[str, float]:
    """The quantities the written sides use, in the order of the network (parameters,
    inputs, targets, then each unit's net input and activation), at point ``k``; a side
    that is one ∂ of the network (∂L/∂w) uses nothing written."""
    written: set[sp.Symbol] = set()
    for ev in sides:
        if single_partial(ev.side) is None and not ev.numeric:
            written |= ev.side.value.free_symbols
    return values_of(ctx, written, k)


def values_of(ctx: Context, written: set[sp.Basic], k: int) -> dict[str, float]:
    """The values at point ``k`` of the quantities among ``written``, in the network's
    order."""
    net = ctx.net
    rate = getattr(ctx.quantities, "rate", None)
    order = [*([rate] if rate is not None else []), *net.params, *net.inputs, *net.targets,
             *(s for u in net.units for s in (u.net, u.out))]
    found = {}
    for s in order:
        if s in written and s in ctx.points.index:
            value = to_float(ctx.points.value_of(s, k))
            if value is not None:
                found[s.name] = value
    return found
