"""Reading a conv1d or conv2d layer into the spec: its units with their names claimed, its
kernel weights and filter biases as shared parameters, and its edges.

:mod:`symbackprop.spec.wiring` calls these for a layer whose ``kind`` is a convolution; the
shapes and index maps are in :mod:`symbackprop.spec.kinds.conv`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model import (
    ActivationSpec,
    ConvGeometry,
    EdgeSpec,
    InputSpec,
    LayerSpec,
    Notation,
    UnitSpec,
)
from ..naming import plain_name
from ..reader import Reader
from ..source import Path_
from .conv import (
    connection_count,
    conv_biases,
    conv_edges,
    conv_weights,
    input_shape,
    made_units,
    read_geometry,
)

AddParam = Callable[..., None]  # wiring's add_param(name, latex, kind, path, template=...)


def read_conv_layer(r: Reader, lp: Path_, kind: str, place: tuple[str, int, int],
                    act: ActivationSpec, notation: Notation, top: dict[str, Any],
                    layers: Sequence[LayerSpec], *, layer_of: dict[str, int],
                    unit_keys: dict[str, str], claim: Callable[[UnitSpec], None]
                    ) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's geometry and units; ``claim`` claims a unit's four names."""
    name, pos, number = place
    if act.kind == "softmax":
        raise r.fail((*lp, "activation"), f"softmax does not apply to a {kind} layer",
                     hint="put a dense softmax layer after it")
    source = input_shape(top) if pos == 1 else layers[-1].shape
    geometry = read_geometry(r, lp, kind, source)
    made = made_units(r, lp, "filters", geometry.output, (number, pos), act, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    if act.kind == "unspecified" and act.fname:
        r.claim_function((*lp, "activation"), act.fname)
    return LayerSpec(name, pos, number, tuple(u.name for u in made), act, geometry), made


def has_bias(r: Reader, lp: Path_) -> bool:
    """Whether a convolution layer has a bias per filter (``bias: none`` says it has not)."""
    raw = r.get(lp).get("bias", "per_filter")
    if raw in ("per_filter", True):
        return True
    if raw in (None, False, "none"):
        return False
    raise r.fail((*lp, "bias"), f"unknown choice `{raw}`",
                 hint="a convolution has one bias per filter (`per_filter`) or `none`")


def conv_count(r: Reader, lp: Path_, geometry: ConvGeometry, total: int) -> int:
    """The layer's edges and biases, refused when ``total`` and they pass the bound."""
    count = connection_count(geometry, has_bias(r, lp))
    if total + count > r.limits.max_params:
        raise r.fail(lp, f"more than {r.limits.max_params} parameters and connections",
                     hint="raise the bound with --max-params if this network is real")
    return count


def conv_connections(r: Reader, lp: Path_, lay: LayerSpec, inputs: Sequence[InputSpec],
                     layers: Sequence[LayerSpec], notation: Notation, weight_layer: int,
                     add_param: AddParam) -> tuple[list[EdgeSpec], list[tuple[str, str]]]:
    """The layer's edges and (unit, bias) pairs; each kernel weight and filter bias is
    added once with ``add_param`` and shared by every position."""
    assert lay.conv is not None
    sources = [i.name for i in inputs] if lay.position == 1 \
        else list(layers[lay.position - 2].units)
    weight: dict[tuple[int, ...], str] = {}
    for key, latex in conv_weights(lay.conv, weight_layer, notation):
        weight[key] = plain_name(latex)
        add_param(weight[key], latex, "weight", (*lp, "kernel"), template=True)
    edges = conv_edges(lay.conv, sources, lay.units, weight)
    if not has_bias(r, lp):
        return edges, []
    filter_bias = []
    for latex in conv_biases(lay.conv, weight_layer, notation):
        filter_bias.append(plain_name(latex))
        add_param(filter_bias[-1], latex, "bias", lp, template=True)
    per = len(lay.units) // lay.conv.filters
    return edges, [(u, filter_bias[k // per]) for k, u in enumerate(lay.units)]
