"""LaTeX helpers: approximate printed widths and a line breaker for long formulas.

SymPy's printer writes a formula on one line however long it is. The breaker here splits a
formula at its top level, between the terms of a sum and then between the factors of a
product, into rows of an ``align*`` block::

    \\frac{\\partial E}{\\partial w_1} &= a \\cdot b \\cdot c
        &\\quad {} + d \\cdot e

Widths are measured in em by reading the LaTeX and adding up glyph widths of Computer Modern
(display style; sub- and superscripts at 70 %). The estimate errs on the wide side, so rows
that it accepts fit the page; the notes' tests check that with a real ``pdflatex``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from .printing import Chain

# The page of the notes: article, 11pt, a4paper, 2.5 cm margins → 16 cm ≈ 41 em.
TEXT_WIDTH_EM = 40.0
CONTINUATION_INDENT_EM = 1.0  # \quad

# Widths in em of Computer Modern glyphs (rounded up).
_GLYPH = {
    **dict.fromkeys("abcdeghknopqsuvxyz", 0.55), **dict.fromkeys("fijlrt", 0.4),
    "m": 0.9, "w": 0.75, **dict.fromkeys("ABCDEFGHIJKLMNOPQRSTUVXYZ", 0.8), "W": 1.05,
    **dict.fromkeys("0123456789", 0.5), ".": 0.28, ",": 0.45, ";": 0.45, "'": 0.3,
    "(": 0.39, ")": 0.39, "[": 0.28, "]": 0.28, "|": 0.28, "/": 0.5, "!": 0.3, "?": 0.5,
    "+": 1.23, "-": 1.23, "=": 1.34, "<": 1.34, ">": 1.34, "*": 0.5, ":": 0.5, "~": 0.33,
}
_COMMAND = {
    "partial": 0.57, "cdot": 0.73, "times": 1.23, "odot": 1.23, "circ": 1.0, "quad": 1.0,
    "qquad": 2.0, ",": 0.17, ":": 0.22, ";": 0.28, "!": -0.17, " ": 0.33, "sum": 1.45,
    "prod": 1.3, "in": 1.22, "to": 1.55, "rightarrow": 1.55, "leftarrow": 1.55,
    "approx": 1.34, "le": 1.34, "ge": 1.34, "leq": 1.34, "geq": 1.34, "ne": 1.34,
    "equiv": 1.34, "ldots": 1.2, "cdots": 1.2, "dots": 1.2, "infty": 1.0, "nabla": 0.85,
    "prime": 0.3, "top": 0.8, "mathsf": 0.0, "log": 1.3, "exp": 1.5, "ln": 0.8,
    "sinh": 2.0, "cosh": 2.0, "tanh": 2.0, "max": 1.6, "min": 1.5, "mathbb": 0.0,
    "lbrace": 0.5, "rbrace": 0.5, "{": 0.5, "}": 0.5, "_": 0.5, "&": 0.0, "\\": 0.0,
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
_SCRIPT = 0.7
_SAFETY = 1.1  # calibrated against pdflatex box widths; errs on the wide side
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_&])|(\s+)|(.)", re.S)


def latex_width(latex: str) -> float:
    """Approximate printed width of display-style math ``latex``, in em.

    >>> latex_width("a + b") > latex_width("a")
    True
    """
    width, _ = _measure(_tokens(latex), 0)
    return _SAFETY * width


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


def _measure(tokens: list[str], i: int, *, stop_at_brace: bool = False) -> tuple[float, int]:
    """Width of tokens from ``i`` until the end (or the closing brace of this group)."""
    width = 0.0
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


def _group(tokens: list[str], i: int) -> tuple[float, int]:
    """Width of one argument: a braced group or a single token."""
    if i < len(tokens) and tokens[i] == "{":
        return _measure(tokens, i + 1, stop_at_brace=True)
    if i < len(tokens):
        return _atom(tokens, i)
    return 0.0, i


def _atom(tokens: list[str], i: int) -> tuple[float, int]:
    tok = tokens[i]
    if tok == "{":
        return _measure(tokens, i + 1, stop_at_brace=True)
    if tok in ("^", "_"):
        w, j = _group(tokens, i + 1)
        # a sub- and a superscript on the same base overlap: count the wider one only
        if j < len(tokens) and tokens[j] in ("^", "_") and tokens[j] != tok:
            w2, j = _group(tokens, j + 1)
            w = max(w, w2)
        return _SCRIPT * w + 0.05, j
    if tok == "&":
        return 0.0, i + 1
    if not tok.startswith("\\"):
        return _GLYPH.get(tok, 0.6), i + 1
    name = tok[1:]
    if name in ("frac", "dfrac", "tfrac", "binom"):
        num, j = _group(tokens, i + 1)
        den, j = _group(tokens, j)
        scale = _SCRIPT if name == "tfrac" else 1.0
        return scale * max(num, den) + 0.35, j
    if name in ("sqrt",):
        w, j = _group(tokens, i + 1)
        return w + 0.9, j
    if name in ("operatorname", "mathrm", "text", "textrm", "mathit", "mathbf", "mathsf",
                "boldsymbol", "mathcal", "mathbb", "hat", "bar", "tilde", "vec"):
        w, j = _group(tokens, i + 1)
        return w + (0.15 if name == "operatorname" else 0.0), j
    if name in ("begin", "end"):
        _, j = _group(tokens, i + 1)
        return 0.0, j
    if name in _IGNORED:
        return 0.0, i + 1
    if name in _GREEK:
        return 0.65, i + 1
    return _COMMAND.get(name, 0.9), i + 1


# ----------------------------------------------------------------------------- breaking


@dataclass(frozen=True)
class _Segment:
    """One piece of a formula at its top level: ``connector`` then ``expr``."""

    connector: str  # "" for the first piece; "+", "-", r"\cdot" or " " (implicit product)
    expr: sp.Expr
    bracket: bool  # print ``expr`` inside \left( \right)


def break_expr(expr: sp.Expr, printer: Any, width: float,
               first_width: float | None = None) -> list[str]:
    """``expr`` printed by ``printer`` as lines of at most ``width`` em.

    The first line may have its own budget (``first_width``). Every further line starts with
    its operator (``{} + …``, ``{} \\cdot …``) so that it reads as a continuation.
    """
    first = width if first_width is None else first_width
    whole = printer.doprint(expr)
    if latex_width(whole) <= first:
        return [whole]
    lines = _break(expr, printer, first, width)
    return lines if len(lines) > 1 or lines[0] else [whole]


def _segments(expr: sp.Expr, printer: Any) -> list[_Segment] | None:
    """The top-level pieces of a sum or product, as SymPy's own printer would emit them."""
    if isinstance(expr, sp.Add) and len(expr.args) > 1:
        out = []
        for k, term in enumerate(printer._as_ordered_terms(expr, order=None)):
            if term.could_extract_minus_sign() and sp.S.NegativeOne in term.as_coeff_mul()[:1]:
                body, sign = -term, "-"
            else:
                body, sign = term, "+" if k else ""
            out.append(_Segment(sign, body, bool(printer._needs_add_brackets(body))))
        return out
    if isinstance(expr, Chain):
        return [_Segment(r"\cdot" if k else "", f, _chain_brackets(f))
                for k, f in enumerate(expr.factors)]
    if isinstance(expr, sp.Mul) and len(expr.args) > 1:
        if sp.fraction(expr)[1] != 1:
            return None  # a fraction bar does not split across lines
        args = list(expr.args)
        sign = ""
        if args[0] == sp.S.NegativeOne:
            args, sign = args[1:], "-"
        return [_Segment(sign if k == 0 else " ", f,
                         bool(printer._needs_mul_brackets(f, first=k == 0,
                                                           last=k == len(args) - 1)))
                for k, f in enumerate(args)]
    return None


def _chain_brackets(factor: sp.Expr) -> bool:
    from sympy.printing.precedence import precedence_traditional

    return precedence_traditional(factor) < PRECEDENCE["Mul"]


def _piece(seg: _Segment, printer: Any, *, leading: bool) -> str:
    """A segment as printed text; ``leading`` when it starts a continuation row."""
    body = printer._print(seg.expr)
    if seg.bracket:
        body = rf"\left({body}\right)"
    conn = seg.connector
    if leading:
        # a continuation row starts with its operator; "{}" keeps the binary spacing
        conn = r"\cdot" if conn == " " else conn
        return f"{{}} {conn} {body}" if conn else body
    if not conn:
        return body
    return f" {body}" if conn == " " else f" {conn} {body}"


def _break(expr: sp.Expr, printer: Any, first: float, width: float) -> list[str]:
    segs = _segments(expr, printer)
    if segs is None:
        return [printer.doprint(expr)]
    lines: list[str] = []
    current = ""
    budget = first
    for k, seg in enumerate(segs):
        leading_first = k == 0
        piece = _piece(seg, printer, leading=False) if (current or leading_first) else \
            _piece(seg, printer, leading=True)
        if latex_width(current + piece) <= budget:
            current += piece
            continue
        if current:
            lines.append(current)
            budget = width
            piece = _piece(seg, printer, leading=True)
            if latex_width(piece) <= budget:
                current = piece
                continue
        # the piece alone is too wide: break inside it
        current = ""
        inner = _break_inside(seg, printer, budget, width, leading=bool(lines) or k > 0)
        lines.extend(inner[:-1])
        current = inner[-1]
        budget = width
    lines.append(current)
    return [ln for ln in lines if ln]


def _break_inside(seg: _Segment, printer: Any, first: float, width: float, *,
                  leading: bool) -> list[str]:
    conn = seg.connector
    if leading:
        conn = r"{} \cdot" if conn == " " else (f"{{}} {conn}" if conn else "")
    elif conn == " ":
        conn = ""
    prefix = f"{conn} " if conn else ""
    prefix_w = latex_width(prefix) + (0.8 if seg.bracket else 0.0)
    inner = _break(seg.expr, printer, max(first - prefix_w, 8.0), max(width - prefix_w, 8.0))
    if seg.bracket:
        if len(inner) == 1:
            inner = [rf"\left({inner[0]}\right)"]
        else:
            inner = ([rf"\left({inner[0]}\right."]
                     + [rf"\left.{ln}\right." for ln in inner[1:-1]]
                     + [rf"\left.{inner[-1]}\right)"])
    inner[0] = prefix + inner[0]
    return inner


# ----------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Step:
    """One ``= …`` step of an aligned derivation: an expression, or ready LaTeX."""

    expr: sp.Expr | None = None
    latex: str | None = None
    relation: str = "="
    tag: str | None = None  # a short remark after the step, as LaTeX math (use \text{})


def aligned_rows(lhs: str | None, steps: Sequence[Step], printer: Any, *,
                 width: float = TEXT_WIDTH_EM) -> list[str]:
    """Rows (without ``\\\\``) of an ``align*``/``aligned`` block.

    The first row carries ``lhs &= …``; each further step gets ``&= …``; long steps continue
    on ``&\\quad {} + …`` rows.
    """
    lhs_w = latex_width(lhs) if lhs else 0.0
    rel_w = 1.6
    rhs_width = width - lhs_w - rel_w - 1.0
    rows: list[str] = []
    for k, step in enumerate(steps):
        tag = rf" \quad {step.tag}" if step.tag else ""
        tag_w = latex_width(tag)
        if step.expr is not None:
            lines = break_expr(step.expr, printer, rhs_width - CONTINUATION_INDENT_EM,
                               first_width=rhs_width - tag_w)
        else:
            lines = [step.latex or ""]
        head = f"{lhs} " if (k == 0 and lhs) else ""
        rows.append(f"{head}&{step.relation} {lines[0]}{tag if len(lines) == 1 else ''}")
        for j, ln in enumerate(lines[1:], start=1):
            rows.append(rf"&\quad {ln}{tag if j == len(lines) - 1 else ''}")
    return rows


def align_block(rows: Sequence[str], env: str = "align*") -> str:
    """Rows joined into one environment."""
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(rows) + f"\n\\end{{{env}}}"


def break_rows(rows: Sequence[str]) -> list[str]:
    """Rows of an ``align*`` block given as ready LaTeX (kept as they are)."""
    return list(rows)


# ----------------------------------------------------------------------------- text


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}",
}
_TEXT_UNICODE = {
    "→": r"$\to$", "←": r"$\leftarrow$", "…": r"\ldots{}", "Σ": r"$\Sigma$", "−": "-",
    "∂": r"$\partial$", "δ": r"$\delta$", "σ": r"$\sigma$", "α": r"$\alpha$", "·": r"$\cdot$",
    "×": r"$\times$", "≈": r"$\approx$", "≤": r"$\le$", "≥": r"$\ge$", "½": r"$\frac12$",
    "’": "'", "‘": "`", "“": "``", "”": "''", "–": "--", "—": "---", "⊙": r"$\odot$",
    "²": r"\textsuperscript{2}", "ℓ": r"$\ell$", "θ": r"$\theta$", "η": r"$\eta$",
    "ε": r"$\varepsilon$", "γ": r"$\gamma$", "∇": r"$\nabla$", "ᵀ": r"\textsuperscript{T}",
}


def escape_text(value: str) -> str:
    """Plain text (a spec's title or description) as LaTeX text that pdflatex accepts.

    >>> escape_text("in_{h1} → 50%")
    'in\\\\_\\\\{h1\\\\} $\\\\to$ 50\\\\%'
    """
    out = []
    for ch in value:
        if ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)
