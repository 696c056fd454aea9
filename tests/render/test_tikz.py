"""The network picture: every bias drawn, labels upright and apart, dense layers labelled once."""

from __future__ import annotations

import re

from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.render.label_layout import Box, Edge, place_labels
from symbackprop.render.tikz import network_mermaid, network_tikz
from symbackprop.spec.load import load_spec


def picture(name: str) -> str:
    return network_tikz(build_network(load_spec(SPECS / f"{name}.yaml")))


def arrows_into(tex: str, unit: str) -> list[str]:
    return [ln for ln in tex.splitlines() if r"\draw" in ln and ln.rstrip(";").endswith(
        f"({unit})")]


def test_per_unit_biases_ride_on_arrows_from_a_one() -> None:
    tex = picture("tanh-regression")
    for unit in ("n-u1-1", "n-u1-2", "n-u1-3", "n-u2-1"):
        from_one = [a for a in arrows_into(tex, unit) if "(x-one-" in a]
        assert len(from_one) == 1, unit
    assert "{$b^{[1]}_{2}$}" in tex


def test_a_shared_bias_is_one_box_with_plain_arrows() -> None:
    tex = picture("seed-004-mazur-2-2-2")
    assert re.search(r"\\node\[bias\] \(x-bias-n-b1\) .*\{\$b_\{1\}\$\}", tex)
    assert all("node[" not in a for a in tex.splitlines() if "(x-bias-n-b1) to" in a)


def test_labels_are_upright_and_dense_layers_get_one_label() -> None:
    tex = picture("softmax-cross-entropy")
    assert "sloped" not in tex
    assert "{$w^{[1]}_{j,k}$}" in tex  # twelve arrows: one name for them all
    assert "w^{[1]}_{1,1}" not in tex
    assert "sloped" not in picture("seed-002-four-layer")


def test_labels_are_placed_apart() -> None:
    # four edges crossing at one point: their labels must not all sit in the middle
    edges = [Edge(0, y, 4, -y, 0.8, 0.3) for y in (-1.5, -0.5, 0.5, 1.5)]
    positions = place_labels(edges, [Box(0, 0, 0.2, 0.2)])
    boxes = [e.box_at(p) for e, p in zip(edges, positions, strict=True)]
    assert all(a.overlap(b) == 0 for k, a in enumerate(boxes) for b in boxes[k + 1:])


MERMAID_KEYWORDS = {"end", "graph", "flowchart", "subgraph", "style", "linkStyle", "classDef",
                    "class", "click", "call", "href", "default", "direction", "interpolate"}


def test_mermaid_node_ids_are_plain_and_every_edge_is_well_formed() -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        text = network_mermaid(build_network(load_spec(path)))
        lines = text.splitlines()
        assert lines[0] == "flowchart LR"
        for line in lines[1:]:
            line = line.strip()
            node = re.fullmatch(r'(\w+)(\(\(|\[)"[^"\n]*"(\)\)|\])', line)
            edge = re.fullmatch(r'(\w+) (-- "[^"\n]*" -->|-\.->) (\w+)', line)
            assert node or edge, (path.name, line)
            for node_id in (node.group(1),) if node else (edge.group(1), edge.group(3)):
                # Mermaid's flowchart lexer: ASCII letters, digits and _ read as one id;
                # its keywords, and an id after an arrow that starts with o or x, do not
                assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", node_id), (path.name, node_id)
                assert node_id not in MERMAID_KEYWORDS, (path.name, node_id)
                assert node_id[0] not in "ox", (path.name, node_id)


def test_inputs_are_named_as_every_formula_names_them(tmp_path) -> None:
    # an input called temperature is \mathrm{temperature} in the forward pass: the picture
    # must not set it in math italic (t·e·m·p·…), nor a one-letter name any differently
    spec = tmp_path / "named.yaml"
    spec.write_text("inputs: [temperature, x1]\nlayers:\n"
                    "  - {name: out, units: [rain], activation: sigmoid}\n"
                    "loss: squared_error\n", encoding="utf-8")
    net = build_network(load_spec(spec))
    tex = network_tikz(net)
    labels = re.findall(r"\\node\[input\] \([^)]*\) at \([^)]*\) \{\$(.*)\$\};", tex)
    assert labels == [net.latex_of(s) for s in net.inputs] == [r"\mathrm{temperature}", "x_{1}"]
