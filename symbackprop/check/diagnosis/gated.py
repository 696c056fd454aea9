"""Mistakes of back-propagation through an LSTM or GRU cell.

Two mistakes are named here, each by comparing values at the random points with what the
mistake gives, built from the network's own units:

* the cell-state path left out (CELL_PATH_MISSING): ∂L/∂c^{(t)} of an LSTM written as the
  term through h^{(t)} alone, ∂L/∂h^{(t)}_k o^{(t)}_k (1 − tanh²(c^{(t)}_k)), without
  ∂L/∂c^{(t+1)}_k f^{(t+1)}_k, the path along the cell state to the next step;
* σ′ and tanh′ swapped between gates (GATE_DERIVATIVE_SWAPPED): a gate's δ (or a gate
  weight's gradient, the sum of δ times its source) with the derivative of the other
  activation, 1 − i² for the sigmoid gate i (whose derivative is i (1 − i)) or g (1 − g) for
  the tanh candidate g (whose derivative is 1 − g²).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..judging.sample_points import close
from .heads import output_gradient_unit

if TYPE_CHECKING:
    from ...network.build import Unit
    from ..judging.context import Context

CELL_PATH = "the cell-state path is missing"
SWAPPED = "σ′ and tanh′ are swapped"
Uses = Callable[["Context", sp.Symbol], list[tuple[Any, sp.Expr]]]


def _matches(ctx: Context, expr: sp.Expr, values: list[Any]) -> bool:
    mine = ctx.points.compile(expr).everywhere()
    return all(v is not None and w is not None and close(v, w)
               for v, w in zip(values, mine, strict=True))


def _cells(ctx: Context) -> dict[str, tuple[str, str]]:
    """Every unit of an lstm or gru layer → (the layer's kind, the unit's letter)."""
    out: dict[str, tuple[str, str]] = {}
    for layer in ctx.net.spec.layers:
        g = layer.gated
        if g is None or g.role != "cell":
            continue
        for name in layer.units:
            parts = name.split("_")
            out[name] = (g.kind, parts[1] if len(parts) == 4 else "h")  # u{l}_{x}_{t}_{k}
    return out


def gated_mistakes(ctx: Context, head: Any, side: Any, param: sp.Symbol | None,
                   uses: Uses) -> list[str]:
    """The LSTM and GRU mistakes that explain ``side`` (compared with ``head``)."""
    if side.values is None or head.values is None:
        return []
    cells = _cells(ctx)
    if not cells:
        return []
    return _cell_path(ctx, head, side.values, cells) or \
        _swapped(ctx, head, side.values, cells, param, uses)


def _cell_path(ctx: Context, head: Any, values: list[Any],
               cells: dict[str, tuple[str, str]]) -> list[str]:
    """CELL_PATH_MISSING: ∂L/∂c^{(t)} written as the term through h^{(t)} alone."""
    unit = output_gradient_unit(ctx, head)
    if unit is None or cells.get(unit.name) != ("lstm", "c"):
        return []
    through_h, following = sp.S.Zero, []
    for child in ctx.net.units:
        for source, local in child.incoming:
            if source != unit.name:
                continue
            if cells.get(child.name) == ("lstm", "c"):
                following.append(child)
            else:
                through_h += child.delta * local
    if not following or through_h == 0 or not _matches(ctx, through_h, values):
        return []
    c = ctx.text_of(unit.out)
    nxt = following[0]
    gate = next((u for u in ctx.net.units if u.name == nxt.name.replace("_c_", "_f_")), None)
    f = ctx.text_of(gate.out) if gate is not None else "f^{(t+1)}"
    return [f"{CELL_PATH}: {c} also feeds the next step's cell state {ctx.text_of(nxt.out)} "
            f"= {f}·{c} + …, so ∂L/∂{c} adds ∂L/∂{ctx.text_of(nxt.out)}·{f} to the term "
            f"through the hidden state"]


def _slopes(unit: Unit) -> tuple[sp.Expr, sp.Expr] | None:
    """(the gate's own derivative, the other activation's) in the gate's output."""
    y = unit.out
    sigma, tanh = y * (1 - y), 1 - y**2
    if unit.activation.kind == "sigmoid":
        return sigma, tanh
    if unit.activation.kind == "tanh":
        return tanh, sigma
    return None


def _gate_of_delta(ctx: Context, head: Any, cells: dict[str, tuple[str, str]]
                   ) -> Unit | None:
    """The gate unit u when ``head`` is δ_u (∂L/∂a of a gate's net input)."""
    raw, partials = head.side.raw, head.side.partials
    gates = [u for u in ctx.net.units if u.name in cells and u.activation.kind != "linear"]
    if isinstance(raw, sp.Symbol) and raw in partials:
        p = partials[raw]
        if p.numerator != ctx.quantities.loss:
            return None
        return next((u for u in gates if u.net == p.denominator), None)
    return next((u for u in gates if u.delta == raw), None)


def _swapped(ctx: Context, head: Any, values: list[Any], cells: dict[str, tuple[str, str]],
             param: sp.Symbol | None, uses: Uses) -> list[str]:
    """GATE_DERIVATIVE_SWAPPED: a gate's δ, or a gate weight's gradient, with the other
    activation's derivative in place of the gate's own."""
    unit = _gate_of_delta(ctx, head, cells)
    if unit is not None:
        found = [(unit, sp.S.One)]
    elif param is not None:
        found = [(u, times) for u, times in uses(ctx, param)]
        if not found or any(u.name not in cells or u.activation.kind == "linear"
                            for u, _ in found):
            return []
    else:
        return []
    total = sp.S.Zero
    for u, times in found:
        slopes = _slopes(u)
        if slopes is None:
            return []
        total += u.delta * times * slopes[1] / slopes[0]
    if not _matches(ctx, total, values):
        return []
    u = found[0][0]
    y = ctx.text_of(u.out)
    sigma, tanh = f"σ′ = {y}(1 − {y})", f"tanh′ = 1 − ({y})²"
    own, other = (sigma, tanh) if u.activation.kind == "sigmoid" else (tanh, sigma)
    kind = "σ" if u.activation.kind == "sigmoid" else "tanh"
    return [f"{SWAPPED}: {y} = {kind}({ctx.text_of(u.net)}) has {own}, and the formula uses "
            f"{other}, the derivative of the other activation"]
