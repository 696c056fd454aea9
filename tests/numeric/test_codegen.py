"""Generated modules: standalone (no SymPy), equal to the tool's gradients, finite at extremes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from layered_specs import write_spec
from paths import SPECS as SPEC_DIR
from paths import numeric_specs

from symbackprop.cli.app import main
from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.codegen import generate
from symbackprop.numeric.evaluation import _mean_pass
from symbackprop.numeric.lambdified import compile_network
from symbackprop.numeric.points import random_values
from symbackprop.spec.load import load_spec

SPECS = numeric_specs()  # the specs with numbers: a loss with a formula

# Runs in a fresh interpreter where importing sympy fails, so the modules must not need it.
RUNNER = """
import importlib.util, json, sys
import warnings
warnings.simplefilter("error")
sys.modules["sympy"] = None
import numpy as np

jobs = json.load(open(sys.argv[1]))
out = {}
for job in jobs:
    spec = importlib.util.spec_from_file_location(job["module"], job["path"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cost, grads = mod.loss_and_grad(job["params"], job["x"], job["t"])
    theta = mod.pack(job["params"])
    cost2, vector = mod.loss_and_grad(theta, np.array(job["x"]), np.array(job["t"]))
    with np.errstate(under="ignore"):
        extreme = mod.loss_and_grad(theta * 0 + 1000.0, np.array(job["x"]) * 1000.0,
                                    np.array(job["t"]))
        ext_losses = mod.losses(-1000.0 * theta, np.array(job["x"]) * 1000.0,
                                np.array(job["t"]))
    out[job["module"]] = {
        "cost": cost, "grads": grads, "cost2": cost2, "vector": vector.tolist(),
        "loss": mod.loss(job["params"], job["x"], job["t"]),
        "extreme_finite": bool(np.isfinite(extreme[0]) and np.all(np.isfinite(extreme[1]))
                               and np.all(np.isfinite(ext_losses))),
        "check": mod.gradient_check(),
        "sympy_loaded": sys.modules.get("sympy") is not None,
    }
print(json.dumps(out))
"""


def _built(path: Path) -> Network:
    """The network of ``path``; an unspecified f (seed 000) evaluated as tanh, asked for."""
    net = build_network(load_spec(path))
    return net.with_stand_ins(dict.fromkeys(net.functions, "tanh"))


def _tool_gradients(path: Path, seed: int) -> tuple[dict[str, object], float, dict[str, float]]:
    net = _built(path)
    values = random_values(net, seed=seed, examples=3)
    # a frozen parameter is a constant of the module, at the spec's value
    values = replace(values, params={**values.params, **{
        p.name: net.spec.values.params[p.name] for p in net.frozen}})
    compiled = compile_network(net, derive(net), module="numpy")
    loss, grads, _ = _mean_pass(compiled, dict(values.params), values)
    job = {
        "params": values.params,
        "x": [[e.inputs[i.name] for i in net.spec.inputs] for e in values.examples],
        "t": [[e.targets[o] for o in net.spec.outputs] for e in values.examples],
    }
    return job, loss, grads


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """Every spec's module, run once in a SymPy-free interpreter."""
    folder = tmp_path_factory.mktemp("generated")
    jobs, expected = [], {}
    for k, path in enumerate(SPECS):
        net = _built(path)
        module = f"grad_{k}"
        target = folder / f"{module}.py"
        target.write_text(generate(net, derive(net)).source, encoding="utf-8")
        job, loss, grads = _tool_gradients(path, seed=k)
        jobs.append({**job, "module": module, "path": str(target)})
        expected[module] = {"loss": loss, "grads": grads, "spec": path.stem}
    (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    (folder / "runner.py").write_text(RUNNER, encoding="utf-8")
    done = subprocess.run([sys.executable, str(folder / "runner.py"), str(folder / "jobs.json")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    return {expected[m]["spec"]: {**results[m], "expected": expected[m]} for m in results}


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_generated_module_matches_tool(generated: dict[str, dict[str, object]],
                                       path: Path) -> None:
    result = generated[path.stem]
    expected = result["expected"]
    assert isinstance(expected, dict)
    assert result["sympy_loaded"] is False
    assert result["cost"] == pytest.approx(expected["loss"], rel=1e-12, abs=1e-15)
    assert result["loss"] == pytest.approx(expected["loss"], rel=1e-12, abs=1e-15)
    assert result["cost2"] == result["cost"]
    grads = result["grads"]
    assert isinstance(grads, dict)
    for name, g in expected["grads"].items():
        # a gradient that is 0 in exact arithmetic (a bias before batch normalisation) is
        # float64 rounding in both, ~10⁻¹³ for this spec's terms of order 1
        assert grads[name] == pytest.approx(g, rel=1e-9, abs=1e-12), name
    assert result["vector"] == pytest.approx(list(grads.values()), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_generated_module_is_finite_at_extremes_and_checks_itself(
        generated: dict[str, dict[str, object]], path: Path) -> None:
    result = generated[path.stem]
    assert result["extreme_finite"] is True
    check = result["check"]
    assert isinstance(check, float) and check < 1e-6


@pytest.mark.parametrize("act", ["sigmoid", "softplus"])
def test_activations_at_plus_minus_1000(tmp_path: Path, act: str) -> None:
    """One unit with z = ±1000: σ and softplus give no overflow and no NaN."""
    path = write_spec(tmp_path, f"one-{act}", 1, [(1, act)],
                      "binary_cross_entropy" if act == "sigmoid" else "squared_error")
    net = _built(path)
    namespace: dict[str, object] = {}
    exec(generate(net, derive(net)).source, namespace)
    for z in (1000.0, -1000.0):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            cost, g = namespace["loss_and_grad"](np.array([1.0, 0.0]), [[z]], [[0.5]])  # type: ignore[operator]
        assert np.isfinite(cost) and np.all(np.isfinite(g))
        assert cost == pytest.approx(500.0 if act == "sigmoid" else 0.5 * (max(z, 0) - .5) ** 2,
                                     rel=1e-9)


def test_cli_writes_a_module_that_runs_its_own_check(tmp_path: Path) -> None:
    target = tmp_path / "grad.py"
    result = CliRunner().invoke(main, ["codegen", str(SPEC_DIR / "skip-connection.yaml"),
                                       "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "import sympy" not in text and "def loss_and_grad(params, x, t):" in text
    run = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0 and "ok" in run.stdout


def test_layered_module_exposes_layer_arrays(tmp_path: Path) -> None:
    net = build_network(load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml"))
    namespace: dict[str, object] = {}
    exec(generate(net, derive(net)).source, namespace)
    params = dict(load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml").values.params)
    arrays = namespace["layer_arrays"](params)  # type: ignore[operator]
    assert arrays["W1"].tolist() == [[0.15, 0.20], [0.25, 0.30]]
    assert arrays["b2"].tolist() == [0.60, 0.60]
    cost, _ = namespace["loss_and_grad"](params, {"i1": 0.05, "i2": 0.10},  # type: ignore[operator]
                                         {"o1": 0.01, "o2": 0.99})
    assert cost == pytest.approx(0.298371109, abs=1e-9)  # Mazur's total error


def _module(source: str, folder: Path, name: str) -> object:
    import importlib.util

    target = folder / f"{name}.py"
    target.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, target)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_param_names_of_every_module_are_the_spec_names(tmp_path: Path, path: Path) -> None:
    net = _built(path)
    module = _module(generate(net, derive(net)).source, tmp_path, "grad")
    frozen = set(net.spec.frozen)  # constants of the module, not entries of θ
    assert list(module.PARAM_NAMES) == [p.name for p in net.spec.params  # type: ignore
                                        if p.name not in frozen]


def test_param_names_of_a_large_network_follow_from_its_shapes(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "wide", 300, [(40, "sigmoid"), (12, "tanh"), (5, "sigmoid")],
                      "squared_error")
    net = build_network(load_spec(path))
    source = generate(net, derive(net)).source
    assert "*_grid('w_1_{j}_{k}', 40, 300)," in source
    assert "'w_1_40_300'" not in source
    assert len(source) < 20_000  # listing 12,617 names would take about 200 kB
    module = _module(source, tmp_path, "wide")
    frozen = set(net.spec.frozen)  # constants of the module, not entries of θ
    assert list(module.PARAM_NAMES) == [p.name for p in net.spec.params  # type: ignore
                                        if p.name not in frozen]


def test_names_without_a_pattern_are_listed() -> None:
    from symbackprop.numeric.param_names import pattern as _pattern

    assert _pattern(["w_1_1", "w_1_2", "w_2_1", "w_2_2"], (2, 2)) == "w_{j}_{k}"
    assert _pattern(["b_3_1", "b_3_2"], (2,)) == "b_3_{j}"
    assert _pattern(["w11", "w12", "w21", "w22"], (2, 2)) is None  # indices run together
    assert _pattern(["a", "b"], (2,)) is None
    assert _pattern(["w_1_2", "w_1_1"], (2,)) is None  # not in order
    assert _pattern(["bias"], (1,)) == "bias"


def test_the_self_check_does_not_count_rounding_as_error(tmp_path: Path) -> None:
    """A bias shared by a softmax layer has gradient 0 exactly; the central difference of a
    loss near 40 leaves ≈ 1e-10 of rounding, which is no error of the gradient."""
    path = tmp_path / "shared.yaml"
    path.write_text("inputs: [x]\nlayers:\n  - {size: 3, activation: softmax, bias: c}\n"
                    "loss: cross_entropy\n", encoding="utf-8")
    net = build_network(load_spec(path))
    module = _module(generate(net, derive(net)).source, tmp_path, "shared")
    params = {"w_1_1_1": 30.0, "w_1_2_1": 0.0, "w_1_3_1": -30.0, "c": 0.3}
    cost, grads = module.loss_and_grad(params, [[0.7]], [[0.0, 0.0, 1.0]])  # type: ignore
    assert cost > 40 and abs(grads["c"]) < 1e-15
    assert module.gradient_check(params, [[0.7]], [[0.0, 0.0, 1.0]]) < 1e-6  # type: ignore


DEFAULT_NOTATION = """inputs: [x1, x2]
layers:
  - {size: 2, activation: sigmoid}
  - {size: 2, activation: sigmoid}
loss: mse
"""


def _import(path: Path, name: str) -> object:
    import importlib.util

    loaded = importlib.util.spec_from_file_location(name, path)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def test_the_module_names_targets_as_derive_prints_them(tmp_path: Path) -> None:
    spec = tmp_path / "default.yaml"
    spec.write_text(DEFAULT_NOTATION, encoding="utf-8")
    out = tmp_path / "default_grad.py"
    result = CliRunner().invoke(main, ["codegen", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    derived = CliRunner().invoke(main, ["derive", str(spec), "--param", "b_2_1"]).stdout
    module: Any = _import(out, "default_grad")
    assert module.OUTPUT_NAMES == ("y_1", "y_2")
    assert module.OUTPUT_UNITS == ("a_2_1", "a_2_2")  # the outputs as derive prints them
    assert "L = (y_1 - a_2_1)^2/2 + (y_2 - a_2_2)^2/2" in derived
    assert not re.search(r"\bu\d+_\d+", out.read_text(encoding="utf-8"))  # no made name
    theta, x, t = module.random_point(seed=3, batch=5)
    by_array = module.loss_and_grad(theta, x, t)
    printed = {"y_1": t[:, 0], "y_2": t[:, 1]}
    inputs = {"x1": x[:, 0], "x2": x[:, 1]}
    by_name = module.loss_and_grad(theta, inputs, printed)
    by_unit = module.loss_and_grad(theta, inputs, {"a_2_1": t[:, 0], "a_2_2": t[:, 1]})
    assert by_array[0] == by_name[0] == by_unit[0]
    assert np.array_equal(by_array[1], by_name[1])
    with pytest.raises(KeyError, match="no value for y_1"):
        module.loss_and_grad(theta, inputs, {"u2_1": t[:, 0], "u2_2": t[:, 1]})
    with pytest.raises(KeyError, match="no value for y_2; expected y_1, y_2"):
        module.loss_and_grad(theta, inputs, {"y_1": t[:, 0]})


HATTED = r"""inputs: [x1, x2]
notation:
  activation: "\\hat{y}^{[{layer}]}_{{index}}"
layers:
  - {size: 2, activation: tanh}
  - {size: 2, activation: sigmoid}
edges:
  - {from: x1, to: u2_1, weight: w_skip}
loss: mse
"""

OMEGA = r"""inputs: [x1]
layers:
  - {size: 2, activation: tanh}
  - units: [{name: ω, latex: "\\omega"}]
    activation: linear
loss: mse
"""

OUTPUT_UNIT_SPECS = {
    # δ-form code (a skip connection): counted units, their activations named in TeX
    "hatted": (HATTED, ("hat_y_2_1", "hat_y_2_2"), "scalar"),
    # matrix code: a named output unit whose name is not ASCII keeps its name
    "omega": (OMEGA, ("ω",), "matrix"),
}


@pytest.mark.parametrize("case", sorted(OUTPUT_UNIT_SPECS))
def test_output_units_are_the_names_derive_prints_and_the_module_runs(tmp_path: Path,
                                                                      case: str) -> None:
    import ast

    text, expected, layout = OUTPUT_UNIT_SPECS[case]
    spec = tmp_path / f"{case}.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / f"{case}_grad.py"
    result = CliRunner().invoke(main, ["codegen", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.output
    source = out.read_text(encoding="utf-8")
    net = build_network(load_spec(spec))
    assert generate(net, derive(net)).layout == layout
    # the tuple reads back as data: the names are Python literals, not code
    tree = ast.parse(source)
    assigned = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["OUTPUT_UNITS"]) == expected
    assert not re.search(r"\bu\d+_\d+", source)
    derived = CliRunner().invoke(main, ["derive", str(spec), "--format", "text"]).stdout
    counted = [name for name in expected if name.isascii()]
    assert all(f"{name} = " in derived for name in counted)  # each printed as a quantity
    done = subprocess.run([sys.executable, str(out)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout + done.stderr
    module: Any = _import(out, f"{case}_grad")
    theta, x, t = module.random_point(seed=5, batch=3)
    by_unit = {unit: t[:, k] for k, unit in enumerate(module.OUTPUT_UNITS)}
    by_target = {name: t[:, k] for k, name in enumerate(module.OUTPUT_NAMES)}
    assert module.loss(theta, x, by_unit) == module.loss(theta, x, by_target) \
        == module.loss(theta, x, t)
