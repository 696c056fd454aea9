"""Pooling nodes in the network: the max and its first-maximum derivative as SymPy functions,
and the δ recurrences the engine derives through them with nothing of its own for pooling."""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.network.kinds.pool import first_max, pool_max, pool_rules
from symbackprop.spec.load import load_spec

SPEC = """inputs: {shape: [1, 3, 3]}
layers:
  - {kind: conv2d, filters: 1, kernel: 1, activation: tanh}
  - {kind: POOL, kernel: 2, stride: 1}
  - {units: 1, activation: linear}
loss: squared_error
"""


def _grads(tmp_path: Path, pool: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "net.yaml"
    path.write_text(SPEC.replace("POOL", pool), encoding="utf-8")
    return derive(build_network(load_spec(path)))


def test_the_max_differentiates_to_the_first_maximum() -> None:
    a, b, c = sp.symbols("a b c", real=True)
    assert sp.diff(pool_max(a, b, c), b) == first_max(1, a, b, c)
    assert sp.diff(first_max(1, a, b, c), b) == 0
    assert first_max(0, sp.Integer(3), sp.Integer(3), sp.Integer(1)) == 1
    assert first_max(1, sp.Integer(3), sp.Integer(3), sp.Integer(1)) == 0
    assert first_max(2, sp.Integer(3), sp.Integer(3), sp.Integer(4)) == 1
    assert pool_max(sp.Integer(2), sp.Rational(5, 2)) == sp.Rational(5, 2)
    assert pool_max(a, b).subs({a: 1, b: -2}) == 1
    assert sp.latex(first_max(1, a, b)) == r"\mathbb{I}\left[b = \max\left(a, b\right)\right]"
    assert sp.latex(pool_max(a, b)) == r"\max\left(a, b\right)"


def test_max_pooling_routes_each_delta_through_an_indicator(tmp_path: Path) -> None:
    grads = _grads(tmp_path, "max_pool")
    net = grads.network
    out = {n: net.unit_by_name[n].out for n in ("u1_1_1_2", "u1_1_1_3", "u1_1_2_2", "u1_1_2_3",
                                                "u1_1_1_1", "u1_1_2_1")}
    window_11 = [out["u1_1_1_1"], out["u1_1_1_2"], out["u1_1_2_1"], out["u1_1_2_2"]]
    window_12 = [out["u1_1_1_2"], out["u1_1_1_3"], out["u1_1_2_2"], out["u1_1_2_3"]]
    unit = net.unit_by_name["u1_1_1_2"]
    expected = (net.unit_by_name["u2_1_1_1"].delta * first_max(1, *window_11)
                + net.unit_by_name["u2_1_1_2"].delta * first_max(0, *window_12)) \
        * (1 - unit.out ** 2)
    assert sp.expand(grads.deltas["u1_1_1_2"] - expected) == 0
    # a pooling unit's links name no parameter: the kernel weight's uses are its positions
    assert len(grads.uses(net.symbol_by_name["w_1_1_1_1_1"])) == 9


def test_average_pooling_passes_a_quarter_of_each_delta(tmp_path: Path) -> None:
    grads = _grads(tmp_path, "avg_pool")
    net = grads.network
    unit = net.unit_by_name["u1_1_2_2"]  # the centre: in all four windows
    deltas = [net.unit_by_name[f"u2_1_{i}_{j}"].delta for i in (1, 2) for j in (1, 2)]
    expected = sp.Add(*deltas) / 4 * (1 - unit.out ** 2)
    assert sp.expand(grads.deltas["u1_1_2_2"] - expected) == 0
    pooled = net.unit_by_name["u2_1_1_1"]
    assert net.net_definitions[pooled.net] == sp.Add(
        *[net.unit_by_name[n].out for n in ("u1_1_1_1", "u1_1_1_2", "u1_1_2_1", "u1_1_2_2")]) / 4


def test_the_printed_rule_names_the_windows_the_engine_sums_over(tmp_path: Path) -> None:
    """Every (i, j) with (p, q) ∈ W_{i,j} = {(s(i−1)+m, s(j−1)+n)} is a term of the engine's
    ∂L/∂a_{c,p,q}, and no other: the rule and the derivation say one thing."""
    path = tmp_path / "net.yaml"
    path.write_text(SPEC.replace("[1, 3, 3]", "[1, 5, 5]").replace(
        "POOL, kernel: 2, stride: 1", "max_pool, kernel: 2, stride: 2"), encoding="utf-8")
    spec = load_spec(path)
    grads = derive(build_network(spec))
    (rule,) = pool_rules(spec)
    assert r"W_{i,j} = \left\{(2i+m-2, 2j+n-2) : 1 \le m \le 2,\ 1 \le n \le 2\right\}" \
        in rule.latex
    assert r"\mathbb{I}\left[a^{[1]}_{c,p,q} = \max_{(p',q') \in W_{i,j}} a^{[1]}_{c,p',q'}" \
        in rule.latex and r"\delta^{[2]}_{c,i,j}" in rule.latex
    for p in range(1, 6):
        for q in range(1, 6):
            printed = {(i, j) for i in (1, 2) for j in (1, 2) for m in (1, 2) for n in (1, 2)
                       if (2 * (i - 1) + m, 2 * (j - 1) + n) == (p, q)}
            derived = {tuple(int(k) for k in c.name.split("_")[2:])
                       for c in grads.consumers[f"u1_1_{p}_{q}"]}
            assert derived == printed, (p, q)


def test_the_average_rule_divides_by_the_window_size(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(SPEC.replace("POOL", "avg_pool"), encoding="utf-8")
    (rule,) = pool_rules(load_spec(path))
    assert r"\frac{1}{4} \delta^{[2]}_{c,i,j}" in rule.latex
    assert "(1/4) δ^{[2]}_{c,i,j}" in rule.text
