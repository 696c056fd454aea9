"""Reading a layer of a kind that makes its own units: pooling, embedding, dropout,
layer_norm, attention, lstm and gru. Each kind's module reads its keys and makes its layer
and units; this module says which keys a kind takes and calls the kind's reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from .kinds.attention import (
    ATTENTION_KEYS,
    ATTENTION_KIND,
    attention_count,
    read_attention_layer,
)
from .kinds.conv import input_shape
from .kinds.dropout import DROPOUT_KEYS, DROPOUT_KIND, read_dropout_layer
from .kinds.embedding import EMBEDDING_KEYS, EMBEDDING_KIND, read_embedding_layer
from .kinds.gated import gated_keys, read_gated_layer
from .kinds.layer_norm import (
    LAYER_NORM_KEYS,
    LAYER_NORM_KIND,
    layer_norm_count,
    read_layer_norm_layer,
)
from .kinds.pool import POOL_KEYS, POOL_KINDS, read_pool_layer
from .model import InputSpec, LayerSpec, Notation, UnitSpec
from .reader import Reader
from .source import Path_

_KEYS = {DROPOUT_KIND: DROPOUT_KEYS, EMBEDDING_KIND: EMBEDDING_KEYS,
         LAYER_NORM_KIND: LAYER_NORM_KEYS, ATTENTION_KIND: ATTENTION_KEYS,
         **dict.fromkeys(POOL_KINDS, POOL_KEYS)}


def kind_keys(kind: str, below: LayerSpec | None) -> tuple[str, ...] | None:
    """The keys a layer of ``kind`` takes (``below``: the layer under it), None for a kind
    read elsewhere (dense, convolutional, recurrent)."""
    return gated_keys(kind, below) or _KEYS.get(kind)


def read_kind_layer(r: Reader, lp: Path_, kind: str, place: tuple[str, int, int], *,
                    top: dict[str, Any], notation: Notation, inputs: list[InputSpec],
                    layers: list[LayerSpec], items: Sequence[Any], layer_of: dict[str, int],
                    unit_keys: dict[str, str], claim_names: Callable[..., None],
                    read_activation: Callable[[Reader, Path_], Any]
                    ) -> tuple[LayerSpec, list[UnitSpec]] | None:
    """The layer and units of a layer of ``kind`` at ``place`` (name, position, printed
    number), None when the kind is read elsewhere. ``claim_names(unit, output=…)`` claims a
    unit's names for the spec."""
    _name, pos, _number = place
    last = pos == len(items)
    claim = partial(claim_names, output=last)
    below = layers[-1] if layers else None
    if kind in POOL_KINDS:  # a max or mean of each window: no activation, no weights
        source = input_shape(top) if pos == 1 else layers[-1].shape
        return read_pool_layer(r, lp, kind, place, notation, source,
                               layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    if kind == EMBEDDING_KIND:  # e_{t,k} = E_{token_t,k}: a table entry, no edges
        return read_embedding_layer(r, lp, place, notation, top,
                                    layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    if kind == DROPOUT_KIND:  # m_j a_j / p for each source unit: no weights
        shape = input_shape(top) if pos == 1 else layers[-1].shape
        size = len(inputs) if pos == 1 else len(layers[-1].units)
        return read_dropout_layer(r, lp, place, notation, top, shape or (size,),
                                  layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    if kind == LAYER_NORM_KIND:  # γ_j (a_j − μ)/√(σ² + ε) + β_j: formula nodes
        return read_layer_norm_layer(r, lp, place, notation, layers, last=last,
                                     several=layer_norm_count(items) > 1,
                                     layer_of=layer_of, unit_keys=unit_keys,
                                     claim=partial(claim_names, output=False))
    if kind == ATTENTION_KIND:  # Q, K, V, S = Q Kᵀ/√d, P = softmax(S), O = P V
        return read_attention_layer(r, lp, place, input_shape(top) if pos == 1 else None,
                                    last=last, several=attention_count(items) > 1,
                                    layer_of=layer_of, unit_keys=unit_keys,
                                    claim=claim_names)
    if gated_keys(kind, below) is not None:  # gates with weighted sums, c and h formula nodes
        return read_gated_layer(r, lp, kind, place, top, layers, last=last,
                                claim=claim_names, read_act=partial(read_activation, r))
    return None
