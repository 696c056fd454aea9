"""The BPTT rules a recurrent network prints are the derivation's gradients: each rule is
expanded step by step (∂L/∂h^{(t)}_i as the engine's ∂L/∂out of that unit) and compared with
the engine's gradient, exactly, at a random rational point; a rule with the sum over time or
the recurrent term dropped fails the same comparison."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy as sp
import yaml

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import Gradients, derive
from symbackprop.network.kinds.recurrent import BpttForms, StepRule, recurrence_lines
from symbackprop.spec.load import load_spec

SPEC = Path(__file__).resolve().parents[3] / "specs" / "rnn-bptt.yaml"


def _closed_dh(net: Network, grads: Gradients, forms: BpttForms) -> dict[sp.Symbol, sp.Expr]:
    """∂L/∂h^{(t)}_i of every step as the engine derives it, δ symbols substituted."""
    deltas = {u.delta: grads.closed_delta(u.name) for u in net.units}
    out = {}
    for (t, i), sym in forms.dh.items():
        name = f"u{forms.hidden.number}_{t}_{i}"
        out[sym] = grads.dE_dout[name].xreplace(deltas) if name in net.unit_by_name \
            else sp.S.Zero
    return out


def _engine_dh(net: Network, grads: Gradients, forms: BpttForms, t: int, i: int
               ) -> sp.Expr:
    """The engine's ∂L/∂h^{(t)}_i, closed."""
    sym = forms.dh.setdefault((t, i), sp.Symbol(f"dL_dh_{t}_{i}", real=True))
    return _closed_dh(net, grads, forms)[sym]


def _point(exprs: list[sp.Expr], seed: int) -> dict[sp.Symbol, sp.Rational]:
    rng = random.Random(seed)
    symbols = set().union(*(e.free_symbols for e in exprs))
    return {s: sp.Rational(rng.randint(-90, 90), 97) for s in symbols}


def _same(rule: sp.Expr, engine: sp.Expr) -> bool:
    at = _point([rule, engine], 3)
    return sp.simplify(rule.xreplace(at) - engine.xreplace(at)) == 0


def _expanded(net: Network, grads: Gradients, forms: BpttForms, rule: StepRule,
              at: int | None = None) -> sp.Expr:
    value = rule.expanded(at)
    return value.xreplace(_closed_dh(net, grads, forms))


def _spec(tmp_path: Path, **hidden: object) -> Path:
    layer = {"kind": "recurrent", "size": 2, "activation": "tanh", **hidden}
    path = tmp_path / "rnn.yaml"
    path.write_text(yaml.safe_dump({
        "inputs": {"size": 2, "steps": 3},
        "layers": [layer, {"size": 2, "activation": "softmax"}],
        "loss": {"kind": "cross_entropy", "steps": "mean"}}), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["bundled", "sigmoid-parameter", "relu-zero"])
def test_every_printed_rule_is_the_engines_gradient(tmp_path: Path, where: str) -> None:
    path = SPEC if where == "bundled" else _spec(
        tmp_path, activation=where.split("-")[0], initial=where.split("-")[1])
    net = build_network(load_spec(path))
    grads = derive(net)
    forms = BpttForms(net, grads)
    for p in net.params:
        rule = forms.of(p.name)
        assert rule is not None, p.name
        engine = grads.derivation(p).closed
        assert _same(_expanded(net, grads, forms, rule), engine), (p.name, rule.text)
    steps = forms.g.steps
    for i in range(1, forms.g.size + 1):
        for t in range(1, steps + 1):
            rule = forms.recurrence(i, last=t == steps)
            value = _expanded(net, grads, forms, rule, at=t)
            assert _same(value, _engine_dh(net, grads, forms, t, i)), (t, i, rule.text)


def test_the_bundled_spec_prints_the_lecture_rules() -> None:
    net = build_network(load_spec(SPEC))
    forms = BpttForms(net, derive(net))
    w = forms.of("W_1_2")
    assert w is not None and w.latex == (
        r"\sum_{t=2}^{3} \left(1 - \left(h^{(t)}_{1}\right)^{2}\right) "
        r"\frac{\partial L}{\partial h^{(t)}_{1}} h^{(t-1)}_{2}")
    v = forms.of("V_1_2")
    assert v is not None and v.latex == (
        r"\sum_{t=1}^{3} \left(\hat{y}^{(t)}_{1} - y^{(t)}_{1}\right) h^{(t)}_{2}")
    lines = dict(recurrence_lines(forms))
    assert (r"\frac{\partial L}{\partial h^{(t)}_{1}} = \sum_{k} V_{k,1} "
            r"\left(\hat{y}^{(t)}_{k} - y^{(t)}_{k}\right) + \sum_{k} W_{k,1} "
            r"\left(1 - \left(h^{(t+1)}_{k}\right)^{2}\right) "
            r"\frac{\partial L}{\partial h^{(t+1)}_{k}} \quad (t < 3)") in lines.values()


def test_dropped_sums_are_not_the_gradient() -> None:
    """The comparison can fail: W's rule at the last step only, and the recurrence without
    its recurrent term at t = 1, differ from the engine."""
    net = build_network(load_spec(SPEC))
    grads = derive(net)
    forms = BpttForms(net, grads)
    w = forms.of("W_1_1")
    assert w is not None
    summand, steps, inner = w.parts[0]
    last_only = StepRule(w.lhs, ((summand, steps[-1:], inner),), "", "", forms)
    engine = grads.derivation(net.symbol_by_name["W_1_1"]).closed
    assert not _same(_expanded(net, grads, forms, last_only), engine)
    no_recurrent = _expanded(net, grads, forms, forms.recurrence(1, last=True), at=1)
    full = _expanded(net, grads, forms, forms.recurrence(1, last=False), at=1)
    engine_dh = _engine_dh(net, grads, forms, 1, 1)
    assert not _same(no_recurrent, engine_dh)
    assert _same(full, engine_dh)
