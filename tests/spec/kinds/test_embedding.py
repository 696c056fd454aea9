"""embedding layers in a spec: the table's parameters E_v_k, one unit per (position, column)
whose net input is the entry of its token, the token ids read from the spec's values, and one
located message (file, line, field, hint; exit status 2) for every malformed id or layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_error, load_text

from symbackprop.cli.app import main

SPEC = """inputs: {tokens: 3}
layers:
  - {name: embed, kind: embedding, vocabulary: 4, dim: 2}
  - {units: 1, activation: linear}
loss: squared_error
values:
  tokens: TOKENS
"""


def test_each_position_looks_up_the_row_of_its_token(tmp_path: Path) -> None:
    spec = load_text(tmp_path, SPEC.replace("TOKENS", "[3, 1, 3]"))
    embed = spec.layers[0]
    assert embed.embedding is not None and embed.embedding.tokens == (3, 1, 3)
    assert embed.units == ("u1_1_1", "u1_1_2", "u1_2_1", "u1_2_2", "u1_3_1", "u1_3_2")
    assert spec.inputs == ()
    table = [p for p in spec.params if p.name.startswith("E_")]
    assert [p.name for p in table] == [f"E_{v}_{k}" for v in (1, 2, 3, 4) for k in (1, 2)]
    assert table[0].latex == "E_{1,1}"
    # the entry stands where a bias stands: positions 1 and 3 share row 3
    looked_up = {unit: param for unit, param in spec.biases if unit.startswith("u1_")}
    assert looked_up == {"u1_1_1": "E_3_1", "u1_1_2": "E_3_2", "u1_2_1": "E_1_1",
                         "u1_2_2": "E_1_2", "u1_3_1": "E_3_1", "u1_3_2": "E_3_2"}
    assert not [e for e in spec.edges if e.target.startswith("u1_")]
    assert {e.source for e in spec.edges} == set(embed.units)


@pytest.mark.parametrize(("tokens", "field", "words"), [
    ("[3, 1, 5]", "values.tokens[2]", "token id 5 is outside the vocabulary 1..4"),
    ("[3, 0, 1]", "values.tokens[1]", "token id 0 is outside the vocabulary 1..4"),
    ("[1.5, 1, 1]", "values.tokens[0]", "is outside the vocabulary 1..4"),
    ("[true, 1, 1]", "values.tokens[0]", "is outside the vocabulary 1..4"),
    ("[3, 1]", "values.tokens", "2 token ids for 3 positions"),
    ("[3, 1, 1, 1]", "values.tokens", "4 token ids for 3 positions"),
    ("7", "values.tokens", "expected a list of 3 token ids"),
], ids=["above", "zero", "fraction", "bool", "short", "long", "number"])
def test_a_bad_token_id_is_located(tmp_path: Path, tokens: str, field: str,
                                   words: str) -> None:
    error = load_error(tmp_path, SPEC.replace("TOKENS", tokens))
    assert error.field == field and words in error.message, error.message
    assert error.line == 7 and error.hint
    assert error.file is not None and error.file.endswith("net.yaml")


def test_a_misplaced_or_incomplete_embedding_layer_is_refused(tmp_path: Path) -> None:
    text = SPEC.replace("TOKENS", "[1, 2, 3]")
    error = load_error(tmp_path, text.replace("{tokens: 3}", "{size: 2}").replace(
        "values:\n  tokens: [1, 2, 3]\n", ""))
    assert error.field == "layers[0].kind" and "the first layer" in error.message
    error = load_error(tmp_path, text.replace(", dim: 2", ""))
    assert "missing required key `dim`" in error.message
    error = load_error(tmp_path, text.replace("values:\n  tokens: [1, 2, 3]\n", ""))
    assert error.field == "inputs.tokens" and "token ids are missing" in error.message
    error = load_error(tmp_path, text.replace(
        "  - {name: embed, kind: embedding, vocabulary: 4, dim: 2}\n", ""))
    assert error.field == "inputs.tokens" and "embedding layer" in error.message


def test_the_command_line_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(SPEC.replace("TOKENS", "[3, 9, 1]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["gradcheck", str(path)])
    assert result.exit_code == 2
    assert "net.yaml:7: values.tokens[1]: token id 9 is outside the vocabulary 1..4" in \
        result.output


def test_a_values_file_may_not_change_the_tokens(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(SPEC.replace("TOKENS", "[3, 1, 3]"), encoding="utf-8")
    values = tmp_path / "at.yaml"
    values.write_text("tokens: [1, 1, 1]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(spec), "--at", str(values)])
    assert result.exit_code == 2 and "at.yaml:1: values.tokens" in result.output
