"""The `check` command: exit codes, formats, batch grading and hostile input."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import DATA, ROOT

from symbackprop.cli.check import check

MAZUR = str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")
CHECK_DATA = DATA / "check"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(check, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_help_has_examples() -> None:
    code, out = run("--help")
    assert code == 0 and "Examples" in out and "--answers" in out


def test_correct_formula_exits_0() -> None:
    code, out = run(MAZUR, "--param", "w5", "--formula",
                    "-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1")
    assert code == 0 and "CORRECT" in out


def test_incorrect_formula_exits_1_with_json_report() -> None:
    code, out = run(MAZUR, "--param", "w6", "--format", "json", "--formula",
                    r"-(target_{02} - out_{02}) * out_{02} *(1-out_{02}) * out_{h2}")
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "incorrect"
    assert data["equals_gradient_of"] == "w8"
    assert isinstance(data["diagnosis"], list) and data["diagnosis"]
    assert data["counterexample"]["true_value"] != data["counterexample"]["formula_value"]


def test_formula_file_and_left_hand_side(tmp_path: Path) -> None:
    f = tmp_path / "f.tex"
    f.write_text(r"\partial E_{total}/\partial w_{5} = (out_{o1}-target_{o1})\,out_{o1}"
                 r"(1-out_{o1})\,out_{h1}", encoding="utf-8")
    code, out = run(MAZUR, "--formula-file", str(f))
    assert code == 0, out


def test_usage_errors_exit_2() -> None:
    assert run(MAZUR, "--param", "w5")[0] == 2
    assert run(MAZUR, "--param", "w5", "--formula", "w5", "--format", "csv")[0] == 2
    assert run(MAZUR, "--param", "nope", "--formula", "w5")[0] == 2
    assert run(MAZUR, "--param", "w5", "--formula", "out_hx")[0] == 2
    assert run(str(CHECK_DATA / "missing.yaml"), "--param", "w5", "--formula", "w5")[0] == 2


LINEAR = str(ROOT / "specs" / "seed-001-linear-1-1-2-1.yaml")


@pytest.mark.parametrize("spec, formula, says", [
    (LINEAR, "w^{[2]}_{1, 2} = 1", "unknown name `w^{[2]}_{1, 2}` at character 1 (no weight "
     "`w^{[2]}_{1,2}` in this network: its second index must be 1, not 2; layer 2 has "
     "`w^{[2]}_{1,1}` and `w^{[2]}_{2,1}`)"),
    (LINEAR, "a_3_2 = 1", "unknown name `a_3_2` at character 1 (no activation `a^{[3]}_2` in "
     "this network: its index must be 1, not 2; layer 3 has `a^{[3]}_1`)"),
    (LINEAR, "w^{[4]}_{1,1} = 1", "its layer must be 1 to 3, not 4; did you mean "
     "`w^{[3]}_{1,1}`?"),
    (LINEAR, "1 = \\delta^{[2]}_3", "unknown name `\\delta^{[2]}_3` at character 5 "),
    (MAZUR, "out_{o3} = 1", "unknown name `out_{o3}` at character 1 (no activation `out_{o3}` "
     "in this network: its index must be 1 to 2, not 3; did you mean `out_{o2}`?)"),
])
def test_unknown_names_exit_2_with_one_located_line(spec: str, formula: str, says: str
                                                    ) -> None:
    code, out = run(spec, "--formula", formula)
    assert code == 2 and says in out and out.count("\n") == 1, out


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_answers_are_graded(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"grades.{fmt}"
    code, _ = run(MAZUR, "--answers", str(CHECK_DATA / "answers.yaml"), "--format", fmt,
                  "--output", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert "ben" in text and "w8" in text
    if fmt == "json":
        data = json.loads(text)
        assert data["summary"]["error"] == 2
        assert len(data["answers"]) == 11


def test_unreadable_answers_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: [unclosed", encoding="utf-8")
    assert run(MAZUR, "--answers", str(bad))[0] == 2
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42", encoding="utf-8")
    assert run(MAZUR, "--answers", str(scalar))[0] == 2


def _hostile() -> list[str]:
    lines = (CHECK_DATA / "hostile.txt").read_text(encoding="utf-8").splitlines()
    corpus = [line for line in lines if line and not line.startswith("# ")]
    corpus += ["(" * 100_000 + "w5" + ")" * 100_000, "w5+" * 3_500_000, "-" * 15_000 + "w5",
               "w5*" * 5000 + "w5", "\x00w5", "{" * 5000, "out_{" + "h" * 10_000 + "}"]
    return corpus


@pytest.mark.parametrize("formula", _hostile(), ids=lambda f: f[:30])
def test_hostile_formulas_exit_2_fast_without_side_effects(formula: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "pwned"
    text = formula.replace("{marker}", str(marker))
    start = time.perf_counter()
    code, out = run(MAZUR, "--param", "w5", "--formula", text)
    elapsed = time.perf_counter() - start
    assert code == 2, out[:300]
    assert "Traceback" not in out
    assert len(out) < 2000
    assert elapsed < 2.0
    assert not marker.exists()
    assert list(tmp_path.iterdir()) == []


def _help_examples() -> list[list[str]]:
    """The example commands of `check --help`, as a shell would split them."""
    import shlex

    from symbackprop.cli.check import EPILOG

    block = EPILOG.split("Examples:")[1].split("\b\n")[1].split("\n\n")[0]
    commands = block.replace("\\\n", " ").split("symbackprop check ")[1:]
    return [shlex.split(c) for c in commands]


def test_every_help_example_runs_as_written(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Pasted literally (the seed-003 formula spans four lines of the shell command), each
    example is read whole and checked: exit 0 or 1, never an unreadable formula."""
    monkeypatch.chdir(ROOT)
    examples = _help_examples()
    assert len(examples) >= 6
    steps = tmp_path / "steps.tex"
    steps.write_text((DATA / "derivations" / "seed-004-w5.tex").read_text(encoding="utf-8"),
                     encoding="utf-8")
    answers = tmp_path / "class.csv"
    answers.write_text("id,param,formula\na,w5,delta_o1*out_h1\nb,w6,delta_o1*out_h2\n",
                       encoding="utf-8")
    outputs = {}
    for args in examples:
        args = [str(steps) if a == "steps.tex" else str(answers) if a == "class.csv" else
                str(tmp_path / a) if a == "mistakes.csv" else a for a in args]
        code, out = run(*args)
        assert code in (0, 1), (args, out)
        outputs[" ".join(args)] = out
    seed_003 = next(out for cmd, out in outputs.items() if "w_7" in cmd)
    assert "∂w7/∂h_1 is meaningless" in seed_003
    assert "without the meaningless factors the chain reads ∂L/∂o_1 · ∂o_1/∂h_1 · ∂h_1/∂w1 " \
           "+ ∂L/∂o_2 · ∂o_2/∂h_1 · ∂h_1/∂w1" in seed_003
    written = " ".join(seed_003.split("read as")[0].split())  # whole, over several lines
    assert "\\frac{\\partial L}{\\partial o_1}" in written


def test_answers_hold_derivations_and_update_rules(tmp_path: Path) -> None:
    import yaml

    derivations = DATA / "derivations"
    rows = [{"id": "w1", "derivation": (derivations / "seed-004-w1.tex").read_text("utf-8")},
            {"id": "w5", "derivation": (derivations / "seed-004-w5.tex").read_text("utf-8")},
            {"id": "up",
             "formula": r"w_{5}^{+} = w_{5} + \alpha \partial E_{total}/\partial w_{5}"},
            {"id": "ok", "param": "w6",
             "formula": r"w^{+} = w - \eta \frac{\partial E}{\partial w}"},
            {"id": "w8", "param": "w6",
             "formula": "(out_o2 - target_o2)*out_o2*(1-out_o2)*out_h2"}]
    path = tmp_path / "class.yaml"
    path.write_text(yaml.safe_dump({"answers": rows}), encoding="utf-8")
    for jobs in ("1", "2"):
        code, out = run(MAZUR, "--answers", str(path), "--jobs", jobs, "--format", "json")
        assert code == 0
        graded = {r["id"]: r for r in json.loads(out)["answers"]}
        assert {k: r["verdict"] for k, r in graded.items()} == {
            "w1": "incorrect", "w5": "correct", "up": "incorrect", "ok": "correct",
            "w8": "incorrect"}
        assert graded["w1"]["first_wrong_line"] == 10
        assert "replacing w6 by w7 makes it correct" in graded["w1"]["diagnosis"]
        assert graded["up"]["param"] == "w5"
        assert any("gradient ascent" in d and "∂E_total/∂w5" in d
                   for d in graded["up"]["diagnosis"])
    code, text = run(MAZUR, "--answers", str(path))
    for line in text.splitlines()[1:-1]:
        findings = line.split("  ")[-1].split("; ")
        assert len(findings) == len(set(findings)), line
        assert "line 10: line 10" not in line


def test_names_are_written_in_the_specs_notation() -> None:
    spec = str(ROOT / "specs" / "seed-003-stackexchange-chain.yaml")
    code, out = run(spec, "--param", "w2", "--formula", "(y' - y) y'(1 - y') w_2")
    assert code == 1
    assert "y′" in out and "y_prime" not in out and "yp" not in out.replace("y′", "")


def test_an_update_carried_on_to_its_numbers() -> None:
    rule = r"w_{5}^{+} = w_{5} - \alpha \frac{\partial E_{total}}{\partial w_{5}}"
    code, out = run(MAZUR, "--formula", rule + r" = 0.4 - 0.5 \cdot 0.0821670 = 0.35891648")
    assert code == 0, out
    code, out = run(MAZUR, "--formula", rule + r" = 0.4 - 0.5 \cdot 0.0821670 = 0.3598")
    assert code == 1 and "do not round to" in out


def test_a_derivation_with_nothing_to_check_exits_2(tmp_path: Path) -> None:
    matrix = tmp_path / "matrix.tex"
    matrix.write_text("z^{(1)} = W^{(1)} x + b\n", encoding="utf-8")
    code, out = run(MAZUR, "--derivation", str(matrix))
    assert code == 2 and "matrix form" in out and "names no layer of the network" in out


def test_a_derivation_from_a_file_or_stdin_reports_every_step(tmp_path: Path) -> None:
    """--derivation FILE and --derivation - give the same report: every step with its line,
    text, verdict, diagnosis and counterexample, and the first wrong line (null when every
    step holds); exit 1 when a step is wrong, 0 when none is."""
    derivations = DATA / "derivations"
    w1 = (derivations / "seed-004-w1.tex").read_text(encoding="utf-8")
    from_file = CliRunner().invoke(check, [MAZUR, "--derivation",
                                           str(derivations / "seed-004-w1.tex"),
                                           "--format", "json"])
    from_stdin = CliRunner().invoke(check, [MAZUR, "--derivation", "-", "--format", "json"],
                                    input=w1)
    assert from_file.exit_code == from_stdin.exit_code == 1
    data = json.loads(from_stdin.output)
    assert data == json.loads(from_file.output)
    assert data["first_wrong_line"] == 10 and data["verdict"] == "incorrect"
    for s in data["steps"]:
        assert {"line", "text", "verdict", "diagnosis", "counterexample"} <= set(s)
    f = next(s for s in data["steps"] if s["line"] == 10)
    assert f["verdict"] == "incorrect" and f["label"] == "F"
    assert f["diagnosis"][0] == "replacing w6 by w7 makes it correct"
    assert f["counterexample"]["true_value"] != f["counterexample"]["formula_value"]
    assert next(s for s in data["steps"] if s["line"] == 11)["verdict"] == "consequence"
    assert all(s["counterexample"] is None and s["diagnosis"] == []
               for s in data["steps"] if s["verdict"] == "correct")
    bad = CliRunner().invoke(check, [MAZUR, "--derivation", "-"], input=b"\xff\xfe w5")
    assert bad.exit_code == 2 and "cannot read the derivation" in bad.output
    code, out = run(MAZUR, "--derivation", str(derivations / "seed-004-w5.tex"),
                    "--format", "json")
    assert code == 0 and json.loads(out)["first_wrong_line"] is None
    code, out = run(MAZUR, "--derivation", str(derivations / "seed-004-w5.tex"))
    assert code == 0 and "line 12: CORRECT" in out


NEARLY_CANCELLING = ("inputs: [x1]\nlayers:\n  - {size: 2, activation: linear, bias: bs}\n"
                     "loss: squared_error\nvalues:\n  inputs: {x1: 0.3}\n"
                     "  targets: {u1_1: 0.275, u1_2: 0.135000000000001}\n"
                     "  params: {w_1_1_1: 0.25, w_1_2_1: 0.45, bs: 0.1}\n")
# three sigmoid layers whose weights and values are near 1e-200: products of the chain's
# factors go far below float64's range (10^-671)
FAR_BELOW_FLOAT64 = ("inputs: [x1]\nlayers:\n  - {size: 1, activation: sigmoid}\n"
                     "  - {size: 1, activation: sigmoid}\n  - {size: 1, activation: sigmoid}\n"
                     "loss: squared_error\nvalues:\n  inputs: {x1: 3.7e-200}\n"
                     "  targets: {u3_1: 2e-200}\n  params: {w_1_1_1: 1.3e-200, "
                     "w_2_1_1: 4.1e-250, w_3_1_1: 2.9e-220, b_1_1: 1e-200, b_2_1: -1e-200, "
                     "b_3_1: 1e-200}\n")


def _derived(tmp_path: Path, spec_text: str, param: str) -> tuple[str, str]:
    from symbackprop.cli.app import main

    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    printed = CliRunner().invoke(main, ["derive", str(spec), "--format", "latex",
                                        "--form", "chain", "--param", param])
    assert printed.exit_code == 0, printed.output
    return str(spec), printed.output


def _checked(spec: str, tmp_path: Path, derivation: str) -> int:
    path = tmp_path / "derivation.tex"
    path.write_text(derivation, encoding="utf-8")
    code, out = run(spec, "--derivation", str(path))
    assert "UNREADABLE" not in out, out
    return code


def test_a_sum_that_nearly_cancels_is_printed_as_it_is_and_reads_back(tmp_path: Path) -> None:
    """−0.1 + 0.099999999999999 is −10^{-15} (float64 left 0 of it, or −1.0000000000000009e-15):
    derive prints it, with 0.099999999999999 in full where 0.1 would read as the bias's given
    value, check reads the line after it as right, and a wrong value in its place, 0 among
    them, is wrong."""
    spec, printed = _derived(tmp_path, NEARLY_CANCELLING, "bs")
    assert "&= -0.1 + 0.099999999999999 \\\\\n&= -10^{-15}\n\\end{align*}" in printed
    assert _checked(spec, tmp_path, printed) == 0
    for wrong in ["-2 \\times 10^{-15}", "0", "-1.1 \\times 10^{-15}", "10^{-15}",
                  "-10^{-16}"]:
        assert _checked(spec, tmp_path, printed.replace("&= -10^{-15}", f"&= {wrong}")) == 1


@pytest.mark.parametrize(("target", "param"), [
    ("2e-200", "w_1_1_1"), ("2e-200", "b_1_1"), ("2e-200", "w_2_1_1"), ("2e-200", "b_2_1"),
    ("0.5", "w_1_1_1"), ("0.5", "b_3_1")])  # a − y = σ(z) − 0.5, of the order of 10^{-200}
def test_products_far_below_float64_are_printed_and_read_back(tmp_path: Path, target: str,
                                                               param: str) -> None:
    """Every derivation's numbers and value are the true ones (none is float64's 0, nor 0
    where 50 digits take σ(10^{-200}) for 0.5), check reads them all as right, and a changed
    digit or exponent of the value is wrong, and so is 0 in its place."""
    spec, printed = _derived(tmp_path, FAR_BELOW_FLOAT64.replace("2e-200", target), param)
    value = printed.split("\\\\\n&= ")[-1].split("\n")[0]
    assert value != "0" and "\\times 10^{-" in value, printed
    assert _checked(spec, tmp_path, printed) == 0
    mantissa, _, exponent = value.partition(" \\times 10^{")
    digit = mantissa[-1]
    changed = f"{mantissa[:-1]}{(int(digit) + 3) % 10} \\times 10^{{{exponent}"
    assert _checked(spec, tmp_path, printed.replace(value, changed)) == 1
    shifted = f"{mantissa} \\times 10^{{{int(exponent.rstrip('}')) + 1}}}"
    assert _checked(spec, tmp_path, printed.replace(value, shifted)) == 1
    assert _checked(spec, tmp_path, printed.replace(value, "0")) == 1  # float64's value


def test_an_integer_beyond_4300_digits_is_one_answer_graded_with_the_rest(
        tmp_path: Path) -> None:
    long_id, long_formula = "9" * 5000, "7" * 4301
    path = tmp_path / "class.yaml"
    path.write_text(f"- id: {long_id}\n  param: w5\n  formula: delta_o1*out_h1\n"
                    f"- id: b\n  param: w5\n  formula: {long_formula}\n"
                    "- id: c\n  param: w5\n  formula: delta_o1*out_h1\n", encoding="utf-8")
    result = CliRunner().invoke(check, [MAZUR, "--answers", str(path), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)["answers"]}
    assert list(rows) == [long_id, "b", "c"]  # the id kept as written, digit for digit
    assert rows[long_id]["verdict"] == rows["c"]["verdict"] == "correct"
    assert rows["b"]["formula"].startswith("7" * 100)  # shown as written (shortened)
    assert rows["b"]["verdict"] in ("error", "not an answer")


@pytest.mark.parametrize(("name", "text", "says"), [
    ("class.yaml", "- id: a\n  param: w5\n  formula: delta_o1*out_h1\n  formula: 0\n",
     "class.yaml:4: [0].formula: duplicate key `formula` (give each key once; the first "
     "is on line 3)"),
    ("class.csv", "id,param,formula,Formula\na,w5,delta_o1*out_h1,0\n",
     "class.csv:1: (header): the column `formula` is given twice"),
    ("class.csv", "a,w5,delta_o1*out_h1\nb,w6,delta_o1*out_h2\n",
     "class.csv:1: (header): the first line is not a header naming the columns"),
])
def test_an_ambiguous_answers_file_is_refused_with_its_line(tmp_path: Path, name: str,
                                                            text: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(check, [MAZUR, "--answers", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {tmp_path / says}"), result.output
    assert result.output.count("\n") == 1


def test_answers_come_from_standard_input() -> None:
    text = (CHECK_DATA / "answers.yaml").read_text(encoding="utf-8")
    from_stdin = CliRunner().invoke(check, [MAZUR, "--answers", "-", "--format", "json"],
                                    input=text)
    from_file = CliRunner().invoke(check, [MAZUR, "--answers", str(CHECK_DATA / "answers.yaml"),
                                           "--format", "json"])
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.output) == json.loads(from_file.output)


def test_answers_carry_codes_and_a_class_summary(tmp_path: Path) -> None:
    """Each row's codes beside its diagnosis, and how many answers made each mistake, in
    text, JSON and the CSV of --summary."""
    answers = str(CHECK_DATA / "answers.yaml")
    code, out = run(MAZUR, "--answers", answers, "--format", "json")
    data = json.loads(out)
    rows = {r["id"]: r for r in data["answers"]}
    assert code == 0
    assert rows["eve"]["codes"] == ["SIGN"] and rows["ana"]["codes"] == []
    assert "MISSING_ACTIVATION_DERIVATIVE" in rows["fay"]["codes"]
    assert rows["ben"]["codes"][0] == "OTHER_PARAMETER"
    assert all(len(r["codes"]) == len(r["diagnosis"]) for r in rows.values()
               if r["verdict"] != "error")
    assert data["mistakes"]["SIGN"] == sum("SIGN" in r["codes"] for r in rows.values())
    assert data["mistakes"]["UNREADABLE"] == 2  # hal and ida
    _, text = run(MAZUR, "--answers", answers)
    assert "mistakes: " in text and "1 SIGN" in text
    summary = tmp_path / "mistakes.csv"
    code, csv_out = run(MAZUR, "--answers", answers, "--format", "csv", "--summary",
                        str(summary))
    assert code == 0 and csv_out.splitlines()[0].endswith(",codes")
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,answers,meaning"
    assert {line.split(",")[0]: int(line.split(",")[1]) for line in lines[1:]} == \
        data["mistakes"]
    assert run(MAZUR, "--formula", "w5", "--param", "w5", "--summary", str(summary))[0] == 2


@pytest.mark.parametrize(("option", "content", "says"), [
    ("--formula-file", None, "{file}: --formula-file: cannot read the formula: no such file "
                             "(check the path)"),
    ("--formula-file", b"x" * 1_000_001,
     "{file}:1: --formula-file: cannot read the formula: the formula file is larger than "
     "1000000 bytes (a formula file holds one answer; a class's answers go in a file for "
     "--answers)"),
    ("--derivation", b"E = 1\n\xff\n", "{file}:2: --derivation: cannot read the derivation: "
                                        "not UTF-8 text (save it as UTF-8)"),
    ("--answers", b"- id: a\n  param: w5\n  formula: \xff\n",
     "{file}:3: (file): the answers file is not UTF-8 text (save it as UTF-8)"),
])
def test_an_unreadable_file_is_named_with_its_line_field_and_a_hint(
        tmp_path: Path, option: str, content: bytes | None, says: str) -> None:
    path = tmp_path / "given.txt"
    if content is not None:
        path.write_bytes(content)
    args = [MAZUR, option, str(path)] + (["--param", "w5"] if option != "--answers" else [])
    result = CliRunner().invoke(check, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == "error: " + says.format(file=path) + "\n"


def test_a_number_unchecked_for_want_of_a_value_names_the_value(tmp_path: Path) -> None:
    text = Path(MAZUR).read_text(encoding="utf-8")
    spec = tmp_path / "no-w8.yaml"
    spec.write_text(text.replace("w8: 0.55,", ""), encoding="utf-8")
    steps = tmp_path / "w5.tex"
    steps.write_text("\\partial E_{total}/\\partial w_{5} = (out_{o1} - target_{o1}) "
                     "out_{o1}(1-out_{o1}) out_{h1}\n"
                     "\\partial E_{total}/\\partial w_{5} = 0.0821670406\n", encoding="utf-8")
    result = CliRunner().invoke(check, [str(spec), "--derivation", str(steps)])
    assert "line 2: UNCHECKED" in result.stdout, result.output
    assert ("numbers are checked at the spec's worked example, and the spec's values give "
            "no w8") in result.stdout
    result = CliRunner().invoke(check, [MAZUR, "--derivation", str(steps)])
    assert result.exit_code == 0 and "line 2: CORRECT" in result.stdout, result.output
