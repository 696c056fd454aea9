"""Splitting a derivation into steps: the matrix-form region, known by its place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.check import Checker
from symbackprop.check.reading.lines import matrix_region, split_lines
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

# one sigmoid unit in seed 002's superscripted notation: a^{2} is then the layer's vector and,
# read as a formula, the power of the only unit's a^2_1
ONE_UNIT = """notation:
  net: z^{{layer}}_{{index}}
  activation: a^{{layer}}_{{index}}
  target: y_{{index}}
  loss: C
  delta: \\delta^{{layer}}_{{index}}
  weight: w^{{layer}}_{{j}{k}}
  bias: b^{{layer}}_{{j}}
  input: x_{{index}}
  first_layer: 1
  weight_layer: source
  chain: net
inputs: [x1]
layers:
  - {units: [h1], activation: sigmoid}
loss: squared_error
"""


def test_the_text_region_is_the_block_indented_below_its_heading() -> None:
    text = "E = a\nMatrix form (per layer):\n  forward pass:\n    z^[1] = W^[1]·x\n\n" \
           "∂L/∂w\n  = d·x\n"
    assert sorted(matrix_region(text)) == [2, 3, 4, 5]


def test_the_markdown_region_ends_at_a_heading_as_high() -> None:
    text = "## Matrix form\n**forward pass**\n$$z = Wx$$\n### shapes\nx\n## Gradients\n$$E = a$$\n"
    assert sorted(matrix_region(text)) == [1, 2, 3, 4, 5]


def test_the_latex_region_holds_the_environments_each_after_a_comment() -> None:
    text = ("% matrix form\n\n% forward pass\n\\begin{align*}\nz &= W x\n\\end{align*}\n"
            "% gradients\n\\begin{align*}\nd &= e\n\\end{align*}\n\n"
            "\\begin{align*}\n\\frac{\\partial L}{\\partial w} &= d x\n\\end{align*}\n")
    assert sorted(matrix_region(text)) == list(range(1, 12))
    steps = split_lines(text)
    assert [s.matrix for s in steps] == [True, True, False]
    # where it does not apply, derive says so in a comment set apart from what follows
    text = ("% matrix form\n\n% matrix form does not apply: the units of the layer differ\n\n"
            "\\begin{align*}\n\\frac{\\partial L}{\\partial w} &= d x\n\\end{align*}\n")
    assert [s.matrix for s in split_lines(text)] == [False]


def test_a_notes_section_on_the_matrix_form_ends_at_the_next_section() -> None:
    text = "\\section{Matrix form}\n$$z = W x$$\n\\section{Gradients}\n$$E = a$$\n"
    assert sorted(matrix_region(text)) == [1, 2]


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_a_one_unit_layers_matrix_form_is_judged_not_a_power(tmp_path: Path,
                                                               fmt: str) -> None:
    spec = tmp_path / "one.yaml"
    spec.write_text(ONE_UNIT, encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--form", "delta", "--format",
                                        fmt]).output
    checker = Checker(build_network(load_spec(spec)))
    result = checker.check_derivation(printed)
    assert result.verdict == "correct", [(s.line, s.text, s.verdict) for s in result.steps
                                         if s.verdict not in ("correct", "unchecked")]
    assert not [s for s in result.steps if s.verdict == "unchecked"]
    matrix = [s for s in result.steps if s.instances and "entr" in s.instances]
    assert matrix and all(s.verdict == "correct" for s in matrix)
    # the gradients printed after the matrix form are still checked: δ x₁ made 2 δ x₁
    lines = printed.splitlines()
    at = max(k for k, line in enumerate(lines)
             if line.rstrip().removesuffix("\\\\").rstrip().endswith(("x_{1}", "·x1")))
    assert at > max(matrix_region(printed))
    lines[at] = lines[at].replace("x_{1}", "2 x_{1}").replace("·x1", "·2·x1")
    assert checker.check_derivation("\n".join(lines)).first_wrong_line == at + 1
