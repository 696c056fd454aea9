"""Points without ties in max pooling: which windows tie, and gradcheck drawing again."""

from __future__ import annotations

from pathlib import Path

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.gradient_check import gradcheck
from symbackprop.numeric.pool_ties import max_pool_ties, without_ties
from symbackprop.spec.load import Example, Values, load_spec

SPEC = """inputs: {shape: [1, 2, 3]}
layers:
  - {kind: conv2d, filters: 1, kernel: 1, activation: ACT}
  - {kind: max_pool, kernel: 2, stride: 1}
  - {units: 1, activation: linear}
loss: squared_error
"""
PARAMS = {"w_1_1_1_1_1": 1.0, "b_1_1": 0.0, "w_3_1_1": 0.5, "w_3_1_2": -0.25, "b_3_1": 0.0}


def _net(tmp_path: Path, act: str = "tanh"):  # type: ignore[no-untyped-def]
    path = tmp_path / "net.yaml"
    path.write_text(SPEC.replace("ACT", act), encoding="utf-8")
    net = build_network(load_spec(path))
    return net, derive(net)


def _point(row1: list[float], row2: list[float]) -> Values:
    inputs = {f"x_1_{i}_{j}": v for i, row in ((1, row1), (2, row2))
              for j, v in enumerate(row, start=1)}
    return Values(params=PARAMS, examples=(Example(inputs, {"u3_1": 0.5}),))


def test_a_window_with_two_equal_maxima_is_a_tie(tmp_path: Path) -> None:
    net, grads = _net(tmp_path)
    # window 1 holds 0.9 twice; window 2 holds 0.9 once (and 0.3, -0.5, 0.1)
    assert max_pool_ties(net, grads, _point([0.2, 0.9, 0.3], [0.9, -0.5, 0.1])) == ["u2_1_1_1"]
    assert max_pool_ties(net, grads, _point([0.2, 0.9, 0.3], [0.8, -0.5, 0.1])) == []


def test_dead_relu_units_tied_at_zero_carry_no_gradient(tmp_path: Path) -> None:
    net, grads = _net(tmp_path, "relu")
    # every unit of window 1 but x_1_1_2 is below zero: 0 = 0 = 0 < 0.4 (no tie), and
    # window 2 is all dead, tied at 0 but with no gradient to route
    assert max_pool_ties(net, grads, _point([-0.2, 0.4, -0.3], [-0.9, -0.5, -0.1])) == []
    assert max_pool_ties(net, grads, _point([-0.2, 0.4, 0.4], [-0.9, -0.5, -0.1])) == \
        ["u2_1_1_2"]


def test_random_values_are_drawn_again_until_no_window_ties(tmp_path: Path) -> None:
    net, grads = _net(tmp_path)
    tied = _point([0.2, 0.9, 0.3], [0.9, -0.5, 0.1])
    given = Values(params=PARAMS)  # the inputs are to be drawn
    point, notes = without_ties(net, grads, given, tied, ["random inputs and targets (seed 0)"],
                                seed=0)
    assert point != tied and max_pool_ties(net, grads, point) == []
    assert any("drawn again" in n for n in notes)
    # given values keep their tie, and the report says so
    report = gradcheck(net, grads, tied)
    assert any("two equal maxima" in n for n in report.notes)
