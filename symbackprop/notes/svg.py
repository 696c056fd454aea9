"""The network diagram as inline SVG for the web page: units by layer, weights on the arrows.

The units stand where the notes' TikZ figure puts them (:func:`symbackprop.render.tikz.layout`),
every bias is drawn (a shared one as its own box, per-unit ones on arrows from a 1), and edge
labels are placed by :func:`symbackprop.render.label_layout.place_labels`, so that no label
covers a unit or another label. Names are set as SVG text with sub- and superscripts; every
piece of text is escaped. The picture scales down to the page's width.

>>> network_svg(net, "caption")[:4]  # doctest: +SKIP
'<svg'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..network.build import Network
from ..render.label_layout import Box, Edge, place_labels
from ..render.latex import latex_width
from ..render.tikz import (
    DENSE_ARROWS,
    DENSE_BIASES,
    LOSS_KEY,
    BiasNode,
    Node,
    _generic_bias,
    _generic_weight,
    drawn_units,
    layout,
)
from .mathml import ACCENTS, GREEK, IDENTIFIERS, OPERATORS, UPRIGHT, text, tokens

COLUMN = 150.0  # px between layers
ROW = 72.0  # px between units
FONT = 15.0  # px, the names in the units
LABEL_FONT = 12.0  # px, the weights on the arrows
MARGIN = 36.0
RADIUS = {"input": 20.0, "unit": 25.0}
_COMBINING = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
              "bar": "\u0304", "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307",
              "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
              "grave": "\u0300", "underline": "\u0332"}
_UPRIGHT_FONTS = ("mathrm", "operatorname", "text", "mathbf", "mathsf", "mathtt")


@dataclass(frozen=True)
class Run:
    """A piece of a label: its text, its level (0, -1 below, 1 above) and slant."""

    text: str
    level: int
    italic: bool


def label_runs(tex: str) -> list[Run]:
    """A TeX name as runs of SVG text (``w^{[1]}_{12}``: w, then [1] above, 12 below).

    >>> [(r.text, r.level) for r in label_runs(r"\\mathrm{out}_{h1}")]
    [('out', 0), ('h', -1), ('1', -1)]
    """
    toks = tokens(tex)
    runs: list[Run] = []
    k = 0

    def add(chars: str, level: int, italic: bool) -> None:
        if runs and runs[-1].level == level and runs[-1].italic == italic:
            runs[-1] = Run(runs[-1].text + chars, level, italic)
        else:
            runs.append(Run(chars, level, italic))

    def walk(level: int, upright: bool, until_close: bool) -> None:
        nonlocal k
        accent = ""
        while k < len(toks):
            tok = toks[k]
            k += 1
            if tok.kind == "close":
                if until_close:
                    return
                continue
            if tok.kind in ("sub", "sup"):
                inner = (-1 if tok.kind == "sub" else 1) if level == 0 else level
                if k < len(toks) and toks[k].kind == "open":
                    k += 1
                    walk(inner, upright, True)
                elif k < len(toks):
                    k_before = k
                    walk_one(inner, upright)
                    k = max(k, k_before + 1)
                continue
            if tok.kind == "open":
                walk(level, upright, True)
                continue
            if tok.kind == "prime":
                add("′", level, False)
                continue
            if tok.kind == "cmd" and tok.text in (*_UPRIGHT_FONTS, "mathbb", "mathcal"):
                if k < len(toks) and toks[k].kind == "open":
                    k += 1
                    walk(level, True, True)
                continue
            if tok.kind == "cmd" and tok.text in _COMBINING:
                accent = _COMBINING[tok.text]
                if k < len(toks) and toks[k].kind == "open":
                    k += 1
                    walk(level, upright, True)
                elif k < len(toks):
                    walk_one(level, upright)
                if runs:
                    runs[-1] = Run(runs[-1].text + accent, runs[-1].level, runs[-1].italic)
                continue
            chars, italic = _characters(tok, upright)
            if chars:
                add(chars, level, italic)

    def walk_one(level: int, upright: bool) -> None:
        nonlocal k
        tok = toks[k]
        k += 1
        chars, italic = _characters(tok, upright)
        if chars:
            add(chars, level, italic)

    walk(0, False, False)
    return runs


def _characters(tok: object, upright: bool) -> tuple[str, bool]:
    kind, value = getattr(tok, "kind", ""), getattr(tok, "text", "")
    if kind == "char":
        return ("−" if value == "-" else value), value.isalpha() and not upright
    if kind == "cmd":
        if value in GREEK:
            return GREEK[value], not upright
        for table in (UPRIGHT, IDENTIFIERS, OPERATORS):
            if value in table:
                return table[value], False
        if value in ACCENTS:
            return "", False
        return ("" if value in ("left", "right", "big", "bigl", "bigr") else value), False
    if kind == "sym":
        return ("" if value in ",;:! " else value), False
    return "", False


def svg_label(tex: str, x: float, y: float, size: float, *, css: str = "") -> str:
    """A centred ``<text>`` for a TeX name, its scripts as raised and lowered ``tspan``s."""
    segments: list[list[Run]] = []  # consecutive runs at one level
    for run in label_runs(tex):
        if segments and segments[-1][0].level == run.level:
            segments[-1].append(run)
        else:
            segments.append([run])
    parts: list[str] = []
    shift = 0.0
    back = 0.0  # how far the next segment moves right: past the wider of stacked scripts
    for k, segment in enumerate(segments):
        level = segment[0].level
        move = ""
        if k >= 2 and level and segments[k - 1][0].level == -level and \
                segments[k - 2][0].level == 0:
            # w^{[1]}_{12}: the subscript under the superscript, as TeX sets them, clear
            # of an italic base
            before = _script_width("".join(r.text for r in segments[k - 1]), size)
            width = _script_width("".join(r.text for r in segment), size)
            move = f' dx="{-before + 0.08 * size:.1f}"'
            back = max(0.0, before - width - 0.08 * size)
        elif back:
            move = f' dx="{back:.1f}"'
            back = 0.0
        target = {0: 0.0, -1: 0.3 * size, 1: -0.4 * size}[level]
        for n, run in enumerate(segment):
            attrs = (f' dy="{target - shift:.1f}"' if target != shift else "") + (
                move if n == 0 else "")
            if run.level:
                attrs += ' font-size="72%"'
            if run.italic:
                attrs += ' font-style="italic"'
            parts.append(f"<tspan{attrs}>{text(run.text)}</tspan>")
            shift = target
    klass = f' class="{css}"' if css else ""
    return (f'<text{klass} x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" '
            f'text-anchor="middle" dominant-baseline="central">{"".join(parts)}</text>')


def _script_width(chars: str, size: float) -> float:
    """About how wide a script is set (72 % of ``size``; narrow digits and brackets)."""
    return sum(0.36 if ch in "[](),.1′" else 0.55 for ch in chars) * size * 0.72


def _label_size(tex: str, size: float) -> tuple[float, float]:
    return latex_width(tex) * size * 0.9 + 6, size * 1.5


@dataclass(frozen=True)
class _Arrow:
    source: str
    target: str
    label: str | None
    kind: str  # weight | bias


def network_svg(net: Network, caption: str) -> str:
    """The network as an ``<svg>`` element, ``caption`` as its title."""
    nodes = layout(net)
    placed = {n.key: n for n in nodes}
    where = {n.key: (n.column * COLUMN, -n.row * ROW) for n in nodes}
    arrows: list[_Arrow] = []
    bundles: list[tuple[float, float, str]] = []  # one label for a layer's many arrows
    for pos, _lay in enumerate(net.spec.layers, start=1):
        units = [u for u in drawn_units(net, pos) if u.name in placed]
        into = [(s, u, w) for u in units for s, w in u.incoming if s in placed]
        dense = len(into) > DENSE_ARROWS
        arrows += [_Arrow(s, u.name, None if dense or not u.weighted else net.latex_of(w),
                          "weight") for s, u, w in into]
        generic = _generic_weight(net, pos) if dense else None
        if generic is not None:
            top = min(where[u.name][1] for u in units)
            bundles.append(((pos - 0.5) * COLUMN, top - 0.5 * ROW, generic))
    boxes = _bias_boxes(net, nodes, where, arrows, bundles)
    obstacles = [_node_box(n, *where[n.key]) for n in nodes]
    obstacles += [_node_box(b, *where[b.key]) for b in boxes]
    obstacles += [Box(x, y, *_label_size(label, LABEL_FONT)) for x, y, label in bundles]
    kinds = {n.key: n for n in [*nodes, *boxes]}
    labelled = [a for a in arrows if a.label is not None]
    edges = [_edge(where, kinds, a) for a in labelled]
    positions = place_labels(edges, obstacles)
    body: list[str] = []
    for a in arrows:
        body.append(_line(where[a.source], where[a.target], kinds[a.source], kinds[a.target],
                          a.kind))
    for u in net.outputs:
        if u.name in placed:
            body.append(_line(where[u.name], where[LOSS_KEY], placed[u.name],
                              placed[LOSS_KEY], "loss"))
    for a, edge, pos in zip(labelled, edges, positions, strict=True):
        box = edge.box_at(pos)
        body.append(f'<rect class="halo" x="{box.x - box.width / 2:.1f}" '
                    f'y="{box.y - box.height / 2:.1f}" width="{box.width:.1f}" '
                    f'height="{box.height:.1f}" rx="3"/>')
        body.append(svg_label(a.label or "", box.x, box.y, LABEL_FONT))
    for x, y, label in bundles:
        width, height = _label_size(label, LABEL_FONT)
        body.append(f'<rect class="halo" x="{x - width / 2:.1f}" y="{y - height / 2:.1f}" '
                    f'width="{width:.1f}" height="{height:.1f}" rx="3"/>')
        body.append(svg_label(label, x, y, LABEL_FONT))
    for n in [*nodes, *boxes]:
        body.append(_node(n, *where[n.key]))
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    ys += [min(where[a.source][1], where[a.target][1]) - _lift(*where[a.source],
                                                               *where[a.target])
           for a in arrows]
    for x, y, label in bundles:  # the shared labels above dense layers
        width, height = _label_size(label, LABEL_FONT)
        xs += [x - width / 2, x + width / 2]
        ys += [y - height / 2 - MARGIN / 2, y + height / 2]
    left, top = min(xs) - MARGIN - 30, min(ys) - MARGIN
    width, height = max(xs) - left + MARGIN + 40, max(ys) - top + MARGIN
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="img" '
            f'viewBox="{left:.0f} {top:.0f} {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}">'
            f"<title>{text(caption)}</title>"
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
            + "".join(body) + "</svg>")


def _bias_boxes(net: Network, nodes: list[Node], where: dict[str, tuple[float, float]],
                arrows: list[_Arrow], bundles: list[tuple[float, float, str]]) -> list[Node]:
    """A box below and left of each layer with biases: a shared bias by its name, else a 1
    whose arrows carry the per-unit biases (one label for them all when they are many).
    Adds the arrows and labels; returns the boxes."""
    placed = {n.key: n for n in nodes}
    users: dict[str, list[str]] = {}
    for u in net.units:
        if u.bias is not None and u.name in placed:
            users.setdefault(u.bias.name, []).append(u.name)
    boxes: list[Node] = []
    per_column: dict[int, int] = {}
    low = max(y for _, y in where.values()) + ROW * 0.9
    for bias, units in users.items():
        column = placed[units[0]].column
        shared = len(units) > 1
        key = f"\x00bias-{bias}" if shared else f"\x00one-{column}"
        if key not in where:
            shift = per_column.get(column, 0)
            per_column[column] = shift + 1
            label = net.latex_of(net.symbol_by_name[bias]) if shared else "1"
            box = Node(key, label, column - 1, 0, "bias")
            boxes.append(box)
            where[key] = ((column - 1) * COLUMN + 45 + 40 * shift, low + 24 * shift)
        label = None if shared else net.latex_of(net.symbol_by_name[bias])
        arrows += [_Arrow(key, u, label, "bias") for u in units]
    for box in boxes:  # a 1 feeding many units: its arrows share one label
        mine = [a for a in arrows if a.source == box.key and a.label is not None]
        if len(mine) > DENSE_BIASES:
            generic = _generic_bias(net, BiasNode(box, tuple((a.target, a.label)
                                                             for a in mine)))
            arrows[:] = [_Arrow(a.source, a.target, None, a.kind) if a in mine else a
                         for a in arrows]
            if generic is not None:
                x, y = where[box.key]
                bundles.append((x + 0.6 * COLUMN / 2, y, generic))
    return boxes


def _lift(x1: float, y1: float, x2: float, y2: float) -> float:
    """How far an edge that skips layers bows upwards (0 for one between neighbours), so
    that it passes over the units between."""
    layers = round(abs(x2 - x1) / COLUMN)
    return 0.0 if layers <= 1 else 0.55 * ROW * (layers - 1)


def _edge(where: dict[str, tuple[float, float]], kinds: dict[str, Node], a: _Arrow) -> Edge:
    """The straight stand-in of an arrow for placing its label: a bowed edge's label goes
    along the chord through its top."""
    (x1, y1), (x2, y2) = where[a.source], where[a.target]
    # the curve rises 4t(1 − t) times its lift at t: 0.84 to 1 where labels go (0.3 to 0.7)
    lift = 0.9 * _lift(x1, y1, x2, y2)
    return Edge(x1, y1 - lift, x2, y2 - lift, *_label_size(a.label or "", LABEL_FONT))


def _extent(n: Node) -> tuple[float, float]:
    """Half the width and height of a node's shape."""
    if n.kind in RADIUS:
        return RADIUS[n.kind], RADIUS[n.kind]
    if n.kind == "dots":
        return 6.0, 14.0
    width, _ = _label_size(n.label, FONT)
    return max(width / 2 + 8, 14.0), 14.0 if n.kind == "bias" else 18.0


def _node_box(n: Node, x: float, y: float) -> Box:
    half_w, half_h = _extent(n)
    return Box(x, y, 2 * half_w + 4, 2 * half_h + 4)


def _node(n: Node, x: float, y: float) -> str:
    if n.kind == "dots":
        return svg_label(r"\vdots", x, y, FONT)
    if n.kind in RADIUS:
        shape = (f'<circle class="{n.kind}" cx="{x:.1f}" cy="{y:.1f}" '
                 f'r="{RADIUS[n.kind]:g}"/>')
        size = FONT if latex_width(n.label) < 2.6 else FONT * 0.8
    else:
        half_w, half_h = _extent(n)
        shape = (f'<rect class="{n.kind}" x="{x - half_w:.1f}" y="{y - half_h:.1f}" '
                 f'width="{2 * half_w:.1f}" height="{2 * half_h:.1f}" rx="5"/>')
        size = FONT
    return shape + svg_label(n.label, x, y, size)


def _line(a: tuple[float, float], b: tuple[float, float], na: Node, nb: Node,
          kind: str) -> str:
    """An arrow from the rim of ``na`` to the rim of ``nb``."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    ux, uy = dx / length, dy / length
    lift = _lift(x1, y1, x2, y2)
    if lift:  # bowed over the layers between: leave and enter the nodes towards the bow
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 - 2 * lift
        sx, sy = _unit(cx - x1, cy - y1)
        ex, ey = _unit(x2 - cx, y2 - cy)
        start, end = _rim(na, sx, sy), _rim(nb, -ex, -ey)
        return (f'<path class="{kind}" d="M{x1 + sx * start:.1f},{y1 + sy * start:.1f} '
                f'Q{cx:.1f},{cy:.1f} {x2 - ex * end:.1f},{y2 - ey * end:.1f}" '
                'marker-end="url(#arrow)"/>')
    start, end = _rim(na, ux, uy), _rim(nb, -ux, -uy)
    return (f'<line class="{kind}" x1="{x1 + ux * start:.1f}" y1="{y1 + uy * start:.1f}" '
            f'x2="{x2 - ux * end:.1f}" y2="{y2 - uy * end:.1f}" marker-end="url(#arrow)"/>')


def _unit(dx: float, dy: float) -> tuple[float, float]:
    length = max((dx * dx + dy * dy) ** 0.5, 1e-9)
    return dx / length, dy / length


def _rim(n: Node, ux: float, uy: float) -> float:
    """How far from its centre a line in direction (ux, uy) leaves the node's shape."""
    if n.kind in RADIUS:
        return RADIUS[n.kind] + 1
    half_w, half_h = _extent(n)
    return min(half_w / abs(ux) if ux else float("inf"),
               half_h / abs(uy) if uy else float("inf")) + 1
