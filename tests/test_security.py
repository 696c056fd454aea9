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


@pytest.mark.parametrize("target", ["/dev/null", "/dev/stdout"])
def test_notes_pdf_is_never_made_beside_a_device(target: str) -> None:
    # the PDF goes beside the .tex: beside /dev/null it would be a new file in /dev
    code, _, err = run("notes", SEED_004, "-o", target, "--pdf")
    assert code == 2
    assert "--pdf needs LaTeX output to a file" in err
    assert not Path(target + ".pdf").exists()


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


# ------------------------------------------------------------------------- text in every emitter

SECRET = "TOPSECRET42"


def _secret_file(folder: Path) -> Path:
    path = folder / "secret.tex"
    path.write_text(SECRET + "\n")
    return path


def _hostile_text(secret: Path) -> str:
    """Free text that would break or abuse every format, were it pasted in as it is."""
    return (f'Notes on \\N """ 100% \\input{{{secret}}} \\\\ {{ }} & # ~ ^ _ $x$\n\n'
            "## injected heading\n<script>alert(1)</script> | a | b |\n```\n"
            "- item ]] --> \" ' `code` *bold* [link](http://x)\n\\end{document}")


def _hostile_seed(folder: Path, text: str) -> Path:
    import yaml

    data = yaml.safe_load(SEED_004.read_text())
    return _write_yaml(folder / "hostile.yaml",
                       {**data, "title": text, "description": text, "source": text})


def _benign_seed(folder: Path) -> Path:
    import yaml

    data = yaml.safe_load(SEED_004.read_text())
    return _write_yaml(folder / "benign.yaml", {**data, "title": "T", "description": "D",
                                                "source": "S"})


def _pdf_text(pdf: bytes, folder: Path) -> str:
    import subprocess

    path = folder / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _needs(tool: str) -> None:
    import shutil

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def test_derive_latex_keeps_free_text_inside_its_comment(tmp_path: Path) -> None:
    from symbackprop.notes.pdflatex import compile_tex

    _needs("pdflatex")
    _needs("pdftotext")
    spec = _hostile_seed(tmp_path, _hostile_text(_secret_file(tmp_path)))
    code, out, err = run("derive", spec, "--format", "latex")
    assert code == 0, err
    for line in out.splitlines():
        assert "input" not in line or line.startswith("%"), line
    document = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
                + out + "\\end{document}\n")
    result = compile_tex(document, runs=1)
    assert SECRET not in _pdf_text(result.pdf, tmp_path)


def test_derive_markdown_and_json_show_free_text_as_text(tmp_path: Path) -> None:
    import json

    text = _hostile_text(_secret_file(tmp_path))
    hostile = _hostile_seed(tmp_path, text)
    benign = _benign_seed(tmp_path)
    code, md, err = run("derive", hostile, "--format", "markdown")
    assert code == 0, err
    plain = run("derive", benign, "--format", "markdown")[1]
    # the title is one escaped heading line; everything after it is as for a plain title
    assert md.splitlines()[1:] == plain.splitlines()[1:]
    title = md.splitlines()[0]
    assert title.startswith("# ") and "<script>" not in title and "\\<script\\>" in title
    code, js, err = run("derive", hostile, "--format", "json")
    assert code == 0, err
    assert json.loads(js)["title"] == text


def test_notes_compile_with_hostile_free_text_and_read_no_file(tmp_path: Path) -> None:
    _needs("pdflatex")
    _needs("pdftotext")
    spec = _hostile_seed(tmp_path, _hostile_text(_secret_file(tmp_path)))
    target = tmp_path / "notes.tex"
    code, _, err = run("notes", spec, "-o", target, "--pdf")
    assert code == 0, err
    text = _pdf_text((tmp_path / "notes.pdf").read_bytes(), tmp_path)
    assert SECRET not in text
    assert "injected heading" in text and "<script>alert(1)</script>" in text


def test_notes_markdown_keeps_its_structure(tmp_path: Path) -> None:
    text = _hostile_text(_secret_file(tmp_path))
    code, md, err = run("notes", _hostile_seed(tmp_path, text), "--format", "markdown")
    assert code == 0, err
    plain = run("notes", _benign_seed(tmp_path), "--format", "markdown")[1]

    def structure(doc: str) -> list[str]:
        keep = ("#", "```", "|", "$$", "  n_", "flowchart")
        return [ln for ln in doc.splitlines() if ln.startswith(keep)]

    assert structure(md)[1:] == structure(plain)[1:]  # all but the title line
    assert md.count("```") == plain.count("```")
    assert not [ln for ln in md.splitlines() if ln.startswith(("## injected", "- item"))]
    assert "<script>" not in md


HOSTILE_NAMES = ["node", "edge", "graph", "subgraph", "end", "loss", "click", "style",
                 "bias_b1", "dots1", "strict"]


def _named_spec(folder: Path) -> Path:
    """Units and inputs named like DOT and Mermaid keywords and the tool's own nodes."""
    return _write_yaml(folder / "names.yaml", {
        "title": "names",
        "inputs": ["node", "edge", "graph"],
        "layers": [{"name": "hid", "units": ["dots1", "loss", "end", "subgraph", "click",
                                             "style", "strict"],
                    "activation": "tanh", "bias": "b1"},
                   {"name": "out", "units": ["bias_b1"], "activation": "sigmoid"}],
        "loss": "squared_error",
        "values": {"inputs": {"node": 0.1, "edge": -0.2, "graph": 0.3},
                   "targets": {"bias_b1": 0.5}},
    })


def test_graph_dot_with_keyword_names_parses_with_graphviz(tmp_path: Path) -> None:
    import subprocess

    _needs("dot")
    spec = _named_spec(tmp_path)
    code, dot, err = run("graph", spec, "--format", "dot")
    assert code == 0, err
    done = subprocess.run(["dot", "-Tplain"], input=dot, capture_output=True, text=True,
                          check=True)
    nodes = [ln.split()[1] for ln in done.stdout.splitlines() if ln.startswith("node ")]
    edges = [ln for ln in done.stdout.splitlines() if ln.startswith("edge ")]
    assert len(nodes) == len(set(nodes)) == dot.count("shape=")
    assert len(edges) == dot.count(" -> ")


def test_tikz_nodes_of_the_tool_never_collide_with_units(tmp_path: Path) -> None:
    import re

    _needs("pdflatex")
    spec = _named_spec(tmp_path)
    target = tmp_path / "notes.tex"
    code, _, err = run("notes", spec, "-o", target, "--pdf")
    assert code == 0, err
    tex = target.read_text()
    picture = tex[tex.index("\\begin{tikzpicture}"):tex.index("\\end{tikzpicture}")]
    names = re.findall(r"\\node(?:\[[^\]]*\])? ?\(([^)]*)\)", picture)
    assert len(names) == len(set(names))
    # a wide layer shows 5 of its 7 units and an ellipsis; b1 is a shared bias node
    assert {"n-dots1", "x-dots1", "n-loss", "x-loss", "n-bias-b1", "x-bias-n-b1"} <= set(names)
    code, md, err = run("notes", spec, "--format", "markdown")
    assert code == 0, err
    chart = md[md.index("```mermaid"):].split("```")[1].splitlines()[2:]
    node = re.compile(r'^  (n|u)_\w+\(\("[^"#]*"\)\)$|^  (loss|bias_\d+)\["[^"]*"\]$')
    edge = re.compile(r'^  ((n|u)_\w+|bias_\d+) (-- "[^"]*" -->|-\.->|-->) ((n|u)_\w+|loss)$')
    for line in chart:
        assert node.match(line) or edge.match(line), line


def test_check_csv_report_cannot_run_spreadsheet_formulas(tmp_path: Path) -> None:
    import csv
    import io

    answers = tmp_path / "answers.csv"
    answers.write_text('id,param,formula\n"=HYPERLINK(""http://evil"")",w5,w5\n'
                       '"@SUM(1)",w5,"-w5"\n')
    code, out, err = run("check", SEED_004, "--answers", answers, "--format", "csv")
    assert code == 0, err
    ids = [row[0] for row in csv.reader(io.StringIO(out))][1:]
    assert ids == ["'=HYPERLINK(\"http://evil\")", "'@SUM(1)"]


def test_json_of_numbers_that_overflow_is_still_json(tmp_path: Path) -> None:
    import json

    spec = _write_yaml(tmp_path / "big.yaml", {
        "inputs": ["x"], "layers": [{"units": ["o"], "activation": "linear"}],
        "loss": "squared_error",
        "values": {"inputs": {"x": 1e200}, "targets": {"o": 0},
                   "params": {"w_1_1_1": 1e200, "b_1_1": 0}},
    })

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    code, out, err = run("eval", spec, "--format", "json")
    assert code == 0, err
    data = json.loads(out, parse_constant=refuse)
    # (10^200 · 10^200)^2 / 2 overflows float64: its digits, worked out without float64
    assert data["loss"] == "5e+799" and data["gradients"]["w_1_1_1"] == "1e+600"


# ------------------------------------------------------------------------- TeX file access


TEX_ATTACKS = [r"\input{SECRET}", r"x_{\input{SECRET}}", "x^^5cinput{SECRET}",
               r"\csname input\endcsname{SECRET}", r"\openin1=SECRET", r"\include{SECRET}",
               r"\immediate\write18{cat SECRET}", r"\catcode`\#=11", r"\mathrm{\input{SECRET}}"]


@pytest.mark.parametrize("attack", TEX_ATTACKS)
@pytest.mark.parametrize("field", ["unit", "edge", "template", "input"])
def test_tex_that_could_read_files_is_refused_when_the_spec_is_read(
        tmp_path: Path, attack: str, field: str) -> None:
    tex = attack.replace("SECRET", str(_secret_file(tmp_path)))
    data: dict[str, object] = {
        "inputs": ["x"],
        "layers": [{"name": "hid", "units": ["h"], "activation": "tanh"},
                   {"name": "out", "units": ["o"], "activation": "sigmoid"}],
        "loss": "squared_error",
    }
    expected = {"unit": "layers[1].units[0].latex", "edge": "edges[0].latex",
                "template": "notation.delta", "input": "inputs.x"}[field]
    if field == "unit":
        data["layers"][1]["units"] = [{"name": "o", "latex": tex}]  # type: ignore[index]
    elif field == "edge":
        data["edges"] = [{"from": "x", "to": "o", "weight": "v", "latex": tex}]
    elif field == "template":
        data["notation"] = {"delta": tex}
    else:
        data["inputs"] = {"x": tex}
    spec = _write_yaml(tmp_path / "attack.yaml", data)
    for command in (("notes", "-o", str(tmp_path / "n.tex"), "--pdf"),
                    ("derive", "--format", "latex")):
        code, _, err = run(command[0], spec, *command[1:])
        assert code == 2, err
        assert "attack.yaml:" in err and f": {expected}: " in err
        assert "is not allowed as LaTeX" in err and "Traceback" not in err
    assert not (tmp_path / "n.pdf").exists()


def test_paranoid_pdflatex_reads_no_file_outside_its_folder(tmp_path: Path) -> None:
    from symbackprop.errors import SymbackpropError
    from symbackprop.notes.pdflatex import compile_tex

    _needs("pdflatex")
    _needs("pdftotext")
    secret = _secret_file(tmp_path)

    def document(body: str) -> str:
        return "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"

    for body in (f"\\input{{{secret}}}", f"\\input{{../../../../../../../..{secret}}}"):
        with pytest.raises(SymbackpropError, match="LaTeX Error: File"):
            compile_tex(document(body), runs=1)
    # even a probe that only asks whether the file can be opened learns nothing
    probe = f"\\newread\\r\\immediate\\openin\\r={secret} \\ifeof\\r CLOSED\\else OPEN\\fi"
    assert "CLOSED" in _pdf_text(compile_tex(document(probe), runs=1).pdf, tmp_path)


def test_paranoid_pdflatex_writes_no_file_outside_its_folder(tmp_path: Path) -> None:
    from symbackprop.errors import SymbackpropError
    from symbackprop.notes.pdflatex import compile_tex

    _needs("pdflatex")
    target = tmp_path / "written"
    body = (f"\\newwrite\\w\\immediate\\openout\\w={target}\\immediate\\write\\w{{x}}"
            "\\immediate\\closeout\\w")
    with pytest.raises(SymbackpropError, match="write"):
        compile_tex("\\documentclass{article}\n\\begin{document}\n" + body
                    + "x\n\\end{document}\n", runs=1)
    assert not list(tmp_path.glob("written*"))


def test_every_vetted_name_compiles(tmp_path: Path) -> None:
    """A few hundred random strings that pass the vetting, typeset in one document."""
    import random

    from symbackprop.notes.pdflatex import compile_tex
    from symbackprop.spec.tex import vet_math

    _needs("pdflatex")
    rng = random.Random(8)
    pieces = ["x", "W", "7", " ", "_", "^", "{", "}", "'", "(", ")", "[", "]", ",", "+", "-",
              "|", "=", "<", r"\alpha", r"\Omega", r"\hat", r"\bar", r"\tilde", r"\vec",
              r"\mathrm", r"\mathbf", r"\mathcal", r"\mathbb", r"\boldsymbol", r"\ell",
              r"\partial", r"\prime", r"\,", r"\{", r"\}", r"\operatorname{net}",
              r"\text{out 1}", r"\widehat", r"\overline", r"\nabla", r"\cdot"]
    accepted: list[str] = []
    while len(accepted) < 300:
        tex = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if vet_math(tex) is None:
            accepted.append(tex)
    body = "\n".join(f"${tex}$ \\quad ${{{tex}}}^{{2}}_{{k}}$\\par" for tex in accepted)
    compile_tex("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                "\\begin{document}\n" + body + "\n\\end{document}\n", runs=1)


# ------------------------------------------------------------------------- the threat model


def test_the_threat_model_is_linked_and_cites_real_tests() -> None:
    import re

    from paths import ROOT

    assert "(docs/threat-model.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    text = (ROOT / "docs" / "threat-model.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`((?:tests|symbackprop)/[\w/.-]+)`", text))
    assert {"tests/test_security.py", "symbackprop/spec/tex.py"} <= cited
    for path in cited:
        assert (ROOT / path).exists(), path
    links = re.findall(r"\]\(([\w.-]+\.md)\)", text)
    assert {"limits.md", "spec.md"} <= set(links)
    for link in links:
        assert (ROOT / "docs" / link).exists(), link


def test_graph_tikz_with_keyword_names_compiles(tmp_path: Path) -> None:
    from symbackprop.notes.pdflatex import compile_tex

    _needs("pdflatex")
    code, tikz, err = run("graph", _named_spec(tmp_path), "--param", "b1")
    assert code == 0, err
    compile_tex(tikz, runs=1)


def test_eval_text_reaches_the_terminal_without_control_characters(tmp_path: Path) -> None:
    spec = _write_yaml(tmp_path / "cr.yaml", {
        "title": "visible\rhidden", "inputs": ["x"],
        "layers": [{"units": ["o"], "activation": "sigmoid"}], "loss": "squared_error",
        "values": {"inputs": {"x": 1}, "targets": {"o": 0},
                   "params": {"w_1_1_1": 0.5, "b_1_1": 0}},
    })
    code, out, err = run("eval", spec)
    assert code == 0, err
    assert "\r" not in out and "visible?hidden" in out


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_answer_ids_that_no_file_can_hold_are_written_replaced(tmp_path: Path, fmt: str
                                                               ) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('- {id: "a\\ud800b\\e[2J", param: w5, formula: w5}\n')
    code, out, err = run("check", SEED_004, "--answers", answers, "--format", fmt)
    assert code == 0, err
    assert "a\ufffdb" in out and "\x1b" not in out
