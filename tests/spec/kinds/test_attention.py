"""attention layers in a spec: Q, K, V, S, P and O as formula nodes of the tokens, of W^Q,
W^K, W^V and of each other, a causal mask that leaves out S_{t,u} and P_{t,u} for u > t, and
one located message (file, line, field, hint) for every misplaced or malformed head."""

from __future__ import annotations

from pathlib import Path

import pytest
from spec_texts import load_error, load_text

SPEC = """inputs: {shape: [3, 2]}
layers:
  - {name: head, kind: attention, causal: CAUSAL}
loss: squared_error
"""


def test_every_entry_is_a_formula_node_and_o_is_the_output(tmp_path: Path) -> None:
    spec = load_text(tmp_path, SPEC.replace("CAUSAL", "false"))
    head = spec.layers[0]
    assert head.attention is not None and not head.attention.causal
    assert head.units == tuple(f"O_{t}_{j}" for t in (1, 2, 3) for j in (1, 2))
    assert spec.outputs == head.units
    formulas = {f.unit: (f.parents, f.params) for f in spec.formulas}
    assert formulas["Q_2_1"] == (("x_2_1", "x_2_2"), ("W_Q_1_1", "W_Q_2_1"))
    assert formulas["V_3_2"] == (("x_3_1", "x_3_2"), ("W_V_1_2", "W_V_2_2"))
    assert formulas["S_1_3"] == (("Q_1_1", "K_3_1", "Q_1_2", "K_3_2"), ())
    assert set(formulas["P_2_1"][0]) == {"S_2_1", "S_2_2", "S_2_3"}
    assert formulas["O_3_2"] == (("P_3_1", "V_1_2", "P_3_2", "V_2_2", "P_3_3", "V_3_2"), ())
    units = {u.name: u for u in spec.units}
    assert units["S_2_3"].latex == "S_{2,3}" and units["O_1_2"].target_latex == "Y_{1,2}"
    assert {p.name: p.latex for p in spec.params}["W_K_2_1"] == "W^{K}_{2,1}"
    assert len(spec.params) == 12 and not spec.edges


def test_the_causal_mask_leaves_out_the_future(tmp_path: Path) -> None:
    spec = load_text(tmp_path, SPEC.replace("CAUSAL", "true"))
    names = {u.name for u in spec.units}
    assert {"S_2_1", "S_2_2", "P_3_3"} <= names
    assert not {"S_1_2", "P_1_3", "P_2_3"} & names
    formulas = {f.unit: f.parents for f in spec.formulas}
    assert set(formulas["P_2_1"]) == {"S_2_1", "S_2_2"}
    assert formulas["O_1_1"] == ("P_1_1", "V_1_1")


@pytest.mark.parametrize(("text", "field", "words"), [
    (SPEC.replace("CAUSAL", "maybe"), "layers[0].causal", "true or false"),
    ("inputs: {size: 6}\nlayers:\n  - {kind: attention}\nloss: squared_error\n",
     "layers[0].kind", "unshaped inputs"),
    ("inputs: {shape: [1, 2, 2]}\nlayers:\n  - {kind: attention}\nloss: squared_error\n",
     "layers[0].kind", "shape [1, 2, 2]"),
    ("inputs: {shape: [1, 2]}\nlayers:\n  - {kind: attention}\nloss: squared_error\n",
     "layers[0].kind", "1 token"),
    ("inputs: {shape: [3, 2]}\nlayers:\n  - {units: 6, activation: tanh}\n"
     "  - {kind: attention}\nloss: squared_error\n", "layers[1].kind", "a layer below it"),
    ("inputs: {shape: [3, 2]}\nlayers:\n  - {kind: attention}\n  - {kind: attention}\n"
     "  - {units: 1, activation: linear}\nloss: squared_error\n", "layers[0].kind",
     "at most one"),
    (SPEC.replace("CAUSAL", "false").replace("causal: false", "heads: 2"), "layers[0]",
     "heads"),
], ids=["causal-not-boolean", "unshaped", "three-dimensional", "one-token", "not-first",
        "two-heads", "unknown-key"])
def test_a_malformed_attention_layer_is_located(tmp_path: Path, text: str, field: str,
                                               words: str) -> None:
    error = load_error(tmp_path, text)
    message = str(error)
    assert "net.yaml:3" in message or "net.yaml:4" in message, message
    assert field in message and words in message, message
