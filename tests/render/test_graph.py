"""The computation graph: nodes, local-derivative labels, values, highlighting, output."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.graph import computation_graph, to_dot, to_tikz
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
    assert 'label="out_h1\\n= 0.59327"' in dot
    if shutil.which("dot") is None:
        pytest.skip("graphviz is not installed")
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_tikz_output_is_a_standalone_document(graph) -> None:
    tex = to_tikz(graph)
    assert tex.startswith("\\documentclass[border=6pt]{standalone}")
    assert r"\mathrm{out}_{h1} = 0.5933" in tex
    assert tex.count(r"\node") == len(graph.nodes)
    assert tex.count(r"\draw") == len(graph.edges)


def test_targets_feed_the_loss_and_labels_are_upright(graph) -> None:
    into_loss = {e.parent.name for e in graph.edges if e.child.name == "E_total"}
    assert {"target_o1", "target_o2", "out_o1", "out_o2"} == into_loss
    tex = to_tikz(graph)
    assert "sloped" not in tex
    assert '"target_o1" -> "E_total"' in to_dot(graph)
