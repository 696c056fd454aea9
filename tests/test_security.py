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


# ------------------------------------------------------------------------- generated Python

MARKER_CODE = "__import__('pathlib').Path({marker!r}).write_text('pwned')"


def _hostile_title(marker: Path) -> str:
    code = MARKER_CODE.format(marker=str(marker))
    return f'Notes on \\N """; {code}; """ \\ end "'


def _write_yaml(path: Path, data: dict[str, object]) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def _scalar_spec(folder: Path, title: str, inputs: list[str]) -> Path:
    """A network with a skip connection (so the module is δ-form, one line per quantity)."""
    return _write_yaml(folder / "hostile.yaml", {
        "title": title,
        "inputs": inputs,
        "layers": [{"name": "hid", "units": ["h"], "activation": "tanh"},
                   {"name": "out", "units": ["o"], "activation": "sigmoid"}],
        "edges": [{"from": inputs[0], "to": "o", "weight": "w_skip"}],
        "loss": "squared_error",
    })


@pytest.mark.parametrize("layout", ["matrix", "scalar"])
def test_codegen_title_cannot_run_code_or_break_the_module(tmp_path: Path, layout: str
                                                          ) -> None:
    import runpy

    marker = tmp_path / "pwned"
    title = _hostile_title(marker)
    if layout == "scalar":
        spec = _scalar_spec(tmp_path, title, ["i1", "i2"])
    else:
        data = __import__("yaml").safe_load(SEED_004.read_text())
        spec = _write_yaml(tmp_path / "hostile.yaml", {**data, "title": title})
    module = tmp_path / "grad.py"
    code, _, err = run("codegen", spec, "-o", module)
    assert code == 0, err
    namespace = runpy.run_path(str(module))
    assert not marker.exists()
    assert title in namespace["__doc__"]
    assert namespace["gradient_check"]() < 1e-6


def test_codegen_names_that_python_would_merge_stay_apart(tmp_path: Path) -> None:
    """Inputs `x` and `v_x` (the tool's old spelling of `x`) get variables of their own."""
    import subprocess
    import sys

    import numpy as np

    from symbackprop.network.build import build_network
    from symbackprop.network.derivation import derive
    from symbackprop.numeric.lambdified import compile_network

    spec = _scalar_spec(tmp_path, "clash", ["x", "v_x", "np", "theta"])
    module = tmp_path / "grad.py"
    assert run("codegen", spec, "-o", module)[0] == 0
    done = subprocess.run([sys.executable, str(module)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stdout

    import runpy

    from symbackprop.spec.load import load_spec

    ns = runpy.run_path(str(module))
    net = build_network(load_spec(spec))
    compiled = compile_network(net, derive(net))
    rng = np.random.default_rng(3)
    params = {p.name: float(v) for p, v in zip(net.params, rng.uniform(-1, 1, len(net.params)),
                                               strict=True)}
    inputs = {"x": 0.3, "v_x": -1.7, "np": 0.9, "theta": 2.0}
    result = compiled.run(params, inputs, {"o": 0.25})
    cost, grads = ns["loss_and_grad"](params, inputs, {"o": 0.25})
    assert cost == pytest.approx(float(result.loss), rel=1e-12)
    for name, g in result.gradients.items():
        assert grads[name] == pytest.approx(float(g), rel=1e-9, abs=1e-15), name
    assert len(set(ns["VARIABLES"].values())) == len(ns["VARIABLES"])


def test_codegen_self_check_catches_a_shared_variable(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Were two quantities ever given one variable, the module's own check would fail."""
    import subprocess
    import sys

    import symbackprop.numeric.codegen as codegen

    right = codegen.variable_names

    def merged(net):  # type: ignore[no-untyped-def]
        # the mapping the tool once used: `x` renamed to `v_x`, and `v_x` left as it is
        return {s: ("v_x" if v == "v_v__x" else v) for s, v in right(net).items()}

    monkeypatch.setattr(codegen, "variable_names", merged)
    spec = _scalar_spec(tmp_path, "clash", ["x", "v_x"])
    module = tmp_path / "grad.py"
    assert run("codegen", spec, "-o", module)[0] == 0
    done = subprocess.run([sys.executable, str(module)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "'x' and 'v_x' share the variable 'v_x'" in done.stdout
