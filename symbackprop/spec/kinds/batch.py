"""A network over an explicit batch of m examples, unrolled over them.

``inputs: {size: n, batch: m}`` gives the inputs x^{(i)}_j (``x_i_j``), i ≤ m, j ≤ n. Every
layer of such a network is applied to each example: a dense layer makes one unit per (i, j),
z^{[l](i)}_j = b^{[l]}_j + Σ_k w^{[l]}_{j,k} a^{[l−1](i)}_k, with w^{[l]}_{j,k} and b^{[l]}_j
each one parameter named on every example's edges, so a gradient is the sum over the batch
of the examples' gradients; a ``batch_norm`` layer (:mod:`.batch_norm`) couples the examples
through the batch's mean and variance. The loss is the spec's loss over the output units of
every example: the sum of the examples' losses (a ``reduction: mean`` divides by all of them).
Units are numbered (i, j) row-major and named u{l}_{i}_{j}; a softmax normalises over one
example's outputs (``UnitSpec.group`` is the example).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model import (
    ActivationSpec,
    BatchGeometry,
    EdgeSpec,
    InputSpec,
    LayerSpec,
    Notation,
    UnitSpec,
)
from ..naming import expand, is_identifier, plain_name
from ..reader import Reader
from ..source import Path_
from ..tex import read_math

BATCH_NORM_KIND = "batch_norm"
DENSE_KEYS = ("name", "units", "size", "activation", "notation")
DENSE_NAMES = ("net", "activation", "target", "delta", "weight", "bias")
# the defaults of a batched network: example i as a parenthesised superscript (Ng's x^{(i)})
BATCH_DEFAULTS = {
    "input": "x^{({example})}_{{index}}", "net": "z^{[{layer}]({example})}_{{index}}",
    "activation": "a^{[{layer}]({example})}_{{index}}",
    "delta": r"\delta^{[{layer}]({example})}_{{index}}", "target": "y^{({example})}_{{index}}",
}
_EXAMPLE_HINT = "write the example's index as `{example}`, e.g. `x_{{example}}`"
AddParam = Callable[..., None]  # wiring's add_param(name, latex, kind, path, template=...)


def batch_of(top: dict[str, Any]) -> int | None:
    """m of ``inputs: {size: n, batch: m}`` (None for inputs without a batch)."""
    value = top.get("inputs")
    if isinstance(value, dict) and set(value) == {"size", "batch"}:
        return int(value["batch"])  # checked when the inputs are read
    return None


def _whole(r: Reader, path: Path_, what: str) -> int:
    n = r.number(path)
    if n.denominator != 1 or n < 1:
        raise r.fail(path, f"expected a whole number of {what} ≥ 1")
    if n > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} {what}",
                     hint="raise the bound with --max-units if this network is real")
    return int(n)


def _template(r: Reader, top: dict[str, Any], notation: Notation, key: str) -> str:
    """The spec's template for ``key`` in a batched network: the notation's, which must
    name the example, or the batch default."""
    if key not in (top.get("notation") or {}):
        return BATCH_DEFAULTS[key]
    text = str(getattr(notation, key))
    if "{example}" not in text:
        raise r.fail(("notation", key), f"in a network over a batch, the {key} template "
                     "names the example", hint=_EXAMPLE_HINT)
    return text


def batched_inputs(r: Reader, path: Path_, top: dict[str, Any], notation: Notation
                   ) -> list[InputSpec]:
    """x^{(i)}_j for every example i and input j, numbered (i, j) row-major, each named by
    its LaTeX (``x_i_j``); the notation's ``input`` template (``{example}``, ``{index}``)
    when given."""
    examples = _whole(r, (*path, "batch"), "examples")
    if examples < 2:
        raise r.fail((*path, "batch"), "a batch of one example has variance 0: batch "
                     "normalisation would output β and pass no gradient",
                     hint="give a batch of two examples or more")
    n = _whole(r, (*path, "size"), "inputs")
    if examples * n > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    template = _template(r, top, notation, "input")
    out = []
    for i in range(1, examples + 1):
        for j in range(1, n + 1):
            latex = expand(template, example=i, index=j, unit=f"x{j}")
            name = plain_name(latex)  # x_i_j by default; u_i for the template u_{{example}}
            if not is_identifier(name) or name in {s.name for s in out}:
                raise r.fail(("notation", "input"), f"the input template gives `{latex}`, "
                             "which names no input of its own", hint=_EXAMPLE_HINT)
            out.append(InputSpec(name, latex, len(out) + 1))
    return out


def layer_names(r: Reader, lp: Path_, top: dict[str, Any], notation: Notation,
                keys: Sequence[str], defaults: dict[str, str]) -> dict[str, str]:
    """The layer's templates: its own ``notation``, over the spec's, over the defaults."""
    names = {key: _template(r, top, notation, key) if key in BATCH_DEFAULTS
             else str(getattr(notation, key)) for key in DENSE_NAMES}
    names |= {key: value for key, value in defaults.items()}
    if "notation" in r.get(lp):
        given = r.mapping((*lp, "notation"), tuple(keys))
        for key in given:
            names[key] = read_math(r, (*lp, "notation", key))
            if key in BATCH_DEFAULTS and "{example}" not in names[key]:
                raise r.fail((*lp, "notation", key), f"in a network over a batch, the {key} "
                             "template names the example", hint=_EXAMPLE_HINT)
    return names


def size_per_example(layers: Sequence[LayerSpec], inputs: Sequence[InputSpec],
                     examples: int) -> int:
    """How many units (or inputs) of one example the next layer reads."""
    if layers:
        g = layers[-1].batch
        assert g is not None
        return g.size
    return len(inputs) // examples


def bound_units(r: Reader, lp: Path_, count: int, inputs: Sequence[InputSpec],
                layers: Sequence[LayerSpec]) -> None:
    """Refuse a layer of ``count`` units that would pass the bound, before making them."""
    if len(inputs) + sum(len(lay.units) for lay in layers) + count > r.limits.max_units:
        raise r.fail(lp, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")


def batched_units(names: dict[str, str], place: tuple[int, int], size: int, examples: int,
                  act: ActivationSpec) -> list[UnitSpec]:
    """The units u{l}_{i}_{j} of one layer over the batch, (i, j) row-major."""
    pos, number = place
    made = []
    for i in range(1, examples + 1):
        for j in range(1, size + 1):
            fields = {"layer": number, "index": j, "example": i, "unit": f"u{number}_{i}_{j}"}
            made.append(UnitSpec(
                name=f"u{number}_{i}_{j}", layer=pos, index=len(made) + 1, activation=act,
                latex=expand(names["activation"], **fields),
                net_latex=expand(names["net"], **fields),
                target_latex=expand(names["target"], **fields),
                delta_latex=expand(names["delta"], **fields), group=i))
    return made


def read_batched_dense(r: Reader, lp: Path_, place: tuple[str, int, int], act: ActivationSpec,
                       top: dict[str, Any], notation: Notation, layers: Sequence[LayerSpec],
                       inputs: Sequence[InputSpec], *, claim: Callable[[UnitSpec], None]
                       ) -> tuple[LayerSpec, list[UnitSpec]]:
    """A dense layer applied to every example of the batch, its weights shared."""
    name, pos, number = place
    examples = batch_of(top)
    assert examples is not None
    layer = r.get(lp)
    if "units" in layer and "size" in layer:
        raise r.fail((*lp, "size"), "give either `units` or `size`, not both")
    if "units" not in layer and "size" not in layer:
        raise r.fail(lp, "missing `units` (a count)", hint="e.g. `units: 2`")
    size = _whole(r, (*lp, "units" if "units" in layer else "size"), "units")
    if act.kind == "softmax" and size < 2:
        raise r.fail((*lp, "activation"), "a softmax over one unit always outputs 1: every "
                     "gradient would be 0", hint="use a sigmoid output, or two units or more")
    names = layer_names(r, lp, top, notation, DENSE_NAMES, {})
    sources = size_per_example(layers, inputs, examples)
    bound_units(r, lp, examples * size, inputs, layers)
    geometry = BatchGeometry(examples, size, sources, templates=tuple(sorted(names.items())))
    made = batched_units(names, (pos, number), size, examples, act)
    for unit in made:
        claim(unit)
    if act.kind == "unspecified" and act.fname:
        r.claim_function((*lp, "activation"), act.fname)
    return LayerSpec(name, pos, number, tuple(u.name for u in made), act,
                     batch=geometry), made


def batched_connections(lay: LayerSpec, inputs: Sequence[InputSpec],
                        layers: Sequence[LayerSpec], weight_layer: int, add_param: AddParam,
                        lp: Path_) -> tuple[list[EdgeSpec], list[tuple[str, str]]]:
    """A batched dense layer's edges and (unit, bias) pairs: w^{[l]}_{j,k} and b^{[l]}_j
    each added once with ``add_param`` and named on every example's units."""
    g = lay.batch
    assert g is not None and g.epsilon is None
    names = dict(g.templates)
    below = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    weights = {}
    for j in range(1, g.size + 1):
        for k in range(1, g.sources + 1):
            tex = expand(names["weight"], layer=weight_layer, j=j, k=k)
            weights[(j, k)] = plain_name(tex)
            add_param(weights[(j, k)], tex, "weight", (*lp, "notation"), template=True)
    biases = {}
    for j in range(1, g.size + 1):
        tex = expand(names["bias"], layer=weight_layer, j=j, index=j)
        biases[j] = plain_name(tex)
        add_param(biases[j], tex, "bias", (*lp, "notation"), template=True)
    edges: list[EdgeSpec] = []
    pairs: list[tuple[str, str]] = []
    for i in range(g.examples):
        for j in range(1, g.size + 1):
            unit = lay.units[i * g.size + j - 1]
            edges += [EdgeSpec(below[i * g.sources + k - 1], unit, weights[(j, k)])
                      for k in range(1, g.sources + 1)]
            pairs.append((unit, biases[j]))
    return edges, pairs
