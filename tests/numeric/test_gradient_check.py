"""Random-direction gradient checks for large networks, and that they catch wrong gradients."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner
from layered_specs import write_spec
from paths import SPECS as SPEC_DIR

from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric import vectorized
from symbackprop.numeric.gradient_check import FULL_LIMIT, check_count, gradcheck, resolve_method
from symbackprop.render.numeric_reports import gradcheck_json, gradcheck_text
from symbackprop.spec.load import load_spec


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100-20-2: 2062 parameters, just above the full-check limit."""
    return write_spec(tmp_path_factory.mktemp("large"), "large", 100,
                      [(20, "tanh"), (2, "sigmoid")], "binary_cross_entropy")


def test_auto_picks_by_size(large: Path) -> None:
    small = build_network(load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml"))
    big = build_network(load_spec(large))
    assert len(big.params) > FULL_LIMIT >= len(small.params)
    assert resolve_method(small) == "full"
    assert resolve_method(big) == "directional"
    assert check_count(big, directions=8, coordinates=32) == 40


def test_directional_check_on_a_large_network(large: Path) -> None:
    net = build_network(load_spec(large))
    report = gradcheck(net, derive(net), seed=3)
    assert report.method == "directional" and report.ok
    assert len(report.directions) == 8 and len(report.parameters) == 32
    assert report.total_parameters == len(net.params)
    # the relative error of those decided, without a floor: every agreement is relative
    assert report.max_rel_error <= 1e-6 and report.disagreed == 0
    assert report.agreed + report.not_checked == 40
    assert any("32 of 2062 parameters" in n for n in report.notes)
    text = gradcheck_text(report)
    assert "8 random directions and 32 sampled parameters of 2062" in text
    data = gradcheck_json(report)
    assert data["method"] == "directional" and data["ok"] is True
    assert len(data["parameters"]) == 32 and len(data["directions"]) == 8
    assert data["max_rel_error"] == report.max_rel_error


def test_full_check_of_a_large_network_runs_in_float64(large: Path) -> None:
    net = build_network(load_spec(large))
    report = gradcheck(net, derive(net), method="full")
    assert report.method == "full" and report.ok
    assert len(report.parameters) == len(net.params)
    assert "float64" in report.rule


@pytest.mark.parametrize("spec", ["seed-004-mazur-2-2-2.yaml", "skip-connection.yaml",
                                  "softmax-cross-entropy.yaml", "relu-mlp.yaml"])
def test_directional_check_passes_on_specs(spec: str) -> None:
    net = build_network(load_spec(SPEC_DIR / spec))
    report = gradcheck(net, derive(net), method="directional", seed=1)
    assert report.ok, gradcheck_text(report)
    assert len(report.parameters) == min(32, len(net.params))


def test_a_wrong_delta_recurrence_is_caught() -> None:
    """Double one hidden δ: the sampled parameters that use it disagree."""
    net = build_network(load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml"))
    grads = derive(net)
    grads.deltas["h1"] = 2 * grads.deltas["h1"]
    report = gradcheck(net, grads, method="directional", coordinates=len(net.params))
    failed = {r.name for r in report.parameters if not r.ok}
    assert not report.ok
    assert failed == {"w1", "w2", "b1"}


def test_a_wrong_derivative_in_the_matrix_code_is_caught(monkeypatch: pytest.MonkeyPatch,
                                                          large: Path) -> None:
    monkeypatch.setitem(vectorized.DERIVATIVE_CODE, "tanh", "(1.0 - {a})")
    net = build_network(load_spec(large))
    report = gradcheck(net, derive(net), directions=4, coordinates=4)
    assert not report.ok
    assert not all(c.ok for c in report.directions)


def test_a_gradient_off_by_a_little_is_caught() -> None:
    net = build_network(load_spec(SPEC_DIR / "tanh-regression.yaml"))
    grads = derive(net)
    out = net.outputs[0]
    grads.deltas[out.name] = grads.deltas[out.name] * sp.Rational(1_000_01, 1_000_00)
    report = gradcheck(net, grads, method="directional", coordinates=len(net.params))
    assert not report.ok


def test_cli_method_option(large: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["gradcheck", str(large), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "directional" and data["ok"] is True
    result = runner.invoke(main, ["gradcheck", str(SPEC_DIR / "seed-004-mazur-2-2-2.yaml"),
                                  "--method", "directional"])
    assert result.exit_code == 0, result.output
    assert "method: directional" in result.stdout
    assert "directional check: 8 random directions and 10 sampled parameters of 10" \
        in result.stdout
    result = runner.invoke(main, ["gradcheck", str(SPEC_DIR / "seed-004-mazur-2-2-2.yaml")])
    assert "method: full" in result.stdout


@pytest.mark.parametrize("seed", range(10))
def test_shifted_passes_equal_whole_passes(tmp_path: Path, seed: int) -> None:
    """J(θ ± h e_k) from the shared lower layers equals a whole forward pass at θ ± h e_k,
    for every parameter of random layered networks (every activation and loss)."""
    import numpy as np
    from layered_specs import random_layered

    from symbackprop.numeric.gradient_check import _shifted_costs
    from symbackprop.numeric.points import complete_values
    from symbackprop.spec.load import Values

    net = build_network(load_spec(random_layered(tmp_path, seed)))
    vec = vectorized.vectorize(net)
    assert vec is not None
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-1, 1, vec.size)
    point, _ = complete_values(net, Values(), seed=seed)
    x = vec.batch([point.examples[0].inputs] * 3, vec.plan.inputs) * rng.uniform(0.5, 2, (3, 1))
    t = vec.batch([point.examples[0].targets] * 3, vec.plan.outputs)
    steps = 1e-3 * np.maximum(1.0, np.abs(theta))
    shifted = _shifted_costs(vec, theta, x, t, steps)
    assert shifted is not None
    for k in range(vec.size):
        for sign, got in ((1.0, shifted[0][k]), (-1.0, shifted[1][k])):
            moved = theta.copy()
            moved[k] += sign * steps[k]
            assert got == pytest.approx(vec.cost(moved, x, t), rel=1e-12, abs=1e-14), k


def test_full_float_check_catches_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch,
                                                   large: Path) -> None:
    monkeypatch.setitem(vectorized.DERIVATIVE_CODE, "tanh", "(1.0 - {a})")
    net = build_network(load_spec(large))
    report = gradcheck(net, derive(net), method="full")
    assert not report.ok
    assert {r.name for r in report.parameters if not r.ok} >= {"w_1_3_7", "b_1_20"}


KINKED = """inputs: [x1, x2]
layers:
  - {size: 2, activation: relu}
  - {size: 1, activation: leaky_relu}
loss: mse
values:
  params: {w_1_1_1: 0, w_1_1_2: 0, w_1_2_1: 0, w_1_2_2: 0, b_1_1: 0, b_1_2: 0, w_2_1_1: 0,
           w_2_1_2: 0, b_2_1: 0}
  inputs: {x1: 0.5, x2: -1}
  targets: {u2_1: 0.7}
"""


def test_a_point_on_a_relu_kink_passes_with_one_sided_differences(tmp_path: Path) -> None:
    """Weights and biases all 0 (a common start) put every net input on the kink: the
    central difference averages two slopes there, and the gradient is one of them."""
    path = tmp_path / "zeros.yaml"
    path.write_text(KINKED, encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    report = gradcheck(net, grads, net.spec.values)
    assert report.ok, gradcheck_text(report)
    b = next(r for r in report.parameters if r.name == "b_2_1")
    assert b.analytic == pytest.approx(-0.007)  # leaky slope 1/100 at z = 0 times (a − y)
    assert b.numeric == pytest.approx(-0.007)
    assert any("kink" in n and "b_2_1" in n for n in report.notes)
    # a wrong sign is outside both one-sided slopes and still fails
    wrong = derive(net)
    out = net.unit_by_name["u2_1"]
    wrong.deltas["u2_1"] = -grads.deltas["u2_1"]
    wrong.output_delta[out.name] = -grads.output_delta[out.name]
    assert not gradcheck(net, wrong, net.spec.values).ok


def test_softmax_targets_that_sum_to_1_within_rounding_pass(tmp_path: Path) -> None:
    """0.3 + 0.3 + 0.4000000001 is a distribution to the loader (within 10⁻⁹ of 1), and
    δ = a − y is exact only at 1: the 40-digit check uses the targets scaled to sum to 1."""
    path = tmp_path / "third.yaml"
    path.write_text("inputs: [x1, x2]\nlayers:\n  - {size: 3, activation: softmax, bias: none}\n"
                    "loss: cross_entropy\nvalues:\n  params: {w_1_1_1: 0, w_1_1_2: 0, "
                    "w_1_2_1: 0, w_1_2_2: 0, w_1_3_1: 0, w_1_3_2: 0.5}\n  inputs: {x1: 0.5, "
                    "x2: 1}\n  targets: {u1_1: 0.3, u1_2: 0.3, u1_3: 0.4000000001}\n",
                    encoding="utf-8")
    net = build_network(load_spec(path))
    report = gradcheck(net, derive(net), net.spec.values)
    assert report.ok and report.max_rel_error < 1e-20, gradcheck_text(report)


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 layers of one sigmoid unit: the gradients of the first layers vanish to 1e-220."""
    return write_spec(tmp_path_factory.mktemp("deep"), "deep", 1, [(1, "sigmoid")] * 200,
                      "squared_error")


def _analytic_at_40_digits(net: object, grads: object) -> dict[str, float]:
    """The symbolic gradients at the check's random point, from the compiled δ-form."""
    import mpmath

    from symbackprop.numeric.lambdified import compile_network
    from symbackprop.numeric.points import complete_values
    from symbackprop.spec.load import Values

    point, _ = complete_values(net, Values())  # type: ignore[arg-type]
    compiled = compile_network(net, grads, module="mpmath")  # type: ignore[arg-type]
    ex = point.examples[0]
    with mpmath.workdps(40):
        run = compiled.run({k: mpmath.mpf(repr(v)) for k, v in point.params.items()},
                           {k: mpmath.mpf(repr(v)) for k, v in ex.inputs.items()},
                           {k: mpmath.mpf(repr(v)) for k, v in ex.targets.items()})
        return {k: float(v) for k, v in run.gradients.items()}


def test_vanishing_gradients_are_checked_at_the_precision_they_need(deep: Path) -> None:
    """At 40 digits J(p ± h) of a first-layer parameter differ by 1e-236 while J ≈ 0.1: the
    difference is 0 there. Each such gradient is checked with more digits, and agrees
    relatively, not through an absolute floor."""
    net = build_network(load_spec(deep))
    grads = derive(net)
    report = gradcheck(net, grads)
    sizes = _analytic_at_40_digits(net, grads)
    assert min(abs(v) for v in sizes.values()) < 1e-200  # the case: gradients that vanish
    assert report.ok and report.disagreed == 0
    assert report.agreed + report.not_checked == len(net.params) == 400
    for r in report.parameters:
        assert r.status in ("agree", "not checked")
        if r.status == "agree":
            assert r.numeric != 0 and r.rel_error <= 1e-10, r
    raised = [r for r in report.parameters if r.digits > 40]
    assert len(raised) > 300 and all(r.status == "agree" for r in raised)
    first = next(r for r in report.parameters if r.name == "w_1_1_1")
    assert first.analytic == pytest.approx(sizes["w_1_1_1"], rel=1e-12)
    text = gradcheck_text(report)
    assert "digits" in text and "all gradients agree" in text
    data = gradcheck_json(report)
    assert data["counts"] == {"agree": report.agreed, "disagree": 0,
                              "not_checked": report.not_checked}


def test_past_the_precision_bound_vanishing_gradients_are_not_checked(deep: Path) -> None:
    """With at most 120 digits the first layers' gradients cannot be resolved: they are
    reported not checked, counted, and the check still passes (nothing disagrees)."""
    net = build_network(load_spec(deep))
    grads = derive(net)
    sizes = _analytic_at_40_digits(net, grads)
    report = gradcheck(net, grads, max_digits=120)
    unchecked = {r.name for r in report.parameters if r.status == "not checked"}
    # 120 digits resolve a gradient down to about 1e-120·|J|/(h·1e-10·1e3) ≈ 1e-92
    assert {n for n, v in sizes.items() if abs(v) < 1e-110} <= unchecked
    assert not {n for n, v in sizes.items() if abs(v) > 1e-80} & unchecked
    assert report.ok and report.not_checked == len(unchecked) > 100
    assert all("120 digits" in r.reason for r in report.parameters if r.name in unchecked)
    text = gradcheck_text(report)
    assert f"{report.agreed} agree, {len(unchecked)} not checked" in text
    assert "w_1_1_1" in text.split("not checked: ", 1)[1]
    data = gradcheck_json(report)
    assert data["ok"] is True and data["counts"]["not_checked"] == len(unchecked)
    row = next(p for p in data["parameters"] if p["name"] == "w_1_1_1")
    assert row["status"] == "not checked" and "120 digits" in row["reason"]


def test_a_wrong_vanishing_gradient_is_caught(deep: Path) -> None:
    """Double the δ of the first unit: ∂J/∂w_1_1_1 and ∂J/∂b_1_1 (≈ 1e-221) are then twice
    what they are, and the check finds them wrong instead of passing them as near zero."""
    net = build_network(load_spec(deep))
    grads = derive(net)
    first = net.units[0].name
    grads.deltas[first] = 2 * grads.deltas[first]
    report = gradcheck(net, grads)
    failed = {r.name for r in report.parameters if r.status == "disagree"}
    assert failed == {"w_1_1_1", "b_1_1"}
    assert not report.ok
    assert all(abs(r.analytic) < 1e-200 for r in report.parameters if r.name in failed)
    assert "2 disagree" in gradcheck_text(report)
    result = CliRunner().invoke(main, ["gradcheck", str(deep)])
    assert result.exit_code == 0, result.output


def test_a_small_gradient_below_float64_resolution_is_not_passed(deep: Path) -> None:
    """In float64 the deep network's first-layer gradients are noise: not checked, not ok'd
    through the floor; a direction's check is relative too."""
    net = build_network(load_spec(deep))
    report = gradcheck(net, derive(net), method="directional", coordinates=len(net.params))
    first = next(r for r in report.parameters if r.name == "w_1_1_1")
    assert first.status == "not checked" and "float64" in first.reason
    assert report.ok and report.not_checked > 0
    for r in [*report.parameters, *report.directions]:
        assert r.status != "agree" or r.rel_error <= 1e-6
    assert "not checked" in gradcheck_text(report)
