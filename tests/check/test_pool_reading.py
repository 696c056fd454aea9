"""check reads a max-pooling unit as the lecture and the notes write it: z = max(window),
its value in numbers, and δ routed by the indicator 𝕀[a = max(window)]."""

from __future__ import annotations

import pytest
from checkers import checker

SPEC = "conv-pool.yaml"
WINDOW = r"a^{[1]}_{1,1,1}, a^{[1]}_{1,1,2}, a^{[1]}_{1,2,1}, a^{[1]}_{1,2,2}"
ROUTED = (r"\frac{{\partial L}}{{\partial z^{{[1]}}_{{1,1,1}}}} = \left(-0.096639\right) \cdot "
          r"\mathbb{{I}}\left[{mine} = \max\left(0.82, 0, 0, 0.93\right)\right] \cdot "
          r"\operatorname{{step}}\left(0.82\right) = {value}")


@pytest.mark.parametrize(("formula", "verdict"), [
    (rf"z^{{[2]}}_{{1,1,1}} = \max\left({WINDOW}\right)", "correct"),
    # one member of the window another unit's
    (rf"z^{{[2]}}_{{1,1,1}} = \max\left({WINDOW.replace('1,2,2', '1,2,3')}\right)",
     "incorrect"),
    (r"z^{[2]}_{1,1,1} = \max\left(0.82, 0, 0, 0.93\right) = 0.93", "correct"),
    (r"z^{[2]}_{1,1,1} = \max\left(0.82, 0, 0, 0.92\right)", "incorrect"),
    (ROUTED.format(mine="0.82", value="0"), "correct"),  # 0.82 is not the window's maximum
    (ROUTED.format(mine="0.93", value="-0.096639"), "incorrect"),  # routed to another unit
])
def test_max_pooling_reads(formula: str, verdict: str) -> None:
    assert checker(SPEC).check(None, formula).verdict == verdict


def test_max_of_zero_and_one_quantity_is_still_relu() -> None:
    """max(0, z) is relu(z); max(0, 0, 0.93, 0), a window of four, is not."""
    relu = checker("relu-mlp.yaml")
    names = relu.check(None, r"a^{[1]}_{1} = \max\left(0, z^{[1]}_{1}\right)")
    assert names.verdict == "correct", names
    window = checker(SPEC).check(None, r"z^{[2]}_{1,1,2} = \max\left(0, 0, 0.93, 0\right)")
    assert window.verdict == "correct", window
