"""Split formula text (plain math or LaTeX) into tokens, within fixed size bounds.

LaTeX commands are read here, so the parser only sees names, numbers, functions, ∂ markers,
``frac``/``sqrt`` and operators. Every problem is a located :class:`FormulaError`.

>>> [t.kind for t in tokenize(r"\\sigma(w_{5}) \\cdot 2")]
['func', '(', 'name', ')', '*', 'num']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import FormulaError, did_you_mean

MAX_LENGTH = 20_000
MAX_TOKENS = 5_000
MAX_DEPTH = 60
MAX_EXPONENT = 64
MAX_NUMBER_CHARS = 30
MAX_NUMBER_DIGITS = 120  # digits of a constant after folding, e.g. 10^64
MAX_NAME_CHARS = 200
MAX_EXP_NESTING = 3
SYNTAXES = ("auto", "latex", "plain")

_SPACING = {",", ";", "!", ":", " ", "quad", "qquad", "displaystyle", "textstyle", "limits"}
_SIZING = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "biggl", "biggr", "Biggl", "Biggr", "middle"}
_MUL_CMDS = {"cdot", "times", "ast", "cdotp"}
_FRAC_CMDS = {"frac", "dfrac", "tfrac", "cfrac"}
_TEXT_CMDS = {"mathrm", "mathit", "text", "textit", "textrm", "mathbf", "boldsymbol", "bm",
              "mathsf", "mathcal", "operatorname"}
_FUNC_CMDS = {"sigma", "exp", "log", "ln", "tanh"}
_UNSUPPORTED = {"sum", "prod", "int", "lim", "max", "min", "sin", "cos", "nabla", "to",
                "rightarrow", "leftarrow", "in", "le", "ge", "leq", "geq", "neq", "approx"}
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
          "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "tau",
          "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
          "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell")
_UNICODE_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "ρ": "rho", "τ": "tau", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Δ": "Delta",
}
_OPERATOR_CHARS = {
    "+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "·": "*", "×": "*", "⋅": "*",
    "∙": "*", "/": "/", "÷": "/", "^": "^", "(": "(", ")": ")", "[": "[", "]": "]",
    "{": "{", "}": "}", "=": "=", "∂": "partial", "√": "sqrt",
}
_KNOWN_CMDS = sorted({*_SPACING, *_SIZING, *_MUL_CMDS, *_FRAC_CMDS, *_TEXT_CMDS, *_FUNC_CMDS,
                      *_GREEK, "partial", "sqrt", "div", "prime"} - {" "})

FUNCTION_WORDS = {
    "sigma": "sigmoid", "sigmoid": "sigmoid", "logistic": "sigmoid", "exp": "exp",
    "log": "log", "ln": "log", "tanh": "tanh", "relu": "relu", "ReLU": "relu",
    "softplus": "softplus", "step": "step",
}
"""Every spelling of a known function, mapped to its canonical name."""

_NUMBER = re.compile(r"[0-9]*\.?[0-9]*")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")
_LATEX_WORD = re.compile(r"\\[A-Za-z]+")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAME_SUP = re.compile(r"\{\s*(\[[^{}]*\]|\([^{}]*\)|\\prime|'+|\*)\s*\}|\\prime")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is num, name, func, partial, frac, sqrt or an operator."""

    kind: str
    text: str
    pos: int
    primes: int = 0

    @property
    def written(self) -> str:
        """The text with its primes, as the name table looks it up (``y'``)."""
        return self.text + "'" * self.primes


def formula_error(message: str, pos: int | None = None, hint: str | None = None
                  ) -> FormulaError:
    """A :class:`FormulaError` naming the (1-based) character where the problem is."""
    where = f" at character {pos + 1}" if pos is not None else ""
    return FormulaError(message + where, hint=hint)


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"  # ASCII only: "²".isdigit() is True but it is no number here


class _Scanner:
    """Turns formula text into tokens; LaTeX commands are read here, not in the parser."""

    def __init__(self, text: str, syntax: str) -> None:
        self.s = text
        self.i = 0
        self.syntax = syntax
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        while self.i < len(self.s):
            self._one()
            if len(self.tokens) > MAX_TOKENS:
                raise formula_error(f"the formula has more than {MAX_TOKENS} tokens")
        return self.tokens

    def _emit(self, kind: str, text: str, pos: int, primes: int = 0) -> None:
        self.tokens.append(Token(kind, text, pos, primes))

    def _one(self) -> None:
        s, i = self.s, self.i
        c = s[i]
        if c.isspace() or c == "~":
            self.i += 1
        elif c == "\\":
            self._command()
        elif c.isascii() and c.isalpha():
            self._name(i, self._letters(i))
        elif c in _UNICODE_GREEK:
            self.i += 1
            self._name(i, "\\" + _UNICODE_GREEK[c])
        elif c == "σ":
            self.i += 1
            self._function_or_name(i, "sigma")
        elif _is_digit(c) or (c == "." and i + 1 < len(s) and _is_digit(s[i + 1])):
            self._number(i)
        elif c == "*" and s.startswith("**", i):
            self.i += 2
            self._emit("^", "**", i)
        elif c in _OPERATOR_CHARS:
            kind = _OPERATOR_CHARS[c]
            if self.syntax == "plain" and kind in ("{", "}"):
                raise formula_error("braces are LaTeX; use parentheses or --syntax latex", i)
            self.i += 1
            self._emit(kind, c, i)
        else:
            shown = c if c.isprintable() else repr(c)
            raise formula_error(f"unexpected character `{shown}`", i,
                                hint="formulas use names, numbers, + - * / ^ and parentheses")

    def _letters(self, start: int) -> str:
        j = start
        while j < len(self.s) and self.s[j].isascii() and self.s[j].isalnum():
            j += 1
        self.i = j
        return self.s[start:j]

    def _primes(self) -> int:
        """Consume the primes after a name or function (``f''``) and count them."""
        primes = 0
        while self.i < len(self.s) and self.s[self.i] == "'":
            primes += 1
            self.i += 1
        return primes

    def _skip_space(self, j: int) -> int:
        while j < len(self.s) and self.s[j].isspace():
            j += 1
        return j

    def _number(self, start: int) -> None:
        m = _NUMBER.match(self.s, start)
        assert m is not None  # the pattern matches the empty string
        text = m.group(0)
        if len(text) > MAX_NUMBER_CHARS:
            raise formula_error(f"a number longer than {MAX_NUMBER_CHARS} characters", start)
        self.i = m.end()
        self._emit("num", text, start)

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
        raise formula_error("an unclosed `{` (or a name that is too long)", start)

    def _name(self, start: int, head: str) -> None:
        """A name: its head and any subscripts, bracketed superscripts and primes."""
        raw = head
        while self.i < len(self.s) and len(raw) <= MAX_NAME_CHARS:
            c = self.s[self.i]
            nxt = self.s[self.i + 1] if self.i + 1 < len(self.s) else ""
            if c == "_" and nxt == "{":
                if self.syntax == "plain":
                    raise formula_error("braces are LaTeX; write out_h1 or use --syntax latex",
                                        self.i)
                group = self._group(self.i + 1)
                raw += "_" + group
                self.i += 1 + len(group)
            elif c == "_" and nxt.isascii() and nxt.isalnum():
                self.i += 1
                raw += "_" + self._letters(self.i)
            elif c == "_" and nxt == "\\":
                self.i += 1
                m = _LATEX_WORD.match(self.s, self.i)
                if m is None:
                    break
                raw += "_" + m.group(0)
                self.i = m.end()
            elif c == "^" and (sup := self._name_superscript()):
                raw += sup
            else:
                break
        if len(raw) > MAX_NAME_CHARS:
            raise formula_error("a name that is too long", start)
        self._emit("name", raw, start, self._primes())

    def _name_superscript(self) -> str | None:
        """Consume ``^{[1]}``, ``^{(2)}`` or ``^{\\prime}`` as part of a name."""
        rest = self.s[self.i + 1:self.i + 1 + MAX_NAME_CHARS]
        m = _NAME_SUP.match(rest)
        if m is None:
            return None
        self.i += 1 + m.end()
        return "^" + m.group(0)

    def _command(self) -> None:
        start = self.i
        if self.syntax == "plain":
            raise formula_error("a LaTeX command in plain syntax", start,
                                hint="use --syntax latex")
        m = _COMMAND.match(self.s, start)
        if m is None:
            raise formula_error("a lone backslash", start)
        cmd = m.group(1)
        self.i = m.end()
        if cmd in _SPACING:
            return
        if cmd in _SIZING:
            self._skip_sizing_dot()
        elif cmd in ("{", "}"):
            self._emit("(" if cmd == "{" else ")", cmd, start)
        elif cmd in _MUL_CMDS:
            self._emit("*", cmd, start)
        elif cmd == "div":
            self._emit("/", cmd, start)
        elif cmd in _FRAC_CMDS:
            self._emit("frac", cmd, start)
        elif cmd in ("partial", "sqrt"):
            self._emit(cmd, cmd, start)
        elif cmd in _TEXT_CMDS:
            self._text_command(start, cmd)
        elif cmd in _FUNC_CMDS:
            self._function_or_name(start, cmd)
        elif cmd in _GREEK:
            self._name(start, "\\" + cmd)
        elif cmd in _UNSUPPORTED:
            raise formula_error(f"`\\{cmd}` is not supported in a gradient formula", start,
                                hint="write the terms out one by one")
        else:
            raise formula_error(f"unknown LaTeX command `\\{cmd}`", start,
                                hint=did_you_mean(cmd, _KNOWN_CMDS))

    def _skip_sizing_dot(self) -> None:
        """``\\left.`` and ``\\right|`` are invisible delimiters."""
        j = self._skip_space(self.i)
        if j < len(self.s) and self.s[j] in ".|":
            self.i = j + 1

    def _text_command(self, start: int, cmd: str) -> None:
        j = self._skip_space(self.i)
        if j >= len(self.s) or self.s[j] != "{":
            raise formula_error(f"`\\{cmd}` needs a braced argument", start)
        group = self._group(j)
        inner = group[1:-1].strip()
        self.i = j + len(group)
        if not _PLAIN_WORD.fullmatch(inner):
            raise formula_error(f"`\\{cmd}{{{inner[:20]}}}` is not a name", start)
        if inner in FUNCTION_WORDS:
            self._function_or_name(start, inner)
        else:
            self._name(start, inner)

    def _function_or_name(self, start: int, word: str) -> None:
        """``\\sigma`` with a subscript is a name (σ_1); otherwise it is the function."""
        if self.i < len(self.s) and self.s[self.i] == "_":
            self._name(start, "\\" + word)
            return
        self._emit("func", FUNCTION_WORDS[word], start, self._primes())


def tokenize(text: str, syntax: str = "auto") -> list[Token]:
    """Split ``text`` into tokens (after the length check).

    >>> [t.text for t in tokenize("out_h1*(1-out_h1)", "plain")]
    ['out_h1', '*', '(', '1', '-', 'out_h1', ')']
    """
    if len(text) > MAX_LENGTH:
        raise formula_error(
            f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if syntax not in SYNTAXES:
        raise formula_error(f"unknown syntax `{syntax}`", hint=did_you_mean(syntax, SYNTAXES))
    return _Scanner(text, syntax).run()
