"""Validate spec data into frozen dataclasses that describe one network.

The schema (documented in ``docs/spec.md``)::

    title, description, source          free text
    inputs      list of names | {name: latex} | {size: n} | {shape: [C, H, W]}
                | {size: n, steps: T} | {size: n, batch: m}
    layers      list of {name, units, activation, bias, weights, from, connect}
                or {kind: conv1d | conv2d, filters, kernel, stride, padding, activation, bias}
                or {kind: recurrent, size, activation, initial, notation}
    edges       list of {from, to, weight}          extra connections (any DAG)
    loss        name | {kind, factor, reduction, steps}
    cost        {examples: m}                        J = 1/m Σ L
    frozen      [w3, b1]                             parameters that are not trained
    notation    LaTeX templates for net, activation, target, loss, ...
    values      {inputs, targets, params, learning_rate, examples}

Every error names the file, line and field and suggests the closest valid word.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from ..errors import did_you_mean
from .conventions import constant_biases, frozen_parameters, weight_decay
from .kinds.attention import attention_formulas
from .kinds.batch import batched_inputs
from .kinds.batch_norm import batch_norm_formulas
from .kinds.conv import input_shape, read_input_shape, shaped_inputs
from .kinds.dropout import check_masks, dropout_links
from .kinds.embedding import require_embedding, token_count
from .kinds.gated import gated_formulas
from .kinds.layer_norm import norm_formulas
from .kinds.nodes import NODE_KEYS, read_nodes
from .kinds.pool import pool_links, refuse_edges_into_pools
from .kinds.recurrent import over_steps, stepped_inputs
from .limits import Limits
from .model import (
    CHAIN_GRANULARITIES,
    CHAIN_ORDERS,
    DELTA_SIGNS,
    LAYOUTS,
    LOSS_ALIASES,
    LOSS_KINDS,
    ActivationSpec,
    CostSpec,
    EdgeSpec,
    Example,
    InputSpec,
    LayerSpec,
    LossSpec,
    NetworkSpec,
    Notation,
    Number,
    ParamSpec,
    UnitSpec,
    Values,
)
from .naming import (
    auto_latex,
    expand,
    identifier_hint,
    is_identifier,
    name_key,
    plain_name,
    shown,
)
from .reader import Reader, field_name, kind_of
from .source import Path_, Source, read_source
from .tex import check_spec_math, read_free_text, read_math
from .unit_labels import check_unit_labels
from .values import load_values, parse_definitions, read_values
from .wiring import check_acyclic, output_units, read_connections, read_layers

__all__ = [
    "ActivationSpec", "CostSpec", "EdgeSpec", "Example", "InputSpec", "LayerSpec", "LossSpec",
    "NetworkSpec", "Notation", "Number", "ParamSpec", "UnitSpec", "Values", "load_spec",
    "load_values", "parse_definitions", "parse_spec",
]


# --------------------------------------------------------------------------- reading helpers


TOP_KEYS = ("title", "description", "source", "inputs", "layers", "edges", "loss", "cost",
            "notation", "values", "weight_decay", "frozen", *NODE_KEYS)
NOTATION_KEYS = ("net", "activation", "target", "loss", "cost", "delta", "weight", "bias",
                 "input", "learning_rate", "first_layer", "weight_layer", "loss_term",
                 "chain", "chain_order", "function", "layout", "delta_sign", "weight_decay")
_NOTATION_CHOICES = {"weight_layer": ("target", "source"), "chain": CHAIN_GRANULARITIES,
                     "chain_order": CHAIN_ORDERS, "layout": LAYOUTS, "delta_sign": DELTA_SIGNS}


def load_spec(path: str | Path, limits: Limits | None = None) -> NetworkSpec:
    """Read and validate the spec at ``path``.

    >>> spec = load_spec("specs/seed-004-mazur-2-2-2.yaml")  # doctest: +SKIP
    >>> [p.name for p in spec.params][:3]  # doctest: +SKIP
    ['w1', 'w2', 'w3']
    """
    return parse_spec(read_source(path, limits), limits)


def parse_spec(source: Source, limits: Limits | None = None) -> NetworkSpec:
    """Validate parsed spec data, within ``limits`` (default: those in force)."""
    r = Reader(source, limits)
    if not isinstance(source.data, dict):
        raise r.fail((), f"a spec must be a mapping of keys, got {kind_of(source.data)}",
                     hint="start with `inputs:`, `layers:` and `loss:`")
    nodes = isinstance(source.data, dict) and "nodes" in source.data
    top = r.mapping((), TOP_KEYS, required=("inputs", "nodes" if nodes else "layers", "loss"))
    notation = _notation(r, top)
    if nodes:
        return _nodes_spec(r, source, top, notation)
    for key in ("params", "targets"):
        if key in top:
            raise r.fail((key,), f"`{key}` belongs to a spec of `nodes`",
                         hint="a layer names its weights and biases; its output units are "
                              "the targets' owners")
    loss = over_steps(r, top, _loss(r, top))
    cost = _cost(r, top, notation)
    _claim_network_names(r, top, notation, cost)
    inputs = _inputs(r, top, notation)
    layers, units = read_layers(r, top, notation, inputs)
    check_unit_labels(r, units)
    require_embedding(r, top, layers)
    refuse_edges_into_pools(r, top, layers)
    check_masks(r, layers)
    edges, params, biases = read_connections(r, top, notation, inputs, layers, units)
    constants = constant_biases(r, top, layers)
    decay = weight_decay(r, top, notation)
    frozen = frozen_parameters(r, top, params, units, inputs)
    outputs = output_units(units, edges, layers)
    check_acyclic(r, inputs, units, edges)
    _check_softmax(r, top, layers, loss, outputs)
    _check_log_domain(r, layers, units, loss)
    spec = NetworkSpec(
        file=source.file,
        title=read_free_text(r, ("title",)) or Path(source.file).stem,
        description=read_free_text(r, ("description",)),
        source=read_free_text(r, ("source",)),
        inputs=tuple(inputs), layers=tuple(layers), units=tuple(units), edges=tuple(edges),
        biases=tuple(biases), params=tuple(params), loss=loss, cost=cost, notation=notation,
        values=Values(), outputs=tuple(outputs), names=r.names.names(),
        function_sites={name: (source.line(path), field_name(path))
                        for name, path in r.names.function_sites.items()
                        if isinstance(path, tuple)},
        constants=constants, frozen=frozen, weight_decay=decay, input_shape=input_shape(top),
        pools=tuple(link for lay in layers for link in (
            pool_links(lay, inputs, layers) if lay.pool else
            dropout_links(lay, inputs, layers) if lay.dropout else [])),
        formulas=tuple(f for lay in layers if lay.norm or lay.attention
                       for f in (norm_formulas(lay, inputs, layers) if lay.norm
                                 else attention_formulas(lay, inputs))) + tuple(
            f for lay in layers if lay.batch is not None and lay.batch.epsilon is not None
            for f in batch_norm_formulas(lay, inputs, layers))
        + tuple(f for lay in layers for f in gated_formulas(lay)),
    )
    values = read_values(r, top, spec)
    check_spec_math(r, _latex_strings(spec))
    return _replace_values(spec, values)


def _nodes_spec(r: Reader, source: Source, top: dict[str, Any], notation: Notation
                ) -> NetworkSpec:
    """A spec of nodes defined by formulas and a loss formula (``spec.kinds.nodes``)."""
    cost = _cost(r, top, notation)
    _claim_network_names(r, top, notation, cost)
    inputs = _inputs(r, top, notation)
    read = read_nodes(r, top, notation, inputs)
    spec = NetworkSpec(
        file=source.file,
        title=read_free_text(r, ("title",)) or Path(source.file).stem,
        description=read_free_text(r, ("description",)),
        source=read_free_text(r, ("source",)),
        inputs=tuple(inputs), layers=tuple(read.layers), units=tuple(read.units), edges=(),
        biases=(), params=tuple(read.params), loss=read.loss, cost=cost, notation=notation,
        values=Values(), outputs=tuple(read.outputs), names=r.names.names(),
        formulas=tuple(read.formulas),
    )
    values = read_values(r, top, spec)
    check_spec_math(r, _latex_strings(spec))
    return _replace_values(spec, values)


def _latex_strings(spec: NetworkSpec) -> dict[str, str]:
    """Every LaTeX string of the spec, keyed by what it names (ending in its name)."""
    out = {f"input {i.name}": i.latex for i in spec.inputs}
    for u in spec.units:
        for role, tex in (("activation", u.latex), ("net input", u.net_latex),
                          ("target", u.target_latex), ("δ", u.delta_latex)):
            out[f"the {role} of unit {u.name}"] = tex
    out |= {f"parameter {p.name}": p.latex for p in spec.params}
    return out


def _replace_values(spec: NetworkSpec, values: Values) -> NetworkSpec:
    return replace(spec, values=values)


# --------------------------------------------------------------------------- sections


def _notation(r: Reader, top: dict[str, Any]) -> Notation:
    defaults: dict[str, Any] = {
        "net": "z^{[{layer}]}_{{index}}",
        "activation": "a^{[{layer}]}_{{index}}",
        "target": "y_{{index}}",
        "loss": "L",
        "cost": "J",
        "delta": r"\delta^{[{layer}]}_{{index}}",
        "weight": "w^{[{layer}]}_{{j},{k}}",
        "bias": "b^{[{layer}]}_{{j}}",
        "input": "x_{{index}}",
        "learning_rate": r"\alpha",
        "first_layer": 0,
        "weight_layer": "target",
        "loss_term": "E_{{unit}}",
        "chain": "unit",
        "chain_order": "loss_first",
        "function": "f",
        "layout": "column",
        "delta_sign": "positive",
        "weight_decay": r"\lambda",
    }
    if "notation" not in top:
        return Notation(**defaults)
    given = r.mapping(("notation",), NOTATION_KEYS)
    merged = dict(defaults)
    for key in given:
        path = ("notation", key)
        if key == "first_layer":
            n = r.number(path)
            if n.denominator != 1 or n < 0:
                raise r.fail(path, "expected a whole number (0 or 1)")
            merged[key] = int(n)
        elif key in _NOTATION_CHOICES:
            v = r.string(path)
            if v not in _NOTATION_CHOICES[key]:
                raise r.fail(path, f"unknown choice `{v}`",
                             hint=did_you_mean(v, _NOTATION_CHOICES[key]))
            merged[key] = v
        else:
            merged[key] = read_math(r, path)
    return Notation(**merged)


def _inputs(r: Reader, top: dict[str, Any], notation: Notation) -> list[InputSpec]:
    path: Path_ = ("inputs",)
    value = top["inputs"]
    out: list[InputSpec] = []
    if isinstance(value, dict) and set(value) == {"tokens"}:
        token_count(r, top)  # token ids, data of the embedding layer: no numeric input
        return out
    if isinstance(value, dict) and set(value) == {"size"}:
        n = r.number((*path, "size"))
        if n.denominator != 1 or n < 1:
            raise r.fail((*path, "size"), "expected a whole number of inputs ≥ 1")
        if n > r.limits.max_units:
            raise r.fail((*path, "size"), f"more than {r.limits.max_units} inputs and units",
                         hint="raise the bound with --max-units if this network is real")
        for i in range(1, int(n) + 1):
            latex = expand(notation.input, index=i, unit=f"x{i}")
            out.append(InputSpec(f"x{i}", latex, i))
    elif isinstance(value, dict) and set(value) == {"shape"}:
        out = shaped_inputs(read_input_shape(r, (*path, "shape")), notation)
    elif isinstance(value, dict) and set(value) == {"size", "steps"}:
        out = stepped_inputs(r, path, notation, "input" in top.get("notation", {}))
    elif isinstance(value, dict) and set(value) == {"size", "batch"}:
        out = batched_inputs(r, path, top, notation)
    elif isinstance(value, dict):
        for i, name in enumerate(value, start=1):
            if not is_identifier(name):
                raise r.fail((*path, name), f"`{shown(name)}` is not a valid name",
                             hint=identifier_hint(name))
            out.append(InputSpec(name, read_math(r, (*path, name)), i))
    elif isinstance(value, list):
        if not value:
            raise r.fail(path, "a network needs at least one input")
        for i, _item in enumerate(value):
            name = r.string((*path, i), identifier=True)
            out.append(InputSpec(name, auto_latex(name), i + 1))
    else:
        raise r.fail(path, f"expected a list of input names, got {kind_of(value)}",
                     hint="e.g. `inputs: [i1, i2]` or `inputs: {size: 4}`")
    seen: dict[str, str] = {}
    for k, i in enumerate(out):
        named = isinstance(value, dict) and not {"size", "shape", "steps", "batch"} & set(value)
        at: Path_ = (*path, i.name) if named \
            else (*path, k) if isinstance(value, list) else path
        if i.name == "inputs":
            raise r.fail(at, "`inputs` cannot name an input",
                         hint="`from: inputs` means all inputs")
        first = seen.get(name_key(i.name))
        if first == i.name:
            raise r.fail(at, f"input `{i.name}` is listed twice")
        if first is not None:
            raise r.fail(at, f"inputs `{first}` and `{i.name}` are one name to Python "
                         "(Unicode NFKC)", hint="rename one of them")
        seen[name_key(i.name)] = i.name
        r.claim(at, "input", i.name, i.name, i.latex)
    return out


def _claim_network_names(r: Reader, top: dict[str, Any], notation: Notation,
                         cost: CostSpec | None) -> None:
    """The loss, the cost, the learning rate and the cost's example count and index."""
    def where(key: str) -> Path_:
        return ("notation", key) if key in top.get("notation", {}) else ()

    r.claim(where("loss"), "loss", "", plain_name(notation.loss), notation.loss)
    values = top.get("values")
    if "learning_rate" in top.get("notation", {}) or (isinstance(values, dict)
                                                      and "learning_rate" in values):
        # printed only in the update rules of a spec that has a learning rate
        r.claim(where("learning_rate"), "learning rate", "",
                plain_name(notation.learning_rate), notation.learning_rate)
    if cost is not None:
        r.claim(where("cost"), "cost", "", plain_name(cost.latex), cost.latex,
                shares=("loss", ""))
        r.claim(("cost",), "example count", "", cost.examples, cost.examples)
        r.claim(("cost",), "example index", "", cost.index, cost.index)


def _loss(r: Reader, top: dict[str, Any]) -> LossSpec:
    path: Path_ = ("loss",)
    raw = top["loss"]
    factor: Fraction | None = None
    reduction = "sum"
    name: str | None = None
    if isinstance(raw, dict):
        given = r.mapping(path, ("kind", "factor", "reduction", "name", "steps"),
                          required=("kind",))
        kind = r.string((*path, "kind"))
        kpath: Path_ = (*path, "kind")
        if "name" in given:
            name = r.string((*path, "name"), identifier=True)
            if LOSS_ALIASES.get(kind, kind) != "unspecified":
                raise r.fail((*path, "name"), "only an unspecified loss has a name",
                             hint="e.g. `loss: {kind: unspecified, name: C}`")
        if LOSS_ALIASES.get(kind, kind) == "unspecified":
            for key in ("factor", "reduction"):
                if key in given:
                    raise r.fail((*path, key), f"an unspecified loss has no `{key}`",
                                 hint="its derivative stays a symbol such as ∂C/∂a")
        if "factor" in given:
            factor = r.number((*path, "factor"))
            if factor <= 0:
                raise r.fail((*path, "factor"), "the loss factor must be positive")
        if "reduction" in given:
            reduction = r.string((*path, "reduction"))
            if reduction not in ("sum", "mean"):
                raise r.fail((*path, "reduction"), f"unknown reduction `{reduction}`",
                             hint=did_you_mean(reduction, ("sum", "mean")))
    else:
        kind = r.string(path)
        kpath = path
    kind = LOSS_ALIASES.get(kind, kind)
    if kind not in LOSS_KINDS:
        raise r.fail(kpath, f"unknown loss `{kind}`",
                     hint=did_you_mean(kind, [*LOSS_KINDS, *LOSS_ALIASES]))
    if factor is None:
        factor = Fraction(1, 2) if kind == "squared_error" else Fraction(1)
    if kind == "unspecified":
        return LossSpec(kind, factor, reduction, name or "C", line=r.src.line(kpath))
    return LossSpec(kind, factor, reduction)


def _cost(r: Reader, top: dict[str, Any], notation: Notation) -> CostSpec | None:
    if "cost" not in top:
        return None
    path: Path_ = ("cost",)
    given = r.mapping(path, ("examples", "index"))
    examples = r.string((*path, "examples"), identifier=True) if "examples" in given else "m"
    index = r.string((*path, "index"), identifier=True) if "index" in given else "i"
    return CostSpec(examples=examples, latex=notation.cost, index=index)


def _check_softmax(r: Reader, top: dict[str, Any], layers: list[LayerSpec], loss: LossSpec,
                   outputs: list[str]) -> None:
    for lay in layers[:-1]:
        if lay.activation.kind == "softmax":
            raise r.fail(("layers", lay.position - 1, "activation"),
                         "softmax is supported only on the output layer")
    last = layers[-1]
    if last.activation.kind == "softmax" and len(last.units) < 2:
        why = ("binary cross-entropy takes log(1 − a), and a softmax layer of one unit "
               "always outputs 1: the loss would be infinite"
               if loss.kind == "binary_cross_entropy" else
               "a softmax layer of one unit always outputs 1: nothing reaches the loss through "
               "it, and every gradient would be 0")
        raise r.fail(("layers", last.position - 1, "activation"), why,
                     hint="use a sigmoid output, or give the softmax layer two units or more")


# output activations whose values a loss can take the log of: a > 0 for cross-entropy,
# 0 < a < 1 for binary cross-entropy (a sigmoid or softmax output: binary cross-entropy summed
# over a softmax layer is one published network's loss); an unspecified f is checked when it
# is evaluated
# (a softplus output is positive: cross-entropy is computed in the log domain, and binary
# cross-entropy where softplus < 1; a point where it is not defined is refused by eval)
_LOG_SAFE = {"cross_entropy": ("sigmoid", "softmax", "softplus", "unspecified"),
             "binary_cross_entropy": ("sigmoid", "softmax", "softplus", "unspecified")}
_RANGE = {"relu": "0", "leaky_relu": "negative", "linear": "negative", "tanh": "negative"}


def _check_log_domain(r: Reader, layers: list[LayerSpec], units: list[UnitSpec],
                      loss: LossSpec) -> None:
    """Cross-entropy takes log a (and BCE log(1 − a)): outputs that leave that domain give
    NaN and infinity, never a gradient, so they are refused here."""
    safe = _LOG_SAFE.get(loss.kind)
    if safe is None:
        return
    last = layers[-1]
    for k, name in enumerate(last.units):
        unit = next(u for u in units if u.name == name)
        kind = unit.activation.kind
        if kind in safe:
            continue
        own = unit.activation is not last.activation
        where: Path_ = ("layers", last.position - 1, "units", k, "activation") if own \
            else ("layers", last.position - 1, "activation")
        what = "binary cross-entropy" if loss.kind == "binary_cross_entropy" \
            else "cross-entropy"
        raise r.fail(where, f"{what} takes the log of the output, and a {kind} output can be "
                     f"{_RANGE.get(kind, 'out of range')}: the loss would be NaN or infinite",
                     hint="use a sigmoid output or softmax layer, or the squared error")
