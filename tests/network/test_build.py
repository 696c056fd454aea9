"""The symbolic network of a spec: constant biases and the weight-decay objective."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from paths import SPECS

from symbackprop.errors import SymbackpropError
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.numeric.lambdified import compile_network
from symbackprop.spec.load import load_spec

DECAY = """inputs: [x1]
layers:
  - {size: 2, activation: tanh}
  - {size: 1, activation: sigmoid}
loss: squared_error
weight_decay: {biases: BIASES}
"""


def test_a_constant_bias_is_added_to_the_net_input_as_its_number() -> None:
    net = build_network(load_spec(SPECS / "constant-bias-2-2-1.yaml"))
    s = net.symbol_by_name
    h1 = net.unit_by_name["h1"]
    assert net.net_definitions[h1.net] == s["w1"] * s["x1"] + s["w2"] * s["x2"] + 1
    assert h1.bias is None and h1.constant == 1
    assert all(sym.name.startswith("w") for sym in net.params)


@pytest.mark.parametrize("biases", [False, True])
def test_weight_decay_adds_lambda_w_to_every_decayed_gradient(tmp_path: Path, biases: bool
                                                             ) -> None:
    """∂J/∂θ against SymPy's own derivative of the fully substituted J = L + λ/2 Σ w²."""
    path = tmp_path / "net.yaml"
    path.write_text(DECAY.replace("BIASES", str(biases).lower()), encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    assert net.decay is not None
    lam = net.decay
    objective = net.substitute(net.objective)
    point = {p: sp.Rational(k + 2, 9) * (-1) ** k for k, p in enumerate(net.params)}
    point |= {net.inputs[0]: sp.Rational(3, 4), net.targets[0]: sp.Rational(1, 5),
              lam: sp.Rational(1, 7)}
    for p in net.params:
        decayed = p.name.startswith("w") or biases
        assert (p in net.decayed) == decayed
        expected = sp.diff(objective, p).xreplace(point)
        got = net.substitute(grads.derivation(p).closed).xreplace(point)
        assert abs(sp.N(got - expected, 30)) < 1e-25, p
        extra = grads.gradient(p) - grads.gradient(p).xreplace({lam: 0})
        assert sp.expand(extra - (lam * p if decayed else 0)) == 0, p


def test_numbers_need_the_weight_decay_value(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(DECAY.replace("BIASES", "false"), encoding="utf-8")
    net = build_network(load_spec(path))
    with pytest.raises(SymbackpropError, match="has no value") as info:
        compile_network(net, derive(net))
    assert "values: {weight_decay" in str(info.value.hint)
