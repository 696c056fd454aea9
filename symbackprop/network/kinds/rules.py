"""The printed rules of every layer kind that brings its own, in the order derive prints
them below the δ recurrences: pooling, dropout, embedding, attention (index, then tensor
form), batch_norm and layer_norm."""

from __future__ import annotations

from typing import Any

from ...spec.model import NetworkSpec
from .attention import attention_rules, attention_tensor_rules
from .batch_norm import batch_norm_rules
from .dropout import dropout_rules
from .embedding import embedding_rules
from .layer_norm import norm_rules
from .pool import pool_rules


def kind_rules(spec: NetworkSpec) -> list[Any]:
    """Every kind's rules for ``spec`` (each with ``text`` and ``latex``)."""
    return [*pool_rules(spec), *dropout_rules(spec), *embedding_rules(spec),
            *attention_rules(spec), *attention_tensor_rules(spec), *batch_norm_rules(spec),
            *norm_rules(spec)]
