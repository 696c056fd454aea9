"""Index formulas with two indices transposed: ``w^{l+1}_{jk}`` where ``w^{l+1}_{kj}`` belongs.

A general formula that fails for some index values may hold everywhere once the two indices
of one name are swapped: BP2 written with the weight matrix untransposed is the classic
case. Each such rewriting of the syntax tree is offered to the caller, which checks it
instance by instance as it checked the formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..reading.scripts import index_letters, transposed
from ..reading.syntax import Name, Node, Statement, names_in

MAX_CANDIDATES = 6


def _rename(node: Any, old: str, new: str) -> Any:
    """``node`` with every name written ``old`` written ``new`` instead."""
    if isinstance(node, Name):
        return replace(node, raw=new) if node.raw == old else node
    if isinstance(node, tuple):
        return tuple(_rename(x, old, new) for x in node)
    if is_dataclass(node) and not isinstance(node, type):
        changes = {f.name: _rename(getattr(node, f.name), old, new) for f in fields(node)
                   if isinstance(getattr(node, f.name), (tuple, Name)) or
                   is_dataclass(getattr(node, f.name))}
        return replace(node, **changes)
    return node


def transpositions(statement: Statement) -> Iterator[tuple[str, str, Statement]]:
    """(the name as written, with two indices swapped, the statement so rewritten) for
    every name with two free indices side by side, at most :data:`MAX_CANDIDATES`."""
    seen: set[str] = set()
    count = 0
    for side in statement.sides:
        for name in names_in(side):
            raw = name.raw
            if raw in seen or len(index_letters(raw)) < 2:
                continue
            seen.add(raw)
            for new in transposed(raw):
                sides: tuple[Node, ...] = tuple(_rename(s, raw, new) for s in statement.sides)
                yield raw, new, replace(statement, sides=sides)
                count += 1
                if count >= MAX_CANDIDATES:
                    return
