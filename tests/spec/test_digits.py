"""Names worked out per digit pattern equal names worked out one by one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from symbackprop.spec.digits import by_digit_pattern
from symbackprop.spec.naming import latex_key, plain_name
from symbackprop.spec.typesetting import upright

NAMES = st.text(alphabet="wxyzab019_^{}[],'\\ \u0663" + "deltaoutmathrm", max_size=24)


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_plain_names_by_pattern_equal_plain_names(name: str) -> None:
    assert plain_name(name) == plain_name.__wrapped__(name)  # type: ignore[attr-defined]


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_upright_by_pattern_equals_upright(name: str) -> None:
    assert upright(name) == upright.__wrapped__(name)  # type: ignore[attr-defined]


def test_indices_are_put_back_in_order() -> None:
    assert plain_name(r"w^{[2]}_{13,784}") == "w_2_13_784"
    assert upright("out_{h10}") == r"\mathrm{out}_{h10}"
    assert plain_name("9lives") == "q_9lives"


def test_a_transformation_that_changes_digits_is_not_patterned() -> None:
    calls: list[str] = []

    def drop_digits(text: str) -> str:
        calls.append(text)
        return "".join(c for c in text if not c.isdigit())

    wrapped = by_digit_pattern(drop_digits)
    assert wrapped("a1b2") == "ab" and wrapped("a3b4") == "ab"
    assert "a3b4" in calls  # worked out for itself, not from the pattern of a1b2


TEX = st.lists(st.sampled_from([*"wx019_^{}[], '\\", "\\alpha", "\\hat", "\\text",
                                 "\\input", "\\5", "\\mathrm", "^^"]),
               max_size=20).map("".join)


@settings(max_examples=500, deadline=None)
@given(TEX, st.integers(min_value=0, max_value=9))
def test_vetted_math_treats_every_digit_alike(tex: str, digit: int) -> None:
    """What lets a spec's check vouch for a whole layer of names with one vetted name."""
    from symbackprop.spec.tex import vet_math

    other = "".join(str(digit) if c.isdigit() else c for c in tex)
    assert (vet_math(tex) is None) == (vet_math(other) is None)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="wx019_{}[], \\\u00b2\u2460\uff11", max_size=24))
def test_latex_keys_by_pattern_equal_latex_keys(name: str) -> None:
    """Also with characters that NFKC turns into digits (², ①, fullwidth 1)."""
    assert latex_key(name) == latex_key.__wrapped__(name)  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="wxab019_^{}[],'\\ \n\u0663", max_size=16), max_size=8))
def test_many_names_at_once_equal_names_one_by_one(names: list[str]) -> None:
    for transform in (plain_name, latex_key, upright):
        assert transform.many(names) == [transform.__wrapped__(n)  # type: ignore[attr-defined]
                                         for n in names]


def test_many_with_a_transformation_that_drops_digits() -> None:
    wrapped = by_digit_pattern(lambda text: "".join(c for c in text if not c.isdigit()))
    assert wrapped.many(["w1", "w23", "x10", "y"]) == ["w", "w", "x", "y"]
