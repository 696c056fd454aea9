"""The one place where quantities get their names.

Every quantity has two names: a *plain* name that is a Python identifier (used for SymPy
symbols, lambdify arguments, JSON keys and plain-text formulas) and a *LaTeX* name (used only
when printing). Names come from the spec's notation block, whose templates may use the
placeholders ``{unit}``, ``{layer}``, ``{index}``, ``{j}`` and ``{k}``.

>>> expand("in_{{unit}}", unit="h1")
'in_{h1}'
>>> plain_name("w^{[2]}_{1,1}")
'w_2_1_1'
>>> auto_latex("w5")
'w_{5}'
"""

from __future__ import annotations

import keyword
import re

from .digits import by_digit_pattern

PLACEHOLDERS = ("unit", "layer", "index", "j", "k")

_LATEX_WORDS = {
    r"\alpha": "alpha", r"\beta": "beta", r"\gamma": "gamma", r"\delta": "delta",
    r"\epsilon": "epsilon", r"\eta": "eta", r"\theta": "theta", r"\lambda": "lambda",
    r"\mu": "mu", r"\sigma": "sigma", r"\tau": "tau", r"\phi": "phi", r"\psi": "psi",
    r"\omega": "omega", r"\mathcal": "", r"\mathbf": "", r"\mathrm": "", r"\text": "",
    r"\hat": "hat", r"\bar": "bar", r"\tilde": "tilde",
}


def expand(template: str, **fields: object) -> str:
    """Fill ``{name}`` placeholders in a LaTeX template, leaving other braces alone."""
    out = template
    for key in PLACEHOLDERS:
        if key in fields:
            out = out.replace("{" + key + "}", str(fields[key]))
    return out


def unknown_placeholders(template: str) -> list[str]:
    """Placeholders in ``template`` that :func:`expand` would not fill."""
    found = re.findall(r"\{([a-zA-Z]+)\}", template)
    return [f for f in found if f not in PLACEHOLDERS and len(f) > 1 and f.isalpha()
            and f not in ("total",)]


@by_digit_pattern
def plain_name(latex: str) -> str:
    """An identifier derived from a LaTeX name: ``in_{h1}`` → ``in_h1``, ``y'`` → ``y_prime``.

    The derivation is deterministic so that a student typing ``in_h1`` or ``in_{h1}`` reaches
    the same quantity.
    """
    text = latex
    if "\\" in text:
        for word, rep in _LATEX_WORDS.items():
            text = text.replace(word, f"_{rep}_" if rep else "_")
    text = text.replace("'", "_prime")
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    if not text:
        text = "q"
    if text[0].isdigit():
        text = "q_" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


def auto_latex(name: str) -> str:
    """LaTeX for a user's short name: trailing digits or an ``_suffix`` become a subscript.

    >>> auto_latex("i1"), auto_latex("w_a"), auto_latex("E_total"), auto_latex("b")
    ('i_{1}', 'w_{a}', 'E_{total}', 'b')
    """
    if "_" in name:
        head, _, tail = name.partition("_")
        if head and tail:
            return f"{head}_{{{tail.replace('_', ',')}}}"
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    return name


def is_identifier(name: str) -> bool:
    """True when ``name`` can be used as a plain (identifier) name."""
    return name.isidentifier() and not keyword.iskeyword(name)
