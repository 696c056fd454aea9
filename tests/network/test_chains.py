"""Chain-rule factors split as the seeds split them, and every split sums to the gradient."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from oracle import built
from paths import ROOT
from strategies import DrawnNetwork, networks

from symbackprop.network.build import Network, build_network
from symbackprop.network.chains import backward_order, chain_terms
from symbackprop.network.derivation import Gradients, derive
from symbackprop.render.derivations import _numeric, build_document, symbol_values
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import CHAIN_GRANULARITIES, CHAIN_ORDERS


def load(name: str) -> tuple[Network, Gradients]:
    net = build_network(load_spec(ROOT / "specs" / name))
    return net, derive(net)


def names(term) -> list[tuple[str, str]]:
    return [(f.numerator.name, f.denominator.name) for f in term]


def test_seed_004_hidden_weight_is_the_seeds_three_factors_then_a_sum() -> None:
    # seed 004, (C): ∂E/∂w1 = ∂E/∂out_h1 · ∂out_h1/∂in_h1 · ∂in_h1/∂w1, and the first factor
    # is ∂E_o1/∂out_h1 + ∂E_o2/∂out_h1, each through out_o and in_o
    net, grads = load("seed-004-mazur-2-2-2.yaml")
    (term,) = chain_terms(grads, net.symbol_by_name["w1"])
    assert names(term) == [("E_total", "out_h1"), ("out_h1", "in_h1"), ("in_h1", "w1")]
    assert [names(b) for b in term[0].expansion] == [
        [("E_total", "out_o1"), ("out_o1", "in_o1"), ("in_o1", "out_h1")],
        [("E_total", "out_o2"), ("out_o2", "in_o2"), ("in_o2", "out_h1")]]


def test_seed_002_stops_at_the_net_input() -> None:
    # seed 002: ∂C/∂w²₂₂ = ∂C/∂z³₂ · ∂z³₂/∂w²₂₂ = δ³₂ a²₂
    net, grads = load("seed-002-four-layer.yaml")
    (term,) = chain_terms(grads, net.symbol_by_name["w_2_22"])
    assert names(term) == [("C", "z_3_2"), ("z_3_2", "w_2_22")]
    assert term[0].value == net.symbol_by_name["delta_3_2"]


def test_seed_003_goes_through_activations_local_factor_first() -> None:
    # seed 003's answer: ∂L/∂w1 = ∂h1/∂w1 ∂o2/∂h1 ∂L/∂o2 + ∂h1/∂w1 ∂o1/∂h1 ∂L/∂o1
    net, grads = load("seed-003-stackexchange-2-2-2.yaml")
    terms = chain_terms(grads, net.symbol_by_name["w1"])
    assert sorted(names(t) for t in terms) == [
        [("h_1", "w1"), ("o_1", "h_1"), ("L", "o_1")],
        [("h_1", "w1"), ("o_2", "h_1"), ("L", "o_2")]]


def test_seed_000_multiplies_every_factor_from_the_loss() -> None:
    # seed 000: ∂E/∂w_a = ∂E/∂y ∂y/∂z ∂z/∂x1 ∂x1/∂x_{1,in} ∂x_{1,in}/∂w_a
    net, grads = load("seed-000-renom-1-2-1.yaml")
    (term,) = chain_terms(grads, net.symbol_by_name["w_a"])
    assert names(term) == [("E", "y"), ("y", "z"), ("z", "x_1"), ("x_1", "x_1_in"),
                           ("x_1_in", "w_a")]


# (spec, parameter, factors per term and terms in the seed, equations the seed writes)
SEED_DERIVATIONS = [
    ("seed-000-renom-1-2-1.yaml", "w_1", 3, 1, 2),  # ∂E/∂w = ∂E/∂y ∂y/∂z ∂z/∂w = −(r−y) ∂y/∂z x1
    ("seed-000-renom-1-2-1.yaml", "w_a", 5, 1, 2),
    ("seed-002-four-layer.yaml", "w_2_22", 2, 1, 4),  # (1) chain rule … (4) final value
    ("seed-003-stackexchange-2-2-2.yaml", "w1", 3, 2, 1),
    ("seed-003-stackexchange-chain.yaml", "w2", 2, 1, 1),  # ∂L/∂w2 = ∂y'/∂w2 ∂L/∂y'
    ("seed-004-mazur-2-2-2.yaml", "w5", 3, 1, 5),  # (B), its three factors, the result
    ("seed-004-mazur-2-2-2.yaml", "w1", 3, 1, 9),  # (C) … (F) and the combined result
    ("seed-004-perceptron.yaml", "w1", 2, 1, 2),  # ∂E/∂w_i = ∂E/∂y · ∂y/∂w_i = −(t−o) x_i
]


@pytest.mark.parametrize(("spec", "param", "factors", "terms", "equations"), SEED_DERIVATIONS)
def test_no_derivation_is_longer_than_the_seeds(spec: str, param: str, factors: int,
                                                terms: int, equations: int) -> None:
    net, grads = load(spec)
    found = chain_terms(grads, net.symbol_by_name[param])
    assert len(found) == terms
    assert all(len(t) == factors for t in found)
    doc = build_document(net, grads, params=[param], values=net.spec.values)
    rows = [r for r in doc.params[0].rows if r.kind != "numbers"]  # numbers: ours alone
    assert len(rows) <= max(equations, 3), [r.text for r in rows]


def test_local_gradients_are_listed_in_unit_order_from_the_output_back() -> None:
    net, _ = load("seed-004-mazur-2-2-2.yaml")
    assert [u.name for u in backward_order(net)] == ["o1", "o2", "h1", "h2"]
    net, _ = load("skip-connection.yaml")
    order = [u.name for u in backward_order(net)]
    assert order.index("y") < order.index("h2") < order.index("h1")


@settings(max_examples=25, deadline=None)
@given(networks(max_examples=1, max_depth=3, max_width=3))
def test_every_split_of_the_chain_sums_to_the_gradient(drawn: DrawnNetwork) -> None:
    net = built(drawn.spec)  # an unspecified f evaluated as tanh, as the oracle does
    grads = derive(net)
    at = symbol_values(net, grads, drawn.spec.values)
    assert at is not None
    for p in net.params:
        truth = _numeric(grads.derivation(p).closed, at, net)
        for granularity in CHAIN_GRANULARITIES:
            for order in CHAIN_ORDERS:
                terms = chain_terms(grads, p, granularity, order)
                if terms is None:
                    continue
                total = sum(_product(t, at, net) for t in terms)
                assert total == pytest.approx(truth, rel=1e-9, abs=1e-12), (
                    p.name, granularity, order)
                assert len({tuple(names(t)) for t in terms}) == len(terms), \
                    "a chain written twice counts its path twice"


def _product(term, at: dict[sp.Symbol, float], net: Network) -> float:
    out = 1.0
    for f in term:
        out *= sum(_product(b, at, net) for b in f.expansion) if f.expansion else _numeric(
            f.value, at, net)
    return out


TWICE = """inputs: [x1, x2]
layers:
  - {units: [h1, h2], activation: tanh, weights: [[a, b], [c, d]]}
  - {units: [o], activation: sigmoid, weights: [[v, v]]}
  - {units: [dead], activation: tanh, weights: [[u]], from: [h1], bias: none}
  - {units: [y], activation: linear, from: [o], weights: [[w]], bias: none}
loss: mse
"""


@pytest.mark.parametrize("granularity", CHAIN_GRANULARITIES)
def test_a_weight_on_two_edges_into_one_unit_is_one_chain(tmp_path, granularity: str) -> None:
    # z_o = v·a_h1 + v·a_h2: ∂z_o/∂v = a_h1 + a_h2 in one chain, not the chain twice
    path = tmp_path / "twice.yaml"
    path.write_text(TWICE, encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    (term,) = chain_terms(grads, net.symbol_by_name["v"], granularity)
    h1, h2 = (net.unit_by_name[n].out for n in ("h1", "h2"))
    assert term[-1].denominator == net.symbol_by_name["v"]
    assert term[-1].value.has(h1) and term[-1].value.has(h2)


@pytest.mark.parametrize("granularity", CHAIN_GRANULARITIES)
def test_a_weight_into_a_unit_that_feeds_nothing_has_a_zero_chain(tmp_path,
                                                                    granularity: str) -> None:
    path = tmp_path / "dead.yaml"
    path.write_text(TWICE + f"notation: {{chain: {granularity}}}\n", encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    (term,) = chain_terms(grads, net.symbol_by_name["u"])
    dead = net.unit_by_name["dead"]
    assert term[0].numerator == net.loss_symbol
    if granularity == "net":
        assert term[0].denominator == dead.net and term[0].value == dead.delta
        assert grads.deltas["dead"] == 0
    else:
        assert term[0].denominator == dead.out and term[0].value == 0
        assert build_document(net, grads, params=["u"]).params[0].rows[-1].text == "0"
