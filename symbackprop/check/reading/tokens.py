"""Split formula text (plain math or LaTeX) into tokens, within fixed size bounds.

Characters, numbers and LaTeX commands are read here, so the parser only sees names,
numbers, functions, ∂ markers, sums, indicators, ``frac``/``sqrt``, relations and operators.
A name is read with the sub- and superscripts that belong to it
(:mod:`symbackprop.check.reading.written_names`). Every problem is a located
:class:`FormulaError`.

>>> [t.kind for t in tokenize(r"\\sigma(w_{5}) \\cdot 2")]
['func', '(', 'name', ')', '*', 'num']
>>> [t.text for t in tokenize(r"x_{1}^{2}")]
['x_{1}', '^', '{', '2', '}']
"""

from __future__ import annotations

import re

from ...errors import did_you_mean
from ...numeric.worked import MAX_PRINTED_EXPONENT
from .vocabulary import (
    ACCENT_CMDS,
    CASE_WORDS,
    FRAC_CMDS,
    FUNC_CMDS,
    FUNCTION_WORDS,
    GREEK,
    HATTED,
    INDICATOR_ARGS,
    INDICATOR_CHARS,
    KNOWN_CMDS,
    MUL_CMDS,
    OPERATOR_CHARS,
    PARAMETRIC_FUNCTIONS,
    RELATION_CHARS,
    RELATION_CMDS,
    SIZING,
    SPACING,
    SUM_CHARS,
    SYNTAXES,
    TEXT_CMDS,
    UNICODE_GREEK,
    UNSUPPORTED,
)
from .written_names import (
    LATEX_COMMAND,
    Known,
    NameScanner,
    Token,
    formula_error,
)

MAX_LENGTH = 20_000
MAX_TOKENS = 5_000
MAX_DEPTH = 60
MAX_EXPONENT = 64
MAX_DECIMAL_EXPONENT = MAX_PRINTED_EXPONENT  # 4.3 \times 10^{-663}: as derive prints it
MAX_NUMBER_CHARS = 30
MAX_NUMBER_DIGITS = 120  # digits of a constant after folding, e.g. 10^64
MAX_EXP_NESTING = 3

_NUMBER = re.compile(r"[0-9]*\.?[0-9]*")
_SCIENTIFIC = re.compile(r"[eE]([+-]?)([0-9]+)")
"""The exponent of ``1.2717e-285``: digits follow the e at once (``2e``, ``2 e`` and
``2e^{x}`` are products with Euler's number e)."""
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ENVIRONMENT = re.compile(r"\s*\{\s*([A-Za-z*]+)\s*\}")
_VULGAR = {"½": "12", "⅓": "13", "¼": "14", "¾": "34"}
_SUPERSCRIPT_DIGITS = {"²": "2", "³": "3"}
_DELTA_QUOTIENT = re.compile(r"δ[A-Za-z(][^=]*?/\s*δ[A-Za-z]")
"""δA/δB with δ touching both names: a quotient of differentials, δ written for ∂."""


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"  # ASCII only: "²".isdigit() is True but it is no number here


class _Scanner(NameScanner):
    """Turns formula text into tokens; LaTeX commands are read here, not in the parser;
    names with their scripts by :class:`NameScanner`."""

    def run(self) -> list[Token]:
        while self.i < len(self.s):
            self._one()
            if len(self.tokens) > MAX_TOKENS:
                raise formula_error(f"the formula has more than {MAX_TOKENS} tokens")
        return self.tokens

    def _one(self) -> None:
        s, i = self.s, self.i
        c = s[i]
        if c.isspace() or c == "~":
            self.i += 1
        elif c == "\\":
            self._command()
        elif c.isascii() and c.isalpha():
            word = self._letters(i)
            if word == "sqrt" and self.s.startswith("(", self._skip_space(self.i)) and \
                    not (self.known is not None and self.known(word)):
                self._emit("sqrt", word, i)  # sqrt(σ² + ε), as the text form prints it
            else:
                self._name(i, word)
        elif c == "δ" and self.s[i + 1:i + 2] and ((self.s[i + 1].isascii() and
                                                   self.s[i + 1].isalpha()) or
                                                   self.s[i + 1] == "(") and \
                _DELTA_QUOTIENT.search(self.s):
            self.i += 1  # δE_total/δw5: δ written for ∂, as in plain-text notes
            self._emit("partial", "\\partial", i)
        elif c in _VULGAR:  # ½ is (1/2)
            self.i += 1
            for kind, text in (("(", "("), ("num", _VULGAR[c][0]), ("/", "/"),
                               ("num", _VULGAR[c][1]), (")", ")")):
                self._emit(kind, text, i)
        elif c in _SUPERSCRIPT_DIGITS:  # (t - a)² is (t - a)^2
            self.i += 1
            self._emit("^", "^", i)
            self._emit("num", _SUPERSCRIPT_DIGITS[c], i)
        elif c in UNICODE_GREEK:
            self.i += 1
            self._name(i, "\\" + UNICODE_GREEK[c])
        elif c in HATTED:  # ŷ is \hat{y}
            self.i += 1
            self._name(i, f"\\hat{{{HATTED[c]}}}")
        elif c == "σ":
            self.i += 1
            self._function_or_name(i, "sigma")
        elif c in SUM_CHARS:
            self.i += 1
            self._sum(i)
        elif c in INDICATOR_CHARS:
            self.i += 1
            self._indicator(i)
        elif _is_digit(c) or (c == "." and i + 1 < len(s) and _is_digit(s[i + 1])):
            self._number(i)
        elif c == "*" and s.startswith("**", i):
            self.i += 2
            self._emit("^", "**", i)
        elif (c == ":" and s.startswith(":=", i)) or (c == "<" and s.startswith("<-", i)):
            self.i += 2
            self._emit("rel", "<-", i)
        elif c in "<>!" and s.startswith("=", i + 1):
            self.i += 2
            self._emit("rel", {"<": "<=", ">": ">=", "!": "!="}[c], i)
        elif c in RELATION_CHARS:
            self.i += 1
            self._emit("rel", RELATION_CHARS[c], i)
        elif c == "{" and self._skip_space(i + 1) < len(s) and s[self._skip_space(i + 1)] == "}":
            self.i = self._skip_space(i + 1) + 1  # an empty group {} (as in `&\quad {} +`)
        elif c in OPERATOR_CHARS:
            kind = OPERATOR_CHARS[c]
            if self.syntax == "plain" and kind in ("{", "}"):
                raise formula_error("braces are LaTeX; use parentheses or --syntax latex", i)
            self.i += 1
            self._emit(kind, c, i)
        else:
            shown = c if c.isprintable() else repr(c)
            raise formula_error(f"unexpected character `{shown}`", i,
                                hint="formulas use names, numbers, + - * / ^ and parentheses")

    def _number(self, start: int) -> None:
        m = _NUMBER.match(self.s, start)
        assert m is not None  # the pattern matches the empty string
        text = m.group(0)
        power = _SCIENTIFIC.match(self.s, m.end()) if text != "." else None
        end = power.end() if power else m.end()
        if end - start > MAX_NUMBER_CHARS:
            raise formula_error(f"a number longer than {MAX_NUMBER_CHARS} characters", start)
        self.i = end
        if power is None:
            self._emit("num", text, start)
            return
        self._scientific(start, text, power)

    def _scientific(self, start: int, mantissa: str, power: re.Match[str]) -> None:
        """``1.2717e-285`` is ``(1.2717 · 10^(-285))``, as LaTeX's ``1.2717 \\times
        10^{-285}``: the mantissa rounded, the power of ten exact (``1e-07`` is 10^{-7})."""
        sign, digits = power.group(1), power.group(2)
        if int(digits) > MAX_DECIMAL_EXPONENT:
            raise formula_error(
                f"the exponent of {self.s[start:power.end()]} is beyond "
                f"±{MAX_DECIMAL_EXPONENT}", start,
                hint="numbers are read from 1e-1000 to 1e1000 in size")
        e, at = power.start(), power.start(2)
        self._emit("(", "(", start)
        self._emit("num", mantissa, start)
        self._emit("*", "*", e)
        self._emit("num", "10", e)
        self._emit("^", "^", e)
        self._emit("(", "(", e)
        if sign == "-":
            self._emit("-", "-", e)
        self._emit("num", digits, at)
        self._emit(")", ")", at)
        self._emit(")", ")", at)

    def _sum(self, start: int) -> None:
        sub, sup = self._operator_scripts()
        self._emit("sum", "\\sum", start, sub=sub, sup=sup)

    def _indicator(self, start: int) -> None:
        sub, _ = self._operator_scripts()
        self._emit("indicator", "1", start, sub=sub)

    # -- commands ------------------------------------------------------------------
    def _command(self) -> None:
        start = self.i
        if self.syntax == "plain":
            raise formula_error("a LaTeX command in plain syntax", start,
                                hint="use --syntax latex")
        m = LATEX_COMMAND.match(self.s, start)
        if m is None:
            raise formula_error("a lone backslash", start)
        cmd = m.group(1)
        self.i = m.end()
        if cmd in SPACING:
            return
        if cmd in SIZING:
            self._skip_sizing_dot()
        elif cmd in ("{", "}"):
            self._emit("(" if cmd == "{" else ")", cmd, start)
        elif cmd == "\\":
            self._emit("rowsep", cmd, start)
        elif cmd == "|":
            self._emit("|", cmd, start)
        elif cmd in MUL_CMDS:
            self._emit("*", cmd, start)
        elif cmd == "div":
            self._emit("/", cmd, start)
        elif cmd in RELATION_CMDS:
            self._emit("rel", RELATION_CMDS[cmd], start)
        elif cmd in FRAC_CMDS:
            self._emit("frac", cmd, start)
        elif cmd == "sum":
            self._sum(start)
        elif cmd == "partial":
            sub, _ = self._operator_scripts()
            self._emit("partial", cmd, start, sub=sub)
        elif cmd == "sqrt":
            self._emit(cmd, cmd, start)
        elif cmd in ("begin", "end"):
            self._environment(start, cmd)
        elif cmd == "tag":
            j = self._skip_space(self.i)  # an equation label: ignored
            if j >= len(self.s) or self.s[j] != "{":
                raise formula_error("`\\tag` needs a braced label", start)
            self.i = j + len(self._group(j))
        elif cmd in TEXT_CMDS:
            self._text_command(start, cmd)
        elif cmd in ACCENT_CMDS:
            self._accent(start, cmd)
        elif cmd in FUNC_CMDS:
            self._function_or_name(start, cmd)
        elif cmd in GREEK:
            self._name(start, "\\" + cmd)
        elif cmd in UNSUPPORTED:
            raise formula_error(f"`\\{cmd}`: {UNSUPPORTED[cmd]}", start)
        else:
            raise formula_error(f"unknown LaTeX command `\\{cmd}`", start,
                                hint=did_you_mean(cmd, KNOWN_CMDS))

    def _environment(self, start: int, cmd: str) -> None:
        m = _ENVIRONMENT.match(self.s, self.i)
        if m is None or m.group(1) != "cases":
            name = m.group(1) if m else "?"
            raise formula_error(f"`\\{cmd}{{{name}}}` is not supported inside a formula", start,
                                hint="give a derivation (align, one step per line) with "
                                     "--derivation, or only the cases environment")
        self.i = m.end()
        self._emit("cases" if cmd == "begin" else "endcases", cmd, start)

    def _skip_sizing_dot(self) -> None:
        """``\\left.`` and ``\\right|`` are invisible delimiters."""
        j = self._skip_space(self.i)
        if j < len(self.s) and self.s[j] in ".|":
            self.i = j + 1

    def _braced(self, start: int, cmd: str) -> str:
        j = self._skip_space(self.i)
        if j < len(self.s) and self.s[j] != "{" and cmd in ("mathbb", "mathbf", "mathds") and \
                self.s[j] in INDICATOR_ARGS:
            self.i = j + 1
            return self.s[j]
        if j >= len(self.s) or self.s[j] != "{":
            raise formula_error(f"`\\{cmd}` needs a braced argument", start)
        group = self._group(j)
        self.i = j + len(group)
        return group[1:-1].strip()

    def _text_command(self, start: int, cmd: str) -> None:
        inner = self._braced(start, cmd)
        if cmd in ("mathbb", "mathbf", "mathds", "boldsymbol", "bm") and inner in INDICATOR_ARGS:
            self._indicator(start)
            return
        if cmd in ("text", "mbox", "textrm", "textnormal", "textit") and \
                inner.lower().rstrip(",:") in CASE_WORDS:
            self._emit("word", inner.lower().rstrip(",:"), start)
            return
        if cmd in ("mathbf", "textbf", "boldsymbol", "bm") and inner[1:] in GREEK and \
                inner.startswith("\\"):
            return self._name(start, inner)  # \boldsymbol{\theta}: θ, as \mathbf{W} is W
        if not _PLAIN_WORD.fullmatch(inner):
            raise formula_error(f"`\\{cmd}{{{inner[:20]}}}` is not a name", start)
        if inner in FUNCTION_WORDS and (self.known is None or not self.known(inner)):
            self._function_or_name(start, inner)
        else:
            self._name(start, inner)

    def _accent(self, start: int, cmd: str) -> None:
        """``\\hat{y}`` is the head of a name (``\\hat{y}_{1}``); so is ``\\hat y``."""
        j = self._skip_space(self.i)
        m = re.compile(r"[A-Za-z]|\\[A-Za-z]+").match(self.s, j)
        if j < len(self.s) and self.s[j] != "{" and m is not None:
            self.i = m.end()
            inner = m.group(0)
        else:
            inner = self._braced(start, cmd)
        if not re.fullmatch(r"\\?[A-Za-z]+", inner):
            raise formula_error(f"`\\{cmd}{{{inner[:20]}}}` is not a name", start)
        self._name(start, f"\\{cmd}{{{inner}}}")

    def _function_or_name(self, start: int, word: str) -> None:
        """``\\sigma`` with a subscript is a name (σ_1); otherwise it is the function.

        A function with a parameter takes its subscript as the parameter (lrelu_{0.1}).
        """
        name = FUNCTION_WORDS.get(word, word)  # \sinh and \cosh are LaTeX commands only
        if word == "sigma" and self._names_with_superscript("\\sigma"):
            self._name(start, "\\sigma")  # σ² of a layer_norm layer: a name the spec defines
            return
        j = self._skip_space(self.i)
        if j < len(self.s) and self.s[j] == "_" and name not in PARAMETRIC_FUNCTIONS:
            self._name(start, "\\" + word if word in FUNC_CMDS else word)
            return
        sub = None
        if name in PARAMETRIC_FUNCTIONS:
            sub, _ = self._operator_scripts()
        self._emit("func", name, start, self._primes(), sub=sub)


    def _names_with_superscript(self, head: str) -> bool:
        """Whether ``head`` with the scripts that follow it, up to a superscript, is a name
        of the network (``\\sigma^{2}``, ``\\sigma_{}^2``: the variance σ² of a layer_norm
        layer)."""
        if self.known is None:
            return False
        pieces = self._scripts(self.i)
        return any(self.known(head + "".join(p for p, _ in pieces[:k]))
                   for k in range(1, len(pieces) + 1)
                   if any(p.startswith("^") for p, _ in pieces[:k]))


def tokenize(text: str, syntax: str = "auto", known: Known | None = None) -> list[Token]:
    """Split ``text`` into tokens (after the length check).

    ``known`` says whether a name (with its scripts) is one of the network's names; without
    it a trailing ``^{2}`` after a name is read as a power.

    >>> [t.text for t in tokenize("out_h1*(1-out_h1)", "plain")]
    ['out_h1', '*', '(', '1', '-', 'out_h1', ')']
    """
    if len(text) > MAX_LENGTH:
        raise formula_error(
            f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if syntax not in SYNTAXES:
        raise formula_error(f"unknown syntax `{syntax}`", hint=did_you_mean(syntax, SYNTAXES))
    # ∂{L}^{(i)}: a braced name after ∂ takes the scripts that follow the braces (the
    # padding keeps character positions)
    text = _BRACED_AFTER_PARTIAL.sub(lambda m: f"{m.group(1)} {m.group(2)} ", text)
    text = _BRACED_EXAMPLE.sub(lambda m: f" {m.group(1)} ", text)  # Σ_i {L}^{(i)}
    # ∂{out_{o1}}: braces around the name after ∂ (kept in place as spaces)
    text = _BRACED_PARTIAL_NAME.sub(lambda m: f"{m.group(1)} {m.group(2)}{m.group(3)} ", text)
    # {w^{[2]}_{1,1}}^{+}: a name with a superscript of its own, braced to take the update's
    text = _BRACED_UPDATE.sub(lambda m: f" {m.group(1)} ^{{+}}", text)
    # \mathit{W2_{11}}, \mathbf{w_4}: a name set in a font for emphasis is the name
    text = _FONT_NAME.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " ", text)
    # max(0, z) is relu(z)
    text = _MAX_ZERO.sub(lambda m: "relu" + m.group(2) + " " * (len(m.group(0)) - 4 -
                                                               len(m.group(2)))
                         if _one_comma(text, m.end()) else m.group(0), text)
    return _Scanner(text, syntax, known).run()


def comma_follows(tokens: list[Token], k: int) -> bool:
    """Whether the bracket opening at ``tokens[k]`` holds a comma at its own level: as in
    ``L(a, y)``, it lists the arguments of a function (no value holds a comma)."""
    depth = 0
    for tok in tokens[k:]:
        depth += (tok.kind in ("(", "[", "{")) - (tok.kind in (")", "]", "}"))
        if depth == 0 or (depth == 1 and tok.kind == ","):
            return depth == 1
    return False


# a loss name in braces: L, or one with a subscript as E_{\mathrm{total}} or E_{o1}
_LOSS_NAME = (r"(?:[A-Za-z]{1,3}|\\mathrm\{[A-Za-z]+\})"
              r"(?:_(?:[A-Za-z0-9]|\{(?:[^{}]|\{[^{}]*\})*\}))?")
_BRACED_AFTER_PARTIAL = re.compile(rf"(\\partial\s*)\{{\s*({_LOSS_NAME})\s*\}}(?=[\^_])")
_BRACED_UPDATE = re.compile(r"\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})+)\}\^\{\+\}")
_BRACED_EXAMPLE = re.compile(rf"(?<![A-Za-z}}\]\\])\{{\s*({_LOSS_NAME})\s*\}}(?=\^\s*\{{\s*\()")
_FONT_NAME = re.compile(r"(\\(?:mathit|mathbf|mathrm|boldsymbol|bm|mathsf|textit)\s*\{)"
                        r"\s*([A-Za-z][A-Za-z0-9]*"
                        r"(?:[_^](?:[A-Za-z0-9]|\{[A-Za-z0-9,\[\]() ]*\}))+)"
                        r"\s*\}")
def _one_comma(text: str, start: int) -> bool:
    """Whether the bracket whose first comma ends at ``start`` holds no other comma at its
    level: max(0, z) is relu(z); max(0, 0, 0.93, 0) is a pooling window's maximum."""
    depth = 0
    for ch in text[start:]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return True
            depth -= 1
        elif ch == "," and depth == 0:
            return False
    return True


_MAX_ZERO = re.compile(r"(?<![A-Za-z])(\\?max\s*)(\(|\\\{|\\left\(|\\left\\\{)\s*0\s*,")
_BRACED_PARTIAL_NAME = re.compile(r"(\\partial\s*)\{(\s*)([A-Za-z][A-Za-z0-9]*"
                                  r"(?:[_^](?:[A-Za-z0-9]|\{[A-Za-z0-9,]*\}))*\s*)\}")
