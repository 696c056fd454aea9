"""The definition of δ in words: its sign follows the spec's `notation.delta_sign`."""

from __future__ import annotations

from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.render.local_gradient import generic_unit_names, local_gradient_text
from symbackprop.spec.load import load_spec


def test_the_definition_carries_the_declared_sign() -> None:
    mitchell = build_network(load_spec(SPECS / "mitchell-2-2-2.yaml"))
    assert local_gradient_text(mitchell) == "delta_u = -∂E/∂net_u"
    assert generic_unit_names(mitchell) == (r"\delta_{u}", r"\mathrm{net}_{u}")
    mazur = build_network(load_spec(SPECS / "seed-004-mazur-2-2-2.yaml"))
    assert local_gradient_text(mazur) == "delta_u = ∂E_total/∂in_u"
