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
