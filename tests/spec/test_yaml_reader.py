"""Reading YAML: a key given twice names both lines; an integer too long to read is refused
in a spec and kept as its text where it is text anyway (an answer's formula or id)."""

from __future__ import annotations

import pytest

from symbackprop.errors import SpecError
from symbackprop.spec.limits import Limits
from symbackprop.spec.yaml_reader import read_yaml

LONG = "9" * 4301


def test_a_key_given_twice_names_the_first_line_in_its_hint() -> None:
    with pytest.raises(SpecError) as info:
        read_yaml("a: 1\nb: 2\na: 3\n", "f.yaml", Limits())
    assert info.value.located() == ("f.yaml:3: a: duplicate key `a` (give each key once; "
                                    "the first is on line 1)")


def test_an_integer_beyond_4300_digits_is_refused_with_its_line() -> None:
    with pytest.raises(SpecError) as info:
        read_yaml(f"a: 1\nb: {LONG}\n", "f.yaml", Limits())
    assert info.value.located().startswith("f.yaml:2: b: cannot read the value")
    assert "4300 digits" in info.value.located()


def test_numbers_as_text_keeps_a_long_integer_as_written() -> None:
    data, lines = read_yaml(f"- id: {LONG}\n  formula: -{LONG}\n  n: 12\n", "f.yaml",
                            Limits(), numbers_as_text=True)
    assert data == [{"id": LONG, "formula": f"-{LONG}", "n": 12}]
    assert lines[(0, "formula")] == 2
