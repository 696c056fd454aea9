"""Which networks are layered, and where each layer's W^l and b^l lives in θ.

A network is *layered* when every unit of a layer is fed by every unit of the previous layer
(the inputs for the first) and nothing else, the layer has one activation (elementwise, or
softmax) and its biases are per unit, shared, or absent. :func:`layered_plan` finds that
layout; :mod:`symbackprop.numeric.vectorized` writes the matrix code of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..network.build import Network, Unit
from ..network.losses import loss_scale, require_numeric_loss
from .stand_ins import stand_in

ELEMENTWISE = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "sin")


@dataclass(frozen=True)
class Block:
    """Where one W^l or b^l lives in the parameter vector θ.

    ``kind`` is ``slice`` (θ[start:start + size], row-major), ``shared`` (one entry θ[start]
    everywhere) or ``index`` (θ gathered at ``index``).
    """

    kind: str
    shape: tuple[int, ...]
    start: int = 0
    index: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))


@dataclass(frozen=True)
class DenseLayer:
    """One fully connected layer: z = a_prev Wᵀ + b, a = f(z)."""

    position: int  # 1-based
    name: str
    units: tuple[str, ...]
    activation: str
    alpha: float | None
    weights: Block
    bias: Block | None


@dataclass(frozen=True)
class LayeredPlan:
    """The matrix layout of a layered network."""

    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    layers: tuple[DenseLayer, ...]
    param_names: tuple[str, ...]
    loss_kind: str
    loss_scale: float

    @property
    def sizes(self) -> tuple[int, ...]:
        return (len(self.inputs), *(len(lay.units) for lay in self.layers))


def _block(indices: Sequence[int], shape: tuple[int, ...]) -> Block:
    first = indices[0]
    if all(i == first for i in indices):
        return Block("shared", shape, start=first)
    if list(indices) == list(range(first, first + len(indices))):
        return Block("slice", shape, start=first)
    return Block("index", shape, index=tuple(indices))


def _numeric_kind(net: Network, unit: Unit) -> str:
    """The activation a unit is computed with: its own, or the stand-in of an unspecified f."""
    act = unit.activation
    if act.kind == "unspecified":
        return stand_in(net, act.fname or "f")
    return act.kind


def layered_plan(net: Network) -> LayeredPlan | None:
    """The matrix layout of ``net``, or None when it is not a plain layered network.

    >>> net = build_network(load_spec("specs/tanh-regression.yaml"))  # doctest: +SKIP
    >>> layered_plan(net).sizes  # doctest: +SKIP
    (2, 3, 1)
    """
    spec = net.spec
    require_numeric_loss(spec.loss, spec.file)
    if net.decay is not None:
        return None  # the matrix code has no weight decay: the scalar code adds λ w
    if any(not u.weighted for u in net.units):
        return None  # a pooling unit is a max or a mean, a formula node any expression
    if net.frozen:
        return None  # a frozen parameter has no entry in θ: the scalar code keeps it fixed
    if any(lay.embedding is not None for lay in spec.layers):
        return None  # an embedding unit is a table entry looked up, not a weighted sum
    position = {p.name: k for k, p in enumerate(spec.params)}
    previous = tuple(i.name for i in spec.inputs)
    layers: list[DenseLayer] = []
    for lay in spec.layers:
        units = [net.unit_by_name[n] for n in lay.units]
        if any(u.constant is not None for u in units):
            return None  # a constant bias has no block of θ: the scalar code adds it
        kinds = {(_numeric_kind(net, u), u.activation.alpha) for u in units}
        if len(kinds) != 1:
            return None
        ((kind, alpha),) = kinds
        if kind not in ELEMENTWISE and kind != "softmax":
            return None
        column = {name: k for k, name in enumerate(previous)}
        weights: list[int] = []
        for u in units:
            row = [-1] * len(previous)
            for source, w in u.incoming:
                k = column.get(source)
                if k is None or row[k] != -1:
                    return None
                row[k] = position[w.name]
            if -1 in row:
                return None
            weights += row
        with_bias = [u.bias is not None for u in units]
        if any(with_bias) and not all(with_bias):
            return None
        bias = (_block([position[u.bias.name] for u in units if u.bias is not None],
                       (len(units),)) if all(with_bias) else None)
        layers.append(DenseLayer(
            position=lay.position, name=lay.name, units=lay.units, activation=kind,
            alpha=float(alpha) if alpha is not None else None,
            weights=_block(weights, (len(units), len(previous))), bias=bias,
        ))
        previous = lay.units
    return LayeredPlan(
        inputs=tuple(i.name for i in spec.inputs), outputs=tuple(spec.outputs),
        layers=tuple(layers), param_names=tuple(p.name for p in spec.params),
        loss_kind=spec.loss.kind, loss_scale=float(loss_scale(spec.loss, len(spec.outputs))),
    )
