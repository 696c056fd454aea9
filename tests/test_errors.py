"""Hints for words that are almost right: the closest choices, several when about as close."""

from __future__ import annotations

from symbackprop.errors import close_matches, did_you_mean, listed, suggestion


def test_the_closest_choice_alone_when_it_is_clearly_closest() -> None:
    assert close_matches("sigmod", ["sigmoid", "tanh", "relu"]) == ["sigmoid"]
    assert did_you_mean("sigmod", ["sigmoid", "tanh"]) == "did you mean `sigmoid`?"


def test_choices_about_as_close_are_all_offered_up_to_three() -> None:
    assert close_matches("a_3_2", ["a_3_1", "a_2_2", "b_1_1"]) == ["a_2_2", "a_3_1"]
    many = [f"layer{k}" for k in range(1, 9)]
    assert close_matches("layer9", many) == ["layer1", "layer2", "layer3"]
    assert did_you_mean("layer9", many) == "did you mean `layer1`, `layer2` or `layer3`?"


def test_nothing_close() -> None:
    assert close_matches("qq", ["sigmoid", "tanh"]) == []
    assert did_you_mean("qq", ["sigmoid", "tanh"]) == "expected one of: `sigmoid`, `tanh`"
    assert did_you_mean("qq", [f"name{k}" for k in range(20)]) is None


def test_lists_read_as_sentences() -> None:
    assert listed(["a"]) == "`a`"
    assert listed(["a", "b"], "and") == "`a` and `b`"
    assert suggestion(["a", "b", "c"]) == "did you mean `a`, `b` or `c`?"
