"""The network as a TikZ picture (units by layer, weight labels on the edges) and as Mermaid.

Units sit in one column per layer, inputs on the left, the loss on the right; a shared bias
gets its own small node, as in Mazur's figure. Very wide layers show their first and last
units with a vertical ellipsis between, so the figure stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..network.build import Network
from .escape import mermaid_label

COLUMN_CM = 3.4
ROW_CM = 1.7
MAX_SHOWN = 6  # units drawn per layer before eliding the middle ones
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


def layout(net: Network) -> list[Node]:
    """Nodes of the network diagram with their grid positions."""
    spec = net.spec
    nodes = _column_nodes([i.name for i in spec.inputs], [i.latex for i in spec.inputs], 0,
                          "input", 0)
    for pos, lay in enumerate(spec.layers, start=1):
        units = [net.unit_by_name[n] for n in lay.units]
        nodes += _column_nodes([u.name for u in units],
                               [net.latex_of(u.out) for u in units], pos, "unit", 0)
    nodes.append(Node(LOSS_KEY, net.latex_of(net.loss_symbol), len(spec.layers) + 1, 0,
                      "loss"))
    return nodes


def _bias_nodes(net: Network, nodes: list[Node]) -> list[tuple[Node, list[str]]]:
    """One node per shared bias, below its layer's column (per-unit biases stay as labels)."""
    out = []
    by_bias: dict[str, list[str]] = {}
    for u in net.units:
        if u.bias is not None:
            by_bias.setdefault(u.bias.name, []).append(u.name)
    placed = {n.key: n for n in nodes}
    for bias, units in by_bias.items():
        shown = [u for u in units if u in placed]
        if len(units) < 2 or not shown:
            continue
        column = placed[shown[0]].column
        low = min(n.row for n in nodes if n.column == column) - 1.0
        sym = net.symbol_by_name[bias]
        out.append((Node(f"{_SPECIAL}bias-{_key(bias)}", net.latex_of(sym), column - 1,
                         low - 0.2, "bias"),
                    shown))
    return out


def network_tikz(net: Network) -> str:
    """A ``tikzpicture`` of the network: unit names in the nodes, weights on the edges."""
    nodes = layout(net)
    placed = {n.key: n for n in nodes}
    lines = [r"\begin{tikzpicture}[x=1cm, y=1cm, >=stealth,",
             r"  unit/.style={circle, draw, thick, minimum size=12mm, inner sep=0pt,"
             r" font=\small},",
             r"  input/.style={circle, draw, fill=black!6, minimum size=10mm, inner sep=0pt,"
             r" font=\small},",
             r"  bias/.style={rectangle, draw, rounded corners, fill=black!6,"
             r" minimum size=6mm, font=\small},",
             r"  loss/.style={rectangle, draw, thick, minimum height=9mm, font=\small},",
             r"  wt/.style={font=\scriptsize, fill=white, inner sep=1pt}]"]
    for n in nodes:
        x, y = n.column * COLUMN_CM, n.row * ROW_CM
        style = {"input": "input", "unit": "unit", "loss": "loss", "dots": ""}[n.kind]
        opts = f"[{style}] " if style else ""
        lines.append(rf"  \node{opts}({_key(n.key)}) at ({x:.2f},{y:.2f}) {{${n.label}$}};")
    weight_pos = 0.3
    for u in net.units:
        if u.name not in placed:
            continue
        for source, w in u.incoming:
            if source not in placed:
                continue
            label = net.latex_of(w)
            bend = _bend(placed[source], placed[u.name])
            lines.append(rf"  \draw[->] ({_key(source)}) to{bend} node[wt, pos={weight_pos}, "
                         rf"sloped] {{${label}$}} ({_key(u.name)});")
    for u in net.outputs:
        if u.name in placed:
            lines.append(rf"  \draw[->, dashed] ({_key(u.name)}) -- ({_key(LOSS_KEY)});")
    for bias_node, units in _bias_nodes(net, nodes):
        x, y = bias_node.column * COLUMN_CM + 0.9, bias_node.row * ROW_CM
        lines.append(rf"  \node[bias] ({_key(bias_node.key)}) at ({x:.2f},{y:.2f}) "
                     rf"{{${bias_node.label}$}};")
        for unit in units:
            lines.append(rf"  \draw[->, black!55] ({_key(bias_node.key)}) -- ({_key(unit)});")
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def _bend(a: Node, b: Node) -> str:
    """Edges that skip a column bend, so they do not run through the units between."""
    return "[bend left=25]" if b.column - a.column > 1 else ""


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
    """The same network as a Mermaid flowchart (GitHub renders it in Markdown)."""
    lines = ["flowchart LR"]
    for i in net.spec.inputs:
        lines.append(f"  {_mermaid_id(i.name)}(({mermaid_label(i.name)}))")
    for u in net.units:
        lines.append(f"  {_mermaid_id(u.name)}(({mermaid_label(u.name)}))")
    lines.append(f"  loss[{mermaid_label(net.loss_symbol.name)}]")
    for u in net.units:
        for source, w in u.incoming:
            lines.append(f"  {_mermaid_id(source)} -- {mermaid_label(w.name)} --> "
                         f"{_mermaid_id(u.name)}")
    for u in net.outputs:
        lines.append(f"  {_mermaid_id(u.name)} -.-> loss")
    return "\n".join(lines)
