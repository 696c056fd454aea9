"""The notes' TeX read into MathML Core: each construct, every formula of every bundled
spec's notes, and what happens to TeX outside the subset."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Equations, Math, Para, Table
from symbackprop.notes.mathml import math_aligned, math_inline, mathml, styled
from symbackprop.notes.sections import build_notes
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))


@pytest.mark.parametrize(("tex", "expected"), [
    (r"w_{5}", "<msub><mi>w</mi><mn>5</mn></msub>"),
    (r"W^{(1)}_{12}", '<msubsup><mi>W</mi><mn>12</mn><mrow><mo stretchy="false">(</mo>'
                      '<mn>1</mn><mo stretchy="false">)</mo></mrow></msubsup>'),
    (r"\mathrm{out}_{h1}", "<msub><mi>out</mi><mrow><mi>h</mi><mn>1</mn></mrow></msub>"),
    (r"\frac{a}{b}", "<mfrac><mi>a</mi><mi>b</mi></mfrac>"),
    (r"\tfrac{a}{b}", '<mfrac displaystyle="false"><mi>a</mi><mi>b</mi></mfrac>'),
    (r"0.15 \cdot -0.05", "<mrow><mn>0.15</mn><mo>⋅</mo><mo>−</mo><mn>0.05</mn></mrow>"),
    (r"\sigma'\left(z\right)", '<mrow><msup><mi>σ</mi><mrow><mo>′</mo></mrow></msup><mrow>'
                               '<mo stretchy="false">(</mo><mi>z</mi>'
                               '<mo stretchy="false">)</mo></mrow></mrow>'),
    (r"\left(\frac{1}{2}\right)", "<mrow><mo>(</mo><mfrac><mn>1</mn><mn>2</mn></mfrac>"
                                  "<mo>)</mo></mrow>"),
    (r"\operatorname{relu}(z)", '<mrow><mi>relu</mi><mo>\u2061</mo><mo stretchy="false">(</mo>'
                                '<mi>z</mi><mo stretchy="false">)</mo></mrow>'),
    (r"\sum_{k} y_k", "<mrow><munder><mo>∑</mo><mi>k</mi></munder><msub><mi>y</mi><mi>k</mi>"
                      "</msub></mrow>"),
    (r"\mathbb{R}^{2 \times 1}", '<msup><mi mathvariant="normal">ℝ</mi><mrow><mn>2</mn>'
                                 "<mo>×</mo><mn>1</mn></mrow></msup>"),
    (r"\mathbf{1}^{\top}", '<msup><mn>𝟏</mn><mi mathvariant="normal">⊤</mi></msup>'),
    (r"\hat{y}", '<mover accent="true"><mi>y</mi><mo stretchy="false">^</mo></mover>'),
    (r"\text{since } x", "<mrow><mtext>since\u00a0</mtext><mi>x</mi></mrow>"),
    (r"\Delta w", '<mrow><mi mathvariant="normal">Δ</mi><mi>w</mi></mrow>'),
    (r"a < b", "<mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow>"),
    (r"y \log a", '<mrow><mi>y</mi><mspace width="0.1667em"/><mi>log</mi>'
                  '<mo rspace="0.1667em">\u2061</mo><mi>a</mi></mrow>'),
])
def test_each_construct(tex: str, expected: str) -> None:
    assert mathml(tex) == expected


def test_cases_is_a_brace_and_a_left_aligned_table() -> None:
    out = mathml(r"\begin{cases} 1 & \text{for}\: z > 0 \\0 & \text{otherwise} \end{cases}")
    assert out.startswith('<mrow><mo>{</mo><mtable class="cases" columnalign="left left">')
    assert out.count("<mtr>") == 2 and out.count("<mtd>") == 4


def test_tex_outside_the_subset_is_an_merror_holding_it_as_text() -> None:
    out = mathml(r"x \input{/etc/passwd} \begin{verbatim}")
    assert "<merror><mtext>\\input</mtext></merror>" in out
    assert "<merror><mtext>\\begin{verbatim}</mtext></merror>" in out
    assert "<merror>" in mathml("a}")
    deep = "{" * 500 + "x" + "}" * 500
    assert mathml(deep).startswith("<merror>")


def test_fonts_map_to_unicode_mathematical_letters() -> None:
    assert styled("mathbb", "R") == "ℝ" and styled("mathbb", "E") == "𝔼"
    assert styled("mathbf", "W") == "𝐖" and styled("mathcal", "L") == "ℒ"
    assert styled("mathrm", "x") == "x"


def test_an_aligned_block_is_a_table_of_rows_with_anchors_and_its_tex() -> None:
    out = math_aligned([r"a &= b", r"&= c \\ &= d"], ["row-a"])
    root = ET.fromstring(out)
    table = root[0][0]
    assert table.tag == "mtable" and table.get("columnalign") == "right left"
    assert [tr.get("id") for tr in table] == ["row-a", None, None]
    assert root[0][1].text == "\\begin{aligned}\na &= b \\\\\n&= c \\\\ &= d\n\\end{aligned}"


def _formulas(path: Path, **kwargs: object) -> list[str]:
    net = build_network(load_spec(path))
    notes = build_notes(net, derive(net), **kwargs)
    out: list[str] = []
    for b in notes.blocks:
        if isinstance(b, Equations):
            out.append(math_aligned(b.rows))
        elif isinstance(b, Para | Table):
            cells = b.parts if isinstance(b, Para) else [c for r in (b.header, *b.rows)
                                                          for c in r]
            out += [math_inline(c.latex) for c in cells if isinstance(c, Math)]
    return out


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_formula_of_the_notes_is_well_formed_mathml(path: Path) -> None:
    for m in _formulas(path, full=True):
        assert "<merror" not in m, m[:300]
        root = ET.fromstring(m)
        assert root.tag == "math"
