"""Everything ``derive --format latex`` prints reads back through ``check`` as correct.

For every bundled spec (seed notations, default notation, ReLU, softmax, a skip
connection, a shared bias) and a network in Nielsen's notation, each form of the derivation
of every parameter is fed to ``check --derivation`` as printed: superscripted names
(``w^{2}_{22}``), ``\\left(``, ``\\cdot``, ``\\mathrm{}``, primes, ``\\sigma'``, the ReLU
derivative factor, ∂{L}^{(i)} of the cost, and the matrix form of a layered network (shapes,
forward pass, δ, gradients, the batch). Every step is judged and must hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker, in_printed_rule, skip_gated_closed_forms
from click.testing import CliRunner
from paths import DATA, SPECS

from symbackprop.check import Checker
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


@pytest.mark.parametrize("form", ["chain", "closed", "delta"])
@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_every_printed_derivation_reads_back_as_correct(spec: Path, form: str) -> None:
    skip_gated_closed_forms(spec, form)
    printed = CliRunner().invoke(main, ["derive", str(spec), "--form", form,
                                        "--format", "latex"])
    assert printed.exit_code == 0, printed.output
    result = checker(spec).check_derivation(printed.output)
    wrong = [(s.line, s.verdict, s.text[:120], s.diagnosis) for s in result.steps
             if s.verdict not in ("correct", "definition", "unchecked")
             and not (s.verdict == "unread" and in_printed_rule(s.text))]
    assert not wrong, wrong
    assert result.verdict == "correct" and result.first_wrong_line is None
    tensor = [s for s in result.steps if s.verdict == "unchecked"
              and TENSOR_WORDS in " ".join(s.diagnosis)]
    # the tensor form of convolution, pooling and recurrent layers is printed, and not read
    assert bool(tensor) == (form == "delta" and has_tensor_form(spec))
    unchecked = [(s.line, s.text, s.diagnosis) for s in result.steps if s.verdict == "unchecked"
                 and s.diagnosis != (SOFTMAX_WORDS,) and s not in tensor]
    # unchecked: only a softmax layer's definitions in the forward pass
    assert not unchecked, unchecked
    matrix = [s for s in result.steps if s.instances and "entr" in s.instances]
    # the matrix form (delta form) of a layered network, every step of it judged
    assert bool(matrix) == (form == "delta" and not_layered(checker(spec).net) is None)
    params = checker(spec).net.trained  # a frozen parameter has no gradient printed
    gradients = {s.claim.split(" = ")[0] for s in result.steps if s.verdict == "correct"}
    assert len([g for g in gradients if g.startswith("∂")]) >= len(params)


def test_a_wrong_printed_step_is_still_found() -> None:
    """The read-back is not lenient: one changed factor in printed output is the first wrong
    line."""
    spec = SPECS / "seed-002-four-layer.yaml"
    printed = CliRunner().invoke(main, ["derive", str(spec), "--param", "w_2_22",
                                        "--format", "latex"]).output
    assert r"\delta^{3}_{2} \cdot a^{2}_{2}" in printed
    wrong = printed.replace(r"\delta^{3}_{2} \cdot a^{2}_{2}", r"\delta^{3}_{1} \cdot a^{2}_{2}")
    result = checker(spec).check_derivation(wrong)
    line = next(n for n, text in enumerate(wrong.splitlines(), start=1)
                if r"\delta^{3}_{1} \cdot a^{2}_{2}" in text)
    assert result.first_wrong_line == line


IDENTITY_SECTIONS = ("lrelu", "softmax", r"\partial a}", r"\partial a_k}", "C\\left(s, y")
"""Lines of the notes' loss identities written in generic a, y, z (or a function of several
arguments) that the checker cannot read yet."""


@pytest.mark.parametrize("spec", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_lecture_notes_read_back(spec: Path, tmp_path: Path) -> None:
    """The notes (a whole LaTeX document): their displayed mathematics is read, each
    activation's derivative derived step by step holds, and no step is wrong."""
    out = tmp_path / "notes.tex"
    made = CliRunner().invoke(main, ["notes", str(spec), "-o", str(out), "--full"])
    assert made.exit_code == 0, made.output
    result = checker(spec).check_derivation(out.read_text(encoding="utf-8"))
    assert not [s for s in result.steps if s.verdict in ("incorrect", "consequence")], \
        [(s.line, s.text[:100], s.diagnosis) for s in result.steps if s.wrong]
    unread = []
    for before, step in zip((None, *result.steps), result.steps, strict=False):
        follows = before is not None and before.verdict == "unread" and \
            step.text.lstrip("& ").startswith("=")  # the rest of an unread identity
        if step.verdict == "unread" and not follows and not in_printed_rule(step.text) and \
                not any(mark in step.text for mark in IDENTITY_SECTIONS):
            unread.append((step.line, step.text, step.diagnosis))
    assert not unread
    identities = [s for s in result.steps if r"\frac{d}{d z}" in s.text]
    assert all(s.verdict == "correct" for s in identities if
               not any(mark in s.text for mark in IDENTITY_SECTIONS))
    assert sum(s.verdict == "correct" for s in result.steps) >= 10


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: p.stem)
def test_the_gradient_a_check_prints_reads_back(spec: Path) -> None:
    """The report's gradient line and its header name every quantity in the spec's notation
    (``w^2_22``, and ``∂C/∂s`` for the slope of seed 002's unspecified cost, not
    ``fracpartialCpartials``), and the gradient line, fed back as a formula, is correct."""
    from symbackprop.check import render_check

    c = checker(spec)
    for p in list(c.net.params)[:6]:
        first = c.check(p.name, c.ctx.plain(c.grads.derivation(p).closed))
        assert first.verdict == "correct", (p, first.diagnosis)
        assert "frac" not in first.gradient and "partial" not in first.gradient
        assert c.check(p.name, first.gradient).verdict == "correct", first.gradient
        header = render_check(first).splitlines()[0]
        assert header == f"∂{first.loss}/∂{c.ctx.text_of(p)}: CORRECT"
    if spec.stem.startswith("seed-002"):
        w = c.net.symbol_by_name["w_2_22"]
        assert "∂C/∂s" in c.check("w_2_22", c.ctx.plain(c.grads.derivation(w).closed)).gradient


def test_a_cost_over_a_subscripted_loss_and_words_with_digits_read_back(tmp_path: Path
                                                                         ) -> None:
    """∂{E_{\\mathrm{total}}}^{(i)} of a cost and a weight named wq2q (printed upright as one
    name, \\mathrm{wq2q}, not the product w·q·2·q) read back as derive prints them."""
    spec = tmp_path / "cost.yaml"
    spec.write_text(
        'notation: {net: "in_{{unit}}", activation: "out_{{unit}}", loss: "E_{total}"}\n'
        "inputs: [in1q]\nlayers:\n  - {units: [o1], activation: sigmoid, weights: [[wq2q]],"
        " bias: [b1]}\nloss: squared_error\ncost: {examples: m}\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"])
    assert printed.exit_code == 0, printed.output
    assert r"\partial \mathrm{wq2q}" in printed.output
    assert r"{E_{\mathrm{total}}}^{(i)}" in printed.output
    result = Checker(build_network(load_spec(spec))).check_derivation(printed.output)
    assert [s.verdict for s in result.steps if s.verdict != "correct"] == []
    assert result.verdict == "correct"


@pytest.mark.parametrize("x1, shown", [("0", "&= 0 \\\\\n"), ("1e-70", r"\times 10^{-72}"),
                                       ("-3e-300", r"\times 10^{-302}")])
def test_a_printed_zero_or_tiny_value_reads_back(tmp_path: Path, x1: str, shown: str) -> None:
    """A gradient that is exactly 0 at the worked example (`= 0` after its numbers) and one
    printed with a large decimal exponent (1.23 \\times 10^{-72}) read back as numbers at the
    worked example."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text("inputs: [x1]\nlayers: [{units: [o1], activation: sigmoid, weights: [[w1]],"
                    f" bias: [b1]}}]\nloss: squared_error\nvalues:\n  inputs: {{x1: {x1}}}\n"
                    "  targets: {o1: 0.5}\n  params: {w1: 0.3, b1: 0.2}\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"]).output
    assert shown in printed
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert [(s.line, s.text) for s in result.steps if s.verdict != "correct"] == []
    wrong = printed.replace(shown, shown.replace("0", "1", 1) if x1 == "0" else
                            shown.replace("2}", "1}"))  # ten times the value
    assert Checker(build_network(load_spec(spec))).check_derivation(wrong).verdict != "correct"


def test_cross_entropy_on_sigmoid_outputs_keeps_its_own_targets(tmp_path: Path) -> None:
    """Targets of sigmoid outputs under cross-entropy need not sum to 1 (1 and 1 here): the
    worked example is checked at the targets given, not at targets moved onto the simplex."""
    spec = tmp_path / "ce.yaml"
    spec.write_text("inputs: [i1]\nlayers: [{units: [o1, o2], activation: sigmoid, "
                    "weights: [[w1], [w2]], bias: [b1, b2]}]\nloss: cross_entropy\nvalues:\n"
                    "  params: {w1: 0.25, w2: -0.15, b1: -0.13, b2: 0.2}\n"
                    "  inputs: {i1: -1.68}\n  targets: {o1: 1.0, o2: 1.0}\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--form", "closed",
                                        "--format", "latex"]).output
    assert "&= 0.653327394" in printed  # ∂L/∂w2 = y₂(a₂ − 1)·i₁, nonzero at y₂ = 1
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert [(s.line, s.text) for s in result.steps if s.verdict != "correct"] == []


@pytest.mark.parametrize(("spec", "formula"), [
    (SPECS / "seed-001-linear-1-1-2-1.yaml",
     r"\frac{\partial J}{\partial w^{[1]}_{1,1}} = \frac{1}{m} \sum_{i=1}^{m} "
     r"\frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}"),
    (SPECS / "seed-000-renom-1-2-1.yaml",
     (DATA / "derivations" / "seed-000-minibatch.tex").read_text(encoding="utf-8")
     .splitlines()[1].replace(r"\partial w}", r"\partial w_a}")),
])
def test_a_sum_over_the_examples_is_printed_as_it_reads_back(spec: Path, formula: str) -> None:
    """The parsed form of a cost writes its sum as a formula does, (Σ_{i=1}^{m} (…)), not as
    SymPy's Sum(…, (example_i, 1, m)), and it reads back as correct."""
    c = checker(spec)
    first = c.check(None, formula)
    assert first.verdict == "correct", first.diagnosis
    assert first.parsed.startswith("(Σ_{i=1}^{") and "Sum(" not in first.parsed
    head = formula.split("=")[0]
    assert c.check(None, f"{head} = {first.parsed}").verdict == "correct", first.parsed


ACCENTS = ("hat", "bar", "tilde", "vec", "dot", "ddot", "check", "breve", "acute", "grave",
           "widehat", "widetilde", "overline", "underline", "mathrm", "mathbf", "mathit",
           "mathsf", "mathtt", "mathcal", "mathbb", "mathfrak", "boldsymbol")


@pytest.mark.parametrize("form", ["chain", "delta"])
def test_every_accent_and_font_a_spec_may_use_reads_back(tmp_path: Path, form: str) -> None:
    """Units named with each accent and font a spec's LaTeX may use (\\acute{j}, \\mathit{r},
    \\mathfrak{V}, …) are read back by check as the quantities derive prints them as."""
    letters = "bcdefghijklmnopqrstvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[:len(ACCENTS) - 3] + "UVW"
    units = ", ".join(f'{{name: u{k}, latex: "\\\\{cmd}{{{letters[k]}}}"}}'
                      for k, cmd in enumerate(ACCENTS))
    spec = tmp_path / "accents.yaml"
    spec.write_text(f"inputs: [x1]\nlayers:\n  - {{units: [{units}], activation: tanh}}\n"
                    "  - {size: 1, activation: sigmoid}\nloss: squared_error\nvalues:\n"
                    "  inputs: {x1: 0.3}\n  targets: {u2_1: 0.5}\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--form", form,
                                        "--format", "latex"])
    assert printed.exit_code == 0, printed.output
    assert r"\acute{j}" in printed.output and r"\mathit{r}" in printed.output
    result = Checker(build_network(load_spec(spec))).check_derivation(printed.output)
    assert [(s.line, s.text[:80], s.diagnosis) for s in result.steps
            if s.verdict not in ("correct", "unchecked")] == []
    assert result.verdict == "correct"


def test_a_power_is_not_read_as_a_unit_named_by_its_letter_and_exponent(tmp_path: Path
                                                                        ) -> None:
    """(1 − u²) of a tanh unit printed u is u squared, even beside a unit named u2 (whose
    activation a unit's name may stand for: h1 for out_h1)."""
    spec = tmp_path / "power.yaml"
    spec.write_text('inputs: [x1]\nlayers:\n  - {units: [{name: p, latex: "u"}, {name: u2, '
                    'latex: "v"}], activation: tanh}\n  - {size: 1, activation: sigmoid}\n'
                    "loss: squared_error\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"]).output
    assert r"\left(1 - u^{2}\right)" in printed
    c = Checker(build_network(load_spec(spec)))
    assert c.check_derivation(printed).verdict == "correct"
    assert c.check("w_1_2_1", r"(a^{[2]}_{1} - y_{1}) a^{[2]}_{1} (1 - a^{[2]}_{1}) "
                   r"w^{[2]}_{1,2} (1 - u2^{2}) x_{1}").verdict == "correct"  # u2: v, a name


def test_the_matrix_form_of_a_leaky_relu_layer_prints_its_slope(tmp_path: Path) -> None:
    """out^{(1)} = lrelu_{1/100}(in^{(1)}): the matrix form writes the slope, as every other
    line does, so the line reads back instead of asking for it."""
    spec = tmp_path / "leaky.yaml"
    spec.write_text('notation: {net: "in_{{unit}}", activation: "out_{{unit}}"}\n'
                    "inputs: [i1]\nlayers:\n  - {size: 2, activation: leaky_relu}\n"
                    "  - {size: 1, activation: sigmoid}\nloss: squared_error\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--form", "delta",
                                        "--format", "latex"]).output
    assert r"\mathrm{out}^{(1)} &= \operatorname{lrelu}_{\frac{1}{100}}\left(" in printed
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert [s.text for s in result.steps if s.verdict not in ("correct", "unchecked")] == []


def test_numbers_that_are_all_whole_are_numbers_not_an_identity(tmp_path: Path) -> None:
    """`= 0 · 1 · 0` (integer values, the stand-in f = linear) is a line of numbers: with no
    worked example check can evaluate (f has no numbers of its own) it is unchecked, never
    the wrong identity ∂L/∂w1 = 0."""
    spec = tmp_path / "whole.yaml"
    spec.write_text("inputs: [x1]\nlayers: [{units: [o1], activation: f, weights: [[w1]], "
                    "bias: [b1]}]\nloss: squared_error\nvalues:\n  inputs: {x1: 0}\n"
                    "  targets: {o1: 0}\n  params: {w1: 1, b1: 0}\n  functions: {f: linear}\n",
                    encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"]).output
    assert r"&= 0 \cdot 1 \cdot 0" in printed
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert result.verdict == "correct"
    assert {s.verdict for s in result.steps if s.text.lstrip("&= ").startswith("0")} == \
        {"unchecked"}


def test_a_value_below_float64s_normal_range_is_refused_not_printed_as_another(
        tmp_path: Path) -> None:
    """5e-324 would be computed as the float it becomes (4.94066e-324) and printed so, a
    different number from the one check reads in the spec: such values are refused."""
    spec = tmp_path / "subnormal.yaml"
    spec.write_text("inputs: [x1]\nlayers: [{units: [o1], activation: sigmoid, weights: [[w1]], "
                    "bias: [b1]}]\nloss: squared_error\nvalues:\n  inputs: {x1: 5e-324}\n"
                    "  targets: {o1: 0.5}\n  params: {w1: 0.3, b1: 0.2}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"])
    assert result.exit_code == 2
    assert f"{spec}:5: values.inputs.x1: number too small" in result.stderr


def test_a_zero_value_of_a_spec_with_an_unspecified_function_is_a_number_not_an_identity(
        tmp_path: Path) -> None:
    """With v = 0, derive ends ∂E/∂w with `= 0`, the value at the spec's example; check cannot
    evaluate that example (f is unspecified there), so the line is unchecked, not a false
    claim that the gradient vanishes everywhere."""
    spec = tmp_path / "zero.yaml"
    spec.write_text("inputs: [x1]\nlayers:\n- {units: [h1], activation: f, weights: [[w]], "
                    "bias: none}\n- {units: [o1], activation: tanh, weights: [[v]], bias: none}\n"
                    "loss: squared_error\nvalues:\n  inputs: {x1: 0.8}\n  targets: {o1: 0.5}\n"
                    "  params: {w: 0.3, v: 0}\n  functions: {f: tanh}\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex", "--form",
                                        "closed", "--param", "w"]).output
    rows = [line.strip() for line in printed.splitlines() if line.strip().startswith("&=")]
    assert rows[-1] == "&= 0"
    assert "% note: the numbers assume f = tanh" in printed
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    # the forward pass's definitions, then the gradient (correct) and its value (unchecked)
    assert [s.verdict for s in result.steps][-2:] == ["correct", "unchecked"]
    assert all(s.verdict == "correct" for s in result.steps[:-2])
    wrong = printed.replace("&= 0", "&= 0 + w")
    assert Checker(build_network(load_spec(spec))).check_derivation(wrong).verdict == \
        "incorrect"


def test_an_unspecified_function_with_a_greek_name_reads_back(tmp_path: Path) -> None:
    """An activation called phi prints as \\phi(z) in the forward pass; check reads it as
    that function, not as an unknown name \\phi."""
    spec = tmp_path / "phi.yaml"
    spec.write_text("inputs: [x1]\nlayers:\n- {units: [h1], activation: phi, weights: [[w]], "
                    "bias: none}\n- {units: [o1], activation: tanh, weights: [[v]], "
                    "bias: none}\nloss: squared_error\n", encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex"]).output
    assert r"\phi\left(" in printed
    result = Checker(build_network(load_spec(spec))).check_derivation(printed)
    assert result.verdict == "correct", [(s.line, s.text, s.diagnosis) for s in result.steps
                                         if s.verdict not in ("correct", "unchecked")]
