"""Resolve the names written in a formula to the network's quantities.

``out_h1``, ``out_{h1}``, ``out_{h_{1}}`` and ``outh1`` all reach the same symbol; a unit's
name (``h1``) stands for its activation; ``target_{02}`` is read as ``target_{o2}``; names
written together (``xw_1``) are split into a product when that reading is unique.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from ..errors import FormulaError, did_you_mean
from ..network.functions import Unspecified, unspecified
from ..spec.naming import plain_name
from .tokens import formula_error

if TYPE_CHECKING:
    from ..network.build import Network

MAX_SPLIT_CHARS = 40

Lookup = tuple[sp.Symbol, str | None]
"""A quantity and, when the name was read generously, a note saying how."""


def _squash(text: str) -> str:
    return plain_name(text).replace("_", "")


def _zero_to_o(raw: str) -> str:
    """``target_{02}`` → ``target_{o2}``: the digit 0 typed for the letter o in a subscript."""
    head, sep, tail = raw.partition("_")
    return head + sep + tail.replace("0", "o") if sep else raw


def _balanced(text: str) -> bool:
    """Whether ``text`` can be a whole name: braces balanced, no dangling ``_`` or ``\\``."""
    depth = 0
    for ch in text:
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return False
    return depth == 0 and not text.endswith("_") and not text.endswith("\\")


@dataclass
class NameTable:
    """Every way a formula may name a quantity of the network."""

    exact: dict[str, sp.Symbol]
    squashed: dict[str, sp.Symbol | None]  # None marks a key two quantities share
    units: dict[str, sp.Symbol]
    functions: dict[str, type[Unspecified]]
    known: list[str]

    @classmethod
    def of(cls, net: Network) -> NameTable:
        exact: dict[str, sp.Symbol] = {}
        squashed: dict[str, sp.Symbol | None] = {}
        for sym, latex in net.latex_names.items():
            for key in (sym.name, plain_name(latex)):
                exact.setdefault(key, sym)
            for key in {_squash(sym.name), _squash(latex)}:
                squashed[key] = sym if squashed.get(key, sym) == sym else None
        units = {_squash(u.name): u.out for u in net.units}
        functions = {u.activation.fname or "f": unspecified(u.activation.fname or "f")
                     for u in net.units if u.activation.kind == "unspecified"}
        known = sorted({s.name for s in net.latex_names} | {u.name for u in net.units})
        return cls(exact, squashed, units, functions, known)

    def lookup(self, raw: str) -> Lookup | None:
        """The quantity ``raw`` names, and a note when it was read generously."""
        if raw in self.exact:
            return self.exact[raw], None
        key = plain_name(raw)
        if key in self.exact:
            return self.exact[key], None
        sq = _squash(raw)
        found = self.squashed.get(sq)
        if found is not None:
            return found, None
        if sq in self.units and sq not in self.squashed:
            out = self.units[sq]
            return out, f"read `{raw}` as the activation {out.name}"
        fixed = _zero_to_o(raw)
        if fixed != raw:
            again = self.lookup(fixed)
            if again is not None:
                return again[0], f"read `{raw}` as `{fixed}` (the digit 0 for the letter o)"
        return None

    def unknown(self, raw: str, pos: int) -> FormulaError:
        """The error for a name that names nothing, with the closest known name as a hint."""
        word = plain_name(raw)
        close = difflib.get_close_matches(word, self.known, n=1, cutoff=0.5)
        hint = f"did you mean `{close[0]}`?" if close else did_you_mean(word, self.known)
        return formula_error(f"unknown name `{raw}`", pos, hint=hint)

    def split(self, raw: str) -> list[Lookup] | None:
        """Implicit products of names written together (``xw_1`` → x · w_1), if unique."""
        if len(raw) > MAX_SPLIT_CHARS or raw.startswith("{"):
            return None
        cuts = [k for k in range(1, len(raw)) if raw[k].isalpha() and raw[k - 1] != "\\"
                and _balanced(raw[:k])]
        memo: dict[int, list[Lookup] | None] = {}

        def from_(start: int) -> list[Lookup] | None:
            """The shortest reading of ``raw[start:]`` as names, or None."""
            if start in memo:
                return memo[start]
            result = None
            for end in [*(c for c in cuts if c > start), len(raw)]:
                part = self.lookup(raw[start:end]) if _balanced(raw[start:end]) else None
                if part is None:
                    continue
                rest = [] if end == len(raw) else from_(end)
                if rest is not None and (result is None or len(rest) + 1 < len(result)):
                    result = [part, *rest]
            memo[start] = result
            return result

        best = from_(0)
        return best if best is not None and len(best) > 1 else None
