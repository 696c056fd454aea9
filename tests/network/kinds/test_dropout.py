"""Dropout units in the network: the engine's δ recurrence through them, with nothing of its
own for dropout, is the printed rule ∂L/∂a_j = (m_j / p) δ̃_j at every unit, with the mask
and p the rule prints."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.network.kinds.dropout import dropout_rules
from symbackprop.spec.load import load_spec

SPEC = """inputs: {size: 3}
layers:
  - {name: din, kind: dropout, p: 0.75}
  - {name: hidden, units: 4, activation: tanh}
  - {name: drop, kind: dropout, p: 1/3}
  - {units: 2, activation: softmax}
loss: cross_entropy
values:
  mask: {din: [0, 1, 1], drop: [1, 1, 0, 1]}
"""


def _printed(text: str) -> tuple[list[int], Fraction]:
    """The mask and p a rule's text prints."""
    found = re.search(r"m = \(([^)]*)\), p = (\S+)$", text)
    assert found is not None, text
    return [int(m) for m in found.group(1).split(", ")], Fraction(found.group(2))


@pytest.mark.parametrize("source", ["bundled", "two-layers"])
def test_the_printed_rule_is_the_engines_recurrence_at_every_unit(
        tmp_path: Path, source: str) -> None:
    if source == "bundled":
        path = SPECS / "dropout.yaml"
    else:
        path = tmp_path / "net.yaml"
        path.write_text(SPEC, encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    rules = dropout_rules(net.spec)
    dropped = [lay for lay in net.spec.layers if lay.dropout is not None]
    assert len(rules) == len(dropped)
    for rule, lay in zip(rules, dropped, strict=True):
        mask, keep = _printed(rule.text)
        assert "(m_{j} / p)" in rule.text and r"\frac{m_{j}}{p}" in rule.latex
        below = [i.name for i in net.spec.inputs] if lay.position == 1 else \
            list(net.spec.layers[lay.position - 2].units)
        assert len(mask) == len(lay.units) == len(below)
        for m, unit, name in zip(mask, lay.units, below, strict=True):
            scale = sp.Rational(m) / sp.Rational(keep.numerator, keep.denominator)
            expected = scale * net.unit_by_name[unit].delta
            if name in net.unit_by_name:  # δ of a unit below = ∂L/∂a · act′
                source_unit = net.unit_by_name[name]
                slope = sp.diff(net.out_definitions[source_unit.out], source_unit.net)
                assert sp.simplify(grads.deltas[name] - net.out_form(expected * slope)) == 0
            dropped_unit = net.unit_by_name[unit]
            # the dropout unit's link carries m_j / p and names no parameter
            assert dropped_unit.incoming == ((name, scale),) and dropped_unit.bias is None


def test_a_dropped_unit_has_delta_zero_and_its_weights_no_gradient() -> None:
    net = build_network(load_spec(SPECS / "dropout.yaml"))
    grads = derive(net)
    assert grads.deltas["u1_2"] == 0
    assert grads.deltas["u1_1"] != 0 and grads.deltas["u1_3"] != 0
