"""Embedding units in the network: the engine's gradient of a table entry, with nothing of its
own for embeddings, is the printed rule ∂L/∂E_{v,k} = Σ_{t : token_t = v} δ_{t,k} for every
row and column, with the tokens the rule prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.network.kinds.embedding import embedding_rules
from symbackprop.spec.load import load_spec

SPEC = """inputs: {tokens: 5}
layers:
  - {name: embed, kind: embedding, vocabulary: 3, dim: 2}
  - {units: 2, activation: sigmoid}
  - {units: 1, activation: linear}
loss: squared_error
values:
  tokens: [2, 2, 1, 2, 1]
"""


@pytest.mark.parametrize("source", ["bundled", "three-repeats"])
def test_the_printed_rule_is_the_engines_gradient_of_every_entry(
        tmp_path: Path, source: str) -> None:
    if source == "bundled":
        path = SPECS / "embedding.yaml"
    else:
        path = tmp_path / "net.yaml"
        path.write_text(SPEC, encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    (rule,) = embedding_rules(net.spec)
    assert r"\sum_{t : \mathrm{token}_t = v}" in rule.latex
    found = re.search(r"token = \(([^)]*)\)$", rule.text)
    assert found is not None and "Σ_{t : token_t = v} δ^{[1]}_{t,k}" in rule.text
    tokens = [int(t) for t in found.group(1).split(", ")]
    table = net.spec.layers[0].embedding
    assert table is not None
    for v in range(1, table.vocabulary + 1):
        for k in range(1, table.dim + 1):
            expected = sp.Add(*[net.unit_by_name[f"u1_{t}_{k}"].delta
                                for t, token in enumerate(tokens, start=1) if token == v])
            got = grads.derivation(net.symbol_by_name[f"E_{v}_{k}"]).delta_form
            assert sp.expand(got - expected) == 0, (v, k, got)
