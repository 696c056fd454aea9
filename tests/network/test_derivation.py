"""Derivations: textbook forms, paths, shared parameters, output-layer simplifications."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp
from paths import ROOT

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import Gradients, derive
from symbackprop.network.functions import sigmoid
from symbackprop.spec.load import NetworkSpec, load_spec


def load(name: str) -> tuple[Network, Gradients]:
    net = build_network(load_spec(ROOT / "specs" / name))
    return net, derive(net)


def sym(net: Network, name: str) -> sp.Symbol:
    return net.symbol_by_name[name]


def test_seed_004_output_weight_is_the_seed_formula() -> None:
    net, grads = load("seed-004-mazur-2-2-2.yaml")
    t1, o1, h1 = (sym(net, n) for n in ("target_o1", "out_o1", "out_h1"))
    seed = -(t1 - o1) * o1 * (1 - o1) * h1  # seed 004, ∂E_total/∂w5
    assert sp.expand(grads.derivation(sym(net, "w5")).closed - seed) == 0


def test_seed_004_hidden_weight_sums_two_paths_through_w5_and_w7() -> None:
    net, grads = load("seed-004-mazur-2-2-2.yaml")
    s = {n: sym(net, n) for n in ("target_o1", "out_o1", "target_o2", "out_o2", "out_h1",
                                  "w5", "w7", "i1")}
    corrected = -((s["target_o1"] - s["out_o1"]) * s["out_o1"] * (1 - s["out_o1"]) * s["w5"]
                  + (s["target_o2"] - s["out_o2"]) * s["out_o2"] * (1 - s["out_o2"]) * s["w7"]
                  ) * s["out_h1"] * (1 - s["out_h1"]) * s["i1"]
    d = grads.derivation(sym(net, "w1"))
    assert d.path_count == 2
    assert sp.expand(d.closed - corrected) == 0
    # the seed's own formula writes w6 where w7 belongs: it is not the gradient
    seed_formula = corrected.xreplace({s["w7"]: sym(net, "w6")})
    assert sp.expand(d.closed - seed_formula) != 0


def test_chain_factors_read_like_the_seed() -> None:
    net, grads = load("seed-004-mazur-2-2-2.yaml")
    (path,) = grads.derivation(sym(net, "w5")).paths or ()
    assert [(f.numerator.name, f.denominator.name) for f in path] == [
        ("E_total", "out_o1"), ("out_o1", "in_o1"), ("in_o1", "w5")]
    assert path[1].value == sym(net, "out_o1") * (1 - sym(net, "out_o1"))
    assert path[2].value == sym(net, "out_h1")


def test_delta_form_is_delta_times_source() -> None:
    net, grads = load("seed-004-mazur-2-2-2.yaml")
    assert grads.gradient(sym(net, "w5")) == sym(net, "delta_o1") * sym(net, "out_h1")
    assert grads.gradient(sym(net, "b1")) == sym(net, "delta_h1") + sym(net, "delta_h2")


def test_bias_shared_across_layers_sums_both_uses() -> None:
    net, grads = load("seed-003-stackexchange-chain.yaml")
    d = grads.derivation(sym(net, "b"))
    assert len(d.uses) == 2
    assert d.path_count == 2
    x, w1, w2, b = (sym(net, n) for n in ("x", "w1", "w2", "b"))
    y = sym(net, "y")
    h = sigmoid(x * w1 + b)
    yp = sigmoid(h * w2 + b)
    loss = sp.Rational(1, 2) * (y - yp) ** 2
    by_hand = sp.diff(loss, b)
    ours = net.substitute(d.closed)
    point = {x: sp.Rational(3, 10), w1: sp.Rational(-7, 10), w2: sp.Rational(11, 10),
             b: sp.Rational(1, 5), y: sp.Rational(9, 10)}
    assert abs(float((ours - by_hand).subs(point).evalf(40))) < 1e-30


def test_sigmoid_with_binary_cross_entropy_gives_a_minus_y() -> None:
    net, grads = load("relu-mlp.yaml")
    (out,) = net.outputs
    assert grads.output_delta[out.name] == out.out - out.target


def test_softmax_with_cross_entropy_gives_a_minus_y() -> None:
    net, grads = load("softmax-cross-entropy.yaml")
    for u in net.outputs:
        assert grads.output_delta[u.name] == u.out - u.target
    assert any("sum to 1" in n for n in grads.notes)


def test_tanh_derivative_in_terms_of_the_activation() -> None:
    net, grads = load("tanh-regression.yaml")
    h = net.units[0]
    assert grads.local_derivative(h) == 1 - h.out ** 2


def test_unspecified_activation_keeps_f_prime_of_the_net_input() -> None:
    net, grads = load("seed-000-renom-1-2-1.yaml")
    d = grads.derivation(sym(net, "w_a"))
    text = sp.sstr(d.closed)  # the output's f and the hidden units' own g
    assert "f'(z)" in text and "g'(x_1_in)" in text
    assert [(f.numerator.name, f.denominator.name) for f in (d.paths or ((),))[0]] == [
        ("E", "y"), ("y", "z"), ("z", "x_1"), ("x_1", "x_1_in"), ("x_1_in", "w_a")]


def test_skip_connection_paths() -> None:
    net, grads = load("skip-connection.yaml")
    # a1 feeds h1, which reaches y directly (v3) and through h2 (u → v2)
    assert grads.derivation(sym(net, "a1")).path_count == 2
    assert grads.derivation(sym(net, "v1")).path_count == 1


def test_closed_form_never_contains_exp() -> None:
    for spec in ("seed-004-mazur-2-2-2.yaml", "seed-002-four-layer.yaml", "relu-mlp.yaml"):
        net, grads = load(spec)
        for p in net.params:
            assert not grads.derivation(p).closed.has(sp.exp), (spec, p)


def _output_deltas_one_by_one(net: Network) -> dict[str, sp.Expr]:
    """Each output's δ derived on its own (what derive() renames from the first unit)."""
    from symbackprop.network.derivation import factored, simplest

    out = {}
    for u in net.outputs:
        if u.activation.kind == "softmax":
            continue
        direct = factored(net.out_form(sp.diff(net.loss, u.out)))
        local = net.out_form(sp.diff(net.out_definitions[u.out], u.net))
        out[u.name] = simplest(direct * local)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_renamed_output_deltas_equal_their_own_derivation(tmp_path: Path, seed: int) -> None:
    from layered_specs import random_layered

    net = build_network(load_spec(random_layered(tmp_path, seed)))
    grads = derive(net)
    for name, delta in _output_deltas_one_by_one(net).items():
        assert grads.output_delta[name] == delta, name


def test_output_deltas_of_units_whose_names_sort_differently(tmp_path: Path) -> None:
    """Targets named so that some sort before their unit's activation and some after."""
    path = tmp_path / "names.yaml"
    path.write_text(
        "title: names\ninputs: [x1, x2]\n"
        "layers:\n"
        "  - name: out\n"
        "    activation: sigmoid\n"
        "    units: [{name: o1, target: 'a_1'}, {name: o2, target: 'z_2'},"
        " {name: o3, target: 'b_3'}]\n"
        "notation: {activation: 'h_{{unit}}', net: 'n_{{unit}}'}\n"
        "loss: binary_cross_entropy\n", encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    expected = _output_deltas_one_by_one(net)
    assert set(expected) == {"o1", "o2", "o3"}
    for name, delta in expected.items():
        assert grads.output_delta[name] == delta, name


def test_mitchells_delta_is_minus_the_derivative_by_the_net_input() -> None:
    """δ = −∂E/∂net (``notation.delta_sign: negative``), checked against SymPy's own
    derivative of the fully substituted loss; the hidden recurrence keeps its form and
    ∂E/∂w = −δ · x, so the closed forms equal the positive convention's."""
    net, grads = load("mitchell-2-2-2.yaml")
    assert grads.sign == -1
    t, o, h = (sym(net, n) for n in ("t_k1", "o_k1", "o_h1"))
    # Mitchell's Table 4.2: δ_k = o_k (1 − o_k)(t_k − o_k)
    assert sp.expand(grads.deltas["k1"] - o * (1 - o) * (t - o)) == 0
    k1 = net.unit_by_name["k1"]
    loss = net.substitute(net.loss)
    net_k1 = net.substitute(net.net_definitions[k1.net])
    z = sp.Dummy("z")
    by_net = sp.diff(loss.subs(net_k1, z), z).subs(z, net_k1)
    point = {p: sp.Rational(k + 1, 7) * (-1) ** k for k, p in enumerate(net.params)}
    point |= {s: sp.Rational(1, 3) for s in (*net.inputs, *net.targets)}
    value = net.substitute(grads.closed_delta("k1")).xreplace(point)
    assert abs(sp.N(value + by_net.xreplace(point), 30)) < 1e-25
    # the gradient from δ carries the minus sign; the update adds η δ x
    w = sym(net, "w_k1_h1")
    assert sp.expand(grads.gradient(w) + k1.delta * h) == 0
    positive = derive(build_network(_positive(net.spec)))
    for p in net.params:
        assert sp.expand(grads.derivation(p).closed - positive.derivation(p).closed) == 0
    hidden = net.unit_by_name["h1"]
    assert grads.deltas["h1"] == positive.deltas["h1"]
    assert sp.expand(positive.deltas["k1"] + grads.deltas["k1"]) == 0
    assert hidden.delta in grads.gradient(sym(net, "w_h1_1")).free_symbols


def _positive(spec: NetworkSpec) -> NetworkSpec:
    return replace(spec, notation=replace(spec.notation, delta_sign="positive"))


@pytest.mark.parametrize("name", ["conv-pool.yaml", "conv2d-3x3.yaml",
                                  "seed-004-mazur-2-2-2.yaml", "mitchell-2-2-2.yaml",
                                  "weight-decay-2-2-1.yaml"])
def test_gradient_is_the_evaluated_sum_of_delta_times_source(name: str) -> None:
    """Each gradient is, term for term, SymPy's own evaluated Σ δ_v · source (the product
    of two symbols is put in SymPy's order without flattening)."""
    net, grads = load(name)
    for p in net.trained:
        plain = grads.sign * sp.Add(*[u.unit.delta * (u.source if u.source is not None
                                                       else 1) for u in grads.uses(p)]) \
            + net.decay_term(p)
        made = grads.gradient(p)
        assert made == plain and made.args == plain.args and str(made) == str(plain)
        assert all(type(t) is type(o) for t, o in zip(sp.preorder_traversal(made),
                                                     sp.preorder_traversal(plain),
                                                     strict=True))


@pytest.mark.parametrize("name", ["conv-pool.yaml", "seed-004-mazur-2-2-2.yaml"])
def test_net_inputs_and_recurrences_are_the_evaluated_sums(name: str) -> None:
    """net_u = Σ w · a + b and the recurrence's Σ δ · w are SymPy's own evaluated sums."""
    net, grads = load(name)
    for u in net.units:
        if u.weighted and u.formula is None:
            plain = sp.Add(*[w * net.source_out[s] for s, w in u.incoming],
                           *([u.bias] if u.bias is not None else []))
            made = net.net_definitions[u.net]
            assert made == plain and made.args == plain.args and str(made) == str(plain)
        if u not in net.outputs:
            back = sp.Add(*[c.delta * w for c, w in grads.consumer_weights[u.name]])
            plain = back * grads.local_derivative(u)
            assert grads.deltas[u.name] == plain and str(grads.deltas[u.name]) == str(plain)
