"""Steps written with the names code gives a layer's matrices, and ``d`` for a gradient.

CS231n's "Putting it together: Minimal Neural Network Case Study"
(https://cs231n.github.io/neural-networks-case-study/, the page's source is
neural-networks-case-study.md of github.com/cs231n/cs231n.github.io) backpropagates a
two-layer ReLU/softmax network in NumPy, one example a row:

    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)

where ``dscores`` is the gradient of the mean cross-entropy by the scores (the page divides
by ``num_examples``). Course notes write the same steps as maths, dW2 = h1ᵀ dscores,
dh1 = dscores W2ᵀ, db2 = Σ_i dscores_i. A spec names the matrices in ``matrices:`` and
declares its cost over the examples; ``d<name>`` is then ∂J/∂<name>. Every published form
must hold entry by entry, and each mutant (a transpose moved, W1 for W2, the sum over the
examples left out, dscores for dhidden, the mask turned round) must not. The published
lines are checked for themselves in tests/data/outside/cs231n-neural-networks-case-study.yaml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from checkers import checker

from symbackprop.check import StepResult
from symbackprop.errors import FormulaError, SpecError
from symbackprop.spec.load import load_spec

MATHS_SPEC = """title: a 2-4-3 ReLU/softmax classifier in the names of course notes
notation:
  layout: row
inputs: {size: 2}
layers:
  - name: hidden
    size: 4
    activation: relu
    matrices: {net: z1, activation: h1, weights: W1, bias: b1}
  - name: output
    size: 3
    activation: softmax
    matrices: {net: scores, activation: probs, weights: W2, bias: b2}
loss: cross_entropy
cost: {examples: m}
"""

CS231N_SPEC = """title: CS231n's minimal two-layer network in the names of its code
notation:
  layout: row
inputs: {size: 2}
layers:
  - name: hidden_units
    size: 4
    activation: relu
    matrices: {activation: [hidden_layer, hidden], weights: W, bias: b}
  - name: class_scores
    size: 3
    activation: softmax
    matrices: {net: scores, activation: probs, weights: W2, bias: b2}
loss: cross_entropy
cost: {examples: num_examples}
"""

PUBLISHED = """\
dW2 = np.dot(hidden_layer.T, dscores)
db2 = np.sum(dscores, axis=0, keepdims=True)
dhidden = np.dot(dscores, W2.T)
dhidden[hidden_layer <= 0] = 0
dW = np.dot(X.T, dhidden)
db = np.sum(dhidden, axis=0, keepdims=True)
"""


def _written(tmp_path_factory: pytest.TempPathFactory, name: str, text: str) -> Path:
    path = tmp_path_factory.mktemp(name) / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def maths(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written(tmp_path_factory, "maths", MATHS_SPEC)


@pytest.fixture(scope="module")
def cs231n(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written(tmp_path_factory, "cs231n", CS231N_SPEC)


@pytest.fixture(scope="module")
def column(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written(tmp_path_factory, "column",
                    MATHS_SPEC.replace("layout: row", "layout: column"))


def step(spec: Path, line: str) -> StepResult:
    result = checker(spec).check_derivation(line)
    assert len(result.steps) == 1, result.steps
    return result.steps[0]


def verdict(spec: Path, line: str) -> str:
    """The one step's verdict, or "unreadable" when the line cannot be read at all."""
    try:
        return step(spec, line).verdict
    except FormulaError:
        return "unreadable"


# the row-layout steps of course notes, in code names (d2l, CS231n's lecture notes)
MATHS_FORMS = [
    r"dW2 = h1^T dscores",
    r"dW2 = h1^{\top} dscores",
    r"dh1 = dscores W2^T",
    r"db2 = \sum_i dscores_i",
    r"db2 = np.sum(dscores, axis=0)",
    r"db2 = np.sum(dscores, axis=0, keepdims=True)",
    r"dz1 = dh1 \odot relu'(z1)",
    r"dW1 = X^T dz1",
    r"db1 = \sum_i dz1_i",
    r"\frac{\partial J}{\partial W2} = h1^T dscores",
    r"dscores = \frac{1}{m} (probs - Y)",
    r"z1 = X W1 + b1",
    r"h1 = relu(z1)",
    r"scores = h1 W2 + b2",
    r"dW2 = h1.T @ dscores",
]


@pytest.mark.parametrize("line", MATHS_FORMS)
def test_the_row_forms_in_code_names_hold_entry_by_entry(maths: Path, line: str) -> None:
    found = step(maths, line)
    assert found.verdict == "correct", found
    assert found.instances is not None and "entr" in found.instances


MATHS_MUTANTS = [
    ("dW2 = h1 dscores^T", "a transpose moved"),
    ("dW2 = dscores^T h1", "the factors swapped"),
    ("dW2 = h1^T dscores^T", "a transpose added"),
    ("dh1 = dscores W2", "the transpose dropped"),
    ("dh1 = W2 dscores^T", "the factors swapped"),
    ("dh1 = dscores W1^T", "W1 for W2"),
    ("dW2 = h1^T dh1", "dh1 for dscores"),
    ("db2 = dscores", "the sum over the examples left out"),
    ("db2 = np.sum(dscores, axis=1, keepdims=True)", "the sum over the classes"),
    ("db2 = m \\sum_i dscores_i", "the mean undone"),
    ("dscores = probs - Y", "the mean over the examples left out"),
    ("dW1 = X^T dh1", "the ReLU's derivative left out"),
    ("dW1 = X^T dscores", "dscores for dz1"),
    ("dz1 = dh1 \\odot relu(z1)", "the activation for its derivative"),
    ("db1 = \\sum_i dh1_i", "dh1 for dz1"),
]


@pytest.mark.parametrize(("line", "mutation"), MATHS_MUTANTS)
def test_a_mutant_in_code_names_never_stays_correct(maths: Path, line: str,
                                                    mutation: str) -> None:
    assert verdict(maths, line) == "incorrect", mutation


@pytest.mark.parametrize(("line", "found"), [
    (r"db2 = \sum_{i=1}^{m} dscores_i", "correct"),
    (r"db2 = \sum_{i=2}^{m} dscores_i", "incorrect"),  # the first example left out
    (r"db2 = \sum_{i=1}^{2} dscores_i", "unreadable"),  # two examples, not m
    (r"db2 = \sum_{i=1}^{n} dscores_i", "unreadable"),
    (r"db2 = \sum_{i=0}^{m} dscores_i", "unreadable"),
])
def test_a_sums_written_bounds_are_read(maths: Path, line: str, found: str) -> None:
    assert verdict(maths, line) == found


@pytest.mark.parametrize(("function", "holds"), [
    ("tanh", True), ("relu", False), ("sigmoid", False), ("softplus", False),
])
def test_a_named_activation_is_that_function_in_any_layer(tmp_path: Path, function: str,
                                                         holds: bool) -> None:
    """relu'(z1) of a tanh layer is ReLU's derivative, not the layer's own."""
    path = tmp_path / "tanh.yaml"
    path.write_text(MATHS_SPEC.replace("activation: relu", "activation: tanh"),
                    encoding="utf-8")
    line = rf"dz1 = dh1 \odot {function}'(z1)"
    assert (verdict(path, line) == "correct") is holds


def test_a_moved_transpose_is_named(maths: Path) -> None:
    found = step(maths, "dW2 = dscores^T h1")
    assert any("transpose" in d for d in found.diagnosis), found.diagnosis


def test_the_mean_left_out_is_named(maths: Path) -> None:
    found = step(maths, "db2 = m \\sum_i dscores_i")
    assert found.verdict == "incorrect"
    assert any("1/m" in d for d in found.diagnosis), found.diagnosis


def test_cs231ns_backward_pass_as_published_holds_line_by_line(cs231n: Path) -> None:
    result = checker(cs231n).check_derivation(PUBLISHED)
    assert result.verdict == "correct"
    assert [s.verdict for s in result.steps] == ["correct"] * 6
    assert all(s.instances and "entr" in s.instances for s in result.steps)


PUBLISHED_MUTANTS = [  # (the line replaced, its mutant, the first line that is then wrong)
    ("dW2 = np.dot(hidden_layer.T, dscores)", "dW2 = np.dot(hidden_layer, dscores.T)", 1),
    ("dW2 = np.dot(hidden_layer.T, dscores)", "dW2 = np.dot(dscores.T, hidden_layer)", 1),
    ("db2 = np.sum(dscores, axis=0, keepdims=True)", "db2 = dscores", 2),
    ("db2 = np.sum(dscores, axis=0, keepdims=True)",
     "db2 = np.sum(dscores, axis=1, keepdims=True)", 2),
    ("dhidden = np.dot(dscores, W2.T)", "dhidden = np.dot(dscores, W.T)", 3),
    ("dhidden = np.dot(dscores, W2.T)", "dhidden = np.dot(dscores, W2)", 3),
    ("dhidden[hidden_layer <= 0] = 0", "dhidden[hidden_layer > 0] = 0", 4),
    ("dhidden[hidden_layer <= 0] = 0", "dhidden[hidden_layer < 0] = 0", 4),
    ("dhidden[hidden_layer <= 0] = 0", "dhidden[hidden_layer <= 0] = 1", 4),
    ("dW = np.dot(X.T, dhidden)", "dW = np.dot(X.T, dscores)", 5),
    ("dW = np.dot(X.T, dhidden)", "dW = np.dot(X, dhidden.T)", 5),
    ("db = np.sum(dhidden, axis=0, keepdims=True)",
     "db = np.sum(dscores, axis=0, keepdims=True)", 6),
]


@pytest.mark.parametrize(("line", "mutant", "first"), PUBLISHED_MUTANTS)
def test_a_mutant_of_the_published_code_is_found_where_it_is(cs231n: Path, line: str,
                                                              mutant: str, first: int
                                                              ) -> None:
    assert line in PUBLISHED
    result = checker(cs231n).check_derivation(PUBLISHED.replace(line, mutant))
    assert result.verdict == "incorrect"
    assert result.first_wrong_line == first


def test_without_the_mask_the_first_layers_gradient_is_wrong(cs231n: Path) -> None:
    """The ReLU's backward step is the mask: leave it out and dW misses relu'(z)."""
    result = checker(cs231n).check_derivation(
        PUBLISHED.replace("dhidden[hidden_layer <= 0] = 0\n", ""))
    assert [s.verdict for s in result.steps] == ["correct"] * 3 + ["incorrect"] * 2


def test_a_mask_holds_only_until_the_name_is_set_again(cs231n: Path) -> None:
    lines = "dhidden[hidden_layer <= 0] = 0\ndhidden = np.dot(dscores, W2.T)\n" \
            "dW = np.dot(X.T, dhidden)\n"
    result = checker(cs231n).check_derivation(lines)
    assert [s.verdict for s in result.steps] == ["correct", "correct", "incorrect"]


@pytest.mark.parametrize("unread", [
    "dhidden = np.multiply(np.dot(dscores, W2.T), 3)",  # three times the gradient
    "dhidden = np.dot(dscores, W2.T) * (hidden_layer < 0)",  # the mask turned round
    "dhidden *= 3",
])
def test_a_name_an_unread_line_sets_is_not_read_after_it(cs231n: Path, unread: str) -> None:
    """Neither the mask before nor ∂J/∂hidden is what dhidden holds after a line that is
    not read: the lines that use it are not judged."""
    lines = "dhidden = np.dot(dscores, W2.T)\ndhidden[hidden_layer <= 0] = 0\n" \
            f"{unread}\ndW = np.dot(X.T, dhidden)\ndhidden[hidden_layer <= 0] = 0\n" \
            "db = np.sum(dhidden, axis=0, keepdims=True)\n"
    result = checker(cs231n).check_derivation(lines)
    assert [s.verdict for s in result.steps] == ["correct"] * 2 + ["unchecked"] * 4
    assert "line 3" in result.steps[3].diagnosis[0]
    again = checker(cs231n).check_derivation(lines.replace(
        "dW = np.dot(X.T, dhidden)", "dhidden = np.dot(dscores, W2.T)"))
    assert [s.verdict for s in again.steps][3:] == ["correct"] * 3  # set again: read again


def test_a_mask_of_what_is_no_activations_gradient_is_not_judged(cs231n: Path) -> None:
    """Nor what the line leaves in dscores: the line that uses it is not judged either."""
    result = checker(cs231n).check_derivation(
        "dscores[hidden_layer <= 0] = 0\ndW2 = np.dot(hidden_layer.T, dscores)\n"
        "scores = np.dot(hidden_layer, W2) + b2\n")
    assert [s.verdict for s in result.steps] == ["unchecked", "unchecked", "correct"]
    assert "activation" in result.steps[0].diagnosis[0]
    assert "line 1" in result.steps[1].diagnosis[0]


def test_the_forward_pass_as_published_holds(cs231n: Path) -> None:
    assert step(cs231n, "hidden_layer = np.maximum(0, np.dot(X, W) + b)").verdict == "correct"
    assert step(cs231n, "scores = np.dot(hidden_layer, W2) + b2").verdict == "correct"
    assert verdict(cs231n, "hidden_layer = np.maximum(0, np.dot(X, W))") == "incorrect"
    assert verdict(cs231n, "scores = np.dot(hidden_layer, W) + b2") != "correct"


# -- the reading is the spec's, and never silent -----------------------------------------

def test_d_is_read_only_before_a_name_the_spec_gives(maths: Path) -> None:
    for line in ("dW3 = h1^T dscores", "dfoo = h1^T dscores", "dW2 = h1^T dlogits"):
        assert verdict(maths, line) in ("unchecked", "unread", "unreadable"), line


def test_without_a_cost_a_d_name_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "no-cost.yaml"
    path.write_text(MATHS_SPEC.replace("cost: {examples: m}\n", ""), encoding="utf-8")
    with pytest.raises(FormulaError, match="has no cost"):
        checker(path).check_derivation("dW2 = h1^T dscores")
    assert step(path, "scores = h1 W2 + b2").verdict == "correct"  # no gradient: read


@pytest.mark.parametrize(("change", "words"), [
    (("activation: h1,", "activation: dscores,"), "dscores"),  # d + scores is taken
    (("inputs: {size: 2}", "inputs: [x1, dW2]"), "dW2"),  # an input named as a gradient
    (("weights: W1,", "weights: W2,"), "W2"),  # one name for two matrices
    (("net: z1,", "net: x1,"), "x1"),  # a matrix named as an input
])
def test_a_name_that_would_read_two_ways_is_refused(tmp_path: Path, change: tuple[str, str],
                                                    words: str) -> None:
    path = tmp_path / "clash.yaml"
    assert change[0] in MATHS_SPEC
    path.write_text(MATHS_SPEC.replace(*change), encoding="utf-8")
    with pytest.raises(SpecError, match=f"`{words}` would name both"):
        load_spec(path)


def test_a_bias_name_needs_a_bias(tmp_path: Path) -> None:
    path = tmp_path / "no-bias.yaml"
    path.write_text(MATHS_SPEC.replace("activation: relu\n", "activation: relu\n    bias: none\n"),
                    encoding="utf-8")
    with pytest.raises(SpecError, match="has no bias to name"):
        load_spec(path)


# -- the verdicts' truth, from an outside oracle -----------------------------------------

def _cs231n_gradients(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray],
                      mask: str = "<=") -> dict[str, np.ndarray]:
    """The page's backward pass, run as NumPy runs it (``mask``: the comparison written)."""
    W, b, W2, b2 = params["W"], params["b"], params["W2"], params["b2"]
    num_examples = X.shape[0]
    hidden_layer = np.maximum(0, np.dot(X, W) + b)
    scores = np.dot(hidden_layer, W2) + b2
    exp_scores = np.exp(scores)
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    dscores = probs
    dscores[range(num_examples), y] -= 1
    dscores /= num_examples
    dW2 = np.dot(hidden_layer.T, dscores)
    db2 = np.sum(dscores, axis=0, keepdims=True)
    dhidden = np.dot(dscores, W2.T)
    dhidden[hidden_layer <= 0 if mask == "<=" else hidden_layer < 0] = 0
    dW = np.dot(X.T, dhidden)
    db = np.sum(dhidden, axis=0, keepdims=True)
    return {"W": dW, "b": db, "W2": dW2, "b2": db2}


def _mean_loss(X: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray]) -> float:
    hidden_layer = np.maximum(0, X @ params["W"] + params["b"])
    scores = hidden_layer @ params["W2"] + params["b2"]
    shifted = scores - scores.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-logp[range(len(y)), y].mean())


def test_the_published_backward_pass_is_the_gradient_of_the_mean_loss() -> None:
    """Central differences of the mean cross-entropy agree with the page's code, and not
    with its mask turned to ``< 0``: the verdicts above are the mathematics'."""
    rng = np.random.default_rng(231)
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 3, size=5)
    params = {"W": rng.normal(size=(2, 4)), "b": rng.normal(size=(1, 4)),
              "W2": rng.normal(size=(4, 3)), "b2": rng.normal(size=(1, 3))}
    grads = _cs231n_gradients(X, y, params)
    h = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            numeric[index] = (_mean_loss(X, y, up) - _mean_loss(X, y, down)) / (2 * h)
        assert np.allclose(grads[name], numeric, atol=1e-6), name
    assert (np.maximum(0, X @ params["W"] + params["b"]) == 0).any()  # the mask bites
    wrong = _cs231n_gradients(X, y, params, mask="<")
    assert not np.allclose(wrong["W"], grads["W"], atol=1e-6)


def test_an_entry_of_a_layer_is_still_read_in_index_form(cs231n: Path) -> None:
    """``b`` names the first layer's bias vector in code; ``b^{[2]}_{1}`` is still the bias
    of unit 1 of layer 2, and a wrong entry is still wrong."""
    right = r"\frac{\partial L}{\partial b^{[2]}_{1}} = \delta^{[2]}_{1}"
    assert step(cs231n, right).verdict == "correct"
    assert verdict(cs231n, right.replace("_{1}", "_{2}", 1)) == "incorrect"


@pytest.mark.parametrize(("line", "holds"), [
    ("dW2 = dscores h1^T", True),
    ("db2 = np.sum(dscores, axis=1, keepdims=True)", True),
    ("dh1 = W2^T dscores", True),
    ("scores = W2 h1 + b2", True),
    ("dW2 = h1^T dscores", False),  # the row layout's form
    ("db2 = np.sum(dscores, axis=0, keepdims=True)", False),
    ("dh1 = dscores^T W2", False),
])
def test_in_the_column_layout_one_example_is_a_column(column: Path, line: str,
                                                      holds: bool) -> None:
    assert (verdict(column, line) == "correct") is holds


@pytest.mark.parametrize(("spec", "line", "code", "words"), [
    ("cs231n", PUBLISHED.replace("dhidden[hidden_layer <= 0] = 0\n", ""),
     "MISSING_ACTIVATION_DERIVATIVE", "dhidden is the cost's gradient by the activation"),
    ("maths", "dW1 = X^T dh1", "MISSING_ACTIVATION_DERIVATIVE", "relu'(z1)"),
    ("maths", "dh1 = dscores W1^T", "WRONG_LAYER", "with W2 in place of W1"),
    ("maths", "dW1 = X^T dscores", "WRONG_LAYER", "with dz1 in place of dscores"),
])
def test_the_mistakes_in_code_names_are_named(request: pytest.FixtureRequest, spec: str,
                                              line: str, code: str, words: str) -> None:
    result = checker(request.getfixturevalue(spec)).check_derivation(line)
    wrong = next(s for s in result.steps if s.verdict == "incorrect")
    assert code in wrong.codes, (wrong.codes, wrong.diagnosis)
    assert any(words in d for d in wrong.diagnosis), wrong.diagnosis
