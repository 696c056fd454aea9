"""The wiring part of a spec: layers, units, weights, biases, explicit edges.

Acyclicity is checked in :mod:`symbackprop.spec.acyclic` (re-exported here); convolution
layers are read by :mod:`symbackprop.spec.kinds.conv_layers`.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Any

from ..errors import did_you_mean
from .acyclic import check_acyclic as check_acyclic
from .confusables import skeleton
from .counts import count_parameters, count_units
from .full_layers import add_template_params, template_weights
from .kind_layers import kind_keys, read_kind_layer
from .kinds.batch import batch_of, batched_connections
from .kinds.batch_norm import BATCH_NORM_KIND, batch_norm_units, read_batched_layer
from .kinds.conv import CONV_KEYS, CONV_KINDS, layer_kind
from .kinds.conv_layers import conv_connections, read_conv_layer
from .kinds.embedding import embedding_connections
from .kinds.gated import formula_units, gated_connections
from .kinds.recurrent import (
    initial_units,
    layer_keys,
    read_recurrent_layer,
    recurrent_connections,
)
from .matrix_names import read_matrix_names
from .model import (
    ACTIVATION_ALIASES,
    ACTIVATION_KINDS,
    UNSPECIFIED_ACTIVATIONS,
    ActivationSpec,
    EdgeSpec,
    InputSpec,
    LayerSpec,
    Notation,
    ParamSpec,
    UnitSpec,
)
from .naming import auto_latex, expand, identifier_hint, is_identifier, name_key, plain_name
from .reader import Reader, field_name, kind_of
from .source import Path_
from .tex import read_math

LAYER_KEYS = ("name", "kind", "units", "size", "activation", "bias", "weights", "from",
              "connect", "matrices")
UNIT_KEYS = ("name", "latex", "net", "target", "delta", "activation")


def read_activation(r: Reader, path: Path_) -> ActivationSpec:
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
    if kind in UNSPECIFIED_ACTIVATIONS:
        return ActivationSpec("unspecified", fname=fname or (kind if kind != "unspecified"
                                                              else "f"))
    canonical = ACTIVATION_ALIASES.get(kind, kind)
    if canonical not in ACTIVATION_KINDS:
        raise r.fail(path, f"unknown activation `{kind}`",
                     hint=did_you_mean(kind, [*ACTIVATION_KINDS, *ACTIVATION_ALIASES,
                                              "unspecified"]))
    if canonical == "leaky_relu" and alpha is None:
        alpha = Fraction(1, 100)
    if alpha is not None and canonical != "leaky_relu":
        raise r.fail(path, f"`alpha` applies only to leaky_relu, not {canonical}")
    return ActivationSpec(canonical, alpha=alpha)


def read_layers(r: Reader, top: dict[str, Any], notation: Notation, inputs: list[InputSpec]
            ) -> tuple[list[LayerSpec], list[UnitSpec]]:
    path: Path_ = ("layers",)
    items = r.name_list(path)
    if not items:
        raise r.fail(path, "a network needs at least one layer")
    count_units(r, items, len(inputs))
    layers: list[LayerSpec] = []
    units: list[UnitSpec] = []
    layer_of: dict[str, int] = {i.name: 0 for i in inputs}
    unit_keys = {skeleton(name_key(i.name)): i.name for i in inputs}
    seen_layer_names: set[str] = {"inputs"}
    for pos, _ in enumerate(items, start=1):
        lp: Path_ = (*path, pos - 1)
        kind = layer_kind(r, lp)
        if batch_of(top) is not None:  # every layer applied to each example of the batch
            made = read_batched_layer(r, lp, (kind, pos), notation, top, layers, inputs,
                                      seen_layer_names, read_activation=read_activation,
                                      claim=partial(_claim_unit_names, r, where=lp),
                                      output=pos == len(items))
            layers.append(made[0])
            units += made[1]
            continue
        if kind == BATCH_NORM_KIND:
            raise r.fail((*lp, "kind"), "a batch_norm layer normalises over a batch of "
                         "examples", hint="e.g. `inputs: {size: 1, batch: 3}`")
        stepped = layer_keys(kind, layers[-1] if layers else None)
        layer = r.mapping(lp, kind_keys(kind, layers[-1] if layers else None) or stepped or
                          (CONV_KEYS if kind in CONV_KINDS else LAYER_KEYS))
        number = notation.first_layer + pos
        name = r.string((*lp, "name"), identifier=True) if "name" in layer else f"layer{pos}"
        if name in seen_layer_names:
            raise r.fail((*lp, "name"), f"layer name `{name}` is used twice")
        seen_layer_names.add(name)
        claim = partial(_claim_unit_names, r, where=lp, output=pos == len(items))
        made = read_kind_layer(r, lp, kind, (name, pos, number), top=top, notation=notation,
                               inputs=inputs, layers=layers, items=items, layer_of=layer_of,
                               unit_keys=unit_keys,
                               claim_names=partial(_claim_unit_names, r, where=lp),
                               read_activation=read_activation)
        if made is not None:
            layers.append(made[0])
            units += made[1]
            continue
        if "activation" not in layer:
            raise r.fail(lp, "missing required key `activation`",
                         hint="e.g. `activation: sigmoid`")
        act = read_activation(r, (*lp, "activation"))
        if stepped is not None:  # a recurrent layer, or its output at every step
            made = read_recurrent_layer(
                r, lp, kind, (name, pos, number), act, top, layers, last=pos == len(items),
                claim=partial(_claim_unit_names, r, where=lp))
            layers.append(made[0])
            units += made[1]
            continue
        if kind in CONV_KINDS:
            conv = read_conv_layer(r, lp, kind, (name, pos, number), act, notation, top, layers,
                                   layer_of=layer_of, unit_keys=unit_keys, claim=claim)
            layers.append(conv[0])
            units += conv[1]
            continue
        if "units" in layer and "size" in layer:
            raise r.fail((*lp, "size"), "give either `units` or `size`, not both")
        raw_units: list[Any]
        if "units" in layer and (not isinstance(layer["units"], int)
                                 or isinstance(layer["units"], bool)):
            raw_units = r.name_list((*lp, "units"))
            count_path: Path_ = (*lp, "units")
        elif "units" in layer or "size" in layer:
            count_path = (*lp, "units" if "units" in layer else "size")
            n = r.number(count_path)
            if n.denominator != 1 or n < 1:
                raise r.fail(count_path, "expected a whole number of units ≥ 1")
            if len(layer_of) + n > r.limits.max_units:
                raise r.fail(count_path, f"more than {r.limits.max_units} inputs and units",
                             hint="raise the bound with --max-units if this network is real")
            raw_units = [None] * int(n)
        else:
            raise r.fail(lp, "missing `units` (a list of names) or `size` (a count)")
        if not raw_units:
            raise r.fail((*lp, "units"), "a layer needs at least one unit")
        if len(layer_of) + len(raw_units) > r.limits.max_units:
            raise r.fail(count_path, f"more than {r.limits.max_units} inputs and units",
                         hint="raise the bound with --max-units if this network is real")
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
                        overrides[key] = read_math(r, (*up, key))
                if "activation" in given:
                    unit_act = read_activation(r, (*up, "activation"))
                    if unit_act.kind == "softmax" or act.kind == "softmax":
                        raise r.fail((*up, "activation"),
                                     "softmax applies to a whole layer, not one unit")
            else:
                uname = r.string(up, identifier=True)
            seen = unit_keys.get(skeleton(name_key(uname)))
            if seen is not None or uname == "inputs":
                alike = seen is not None and name_key(seen) != name_key(uname)
                raise r.fail(up, f"unit name `{uname}` " + (
                    f"looks like `{seen}` (Unicode confusables, TR39)" if alike
                    else "is already used"), hint="every input and unit needs its own name"
                    + (" (`inputs` means all inputs in `from`)" if uname == "inputs" else ""))
            unit_keys[skeleton(name_key(uname))] = uname
            layer_of[uname] = pos
            names.append(uname)
            fields["unit"] = uname
            unit = UnitSpec(
                name=uname, layer=pos, index=idx, activation=unit_act,
                latex=overrides.get("latex") or expand(notation.activation, **fields),
                net_latex=overrides.get("net") or expand(notation.net, **fields),
                target_latex=overrides.get("target") or expand(notation.target, **fields),
                delta_latex=overrides.get("delta") or expand(notation.delta, **fields),
                named=raw is not None,
            )
            where = up if raw is not None else (*lp, "units" if "units" in layer else "size")
            _claim_unit_names(r, unit, where, output=pos == len(items))
            if unit_act.kind == "unspecified" and unit_act.fname:
                apath = (*up, "activation") if unit_act is not act else (*lp, "activation")
                r.claim_function(apath, unit_act.fname)
            units.append(unit)
        matrices = read_matrix_names(r, lp, name, bias=layer.get("bias") != "none")
        layers.append(LayerSpec(name, pos, number, tuple(names), act, matrices=matrices))
    for lay in layers:
        if skeleton(name_key(lay.name)) in unit_keys:
            raise r.fail(("layers", lay.position - 1, "name"),
                         f"`{lay.name}` names both a layer and a unit or input",
                         hint="`from` could not tell which one is meant; rename one")
    return layers, units


def _claim_unit_names(r: Reader, unit: UnitSpec, where: Path_, *, output: bool) -> None:
    """A unit's net input, activation, δ and (on the output layer) target: four names."""
    owner = unit.name
    r.claim(where, "net input", owner, plain_name(unit.net_latex), unit.net_latex)
    shares = ("net input", owner) if unit.activation.kind == "linear" else None
    r.claim(where, "activation", owner, plain_name(unit.latex), unit.latex, shares=shares)
    r.claim(where, "delta", owner, plain_name(unit.delta_latex), unit.delta_latex)
    if output:
        r.claim(where, "target", owner, plain_name(unit.target_latex), unit.target_latex)


def read_connections(r: Reader, top: dict[str, Any], notation: Notation,
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

    derived: dict[str, Path_] = {}  # parameters named by a notation template, and where

    def add_param(name: str, latex: str, kind: str, path: Path_, *, template: bool = False
                  ) -> None:
        if not is_identifier(name):
            raise r.fail(path, f"`{name}` is not a valid parameter name",
                         hint=identifier_hint(name))
        if name in layer_of:
            raise r.fail(path, f"`{name}` names {'an input' if layer_of[name] == 0 else 'a unit'}"
                         ", not a parameter")
        if name in kinds and kinds[name] != kind:
            raise r.fail(path, f"`{name}` is used both as a weight and as a bias")
        if name in params and (template or name in derived):
            first = derived.get(name, path)
            raise r.fail(path, f"two different {kind}s would both be named `{name}`",
                         hint=f"the notation template `{getattr(notation, kind)}` gives "
                              f"that name twice (first at {field_name(first)}); separate its "
                              f"indices, e.g. with a comma, or name the {kind}s yourself")
        if template:
            derived[name] = path
        r.claim(path, "parameter", name, name, latex)
        kinds[name] = kind
        params.setdefault(name, ParamSpec(name, latex, kind))

    def weight_layer(target_pos: int) -> int:
        pos = target_pos if notation.weight_layer == "target" else target_pos - 1
        return number_of_pos[pos]

    sources_of = count_parameters(r, top, inputs, layers)
    for lay in layers:
        lp: Path_ = ("layers", lay.position - 1)
        layer = r.get(lp)
        if lay.pool is not None or lay.dropout is not None:  # no parameters: the spec's `pools`
            continue
        if lay.batch is not None and lay.batch.epsilon is not None:  # γ_j, β_j: formulas
            for (gname, glatex), (bname, blatex) in zip(lay.batch.gammas, lay.batch.betas,
                                                        strict=True):
                add_param(gname, glatex, "weight", (*lp, "kind"))
                add_param(bname, blatex, "bias", (*lp, "kind"))
            continue
        if lay.batch is not None:  # shared over the examples of the batch
            made = batched_connections(lay, inputs, layers, weight_layer(lay.position),
                                       add_param, lp)
            edges += made[0]
            biases += made[1]
            continue
        if lay.norm is not None:  # γ_j and β_j, read by the layer's formulas
            for (gname, glatex), (bname, blatex) in zip(lay.norm.gammas, lay.norm.betas,
                                                        strict=True):
                add_param(gname, glatex, "weight", (*lp, "kind"))
                add_param(bname, blatex, "bias", (*lp, "kind"))
            continue
        if lay.attention is not None:  # W^Q, W^K and W^V, read by the layer's formulas
            for names in lay.attention.weights:
                for wname, wlatex in names:
                    add_param(wname, wlatex, "weight", (*lp, "kind"))
            continue
        if lay.gated is not None:  # every gate's W, U and b, shared by the steps
            made = gated_connections(lp, lay, layers, add_param)
            edges += made[0]
            biases += made[1]
            continue
        if lay.embedding is not None:  # the table's entries, each unit's where a bias stands
            biases += embedding_connections(lay, notation, add_param, lp)
            continue
        if lay.conv is not None or lay.recurrent is not None:  # shared over positions, steps
            made = conv_connections(r, lp, lay, inputs, layers, notation,
                                    weight_layer(lay.position), add_param) \
                if lay.conv is not None else recurrent_connections(r, lp, lay, layers, add_param)
            edges += made[0]
            biases += made[1]
            continue
        if lay.position in sources_of:
            sources = sources_of[lay.position]
            # a source's index in its own layer, unless two sources share one (skip links)
            by_index = len({unit_index[src] for src in sources}) == len(sources)
            # every weight named by the notation: made and checked at once where none fails
            batch = [] if "weights" in layer else template_weights(
                notation.weight, weight_layer(lay.position), lay.units,
                [str(unit_index[src] if by_index else k) for k, src in enumerate(sources, 1)])
            if batch and add_template_params(r, batch, "weight", (*lp, "weights"),
                                             layer_of=layer_of, kinds=kinds, params=params,
                                             derived=derived):
                pairs = [(t, src) for t in lay.units for src in sources]
                edges += [EdgeSpec(src, t, n) for (t, src), (n, _) in zip(pairs, batch,
                                                                          strict=True)]
            else:
                names = _weight_names(r, lp, layer, lay, sources)
                for j, target in enumerate(lay.units, start=1):
                    for k, source in enumerate(sources, start=1):
                        wname, wpath = names[(target, source)]
                        if wname is None:
                            continue
                        default = expand(notation.weight, layer=weight_layer(lay.position),
                                         j=j, k=unit_index[source] if by_index else k, unit=target)
                        from_template = wname == ""
                        if from_template:
                            wname = plain_name(default)
                            latex = default
                        else:
                            latex = auto_latex(wname)
                        add_param(wname, latex, "weight", wpath, template=from_template)
                        edges.append(EdgeSpec(source, target, wname))
        elif "weights" in layer:
            raise r.fail((*lp, "weights"), "`weights` needs `connect: full`",
                         hint="with `connect: none` name weights in top-level `edges`")
        # biases
        bp: Path_ = (*lp, "bias")
        braw = layer.get("bias", "per_unit")
        if braw in (None, False, "none") or isinstance(braw, dict):  # a constant: conventions
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
                add_param(name, latex, "bias", bp, template=True)
                biases.append((target, name))
        else:
            name = r.string(bp, identifier=True)
            add_param(name, auto_latex(name), "bias", bp)
            for target in lay.units:
                biases.append((target, name))
    # explicit edges
    pairs = {(e.source, e.target) for e in edges}
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
            if (src, dst) in pairs:
                raise r.fail(ep, f"the edge {src} → {dst} already exists")
            pairs.add((src, dst))
            if "weight" in e:
                wname = r.string((*ep, "weight"), identifier=True)
                latex = read_math(r, (*ep, "latex")) if "latex" in e else auto_latex(wname)
            else:
                latex = expand(notation.weight, layer=number_of_pos[layer_of[dst]],
                               j=unit_index[dst], k=unit_index[src], unit=dst)
                if plain_name(latex) in params:  # a skip link: the source's index is taken
                    latex = expand(notation.weight, layer=number_of_pos[layer_of[dst]],
                                   j=unit_index[dst], k=src, unit=dst)
                wname = plain_name(latex)
            add_param(wname, latex, "weight", (*ep, "weight"), template="weight" not in e)
            edges.append(EdgeSpec(src, dst, wname))
    used = {e.target for e in edges} | initial_units(layers) | formula_units(layers) | {
        u for lay in layers if lay.pool or lay.dropout or lay.embedding or lay.norm
        for u in lay.units} | {u for lay in layers if lay.norm
                               for u in (lay.norm.mean, lay.norm.variance)} | {
        u for lay in layers if lay.attention for u in (*lay.units, *lay.attention.nodes)} | {
        u for lay in layers for u in batch_norm_units(lay)}
    for u in units:
        if u.name not in used:
            lay = layers[u.layer - 1]
            raise r.fail(("layers", u.layer - 1), f"unit `{u.name}` has no incoming edge",
                         hint="connect it with `from` or an entry in `edges`")
    del lay
    return edges, list(params.values()), biases


def _weight_names(r: Reader, lp: Path_, layer: dict[str, Any], lay: LayerSpec,
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
    raise r.fail(wp, f"expected a list of rows or a mapping, got {kind_of(raw)}")


def output_units(units: list[UnitSpec], edges: list[EdgeSpec], layers: list[LayerSpec]
             ) -> list[str]:
    """The units of the last layer: the loss compares them with the targets."""
    return list(layers[-1].units)
