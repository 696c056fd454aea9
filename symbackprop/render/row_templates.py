"""Placeholders, printed templates and the keys of row shapes, for templated printing.

A row of a layered network is printed once with placeholder symbols standing for its
quantities (:mod:`symbackprop.render.templated`); this module makes those placeholders, splits a
print into a :class:`Template` at them, and keys shapes so that rows with equal keys print
alike up to their names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import sympy as sp

from ..spec.digits import zero_digits

OPEN, CLOSE = "\ue000", "\ue001"
RANK0 = 0xF0000  # placeholder names sort by a character from a private-use plane
MAX_SLOTS = 0xFFFD - 0x0000  # characters available for ranks in that plane
CARET = "\ue002"
# a placeholder prints as OPEN rank CLOSE, then ^{CARET} when the LaTeX name it stands for has
# a superscript, then 0 when that name ends in a digit
MARK = re.compile(f"{OPEN}(.){CLOSE}(?:\\^\\{{?{CARET}0?\\}}?|0)?", re.S)
DIGIT_CHARS = frozenset("0123456789")  # SymPy tests [0-9][} ]*$ before a number factor


class Fallback(Exception):
    """The templates cannot promise the general path's output for this network."""


@dataclass(frozen=True)
class Template:
    """A printed row split at its placeholders: literal text and the slots between."""

    literals: tuple[str, ...]
    slots: tuple[int, ...]

    @cached_property
    def _format(self) -> str:
        """The template as a ``str.format`` pattern: filling is then one call into C."""
        parts = [self.literals[0].replace("{", "{{").replace("}", "}}")]
        for slot, lit in zip(self.slots, self.literals[1:], strict=True):
            parts.append(f"{{{slot}}}")
            parts.append(lit.replace("{", "{{").replace("}", "}}"))
        return "".join(parts)

    def fill(self, names: Sequence[str]) -> str:
        return self._format.format(*names)


def concat(*parts: Template | str) -> Template:
    """Templates and literal text one after the other, as one template."""
    literals = [""]
    slots: list[int] = []
    for part in parts:
        if isinstance(part, str):
            literals[-1] += part
            continue
        literals[-1] += part.literals[0]
        slots += part.slots
        literals += part.literals[1:]
    return Template(tuple(literals), tuple(slots))


class Names(NamedTuple):
    """The quantities filling one row's slots, as plain text and as LaTeX."""

    text: tuple[str, ...]
    latex: tuple[str, ...]


def shape_key(kind: str, group: Any, names: Names) -> tuple[Any, ...]:
    """Rows with equal keys print alike up to their names: the same kind of row in the same
    layer, with names in the same sorted order that look alike to the printers."""
    text = names.text
    if len(text) == 2:
        order: tuple[int, ...] = (0, 1) if text[0] < text[1] else (1, 0)
    elif len(text) == 3:
        a, b, c = text
        order = (0, 1, 2) if a < b < c else order_of(text)
    else:
        order = order_of(text)
    if len(set(text)) != len(text):
        raise Fallback("a row names one quantity twice")
    return (kind, group, order, tuple(looks(names.latex)))


def order_of(text: Sequence[str]) -> tuple[int, ...]:
    """The positions of ``text`` in the order of their names."""
    return tuple(sorted(range(len(text)), key=text.__getitem__))


def order3(a: str, b: str, c: str) -> tuple[int, int, int]:
    """:func:`order_of` three different names."""
    if a < b:
        return (0, 1, 2) if b < c else (0, 2, 1) if a < c else (2, 0, 1)
    return (1, 0, 2) if a < c else (1, 2, 0) if b < c else (2, 1, 0)


def look(latex: str) -> tuple[bool, bool, int, bool]:
    r"""What the printers see of a LaTeX name: a superscript, a final digit, and how it ends
    and starts where a product sets two names apart with a thin space (``w \, \mathrm{rain}``,
    :func:`symbackprop.render.printing.apart`): in a bare upright word (1) or a lone letter
    (2), and like a name that may follow one. Placeholders look like none of these, so a
    shape whose names do is printed the general way (its first row differs)."""
    last = latex[-1:]
    if last.isalpha():
        ends = 2 if len(latex) == 1 or not (latex[-2].isalpha() or latex[-2] == "\\") else 0
    elif last == "}" and "\\mathrm{" in latex:
        ends = 1 if _BARE_WORD_END.search(latex) else 0
    else:
        ends = 0
    first = latex[:1]
    starts = (latex.startswith(("\\mathrm{", "\\hat{")) if first == "\\"
              else first.isalpha() and not latex[1:2].isalpha())
    return "^" in latex, (latex.rstrip("} ") or "x")[-1] in DIGIT_CHARS, ends, starts


_BARE_WORD_END = re.compile(r"\\mathrm\{[A-Za-z]+\}$")
_LOOKS: dict[str, tuple[bool, bool, int, bool]] = {}  # by digit pattern (see looks)
_LOOKS_MAX = 100_000


def looks(latex: Sequence[str]) -> list[tuple[bool, bool, int, bool]]:
    """``[look(name) for name in latex]``, worked out once per digit pattern: what
    :func:`look` sees of a name (a caret, a final digit, letters at its ends) does not depend
    on which digits it holds, so ``w^{[1]}_{3,25}`` looks as ``w^{[0]}_{0,00}`` does."""
    joined = "\n".join(latex)
    if joined.count("\n") != len(latex) - 1:  # a name with a line break in it
        return [look(name) for name in latex]
    memo = _LOOKS
    if len(memo) >= _LOOKS_MAX:
        memo.clear()
    out = []
    for key in zero_digits(joined).split("\n"):
        found = memo.get(key)
        if found is None:
            found = memo[key] = look(key)
        out.append(found)
    return out



def placeholder(rank: int, latex: str) -> sp.Symbol:
    """A symbol that sorts at ``rank`` and looks to the printers like ``latex``."""
    caret, digit = look(latex)[:2]
    name = f"{OPEN}{chr(RANK0 + rank)}{CLOSE}"
    if caret:
        name += f"^{CARET}{'0' if digit else ''}"
    elif digit:
        name += "0"
    return sp.Symbol(name, real=True)


def canonical(rank: int, stand_in: sp.Symbol) -> sp.Symbol:
    """The placeholder of ``rank`` that looks like the placeholder ``stand_in``."""
    return sp.Symbol(f"{OPEN}{chr(RANK0 + rank)}{CLOSE}{stand_in.name[3:]}", real=True)


_PLAIN_CONTENT = (sp.Basic._hashable_content, sp.Expr._hashable_content)


def skeleton(expr: sp.Basic, rank: dict[sp.Basic, int]) -> tuple[Any, ...] | None:
    """``expr`` as nested tuples with each placeholder of ``rank`` made its rank and looks:
    equal for expressions equal up to which placeholders they hold, as ``expr`` with them
    made :func:`canonical` would be, without building that expression (under SymPy's
    ``evaluate(False)``, which empties SymPy's caches each time it is entered). None for an
    expression whose equality is more than its type and arguments."""
    if not expr.args:
        k = rank.get(expr)
        return ("atom", expr) if k is None else ("slot", k, expr.name[3:])  # type: ignore[attr-defined]
    if type(expr)._hashable_content not in _PLAIN_CONTENT:
        return None
    parts = []
    for arg in expr.args:
        part = skeleton(arg, rank)
        if part is None:
            return None
        parts.append(part)
    return ("node", type(expr), tuple(parts))


_SHARING: dict[type, type] = {}


def sharing_printer(base: Any, placeholders: Sequence[sp.Symbol],
                    sub: Callable[[sp.Expr], Template]) -> Any:
    """A printer like ``base`` that prints each product inside what it prints from ``sub``,
    the template of the product's print (shared by products alike up to their
    placeholders), filled with the placeholders' own prints: a row of 785 terms w·a costs
    one product print instead of 784. Its prints are the base printer's (the rows printed
    from them are compared with the general path's all the same)."""
    kind = type(base)
    cls = _SHARING.get(kind)
    if cls is None:
        def _print(self: Any, expr: Any, **kwargs: Any) -> str:
            if not kwargs and isinstance(expr, sp.Mul):
                return self.template_of(expr).fill(self.marks)  # type: ignore[no-any-return]
            return kind._print(self, expr, **kwargs)  # type: ignore[no-any-return]

        cls = _SHARING[kind] = type(f"Sharing{kind.__name__}", (kind,), {"_print": _print})
    printer = object.__new__(cls)
    printer.__dict__.update(base.__dict__)
    printer._settings = dict(base._settings)
    if hasattr(printer, "forget"):  # its products print from templates: not the base's memory
        printer.forget()
    printer.template_of = sub
    # a placeholder prints as its name with any ^{…} braced: worked out once per decoration
    decorations: dict[str, str | None] = {}
    marks = []
    for ph in placeholders:
        head, tail = ph.name[:3], ph.name[3:]
        if tail not in decorations:
            printed = base._print(ph)
            decorations[tail] = printed[3:] if printed.startswith(head) else None
        decoration = decorations[tail]
        marks.append(base._print(ph) if decoration is None else head + decoration)
    printer.marks = marks
    return printer
