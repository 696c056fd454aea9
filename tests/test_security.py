"""Hostile input against every output: injected text in every emitter, file access through
TeX, and output files that must not harm what is already on disk.

Each emitter gets a spec whose free text (title, description, source) and LaTeX fields are
what an attacker would write; the output must keep its structure (Python imports without
running anything, LaTeX compiles or is refused, DOT parses with Graphviz, JSON parses,
Markdown keeps its headings and tables) and the attack must show up only as inert text.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main

SEED_004 = SPECS / "seed-004-mazur-2-2-2.yaml"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def _copy_spec(folder: Path, name: str = "spec.yaml") -> Path:
    spec = folder / name
    spec.write_bytes(SEED_004.read_bytes())
    return spec


# ------------------------------------------------------------------------- output files


OUTPUT_COMMANDS = [
    ("derive",), ("derive", "--format", "latex"), ("notes",), ("graph",), ("codegen",),
    ("check", "--param", "w5", "--formula", "w5"),
]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=lambda c: " ".join(c))
def test_no_command_overwrites_its_spec(tmp_path: Path, command: tuple[str, ...]) -> None:
    spec = _copy_spec(tmp_path)
    before = spec.read_bytes()
    link = tmp_path / "link.yaml"
    link.symlink_to(spec)
    for target in (spec, link):
        code, _, err = run(command[0], spec, *command[1:], "-o", target)
        assert code == 2, err
        assert "refusing to overwrite the input file" in err
        assert "Traceback" not in err
    assert spec.read_bytes() == before


def test_eval_values_file_is_protected_too(tmp_path: Path) -> None:
    spec = _copy_spec(tmp_path)
    answers = tmp_path / "answers.yaml"
    answers.write_text("- {id: a, param: w5, formula: w5}\n")
    code, _, err = run("check", spec, "--answers", answers, "-o", answers)
    assert code == 2
    assert "refusing to overwrite the input file" in err
    assert answers.read_text() == "- {id: a, param: w5, formula: w5}\n"


def test_notes_pdf_never_replaces_an_input(tmp_path: Path) -> None:
    spec = _copy_spec(tmp_path, "notes.pdf")
    code, _, err = run("notes", spec, "-o", tmp_path / "notes.tex", "--pdf")
    assert code == 2
    assert "refusing to overwrite the input file" in err
    assert spec.read_bytes() == SEED_004.read_bytes()
    assert not (tmp_path / "notes.tex").exists()


def test_output_keeps_a_private_mode(tmp_path: Path) -> None:
    target = tmp_path / "grads.tex"
    target.write_text("old")
    target.chmod(0o600)
    code, _, err = run("derive", SEED_004, "--format", "latex", "-o", target)
    assert code == 0, err
    assert "\\begin{align*}" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_read_only_output_is_refused_with_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "grads.tex"
    target.write_text("old")
    target.chmod(0o444)
    code, _, err = run("derive", SEED_004, "-o", target)
    assert code == 2
    assert "read-only" in err and str(target) in err
    assert target.read_text() == "old"


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    code, out, _ = run("derive", SEED_004, "-o", "/dev/null")
    assert code == 0 and out == ""
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dash_is_stdout(tmp_path: Path) -> None:
    code, out, _ = run("derive", SEED_004, "--param", "w5", "-o", "-")
    assert code == 0
    assert "w5" in out
    assert not Path("-").exists()


def test_output_into_a_missing_or_unusable_place_is_exit_2(tmp_path: Path) -> None:
    for target, message in ((tmp_path / "none" / "x.tex", "does not exist"),
                            (tmp_path, "is a directory"),
                            (tmp_path / "file.txt" / "x.tex", "not a directory")):
        (tmp_path / "file.txt").write_text("")
        code, _, err = run("derive", SEED_004, "-o", target)
        assert code == 2, err
        assert message in err
        assert "Traceback" not in err
