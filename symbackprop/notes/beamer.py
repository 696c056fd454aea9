"""The lecture notes as beamer slides (LaTeX, compiled by pdflatex), one idea a frame.

The frames are :func:`symbackprop.notes.slides.slides`. They are 16:9 at 10 pt, whose text
width holds a row of the notes (broken to 40 em); every display, picture and table is also
capped at the frame's width and height, so nothing runs off a frame. The TeX is the notes'
own: text from the spec is escaped, every formula is vetted or printed by the tool.

>>> notes_beamer(build_notes(net, derive(net)), net)[:15]  # doctest: +SKIP
'\\\\documentclass'
"""

from __future__ import annotations

from collections.abc import Sequence

from ..network.build import Network
from ..render.latex import escape_text
from .document import Figure, Math, Notes, Para, Table
from .slides import Part, Rows, Section, para_length, slides

PREAMBLE = r"""\documentclass[10pt,aspectratio=169]{beamer}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{textcomp}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{tikz}
\usepackage{adjustbox}
\usefonttheme[onlymath]{serif}
\setbeamertemplate{navigation symbols}{}
\setbeamersize{text margin left=6mm, text margin right=6mm}
"""

SMALL_PARA = 300  # characters: a longer paragraph is set small


def _inline(parts: Sequence[str | Math]) -> str:
    return "".join(f"${p.latex}$" if isinstance(p, Math) else escape_text(p) for p in parts)


def _part(p: Part) -> str:
    if isinstance(p, Rows):
        return ("\\begin{adjustbox}{max width=\\linewidth, max totalheight=0.78\\textheight, "
                "center}\n$\\displaystyle\\begin{aligned}\n" + " \\\\\n".join(p.rows)
                + "\n\\end{aligned}$\n\\end{adjustbox}")
    if isinstance(p, Para):
        size = "\\small " if para_length(p) > SMALL_PARA else ""
        return f"{{{size}{_inline(p.parts)}\\par}}\\medskip"
    if isinstance(p, Figure):
        return ("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth, "
                f"max totalheight=0.72\\textheight}}\n{p.tikz}\n\\end{{adjustbox}}\n\n"
                f"{{\\footnotesize {escape_text(p.caption)}\\par}}\n\\end{{center}}")
    assert isinstance(p, Table)
    cols = "l" + "r" * (len(p.header) - 1)
    body = [" & ".join(_inline([c]) for c in p.header) + r" \\ \midrule"]
    body += [" & ".join(_inline([c]) for c in row) + r" \\" for row in p.rows]
    caption = f"\n{{\\footnotesize {escape_text(p.caption)}\\par}}" if p.caption else ""
    return ("\\begin{center}\n\\begin{adjustbox}{max width=\\linewidth, "
            "max totalheight=0.66\\textheight}\n"
            f"\\begin{{tabular}}{{{cols}}}\n\\toprule\n" + "\n".join(body)
            + "\n\\bottomrule\n\\end{tabular}\n\\end{adjustbox}" + caption + "\n\\end{center}")


def notes_beamer(notes: Notes, net: Network | None = None) -> str:
    """The notes as a beamer document; ``net`` (the notes' network) gives each δ and each
    gradient a frame of its own."""
    out = [PREAMBLE, f"\\title{{{escape_text(notes.title)}}}", "\\date{}",
           "\\begin{document}", "\\begin{frame}\n\\titlepage\n\\end{frame}", ""]
    for s in slides(notes, net):
        if isinstance(s, Section):
            out.append(f"\\section{{{escape_text(s.title)}}}")
            continue
        # the title as \frametitle: a brace group after \begin{frame}{…} is a subtitle
        out += ["\\begin{frame}", f"\\frametitle{{{_inline(s.title)}}}",
                *map(_part, s.parts), "\\end{frame}", ""]
    out.append("\\end{document}")
    return "\n".join(out) + "\n"
