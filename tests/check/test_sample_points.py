"""Agreement of two values to 40 digits, with its float screen."""

from __future__ import annotations

import mpmath
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.check.judging.sample_points import (
    ABSOLUTE_TOLERANCE,
    DIGITS,
    RELATIVE_TOLERANCE,
    close,
)


def exact(a: object, b: object) -> bool:
    """The definition: |a − b| ≤ 10⁻⁴⁰ max(|a|, |b|) + 10⁻⁴⁵, at 60 digits."""
    with mpmath.workdps(60):
        return bool(abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE)


@given(mantissa=st.floats(-1.0, 1.0), exponent=st.integers(-400, 400),
       shift=st.integers(-60, 0), sign=st.sampled_from([-1, 1]))
def test_close_is_the_40_digit_test_at_every_scale(mantissa: float, exponent: int,
                                                    shift: int, sign: int) -> None:
    """Pairs around the threshold (relative differences 10⁻⁶⁰ … 1) and beyond the range of
    a float (10^±400): the float screen only ever turns away pairs the definition rejects."""
    with mpmath.workdps(DIGITS):
        a = mpmath.mpf(mantissa) * mpmath.mpf(10) ** exponent + mpmath.mpf(10) ** -50
        for b in (a * (1 + sign * mpmath.mpf(10) ** shift), a + sign * mpmath.mpf(10) ** shift,
                  a * (1 + sign * 3 * mpmath.mpf(10) ** -41)):
            assert close(a, b) == exact(a, b), (a, b)


def test_close_at_the_edges() -> None:
    with mpmath.workdps(DIGITS):
        one = mpmath.mpf(1)
        assert close(one, one + mpmath.mpf(10) ** -41)
        assert not close(one, one + mpmath.mpf(10) ** -39)
        tiny = mpmath.mpf(10) ** -50  # agreement in absolute terms, far from any float's
        assert close(tiny, 3 * tiny) and close(tiny, tiny + 5 * mpmath.mpf(10) ** -46)
        assert not close(tiny, tiny + 2 * mpmath.mpf(10) ** -45)
        # two values 10⁻⁴⁵ apart on either side of a float's rounding boundary (1 + 2⁻⁵³)
        # become floats 2⁻⁵² apart; they still agree
        middle = 1 + mpmath.mpf(2) ** -53
        assert float(middle) != float(middle + mpmath.mpf(10) ** -45)
        assert close(middle, middle + mpmath.mpf(10) ** -45)
        huge = mpmath.mpf(10) ** 400  # a float overflows: the exact test decides
        assert close(huge, huge * (1 + mpmath.mpf(10) ** -45))
        assert not close(huge, huge * 2)
        assert close(None, None) and not close(None, one) and not close(one, None)
    with mpmath.workdps(15):  # the caller's precision does not matter
        a = mpmath.mpf("1")
    with mpmath.workdps(DIGITS):
        b = a + mpmath.mpf(10) ** -30
    assert not close(a, b)
