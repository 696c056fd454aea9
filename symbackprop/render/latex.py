"""LaTeX helpers: approximate printed widths and a line breaker for long formulas.

SymPy's printer writes a formula on one line however long it is. The breaker here splits a
formula at its top level, between the terms of a sum and then between the factors of a
product, into rows of an ``align*`` block::

    \\frac{\\partial E}{\\partial w_1} &= a \\cdot b \\cdot c
        &\\qquad {} + d \\cdot e

Widths are measured in em by reading the LaTeX and adding up glyph widths of Computer Modern
(display style; sub- and superscripts at 70 %). The estimate errs on the wide side, so rows
that it accepts fit the page; the notes' tests check that with a real ``pdflatex``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from .latex_width import em, latex_width, raw_width
from .printing import Chain

# The page of the notes: article, 11pt, a4paper, 2.5 cm margins → 455 pt ≈ 41.6 em; the width
# estimate errs wide by about a tenth, which is the margin.
TEXT_WIDTH_EM = 41.5
CONTINUATION_INDENT_EM = 2.0  # \qquad: a continuation starts past the "=" of its row
NESTED_INDENT = r"\quad "  # a continuation inside brackets goes one step further in
LONE_PIECE_EM = 6.0  # a last line this short holding one factor or term takes one more

# ----------------------------------------------------------------------------- breaking


@dataclass(frozen=True)
class _Segment:
    """One piece of a formula at its top level: ``connector`` then ``expr``."""

    connector: str  # "" for the first piece; "+", "-", r"\cdot" or " " (implicit product)
    expr: sp.Expr
    bracket: bool  # print ``expr`` inside \left( \right)


def measure_of(printer: Any) -> Callable[[str], int]:
    """The raw width of what ``printer`` prints: its own ``measure_latex`` when it has one (a
    printer that writes stand-ins for names measures the names), else :func:`raw_width`."""
    return getattr(printer, "measure_latex", None) or raw_width


def break_expr(expr: sp.Expr, printer: Any, width: float,
               first_width: float | None = None) -> list[str]:
    """``expr`` printed by ``printer`` as lines of at most ``width`` em.

    The first line may have its own budget (``first_width``). Every further line starts with
    its operator (``{} + …``, ``{} \\cdot …``) so that it reads as a continuation.
    """
    first = width if first_width is None else first_width
    whole = printer.doprint(expr)
    if em(measure_of(printer)(whole)) <= first:
        return [whole]
    lines = _break(expr, printer, first, width)
    return lines if len(lines) > 1 or lines[0] else [whole]


def _segments(expr: sp.Expr, printer: Any) -> list[_Segment] | None:
    """The top-level pieces of a sum or product, as SymPy's own printer would emit them.

    A printer with a ``segment_cache`` dict keeps them per expression (rows printed from
    one template share their expression).
    """
    cache = getattr(printer, "segment_cache", None)
    if cache is None:
        return _find_segments(expr, printer)
    if expr not in cache:
        cache[expr] = _find_segments(expr, printer)
    return cache[expr]


def _find_segments(expr: sp.Expr, printer: Any) -> list[_Segment] | None:
    if isinstance(expr, sp.Add) and len(expr.args) > 1:
        out = []
        for k, term in enumerate(printer._as_ordered_terms(expr, order=None)):
            coeff = term.as_coeff_mul()[0]
            if term.could_extract_minus_sign() and coeff.is_Rational and coeff.is_negative:
                body, sign = -term, "-"
            else:
                body, sign = term, "+" if k else ""
            out.append(_Segment(sign, body, bool(printer._needs_add_brackets(body))))
        return out
    if isinstance(expr, Chain):
        return [_Segment(r"\cdot" if k else "", f, _chain_brackets(f))
                for k, f in enumerate(expr.factors)]
    if isinstance(expr, sp.Mul) and len(expr.args) > 1:
        if _may_have_denominator(expr):
            num, den = sp.fraction(expr)
            if den != 1:
                coeff, rest = expr.as_coeff_Mul()
                if coeff.is_Rational and not coeff.is_Integer and sp.fraction(rest)[1] == 1:
                    # a number's fraction times a long product, \frac{1}{3} (…): the bar
                    # holds the number only, and the product breaks after it
                    factors = [coeff, *sp.Mul.make_args(rest)]
                    return [_Segment("" if k == 0 else " ", f, k > 0 and isinstance(f, sp.Add))
                            for k, f in enumerate(factors)]
                return _over(num, den, printer)
        args = list(expr.args)
        sign = ""
        if args[0] == sp.S.NegativeOne:
            args, sign = args[1:], "-"
        return [_Segment(sign if k == 0 else " ", f,
                         bool(printer._needs_mul_brackets(f, first=k == 0,
                                                           last=k == len(args) - 1)))
                for k, f in enumerate(args)]
    return None


def _over(num: sp.Expr, den: sp.Expr, printer: Any) -> list[_Segment] | None:
    """A fraction too wide for its line as ``\\frac{1}{den}`` times its numerator, whose sum
    or product then breaks as any other (a fraction bar does not split across lines); None
    when the numerator has no pieces to break between."""
    sign = ""
    if den.could_extract_minus_sign():
        num, den = -num, -den
    if isinstance(num, sp.Mul) and num.could_extract_minus_sign():
        num, sign = -num, "-"
    over = sp.Rational(1, den) if den.is_Integer else sp.Pow(den, -1, evaluate=False)
    if not isinstance(num, (sp.Add, sp.Mul)) or len(num.args) < 2:
        return None
    rest = ([_Segment(" ", num, True)] if isinstance(num, sp.Add)
            else [_Segment(" ", f, bool(printer._needs_mul_brackets(f, first=False,
                                                                     last=k == len(num.args) - 1)))
                  for k, f in enumerate(num.args)])
    return [_Segment(sign, over, False), *rest]


def _may_have_denominator(expr: sp.Mul) -> bool:
    """Whether ``sp.fraction`` may find a denominator in the product ``expr``: only a power,
    an exponential or a fraction among its factors can be one (the test of a 600-factor
    product is then one look at each factor)."""
    return any(a.is_Pow or isinstance(a, sp.exp) or (a.is_Rational and not a.is_Integer)
               for a in expr.args)


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
    measure = measure_of(printer)
    lines: list[str] = []
    current: list[str] = []
    used = 0  # raw width of current
    whole = 0  # how many whole pieces end the last line (0: it ends a piece broken inside)
    budget = first
    for k, seg in enumerate(segs):
        leading_first = k == 0
        piece = _piece(seg, printer, leading=False) if (current or leading_first) else \
            _piece(seg, printer, leading=True)
        piece_width = measure(piece)
        if em(used + piece_width) <= budget:
            current.append(piece)
            used += piece_width
            whole += 1
            continue
        if current and whole == 1 == len(current) and k == 1 and segs[0].expr.is_Rational \
                and _short(current[0], printer):
            # \frac{1}{3} (…) too long: the number starts the bracket's first line
            inner = _break_inside(seg, printer, budget - em(used), width, leading=False)
            lines.extend([current[0] + inner[0], *inner[1:-1]])
            current, used, whole = [inner[-1]], measure(inner[-1]), 0
            budget = width
            continue
        if current:
            alone = _piece(seg, printer, leading=True)
            if em(measure(alone)) > width and em(used) < LONE_PIECE_EM:
                # too wide for any line: it starts on this one rather than leave a short
                # line (``\frac{1}{3}``, ``-``) alone above it
                inner = _break_inside(seg, printer, budget - em(used), width, leading=False)
                lines.extend(["".join(current) + inner[0], *inner[1:-1]])
                current, used, whole = [inner[-1]], measure(inner[-1]), 0
                budget = width
                continue
            lines.append("".join(current))
            budget = width
            piece, piece_width = alone, measure(alone)
            if em(piece_width) <= budget:
                current, used, whole = [piece], piece_width, 1
                continue
        # the piece alone is too wide: break inside it
        inner = _break_inside(seg, printer, budget, width, leading=bool(lines) or k > 0)
        lines.extend(inner[:-1])
        current, used, whole = [inner[-1]], measure(inner[-1]), 0
        budget = width
    lines.append("".join(current))
    lines = [ln for ln in lines if ln]
    if len(lines) > 1 and lines[-1] == "".join(current) and 0 < whole == len(current):
        lines = _not_alone(segs, printer, lines, whole, first, width)
    return lines


def _short(line: str, printer: Any) -> bool:
    """A line too short to stand alone, measured without its leading operator."""
    body = re.sub(r"^\{\} (?:\\cdot|\+|-) ", "", line)
    return em(measure_of(printer)(body)) < LONE_PIECE_EM


def _tail(segs: Sequence[_Segment], printer: Any) -> str:
    """Whole pieces that start a continuation line."""
    return "".join(_piece(s, printer, leading=k == 0) for k, s in enumerate(segs))


def _not_alone(segs: list[_Segment], printer: Any, lines: list[str], whole: int,
               first: float, width: float) -> list[str]:
    """The lines again with a short last line (``· 0.05``, or a factor written by
    juxtaposition, ``· o_{h1}(1 − o_{h1})``) given company: the pieces before it are moved
    down to it one by one while the line before keeps something; when the line before is one
    bracketed sum, that sum is broken so that its last terms come down instead."""
    measure = measure_of(printer)
    n = len(segs)
    while _short(lines[-1], printer) and whole < n:
        seg = segs[n - whole - 1]
        before = lines[-2]
        piece = _piece(seg, printer, leading=False)
        together = _tail(segs[n - whole - 1:], printer)
        if (before.endswith(piece) and len(before) > len(piece)
                and em(measure(together)) <= width):
            lines = [*lines[:-2], before[:-len(piece)], together]
            whole += 1
            continue
        if n - whole == 1 and seg.bracket and isinstance(seg.expr, sp.Add):
            return _open_bracket(seg, segs[1:], printer, lines, first, width)
        break
    return lines


def _open_bracket(seg: _Segment, tail: Sequence[_Segment], printer: Any, lines: list[str],
                  first: float, width: float) -> list[str]:
    """``(a + b) · t`` over two lines with ``t`` short: ``(a`` on the first and ``+ b) · t``
    on the second, when that fits."""
    rest = "".join(_piece(s, printer, leading=False) for s in tail)
    room = em(measure_of(printer)(rest))
    inner = _break_inside(seg, printer, first - room, width - room, leading=False)
    if len(inner) < 2 or em(measure_of(printer)(inner[-1] + rest)) > width:
        return lines
    return [*inner[:-1], inner[-1] + rest]


def _break_inside(seg: _Segment, printer: Any, first: float, width: float, *,
                  leading: bool) -> list[str]:
    conn = seg.connector
    if leading:
        conn = r"{} \cdot" if conn == " " else (f"{{}} {conn}" if conn else "")
    elif conn == " ":
        conn = ""
    prefix = f"{conn} " if conn else ""
    prefix_w = latex_width(prefix) + (0.8 if seg.bracket else 0.0)
    nested = latex_width(NESTED_INDENT) if seg.bracket else 0.0
    inner = _break(seg.expr, printer, max(first - prefix_w, 8.0),
                   max(width - prefix_w - nested, 8.0))
    if seg.bracket:
        if len(inner) == 1:
            inner = [rf"\left({inner[0]}\right)"]
        else:  # the lines inside the brackets are set one step further in
            inner = ([rf"\left({inner[0]}\right."]
                     + [rf"{NESTED_INDENT}\left.{ln}\right." for ln in inner[1:-1]]
                     + [rf"{NESTED_INDENT}\left.{inner[-1]}\right)"])
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
                 width: float = TEXT_WIDTH_EM, pack: bool = False) -> list[str]:
    """Rows (without ``\\\\``) of an ``align*``/``aligned`` block.

    The first row carries ``lhs &= …``; each further step gets ``&= …``; long steps continue
    on ``&\\qquad {} + …`` rows. With ``pack``, a step that fits on the row before it joins
    that row (``x = w·u = 0.5 · 2 = 1`` on one line), as a handout saves space. Continuation
    rows start past the ``=`` of their step.
    """
    measure = measure_of(printer)
    rhs_width = rhs_budget(lhs, width, measure)
    rows: list[str] = []
    packable = False  # the last row holds whole steps and may take another
    for k, step in enumerate(steps):
        tag = rf" \quad {step.tag}" if step.tag else ""
        tag_w = latex_width(tag)
        if step.expr is not None:
            whole = printer.doprint(step.expr)
            if pack and packable and rows and em(measure(
                    f"{rows[-1]} {step.relation} {whole}{tag}")) <= width:
                rows[-1] += f" {step.relation} {whole}{tag}"
                packable = not tag
                continue
            lines = break_expr(step.expr, printer, rhs_width - CONTINUATION_INDENT_EM,
                               first_width=rhs_width - tag_w)
        else:
            lines = [step.latex or ""]
            if pack and packable and rows and em(measure(
                    f"{rows[-1]} {step.relation} {lines[0]}{tag}")) <= width:
                rows[-1] += f" {step.relation} {lines[0]}{tag}"
                packable = not tag
                continue
        head = f"{lhs} " if (k == 0 and lhs) else ""
        rows.append(f"{head}&{step.relation} {lines[0]}{tag if len(lines) == 1 else ''}")
        for j, ln in enumerate(lines[1:], start=1):
            rows.append(rf"&\qquad {ln}{tag if j == len(lines) - 1 else ''}")
        packable = len(lines) == 1 and not tag
    return rows


def rhs_budget(lhs: str | None, width: float,
               measure: Callable[[str], int] = raw_width) -> float:
    """The width in em left for the right-hand side of ``lhs &= …`` in an aligned block."""
    lhs_w = em(measure(lhs)) if lhs else 0.0
    rel_w = 1.5  # "= " at the alignment point
    return width - lhs_w - rel_w


def align_block(rows: Sequence[str], env: str = "align*") -> str:
    """Rows joined into one environment."""
    return f"\\begin{{{env}}}\n" + " \\\\\n".join(rows) + f"\n\\end{{{env}}}"


def break_rows(rows: Sequence[str]) -> list[str]:
    """Rows of an ``align*`` block given as ready LaTeX (kept as they are)."""
    return list(rows)


# ----------------------------------------------------------------------------- documents

# The preamble of every LaTeX document the tool writes (notes, standalone derivations).
PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{textcomp}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{longtable}
\usepackage{tikz}
\usepackage{adjustbox}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
"""


# ----------------------------------------------------------------------------- text


_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
_TEXT_UNICODE = {
    "→": r"$\to$", "←": r"$\leftarrow$", "…": r"\ldots{}", "Σ": r"$\Sigma$", "−": "-",
    "∂": r"$\partial$", "δ": r"$\delta$", "σ": r"$\sigma$", "α": r"$\alpha$", "·": r"$\cdot$",
    "×": r"$\times$", "≈": r"$\approx$", "≤": r"$\le$", "≥": r"$\ge$", "½": r"$\frac12$",
    "’": "'", "‘": "`", "“": "``", "”": "''", "–": "--", "—": "---", "⊙": r"$\odot$",
    "²": r"\textsuperscript{2}", "ℓ": r"$\ell$", "θ": r"$\theta$", "η": r"$\eta$",
    "ε": r"$\varepsilon$", "γ": r"$\gamma$", "∇": r"$\nabla$", "ᵀ": r"\textsuperscript{T}",
    "∗": r"$\ast$", "°": r"\textdegree{}", "′": "'", "∈": r"$\in$", "τ": r"$\tau$",
}


# accents as TeX writes them (the T1 fonts have every accented Latin letter): é is \'{e}
_ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=",
            "\u0306": "u", "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H",
            "\u030c": "v", "\u0327": "c", "\u0328": "k"}
_LETTERS = {"ß": r"\ss{}", "æ": r"\ae{}", "Æ": r"\AE{}", "ø": r"\o{}", "Ø": r"\O{}",
            "œ": r"\oe{}", "Œ": r"\OE{}", "ł": r"\l{}", "Ł": r"\L{}", "ı": r"\i{}"}
_OPENING = " \t\n([{/-"  # a quote after one of these opens a quotation


def _accented(ch: str) -> str | None:
    """An accented Latin letter as TeX accents (``\\'{e}``), or None."""
    base, *marks = unicodedata.normalize("NFD", ch)
    if not (base.isascii() and base.isalpha()) or not marks or any(
            m not in _ACCENTS for m in marks):
        return None
    out = base
    for m in marks:
        out = f"\\{_ACCENTS[m]}{{{out}}}"
    return out


def escape_text(value: str) -> str:
    """Plain text (a spec's title or description) as LaTeX text that pdflatex accepts, with
    quotation marks that open and close ('…' as `…', "…" as ``…'') and accented letters.

    >>> escape_text("in_{h1} → 50%")
    'in\\\\_\\\\{h1\\\\} $\\\\to$ 50\\\\%'
    """
    out = []
    for k, ch in enumerate(value):
        opens = k > 0 and value[k - 1] in _OPENING
        if ch in _TEXT_ESCAPES:
            out.append(_TEXT_ESCAPES[ch])
        elif ch in _TEXT_UNICODE:
            out.append(_TEXT_UNICODE[ch])
        elif ch == "'":
            out.append("`" if opens else "'")
        elif ch == '"':
            out.append("``" if opens or k == 0 else "''")
        elif not ch.isprintable():
            out.append(" ")  # a line break or control character: a blank line would be \par
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append(_LETTERS.get(ch) or _accented(ch) or "?")
    return "".join(out)
