"""Limits per answer: an answer over its CPU time or memory is an error row, the rest graded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from paths import DATA, ROOT

from symbackprop.check.grading import answers as answers_module
from symbackprop.check.grading.grading import grade_answers
from symbackprop.check.grading.limits import AnswerLimits, enforceable, run_limited
from symbackprop.cli.check import check
from symbackprop.errors import FormulaError

MAZUR = str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")
pytestmark = pytest.mark.skipif(not enforceable(), reason="no fork or resource limits here")

# Three nested ∂/∂w5 over twenty distinct σ factors: about three minutes of CPU to check
# without a limit.
HOSTILE = (r"\frac{\partial}{\partial w_5}" * 3 + r"\left(" +
           "".join(rf"\sigma(w_5 i_1 + {k} w_1)" for k in range(1, 21)) + r"\right)")


def class_with(extra: dict[str, str], tmp_path: Path) -> tuple[Path, Path]:
    """The class of tests/data/check/answers.yaml, without and with ``extra`` among them."""
    rows = yaml.safe_load((DATA / "check" / "answers.yaml").read_text(encoding="utf-8"))
    rows = rows["answers"] if isinstance(rows, dict) else rows
    plain, mixed = tmp_path / "plain.yaml", tmp_path / "mixed.yaml"
    plain.write_text(yaml.safe_dump(rows, width=10_000), encoding="utf-8")
    mixed.write_text(yaml.safe_dump([*rows[:3], extra, *rows[3:]], width=10_000),
                     encoding="utf-8")
    return plain, mixed


def graded(*args: str) -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(check, [MAZUR, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.output)["answers"]}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_answer_over_its_cpu_time_is_an_error_and_the_others_are_graded(
        tmp_path: Path, jobs: str) -> None:
    plain, mixed = class_with({"id": "hostile", "param": "w5", "formula": HOSTILE}, tmp_path)
    before = graded("--answers", str(plain), "--answer-cpu", "0", "--answer-memory", "0")
    after = graded("--answers", str(mixed), "--answer-cpu", "1", "--jobs", jobs)
    hostile = after.pop("hostile")
    assert hostile["verdict"] == "error"
    assert hostile["error"] == "too long to check (over 1 s of CPU)"
    assert after == before
    assert {k: r["verdict"] for k, r in before.items()} == EXPECTED


EXPECTED = {row["id"]: row.get("expect", "error") for row in yaml.safe_load(
    (DATA / "check" / "answers.yaml").read_text(encoding="utf-8"))["answers"]}


def test_one_formula_over_its_cpu_time_is_refused_with_exit_2() -> None:
    result = CliRunner().invoke(check, [MAZUR, "--param", "w5", "--formula", HOSTILE,
                                        "--answer-cpu", "1"])
    assert result.exit_code == 2
    assert "too long to check (over 1 s of CPU)" in result.output
    assert "Traceback" not in result.output


def test_a_derivation_is_checked_under_the_limits(tmp_path: Path) -> None:
    steps = tmp_path / "steps.tex"
    steps.write_text(r"\partial E_{total}/\partial w_{5} = " + HOSTILE + "\n", encoding="utf-8")
    result = CliRunner().invoke(check, [MAZUR, "--derivation", str(steps),
                                        "--answer-cpu", "1"])
    assert result.exit_code == 2 and "too long to check" in result.output


def _hungry(size: int) -> bytes:
    return bytes(size)


def test_a_memory_hungry_call_is_refused() -> None:
    with pytest.raises(FormulaError, match=r"too large to check \(over 600 MB\)"):
        run_limited(lambda: _hungry(2_000_000_000), AnswerLimits(0, 600))
    assert run_limited(lambda: len(_hungry(1000)), AnswerLimits(0, 600)) == 1000


def test_what_the_checker_already_holds_is_not_charged_to_the_answer(
        tmp_path: Path) -> None:
    """A checker holding 2 GB of address space (many threads' stacks, large libraries, a
    long-lived grading process) still checks an answer under a 300 MB allowance, and both
    one answer and a class grade as without limits."""
    import mmap

    held = mmap.mmap(-1, 2_000_000_000)
    try:
        assert run_limited(lambda: len(_hungry(100_000_000)), AnswerLimits(0, 300)) \
            == 100_000_000
        result = CliRunner().invoke(check, [MAZUR, "--param", "w5", "--formula", "w5",
                                            "--answer-memory", "300"])
        assert result.exit_code == 1 and "INCORRECT" in result.output, result.output
        plain, _ = class_with({}, tmp_path)
        assert grade_answers(MAZUR, plain, limits=AnswerLimits(10, 300)) \
            == grade_answers(MAZUR, plain, limits=AnswerLimits(0, 0))
    finally:
        held.close()


def test_a_memory_hungry_answer_is_an_error_and_the_others_are_graded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker grading an answer that asks for 2 GB is refused the memory; that answer
    is an error row, and a fresh worker grades the ones after it."""
    plain, mixed = class_with({"id": "hungry", "param": "w5", "formula": "w5 + 12345"},
                              tmp_path)
    before = {r.id: r for r in grade_answers(MAZUR, plain, limits=AnswerLimits(0, 0))}
    grade = answers_module.grade

    def hungry_grade(checker, key):  # type: ignore[no-untyped-def]
        if key[2] == "w5 + 12345":
            _hungry(2_000_000_000)
        return grade(checker, key)

    monkeypatch.setattr(answers_module, "grade", hungry_grade)
    for jobs in (1, 2):
        after = {r.id: r for r in grade_answers(MAZUR, mixed, jobs=jobs,
                                                limits=AnswerLimits(10, 600))}
        hungry = after.pop("hungry")
        assert (hungry.verdict, hungry.error) == ("error", "too large to check (over 600 MB)")
        assert after == before


def test_a_worker_ended_by_a_signal_costs_only_its_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    plain, mixed = class_with({"id": "killed", "param": "w5", "formula": "w5 + 54321"},
                              tmp_path)
    before = {r.id: r for r in grade_answers(MAZUR, plain, limits=AnswerLimits(0, 0))}
    grade = answers_module.grade

    def killed_grade(checker, key):  # type: ignore[no-untyped-def]
        if key[2] == "w5 + 54321":
            os.kill(os.getpid(), signal.SIGTERM)
        return grade(checker, key)

    monkeypatch.setattr(answers_module, "grade", killed_grade)
    after = {r.id: r for r in grade_answers(MAZUR, mixed, limits=AnswerLimits())}
    killed = after.pop("killed")
    assert killed.verdict == "error" and "could not be checked" in (killed.error or "")
    assert after == before
