"""Points filled in at random say, by name, which values they made up."""

from __future__ import annotations

from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.numeric.points import complete_values
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import Example, Values

MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"
RELU_MLP = SPECS / "relu-mlp.yaml"


def test_a_missing_parameter_is_named_and_only_it_is_drawn() -> None:
    spec = load_spec(MAZUR)
    net = build_network(spec)
    given = {k: v for k, v in spec.values.params.items() if k != "w8"}
    values = Values(params=given, examples=spec.values.examples)
    filled, notes = complete_values(net, values)
    assert notes == ["random values for w8 (seed 0)"]
    assert {k: filled.params[k] for k in given} == given
    assert set(filled.params) == {p.name for p in net.params}


def test_many_missing_parameters_are_named_up_to_a_few() -> None:
    net = build_network(load_spec(RELU_MLP))
    _, notes = complete_values(net, Values(params={"w_1_1_1": 0.5}))
    names = [p.name for p in net.params if p.name != "w_1_1_1"]
    assert notes[0] == (f"random values for {', '.join(names[:8])} and {len(names) - 8} "
                        "other parameters (seed 0)")


def test_a_missing_target_is_named_as_derive_prints_it() -> None:
    net = build_network(load_spec(RELU_MLP))
    params = {p.name: 0.1 for p in net.params}
    _, notes = complete_values(net, Values(params=params,
                                           examples=(Example({"x1": 1.0}, {}),)))
    assert notes == ["example 1: random values for x2, y_1"]
    assert not any("u3_1" in note for note in notes)
