"""specs/seed-001-mx-plus-c.yaml (nodes given by formulas) through every command: derive in
every format and at both levels, eval, gradcheck, codegen, notes, graph, names and check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, needs_pdflatex, notes_compile, run
from paths import SPECS

SPEC = str(SPECS / "seed-001-mx-plus-c.yaml")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_formula_and_each_gradient(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        grads = {p["name"]: p for p in data["parameters"]}
        assert grads["m"]["numeric"] == 12.0 and grads["c"]["numeric"] == 4.0
        assert grads["m"]["delta_form"] == "delta_y*x"
        return
    assert ("z_y = m·x + c" in out) if fmt == "text" else ("z_{y}" in out and "= m x + c" in out)


def test_derive_at_the_level_of_operations_finds_the_seeds_derivatives() -> None:
    code, out, err = run("derive", SPEC, "--level", "op")
    assert code == 0 and err == "", err
    assert "b = m·x = 6" in out and "y = b + c = 7" in out and "L = a^2 = 4" in out
    # ∂y/∂c = 1 and ∂(mx)/∂m = x, as the seed finds them
    assert "∂L/∂c = ∂L/∂y·∂y/∂c = ∂L/∂y" in out
    assert "∂L/∂m = ∂L/∂b·∂b/∂m = x·∂L/∂b = -2·a·x = 12" in out


def test_eval_and_gradcheck_give_the_numbers_of_the_line() -> None:
    # y = 2·3 + 1 = 7, L = (5 − 7)² = 4, ∂L/∂m = 2(y − t)x = 12, ∂L/∂c = 2(y − t) = 4
    code, out, _ = run("eval", SPEC, "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["loss"] == 4.0 and data["gradients"] == {"m": 12.0, "c": 4.0}
    code, out, _ = run("gradcheck", SPEC)
    assert code == 0 and "all gradients agree" in out


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("level", ["unit", "op"])
@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_node_at_both_levels(fmt: str, level: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt, "--level", level)
    assert code == 0 and err == "", err
    if level == "unit":
        assert "z_y" in out or "z_{y}" in out
    else:  # the node y keeps its name: y = b + c, b = m x
        assert ("y = b + c" in out) if fmt == "dot" else ("$y = b + c" in out)


@pytest.mark.parametrize("fmt", ["latex", "markdown"])
def test_the_notes_are_written(fmt: str) -> None:
    code, out, err = run("notes", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert r"\frac{\partial L}{\partial m}" in out
    # the local gradients are said for formulas, not for weighted sums
    assert "the nodes whose formulas read it" in out and "weighted sum" not in out


def test_names_lists_the_node_its_target_and_the_parameters() -> None:
    code, out, _ = run("names", SPEC)
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert "parameter" in rows["m"] and "parameter" in rows["c"]
    assert "activation" in rows["y"] and "target" in rows["t"]


@pytest.mark.parametrize(("formula", "verdict"), [
    ("dL/dm = 2*(y - t)*x", "CORRECT"),
    ("dL/dm = 2*(m*x + c - t)*x", "CORRECT"),
    ("dL/dc = 2*(y - t)", "CORRECT"),
    ("dL/dm = (y - t)*x", "INCORRECT"),      # the factor 2 left out
    ("dL/dm = 2*(y - t)*1", "INCORRECT"),    # 1 written for x
    ("dL/dm = 2*(t - y)*x", "INCORRECT"),    # the sign turned
    ("dL/dc = 2*(y - t)*x", "INCORRECT"),    # m's gradient for c's
])
def test_check_judges_gradients_of_the_line(formula: str, verdict: str) -> None:
    code, out, _ = run("check", SPEC, "-f", formula)
    assert f": {verdict}" in out, out
    assert code == (0 if verdict == "CORRECT" else 1)


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    notes_compile(SPEC, tmp_path)
