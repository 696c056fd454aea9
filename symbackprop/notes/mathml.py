"""The notes' TeX as MathML Core, the maths that browsers render without a script.

The notes hold their formulas as TeX written by the tool's own printers, plus the vetted math
a spec may supply (:mod:`symbackprop.spec.tex`). This module reads that subset (scripts,
fractions, ``\\left…\\right``, ``\\text``, ``\\operatorname``, fonts and accents, Greek,
``cases`` and ``aligned``) and writes MathML Core: only elements and attributes that
Chromium and Firefox render (no ``mfenced``, no ``mathvariant`` other than ``normal``; bold
and double-struck letters as Unicode's mathematical alphanumerics). Each ``math`` element
carries its TeX as ``<annotation encoding="application/x-tex">``. Anything outside the subset
becomes an ``merror`` holding the TeX as text, so nothing is dropped silently. Every piece of
text is escaped for HTML.

SymPy's own MathML printer prints expressions, while the notes hold printed TeX in the spec's
notation (``\\mathrm{out}_{h1}``, ``W^{(1)}``); reading that TeX keeps one source of truth
for the notation across the PDF, Markdown, slides and the web page.

>>> math_inline(r"\\frac{\\partial E}{\\partial w_{5}}")[:30]
'<math><semantics><mfrac><mrow>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_DEPTH = 60  # groups nested deeper than this are not read (the printers nest far less)
TEX = "application/x-tex"

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "varkappa": "ϰ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}
_UPPER_GREEK = {"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
                "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω"}
# symbols set upright (mathvariant normal) or as they come (italic-free characters)
IDENTIFIERS = {"ell": "ℓ", "partial": "∂", "infty": "∞", "imath": "ı", "jmath": "ȷ",
                "hbar": "ℏ"}
UPRIGHT = {"nabla": "∇", "top": "⊤", **_UPPER_GREEK}
OPERATORS = {
    "cdot": "⋅", "times": "×", "odot": "⊙", "in": "∈", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "to": "→", "mid": "∣", "ast": "∗",
    "star": "⋆", "circ": "∘", "dagger": "†", "pm": "±", "ldots": "…", "dots": "…", "cdots": "⋯",
    "vdots": "⋮", "prime": "′", "setminus": "∖", "cup": "∪", "cap": "∩", "lvert": "|",
    "rvert": "|", "langle": "⟨", "rangle": "⟩",
}
_LARGE = {"sum": "∑", "prod": "∏"}
_FUNCTIONS = frozenset(["log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                        "max", "min", "arg", "det"])
_SPACES = {",": "0.1667em", ":": "0.2222em", ";": "0.2778em", " ": "0.25em",
           "quad": "1em", "qquad": "2em"}
_SIZES = {"big": "1.2em", "Big": "1.623em", "bigg": "2.047em", "Bigg": "2.470em"}
ACCENTS = {"hat": "^", "widehat": "^", "tilde": "~", "widetilde": "~", "bar": "¯",
            "overline": "‾", "vec": "→", "dot": "˙", "ddot": "¨", "check": "ˇ",
            "breve": "˘", "acute": "´", "grave": "`"}
_CHAR_OPERATORS = {"-": "−", "*": "∗"}
_OPENERS = frozenset({"left", "bigl", "Bigl", "biggl", "Biggl", "big", "Big"})
THIN_SPACE = '<mspace width="0.1667em"/>'
FUNCTION_SPACED = '<mo rspace="0.1667em">\u2061</mo>'
_DELIMITERS = {"(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "\\{": "{", "\\}": "}",
               "\\|": "‖", "\\langle": "⟨", "\\rangle": "⟩", "\\lvert": "|", "\\rvert": "|"}

# Unicode's mathematical alphanumerics: (capital A, small a, digit 0), with letters that
# Unicode keeps in the Letterlike Symbols block
_ALPHABETS: dict[str, tuple[int, int, int | None]] = {
    "mathbf": (0x1D400, 0x1D41A, 0x1D7CE), "boldsymbol": (0x1D468, 0x1D482, 0x1D7CE),
    "mathit": (0x1D434, 0x1D44E, None), "mathcal": (0x1D49C, 0x1D4B6, None),
    "mathfrak": (0x1D504, 0x1D51E, None), "mathbb": (0x1D538, 0x1D552, 0x1D7D8),
    "mathsf": (0x1D5A0, 0x1D5BA, 0x1D7E2), "mathtt": (0x1D670, 0x1D68A, 0x1D7F6),
}
_HOLES = {
    "mathit": {"h": "ℎ"},
    "mathcal": {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ",
                "R": "ℛ", "e": "ℯ", "g": "ℊ", "o": "ℴ"},
    "mathfrak": {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"},
    "mathbb": {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"},
}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text(value: str) -> str:
    """``value`` escaped for HTML text or an attribute, control characters removed."""
    return html.escape(_CONTROL.sub("", value), quote=True)


def styled(font: str, ch: str) -> str:
    """``ch`` in a font (``\\mathbb``: ℝ, ``\\mathbf``: 𝐖); upright fonts keep it."""
    if font not in _ALPHABETS:
        return ch
    hole = _HOLES.get(font, {}).get(ch)
    if hole:
        return hole
    upper, lower, digit = _ALPHABETS[font]
    if "A" <= ch <= "Z":
        return chr(upper + ord(ch) - ord("A"))
    if "a" <= ch <= "z":
        return chr(lower + ord(ch) - ord("a"))
    if "0" <= ch <= "9" and digit is not None:
        return chr(digit + ord(ch) - ord("0"))
    return ch


@dataclass(frozen=True)
class Token:
    kind: str  # cmd | sym | open | close | sub | sup | amp | prime | char
    text: str
    at: int = 0  # where it starts in the source


def tokens(tex: str) -> list[Token]:
    out: list[Token] = []
    k = 0
    while k < len(tex):
        ch = tex[k]
        if ch == "\\":
            m = re.match(r"[A-Za-z]+", tex[k + 1:])
            if m:
                out.append(Token("cmd", m.group(0), k))
                k += 1 + len(m.group(0))
                while k < len(tex) and tex[k] in " \t\n":  # TeX skips spaces after a word
                    k += 1
                continue
            out.append(Token("sym", tex[k + 1:k + 2], k))
            k += 2
            continue
        kind = {"{": "open", "}": "close", "_": "sub", "^": "sup", "&": "amp",
                "'": "prime"}.get(ch, "char")
        if not (kind == "char" and ch in " \t\n\r"):
            out.append(Token(kind, ch, k))
        k += 1
    return out


class _TooDeep(Exception):
    pass


class _Reader:
    """A recursive reader of one formula's tokens into MathML strings."""

    def __init__(self, tex: str) -> None:
        self.source = tex
        self.toks = tokens(tex)
        self.k = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.toks[self.k] if self.k < len(self.toks) else None

    def take(self) -> Token:
        tok = self.toks[self.k]
        self.k += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind and (value is None or tok.text == value)

    # -------------------------------------------------------------- rows and groups

    def row(self, font: str = "", stop_rows: bool = False) -> list[str]:
        """Atoms up to a closing brace, ``\\right``, ``\\end``, ``&`` or ``\\\\`` (the
        last two only where ``stop_rows``: inside a table)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        out: list[str] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "close" or (tok.kind == "cmd" and tok.text in ("right", "end")):
                break
            if stop_rows and (tok.kind == "amp" or (tok.kind == "sym" and tok.text == "\\")):
                break
            if tok.kind == "cmd" and tok.text in ("textstyle", "displaystyle"):
                self.take()
                rest = self.row(font, stop_rows)
                flag = "false" if tok.text == "textstyle" else "true"
                out.append(f'<mrow displaystyle="{flag}">{"".join(rest)}</mrow>')
                break
            atom = self.scripted(font)
            if atom.endswith(("<mo>\u2061</mo>", FUNCTION_SPACED)) and out and \
                    not out[-1].endswith(("</mo>", "/>")):
                out.append(THIN_SPACE)  # and one before it after an identifier: y log a
            out.append(atom)
        self.depth -= 1
        return out

    def group(self, font: str = "") -> str:
        """A braced group or a single token, as one MathML element."""
        if self.at("open"):
            self.take()
            inner = self.row(font)
            if self.at("close"):
                self.take()
            else:
                return _error("{" + "…")
            return _mrow(inner)
        if self.peek() is None:
            return _error("a missing argument")
        return self.atom(font)[0]

    def raw_group(self) -> str:
        """The source text of a braced group, braces inside kept balanced (``\\text{…}``)."""
        if not self.at("open"):
            return self.take().text if self.peek() is not None else ""
        start = self.take().at + 1
        level = 0
        while (tok := self.peek()) is not None:
            self.take()
            if tok.kind == "close" and level == 0:
                return self.source[start:tok.at]
            level += {"open": 1, "close": -1}.get(tok.kind, 0)
        return self.source[start:]

    # -------------------------------------------------------------- atoms with scripts

    def scripted(self, font: str) -> str:
        base, function, limits = self.atom(font)
        sub = sup = None
        primes = ""
        while (tok := self.peek()) is not None and tok.kind in ("sub", "sup", "prime"):
            self.take()
            if tok.kind == "prime":
                primes += "′"
            elif tok.kind == "sub":
                sub = self.group()
            else:
                sup = self.group()
        if primes:
            sup = f"<mrow><mo>{primes}</mo>{sup or ''}</mrow>"
        if sub is not None and sup is not None:
            tag = "munderover" if limits else "msubsup"
            base = f"<{tag}>{base}{sub}{sup}</{tag}>"
        elif sub is not None:
            tag = "munder" if limits else "msub"
            base = f"<{tag}>{base}{sub}</{tag}>"
        elif sup is not None:
            tag = "mover" if limits else "msup"
            base = f"<{tag}>{base}{sup}</{tag}>"
        if not function:
            return base
        # TeX sets a thin space after an operator name unless a bracket follows: log a, log(a)
        nxt = self.peek()
        bracket = nxt is not None and ((nxt.kind == "char" and nxt.text in "([")
                                       or (nxt.kind == "cmd" and nxt.text in _OPENERS))
        return base + ("<mo>\u2061</mo>" if bracket else FUNCTION_SPACED)

    def atom(self, font: str) -> tuple[str, bool, bool]:
        """One atom: (MathML, is a function name, takes limits)."""
        tok = self.take()
        if tok.kind == "open":
            self.k -= 1
            return self.group(font), False, False
        if tok.kind == "char":
            return self.character(tok.text, font), False, False
        if tok.kind in ("sub", "sup", "amp", "prime", "close"):
            return _error(tok.text), False, False
        if tok.kind == "sym":
            return self.control_symbol(tok.text), False, False
        return self.command(tok.text, font)

    def character(self, ch: str, font: str) -> str:
        if ch.isdigit():
            digits = ch
            while (nxt := self.peek()) is not None and nxt.kind == "char" and (
                    nxt.text.isdigit() or (nxt.text == "." and self._digit_after())):
                digits += self.take().text
            return f"<mn>{text(''.join(styled(font, c) for c in digits))}</mn>"
        if ch.isalpha():
            if font in ("mathrm", "operatorname"):
                word = ch
                while (nxt := self.peek()) is not None and nxt.kind == "char" and (
                        nxt.text.isalnum()):
                    word += self.take().text
                return _mi(word, upright=True)
            return _mi(styled(font, ch), upright=font in _ALPHABETS or font == "mathrm")
        if ch in "([":
            return f'<mo stretchy="false">{ch}</mo>'
        if ch in ")]":
            return f'<mo stretchy="false">{ch}</mo>'
        if ch == "|":
            return '<mo stretchy="false">|</mo>'
        return f"<mo>{text(_CHAR_OPERATORS.get(ch, ch))}</mo>"

    def _digit_after(self) -> bool:
        nxt = self.toks[self.k + 1] if self.k + 1 < len(self.toks) else None
        return nxt is not None and nxt.kind == "char" and nxt.text.isdigit()

    def control_symbol(self, ch: str) -> str:
        if ch in _SPACES:
            return f'<mspace width="{_SPACES[ch]}"/>'
        if ch == "!":
            return ""
        if ch in "{}":
            return f'<mo stretchy="false">{ch}</mo>'
        if ch == "|":
            return '<mo stretchy="false">‖</mo>'
        if ch in "_%#$&":
            return f"<mi>{text(ch)}</mi>"
        return _error("\\" + ch)

    def command(self, name: str, font: str) -> tuple[str, bool, bool]:
        if name in GREEK:
            return _mi(GREEK[name]), False, False
        if name in UPRIGHT:
            return _mi(UPRIGHT[name], upright=True), False, False
        if name in IDENTIFIERS:
            return _mi(IDENTIFIERS[name]), False, False
        if name in OPERATORS:
            return f"<mo>{OPERATORS[name]}</mo>", False, False
        if name in _LARGE:
            return f"<mo>{_LARGE[name]}</mo>", False, True
        if name in _FUNCTIONS:
            return _mi(name), True, name in ("max", "min")
        if name in _SPACES:
            return f'<mspace width="{_SPACES[name]}"/>', False, False
        if name in ("frac", "tfrac", "dfrac"):
            num, den = self.group(), self.group()
            style = {"tfrac": ' displaystyle="false"', "dfrac": ' displaystyle="true"'}
            return f"<mfrac{style.get(name, '')}>{num}{den}</mfrac>", False, False
        if name == "sqrt":
            return f"<msqrt>{self.group()}</msqrt>", False, False
        if name == "text":
            words = self.raw_group()
            return f"<mtext>{text(_nbsp(words))}</mtext>", False, False
        if name == "operatorname":
            return self.group("operatorname"), True, False
        if name == "mathrm":
            return self.group("mathrm"), False, False
        if name in _ALPHABETS:
            return self.group(name), False, False
        if name in ACCENTS:
            base = self.group(font)
            stretch = "" if name.startswith(("wide", "over")) else ' stretchy="false"'
            return (f'<mover accent="true">{base}<mo{stretch}>{ACCENTS[name]}</mo></mover>',
                    False, False)
        if name == "underline":
            return (f'<munder accentunder="true">{self.group(font)}<mo>_</mo></munder>',
                    False, False)
        if name == "left":
            return self.fenced(), False, False
        if name.rstrip("lr") in _SIZES:
            return self.sized(_SIZES[name.rstrip("lr")]), False, False
        if name == "begin":
            return self.environment(), False, False
        return _error("\\" + name), False, False

    def delimiter(self) -> str:
        tok = self.take() if self.peek() is not None else Token("char", ".")
        key = ("\\" + tok.text) if tok.kind in ("sym", "cmd") else tok.text
        return "" if key == "." else _DELIMITERS.get(key, "")

    def fenced(self) -> str:
        left = self.delimiter()
        inner = self.row()
        right = ""
        if self.at("cmd", "right"):
            self.take()
            right = self.delimiter()
        else:
            inner.append(_error("\\left without \\right"))
        content = _mrow(inner)
        # as TeX sets \left( around a line of text: at the normal size unless it holds
        # something taller
        tall = any(t in content for t in ("<mfrac", "<munder", "<mover", "<mtable", "<msqrt"))
        mo = "<mo>" if tall else '<mo stretchy="false">'
        parts = [f"{mo}{text(left)}</mo>" if left else "", content,
                 f"{mo}{text(right)}</mo>" if right else ""]
        return "<mrow>" + "".join(parts) + "</mrow>"

    def sized(self, size: str) -> str:
        symbol = self.delimiter()
        return (f'<mo minsize="{size}" maxsize="{size}">{text(symbol)}</mo>' if symbol
                else "")

    def environment(self) -> str:
        name = self.raw_group()
        if name not in ("cases", "aligned", "gathered", "matrix", "pmatrix", "bmatrix"):
            return _error(f"\\begin{{{name}}}")
        rows = self.table()
        if self.at("cmd", "end"):
            self.take()
            self.raw_group()
        table = _mtable(rows, "cases" if name == "cases" else
                        "align" if name == "aligned" else "center")
        fences = {"cases": ("{", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]")}
        left, right = fences.get(name, ("", ""))
        if left or right:
            return (f"<mrow><mo>{left}</mo>{table}" + (f"<mo>{right}</mo>" if right else "")
                    + "</mrow>")
        return table

    def table(self) -> list[list[list[str]]]:
        rows: list[list[list[str]]] = [[]]
        while True:
            rows[-1].append(self.row(stop_rows=True))
            tok = self.peek()
            if tok is None or (tok.kind != "sym" and tok.kind != "amp"):
                break
            self.take()
            if tok.kind == "sym":  # \\ : a new row; skip an optional [2\jot]
                if self.at("char", "["):
                    while self.peek() is not None and not self.at("char", "]"):
                        self.take()
                    if self.peek() is not None:
                        self.take()
                rows.append([])
        return [r for r in rows if any(r_cell for r_cell in r)]


def _nbsp(words: str) -> str:
    """Spaces of ``\\text`` kept: browsers drop plain spaces at the ends of an mtext."""
    return words.replace(" ", "\u00a0")


def _mi(name: str, *, upright: bool = False) -> str:
    variant = ' mathvariant="normal"' if upright and len(name) == 1 else ""
    return f"<mi{variant}>{text(name)}</mi>"


def _mrow(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else "<mrow>" + "".join(parts) + "</mrow>"


def _error(what: str) -> str:
    return f"<merror><mtext>{text(what)}</mtext></merror>"


def _mtable(rows: Sequence[Sequence[Sequence[str]]], kind: str,
            ids: Sequence[str | None] = ()) -> str:
    columns = max((len(r) for r in rows), default=1)
    align = {"align": " ".join(("right", "left")[c % 2] for c in range(columns)),
             "cases": "left left"}.get(kind)
    # Firefox reads columnalign, Chromium the stylesheet; aligned is in display style
    style = (f' columnalign="{align}"' if align else "") + (
        ' displaystyle="true"' if kind == "align" else "")
    out = [f'<mtable class="{kind}"{style}>']
    for k, row in enumerate(rows):
        anchor = ids[k] if k < len(ids) else None
        out.append(f'<mtr id="{text(anchor)}">' if anchor else "<mtr>")
        for c, cell in enumerate(row):
            parts = list(cell)
            if kind == "align" and c % 2 == 1 and parts and parts[0].startswith("<mo>"):
                parts[0] = '<mo form="infix">' + parts[0][4:]  # `&=`: a relation, not a sign
            out.append("<mtd>" + "".join(parts) + "</mtd>")
        out.append("</mtr>")
    return "".join(out) + "</mtable>"


def mathml(tex: str) -> str:
    """``tex`` as the MathML content of one formula (no ``math`` element)."""
    reader = _Reader(tex)
    try:
        parts = reader.row()
        while reader.peek() is not None:  # a stray closing brace or \right: say so, go on
            parts.append(_error(reader.take().text))
            parts += reader.row()
    except _TooDeep:
        return _error(tex)
    return _mrow(parts) if parts else "<mrow></mrow>"


def _math(content: str, tex: str, display: bool) -> str:
    mode = ' display="block"' if display else ""
    return (f"<math{mode}><semantics>{content}"
            f'<annotation encoding="{TEX}">{text(tex)}</annotation></semantics></math>')


def math_inline(tex: str) -> str:
    """A ``math`` element for inline ``tex``, with the TeX as its annotation."""
    return _math(mathml(tex), tex, display=False)


def math_aligned(rows: Sequence[str], ids: Sequence[str | None] = ()) -> str:
    """A displayed ``math`` element for aligned rows (``lhs &= …``), one table row per
    line; ``ids`` gives a row (by its index in ``rows``) an anchor."""
    source = " \\\\\n".join(rows)
    reader = _Reader("")
    table_rows: list[list[list[str]]] = []
    row_ids: list[str | None] = []
    try:
        for k, row in enumerate(rows):
            reader = _Reader(row)
            lines = reader.table()
            while reader.peek() is not None:
                lines[-1][-1].append(_error(reader.take().text))
            table_rows += lines
            row_ids += [ids[k] if k < len(ids) else None] + [None] * (len(lines) - 1)
    except _TooDeep:
        return _math(_error(source), "\\begin{aligned}\n" + source + "\n\\end{aligned}", True)
    table = _mtable(table_rows, "align", row_ids)
    return _math(table, "\\begin{aligned}\n" + source + "\n\\end{aligned}", True)
