"""Wide and deep dense networks with values: a unit with a fan-in of 3,000 and two hundred
layers of one unit are worked out, printed and noted, with numbers that agree with the
independent oracle (:mod:`oracle`)."""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner
from dense_specs import dense_spec
from oracle import forward, oracle

from symbackprop.cli.app import main
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.worked import worked_example
from symbackprop.spec.load import load_spec

SHAPES = {"fan-in 3000": [3000, 1], "200 layers of one unit": [1] * 201}


@pytest.mark.parametrize("sizes", SHAPES.values(), ids=SHAPES.keys())
def test_the_worked_example_agrees_with_the_oracle(tmp_path: Path, sizes: list[int]) -> None:
    spec = load_spec(dense_spec(tmp_path, sizes))
    net = build_network(spec)
    grads = derive(net)
    ex = spec.values.examples[0]
    worked = worked_example(net, grads, spec.values.params, ex.inputs, ex.targets)
    expected = oracle(spec, spec.values.params, [(ex.inputs, ex.targets)])
    nets, outs = forward(spec, spec.values.params, ex.inputs)
    for u in net.units:
        assert float(worked.high[u.net]) == pytest.approx(float(nets[u.name]), rel=1e-12)
        assert float(worked.high[u.out]) == pytest.approx(float(outs[u.name]), rel=1e-12)
    assert float(worked.high[net.loss_symbol]) == pytest.approx(expected.loss, rel=1e-12)
    # the first and last layer's parameters: the longest chains and the shortest
    chosen = [*net.params[:3], *net.params[-3:]]
    for p in chosen:
        value = worked.value(grads.gradient(p))
        assert value is not None and value != 0
        assert float(value) == pytest.approx(expected.gradients[p.name], rel=1e-9, abs=0)


def _last_number(text: str) -> float:
    return float(text.strip().splitlines()[-1].split("=")[-1])


@pytest.mark.parametrize("sizes", SHAPES.values(), ids=SHAPES.keys())
def test_derive_prints_a_gradient_of_such_a_network(tmp_path: Path, sizes: list[int]) -> None:
    path = dense_spec(tmp_path, sizes)
    spec = load_spec(path)
    ex = spec.values.examples[0]
    expected = oracle(spec, spec.values.params, [(ex.inputs, ex.targets)])
    result = CliRunner().invoke(main, ["derive", str(path), "--param", "w_1_1_1"])
    assert result.exit_code == 0, result.output
    assert _last_number(result.stdout) == pytest.approx(expected.gradients["w_1_1_1"],
                                                        rel=1e-8)


def test_notes_of_a_unit_with_a_fan_in_of_3000_are_written(tmp_path: Path) -> None:
    path = dense_spec(tmp_path, [3000, 1])
    out = tmp_path / "notes.tex"
    result = CliRunner().invoke(main, ["notes", str(path), "--params", "w_1_1_1,b_1_1",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    tex = out.read_text(encoding="utf-8")
    assert r"\end{document}" in tex and "not sampled" in tex


def test_a_value_far_below_float64_is_kept(tmp_path: Path) -> None:
    """Two hundred σ' factors of at most ¼ make the first weight's gradient tiny: it keeps its
    digits in high precision, as the oracle's float64 does here."""
    spec = load_spec(dense_spec(tmp_path, [1] * 201, seed=3))
    net = build_network(spec)
    grads = derive(net)
    ex = spec.values.examples[0]
    worked = worked_example(net, grads, spec.values.params, ex.inputs, ex.targets)
    value = worked.value(grads.gradient(net.params[0]))
    expected = oracle(spec, spec.values.params, [(ex.inputs, ex.targets)])
    assert abs(value) < mpmath.mpf(10) ** -100
    assert float(value) == pytest.approx(expected.gradients[net.params[0].name], rel=1e-9)
