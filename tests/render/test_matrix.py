"""Matrix form: applicability, names in the spec's notation, shapes, and the numbers."""

from __future__ import annotations

import numpy as np
import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.evaluation import evaluate
from symbackprop.render.matrix import matrix_form
from symbackprop.spec.load import load_spec


def form_of(name: str):
    net = build_network(load_spec(SPECS / f"{name}.yaml"))
    return net, matrix_form(net, derive(net))


@pytest.mark.parametrize(("name", "reason"), [
    ("skip-connection", "skip edges"),
    ("seed-003-stackexchange-chain", "shared by several layers"),
    ("relu-mlp", 'the units of the layer "second" have different activations'),
])
def test_not_plain_layered_networks_say_why(name: str, reason: str) -> None:
    _, form = form_of(name)
    assert not form.applies
    assert reason in form.reason
    assert "does not apply" in form.text_lines()[0]


def test_seed002_uses_source_numbering_for_weights_and_biases() -> None:
    _, form = form_of("seed-002-four-layer")
    latex = form.latex()
    # W^l and b^l carry layer l to layer l + 1 (seed 002's convention)
    assert r"z^{2} &= W^{1} x + b^{1}" in latex
    assert r"\delta^{2} &= \left(W^{2}\right)^{\top} \delta^{3} \odot f'\left(z^{2}\right)" \
        in latex
    assert r"W^{3} &\in \mathbb{R}^{1 \times 2}" in latex


def test_default_notation_and_softmax_cross_entropy() -> None:
    _, form = form_of("softmax-cross-entropy")
    text = "\n".join(form.text_lines())
    assert "W^[1] ∈ R^(4×3)" in text
    assert "x ∈ R^(3×1)" in text  # a vector is a matrix of one column
    assert "δ^[2] = a^[2] - y" in text
    assert "x^T" in text and "(x)^T" not in text
    assert "sigmoid'(z^[1])" in text  # the name the text rows use, not σ or sigma


def test_text_batch_block_is_complete_and_names_read_back() -> None:
    _, form = form_of("seed-004-mazur-2-2-2")
    text = "\n".join(form.text_lines())
    # ∂E_total/∂out = out − target (½ squared error): δ shows it, as the index form does
    assert "δ^(2) = (out^(2) - target) ⊙ sigmoid'(in^(2))" in text
    assert "nabla" not in text and "*" not in text
    assert "∂J/∂b1 = (1/m)·1^T·Δ^(1)·1" in text  # the shared bias's batch gradient
    assert "OUT^(1) = sigmoid(IN^(1))" in text


def test_linear_layers_have_no_slope_factor() -> None:
    _, form = form_of("tanh-regression")
    text = "\n".join(form.text_lines())
    assert "δ^[2] = 2·(a^[2] - y)\n" in text  # squared error without ½: ∂L/∂a = 2 (a − y)
    assert "a^[2] = z^[2]\n" in text
    assert "id'" not in text


def test_shared_layer_bias_is_a_scalar_times_ones() -> None:
    _, form = form_of("seed-004-mazur-2-2-2")
    latex = form.latex()
    assert r"\mathrm{in}^{(1)} &= W^{(1)} i + b_{1} \mathbf{1}" in latex
    assert r"\mathbf{1}^{\top} \delta^{(1)}" in latex


def test_matrix_equations_reproduce_the_tools_gradients() -> None:
    """δ^L = (a − y) ⊙ a ⊙ (1 − a), δ^l = (W^T δ) ⊙ a(1 − a), ∂E/∂W = δ a^T, for seed 004."""
    net, form = form_of("seed-004-mazur-2-2-2")
    spec = net.spec
    ev = evaluate(net, derive(net), spec.values)
    p, ex = spec.values.params, spec.values.examples[0]
    W1 = np.array([[p["w1"], p["w2"]], [p["w3"], p["w4"]]])
    W2 = np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]])
    x = np.array([ex.inputs["i1"], ex.inputs["i2"]])
    y = np.array([ex.targets["o1"], ex.targets["o2"]])
    a1 = 1 / (1 + np.exp(-(W1 @ x + p["b1"])))
    a2 = 1 / (1 + np.exp(-(W2 @ a1 + p["b2"])))
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    g = ev.gradients
    assert np.allclose(np.outer(d2, a1), [[g["w5"], g["w6"]], [g["w7"], g["w8"]]])
    assert np.allclose(np.outer(d1, x), [[g["w1"], g["w2"]], [g["w3"], g["w4"]]])
    assert np.isclose(d1.sum(), g["b1"]) and np.isclose(d2.sum(), g["b2"])
    assert form.applies


def test_batch_form_has_examples_as_columns() -> None:
    _, form = form_of("tanh-regression")
    title, rows = form.sections[-1]
    assert "columns of X" in form.title(title, "text")
    text = "\n".join(form.text_rows(rows))
    assert "X ∈ R^(2×m)" in text
    assert "1/m" in text


def test_the_batch_title_names_read_as_each_format_writes_them(tmp_path) -> None:
    """Multi-letter input and a calligraphic cost: text says FEATURE and J, Markdown puts
    the LaTeX names in $…$, never raw LaTeX in text."""
    path = tmp_path / "feature.yaml"
    path.write_text("inputs: [feature_1, feature_2]\nnotation: {cost: \"\\\\mathcal{J}\"}\n"
                    "layers:\n  - {size: 2, activation: tanh}\n  - {size: 1, activation: "
                    "sigmoid}\nloss: mse\n", encoding="utf-8")
    net = build_network(load_spec(path))
    form = matrix_form(net, derive(net))
    text = "\n".join(form.text_lines())
    assert "batch of m examples (columns of FEATURE); cost J:" in text
    assert "∂J/∂W^[1] = (1/m)·Δ^[1]·FEATURE^T" in text
    assert "\\" not in text
    assert "**batch of $m$ examples (columns of $\\mathbf{feature}$); cost $\\mathcal{J}$**" \
        in form.markdown()
    assert form.json()["sections"][-1]["title"] == \
        "batch of m examples (columns of FEATURE); cost J"


LECTURER = """title: 2-3-1 leaky-ReLU regression in a lecturer's notation
notation:
  net: "z^{({layer})}_{{index}}"
  activation: "a^{({layer})}_{{index}}"
  weight: "W^{({layer})}_{{j}{k}}"
  bias: "b^{({layer})}_{{j}}"
  first_layer: 0
inputs: {size: 2}
layers:
  - {name: hidden, size: 3, activation: leaky_relu}
  - {name: output, size: 1, activation: linear}
loss: {kind: squared_error, factor: 1/2}
"""


def test_the_layer_script_is_the_notations_own_and_the_output_delta_is_a_minus_y(
        tmp_path) -> None:
    """W^{(1)}, a^{(1)} as the spec writes them (not W^1, a power), and δ of a linear output
    under ½ squared error is a − y, as the index form shows it."""
    path = tmp_path / "lecturer.yaml"
    path.write_text(LECTURER, encoding="utf-8")
    net = build_network(load_spec(path))
    latex = matrix_form(net, derive(net)).latex()
    assert r"z^{(1)} &= W^{(1)} x + b^{(1)}" in latex
    assert r"\delta^{(2)} &= a^{(2)} - y" in latex
    assert r"\nabla" not in latex and "W^{1}" not in latex and "a^{1}" not in latex


def test_the_row_layout_prints_one_example_a_row(tmp_path) -> None:
    path = tmp_path / "row.yaml"
    path.write_text(LECTURER.replace("  first_layer: 0\n", "  first_layer: 0\n  layout: row\n"),
                    encoding="utf-8")
    net = build_network(load_spec(path))
    form = matrix_form(net, derive(net))
    text = "\n".join(form.text_lines())
    for row in ("x ∈ R^(1×2)", "W^(1) ∈ R^(2×3)", "z^(1) = x·W^(1) + b^(1)",
                "δ^(1) = δ^(2)·(W^(2))^T ⊙ leaky_relu'(z^(1))", "∂L/∂W^(2) = (a^(1))^T·δ^(2)",
                "batch of m examples (rows of X)", "Z^(1) = X·W^(1) + 1·b^(1)",
                "∂J/∂W^(1) = (1/m)·X^T·Δ^(1)", "∂J/∂b^(1) = (1/m)·1^T·Δ^(1)"):
        assert row in text, (row, text)


@pytest.mark.parametrize(("output", "loss"), [("softmax", "cross_entropy"),
                                              ("sigmoid", "binary_cross_entropy")])
@pytest.mark.parametrize("loss_form", ["sum", "mean", "factor"])
def test_the_output_delta_carries_the_losss_factor_and_mean(tmp_path, output: str, loss: str,
                                                             loss_form: str) -> None:
    """δ^L = a − y only for the plain sum; a mean over the 3 outputs or a factor scales it, and
    what the matrix form prints (one example and the batch) is judged correct by check."""
    from checkers import checker

    given = {"sum": loss, "mean": f"{{kind: {loss}, reduction: mean}}",
             "factor": f"{{kind: {loss}, factor: 1/2}}"}[loss_form]
    path = tmp_path / "net.yaml"
    path.write_text(f"inputs: {{size: 2}}\nlayers:\n  - {{size: 2, activation: tanh}}\n"
                    f"  - {{size: 3, activation: {output}}}\nloss: {given}\n", encoding="utf-8")
    net = build_network(load_spec(path))
    form = matrix_form(net, derive(net))
    latex = form.latex()
    scale = {"sum": None, "mean": r"\frac{1}{3}", "factor": r"\frac{1}{2}"}[loss_form]
    output_rows = [row for row in latex.splitlines() if row.startswith((r"\delta^{[2]}",
                                                                        r"\Delta^{[2]}"))]
    assert output_rows and all((scale in row) if scale else ("frac" not in row)
                               for row in output_rows), output_rows
    result = checker(path).check_derivation("\n".join(output_rows))
    assert [step.verdict for step in result.steps] == ["correct"] * len(output_rows), result
