"""Approximate printed widths of LaTeX: glyph widths of Computer Modern (display style; sub-
and superscripts at 70 %), added up from the LaTeX text. The estimate errs on the wide side,
so rows that it accepts fit the page; the notes' tests check that with a real ``pdflatex``."""

from __future__ import annotations

import re

from ..spec.digits import zero_digits

# Widths of Computer Modern glyphs in thousandths of an em (rounded up). Widths are whole
# numbers so that the width of a concatenation is exactly the sum of the widths of its parts:
# the breaker adds pieces up instead of measuring every prefix again.
_GLYPH = {
    **dict.fromkeys("abcdeghknopqsuvxyz", 550), **dict.fromkeys("fijlrt", 400),
    "m": 900, "w": 750, **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVXYZ", 800), "W": 1050,
    **dict.fromkeys("0123456789", 500), ".": 280, ",": 450, ";": 450, "'": 300,
    "(": 390, ")": 390, "[": 280, "]": 280, "|": 280, "/": 500, "!": 300, "?": 500,
    "+": 1230, "-": 1230, "=": 1340, "<": 1340, ">": 1340, "*": 500, ":": 500, "~": 330,
}
_COMMAND = {
    "partial": 570, "cdot": 730, "times": 1230, "odot": 1230, "circ": 1000, "quad": 1000,
    "qquad": 2000, ",": 170, ":": 220, ";": 280, "!": -170, " ": 330, "sum": 1450,
    "prod": 1300, "in": 1220, "to": 1550, "rightarrow": 1550, "leftarrow": 1550,
    "approx": 1340, "le": 1340, "ge": 1340, "leq": 1340, "geq": 1340, "ne": 1340,
    "equiv": 1340, "ldots": 1200, "cdots": 1200, "dots": 1200, "infty": 1000, "nabla": 850,
    "prime": 300, "top": 800, "mathsf": 0, "log": 1300, "exp": 1500, "ln": 800,
    "sinh": 2000, "cosh": 2000, "tanh": 2000, "max": 1600, "min": 1500, "mathbb": 0,
    "lbrace": 500, "rbrace": 500, "{": 500, "}": 500, "_": 500, "&": 0, "\\": 0,
}
_GREEK = frozenset((
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell",
))
_IGNORED = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big",
            "displaystyle", "textstyle", "limits", "nolimits", "mathrm", "mathit", "mathbf",
            "boldsymbol", "operatorname", "text", "mathcal", "hat", "bar", "tilde", "vec"}
_SAFETY = 1.1  # calibrated against pdflatex box widths; errs on the wide side
_UNIT = 1000  # widths are in thousandths of an em
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_&])|(\s+)|(.)", re.S)
# Every digit has the same width and no command name contains one, so a string's width is
# the width of the string with every digit made 0: rows that differ only in their indices
# share one measurement.
_MEASURED: dict[str, int] = {}
_MEASURED_MAX = 200_000


def raw_width(latex: str) -> int:
    """Width of display-style math ``latex`` in thousandths of an em, before the safety margin.

    Whole numbers add up exactly: ``raw_width(a + b) == raw_width(a) + raw_width(b)`` when
    ``b`` starts a new token (a space, an operator, ``{}``).
    """
    key = zero_digits(latex)
    width = _MEASURED.get(key)
    if width is None:
        width, _ = _measure(_tokens(key), 0)
        if len(_MEASURED) >= _MEASURED_MAX:
            _MEASURED.clear()
        _MEASURED[key] = width
    return width


def em(raw: int) -> float:
    """A raw width as em with the safety margin."""
    return _SAFETY * raw / _UNIT


def latex_width(latex: str) -> float:
    """Approximate printed width of display-style math ``latex``, in em.

    >>> latex_width("a + b") > latex_width("a")
    True
    """
    return em(raw_width(latex))


def _tokens(latex: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(latex):
        cmd, special, space, char = m.groups()
        if cmd is not None:
            out.append("\\" + cmd)
        elif special is not None:
            out.append(special)
        elif space is None:
            out.append(char)
    return out


def _measure(tokens: list[str], i: int, *, stop_at_brace: bool = False) -> tuple[int, int]:
    """Width of tokens from ``i`` until the end (or the closing brace of this group)."""
    width = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "}":
            if stop_at_brace:
                return width, i + 1
            i += 1
            continue
        w, i = _atom(tokens, i)
        width += w
    return width, i


def _group(tokens: list[str], i: int) -> tuple[int, int]:
    """Width of one argument: a braced group or a single token."""
    if i < len(tokens) and tokens[i] == "{":
        return _measure(tokens, i + 1, stop_at_brace=True)
    if i < len(tokens):
        return _atom(tokens, i)
    return 0, i


def _script(width: int) -> int:
    """A sub- or superscript is set at 70 %."""
    return (7 * width + 9) // 10


def _atom(tokens: list[str], i: int) -> tuple[int, int]:
    tok = tokens[i]
    if tok == "{":
        return _measure(tokens, i + 1, stop_at_brace=True)
    if tok in ("^", "_"):
        w, j = _group(tokens, i + 1)
        # a sub- and a superscript on the same base overlap: count the wider one only
        if j < len(tokens) and tokens[j] in ("^", "_") and tokens[j] != tok:
            w2, j = _group(tokens, j + 1)
            w = max(w, w2)
        return _script(w) + 50, j
    if tok == "&":
        return 0, i + 1
    if not tok.startswith("\\"):
        return _GLYPH.get(tok, 600), i + 1
    name = tok[1:]
    if name in ("frac", "dfrac", "tfrac", "binom"):
        num, j = _group(tokens, i + 1)
        den, j = _group(tokens, j)
        wide = max(num, den)
        return (_script(wide) if name == "tfrac" else wide) + 350, j
    if name in ("sqrt",):
        w, j = _group(tokens, i + 1)
        return w + 900, j
    if name in ("operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "mathsf",
                "boldsymbol", "mathcal", "mathbb", "hat", "bar", "tilde", "vec"):
        w, j = _group(tokens, i + 1)
        return w + (150 if name == "operatorname" else 0), j
    if name in ("begin", "end"):
        _, j = _group(tokens, i + 1)
        return 0, j
    if name in _IGNORED:
        return 0, i + 1
    if name in _GREEK:
        return 650, i + 1
    return _COMMAND.get(name, 900), i + 1
