"""Where a written name ends: its head, the sub- and superscripts that belong to it, its primes.

The tokenizer (:mod:`symbackprop.check.reading.tokens`) is built on the scanner here. A name
keeps its sub- and superscripts (``w^{2}_{22}``, ``a^{[l-1]}_{k}``, ``w_{5}^{+}``): whether a
trailing superscript belongs to the name or is a power is decided by asking ``known`` (the
network's name table) about the longer reading first; without it, a superscript that does
not look like part of a name (``^{2}``, ``^{-1}``) is a power. The scripts of Σ, ∂, a
function or an indicator are read here too. Also here: the :class:`Token` the scanner emits
and the located :class:`FormulaError` (:func:`formula_error`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import FormulaError
from .vocabulary import PRIME_CHARS, UNICODE_SUBSCRIPTS

MAX_NAME_CHARS = 200
_LAYER_AND_EXAMPLE = re.compile(r"\^\{\s*(\[[^\[\]{}()]*\])\s*(\([A-Za-z]\))\s*\}")


def _example_last(raw: str) -> str:
    """``a^{[2](i)}_1`` (Ng's layer and example in one superscript) as ``a^{[2]}_1^{(i)}``:
    the layer's name, then the example."""
    m = _LAYER_AND_EXAMPLE.search(raw)
    if m is None:
        return raw
    return raw[:m.start()] + "^{" + m.group(1) + "}" + raw[m.end():] + "^{" + m.group(2) + "}"

LATEX_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_LATEX_WORD = re.compile(r"\\[A-Za-z]+")
# a superscript that is part of a name whatever the network: ^{[1]}, ^{(2)}, ^{\prime}, ^{*}
_NAME_LIKE_SUP = re.compile(r"\^\s*(\{\s*(\[[^{}]*\]|\([^{}]*\)|\\prime|'+|\*|\+)\s*\}|"
                            r"\\prime|\*|\+)")

Known = Callable[[str], bool]


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is num, name, func, partial, frac, sqrt, sum, indicator, cases,
    endcases, rowsep, word, rel or an operator; ``sub``/``sup`` hold the raw scripts of a
    function, ∂, Σ or indicator."""

    kind: str
    text: str
    pos: int
    primes: int = 0
    sub: str | None = None
    sup: str | None = None

    @property
    def written(self) -> str:
        """The text with its primes, as the name table looks it up (``y'``)."""
        return self.text + "'" * self.primes


def formula_error(message: str, pos: int | None = None, hint: str | None = None
                  ) -> FormulaError:
    """A :class:`FormulaError` naming the (1-based) character where the problem is."""
    where = f" at character {pos + 1}" if pos is not None else ""
    return FormulaError(message + where, hint=hint)


class NameScanner:
    """A cursor over formula text that reads names with their scripts and primes; the
    tokenizer's scanner adds numbers, operators and LaTeX commands."""

    def __init__(self, text: str, syntax: str, known: Known | None) -> None:
        self.s = text
        self.i = 0
        self.syntax = syntax
        self.known = known
        self.tokens: list[Token] = []

    def _emit(self, kind: str, text: str, pos: int, primes: int = 0, *,
              sub: str | None = None, sup: str | None = None) -> None:
        self.tokens.append(Token(kind, text, pos, primes, sub, sup))

    def _letters(self, start: int) -> str:
        j = start
        while j < len(self.s) and self.s[j].isascii() and self.s[j].isalnum():
            j += 1
        self.i = j
        return self.s[start:j]

    def _primes(self) -> int:
        """Consume the primes after a name or function (``f''``, ``σ′``) and count them."""
        primes = 0
        while self.i < len(self.s):
            if self.s[self.i] in PRIME_CHARS:
                primes += 1
                self.i += 1
            elif self.s.startswith("^{\\prime}", self.i):
                primes += 1
                self.i += len("^{\\prime}")
            elif self.s.startswith("^\\prime", self.i):
                primes += 1
                self.i += len("^\\prime")
            else:
                break
        return primes

    def _skip_space(self, j: int) -> int:
        while j < len(self.s) and self.s[j].isspace():
            j += 1
        return j

    def _group(self, start: int) -> str:
        """The text of a balanced ``{...}`` group starting at ``start`` (braces included)."""
        depth = 0
        for j in range(start, min(len(self.s), start + MAX_NAME_CHARS)):
            ch = self.s[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return self.s[start:j + 1]
        raise formula_error("an unclosed `{` (or a group that is too long)", start)

    def _script(self, j: int) -> tuple[str, int] | None:
        """The script (``_{..}``, ``_x1``, ``^{..}``, ``^2``, ``_\\alpha``) at ``j``."""
        s = self.s
        if j < len(s) and ord(s[j]) in UNICODE_SUBSCRIPTS:  # W₃, h₂ᵢ: the subscript as written
            end = j
            while end < len(s) and ord(s[end]) in UNICODE_SUBSCRIPTS:
                end += 1
            return "_{" + s[j:end].translate(UNICODE_SUBSCRIPTS) + "}", end
        if j >= len(s) or s[j] not in "_^":
            return None
        op = s[j]
        k = self._skip_space(j + 1) if self.syntax != "plain" else j + 1
        if k >= len(s):
            return None
        if s[k] == "{":
            if self.syntax == "plain":
                raise formula_error("braces are LaTeX; write out_h1 or use --syntax latex", k)
            group = self._group(k)
            return op + group, k + len(group)
        if s[k] == "\\":
            m = _LATEX_WORD.match(s, k)
            if m is None:
                return None
            return op + m.group(0), m.end()
        if op == "^" and s[k] == "[":  # w^[2]_1,1: a layer in brackets, as reports write it
            end = s.find("]", k)
            if end < 0 or not all(c.isascii() and (c.isalnum() or c in "+-") for c in
                                  s[k + 1:end]) or end == k + 1:
                return None
            return op + s[k:end + 1], end + 1
        if s[k].isascii() and s[k].isalnum():
            if op == "^":
                return op + s[k], k + 1
            end = k
            while end < len(s) and s[end].isascii() and (s[end].isalnum() or (
                    s[end] == "," and self.known is not None and end + 1 < len(s) and
                    s[end + 1].isascii() and s[end + 1].isalnum())):
                end += 1  # _1,1: two indices (a name that is not known keeps only _1)
            return op + s[k:end], end
        if op == "^" and s[k] in "+*":
            return op + s[k], k + 1
        return None

    def _scripts(self, j: int) -> list[tuple[str, int]]:
        """Every script after position ``j`` (spaces before a script are skipped in LaTeX)."""
        pieces: list[tuple[str, int]] = []
        while len(pieces) < 8:
            k = self._skip_space(j) if self.syntax != "plain" else j
            if self.s.startswith("^{\\prime}", k) or self.s.startswith("^\\prime", k):
                break  # a prime, read by _primes
            found = self._script(k)
            if found is None:
                break
            pieces.append(found)
            j = found[1]
        return pieces

    def _name(self, start: int, head: str) -> None:
        """A name: its head and the scripts that belong to it, then any primes."""
        pieces = self._scripts(self.i)
        for n, (piece, end) in enumerate(pieces):
            if "," in piece and piece[1] != "{" and not (self.known is not None and
                    self.known(head + "".join(p for p, _ in pieces[:n + 1]))):
                cut = piece.index(",")  # x_1,2 unknown: x_1 and an argument 2 (_{1,2} is whole)
                pieces = [*pieces[:n], (piece[:cut], end - (len(piece) - cut))]
                break
        chosen = len(pieces)
        if pieces and self.known is not None:
            chosen = next((k for k in range(len(pieces), -1, -1)
                           if self.known(head + "".join(p for p, _ in pieces[:k]))), -1)
        if chosen < 0 or (self.known is None and pieces):
            # nothing known: trailing superscripts that do not look like part of a name
            # (^{2}, ^{-1}) are powers
            chosen = len(pieces)
            while chosen and pieces[chosen - 1][0].startswith("^") and \
                    not _NAME_LIKE_SUP.fullmatch(pieces[chosen - 1][0]):
                chosen -= 1
        if 0 <= chosen < len(pieces) and any(p.startswith("_") for p, _ in pieces[chosen:]):
            # a subscript left over cannot be read otherwise: E_{o1} is one (unknown) name
            chosen = next((k for k in range(len(pieces), chosen, -1)
                           if pieces[k - 1][0].startswith("_")), chosen)
        raw = _example_last(head + "".join(p for p, _ in pieces[:chosen]))
        if chosen:
            self.i = pieces[chosen - 1][1]
        if len(raw) > MAX_NAME_CHARS:
            raise formula_error("a name that is too long", start)
        self._emit("name", raw, start, self._primes())

    def _operator_scripts(self) -> tuple[str | None, str | None]:
        """The ``_{...}`` and ``^{...}`` after Σ, ∂, a function or an indicator (contents)."""
        sub = sup = None
        while True:
            j = self._skip_space(self.i)
            m = LATEX_COMMAND.match(self.s, j)
            if m is not None and m.group(1) in ("limits", "nolimits", "displaystyle"):
                self.i = m.end()
                continue
            found = self._script(j)
            if found is None:
                return sub, sup
            piece, end = found
            body = piece[1:].strip()
            if body.startswith("{"):
                body = body[1:-1]
            if piece[0] == "_" and sub is None:
                sub = body
            elif piece[0] == "^" and sup is None:
                sup = body
            else:
                return sub, sup
            self.i = end
