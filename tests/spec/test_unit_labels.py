"""Unit labels: a named unit keeps its name, a counted one goes by its activation's printed
name, and a spec in which a named and a counted unit would share a label is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import SPECS
from spec_texts import load_text

from symbackprop.errors import SpecError
from symbackprop.spec.load import load_spec

MADE_NAME = re.compile(r"u\d+(_\d+)+")


@pytest.mark.parametrize("spec, labels", [
    ("tanh-regression.yaml", ["a_1_1", "a_1_2", "a_1_3", "a_2_1"]),
    ("seed-004-mazur-2-2-2.yaml", ["h1", "h2", "o1", "o2"]),
    ("relu-mlp.yaml", ["a_1_1", "a_1_2", "a_1_3", "p", "q", "a_3_1"]),
    ("seed-002-four-layer.yaml", ["a_2_1", "a_2_2", "a_3_1", "a_3_2", "s"]),
])
def test_units_are_labelled_by_their_own_or_their_printed_name(spec: str,
                                                               labels: list[str]) -> None:
    assert list(load_spec(SPECS / spec).unit_labels().values()) == labels


def test_counted_units_of_every_kind_get_no_made_name() -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        spec = load_spec(path)
        labels = spec.unit_labels()
        assert len(set(labels.values())) == len(spec.units), path.name
        assert not [v for v in labels.values() if MADE_NAME.fullmatch(v)], path.name


CLASH = """inputs: [x1]
layers:
  - {size: 1, activation: tanh}
  - {units: [%s], activation: linear}
loss: squared_error
"""


@pytest.mark.parametrize("name, words", [
    ("a_1_1", "unit name `a_1_1` is also the name of the activation of layer 1, unit 1"),
    ("\u0430_1_1", "looks like `a_1_1` (Unicode confusables, TR39)"),  # Cyrillic а
])
def test_a_named_unit_cannot_take_a_counted_units_label(tmp_path: Path, name: str,
                                                        words: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(tmp_path, CLASH % name)
    assert words in info.value.message
    assert (info.value.line, info.value.field) == (4, "layers[1].units[0]")
    assert "rename this unit" in (info.value.hint or "")


def test_the_clash_is_found_when_the_named_unit_comes_first(tmp_path: Path) -> None:
    text = ("inputs: [x1]\nlayers:\n  - {units: [a_2_1], activation: tanh}\n"
            "  - {size: 1, activation: linear}\nloss: squared_error\n")
    with pytest.raises(SpecError) as info:
        load_text(tmp_path, text)
    assert "the activation of layer 2, unit 1" in info.value.message
    assert info.value.field == "layers[0].units[0]"


def test_a_name_that_only_resembles_a_label_in_form_is_kept(tmp_path: Path) -> None:
    """`a_1_2` is no unit's printed name here (the named unit itself prints as a_2_1)."""
    spec = load_text(tmp_path, CLASH % "a_1_2")
    assert spec.unit_labels() == {"u1_1": "a_1_1", "a_1_2": "a_1_2"}
    assert spec.names.name("activation", "a_1_2") == "a_2_1"
