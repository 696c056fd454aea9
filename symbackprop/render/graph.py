"""The computation graph, micrograd's ``draw_dot`` made symbolic.

Nodes are the inputs, parameters, every unit's net input and activation, the targets and
the loss; each edge carries the local derivative ∂child/∂parent (and its number when the
spec has values). Backpropagation multiplies these labels along every path to the loss.
Output as Graphviz DOT, or as a TikZ picture (:mod:`symbackprop.render.tikz_graph`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients
from .escape import dot_string
from .html_names import name_html, text_html
from .numbers import number
from .printing import text

MINUS = "\N{MINUS SIGN}"  # in the DOT labels (names are identifiers: no hyphen in a name)
LABEL_PREFIX = "·label"  # a DOT node id no quantity's name can take (names are identifiers)


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
            if u.weighted:  # a pooling unit's w is ∂pool/∂source, not a parameter
                raw.append((w, u.net, src))
        for theta, local in u.uses:  # a formula node: each parameter with ∂formula/∂θ
            raw.append((theta, u.net, local))
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
            label = _stacked(label, _minus(number(n.value, 6)))
        style = ', style=filled, fillcolor="#eeeeee"' if n.kind in ("param", "input") else ""
        lines.append(f"  {dot_string(n.symbol.name)} [label=<{label}>, "
                     f"shape={shapes[n.kind]}{style}];")
    lines += _rank_order(graph)
    for k, e in enumerate(graph.edges):
        label = text_html(text(e.derivative, net).replace("-", MINUS), names)
        if e.value is not None:
            label = _stacked(label, f"= {_minus(number(e.value, 6))}")
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


def _rank_order(graph: ComputationGraph) -> list[str]:
    """The inputs, each layer's net inputs, its activations and the targets in one column
    each, in the spec's order from the top (an invisible chain that Graphviz keeps): left
    alone, Graphviz orders a column by its own crossing count, and unit 4 comes above 1."""
    net = graph.network
    shown = {n.symbol for n in graph.nodes}
    columns: dict[tuple[str, int], list[sp.Symbol]] = {("input", 0): list(net.inputs)}
    for u in net.units:
        columns.setdefault(("net", u.layer), []).append(u.net)
        columns.setdefault(("out", u.layer), []).append(u.out)
    columns[("target", 0)] = [u.target for u in net.outputs if u.target is not None]
    out = []
    for members in columns.values():
        members = [s for s in members if s in shown]
        if len(members) > 1:
            chain = " -> ".join(dot_string(s.name) for s in members)
            out.append(f"  {{rank=same; {chain} [style=invis];}}")
    return out


def _minus(number_text: str) -> str:
    """A number for an HTML-like label, its sign the minus sign (−), not a hyphen."""
    return html.escape(number_text.replace("-", MINUS))


def _stacked(*lines: str) -> str:
    """HTML-like lines, one table row each: a row is as tall as its sub- and superscripts,
    where ``<br/>`` would let a subscript run into the line below."""
    rows = "".join(f"<tr><td>{line}</td></tr>" for line in lines)
    return f'<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{rows}</table>'
