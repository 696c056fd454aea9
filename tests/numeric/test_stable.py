"""Cross-entropy on a softplus output where softplus(z) underflows: the loss (≈ −t·z) and its
gradient are finite in every numeric path, and equal to a 50-digit evaluation."""

from __future__ import annotations

import runpy
from pathlib import Path

import mpmath
import numpy as np
import pytest
import yaml

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.codegen import generate
from symbackprop.numeric.lambdified import compile_network
from symbackprop.numeric.stable import MPMATH_FUNCTIONS, NUMPY_FUNCTIONS
from symbackprop.numeric.vectorized import vectorize
from symbackprop.spec.load import NetworkSpec, load_spec

Z_VALUES = [-5000.0, -1000.0, -745.2, -300.0, -20.5, -20.0, -19.5, -3.0, 0.0, 0.4, 30.0, 800.0]


@pytest.mark.parametrize("name", ["log_softplus", "sigmoid_over_softplus"])
def test_log_domain_functions_match_50_digits(name: str) -> None:
    values = NUMPY_FUNCTIONS[name](np.array(Z_VALUES))
    with mpmath.workdps(50):
        for z, got in zip(Z_VALUES, values, strict=True):
            exact = MPMATH_FUNCTIONS[name](mpmath.mpf(z))
            assert got == pytest.approx(float(exact), rel=4e-16, abs=0), z


# --------------------------------------------------------------------------- networks


def _spec(folder: Path, loss: str, layered: bool) -> Path:
    """Two softplus outputs; without ``layered`` a skip edge makes the δ-form path run."""
    data: dict[str, object] = {
        "inputs": ["x1", "x2"],
        "layers": [{"name": "hid", "units": ["h"], "activation": "linear",
                    "weights": [["u1", "u2"]], "bias": "none"},
                   {"name": "out", "units": ["o1", "o2"], "activation": "softplus",
                    "weights": [["w1"], ["w2"]], "bias": ["b1", "b2"]}],
        "loss": loss,
    }
    if not layered:
        data["edges"] = [{"from": "x1", "to": "o1", "weight": "v"}]
    path = folder / f"{loss}-{'layered' if layered else 'skip'}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _exact(spec: NetworkSpec, params: dict[str, float], x: dict[str, float],
           t: dict[str, float]) -> tuple[float, dict[str, float]]:
    """Loss and gradient at 50 digits, from the spec's wiring and the textbook loss."""

    def loss(theta: dict[str, mpmath.mpf]) -> mpmath.mpf:
        value = {k: mpmath.mpf(v) for k, v in x.items()}
        for u in spec.units:
            z = sum((theta[e.weight] * value[e.source] for e in spec.edges
                     if e.target == u.name), mpmath.mpf(0))
            z += sum((theta[b] for unit, b in spec.biases if unit == u.name), mpmath.mpf(0))
            value[u.name] = z if u.activation.kind == "linear" else mpmath.log1p(mpmath.exp(z))
        total = mpmath.mpf(0)
        for o in spec.outputs:
            a, y = value[o], mpmath.mpf(t[o])
            total -= y * mpmath.log(a)
            if spec.loss.kind == "binary_cross_entropy":
                total -= (1 - y) * mpmath.log1p(-a)
        return total

    with mpmath.workdps(50):
        theta = {k: mpmath.mpf(v) for k, v in params.items()}
        grads = {}
        for name in params:
            def along(s: mpmath.mpf, name: str = name) -> mpmath.mpf:
                return loss({**theta, name: s})
            grads[name] = float(mpmath.diff(along, theta[name]))
        return float(loss(theta)), grads


POINTS = [(-1000.0, -800.0), (-750.0, 0.4), (-40.0, -3.0), (0.2, -2000.0)]


def _params(spec: NetworkSpec, z1: float, z2: float) -> dict[str, float]:
    """Parameters that put the output pre-activations at (z1, z2) for x = (1, 0.5)."""
    h = 0.5 + 0.25  # u1·x1 + u2·x2
    params = {"u1": 0.5, "u2": 0.5, "w1": 2.0, "w2": -1.0, "v": 0.25}
    v = params["v"] if any(p.name == "v" for p in spec.params) else 0.0
    params["b1"] = z1 - params["w1"] * h - v * 1.0
    params["b2"] = z2 - params["w2"] * h
    return {p.name: params[p.name] for p in spec.params}


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("layered", [True, False], ids=["matrix", "delta-form"])
def test_every_numeric_path_is_finite_and_exact(tmp_path: Path, loss: str, layered: bool
                                                ) -> None:
    spec_path = _spec(tmp_path, loss, layered)
    spec = load_spec(spec_path)
    net = build_network(spec)
    grads = derive(net)
    compiled = compile_network(net, grads)
    vec = vectorize(net)
    assert (vec is not None) == layered
    module = runpy.run_path(str(_write(tmp_path, generate(net, grads).source)))
    x, t = {"x1": 1.0, "x2": 0.5}, {"o1": 0.3, "o2": 0.0 if loss == "cross_entropy" else 0.6}
    for z1, z2 in POINTS:
        params = _params(spec, z1, z2)
        want_loss, want = _exact(spec, params, x, t)
        got: dict[str, tuple[float, dict[str, float]]] = {}
        with np.errstate(all="raise", under="ignore"):
            run = compiled.run(params, x, t)
            got["lambdified"] = (float(run.loss),
                                 {k: float(v) for k, v in run.gradients.items()})
            cost, g = module["loss_and_grad"](params, x, t)
            got["generated"] = (cost, g)
            if vec is not None:
                batch = vec.run(vec.pack(params), vec.batch([x], vec.plan.inputs),
                                vec.batch([t], vec.plan.outputs))
                got["vectorized"] = (batch.loss, vec.unpack(batch.gradient))
        for path, (value, gradient) in got.items():
            assert value == pytest.approx(want_loss, rel=1e-12), (path, z1, z2)
            for name, g_want in want.items():
                assert gradient[name] == pytest.approx(g_want, rel=1e-9, abs=1e-12), \
                    (path, name, z1, z2)


def _write(folder: Path, source: str) -> Path:
    path = folder / "grad.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_printed_numbers_stay_finite_where_softplus_underflows(tmp_path: Path) -> None:
    """derive and notes print the worked example's numbers; eval the loss and gradient."""
    from click.testing import CliRunner

    from symbackprop.cli.app import main

    spec = tmp_path / "under.yaml"
    spec.write_text(yaml.safe_dump({
        "inputs": ["x"], "layers": [{"units": ["o"], "activation": "softplus"}],
        "loss": "cross_entropy",
        "values": {"inputs": {"x": 1}, "targets": {"o": 0.3},
                   "params": {"w_1_1_1": -1000, "b_1_1": 0}},
    }), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["eval", str(spec), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = __import__("json").loads(out.stdout)
    assert data["loss"] == pytest.approx(300.0, rel=1e-12)
    derived = runner.invoke(main, ["derive", str(spec)])
    assert derived.exit_code == 0, derived.output
    assert "nan" not in derived.stdout and derived.stdout.count("= -0.3\n") == 2
    notes = runner.invoke(main, ["notes", str(spec), "-o", str(tmp_path / "n.tex")])
    assert notes.exit_code == 0, notes.output
    assert "nan" not in (tmp_path / "n.tex").read_text()
