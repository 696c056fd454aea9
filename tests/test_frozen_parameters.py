"""A spec's `frozen` parameters through every command: no gradient or update for them, their
values kept, and every other number against the autograd oracle (tests/oracle.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from checkers import checker
from click.testing import CliRunner
from oracle import mismatches, oracle, trained
from paths import SPECS

from symbackprop.check import Checker
from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

SPEC = SPECS / "frozen-weight-2-2-1.yaml"  # w3 and the hidden layer's bias b1 frozen
FROZEN = {"w3": 0.4, "b1": 0.25}
TRAINED = ["w1", "w2", "w4", "w5", "w6", "b2"]
# ∂L/∂w3 written out: a^{[1]}_2 is the unit w3 feeds, x1 the input it carries
DL_DW3 = "(a_2_1 - y_1)*a_2_1*(1-a_2_1)*w6*a_1_2*(1-a_1_2)*x1"
DL_DW4 = "(a_2_1 - y_1)*a_2_1*(1-a_2_1)*w6*a_1_2*(1-a_1_2)*x2"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, [*args])


def spec_point() -> tuple[dict[str, float], list[tuple[dict[str, float], dict[str, float]]]]:
    spec = load_spec(SPEC)
    ex = spec.values.examples[0]
    return dict(spec.values.params), [(dict(ex.inputs), dict(ex.targets))]


def oracle_step(params: dict[str, float], lr: float) -> dict[str, float]:
    """One descent step by the oracle's gradient, the frozen parameters left as they are."""
    _, examples = spec_point()
    gradients = oracle(load_spec(SPEC), params, examples).gradients
    return {n: v - (0.0 if n in FROZEN else lr * gradients[n]) for n, v in params.items()}


# --------------------------------------------------------------------------- derive, notes


@pytest.mark.parametrize("form", ["chain", "closed", "delta"])
def test_derive_lists_no_gradient_of_a_frozen_parameter(form: str) -> None:
    result = run("derive", str(SPEC), "--form", form)
    assert result.exit_code == 0, result.output
    for name in TRAINED:
        assert f"∂L/∂{name}\n" in result.output
    for name in FROZEN:
        assert f"∂L/∂{name}" not in result.output
    assert "note: w3 and b1 are frozen: not trained, so no gradient or update is derived" \
        in result.output
    assert "z_1_2 = w3·x1 + w4·x2 + b1" in result.output  # still a symbol of the forward pass


def test_derive_json_and_op_level_leave_frozen_parameters_out() -> None:
    data = json.loads(run("derive", str(SPEC), "--format", "json").output)
    assert [p["name"] for p in data["parameters"]] == TRAINED
    assert any("w3 and b1 are frozen" in n for n in data["notes"])
    ops = run("derive", str(SPEC), "--level", "op").output
    gradients = ops.split("Gradients:")[1]
    assert "∂L/∂w3" not in gradients and "∂L/∂w4" in gradients
    assert "w3 and b1 are frozen" in gradients


def test_derive_refuses_to_derive_a_frozen_parameter() -> None:
    result = run("derive", str(SPEC), "--param", "w3")
    assert result.exit_code == 2
    assert "--param: `w3` is frozen: no gradient is derived for it" in result.output


def test_notes_say_the_parameters_are_frozen_and_take_no_step(tmp_path: Path) -> None:
    out = tmp_path / "notes.md"
    result = run("notes", str(SPEC), "--format", "markdown", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("The parameters $w_{3} = 0.4$ and $b_{1} = 0.25$ are frozen: they are not "
            "trained") in text
    assert "every trained parameter takes the step" in text
    rows = [line for line in text.splitlines() if line.startswith("| $")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "$w_{5}$", "$w_{6}$", "$b_{2}$", "$w_{1}$", "$w_{2}$", "$w_{4}$"]
    assert r"\partial w_{3}" not in text and r"\partial b_{1}" not in text
    assert "the weight $w_{3}$ is frozen (not trained)" in text  # why no matrix form


# ------------------------------------------------------------------------- eval, gradcheck


def test_eval_reports_the_other_gradients_as_autograd_does() -> None:
    result = run("eval", str(SPEC), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    params, examples = spec_point()
    expected = oracle(load_spec(SPEC), params, examples)
    assert sorted(data["gradients"]) == sorted(TRAINED)
    assert not mismatches(data["gradients"], trained(load_spec(SPEC), expected.gradients))
    assert data["loss"] == pytest.approx(expected.loss, rel=1e-12)
    assert data["frozen"] == ["w3", "b1"]
    # one step: the frozen parameters exactly as given, the others by the oracle's gradient
    for name, value in oracle_step(params, 1.0).items():
        assert data["updated"][name] == pytest.approx(value, rel=1e-12), name
    for name, value in FROZEN.items():
        assert data["updated"][name] == value


def test_eval_steps_keep_frozen_parameters_and_follow_the_oracle() -> None:
    data = json.loads(run("eval", str(SPEC), "--steps", "3", "--format", "json").output)
    params, _ = spec_point()
    for _ in range(3):
        params = oracle_step(params, 1.0)
    for name, value in params.items():
        assert data["updated"][name] == pytest.approx(value, rel=1e-10), name
    assert {n: data["updated"][n] for n in FROZEN} == FROZEN


def test_eval_text_lists_no_frozen_row() -> None:
    lines = run("eval", str(SPEC)).output.splitlines()
    rows = [line.split()[0] for line in lines if line.split() and line.split()[0] in
            [*TRAINED, *FROZEN]]
    assert rows == TRAINED
    assert "frozen: w3, b1" in lines


def test_gradcheck_checks_the_trained_parameters_against_autograd() -> None:
    result = run("gradcheck", str(SPEC), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["total_parameters"] == len(TRAINED)
    numeric = {p["name"]: p["numeric"] for p in data["parameters"]}
    assert sorted(numeric) == sorted(TRAINED)
    params, examples = spec_point()
    expected = trained(load_spec(SPEC), oracle(load_spec(SPEC), params, examples).gradients)
    assert not mismatches(numeric, expected)
    assert any("w3 and b1 are frozen" in n for n in data["notes"])
    directional = json.loads(run("gradcheck", str(SPEC), "--method", "directional",
                                 "--format", "json").output)
    assert directional["ok"] and directional["total_parameters"] == len(TRAINED)


# --------------------------------------------------------------------------------- codegen


def _module(source: str, folder: Path) -> Any:
    path = folder / "grad_frozen.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("grad_frozen", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codegen_fixes_frozen_parameters_and_matches_autograd(tmp_path: Path) -> None:
    result = run("codegen", str(SPEC))
    assert result.exit_code == 0, result.output
    module = _module(result.output, tmp_path)
    assert list(module.PARAM_NAMES) == TRAINED
    assert module.FROZEN == FROZEN
    params, examples = spec_point()
    rng = np.random.default_rng(7)
    for point in (params, {**params, **{n: float(rng.uniform(-1, 1)) for n in TRAINED}}):
        x = [[examples[0][0]["x1"], examples[0][0]["x2"]]]
        t = [[examples[0][1]["o1"]]]
        cost, grads = module.loss_and_grad({n: point[n] for n in TRAINED}, x, t)
        expected = oracle(load_spec(SPEC), point, examples)
        assert cost == pytest.approx(expected.loss, rel=1e-12)
        assert not mismatches(grads, trained(load_spec(SPEC), expected.gradients))
    assert module.gradient_check() < 1e-6  # its own central differences, over θ


def test_codegen_needs_the_value_of_a_frozen_parameter(tmp_path: Path) -> None:
    text = SPEC.read_text(encoding="utf-8").replace(" w3: 0.4,", "")
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("codegen", str(path))
    assert result.exit_code == 2
    assert "values.params: the frozen parameter `w3` has no value" in result.output
    derived = run("derive", str(path))  # without a value it stays a symbol
    assert derived.exit_code == 0 and "w3·x1" in derived.output


# ------------------------------------------------------------------------------------ check


@pytest.fixture(scope="module")
def frozen_checker() -> Checker:
    return checker(SPEC)


def test_a_derivative_by_a_frozen_parameter_is_judged_as_a_derivative(
        frozen_checker: Checker) -> None:
    right = frozen_checker.check(None, f"dL/dw3 = {DL_DW3}")
    assert right.verdict == "correct"
    assert any("w3 is frozen" in n for s in right.steps for n in s.notes)
    # a mutant: the input of w4 in place of w3's is the gradient of w4, not of w3
    wrong = frozen_checker.check("w3", DL_DW4)
    assert wrong.verdict == "incorrect"
    assert "OTHER_PARAMETER" in wrong.codes


@pytest.mark.parametrize("rule", [
    f"w3 <- w3 - alpha*{DL_DW3}",  # a right descent step, but w3 is not trained
    f"w3 <- w3 + alpha*{DL_DW3}",
    f"w3 <- w3 - alpha*{DL_DW4}",
    "w3^+ = 0.4 - 1*0.00229869",  # the step in numbers at the spec's values
    "w3 <- 0",
])
def test_an_update_that_moves_a_frozen_parameter_is_incorrect(frozen_checker: Checker,
                                                              rule: str) -> None:
    result = frozen_checker.check(None, rule)
    assert result.verdict == "incorrect", rule
    assert "FROZEN_UPDATED" in {c for s in result.steps for c in s.codes} | set(result.codes)


def test_a_frozen_parameter_keeps_its_value_in_an_update(frozen_checker: Checker) -> None:
    assert frozen_checker.check(None, "w3 <- w3").verdict == "correct"
    assert frozen_checker.check(None, "w3^+ = 0.4").verdict == "correct"
    shared = frozen_checker.check(None, "b1 <- b1 - alpha*(a_2_1 - y_1)").verdict
    assert shared == "incorrect"


def test_trained_parameters_are_judged_as_without_frozen_ones(frozen_checker: Checker) -> None:
    assert frozen_checker.check(None, f"w4 <- w4 - alpha*{DL_DW4}").verdict == "correct"
    sign = frozen_checker.check(None, f"w4 <- w4 + alpha*{DL_DW4}")
    assert sign.verdict == "incorrect" and "GRADIENT_ASCENT" in sign.codes + tuple(
        c for s in sign.steps for c in s.codes)
    # a formula holding the frozen w3 (and b1) as constants is judged as any formula
    forward = frozen_checker.check_derivation(
        "z_1_2 = w3*x1 + w4*x2 + b1 = 0.4*0.35 + 0.6*0.9 + 0.25 = 0.93\n")
    assert forward.verdict == "correct"
    for mutant in ("z_1_2 = w4*x1 + w3*x2 + b1\n", "z_1_2 = w3*x1 + w4*x2\n",
                   "z_1_2 = 0.4*0.35 + 0.6*0.9 + 0.26\n"):
        assert checker(SPEC).check_derivation(mutant).verdict == "incorrect", mutant


# ------------------------------------------------------------- a shared parameter, frozen


def test_a_shared_frozen_bias_is_frozen_in_every_layer(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(
        "inputs: [x1, x2]\nlayers:\n"
        "  - {name: hidden, units: [h1, h2], activation: tanh, bias: b,\n"
        "     weights: [[w1, w2], [w3, w4]]}\n"
        "  - {name: output, units: [o1], activation: sigmoid, bias: b, weights: [[w5, w6]]}\n"
        "loss: squared_error\nfrozen: [b]\n"
        "values:\n  inputs: {x1: 0.5, x2: -1}\n  targets: {o1: 0.2}\n"
        "  params: {w1: 0.1, w2: -0.3, w3: 0.7, w4: 0.2, w5: -0.6, w6: 0.9, b: 0.35}\n"
        "  learning_rate: 0.5\n", encoding="utf-8")
    net = build_network(load_spec(path))
    assert [p.name for p in net.frozen] == ["b"]
    assert {u.name for u in net.units if u.bias is not None and u.bias.name == "b"} == {
        "h1", "h2", "o1"}
    data = json.loads(run("eval", str(path), "--format", "json").output)
    spec = load_spec(path)
    ex = spec.values.examples[0]
    expected = oracle(spec, dict(spec.values.params), [(dict(ex.inputs), dict(ex.targets))])
    assert "b" not in data["gradients"] and data["updated"]["b"] == 0.35
    assert not mismatches(data["gradients"], trained(spec, expected.gradients))
    assert "∂L/∂b" not in run("derive", str(path)).output
    moved = Checker(net).check(None, "b <- b - alpha*delta_2_1")
    assert moved.verdict == "incorrect"


def test_exact_eval_keeps_a_frozen_weight(tmp_path: Path) -> None:
    path = tmp_path / "linear.yaml"
    path.write_text(
        "inputs: [x1, x2]\nlayers:\n"
        "  - {units: [h1], activation: linear, bias: b1, weights: [[w1, w2]]}\n"
        "loss: squared_error\nfrozen: [w2]\n"
        "values:\n  inputs: {x1: 1, x2: 2}\n  targets: {h1: 1/2}\n"
        "  params: {w1: 1/3, w2: 1/4, b1: 0}\n  learning_rate: 1/10\n", encoding="utf-8")
    data = json.loads(run("eval", str(path), "--exact", "--format", "json").output)
    # by hand: z = 1/3 + 2·1/4 = 5/6, L = (5/6 − 1/2)²/2 = 1/18, ∂L/∂w1 = ∂L/∂b1 = 1/3;
    # the step: w1 = 1/3 − 1/30 = 3/10, b1 = −1/30, w2 stays 1/4
    assert data["loss"] == "1/18"
    assert data["gradients"] == {"w1": "1/3", "b1": "1/3"}
    assert data["updated"] == {"w1": "3/10", "w2": "1/4", "b1": "-1/30"}


def test_an_update_over_every_index_fails_at_the_frozen_weight(tmp_path: Path) -> None:
    path = tmp_path / "layered.yaml"
    path.write_text("inputs: {size: 2}\nlayers:\n  - {size: 2, activation: sigmoid}\n"
                    "  - {size: 1, activation: sigmoid}\nloss: squared_error\n"
                    "frozen: [w_1_1_1]\n", encoding="utf-8")
    c = Checker(build_network(load_spec(path)))
    rule = r"w^{[%d]}_{j,k} \leftarrow w^{[%d]}_{j,k} - \alpha \delta^{[%d]}_j %s"
    every = c.check(None, rule % (1, 1, 1, "x_k"))
    assert every.verdict == "incorrect"
    assert every.diagnosis[0] == "fails for j = 1, k = 1"
    assert "FROZEN_UPDATED" in every.codes
    assert c.check(None, rule % (2, 2, 2, "a^{[1]}_k")).verdict == "correct"
