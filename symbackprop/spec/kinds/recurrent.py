"""The recurrent layer kind: a vanilla RNN unrolled over the steps of its inputs.

``inputs: {size: n, steps: T}`` gives the inputs x^{(t)}_j (``x_t_j``), t ≤ T, j ≤ n. A
``kind: recurrent`` layer of ``size: H`` makes one unit per (t, i), in Goodfellow, Bengio and
Courville's names (§10.2.2)

    a^{(t)}_i = b_i + Σ_k W_{i,k} h^{(t−1)}_k + Σ_j U_{i,j} x^{(t)}_j,   h^{(t)}_i = act(a^{(t)}_i)

and the dense layer after it is applied at every step, o^{(t)}_k = c_k + Σ_i V_{k,i} h^{(t)}_i,
ŷ^{(t)}_k = act(o^{(t)}_k) (a softmax normalises over one step's outputs). W, U, V, b and c
are each one parameter named on every step's edges, so the derivation's sum over a shared
parameter's uses is BPTT's sum over time. h^{(0)} is 0 (``initial: zero``, step 1 has no
recurrent term) or a parameter (``initial: parameter``: units h^{(0)}_k, linear, whose net
input is a trainable bias). Units are numbered (t, i) row-major and named u{l}_{t}_{i}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ..model import (
    ActivationSpec,
    EdgeSpec,
    InputSpec,
    LayerSpec,
    LossSpec,
    Notation,
    RecurrentGeometry,
    UnitSpec,
)
from ..naming import expand, plain_name
from ..reader import Reader
from ..source import Path_
from ..tex import read_math

RECURRENT_KEYS = ("name", "kind", "size", "activation", "initial", "notation")
STEP_KEYS = ("name", "size", "activation", "notation")  # the output layer after it
INPUT_TEMPLATE = "x^{({step})}_{{index}}"
HIDDEN_NAMES = {
    "net": "a^{({step})}_{{index}}", "activation": "h^{({step})}_{{index}}",
    "delta": r"\delta^{({step})}_{{index}}", "input_weight": "U_{{j},{k}}",
    "recurrent_weight": "W_{{j},{k}}", "bias": "b_{{j}}",
    "initial": r"h^{\mathrm{init}}_{{j}}",
}
OUTPUT_NAMES = {
    "net": "o^{({step})}_{{index}}", "activation": r"\hat{y}^{({step})}_{{index}}",
    "target": "y^{({step})}_{{index}}", "delta": r"\delta^{({step})}_{o,{index}}",
    "weight": "V_{{j},{k}}", "bias": "c_{{j}}",
}
AddParam = Callable[..., None]  # wiring's add_param(name, latex, kind, path, template=...)


def read_steps(r: Reader, path: Path_) -> int:
    n = r.number(path)
    if n.denominator != 1 or n < 1:
        raise r.fail(path, "expected a whole number of steps ≥ 1")
    if n > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} steps",
                     hint="raise the bound with --max-units if this network is real")
    return int(n)


def steps_of(top: dict[str, Any]) -> int | None:
    """T of ``inputs: {size: n, steps: T}`` (None for inputs without steps)."""
    value = top["inputs"]
    if isinstance(value, dict) and set(value) == {"size", "steps"}:
        return int(value["steps"])  # checked when the inputs are read
    return None


def over_steps(r: Reader, top: dict[str, Any], loss: LossSpec) -> LossSpec:
    """The loss of a recurrent network: summed over the steps (``steps: sum``, the default)
    or averaged (``steps: mean``: the factor divided by T)."""
    raw = top["loss"]
    if not isinstance(raw, dict) or "steps" not in raw:
        return loss
    path: Path_ = ("loss", "steps")
    how = r.string(path)
    if how not in ("sum", "mean"):
        raise r.fail(path, f"unknown choice `{how}`", hint="the loss over the steps is a "
                     "`sum` or a `mean`")
    value = top["inputs"]
    if not (isinstance(value, dict) and "steps" in value):
        raise r.fail(path, "only a network whose inputs have steps has a loss over steps",
                     hint="give `inputs: {size: n, steps: T}`")
    if loss.kind == "unspecified":
        raise r.fail(path, "an unspecified loss has no `steps`",
                     hint="its derivative stays a symbol such as ∂C/∂a")
    steps = read_steps(r, ("inputs", "steps"))
    return replace(loss, factor=loss.factor / steps) if how == "mean" else loss


def stepped_inputs(r: Reader, path: Path_, notation: Notation, given: bool
                   ) -> list[InputSpec]:
    """x^{(t)}_j for every step t and input j, named ``x_t_j``, numbered (t, j) row-major;
    the notation's ``input`` template (``{step}`` and ``{index}``) when ``given``."""
    steps = read_steps(r, (*path, "steps"))
    n = r.number((*path, "size"))
    if n.denominator != 1 or n < 1:
        raise r.fail((*path, "size"), "expected a whole number of inputs ≥ 1")
    if steps * n > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    template = notation.input if given else INPUT_TEMPLATE
    out = []
    for t in range(1, steps + 1):
        for j in range(1, int(n) + 1):
            out.append(InputSpec(f"x_{t}_{j}", expand(template, step=t, index=j, unit=f"x{j}"),
                                 len(out) + 1))
    return out


def layer_keys(kind: str, after: LayerSpec | None) -> tuple[str, ...] | None:
    """The keys a recurrent layer or the output layer after one may have (None otherwise)."""
    if kind == "recurrent":
        return RECURRENT_KEYS
    if after is not None and after.recurrent is not None:
        return STEP_KEYS
    return None


def _names(r: Reader, lp: Path_, defaults: dict[str, str]) -> dict[str, str]:
    """The layer's templates: ``notation`` under the layer over the kind's defaults."""
    layer = r.get(lp)
    if "notation" not in layer:
        return dict(defaults)
    given = r.mapping((*lp, "notation"), tuple(defaults))
    return {**defaults, **{key: read_math(r, (*lp, "notation", key)) for key in given}}


def read_recurrent_layer(r: Reader, lp: Path_, kind: str, place: tuple[str, int, int],
                         act: ActivationSpec, top: dict[str, Any],
                         layers: Sequence[LayerSpec], *, last: bool,
                         claim: Callable[..., None]
                         ) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's geometry and units; ``claim(unit, output=…)`` claims a unit's names."""
    name, pos, number = place
    steps = steps_of(top)
    layer = r.get(lp)
    if kind == "recurrent":
        if pos != 1 or steps is None:
            raise r.fail((*lp, "kind"), "a recurrent layer reads inputs with steps and comes "
                         "first", hint="give `inputs: {size: n, steps: T}` and put the "
                                       "recurrent layer first")
        if last:
            raise r.fail(lp, "a recurrent layer needs an output layer after it",
                         hint="add a dense layer, applied at every step, e.g. "
                              "`{name: output, size: 2, activation: softmax}`")
        if act.kind == "softmax":
            raise r.fail((*lp, "activation"), "softmax does not apply to a recurrent layer",
                         hint="put a softmax output layer after it")
        initial = layer.get("initial", "zero")
        if initial not in ("zero", "parameter"):
            raise r.fail((*lp, "initial"), f"unknown choice `{initial}`",
                         hint="the initial state h^{(0)} is `zero` or a `parameter`")
        sources = int(top["inputs"]["size"])
        role, names = "hidden", _names(r, lp, HIDDEN_NAMES)
        given = "input" in (top.get("notation") or {})
        names["input"] = read_math(r, ("notation", "input")) if given else INPUT_TEMPLATE
    else:
        if not last:
            raise r.fail(lp, "the layer after a recurrent layer is its output at every step, "
                         "so it is the last layer", hint="remove the layers after it")
        before = layers[-1].recurrent
        assert before is not None and steps is not None
        initial, sources = "zero", before.size
        role, names = "output", _names(r, lp, OUTPUT_NAMES)
        names["input"] = dict(before.templates)["activation"]
    size_path: Path_ = (*lp, "size")
    if "size" not in layer:
        raise r.fail(lp, "missing required key `size`", hint="e.g. `size: 2`")
    size = r.number(size_path)
    if size.denominator != 1 or size < 1:
        raise r.fail(size_path, "expected a whole number of units ≥ 1")
    if act.kind == "softmax" and size < 2:
        raise r.fail((*lp, "activation"), "a softmax over one unit always outputs 1: every "
                     "gradient would be 0", hint="use a sigmoid output, or two units or more")
    if (steps + 1) * size > r.limits.max_units:
        raise r.fail(size_path, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    geometry = RecurrentGeometry(role, steps, int(size), sources, initial,
                                 tuple(sorted(names.items())))
    first = 0 if initial == "parameter" else 1
    made = []
    for t in range(first, steps + 1):
        for i in range(1, geometry.size + 1):
            fields = {"layer": number, "index": i, "step": t, "unit": f"u{number}_{t}_{i}"}
            made.append(UnitSpec(
                name=f"u{number}_{t}_{i}", layer=pos, index=len(made) + 1,
                activation=ActivationSpec("linear") if t == 0 else act,
                latex=expand(names["activation"], **fields),
                net_latex=expand(names["net"], **fields),
                target_latex=expand(names.get("target", "y^{({step})}_{{index}}"), **fields),
                delta_latex=expand(names["delta"], **fields), group=t))
    for unit in made:
        claim(unit, output=role == "output")
    if act.kind == "unspecified" and act.fname:
        r.claim_function((*lp, "activation"), act.fname)
    return LayerSpec(name, pos, number, tuple(u.name for u in made), act,
                     recurrent=geometry), made


def recurrent_count(r: Reader, lp: Path_, lay: LayerSpec, total: int) -> int:
    """The layer's edges and biases, refused when ``total`` and they pass the bound."""
    g = lay.recurrent
    assert g is not None
    per_step = g.size * (g.inputs + (g.size if g.role == "hidden" else 0) + 1)
    count = g.steps * per_step + (g.size if g.initial == "parameter" else 0)
    if total + count > r.limits.max_params:
        raise r.fail(lp, f"more than {r.limits.max_params} parameters and connections",
                     hint="raise the bound with --max-params if this network is real")
    return count


def weight_names(r: Reader, lp: Path_, lay: LayerSpec) -> dict[str, dict[tuple[int, int], str]]:
    """((i, j) → LaTeX) of each weight matrix of the layer: U and W, or V."""
    g = lay.recurrent
    assert g is not None
    names = _names(r, lp, HIDDEN_NAMES if g.role == "hidden" else OUTPUT_NAMES)
    keys = ("input_weight", "recurrent_weight") if g.role == "hidden" else ("weight",)
    out = {}
    for key in keys:
        columns = g.inputs if key != "recurrent_weight" else g.size
        out[key] = {(i, j): expand(names[key], j=i, k=j) for i in range(1, g.size + 1)
                    for j in range(1, columns + 1)}
    return out


def bias_names(r: Reader, lp: Path_, lay: LayerSpec) -> dict[str, dict[int, str]]:
    """(i → LaTeX) of the layer's bias and, with a parameter initial state, of h^{(0)}."""
    g = lay.recurrent
    assert g is not None
    names = _names(r, lp, HIDDEN_NAMES if g.role == "hidden" else OUTPUT_NAMES)
    keys = ("bias", "initial") if g.initial == "parameter" else ("bias",)
    return {key: {i: expand(names[key], j=i, index=i) for i in range(1, g.size + 1)}
            for key in keys}


def recurrent_connections(r: Reader, lp: Path_, lay: LayerSpec, layers: Sequence[LayerSpec],
                          add_param: AddParam
                          ) -> tuple[list[EdgeSpec], list[tuple[str, str]]]:
    """The layer's edges and (unit, bias) pairs; every weight and bias is added once with
    ``add_param`` and named on every step."""
    g = lay.recurrent
    assert g is not None
    weights = {key: {at: plain_name(tex) for at, tex in table.items()}
               for key, table in weight_names(r, lp, lay).items()}
    for key, table in weight_names(r, lp, lay).items():
        for at, tex in table.items():
            add_param(weights[key][at], tex, "weight", (*lp, "notation"), template=True)
    biases = {key: {i: plain_name(tex) for i, tex in table.items()}
              for key, table in bias_names(r, lp, lay).items()}
    for key, table in bias_names(r, lp, lay).items():
        for i, tex in table.items():
            add_param(biases[key][i], tex, "bias", (*lp, "notation"), template=True)
    number = lay.number
    edges: list[EdgeSpec] = []
    pairs: list[tuple[str, str]] = []
    if g.role == "output":
        state = layers[lay.position - 2].number
        for t in range(1, g.steps + 1):
            for k in range(1, g.size + 1):
                unit = f"u{number}_{t}_{k}"
                edges += [EdgeSpec(f"u{state}_{t}_{i}", unit, weights["weight"][(k, i)])
                          for i in range(1, g.inputs + 1)]
                pairs.append((unit, biases["bias"][k]))
        return edges, pairs
    if g.initial == "parameter":
        pairs += [(f"u{number}_0_{i}", biases["initial"][i]) for i in range(1, g.size + 1)]
    for t in range(1, g.steps + 1):
        for i in range(1, g.size + 1):
            unit = f"u{number}_{t}_{i}"
            if t > 1 or g.initial == "parameter":
                edges += [EdgeSpec(f"u{number}_{t - 1}_{k}", unit,
                                   weights["recurrent_weight"][(i, k)])
                          for k in range(1, g.size + 1)]
            edges += [EdgeSpec(f"x_{t}_{j}", unit, weights["input_weight"][(i, j)])
                      for j in range(1, g.inputs + 1)]
            pairs.append((unit, biases["bias"][i]))
    return edges, pairs


def initial_units(layers: Sequence[LayerSpec]) -> set[str]:
    """The units h^{(0)} of a parameter initial state: no edge comes into them."""
    return {u for lay in layers if lay.recurrent is not None and lay.recurrent.initial ==
            "parameter" for u in lay.units if u.split("_")[1] == "0"}
