"""Validate spec data into frozen dataclasses that describe one network.

The schema (documented in ``docs/spec.md``)::

    title, description, source          free text
    inputs      list of names | {name: latex} | {size: n}
    layers      list of {name, units, activation, bias, weights, from, connect}
    edges       list of {from, to, weight}          extra connections (any DAG)
    loss        name | {kind, factor, reduction}
    cost        {examples: m}                        J = 1/m Σ L
    notation    LaTeX templates for net, activation, target, loss, ...
    values      {inputs, targets, params, learning_rate, examples}

Every error names the file, line and field and suggests the closest valid word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import SpecError, did_you_mean
from .functions import ACTIVATIONS
from .naming import auto_latex, expand, is_identifier, plain_name
from .spec_source import Path_, Source, read_source

LOSS_KINDS = ("squared_error", "binary_cross_entropy", "cross_entropy")
LOSS_ALIASES = {
    "mse": "squared_error", "sse": "squared_error", "squared": "squared_error",
    "bce": "binary_cross_entropy", "categorical_cross_entropy": "cross_entropy",
    "ce": "cross_entropy",
}


@dataclass(frozen=True)
class ActivationSpec:
    """An activation by registry kind; ``fname`` names an unspecified function (seed 000's f)."""

    kind: str
    alpha: Fraction | None = None
    fname: str | None = None

    @property
    def label(self) -> str:
        return self.fname if self.kind == "unspecified" and self.fname else self.kind


@dataclass(frozen=True)
class InputSpec:
    name: str
    latex: str
    index: int


@dataclass(frozen=True)
class UnitSpec:
    name: str
    layer: int  # position: inputs are 0, first layer 1, ...
    index: int  # 1-based position in its layer
    activation: ActivationSpec
    latex: str  # its activation (output) symbol
    net_latex: str
    target_latex: str
    delta_latex: str


@dataclass(frozen=True)
class LayerSpec:
    name: str
    position: int  # 1-based
    number: int  # as printed (notation.first_layer + position)
    units: tuple[str, ...]
    activation: ActivationSpec


@dataclass(frozen=True)
class EdgeSpec:
    source: str
    target: str
    weight: str


@dataclass(frozen=True)
class ParamSpec:
    name: str
    latex: str
    kind: str  # "weight" | "bias"


@dataclass(frozen=True)
class LossSpec:
    kind: str
    factor: Fraction
    reduction: str  # "sum" | "mean"


@dataclass(frozen=True)
class CostSpec:
    examples: str  # the symbol for the number of examples, e.g. "m"
    latex: str  # the cost's name, e.g. "J"
    index: str  # the example index, e.g. "i"


@dataclass(frozen=True)
class Notation:
    net: str
    activation: str
    target: str
    loss: str
    cost: str
    delta: str
    weight: str
    bias: str
    input: str
    learning_rate: str
    first_layer: int
    weight_layer: str  # "target" | "source"


@dataclass(frozen=True)
class Example:
    inputs: dict[str, float]
    targets: dict[str, float]


@dataclass(frozen=True)
class Values:
    params: dict[str, float] = field(default_factory=dict)
    learning_rate: float | None = None
    examples: tuple[Example, ...] = ()

    @property
    def complete(self) -> bool:
        return bool(self.examples)


@dataclass(frozen=True)
class NetworkSpec:
    """A validated network: everything the builder needs, nothing it has to check again."""

    file: str
    title: str
    description: str
    source: str
    inputs: tuple[InputSpec, ...]
    layers: tuple[LayerSpec, ...]
    units: tuple[UnitSpec, ...]
    edges: tuple[EdgeSpec, ...]
    biases: tuple[tuple[str, str], ...]  # (unit, bias param)
    params: tuple[ParamSpec, ...]
    loss: LossSpec
    cost: CostSpec | None
    notation: Notation
    values: Values
    outputs: tuple[str, ...]

    def unit(self, name: str) -> UnitSpec:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)


# --------------------------------------------------------------------------- reading helpers


class _Reader:
    """Walks the data with paths, raising located errors."""

    def __init__(self, source: Source) -> None:
        self.src = source

    def fail(self, path: Path_, message: str, hint: str | None = None) -> SpecError:
        return SpecError(message, file=self.src.file, line=self.src.line(path),
                         field=_field(path) or None, hint=hint)

    def get(self, path: Path_) -> Any:
        value: Any = self.src.data
        for p in path:
            value = value[p]
        return value

    def mapping(self, path: Path_, allowed: tuple[str, ...], required: tuple[str, ...] = ()
                ) -> dict[str, Any]:
        value = self.get(path)
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping of keys, got {_kind(value)}",
                            hint="allowed keys: " + ", ".join(allowed))
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                raise self.fail((*path, key), f"unknown key `{key}`",
                                hint=did_you_mean(str(key), allowed)
                                or "allowed keys: " + ", ".join(allowed))
        for key in required:
            if key not in value:
                raise self.fail(path, f"missing required key `{key}`")
        return value

    def string(self, path: Path_, *, identifier: bool = False) -> str:
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.fail(path, f"expected text, got {_kind(value)}")
        text = str(value)
        if identifier and not is_identifier(text):
            raise self.fail(path, f"`{text}` is not a valid name",
                            hint="use letters, digits and _ , starting with a letter")
        return text

    def number(self, path: Path_) -> Fraction:
        value = self.get(path)
        if isinstance(value, bool):
            raise self.fail(path, f"expected a number, got {_kind(value)}")
        if isinstance(value, (int, float)):
            return Fraction(str(value)) if isinstance(value, float) else Fraction(value)
        if isinstance(value, str):
            try:
                return Fraction(value.strip())
            except ValueError:
                pass
        raise self.fail(path, f"expected a number, got {_kind(value)}")

    def name_list(self, path: Path_) -> list[Any]:
        value = self.get(path)
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {_kind(value)}")
        return value


def _field(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (a boolean)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"`{value}`"


TOP_KEYS = ("title", "description", "source", "inputs", "layers", "edges", "loss", "cost",
            "notation", "values")
LAYER_KEYS = ("name", "units", "size", "activation", "bias", "weights", "from", "connect")
UNIT_KEYS = ("name", "latex", "net", "target", "delta", "activation")
NOTATION_KEYS = ("net", "activation", "target", "loss", "cost", "delta", "weight", "bias",
                 "input", "learning_rate", "first_layer", "weight_layer")
VALUE_KEYS = ("inputs", "targets", "params", "learning_rate", "examples")


def load_spec(path: str | Path) -> NetworkSpec:
    """Read and validate the spec at ``path``.

    >>> spec = load_spec("specs/seed-004-mazur-2-2-2.yaml")  # doctest: +SKIP
    >>> [p.name for p in spec.params][:3]  # doctest: +SKIP
    ['w1', 'w2', 'w3']
    """
    return parse_spec(read_source(path))


def parse_spec(source: Source) -> NetworkSpec:
    r = _Reader(source)
    if not isinstance(source.data, dict):
        raise r.fail((), f"a spec must be a mapping of keys, got {_kind(source.data)}",
                     hint="start with `inputs:`, `layers:` and `loss:`")
    top = r.mapping((), TOP_KEYS, required=("inputs", "layers", "loss"))
    notation = _notation(r, top)
    inputs = _inputs(r, top, notation)
    layers, units, unit_layer_of = _layers(r, top, notation, inputs)
    edges, params, biases = _connections(r, top, notation, inputs, layers, units)
    outputs = _outputs(units, edges, layers)
    _check_acyclic(r, inputs, units, edges)
    loss = _loss(r, top)
    cost = _cost(r, top, notation)
    _check_softmax(r, top, layers, loss, outputs)
    spec = NetworkSpec(
        file=source.file,
        title=str(top.get("title") or Path(source.file).stem),
        description=str(top.get("description") or ""),
        source=str(top.get("source") or ""),
        inputs=tuple(inputs), layers=tuple(layers), units=tuple(units), edges=tuple(edges),
        biases=tuple(biases), params=tuple(params), loss=loss, cost=cost, notation=notation,
        values=Values(), outputs=tuple(outputs),
    )
    values = _values(r, top, spec)
    _check_names(r, spec)
    return _replace_values(spec, values)


def _replace_values(spec: NetworkSpec, values: Values) -> NetworkSpec:
    from dataclasses import replace

    return replace(spec, values=values)


# --------------------------------------------------------------------------- sections


def _notation(r: _Reader, top: dict[str, Any]) -> Notation:
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
        elif key == "weight_layer":
            v = r.string(path)
            if v not in ("target", "source"):
                raise r.fail(path, f"unknown choice `{v}`",
                             hint=did_you_mean(v, ("target", "source")))
            merged[key] = v
        else:
            merged[key] = r.string(path)
    return Notation(**merged)


def _inputs(r: _Reader, top: dict[str, Any], notation: Notation) -> list[InputSpec]:
    path: Path_ = ("inputs",)
    value = top["inputs"]
    out: list[InputSpec] = []
    if isinstance(value, dict) and set(value) == {"size"}:
        n = r.number((*path, "size"))
        if n.denominator != 1 or not 1 <= n <= 100_000:
            raise r.fail((*path, "size"), "expected a whole number of inputs ≥ 1")
        single = int(n) == 1
        for i in range(1, int(n) + 1):
            latex = "x" if single and "{index}" in notation.input and notation.input == \
                "x_{{index}}" else expand(notation.input, index=i, unit=f"x{i}")
            out.append(InputSpec(f"x{i}" if not single else plain_name(latex), latex, i))
    elif isinstance(value, dict):
        for i, (name, latex) in enumerate(value.items(), start=1):
            if not is_identifier(name):
                raise r.fail((*path, name), f"`{name}` is not a valid name",
                             hint="use letters, digits and _")
            out.append(InputSpec(name, r.string((*path, name)), i))
    elif isinstance(value, list):
        if not value:
            raise r.fail(path, "a network needs at least one input")
        for i, _item in enumerate(value):
            name = r.string((*path, i), identifier=True)
            out.append(InputSpec(name, auto_latex(name), i + 1))
    else:
        raise r.fail(path, f"expected a list of input names, got {_kind(value)}",
                     hint="e.g. `inputs: [i1, i2]` or `inputs: {size: 4}`")
    names = [i.name for i in out]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise r.fail((*path,), f"input `{n}` is listed twice")
    return out


def _activation(r: _Reader, path: Path_) -> ActivationSpec:
    value = r.get(path)
    if isinstance(value, dict):
        given = r.mapping(path, ("kind", "alpha", "name"), required=("kind",))
        kind = r.string((*path, "kind"))
        alpha = r.number((*path, "alpha")) if "alpha" in given else None
        fname = r.string((*path, "name"), identifier=True) if "name" in given else None
        path = (*path, "kind")
    else:
        kind = r.string(path)
        alpha = None
        fname = None
    if kind in ("unspecified", "f", "g", "h", "phi", "varphi"):
        return ActivationSpec("unspecified", fname=fname or (kind if kind != "unspecified"
                                                              else "f"))
    if kind not in ACTIVATIONS:
        raise r.fail(path, f"unknown activation `{kind}`",
                     hint=did_you_mean(kind, [*ACTIVATIONS, "unspecified"]))
    canonical = ACTIVATIONS[kind].name
    if canonical == "leaky_relu" and alpha is None:
        alpha = Fraction(1, 100)
    if alpha is not None and canonical != "leaky_relu":
        raise r.fail(path, f"`alpha` applies only to leaky_relu, not {canonical}")
    return ActivationSpec(canonical, alpha=alpha)


def _layers(r: _Reader, top: dict[str, Any], notation: Notation, inputs: list[InputSpec]
            ) -> tuple[list[LayerSpec], list[UnitSpec], dict[str, int]]:
    path: Path_ = ("layers",)
    items = r.name_list(path)
    if not items:
        raise r.fail(path, "a network needs at least one layer")
    layers: list[LayerSpec] = []
    units: list[UnitSpec] = []
    layer_of: dict[str, int] = {i.name: 0 for i in inputs}
    seen_layer_names: set[str] = {"inputs"}
    for pos, _ in enumerate(items, start=1):
        lp: Path_ = (*path, pos - 1)
        layer = r.mapping(lp, LAYER_KEYS)
        number = notation.first_layer + pos
        name = r.string((*lp, "name"), identifier=True) if "name" in layer else f"layer{pos}"
        if name in seen_layer_names:
            raise r.fail((*lp, "name"), f"layer name `{name}` is used twice")
        seen_layer_names.add(name)
        if "activation" not in layer:
            raise r.fail(lp, "missing required key `activation`",
                         hint="e.g. `activation: sigmoid`")
        act = _activation(r, (*lp, "activation"))
        if "units" in layer and "size" in layer:
            raise r.fail((*lp, "size"), "give either `units` or `size`, not both")
        raw_units: list[Any]
        if "units" in layer:
            if isinstance(layer["units"], int) and not isinstance(layer["units"], bool):
                raw_units = [None] * layer["units"]
            else:
                raw_units = r.name_list((*lp, "units"))
        elif "size" in layer:
            n = r.number((*lp, "size"))
            if n.denominator != 1 or not 1 <= n <= 100_000:
                raise r.fail((*lp, "size"), "expected a whole number of units ≥ 1")
            raw_units = [None] * int(n)
        else:
            raise r.fail(lp, "missing `units` (a list of names) or `size` (a count)")
        if not raw_units:
            raise r.fail((*lp, "units"), "a layer needs at least one unit")
        names: list[str] = []
        for idx, raw in enumerate(raw_units, start=1):
            up: Path_ = (*lp, "units", idx - 1)
            fields = {"layer": number, "index": idx}
            overrides: dict[str, str] = {}
            unit_act = act
            if raw is None:
                uname = f"u{number}_{idx}"
            elif isinstance(raw, dict):
                given = r.mapping(up, UNIT_KEYS, required=("name",))
                uname = r.string((*up, "name"), identifier=True)
                for key in ("latex", "net", "target", "delta"):
                    if key in given:
                        overrides[key] = r.string((*up, key))
                if "activation" in given:
                    unit_act = _activation(r, (*up, "activation"))
                    if unit_act.kind == "softmax" or act.kind == "softmax":
                        raise r.fail((*up, "activation"),
                                     "softmax applies to a whole layer, not one unit")
            else:
                uname = r.string(up, identifier=True)
            if uname in layer_of:
                raise r.fail(up, f"unit name `{uname}` is already used",
                             hint="every input and unit needs its own name")
            layer_of[uname] = pos
            names.append(uname)
            fields["unit"] = uname
            units.append(UnitSpec(
                name=uname, layer=pos, index=idx, activation=unit_act,
                latex=overrides.get("latex") or expand(notation.activation, **fields),
                net_latex=overrides.get("net") or expand(notation.net, **fields),
                target_latex=overrides.get("target") or expand(notation.target, **fields),
                delta_latex=overrides.get("delta") or expand(notation.delta, **fields),
            ))
        layers.append(LayerSpec(name, pos, number, tuple(names), act))
    return layers, units, layer_of


def _source_units(r: _Reader, lp: Path_, layer: dict[str, Any], pos: int,
                  inputs: list[InputSpec], layers: list[LayerSpec]) -> list[str]:
    """The units a layer is fully connected from (its previous layer unless `from` says)."""
    by_name = {lay.name: lay for lay in layers}
    if "from" not in layer:
        return [i.name for i in inputs] if pos == 1 else list(layers[pos - 2].units)
    raw = layer["from"]
    entries = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    all_units = {u for lay in layers for u in lay.units} | {i.name for i in inputs}
    for k, _ in enumerate(entries):
        fp: Path_ = (*lp, "from", k) if isinstance(raw, list) else (*lp, "from")
        word = r.string(fp)
        if word == "inputs":
            out.extend(i.name for i in inputs)
        elif word in by_name:
            if by_name[word].position >= pos:
                raise r.fail(fp, f"layer `{word}` does not come before this layer",
                             hint="`from` may name only earlier layers")
            out.extend(by_name[word].units)
        elif word in all_units:
            out.append(word)
        else:
            raise r.fail(fp, f"no layer, input or unit called `{word}`",
                         hint=did_you_mean(word, [*by_name, "inputs", *all_units]))
    return out


def _connections(r: _Reader, top: dict[str, Any], notation: Notation,
                 inputs: list[InputSpec], layers: list[LayerSpec], units: list[UnitSpec]
                 ) -> tuple[list[EdgeSpec], list[ParamSpec], list[tuple[str, str]]]:
    edges: list[EdgeSpec] = []
    params: dict[str, ParamSpec] = {}
    biases: list[tuple[str, str]] = []
    kinds: dict[str, str] = {}
    unit_index = {u.name: u.index for u in units} | {i.name: i.index for i in inputs}
    layer_of = {u.name: u.layer for u in units} | {i.name: 0 for i in inputs}
    number_of_pos = {lay.position: lay.number for lay in layers}
    number_of_pos[0] = notation.first_layer

    def add_param(name: str, latex: str, kind: str, path: Path_) -> None:
        if not is_identifier(name):
            raise r.fail(path, f"`{name}` is not a valid parameter name",
                         hint="use letters, digits and _")
        if name in layer_of:
            raise r.fail(path, f"`{name}` names a unit, not a parameter")
        if name in kinds and kinds[name] != kind:
            raise r.fail(path, f"`{name}` is used both as a weight and as a bias")
        kinds[name] = kind
        params.setdefault(name, ParamSpec(name, latex, kind))

    def weight_layer(target_pos: int) -> int:
        pos = target_pos if notation.weight_layer == "target" else target_pos - 1
        return number_of_pos[pos]

    for lay in layers:
        lp: Path_ = ("layers", lay.position - 1)
        layer = r.get(lp)
        connect = layer.get("connect", "full")
        if connect not in ("full", "none"):
            raise r.fail((*lp, "connect"), f"unknown choice `{connect}`",
                         hint=did_you_mean(str(connect), ("full", "none")))
        if connect == "full":
            sources = _source_units(r, lp, layer, lay.position, inputs, layers)
            names = _weight_names(r, lp, layer, lay, sources)
            for j, target in enumerate(lay.units, start=1):
                for k, source in enumerate(sources, start=1):
                    wname, wpath = names[(target, source)]
                    if wname is None:
                        continue
                    default = expand(notation.weight, layer=weight_layer(lay.position),
                                     j=j, k=unit_index[source] if len(sources) == len(
                                         set(sources)) else k, unit=target)
                    if wname == "":
                        wname = plain_name(default)
                        latex = default
                    else:
                        latex = auto_latex(wname)
                    add_param(wname, latex, "weight", wpath)
                    edges.append(EdgeSpec(source, target, wname))
        elif "weights" in layer:
            raise r.fail((*lp, "weights"), "`weights` needs `connect: full`",
                         hint="with `connect: none` name weights in top-level `edges`")
        # biases
        bp: Path_ = (*lp, "bias")
        braw = layer.get("bias", "per_unit")
        if braw in (None, False, "none"):
            continue
        if isinstance(braw, list):
            if len(braw) != len(lay.units):
                raise r.fail(bp, f"expected {len(lay.units)} bias names, got {len(braw)}")
            for k, target in enumerate(lay.units):
                name = r.string((*bp, k), identifier=True)
                add_param(name, auto_latex(name), "bias", (*bp, k))
                biases.append((target, name))
        elif braw == "per_unit":
            for j, target in enumerate(lay.units, start=1):
                latex = expand(notation.bias, layer=weight_layer(lay.position), j=j,
                               index=j, unit=target)
                name = plain_name(latex)
                add_param(name, latex, "bias", bp)
                biases.append((target, name))
        else:
            name = r.string(bp, identifier=True)
            add_param(name, auto_latex(name), "bias", bp)
            for target in lay.units:
                biases.append((target, name))
    # explicit edges
    if "edges" in top:
        for k, _ in enumerate(r.name_list(("edges",))):
            ep: Path_ = ("edges", k)
            e = r.mapping(ep, ("from", "to", "weight", "latex"), required=("from", "to"))
            src = r.string((*ep, "from"))
            dst = r.string((*ep, "to"))
            for word, key in ((src, "from"), (dst, "to")):
                if word not in layer_of:
                    raise r.fail((*ep, key), f"no input or unit called `{word}`",
                                 hint=did_you_mean(word, layer_of))
            if src in layers[-1].units:
                raise r.fail((*ep, "from"), f"`{src}` is an output unit; it feeds only the loss")
            if layer_of[dst] == 0:
                raise r.fail((*ep, "to"), f"`{dst}` is an input; edges cannot point into it")
            if any(x.source == src and x.target == dst for x in edges):
                raise r.fail(ep, f"the edge {src} → {dst} already exists")
            if "weight" in e:
                wname = r.string((*ep, "weight"), identifier=True)
                latex = r.string((*ep, "latex")) if "latex" in e else auto_latex(wname)
            else:
                latex = expand(notation.weight, layer=number_of_pos[layer_of[dst]],
                               j=unit_index[dst], k=unit_index[src], unit=dst)
                wname = plain_name(latex)
            add_param(wname, latex, "weight", (*ep, "weight"))
            edges.append(EdgeSpec(src, dst, wname))
    used = {e.target for e in edges}
    for u in units:
        if u.name not in used:
            lay = layers[u.layer - 1]
            raise r.fail(("layers", u.layer - 1), f"unit `{u.name}` has no incoming edge",
                         hint="connect it with `from` or an entry in `edges`")
    del lay
    return edges, list(params.values()), biases


def _weight_names(r: _Reader, lp: Path_, layer: dict[str, Any], lay: LayerSpec,
                  sources: list[str]) -> dict[tuple[str, str], tuple[str | None, Path_]]:
    """Weight names per (target, source): '' for the default name, None for no edge."""
    out: dict[tuple[str, str], tuple[str | None, Path_]] = {}
    wp: Path_ = (*lp, "weights")
    if "weights" not in layer:
        for t in lay.units:
            for s in sources:
                out[(t, s)] = ("", wp)
        return out
    raw = layer["weights"]
    if isinstance(raw, list):
        if len(raw) != len(lay.units):
            raise r.fail(wp, f"expected {len(lay.units)} rows (one per unit: "
                         f"{', '.join(lay.units)}), got {len(raw)}")
        for j, t in enumerate(lay.units):
            row = raw[j]
            rp: Path_ = (*wp, j)
            if not isinstance(row, list) or len(row) != len(sources):
                raise r.fail(rp, f"row for `{t}` must list {len(sources)} weight names "
                             f"(one per source: {', '.join(sources)})")
            for k, s in enumerate(sources):
                item = row[k]
                if item in (None, False, 0, "-"):
                    out[(t, s)] = (None, (*rp, k))
                else:
                    out[(t, s)] = (r.string((*rp, k), identifier=True), (*rp, k))
        return out
    if isinstance(raw, dict):
        for t in raw:
            if t not in lay.units:
                raise r.fail((*wp, t), f"`{t}` is not a unit of this layer",
                             hint=did_you_mean(str(t), lay.units))
        for t in lay.units:
            row = raw.get(t)
            if row is None:
                raise r.fail(wp, f"no weights given for unit `{t}`")
            if not isinstance(row, dict):
                raise r.fail((*wp, t), "expected a mapping source → weight name")
            for s in row:
                if s not in sources:
                    raise r.fail((*wp, t, s), f"`{s}` does not feed this layer",
                                 hint=did_you_mean(str(s), sources))
            for s in sources:
                if s in row and row[s] not in (None, False, "-"):
                    out[(t, s)] = (r.string((*wp, t, s), identifier=True), (*wp, t, s))
                else:
                    out[(t, s)] = (None, (*wp, t))
        return out
    raise r.fail(wp, f"expected a list of rows or a mapping, got {_kind(raw)}")


def _outputs(units: list[UnitSpec], edges: list[EdgeSpec], layers: list[LayerSpec]
             ) -> list[str]:
    """The units of the last layer: the loss compares them with the targets."""
    return list(layers[-1].units)


def _check_acyclic(r: _Reader, inputs: list[InputSpec], units: list[UnitSpec],
                   edges: list[EdgeSpec]) -> None:
    preds: dict[str, list[str]] = {u.name: [] for u in units}
    for e in edges:
        preds[e.target].append(e.source)
    state: dict[str, int] = {}
    for start in preds:
        stack = [(start, iter(preds[start]))]
        trail = [start]
        if state.get(start) == 2:
            continue
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                trail.pop()
                continue
            if nxt not in preds or state.get(nxt) == 2:
                continue
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt]
                idx = next((k for k, e in enumerate(edges) if e.source == node
                            and e.target == trail[-1]), None)
                path: Path_ = ("edges", idx) if idx is not None else ("edges",)
                raise r.fail(path if "edges" in r.src.data else ("layers",),
                             "the connections form a cycle: " + " → ".join(reversed(cycle)),
                             hint="a network must be a DAG; remove one of these edges")
            state[nxt] = 1
            stack.append((nxt, iter(preds[nxt])))
            trail.append(nxt)


def _loss(r: _Reader, top: dict[str, Any]) -> LossSpec:
    path: Path_ = ("loss",)
    raw = top["loss"]
    factor: Fraction | None = None
    reduction = "sum"
    if isinstance(raw, dict):
        given = r.mapping(path, ("kind", "factor", "reduction"), required=("kind",))
        kind = r.string((*path, "kind"))
        kpath: Path_ = (*path, "kind")
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
    return LossSpec(kind, factor, reduction)


def _cost(r: _Reader, top: dict[str, Any], notation: Notation) -> CostSpec | None:
    if "cost" not in top:
        return None
    path: Path_ = ("cost",)
    given = r.mapping(path, ("examples", "index"))
    examples = r.string((*path, "examples"), identifier=True) if "examples" in given else "m"
    index = r.string((*path, "index"), identifier=True) if "index" in given else "i"
    return CostSpec(examples=examples, latex=notation.cost, index=index)


def _check_softmax(r: _Reader, top: dict[str, Any], layers: list[LayerSpec], loss: LossSpec,
                   outputs: list[str]) -> None:
    for lay in layers[:-1]:
        if lay.activation.kind == "softmax":
            raise r.fail(("layers", lay.position - 1, "activation"),
                         "softmax is supported only on the output layer")
    if loss.kind == "binary_cross_entropy" and layers[-1].activation.kind == "softmax":
        raise r.fail(("loss",), "binary cross-entropy does not fit a softmax output",
                     hint="use `cross_entropy`")


def _number_map(r: _Reader, path: Path_, allowed: list[str], what: str) -> dict[str, float]:
    value = r.get(path)
    if not isinstance(value, dict):
        raise r.fail(path, f"expected a mapping {what} name → number, got {_kind(value)}")
    out: dict[str, float] = {}
    for key in value:
        if key not in allowed:
            raise r.fail((*path, key), f"no {what} called `{key}`",
                         hint=did_you_mean(str(key), allowed))
        out[key] = float(r.number((*path, key)))
    return out


def _values(r: _Reader, top: dict[str, Any], spec: NetworkSpec) -> Values:
    if "values" not in top:
        return Values()
    path: Path_ = ("values",)
    given = r.mapping(path, VALUE_KEYS)
    input_names = [i.name for i in spec.inputs]
    params = _number_map(r, (*path, "params"), [p.name for p in spec.params], "parameter") \
        if "params" in given else {}
    lr = float(r.number((*path, "learning_rate"))) if "learning_rate" in given else None
    examples: list[Example] = []
    if "examples" in given:
        if "inputs" in given or "targets" in given:
            raise r.fail((*path, "examples"),
                         "give either `examples` or `inputs`/`targets`, not both")
        for k, _ in enumerate(r.name_list((*path, "examples"))):
            ep: Path_ = (*path, "examples", k)
            r.mapping(ep, ("inputs", "targets"), required=("inputs", "targets"))
            examples.append(Example(
                _number_map(r, (*ep, "inputs"), input_names, "input"),
                _number_map(r, (*ep, "targets"), list(spec.outputs), "output unit"),
            ))
    elif "inputs" in given or "targets" in given:
        if "inputs" not in given or "targets" not in given:
            raise r.fail(path, "give both `inputs` and `targets`")
        examples.append(Example(
            _number_map(r, (*path, "inputs"), input_names, "input"),
            _number_map(r, (*path, "targets"), list(spec.outputs), "output unit"),
        ))
    return Values(params=params, learning_rate=lr, examples=tuple(examples))


def _check_names(r: _Reader, spec: NetworkSpec) -> None:
    """Plain names must not collide, or formulas and JSON keys would be ambiguous."""
    seen: dict[str, str] = {}

    def claim(name: str, what: str) -> None:
        if name in seen and seen[name] != what:
            raise r.fail(("notation",), f"the name `{name}` is used for both {seen[name]} "
                         f"and {what}", hint="change a notation template or a name")
        seen[name] = what

    for i in spec.inputs:
        claim(i.name, f"input {i.name}")
    for p in spec.params:
        claim(p.name, f"parameter {p.name}")
    for u in spec.units:
        claim(plain_name(u.latex), f"the activation of {u.name}")
        if u.activation.kind != "linear" or plain_name(u.net_latex) != plain_name(u.latex):
            claim(plain_name(u.net_latex), f"the net input of {u.name}")
    for o in spec.outputs:
        claim(plain_name(spec.unit(o).target_latex), f"the target of {o}")


def load_values(path: str | Path, spec: NetworkSpec) -> Values:
    """Read a values file (the spec's `values` block on its own, or under `values:`)."""
    source = read_source(path)
    data = source.data
    if isinstance(data, dict) and set(data) == {"values"}:
        top = data
    else:
        top = {"values": data}
        source = Source(source.file, top, {("values", *k): v for k, v in source.lines.items()})
    r = _Reader(source)
    if not isinstance(top["values"], dict):
        raise r.fail(("values",), f"expected a mapping of values, got {_kind(top['values'])}",
                     hint="keys: " + ", ".join(VALUE_KEYS))
    return _values(r, top, spec)
