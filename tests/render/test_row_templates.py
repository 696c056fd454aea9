"""Keys of row shapes: the order of names and what the printers see of them."""

from __future__ import annotations

from itertools import permutations

import pytest

from symbackprop.render.row_templates import (
    Fallback,
    Names,
    look,
    order3,
    order_of,
    shape_key,
)


@pytest.mark.parametrize("names", list(permutations(["a_0_1", "delta_1_2", "w_1_2_1"])))
def test_three_names_are_ordered_as_sorting_orders_them(names: tuple[str, str, str]) -> None:
    assert order3(*names) == order_of(names)


def test_a_key_holds_the_order_and_the_looks() -> None:
    names = Names(("w_1_2_1", "delta_1_2", "a_0_1"),
                  (r"w^{[1]}_{2,1}", r"\delta^{[1]}_{2}", "x"))
    assert shape_key("weight", 1, names) == ("weight", 1, (2, 1, 0), (
        (True, True, 0, True), (True, True, 0, False), (False, False, 2, True)))
    assert look("x_{1}") == (False, True, 0, True) and look("x") == (False, False, 2, True)
    assert look(r"\mathrm{wt}") == (False, False, 1, True)
    assert look(r"\mathrm{out}_{h1}") == (False, True, 0, True)
    with pytest.raises(Fallback):
        shape_key("weight", 1, Names(("w", "w", "a"), ("w", "w", "a")))
