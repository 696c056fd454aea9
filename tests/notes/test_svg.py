"""The network drawn as SVG for the web page: names as text with scripts, escaped, and the
weight labels placed clear of the units and of one another."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.notes.svg import label_runs, network_svg, svg_label
from symbackprop.render.tikz import MAX_SHOWN
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))
NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.mark.parametrize(("tex", "runs"), [
    (r"w_{5}", [("w", 0, True), ("5", -1, False)]),
    (r"\mathrm{out}_{h1}", [("out", 0, False), ("h", -1, True), ("1", -1, False)]),
    (r"W^{(1)}_{12}", [("W", 0, True), ("(1)", 1, False), ("12", -1, False)]),
    (r"\delta^{[2]}_{1}", [("δ", 0, True), ("[2]", 1, False), ("1", -1, False)]),
    (r"\hat{y}", [("y\u0302", 0, True)]),
    (r"E_{\mathrm{total}}", [("E", 0, True), ("total", -1, False)]),
])
def test_a_name_is_runs_of_text_at_three_levels(tex: str, runs: list[tuple[str, int, bool]]
                                                ) -> None:
    assert [(r.text, r.level, r.italic) for r in label_runs(tex)] == runs


def test_a_label_is_escaped_text() -> None:
    out = svg_label(r"a<b \& c", 0, 0, 12)
    assert "<b" not in out.replace("<tspan", "").replace("</tspan", "").replace(
        "<text", "").replace("</text", "")
    assert "&lt;" in out and "&amp;" in out
    ET.fromstring(out)


def _boxes(svg: str) -> tuple[list[tuple[float, float, float, float]], list[tuple[float, ...]]]:
    root = ET.fromstring(svg)
    halos = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height"))
             for r in root.iterfind("s:rect[@class='halo']", NS)]
    shapes: list[tuple[float, ...]] = []
    for c in root.iterfind("s:circle", NS):
        x, y, r = (float(c.get(k)) for k in ("cx", "cy", "r"))
        shapes.append((x - r, y - r, 2 * r, 2 * r))
    for r in root.iterfind("s:rect", NS):
        if r.get("class") != "halo":
            shapes.append(tuple(float(r.get(k)) for k in ("x", "y", "width", "height")))
    return halos, shapes


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_the_drawing_is_well_formed_and_within_its_view(path: Path) -> None:
    net = build_network(load_spec(path))
    svg = network_svg(net, "caption <&>")
    root = ET.fromstring(svg)
    assert root.find("s:title", NS).text == "caption <&>"
    left, top, width, height = (float(v) for v in root.get("viewBox").split())
    halos, shapes = _boxes(svg)
    for x, y, w, h in [*halos, *shapes]:
        assert left <= x and x + w <= left + width and top <= y and y + h <= top + height
    circles = len(root.findall("s:circle", NS))
    # a column of more than MAX_SHOWN units (or inputs) is drawn with its middle elided; the
    # μ and σ² of a layer_norm layer are nodes of its formulas, in no column (as in TikZ)
    statistics = sum(2 for lay in net.spec.layers if lay.norm is not None)
    assert circles == len(net.spec.inputs) + len(net.units) - statistics or any(
        len(lay.units) > MAX_SHOWN for lay in net.spec.layers) or \
        len(net.spec.inputs) > MAX_SHOWN
    arrows = len(re.findall(r"<line ", svg))
    weights = sum(len(u.incoming) for u in net.units)
    assert arrows >= min(weights, 1)


def test_seed004_labels_overlap_no_unit_and_no_other_label() -> None:
    svg = network_svg(build_network(load_spec(SPECS / "seed-004-mazur-2-2-2.yaml")), "")
    halos, shapes = _boxes(svg)
    assert len(halos) == 8  # w1 … w8; the shared biases are boxes of their own
    for k, a in enumerate(halos):
        assert all(_overlap(a, b) == 0 for b in halos[k + 1:])
        assert all(_overlap(a, s) == 0 for s in shapes)


def test_an_edge_that_skips_a_layer_bows_over_the_units_between() -> None:
    net = build_network(load_spec(SPECS / "skip-connection.yaml"))
    root = ET.fromstring(network_svg(net, ""))
    bowed = root.findall("s:path[@class='weight']", NS)
    skipping = [(s, u) for u in net.units for s, _w in u.incoming
                if abs(_column(net, s) - u.layer) > 1]
    assert skipping and len(bowed) == len(skipping)
    circles = [float(c.get("cy")) - float(c.get("r")) for c in root.iterfind("s:circle", NS)]
    for path in bowed:  # its control point is above every unit
        control_y = float(path.get("d").split("Q")[1].split()[0].split(",")[1])
        assert control_y < min(circles)


def _column(net: object, name: str) -> int:
    unit = net.unit_by_name.get(name)  # type: ignore[attr-defined]
    return 0 if unit is None else unit.layer


def test_a_dense_layer_has_one_label_for_its_arrows() -> None:
    net = build_network(load_spec(SPECS / "tanh-softmax-3-4-3.yaml"))
    root = ET.fromstring(network_svg(net, ""))
    texts = ["".join(t.itertext()) for t in root.iterfind("s:text", NS)]
    # 12 arrows into each layer and 4 biases from the first 1: one label each, in the
    # notation's free indices; the 3 output biases keep their own labels
    assert [t for t in texts if t.startswith(("w", "b"))] == [
        "b[2]1", "b[2]2", "b[2]3", "w[1]j,k", "w[2]j,k", "b[1]j"]
