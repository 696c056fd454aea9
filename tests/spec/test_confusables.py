"""Names that deceive: TR39 skeletons from Unicode's own table, and characters that show
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import ROOT

from symbackprop.spec.confusables import (
    foreign_characters,
    invisible_character,
    skeleton,
    visible,
)
from symbackprop.spec.naming import NameAuthority, NameClash, is_identifier

# pairs that UTS #39 (confusables.txt) gives one prototype, written with their code points
ALIKE = [
    ("a", "\u0430"),          # Latin a, Cyrillic а
    ("o1", "\u03bf1"),        # Latin o, Greek omicron
    ("x1", "xl"), ("xI", "xl"),  # digit one, capital I and small l
    ("m", "rn"),              # m and r n side by side
    ("p_out", "\u0440_out"),  # Cyrillic р
    ("\u0251", "a"),          # Latin alpha ɑ
]
APART = [("a", "b"), ("x1", "x2"), ("w_1_2", "w_2_1"), ("alpha", "aIpha_"), ("o", "0_")]


@pytest.mark.parametrize(("one", "other"), ALIKE)
def test_names_a_reader_cannot_tell_apart_share_a_skeleton(one: str, other: str) -> None:
    assert one != other and skeleton(one) == skeleton(other)


@pytest.mark.parametrize(("one", "other"), APART)
def test_names_that_differ_to_the_eye_keep_their_skeletons_apart(one: str,
                                                                 other: str) -> None:
    assert skeleton(one) != skeleton(other)


def test_the_table_is_unicodes() -> None:
    head = (ROOT / "symbackprop" / "spec" / "confusables.tsv").read_text("utf-8")
    assert "from Unicode's confusables.txt" in head.splitlines()[0]
    assert "Version: " in head.splitlines()[0]
    # 0430 CYRILLIC SMALL LETTER A → 0061, as confusables.txt has it
    assert "\n0430\t0061\n" in head


@pytest.mark.parametrize(("text", "said"), [
    ("a\u3164", "U+3164 HANGUL FILLER"), ("x\u200b1", "U+200B ZERO WIDTH SPACE"),
    ("b\u00ad", "U+00AD SOFT HYPHEN"), ("w\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
    ("y\u2800", "U+2800 BRAILLE PATTERN BLANK"), ("\uffa0a", "U+FFA0 HALFWIDTH HANGUL FILLER"),
])
def test_a_character_that_shows_nothing_is_named(text: str, said: str) -> None:
    assert invisible_character(text) == said
    assert not is_identifier(text)


def test_visible_names_hold_no_invisible_character() -> None:
    for name in ("x1", "w_2_1_1", "\u03b1", "\u00e9t\u00e9", "x\u2081"):
        assert invisible_character(name) is None


def test_the_authority_refuses_look_alikes_and_hidden_characters() -> None:
    names = NameAuthority()
    names.claim("input", "a", "a", "a", where="inputs[0]")
    with pytest.raises(NameClash, match="look alike"):
        names.claim("input", "\u0430", "\u0430", r"\alpha", where="inputs[1]")
    with pytest.raises(NameClash, match="look alike"):
        names.claim_many("parameter", [("In", "In", "I_{n}")], where="weights")  # ln
    with pytest.raises(NameClash, match="U\\+3164 HANGUL FILLER"):
        names.claim("input", "b\u3164", "b\u3164", "b", where="inputs[2]")
    names.claim_many("parameter", [("w1", "w1", "w_{1}"), ("w2", "w2", "w_{2}")],
                     where="weights")
    with pytest.raises(NameClash, match="`wl` and `w1` look alike"):
        names.claim_many("parameter", [("wl", "wl", r"\mathrm{wl}")], where="weights")


def test_a_message_writes_out_what_shows_nothing() -> None:
    assert visible("a\u3164") == "a\\u3164"
    assert visible("x\u202e1") == "x\\u202e1"  # a right-to-left override reorders a line
    assert visible("t\U000e0041") == "t\\U000e0041"
    for name in ("x1", "\u03b1", "\u00e9t\u00e9", "\u0430"):  # what can be seen stays
        assert visible(name) == name


def test_a_message_says_which_letter_is_not_latin() -> None:
    assert foreign_characters("p_\u0430\u0440") == ("U+0430 CYRILLIC SMALL LETTER A, "
                                                  "U+0440 CYRILLIC SMALL LETTER ER")
    assert foreign_characters("x1") == ""


@pytest.mark.parametrize(("inputs", "says"), [
    ('{"a": "a", "\u0430": "\\\\alpha"}',
     "inputs.\u0430: `\u0430` and `a` look alike (Unicode confusables, TR39): they cannot "
     "name both the input `\u0430` and the input `a`; `\u0430` holds U+0430 CYRILLIC SMALL "
     "LETTER A (rename one of them"),
    ('[a, "a\u3164"]', "inputs[1]: `a\\u3164` is not a valid name (it holds U+3164 HANGUL "
                       "FILLER, which shows nothing: remove it)"),
    ('{a: a, "a\u3164": b}', "inputs.a\\u3164: `a\\u3164` is not a valid name"),
    ('[x1, "x\u202e2"]', "inputs[1]: `x\\u202e2` is not a valid name (it holds U+202E "
                         "RIGHT-TO-LEFT OVERRIDE"),
])
def test_every_command_refuses_names_that_deceive(tmp_path: Path, inputs: str,
                                                  says: str) -> None:
    from click.testing import CliRunner

    from symbackprop.cli.app import main

    spec = tmp_path / "s.yaml"
    spec.write_text(f"inputs: {inputs}\nlayers:\n  - {{name: out, size: 1, activation: "
                    "sigmoid}\nloss: squared_error\n", encoding="utf-8")
    for command in ("derive", "eval", "names", "codegen"):
        result = CliRunner().invoke(main, [command, str(spec)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: {spec}:1: {says}"), result.stderr
        assert result.stderr.count("\n") == 1
        assert "\u3164" not in result.stderr and "\u202e" not in result.stderr
