"""specs/conv-pool.yaml (conv → max pool → dense) through every command: derive in every
format, eval, gradcheck (full and directional), codegen, graph and notes that compile."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SPEC = str(SPECS / "conv-pool.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


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
    for method in ("full", "directional"):
        code, out, _ = run("gradcheck", SPEC, "--method", method)
        assert code == 0, out
        assert " disagree," not in out and "FAIL" not in out


def test_codegen_writes_a_module_that_checks_itself(tmp_path: Path) -> None:
    target = tmp_path / "grad.py"
    code, _, err = run("codegen", SPEC, "-o", str(target))
    assert code == 0, err
    done = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0 and ": ok" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("fmt", ["tikz", "dot"])
def test_graph_draws_the_pooling_links(fmt: str) -> None:
    code, out, err = run("graph", SPEC, "--format", fmt)
    assert code == 0 and err == "", err
    assert "max" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex is not installed (under CI this fails instead)")
def test_the_notes_compile(tmp_path: Path) -> None:
    target = tmp_path / "notes.tex"
    code, _, err = run("notes", SPEC, "-o", str(target), "--pdf")
    assert code == 0, err
    assert (tmp_path / "notes.pdf").exists()
    assert "Through a pooling layer" in target.read_text(encoding="utf-8")
