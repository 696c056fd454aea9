"""The operation-level derivation and graph: ``derive --level op`` and ``graph --level op``.

A network's loss drawn one operation a node (:mod:`symbackprop.network.op_graph`), as a
lecture draws y = mx + c: every lettered node with what it computes, every edge with its
local derivative, and the backward pass as numbered steps, ∂L/∂L = 1 first, each node the
sum over its consumers of the consumer's derivative times the local one. Printed as text,
LaTeX, Markdown or JSON; drawn as Graphviz DOT (Graphviz lays it out) or a TikZ picture.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp

from ..network.build import Network, frozen_note
from ..network.op_graph import OpGraph, OpStep, network_op_graph
from .escape import dot_string, latex_comment, markdown_text
from .latex import escape_text
from .numbers import number
from .printing import Partial, plain_text, tex, text

CLOSED_SIZE = 40  # a step's closed form is printed when it is at most this many operations
DIGITS = 30


@dataclass(frozen=True)
class OpDocument:
    network: Network
    graph: OpGraph
    values: dict[sp.Symbol, sp.Expr] | None  # every node's value, with numbers
    adjoints: dict[sp.Symbol, sp.Expr] | None  # every ∂L/∂node, with numbers
    params: tuple[sp.Symbol, ...] = ()  # the gradients listed at the end (all when empty)


def leaf_values(net: Network, values: Any) -> dict[sp.Symbol, sp.Expr] | None:
    """The numbers of the inputs, parameters and targets at the one worked example, or None
    when ``values`` has no single example or misses a parameter."""
    if values is None or len(values.examples) != 1:
        return None
    if {p.name for p in net.params} - set(values.params):
        return None
    ex = values.examples[0]
    out = {p: _exact(values.params[p.name]) for p in net.params}
    out.update({s: _exact(ex.inputs[i.name])
                for i, s in zip(net.spec.inputs, net.inputs, strict=True)})
    for u in net.outputs:
        if u.target is not None and u.name in ex.targets:
            out[u.target] = _exact(ex.targets[u.name])
    if net.decay is not None and values.weight_decay is not None:
        out[net.decay] = _exact(values.weight_decay)
    return out


def _exact(value: Any) -> sp.Expr:
    exact = getattr(value, "exact", None)
    if exact is not None:
        return sp.Rational(exact.numerator, exact.denominator)
    return sp.Float(repr(float(value)), DIGITS)


def op_document(net: Network, values: Any = None, params: Sequence[str] = ()
                ) -> OpDocument:
    """The operation graph of ``net`` with its steps, and with numbers at ``values``;
    the gradients of ``params`` (all when empty) close the derivation."""
    from .derivations import _select

    chosen = tuple(_select(net, params))
    graph = network_op_graph(net)
    leaves = leaf_values(net, values)
    if leaves is None or graph.leaves - set(leaves):
        return OpDocument(net, graph, None, None, chosen)
    if any(f not in net.stand_ins for f in net.functions):
        return OpDocument(net, graph, None, None, chosen)  # f without a stand-in
    from ..numeric.stand_ins import with_stand_ins

    at, adjoints = graph.evaluate(leaves, DIGITS, lambda e: with_stand_ins(net, e))
    if not all(v.is_Number for v in [*at.values(), *adjoints.values()]):
        return OpDocument(net, graph, None, None, chosen)  # a value not defined there
    return OpDocument(net, graph, at, adjoints, chosen)


def _partials(doc: OpDocument, step: OpStep) -> sp.Expr:
    """The step's derivative with each ∂L/∂consumer symbol made the printable fraction
    (only the step's own consumers: one step costs its own size)."""
    g = doc.graph
    return step.derivative.xreplace({g.adjoint(c): Partial(g.root, c) for c, _ in step.terms})


def _step_rows(doc: OpDocument, step: OpStep) -> list[sp.Expr]:
    """The right-hand sides of one step after the chain rule: with the local derivatives,
    then in the graph's letters when short."""
    if not step.terms:
        return [sp.S.One]
    rows = [_partials(doc, step)]
    if step.size <= CLOSED_SIZE and step.closed != step.derivative:
        rows.append(step.closed)
    return rows


def _chain(doc: OpDocument, step: OpStep, show: Any, times: str) -> list[str]:
    """Σ ∂L/∂consumer · ∂consumer/∂node, in the spec's chain order (the seed writes
    ∂(mx)/∂m · ∂y/∂(mx), the local factor first). Each factor is one printed fraction, an
    atom, so joining them with ``times`` and the terms with + cannot change a meaning."""
    if not step.terms:
        return []
    local_first = doc.network.spec.notation.chain_order == "local_first"
    terms = []
    for c, _ in step.terms:
        factors = [show(Partial(doc.graph.root, c)), show(Partial(c, step.node.symbol))]
        terms.append(times.join(reversed(factors) if local_first else factors))
    return [" + ".join(terms)]


def _value(doc: OpDocument, sym: sp.Symbol, adjoint: bool = False) -> str | None:
    table = doc.adjoints if adjoint else doc.values
    if table is None or sym not in table:
        return None
    return number(table[sym], 6)


def _lhs(doc: OpDocument, sym: sp.Symbol) -> sp.Expr:
    return Partial(doc.graph.root, sym)


def _params(doc: OpDocument) -> list[sp.Symbol]:
    return [p for p in doc.params or doc.network.trained if p in doc.graph.by_symbol]


def to_text(doc: OpDocument) -> str:
    net, g = doc.network, doc.graph
    lines = [net.spec.title or "", "", "Operations, one node each (forward):"]
    for sym, expr in g.forward():
        value = _value(doc, sym)
        lines.append(f"  {sym.name} = {text(expr, net)}" + (f" = {value}" if value else ""))
    lines += ["", f"Backward, node by node (∂{g.root.name}/∂node = Σ over its consumers):"]
    for step in g.steps:
        rhs = " = ".join([*_chain(doc, step, lambda e: text(e, net), "·"),
                          *(text(r, net) for r in _step_rows(doc, step))])
        value = _value(doc, step.node.symbol, adjoint=True)
        shown = value and not rhs.endswith(f"= {value}") and rhs != value
        lines.append(f"  {step.number}. {text(_lhs(doc, step.node.symbol), net)} = {rhs}"
                     + (f" = {value}" if shown else ""))
    lines += ["", "Gradients:"]
    by_node = {s.node.symbol: s for s in g.steps}
    for p in _params(doc):
        value = _value(doc, p, adjoint=True)
        lines.append(f"  {text(_lhs(doc, p), net)} = {text(_result(doc, by_node[p]), net)}"
                     + (f" = {value}" if value else ""))
    if net.frozen:  # its adjoint is a step of the sweep above, as an input's is
        lines += ["", f"note: {frozen_note(net)}"]
    return "\n".join(lines) + "\n"


def _result(doc: OpDocument, step: OpStep) -> sp.Expr:
    return step.closed if step.size <= CLOSED_SIZE else _partials(doc, step)


def _tex_rows(doc: OpDocument) -> tuple[list[str], list[str], list[str]]:
    net, g = doc.network, doc.graph
    forward = []
    for sym, expr in g.forward():
        value = _value(doc, sym)
        forward.append(f"{tex(net, sym)} &= {tex(net, expr)}"
                       + (f" = {_tex_number(value)}" if value else ""))
    steps = []
    for step in g.steps:
        rhs = " = ".join([*_chain(doc, step, lambda e: tex(net, e), r" \cdot "),
                          *(tex(net, r) for r in _step_rows(doc, step))])
        value = _value(doc, step.node.symbol, adjoint=True)
        steps.append(rf"&\text{{{step.number}.}}\quad {tex(net, _lhs(doc, step.node.symbol))} "
                     f"= {rhs}" + (f" = {_tex_number(value)}" if value else ""))
    by_node = {s.node.symbol: s for s in g.steps}
    grads = []
    for p in _params(doc):
        value = _value(doc, p, adjoint=True)
        grads.append(f"{tex(net, _lhs(doc, p))} &= {tex(net, _result(doc, by_node[p]))}"
                     + (f" = {_tex_number(value)}" if value else ""))
    return forward, steps, grads


def _tex_number(value: str) -> str:
    mantissa, _, exponent = value.partition("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}" if exponent else mantissa


def _align(rows: list[str]) -> str:
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def to_latex(doc: OpDocument, standalone: bool = False) -> str:
    forward, steps, grads = _tex_rows(doc)
    body = (f"% {latex_comment(doc.network.spec.title or '')}\n"
            "\\paragraph{Operations, one node each.}\n" + _align(forward) + "\n"
            "\\paragraph{Backward, node by node.}\n" + _align(steps) + "\n"
            "\\paragraph{Gradients.}\n" + _align(grads) + "\n")
    if not standalone:
        return body
    title = escape_text(doc.network.spec.title or "")
    return ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2cm,landscape]{geometry}\n\\allowdisplaybreaks\n"
            f"\\begin{{document}}\n\\section*{{{title}}}\n{body}\\end{{document}}\n")


def to_markdown(doc: OpDocument) -> str:
    forward, steps, grads = _tex_rows(doc)
    parts = [f"# {markdown_text(doc.network.spec.title or '')}", "",
             "## Operations, one node each", "", "$$", _align(forward), "$$", "",
             "## Backward, node by node", "", "$$", _align(steps), "$$", "",
             "## Gradients", "", "$$", _align(grads), "$$"]
    return "\n".join(parts) + "\n"


def to_json(doc: OpDocument) -> str:
    net, g = doc.network, doc.graph
    nodes = [{"name": n.name, "op": n.kind,
              "expr": plain_text(n.expr) if n.expr is not None else None,
              "latex": tex(net, n.expr) if n.expr is not None else tex(net, n.symbol),
              "children": [c.name for c in n.children],
              "value": _value(doc, n.symbol)} for n in reversed(g.nodes)]
    steps = [{"step": s.number, "node": s.node.name,
              "consumers": [{"node": c.name, "local": plain_text(d), "local_latex": tex(net, d)}
                            for c, d in s.terms],
              "derivative": plain_text(_result(doc, s)),
              "latex": tex(net, _result(doc, s)),
              "value": _value(doc, s.node.symbol, adjoint=True)} for s in g.steps]
    by_node = {s.node.symbol: s for s in g.steps}
    grads = {p.name: {"derivative": plain_text(_result(doc, by_node[p])),
                      "value": _value(doc, p, adjoint=True)} for p in _params(doc)}
    return json.dumps({"title": net.spec.title, "level": "op", "root": g.root.name,
                       "nodes": nodes, "steps": steps, "gradients": grads},
                      ensure_ascii=False, indent=2) + "\n"


def render_derivation(doc: OpDocument, fmt: str, standalone: bool = False) -> str:
    if fmt == "latex":
        return to_latex(doc, standalone)
    return {"text": to_text, "markdown": to_markdown, "json": to_json}[fmt](doc)


def to_dot(doc: OpDocument) -> str:
    """Graphviz DOT; each edge label is a node of its own on the edge, so Graphviz keeps the
    labels apart from the nodes and from each other."""
    net, g = doc.network, doc.graph
    lines = ["digraph operations {", "  rankdir=LR;", "  nodesep=0.25;", "  ranksep=0.6;",
             '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica"];']
    for n in reversed(g.nodes):
        label = n.name if n.expr is None else f"{n.name} = {text(n.expr, net)}"
        value = _value(doc, n.symbol)
        if value:
            label += f"\n= {value}"
        shape = "box" if n.expr is None else "ellipse"
        lines.append(f"  {dot_string(n.name)} [label={dot_string(label)}, shape={shape}];")
    for k, e in enumerate(g.edges):
        middle = dot_string(f"·d{k}")
        label = text(e.local, net)
        lines.append(f"  {middle} [label={dot_string(label)}, shape=plaintext, fontsize=9, "
                     "width=0, height=0, margin=0.02];")
        lines.append(f"  {dot_string(e.child.name)} -> {middle} [arrowhead=none];")
        lines.append(f"  {middle} -> {dot_string(e.consumer.name)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _depths(g: OpGraph) -> dict[sp.Symbol, int]:
    """Each node's column: its longest path to the root (the root in column 0)."""
    depth = {g.root: 0}
    for n in g.nodes:  # consumers come first in this order
        for c in n.children:
            depth[c] = max(depth.get(c, 0), depth[n.symbol] + 1)
    return depth


def to_tikz(doc: OpDocument) -> str:
    """A TikZ picture: one column per distance from the loss, nodes spaced so that no two
    nodes or edge labels meet (each label sits in its own slot of the column gap)."""
    net, g = doc.network, doc.graph
    depth = _depths(g)
    columns: dict[int, list[sp.Symbol]] = {}
    for n in g.nodes:
        columns.setdefault(depth[n.symbol], []).append(n.symbol)
    last = max(columns)
    names = {n.symbol: f"n{k}" for k, n in enumerate(g.nodes)}
    lines = [r"\begin{tikzpicture}[>=stealth, every node/.style={font=\small},",
             r"  op/.style={draw, rounded corners, inner sep=2pt},",
             r"  leaf/.style={draw, fill=black!8, inner sep=2pt},",
             r"  d/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]
    for col, members in columns.items():
        for row, sym in enumerate(members):
            n = g.by_symbol[sym]
            label = tex(net, sym) if n.expr is None else \
                f"{tex(net, sym)} = {tex(net, n.expr)}"
            value = _value(doc, sym)
            if value:
                label += f" = {_tex_number(value)}"
            style = "leaf" if n.expr is None else "op"
            lines.append(f"\\node[{style}] ({names[sym]}) at ({(last - col) * 5.5:.1f}cm, "
                         f"{-row * 1.6:.1f}cm) {{${label}$}};")
    counts: dict[sp.Symbol, int] = {}
    for e in g.edges:
        k = counts[e.consumer] = counts.get(e.consumer, 0) + 1
        pos = 0.25 + 0.5 * (k % 2)  # a consumer's labels alternate ends of their edges
        lines.append(f"\\draw[->] ({names[e.child]}) -- node[d, pos={pos}] "
                     f"{{${tex(net, e.local)}$}} ({names[e.consumer]});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def standalone_tikz(doc: OpDocument) -> str:
    return ("\\documentclass[tikz,border=4pt]{standalone}\n\\usepackage{amsmath}\n"
            f"\\begin{{document}}\n{to_tikz(doc)}\\end{{document}}\n")


def render_graph(doc: OpDocument, fmt: str) -> str:
    return to_dot(doc) if fmt == "dot" else standalone_tikz(doc)
