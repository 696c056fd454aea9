"""What every layer kind's command tests share: run a command, check that eval's gradients
agree with both gradchecks, that the generated module checks itself, that the notes compile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.app import main

needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None and not os.environ.get("CI"),
    reason="pdflatex is not installed (under CI this fails instead)")


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def gradchecks_pass(spec: str, methods: tuple[str, ...] = ("full", "directional")) -> None:
    """gradcheck passes on ``spec`` with every method asked for."""
    for method in methods:
        code, out, _ = run("gradcheck", spec, "--method", method)
        assert code == 0, out
        assert " disagree," not in out and "FAIL" not in out


def codegen_checks_itself(spec: str, folder: Path) -> None:
    """The module codegen writes runs its own gradient check and says ok."""
    target = folder / "grad.py"
    code, _, err = run("codegen", spec, "-o", str(target))
    assert code == 0, err
    done = subprocess.run([sys.executable, str(target)], capture_output=True, text=True,
                          check=False, cwd=folder)
    assert done.returncode == 0 and ": ok" in done.stdout, done.stdout + done.stderr


def notes_compile(spec: str, folder: Path) -> str:
    """The notes of ``spec`` compile to PDF with pdflatex; their LaTeX."""
    target = folder / "notes.tex"
    code, _, err = run("notes", spec, "-o", str(target), "--pdf")
    assert code == 0, err
    assert (folder / "notes.pdf").exists()
    return target.read_text(encoding="utf-8")
