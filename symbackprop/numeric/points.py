"""Points at which to evaluate a network: the spec's values, or random ones.

Random targets respect the loss: in (0, 1) for squared error and binary cross-entropy,
and summing to 1 for a softmax layer with cross-entropy. Random weights into a unit with
more than 16 inputs are scaled by 4/√fan-in, so that a wide layer is not driven into
saturation (where most gradients vanish and say little).
"""

from __future__ import annotations

import numpy as np

from ..network.build import Network
from ..spec.load import Example, Values
from .worked import softmax_cross_entropy

WIDE = 16  # fan-in above which random weights are scaled down


def weight_scales(net: Network) -> dict[str, float]:
    """The factor applied to each random parameter: 4/√fan-in for weights of wide units."""
    scales = {p.name: 1.0 for p in net.params}
    for u in net.units:
        n = len(u.incoming)
        if n > WIDE and u.pool is None:
            for _source, w in u.incoming:
                scales[w.name] = min(scales[w.name], 4.0 / float(np.sqrt(n)))
    return scales


def random_values(net: Network, *, seed: int = 0, examples: int = 1) -> Values:
    """Random parameters in (−1, 1) (scaled for wide units), inputs in (−2, 2) and targets."""
    rng = np.random.default_rng(seed)
    scales = weight_scales(net)
    params = {p.name: float(rng.uniform(-1.0, 1.0)) * scales[p.name] for p in net.params}
    return Values(params=params, learning_rate=None,
                  examples=tuple(random_example(net, rng) for _ in range(examples)))


def random_example(net: Network, rng: np.random.Generator) -> Example:
    inputs = {i.name: float(rng.uniform(-2.0, 2.0)) for i in net.spec.inputs}
    outputs = [u.name for u in net.outputs]
    if net.spec.loss.kind == "cross_entropy":
        targets = {}
        for group in net.spec.output_groups():  # one distribution per step, if stepped
            raw = rng.dirichlet(np.ones(len(group)))
            targets |= {name: float(t) for name, t in zip(group, raw, strict=True)}
    else:
        targets = {name: float(rng.uniform(0.05, 0.95)) for name in outputs}
    return Example(inputs, targets)


def complete_values(net: Network, values: Values, *, seed: int = 0) -> tuple[Values, list[str]]:
    """``values`` with anything missing filled in at random, and a note per filled part."""
    notes: list[str] = []
    rng = np.random.default_rng(seed)
    params = dict(values.params)
    missing = [p.name for p in net.params if p.name not in params]
    if missing:
        notes.append(f"random values for {_listed(missing, 'parameter')} (seed {seed})")
        scales = weight_scales(net)
        for name in missing:
            params[name] = float(rng.uniform(-1.0, 1.0)) * scales[name]
    examples = list(values.examples)
    if not examples:
        notes.append(f"random inputs and targets (seed {seed})")
        examples = [random_example(net, rng)]
    else:
        input_names = [i.name for i in net.spec.inputs]
        for k, ex in enumerate(examples):
            lacking = [n for n in input_names if n not in ex.inputs]
            lacking += [net.spec.names.name("target", u.name) for u in net.outputs
                        if u.name not in ex.targets]
            if lacking:
                fill = random_example(net, rng)
                notes.append(f"example {k + 1}: random values for {', '.join(lacking)}")
                targets = {**fill.targets, **ex.targets}
                if softmax_cross_entropy(net) and ex.targets:
                    targets = {}
                    for g in net.spec.output_groups():
                        targets |= _rest_of_distribution(
                            {n: t for n, t in ex.targets.items() if n in g},
                            {n: fill.targets[n] for n in g})
                examples[k] = Example({**fill.inputs, **ex.inputs}, targets)
    return Values(params=params, learning_rate=values.learning_rate,
                  examples=tuple(examples)), notes


def _listed(names: list[str], what: str, shown: int = 8) -> str:
    """``w8`` or ``w1, w2 and 3 other parameters``: which values are missing, by name.

    >>> _listed(["w1", "w2", "w3"], "parameter", shown=2)
    'w1, w2 and 1 other parameter'
    """
    if len(names) <= shown:
        return ", ".join(names)
    rest = len(names) - shown
    return f"{', '.join(names[:shown])} and {rest} other {what}{'s' if rest > 1 else ''}"


def _rest_of_distribution(given: dict[str, float], drawn: dict[str, float]
                          ) -> dict[str, float]:
    """Targets of a softmax layer: those given, and the rest of the mass 1 shared among the
    others in the proportions drawn, so that they still sum to 1 (δ = a − y needs it)."""
    missing = [name for name in drawn if name not in given]
    rest = max(0.0, 1.0 - sum(given.values()))
    weight = sum(drawn[name] for name in missing)
    filled = {name: rest * drawn[name] / weight for name in missing} if weight > 0 else \
        dict.fromkeys(missing, rest / max(1, len(missing)))
    return {name: given.get(name, filled.get(name, 0.0)) for name in drawn}
