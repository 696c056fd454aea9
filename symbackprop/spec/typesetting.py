"""How a spec's names are set in math: words upright, single letters in italic.

TeX sets every letter of ``out_{h1}`` in math italic, as if it were the product o·u·t. A
textbook sets a multi-letter name upright (``\\mathrm{out}_{h1}``) and keeps single-letter
symbols and indices in italic (``w_{5}``, ``x_{i}``, ``w_{jk}``). :func:`upright` does that to a
LaTeX name from a spec or its notation block; the plain name of the quantity does not change
(``plain_name`` drops ``\\mathrm``).

>>> upright("out_{h1}"), upright("E_{total}"), upright("x_{1,in}"), upright("w^{[1]}_{j,k}")
('\\\\mathrm{out}_{h1}', 'E_{\\\\mathrm{total}}', 'x_{1,\\\\mathrm{in}}', 'w^{[1]}_{j,k}')
"""

from __future__ import annotations

import re

from .digits import by_digit_pattern

# Commands whose braced argument is text or already upright: left as written.
_VERBATIM_ARG = frozenset(("mathrm", "text", "textrm", "operatorname", "mathsf", "mathtt",
                           "mathbf", "mathcal", "mathbb", "mathfrak", "mathit", "textit",
                           "textbf", "boldsymbol", "bm", "begin", "end"))
# Two letters inside a sub- or superscript are usually two indices (w_{jk}); these are words.
_SCRIPT_WORDS = frozenset(("in", "io"))
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]+|.", re.S)


@by_digit_pattern
def upright(latex: str) -> str:
    """``latex`` with every multi-letter word set in ``\\mathrm``.

    A run of three or more letters is a word anywhere; a run of two letters is a word on the
    base line (a name ``ab``) but a pair of indices inside a script (``w_{jk}``), except the
    words ``in`` and ``io``. Command names, and the arguments of ``\\mathrm``, ``\\text``,
    ``\\operatorname`` and the like, are left alone.
    """
    out: list[str] = []
    tokens = _TOKEN.findall(latex)
    depth_stack: list[bool] = []  # for each open brace: is it a script group?
    pending_script = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("\\") and tok[1:] in _VERBATIM_ARG:
            # copy the command and its braced argument untouched
            out.append(tok)
            i += 1
            if i < len(tokens) and tokens[i] == "{":
                level = 0
                while i < len(tokens):
                    out.append(tokens[i])
                    level += {"{": 1, "}": -1}.get(tokens[i], 0)
                    i += 1
                    if level == 0:
                        break
            pending_script = False
            continue
        if tok in ("^", "_"):
            pending_script = True
            out.append(tok)
        elif tok == "{":
            depth_stack.append(pending_script or (bool(depth_stack) and depth_stack[-1]))
            pending_script = False
            out.append(tok)
        elif tok == "}":
            if depth_stack:
                depth_stack.pop()
            out.append(tok)
        elif tok.isalpha() and tok.isascii():
            in_script = pending_script or (bool(depth_stack) and depth_stack[-1])
            pending_script = False
            out.append(_word(tok, in_script))
        else:
            if not tok.isspace():
                pending_script = False
            out.append(tok)
        i += 1
    return "".join(out)


def _word(run: str, in_script: bool) -> str:
    if len(run) >= 3 or (len(run) == 2 and (not in_script or run in _SCRIPT_WORDS)):
        return rf"\mathrm{{{run}}}"
    return run
