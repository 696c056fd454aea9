"""What to say about a name that names nothing in the network.

A name shaped like a family of the network's names (``w^{[2]}_{1,2}`` beside the weights
``w^{[l]}_{j,k}``, ``out_{o3}`` beside ``out_{o1}``) is reported with the index that is out of
range, its valid values and the family's nearest names; any other name with the closest
names. Every name suggested is written as the spec writes it, in LaTeX that a formula may use
as it stands (``a^{[3]}_1``, ``out_{o2}``), never as an internal plain name (``a_3_1``).

>>> family_of("w^{[2]}_{1, 2}")
('w_#_#_#', (2, 1, 2))
>>> spelled([2, 1, 2], r"w^{[3]}_{1,1}", (3, 1, 1))
'w^{[2]}_{1,2}'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import sympy as sp

from ...errors import close_matches, listed, suggestion
from ...spec.naming import plain_name
from ..reading.vocabulary import FUNCTION_WORDS
from .quantities import Quantities


class NameTable(Protocol):
    """What the hints need of :class:`symbackprop.check.meaning.names.NameTable` (which imports
    this module)."""

    @property
    def quantities(self) -> Quantities: ...

    @property
    def functions(self) -> Mapping[str, object]: ...

    def lookup(self, raw: str) -> tuple[sp.Symbol, str | None] | None: ...

MAX_SHOWN = 3
MAX_LISTED = 12
MAX_AMBIGUOUS = 6
MAX_VALUES_SHOWN = 8
_NUMBER = re.compile(r"\d+")
_WORD_COMMAND = re.compile(r"\\(?:mathrm|text|operatorname)\s*\{([A-Za-z]+)\}")
_ONE_CHAR_SUB = re.compile(r"_\{([A-Za-z0-9])\}")
_KIND_WORDS = {"net": "net input", "out": "activation", "delta": "δ", "target": "target",
               "input": "input", "loss_term": "loss term", "param": "parameter"}
_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_NAMELESS_KINDS = ("cost", "count", "rate", "loss_gradient")


def family_of(name: str) -> tuple[str, tuple[int, ...]]:
    """A name's shape with every number as ``#``, and the numbers: its family and indices."""
    plain = plain_name(name).replace(" ", "")
    return _NUMBER.sub("#", plain), tuple(int(n) for n in _NUMBER.findall(plain))


def spelled(values: list[int] | tuple[int, ...], like: str, like_values: tuple[int, ...]
            ) -> str | None:
    """``like`` (a name of the family, with indices ``like_values``) with ``values`` instead;
    None when its numbers are not the family's indices one for one."""
    if tuple(int(n) for n in _NUMBER.findall(like)) != like_values or \
            len(values) != len(like_values):
        return None
    numbers = iter(values)
    return _NUMBER.sub(lambda _: str(next(numbers)), like)


def writable(table: NameTable, sym: sp.Symbol) -> str:
    """``sym`` as a formula may write it in the spec's notation: its LaTeX with
    ``\\mathrm{out}`` as ``out`` and ``_{1}`` as ``_1`` where that reads back to ``sym``."""
    latex = table.quantities.latex_of(sym)
    short = _ONE_CHAR_SUB.sub(r"_\1", _WORD_COMMAND.sub(r"\1", latex))
    for text in (short, _WORD_COMMAND.sub(r"\1", latex)):
        found = table.lookup(text)
        if found is not None and found[0] == sym and found[1] is None:
            return text
    return latex


@dataclass(frozen=True)
class Member:
    """A quantity of a family with its indices and, when it belongs to one, its layer."""

    sym: sp.Symbol
    values: tuple[int, ...]
    layer: int | None


def _layers(table: NameTable) -> dict[sp.Symbol, int]:
    """The layer number (as the spec prints it) of every quantity that belongs to a layer."""
    net = table.quantities.net
    number = {lay.position: lay.number for lay in net.spec.layers}
    out: dict[sp.Symbol, int] = {}
    for u in net.units:
        if u.layer not in number:
            continue
        mine = [u.net, u.out, u.delta, *(w for _, w in u.incoming if u.weighted)]
        mine += [s for s in (u.target, u.bias) if s is not None]
        for sym in mine:
            out.setdefault(sym, number[u.layer])
    for term, (u, _) in table.quantities.loss_terms.items():
        if u.layer in number:
            out[term] = number[u.layer]
    return out


def members(table: NameTable, shape: str, kinds: tuple[str, ...] | None = None
            ) -> list[Member]:
    """The quantities whose names have ``shape`` (of the given kinds)."""
    q = table.quantities
    layers = _layers(table)
    found: list[Member] = []
    for sym, latex in q.latex.items():
        kind = q.kinds.get(sym, "")
        if kind in _NAMELESS_KINDS or (kinds is not None and kind not in kinds):
            continue
        for key in (sym.name, plain_name(latex)):
            key_shape, values = family_of(key)
            if key_shape == shape:
                found.append(Member(sym, values, layers.get(sym)))
                break
    return found


def _values(valid: list[int]) -> str:
    """``1``, ``1 to 3``, ``1, 2 or 4``, ``one of 1, 2, …, 9``."""
    if len(valid) == 1:
        return str(valid[0])
    if valid == list(range(valid[0], valid[-1] + 1)):
        return f"{valid[0]} to {valid[-1]}"
    if len(valid) <= MAX_VALUES_SHOWN:
        return f"{', '.join(map(str, valid[:-1]))} or {valid[-1]}"
    return f"one of {', '.join(map(str, valid[:MAX_VALUES_SHOWN - 1]))}, …, {valid[-1]}"


def _kind_word(table: NameTable, sym: sp.Symbol) -> str:
    kind = table.quantities.kinds.get(sym, "")
    if kind == "param":
        by_name = {p.name: p.kind for p in table.quantities.net.spec.params}
        return by_name.get(sym.name, "parameter")
    return _KIND_WORDS.get(kind, "name")


def _nearest(group: list[Member], values: tuple[int, ...]) -> list[Member]:
    """The members of ``group`` nearest to ``values``: equally near ones, up to three."""
    def distance(m: Member) -> int:
        return sum(abs(a - b) for a, b in zip(m.values, values, strict=True))

    best = min(distance(m) for m in group)
    return sorted((m for m in group if distance(m) == best), key=lambda m: m.values)[:MAX_SHOWN]


def family_hint(table: NameTable, raw: str, kinds: tuple[str, ...] | None = None
                ) -> str | None:
    """Which index of ``raw`` is out of range among the names of its family, and the nearest
    names; None when ``raw`` is shaped like no family of the network's names."""
    shape, values = family_of(raw)
    group = members(table, shape, kinds) if values else []
    group = [m for m in group if len(m.values) == len(values)]
    if not group:
        return None
    layer_at = next((p for p in range(len(values))
                     if all(m.layer == m.values[p] for m in group)), None)
    first = _nearest(group, values)[0]
    name = spelled(values, writable(table, first.sym), first.values) or raw
    head = f"no {_kind_word(table, first.sym)} `{name}` in this network"
    for p, value in enumerate(values):
        valid = sorted({m.values[p] for m in group})
        if value not in valid:
            break
        group = [m for m in group if m.values[p] == value]
    else:  # every index exists: the name is written in a way the table does not read
        return suggestion([writable(table, group[0].sym)])
    if p == layer_at:
        what = "layer"
    else:
        indices = [k for k in range(len(values)) if k != layer_at]
        what = "index" if len(indices) == 1 else f"{_ORDINALS[min(indices.index(p), 4)]} index"
    reason = f"its {what} must be {_values(valid)}, not {value}"
    if layer_at is not None and layer_at < p:
        layer = values[layer_at]
        same = sorted((m for m in members(table, shape, kinds)
                       if len(m.values) == len(values) and m.values[layer_at] == layer),
                      key=lambda m: m.values)
        shown = [writable(table, m.sym) for m in same]
        names = listed(shown, "and") if len(shown) <= MAX_SHOWN else \
            f"`{shown[0]}` to `{shown[-1]}`"
        return f"{head}: {reason}; layer {layer} has {names}"
    near = [writable(table, m.sym) for m in _nearest(group, values)]
    return f"{head}: {reason}; {suggestion(near)}"


def closest_hint(table: NameTable, raw: str, kinds: tuple[str, ...] | None = None
                 ) -> str | None:
    """``did you mean …?`` with the names nearest ``raw`` in spelling, as the spec writes
    them (up to three when they are about equally near)."""
    q = table.quantities
    spellings: dict[str, sp.Symbol] = {}
    for sym, latex in q.latex.items():
        kind = q.kinds.get(sym, "")
        if kinds is None or kind in kinds:
            for key in (sym.name, plain_name(latex)):
                spellings.setdefault(key, sym)
    words: set[str] = set()
    if kinds is None:
        for unit in q.net.units:
            spellings.setdefault(unit.name, unit.out)
        if "_" not in raw:  # a name with a subscript (σ_B) is a quantity's, not a function's
            words = {*FUNCTION_WORDS, *table.functions} - set(spellings)
    word = plain_name(raw)
    close = close_matches(word, [*spellings, *words], cutoff=0.5)
    shown = list(dict.fromkeys(writable(table, spellings[k]) if k in spellings else k
                               for k in close))
    return suggestion(shown[:MAX_SHOWN]) if shown else None


def unknown_hint(table: NameTable, raw: str, kinds: tuple[str, ...] | None = None
                 ) -> str | None:
    """The hint for ``raw``, a name of nothing: its family's ranges or the closest names."""
    return family_hint(table, raw, kinds) or closest_hint(table, raw, kinds)


def param_hint(table: NameTable, raw: str) -> str | None:
    """The hint for ``raw``, which names no parameter: the nearest parameters, or all of
    them when they are few, as the spec writes them."""
    hint = unknown_hint(table, raw, ("param",))
    if hint is not None:
        return hint
    params = [writable(table, p) for p in table.quantities.net.params]
    return f"the parameters are {listed(params, 'and')}" if len(params) <= MAX_LISTED else None


def ambiguous_hint(table: NameTable, many: list[sp.Symbol]) -> str:
    """``write which one: `out_{h1}`, `out_{h2}` or …`` for a name several quantities share."""
    shown = [writable(table, s) for s in many[:MAX_AMBIGUOUS]]
    if len(many) > MAX_AMBIGUOUS:
        return "write which one: " + ", ".join(f"`{n}`" for n in shown) + ", …"
    return f"write which one: {listed(shown)}"
