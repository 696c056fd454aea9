"""Convolution and pooling layers as TikZ grids drawn from their geometry.

A conv layer: its source (one channel, padded by p with zeros) with the window of one output
(i, j) shaded — rows s(i−1)+1−p … s(i−1)+k−p and columns s(j−1)+1−p … s(j−1)+k−p — the next
window along the row dashed and the stride between them marked, the kernel beside it, and
the output grid with (i, j) marked. A pooling layer: its source with the window of one output,
and the δ of that output routed back to the window's first maximum (max) or spread over it
as δ/k² (average). A grid longer than :data:`MAX_SHOWN` cells on a side keeps its first and
last cells and those of the window, with ``\\cdots``/``\\vdots`` for the rest.

Cell (r, q) of a grid at ``(x0, y0)`` has its top-left corner at
``(x0 + slot(q)·CELL, y0 − slot(r)·CELL)``, ``slot`` counting the cells drawn before it (all
of them when nothing is elided: slot(r) = r − first row).

>>> "rectangle" in conv_tikz(grid)  # doctest: +SKIP
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CELL = 1.0  # cm per cell
MAX_SHOWN = 7  # cells on a side drawn before the grid is elided
_GAP = 1.6  # cm between two grids

_STYLES = (r"[x=1cm, y=1cm, >=stealth, font=\scriptsize,"
           " gridcell/.style={draw, black!70},"
           " padcell/.style={draw, dashed, black!40, fill=black!4},"
           " window/.style={draw, very thick},"
           " nextwindow/.style={draw, thick, dashed},"
           " marked/.style={draw, very thick, fill=black!15},"
           " paneltitle/.style={font=\\small, anchor=south}]")


@dataclass(frozen=True)
class Window:
    """The cells of a window: rows ``rows[0]..rows[1]`` and columns ``cols[0]..cols[1]``."""

    rows: tuple[int, int]
    cols: tuple[int, int]


def receptive_field(i: int, j: int, kernel: tuple[int, int], stride: tuple[int, int],
                    padding: tuple[int, int] = (0, 0)) -> Window:
    """The source cells output (i, j) reads, in the source's own numbering (a padding cell
    is 0 or below, or past the source's size).

    >>> receptive_field(2, 1, (3, 3), (2, 2), (1, 1))
    Window(rows=(2, 4), cols=(0, 2))
    """
    (k_r, k_c), (s_r, s_c), (p_r, p_c) = kernel, stride, padding
    top, left = s_r * (i - 1) + 1 - p_r, s_c * (j - 1) + 1 - p_c
    return Window((top, top + k_r - 1), (left, left + k_c - 1))


def shown(first: int, last: int, keep: Sequence[int]) -> list[int | None]:
    """The indices ``first..last`` a grid draws, None standing for an elided run: all of
    them up to :data:`MAX_SHOWN`, else the ends, ``keep`` and their neighbours.

    >>> shown(1, 10, [5])
    [1, None, 4, 5, 6, None, 10]
    """
    if last - first + 1 <= MAX_SHOWN:
        return list(range(first, last + 1))
    wanted = {first, last}
    for k in keep:
        wanted |= {k - 1, k, k + 1}
    wanted = {k for k in wanted if first <= k <= last}
    out: list[int | None] = []
    previous = first - 1
    for k in sorted(wanted):
        if k - previous == 2:
            out.append(k - 1)  # one cell is no shorter than its ellipsis
        elif k - previous > 2:
            out.append(None)
        out.append(k)
        previous = k
    return out


@dataclass(frozen=True)
class Grid:
    """A grid drawn at (x0, y0) (its top-left corner), its rows and columns as drawn."""

    x0: float
    y0: float
    rows: list[int | None]
    cols: list[int | None]

    def x(self, q: int) -> float:
        return self.x0 + self.cols.index(q) * CELL

    def y(self, r: int) -> float:
        return self.y0 - self.rows.index(r) * CELL

    @property
    def width(self) -> float:
        return len(self.cols) * CELL

    @property
    def height(self) -> float:
        return len(self.rows) * CELL

    def box(self, w: Window) -> str:
        """``(x, y) rectangle (x', y')`` around the cells of ``w``."""
        return (f"({_f(self.x(w.cols[0]))},{_f(self.y(w.rows[0]))}) rectangle "
                f"({_f(self.x(w.cols[1]) + CELL)},{_f(self.y(w.rows[1]) - CELL)})")

    def centre(self, r: int, q: int) -> str:
        return f"({_f(self.x(q) + CELL / 2)},{_f(self.y(r) - CELL / 2)})"

    def cells(self, label: Callable[[int, int], str], style: Callable[[int, int], str],
              font: str = "") -> list[str]:
        """Every drawn cell with its label (math), and the ellipses of elided runs."""
        out: list[str] = []
        for a, r in enumerate(self.rows):
            for b, q in enumerate(self.cols):
                x, y = self.x0 + b * CELL, self.y0 - a * CELL
                mid = f"({_f(x + CELL / 2)},{_f(y - CELL / 2)})"
                if r is None or q is None:
                    dots = r"\ddots" if r is None and q is None else (
                        r"\vdots" if r is None else r"\cdots")
                    out.append(f"  \\node at {mid} {{${dots}$}};")
                    continue
                out.append(f"  \\draw[{style(r, q)}] ({_f(x)},{_f(y)}) rectangle "
                           f"({_f(x + CELL)},{_f(y - CELL)});")
                text = label(r, q)
                if text:
                    out.append(f"  \\node{font} at {mid} {{${text}$}};")
        return out

    def numbers(self, first_row: int, first_col: int) -> list[str]:
        """Row numbers on the left, column numbers above (the source's own numbering)."""
        out = [f"  \\node[black!55] at ({_f(self.x0 - 0.3)},{_f(self.y(r) - CELL / 2)}) "
               f"{{{r}}};" for r in self.rows if r is not None]
        out += [f"  \\node[black!55] at ({_f(self.x(q) + CELL / 2)},{_f(self.y0 + 0.25)}) "
                f"{{{q}}};" for q in self.cols if q is not None]
        return out


def _f(v: float) -> str:
    return f"{v:.2f}"


@dataclass(frozen=True)
class GridLayer:
    """What a grid picture needs of a layer: its geometry (2-D; a 1-D layer has one row),
    the output (i, j) to mark, and the LaTeX of each cell (already spec-vetted math)."""

    source: tuple[int, int]  # H, W of one channel
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    output: tuple[int, int]
    at: tuple[int, int]  # the output (i, j) drawn
    source_label: Callable[[int, int], str]  # (r, q) → LaTeX of source cell (channel 1)
    output_label: Callable[[int, int], str]  # (i, j) → LaTeX of output cell (filter 1)
    source_title: str  # LaTeX text of the panel titles, escaped by the caller
    output_title: str


def _marked_output(layer: GridLayer, x0: float) -> tuple[Grid, list[str]]:
    (h, w), (i, j) = layer.output, layer.at
    out = Grid(x0, 0.0, shown(1, h, [i]), shown(1, w, [j]))
    lines = out.cells(layer.output_label,
                      lambda r, q: "marked" if (r, q) == (i, j) else "gridcell")
    lines.append(f"  \\node[paneltitle] at ({_f(x0 + out.width / 2)},0.45) "
                 f"{{{layer.output_title}}};")
    return out, lines


def _source_grid(layer: GridLayer, field: Window, nxt: Window | None,
                 cells: Sequence[tuple[int, int]] = ()) -> Grid:
    """The source's grid, keeping the window, the next one's ends and ``cells``."""
    (h, w), (p_r, p_c) = layer.source, layer.padding
    keep_r = _ends([*range(field.rows[0], field.rows[1] + 1)]) + [r for r, _ in cells]
    keep_c = _ends([*range(field.cols[0], field.cols[1] + 1)]) + [q for _, q in cells]
    if nxt is not None:
        keep_c += [nxt.cols[0], nxt.cols[1]]
    return Grid(0.0, 0.0, shown(1 - p_r, h + p_r, keep_r), shown(1 - p_c, w + p_c, keep_c))


def _ends(run: list[int]) -> list[int]:
    """A run of indices to keep: all of them when short, else its two ends (a long kernel's
    middle is elided like any other run)."""
    return run if len(run) <= 3 else [run[0], run[-1]]


def _source_lines(layer: GridLayer, grid: Grid, field: Window, nxt: Window | None
                  ) -> list[str]:
    h, w = layer.source

    def inside(r: int, q: int) -> bool:
        return 1 <= r <= h and 1 <= q <= w

    lines = [f"  % receptive field of output ({layer.at[0]}, {layer.at[1]}): rows "
             f"{field.rows[0]}..{field.rows[1]}, columns {field.cols[0]}..{field.cols[1]}",
             f"  \\fill[black!15] {grid.box(field)};"]  # under the cells and their labels
    lines += grid.cells(lambda r, q: layer.source_label(r, q) if inside(r, q) else "0",
                        lambda r, q: "gridcell" if inside(r, q) else "padcell")
    lines += grid.numbers(1, 1)
    lines.append(f"  \\path[window] {grid.box(field)};")
    if nxt is not None:
        lines.append(f"  \\path[nextwindow] {grid.box(nxt)};")
        top = grid.y0 + 0.6
        lines.append(f"  \\draw[->, thick] ({_f(grid.x(field.cols[0]))},{_f(top)}) -- "
                     f"node[above] {{stride {layer.stride[1]}}} "
                     f"({_f(grid.x(nxt.cols[0]))},{_f(top)});")
    lines.append(f"  \\node[paneltitle] at ({_f(grid.width / 2)},{_f(1.05 if nxt else 0.45)}) "
                 f"{{{layer.source_title}}};")
    if max(layer.padding) > 0:
        lines.append(f"  \\node[anchor=north] at ({_f(grid.width / 2)},"
                     f"{_f(-grid.height - 0.1)}) {{padding {max(layer.padding)}: the dashed "
                     "cells are zeros};")
    return lines


def _next_window(layer: GridLayer) -> Window | None:
    """The window of output (i, j + 1), when the layer has one."""
    i, j = layer.at
    if j + 1 > layer.output[1]:
        return None
    return receptive_field(i, j + 1, layer.kernel, layer.stride, layer.padding)


def conv_tikz(layer: GridLayer, weight_label: Callable[[int, int], str], kernel_title: str
              ) -> str:
    """The source ∗ kernel = output picture of a conv layer at output ``layer.at``."""
    i, j = layer.at
    field = receptive_field(i, j, layer.kernel, layer.stride, layer.padding)
    nxt = _next_window(layer)
    grid = _source_grid(layer, field, nxt)
    lines = _source_lines(layer, grid, field, nxt)
    kx = grid.width + _GAP
    kernel = Grid(kx, 0.0, shown(1, layer.kernel[0], []), shown(1, layer.kernel[1], []))
    lines.append(f"  \\node at ({_f(kx - _GAP / 2)},{_f(-kernel.height / 2)}) {{$\\ast$}};")
    lines += kernel.cells(weight_label, lambda r, q: "window", r"[font=\tiny]")
    lines.append(f"  \\node[paneltitle] at ({_f(kx + kernel.width / 2)},0.45) {{{kernel_title}}};")
    ox = kx + kernel.width + _GAP
    lines.append(f"  \\node at ({_f(ox - _GAP / 2)},{_f(-kernel.height / 2)}) {{$=$}};")
    out, more = _marked_output(layer, ox)
    lines += more
    lines.append(f"  \\draw[->, thick, black!60] ({_f(grid.x(field.cols[1]) + CELL)},"
                 f"{_f(grid.y(field.rows[1]) - CELL)}) to[bend right=20] "
                 f"{out.centre(i, j)};")
    return _picture(lines)


def pool_tikz(layer: GridLayer, routed: Sequence[tuple[int, int]], delta: str) -> str:
    """The source and output of a pooling layer at output ``layer.at``, with ``delta``
    (LaTeX) drawn back from the output to each cell of ``routed``."""
    i, j = layer.at
    field = receptive_field(i, j, layer.kernel, layer.stride)
    nxt = _next_window(layer)
    grid = _source_grid(layer, field, nxt, routed if len(routed) == 1 else ())
    routed = [(r, q) for r, q in routed if r in grid.rows and q in grid.cols]
    lines = _source_lines(layer, grid, field, nxt)
    out, more = _marked_output(layer, grid.width + 2 * _GAP)
    lines += more
    lines.append(f"  \\draw[->, thick] ({_f(grid.x(field.cols[1]) + CELL)},"
                 f"{_f(grid.y(field.rows[0]) - CELL / 2)}) to[bend left=15] "
                 f"{out.centre(i, j)};")
    for k, (r, q) in enumerate(routed):
        label = f"node[below, pos=0.5] {{${delta}$}} " if k == 0 else ""
        lines.append(f"  \\draw[->, thick, dashed] {out.centre(i, j)} to[bend left=15] "
                     f"{label}{grid.centre(r, q)};")
        lines.append(f"  \\draw[very thick] ({_f(grid.x(q) + 0.08)},{_f(grid.y(r) - 0.08)}) "
                     f"rectangle ({_f(grid.x(q) + CELL - 0.08)},{_f(grid.y(r) - CELL + 0.08)});")
    return _picture(lines)


def _picture(lines: list[str]) -> str:
    return "\\begin{tikzpicture}" + _STYLES + "\n" + "\n".join(lines) + "\n\\end{tikzpicture}"
