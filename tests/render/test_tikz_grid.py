"""The conv and pooling grids and the unrolled recurrent layer: positions from the geometry."""

from __future__ import annotations

import re

import pytest

from symbackprop.render.tikz_grid import CELL, MAX_SHOWN, GridLayer, conv_tikz, pool_tikz, shown
from symbackprop.render.tikz_unrolled import Unrolled, unrolled_tikz

FILL = re.compile(r"\\fill\[black!15\] \(([-\d.]+),([-\d.]+)\) rectangle \(([-\d.]+),([-\d.]+)\)")


def _layer(n: int, k: int, s: int, p: int, at: tuple[int, int]) -> GridLayer:
    out = (n + 2 * p - k) // s + 1
    return GridLayer((n, n), (k, k), (s, s), (p, p), (out, out), at,
                     lambda r, q: f"x_{{{r},{q}}}", lambda i, j: f"z_{{{i},{j}}}",
                     "source", "output")


GEOMETRIES = [(3, 2, 1, 0), (4, 2, 1, 0), (5, 3, 2, 1), (5, 3, 1, 1), (5, 2, 2, 0),
              (3, 3, 1, 2), (7, 3, 2, 0)]  # padded, at most MAX_SHOWN a side: nothing elided


@pytest.mark.parametrize(("n", "k", "s", "p"), GEOMETRIES)
def test_the_shaded_field_of_every_output_covers_the_rows_and_columns_it_reads(
        n: int, k: int, s: int, p: int) -> None:
    assert n + 2 * p <= MAX_SHOWN
    out = (n + 2 * p - k) // s + 1
    for i in range(1, out + 1):
        for j in range(1, out + 1):
            tikz = conv_tikz(_layer(n, k, s, p, (i, j)), lambda m, q: "w", "kernel")
            x0, y0, x1, y1 = map(float, FILL.search(tikz).groups())
            # rows s(i−1)+1−p … s(i−1)+k−p of a grid whose first drawn row is 1 − p
            top, bottom = s * (i - 1) + 1 - p, s * (i - 1) + k - p
            left, right = s * (j - 1) + 1 - p, s * (j - 1) + k - p
            assert (x0, x1) == pytest.approx(((left - (1 - p)) * CELL,
                                              (right - (1 - p) + 1) * CELL))
            assert (y0, y1) == pytest.approx((-(top - (1 - p)) * CELL,
                                              -(bottom - (1 - p) + 1) * CELL))
            assert f"rows {top}..{bottom}, columns {left}..{right}" in tikz


def test_padding_cells_are_zeros_drawn_dashed() -> None:
    tikz = conv_tikz(_layer(3, 3, 1, 1, (1, 1)), lambda m, q: "w", "kernel")
    pads = re.findall(r"\\draw\[padcell\]", tikz)
    assert len(pads) == 5 * 5 - 3 * 3
    assert "padding 1" in tikz
    assert "x_{0," not in tikz and "x_{4," not in tikz  # no name on a padding cell


def test_the_stride_arrow_spans_one_stride() -> None:
    tikz = conv_tikz(_layer(5, 3, 2, 0, (1, 1)), lambda m, q: "w", "kernel")
    arrow = re.search(r"\\draw\[->, thick\] \(([-\d.]+),[-\d.]+\) -- node\[above\] "
                      r"\{stride 2\} \(([-\d.]+),", tikz)
    assert arrow is not None
    assert float(arrow.group(2)) - float(arrow.group(1)) == pytest.approx(2 * CELL)


def test_a_large_grid_is_elided_around_the_field() -> None:
    tikz = conv_tikz(_layer(30, 3, 1, 0, (10, 12)), lambda m, q: "w", "kernel")
    assert r"\cdots" in tikz and r"\vdots" in tikz
    assert tikz.count("rectangle") < 150  # not 900 cells
    for r in range(10, 13):
        for q in range(12, 15):
            assert f"x_{{{r},{q}}}" in tikz
    x0, y0, x1, y1 = map(float, FILL.search(tikz).groups())
    assert (x1 - x0, y0 - y1) == pytest.approx((3 * CELL, 3 * CELL))


def test_shown_keeps_ends_and_kept_cells() -> None:
    assert shown(1, MAX_SHOWN, []) == list(range(1, MAX_SHOWN + 1))
    drawn = shown(1, 40, [20])
    assert drawn[0] == 1 and drawn[-1] == 40 and 20 in drawn and None in drawn
    assert shown(1, 9, [3]) == [1, 2, 3, 4, None, 9]


def test_the_pooled_delta_goes_to_the_routed_cells() -> None:
    layer = _layer(4, 2, 2, 0, (2, 1))
    tikz = pool_tikz(layer, [(4, 2)], r"\delta_{2,1}")
    # the routed cell (4, 2) is outlined inside its own square
    assert f"({1 * CELL + 0.08:.2f},{-3 * CELL - 0.08:.2f}) rectangle" in tikz
    assert r"{$\delta_{2,1}$}" in tikz


def test_the_unrolled_layer_names_its_matrices_and_elides_long_runs() -> None:
    u = Unrolled(steps=9, x="x", h="s", o="o", U=r"\mathbf{U}", W="R", V="V")
    tikz = unrolled_tikz(u)
    assert r"(x1) -- node[wt] {$\mathbf{U}$} (h1)" in tikz
    assert "(h1) -- node[wt] {$R$} (h2)" in tikz
    assert "(h9) -- node[wt] {$V$} (o9)" in tikz
    assert r"\cdots" in tikz and "(h5)" not in tikz
    assert "s^{(0)} = 0" in tikz
