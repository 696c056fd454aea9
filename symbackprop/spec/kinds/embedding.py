"""The embedding layer kind: a table E of V rows of width d, looked up by token ids.

A network of ``inputs: {tokens: T}`` reads T token ids, given as data in the spec's values
(``values: {tokens: [3, 1, 3]}``, ids from 1 to V, the same for every example). An embedding
layer, the first layer, has one unit per (position t, column k),

    e_{t,k} = E_{token_t, k},

linear, with no incoming edge: its net input is the table entry, held where a unit's bias is
held. E_{v,k} is one parameter named by every position whose token is v, so a token that
occurs twice accumulates both gradients, ∂L/∂E_{v,k} = Σ_{t : token_t = v} ∂L/∂e_{t,k}, as the
sum over a shared parameter's uses. A row no token looks up has gradient 0.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..model import ActivationSpec, EmbeddingGeometry, LayerSpec, Notation, UnitSpec
from ..reader import Reader, kind_of
from ..source import Path_
from .conv import made_units

EMBEDDING_KIND = "embedding"
EMBEDDING_KEYS = ("name", "kind", "vocabulary", "dim")
LINEAR = ActivationSpec("linear")  # an embedding unit's value is its table entry
TABLE = "E"  # the table's name, E_{v,k} (Goodfellow et al. §12.4; CS231n's W_embed)
TOKENS_HINT = "give one token id per position, each from 1 to the vocabulary size V, " \
    "e.g. `values: {tokens: [3, 1, 3]}`"


def token_count(r: Reader, top: dict[str, Any]) -> int | None:
    """T of ``inputs: {tokens: T}``, or None for other inputs."""
    value = top.get("inputs")
    if not (isinstance(value, dict) and set(value) == {"tokens"}):
        return None
    n = r.number(("inputs", "tokens"))
    if n.denominator != 1 or n < 1:
        raise r.fail(("inputs", "tokens"), "expected a whole number of positions ≥ 1",
                     hint="`inputs: {tokens: 3}` reads three token ids")
    if n > r.limits.max_units:
        raise r.fail(("inputs", "tokens"), f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    return int(n)


def read_embedding_layer(r: Reader, lp: Path_, place: tuple[str, int, int],
                         notation: Notation, top: dict[str, Any], *,
                         layer_of: dict[str, int], unit_keys: dict[str, str],
                         claim: Callable[[UnitSpec], None]) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's table size and tokens, and its units u{l}_{t}_{k}."""
    name, pos, number = place
    steps = token_count(r, top)
    if pos != 1 or steps is None:
        raise r.fail((*lp, "kind"), "an embedding layer is the first layer, over "
                     "`inputs: {tokens: T}`",
                     hint="write `inputs: {tokens: 3}` and the ids in `values: {tokens: ...}`")
    sizes = []
    for key, what in (("vocabulary", "the vocabulary size V"), ("dim", "the width d")):
        if key not in r.get(lp):
            raise r.fail(lp, f"missing required key `{key}` ({what})",
                         hint="e.g. `{kind: embedding, vocabulary: 4, dim: 2}`")
        n = r.number((*lp, key))
        if n.denominator != 1 or n < 1:
            raise r.fail((*lp, key), f"expected a whole number ≥ 1 for {what}")
        sizes.append(int(n))
    vocabulary, dim = sizes
    if vocabulary * dim > r.limits.max_params:
        raise r.fail((*lp, "vocabulary"), f"more than {r.limits.max_params} parameters",
                     hint="raise the bound with --max-params if this network is real")
    tokens = read_tokens(r, steps, vocabulary)
    made = made_units(r, lp, "dim", (steps, dim), (number, pos), LINEAR, notation,
                      layer_of=layer_of, unit_keys=unit_keys, claim=claim)
    geometry = EmbeddingGeometry(vocabulary, dim, tokens)
    return LayerSpec(name, pos, number, tuple(u.name for u in made), LINEAR,
                     embedding=geometry), made


def read_tokens(r: Reader, steps: int, vocabulary: int) -> tuple[int, ...]:
    """``values.tokens``: ``steps`` ids, each from 1 to ``vocabulary``."""
    values = r.src.data.get("values") if isinstance(r.src.data, dict) else None
    if not isinstance(values, dict) or "tokens" not in values:
        raise r.fail(("values",) if isinstance(values, dict) else ("inputs", "tokens"),
                     "the token ids are missing", hint=TOKENS_HINT)
    path: Path_ = ("values", "tokens")
    raw = values["tokens"]
    if not isinstance(raw, list):
        raise r.fail(path, f"expected a list of {steps} token ids, got {kind_of(raw)}",
                     hint=TOKENS_HINT)
    if len(raw) != steps:
        raise r.fail(path, f"{len(raw)} token ids for {steps} positions "
                     "(`inputs: {tokens: " + str(steps) + "}`)",
                     hint=f"give one id for each of the {steps} positions")
    tokens = []
    for k, entry in enumerate(raw):
        value = r.number((*path, k)) if not isinstance(entry, bool) else Fraction(1, 2)
        if value.denominator != 1 or not 1 <= value <= vocabulary:
            raise r.fail((*path, k), f"token id {entry!r} is outside the vocabulary "
                         f"1..{vocabulary}",
                         hint=f"ids count from 1 to V = {vocabulary} (`vocabulary` of the "
                              "embedding layer)")
        tokens.append(int(value))
    return tuple(tokens)


def embedding_connections(lay: LayerSpec, notation: Notation,
                          add_param: Callable[..., None], lp: Path_
                          ) -> list[tuple[str, str]]:
    """Every table entry E_{v,k} as a parameter, and each unit (t, k) with E_{token_t,k}
    where a unit's bias stands."""
    geometry = lay.embedding
    assert geometry is not None
    del notation  # the table is named E_{v,k} whatever the notation's weights are called
    for v in range(1, geometry.vocabulary + 1):
        for k in range(1, geometry.dim + 1):
            add_param(f"{TABLE}_{v}_{k}", f"{TABLE}_{{{v},{k}}}", "weight", (*lp, "vocabulary"))
    units = iter(lay.units)
    return [(next(units), f"{TABLE}_{token}_{k}")
            for token in geometry.tokens for k in range(1, geometry.dim + 1)]


def require_embedding(r: Reader, top: dict[str, Any], layers: list[LayerSpec]) -> None:
    """``inputs: {tokens: T}`` is read by an embedding layer, the first layer."""
    if token_count(r, top) is not None and (not layers or layers[0].embedding is None):
        raise r.fail(("inputs", "tokens"), "token ids are read by an embedding layer, and the "
                     "first layer is none", hint="begin `layers:` with "
                     "`{kind: embedding, vocabulary: V, dim: d}`")
