"""The values of a matrix-form side at one point, and NumPy's operations on them.

A :class:`Mat` holds a matrix, a number or a vector of ones at one random point, each entry
a 50-digit number (None where a quantity is undefined there); a product of shapes that do
not fit is a :class:`ShapeMismatch`. NumPy code's own operations are here as NumPy computes
them: ``np.sum`` along an axis, a mask set in place (``dhidden[hidden_layer <= 0] = 0``) and
``np.maximum(0, A)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mpmath

from ...errors import FormulaError
from .sample_points import Value

Rows = list[list[Value]]

class ShapeMismatch(Exception):
    """Shapes that do not fit, in words: ``W^{[2]} is 3×2 and δ^{[2]} is 3×1`` (the
    operands) and what follows (``W^{[2]} δ^{[2]} is not defined``)."""

    def __init__(self, operands: str, what: str = "") -> None:
        super().__init__(f"{operands}: {what}" if what else operands)
        self.operands = operands
        self.what = what


@dataclass
class Mat:
    """Values at one point: a matrix, a scalar (``scalar``) or a vector of ones whose length
    its neighbour decides (``ones``: "col" or "row")."""

    rows: Rows
    text: str
    pos: int | None = None  # the layer the values belong to (for σ of a layer)
    scalar: bool = False
    ones: str | None = None
    names: list[str] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.rows[0]) if self.rows else 0)

    @property
    def shape_text(self) -> str:
        return "a number" if self.scalar else f"{self.shape[0]}×{self.shape[1]}"


def batch_mean(values: list[Value]) -> Value:
    """The mean over a batch (undefined where one example's value is)."""
    if any(v is None for v in values):
        return None
    return mpmath.fsum(values) / len(values)


def entry_op(a: Value, b: Value, how: str) -> Value:
    if a is None or b is None:
        return None
    return {"*": a * b, "+": a + b, "-": a - b}[how]


def axis_sum(arg: Mat, axis: int, text: str) -> Mat:
    """NumPy's sum down the columns (axis 0: a row) or along the rows (axis 1: a column)."""
    if arg.scalar or arg.ones:
        raise ShapeMismatch(f"{arg.text} is {arg.shape_text}: np.sum with an axis takes a "
                            f"matrix")
    lines = arg.rows if axis == 1 else [list(c) for c in zip(*arg.rows, strict=True)]
    sums = [None if any(v is None for v in r) else mpmath.fsum(r) for r in lines]
    return Mat([[v] for v in sums] if axis == 1 else [sums], text, arg.pos)


def masked(parts: list[Mat], op: str, text: str) -> Mat:
    """``A[B <= c] = v`` (``parts`` A, B, c, v): A with v at the entries where the
    comparison of B's entry with c holds, as NumPy sets them in place."""
    target, left, right, value = parts
    if not (right.scalar and value.scalar):
        raise FormulaError(f"{text}: a mask compares with a number and sets one")
    if target.scalar or left.scalar or target.shape != left.shape:
        raise ShapeMismatch(f"{target.text} is {target.shape_text} and {left.text} is "
                            f"{left.shape_text}", "the mask does not fit what it masks")
    bound, put = right.rows[0][0], value.rows[0][0]
    if bound is None:
        return Mat([[None] * target.shape[1] for _ in target.rows], text, target.pos)
    holds = {"<=": lambda a: a <= bound, "<": lambda a: a < bound,
             ">=": lambda a: a >= bound, ">": lambda a: a > bound}[op]
    rows = [[None if c is None else (put if holds(c) else t)
             for t, c in zip(rt, rc, strict=True)]
            for rt, rc in zip(target.rows, left.rows, strict=True)]
    return Mat(rows, text, target.pos)


def positive_part(arg: Mat, text: str) -> Mat:
    """``np.maximum(0, A)``: max(0, ·) of every entry."""
    if arg.scalar or arg.ones:
        raise FormulaError(f"{text}: np.maximum(0, …) is read of a matrix")
    zero = mpmath.mpf(0)
    return Mat([[None if v is None else max(zero, v) for v in r] for r in arg.rows],
               text, arg.pos)
