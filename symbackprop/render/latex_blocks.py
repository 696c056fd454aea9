"""Aligned LaTeX blocks of a derivation: one parameter's rows, and ``lhs &= rhs`` rows of the
forward pass or the δ recurrences, long rows broken to fit the text width."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .latex import TEXT_WIDTH_EM, Step, align_block, aligned_rows
from .printing import NetworkLatexPrinter


def param_block(doc: Any, pd: Any, *, env: str = "align*",
                width: float = TEXT_WIDTH_EM, shortcut: bool = True) -> str:
    """One parameter's derivation as an aligned block with long rows broken (a templated
    parameter whose row fits on one line knows its block; ``shortcut=False`` asks the
    line breaker all the same)."""
    one_line = getattr(pd, "one_line_block", None) if shortcut else None
    block = one_line(doc, env, width) if one_line is not None else None
    if block is not None:
        return block
    printer = pd.printer or NetworkLatexPrinter(doc.network)
    steps = [Step(r.expr) if r.expr is not None else Step(latex=r.latex) for r in pd.rows]
    return align_block(aligned_rows(pd.lhs_latex, steps, printer, width=width), env)


def equations_block(net: Any, rows: Sequence[Any], *, env: str = "align*",
                    width: float = TEXT_WIDTH_EM, printer: Any = None) -> str:
    """``lhs &= rhs`` rows (forward pass, δ recurrences) as one aligned block."""
    printer = printer or NetworkLatexPrinter(net)
    out: list[str] = []
    for r in rows:
        if r.lhs is None or r.expr is None:
            out.append(r.latex.replace(" = ", " &= ", 1))
            continue
        templated = getattr(r, "aligned_rows", None)  # a templated row breaks as its pattern
        if templated is not None:
            out += templated(width)
            continue
        p = r.printer or printer
        out += aligned_rows(p.doprint(r.lhs), [Step(r.expr)], p, width=width)
    return align_block(out, env)
