"""One point and one set of names: --at merged over the spec's values, derive at another
point, exact fractions, rounds of descent counted as Mazur counts them, eval's names."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SEED_001 = SPECS / "seed-001-linear-1-1-2-1.yaml"
SEED_004 = SPECS / "seed-004-mazur-2-2-2.yaml"
SOFTMAX = SPECS / "softmax-cross-entropy.yaml"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def values_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "point.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_partial_values_file_is_merged_over_the_spec(tmp_path: Path) -> None:
    point = values_file(tmp_path, "params: {w5: 1.0}\n")
    code, out, err = run("eval", SEED_004, "--at", point, "--format", "json")
    assert code == 0, err
    moved = json.loads(out)
    _, out, _ = run("eval", SEED_004, "--format", "json")
    spec = json.loads(out)
    # the hidden layer, which w5 does not reach, is the spec's; the output o1 moves
    assert moved["units"]["h1"] == spec["units"]["h1"]
    assert moved["units"]["o1"]["net"] == pytest.approx(spec["units"]["o1"]["net"] + 0.6 *
                                                        0.593269992, rel=1e-8)
    assert moved["learning_rate"] == 0.5  # the spec's, the file gives none


def test_an_error_names_the_file_at_fault(tmp_path: Path) -> None:
    # the spec gives the inputs and targets, the file some parameters: the rest are missing
    point = values_file(tmp_path, "params: {w_1_1_1: 0.5}\n")
    code, _, err = run("eval", SOFTMAX, "--at", point)
    assert code == 2
    assert err.startswith(f"error: {point}:1: values.params: no value for parameter(s)")
    bad = values_file(tmp_path, "params: {w_1_1_1: .nan}\n")
    code, _, err = run("eval", SOFTMAX, "--at", bad)
    assert code == 2 and str(bad) in err and "Traceback" not in err


def test_derive_shows_the_numbers_at_another_point(tmp_path: Path) -> None:
    point = values_file(tmp_path, "inputs: {i1: 1.0, i2: 0.5}\ntargets: {o1: 0.2, o2: 0.3}\n")
    _, at_spec, _ = run("derive", SEED_004, "--param", "w5")
    code, at_point, err = run("derive", SEED_004, "--param", "w5", "--at", point)
    assert code == 0, err
    assert "0.0821670406" in at_spec and "0.0821670406" not in at_point
    _, out, _ = run("eval", SEED_004, "--at", point, "--format", "json")
    assert f"= {float(json.loads(out)['gradients']['w5']):.9g}" in at_point


def test_exact_values_of_a_linear_network(tmp_path: Path) -> None:
    point = values_file(tmp_path, """params: {w_1_1_1: 0.5, b_1_1: 0.1, w_2_1_1: -1.5,
  b_2_1: 0.25, w_2_2_1: 2, b_2_2: -0.75, w_3_1_1: 1.25, w_3_1_2: 1/3, b_3_1: 0.2}
inputs: {x: 3}
targets: {u3_1: 1/4}
""")
    code, out, err = run("eval", SEED_001, "--at", point, "--exact", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    # the same network by hand in Python's fractions: a1 = w1 x + b1, a2_j = w2_j a1 + b2_j,
    # f = w3_1 a2_1 + w3_2 a2_2 + b3, L = (y − f)²
    F = Fraction
    w1, b1, w21, b21, w22, b22 = F(1, 2), F(1, 10), F(-3, 2), F(1, 4), F(2), F(-3, 4)
    w31, w32, b3, x, y = F(5, 4), F(1, 3), F(1, 5), F(3), F(1, 4)
    a1 = w1 * x + b1
    a21, a22 = w21 * a1 + b21, w22 * a1 + b22
    f = w31 * a21 + w32 * a22 + b3
    dL_df = 2 * (f - y)
    expected = {"w_3_1_1": dL_df * a21, "w_3_1_2": dL_df * a22, "b_3_1": dL_df,
                "w_1_1_1": dL_df * (w31 * w21 + w32 * w22) * x}
    assert data["loss"] == str((y - f) ** 2)
    for name, value in expected.items():
        assert Fraction(data["gradients"][name]) == value, name
    assert data["quantities"]["a_1_1"] == str(a1)
    # the units under the names the text output prints, linear: net = out
    assert data["units"] == {name: {"net": str(v), "out": str(v)} for name, v in
                             (("a_1_1", a1), ("a_2_1", a21), ("a_2_2", a22), ("a_3_1", f))}


def test_exact_refuses_a_value_that_is_not_rational() -> None:
    code, _, err = run("eval", SEED_004, "--exact")
    assert code == 2
    assert "--exact: out_h1 = sigmoid(151/400) is not a rational number" in err


def test_rounds_are_counted_as_mazur_counts_them() -> None:
    code, out, _ = run("eval", SEED_004, "--steps", 10000, "--frozen", "b1", "--frozen", "b2")
    assert code == 0
    # Mazur (2015): "After repeating this process 10,000 times, for example, the error
    # plummets to 0.0000351085": the forward pass of round 10,000
    assert "round 10000: 3.51085481e-05" in out
    assert "round 1: 0.298371109" in out  # the first round starts at the spec's values
    assert "after the last update: 3.51018778e-05" in out


def test_eval_names_every_quantity_as_derive_prints_it() -> None:
    _, out, _ = run("eval", SEED_004, "--format", "json")
    quantities = json.loads(out)["quantities"]
    _, derived, _ = run("derive", SEED_004, "--format", "json")
    definitions = " ".join(d["text"] for d in json.loads(derived)["definitions"])
    for name in quantities:
        assert f"{name} = " in definitions or definitions.startswith(name), name
    assert quantities["in_h1"] == pytest.approx(0.3775)
    _, text, _ = run("eval", SEED_004)
    assert "in_h1 = 0.3775" in text and "out_h1 = 0.593269992" in text


def test_standalone_needs_latex(tmp_path: Path) -> None:
    code, _, err = run("derive", SEED_004, "--standalone")
    assert code == 2 and "--standalone makes a LaTeX document" in err


def test_eval_prints_a_cancelling_or_far_below_float64_gradient_as_it_is(tmp_path: Path
                                                                          ) -> None:
    """A gradient whose terms cancel to −10⁻¹⁵ (float64: −1.0269563e-15) and one of 10⁻⁶⁷¹
    (float64: 0) are printed from their high-precision values, in text and JSON."""
    near = tmp_path / "near.yaml"
    near.write_text("inputs: [x1]\nlayers:\n  - {size: 2, activation: linear, bias: bs}\n"
                    "loss: squared_error\nvalues:\n  inputs: {x1: 0.3}\n"
                    "  targets: {u1_1: 0.275, u1_2: 0.135000000000001}\n"
                    "  params: {w_1_1_1: 0.25, w_1_2_1: 0.45, bs: 0.1}\n", encoding="utf-8")
    code, out, _ = run("eval", near)
    assert code == 0 and out.splitlines()[-1].split() == ["bs", "-1e-15"]
    code, out, _ = run("eval", near, "--format", "json")
    assert code == 0 and json.loads(out)["gradients"]["bs"] == -1e-15
    deep = tmp_path / "deep.yaml"
    deep.write_text("inputs: [x1]\nlayers:\n  - {size: 1, activation: sigmoid}\n"
                    "  - {size: 1, activation: sigmoid}\nloss: squared_error\nvalues:\n"
                    "  inputs: {x1: 3.7e-200}\n  targets: {u2_1: 2e-200}\n"
                    "  params: {w_1_1_1: 1.3e-200, w_2_1_1: 4.1e-250, b_1_1: 0, b_2_1: 0}\n",
                    encoding="utf-8")
    code, out, _ = run("eval", deep)
    # (a₂ − y)·a₂(1 − a₂)·w₂·a₁(1 − a₁)·x = 0.5·0.25·4.1e-250·0.25·3.7e-200
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()[-4:]}
    assert code == 0 and rows["w_1_1_1"] == "4.740625e-451", out
    code, out, _ = run("eval", deep, "--format", "json")
    assert json.loads(out)["gradients"]["w_1_1_1"] == "4.740625e-451"


def test_a_values_file_with_only_inputs_keeps_the_spec_targets(tmp_path: Path) -> None:
    only = values_file(tmp_path, "inputs: {i1: 0.1}\n")
    full = tmp_path / "full.yaml"
    # seed 004's own targets and its second input, written out by hand
    full.write_text("inputs: {i1: 0.1, i2: 0.10}\ntargets: {o1: 0.01, o2: 0.99}\n",
                    encoding="utf-8")
    code, merged, err = run("eval", SEED_004, "--at", only, "--format", "json")
    assert code == 0, err
    _, whole, _ = run("eval", SEED_004, "--at", full, "--format", "json")
    _, spec, _ = run("eval", SEED_004, "--format", "json")
    assert json.loads(merged) == json.loads(whole) != json.loads(spec)
    targets = values_file(tmp_path, "targets: {o2: 0.5}\n")
    code, _, err = run("derive", SEED_004, "--param", "w5", "--at", targets)
    assert code == 0, err


def test_values_are_given_inline(tmp_path: Path) -> None:
    point = values_file(tmp_path, "inputs: {i1: 2}\nparams: {w5: 0.1}\n")
    code, inline, err = run("eval", SEED_004, "--at", "i1=2", "--at", "w5=0.1",
                            "--format", "json")
    assert code == 0, err
    _, from_file, _ = run("eval", SEED_004, "--at", point, "--format", "json")
    assert json.loads(inline) == json.loads(from_file)
    # a later value wins over a file's; targets by their printed name; 1/2 read exactly
    code, later, _ = run("eval", SEED_004, "--at", point, "--at", "w5=1/2", "--at",
                         "target_o1=0.5", "--format", "json")
    _, by_file, _ = run("eval", SEED_004, "--at", values_file(
        tmp_path, "inputs: {i1: 2}\nparams: {w5: 0.5}\ntargets: {o1: 0.5}\n"),
        "--format", "json")
    assert code == 0 and json.loads(later) == json.loads(by_file)


@pytest.mark.parametrize(("args", "says"), [
    (["--at", "w55=1", "--at", "q=2"], "error: --at: no input, target or parameter called "
                                       "`w55`, `q` (did you mean `w5`?"),
    (["--at", "w5="], "expected NAME=NUMBER or a values file"),
    (["--at", "w5=x"], "expected a number, got `x`"),
])
def test_inline_values_are_refused_clearly(args: list[str], says: str) -> None:
    code, _, err = run("eval", SEED_004, *args)
    assert code == 2 and says in err, err


def test_every_unknown_name_of_a_values_file_is_reported_at_once(tmp_path: Path) -> None:
    point = values_file(tmp_path, "inputs: {i1: 0.1, i9: 3}\nparams: {w55: 1, w1: 2}\n"
                                  "targets: {o3: 1}\n")
    code, _, err = run("eval", SEED_004, "--at", point)
    assert code == 2
    assert err.startswith(f"error: {point}:1: values.inputs.i9: 3 unknown names: `i9` (no "
                          "input, line 1), `w55` (no parameter, line 2; did you mean `w5`?), "
                          "`o3` (no output unit, line 3)")
    assert "symbackprop names SPEC" in err


def test_inputs_alone_cannot_replace_one_of_several_examples(tmp_path: Path) -> None:
    spec = tmp_path / "two.yaml"
    spec.write_text("inputs: [x]\nlayers:\n  - {units: 1, activation: sigmoid}\nloss: mse\n"
                    "values:\n  params: {w_1_1_1: 0.3, b_1_1: 0.1}\n  examples:\n"
                    "    - {inputs: {x: 1}, targets: {u1_1: 0.5}}\n"
                    "    - {inputs: {x: 2}, targets: {u1_1: 0.2}}\n", encoding="utf-8")
    code, _, err = run("eval", spec, "--at", "x=3")
    assert code == 2 and "the spec has 2 examples" in err
    code, _, err = run("eval", spec, "--at", "x=3", "--at", "u1_1=0.1")
    assert code == 0, err


def test_the_spec_and_its_values_cannot_both_be_standard_input() -> None:
    result = CliRunner().invoke(main, ["derive", "-", "--at", "-"],
                                input=SEED_004.read_text(encoding="utf-8"))
    assert result.exit_code == 2 and "both come from standard input" in result.stderr


def test_eval_prints_no_name_that_derive_does_not(tmp_path: Path) -> None:
    spec = values_file(tmp_path, "inputs: [x1]\nlayers:\n  - {size: 1, activation: tanh}\n"
                                 "  - {size: 1, activation: sigmoid}\nloss: mse\nvalues:\n"
                                 "  inputs: {x1: 1}\n  targets: {y_1: 0.5}\n  params: "
                                 "{w_1_1_1: 0.5, b_1_1: 0, w_2_1_1: 2, b_2_1: 0}\n")
    code, out, err = run("eval", spec)
    assert code == 0, err
    assert "u1_1" not in out and "u2_1" not in out
    assert "z_2_1 = " in out and "a_2_1 = " in out
    code, out, err = run("eval", spec, "--format", "json")
    assert code == 0, err
    assert "u1_1" not in out and "u2_1" not in out
    a1 = math.tanh(0.5)
    a2 = 1 / (1 + math.exp(-2 * a1))
    assert json.loads(out)["units"] == {"a_1_1": {"net": 0.5, "out": pytest.approx(a1)},
                                        "a_2_1": {"net": pytest.approx(2 * a1),
                                                  "out": pytest.approx(a2)}}


MADE_NAME = re.compile(r"u\d+_\d+")


def _printed_units(text: str) -> list[tuple[str, str, float, float]]:
    """(net name, activation name, net, activation) of each row of eval's unit table."""
    rows = re.findall(r"^(\S+) = (\S+) +(\S+) = (\S+)$", text, flags=re.MULTILINE)
    return [(z, a, float(net), float(out)) for z, net, a, out in rows]


def test_eval_json_keys_counted_units_by_the_names_the_text_prints(tmp_path: Path) -> None:
    """tanh-regression (a 2-3-1 network given by `size:`), two examples, against NumPy."""
    w1 = np.array([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]])
    b1, w2, b2 = np.array([0.1, 0.0, -0.1]), np.array([0.3, -0.2, 0.1]), 0.05
    params = {f"w_1_{j + 1}_{k + 1}": w1[j, k] for j in range(3) for k in range(2)}
    params |= {f"b_1_{j + 1}": b1[j] for j in range(3)}
    params |= {f"w_2_1_{j + 1}": w2[j] for j in range(3)} | {"b_2_1": b2}
    point = values_file(tmp_path, "params: " + json.dumps(params) + "\n")
    spec = SPECS / "tanh-regression.yaml"
    code, out, err = run("eval", spec, "--at", point, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    _, text, _ = run("eval", spec, "--at", point)
    printed = _printed_units(text)
    assert [a for _, a, _, _ in printed] == ["a_1_1", "a_1_2", "a_1_3", "a_2_1"]
    assert list(data["units"]) == [a for _, a, _, _ in printed]
    assert not [key for key in data["units"] if MADE_NAME.search(key)]
    for _, a, net, value in printed:  # the text's example 1, to its 9 digits
        assert data["units"][a] == {"net": pytest.approx(net, rel=1e-8),
                                    "out": pytest.approx(value, rel=1e-8)}
    for example, x in zip(data["examples"], ([0.5, -1.0], [-0.3, 0.8]), strict=True):
        z1 = w1 @ np.array(x) + b1
        z2 = w2 @ np.tanh(z1) + b2
        expected = {f"a_1_{j + 1}": (z1[j], np.tanh(z1[j])) for j in range(3)}
        expected["a_2_1"] = (z2, z2)
        assert example["units"] == {k: {"net": pytest.approx(n), "out": pytest.approx(o)}
                                    for k, (n, o) in expected.items()}
    assert data["units"] == data["examples"][0]["units"]


MIXED = """inputs: [x1]
layers:
  - {size: 1, activation: tanh}
  - {units: [%s], activation: linear}
  - {size: 1, activation: linear}
loss: squared_error
values:
  inputs: {x1: 2}
  targets: {y_1: 0.5}
  params: {w_1_1_1: 0.5, b_1_1: 0.25, w_2_1_1: -2, b_2_1: 0.5, w_3_1_1: 3, b_3_1: -1}
"""


def test_eval_json_keeps_every_unit_of_named_and_counted_layers(tmp_path: Path) -> None:
    """The named unit `a_1_2` keeps its name beside the counted a_1_1 and a_3_1 (it prints
    as a_2_1); a named unit that would take a counted unit's name is refused, not merged."""
    spec = values_file(tmp_path, MIXED % "a_1_2")
    code, out, err = run("eval", spec, "--format", "json")
    assert code == 0, err
    units = json.loads(out)["units"]
    a1 = math.tanh(2 * 0.5 + 0.25)
    h = -2 * a1 + 0.5
    assert units == {"a_1_1": {"net": pytest.approx(1.25), "out": pytest.approx(a1)},
                     "a_1_2": {"net": pytest.approx(h), "out": pytest.approx(h)},
                     "a_3_1": {"net": pytest.approx(3 * h - 1), "out": pytest.approx(3 * h - 1)}}
    _, named, _ = run("eval", SEED_004, "--format", "json")
    assert list(json.loads(named)["units"]) == ["h1", "h2", "o1", "o2"]
    for command in (("eval", "--format", "json"), ("codegen",), ("derive",)):
        code, _, err = run(command[0], values_file(tmp_path, MIXED % "a_3_1"), *command[1:])
        assert code == 2
        assert err.startswith("error: ") and "point.yaml:4: layers[1].units[0]: unit name " \
            "`a_3_1` is also the name of the activation of layer 3, unit 1" in err


def test_the_weight_decay_is_set_by_at_and_every_command_computes_it(tmp_path: Path) -> None:
    """λ from the spec (1/100), from --at (by its key or its name) and from a values file;
    the loss moves by exactly the change in λ/2 Σ w², and a spec without weight decay
    refuses the key."""
    decay = SPECS / "weight-decay-2-2-1.yaml"
    weights = [0.1, -0.3, 0.4, 0.2, 0.7, -0.5]
    squares = sum(w * w for w in weights)

    def loss(*at: object) -> float:
        code, out, err = run("eval", decay, *at, "--format", "json")
        assert code == 0, err
        return float(json.loads(out)["loss"])

    base = loss()
    assert loss("--at", "weight_decay=0") == pytest.approx(base - 0.01 / 2 * squares,
                                                           rel=1e-12)
    assert loss("--at", "lambda_=0.5") == pytest.approx(base + 0.49 / 2 * squares, rel=1e-12)
    assert loss("--at", values_file(tmp_path, "weight_decay: 0.5\n")) == loss(
        "--at", "lambda_=0.5")
    code, out, err = run("gradcheck", decay, "--at", "weight_decay=0.5")
    assert code == 0 and "all gradients agree" in out, err
    code, _, err = run("eval", SEED_004, "--at", "weight_decay=1")
    assert code == 2 and "weight_decay" in err
