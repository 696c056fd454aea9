"""Lecture notes: a document model, and its LaTeX and Markdown renderings.

The notes are a list of blocks (headings, paragraphs, aligned equations, a figure, tables)
assembled by :mod:`symbackprop.notes.sections`; this module only formats them. The LaTeX
document needs nothing beyond a standard TeX Live (Latin Modern in T1 encoding, amsmath,
amssymb, geometry, TikZ, adjustbox, booktabs); the Markdown uses ``$…$``/``$$…$$`` math as
GitHub and Jupyter render it.

>>> doc = build_notes(net, grads)  # from symbackprop.notes.sections; doctest: +SKIP
>>> notes_latex(doc).startswith("\\\\documentclass")  # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..render.escape import markdown_cell, markdown_text
from ..render.latex import PREAMBLE, escape_text


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

    An ``unbreakable`` block stays on one page (a short block that reads as one piece); one
    that keeps ``with_next`` shares its page with the unbreakable block after it (the shapes
    of the matrix form and its equations)."""

    rows: tuple[str, ...]
    unbreakable: bool = False
    with_next: bool = False


@dataclass(frozen=True)
class Figure:
    tikz: str
    mermaid: str
    caption: str


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


def _one_display(blocks: Sequence[Equations]) -> str:
    """Aligned blocks stacked in one display, which TeX never breaks across pages."""
    return "\\[\n\\begin{gathered}\n" + " \\\\[2\\jot]\n".join(
        "\\begin{aligned}\n" + " \\\\\n".join(b.rows) + "\n\\end{aligned}"
        for b in blocks) + "\n\\end{gathered}\n\\]"


def notes_latex(notes: Notes) -> str:
    """The notes as a complete LaTeX document."""
    out = [PREAMBLE, "\\begin{document}",
           f"\\begin{{center}}\\Large\\bfseries {escape_text(notes.title)}\\end{{center}}", ""]
    kept: list[Equations] = []  # unbreakable blocks kept on one page: one display
    for b in notes.blocks:
        if kept and not (isinstance(b, Equations) and b.unbreakable):
            out += [_one_display(kept), ""]
            kept = []
        if isinstance(b, Equations) and b.unbreakable and (b.with_next or kept):
            kept.append(b)
            if b.with_next:
                continue
            out.append(_one_display(kept))
            kept = []
        elif isinstance(b, Heading):
            cmd = "section*" if b.level == 1 else "subsection*"
            out.append(f"\\{cmd}{{{escape_text(b.text)}}}")
        elif isinstance(b, Para) and b.into:
            out.append(_inline_latex(b.parts))  # no blank line: the display ends it
            continue
        elif isinstance(b, Para):
            out.append(_inline_latex(b.parts) + "\n")
        elif isinstance(b, Equations) and b.unbreakable:
            out.append("\\[\n\\begin{aligned}\n" + " \\\\\n".join(b.rows)
                       + "\n\\end{aligned}\n\\]")
        elif isinstance(b, Equations):
            out.append("\\begin{align*}\n" + " \\\\\n".join(b.rows) + "\n\\end{align*}")
        elif isinstance(b, Figure):
            out.append("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth}\n"
                       f"{b.tikz}\n\\end{{adjustbox}}\n\n"
                       f"\\small {escape_text(b.caption)}\n\\end{{center}}")
        elif isinstance(b, Table):
            cols = "l" + "r" * (len(b.header) - 1)
            body = [" & ".join(_inline_latex([c]) for c in b.header) + r" \\ \midrule"]
            body += [" & ".join(_inline_latex([c]) for c in row) + r" \\" for row in b.rows]
            caption = f"\n\n\\small {escape_text(b.caption)}" if b.caption else ""
            out.append("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth}\n"
                       f"\\begin{{tabular}}{{{cols}}}\n\\toprule\n" + "\n".join(body)
                       + "\n\\bottomrule\n\\end{tabular}\n\\end{adjustbox}" + caption
                       + "\n\\end{center}")
        out.append("")
    if kept:
        out += [_one_display(kept), ""]
    out.append("\\end{document}")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- Markdown


def _inline_md(parts: Sequence[str | Math]) -> str:
    return "".join(f"${p.latex}$" if isinstance(p, Math) else markdown_text(p) for p in parts)


def _cell_md(part: str | Math) -> str:
    return markdown_cell(_inline_md([part]))


def notes_markdown(notes: Notes) -> str:
    """The notes as Markdown with ``$…$`` and ``$$…$$`` math."""
    out = [f"# {markdown_text(notes.title)}", ""]
    for b in notes.blocks:
        if isinstance(b, Heading):
            out.append(("## " if b.level == 1 else "### ") + markdown_text(b.text))
        elif isinstance(b, Para):
            out.append(_inline_md(b.parts))
        elif isinstance(b, Equations):
            out += ["$$", "\\begin{aligned}", " \\\\\n".join(b.rows), "\\end{aligned}", "$$"]
        elif isinstance(b, Figure):
            out += ["```mermaid", b.mermaid, "```", "", f"*{markdown_text(b.caption)}*"]
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
