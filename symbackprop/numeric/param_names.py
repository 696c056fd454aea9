"""``PARAM_NAMES`` of a generated module, from one name pattern per layer block.

The parameters of a layered network are named by the spec's notation templates, one name per
entry of each weight matrix and bias vector: ``w_1_1_1 … w_1_30_784``. The generated module
gets one pattern per block and a small function that fills it in, instead of 23,860 names;
a block whose names follow no pattern (weights named one by one) makes the module list them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .layered_plan import LayeredPlan

_GRID = '''
def _grid(pattern, rows, cols=0):
    """The names of one block of parameters, row by row: ``pattern`` with its row number
    {j} (and column number {k}) filled in, both counted from 1."""
    if not cols:
        return tuple(pattern.format(j=j) for j in range(1, rows + 1))
    return tuple(pattern.format(j=j, k=k) for j in range(1, rows + 1)
                 for k in range(1, cols + 1))
'''


def names_from_shapes(plan: LayeredPlan, names: Sequence[str]) -> str | None:
    """``PARAM_NAMES`` built from one name pattern per weight matrix and bias vector.

    A 784-30-10 network's 23,860 names follow from four patterns (``w_1_{j}_{k}``, …);
    listing them would take 350 kB. None when some block's names follow no pattern (names
    given one by one in the spec): the names are then listed.
    """
    blocks = [b for lay in plan.layers for b in (lay.weights, lay.bias) if b is not None]
    if any(b.kind != "slice" for b in blocks):
        return None
    blocks.sort(key=lambda b: b.start)
    calls = []
    position = 0
    for block in blocks:
        if block.start != position:
            return None
        position += block.size
        block_names = list(names[block.start:block.start + block.size])
        found = pattern(block_names, block.shape)
        if found is None:
            return None
        shape = ", ".join(str(n) for n in block.shape)
        calls.append(f"    *_grid({found!r}, {shape}),")
    if position != len(names):
        return None
    return "\n".join([_GRID.strip("\n"), "", "", "PARAM_NAMES = (", *calls, ")"])


_DIGITS = re.compile(r"(\d+)")


def pattern(names: Sequence[str], shape: tuple[int, ...]) -> str | None:
    """A ``str.format`` pattern with {j} (and {k}) that gives ``names`` row by row, or None."""
    rows, cols = (shape[0], 1) if len(shape) == 1 else shape
    split = [_DIGITS.split(n) for n in names]
    first = split[0]
    if any(len(parts) != len(first) or parts[0::2] != first[0::2] for parts in split):
        return None
    pieces = [first[0].replace("{", "{{").replace("}", "}}")]
    for p in range(1, len(first), 2):
        column = [parts[p] for parts in split]
        if all(c == column[0] for c in column):
            field = column[0]
        elif column == [str(j) for j in range(1, rows + 1) for _ in range(cols)]:
            field = "{j}"
        elif column == [str(k) for _ in range(rows) for k in range(1, cols + 1)]:
            field = "{k}"
        else:
            return None
        pieces.append(field)
        pieces.append(first[p + 1].replace("{", "{{").replace("}", "}}"))
    text = "".join(pieces)
    fill = ([text.format(j=j) for j in range(1, rows + 1)] if len(shape) == 1 else
            [text.format(j=j, k=k) for j in range(1, rows + 1) for k in range(1, cols + 1)])
    return text if fill == list(names) else None
