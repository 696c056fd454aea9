"""Output derivatives reused across outputs and steps, against SymPy's own diff."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import sympy as sp
from spec_texts import load_text

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import derive
from symbackprop.network.output_reuse import argument_diff, loss_terms

RNN = """
inputs: {size: 3, steps: 4}
layers:
  - {kind: recurrent, size: 2, activation: tanh, initial: zero}
  - {size: 3, activation: softmax}
loss: %s
"""


def rnn(tmp_path: Path, loss: str = "cross_entropy") -> Network:
    return build_network(load_text(tmp_path, RNN % loss))


def test_argument_diff_is_sympys_diff_on_functions_of_symbols_and_otherwise(
        tmp_path: Path) -> None:
    net = rnn(tmp_path)
    for u in net.outputs[:6]:
        definition = net.out_definitions[u.out]
        for v in net.outputs[:6]:
            assert argument_diff(definition, v.net) == sp.diff(definition, v.net)
    x, y = sp.symbols("x y")
    f = sp.Function("f")
    for expr in (f(x, x), f(x, 2 * y), f(x, y), f(2, x, y), f(x, y, x * y), sp.sin(x * y)):
        assert argument_diff(expr, y) == sp.diff(expr, y)
        assert argument_diff(expr, x) == sp.diff(expr, x)


def test_loss_terms_differentiate_as_the_whole_loss(tmp_path: Path) -> None:
    for loss in ("cross_entropy", "{kind: cross_entropy, steps: mean}", "mse"):
        net = rnn(tmp_path, loss)
        diff = loss_terms(net)
        for u in net.outputs:
            assert diff(u.out) == sp.diff(net.loss, u.out)


def test_every_steps_softmax_delta_is_out_minus_target_as_the_chain_rule_gives(
        tmp_path: Path) -> None:
    net = rnn(tmp_path)
    grads = derive(net)
    for u in net.outputs:
        group = net.softmax_group(u)
        chain = sp.Add(*[sp.diff(net.loss, k.out) * sp.diff(net.out_definitions[k.out], u.net)
                         for k in group])
        chain = net.out_form(chain)
        total = sp.Add(*[k.target for k in group])
        assert sp.expand(chain - (u.out * total - u.target)) == 0  # targets summing to 1
        assert grads.output_delta[u.name] == u.out - u.target


def test_a_step_whose_loss_term_differs_gets_its_own_delta(tmp_path: Path) -> None:
    net = rnn(tmp_path)
    third = {u.out for u in net.outputs if u.group == 3}
    doubled = sp.Add(*[2 * a if a.free_symbols & third else a for a in net.loss.args])
    grads = derive(replace(net, loss=doubled))
    for u in net.outputs:
        total = sp.Add(*[k.target for k in net.softmax_group(u)])
        got = grads.output_delta[u.name]
        if u.group == 3:  # twice the chain rule's δ, not out − target
            assert sp.expand(got - 2 * (u.out * total - u.target)) == 0
        else:
            assert got == u.out - u.target
