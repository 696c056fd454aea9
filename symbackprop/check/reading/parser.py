"""Read formulas (plain math or LaTeX) into syntax trees, with bounds on size and nesting.

The grammar is the project's own: the tokenizer (:mod:`symbackprop.check.reading.tokens`) and the
recursive-descent parser below build the nodes of :mod:`symbackprop.check.reading.syntax`. Text is
never handed to Python or to SymPy's string parsers. What a name means is decided later
(:mod:`symbackprop.check.meaning.meaning`); the parser only asks ``knows`` whether a name exists, to
read ``w^{2}_{22}`` as one name and ``x_{1}^{2}`` as a square, ``h(1 − h)`` as a product
and ``f(z)`` as a call.

Derivatives are read in every common spelling (:mod:`symbackprop.check.reading.derivatives`:
``\\frac{\\partial L}{\\partial o_1}``, ``∂E/∂w5``, ``dL/dw_1``, ``∂_{w} E``, ``∂/∂w [ … ]``).
Sums ``\\sum_{i=1}^{m}``, indicators
``𝟙[z > 0]`` / ``[z > 0]`` and ``\\begin{cases}`` braces are part of the grammar.

>>> st = parse_statement(r"\\partial E/\\partial w = -(t - o) x", knows=lambda raw: True)
>>> [type(s).__name__ for s in st.sides], st.relations
(['Deriv', 'Mul'], ('=',))
"""

from __future__ import annotations

import re

from .cursor import Knows
from .derivatives import DerivativeReader
from .syntax import (
    Add,
    Call,
    Cases,
    Compare,
    Deriv,
    DerivOp,
    Div,
    Indicator,
    Mul,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    Statement,
    Sum,
)
from .tokens import Token, comma_follows, formula_error, tokenize
from .vocabulary import FUNCTION_WORDS

_OPEN = {"(": ")", "[": "]", "{": "}"}
_OPERAND_START = {"num", "name", "func", "partial", "frac", "sqrt", "(", "[", "{", "sum",
                  "indicator", "cases"}
_COMPARISONS = {"<", ">", "<=", ">=", "!="}
_TWO_DIGITS = re.compile(r"[0-9][0-9]")
_SUM_INDEX = re.compile(r"\s*([A-Za-z])\s*(?:=\s*(.+))?$")
_SUM_INDICES = re.compile(r"\s*[A-Za-z]\s*(?:,\s*[A-Za-z]\s*)+$")  # \sum_{j,k}: Σ_j Σ_k


class _Parser(DerivativeReader):
    """Recursive descent over tokens: expr → term → unary → power → primary; ∂ and d are
    read by :class:`DerivativeReader`."""

    def statement(self, text: str) -> Statement:
        sides = [self.expr()]
        relations: list[str] = []
        cuts: list[tuple[int, int]] = []
        while self.kind() == "rel":
            rel = self.take()
            if rel.text in _COMPARISONS:
                raise formula_error(f"`{rel.text}` compares; a step must be an equation",
                                    rel.pos)
            relations.append(rel.text)
            nxt = self.peek()
            cuts.append((rel.pos, nxt.pos if nxt is not None else len(text)))
            sides.append(self.expr())
        self.done()
        starts = [0, *(after for _, after in cuts)]
        ends = [*(at for at, _ in cuts), len(text)]
        return Statement(tuple(sides), tuple(relations), text,
                         tuple(zip(starts, ends, strict=True)))

    def expr(self) -> Node:
        self.enter()
        if self.peek() is None or self.kind() in (")", "]", "}", "rel", ",", "&", "rowsep",
                                                  "endcases"):
            tok = self.peek()
            raise formula_error("an expression is missing", tok.pos if tok else None)
        terms = [self.term()]
        while self.kind() in ("+", "-"):
            op = self.take()
            term = self.term()
            terms.append(term if op.kind == "+" else Neg(term))
        self.depth -= 1
        return terms[0] if len(terms) == 1 else Add(tuple(terms))

    def term(self) -> Node:
        factors = [self.unary()]
        while True:
            kind = self.kind()
            if kind == "*":
                self.take()
                factors.append(self.unary())
            elif kind == "/":
                tok = self.take()
                top = factors[0] if len(factors) == 1 else Mul(tuple(factors))
                factors = [Div(top, self.unary(), tok.pos)]
            elif kind in _OPERAND_START:
                factors.append(self.power())
            else:
                return factors[0] if len(factors) == 1 else Mul(tuple(factors))

    def unary(self) -> Node:
        negative = False
        while self.kind() in ("+", "-"):
            negative ^= self.take().kind == "-"
        value = self.power()
        return Neg(value) if negative else value

    def power(self) -> Node:
        base = self.primary()
        if self.kind() != "^":
            return base
        tok = self.take()
        self.enter()
        exponent = self.unary()
        self.depth -= 1
        return Pow(base, exponent, tok.pos)

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise formula_error("the formula ends where a value is expected")
        if tok.kind in _OPEN:
            return self.group()
        self.take()
        if tok.kind == "num":
            if tok.text in (".", ""):
                raise formula_error("a lone `.`", tok.pos)
            return Num(tok.text, tok.pos)
        if tok.kind == "func":
            return self.call(tok)
        if tok.kind == "partial":
            return self.partial(tok)
        if tok.kind == "frac":
            return self.frac(tok)
        if tok.kind == "sqrt":
            return Pow(self.argument(tok), Div(Num("1", tok.pos), Num("2", tok.pos), tok.pos),
                       tok.pos)
        if tok.kind == "sum":
            return self.sum(tok)
        if tok.kind == "indicator":
            return self.indicator(tok)
        if tok.kind == "cases":
            return self.cases(tok)
        if tok.kind == "name":
            return self.name(tok)
        raise formula_error(f"unexpected `{tok.text}`", tok.pos)

    def group(self) -> Node:
        """A bracketed expression, or an Iverson bracket [a > b]."""
        open_tok = self.take()
        self.enter()
        value = self.expr()
        if self.kind() == "rel" and self.peek() is not None and \
                self.peek().text in _COMPARISONS | {"="}:  # type: ignore[union-attr]
            rel = self.take()
            value = Indicator(Compare(value, rel.text, self.expr(), rel.pos), open_tok.pos)
        close = self.peek()
        if close is None or close.kind not in _OPEN.values():
            raise formula_error(f"`{open_tok.text}` is never closed", open_tok.pos)
        self.take()
        self.depth -= 1
        return value

    def argument(self, tok: Token) -> Node:
        """A function's argument: a bracketed group, or (after a command) one power."""
        if self.kind() in _OPEN:
            return self.group()
        if self.kind() in _OPERAND_START:
            self.enter()
            value = self.power()
            self.depth -= 1
            return value
        raise formula_error(f"`{tok.text}` needs an argument", tok.pos)

    def arguments(self, tok: Token) -> tuple[Node, ...]:
        """``(a)`` or ``(a, b)`` after a function; otherwise one argument."""
        if self.kind() != "(" and self.kind() != "{":
            return (self.argument(tok),)
        close = _OPEN[self.take().kind]
        self.enter()
        args = [self.expr()]
        while self.kind() == ",":
            self.take()
            args.append(self.expr())
        if self.kind() != close and self.kind() not in _OPEN.values():
            raise formula_error(f"the arguments of `{tok.text}` are never closed", tok.pos)
        self.take()
        self.depth -= 1
        return tuple(args)

    def call(self, tok: Token) -> Node:
        """``tok`` (a function or a function's name) applied to the arguments that follow."""
        param = self.sub(tok.sub, tok.pos).whole() if tok.sub else None
        name = FUNCTION_WORDS.get(tok.text, tok.text)
        if tok.kind == "func" and self.kind() == "^" and (self.kind(1) in _OPEN or (
                self.kind(1) == "num" and self.kind(2) in _OPEN)):
            mark = self.k  # \cosh^{2}{(z)}, tanh²(z): the square of cosh(z), as SymPy prints it
            self.take()
            exponent = self.group() if self.kind() in _OPEN else self.primary()
            if self.kind() in _OPEN:
                return Pow(Call(name, self.arguments(tok), tok.pos, tok.primes, param),
                           exponent, tok.pos)
            self.k = mark
        return Call(name, self.arguments(tok), tok.pos, tok.primes, param)

    def whole(self) -> Node:
        value = self.expr()
        self.done()
        return value

    # -- names, fractions -----------------------------------------------------------
    def name(self, tok: Token) -> Node:
        if tok.text == "d" and tok.primes == 0 and self.kind() == "(" and \
                not self.knows(tok.written) and not self.is_function(tok.text):
            mark = self.k  # d(E_1 + E_2)/da: the derivative of the bracketed expression
            body = self.group()
            if self.kind() == "/" and self._d_width(1):
                self.take()
                bottom = self._d_name()
                return Deriv(body, bottom, f"d{body.written}/d{bottom.written}", tok.pos) \
                    if isinstance(body, Name) else DerivOp(bottom, body, tok.pos)
            self.k = mark
        if tok.text.startswith("\\") and self.kind() == "(" and self.is_function(tok.text[1:]):
            # \phi(z), \phi'(z): a Greek letter naming the spec's activation
            return self.call(Token("func", tok.text[1:], tok.pos, tok.primes))
        if self._is_d_partial(-1):
            self.k -= 1
            top = self._d_name()
            self.expect("/")
            bottom = self._d_name()
            return Deriv(top, bottom, f"d{top.written}/d{bottom.written}", tok.pos)
        bare = tok.text.removeprefix("\\")  # an unspecified function phi written \phi(z)
        if bare != tok.text and self.kind() == "(" and self.is_function(bare) and \
                not self.knows(tok.written):
            return self.call(Token("func", bare, tok.pos, tok.primes))
        if self.kind() in ("^", *_OPERAND_START) and tok.text in FUNCTION_WORDS and \
                len(tok.text) > 1 and not self.knows(tok.written):
            return self.call(Token("func", tok.text, tok.pos, tok.primes))  # tanh²(z), ln ŷ
        if self.kind() == "(" and (self.is_function(tok.text) or comma_follows(self.t, self.k) or (
                not self.knows(tok.written) and (tok.text in FUNCTION_WORDS or tok.primes
                                                 or len(tok.text) == 1))):
            return self.call(Token("func", tok.text, tok.pos, tok.primes))
        return Name(tok.text, tok.pos, tok.primes)

    def frac(self, tok: Token) -> Node:
        if self.kind() == "{" and (self.kind(1) == "partial" or self._d_width(1) or
                                   self._lone_d(1)):
            return self.frac_derivative(tok)
        after = self.peek()
        if after is not None and after.kind == "num" and _TWO_DIGITS.fullmatch(after.text):
            self.take()  # \frac12 is 1/2
            return Div(Num(after.text[0], after.pos), Num(after.text[1], after.pos), tok.pos)
        top = self.argument(tok)
        bottom = self.argument(tok)
        return Div(top, bottom, tok.pos)

    # -- sums, indicators, cases ---------------------------------------------------
    def sum(self, tok: Token) -> Node:
        index = lower = upper = None
        letters: list[str] = []
        if tok.sub and _SUM_INDICES.match(tok.sub) and not tok.sup:
            *letters, index = [c.strip() for c in tok.sub.split(",")]
        elif tok.sub:
            m = _SUM_INDEX.match(tok.sub)
            if m is None:
                raise formula_error(f"a sum's subscript `{tok.sub[:30]}` must be an index, "
                                    f"as in \\sum_{{i=1}}^{{m}} or \\sum_k", tok.pos)
            index = m.group(1)
            if m.group(2):
                lower = self.sub(m.group(2), tok.pos).whole()
        if tok.sup:
            upper = self.sub(tok.sup, tok.pos).whole()
        if self.kind() not in _OPERAND_START and self.kind() not in ("+", "-"):
            raise formula_error("the sum has nothing to add up", tok.pos)
        self.enter()
        body: Node = Sum(index, lower, upper, self.term(), tok.pos)
        self.depth -= 1
        for letter in reversed(letters):
            body = Sum(letter, None, None, body, tok.pos)
        return body

    def condition(self, parser: _Parser, pos: int) -> Compare:
        left = parser.expr()
        rel = parser.peek()
        if rel is None or rel.kind != "rel" or rel.text not in _COMPARISONS | {"="}:
            raise formula_error("an indicator needs a condition such as z > 0", pos)
        parser.take()
        return Compare(left, rel.text, parser.expr(), rel.pos)

    def indicator(self, tok: Token) -> Node:
        if tok.sub:
            inner = self.sub(tok.sub, tok.pos)
            cond = self.condition(inner, tok.pos)
            inner.done()
            return Indicator(cond, tok.pos)
        if self.kind() not in _OPEN:
            raise formula_error("𝟙 needs a condition: 𝟙[z > 0]", tok.pos)
        node = self.group()
        if not isinstance(node, Indicator):
            raise formula_error("𝟙 needs a condition: 𝟙[z > 0]", tok.pos)
        return node

    def cases(self, tok: Token) -> Node:
        rows: list[tuple[Node, Compare | None]] = []
        self.enter()
        while True:
            value = self.expr()
            cond: Compare | None = None
            if self.kind() == "&":
                self.take()
                while self.kind() == "word":
                    word = self.take()
                    if word.text in ("otherwise", "else"):
                        break
                if self.kind() not in ("rowsep", "endcases"):
                    cond = self.condition(self, tok.pos)
            rows.append((value, cond))
            if self.kind() == "rowsep":
                self.take()
                if self.kind() == "endcases":
                    break
                continue
            break
        self.expect("endcases")
        self.depth -= 1
        if sum(c is None for _, c in rows) > 1:
            raise formula_error("only one case may be 'otherwise'", tok.pos)
        return Cases(tuple(rows), tok.pos)



def _drop_alignment(tokens: list[Token]) -> list[Token]:
    """``&`` marks alignment outside a cases brace; inside one it separates value and case."""
    out: list[Token] = []
    depth = 0
    for tok in tokens:
        if tok.kind == "cases":
            depth += 1
        elif tok.kind == "endcases":
            depth -= 1
        elif tok.kind == "&" and depth == 0:
            continue
        elif tok.kind == "rowsep" and depth == 0:
            raise formula_error("a line break `\\\\` inside one formula", tok.pos,
                                hint="give a derivation with --derivation, one step per line")
        out.append(tok)
    return out


def parse_statement(text: str, *, knows: Knows, is_function: Knows | None = None,
                    syntax: str = "auto") -> Statement:
    """Read ``text`` into sides joined by ``=`` (or ``←``); raise FormulaError if unreadable."""
    if not isinstance(text, str):
        raise formula_error("a formula must be text")
    tokens = _drop_alignment(tokenize(text, syntax, knows))
    if not tokens:
        raise formula_error("the formula is empty")
    parser = _Parser(tokens, knows, is_function or (lambda _: False), syntax)
    return parser.statement(text)
