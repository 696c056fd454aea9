"""``graph``'s TikZ picture: columns of quantities, with a column of edge labels between
each two.

Every quantity sits in the column of its depth (:func:`depths`); right after each column of
quantities comes a column of labels, one for every edge that leaves it, stacked so that no
two touch. An edge runs from its source to the left side of its label, on behind the label
along the label's own row to the right side of that column, and from there to its target;
an edge that goes further than the next column of quantities crosses each column on the way
in a row kept free for it. Between two columns an edge is one straight line, and inside a
column it is level in a row of its own, so by construction no label covers a node, another
label or another edge (the labels' sizes are estimated from their LaTeX on the large side,
:func:`symbackprop.render.label_layout.label_size`).

>>> print(to_tikz(graph, standalone=False))  # doctest: +SKIP
\\begin{tikzpicture}[…]
  \\node[p] (g0) at (0.45,1.20) {$w_{1}$\\\\ $0.15$};
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ..network.build import Network
from .graph import ComputationGraph, GraphNode, to_dot
from .label_layout import label_size
from .numbers import number_tex
from .printing import tex

GAP_CM = 1.4  # between two columns, where the edges slope
NODE_GAP_CM = 0.45  # between two quantities stacked in a column
LABEL_GAP_CM = 0.12  # between two labels (or rows kept for a passing edge) in a column
PASS_CM = 0.16  # the height of the row an edge crosses a column in
SWEEPS = 4  # barycentre sweeps that order each column of quantities


@dataclass(frozen=True)
class Slot:
    """One thing stacked in a column: a quantity, an edge's label, or an edge passing by."""

    kind: str  # node | label | pass
    ident: object  # the node's symbol, or the edge's index
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    """Where everything goes (cm): the centre of each node, the left end of each label's
    row, and the corners each edge turns at between its source and its target."""

    nodes: dict[sp.Symbol, tuple[float, float]]
    labels: list[tuple[float, float]]  # the west anchor of each edge's label
    paths: list[list[tuple[float, float]]]  # the points between source and target
    widths: dict[sp.Symbol, float]
    heights: dict[sp.Symbol, float]


def depths(graph: ComputationGraph) -> dict[sp.Symbol, int]:
    """The column of each node: quantities by the longest chain of quantities before them;
    each parameter and target one column before the first node it feeds."""
    fed_by = {n.symbol: n.kind in ("param", "target") for n in graph.nodes}
    depth = {n.symbol: 0 for n in graph.nodes}
    for _ in range(len(graph.nodes)):
        changed = False
        for e in graph.edges:
            if not fed_by[e.parent] and depth[e.child] < depth[e.parent] + 1:
                depth[e.child] = depth[e.parent] + 1
                changed = True
        if not changed:
            break
    for n in graph.nodes:
        if fed_by[n.symbol]:
            children = [depth[e.child] for e in graph.edges if e.parent == n.symbol]
            depth[n.symbol] = max(min(children, default=1) - 1, 0)
    return depth


def _rows(graph: ComputationGraph, depth: dict[sp.Symbol, int]) -> dict[sp.Symbol, float]:
    """The order of each node in its column: nodes sorted by the mean row of the nodes they
    connect to (a few sweeps of the barycentre method), so edges cross little."""
    columns: dict[int, list[sp.Symbol]] = {}
    for n in graph.nodes:
        columns.setdefault(depth[n.symbol], []).append(n.symbol)
    neighbours: dict[sp.Symbol, list[sp.Symbol]] = {n.symbol: [] for n in graph.nodes}
    for e in graph.edges:
        neighbours[e.parent].append(e.child)
        neighbours[e.child].append(e.parent)
    row = {s: float(k) for col in columns.values() for k, s in enumerate(col)}
    for _ in range(SWEEPS):
        for col in sorted(columns):
            members = columns[col]
            members.sort(key=lambda s: (sum(row[t] for t in neighbours[s]) / len(neighbours[s])
                                        if neighbours[s] else row[s]))
            for k, s in enumerate(members):
                row[s] = float(k) - (len(members) - 1) / 2
    return row


def _stack(slots: Sequence[tuple[float, Slot]], gap: float) -> dict[tuple[str, object], float]:
    """The centre height of each slot, stacked from the top in the order of their keys with
    ``gap`` between two, the column centred on 0."""
    ordered = [s for _, s in sorted(slots, key=lambda ks: ks[0])]
    total = sum(s.height for s in ordered) + gap * max(len(ordered) - 1, 0)
    y = total / 2
    out = {}
    for s in ordered:
        out[(s.kind, s.ident)] = y - s.height / 2
        y -= s.height + gap
    return out


def layout(graph: ComputationGraph, labels: Sequence[str]) -> Layout:
    """Columns of quantities (even columns) and of labels (odd ones), stacked and placed."""
    net = graph.network
    depth = depths(graph)
    order = _rows(graph, depth)
    widths = {n.symbol: _node_width(net, n) for n in graph.nodes}
    heights = {n.symbol: 0.95 if n.value is not None else 0.55 for n in graph.nodes}
    # the columns each edge crosses: its label's, then every column up to its target's
    spans = []
    for e in graph.edges:
        first = 2 * depth[e.parent] + 1
        spans.append(list(range(first + 1, max(2 * depth[e.child], first + 1))))
    columns: dict[int, list[tuple[float, Slot]]] = {}
    for n in graph.nodes:
        columns.setdefault(2 * depth[n.symbol], []).append(
            (order[n.symbol], Slot("node", n.symbol, widths[n.symbol], heights[n.symbol])))
    for k, (e, cross) in enumerate(zip(graph.edges, spans, strict=True)):
        key = (order[e.parent] + order[e.child]) / 2
        for c in cross:
            if c % 2 == 0:
                columns.setdefault(c, []).append((key, Slot("pass", (k, c), 0.0, PASS_CM)))
    y: dict[tuple[str, object], float] = {}
    for slots in columns.values():
        y.update(_stack(slots, NODE_GAP_CM))
    # a label column is ordered by where its edges come from and go to, now that the
    # quantities have their heights
    for k, (e, cross) in enumerate(zip(graph.edges, spans, strict=True)):
        after = next((y[("pass", (k, c))] for c in cross if c % 2 == 0), None)
        key = (y[("node", e.parent)] + (y[("node", e.child)] if after is None else after)) / 2
        size = label_size(labels[k])
        first = 2 * depth[e.parent] + 1
        columns.setdefault(first, []).append((-key, Slot("label", k, *size)))
        for c in cross:
            if c % 2 == 1:
                columns.setdefault(c, []).append((-key, Slot("pass", (k, c), 0.0, PASS_CM)))
    for c, slots in columns.items():
        if c % 2 == 1:
            y.update(_stack(slots, LABEL_GAP_CM))
    width_of = {c: max([s.width for _, s in slots] + [0.3]) for c, slots in columns.items()}
    left = {0: 0.0}
    for c in range(1, max(columns) + 1):
        left[c] = left[c - 1] + width_of.get(c - 1, 0.3) + GAP_CM
    nodes = {n.symbol: (left[2 * depth[n.symbol]] + width_of[2 * depth[n.symbol]] / 2,
                        y[("node", n.symbol)]) for n in graph.nodes}
    label_at, paths = [], []
    for k, (e, cross) in enumerate(zip(graph.edges, spans, strict=True)):
        first = 2 * depth[e.parent] + 1
        row = y[("label", k)]
        label_at.append((left[first], row))
        path = [(left[first], row), (left[first] + width_of[first], row)]
        for c in cross:
            at = y[("pass", (k, c))]
            path += [(left[c], at), (left[c] + width_of[c], at)]
        paths.append(path)
    return Layout(nodes, label_at, paths, widths, heights)


def edge_labels(graph: ComputationGraph) -> list[str]:
    """Each edge's label: its local derivative (and its number)."""
    out = []
    for e in graph.edges:
        label = tex(graph.network, e.derivative)
        if e.value is not None:
            label += f" = {number_tex(e.value, 4)}"
        out.append(label)
    return out


def to_tikz(graph: ComputationGraph, *, standalone: bool = True) -> str:
    """A TikZ picture of the graph; ``standalone`` wraps it in a compilable document.

    Each edge's label (its local derivative, and its number) is upright and stands in a
    column of labels, where it covers no node, no other label and no other edge."""
    net = graph.network
    labels = edge_labels(graph)
    laid = layout(graph, labels)
    names = {n.symbol: f"g{k}" for k, n in enumerate(graph.nodes)}
    lines = [r"\begin{tikzpicture}[>=stealth, every node/.style={font=\small},",
             r"  q/.style={draw, rounded corners, inner sep=2pt, align=center},",
             r"  p/.style={q, fill=black!6},",
             r"  d/.style={font=\scriptsize, fill=white, inner sep=1pt, anchor=west}]"]
    for n in graph.nodes:
        x, y = laid.nodes[n.symbol]
        label = f"${net.latex_of(n.symbol)}$"
        if n.value is not None:
            label += rf"\\ ${number_tex(n.value, 6)}$"
        style = "p" if n.kind in ("param", "input") else "q"
        lines.append(rf"  \node[{style}] ({names[n.symbol]}) at ({x:.2f},{y:.2f}) {{{label}}};")
    for e, path in zip(graph.edges, laid.paths, strict=True):
        color = "red!70!black, very thick" if e.highlighted else "black!60"
        corners = " -- ".join(f"({x:.2f},{y:.2f})" for x, y in path)
        lines.append(rf"  \draw[->, {color}] ({names[e.parent]}) -- {corners} "
                     rf"-- ({names[e.child]});")
    for label, (x, y) in zip(labels, laid.labels, strict=True):  # over the edges' lines
        lines.append(rf"  \node[d] at ({x:.2f},{y:.2f}) {{${label}$}};")
    lines.append(r"\end{tikzpicture}")
    picture = "\n".join(lines)
    if not standalone:
        return picture + "\n"
    return ("\\documentclass[border=6pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage{lmodern}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage{tikz}\n\\begin{document}\n" + picture + "\n\\end{document}\n")


def render_graph(graph: ComputationGraph, fmt: str) -> str:
    """``graph --format``: Graphviz DOT (``dot``) or this TikZ picture (``tikz``)."""
    return to_dot(graph) if fmt == "dot" else to_tikz(graph)


def _node_width(net: Network, n: GraphNode) -> float:
    """The width in cm of a node's box (its name, and its value under it)."""
    width = label_size(net.latex_of(n.symbol))[0]
    if n.value is not None:
        width = max(width, label_size(number_tex(n.value, 6))[0])
    return width / 0.8 + 0.3  # \small, not \scriptsize, and the padding
