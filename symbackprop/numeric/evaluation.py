"""Forward values, loss, gradients and gradient-descent steps at given values.

The loss over several examples is the cost J = 1/m Σ L, and its gradient the mean of the
examples' gradients. Large layered networks run the matrix code of
:mod:`symbackprop.numeric.vectorized` over all examples at once; others the lambdified δ-form.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ValuesError, did_you_mean
from ..network.build import Network
from ..network.derivation import Gradients
from ..network.display import Displayable
from ..network.losses import require_numeric_loss
from ..spec.load import Values
from .lambdified import CompiledNetwork, compile_network
from .stand_ins import stand_ins
from .vectorized import VectorizedNetwork, vectorize
from .worked import Precise, precise_pass

# examples whose values eval prints in high precision (a small network's; more are printed
# from float64, as the matrix code of a large network is)
PRECISE_EXAMPLES = 16
VECTORIZE_ABOVE = 500  # parameters; below, the lambdified δ-form (cheap to build) is used


@dataclass(frozen=True)
class ExampleValues:
    loss: float
    units: dict[str, dict[str, float]]  # unit → {"net": …, "out": …}


@dataclass(frozen=True)
class Evaluation(Displayable):
    """What ``symbackprop eval`` reports."""

    loss: float  # the loss, unit values and gradients: Precise where worked out so
    units: dict[str, dict[str, float]]
    examples: list[ExampleValues]
    gradients: dict[str, float]
    learning_rate: float | None
    steps: int
    updated: dict[str, float] | None
    history: list[float]
    frozen: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    # unit → the name it is shown under (NetworkSpec.unit_labels: h1, or a_2_1 for u2_1)
    labels: dict[str, str] = field(default_factory=dict)


def _mean_pass(compiled: CompiledNetwork, params: dict[str, float], values: Values
               ) -> tuple[float, dict[str, float], list[ExampleValues]]:
    m = len(values.examples)
    loss = 0.0
    grads = {p.name: 0.0 for p in compiled.network.trained}
    per_example: list[ExampleValues] = []
    for ex in values.examples:
        result = compiled.run(params, ex.inputs, ex.targets)
        loss += float(result.loss) / m
        for name, g in result.gradients.items():
            grads[name] += float(g) / m
        units = {u: {"net": float(result.nets[u]), "out": float(result.outs[u])}
                 for u in result.nets}
        per_example.append(ExampleValues(float(result.loss), units))
    return loss, grads, per_example


def _vector_pass(vec: VectorizedNetwork, params: dict[str, float], values: Values
                 ) -> tuple[float, dict[str, float], list[ExampleValues]]:
    x = vec.batch([ex.inputs for ex in values.examples], vec.plan.inputs)
    t = vec.batch([ex.targets for ex in values.examples], vec.plan.outputs)
    batch = vec.run(vec.pack(params), x, t)
    per_example = [
        ExampleValues(float(batch.losses[i]),
                      {u: {"net": float(batch.nets[u][i]), "out": float(batch.outs[u][i])}
                       for u in batch.nets})
        for i in range(len(values.examples))
    ]
    return batch.loss, vec.unpack(batch.gradient), per_example


def check_values_complete(net: Network, values: Values) -> None:
    """Every parameter, and every input and target of every example, has a value."""
    def error(message: str, field: str, hint: str | None = None) -> ValuesError:
        where = values.where(field)
        return ValuesError(message, file=where["file"] or net.spec.file, line=where["line"],
                           field=field, hint=hint)

    missing = [p.name for p in net.params if p.name not in values.params]
    if missing:
        raise error(f"no value for parameter(s) {', '.join(missing)}", "values.params",
                    hint="give them under `values: params:` or in a file for --at")
    if not values.examples:
        raise error("no inputs and targets to evaluate at", "values",
                    hint="add `inputs` and `targets` or use --at")
    listed = "values.examples[0].inputs" in values.lines
    for k, ex in enumerate(values.examples):
        base = f"values.examples[{k}]" if listed else "values"
        lacking = [i.name for i in net.spec.inputs if i.name not in ex.inputs]
        if lacking:
            raise error(f"no value for input(s) {', '.join(lacking)}", f"{base}.inputs")
        lacking = [u.name for u in net.outputs if u.name not in ex.targets]
        if lacking:
            raise error(f"no target for output(s) {', '.join(lacking)}", f"{base}.targets",
                        hint="eval needs every target; gradcheck fills in missing ones")


def _check_finite(net: Network, values: Values, loss: float,
                  gradients: dict[str, float]) -> None:
    """A loss or gradient that is not a number (NaN: a log outside its domain) is an error,
    never a number printed. One that overflows float64 is a number too large to hold and is
    reported as such (``null`` in JSON)."""
    bad = [name for name, g in gradients.items() if math.isnan(float(g))]
    if not math.isnan(float(loss)) and not bad:
        return
    where = values.where("values")
    kind = net.spec.loss.kind
    hint = ("binary cross-entropy needs every output strictly between 0 and 1"
            if kind == "binary_cross_entropy" else
            "cross-entropy needs every output above 0" if kind == "cross_entropy" else
            "the values leave the domain of a function; try others")
    what = "the loss" if math.isnan(float(loss)) else f"the gradient of {bad[0]}"
    raise ValuesError(f"{what} is not a number at these values",
                      file=where["file"] or net.spec.file, line=where["line"], field="values",
                      hint=hint)


def _in_high_precision(net: Network, grads: Gradients, values: Values,
                       floats: tuple[float, dict[str, float], list[ExampleValues]]
                       ) -> tuple[float, dict[str, float], list[ExampleValues]]:
    """The loss, gradients and unit values as ``eval`` prints them: worked out in high
    precision (:mod:`.worked`), so that a gradient whose terms cancel keeps its digits
    (−10⁻¹⁵, where float64 has −1.0269563e-15) and one below float64's range is not 0. Where
    a value is not defined there, the float64 values stand."""
    precise = precise_pass(net, grads, values.params, values.examples)
    numbers = [precise.loss, *precise.gradients.values()]
    numbers += [v for _, units in precise.examples for u in units.values() for v in u.values()]
    if any(v is None for v in numbers):
        return floats
    examples = [ExampleValues(Precise(loss), {u: {k: Precise(v) for k, v in net_out.items()}
                                              for u, net_out in units.items()})
                for loss, units in precise.examples]
    return (Precise(precise.loss), {k: Precise(v) for k, v in precise.gradients.items()},
            examples)


def frozen_names(net: Network, frozen: Iterable[str]) -> tuple[str, ...]:
    """The parameters a descent step leaves unchanged: the spec's frozen ones, then those
    ``--frozen`` names; an error for a name that is no parameter."""
    asked = tuple(frozen)
    unknown = [f for f in asked if f not in {p.name for p in net.params}]
    if unknown:
        raise ValuesError(f"no parameter called `{unknown[0]}` to freeze", field="--frozen",
                          hint=did_you_mean(unknown[0], [p.name for p in net.params]))
    return tuple(dict.fromkeys([*(p.name for p in net.frozen), *asked]))


def evaluate(net: Network, grads: Gradients, values: Values, *, steps: int = 1,
             learning_rate: float | None = None, frozen: Iterable[str] = (),
             progress: Callable[[int], None] | None = None) -> Evaluation:
    """Evaluate the network at ``values``; with a learning rate, take ``steps`` descent steps.

    ``history`` holds the loss before any step, then after each step.
    """
    require_numeric_loss(net.spec.loss, net.spec.file)
    stand_ins(net)  # an unspecified function needs a stand-in before any number
    check_values_complete(net, values)
    frozen = frozen_names(net, frozen)
    if steps < 1:
        raise ValuesError("--steps must be at least 1", field="--steps")
    lr = learning_rate if learning_rate is not None else values.learning_rate
    vec = vectorize(net) if len(net.params) > VECTORIZE_ABOVE else None
    if vec is not None:
        def mean_pass(at: dict[str, float]) -> tuple[float, dict[str, float],
                                                     list[ExampleValues]]:
            return _vector_pass(vec, at, values)
    else:
        compiled = compile_network(net, grads, module="numpy")

        def mean_pass(at: dict[str, float]) -> tuple[float, dict[str, float],
                                                     list[ExampleValues]]:
            return _mean_pass(compiled, at, values)
    params = dict(values.params)
    with np.errstate(all="ignore"):  # a number that is not finite is reported below
        loss, gradients, per_example = mean_pass(params)
    _check_finite(net, values, loss, gradients)
    history = [loss]
    shown = (loss, gradients, per_example)
    if vec is None and len(values.examples) <= PRECISE_EXAMPLES:
        shown = _in_high_precision(net, grads, values, shown)
    updated: dict[str, float] | None = None
    if lr is not None:
        current, current_grads = params, gradients
        for k in range(steps):
            current = {name: value - (0.0 if name in frozen else lr * current_grads[name])
                       for name, value in current.items()}
            step_loss, current_grads, _ = mean_pass(current)
            history.append(step_loss)
            if progress is not None:
                progress(k + 1)
        updated = current
    loss, gradients, per_example = shown
    return Evaluation(loss=loss, units=per_example[0].units, examples=per_example,
                      gradients=gradients, learning_rate=lr,
                      steps=steps if lr is not None else 0, updated=updated,
                      history=history, frozen=frozen, labels=net.spec.unit_labels())
