"""Lecture notes: a document model, and its LaTeX and Markdown renderings.

The notes are a list of blocks (headings, paragraphs, aligned equations, a figure, tables)
assembled by :mod:`symbackprop.notes.sections`; this module only formats them. The LaTeX
document needs nothing beyond a standard TeX Live (Latin Modern in T1 encoding, amsmath,
amssymb, geometry, TikZ, adjustbox, booktabs, longtable); the Markdown uses ``$…$`` and
``$$…$$`` math as GitHub and Jupyter render it.

>>> doc = build_notes(net, grads)  # from symbackprop.notes.sections; doctest: +SKIP
>>> notes_latex(doc).startswith("\\\\documentclass")  # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..render.escape import markdown_cell, markdown_text
from ..render.latex import PREAMBLE, TEXT_WIDTH_EM, escape_text, latex_width


@dataclass(frozen=True)
class Math:
    """Inline math, written as LaTeX."""

    latex: str


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 section, 2 subsection


@dataclass(frozen=True)
class Para:
    """A paragraph; one that leads into a display stays on the display's page (``into``)."""

    parts: tuple[str | Math, ...]
    into: bool = False


@dataclass(frozen=True)
class Equations:
    """Rows of an aligned block (``lhs &= …``), already broken to the page width.

    In LaTeX a section's blocks are set as one display aligned on ``=``, which a page breaks
    only between equations or between the steps of a long one; a block that keeps
    ``with_next`` is not parted from the block after it (the shapes of the matrix form and
    its equations). ``unbreakable`` marks a block that reads as one piece. A ``compact``
    block of one-line results (``lhs &= rhs`` each) whose every row fits half the line is set
    in a display of its own, in two columns read down the first and then the second."""

    rows: tuple[str, ...]
    unbreakable: bool = False
    with_next: bool = False
    compact: bool = False  # one-line results, set two to a line when each fits half of one


@dataclass(frozen=True)
class Figure:
    """A TikZ picture; ``mermaid`` draws it in Markdown ("" where Mermaid has no such
    picture), and the web page draws the figure of the ``network`` as SVG."""

    tikz: str
    mermaid: str
    caption: str
    network: bool = True  # the network's units and weights, not a picture of one layer


@dataclass(frozen=True)
class Table:
    header: tuple[str | Math, ...]
    rows: tuple[tuple[str | Math, ...], ...]
    caption: str = ""


Block = Heading | Para | Equations | Figure | Table


@dataclass
class Notes:
    title: str
    blocks: list[Block] = field(default_factory=list)


# ----------------------------------------------------------------------------- LaTeX


def _inline_latex(parts: Sequence[str | Math]) -> str:
    return "".join(f"${p.latex}$" if isinstance(p, Math) else escape_text(p) for p in parts)


def _kind(row: str) -> str:
    """``lhs`` for a row that starts an equation, ``cont`` for a continuation of a step,
    ``step`` for a further ``&= …`` step."""
    stripped = row.lstrip()
    if not stripped.startswith("&"):
        return "lhs"
    return "cont" if stripped.startswith((r"&\qquad", r"&\quad")) else "step"


SHORT_TABLE = 12  # rows a table keeps on one page; a longer one may break
KEEP_WHOLE = 6  # an equation of at most this many rows is never split across pages
LONG_STEP = 12  # a step of more rows may break inside, keeping 4 rows on either side


def _joins(rows: Sequence[str]) -> list[str]:
    """What ends each row but the last: ``\\`` where a page may break, ``\\*`` where it
    may not. A page breaks only between equations, or between two steps of a long one
    (never before its last step or inside a step), and a little space parts two equations
    when the one before took more than a row."""
    starts = [k for k, r in enumerate(rows) if _kind(r) == "lhs" or k == 0]
    ends = [*starts[1:], len(rows)]
    length = {k: end - start for start, end in zip(starts, ends, strict=True)
              for k in range(start, end)}
    first = {k: start for start, end in zip(starts, ends, strict=True) for k in range(start, end)}
    last_step = {start: max((k for k in range(start, end) if _kind(rows[k]) != "cont"),
                            default=start) for start, end in zip(starts, ends, strict=True)}
    steps = [k for k, r in enumerate(rows) if k == 0 or _kind(r) != "cont"]
    step_end = {j: end for j, end in zip(steps, [*steps[1:], len(rows)], strict=True)}
    step_of = {k: j for j in steps for k in range(j, step_end[j])}
    joins = []
    for k in range(1, len(rows)):
        start = first[k]
        step = step_of[k]
        if k == start:
            joins.append(r" \\[0.8ex]" if length[first[k - 1]] > 1 else r" \\")
        elif (_kind(rows[k]) == "step" and length[start] > KEEP_WHOLE and k - start >= 2
              and k != last_step[start]):
            joins.append(r" \\")
        elif step_end[step] - step > LONG_STEP and k - step >= 4 and step_end[step] - k >= 4:
            joins.append(r" \\")  # a step taller than a good part of a page
        else:
            joins.append(r" \\*")
    return joins


HALF_LINE_EM = (TEXT_WIDTH_EM - 2.0) / 2  # a row of one column of two, \qquad apart


def two_columns(b: Equations) -> bool:
    """Whether ``b`` is set in two columns: one-line results, each within half a line."""
    return (b.compact and len(b.rows) >= 4
            and all(r.count("&") == 1 and not r.lstrip().startswith("&") for r in b.rows)
            and all(latex_width(r) <= HALF_LINE_EM for r in b.rows))


def _two_column_display(b: Equations) -> str:
    """``a &= 1 & c &= 3 \\ b &= 2 & d &= 4``: the rows read down the first column, then
    the second, each column aligned on its ``=``."""
    half = -(-len(b.rows) // 2)
    left, right = b.rows[:half], b.rows[half:]
    rows = [f"{a} & {c}" for a, c in zip(left, right, strict=False)]
    rows += left[len(right):]
    join = " \\\\*\n" if len(rows) <= KEEP_WHOLE else " \\\\\n"  # a short one stays whole
    return "\\begin{align*}\n" + join.join(rows) + "\n\\end{align*}"


def _displays(run: Sequence[Para | Equations]) -> str:
    """A section's equations as displays aligned on their ``=``: one ``align*`` from the
    first equations to the last, parted only where one-line results go two to a line (a
    block kept with those results shares a box with them that no page parts)."""
    out: list[str] = []
    current: list[Para | Equations] = []

    def flush() -> None:
        paras: list[Para] = []
        while current and isinstance(current[-1], Para):
            paras.insert(0, current.pop())  # type: ignore[arg-type]
        while current and isinstance(current[0], Para):
            out.append(_inline_latex(current.pop(0).parts))
        if current:
            out.append(_display(current))
        out.extend(_inline_latex(p.parts) for p in paras)
        current.clear()

    for b in run:
        if isinstance(b, Equations) and two_columns(b):
            kept = current.pop() if (current and isinstance(current[-1], Equations)
                                     and current[-1].with_next) else None
            flush()
            if kept is None:
                out.append(_two_column_display(b))
            else:  # two displays that stay together: a box no page breaks
                out.append("\\par\\nopagebreak\\noindent\\begin{minipage}{\\linewidth}\n"
                           + _display([kept]) + "\n" + _two_column_display(b)
                           + "\n\\end{minipage}\\par")
        else:
            current.append(b)
    flush()
    return "\n".join(out)


def _display(run: Sequence[Para | Equations]) -> str:
    """A section's equations as one ``align*`` aligned on their ``=``, with the paragraphs
    between them as ``\\intertext``."""
    rows: list[str] = []
    joins: list[str] = []
    pending: list[Para] = []
    keep = False  # the block before stays with this one
    for b in run:
        if isinstance(b, Para):
            pending.append(b)
            continue
        if not b.rows:
            continue  # nothing to set (a derivation with no rows)
        if rows:
            text = "\\endgraf ".join(_inline_latex(p.parts) for p in pending)
            joins.append((r" \\*" if keep else r" \\")
                         + (f"\n\\intertext{{{text}}}" if text else "[0.8ex]"))
        pending = []
        rows += b.rows
        joins += _joins(b.rows)
        keep = b.with_next
    body = rows[0] + "".join(j + "\n" + r for j, r in zip(joins, rows[1:], strict=True))
    return "\\begin{align*}\n" + body + "\n\\end{align*}"


def _runs(blocks: Sequence[Block]) -> list[Block | list[Para | Equations]]:
    """The blocks with each run of equations and the paragraphs between them gathered, from
    the first equations of a stretch to its last."""
    out: list[Block | list[Para | Equations]] = []
    run: list[Para | Equations] = []

    def flush() -> None:
        while run and isinstance(run[-1], Para):
            trailing.insert(0, run.pop())
        if run:
            out.append(list(run))
        out.extend(trailing)
        run.clear()
        trailing.clear()

    trailing: list[Block] = []
    for b in blocks:
        if isinstance(b, Equations) or (run and isinstance(b, Para)):
            run.append(b)
        else:
            flush()
            out.append(b)
    flush()
    return out


def notes_latex(notes: Notes) -> str:
    """The notes as a complete LaTeX document."""
    out = [PREAMBLE, "\\begin{document}",
           f"\\begin{{center}}\\Large\\bfseries {escape_text(notes.title)}\\end{{center}}", ""]
    for b in _runs(notes.blocks):
        if isinstance(b, list):
            out.append(_displays(b))
        elif isinstance(b, Heading):
            cmd = "section*" if b.level == 1 else "subsection*"
            out.append(f"\\{cmd}{{{escape_text(b.text)}}}")
        elif isinstance(b, Para) and b.into:
            out.append(_inline_latex(b.parts))  # no blank line: the display ends it
            continue
        elif isinstance(b, Para):
            out.append(_inline_latex(b.parts) + "\n")
        elif isinstance(b, Figure):
            out.append("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth}\n"
                       f"{b.tikz}\n\\end{{adjustbox}}\n\n"
                       f"\\small {escape_text(b.caption)}\n\\end{{center}}")
        elif isinstance(b, Table):
            cols = "l" + "r" * (len(b.header) - 1)
            body = [" & ".join(_inline_latex([c]) for c in b.header) + r" \\ \midrule"]
            body += [" & ".join(_inline_latex([c]) for c in row) + r" \\" for row in b.rows]
            caption = f"\n\n\\small {escape_text(b.caption)}" if b.caption else ""
            if len(b.rows) > SHORT_TABLE:  # a long table may go on over the page
                out.append("{\\small\n" + f"\\begin{{longtable}}{{{cols}}}\n\\toprule\n"
                           + body[0] + "\n\\endhead\n" + "\n".join(body[1:])
                           + "\n\\bottomrule\n\\end{longtable}}" + caption)
                out.append("")
                continue
            out.append("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth}\n"
                       f"\\begin{{tabular}}{{{cols}}}\n\\toprule\n" + "\n".join(body)
                       + "\n\\bottomrule\n\\end{tabular}\n\\end{adjustbox}" + caption
                       + "\n\\end{center}")
        out.append("")
    out.append("\\end{document}")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- Markdown


def _inline_md(parts: Sequence[str | Math]) -> str:
    return "".join(f"${p.latex}$" if isinstance(p, Math) else markdown_text(p) for p in parts)


def _cell_md(part: str | Math) -> str:
    return markdown_cell(_inline_md([part]))


def _aligned_md(run: Sequence[Equations]) -> list[str]:
    """Equations that follow one another as one ``aligned`` block, aligned on their ``=``.

    Markdown's maths (GitHub's and Jupyter's MathJax, KaTeX) has no ``\\intertext``, so a
    paragraph between equations ends the block; the equations of one stretch share it, with
    a little space between two equations where the one before took more than a row."""
    rows: list[str] = []
    joins: list[str] = []
    for b in run:
        if not b.rows:
            continue
        if rows:
            joins.append(r" \\[0.8ex]")
        rows += b.rows
        joins += _joins(b.rows)
    joins = [j.replace(r"\\*", r"\\") for j in joins]  # MathJax and KaTeX have no \\*
    body = rows[0] + "".join(j + "\n" + r for j, r in zip(joins, rows[1:], strict=True))
    return ["$$", "\\begin{aligned}", body, "\\end{aligned}", "$$"]


def notes_markdown(notes: Notes) -> str:
    """The notes as Markdown with ``$…$`` and ``$$…$$`` math."""
    out = [f"# {markdown_text(notes.title)}", ""]
    blocks: list[Block | list[Equations]] = []
    for b in notes.blocks:
        if isinstance(b, Equations) and blocks and isinstance(blocks[-1], list):
            blocks[-1].append(b)
        else:
            blocks.append([b] if isinstance(b, Equations) else b)
    for b in blocks:
        if isinstance(b, list):
            out += _aligned_md(b)
        elif isinstance(b, Heading):
            out.append(("## " if b.level == 1 else "### ") + markdown_text(b.text))
        elif isinstance(b, Para):
            out.append(_inline_md(b.parts))
        elif isinstance(b, Figure) and b.mermaid:
            out += ["```mermaid", b.mermaid, "```", "", f"*{markdown_text(b.caption)}*"]
        elif isinstance(b, Figure):
            continue  # a picture Mermaid cannot draw: the equations say the same
        elif isinstance(b, Table):
            out.append("| " + " | ".join(_cell_md(c) for c in b.header) + " |")
            out.append("|" + "|".join(["---"] + ["---:"] * (len(b.header) - 1)) + "|")
            out += ["| " + " | ".join(_cell_md(c) for c in row) + " |" for row in b.rows]
            if b.caption:
                out += ["", f"*{markdown_text(b.caption)}*"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_notes(notes: Notes, fmt: str) -> str:
    return notes_markdown(notes) if fmt == "markdown" else notes_latex(notes)
