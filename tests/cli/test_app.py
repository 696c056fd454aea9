"""The command line: exit codes, formats, published numbers, lazy imports."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import ROOT

from symbackprop.cli.app import main

SEED_004 = str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_does_not_import_sympy() -> None:
    code = ("import sys\nfrom click.testing import CliRunner\n"
            "from symbackprop.cli.app import main\n"
            "r = CliRunner().invoke(main, ['--help'])\nassert r.exit_code == 0, r.output\n"
            "assert 'Examples' in r.output\nprint('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_deriving_from_a_yaml_spec_imports_only_what_it_uses() -> None:
    code = ("import sys\nfrom click.testing import CliRunner\n"
            "from symbackprop.cli.app import main\n"
            f"r = CliRunner().invoke(main, ['derive', {SEED_004!r}, '--form', 'delta'])\n"
            "assert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in ('symbackprop.check.reading.tokens',"
            " 'symbackprop.spec.json_toml', 'tomllib', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "symbackprop", "derive", SEED_004, "--param",
                          "w5", "--form", "closed"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "(out_o1 - target_o1)·out_o1·(1 - out_o1)·out_h1" in out.stdout


@pytest.mark.parametrize("command", ["derive", "eval", "gradcheck"])
def test_every_command_has_examples_in_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Examples:" in out


# Matt Mazur, "A Step by Step Backpropagation Example" (2015), the worked example seed 004
# builds on: E_total = 0.298371109; after one step with learning rate 0.5:
MAZUR_UPDATED = {
    "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121,
    "w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
}


def test_eval_reproduces_mazur_worked_example() -> None:
    code, out, err = run("eval", SEED_004, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["loss"] == pytest.approx(0.298371109, abs=5e-10)
    assert data["units"]["h1"]["out"] == pytest.approx(0.593269992, abs=5e-10)
    assert data["units"]["o1"]["net"] == pytest.approx(1.105905967, abs=5e-10)
    assert data["gradients"]["w5"] == pytest.approx(0.082167041, abs=5e-10)
    assert data["gradients"]["w1"] == pytest.approx(0.000438568, abs=5e-10)
    for name, value in MAZUR_UPDATED.items():
        assert data["updated"][name] == pytest.approx(value, abs=1e-8), name
    assert len(data["history"]) == 2


def test_eval_reproduces_mazur_after_10000_iterations() -> None:
    # Mazur keeps the biases fixed; "after repeating this process 10,000 times ... the error
    # plummets to 0.0000351085", i.e. the error of the 10,000th forward pass.
    code, out, err = run("eval", SEED_004, "--steps", "10000", "--frozen", "b1", "--frozen",
                         "b2", "--format", "json")
    assert code == 0, err
    history = json.loads(out)["history"]
    assert len(history) == 10001
    assert history[9999] == pytest.approx(0.0000351085, abs=5e-11)
    assert all(b < a for a, b in itertools.pairwise(history))


def test_eval_text_lists_units_loss_and_updates() -> None:
    code, out, _ = run("eval", SEED_004, "--lr", "0.5", "--steps", "2")
    assert code == 0
    assert "E_total = 0.298371109" in out  # the loss under its own name
    assert "round 2: 0.285750887" in out


def test_eval_at_values_file(tmp_path: Path) -> None:
    at = tmp_path / "at.yaml"
    at.write_text("examples:\n  - inputs: {i1: 0.05, i2: 0.10}\n    targets: {o1: 0.01, o2: 0.99}\n"
                  "  - inputs: {i1: 0.05, i2: 0.10}\n    targets: {o1: 0.01, o2: 0.99}\n"
                  "params: {w1: 0.15, w2: 0.20, w3: 0.25, w4: 0.30, w5: 0.40, w6: 0.45, "
                  "w7: 0.50, w8: 0.55, b1: 0.35, b2: 0.60}\n")
    code, out, err = run("eval", SEED_004, "--at", str(at), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    # two identical examples: the mean loss equals the single-example loss
    assert data["loss"] == pytest.approx(0.298371109, abs=5e-10)
    assert len(data["examples"]) == 2
    assert data["learning_rate"] == 0.5  # the file gives none: the spec's stays


def test_eval_without_values_is_an_input_error() -> None:
    code, _, err = run("eval", str(ROOT / "specs" / "relu-mlp.yaml"))
    assert code == 2
    assert "no value for parameter" in err


def test_eval_of_a_spec_without_values_names_the_top_level_line() -> None:
    spec = str(ROOT / "specs" / "skip-connection.yaml")
    code, out, err = run("eval", spec, "--format", "json")
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {spec}:1: values.params: no value for parameter(s) a1, ")
    assert len(err.splitlines()) == 1


def test_derive_json_has_expression_latex_and_chain() -> None:
    code, out, _ = run("derive", SEED_004, "--format", "json")
    assert code == 0
    data = json.loads(out)
    params = {p["name"]: p for p in data["parameters"]}
    assert set(params) == {"w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"}
    w5 = params["w5"]
    assert w5["expression"] == "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"
    assert r"\mathrm{out}_{o1}" in w5["latex"]
    assert [f["denominator"] for f in w5["chain"][0]] == ["out_o1", "in_o1", "w5"]
    assert len(params["w1"]["chain"]) == 2  # two paths: through o1 and through o2


def test_derive_unknown_param_suggests_a_name() -> None:
    code, _, err = run("derive", SEED_004, "--param", "w9")
    assert code == 2
    assert "no parameter called `w9`" in err


def test_derive_writes_output_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.tex"
    code, _, _ = run("derive", SEED_004, "--format", "latex", "-o", str(target))
    assert code == 0
    written = target.read_text()
    # a document: the forward pass and the ten gradients, each section one aligned block
    assert written.count("\\begin{align*}") == 2 and written.count("{\\partial w_{") >= 8
    assert written.rstrip().endswith("\\end{align*}")
    code, _, err = run("derive", SEED_004, "-o", str(tmp_path / "missing" / "out.tex"))
    assert code == 2
    assert "does not exist" in err
    assert [p.name for p in tmp_path.iterdir()] == ["out.tex"]


def test_gradcheck_json_keys_and_pass() -> None:
    code, out, _ = run("gradcheck", SEED_004, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True
    assert data["max_rel_error"] < 1e-12
    assert {p["name"] for p in data["parameters"]} == set(MAZUR_UPDATED) | {"b1", "b2"}
    assert all({"name", "analytic", "numeric", "rel_error", "ok"} <= set(p)
               for p in data["parameters"])


def test_gradcheck_fails_with_exit_1_on_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import symbackprop.network.derivation as derive_module

    real = derive_module.derive

    def wrong(net):  # type: ignore[no-untyped-def]
        grads = real(net)
        o1 = net.unit_by_name["o1"].name
        grads.deltas[o1] = 2 * grads.deltas[o1]  # a factor-2 mistake in one local gradient
        return grads

    monkeypatch.setattr(derive_module, "derive", wrong)
    code, out, _ = run("gradcheck", SEED_004)
    assert code == 1
    assert "FAIL" in out


def test_readme_derive_example_is_what_the_tool_prints() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("$ symbackprop derive specs/seed-004-mazur-2-2-2.yaml --param w5\n",
                         1)[1].split("```", 1)[0]
    code, out, _ = run("derive", SEED_004, "--param", "w5")
    assert code == 0
    assert block.strip() in out


def test_readme_quickstart_is_two_commands_run_by_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(quickstart) == 2
    assert quickstart[0].startswith("pip install . && symbackprop derive specs/")
    assert quickstart[1] in (ROOT / ".ci" / "run").read_text()


def test_an_unspecified_loss_with_values_is_derived_drawn_and_noted_without_numbers(
        tmp_path: Path) -> None:
    """Values beside an unspecified loss C(a, y) leave the derivations to work (without
    numbers); what needs numbers stops at the loss's line, except gradcheck."""
    spec = tmp_path / "c.yaml"
    spec.write_text("inputs: [x1]\nlayers: [{size: 1, activation: sigmoid}]\n"
                    "loss: {kind: unspecified, name: C}\nvalues:\n  inputs: {x1: 0.5}\n"
                    "  targets: {u1_1: 0.2}\n  params: {w_1_1_1: 0.1, b_1_1: 0.3}\n",
                    encoding="utf-8")
    for args in (["derive"], ["derive", "--format", "latex"], ["graph"], ["notes"]):
        result = CliRunner().invoke(main, [args[0], str(spec), *args[1:]])
        assert result.exit_code == 0, (args, result.output)
    for command in ("eval", "codegen"):
        result = CliRunner().invoke(main, [command, str(spec)])
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {spec}:3: loss: the loss C is unspecified")
    # gradcheck checks the derivation at the spec's values with stand-in losses
    result = CliRunner().invoke(main, ["gradcheck", str(spec)])
    assert result.exit_code == 0, result.output
    assert "stand-in loss: C = squared error" in result.stdout


@pytest.mark.parametrize("spec", sorted(p.name for p in (ROOT / "specs").glob("*.yaml")))
def test_every_bundled_spec_passes_gradcheck(spec: str) -> None:
    """Unspecified functions and losses are checked with stand-ins; nothing disagrees."""
    result = CliRunner().invoke(main, ["gradcheck", str(ROOT / "specs" / spec)])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.stdout and " disagree," not in result.stdout


@pytest.mark.parametrize("command", ["derive", "notes", "graph"])
def test_a_missing_value_is_named_where_numbers_would_be(tmp_path: Path,
                                                         command: str) -> None:
    text = Path(SEED_004).read_text(encoding="utf-8")
    assert "w5: 0.40, " in text
    spec = tmp_path / "no-w5.yaml"
    spec.write_text(text.replace("w5: 0.40, ", ""), encoding="utf-8")
    line = next(k for k, row in enumerate(text.splitlines(), 1) if "w5: 0.40" in row)
    code, out, err = run(command, str(spec))
    assert code == 0 and out
    assert err == (f"note: no numbers shown: {spec}:{line}: values.params: no value for "
                   "parameter(s) w5 (give them under `values: params:` or in a file for "
                   "--at)\n")
    code, _, err = run(command, str(spec), "--no-numbers")
    assert code == 0 and err == ""
    code, _, err = run(command, SEED_004)
    assert code == 0 and err == ""


def test_eval_and_gradcheck_name_a_missing_value_too(tmp_path: Path) -> None:
    text = Path(SEED_004).read_text(encoding="utf-8")
    spec = tmp_path / "no-w5.yaml"
    spec.write_text(text.replace("w5: 0.40, ", ""), encoding="utf-8")
    code, out, err = run("eval", str(spec))
    assert code == 2 and out == ""
    assert "no value for parameter(s) w5 " in err
    code, out, _ = run("gradcheck", str(spec))
    assert code == 0
    assert "note: random values for w5 (seed 0)" in out


def test_derive_says_which_stand_ins_its_numbers_assume() -> None:
    renom = str(ROOT / "specs" / "seed-000-renom-1-2-1.yaml")
    point = ["--at", "u=1", "--at", "r=0.5", "--at", "w_a=0.1", "--at", "w_b=0.2",
             "--at", "w_1=0.3", "--at", "w_2=0.4"]
    note = "the numbers assume g = sin, f = tanh: stand-ins asked for for the unspecified"
    code, out, err = run("derive", renom, "--param", "w_1", "--define", "f=tanh",
                         "--define", "g=sin", *point)
    assert code == 0, err
    assert f"note: {note}" in out
    # tanh′(z)·… at z = 0.3·sin(0.1) + 0.4·sin(0.2): the numbers are those of the stand-ins
    x1, x2 = math.sin(0.1), math.sin(0.2)
    y = math.tanh(0.3 * x1 + 0.4 * x2)
    assert f"{(y - 0.5) * (1 - y * y) * x1:.9g}" in out
    code, out, _ = run("derive", renom, "--param", "w_1", "--define", "f=tanh",
                       "--define", "g=sin", *point, "--format", "json")
    assert any(note in n for n in json.loads(out)["notes"])
    code, out, _ = run("derive", renom, "--param", "w_1", "--define", "f=tanh",
                       "--define", "g=sin")
    assert code == 0 and note not in out  # no numbers, nothing assumed
