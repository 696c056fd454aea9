"""`symbackprop grade`: an assignment and one submission graded into the results files of
Gradescope and PrairieLearn (validated against schemas written from their published
specifications), partial credit by code, broken input, and the recipes run as the
platforms run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from paths import DATA, ROOT, SPECS

from symbackprop.check.grading.autograder import grade_submission
from symbackprop.cli.app import main

SCHEMAS = DATA / "autograder"
RECIPES = ROOT / "docs" / "autograder"
ASSIGNMENT = """\
spec: net.yaml
questions:
  - {id: q1, param: w5, points: 2, partial: {SIGN: 0.5}}
  - {id: q2, quantity: "∂E_total/∂out_h1", points: 1}
  - {id: q3, param: w1, points: 3}
  - {id: q4, derivation: true, param: w5, points: 2}
"""
ANSWERS = """\
- {id: q1, formula: "(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1"}
- {id: q2, formula: "delta_o1*w5 + delta_o2*w7"}
- {id: q3, formula: "(("}
"""


def schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def course(folder: Path, answers: str = ANSWERS, name: str = "answers.yaml") -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "seed-004-mazur-2-2-2.yaml", folder / "net.yaml")
    (folder / "assignment.yaml").write_text(ASSIGNMENT, encoding="utf-8")
    (folder / name).write_text(answers, encoding="utf-8")
    return folder / "assignment.yaml", folder / name


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["grade", *args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_each_question_is_scored_with_its_reason(tmp_path: Path) -> None:
    assignment, answers = course(tmp_path)
    graded = grade_submission(assignment, answers)
    by_id = {r.question.id: r for r in graded.results}
    assert (by_id["q1"].score, by_id["q1"].reason) == (1.0, "partial credit for SIGN")
    assert by_id["q2"].score == 1.0 and by_id["q2"].passed  # ∂E/∂out_h1 = δ_o1 w5 + δ_o2 w7
    assert by_id["q3"].score == 0.0 and by_id["q3"].row.verdict == "error"
    assert by_id["q4"].row.codes == ("MISSING_ANSWER",)
    assert (graded.score, graded.max_score) == (2.0, 8.0)
    assert graded.mistakes == {"UNREADABLE": 1, "MISSING_ANSWER": 1, "SIGN": 1}


def test_no_partial_credit_without_the_code(tmp_path: Path) -> None:
    assignment, answers = course(tmp_path, '- {id: q1, formula: "-(target_o1 - out_o1)*out_h1"}\n')
    q1 = grade_submission(assignment, answers).results[0]
    assert q1.score == 0 and "MISSING_ACTIVATION_DERIVATIVE" in q1.row.codes


@pytest.mark.parametrize("fmt", ["gradescope", "prairielearn"])
def test_the_results_validate_against_the_platforms_schema(fmt: str, tmp_path: Path) -> None:
    assignment, answers = course(tmp_path)
    out = tmp_path / "results.json"
    code, _ = run(str(assignment), str(answers), "-o", str(out), "--format", fmt)
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema(fmt))
    if fmt == "gradescope":
        assert data["score"] == 2.0 and len(data["tests"]) == 4
        first = data["tests"][0]
        assert (first["score"], first["max_score"], first["status"]) == (1.0, 2.0, "failed")
        assert first["output_format"] == "md" and first["extra_data"]["codes"] == ["SIGN"]
        assert "counterexample" in first["output"] and "**INCORRECT**" in first["output"]
        assert data["tests"][1]["status"] == "passed"
    else:
        assert data["score"] == pytest.approx(2 / 8)
        assert [t["points"] for t in data["tests"]] == [1.0, 1.0, 0.0, 0.0]
        assert data["tests"][0]["message"] == "incorrect: partial credit for SIGN"


def test_the_schemas_refuse_what_the_platforms_refuse() -> None:
    """The schemas are not vacuous: a wrong status or a score above 1 fails them."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1, "tests": [{"status": "ok"}]}, schema("gradescope"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"score": 1.5}, schema("prairielearn"))


def test_a_broken_submission_still_gives_results(tmp_path: Path) -> None:
    assignment, answers = course(tmp_path, "answers: [unclosed")
    out = tmp_path / "results.json"
    code, _ = run(str(assignment), str(answers), "-o", str(out), "--format", "gradescope")
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema("gradescope"))
    assert data["score"] == 0 and all(t["score"] == 0 for t in data["tests"])
    assert "cannot be read" in data["tests"][0]["output"]
    missing = tmp_path / "nothing.yaml"
    code, _ = run(str(assignment), str(missing), "-o", str(out), "--format", "prairielearn")
    assert code == 0 and json.loads(out.read_text(encoding="utf-8"))["score"] == 0


@pytest.mark.parametrize(("text", "words"), [
    ("spec: net.yaml\nquestions:\n  - {id: q1, param: w5, points: -1}\n",
     "assignment.yaml:3: questions.0.points"),
    ("spec: net.yaml\nquestions:\n  - {id: q1, param: w5}\n  - {id: q1, param: w6}\n",
     "assignment.yaml:4: questions.1.id"),
    ("spec: net.yaml\nquestions:\n  - {id: q1, param: w5, partial: {SIGNS: 1}}\n",
     "questions.0.partial.SIGNS"),
    ("spec: net.yaml\nquestions: [unclosed\n", "assignment.yaml"),
    ("spec: missing.yaml\nquestions:\n  - {id: q1, param: w5}\n", "missing.yaml"),
])
def test_a_broken_assignment_exits_2_with_the_file_and_line(text: str, words: str,
                                                              tmp_path: Path) -> None:
    assignment, answers = course(tmp_path)
    assignment.write_text(text, encoding="utf-8")
    out = tmp_path / "results.json"
    result = CliRunner().invoke(main, ["grade", str(assignment), str(answers), "-o", str(out)])
    assert result.exit_code == 2 and words in result.output.replace(str(tmp_path) + "/", "")
    assert not out.exists()


@pytest.mark.parametrize(("name", "text"), [
    ("answers.tex", "% question: q4\n\\frac{\\partial E_{total}}{\\partial w_5} = "
                    "\\delta_{o1} out_{h1}\n% question: q1\n"
                    "-(target_{o1} - out_{o1}) out_{o1}(1-out_{o1}) out_{h1}\n"),
    ("answers.md", "Intro.\n<!-- question: q4 -->\n\\frac{\\partial E_{total}}{\\partial w_5}"
                   " = \\delta_{o1} out_{h1}\n\n<!-- question: q1 -->\n"
                   "-(target_{o1} - out_{o1}) out_{o1}(1-out_{o1}) out_{h1}\n"),
])
def test_a_derivation_file_has_one_section_per_question(name: str, text: str,
                                                        tmp_path: Path) -> None:
    assignment, answers = course(tmp_path, text, name)
    by_id = {r.question.id: r for r in grade_submission(assignment, answers).results}
    assert by_id["q4"].passed and by_id["q1"].passed
    assert by_id["q2"].row.codes == ("MISSING_ANSWER",)


def test_help_has_examples() -> None:
    code, out = run("--help")
    assert code == 0 and "--format gradescope" in out and "Exit status" in out


# -- the recipes, run as the platforms run them ----------------------------------------
def fake_path(tmp_path: Path) -> dict[str, str]:
    """PATH with `symbackprop` running this worktree's package, and `pip3`/`apt-get` that
    only log their arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "symbackprop").write_text(
        f'#!/usr/bin/env bash\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m symbackprop "$@"\n',
        encoding="utf-8")
    for tool in ("pip3", "apt-get"):
        (bin_dir / tool).write_text(f'#!/usr/bin/env bash\necho "{tool} $*" >> '
                                    f'"{tmp_path}/installed.log"\n', encoding="utf-8")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_the_gradescope_recipe_runs(tmp_path: Path) -> None:
    env = fake_path(tmp_path)
    root = tmp_path / "autograder"
    course(root / "source", "")
    (root / "source" / "answers.yaml").unlink()
    (root / "submission").mkdir()
    (root / "submission" / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
    setup = subprocess.run(["bash", str(RECIPES / "gradescope" / "setup.sh")], env=env,
                           capture_output=True, text=True, check=False)
    assert setup.returncode == 0, setup.stderr
    assert "pip3 install symbackprop" in (tmp_path / "installed.log").read_text(encoding="utf-8")
    done = subprocess.run(["bash", str(RECIPES / "gradescope" / "run_autograder")],
                          env={**env, "AUTOGRADER_ROOT": str(root)}, cwd=root,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema("gradescope"))
    assert data["score"] == 2.0


def test_the_prairielearn_recipe_runs(tmp_path: Path) -> None:
    env = fake_path(tmp_path)
    root = tmp_path / "grade"
    course(root / "tests", "")
    (root / "tests" / "answers.yaml").unlink()
    (root / "student").mkdir()
    (root / "student" / "answers.tex").write_text(
        "% question: q1\n-(target_{o1} - out_{o1}) out_{o1}(1-out_{o1}) out_{h1}\n",
        encoding="utf-8")
    done = subprocess.run(["bash", str(RECIPES / "prairielearn" / "run.sh")],
                          env={**env, "GRADE_ROOT": str(root)}, capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema("prairielearn"))
    assert data["score"] == pytest.approx(2 / 8) and data["tests"][0]["points"] == 2.0
