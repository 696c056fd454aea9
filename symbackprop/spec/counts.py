"""The bounds on a spec's size, counted before anything is made: inputs and units from the
layer records, parameters from the connections they imply (weights, biases, explicit edges)."""

from __future__ import annotations

from typing import Any

from ..errors import SpecError, did_you_mean
from .kinds.conv_layers import conv_count
from .kinds.gated import gated_count
from .kinds.recurrent import recurrent_count
from .model import InputSpec, LayerSpec
from .reader import Reader
from .source import Path_


def count_units(r: Reader, items: list[Any], total: int) -> None:
    """Refuse more inputs and units than the bound before making any of them."""
    for pos, layer in enumerate(items):
        if not isinstance(layer, dict):
            continue  # reported where the layer is read
        for key in ("units", "size"):
            value = layer.get(key)
            if isinstance(value, list):
                total += len(value)
            elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
                try:
                    total += int(r.number(("layers", pos, key)))
                except (SpecError, OverflowError, ValueError):
                    continue  # reported where the layer is read
            else:
                continue
            if total > r.limits.max_units:
                raise r.fail(("layers", pos, key), f"more than {r.limits.max_units} inputs "
                             "and units", hint="raise the bound with --max-units if this "
                             "network is real")


def count_parameters(r: Reader, top: dict[str, Any], inputs: list[InputSpec],
                      layers: list[LayerSpec]) -> dict[int, list[str]]:
    """The sources of every fully connected layer, once the parameters they imply (weights,
    biases, explicit edges) are known to stay within the bound: counted before any is made."""
    sources_of: dict[int, list[str]] = {}
    total = 0
    for lay in layers:
        lp: Path_ = ("layers", lay.position - 1)
        layer = r.get(lp)
        if lay.conv is not None:
            total += conv_count(r, lp, lay.conv, total)
            continue
        if lay.recurrent is not None:
            total += recurrent_count(r, lp, lay, total)
            continue
        if lay.gated is not None:
            total += gated_count(r, lp, lay.gated, total)
            continue
        if lay.pool is not None or lay.dropout is not None:
            continue
        if lay.batch is not None:  # shared by the examples: one example's weights, biases
            g = lay.batch
            total += 2 * g.size if g.epsilon is not None else (g.sources + 1) * g.size
            if total > r.limits.max_params:
                raise r.fail(lp, f"more than {r.limits.max_params} parameters",
                             hint="raise the bound with --max-params if this network is real")
            continue
        if lay.norm is not None:  # γ_j and β_j
            total += 2 * lay.norm.size
            continue
        if lay.attention is not None:  # W^Q, W^K and W^V, d × d each
            total += 3 * lay.attention.width ** 2
            continue
        if lay.embedding is not None:  # its table, bounded where the layer is read
            total += lay.embedding.vocabulary * lay.embedding.dim
            continue
        connect = layer.get("connect", "full")
        if connect not in ("full", "none"):
            raise r.fail((*lp, "connect"), f"unknown choice `{connect}`",
                         hint=did_you_mean(str(connect), ("full", "none")))
        if connect == "full":
            sources_of[lay.position] = _source_units(r, lp, layer, lay.position, inputs,
                                                     layers)
            total += len(sources_of[lay.position]) * len(lay.units)
        total += len(lay.units)
        if total > r.limits.max_params:
            raise r.fail(lp, f"more than {r.limits.max_params} parameters",
                         hint="raise the bound with --max-params if this network is real")
    edges = top.get("edges")
    if isinstance(edges, list) and total + len(edges) > r.limits.max_params:
        raise r.fail(("edges",), f"more than {r.limits.max_params} parameters",
                     hint="raise the bound with --max-params if this network is real")
    return sources_of


def _source_units(r: Reader, lp: Path_, layer: dict[str, Any], pos: int,
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
            adding = [i.name for i in inputs]
        elif word in by_name:
            if by_name[word].position >= pos:
                raise r.fail(fp, f"layer `{word}` does not come before this layer",
                             hint="`from` may name only earlier layers")
            adding = list(by_name[word].units)
        elif word in all_units:
            adding = [word]
        else:
            raise r.fail(fp, f"no layer, input or unit called `{word}`",
                         hint=did_you_mean(word, [*by_name, "inputs", *all_units]))
        twice = [u for u in adding if u in out]
        if twice:
            raise r.fail(fp, f"`{twice[0]}` is already a source of this layer",
                         hint="list every source once; a second edge from it would have no "
                              "weight of its own")
        out.extend(adding)
    return out
