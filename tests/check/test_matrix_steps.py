"""Matrix-form steps are judged entry by entry, and their common mistakes are named.

The published forms are entered as written: Nielsen's four equations of backpropagation
(*Neural Networks and Deep Learning*, ch. 2: BP1, BP1 with Σ'(z^L), BP2, BP2 with
diag(σ'(z)), BP3, BP4) on a 2-3-3-2 sigmoid network in his notation, and the row-vector
layout of CS231n and d2l (h = XW + b, dW = hᵀ dscores, dh = dscores Wᵀ, db = Σ_i dscores_i)
on a spec that declares ``notation.layout: row``. Mutants of the true forms (a transpose
dropped, a layer index moved, ⊙ for a product) never stay correct.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from checkers import checker
from click.testing import CliRunner
from paths import DATA, SPECS

from symbackprop.check import StepResult
from symbackprop.cli.app import main
from symbackprop.errors import FormulaError

NIELSEN = DATA / "derivations" / "nielsen-2-3-3-2.yaml"
ROW_SPEC = """title: 2-3-2 ReLU/softmax classifier in the row layout
notation:
  layout: row
  activation: "h^{[{layer}]}_{{index}}"
inputs: {size: 2}
layers:
  - {name: hidden, size: 3, activation: relu}
  - {name: output, size: 2, activation: softmax}
loss: cross_entropy
cost: {examples: m}
"""

SHAPES_SPEC = """title: 2-2-3 sigmoid network in the default notation
inputs: {size: 2}
layers:
  - {name: hidden, size: 2, activation: sigmoid}
  - {name: output, size: 3, activation: sigmoid}
loss: squared_error
"""


@pytest.fixture(scope="module")
def row_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("row") / "row.yaml"
    path.write_text(ROW_SPEC, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shapes_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shapes") / "shapes.yaml"
    path.write_text(SHAPES_SPEC, encoding="utf-8")
    return path


def step(spec: Path, line: str) -> StepResult:
    result = checker(spec).check_derivation(line)
    assert len(result.steps) == 1, result.steps
    return result.steps[0]


# Nielsen, ch. 2, as printed (his w^l is the matrix into layer l, a the output activations)
PUBLISHED_BP = [
    r"\delta^L = \nabla_a C \odot \sigma'(z^L)",  # (BP1)
    r"\delta^L = \Sigma'(z^L) \nabla_a C",  # (BP1) with the diagonal Σ'(z^L)
    r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)",  # (BP2)
    r"\delta^l = \Sigma'(z^l) (w^{l+1})^T \delta^{l+1}",  # (BP2) in matrix form
    r"\frac{\partial C}{\partial b^l} = \delta^l",  # (BP3), vectorised
    r"\frac{\partial C}{\partial w^l} = \delta^l (a^{l-1})^T",  # (BP4), vectorised
    r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \circ \sigma'(z^l)",
    r"\delta^{l} = \operatorname{diag}(\sigma'(z^l)) (w^{l+1})^T \delta^{l+1}",
    r"\partial C / \partial w^l = \delta^l (a^{l-1})^{\top}",
    r"z^l = w^l a^{l-1} + b^l",
    "δ^L = ∇_a C ⊙ σ'(z^L)",
]


@pytest.mark.parametrize("line", PUBLISHED_BP)
def test_nielsens_equations_as_published_hold_entry_by_entry(line: str) -> None:
    found = step(NIELSEN, line)
    assert found.verdict == "correct", found
    assert found.instances is not None and "entr" in found.instances


def test_a_free_layer_is_checked_at_every_layer_it_names() -> None:
    found = step(NIELSEN, PUBLISHED_BP[2])
    # δ^l for l = 2, 3 (δ^4 has no w^5): 3 + 3 entries
    assert found.instances == "for l = 2, 3: all 6 entries hold"


def _transposes_dropped(line: str) -> list[str]:
    return [line[:m.start()] + line[m.end():] for m in re.finditer(r"\^\{?(T|\\top)\}?", line)]


def _layers_moved(line: str) -> list[str]:
    out = []
    for m in re.finditer(r"\^(?:\{(l|L)([+-]1)?\}|(l|L))", line):
        letter, offset = m.group(1) or m.group(3), int(m.group(2) or 0)
        for step_ in (-1, 1):
            k = offset + step_
            script = letter + (f"+{k}" if k > 0 else f"-{-k}" if k < 0 else "")
            out.append(line[:m.start()] + "^{" + script + "}" + line[m.end():])
    return out


MUTANTS = sorted({(line, mutant) for line in PUBLISHED_BP[:6] + PUBLISHED_BP[9:10]
                  for mutant in _transposes_dropped(line) + _layers_moved(line) +
                  [line.replace(r"\odot", "")]
                  if mutant != line})


@pytest.mark.parametrize(("line", "mutant"), MUTANTS)
def test_a_mutant_of_a_true_form_never_stays_correct(line: str, mutant: str) -> None:
    """A transpose dropped, a layer index moved by one, ⊙ dropped for a product: wrong,
    and said to be (or, where the mutant names no layer at all, not judged)."""
    try:
        result = checker(NIELSEN).check_derivation(mutant)
    except FormulaError as exc:  # z^{L+1}: no layer of the network, so nothing is judged
        assert "has no layer" in str(exc) or "no layer l gives" in str(exc)
        return
    verdicts = {s.verdict for s in result.steps}
    assert "correct" not in verdicts, (mutant, result.steps)
    assert verdicts == {"incorrect"}


NAMED = [
    (r"\delta^2 = (w^{3} \delta^{3}) \odot \sigma'(z^2)", "MISSING_TRANSPOSE",
     "a transpose is missing: (w^{3})^T, not w^{3}"),
    (r"z^3 = (w^3)^T a^2 + b^3", "EXTRA_TRANSPOSE", "an extra transpose: w^{3}, not (w^{3})^T"),
    (r"\frac{\partial C}{\partial w^l} = \delta^l a^{l-1}", "MISSING_TRANSPOSE",
     "a transpose is missing: (a^{l-1})^T, not a^{l-1}"),
    (r"\delta^l = (w^{l+1})^T \delta^{l+1}", "MISSING_ACTIVATION_DERIVATIVE",
     "it misses the activation-derivative factor σ'(z^{l})"),
    (r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^{l+1})", "WRONG_LAYER",
     "the wrong layer: with z^{l} in place of z^{l+1} the line holds"),
    (r"\frac{\partial C}{\partial w^l} = \delta^l (a^{l})^T", "WRONG_LAYER",
     "the wrong layer: with a^{l-1} in place of a^{l} the line holds"),
    (r"\frac{\partial C}{\partial w^l} = a^{l-1} (\delta^l)^T", "TRANSPOSED",
     "this is the transpose of ∂C/∂w^{l}: the factors are in the wrong order, or a transpose "
     "is missing"),
    (r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \sigma'(z^l)", "PRODUCT_FOR_ELEMENTWISE",
     "a matrix product where ⊙ belongs"),
    (r"z^3 = w^3 \odot a^2 + b^3", "ELEMENTWISE_FOR_PRODUCT",
     "⊙ where a matrix product belongs"),
    (r"\delta^L = \nabla_a C \odot \sigma'(z^L) \odot \sigma'(z^L)",
     "EXTRA_ACTIVATION_DERIVATIVE", "it has an extra activation-derivative factor σ'(z^{L})"),
]


@pytest.mark.parametrize(("line", "code", "words"), NAMED)
def test_the_common_mistakes_of_the_matrix_form_are_named(line: str, code: str,
                                                          words: str) -> None:
    found = step(NIELSEN, line)
    assert found.verdict == "incorrect"
    assert code in found.codes, found.diagnosis
    assert words in found.diagnosis, found.diagnosis


def test_shapes_that_do_not_fit_are_named_with_the_transpose_that_fits(shapes_spec: Path
                                                                        ) -> None:
    found = step(shapes_spec, r"\delta^{[1]} = (W^{[2]} \delta^{[2]}) \odot "
                              r"\sigma'(z^{[1]})")
    assert found.verdict == "incorrect"
    assert found.diagnosis[0] == \
        "W^{[2]} is 3×2 and δ^{[2]} is 3×1: (W^{[2]})^T δ^{[2]} is 2×1"
    assert found.codes[0] == "SHAPE_MISMATCH"
    assert "a transpose is missing: (W^{[2]})^T, not W^{[2]}" in found.diagnosis


def test_a_wrong_value_gives_the_entry_and_a_counterexample(shapes_spec: Path) -> None:
    found = step(shapes_spec, r"\frac{\partial L}{\partial b^{[2]}} = 2 \delta^{[2]}")
    assert found.verdict == "incorrect" and found.diagnosis[0] == "fails at entry (1, 1)"
    assert "it is off by a constant factor: the true value is 0.5 times it" in found.diagnosis
    counter = found.counterexample
    assert counter is not None and counter.true_value is not None
    assert counter.formula_value == pytest.approx(2 * counter.true_value)


def test_shape_rows_are_judged(shapes_spec: Path) -> None:
    text = "Matrix form (per layer):\n  W^[2] ∈ R^(3×2)\n  W^[1] ∈ R^(3×2)\n"
    result = checker(shapes_spec).check_derivation(text)
    assert [s.verdict for s in result.steps] == ["correct", "incorrect"]
    assert result.steps[1].diagnosis == ("the shape is wrong: W^{[1]} is 2×2",)


# CS231n's two-layer net and d2l's MLP, one example a row, in the spec's names
ROW_FORMS = [
    r"z^{[1]} = x W^{[1]} + b^{[1]}",
    r"Z^{[1]} = X W^{[1]} + b^{[1]}",  # b added to every example's row
    r"H^{[1]} = \operatorname{ReLU}(Z^{[1]})",
    r"\Delta^{[2]} = H^{[2]} - Y",
    r"\frac{\partial J}{\partial W^{[2]}} = \frac{1}{m} (H^{[1]})^T \Delta^{[2]}",
    r"\frac{\partial J}{\partial b^{[2]}} = \frac{1}{m} \sum_i \Delta^{[2]}_i",
    r"\Delta^{[1]} = \Delta^{[2]} (W^{[2]})^T \odot \operatorname{relu}'(Z^{[1]})",
    r"\frac{\partial L}{\partial W^{[2]}} = (h^{[1]})^T \delta^{[2]}",
    r"\frac{\partial L}{\partial h^{[1]}} = \delta^{[2]} (W^{[2]})^T",
]


@pytest.mark.parametrize("line", ROW_FORMS)
def test_the_row_layout_of_cs231n_and_d2l_holds(row_spec: Path, line: str) -> None:
    found = step(row_spec, line)
    assert found.verdict == "correct", found


@pytest.mark.parametrize(("line", "words"), [
    (r"\frac{\partial L}{\partial W^{[2]}} = \delta^{[2]} (h^{[1]})^T",
     "the factors are in the wrong order: (h^{[1]})^T δ^{[2]}"),
    (r"\frac{\partial J}{\partial b^{[2]}} = \sum_i \Delta^{[2]}_i",
     "it misses the factor 1/m"),
    (r"z^{[1]} = W^{[1]} x + b^{[1]}", "the factors are in the wrong order: x W^{[1]}"),
])
def test_column_forms_in_the_row_layout_are_wrong_and_named(row_spec: Path, line: str,
                                                            words: str) -> None:
    found = step(row_spec, line)
    assert found.verdict == "incorrect"
    assert words in found.diagnosis, found.diagnosis


def test_one_formula_in_matrix_form(shapes_spec: Path) -> None:
    check = checker(shapes_spec)
    good = check.check(None, r"\frac{\partial L}{\partial W^{[1]}} = \delta^{[1]} x^T")
    assert good.verdict == "correct"
    bad = check.check(None, r"\frac{\partial L}{\partial W^{[1]}} = \delta^{[1]} x")
    assert bad.verdict == "incorrect" and "SHAPE_MISMATCH" in bad.steps[0].codes
    with pytest.raises(FormulaError, match="names no layer"):
        check.check(None, r"\delta^{[1]} = Q^{[1]} \odot \sigma'(z^{[1]})")


def test_a_network_that_is_not_layered_says_why() -> None:
    result = checker(SPECS / "skip-connection.yaml").check_derivation(
        r"\delta^{[1]}_{1} = \frac{\partial L}{\partial z^{[1]}_{1}}" "\n"
        r"z^{[1]} = W^{[1]} x + b^{[1]}" "\n")
    matrix = [s for s in result.steps if "matrix form" in " ".join(s.diagnosis)]
    assert matrix and matrix[0].verdict == "unchecked"
    assert "layered" in matrix[0].diagnosis[0]


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
def test_derives_row_layout_reads_back_with_every_matrix_step_judged(row_spec: Path,
                                                                     fmt: str) -> None:
    printed = CliRunner().invoke(main, ["derive", str(row_spec), "--form", "delta",
                                        "--format", fmt])
    assert printed.exit_code == 0, printed.output
    result = checker(row_spec).check_derivation(printed.output)
    matrix = [s for s in result.steps if s.instances and "entr" in s.instances]
    assert len(matrix) >= 20  # forward pass, δ, gradients and the batch, each judged
    assert all(s.verdict == "correct" for s in matrix)
    assert result.verdict == "correct"
    assert "Matrix form" not in printed.output or "x·W^[1]" in printed.output or \
        r"x W^{[1]}" in printed.output


TANH_SOFTMAX = SPECS / "tanh-softmax-3-4-3.yaml"
BIAS_FORMS = [  # (spec, BP3 as one formula, the layer it names, a layer the spec also has)
    (TANH_SOFTMAX, r"\frac{\partial L}{\partial b^{[1]}} = \delta^{[1]}", "[1]", "[2]"),
    (TANH_SOFTMAX, r"\frac{\partial L}{\partial b^{[2]}} = \delta^{[2]}", "[2]", "[1]"),
    (TANH_SOFTMAX, r"\partial L / \partial b^{[1]} = \delta^{[1]}", "[1]", "[2]"),
    (NIELSEN, r"\frac{\partial C}{\partial b^3} = \delta^3", "3", "4"),
    (NIELSEN, r"\partial C / \partial b^3 = \delta^3", "3", "2"),
]


@pytest.mark.parametrize(("spec", "line", "layer", "other"), BIAS_FORMS)
def test_bp3_with_a_layer_below_the_partial_is_one_formula(spec: Path, line: str, layer: str,
                                                           other: str) -> None:
    """BP3 given as one formula is read in matrix form and holds; δ of another layer in its
    place is wrong, and the wrong layer is named."""
    check = checker(spec)
    good = check.check(None, line)
    assert good.verdict == "correct", good
    lhs, rhs = line.split("=")
    mutant = lhs + "=" + rhs.replace(layer, other)
    bad = check.check(None, mutant)
    assert bad.verdict == "incorrect", (mutant, bad)
    assert "WRONG_LAYER" in bad.steps[0].codes, bad.steps[0].diagnosis


def test_bp3_with_a_free_layer_below_the_partial_is_one_formula() -> None:
    check = checker(NIELSEN)
    good = check.check(None, r"\partial C / \partial b^l = \delta^l")
    assert good.verdict == "correct"
    assert good.steps[0].instances == "for l = 2, 3, 4: all 8 entries hold"
    bad = check.check(None, r"\partial C / \partial b^l = \delta^{l+1}")
    assert bad.verdict == "incorrect"
    assert "WRONG_LAYER" in bad.steps[0].codes


def test_an_unreadable_layer_vector_in_one_formula_is_still_an_error() -> None:
    with pytest.raises(FormulaError, match="names no layer"):
        checker(TANH_SOFTMAX).check(None, r"\frac{\partial L}{\partial b^{[1]}} = Q^{[1]}")
