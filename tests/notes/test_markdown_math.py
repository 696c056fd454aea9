"""The Markdown notes' maths: every ``$$…$$`` block and every inline ``$…$`` of every bundled
spec's notes is set by a real TeX (pdflatex with amsmath and amssymb only, so a macro that
GitHub's MathJax or KaTeX would not know fails too), and a section's equations share one
``aligned`` block aligned on ``=``."""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from paths import ROOT

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Equations, Notes, Para, notes_markdown
from symbackprop.notes.pdflatex import compile_tex
from symbackprop.notes.sections import build_notes
from symbackprop.spec.load import load_spec

SPECS = sorted((ROOT / "specs").glob("*.yaml"))
SEED_004 = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"

# What Markdown's maths knows: the LaTeX kernel with amsmath and amssymb, nothing defined by
# the notes' own preamble.
BARE = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
        "\\begin{document}\n%s\n\\end{document}\n")
DISPLAY = re.compile(r"(?ms)^\$\$\n(.*?)\n\$\$$")
INLINE = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                               reason="pdflatex is not installed (under CI this fails instead)")


def markdown_for(path: Path, **options: object) -> str:
    net = build_network(load_spec(path))
    return notes_markdown(build_notes(net, derive(net), **options))


def maths(markdown: str) -> tuple[list[str], list[str]]:
    """The display blocks and the inline formulas of a Markdown text (table cells' ``\\|``
    read as ``|``, as GitHub reads them before the maths)."""
    displays = DISPLAY.findall(markdown)
    rest = DISPLAY.sub("", markdown)
    rest = re.sub(r"(?ms)^```.*?^```$", "", rest)  # the Mermaid diagram
    inline = [m.replace("\\|", "|") if line.startswith("|") else m
              for line in rest.splitlines() for m in INLINE.findall(line)]
    return displays, inline


def test_maths_finds_displays_and_inline_formulas_but_not_escaped_dollars() -> None:
    displays, inline = maths("a $x$ costs \\$5 and \\$6\n\n$$\n\\begin{aligned}y &= 1"
                             "\\end{aligned}\n$$\n| $a \\| b$ | c |\n")
    assert displays == ["\\begin{aligned}y &= 1\\end{aligned}"]
    assert inline == ["x", "a | b"]


def test_equations_that_follow_one_another_share_one_aligned_block() -> None:
    notes = Notes("t", [Equations(("a &= 1", "&= 2")), Equations(("b &= 3",)),
                        Para(("then",)), Equations(("c &= 4",))])
    displays, _ = maths(notes_markdown(notes))
    assert displays == ["\\begin{aligned}\na &= 1 \\\\\n&= 2 \\\\[0.8ex]\nb &= 3\n\\end{aligned}",
                        "\\begin{aligned}\nc &= 4\n\\end{aligned}"]


def test_the_seed_004_gradients_are_one_block_aligned_on_equals() -> None:
    text = markdown_for(SEED_004)
    section = text.split("## Gradients, step by step")[1].split("\n## ")[0]
    displays, _ = maths(section)
    assert len(displays) == 1
    rows = re.split(r" \\\\(?:\[[^]]*\])?\n", displays[0].removeprefix("\\begin{aligned}\n"))
    assert len(rows) > 10
    assert all(row.count("&") == 1 and re.search(r"&(= |\\qquad)", row) for row in rows)
    assert "\\\\*" not in text and "\\intertext" not in text


@needs_tex
def test_every_markdown_formula_is_set_by_tex_with_amsmath_alone() -> None:
    texts = {p.stem: markdown_for(p) for p in SPECS}
    texts["seed-004-full"] = markdown_for(SEED_004, full=True)

    def document(text: str) -> str:
        displays, inline = maths(text)
        assert displays and inline
        body = [f"\\[\n{d}\n\\]" for d in displays] + [f"${m}$\n" for m in inline]
        return BARE % "\n".join(body)

    def compiles(item: tuple[str, str]) -> tuple[str, list[str]]:
        name, text = item
        try:
            compile_tex(document(text), runs=1)
        except Exception as error:
            return name, [str(error)]
        return name, []

    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = {name: errors for name, errors in pool.map(compiles, texts.items()) if errors}
    assert not failed


@needs_tex
def test_a_broken_formula_is_caught() -> None:
    with pytest.raises(Exception, match="pdflatex failed"):
        compile_tex(BARE % "\\[\n\\begin{aligned} a &= \\mathbf{1 \\end{aligned}\n\\]", runs=1)
    with pytest.raises(Exception, match="pdflatex failed"):
        compile_tex(BARE % "$\\intertext{a}$", runs=1)
