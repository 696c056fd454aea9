"""The computation graph, micrograd's ``draw_dot`` made symbolic.

Nodes are the inputs, parameters, every unit's net input and activation, the targets and
the loss; each edge carries the local derivative ∂child/∂parent (and its number when the
spec has values). Backpropagation multiplies these labels along every path to the loss.
Output as Graphviz DOT or as a TikZ picture.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients
from .escape import dot_string
from .html_names import name_html, text_html
from .label_layout import Box, Edge, label_size, overlap, place_labels
from .numbers import number, number_tex
from .printing import tex, text

FORMATS = ("tikz", "dot")
LABEL_PREFIX = "·label"  # a DOT node id no quantity's name can take (names are identifiers)
MIN_GAP_CM = 3.6
MIDDLE_FIRST = (0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75)
ROW_CM = 1.25
SPREADS = (1.0, 1.25, 1.5, 1.8, 2.2, 2.7, 3.3)  # column gaps tried, narrowest first


@dataclass(frozen=True)
class GraphNode:
    symbol: sp.Symbol
    kind: str  # input | param | net | out | target | loss
    value: float | None


@dataclass(frozen=True)
class GraphEdge:
    parent: sp.Symbol
    child: sp.Symbol
    derivative: sp.Expr  # ∂child/∂parent
    value: float | None
    highlighted: bool


@dataclass(frozen=True)
class ComputationGraph:
    network: Network
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


def computation_graph(net: Network, grads: Gradients, *, values: object = None,
                      param: str | None = None) -> ComputationGraph:
    """The graph of ``net``; with ``param`` the paths from it to the loss are highlighted."""
    from .derivations import _numeric, symbol_values, value_of

    at = symbol_values(net, grads, values) if values is not None else None
    nodes: list[GraphNode] = []

    def value(sym: sp.Symbol) -> float | None:  # in high precision: 10^{-400} is not 0
        return value_of(at, sym) if at is not None and sym in at else None

    nodes += [GraphNode(s, "input", value(s)) for s in net.inputs]
    nodes += [GraphNode(s, "param", value(s)) for s in net.params]
    for u in net.units:
        nodes += [GraphNode(u.net, "net", value(u.net)), GraphNode(u.out, "out", value(u.out))]
    nodes += [GraphNode(t, "target", value(t)) for t in net.targets]
    nodes.append(GraphNode(net.loss_symbol, "loss", value(net.loss_symbol)))
    raw: list[tuple[sp.Symbol, sp.Symbol, sp.Expr]] = []
    for u in net.units:
        for source, w in u.incoming:
            src = net.source_out[source]
            raw.append((src, u.net, w))
            if u.pool is None:  # a pooling unit's w is ∂pool/∂source, not a parameter
                raw.append((w, u.net, src))
        if u.bias is not None:
            raw.append((u.bias, u.net, sp.S.One))
        for k in grads._group(u.name):
            raw.append((u.net, k.out, grads.local_derivative_between(k, u)))
    for u in net.outputs:
        raw.append((u.out, net.loss_symbol, grads.direct_loss[u.name]))
    for u in net.outputs:  # the targets feed the loss too
        if u.target is not None:
            raw.append((u.target, net.loss_symbol,
                        net.out_form(sp.diff(net.loss, u.target))))
    on_path = _path_edges(raw, net, param)
    edges = tuple(GraphEdge(p, c, d, _numeric(d, at, net) if at is not None else None,
                            (p, c) in on_path) for p, c, d in raw)
    return ComputationGraph(net, tuple(nodes), edges)


def _path_edges(raw: list[tuple[sp.Symbol, sp.Symbol, sp.Expr]], net: Network,
                param: str | None) -> set[tuple[sp.Symbol, sp.Symbol]]:
    if param is None:
        return set()
    from .derivations import _select

    start = _select(net, [param])[0]
    children: dict[sp.Symbol, list[sp.Symbol]] = {}
    for p, c, _ in raw:
        children.setdefault(p, []).append(c)
    reaches: dict[sp.Symbol, bool] = {}

    def leads_to_loss(s: sp.Symbol) -> bool:
        if s == net.loss_symbol:
            return True
        if s not in reaches:
            reaches[s] = any([leads_to_loss(c) for c in children.get(s, [])])
        return reaches[s]

    out: set[tuple[sp.Symbol, sp.Symbol]] = set()
    stack = [start]
    seen = set()
    while stack:
        s = stack.pop()
        if s in seen:
            continue
        seen.add(s)
        for c in children.get(s, []):
            if leads_to_loss(c):
                out.add((s, c))
                stack.append(c)
    return out


def _depths(graph: ComputationGraph) -> dict[sp.Symbol, int]:
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
    """The row of each node: within a column, nodes sorted by the mean row of the nodes they
    connect to (a few sweeps of the barycentre method), so edges cross little."""
    columns: dict[int, list[sp.Symbol]] = {}
    for n in graph.nodes:
        columns.setdefault(depth[n.symbol], []).append(n.symbol)
    neighbours: dict[sp.Symbol, list[sp.Symbol]] = {n.symbol: [] for n in graph.nodes}
    for e in graph.edges:
        neighbours[e.parent].append(e.child)
        neighbours[e.child].append(e.parent)
    row = {s: float(k) for col in columns.values() for k, s in enumerate(col)}
    for _ in range(4):
        for col in sorted(columns):
            members = columns[col]
            members.sort(key=lambda s: (sum(row[t] for t in neighbours[s]) / len(neighbours[s])
                                        if neighbours[s] else row[s]))
            for k, s in enumerate(members):
                row[s] = float(k) - (len(members) - 1) / 2
    return row


def to_dot(graph: ComputationGraph) -> str:
    """Graphviz DOT: ``dot -Tpng graph.dot -o graph.png``. Every name is in the spec's
    notation as an HTML-like label (``w<sup>[1]</sup><sub>1,1</sub>``); Graphviz lays the
    graph out and places the edge labels."""
    net = graph.network
    shapes = {"input": "ellipse", "param": "box", "net": "ellipse", "out": "ellipse",
              "target": "ellipse", "loss": "doubleoctagon"}
    names = {n.symbol.name: name_html(net.latex_of(n.symbol)) for n in graph.nodes}
    lines = ["digraph computation {", "  rankdir=LR;", "  nodesep=0.3;", "  ranksep=1.1;",
             '  node [fontname="Helvetica", fontsize=11, margin="0.06,0.03"];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for n in graph.nodes:
        label = names[n.symbol.name]
        if n.value is not None:
            label += f"<br/>{html.escape(number(n.value, 6))}"
        style = ', style=filled, fillcolor="#eeeeee"' if n.kind in ("param", "input") else ""
        lines.append(f"  {dot_string(n.symbol.name)} [label=<{label}>, "
                     f"shape={shapes[n.kind]}{style}];")
    for k, e in enumerate(graph.edges):
        label = text_html(text(e.derivative, net), names)
        if e.value is not None:
            label += f"<br/>= {html.escape(number(e.value, 6))}"
        bold = 'color="#c0392b", penwidth=2' if e.highlighted else ""
        # the label is a node of its own on the edge: Graphviz keeps nodes apart and routes
        # the other edges around them, so no label covers a node, a label or an edge
        middle = dot_string(f"{LABEL_PREFIX}{k}")
        lines.append(f"  {middle} [label=<{label}>, shape=plaintext, fontsize=9, "
                     'margin="0.02,0.01", width=0, height=0];')
        lines.append(f"  {dot_string(e.parent.name)} -> {middle} [arrowhead=none"
                     f"{', ' + bold if bold else ''}];")
        lines.append(f"  {middle} -> {dot_string(e.child.name)}{f' [{bold}]' if bold else ''};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_tikz(graph: ComputationGraph, *, standalone: bool = True) -> str:
    """A TikZ picture of the graph; ``standalone`` wraps it in a compilable document.

    Each edge's label (its local derivative, and its number) is upright and placed where it
    covers no node, no other label and no other edge, the columns moving apart until it
    does."""
    net = graph.network
    depth = _depths(graph)
    rows = _rows(graph, depth)
    labels = []
    for e in graph.edges:
        label = tex(net, e.derivative)
        if e.value is not None:
            label += f" = {number_tex(e.value, 4)}"
        labels.append(label)
    widths = {n.symbol: _node_width(net, n) for n in graph.nodes}
    # each gap between columns is wide enough for the longest label that has to fit in it
    gap = dict.fromkeys(range(max(depth.values()) + 1), MIN_GAP_CM)
    for e, label in zip(graph.edges, labels, strict=True):
        if depth[e.child] == depth[e.parent] + 1:
            need = label_size(label)[0] + (widths[e.parent] + widths[e.child]) / 2 + 0.5
            gap[depth[e.parent]] = max(gap[depth[e.parent]], need)
    heights = {n.symbol: 0.95 if n.value is not None else 0.55 for n in graph.nodes}
    best: tuple[float, dict[sp.Symbol, tuple[float, float]], list[float]] | None = None
    for spread in SPREADS:  # wider columns until no label covers a node or another label
        column_x = [0.0]
        for c in range(max(depth.values())):
            column_x.append(column_x[-1] + gap[c] * spread)
        at_xy = {n.symbol: (column_x[depth[n.symbol]], -rows[n.symbol] * ROW_CM)
                 for n in graph.nodes}
        boxes = [Box(*at_xy[n.symbol], widths[n.symbol], heights[n.symbol])
                 for n in graph.nodes]
        box_of = {n.symbol: b for n, b in zip(graph.nodes, boxes, strict=True)}
        edges = [Edge(*_border_to_border(box_of[e.parent], box_of[e.child]),
                      *label_size(label), key=k)
                 for k, (e, label) in enumerate(zip(graph.edges, labels, strict=True))]
        lines = [seg for edge in edges for seg in edge.segments()]
        at = place_labels(edges, boxes, MIDDLE_FIRST, lines=lines)
        cost = overlap(edges, at, boxes, lines)
        if best is None or cost < best[0] - 1e-9:
            best = (cost, at_xy, at)
        if cost == 0:
            break
    assert best is not None
    _, pos, at = best
    names = {n.symbol: f"g{k}" for k, n in enumerate(graph.nodes)}
    lines = [r"\begin{tikzpicture}[>=stealth, every node/.style={font=\small},",
             r"  q/.style={draw, rounded corners, inner sep=2pt, align=center},",
             r"  p/.style={q, fill=black!6},",
             r"  d/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]
    for n in graph.nodes:
        x, y = pos[n.symbol]
        label = f"${net.latex_of(n.symbol)}$"
        if n.value is not None:
            label += rf"\\ ${number_tex(n.value, 6)}$"
        style = "p" if n.kind in ("param", "input") else "q"
        lines.append(rf"  \node[{style}] ({names[n.symbol]}) at ({x:.2f},{y:.2f}) {{{label}}};")
    for e, label, p in zip(graph.edges, labels, at, strict=True):
        color = "red!70!black, very thick" if e.highlighted else "black!60"
        lines.append(rf"  \draw[->, {color}] ({names[e.parent]}) -- node[d, pos={p:.2f}] "
                     rf"{{${label}$}} ({names[e.child]});")
    lines.append(r"\end{tikzpicture}")
    picture = "\n".join(lines)
    if not standalone:
        return picture + "\n"
    return ("\\documentclass[border=6pt]{standalone}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage{lmodern}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage{tikz}\n\\begin{document}\n" + picture + "\n\\end{document}\n")


def _border_to_border(a: Box, b: Box) -> tuple[float, float, float, float]:
    """The part of the line between two boxes' centres that lies outside both: TikZ draws
    an edge from border to border, and ``pos`` counts along that part."""
    dx, dy = b.x - a.x, b.y - a.y

    def leave(box: Box) -> float:  # the fraction of the centre line inside ``box``
        fx = box.width / 2 / abs(dx) if dx else float("inf")
        fy = box.height / 2 / abs(dy) if dy else float("inf")
        return min(fx, fy, 0.5)

    s, t = leave(a), 1 - leave(b)
    return a.x + s * dx, a.y + s * dy, a.x + t * dx, a.y + t * dy


def _node_width(net: Network, n: GraphNode) -> float:
    """The width in cm of a node's box (its name, and its value under it)."""
    width = label_size(net.latex_of(n.symbol))[0]
    if n.value is not None:
        width = max(width, label_size(number_tex(n.value, 6))[0])
    return width / 0.8 + 0.3  # \small, not \scriptsize, and the padding


def render_graph(graph: ComputationGraph, fmt: str) -> str:
    return to_dot(graph) if fmt == "dot" else to_tikz(graph)
