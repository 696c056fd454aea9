"""A cursor over a formula's tokens, for the parser: look ahead, take, expect, and the bound
on nesting (:data:`~symbackprop.check.reading.tokens.MAX_DEPTH`).

The parser (:mod:`symbackprop.check.reading.parser`) and its reading of derivatives
(:mod:`symbackprop.check.reading.derivatives`) are built on it; a script's text (Σ bounds, an
indicator's condition, ∂_{w}) is read by a cursor of the same kind, one level deeper.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from .tokens import MAX_DEPTH, Token, formula_error, tokenize

Knows = Callable[[str], bool]


class TokenCursor:
    """The tokens of one formula and the position in them."""

    def __init__(self, tokens: list[Token], knows: Knows, is_function: Knows, syntax: str,
                 depth: int = 0) -> None:
        self.t = tokens
        self.k = 0
        self.depth = depth
        self.knows = knows
        self.is_function = is_function
        self.syntax = syntax

    def peek(self, offset: int = 0) -> Token | None:
        j = self.k + offset
        return self.t[j] if j < len(self.t) else None

    def kind(self, offset: int = 0) -> str | None:
        tok = self.peek(offset)
        return tok.kind if tok is not None else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise formula_error("the formula ends too early")
        self.k += 1
        return tok

    def expect(self, kind: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise formula_error(f"expected `{kind}` but the formula ends")
        if tok.kind != kind:
            raise formula_error(f"expected `{kind}`, found `{tok.text}`", tok.pos)
        return self.take()

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            tok = self.peek()
            raise formula_error(f"the formula is nested more than {MAX_DEPTH} levels deep",
                                tok.pos if tok else None)

    def sub(self, text: str, pos: int) -> Self:
        """A parser for script text (Σ bounds, an indicator's condition), one level deeper."""
        tokens = [Token(t.kind, t.text, t.pos + pos, t.primes, t.sub, t.sup)
                  for t in tokenize(text, self.syntax, self.knows)]
        return type(self)(tokens, self.knows, self.is_function, self.syntax, self.depth + 1)

    def done(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise formula_error(f"unexpected `{tok.text}`", tok.pos)
