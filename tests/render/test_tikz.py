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
            edge = re.fullmatch(r'(\w+) (-- "[^"\n]*" -->|-\.->|-->) (\w+)', line)
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


# ----------------------------------------------------------------------------- collisions

WIDTHS = [(1, 1), (2, 3, 1), (3, 4, 3), (2, 2, 2), (1, 8, 1), (4, 2), (10, 1), (2, 10, 2),
          (3, 3, 3, 3), (5, 2, 5), (10, 10), (6, 3, 1), (1, 2, 1), (2, 4)]


def layered_spec(widths: tuple[int, ...], notation: str, bias: str) -> str:
    layers = "\n".join(f"  - {{size: {w}, activation: tanh, bias: {bias}}}"
                       for w in widths[1:])
    return (notation + f"inputs: {{size: {widths[0]}}}\nlayers:\n{layers}\n"
            "loss: {kind: squared_error, factor: 1/2}\n")


LECTURER = """notation:
  net: "z^{({layer})}_{{index}}"
  activation: "a^{({layer})}_{{index}}"
  weight: "W^{({layer})}_{{j}{k}}"
  bias: "b^{({layer})}_{{j}}"
"""


def assert_apart(d, name: str) -> None:
    from symbackprop.render.label_layout import crossed

    labels = d.label_boxes()
    lines = d.segments()
    for k, (owner, box) in enumerate(labels):
        for key, node in d.boxes.items():
            assert box.overlap(node) < 1e-9, (name, owner, key)
        for other_owner, other in labels[k + 1:]:
            assert box.overlap(other) < 1e-9, (name, owner, other_owner)
        assert crossed(box, owner if owner >= 0 else None, lines) < 1e-9, (name, owner)
    units = [b for key, b in d.boxes.items() if not key.startswith("\x00")]  # not our own
    for bias in d.biases:
        box = d.boxes[bias.node.key]
        grown = Box(box.x, box.y, box.width + 0.2, box.height + 0.2)  # not even touching
        assert all(grown.overlap(u) == 0 for u in units), (name, bias.node.key)


def test_no_label_covers_a_node_a_label_or_another_arrow_at_any_width_up_to_ten(tmp_path
                                                                                 ) -> None:
    from symbackprop.render.tikz import COLUMN_CM, SPREADS, diagram

    for widths in WIDTHS:
        for notation, bias in (("", "per_unit"), (LECTURER, "per_unit"), ("", "shared")):
            path = tmp_path / "net.yaml"
            bias_field = "b" if bias == "shared" else bias
            text = layered_spec(widths, notation, bias_field)
            if bias == "shared":  # one name per layer: b1, b2, …
                text = "\n".join(ln.replace("bias: b}", f"bias: b{k}}}") for k, ln in
                                 enumerate(text.splitlines())) + "\n"
            path.write_text(text, encoding="utf-8")
            net = build_network(load_spec(path))
            name = f"{widths} {bias} {'lecturer' if notation else 'default'}"
            chosen = min((diagram(net, COLUMN_CM * s) for s in SPREADS),
                         key=lambda d: d.collisions())
            assert_apart(chosen, name)
            tex = network_tikz(net)
            assert tex.count(r"\draw") == len(chosen.arrows)


def test_the_bundled_networks_draw_apart() -> None:
    from symbackprop.render.tikz import COLUMN_CM, SPREADS, diagram

    for path in sorted(SPECS.glob("*.yaml")):
        net = build_network(load_spec(path))
        chosen = min((diagram(net, COLUMN_CM * s) for s in SPREADS),
                     key=lambda d: d.collisions())
        assert_apart(chosen, path.stem)


def test_mermaid_names_units_by_their_activations_and_draws_every_bias() -> None:
    seed = network_mermaid(build_network(load_spec(SPECS / "seed-004-mazur-2-2-2.yaml")))
    assert 'n_h1(("out<sub>h1</sub>"))' in seed and 'loss["E<sub>total</sub>"]' in seed
    assert 'bias_1["b<sub>1</sub>"]' in seed
    assert "bias_1 --> n_h1" in seed and "bias_1 --> n_h2" in seed
    per_unit = network_mermaid(build_network(load_spec(SPECS / "tanh-regression.yaml")))
    assert '"u1_1"' not in per_unit and '(("a<sup>[1]</sup><sub>1</sub>"))' in per_unit
    assert 'bias_1 -- "b<sup>[1]</sup><sub>2</sub>" --> n_u1_2' in per_unit
