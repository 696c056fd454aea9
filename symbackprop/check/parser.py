"""Read hand-written gradient formulas (plain math or LaTeX) into SymPy objects.

The grammar is the project's own: a tokenizer (:mod:`symbackprop.check.tokens`) and the
recursive-descent parser below, which build SymPy objects directly (``Symbol``, ``Add``,
``Mul``, ``Pow``, ``Rational`` and the activation classes of :mod:`symbackprop.network.functions`).
Text is never handed to Python or to SymPy's string parsers. Names resolve against the
network (:mod:`symbackprop.check.names`): ``out_h1``, ``out_{h1}``, ``out_{h_{1}}``, ``w5``,
``w_{5}``, ``\\delta_{o1}`` all reach the spec's quantities.

Partial derivatives written inside a formula (``\\frac{\\partial L}{\\partial o_1}``,
``∂E/∂w5``, ``dL/dw_1``) become placeholder symbols with a :class:`Partial` record, so the
checker can give each factor its meaning in the network's graph.

Bounds keep hostile input cheap: length, token count, nesting depth, the size of numbers
and of exponents are all limited, and every violation is a :class:`FormulaError`.

>>> from symbackprop.spec.load import load_spec  # doctest: +SKIP
>>> from symbackprop.network.build import build_network  # doctest: +SKIP
>>> net = build_network(load_spec("specs/seed-004-mazur-2-2-2.yaml"))  # doctest: +SKIP
>>> parse_formula(r"-(target_{o1}-out_{o1})\\,out_{o1}(1-out_{o1})", net).expr  # doctest: +SKIP
-out_o1*(1 - out_o1)*(-out_o1 + target_o1)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp

from .arithmetic import apply_function, check_size, divide, number, power
from .names import Lookup, NameTable
from .parsed import ParsedFormula, Partial
from .tokens import (
    FUNCTION_WORDS,
    MAX_DEPTH,
    MAX_EXP_NESTING,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NAME_CHARS,
    MAX_NUMBER_CHARS,
    MAX_NUMBER_DIGITS,
    MAX_TOKENS,
    SYNTAXES,
    Token,
    formula_error,
    tokenize,
)

if TYPE_CHECKING:
    from ..network.build import Network

__all__ = ["MAX_DEPTH", "MAX_EXPONENT", "MAX_EXP_NESTING", "MAX_LENGTH", "MAX_NAME_CHARS",
           "MAX_NUMBER_CHARS", "MAX_NUMBER_DIGITS", "MAX_TOKENS", "SYNTAXES", "NameTable",
           "ParsedFormula", "Partial", "Token", "parse_formula", "tokenize"]

_OPEN = {"(": ")", "[": "]", "{": "}"}
_OPERAND_START = {"num", "name", "func", "partial", "frac", "sqrt", "(", "[", "{"}
_TWO_DIGITS = re.compile(r"[0-9][0-9]")


class _Parser:
    """Recursive descent over tokens: expr → term → unary → power → primary."""

    def __init__(self, tokens: list[Token], names: NameTable, *, split: bool) -> None:
        self.t = tokens
        self.k = 0
        self.depth = 0
        self.names = names
        self.split = split
        self.partials: dict[sp.Symbol, Partial] = {}
        self.notes: list[str] = []

    # -- token helpers -------------------------------------------------------------
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

    # -- grammar -------------------------------------------------------------------
    def equation(self) -> list[sp.Expr]:
        sides = [self.expr()]
        while self.kind() == "=":
            self.take()
            sides.append(self.expr())
        tok = self.peek()
        if tok is not None:
            raise formula_error(f"unexpected `{tok.text}`", tok.pos)
        return sides

    def expr(self) -> sp.Expr:
        self.enter()
        if self.peek() is None or self.kind() in (")", "]", "}", "="):
            tok = self.peek()
            raise formula_error("an expression is missing", tok.pos if tok else None)
        terms = [self.term()]
        while self.kind() in ("+", "-"):
            op = self.take()
            term = self.term()
            terms.append(term if op.kind == "+" else -term)
        self.depth -= 1
        return sp.Add(*terms)

    def term(self) -> sp.Expr:
        value = self.unary()
        while True:
            kind = self.kind()
            if kind == "*":
                self.take()
                value = value * self.unary()
            elif kind == "/":
                tok = self.take()
                value = divide(value, self.unary(), tok.pos)
            elif kind in _OPERAND_START:
                value = value * self.power()
            else:
                return value

    def unary(self) -> sp.Expr:
        negative = False
        while self.kind() in ("+", "-"):
            negative ^= self.take().kind == "-"
        value = self.power()
        return -value if negative else value

    def power(self) -> sp.Expr:
        base = self.primary()
        if self.kind() != "^":
            return base
        tok = self.take()
        self.enter()
        exponent = self.unary()
        self.depth -= 1
        return power(base, exponent, tok.pos)

    def primary(self) -> sp.Expr:
        tok = self.peek()
        if tok is None:
            raise formula_error("the formula ends where a value is expected")
        if tok.kind in _OPEN:
            return self.group()
        self.take()
        if tok.kind == "num":
            return number(tok)
        if tok.kind == "func":
            return self.call(tok)
        if tok.kind == "partial":
            return self.partial_slash(tok)
        if tok.kind == "frac":
            return self.frac(tok)
        if tok.kind == "sqrt":
            return power(self.argument(tok), sp.S.Half, tok.pos)
        if tok.kind == "name":
            return self.name(tok)
        raise formula_error(f"unexpected `{tok.text}`", tok.pos)

    def group(self) -> sp.Expr:
        open_tok = self.take()
        self.enter()
        value = self.expr()
        close = self.peek()
        if close is None or close.kind not in _OPEN.values():
            raise formula_error(f"`{open_tok.text}` is never closed", open_tok.pos)
        self.take()
        self.depth -= 1
        return value

    def argument(self, tok: Token) -> sp.Expr:
        """A function's argument: a bracketed group, or (after a command) one power."""
        if self.kind() in _OPEN:
            return self.group()
        if self.kind() in _OPERAND_START:
            self.enter()
            value = self.power()
            self.depth -= 1
            return value
        raise formula_error(f"`{tok.text}` needs an argument", tok.pos)

    def call(self, tok: Token) -> sp.Expr:
        """``tok`` (a function or a function's name) applied to the argument that follows."""
        return apply_function(tok.text, self.argument(tok), tok.primes, tok.pos,
                              self.names.functions)

    # -- names and ∂ factors -------------------------------------------------------
    def resolve(self, raw: str, pos: int) -> sp.Symbol:
        """The quantity ``raw`` names (noting a generous reading), or a FormulaError."""
        found = self.names.lookup(raw)
        if found is None:
            raise self.names.unknown(raw, pos)
        return self.noted(found)

    def noted(self, found: Lookup) -> sp.Symbol:
        if found[1]:
            self.notes.append(found[1])
        return found[0]

    def name(self, tok: Token) -> sp.Expr:
        if self._is_d_partial(-1):
            return self.partial_d()
        raw = tok.written
        found = self.names.lookup(raw)
        if found is not None:
            return self.noted(found)
        if self.kind() in ("(", "[") and (
                tok.text in FUNCTION_WORDS or tok.text in self.names.functions):
            return self.call(tok)
        if tok.primes == 0 and tok.text == "e":
            return sp.E
        parts = self.names.split(raw) if self.split else None
        if parts is None:
            raise self.names.unknown(raw, tok.pos)
        self.notes.append(f"read `{raw}` as the product "
                          + " · ".join(p[0].name for p in parts))
        return sp.Mul(*[p[0] for p in parts])

    def _d_width(self, offset: int) -> int:
        """Tokens taken by a ``dX`` (1) or ``d X`` (2) at ``offset``; 0 when there is none."""
        tok = self.peek(offset)
        if tok is None or tok.kind != "name":
            return 0
        if tok.text == "d" and tok.primes == 0:
            return 2 if self.kind(offset + 1) == "name" else 0
        if len(tok.text) > 1 and tok.text[0] == "d" and \
                self.names.lookup(tok.written) is None and \
                self.names.lookup(tok.written[1:]) is not None:
            return 1
        return 0

    def _is_d_partial(self, offset: int) -> bool:
        width = self._d_width(offset)
        return bool(width) and self.kind(offset + width) == "/" and \
            bool(self._d_width(offset + width + 1))

    def _marker_name(self, what: str, pos: int) -> tuple[sp.Symbol, str]:
        """After ∂ (or d): the name of the quantity."""
        tok = self.peek()
        if tok is None or tok.kind != "name":
            raise formula_error(f"∂ must be followed by the name of a quantity ({what})", pos,
                                hint="operator forms like ∂/∂x [...] are not supported; "
                                     "write the result or a chain of ∂A/∂B factors")
        self.take()
        return self.resolve(tok.written, tok.pos), tok.written

    def _d_name(self) -> tuple[sp.Symbol, str]:
        """A ``dX`` or ``d X`` (as measured by :meth:`_d_width`): the quantity X."""
        tok = self.take()
        if tok.text == "d" and tok.primes == 0:
            return self._marker_name("after d", tok.pos)
        raw = tok.written[1:]
        return self.resolve(raw, tok.pos), raw

    def _differential(self, what: str) -> tuple[sp.Symbol, str] | None:
        """``∂X``, ``dX`` or ``d X`` at the cursor: the quantity X; None if there is none."""
        marker = self.peek()
        if marker is not None and marker.kind == "partial":
            self.take()
            return self._marker_name(what, marker.pos)
        if self._d_width(0):
            return self._d_name()
        return None

    def _partial(self, num: tuple[sp.Symbol, str], den: tuple[sp.Symbol, str],
                 text: str) -> sp.Symbol:
        placeholder = sp.Dummy(f"d{num[0].name}_d{den[0].name}")
        self.partials[placeholder] = Partial(num[0], den[0], text)
        return placeholder

    def partial_slash(self, tok: Token) -> sp.Expr:
        num = self._marker_name("numerator", tok.pos)
        slash = self.peek()
        if slash is None or slash.kind != "/":
            raise formula_error("write a partial derivative as ∂A/∂B or \\frac{\\partial A}"
                                "{\\partial B}", tok.pos)
        self.take()
        den = self._differential("denominator")
        if den is None:
            raise formula_error("the denominator of ∂A/∂B needs its own ∂", slash.pos)
        return self._partial(num, den, f"∂{num[1]}/∂{den[1]}")

    def partial_d(self) -> sp.Expr:
        self.k -= 1
        num = self._d_name()
        self.expect("/")
        den = self._d_name()
        return self._partial(num, den, f"d{num[1]}/d{den[1]}")

    def frac(self, tok: Token) -> sp.Expr:
        if self.kind() == "{" and (self.kind(1) == "partial" or self._d_width(1)):
            return self.frac_partial(tok)
        after = self.peek()
        if after is not None and after.kind == "num" and _TWO_DIGITS.fullmatch(after.text):
            self.take()  # \frac12 is 1/2
            return divide(sp.Integer(int(after.text[0])), sp.Integer(int(after.text[1])),
                          tok.pos)
        top = self.argument(tok)
        bottom = self.argument(tok)
        return divide(top, bottom, tok.pos)

    def frac_partial(self, tok: Token) -> sp.Expr:
        parts = []
        for _ in range(2):
            self.expect("{")
            part = self._differential("in \\frac")
            if part is None:
                raise formula_error("both parts of \\frac{\\partial A}{\\partial B} need ∂",
                                    tok.pos)
            parts.append(part)
            self.expect("}")
        return self._partial(parts[0], parts[1], f"∂{parts[0][1]}/∂{parts[1][1]}")


def parse_formula(text: str, net: Network, *, syntax: str = "auto",
                  names: NameTable | None = None) -> ParsedFormula:
    """Read ``text`` in the notation of ``net``; raise :class:`FormulaError` if unreadable."""
    if not isinstance(text, str):
        raise formula_error("a formula must be text")
    tokens = tokenize(text, syntax)
    if not tokens:
        raise formula_error("the formula is empty")
    latexish = syntax == "latex" or (syntax == "auto" and ("\\" in text or "{" in text))
    parser = _Parser(tokens, names or NameTable.of(net), split=latexish)
    sides = parser.equation()
    lhs: Partial | None = None
    if len(sides) > 1:
        first = sides[0]
        if first not in parser.partials:
            raise formula_error("the left side of `=` must be the gradient ∂L/∂param",
                                hint="or give only the right-hand side")
        lhs = parser.partials.pop(first)
        sides = sides[1:]
    for side in sides:
        check_size(side)
    notes = tuple(dict.fromkeys(parser.notes))
    return ParsedFormula(tuple(sides), lhs, parser.partials, notes,
                         "latex" if latexish else "plain")
