"""``derive --form delta`` prints the tensor form of convolution, pooling and recurrent specs in
text, LaTeX, Markdown and JSON; the LaTeX compiles; and ``check --derivation`` fed the whole
printed derivation never judges a tensor-form line: each is unchecked, with its reason."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import SPECS

from symbackprop.cli.app import main
from symbackprop.render.latex import PREAMBLE

TENSOR_SPECS = ("conv2d-3x3", "conv-pool", "rnn-bptt")
TENSOR_WORDS = "a tensor form (convolution, pooling, recurrent and attention layers) is not read"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("name", TENSOR_SPECS)
def test_derive_prints_the_tensor_form_in_every_format(name: str) -> None:
    spec = str(SPECS / f"{name}.yaml")
    code, text = run("derive", spec, "--form", "delta")
    assert code == 0 and "Tensor form (per layer):" in text
    code, latex = run("derive", spec, "--form", "delta", "--format", "latex")
    assert code == 0 and r"\subsection*{Tensor form}" in latex
    code, markdown = run("derive", spec, "--form", "delta", "--format", "markdown")
    assert code == 0 and "## Tensor form" in markdown
    code, out = run("derive", spec, "--form", "delta", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["matrix"]["form"] == "tensor" and data["matrix"]["applies"]
    rows = [row for section in data["matrix"]["sections"] for row in section["latex"]]
    if name == "rnn-bptt":
        assert any(r"\operatorname{diag}\left(1 - \left(h^{(t + 1)}\right)^{2}\right)" in row
                   for row in rows)
    else:
        assert any(r"W^{[1]} \ast X + b^{[1]}" in row for row in rows)


@pytest.mark.parametrize("name", TENSOR_SPECS)
def test_the_printed_tensor_form_compiles(name: str) -> None:
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            raise AssertionError("pdflatex is installed under CI")
        pytest.skip("pdflatex is not installed")
    from symbackprop.notes.pdflatex import compile_tex

    code, latex = run("derive", str(SPECS / f"{name}.yaml"), "--form", "delta", "--format",
                      "latex")
    assert code == 0
    result = compile_tex(PREAMBLE + "\\begin{document}\n" + latex + "\\end{document}\n",
                         runs=1, timeout=120)
    assert result.log.ok, result.log.errors


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown"])
@pytest.mark.parametrize("name", TENSOR_SPECS)
def test_check_leaves_every_tensor_line_unchecked_with_its_reason(tmp_path: Path, name: str,
                                                                  fmt: str) -> None:
    spec = str(SPECS / f"{name}.yaml")
    code, printed = run("derive", spec, "--form", "delta", "--format", fmt)
    assert code == 0
    derivation = tmp_path / f"derivation.{'tex' if fmt == 'latex' else 'txt'}"
    derivation.write_text(printed, encoding="utf-8")
    code, out = run("check", spec, "--derivation", str(derivation), "--format", "json",
                    "--answer-cpu", "0")
    assert code in (0, 1), out
    report = json.loads(out)
    assert report["verdict"] == "correct"
    assert not [s for s in report["steps"] if s["verdict"] == "incorrect"]
    start = printed.splitlines().index(next(line for line in printed.splitlines()
                                            if "Tensor form" in line or "tensor form" in line))
    tensor = [s for s in report["steps"] if s["line"] > start + 1
              and TENSOR_WORDS in " ".join(s["diagnosis"])]
    assert len(tensor) >= 10
    assert all(s["verdict"] == "unchecked" for s in tensor)
