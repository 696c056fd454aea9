"""Free indices a formula declares on its left side, and names that fall outside a family.

A formula ``\\frac{\\partial L}{\\partial w^{[1]}_{f,c,m,n}} = …`` names a family of
parameters with the letters f, c, m, n in place of its indices: it is a claim about every
weight of the family, and these letters are free indices on both sides, beside the usual
i, j, k, l. A letter is declared when it stands alone as an item of a script of the left
side's ∂A/∂B (``f`` in ``_{f,c,m,n}``, ``n`` in ``M_n``, ``t`` in ``^{(t)}``) and some values
of the letters make the name one of the network's. The range of each letter is the
family's: every value for which the left side's name exists.

A name whose indices fall outside its family (``x_{1,0,2}`` from ``x_{c,i+m-1,j+n-1}``)
follows one rule, documented in ``docs/index-formulas.md``: it is zero where the spec defines
it as zero — the padding of a convolution layer's source (``padding: p`` adds p zeros on
every side), a recurrent layer's initial state h^{(0)} with ``initial: zero`` — and an error
everywhere else (never a term silently left out).

>>> declared_items(r"w^{[1]}_{f,c,m,n}"), declared_items("M_n"), declared_items("h^{(t)}_i")
(['f', 'c', 'm', 'n'], ['n'], ['t'])
"""

from __future__ import annotations

import re
from itertools import product
from typing import TYPE_CHECKING, Any

import sympy as sp

from ...errors import FormulaError
from ..reading.scripts import INDEX_LETTERS, LAST_LAYER, substitute
from ..reading.syntax import Deriv, Name, Statement
from .names import MissingInstance
from .recurrent_steps import initial_zero
from .unknown_names import family_of

if TYPE_CHECKING:
    from .names import NameTable

MAX_TRIES = 5_000
_SCRIPT = re.compile(r"[_^]\s*(\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9])")
_LOOSE = re.compile(r"[\d)][+\-*]\s*([A-Za-z])(?![A-Za-z])|(?<![A-Za-z\\])([A-Za-z])\s*[+\-*]\s*\d")
_ITEM = re.compile(r"[\[(]?\s*([A-Za-z])\s*[\])]?")


def declared_items(raw: str) -> list[str]:
    """The lone letters of the scripts of ``raw`` (candidates for declared indices)."""
    found: list[str] = []
    for m in _SCRIPT.finditer(raw):
        content = m.group(1).strip("{}")
        for item in content.split(","):
            one = _ITEM.fullmatch(item.strip())
            if one is not None and one.group(1) != LAST_LAYER and one.group(1) not in found:
                found.append(one.group(1))
    return found


def left_names(statement: Statement) -> list[Name]:
    """The names of the left side's ∂A/∂B, when the left side is one."""
    if len(statement.sides) < 2 or not isinstance(statement.sides[0], Deriv):
        return []
    left = statement.sides[0]
    return [left.bottom, left.top]


def declared_letters(statement: Statement, table: NameTable) -> frozenset[str]:
    """The letters beyond i, j, k, l that the left side declares as free indices."""
    found: set[str] = set()
    for name in left_names(statement):
        raw = name.written
        if table.lookup(raw) is not None:
            continue
        items = declared_items(raw)
        if items and any(c not in INDEX_LETTERS for c in items) and _exists(table, raw, items):
            found |= {c for c in items if c not in INDEX_LETTERS}
    return frozenset(found)


def _exists(table: NameTable, raw: str, letters: list[str]) -> bool:
    """Whether some values of ``letters`` make ``raw`` a name of the network."""
    values = [v for v in table.index_values if v > 0] or [1]
    for k, combo in enumerate(product(values, repeat=len(letters))):
        if k >= MAX_TRIES:
            return False
        filled = substitute(raw, dict(zip(letters, combo, strict=True)))
        if filled is not None and table.lookup(filled) is not None:
            return True
    return False


def family_instances(table: NameTable, raw: str, letters: list[str]) -> list[dict[str, int]]:
    """Every value of ``letters`` for which ``raw`` names a quantity, in the order of the
    network's names: the range of the free indices of a left side such as
    ``w^{[1]}_{f,c,m,n}``."""
    marks = {c: 900_001 + k for k, c in enumerate(letters)}
    marked = substitute(raw, marks)
    if marked is None:
        return []
    shape, numbers = family_of(marked)
    shape = shape.replace("_", "")  # M_n ranges over the units M1, M2 named one by one
    where = {k: c for c in letters for k, v in enumerate(numbers) if v == marks[c]}
    found: dict[tuple[int, ...], dict[str, int]] = {}
    for key in [*table.exact, *(u.name for u in table.quantities.net.units)]:
        key_shape, key_numbers = family_of(key)
        if key_shape.replace("_", "") != shape or len(key_numbers) != len(numbers):
            continue
        values: dict[str, int] = {}
        fits = True
        for k, v in enumerate(key_numbers):
            c = where.get(k)
            if c is None:
                fits = v == numbers[k]
            elif values.setdefault(c, v) != v:
                fits = False
            if not fits:
                break
        if fits and len(values) == len(letters):
            filled = substitute(raw, values)
            if filled is not None and table.lookup(filled) is not None:
                found.setdefault(tuple(values[c] for c in letters), values)
    return [found[k] for k in sorted(found)]


def unranged(statement: Statement, letters: list[str], table: NameTable) -> FormulaError:
    """The error for free letters the left side does not range over."""
    left = left_names(statement)
    shown = left[0].written if left else "the left side"
    return FormulaError(
        f"the range of the free index {', '.join(letters)} cannot be determined: "
        f"{shown} does not use it",
        hint="bind it by a sum (\\sum_{" + letters[0] + "=1}^{n}) or write it on the left side")


# -- names outside their family ----------------------------------------------------------
def padding_zero(table: NameTable, filled: str) -> bool:
    """Whether ``filled`` is a zero of a convolution layer's padding (``x_{1,0,2}`` when the
    layer reading x has ``padding: 1``)."""
    shape, numbers = family_of(filled)
    net = table.quantities.net
    for layer in net.spec.layers:
        conv = layer.conv
        if conv is None or not any(conv.padding):
            continue
        source = _source_latex(table, layer.position)
        if source is None or family_of(source)[0] != shape:
            continue
        dims = len(conv.source)
        tail = numbers[-dims:]
        if len(tail) != dims or not 1 <= tail[0] <= conv.source[0]:
            continue
        inside = [1 <= v <= n for v, n in zip(tail[1:], conv.source[1:], strict=True)]
        padded = [1 - p <= v <= n + p for v, n, p in
                  zip(tail[1:], conv.source[1:], conv.padding, strict=True)]
        if all(padded) and not all(inside):
            return True
    return False


def _source_latex(table: NameTable, position: int) -> str | None:
    """How the first name of a layer's source is written (an input or the layer below)."""
    net = table.quantities.net
    if position == 1:
        return net.spec.inputs[0].latex if net.spec.inputs else None
    below = [u for u in net.units if u.layer == position - 1]
    return table.quantities.latex_of(below[0].out) if below else None


def outside_family(reader: Any, raw: str, pos: int) -> sp.Expr:
    """The value of ``raw`` whose indices, given their values here, name nothing: zero at a
    convolution's padding (with a note), else :class:`MissingInstance` naming the name."""
    table = reader.scope.table
    filled = substitute(raw, reader.scope.indices)
    if filled is not None and padding_zero(table, filled):
        reader.reading.notes.append("read the names outside the source of a convolution "
                                    "layer with padding as 0, the padding's zeros")
        return sp.S.Zero
    if filled is not None and initial_zero(table, filled):
        reader.reading.notes.append("read the initial state of the recurrent layer, step 0, "
                                    "as 0 (the spec's `initial: zero`)")
        return sp.S.Zero
    raise OutsideFamily(raw, filled, dict(reader.scope.indices))


class OutsideFamily(MissingInstance):
    """A name whose indices, given their values, name nothing (``filled`` is None when an
    index is negative)."""

    def __init__(self, raw: str, filled: str | None, values: dict[str, int]) -> None:
        super().__init__(filled if filled is not None else raw)
        self.raw = raw
        self.filled = filled
        self.values = values


def out_of_range(statement: Statement, indices: dict[str, int], missing: MissingInstance,
                 table: NameTable) -> FormulaError:
    """The error for an instance of a declared-index formula whose right side names a
    quantity outside its family: never a guess, never a term left out."""
    where = ", ".join(f"{k}={v}" for k, v in indices.items()) or "this formula"
    name = str(missing) or "a name"
    if isinstance(missing, OutsideFamily):
        bound = ", ".join(f"{k}={v}" for k, v in missing.values.items() if k not in indices)
        where = (f"{where} ({bound})" if indices else bound or where) if bound else where
        if missing.filled is None:
            return FormulaError(f"{missing.raw} has a negative index for {where}",
                                hint="check the index arithmetic and the bounds of the sums")
    hint = ("an index must stay within its family for every value of the free indices and "
            "of the sums, and only a convolution's padding reads as 0: check the index "
            "arithmetic and the bounds of the sums")
    family = family_of(name)[0]
    loose = [c for c in declared_items(name) if c not in indices]
    loose += [m.group(1) or m.group(2) for m in _LOOSE.finditer(name)]
    if loose:
        return FormulaError(f"`{loose[0]}` in {name} is no index: neither the left side nor "
                            f"a sum gives it values",
                            hint="write it on the left side or bind it by a sum")
    if any(family_of(key)[0] == family for key in list(table.exact)[:MAX_TRIES]):
        what = f"{name} is outside its family"
    else:
        what = f"{name} names nothing in the network"
    return FormulaError(f"{what} for {where}: the spec defines no value there", hint=hint)
