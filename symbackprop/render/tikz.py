"""The network as a TikZ picture (units by layer, weight labels on the edges) and as Mermaid.

Units sit in one column per layer, inputs on the left, the loss on the right; a shared bias
gets its own small node, as in Mazur's figure, and per-unit biases ride on arrows from a
constant 1. Weight labels stay upright and are placed where they overlap nothing. Very wide
layers show their first and last units with a vertical ellipsis between, so the figure stays
readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..network.build import Network, Unit
from ..spec.naming import expand
from ..spec.typesetting import upright
from .escape import mermaid_html
from .html_names import name_html
from .label_layout import Box, Edge, Segment, crossed, label_size, place_labels

COLUMN_CM = 3.4
SPREADS = (1.0, 1.2, 1.45, 1.75, 2.1, 2.5, 3.0)  # column gaps tried, narrowest first
ROW_CM = 1.7
MAX_SHOWN = 6  # units drawn per layer before eliding the middle ones
DENSE_ARROWS = 8  # more arrows into a layer than this: one label for them all
DENSE_BIASES = 3  # likewise for the arrows carrying per-unit biases
_SPECIAL = "\x00"  # marks the tool's own nodes (no name holds this character)
LOSS_KEY = _SPECIAL + "loss"


@dataclass(frozen=True)
class Node:
    key: str
    label: str  # LaTeX (math mode)
    column: int
    row: float
    kind: str  # input | unit | bias | loss | dots


def _column_nodes(names: list[str], labels: list[str], column: int, kind: str,
                  height: float) -> list[Node]:
    shown = list(range(len(names)))
    dots = False
    if len(names) > MAX_SHOWN:
        shown = [*list(range(MAX_SHOWN - 2)), len(names) - 1]
        dots = True
    count = len(shown) + (1 if dots else 0)
    top = (count - 1) / 2
    nodes = []
    slot = 0
    for k in shown:
        if dots and k == len(names) - 1:
            nodes.append(Node(f"{_SPECIAL}dots{column}", r"\vdots", column, top - slot, "dots"))
            slot += 1
        nodes.append(Node(names[k], labels[k], column, top - slot, kind))
        slot += 1
    return nodes


def drawn_units(net: Network, pos: int) -> list[Unit]:
    """The units drawn in the column of layer ``pos``: the layer's nodes that are not its
    units (a normalisation's μ, σ² and x̂), then its units."""
    lay = net.spec.layers[pos - 1]
    own = set(lay.units)
    return [*(u for u in net.units if u.layer == pos and u.name not in own),
            *(net.unit_by_name[n] for n in lay.units)]


def layout(net: Network) -> list[Node]:
    """Nodes of the network diagram with their grid positions."""
    spec = net.spec
    nodes = _column_nodes([i.name for i in spec.inputs], [net.latex_of(s) for s in net.inputs],
                          0, "input", 0)  # as every formula prints them: temperature upright
    for pos, _lay in enumerate(spec.layers, start=1):
        units = drawn_units(net, pos)
        nodes += _column_nodes([u.name for u in units],
                               [net.latex_of(u.out) for u in units], pos, "unit", 0)
    nodes.append(Node(LOSS_KEY, net.latex_of(net.loss_symbol), len(spec.layers) + 1, 0,
                      "loss"))
    return nodes


@dataclass(frozen=True)
class BiasNode:
    """A box below a layer: a bias shared by several units (labelled with its name, plain
    arrows), or the constant 1 whose arrows carry per-unit biases (labelled arrows)."""

    node: Node
    targets: tuple[tuple[str, str | None], ...]  # (unit, label of the arrow or None)


def _bias_nodes(net: Network, nodes: list[Node]) -> list[BiasNode]:
    placed = {n.key: n for n in nodes}
    users: dict[str, list[str]] = {}
    for u in net.units:
        if u.bias is not None:
            users.setdefault(u.bias.name, []).append(u.name)
    boxes: list[BiasNode] = []
    per_unit: dict[int, list[tuple[str, str | None]]] = {}
    for bias, units in users.items():
        shown = [u for u in units if u in placed]
        if not shown:
            continue
        if len(units) > 1:
            column = placed[shown[0]].column
            shift = sum(1 for b in boxes if b.node.column == column - 1)
            boxes.append(BiasNode(_bias_box(f"bias-{_key(bias)}",
                                            net.latex_of(net.symbol_by_name[bias]), column,
                                            nodes, shift),
                                  tuple((u, None) for u in shown)))
        else:
            per_unit.setdefault(placed[shown[0]].column, []).append(
                (shown[0], net.latex_of(net.symbol_by_name[bias])))
    for column, targets in sorted(per_unit.items()):
        shift = sum(1 for b in boxes if b.node.column == column - 1)
        boxes.append(BiasNode(_bias_box(f"one-{column}", "1", column, nodes, shift),
                              tuple(targets)))
    return boxes


def _bias_box(key: str, label: str, column: int, nodes: list[Node], shift: int) -> Node:
    """A box below and to the left of ``column``, below the units of both columns it sits
    between (so it touches none); ``shift`` moves further ones right."""
    low = min(n.row for n in nodes if n.column in (column, column - 1)) - 1.0
    return Node(f"{_SPECIAL}{key}", label, column - 1, low - 0.2 - 0.1 * shift, "bias")


def _bias_x(box: Node, shift: int, column_cm: float) -> float:
    return box.column * column_cm + 0.9 + 0.9 * shift


def _node_box(n: Node, x: float, y: float) -> Box:
    size = {"input": 1.0, "unit": 1.2, "dots": 0.4}.get(n.kind)
    if size is not None:
        return Box(x, y, size, size)
    width, _height = label_size(n.label)
    return Box(x, y, width * 1.4 + 0.3, 0.7)


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    label: str | None  # LaTeX, or None for a plain arrow
    style: str
    edge: Edge  # from border to border, with the label's size


@dataclass(frozen=True)
class Diagram:
    """The network diagram laid out: where every node, arrow and label goes (cm)."""

    nodes: tuple[Node, ...]
    biases: tuple[BiasNode, ...]
    where: dict[str, tuple[float, float]]
    boxes: dict[str, Box]  # every node's and bias box's outline
    arrows: tuple[Arrow, ...]  # weights, biases and the dashed arrows to the loss
    positions: dict[int, float]  # arrow index → its label's pos along the arrow
    bundles: tuple[tuple[Box, str], ...]  # one label for a dense set of arrows

    def label_boxes(self) -> list[tuple[int, Box]]:
        """Each arrow label's box (arrow index, box), then the bundles' (index -1)."""
        out = [(k, self.arrows[k].edge.box_at(p)) for k, p in self.positions.items()]
        return out + [(-1, box) for box, _ in self.bundles]

    def segments(self) -> list[Segment]:
        return [seg for a in self.arrows for seg in a.edge.segments()]

    def collisions(self) -> float:
        """The area (cm²) where a label covers a node, another label or another arrow."""
        labels = self.label_boxes()
        total = sum(b.overlap(n) for _, b in labels for n in self.boxes.values())
        total += sum(a.overlap(b) for k, (_, a) in enumerate(labels) for _, b in labels[k + 1:])
        lines = self.segments()
        return total + sum(crossed(b, k if k >= 0 else None, lines) for k, b in labels)


def diagram(net: Network, column_cm: float = COLUMN_CM) -> Diagram:
    """The layout of the network diagram with ``column_cm`` between columns."""
    nodes = layout(net)
    placed = {n.key: n for n in nodes}
    where = {n.key: (n.column * column_cm, n.row * ROW_CM) for n in nodes}
    biases = _bias_nodes(net, nodes)
    columns_used: dict[int, int] = {}
    for b in biases:
        shift = columns_used.get(b.node.column, 0)
        columns_used[b.node.column] = shift + 1
        where[b.node.key] = (_bias_x(b.node, shift, column_cm), b.node.row * ROW_CM)
    boxes = {n.key: _node_box(n, *where[n.key]) for n in nodes}
    boxes.update({b.node.key: _node_box(b.node, *where[b.node.key]) for b in biases})
    plan: list[tuple[str, str, str | None, str]] = []  # source, target, label, style
    bundles: list[tuple[Box, str]] = []
    for pos, _lay in enumerate(net.spec.layers, start=1):
        into = [(s, u, w) for u in drawn_units(net, pos)
                if u.name in placed for s, w in u.incoming if s in placed]
        dense = len(into) > DENSE_ARROWS
        for source, unit, w in into:
            plan.append((source, unit.name, None if dense or not unit.weighted
                         else net.latex_of(w), ""))
        generic = _generic_weight(net, pos) if dense else None
        if generic is not None:  # above both columns the arrows run between
            top = max(y for key, (_x, y) in where.items() if key in placed
                      and placed[key].column in (pos - 1, pos))
            x = (pos - 0.5) * column_cm
            bundles.append((Box(x, top + 0.9, *label_size(generic)), generic))
    for b in biases:
        dense = len(b.targets) > DENSE_BIASES
        for unit, label in b.targets:
            plan.append((b.node.key, unit, None if dense else label, "black!55"))
        generic = _generic_bias(net, b) if dense else None
        if generic is not None:
            x, y = where[b.node.key]
            size = label_size(generic)
            bundles.append((Box(x + boxes[b.node.key].width / 2 + 0.15 + size[0] / 2, y, *size),
                            generic))
    for u in net.outputs:
        if u.name in placed:
            plan.append((u.name, LOSS_KEY, None, "dashed"))
    arrows = []
    for k, (source, target, label, style) in enumerate(plan):
        bend = _bend(placed[source], placed[target]) if source in placed else 0.0
        size = label_size(label) if label is not None else (0.0, 0.0)
        ends = _border_to_border(boxes[source], boxes[target])
        arrows.append(Arrow(source, target, label, style, Edge(*ends, *size, bend=bend, key=k)))
    labelled = [k for k, a in enumerate(arrows) if a.label is not None]
    lines = [seg for a in arrows for seg in a.edge.segments()]
    bundles = [(_clear(box, lines, boxes.values()), label) for box, label in bundles]
    obstacles = [*boxes.values(), *(box for box, _ in bundles)]
    at = place_labels([arrows[k].edge for k in labelled], obstacles, lines=lines)
    return Diagram(tuple(nodes), tuple(biases), where, boxes, tuple(arrows),
                   dict(zip(labelled, at, strict=True)), tuple(bundles))


def _clear(box: Box, lines: list[Segment], nodes: Iterable[Box]) -> Box:
    """``box`` moved up until no arrow runs under it and it covers no node."""
    nodes = list(nodes)
    moved = box
    for step in range(12):
        moved = Box(box.x, box.y + 0.3 * step, box.width, box.height)
        if crossed(moved, None, lines) == 0 and all(moved.overlap(n) == 0 for n in nodes):
            return moved
    return moved


def _border_to_border(a: Box, b: Box) -> tuple[float, float, float, float]:
    """The part of the line between two boxes' centres outside both: TikZ draws an arrow
    from border to border, and ``pos`` counts along that part."""
    dx, dy = b.x - a.x, b.y - a.y

    def leave(box: Box) -> float:
        fx = box.width / 2 / abs(dx) if dx else float("inf")
        fy = box.height / 2 / abs(dy) if dy else float("inf")
        return min(fx, fy, 0.5)

    s, t = leave(a), 1 - leave(b)
    return a.x + s * dx, a.y + s * dy, a.x + t * dx, a.y + t * dy


def network_tikz(net: Network) -> str:
    """A ``tikzpicture`` of the network: unit names in the nodes, weights on the edges,
    every bias drawn (a shared one as its own box, per-unit ones on arrows from a 1). The
    columns move apart until no label covers a node, another label or another arrow."""
    best: Diagram | None = None
    for spread in SPREADS:
        laid = diagram(net, COLUMN_CM * spread)
        if best is None or laid.collisions() < best.collisions() - 1e-9:
            best = laid
        if best.collisions() == 0:
            break
    assert best is not None
    return _draw(best)


def _draw(d: Diagram) -> str:
    lines = [r"\begin{tikzpicture}[x=1cm, y=1cm, >=stealth,",
             r"  unit/.style={circle, draw, thick, minimum size=12mm, inner sep=0pt,"
             r" font=\small},",
             r"  input/.style={circle, draw, fill=black!6, minimum size=10mm, inner sep=0pt,"
             r" font=\small},",
             r"  bias/.style={rectangle, draw, rounded corners, fill=black!6,"
             r" minimum size=6mm, font=\small},",
             r"  loss/.style={rectangle, draw, thick, minimum height=9mm, font=\small},",
             r"  wt/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]
    for n in d.nodes:
        x, y = d.where[n.key]
        style = {"input": "input", "unit": "unit", "loss": "loss", "dots": ""}[n.kind]
        opts = f"[{style}] " if style else ""
        lines.append(rf"  \node{opts}({_key(n.key)}) at ({x:.2f},{y:.2f}) {{${n.label}$}};")
    for b in d.biases:
        x, y = d.where[b.node.key]
        lines.append(rf"  \node[bias] ({_key(b.node.key)}) at ({x:.2f},{y:.2f}) "
                     rf"{{${b.node.label}$}};")
    for k, a in enumerate(d.arrows):
        bend = f"[bend left={a.edge.bend:g}]" if a.edge.bend else ""
        options = ", ".join(o for o in ("->", a.style) if o)
        text = (f" node[wt, text=black, pos={d.positions[k]:.2f}] {{${a.label}$}}"
                if a.label is not None else "")
        lines.append(rf"  \draw[{options}] ({_key(a.source)}) to{bend}{text} "
                     rf"({_key(a.target)});")
    for box, label in d.bundles:
        lines.append(rf"  \node[wt] at ({box.x:.2f},{box.y:.2f}) {{${label}$}};")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _generic_weight(net: Network, pos: int) -> str | None:
    """The weights into layer ``pos`` as one name with free indices (``w^{[1]}_{j,k}``),
    when the notation's template named them; else None."""
    notation = net.spec.notation
    number = notation.first_layer + (pos if notation.weight_layer == "target" else pos - 1)
    unit = net.unit_by_name[net.spec.layers[pos - 1].units[0]]
    if not unit.incoming or not unit.weighted:
        return None
    source, weight = unit.incoming[0]
    index = {i.name: i.index for i in net.spec.inputs}
    index.update({u.name: u.index for u in net.units})
    made = upright(expand(notation.weight, layer=number, j=unit.index, k=index[source],
                          unit=unit.name))
    if made != net.latex_of(weight):
        return None
    return upright(expand(notation.weight, layer=number, j="j", k="k", unit="u"))


def _generic_bias(net: Network, box: BiasNode) -> str | None:
    """The per-unit biases on a box's arrows as one name (``b^{[1]}_{j}``), when the
    notation's template named them; else None."""
    notation = net.spec.notation
    unit = net.unit_by_name[box.targets[0][0]]
    pos = unit.layer
    number = notation.first_layer + (pos if notation.weight_layer == "target" else pos - 1)
    made = upright(expand(notation.bias, layer=number, j=unit.index, index=unit.index,
                          unit=unit.name))
    if made != box.targets[0][1]:
        return None
    return upright(expand(notation.bias, layer=number, j="j", index="j", unit="u"))


def _bend(a: Node, b: Node) -> float:
    """Edges that skip a column bend (degrees), so they do not run through the units
    between."""
    return 25.0 if b.column - a.column > 1 else 0.0


def _key(name: str) -> str:
    """A TikZ node name for a unit, input or special node, distinct for distinct names.

    An ASCII name keeps its letters and digits, with ``-`` for ``_`` (``n-h1``, ``n-u1-1``);
    any other name is spelled in hexadecimal under ``u-``; the tool's own nodes (the loss,
    a shared bias, an ellipsis) live under ``x-``, so no unit can take their place.
    """
    if name.startswith(_SPECIAL):
        return "x-" + name[len(_SPECIAL):]  # made by this module: already a safe name
    if name.isascii() and name.replace("_", "").isalnum():
        return "n-" + name.replace("_", "-")
    return "u-" + "-".join(f"{ord(ch):x}" for ch in name)


def _mermaid_id(name: str) -> str:
    """A Mermaid node id: letters, digits and ``_`` only (``-`` could read as an edge)."""
    if name.isascii() and name.replace("_", "").isalnum():
        return "n_" + name
    return "u_" + "_".join(f"{ord(ch):x}" for ch in name)


def network_mermaid(net: Network) -> str:
    """The same network as a Mermaid flowchart (GitHub renders it in Markdown): each unit
    named by its activation in the spec's notation, each weight on its arrow, each bias drawn
    as in the TikZ picture (a shared one as its own box, per-unit ones on arrows from a 1)."""
    lines = ["flowchart LR"]
    for s in net.inputs:
        lines.append(f"  {_mermaid_id(s.name)}(({mermaid_html(name_html(net.latex_of(s)))}))")
    for u in net.units:
        lines.append(f"  {_mermaid_id(u.name)}(({mermaid_html(name_html(net.latex_of(u.out)))}))")
    loss = mermaid_html(name_html(net.latex_of(net.loss_symbol)))
    lines.append(f"  loss[{loss}]")
    for u in net.units:
        for source, w in u.incoming:
            if not u.weighted:  # a pooling window or a formula: an arrow with no weight
                lines.append(f"  {_mermaid_id(source)} --> {_mermaid_id(u.name)}")
                continue
            lines.append(f"  {_mermaid_id(source)} -- "
                         f"{mermaid_html(name_html(net.latex_of(w)))} --> {_mermaid_id(u.name)}")
    nodes = [Node(u.name, "", u.layer, 0.0, "unit") for u in net.units]
    for k, b in enumerate(_bias_nodes(net, nodes), start=1):
        box = f"bias_{k}"  # no unit's id starts so (they are n_… or u_…)
        lines.append(f"  {box}[{mermaid_html(name_html(b.node.label))}]")
        for unit, label in b.targets:
            arrow = "-->" if label is None else f"-- {mermaid_html(name_html(label))} -->"
            lines.append(f"  {box} {arrow} {_mermaid_id(unit)}")
    for u in net.outputs:
        lines.append(f"  {_mermaid_id(u.name)} -.-> loss")
    return "\n".join(lines)
