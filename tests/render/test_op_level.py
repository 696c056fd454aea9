"""``derive --level op`` and ``graph --level op``: the seed's steps, numbers, LaTeX that
compiles, DOT that Graphviz reads, and the unit level left as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main
from symbackprop.network import op_graph as op_graph_module

SEED_001 = str(SPECS / "seed-001-linear-1-1-2-1.yaml")
MAZUR = str(SPECS / "seed-004-mazur-2-2-2.yaml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _needs(program: str) -> None:
    if shutil.which(program) is None:
        if os.environ.get("CI"):
            raise AssertionError(f"{program} is installed under CI")
        pytest.skip(f"{program} is not installed")


def test_seed_001_steps_read_as_the_seed_writes_them() -> None:
    code, out = run("derive", SEED_001, "--level", "op")
    assert code == 0, out
    assert "  L = c^2\n" in out and "  c = y - d\n" in out
    assert "  1. ∂L/∂L = 1\n" in out
    # step 19: the chain rule with one independent variable, over l's two consumers
    # in the seed's chain order (notation.chain_order: local_first): ∂j/∂l · ∂L/∂j
    assert "  19. ∂L/∂l = ∂j/∂l·∂L/∂j + ∂k/∂l·∂L/∂k = w_2_1_1·∂L/∂j + w_2_2_1·∂L/∂k = " in out
    assert "  ∂L/∂b_3_1 = -2·c\n" in out


def test_numbers_are_mazurs() -> None:
    code, out = run("derive", MAZUR, "--level", "op")
    assert code == 0, out
    # Mazur's published ∂E_total/∂w5 = 0.082167041 and ∂E_total/∂w1 = 0.000438568
    assert "∂E_total/∂w5 = " in out and "= 0.0821670\n" in out
    assert "∂E_total/∂w1 = i1·" in out and "= 0.000438568\n" in out


def test_json_lists_every_step_and_gradient() -> None:
    code, out = run("derive", MAZUR, "--level", "op", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert data["level"] == "op" and data["steps"][0]["node"] == "E_total"
    assert data["gradients"]["w5"]["value"] == "0.0821670"
    names = [n["name"] for n in data["nodes"]]
    assert len(names) == len(set(names)) == len(data["steps"])


def test_the_unit_level_stays_the_default() -> None:
    assert run("derive", MAZUR) == run("derive", MAZUR, "--level", "unit")
    assert run("graph", MAZUR, "--format", "dot") == \
        run("graph", MAZUR, "--format", "dot", "--level", "unit")


@pytest.mark.parametrize("spec", [SEED_001, MAZUR])
def test_latex_and_tikz_compile(spec: str) -> None:
    _needs("pdflatex")
    from symbackprop.notes.pdflatex import compile_tex

    code, derivation = run("derive", spec, "--level", "op", "--format", "latex",
                           "--standalone")
    assert code == 0, derivation
    result = compile_tex(derivation, runs=1, timeout=120)
    assert result.log.ok, result.log.errors
    code, picture = run("graph", spec, "--level", "op")
    assert code == 0, picture
    result = compile_tex(picture, runs=1, timeout=120)
    assert result.log.ok, result.log.errors


@pytest.mark.parametrize("spec", [SEED_001, MAZUR])
def test_dot_parses_with_graphviz(spec: str) -> None:
    code, dot = run("graph", spec, "--level", "op", "--format", "dot")
    assert code == 0, dot
    assert '"l" [label="l = b_1_1 + m"' in dot or spec == MAZUR
    _needs("dot")
    done = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def test_dot_labels_are_escaped() -> None:
    from symbackprop.render.escape import dot_string

    assert dot_string('a "b" \\c') == '"a \\"b\\" \\\\c"'  # quotes cannot end the label


def test_too_many_operations_exit_2_naming_the_file(monkeypatch) -> None:
    monkeypatch.setattr(op_graph_module, "MAX_OP_NODES", 5)
    code, out = run("derive", SEED_001, "--level", "op")
    assert code == 2
    assert "seed-001-linear-1-1-2-1.yaml" in out and "--level unit" in out
    assert "Traceback" not in out


def test_param_chooses_the_gradients_listed_and_is_checked() -> None:
    code, out = run("derive", MAZUR, "--level", "op", "--param", "w5")
    assert code == 0, out
    gradients = out.split("Gradients:\n")[1]
    assert gradients.startswith("  ∂E_total/∂w5 = ") and gradients.count("∂E_total/∂") == 1
    code, out = run("derive", MAZUR, "--level", "op", "--param", "w55")
    assert code == 2 and "--param" in out


def test_the_chain_is_written_loss_first_unless_the_spec_says_local_first() -> None:
    code, out = run("derive", MAZUR, "--level", "op")  # loss_first, Mazur's order
    assert code == 0, out
    assert "∂E_total/∂f·∂f/∂h" in out and "∂f/∂h·∂E_total/∂f" not in out


F_SPEC = """title: one f unit
inputs: {size: 1}
layers:
  - {size: 1, activation: f}
  - {size: 1, activation: sigmoid}
loss: {kind: squared_error, factor: 1/2}
values:
  inputs: {x1: 0.5}
  targets: {y_1: 0.25}
  params: {w_1_1_1: 0.3, b_1_1: -0.2, w_2_1_1: 0.7, b_2_1: 0.1}
"""


def test_an_unspecified_function_has_numbers_through_its_stand_in(tmp_path) -> None:
    spec = tmp_path / "f.yaml"
    spec.write_text(F_SPEC, encoding="utf-8")
    code, out = run("derive", str(spec), "--level", "op", "--format", "json")
    assert code == 0 and json.loads(out)["gradients"]["w_1_1_1"]["value"] is None
    code, out = run("derive", str(spec), "--level", "op", "--format", "json",
                    "--define", "f=tanh")
    assert code == 0, out
    op_level = json.loads(out)["gradients"]
    code, out = run("eval", str(spec), "--define", "f=tanh", "--format", "json")
    assert code == 0, out
    for name, value in json.loads(out)["gradients"].items():
        assert float(op_level[name]["value"]) == pytest.approx(value, rel=1e-5), name
