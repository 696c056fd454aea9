"""Reading a step in matrix form: its tokens, and the parser that builds its tree.

Products are written by juxtaposition, ``\\cdot`` or ``·``; elementwise products by
``\\odot``, ``\\circ`` or ``⊙`` (binding less tightly, as ``derive`` prints them); a transpose
by ``^T``, ``^{\\top}``, ``^\\intercal`` or ``ᵀ``; a layer by a superscript in any bracket style
(``^{[2]}``, ``^{(2)}``, ``^2``, ``^[2]`` as text writes it). Gradients are ``\\nabla_a C``,
``\\frac{\\partial C}{\\partial W^l}`` or ``∂J/∂W^[1]``; scalars ``\\frac{1}{m}`` and ``1/m``;
functions of every entry ``\\sigma'(z)``, ``tanh'(Z)``, ``\\operatorname{diag}(v)`` and
Nielsen's diagonal ``\\Sigma'(z)``; ``\\sum_i`` sums a batch's examples ``\\Delta_i``. Sizes and
nesting are bounded before any work.
"""

from __future__ import annotations

import re

from ...errors import FormulaError
from .code_syntax import CodeReading
from .matrix_syntax import (
    LayerRef,
    MCall,
    MDivide,
    MExampleSum,
    MGrad,
    MHadamard,
    MName,
    MNode,
    MNum,
    MOnes,
    MProduct,
    MSpace,
    MStatement,
    MSum,
    MTranspose,
    Tok,
)

MAX_MATRIX_TOKENS = 400
MAX_DEPTH = 40

FUNCTION_WORDS = frozenset((
    "sigma", "sigmoid", "tanh", "relu", "ReLU", "softplus", "leaky_relu", "lrelu", "softmax",
    "f", "g",
    "phi", "varphi", "diag", "linear", "identity", "Sigma"))
"""Names read as a function when an argument in brackets follows (besides the spec's own)."""


# ----------------------------------------------------------------------------- tokens

_UNICODE = {"δ": r"\delta ", "Δ": r"\Delta ", "σ": r"\sigma ", "∇": r"\nabla ", "⊙": r"\odot ",
            "∘": r"\circ ", "·": r"\cdot ", "ᵀ": "^{T}", "∂": r"\partial ", "∈": r"\in ",
            "ℝ": r"\mathbb{R}", "×": r"\times ", "′": "'", "φ": r"\phi ", "−": "-",
            "⋅": r"\cdot ", "∙": r"\cdot "}
_DROP = re.compile(r"\\(?:left|right|[bB]igg?[lr]?)(?![A-Za-z])|\\[,;:! ]|\\q?quad(?![A-Za-z])"
                   r"|&|\$|\\\\\s*$|\\displaystyle(?![A-Za-z])")
_FONT = re.compile(r"\\(mathrm|mathbf|mathit|boldsymbol|operatorname|text|mathsf|bm)\s*"
                   r"\{([A-Za-z0-9_ ]*)\}")
_TOKEN = re.compile(r"\s*(?:(?P<font>\\(?:mathrm|mathbf|mathit|boldsymbol|operatorname|text|"
                    r"mathsf|bm)\{[A-Za-z0-9_ ]*\})|(?P<space>\\mathbb\{R\})|"
                    r"(?P<cmd>\\[A-Za-z]+)|(?P<num>\d+(?:\.\d+)?)|"
                    r"(?P<word>[A-Za-z]+(?:_[A-Za-z]{2,})*\d*)|(?P<sym>[-+=()\[\]{}^_'/,*|.<>@]))")


def matrix_tokens(text: str) -> list[Tok]:
    """The tokens of a matrix-form step; anything else is a :class:`FormulaError`."""
    for mark, latex in _UNICODE.items():
        text = text.replace(mark, latex)
    text = _DROP.sub(" ", text)
    out: list[Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise FormulaError(f"`{text[pos:].strip()[:12]}` cannot be read in matrix form")
        kind = m.lastgroup
        assert kind is not None
        out.append(Tok(kind, m.group(kind), m.start(kind)))
        pos = m.end()
        if len(out) > MAX_MATRIX_TOKENS:
            raise FormulaError(f"a step in matrix form has at most {MAX_MATRIX_TOKENS} parts")
    return out


# ----------------------------------------------------------------------------- parsing

_TRANSPOSE = ("T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", "t")
_PRIME = ("'", r"\prime")
_LAYER = re.compile(r"^[\[(]?\s*(?:(?P<n>\d+)|(?P<l>[lL])\s*(?:(?P<sign>[-+])\s*(?P<k>\d+))?)"
                    r"\s*[\])]?$")
_TIMES = (r"\cdot", r"\times", "*", "@")  # @: NumPy's matrix product
_ELEMENTWISE = (r"\odot", r"\circ")


def _layer(script: str) -> LayerRef | None:
    m = _LAYER.match(script.strip())
    if m is None:
        return None
    if m.group("n") is not None:
        return LayerRef(None, int(m.group("n")))
    k = int(m.group("k") or 0) * (-1 if m.group("sign") == "-" else 1)
    return LayerRef(m.group("l"), k)


class _Parser(CodeReading):
    def __init__(self, text: str, functions: frozenset[str]) -> None:
        self.text = text
        self.toks = matrix_tokens(text)
        self.k = 0
        self.functions = FUNCTION_WORDS | functions
        self.depth = 0
        self.normal = text
        self.indices: list[str] = []  # the example indices of the Σ_i being read

    # -- cursor -----------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> Tok | None:
        j = self.k + ahead
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t is not None and t.text in texts

    def take(self, *texts: str) -> Tok:
        t = self.peek()
        if t is None or (texts and t.text not in texts):
            want = " or ".join(f"`{x}`" for x in texts)
            found = f"`{t.text}`" if t is not None else "the end"
            raise FormulaError(f"expected {want or 'more'} in matrix form, found {found}")
        self.k += 1
        return t

    def group(self) -> list[Tok]:
        """The tokens of a braced group (or one token), the cursor after it."""
        if not self.at("{"):
            return [self.take()]
        self.take("{")
        start, depth = self.k, 1
        while True:
            t = self.take()
            depth += {"{": 1, "}": -1}.get(t.text, 0)
            if depth == 0:
                return self.toks[start:self.k - 1]

    def bracketed_script(self) -> list[Tok]:
        """A script after ``^``: a braced group, ``[2]``/``(2)`` as text writes it, or one token."""
        if self.at("[", "("):
            close = {"[": "]", "(": ")"}[self.take().text]
            start = self.k - 1
            while not self.at(close):
                self.take()
            self.take()
            return self.toks[start:self.k]
        return self.group()

    @staticmethod
    def joined(toks: list[Tok]) -> str:
        return "".join(t.text for t in toks)

    # -- statements ---------------------------------------------------------------------
    def statement(self) -> MStatement:
        sides: list[MNode] = []
        relations: list[str] = []
        starts: list[int] = []
        while True:
            starts.append(self.peek().pos if self.peek() is not None else len(self.text))
            if relations and relations[-1] == "in":
                sides.append(self.space())
            else:
                sides.append(self.sum())
            if self.at("="):
                self.take()
                relations.append("=")
            elif self.at(r"\in"):
                self.take()
                relations.append("in")
            elif self.peek() is None:
                break
            else:
                raise FormulaError(f"`{self.peek().text}` cannot be read here in matrix form")
        if not relations:
            raise FormulaError("a step in matrix form is an equation (A = B) or a shape")
        ends = [*starts[1:], len(self.text)]
        texts = tuple(re.sub(r"^\s*(=|\\in|∈)\s*|\s*(=|\\in|∈)\s*$", "",
                             self.text_between(s, e)).strip() for s, e in zip(starts, ends,
                                                                               strict=True))
        return MStatement(tuple(sides), tuple(relations), texts)

    def text_between(self, start: int, end: int) -> str:
        return self.normal[start:end]

    def space(self) -> MSpace:
        t = self.take()
        if t.kind != "space" and t.text not in ("R", r"\mathbb"):
            raise FormulaError("a shape is written ∈ ℝ^{rows×cols}")
        self.take("^")
        inner = self.bracketed_script()
        parts = [p.strip("()[]{} ") for p in re.split(r"\\times|×|x(?=\s*\w)",
                                                       self.joined(inner))]
        if len(parts) != 2 or not all(parts):
            raise FormulaError("a shape is written ∈ ℝ^{rows×cols}")
        return MSpace(parts[0], parts[1])

    # -- expressions -------------------------------------------------------------------
    def sum(self) -> MNode:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"brackets nest more than {MAX_DEPTH} deep")
        terms: list[tuple[int, MNode]] = []
        sign = 1
        if self.at("-", "+"):
            sign = -1 if self.take().text == "-" else 1
        terms.append((sign, self.hadamard()))
        while self.at("+", "-"):
            sign = -1 if self.take().text == "-" else 1
            terms.append((sign, self.hadamard()))
        self.depth -= 1
        if len(terms) == 1 and terms[0][0] == 1:
            return terms[0][1]
        return MSum(tuple(terms))

    def hadamard(self) -> MNode:
        args = [self.product()]
        while self.at(*_ELEMENTWISE):
            self.take()
            args.append(self.product())
        return args[0] if len(args) == 1 else MHadamard(tuple(args))

    def product(self) -> MNode:
        args = [self.postfix()]
        while True:
            if self.at(*_TIMES):
                self.take()
                args.append(self.postfix())
            elif self.at("/"):
                self.take()
                args = [MDivide(_product(args), self.postfix())]
            elif self.starts_atom():
                args.append(self.postfix())
            else:
                break
        return _product(args)

    def starts_atom(self) -> bool:
        t = self.peek()
        if t is None:
            return False
        if t.kind in ("word", "font", "num"):
            return True
        return t.text in ("(", "[") or t.text in (r"\frac", r"\dfrac", r"\tfrac", r"\partial",
                                                  r"\nabla") or \
            (t.kind == "cmd" and t.text not in (*_TIMES, *_ELEMENTWISE, r"\in", r"\partial"))

    def postfix(self) -> MNode:
        node = self.atom()
        while True:
            if self.at("^") and self.transpose_follows():
                self.take("^")
                self.group()
                node = MTranspose(node)
            elif self.at(".") and self.peek(1) is not None and self.peek(1).text == "T":
                self.k += 2  # A.T, as NumPy writes a transpose
                node = MTranspose(node)
            elif self.at(".") and self.peek(1) is not None and self.peek(1).text == "dot":
                self.k += 2  # A.dot(B)
                self.take("(")
                other = self.sum()
                self.take(")")
                node = MProduct((node, other))
            elif self.at("[") and isinstance(node, MName) and self.masks():
                node = self.mask(node)
            else:
                return node

    def transpose_follows(self) -> bool:
        nxt = self.peek(1)
        if nxt is None:
            return False
        if nxt.text == "{":
            inner = []
            j = self.k + 2
            while j < len(self.toks) and self.toks[j].text != "}":
                inner.append(self.toks[j].text)
                j += 1
            return "".join(inner) in _TRANSPOSE
        return nxt.text in _TRANSPOSE

    def atom(self) -> MNode:
        t = self.peek()
        if t is None:
            raise FormulaError("a side of the step is missing")
        if t.text in ("(", "["):
            close = {"(": ")", "[": "]"}[self.take().text]
            inner = self.sum()
            self.take(close)
            return inner
        if t.text == "{":
            self.take()
            inner = self.sum()
            self.take("}")
            return inner
        if t.kind == "num":
            self.take()
            return MNum(t.text)
        if t.text in (r"\frac", r"\dfrac", r"\tfrac"):
            return self.fraction()
        if t.text == r"\partial":
            self.take()
            of = self.name()
            self.take("/")
            self.take(r"\partial")
            return MGrad(of.raw, self.name())
        if t.text == r"\nabla":
            self.take()
            self.take("_")
            wrt = _Parser.sub_name(self, self.group())
            return MGrad(self.name().raw, wrt)
        if t.text == r"\sum":
            return self.example_sum()
        if t.text in (r"\mathbf{1}", r"\boldsymbol{1}", r"\bm{1}"):
            self.take()
            return MOnes()
        return self.named()

    def example_sum(self) -> MExampleSum:
        """Σ_i (or Σ_{i=1}^{m}) of a product whose batch names carry ``_i``."""
        self.take(r"\sum")
        if not self.at("_"):
            raise FormulaError("a sum in matrix form runs over the examples: \\sum_{i} …")
        self.take("_")
        below = self.group()
        if not below or below[0].kind != "word" or len(below[0].text) != 1:
            raise FormulaError("a sum in matrix form runs over the examples: \\sum_{i} …")
        start = 1
        if len(below) > 1:  # Σ_{i=1}: the first example is written
            if len(below) != 3 or below[1].text != "=" or not below[2].text.isdigit() \
                    or int(below[2].text) < 1:
                raise FormulaError("a sum in matrix form runs over the examples: "
                                   "\\sum_{i=1}^{m} …")
            start = int(below[2].text)
        end = None
        if self.at("^"):
            self.take("^")
            above = self.group()
            if len(above) != 1:
                raise FormulaError("a sum in matrix form runs over the examples: "
                                   "\\sum_{i=1}^{m} …")
            end = above[0].text
        self.indices.append(below[0].text)
        body = self.product()
        self.indices.pop()
        return MExampleSum(below[0].text, body, start, end)

    def sub_name(self, toks: list[Tok]) -> MName:
        inner = _Parser("", frozenset())
        inner.toks, inner.normal, inner.text = toks, self.normal, self.text
        inner.indices = self.indices
        found = inner.name()
        if inner.peek() is not None:
            raise FormulaError("∇ is written with one name below it: \\nabla_{a^{L}} C")
        return found

    def fraction(self) -> MNode:
        self.take()
        top, bottom = self.group(), self.group()
        if top and top[0].text == r"\partial" and bottom and bottom[0].text == r"\partial":
            return MGrad(self.sub_name(top[1:]).raw, self.sub_name(bottom[1:]))
        return MDivide(self.sub_sum(top), self.sub_sum(bottom))

    def sub_sum(self, toks: list[Tok]) -> MNode:
        inner = _Parser("", self.functions)
        inner.toks, inner.normal, inner.text = toks, self.normal, self.text
        inner.indices = self.indices
        node = inner.sum()
        if inner.peek() is not None:
            raise FormulaError(f"`{inner.peek().text}` cannot be read here in matrix form")
        return node

    def name(self) -> MName:
        """A name and its scripts (a layer superscript; a subscript is part of the name)."""
        t = self.take()
        if t.kind not in ("word", "font", "cmd"):
            raise FormulaError(f"`{t.text}` is not a name")
        raw, head, layer, example = t.text, t.text, None, None
        while self.at("^", "_") and not (self.at("^") and self.transpose_follows()):
            mark = self.take().text
            script = self.bracketed_script() if mark == "^" else self.group()
            text = self.joined(script)
            raw += f"{mark}{{{text}}}"
            if mark == "_" and text in self.indices:
                example = text
                continue
            if mark == "_":
                head += f"_{{{text}}}"
                continue
            if text in _PRIME:
                raise FormulaError(f"`{head}'`: a prime belongs on a function, σ'(z)")
            layer = _layer(text)
            if layer is None:
                raise FormulaError(f"`{text}` is not a layer (a number, l, l+1, L)")
        return MName(head, layer, raw, t.pos, example)

    def slope(self, j: int) -> tuple[int, str]:
        """The subscript group that starts ``j`` tokens ahead, as text, and the offset after."""
        first = self.peek(j)
        if first is None:
            raise FormulaError("a slope is missing after `_`")
        if first.text != "{":
            return j + 1, first.text
        depth, k, parts = 1, j + 1, []
        while True:
            tok = self.peek(k)
            if tok is None:
                raise FormulaError("the slope's `{` is never closed")
            depth += {"{": 1, "}": -1}.get(tok.text, 0)
            if depth == 0:
                return k + 1, "".join(parts)
            parts.append(tok.text)
            k += 1

    def named(self) -> MNode:
        t = self.peek()
        assert t is not None
        if t.text == "np" and self.peek(1) is not None and self.peek(1).text == ".":
            return self.numpy_call()
        word = _plain_word(t.text)
        primes = 0
        j = 1
        param = None
        if word in ("lrelu", "leaky_relu") and self.peek(1) is not None and \
                self.peek(1).text == "_":  # lrelu_{0.2}(z): the slope in the subscript
            j, param = self.slope(2)
        while True:  # σ'(z), f^{\prime}(z)
            nxt = self.peek(j)
            if nxt is not None and nxt.text == "'":
                primes, j = primes + 1, j + 1
            elif nxt is not None and nxt.text == "^" and self.peek(j + 1) is not None and \
                    self.peek(j + 1).text == r"\prime":
                primes, j = primes + 1, j + 2
            elif nxt is not None and nxt.text == "^" and self.peek(j + 1) is not None and \
                    self.peek(j + 1).text == "{" and self.peek(j + 2) is not None and \
                    self.peek(j + 2).text == r"\prime":
                primes, j = primes + 1, j + 4
            else:
                break
        after = self.peek(j)
        if word in self.functions and after is not None and after.text in ("(", "["):
            self.k += j
            close = {"(": ")", "[": "]"}[self.take().text]
            arg = self.sum()
            self.take(close)
            return MCall(word, primes, arg, param)
        if primes:
            raise FormulaError(f"`{t.text}'` is read as a function, but no argument follows")
        return self.name()


def _plain_word(text: str) -> str:
    m = _FONT.fullmatch(text)
    if m:
        return m.group(2).strip()
    return text.lstrip("\\")


def _product(args: list[MNode]) -> MNode:
    return args[0] if len(args) == 1 else MProduct(tuple(args))


def parse_matrix(text: str, functions: frozenset[str] = frozenset()) -> MStatement:
    """A matrix-form step as a tree; a :class:`FormulaError` when it cannot be read.

    >>> s = parse_matrix(r"\\delta^{l} = ((w^{l+1})^T \\delta^{l+1}) \\odot \\sigma'(z^l)")
    >>> type(s.sides[1]).__name__, s.relations
    ('MHadamard', ('=',))
    """
    normal = text
    for mark, latex in _UNICODE.items():
        normal = normal.replace(mark, latex)
    normal = _DROP.sub(" ", normal)
    parser = _Parser(normal, functions)
    parser.normal = normal
    return parser.statement()
