"""Everything ``derive`` prints as text (and as Markdown) reads back through ``check``.

The whole output is fed to ``check --derivation`` as printed: the title and headings are
set aside, the forward pass is checked as the network's definitions, each gradient's head
line (``∂E_total/∂w5`` alone on its line) is the left side of the ``= …`` lines below it,
the matrix form of a layered network is judged entry by entry, and a softmax layer's forward
pass in index form (which check does not read) is unchecked with the reason said. Names whose
superscript has several digits, as check prints them, read back as one name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from checkers import checker, in_printed_rule, skip_gated_closed_forms
from click.testing import CliRunner
from paths import DATA, SPECS

from symbackprop.check import Checker
from symbackprop.check.meaning.names import readable
from symbackprop.check.reading.forms import SOFTMAX_WORDS, TENSOR_WORDS
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.render.matrix_layers import not_layered
from symbackprop.spec.load import load_spec

NIELSEN = DATA / "derivations" / "nielsen-2-3-3-2.yaml"
SPEC_FILES = [*sorted(SPECS.glob("*.yaml")), NIELSEN]


def has_tensor_form(spec: Path) -> bool:
    """Whether derive prints the tensor form of the spec (conv2d, pooling, recurrent,
    attention)."""
    return any(lay.conv or lay.pool or lay.recurrent or lay.attention
               for lay in load_spec(spec).layers)


MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"


def derive(*args: str) -> str:
    printed = CliRunner().invoke(main, ["derive", *args])
    assert printed.exit_code == 0, printed.output
    return printed.output


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("form", ["chain", "closed", "delta"])
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_every_printed_text_derivation_reads_back_as_correct(spec: Path, form: str,
                                                             fmt: str) -> None:
    skip_gated_closed_forms(spec, form, delta_too=True)
    printed = derive(str(spec), "--form", form, "--format", fmt)
    result = checker(spec).check_derivation(printed)
    wrong = [(s.line, s.verdict, s.text[:120], s.diagnosis) for s in result.steps
             if s.verdict not in ("correct", "definition", "unchecked")
             and not (s.verdict == "unread" and in_printed_rule(s.text))]
    assert not wrong, wrong
    assert result.verdict == "correct" and result.first_wrong_line is None
    tensor = [s for s in result.steps if s.verdict == "unchecked"
              and TENSOR_WORDS in " ".join(s.diagnosis)]
    # the tensor form of convolution, pooling and recurrent layers is printed, and not read
    assert bool(tensor) == (form == "delta" and has_tensor_form(spec))
    unchecked = [s for s in result.steps if s.verdict == "unchecked" and s not in tensor]
    softmax = [s for s in unchecked if s.diagnosis == (SOFTMAX_WORDS,)]
    assert len(softmax) == len(unchecked), [(s.text, s.diagnosis) for s in unchecked]
    matrix = [s for s in result.steps if s.instances and "entr" in s.instances]
    # the matrix form (delta form) of a layered network, every step of it judged
    assert bool(matrix) == (form == "delta" and not_layered(checker(spec).net) is None)
    assert all("softmax" in s.text for s in softmax)
    params = checker(spec).net.trained  # a frozen parameter has no gradient printed
    gradients = {s.claim.split(" = ")[0] for s in result.steps if s.verdict == "correct"}
    assert len([g for g in gradients if g.startswith("∂")]) >= len(params)


def test_the_forward_pass_is_checked_as_the_networks_definitions() -> None:
    printed = derive(str(MAZUR), "--param", "w5")
    result = checker(MAZUR).check_derivation(printed)
    forward = [n for n, line in enumerate(printed.splitlines(), start=1)
               if line.startswith("  ") and "=" in line and not line.lstrip().startswith("=")]
    assert forward
    verdicts = {s.line: s.verdict for s in result.steps}
    assert all(verdicts.get(n) == "correct" for n in forward), verdicts


def test_a_head_line_is_the_left_side_of_the_lines_below_it(tmp_path: Path) -> None:
    """The lines of one gradient, cut from the printed text, with --param."""
    printed = derive(str(MAZUR), "--param", "w5").splitlines()
    head = printed.index("∂E_total/∂w5")
    cut = tmp_path / "w5.txt"
    cut.write_text("\n".join(printed[head:head + 5]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(MAZUR), "--derivation", str(cut),
                                       "--param", "w5"])
    assert result.exit_code == 0, result.output
    assert "UNREADABLE" not in result.output and result.output.count("CORRECT") == 5
    # the head belongs to the lines right below it only: after a blank line it is prose
    cut.write_text("\n".join([printed[head], "", *printed[head + 1:head + 5]]) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(MAZUR), "--derivation", str(cut)])
    assert "which gradient is this?" in result.output


def mutated(printed: str, pattern: str, replacement: str) -> tuple[str, int]:
    """``printed`` with the first match of ``pattern`` in a gradient's ``= …`` line
    replaced, and the number of that line."""
    lines = printed.splitlines()
    for k, line in enumerate(lines):
        if line.lstrip().startswith("= ") and re.search(pattern, line):
            lines[k] = re.sub(pattern, replacement, line, count=1)
            return "\n".join(lines) + "\n", k + 1
    raise AssertionError(f"no printed line matches {pattern}")


@pytest.mark.parametrize(("spec", "param", "pattern", "replacement"), [
    (MAZUR, "w5", r"0\.186816", "0.196816"),            # a printed number
    (MAZUR, "w5", r"· out_h1$", "· out_h2"),              # a printed symbol
    (MAZUR, "w1", r"· w5 \+", "· w6 +"),                  # a weight inside a sum
    (SPECS / "seed-002-four-layer.yaml", "w_2_22", r"delta_3_2", "delta_3_1"),
])
def test_a_changed_printed_number_or_symbol_is_the_first_wrong_line(
        spec: Path, param: str, pattern: str, replacement: str) -> None:
    printed = derive(str(spec), "--param", param)
    assert checker(spec).check_derivation(printed).verdict == "correct"
    wrong, line = mutated(printed, pattern, replacement)
    result = checker(spec).check_derivation(wrong)
    assert result.verdict == "incorrect"
    assert result.first_wrong_line == line


DEEP_LAYERS = 12


def deep_spec(folder: Path) -> Path:
    """Seed 002's notation (w^{l}_{jk}, b^{l}_{j}) on a network deep enough for layer
    numbers of two digits."""
    seed = (SPECS / "seed-002-four-layer.yaml").read_text(encoding="utf-8")
    layers = "".join(f"  - {{name: h{k}, size: 1, activation: sigmoid}}\n"
                     for k in range(2, DEEP_LAYERS + 2))
    text = (seed.split("inputs:")[0] + "inputs: {size: 1}\nlayers:\n" + layers
            + "  - {name: out, size: 1, activation: linear}\nloss: {kind: mse}\n")
    path = folder / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_superscript_of_several_digits_is_printed_as_one() -> None:
    assert readable("b^{12}_{1}") == "b^{12}_1"
    assert readable(r"\delta^{2}_{1}") == "δ^2_1"
    assert readable("w^{[12]}_{1,1}") == "w^{[12]}_{1,1}"  # as the spec writes it
    assert readable("h^{(2)}_{1}") == "h^{(2)}_1"  # a step of a recurrent network
    assert readable("L^{(i)}") == "L^(i)"  # an example's loss stays as check reads it


def test_names_with_a_two_digit_layer_that_check_prints_read_back(tmp_path: Path) -> None:
    spec = deep_spec(tmp_path)
    first = CliRunner().invoke(main, ["check", str(spec), "--formula",
                                      "∂C/∂b_12_1 = delta_13_1"])
    assert first.exit_code == 0, first.output
    head = first.output.splitlines()[0].split(":")[0]
    gradient = next(line.split(": ", 1)[1] for line in first.output.splitlines()
                    if line.strip().startswith("gradient:"))
    assert head == "∂C/∂b^{12}_1" and "a^{13}_1" in gradient
    again = CliRunner().invoke(main, ["check", str(spec), "--formula",
                                      f"{head} = {gradient}"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"{head}: CORRECT")


def test_only_a_note_is_set_aside_not_a_word_and_a_colon_before_an_equation() -> None:
    from symbackprop.check.reading.lines import split_lines
    assert split_lines("note: δ = out − target, using that the targets sum to 1\n") == []
    assert split_lines("> softmax with cross-entropy: δ = out − target\n") == []
    assert [s.number for s in split_lines("Then: E = a + b\n")] == [1]


def test_an_unspecified_loss_of_several_outputs_reads_back(tmp_path: Path) -> None:
    """The loss named otherwise than its symbol (Loss, E_total) is printed with the
    symbol's name, as LaTeX prints it, and the call of all outputs and targets reads back."""
    seed = MAZUR.read_text(encoding="utf-8")
    spec = tmp_path / "unspecified.yaml"
    spec.write_text(seed.split("\nloss:")[0] + "\nloss: {kind: unspecified, name: Loss}\n",
                    encoding="utf-8")
    printed = derive(str(spec), "--form", "closed")
    assert "E_total = E_total(out_o1, out_o2, target_o1, target_o2)" in printed
    assert "Loss" not in printed.split("\n", 1)[1]
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert result.verdict == "correct", [(s.line, s.verdict, s.diagnosis) for s in result.steps
                                         if s.verdict != "correct"]
