"""Names in the spec's notation as HTML (``w<sup>[1]</sup><sub>1,1</sub>``), for Graphviz's
HTML-like labels and Mermaid's labels, and formulas printed as text with those names in.

The LaTeX of a name was vetted when the spec was read (letters, digits, scripts, a few
commands); anything else is shown as its characters, escaped, so nothing in a name can open
a tag. Unknown commands lose their backslash and show their name.

>>> name_html(r"w^{[1]}_{1,1}")
'w<sup>[1]</sup><sub>1,1</sub>'
>>> name_html(r"\\mathrm{out}_{h1}"), name_html(r"\\delta_{o<1}")
('out<sub>h1</sub>', 'δ<sub>o&lt;1</sub>')
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "ell": "ℓ", "partial": "∂", "nabla": "∇", "cdot": "·", "prime": "′", "top": "ᵀ",
}
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7",
            "dot": "\u0307"}
_WORDS = frozenset(("mathrm", "text", "operatorname", "mathit", "mathbf", "boldsymbol",
                    "mathsf", "textrm", "mathcal", "mathbb"))
_SPACES = frozenset((",", ";", ":", " ", "!", "quad", "qquad"))
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(.)", re.S)
MAX_DEPTH = 20


def name_html(latex: str) -> str:
    """The LaTeX of a name as HTML text with ``<sub>`` and ``<sup>``."""
    tokens = [(m.group(1) and "\\" + m.group(1)) or m.group(2) for m in _TOKEN.finditer(latex)]
    out, _ = _run(tokens, 0, 0)
    return out


def _group(tokens: list[str], i: int, depth: int) -> tuple[str, int]:
    """One argument: a braced group or one token."""
    if i >= len(tokens):
        return "", i
    if tokens[i] == "{":
        return _run(tokens, i + 1, depth + 1, closing=True)
    return _run(tokens[i:i + 1], 0, depth + 1)[0], i + 1


def _run(tokens: list[str], i: int, depth: int, *, closing: bool = False) -> tuple[str, int]:
    out: list[str] = []
    while i < len(tokens):
        tok = tokens[i]
        if tok == "}" and closing:
            return "".join(out), i + 1
        if depth > MAX_DEPTH:  # vetted names nest a few levels; this only bounds the work
            out.append(html.escape(tok))
            i += 1
        elif tok in "^_" and len(tok) == 1:
            inner, i = _group(tokens, i + 1, depth)
            tag = "sup" if tok == "^" else "sub"
            out.append(f"<{tag}>{inner}</{tag}>")
        elif tok == "{":
            inner, i = _run(tokens, i + 1, depth + 1, closing=True)
            out.append(inner)
        elif tok == "}":
            i += 1
        elif tok == "'":
            out.append("′")
            i += 1
        elif tok.startswith("\\") and len(tok) > 1:
            word = tok[1:]
            if word in _WORDS:
                inner, i = _group(tokens, i + 1, depth)
                out.append(inner)
            elif word in _ACCENTS:
                inner, i = _group(tokens, i + 1, depth)
                out.append(inner + _ACCENTS[word])
            else:
                out.append(" " if word in _SPACES else _GREEK.get(word, html.escape(word)))
                i += 1
        else:
            out.append(html.escape(tok))
            i += 1
    return "".join(out), i


def text_html(text: str, names: Mapping[str, str]) -> str:
    """``text`` (a formula as the text printer writes it) as HTML, each of ``names`` (a
    symbol's name → its HTML) replaced where it stands as a whole word.

    >>> text_html("out_o1·(1 - out_o1^2) < 2", {"out_o1": "out<sub>o1</sub>"})
    'out<sub>o1</sub>·(1 − out<sub>o1</sub><sup>2</sup>) &lt; 2'
    """
    if not names:
        return _plain(text)
    pattern = re.compile(r"(?<![\w])(" + "|".join(
        re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w])")
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(_plain(text[last:m.start()]))
        out.append(names[m.group(1)])
        last = m.end()
    out.append(_plain(text[last:]))
    return "".join(out)


def _plain(text: str) -> str:
    """Text between names: escaped, a minus sign for ``-`` between terms, a number power
    raised (``^2`` as ²)."""
    escaped = html.escape(text).replace(" - ", " − ")
    return re.sub(r"\^(\d+)", r"<sup>\1</sup>", escaped)
