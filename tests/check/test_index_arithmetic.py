"""Integer arithmetic in subscripts: each run is evaluated as a whole, brackets of its own
are kept, a negative index is none, and arithmetic beside a letter without a value is left."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from symbackprop.check.reading.index_arithmetic import evaluate, fold
from symbackprop.check.reading.scripts import substitute


def test_a_run_is_evaluated_as_a_whole() -> None:
    assert fold("1-2+2") == "1"  # not 1 − 2 = −1 first
    assert fold("1,2+1-1,1+2-1") == "1,2,2"
    assert fold("2(3-1)+1-1") == "4"  # s(i − 1) + m − p with s = 2, p = 1
    assert fold(r"2 \cdot 3") == "6"


def test_brackets_of_its_own_and_names_are_kept() -> None:
    assert fold("(2-1)") == "(1)"
    assert fold("[1+1]") == "[2]"
    assert fold("o1") == "o1"
    assert fold("i-1+2") == "i-1+2"  # i has no value: nothing is folded beside it


def test_a_negative_index_is_none() -> None:
    assert fold("1-2") is None
    assert fold("1,-1") is None
    assert substitute("x_{c,i-m,j}", {"c": 1, "i": 1, "m": 2, "j": 1}) is None


def test_substitute_takes_any_letter_given_a_value() -> None:
    assert substitute("x_{c,i+m-1,j+n-1}", {"c": 1, "i": 3, "m": 2, "j": 1, "n": 1}) == \
        "x_{1,4,1}"
    assert substitute("x_{c,i-m+2,j-n+2}", {"c": 1, "i": 1, "m": 2, "j": 1, "n": 2}) == \
        "x_{1,1,1}"
    assert substitute("h^{(t-1)}_j", {"t": 2, "j": 1}) == "h^{(1)}_1"
    assert substitute("M_n", {"n": 2}) == "M_2"


def _tree(draw_ops: list[tuple[str, int]], first: int) -> tuple[str, int]:
    text, value = str(first), first
    for op, n in draw_ops:
        text += f"{op}{n}"
        value = value + n if op == "+" else value - n
    return text, value


@given(st.integers(0, 99), st.lists(st.tuples(st.sampled_from("+-"), st.integers(0, 99)),
                                    max_size=6))
def test_sums_and_differences_agree_with_integer_arithmetic(
        first: int, ops: list[tuple[str, int]]) -> None:
    text, value = _tree(ops, first)
    assert evaluate(text) == value
    assert fold(text) == (None if value < 0 else str(value))
