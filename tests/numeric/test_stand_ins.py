"""Unspecified functions are evaluated only as a stand-in the user asked for, which is said."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SEED_000 = str(SPECS / "seed-000-renom-1-2-1.yaml")

# one unit y = f(w x + b) with E = (y − t)²/2: its numbers are easy to write by hand
ONE_UNIT = """inputs: [x]
layers:
  - {units: [y], activation: f, weights: [[w]], bias: b}
loss: squared_error
values:
  params: {w: 0.7, b: -0.2}
  inputs: {x: 1.5}
  targets: {y: 0.25}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_unit(tmp_path: Path, extra: str = "") -> str:
    p = tmp_path / "one.yaml"
    p.write_text(ONE_UNIT + extra)
    return str(p)


def test_eval_without_a_stand_in_names_the_function(tmp_path: Path) -> None:
    spec = one_unit(tmp_path)
    code, out, err = run("eval", spec)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith(f"error: {spec}:3: layers[0].activation: `f` is an unspecified "
                          "function")
    assert "--define f=tanh" in err


def test_seed_000_says_what_it_needs_to_be_evaluated() -> None:
    code, _, err = run("eval", SEED_000)  # the hidden units' g comes first
    assert code == 2 and "`g` is an unspecified function" in err


@pytest.mark.parametrize("kind, f, fprime", [
    ("tanh", math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    ("sin", math.sin, math.cos),
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z)),
     lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2),
    ("softplus", lambda z: math.log1p(math.exp(z)), lambda z: 1 / (1 + math.exp(-z))),
    ("linear", lambda z: z, lambda z: 1.0),
])
def test_the_stand_in_asked_for_is_the_one_evaluated(tmp_path: Path, kind: str, f, fprime
                                                      ) -> None:
    z = 0.7 * 1.5 - 0.2
    loss = (f(z) - 0.25) ** 2 / 2
    dw = (f(z) - 0.25) * fprime(z) * 1.5
    for args in (["--define", f"f={kind}"], []):
        spec = one_unit(tmp_path, "" if args else f"  functions: {{f: {kind}}}\n")
        code, out, err = run("eval", spec, "--format", "json", *args)
        assert code == 0, err
        data = json.loads(out)
        assert data["stand_ins"] == {"f": kind}
        assert data["loss"] == pytest.approx(loss, rel=1e-12)
        assert data["gradients"]["w"] == pytest.approx(dw, rel=1e-12)
    code, out, _ = run("eval", spec)
    assert out.startswith(f"stand-in: f = {kind}")


def test_define_overrides_the_spec(tmp_path: Path) -> None:
    spec = one_unit(tmp_path, "  functions: {f: tanh}\n")
    _, out, _ = run("eval", spec, "--format", "json", "--define", "f=sin")
    assert json.loads(out)["loss"] == pytest.approx((math.sin(0.85) - 0.25) ** 2 / 2)


def test_gradcheck_tries_several_stand_ins_and_says_which() -> None:
    code, out, err = run("gradcheck", SEED_000)
    assert code == 0, err
    assert "holds for every g, f: checked with 3 stand-ins" in out
    for kind in ("tanh", "sigmoid", "sin"):
        assert f"stand-in: g = {kind}, f = {kind}" in out
    code, out, _ = run("gradcheck", SEED_000, "--format", "json")
    runs = json.loads(out)["runs"]
    assert [r["stand_ins"] for r in runs] == [{"g": k, "f": k} for k in ("tanh", "sigmoid",
                                                                          "sin")]
    code, out, _ = run("gradcheck", SEED_000, "--define", "f=softplus", "--define", "g=sin",
                       "--format", "json")
    assert json.loads(out)["stand_ins"] == {"f": "softplus", "g": "sin"}


@pytest.mark.parametrize("define, message", [
    ("h=tanh", "no unspecified function called `h`"),
    ("f=relu", "`relu` cannot stand in"),
    ("f", "expected FUNCTION=STAND_IN"),
])
def test_bad_definitions_are_usage_errors(define: str, message: str) -> None:
    code, _, err = run("eval", SEED_000, "--define", define)
    assert code == 2 and message in err and "--define" in err


@pytest.mark.parametrize("entry, message, line", [
    ("  functions: {g: tanh}\n", "no unspecified function called `g`", 9),
    ("  functions: {f: relu}\n", "`relu` cannot stand in", 9),
    ("  functions: [f]\n", "expected a mapping function → stand-in", 9),
])
def test_bad_functions_entries_are_located(tmp_path: Path, entry: str, message: str,
                                           line: int) -> None:
    spec = one_unit(tmp_path, entry)
    code, _, err = run("eval", spec, "--define", "f=tanh")
    assert code == 2 and message in err and f"{spec}:{line}: values.functions" in err


def _load_module(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generated", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("skip", [False, True], ids=["layered", "skip-edge"])
def test_codegen_needs_and_uses_the_stand_in(tmp_path: Path, skip: bool) -> None:
    text = ("inputs: [x]\nlayers:\n  - {units: [h], activation: g, weights: [[w1]], bias: b1}\n"
            "  - {units: [y], activation: tanh, weights: [[w2]], bias: none}\n"
            + ("edges:\n  - {from: x, to: y, weight: v}\n" if skip else "")
            + "loss: squared_error\n")
    spec = tmp_path / "net.yaml"
    spec.write_text(text)
    code, _, err = run("codegen", str(spec))
    assert code == 2 and "`g` is an unspecified function" in err and f"{spec}:3:" in err
    target = tmp_path / "grad.py"
    code, _, err = run("codegen", str(spec), "--define", "g=sin", "-o", str(target))
    assert code == 0, err
    module = _load_module(target)
    params = {"w1": 0.3, "b1": -0.4, "w2": 0.9, **({"v": 0.5} if skip else {})}
    cost, _ = module.loss_and_grad(params, [[1.2]], [[0.1]])
    h = math.sin(0.3 * 1.2 - 0.4)
    y = math.tanh(0.9 * h + (0.5 * 1.2 if skip else 0.0))
    assert cost == pytest.approx((y - 0.1) ** 2 / 2, rel=1e-12)
    assert module.gradient_check() < 1e-6


def test_missing_input_or_target_in_eval_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("inputs: [x1, x2]\nlayers: [{size: 1, activation: tanh}]\n"
                    "loss: squared_error\nvalues:\n  params: {w_1_1_1: 1, w_1_1_2: 1, b_1_1: 0}\n"
                    "  inputs: {x1: 1}\n  targets: {u1_1: 0.5}\n")
    code, _, err = run("eval", str(spec))
    assert code == 2 and err.startswith(f"error: {spec}:6: values.inputs: no value for input")
    at = tmp_path / "at.yaml"
    at.write_text("examples:\n  - inputs: {x1: 1, x2: 2}\n    targets: {u1_1: 0.5}\n"
                  "  - inputs: {x1: 1, x2: 2}\n    targets: {}\n"
                  "params: {w_1_1_1: 1, w_1_1_2: 1, b_1_1: 0}\n")
    code, _, err = run("eval", str(spec), "--at", str(at))
    assert code == 2, err
    assert err.startswith(f"error: {at}:5: values.examples[1].targets: no target")


def test_notes_and_graph_need_and_say_the_stand_in(tmp_path: Path) -> None:
    spec = one_unit(tmp_path)
    for command in (["notes", "--format", "markdown"], ["graph", "--format", "dot"]):
        code, _, err = run(*command, spec)
        assert code == 2 and "`f` is an unspecified function" in err
        code, _, err = run(*command, spec, "--define", "f=sin")
        assert code == 0, err
    assert "evaluate f as sin" in run("notes", "--format", "markdown", spec,
                                      "--define", "f=sin")[1]
    code, _, _ = run("notes", "--format", "markdown", "--no-numbers", spec)
    assert code == 0
