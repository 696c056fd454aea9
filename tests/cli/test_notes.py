"""The `notes` and `graph` commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SEED_004 = str(SPECS / "seed-004-mazur-2-2-2.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_notes_writes_a_latex_document(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "n.tex"
    result = runner.invoke(main, ["notes", SEED_004, "-o", str(out), "--params", "w5,w1"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("\\documentclass") and text.rstrip().endswith("\\end{document}")


def test_notes_markdown_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(main, ["notes", SEED_004, "--format", "markdown", "--no-numbers"])
    assert result.exit_code == 0
    assert result.output.startswith("# 2-2-2 sigmoid network")
    assert "Worked example" not in result.output


def test_unknown_param_is_an_input_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["notes", SEED_004, "--param", "w9"])
    assert result.exit_code == 2
    assert "no parameter called `w9`" in result.output


def test_pdf_needs_a_tex_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["notes", SEED_004, "--pdf"])
    assert result.exit_code == 2
    assert "--pdf needs LaTeX output to a file" in result.output


def test_pdf_without_tex_is_a_clear_error(runner: CliRunner, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = runner.invoke(main, ["notes", SEED_004, "-o", str(tmp_path / "n.tex"), "--pdf"])
    assert result.exit_code == 2
    assert "pdflatex is not installed" in result.output
    assert not (tmp_path / "n.pdf").exists()


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex is not installed (under CI this fails instead)")
def test_pdf_is_written(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "n.tex"
    result = runner.invoke(main, ["notes", SEED_004, "-o", str(out), "--pdf", "--param", "w5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "n.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("fmt", "start"), [("dot", "digraph"), ("tikz", "\\documentclass")])
def test_graph_formats(runner: CliRunner, fmt: str, start: str) -> None:
    result = runner.invoke(main, ["graph", SEED_004, "--format", fmt, "--param", "w5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(start)


def test_help_shows_examples_without_importing_sympy() -> None:
    code = ("import sys; from click.testing import CliRunner; from symbackprop.cli.app import main;"
            "r = CliRunner().invoke(main, ['notes', '--help']); print(r.output);"
            "print('sympy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert "symbackprop notes specs/seed-004-mazur-2-2-2.yaml" in done.stdout
    assert done.stdout.strip().endswith("False")


@pytest.mark.parametrize("name", ["x.md", "x.txt", "notes"])
def test_pdf_asks_for_a_tex_file_and_writes_nothing_else(runner: CliRunner, tmp_path: Path,
                                                         name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(main, ["notes", SEED_004, "-o", str(out), "--pdf"])
    assert result.exit_code == 2
    stem = name.split(".")[0]
    assert result.stderr == (f"error: --pdf: --pdf writes the LaTeX it compiles to a .tex "
                             f"file, not {name} (name it {stem}.tex)\n")
    assert list(tmp_path.iterdir()) == []


def test_the_notes_format_follows_the_extension(runner: CliRunner, tmp_path: Path) -> None:
    md, tex = tmp_path / "n.md", tmp_path / "n.tex"
    assert runner.invoke(main, ["notes", SEED_004, "-o", str(md)]).exit_code == 0
    assert runner.invoke(main, ["notes", SEED_004, "-o", str(tex)]).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# 2-2-2 sigmoid network")
    assert tex.read_text(encoding="utf-8").startswith("\\documentclass")
    # an explicit --format wins over the extension
    assert runner.invoke(main, ["notes", SEED_004, "-o", str(md), "--format",
                                "latex"]).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("\\documentclass")


@pytest.mark.parametrize(("name", "start"), [
    ("n.html", "<!DOCTYPE html>"), ("n.htm", "<!DOCTYPE"), ("n.qmd", "---\ntitle: ")])
def test_the_web_page_and_quarto_follow_the_extension(runner: CliRunner, tmp_path: Path,
                                                       name: str, start: str) -> None:
    out = tmp_path / name
    result = runner.invoke(main, ["notes", SEED_004, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(start)


def test_beamer_is_asked_for_by_name(runner: CliRunner) -> None:
    result = runner.invoke(main, ["notes", SEED_004, "--format", "beamer", "--param", "w5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("\\documentclass[10pt,aspectratio=169]{beamer}")
    assert "\\frametitle{Local gradient $\\delta_{o1}$}" in result.output
    assert "\\frac{\\partial E_{\\mathrm{total}}}{\\partial w_{5}} &=" in result.output


def test_pdf_of_a_web_page_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["notes", SEED_004, "--format", "html", "--pdf", "-o",
                                  str(tmp_path / "n.tex")])
    assert result.exit_code == 2
    assert "--pdf needs LaTeX output to a file" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                    reason="pdflatex is not installed (under CI this fails instead)")
def test_beamer_pdf_is_written(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "deck.tex"
    result = runner.invoke(main, ["notes", SEED_004, "--format", "beamer", "-o", str(out),
                                  "--pdf", "--param", "w5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "deck.pdf").read_bytes().startswith(b"%PDF")
