"""Escaping for each output format: hostile text comes out inert."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.render.escape import (
    dot_string,
    json_text,
    latex_comment,
    markdown_cell,
    markdown_paragraphs,
    markdown_text,
    mermaid_label,
    spreadsheet_safe,
    terminal_safe,
)
from symbackprop.render.latex import escape_text

PIECES = [*"ab \\\"'`*_[]<>|$~&#%{}^-+=.!()\n\r\t\x0b\x0c\x1b", "\u2028", "\u2029", "\x85",
          "θ", "1."]
HOSTILE = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@given(HOSTILE)
def test_a_latex_comment_stays_one_line(text: str) -> None:
    comment = "% " + latex_comment(text)
    assert len(comment.splitlines()) == 1 and all(ch.isprintable() for ch in comment)


@given(HOSTILE)
def test_latex_text_has_no_active_character_left(text: str) -> None:
    out = escape_text(text)
    assert all(ch.isprintable() for ch in out)
    # every special character is preceded by a backslash or replaced
    for ch in "%&#_":
        assert out.count(ch) == out.count("\\" + ch)


@given(HOSTILE)
def test_markdown_text_is_one_inert_line(text: str) -> None:
    out = markdown_text(text)
    assert "\n" not in out and "\r" not in out
    k = 0
    while k < len(out):  # every Markdown/HTML/math character is escaped
        if out[k] == "\\":
            k += 2
            continue
        assert out[k] not in "`*_[]<>|$~&"
        k += 1
    assert not out.lstrip().startswith(("#", "-", "+", "=", ">"))


def test_markdown_escapes_the_start_of_a_line() -> None:
    assert markdown_text("1. item") == "1\\. item"
    assert markdown_text("- item") == "\\- item"
    assert markdown_text("## heading\n## other") == "\\## heading ## other"
    assert markdown_paragraphs("one\ntwo\n\n# three") == ["one two", "\\# three"]
    assert markdown_cell("a | b \\| c") == "a \\| b \\| c"


def test_mermaid_label_is_quoted_without_quotes_inside() -> None:
    label = mermaid_label('a"]-->b\n#x<y>`')
    assert label == '"a#quot;]--#gt;b #35;x#lt;y#gt;#96;"'
    assert label.count('"') == 2


@given(HOSTILE)
def test_dot_strings_parse_with_graphviz(text: str) -> None:
    quoted = dot_string(text)
    # inside the quotes every quote is escaped by a backslash that is not itself escaped
    body = quoted[1:-1]
    k = 0
    while k < len(body):
        if body[k] == "\\":
            k += 2
            continue
        assert body[k] != '"' and body[k].isprintable()
        k += 1


def test_dot_strings_keep_a_graph_whole() -> None:
    if shutil.which("dot") is None:
        pytest.skip("graphviz is not installed")
    names = ['a"b', "c\\", 'x"]; evil [label="pwned"', "node", "edge", "line\nbreak", "\\N"]
    lines = ["digraph g {"] + [f"  {dot_string(n)} [label={dot_string(n)}];" for n in names]
    lines.append(f"  {dot_string(names[0])} -> {dot_string(names[1])};")
    lines.append("}")
    done = subprocess.run(["dot", "-Tplain"], input="\n".join(lines), capture_output=True,
                          text=True, check=True)
    nodes = [ln for ln in done.stdout.splitlines() if ln.startswith("node ")]
    edges = [ln for ln in done.stdout.splitlines() if ln.startswith("edge ")]
    assert len(nodes) == len(names) and len(edges) == 1
    assert "pwned" not in "".join(ln.split()[6] for ln in nodes)


def test_json_is_strict_even_for_non_finite_numbers() -> None:
    text = json_text({"loss": float("inf"), "grads": [float("nan"), 1.5], "t": 'a"\n'})

    def refuse(name: str) -> None:
        raise ValueError(name)

    data = json.loads(text, parse_constant=refuse)
    assert data == {"loss": None, "grads": [None, 1.5], "t": 'a"\n'}


def test_spreadsheet_cells_cannot_be_formulas() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("-1+2") == "'-1+2"
    assert spreadsheet_safe("alice") == "alice"


def test_terminal_output_carries_no_escape_sequence() -> None:
    assert terminal_safe("a\x1b]0;title\x07b\nc\td\x9b") == "a?]0;title?b\nc\td?"
    assert terminal_safe("lone \ud800 surrogate") == "lone \ufffd surrogate"
