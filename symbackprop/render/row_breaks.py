"""Line breaks of templated rows, worked out once per digit pattern of their names.

The line breaker (:mod:`symbackprop.render.latex`) decides where a row breaks from the widths
of its pieces alone, and a width does not depend on which digits a name holds (every digit is
as wide as 0). Rows of one shape whose names differ only in their digits (``z^{[1]}_{3}`` and
``z^{[1]}_{7}``, each with its 785 terms) therefore break at the same places. The breaker runs
once for each digit pattern, printing a marker where each name goes and measuring the real
names; its lines become templates, and every row of that pattern is its names filled in.

The first row of each pattern is also broken the general way and compared; a difference
sends that pattern's rows to the general way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..spec.digits import zero_digits
from .latex import align_block, latex_width, raw_width, rhs_budget
from .row_templates import CLOSE, OPEN, RANK0, Template, concat

SEPARATOR = "\x00"  # joins a row's names into one key; never in a name (see aligned_by_pattern)
_SLOT = re.compile(f"{OPEN}(.){CLOSE}", re.S)

# breaks a row: (its names, the raw width of a printed piece) -> the rows of an aligned block
Breaker = Callable[[Sequence[str], Callable[[str], int]], list[str]]


class RowPrinter:
    """The network's LaTeX printer for one row: a shape's prints with this row's names.

    It offers what the line breaker asks of a printer, so breaking a templated row runs the
    same code as breaking any other. ``measure`` is the raw width of a printed piece, for a
    printer whose names are markers.
    """

    def __init__(self, shape: Any, names: Sequence[str],
                 measure: Callable[[str], int] | None = None) -> None:
        self.shape = shape
        self.names = names
        self.segment_cache = shape.segment_cache
        self.measure_latex = measure

    def doprint(self, expr: Any) -> str:
        return self.shape.sub(expr, True).fill(self.names)

    def _print(self, expr: Any) -> str:
        return self.shape.sub(expr, False).fill(self.names)

    def _as_ordered_terms(self, expr: Any, order: Any = None) -> Any:
        return self.shape.printer._as_ordered_terms(expr, order=order)

    def _needs_add_brackets(self, expr: Any) -> bool:
        return bool(self.shape.printer._needs_add_brackets(expr))

    def _needs_mul_brackets(self, expr: Any, first: bool = False, last: bool = False) -> bool:
        return bool(self.shape.printer._needs_mul_brackets(expr, first=first, last=last))


def marker(slot: int) -> str:
    """What is printed for the name of ``slot`` while its row is broken into templates."""
    return f"{OPEN}{chr(RANK0 + slot)}{CLOSE}"


def marked_template(printed: str) -> Template:
    """A line printed with :func:`marker` names, as a template of slots."""
    parts = _SLOT.split(printed)
    return Template(tuple(parts[0::2]), tuple(ord(c) - RANK0 for c in parts[1::2]))


def aligned_by_pattern(memo: dict[Any, list[Template] | None], key: Any,
                       names: Sequence[str], run: Breaker) -> list[str]:
    """``run(names, raw_width)``, from ``memo``'s templates for the digit pattern of ``names``
    (``key`` says what else the break depends on: the row, the width)."""
    joined = SEPARATOR.join(names)
    if OPEN in joined or joined.count(SEPARATOR) != len(names) - 1:
        return run(names, raw_width)  # a name that could be taken for a marker or a seam
    pattern = (key, zero_digits(joined))
    found = memo.get(pattern, False)
    if found is False:
        def measure(printed: str) -> int:
            return raw_width(_SLOT.sub(lambda m: names[ord(m[1]) - RANK0], printed))

        markers = [marker(slot) for slot in range(len(names))]
        templates = [marked_template(line) for line in run(markers, measure)]
        general = run(names, raw_width)
        found = memo[pattern] = (templates if [t.fill(names) for t in templates] == general
                                 else None)
        return general
    if found is None:
        return run(names, raw_width)
    return [t.fill(names) for t in found]


def one_line_block(shape: Any, lhs: Template, names: Sequence[str],
                   general: Callable[[], str], env: str, width: float) -> str | None:
    """The aligned block ``lhs &= row`` of a parameter whose one row (``shape``'s first)
    fits on its line, without the line breaker; None when the row must be broken.

    The first parameter of each shape to take it is also printed the general way
    (``general``): a difference sends that shape's parameters back to the general way for
    good. Whether a row fits depends on the widths of its names alone, so the block is kept
    as a template for each digit pattern of the names.
    """
    same = shape.one_line.get((env, width))
    if same is False:
        return None
    joined = SEPARATOR.join(names)
    pattern = ((env, width, zero_digits(joined))
               if joined.count(SEPARATOR) == len(names) - 1 else None)
    if same and pattern is not None:
        found = shape.blocks.get(pattern, False)
        if found is not False:
            return None if found is None else found.fill(names)
    head = lhs.fill(names)
    whole = shape.first_print.fill(names)
    if latex_width(whole) > rhs_budget(head, width) - latex_width(""):
        if pattern is not None:
            shape.blocks[pattern] = None
        return None
    block = align_block([f"{head} &= {whole}" if head else f"&= {whole}"], env)
    if same is None:
        same = shape.one_line[(env, width)] = block == general()
    if pattern is not None:
        template = concat(f"\\begin{{{env}}}\n", *((lhs, " &= ") if head else ("&= ",)),
                          shape.first_print, f"\n\\end{{{env}}}")
        if template.fill(names) == block:
            shape.blocks[pattern] = template
    return block if same else None
