"""Lecture notes: content, expected output for seed 004, and a real pdflatex run per spec.

The pdflatex tests skip only when pdflatex is missing and CI is not set; under CI they
fail instead (``.ci/run`` installs TeX Live). Expected files are regenerated with
``SYMBACKPROP_UPDATE_EXPECTED=1`` (see tests/paths.py).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from paths import ROOT, check_expected

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import notes_latex, notes_markdown
from symbackprop.notes.identities import (
    ACTIVATION_IDENTITIES,
    Z,
    bce_sigmoid_identity,
)
from symbackprop.notes.pdflatex import parse_log
from symbackprop.notes.sections import build_notes
from symbackprop.render.printing import Chain, Partial
from symbackprop.spec.load import load_spec

SPECS = sorted((ROOT / "specs").glob("*.yaml"))
SEED_004 = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"


def notes_for(path: Path, fmt: str = "latex", **kwargs) -> str:
    net = build_network(load_spec(path))
    doc = build_notes(net, derive(net), **kwargs)
    return notes_latex(doc) if fmt == "latex" else notes_markdown(doc)


@pytest.fixture(scope="module")
def mazur_tex() -> str:
    return notes_for(SEED_004)


# the last cell of a table row: the descent table's check column, a relative difference of
# about 1e-25 whose digits are rounding noise of the 40-digit evaluation (they may change with
# SymPy's or mpmath's order of operations), so the expected files are compared without them
CHECK_CELL = re.compile(r"(?m)^((?:\| )?\$.*(?: &| \|) )\$([^$]*)\$( \\\\| \|)$")


def without_noise(text: str) -> str:
    return CHECK_CELL.sub(r"\1$…$\3", text)


def test_seed004_notes_match_expected_files(mazur_tex: str) -> None:
    md = notes_for(SEED_004, "markdown")
    for text in (mazur_tex, md):
        cells = [m.group(2) for m in CHECK_CELL.finditer(text)]
        assert len(cells) == 10  # one per parameter, each a pass far below 1e-10
        for cell in cells:
            mantissa, _, exponent = cell.partition(r" \times 10^")
            assert float(mantissa) * 10.0 ** int(exponent.strip("{}")) < 1e-20, cell
    check_expected("seed-004-notes.tex", mazur_tex, without_noise)
    check_expected("seed-004-notes.md", md, without_noise)


def test_seed004_notes_carry_mazurs_published_numbers(mazur_tex: str) -> None:
    # Mazur (2015), "A Step by Step Backpropagation Example": E_total = 0.298371109,
    # ∂E/∂w5 = 0.082167041, w5+ = 0.35891648, w1+ = 0.149780716. The notes print the
    # tool's own evaluation to nine significant digits, which must agree with them.
    for published in ("0.298371109", "0.0821670406", "0.35891648", "0.149780716"):
        assert published in mazur_tex, published


def test_notes_have_every_part(mazur_tex: str) -> None:
    for part in (r"\begin{tikzpicture}", "Forward pass and loss",
                 "Derivatives of the activations and the loss", r"\text{chain rule}",
                 "Local gradients", "Matrix form", "Gradients, step by step",
                 "One step of gradient descent", r"w_{5}^{+}"):
        assert part in mazur_tex, part


def test_each_formula_goes_on_to_its_numbers_and_value(mazur_tex: str) -> None:
    # in_h1 = w1 i1 + w2 i2 + b1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775 (Mazur's first step)
    assert (r"\mathrm{in}_{h1} &= w_{1} i_{1} + w_{2} i_{2} + b_{1} = 0.15 \cdot 0.05 + "
            r"0.2 \cdot 0.1 + 0.35 = 0.3775") in mazur_tex


def test_each_value_is_said_once_or_twice_not_three_times(mazur_tex: str) -> None:
    # ∂E/∂w6 in its derivation and in the descent table; ∂E/∂w5 also in the one update
    # written out as an example
    assert mazur_tex.count("0.0826676278") == 2
    assert mazur_tex.count("0.0821670406") == 3
    full = notes_for(SEED_004, full=True)
    assert full.count("0.0826676278") > 2


def test_same_steps_are_derived_once_in_full(mazur_tex: str) -> None:
    factors = r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}} \cdot"
    w5 = mazur_tex.index(r"{\partial w_{5}} &=")
    w6 = mazur_tex.index(r"{\partial w_{6}} &=")
    assert mazur_tex[w5:w6].count(factors) == 1  # w5 factor by factor
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{6}} &= \left(" in mazur_tex
    full = notes_for(SEED_004, full=True)
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{6}} &= \frac" in full
    assert "Worked example in full" in full and "Worked example in full" not in mazur_tex


def test_gradients_go_from_the_output_layer_back(mazur_tex: str) -> None:
    start = mazur_tex.index("Gradients, step by step")
    places = [mazur_tex.index(rf"{{\partial {p}}} &=", start) for p in
              ("w_{5}", "w_{6}", "w_{7}", "w_{8}", "b_{2}", "w_{1}", "w_{2}", "w_{3}", "w_{4}",
               "b_{1}")]
    assert places == sorted(places)


def test_full_notes_state_the_finite_difference_rule_in_math_and_print_one_table() -> None:
    # the gradient check's rule is plain text for the terminal ("1e-15·max(1, |p|)"); the
    # notes set it in math, in the notes' own names (E_total and θ, not J and p); --full adds
    # the finite differences as a column of the one table, not as a second table
    tex = notes_for(SEED_004, full=True)
    part = tex[tex.index("One step of gradient descent"):]
    assert "1e-15" not in part and "|p|" not in part and "J(p" not in part
    assert (r"The check column is the relative difference between each gradient and "
            r"the central difference $\bigl(E_{\mathrm{total}}(\theta + h)") in part
    assert tex.count(r"\toprule") == 1 and tex.count("finite difference") == 1


def test_no_numbers_drops_the_numbers_and_the_descent_step() -> None:
    tex = notes_for(SEED_004, numbers=False)
    assert "One step of gradient descent" not in tex
    assert "0.3775" not in tex


def test_param_choice_limits_the_derivations() -> None:
    tex = notes_for(SEED_004, params=["w5"])
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} &=" in tex
    assert r"{\partial w_{6}} &=" not in tex


def test_description_math_is_typeset_and_anything_else_is_text() -> None:
    from symbackprop.notes.sections import text_with_math

    parts = text_with_math(r"with $w_1$ and $\input{/etc/passwd}$ and 5$")
    assert parts[1].latex == "w_1"
    assert parts[2] == r" and $\input{/etc/passwd}$ and 5$"
    tex = notes_for(SEED_004)
    assert r"carry $i_1$ and $i_2$ into $h_1$" in tex


def test_softmax_and_bce_pairs_show_the_a_minus_y_simplification() -> None:
    assert "a_j - y_j" in notes_for(ROOT / "specs" / "softmax-cross-entropy.yaml")
    assert r"&= a - y" in notes_for(ROOT / "specs" / "relu-mlp.yaml")


def test_markdown_uses_dollar_math_and_mermaid() -> None:
    md = notes_for(SEED_004, "markdown")
    assert "$$\n\\begin{aligned}" in md
    assert "```mermaid" in md
    assert "\\begin{align*}" not in md


@pytest.mark.parametrize(("name", "definition"), [
    ("seed-004-mazur-2-2-2",
     r"$\delta_{u} = \partial E_{\mathrm{total}} / \partial \mathrm{in}_{u}$"),
    ("seed-002-four-layer", r"$\delta^{l}_{j} = \partial C / \partial z^{l}_{j}$"),
    ("softmax-cross-entropy", r"$\delta^{[l]}_{j} = \partial L / \partial z^{[l]}_{j}$"),
])
def test_delta_is_defined_by_the_specs_own_net_input_and_never_means_kronecker(
        name: str, definition: str) -> None:
    tex = notes_for(ROOT / "specs" / f"{name}.yaml")
    assert f"The local gradient {definition}" in tex
    if name == "softmax-cross-entropy":  # the Kronecker delta is an indicator, not a δ
        assert r"\mathbb{I}[k = i]" in tex and r"\delta_{ki}" not in tex


@pytest.mark.parametrize("name", ["seed-004-mazur-2-2-2", "seed-002-four-layer"])
def test_the_matrix_form_is_one_display_whose_shapes_stay_with_the_equations(name: str
                                                                            ) -> None:
    # heading, its sentence, the shapes and the equations: the sentence runs into the
    # display (no blank line, so no paragraph break). Equations set one column run on in the
    # shapes' display, where a page may break between two equations, never between the
    # shapes and the first equation; set two to a line, they share one box with the shapes
    tex = notes_for(ROOT / "specs" / f"{name}.yaml")
    start = tex.index(r"\subsection*{Matrix form}")
    section = tex[start:tex.index(r"\section*", start)].strip()
    assert "\n\n" not in section.split("\n", 1)[1].strip()
    if r"\begin{minipage}" in section:
        assert ":\n" + r"\par\nopagebreak\noindent\begin{minipage}{\linewidth}" in section
        assert section.endswith(r"\end{minipage}\par")
        shapes, equations = section.split(r"\begin{align*}")[1:]
        assert r"\mathbb{R}^{2 \times 1}" in shapes and r"\frac{\partial" not in shapes
        assert r"\frac{\partial" in equations and " & " in equations
        return
    assert section.count("\\begin{align*}") == 1 and section.endswith(r"\end{align*}")
    display = section[section.index(r"\begin{align*}"):]
    assert r"\mathbb{R}^{2 \times 1}" in display and r"\frac{\partial" in display
    shapes = display.split("\n")[1:]
    last_shape = max(k for k, row in enumerate(shapes) if r"\mathbb{R}" in row)
    assert re.search(r"\\\\\*(\[[^]]*\])?$", shapes[last_shape])
    assert any(row.endswith(" \\\\") for row in shapes[last_shape + 1:])  # may break later


def test_a_value_that_underflows_puts_no_pole_on_the_page(tmp_path: Path) -> None:
    # softplus(−1005) ≈ 3.42e−437 is 0 in float64: the worked numbers would read log(0) and
    # 0.5/0; those lines are left out and the value is printed from 50 digits instead
    spec = tmp_path / "underflow.yaml"
    spec.write_text("""inputs: [x1]
layers:
  - {name: output, units: [o1], activation: softplus, weights: [[w]], bias: b}
loss: {kind: binary_cross_entropy}
values: {inputs: {x1: 1.0}, targets: {o1: 0.5}, params: {w: -1000, b: -5}}
""", encoding="utf-8")
    tex = notes_for(spec)
    assert r"\log{\left(0 \right)}" not in tex
    assert r"\frac{0.5}{0}" not in tex
    exact = float(mpmath.log1p(mpmath.exp(-1005)) * mpmath.mpf(10) ** 437)
    assert rf"\operatorname{{softplus}}\left(-1005\right) = {exact:#.9g} \times 10^{{-437}}" \
        in tex
    assert "= 502.5" in tex  # the loss, −0.5·log(softplus(−1005)), from the log domain


@pytest.mark.parametrize("name", sorted(ACTIVATION_IDENTITIES))
def test_each_identity_step_equals_the_derivative(name: str) -> None:
    ident = ACTIVATION_IDENTITIES[name]()
    truth = sp.diff(ident.function, Z)
    _check_steps(ident.steps, truth, ident.function.free_symbols)


def test_bce_sigmoid_steps_end_in_a_minus_y() -> None:
    ident = bce_sigmoid_identity()
    a, y = sorted(ident.function.free_symbols, key=lambda s: s.name)
    z = sp.Symbol("zz", real=True)
    sig = 1 / (1 + sp.exp(-z))
    truth = sp.diff(ident.function.subs(a, sig), z).subs(sig, a)
    for step in ident.steps[1:]:
        expr = _evaluate(step)
        for av, yv in ((0.3, 0.1), (0.8, 0.6)):
            assert float(expr.subs({a: av, y: yv})) == pytest.approx(
                float(truth.subs({a: av, y: yv, z: sp.log(av / (1 - av))})), rel=1e-9)


def _evaluate(expr: sp.Expr) -> sp.Expr:
    """Our unevaluated step as an ordinary SymPy expression."""
    return expr.replace(lambda e: isinstance(e, Chain), lambda e: sp.Mul(*e.args)).doit()


def _check_steps(steps, truth: sp.Expr, symbols: set) -> None:
    for step in steps:
        assert not step.has(Partial)
        expr = _evaluate(step)
        for zv in (-1.3, 0.4, 2.0):
            subs = {Z: zv, **{s: 0.1 for s in symbols if s != Z}}
            assert complex(expr.subs(subs).evalf()) == pytest.approx(
                complex(truth.subs(subs).rewrite(sp.exp).evalf()), rel=1e-9), step


# ------------------------------------------------------------------------------ pdflatex

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None and not os.environ.get("CI"),
    reason="pdflatex is not installed (under CI these tests fail instead)")


def test_log_parser_finds_errors_and_overfull_boxes() -> None:
    log = parse_log("x\n! Undefined control sequence.\nOverfull \\hbox (7.1pt too wide) in "
                    "paragraph\nUnderfull \\hbox\n")
    assert log.errors == ["! Undefined control sequence."]
    assert len(log.overfull) == 1
    assert not log.ok


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_markdown_notes_keep_their_maths_apart(path: Path) -> None:
    """Display maths in $$ blocks of their own, inline maths in pairs of $ on one line, as
    GitHub and Jupyter read them; no LaTeX environment outside maths."""
    md = notes_for(path, "markdown")
    lines = md.splitlines()
    assert lines.count("$$") % 2 == 0
    inside = False
    for line in lines:
        if line == "$$":
            inside = not inside
            continue
        if not inside and not line.startswith(("```", "  ", "flowchart")):
            assert (line.count("$") - line.count(r"\$")) % 2 == 0, line
            assert "\\begin{" not in line, line


def test_mitchells_convention_is_defined_and_used_in_the_notes() -> None:
    tex = notes_for(ROOT / "specs" / "mitchell-2-2-2.yaml")
    assert r"\delta_{u} = -\partial E / \partial \mathrm{net}_{u}" in tex
    assert "the negative of the derivative of the loss" in tex
    assert r"w^{+} = w + \eta\, \delta\, x" in tex
    assert r"\delta_{k1} &= \left(t_{k1} - o_{k1}\right)" in tex
    # the matrix form is written with δ = ∂E/∂z: the notes say why it does not apply
    assert "The matrix form does not apply to this network" in tex
    assert r"notation.delta\_sign: negative" in tex


def test_weight_decay_is_said_in_words_and_shown_in_the_gradients() -> None:
    tex = notes_for(ROOT / "specs" / "weight-decay-2-2-1.yaml")
    assert r"plus the weight decay $\frac{\lambda}{2} \sum w^2$ over every weight (not the " \
        "biases)" in tex
    assert r"+ \lambda w^{[2]}_{1,1}" in tex
def test_a_softmax_layer_defines_every_net_input_before_its_activations() -> None:
    tex = notes_for(ROOT / "specs" / "tanh-softmax-3-4-3.yaml", "markdown")
    forward = tex[tex.index("## Forward pass"):tex.index("## Derivatives")]
    z3 = forward.index("z^{[2]}_{3} &=")
    first = forward.index(r"a^{[2]}_{1} &=")
    assert z3 < first
    assert r"\operatorname{softmax}_{1}" in forward and r"\operatorname{softmax}_{0}" not in forward


def test_a_negative_gradient_in_the_descent_example_is_in_parentheses(tmp_path: Path) -> None:
    spec = tmp_path / "negative.yaml"
    spec.write_text("""inputs: [x1]
layers:
  - {name: output, units: [o1], activation: linear, weights: [[w]], bias: b}
loss: {kind: squared_error, factor: 1/2}
values: {inputs: {x1: 1.0}, targets: {o1: 2.0}, params: {w: 0.5, b: 0.25},
         learning_rate: 0.1}
""", encoding="utf-8")
    for fmt in ("latex", "markdown"):
        text = notes_for(spec, fmt)
        example = text[text.index("for example"):]
        example = example[:example.index("$.")]
        # ∂E/∂w = (0.75 − 2)·1 = −1.25: w⁺ = 0.5 − 0.1·(−1.25) = 0.625
        assert r"0.1 \cdot \left(-1.25\right) = 0.625" in example, fmt
        assert r"\cdot -" not in text, fmt


def test_an_unspecified_activation_at_zero_keeps_its_numbers_line(tmp_path: Path) -> None:
    # g(0) is a number to the reader (g stands in as tanh): the line with g(0) stays, as the
    # line with g(0.3) does for the next unit; the slope enters as its number, not as g'(0)
    spec = tmp_path / "zero.yaml"
    spec.write_text("""inputs: [x1, x2]
layers:
  - {name: hidden, units: [h1, h2], activation: g, weights: [[a1, a2], [c1, c2]], bias: none}
  - {name: output, units: [o], activation: sigmoid, weights: [[p1, p2]], bias: none}
loss: {kind: squared_error, factor: 1/2}
values: {inputs: {x1: 0.0, x2: 1.0}, targets: {o: 0.5},
         params: {a1: 0.5, a2: 0.0, c1: 0.2, c2: 0.3, p1: 0.4, p2: -0.6},
         functions: {g: tanh}}
""", encoding="utf-8")
    text = notes_for(spec, "markdown")
    forward = text[text.index("## Forward pass"):text.index("## Derivatives")]
    assert r"= g\left(0\right) = 0 \\" in forward
    assert r"= g\left(0.3\right) = 0.291312612 \\" in forward
    deltas = text[text.index("## Local gradients"):text.index("### Matrix form")]
    assert "g'" not in deltas and r"g^{\prime}" not in deltas
    # δ_h1 = δ_o · p1 · tanh'(0) = δ_o · 0.4 · 1: the slope's number is 1 - tanh(0)^2 = 1
    assert r"\cdot 0.4 \cdot 1 =" in deltas


@pytest.mark.parametrize(("reduction", "scale"), [("sum", None), ("mean", r"\frac{1}{3}")])
def test_a_mean_cross_entropy_says_its_output_delta_is_scaled(tmp_path: Path, reduction: str,
                                                              scale: str | None) -> None:
    """The identity a − y is for L = −Σ y log a; a mean over 3 outputs says δ = ⅓(a − y)."""
    from symbackprop.spec.load import load_spec

    path = tmp_path / "net.yaml"
    path.write_text("inputs: {size: 2}\nlayers:\n  - {size: 3, activation: softmax}\n"
                    f"loss: {{kind: cross_entropy, reduction: {reduction}}}\n", encoding="utf-8")
    net = build_network(load_spec(path))
    latex = notes_latex(build_notes(net, derive(net)))
    said = rf"so its local gradient at each output is ${scale} \left(a_j - y_j\right)$"
    assert (said in latex) == (scale is not None), latex
