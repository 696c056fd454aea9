"""The computation graph: nodes, local-derivative labels, values, highlighting, output."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.graph import MINUS, computation_graph, to_dot
from symbackprop.render.label_layout import Box, Segment, label_size
from symbackprop.render.tikz_graph import to_tikz
from symbackprop.spec.load import load_spec

SEED_004 = SPECS / "seed-004-mazur-2-2-2.yaml"


@pytest.fixture(scope="module")
def graph():
    spec = load_spec(SEED_004)
    net = build_network(spec)
    return computation_graph(net, derive(net), values=spec.values, param="w5")


def test_nodes_cover_inputs_params_units_targets_and_loss(graph) -> None:
    kinds = [n.kind for n in graph.nodes]
    assert kinds.count("input") == 2 and kinds.count("param") == 10
    assert kinds.count("net") == 4 and kinds.count("out") == 4
    assert kinds.count("target") == 2 and kinds.count("loss") == 1


def test_edges_carry_local_derivatives_and_values(graph) -> None:
    by_pair = {(e.parent.name, e.child.name): e for e in graph.edges}
    w5 = by_pair[("w5", "in_o1")]
    assert str(w5.derivative) == "out_h1"
    # Mazur (2015): out_h1 = 0.593269992
    assert w5.value == pytest.approx(0.593269992, abs=1e-9)
    act = by_pair[("in_o1", "out_o1")]
    assert str(act.derivative) == "out_o1*(1 - out_o1)"


def test_param_paths_are_highlighted(graph) -> None:
    lit = {(e.parent.name, e.child.name) for e in graph.edges if e.highlighted}
    assert lit == {("w5", "in_o1"), ("in_o1", "out_o1"), ("out_o1", "E_total")}


def test_dot_output_is_valid_for_graphviz(graph) -> None:
    dot = to_dot(graph)
    assert dot.startswith("digraph computation {")
    # every name in the spec's notation, as an HTML-like label
    # and a value on a row of its own, so that a subscript cannot run into it
    row = '<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td>{}</td>' \
        '</tr><tr><td>{}</td></tr></table>'
    assert f"label=<{row.format('out<sub>h1</sub>', '= 0.593270')}>" in dot
    assert f"label=<{row.format('w<sub>5</sub>', '0.4')}>" in dot and "w_1_1" not in dot
    assert "<br/>" not in dot
    # a minus sign is the sign, not a hyphen
    assert f"<td>= {MINUS}0.217072</td>" in dot and "= -" not in dot
    if shutil.which("dot") is None:
        pytest.skip("graphviz is not installed")
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_tikz_output_is_a_standalone_document(graph) -> None:
    tex = to_tikz(graph)
    assert tex.startswith("\\documentclass[border=6pt]{standalone}")
    assert r"\mathrm{out}_{h1} = 0.5933" in tex
    assert tex.count(r"\node[") == len(graph.nodes) + len(graph.edges)  # and a label each
    assert tex.count(r"\node[d]") == tex.count(r"\draw") == len(graph.edges)


def test_targets_feed_the_loss_and_labels_are_upright(graph) -> None:
    into_loss = {e.parent.name for e in graph.edges if e.child.name == "E_total"}
    assert {"target_o1", "target_o2", "out_o1", "out_o2"} == into_loss
    tex = to_tikz(graph)
    assert "sloped" not in tex
    dot = to_dot(graph)
    middle = re.search(r'"target_o1" -> ("[^"]+") \[arrowhead=none', dot).group(1)
    assert f'{middle} -> "E_total"' in dot


def tikz_collisions(tex: str) -> list[str]:
    """Read the picture back and put every box where TikZ puts it: each node at its centre,
    sized from its LaTeX; each label with its left end at its point; each edge as the
    straight pieces between its source's centre, its corners and its target's centre. What
    a label covers: a node, another label, or a piece of another edge."""
    nodes = {m[0]: (float(m[1]), float(m[2]), m[3]) for m in re.findall(
        r"\\node\[[pq]\] \((g\d+)\) at \(([-\d.]+),([-\d.]+)\) \{(.*)\};", tex)}
    node_boxes = {name: Box(x, y, max(label_size(part)[0] for part in re.findall(
        r"\$([^$]*)\$", text)) / 0.8 + 0.3, 0.95 if "\\\\" in text else 0.55)
        for name, (x, y, text) in nodes.items()}
    labels = []
    for x, y, text in re.findall(r"\\node\[d\] at \(([-\d.]+),([-\d.]+)\) \{\$(.*)\$\};", tex):
        width, height = label_size(text)
        labels.append((text, Box(float(x) + width / 2, float(y), width, height)))
    pieces = []
    for k, (source, corners, target) in enumerate(re.findall(
            r"\\draw\[[^]]*\] \((g\d+)\) -- (.*) -- \((g\d+)\);", tex)):
        points = [(node_boxes[source].x, node_boxes[source].y)]
        points += [(float(a), float(b)) for a, b in re.findall(r"\(([-\d.]+),([-\d.]+)\)",
                                                              corners)]
        points.append((node_boxes[target].x, node_boxes[target].y))
        pieces += [Segment(k, *a, *b) for a, b in itertools.pairwise(points)]
    assert len(labels) == tex.count("\\draw") == len({p.key for p in pieces})
    found = []
    for k, (text, box) in enumerate(labels):
        found += [f"{text} over node {n}" for n, b in node_boxes.items() if box.overlap(b) > 1e-6]
        found += [f"{text} over {other}" for other, b in labels[k + 1:] if box.overlap(b) > 1e-6]
        found += [f"{text} over an edge" for p in pieces if p.key != k and p.inside(box) > 1e-6]
    return found


def _generated(widths: tuple[int, ...], tmp_path: Path) -> Path:
    layers = "\n".join(f"  - {{size: {w}, activation: tanh}}" for w in widths[1:])
    path = tmp_path / "net.yaml"
    path.write_text(f"inputs: {{size: {widths[0]}}}\nlayers:\n{layers}\n"
                    "loss: {kind: squared_error, factor: 1/2}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["seed-004-mazur-2-2-2", "softmax-cross-entropy",
                                  "skip-connection", "tanh-softmax-3-4-3", "mitchell-2-2-2"])
def test_tikz_labels_cover_no_node_no_label_and_no_other_edge(name: str) -> None:
    spec = load_spec(SPECS / f"{name}.yaml")
    net = build_network(spec)
    values = spec.values if spec.values.examples and len(spec.values.params) == len(
        spec.params) else None
    assert not tikz_collisions(to_tikz(computation_graph(net, derive(net), values=values)))


@pytest.mark.parametrize("widths", [(2, 3, 1), (3, 4, 3), (1, 10, 1), (4, 2, 2), (10, 10, 3),
                                    (3, 10, 10)])
def test_tikz_labels_stay_apart_at_any_width_up_to_ten(widths: tuple[int, ...],
                                                         tmp_path: Path) -> None:
    net = build_network(load_spec(_generated(widths, tmp_path)))
    tex = to_tikz(computation_graph(net, derive(net), param=net.params[0].name))
    assert not tikz_collisions(tex)


def test_the_tikz_collision_finder_finds_what_it_looks_for() -> None:
    picture = "\n".join([
        r"\node[p] (g0) at (0.00,0.00) {$a$};", r"\node[q] (g1) at (4.00,0.00) {$b$};",
        r"\node[q] (g2) at (4.00,2.00) {$c$};",
        r"\draw[->, black!60] (g0) -- (1.00,0.00) -- (2.00,0.00) -- (g1);",
        r"\draw[->, black!60] (g0) -- (1.00,1.00) -- (2.00,1.00) -- (g2);",
        r"\node[d] at (1.00,0.00) {$x_{1}$};", r"\node[d] at (1.00,1.00) {$y_{1}$};"])
    assert not tikz_collisions(picture)
    assert tikz_collisions(picture.replace("(1.00,1.00) {$y", "(1.00,0.10) {$y"))  # label
    assert tikz_collisions(picture.replace("(1.00,0.00) {$x", "(3.80,0.00) {$x"))  # node
    assert tikz_collisions(picture.replace("(1.00,1.00) -- (2.00,1.00)",
                                           "(1.20,0.00) -- (2.00,1.00)"))  # edge


def _dot_layout(dot: str) -> dict:
    import json

    done = subprocess.run(["dot", "-Tjson"], input=dot, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def _bezier(points: list[tuple[float, float]], pieces: int = 12) -> list[tuple[float, ...]]:
    """Straight pieces along a Graphviz spline (1 + 3n control points)."""
    out = []
    for k in range(0, len(points) - 3, 3):
        a, b, c, d = points[k:k + 4]
        prev = a
        for j in range(1, pieces + 1):
            t = j / pieces
            u = 1 - t
            now = tuple(u ** 3 * a[i] + 3 * u * u * t * b[i] + 3 * u * t * t * c[i]
                        + t ** 3 * d[i] for i in range(2))
            out.append((*prev, *now))
            prev = now
    return out


def dot_collisions(dot: str) -> list[str]:
    """What Graphviz's layout of ``dot`` puts on top of what: a label (a plaintext node)
    over a node or another label, or an edge running under a label it does not belong to."""
    return collisions_in(_dot_layout(dot))


def collisions_in(layout: dict) -> list[str]:
    from symbackprop.render.label_layout import Segment

    objects = layout["objects"]
    boxes = {}
    for k, o in enumerate(objects):
        if "pos" not in o:
            continue  # a subgraph (a column kept in order), not a node
        x, y = (float(v) for v in o["pos"].split(","))
        boxes[o.get("_gvid", k)] = (o["name"], o.get("shape"), Box(x, y, float(o["width"]) * 72 - 2,
                                                    float(o["height"]) * 72 - 2))
    labels = [k for k, (_, shape, _) in boxes.items() if shape == "plaintext"]
    found = []
    for k in labels:
        name, _, box = boxes[k]
        for j, (other, _, obox) in boxes.items():
            if j != k and box.overlap(obox) > 1:
                found.append(f"{name} over {other}")
    for e in layout.get("edges", []):
        if e.get("style") == "invis":
            continue  # the chains that keep a column in order are not drawn
        points = [tuple(float(v) for v in p.split(",")) for p in e["pos"].split()
                  if not p.startswith(("e,", "s,"))]
        for k in labels:
            if k in (e["tail"], e["head"]):
                continue
            name, _, box = boxes[k]
            if any(Segment(None, *piece).inside(box) > 0.5 for piece in _bezier(points)):
                found.append(f"edge {e['tail']}->{e['head']} under {name}")
    return found


@pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"),
                    reason="graphviz is not installed (under CI this test fails instead)")
@pytest.mark.parametrize("widths", [(2, 3, 1), (3, 4, 3), (1, 10, 1), (4, 2, 2)])
def test_dot_labels_cover_no_node_no_label_and_no_other_edge(widths, tmp_path) -> None:
    layers = "\n".join(f"  - {{size: {w}, activation: tanh}}" for w in widths[1:])
    path = tmp_path / "net.yaml"
    path.write_text(f"inputs: {{size: {widths[0]}}}\nlayers:\n{layers}\n"
                    "loss: {kind: squared_error, factor: 1/2}\n", encoding="utf-8")
    net = build_network(load_spec(path))
    dot = to_dot(computation_graph(net, derive(net)))
    assert not dot_collisions(dot)


def test_the_collision_finder_finds_labels_on_nodes_labels_and_edges() -> None:
    def node(name: str, x: float, y: float, shape: str = "ellipse") -> dict:
        return {"name": name, "pos": f"{x},{y}", "width": "0.5", "height": "0.3",
                "shape": shape}

    layout = {"objects": [node("a", 0, 0), node("b", 200, 0), node("l", 100, 0, "plaintext"),
                          node("m", 100, 100, "plaintext"), node("n", 110, 105, "plaintext")],
              "edges": [{"tail": 0, "head": 1, "pos": "0,0 60,0 140,0 200,0"},
                        {"tail": 0, "head": 3, "pos": "0,0 30,30 70,70 100,100"}]}
    found = collisions_in(layout)
    assert "edge 0->1 under l" in found  # a → b runs under l, which is not on it
    assert "m over n" in found and "edge 0->3 under m" not in found
    layout["objects"][4] = node("n", 100, 300, "plaintext")
    layout["edges"][0]["pos"] = "0,0 60,-80 140,-80 200,0"
    assert collisions_in(layout) == []


@pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"),
                    reason="graphviz is not installed (under CI this test fails instead)")
def test_dot_columns_keep_the_spec_order_from_the_top() -> None:
    spec = load_spec(SPECS / "tanh-softmax-3-4-3.yaml")
    net = build_network(spec)
    layout = _dot_layout(to_dot(computation_graph(net, derive(net), values=spec.values)))
    y = {o["name"]: float(o["pos"].split(",")[1]) for o in layout["objects"] if "pos" in o}
    columns = [[s.name for s in net.inputs]]
    for layer in sorted({u.layer for u in net.units}):
        units = [u for u in net.units if u.layer == layer]
        columns += [[u.net.name for u in units], [u.out.name for u in units]]
    for names in columns:
        heights = [y[n] for n in names]
        assert heights == sorted(heights, reverse=True), names  # Graphviz's y grows upwards
