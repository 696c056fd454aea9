"""Property: on random architectures every gradient the package computes equals autograd's.

Each drawn network (see ``strategies.py``) is turned into spec text, loaded, built and
derived. At the drawn point the package's loss, unit values and gradients — compiled
(lambdified δ-form), the δ-form evaluated by SymPy substitution and, for small networks, the
fully substituted closed form — must equal the autograd oracle of ``oracle.py`` to a relative
1e-9 (absolute 1e-12 for gradients that are zero up to rounding).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import mpmath
from hypothesis import HealthCheck, given, note, settings
from oracle import (
    built,
    close,
    closed_form_gradients,
    delta_form_gradients,
    forward,
    mismatches,
    oracle,
    tool_runs,
)
from strategies import DrawnNetwork, networks

from symbackprop.network.derivation import derive

# Reproducible: a fixed derandomized search without an example database.
PROFILE = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                   print_blob=False, suppress_health_check=[HealthCheck.too_slow])

# the closed form is evaluated by substitution only where it stays small
CLOSED_FORM_MAX_PARAMS = 20
CLOSED_FORM_MAX_DEPTH = 3


def _report(drawn: DrawnNetwork, what: str, lines: list[str]) -> str:
    return f"{what} disagrees with the autograd oracle:\n" + "\n".join(lines) + \
        "\n--- spec ---\n" + drawn.text


@PROFILE
@given(networks())
def test_compiled_gradients_match_autograd(drawn: DrawnNetwork) -> None:
    note(drawn.text)
    spec = drawn.spec
    net = built(spec)
    grads = derive(net)
    params = drawn.params
    runs = tool_runs(net, grads, params, drawn.examples)
    mean = {p.name: 0.0 for p in spec.params}
    mean_loss = 0.0
    for (inputs, targets), run in zip(drawn.examples, runs, strict=True):
        expected = oracle(spec, params, [(inputs, targets)])
        assert close(run.loss, expected.loss), _report(
            drawn, "the loss", [f"tool {run.loss!r} vs oracle {expected.loss!r}"])
        bad = mismatches(run.gradients, expected.gradients)
        assert not bad, _report(drawn, "the compiled gradient", bad)
        nets, outs = forward(spec, params, inputs)
        bad = mismatches(run.nets, {k: float(v) for k, v in nets.items()})
        bad += mismatches(run.outs, {u.name: float(outs[u.name]) for u in spec.units})
        assert not bad, _report(drawn, "a unit value", bad)
        mean_loss += run.loss / len(runs)
        for name, g in run.gradients.items():
            mean[name] += g / len(runs)
    expected = oracle(spec, params, drawn.examples)
    assert close(mean_loss, expected.loss)
    bad = mismatches(mean, expected.gradients)
    assert not bad, _report(drawn, "the mean gradient over examples", bad)


@PROFILE
@given(networks(max_examples=1))
def test_symbolic_forms_match_autograd(drawn: DrawnNetwork) -> None:
    note(drawn.text)
    spec = drawn.spec
    net = built(spec)
    grads = derive(net)
    params = drawn.params
    ((inputs, targets),) = drawn.examples
    expected = oracle(spec, params, [(inputs, targets)])
    delta = delta_form_gradients(net, grads, params, inputs, targets)
    bad = mismatches(delta, expected.gradients)
    assert not bad, _report(drawn, "the δ-form (grads.gradient)", bad)
    if len(spec.params) <= CLOSED_FORM_MAX_PARAMS and len(spec.layers) <= CLOSED_FORM_MAX_DEPTH:
        closed = closed_form_gradients(net, grads, params, inputs, targets)
        bad = mismatches(closed, expected.gradients)
        assert not bad, _report(drawn, "the closed form", bad)


@settings(PROFILE, max_examples=60)
@given(networks(max_examples=1))
def test_high_precision_pass_matches_autograd(drawn: DrawnNetwork) -> None:
    """The mpmath pass (the one ``gradcheck`` uses) agrees with the oracle as well."""
    note(drawn.text)
    spec = drawn.spec
    net = built(spec)
    grads = derive(net)
    params = drawn.params
    ((inputs, targets),) = drawn.examples
    expected = oracle(spec, params, [(inputs, targets)])
    with mpmath.workdps(30):
        (run,) = tool_runs(net, grads, params, drawn.examples, module="mpmath")
    assert close(run.loss, expected.loss), _report(
        drawn, "the mpmath loss", [f"tool {run.loss!r} vs oracle {expected.loss!r}"])
    bad = mismatches(run.gradients, expected.gradients)
    assert not bad, _report(drawn, "the mpmath gradient", bad)


@settings(PROFILE, max_examples=40)
@given(networks(max_examples=1))
def test_comparison_catches_a_wrong_loss_factor(drawn: DrawnNetwork) -> None:
    """The same comparison fails once the oracle's loss factor is off by 1 %."""
    spec = drawn.spec
    net = built(spec)
    grads = derive(net)
    params = drawn.params
    ((inputs, targets),) = drawn.examples
    (run,) = tool_runs(net, grads, params, drawn.examples)
    wrong = replace(spec, loss=replace(spec.loss, factor=spec.loss.factor * Fraction(101, 100)))
    expected = oracle(wrong, params, [(inputs, targets)])
    detectable = [n for n, g in expected.gradients.items() if abs(g) > 1e-9]
    bad = {line.split(":")[0] for line in mismatches(run.gradients, expected.gradients)}
    assert set(detectable) <= bad, drawn.text


def test_strategy_reaches_every_feature() -> None:
    """The strategy really produces the variety the properties claim to cover."""
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(networks(max_depth=4, max_width=5))
    def collect(drawn: DrawnNetwork) -> None:
        spec = drawn.spec
        seen.add(f"depth {len(spec.layers)}")
        seen.update(f"width {len(lay.units)}" for lay in spec.layers)
        seen.update(u.activation.kind for u in spec.units)
        seen.add(spec.loss.kind)
        seen.add(f"reduction {spec.loss.reduction}")
        if spec.loss.kind == "squared_error":
            seen.add(f"factor {spec.loss.factor}")
        uses: dict[str, int] = {}
        for _, b in spec.biases:
            uses[b] = uses.get(b, 0) + 1
        for e in spec.edges:
            uses[e.weight] = uses.get(e.weight, 0) + 1
        bias_names = {b for _, b in spec.biases}
        if any(n > 1 for b, n in uses.items() if b in bias_names):
            seen.add("shared bias")
        bias_layers: dict[str, set[int]] = {}
        for u, b in spec.biases:
            bias_layers.setdefault(b, set()).add(spec.unit(u).layer)
        if any(len(layers) > 1 for layers in bias_layers.values()):
            seen.add("bias shared across layers")
        if any(n > 1 for w, n in uses.items() if w not in bias_names):
            seen.add("shared weight")
        biased = {u for u, _ in spec.biases}
        if any(u.name not in biased for u in spec.units):
            seen.add("no bias")
        layer_of = {u.name: u.layer for u in spec.units} | {i.name: 0 for i in spec.inputs}
        if any(layer_of[e.target] - layer_of[e.source] > 1 for e in spec.edges):
            seen.add("skip edge")
        if len({u.activation.kind for u in spec.units if u.layer == 1}) > 1:
            seen.add("mixed layer")

    collect()
    wanted = {f"depth {d}" for d in range(1, 5)} | {f"width {w}" for w in range(1, 6)}
    wanted |= {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "softmax",
               "unspecified", "squared_error", "binary_cross_entropy", "cross_entropy",
               "reduction sum", "reduction mean", "factor 1/2", "factor 1", "shared bias",
               "bias shared across layers", "shared weight", "no bias", "skip edge",
               "mixed layer"}
    assert wanted <= seen, f"never drawn: {sorted(wanted - seen)}"
