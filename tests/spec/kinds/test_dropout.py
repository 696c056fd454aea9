"""dropout layers in a spec: their units and links with m_j / p, the mask read from the spec's
values, and one located message (file, line, field, hint; exit status 2) for every malformed
mask or keep probability."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_error, load_text

from symbackprop.cli.app import main

SPEC = """inputs: {size: 2}
layers:
  - {name: hidden, units: 3, activation: tanh}
  - {name: drop, kind: dropout, p: P}
  - {units: 1, activation: linear}
loss: squared_error
values:
  mask: {drop: MASK}
"""


def _text(p: str = "0.5", mask: str = "[1, 0, 1]") -> str:
    return SPEC.replace("P}", p + "}").replace("MASK", mask)


def test_a_dropout_unit_reads_its_source_scaled_by_mask_over_p(tmp_path: Path) -> None:
    spec = load_text(tmp_path, _text(p="0.8", mask="[1, 0, 1]"))
    drop = spec.layers[1]
    assert drop.dropout is not None and drop.dropout.mask == (1, 0, 1)
    assert drop.dropout.keep == Fraction(4, 5) and drop.activation.kind == "linear"
    assert drop.units == ("u2_1", "u2_2", "u2_3")
    links = [(s.unit, s.kind, s.sources, s.scale) for s in spec.pools]
    assert links == [("u2_1", "dropout", ("u1_1",), Fraction(5, 4)),
                     ("u2_2", "dropout", ("u1_2",), Fraction(0)),
                     ("u2_3", "dropout", ("u1_3",), Fraction(5, 4))]
    # no parameter belongs to a dropout layer; the output layer reads its three units
    assert {p.name for p in spec.params} == {
        *(f"w_1_{j}_{k}" for j in (1, 2, 3) for k in (1, 2)), "b_1_1", "b_1_2", "b_1_3",
        "w_3_1_1", "w_3_1_2", "w_3_1_3", "b_3_1"}
    assert {e.source for e in spec.edges if e.target == "u3_1"} == {"u2_1", "u2_2", "u2_3"}


def test_a_dropout_of_the_inputs_reads_them(tmp_path: Path) -> None:
    spec = load_text(tmp_path, "inputs: {size: 2}\nlayers:\n  - {name: d, kind: dropout, p: 1}\n"
                     "  - {units: 1, activation: linear}\nloss: squared_error\n"
                     "values: {mask: {d: [0, 1]}}\n")
    assert [(s.sources, s.scale) for s in spec.pools] == [(("x1",), 0), (("x2",), 1)]


@pytest.mark.parametrize(("p", "mask", "field", "words"), [
    ("0.5", "[1, 0, 2]", "values.mask.drop[2]", "a mask entry is 0 (dropped) or 1 (kept)"),
    ("0.5", "[1, 0.5, 1]", "values.mask.drop[1]", "a mask entry is 0 (dropped) or 1 (kept)"),
    ("0.5", "[1, 0, true]", "values.mask.drop[2]", "a mask entry is 0 (dropped) or 1 (kept)"),
    ("0.5", "[1, 0]", "values.mask.drop", "the mask has 2 entries for 3 units"),
    ("0.5", "[1, 0, 1, 1]", "values.mask.drop", "the mask has 4 entries for 3 units"),
    ("0.5", "7", "values.mask.drop", "expected a list of 3 zeros and ones"),
    ("0", "[1, 0, 1]", "layers[1].p", "the keep probability p must be in (0, 1]"),
    ("1.5", "[1, 0, 1]", "layers[1].p", "the keep probability p must be in (0, 1]"),
    ("-0.5", "[1, 0, 1]", "layers[1].p", "the keep probability p must be in (0, 1]"),
], ids=["two", "half", "bool", "short", "long", "number", "p-zero", "p-above-one", "p-negative"])
def test_a_bad_mask_or_keep_probability_is_located(tmp_path: Path, p: str, mask: str,
                                                  field: str, words: str) -> None:
    error = load_error(tmp_path, _text(p=p, mask=mask))
    assert error.field == field and words in error.message
    assert error.line == (4 if field.startswith("layers") else 8)
    assert error.file is not None and error.file.endswith("net.yaml") and error.hint


def test_a_missing_mask_and_a_mask_of_no_layer_are_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, _text().replace("mask: {drop:", "mask: {dorp:"))
    assert "the dropout layer `drop` has no mask" in error.message and error.hint
    error = load_error(tmp_path, _text().replace("  - {name: drop, kind: dropout, p: 0.5}\n", ""))
    assert error.field == "values.mask.drop" and "no dropout layer called `drop`" in \
        error.message


def test_the_command_line_exits_2_naming_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(_text(mask="[1, 3, 1]"), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 2
    assert "net.yaml:8: values.mask.drop[1]: a mask entry is 0 (dropped) or 1 (kept)" in \
        result.output


def test_a_values_file_may_not_change_the_mask(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_text(), encoding="utf-8")
    values = tmp_path / "at.yaml"
    values.write_text("mask: {drop: [1, 1, 1]}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(spec), "--at", str(values)])
    assert result.exit_code == 2 and "at.yaml:1: values.mask" in result.output


def test_an_edge_into_a_dropout_unit_is_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, _text() + "edges:\n  - {from: x1, to: u2_1, weight: v}\n")
    assert error.field == "edges[0].to" and "is a dropout unit" in error.message
