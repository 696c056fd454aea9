"""specs/conv-pool.yaml (conv → max pool → dense) through every command: derive in every
format, eval, gradcheck (full and directional), codegen, graph and notes that compile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kind_commands import codegen_checks_itself, gradchecks_pass, needs_pdflatex, notes_compile, run
from paths import SPECS

SPEC = str(SPECS / "conv-pool.yaml")


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_derive_prints_the_max_and_its_routing_in_every_format(fmt: str) -> None:
    code, out, err = run("derive", SPEC, "--format", fmt, "--form", "delta")
    assert code == 0 and err == "", err
    if fmt == "json":
        data = json.loads(out)
        assert data and "Traceback" not in out
        return
    assert ("max(" in out) if fmt == "text" else (r"\max\left(" in out)
    # the lecture's rule for the pooling layer, beside the engine's recurrences
    rule = "𝕀[a^{[1]}_{c,p,q} = max_{(p',q') ∈ W_{i,j}}" if fmt == "text" else \
        r"\mathbb{I}\left[a^{[1]}_{c,p,q} = \max_{(p',q') \in W_{i,j}}"
    assert rule in out


def test_eval_and_both_gradchecks_agree() -> None:
    code, out, _ = run("eval", SPEC)
    assert code == 0 and "a_2_1_1_1" in out
    gradchecks_pass(SPEC)


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    codegen_checks_itself(SPEC, tmp_path)


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_pooling_links(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert "max" in out


@needs_pdflatex
def test_the_notes_compile(tmp_path: Path) -> None:
    assert "Through a pooling layer" in notes_compile(SPEC, tmp_path)
