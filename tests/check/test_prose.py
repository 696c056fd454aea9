"""The words around a step's mathematics are set aside; a line that still cannot be read
is UNREAD, with its reason, and never the first wrong line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.check.judging.verdict import Checker
from symbackprop.check.reading.lines import split_lines
from symbackprop.check.reading.prose import prose_aside
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"
W5 = r"-(target_{o1} - out_{o1}) out_{o1}(1-out_{o1}) out_{h1}"
HEAD = r"\frac{\partial E_{total}}{\partial w_5}"


def _nothing(_: str) -> bool:
    return False


@pytest.mark.parametrize(("text", "math", "let"), [
    (r"Let \delta = a - y, then", r"\delta = a - y", True),
    (r"where \frac{\partial z}{\partial w} = x", r"\frac{\partial z}{\partial w} = x", True),
    ("Step 3: E = a + b.", "E = a + b", False),
    ("(E = a + b), we get", "(E = a + b)", False),
    (r"The new weight with learning rate \alpha is w_5 = w_5 - \alpha g",
     r"w_5 = w_5 - \alpha g", False),
    ("E = out_{h1}, applied to h1", "E = out_{h1}", False),
    ("E = out_{h1}  # the last factor", "E = out_{h1}", False),
    (r"E = \text{ where } x", "E =", False),
])
def test_the_mathematics_of_a_sentence(text: str, math: str, let: bool) -> None:
    got, got_let = prose_aside(text, _nothing)
    if "=" in math.rstrip("= "):
        assert (got, got_let) == (math, let)
    else:
        assert got.startswith("E =")


@pytest.mark.parametrize("text", [
    "E = 1/2(target - output)^{2}",  # words after an operator are operands
    "loss = (t - y)^2",
    r"\begin{cases} 1 & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases} = g",
    "Sigmoid(x) = s",
    "E = out_{h1} times 2",  # a word inside the mathematics is not cut off
    r"z_{1} = \mathrm{w} x_{2} + \mathrm{in}_{h1}",  # an upright name, not the word "in"
])
def test_names_written_as_words_stay(text: str) -> None:
    assert prose_aside(text, _nothing) == (text, False)


def test_a_comment_line_and_a_heading_are_not_steps() -> None:
    text = "# now the last factor\nStep 2: E = a.\n## Gradients\n% E = b\n"
    assert [(s.number, s.formula) for s in split_lines(text)] == [(2, "E = a")]


@pytest.fixture(scope="module")
def mazur() -> Checker:
    return Checker(build_network(load_spec(MAZUR)), points=6)


def test_prose_around_every_step_of_a_correct_derivation(mazur: Checker) -> None:
    text = "\n".join([
        "% the gradient of w5, step by step",
        "Step 1: the chain rule gives",
        rf"{HEAD} = \frac{{\partial E_{{total}}}}{{\partial out_{{o1}}}} "
        r"\frac{\partial out_{o1}}{\partial in_{o1}} \frac{\partial in_{o1}}{\partial w_5}",
        r"(1) \frac{\partial E_{total}}{\partial out_{o1}} = -(target_{o1} - out_{o1}).",
        r"Step 2: \frac{\partial out_{o1}}{\partial in_{o1}} = out_{o1}(1 - out_{o1}),",
        "# now the last factor",
        r"where \frac{\partial in_{o1}}{\partial w_5} = out_{h1}",
        r"Let $\delta_{o1} = -(target_{o1} - out_{o1}) out_{o1}(1-out_{o1})$, then",
        rf"{HEAD} = \delta_{{o1}} out_{{h1}}",
        r"The new weight with learning rate \alpha is w_5^+ = w_5 - \alpha " + HEAD,
    ])
    result = mazur.check_derivation(text)
    assert {s.line: s.verdict for s in result.steps} == {
        3: "correct", 4: "correct", 5: "correct", 7: "correct", 8: "correct", 9: "correct",
        10: "correct"}
    assert result.verdict == "correct" and result.not_judged == 0


def test_an_unread_line_is_set_aside_with_its_reason_and_counted(mazur: Checker) -> None:
    text = f"{HEAD} = {W5}\nthen out_{{o1}} = \\frac{{the value\n{HEAD} = 2 {W5}\n"
    result = mazur.check_derivation(text)
    verdicts = {s.line: s.verdict for s in result.steps}
    assert verdicts == {1: "correct", 2: "unread", 3: "incorrect"}
    assert result.first_wrong_line == 3 and result.not_judged == 1
    unread = result.steps[1]
    assert unread.diagnosis and not unread.wrong
    # a derivation whose only wrong-looking line cannot be read is not called wrong
    fine = mazur.check_derivation(f"{HEAD} = {W5}\nout_{{o1}} = \\frac{{1}}{{\n")
    assert fine.verdict == "correct" and fine.first_wrong_line is None
    assert fine.not_judged == 1


def test_the_report_says_how_many_lines_were_not_judged(mazur: Checker) -> None:
    from symbackprop.check import render_check

    text = f"{HEAD} = {W5}\nout_{{o1}} = \\frac{{1}}{{\nout_{{o1}} = +* 2\n"
    first = render_check(mazur.check_derivation(text)).splitlines()[0]
    assert first == "∂E_total/∂w5: CORRECT (2 lines not judged)"


def test_markdown_list_items_and_bold_formulas_are_steps() -> None:
    text = "* h1 = a  \n* \n**Split the derivatives**\n**E = b\nF = c**\n- G = d\n  + e\n" \
           "x = y**2 \n"
    assert [(s.number, s.formula) for s in split_lines(text)] == [
        (1, "h1 = a"), (4, "E = b"), (5, "F = c"), (6, "G = d + e"), (8, "x = y**2")]


def test_a_derivation_file_keeps_its_line_numbers_after_blank_lines(tmp_path: Path) -> None:
    steps = tmp_path / "steps.md"
    steps.write_text(f"\n\n{HEAD} = {W5}\n{HEAD} = 2 ({W5})\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(MAZUR), "--derivation", str(steps)])
    assert result.exit_code == 1 and "(first wrong line: 4)" in result.output
