"""The lecture notes as a Quarto deck (``.qmd``) that Quarto turns into reveal.js or beamer.

The slides are :func:`symbackprop.notes.slides.slides`: a ``#`` heading per section, a
``##`` heading per slide, the maths in ``$…$`` and ``$$…$$``, the network as a Mermaid
diagram. Text from the spec is inert: every character with a meaning is backslash-escaped
(no Markdown, HTML, citation ``@key``, attribute ``{…}`` or shortcode ``{{< >}}`` form
works), and no formula holds ``{{``, which could open a shortcode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from ..network.build import Network
from ..render.escape import one_line
from .document import Figure, Math, Notes, Para, Table
from .slides import Part, Rows, Section, slides

_SPECIAL = frozenset("\\`*_[]<>|$~&{}@#^")  # Markdown, HTML, math, citations, attributes
_LINE_START = re.compile(r"^(\s*)([:#+\-=>(%!]|\d+[.)])")  # a list, div, heading, …


def quarto_text(text: str) -> str:
    """Text that Pandoc's Markdown and Quarto show as written: one line, every character
    that Markdown, HTML, ``$`` math, citations, attributes or shortcodes read
    backslash-escaped, and nothing at its start that could begin a block.

    >>> quarto_text("1. {{< include x >}} @key")
    '1\\\\. \\\\{\\\\{\\\\< include x \\\\>\\\\}\\\\} \\\\@key'
    """
    out = "".join(f"\\{ch}" if ch in _SPECIAL else ch for ch in one_line(text))
    m = _LINE_START.match(out)
    if m:
        out = out[:m.end() - 1] + "\\" + out[m.end() - 1:]
    return out


def quarto_math(tex: str) -> str:
    """TeX for ``$…$``: on one line, and with ``{{`` spaced (``{ {``, the same to TeX) so
    that no formula can read as a Quarto shortcode."""
    out = one_line(tex)
    while "{{" in out or "}}" in out:
        out = out.replace("{{", "{ {").replace("}}", "} }")
    return out


def _inline(parts: Sequence[str | Math]) -> str:
    return "".join(f"${quarto_math(p.latex)}$" if isinstance(p, Math) else quarto_text(p)
                   for p in parts)


def _part(p: Part) -> list[str]:
    if isinstance(p, Rows):
        return ["$$", "\\begin{aligned}",
                " \\\\\n".join(quarto_math(r) for r in p.rows), "\\end{aligned}", "$$"]
    if isinstance(p, Para):
        return [_inline(p.parts)]
    if isinstance(p, Figure) and not p.mermaid:
        return [_inline((p.caption,))]  # a picture Mermaid cannot draw: its words
    if isinstance(p, Figure):
        return ["```{mermaid}", p.mermaid, "```", "", _inline((p.caption,))]
    assert isinstance(p, Table)
    out = ["| " + " | ".join(_inline([c]) for c in p.header) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(p.header) - 1)) + "|"]
    out += ["| " + " | ".join(_inline([c]) for c in row) + " |" for row in p.rows]
    if p.caption:
        out += ["", _inline((p.caption,))]
    return out


def notes_quarto(notes: Notes, net: Network | None = None) -> str:
    """The notes as a ``.qmd`` deck for reveal.js (``quarto render --to beamer`` also
    works); ``net`` (the notes' network) gives each δ and each gradient a slide."""
    # the title is Markdown too; a YAML double-quoted string is a JSON string
    title = json.dumps(quarto_text(notes.title))
    out = ["---", f"title: {title}", "format:", "  revealjs:", "    slide-number: true",
           "    scrollable: true", "  beamer:", "    aspectratio: 169", "---", ""]
    for s in slides(notes, net):
        if isinstance(s, Section):
            out += [f"# {quarto_text(s.title)}", ""]
            continue
        out += [f"## {_inline(s.title)}", ""]
        for p in s.parts:
            out += [*_part(p), ""]
    return "\n".join(out).rstrip() + "\n"
