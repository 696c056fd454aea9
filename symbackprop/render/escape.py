"""Escaping for every output format: what a spec writes is shown, never obeyed.

Free text from a spec (title, description, source) and names reach LaTeX comments, Markdown,
Mermaid, Graphviz DOT and JSON; each function here makes text inert in one of them. (LaTeX
body text is :func:`symbackprop.render.latex.escape_text`; Python literals are made by the
code generator; TeX a spec supplies is vetted when the spec is read.)

>>> latex_comment("Title\\n\\\\input{/etc/passwd}")
'Title \\\\input{/etc/passwd}'
>>> markdown_text("# *not* a heading <b>")
'\\\\# \\\\*not\\\\* a heading \\\\<b\\\\>'
>>> dot_string('say "hi"\\\\n')
'"say \\\\"hi\\\\"\\\\\\\\n"'
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN_SPECIAL = set("\\`*_[]<>|$~&")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def one_line(text: str) -> str:
    """``text`` with every line break and other control character made a space."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def latex_comment(text: str) -> str:
    """Text for after ``%`` in LaTeX: one line, so nothing escapes the comment."""
    return one_line(text)


def markdown_text(text: str) -> str:
    """Inline Markdown that shows ``text`` literally: one line, with every character that
    Markdown, HTML or ``$`` math would interpret backslash-escaped, and nothing at its start
    that could begin a heading, list or quote."""
    escaped = "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in one_line(text))
    m = _MARKDOWN_LINE_START.match(escaped)
    if m:
        lead, mark = m.group(1), m.group(2)
        escaped = lead + mark[:-1] + "\\" + mark[-1] + escaped[m.end():]
    return escaped


def markdown_paragraphs(text: str) -> list[str]:
    """``text`` as Markdown paragraphs (blank lines separate them; other line breaks join)."""
    blocks = re.split(r"\n\s*\n", text.strip())
    return [markdown_text(" ".join(b.split("\n"))) for b in blocks if b.strip()]


def markdown_cell(text: str) -> str:
    """A table cell: any ``|`` escaped so that it cannot start a new column."""
    return re.sub(r"(?<!\\)\|", r"\\|", one_line(text))


_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "<": "#lt;", ">": "#gt;", "`": "#96;",
                     "&": "#amp;"}


def mermaid_label(text: str) -> str:
    """A quoted Mermaid label (``"…"``) that shows ``text`` literally."""
    return '"' + "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in one_line(text)) + '"'


def mermaid_html(markup: str) -> str:
    """A quoted Mermaid label holding ``markup``, HTML made by the tool (names with
    ``<sub>``/``<sup>``, everything from a spec already escaped): only the characters that
    would end the label or start one of Mermaid's entities are escaped."""
    return '"' + "".join({'"': "#quot;", "#": "#35;", "`": "#96;"}.get(ch, ch)
                         for ch in one_line(markup)) + '"'


def dot_string(text: str) -> str:
    """A quoted Graphviz string: backslashes and quotes escaped, line breaks as ``\\n``."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif not ch.isprintable():
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def finite_or_none(data: Any) -> Any:
    """``data`` with every NaN or infinite float replaced by ``None`` (JSON has no NaN)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_or_none(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_or_none(v) for v in data]
    return data


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """Strict JSON (RFC 8259): a number that is not finite is written as ``null``."""
    return json.dumps(finite_or_none(data), indent=indent, ensure_ascii=False,
                      allow_nan=False) + "\n"


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell that a spreadsheet shows as text: one starting with ``=``, ``+``, ``-``,
    ``@`` or a tab would be run as a formula, so it gets a leading ``'``."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def terminal_safe(text: str) -> str:
    """Text for a terminal or a file: control characters other than line breaks and tabs
    (escape sequences could move the cursor, retitle the window or hide lines) become ``?``,
    and a lone surrogate (which no UTF-8 file can hold) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("?", text))
