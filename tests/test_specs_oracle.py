"""Every spec in ``specs/``: the package's gradients against two independent oracles.

For each spec (one case per file, so a new spec is a new case) at its own values, where it
has them, and at seeded random points: the compiled gradients, the δ-form evaluated by
substitution and the closed form equal the autograd oracle to a relative 1e-9, and
``gradcheck`` (central differences with 40 digits) passes.

The last tests show that these comparisons can fail: a wrong loss factor, a wrong activation,
an unshared weight, a gradient off by one part in 10⁸ and a corrupted δ are all caught.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from oracle import (
    close,
    closed_form_gradients,
    delta_form_gradients,
    kink_distance,
    mismatches,
    oracle,
    tool_runs,
    trained,
)
from paths import SPECS as SPEC_DIR
from paths import numeric_specs

from symbackprop.network.build import Network, build_network
from symbackprop.network.derivation import Gradients, derive
from symbackprop.numeric.gradient_check import gradcheck
from symbackprop.spec.load import ActivationSpec, Example, NetworkSpec, Values, load_spec

SPECS = numeric_specs()  # the specs with numbers: a loss with a formula
SEEDS = (0, 1, 2)
CLOSED_FORM_MAX_PARAMS = 30

Examples = list[tuple[dict[str, float], dict[str, float]]]


def _random_example(spec: NetworkSpec, rng: np.random.Generator) -> Example:
    inputs = {i.name: float(rng.uniform(-2.0, 2.0)) for i in spec.inputs}
    if spec.loss.kind == "cross_entropy":
        targets = {}
        for group in spec.output_groups():  # a distribution per softmax (per step in an RNN)
            ts = rng.dirichlet(np.ones(len(group)))
            targets |= {o: float(t) for o, t in zip(group, ts, strict=True)}
    else:
        targets = {o: float(rng.uniform(0.05, 0.95)) for o in spec.outputs}
    return Example(inputs, targets)


def points(spec: NetworkSpec) -> Iterator[tuple[str, Values]]:
    """The spec's own values (missing parameters filled in), then seeded random points.

    Points within 1e-6 of a ReLU kink are redrawn.
    """
    if spec.values.examples:
        rng = np.random.default_rng(12345)
        params = {p.name: spec.values.params.get(p.name, float(rng.uniform(-1.0, 1.0)))
                  for p in spec.params}
        yield "spec values", Values(params=params, examples=spec.values.examples)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        while True:
            params = {p.name: float(rng.uniform(-1.0, 1.0)) for p in spec.params}
            examples = tuple(_random_example(spec, rng) for _ in range(2))
            pairs = [(e.inputs, e.targets) for e in examples]
            if kink_distance(spec, params, pairs) > 1e-6:
                break
        yield f"seed {seed}", Values(params=params, examples=examples)


def _pairs(values: Values) -> Examples:
    return [(dict(e.inputs), dict(e.targets)) for e in values.examples]


def _mean_tool_gradients(net: Network, grads: Gradients, values: Values
                         ) -> tuple[float, dict[str, float]]:
    runs = tool_runs(net, grads, values.params, _pairs(values))
    loss = sum(r.loss for r in runs) / len(runs)
    mean = {p.name: sum(r.gradients[p.name] for r in runs) / len(runs) for p in net.trained}
    return loss, mean


@pytest.fixture(scope="module", params=SPECS, ids=[p.stem for p in SPECS])
def derived(request: pytest.FixtureRequest) -> tuple[NetworkSpec, Network, Gradients]:
    spec = load_spec(request.param)
    net = build_network(spec)
    net = net.with_stand_ins(dict.fromkeys(net.functions, "tanh"))  # as the oracle does
    return spec, net, derive(net)


def test_there_are_specs() -> None:
    assert len(SPECS) >= 5


def test_compiled_gradients_match_autograd(derived: tuple[NetworkSpec, Network, Gradients]
                                           ) -> None:
    spec, net, grads = derived
    for label, values in points(spec):
        pairs = _pairs(values)
        for (inputs, targets), run in zip(pairs, tool_runs(net, grads, values.params, pairs),
                                          strict=True):
            expected = oracle(spec, values.params, [(inputs, targets)])
            assert close(run.loss, expected.loss), (label, run.loss, expected.loss)
            bad = mismatches(run.gradients, trained(spec, expected.gradients))
            assert not bad, f"{spec.file} at {label}: " + "; ".join(bad)
        loss, mean = _mean_tool_gradients(net, grads, values)
        expected = oracle(spec, values.params, pairs)
        assert close(loss, expected.loss), (label, loss, expected.loss)
        bad = mismatches(mean, trained(spec, expected.gradients))
        assert not bad, f"{spec.file} at {label} (mean over examples): " + "; ".join(bad)


def test_symbolic_forms_match_autograd(derived: tuple[NetworkSpec, Network, Gradients]
                                       ) -> None:
    spec, net, grads = derived
    for label, values in points(spec):
        for inputs, targets in _pairs(values):
            expected = oracle(spec, values.params, [(inputs, targets)]).gradients
            delta = delta_form_gradients(net, grads, values.params, inputs, targets)
            bad = mismatches(delta, expected)
            assert not bad, f"{spec.file} δ-form at {label}: " + "; ".join(bad)
            if len(spec.params) <= CLOSED_FORM_MAX_PARAMS:
                closed = closed_form_gradients(net, grads, values.params, inputs, targets)
                bad = mismatches(closed, expected)
                assert not bad, f"{spec.file} closed form at {label}: " + "; ".join(bad)


def test_gradcheck_passes(derived: tuple[NetworkSpec, Network, Gradients]) -> None:
    spec, net, grads = derived
    for label, values in points(spec):
        report = gradcheck(net, grads, values)
        failed = [f"{r.name}: {r.analytic!r} vs {r.numeric!r}" for r in report.parameters
                  if not r.ok]
        assert report.ok, f"{spec.file} at {label}: " + "; ".join(failed)
        assert {r.name for r in report.parameters} == {p.name for p in spec.params
                                                       if p.name not in spec.frozen}
        # the finite differences agree with the autograd oracle as well
        expected = trained(spec, oracle(spec, values.params, _pairs(values)).gradients)
        bad = mismatches({r.name: r.numeric for r in report.parameters}, expected)
        assert not bad, f"{spec.file} finite differences vs autograd at {label}: " + \
            "; ".join(bad)


# ------------------------------------------------------------ the oracle anchored outside


def test_oracle_reproduces_mazurs_published_numbers() -> None:
    """Mazur's worked example (2015): E_total, ∂E/∂w5, and the weights after one step of 0.5."""
    spec = load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml")
    params = spec.values.params
    result = oracle(spec, params, _pairs(spec.values))
    assert abs(result.loss - 0.298371109) < 5e-10
    assert abs(result.gradients["w5"] - 0.082167041) < 5e-10
    published = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
                 "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}
    for name, after in published.items():
        assert abs(params[name] - 0.5 * result.gradients[name] - after) < 1e-8, name


# ------------------------------------------------------------ the comparisons can fail


@pytest.fixture(scope="module")
def mazur() -> tuple[NetworkSpec, Network, Gradients, Examples]:
    spec = load_spec(SPEC_DIR / "seed-004-mazur-2-2-2.yaml")
    net = build_network(spec)
    return spec, net, derive(net), _pairs(spec.values)


def _tool(mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> dict[str, float]:
    spec, net, grads, pairs = mazur
    return tool_runs(net, grads, spec.values.params, pairs)[0].gradients


def test_comparison_fails_for_a_wrong_loss_factor(
        mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> None:
    spec, _, _, pairs = mazur
    tool = _tool(mazur)
    assert not mismatches(tool, oracle(spec, spec.values.params, pairs).gradients)
    wrong = replace(spec, loss=replace(spec.loss, factor=Fraction(1)))
    bad = mismatches(tool, oracle(wrong, spec.values.params, pairs).gradients)
    assert len(bad) == len(spec.params), bad


def test_comparison_fails_for_a_wrong_activation(
        mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> None:
    spec, _, _, pairs = mazur
    tool = _tool(mazur)
    tanh = ActivationSpec("tanh")
    units = tuple(replace(u, activation=tanh) if u.name == "h2" else u for u in spec.units)
    bad = mismatches(tool, oracle(replace(spec, units=units), spec.values.params,
                                  pairs).gradients)
    # h2's own weights and bias, and the output weights that carry it, all change
    assert {line.split(":")[0] for line in bad} >= {"w3", "w4", "w6", "w8", "b1"}


def test_comparison_fails_when_a_shared_bias_is_split(
        mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> None:
    spec, _, _, pairs = mazur
    tool = _tool(mazur)
    # give o2 its own copy of b2: the tool's ∂E/∂b2 sums over o1 and o2, the copy's does not
    biases = tuple((u, "b2_copy") if u == "o2" else (u, b) for u, b in spec.biases)
    params = {**spec.values.params, "b2_copy": spec.values.params["b2"]}
    split = replace(spec, biases=biases,
                    params=(*spec.params, replace(spec.param("b2"), name="b2_copy")))
    expected = oracle(split, params, pairs).gradients
    bad = mismatches(tool, expected)
    assert [line.split(":")[0] for line in bad] == ["b2", "b2_copy"], bad
    assert close(tool["b2"], expected["b2"] + expected["b2_copy"])


def test_comparison_fails_for_a_gradient_off_by_one_part_in_1e8(
        mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> None:
    spec, _, _, pairs = mazur
    tool = _tool(mazur)
    expected = oracle(spec, spec.values.params, pairs).gradients
    for name in tool:
        nudged = {**tool, name: tool[name] * (1 + 1e-8)}
        assert [line.split(":")[0] for line in mismatches(nudged, expected)] == [name]


def test_oracles_catch_a_corrupted_delta(
        mazur: tuple[NetworkSpec, Network, Gradients, Examples]) -> None:
    """Double δ of o1 in a copy of the derivation: autograd and gradcheck both object."""
    spec, net, grads, pairs = mazur
    deltas = {**grads.deltas, "o1": 2 * grads.deltas["o1"]}
    broken = Gradients(network=net, dE_dout=grads.dE_dout, deltas=deltas,
                       output_delta=grads.output_delta,
                       local_derivatives=grads.local_derivatives,
                       direct_loss=grads.direct_loss)
    tool = tool_runs(net, broken, spec.values.params, pairs)[0].gradients
    bad = {line.split(":")[0] for line in
           mismatches(tool, oracle(spec, spec.values.params, pairs).gradients)}
    assert bad == {"w5", "w6", "b2", "w1", "w2", "w3", "w4", "b1"}, bad
    report = gradcheck(net, broken, spec.values)
    assert not report.ok
    assert {r.name for r in report.parameters if not r.ok} == bad
