"""Index formulas with two indices transposed: ``w^{l+1}_{jk}`` where ``w^{l+1}_{kj}`` belongs.

A general formula that fails for some index values may hold everywhere once the two indices
of one name are swapped: BP2 written with the weight matrix untransposed is the classic
case. Each such rewriting of the syntax tree is offered to the caller, which checks it
instance by instance as it checked the formula. A formula about single weights
(Σ_j δ_j w^{[2]}_{1,j} for Σ_j δ_j w^{[2]}_{j,1}) is offered each weight's transpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from typing import Any

import sympy as sp

from ...network.build import Network
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


def transposed_weights(net: Network) -> dict[sp.Symbol, sp.Symbol]:
    """Each weight w_{j,k} (to unit j of a layer from unit k of the layer before) and the
    weight w_{k,j} of the same two layers, where both exist and differ."""
    where: dict[str, tuple[int, int]] = {
        i.name: (-1, k) for k, i in enumerate(net.spec.inputs)}
    for layer, units in net.units_by_layer.items():
        where.update({u.name: (layer, k) for k, u in enumerate(units)})
    by_place: dict[tuple[int, int, int, int], sp.Symbol] = {}
    for u in net.units:
        if not u.weighted:  # a pooling window or a formula has no weights to swap
            continue
        layer, j = where[u.name]
        for source, w in u.incoming:
            by_place[(layer, j, *where[source])] = w
    found = {}
    for (layer, j, source_layer, k), w in by_place.items():
        other = by_place.get((layer, k, source_layer, j))
        if other is not None and other != w:
            found[w] = other
    return found


def reads_transposed(written: str, meant: str) -> bool:
    """Whether two names differ by two characters swapped (``w^[2]_1,2``, ``w^[2]_2,1``), so
    that the mistake reads as transposed indices (``w6`` for ``w7`` does not).

    >>> reads_transposed("w^[2]_1,2", "w^[2]_2,1"), reads_transposed("w6", "w7")
    (True, False)
    """
    if len(written) != len(meant):
        return False
    differ = [k for k, (a, b) in enumerate(zip(written, meant, strict=True)) if a != b]
    return len(differ) == 2 and written[differ[0]] == meant[differ[1]] and \
        written[differ[1]] == meant[differ[0]]
