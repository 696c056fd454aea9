"""+ λ w after the chain rule in the rows of a decayed weight's derivation."""

from __future__ import annotations

import sympy as sp
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.render.decay_rows import decay_product, with_decay
from symbackprop.render.derivations import Row, expr_row
from symbackprop.spec.load import load_spec


def test_each_chain_row_gets_lambda_w_and_the_others_stay() -> None:
    net = build_network(load_spec(SPECS / "weight-decay-2-2-1.yaml"))
    w, b = net.symbol_by_name["w_2_1_1"], net.symbol_by_name["b_2_1"]
    assert decay_product(net, b) is None
    term = decay_product(net, w)
    assert term is not None and sp.expand(term - net.decay * w) == 0
    a = net.symbol_by_name["a_1_1"]
    rows = [expr_row(net, a, "factors"), expr_row(net, sp.Float(0.5), "numbers"),
            Row("-0.01", "-0.01", "value")]
    out = with_decay(net, w, rows, lambda s: sp.Float(0.7) if s == w else sp.Float(0.01),
                     lambda e, k: expr_row(net, e, k))
    assert out is not None
    assert out[0].text == "a_1_1 + lambda·w_2_1_1"
    assert out[1].text == "0.5 + 0.01·0.7"
    assert out[2] is rows[2]
    assert with_decay(net, b, rows, None, lambda e, k: expr_row(net, e, k)) is rows
    # without numbers to print, the numbers row is left as it is
    assert with_decay(net, w, rows, None, lambda e, k: expr_row(net, e, k))[1] is rows[1]
