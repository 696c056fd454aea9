"""Derivations checked step by step: every derivation of the seeds, as written, and mutations.

The files in tests/data/derivations/ are copied line for line from the seed tutorials; the
verdict each step must get is in expected.yaml beside them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from paths import DATA, SPECS

from symbackprop.check import Checker, CheckResult
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

DERIVATIONS = DATA / "derivations"
EXPECTED = yaml.safe_load((DERIVATIONS / "expected.yaml").read_text(encoding="utf-8"))
_checkers: dict[str, Checker] = {}


def checker(spec: str) -> Checker:
    if spec not in _checkers:
        path = SPECS / spec if (SPECS / spec).exists() else DERIVATIONS / spec
        _checkers[spec] = Checker(build_network(load_spec(path)))
    return _checkers[spec]


def derivation(name: str, param: str | None = None) -> CheckResult:
    entry = EXPECTED[name]
    text = (DERIVATIONS / name).read_text(encoding="utf-8")
    return checker(entry["spec"]).check_derivation(text, param=param or entry.get("param"))


def verdicts(result: CheckResult) -> dict[int, str | list[str]]:
    found: dict[int, list[str]] = {}
    for step in result.steps:
        found.setdefault(step.line, []).append(step.verdict)
    return {k: v[0] if len(v) == 1 else v for k, v in found.items()}


def step(result: CheckResult, line: int) -> object:
    return next(s for s in result.steps if s.line == line)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n.removesuffix(".tex"))
def test_every_seed_step_gets_its_verdict(name: str) -> None:
    result = derivation(name)
    expected = EXPECTED[name]
    assert verdicts(result) == {int(k): v for k, v in expected["steps"].items()}
    assert result.first_wrong_line == expected["first_wrong_line"]
    assert result.verdict == ("correct" if expected["first_wrong_line"] is None
                              else "incorrect")


def test_every_seed_derivation_file_is_checked() -> None:
    assert {p.name for p in DERIVATIONS.glob("seed-*.tex")} == set(EXPECTED)


def test_the_seed_lines_are_copied_as_written() -> None:
    seeds = Path("/work/shared/seeds")
    if not seeds.exists():  # pragma: no cover - the seeds are not shipped with the package
        pytest.skip("the seed tutorials are not on this machine")
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in seeds.glob("*.txt")}
    for path in DERIVATIONS.glob("seed-*.tex"):
        seed = texts[path.name[5:8]]
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("%"):
                assert line in seed, (path.name, line)


def test_seed_004_w1_stops_at_f_with_the_fix_w6_to_w7() -> None:
    result = derivation("seed-004-w1.tex")
    f = step(result, 10)
    assert f.label == "F"
    assert f.diagnosis[0] == "replacing w6 by w7 makes it correct"
    combined = step(result, 11)
    assert combined.verdict == "consequence" and combined.consequence_of == 10
    sigma = step(result, 12)
    assert sigma.instances == "0 of 8 instances hold"
    assert any("sum over i use j" in d for d in sigma.diagnosis)
    assert step(result, 13).claim == "gradient descent"


def test_seed_004_bracket_and_missing_bias_are_remarked() -> None:
    result = derivation("seed-004-w5.tex")
    assert any("not E_total" in n for n in step(result, 6).notes)
    assert any("not in_o1" in n for n in step(result, 10).notes)  # b2 is left out


def test_seed_004_sigmoid_needs_brackets() -> None:
    result = derivation("seed-004-forward.tex")
    assert "binds tighter" in step(result, 4).diagnosis[0]


def test_seed_004_general_result_a_fails() -> None:
    result = derivation("seed-004-general.tex")
    a = step(result, 2)
    assert (a.label, a.verdict, a.instances) == ("a", "incorrect", "2 of 16 instances hold")
    assert a.diagnosis[0].startswith("fails for j = 1, i = 1")


def test_seed_000_update_climbs_the_loss() -> None:
    result = derivation("seed-000-update.tex")
    (update,) = result.steps
    assert update.instances == "0 of 4 instances hold"
    assert any("gradient ascent" in d for d in update.diagnosis)
    fixed = checker("seed-000-renom-1-2-1.yaml").check(
        None, r"w_{t+1} \leftarrow w_t - \gamma \frac{\partial E}{\partial w}")
    assert fixed.verdict == "correct"


def test_seed_000_generic_w_means_the_parameter_given() -> None:
    assert derivation("seed-000-w1.tex").verdict == "correct"  # with --param w_1
    alone = checker("seed-000-renom-1-2-1.yaml").check_derivation(
        (DERIVATIONS / "seed-000-w1.tex").read_text(encoding="utf-8"))
    assert alone.first_wrong_line == 3  # ∂z/∂w = x_1 holds for w_1 only
    assert step(alone, 3).instances == "1 of 4 instances hold"


# --------------------------------------------------------------------------- mutations


def _mutations(text: str) -> list[tuple[int, str]]:
    """(line, text) with one step's right side doubled, for every line that has one."""
    lines = text.splitlines()
    out = []
    for k, line in enumerate(lines):
        m = re.search(r"(&\s*=|(?<![<>!\\])=)", line)
        if m is None or line.lstrip().startswith("%"):
            continue
        mutated = line[:m.end()] + " 2 \\cdot " + line[m.end():]
        out.append((k + 1, "\n".join([*lines[:k], mutated, *lines[k + 1:]])))
    return out


FIXED_W1 = (DERIVATIONS / "seed-004-w1.tex").read_text(encoding="utf-8").replace(
    "*w_{6} – (F)", "*w_{7} – (F)").replace("*w_{6}]*out_{h1}", "*w_{7}]*out_{h1}")


def test_the_corrected_w1_derivation_holds_until_the_sum() -> None:
    result = checker("seed-004-mazur-2-2-2.yaml").check_derivation(FIXED_W1)
    assert result.first_wrong_line == 12  # Σ_i … w_j still cannot pick w5 and w7


@pytest.mark.parametrize("name", ["seed-004-w5.tex", "seed-004-result-A.tex",
                                  "seed-000-wa.tex"])
def test_a_wrong_step_is_the_first_wrong_line(name: str) -> None:
    entry = EXPECTED[name]
    text = (DERIVATIONS / name).read_text(encoding="utf-8")
    check = checker(entry["spec"])
    for line, mutated in _mutations(text):
        result = check.check_derivation(mutated, param=entry.get("param"))
        if verdicts(result).get(line) == "definition":
            continue
        assert result.first_wrong_line == line, (name, line, verdicts(result))
        later = [s for s in result.steps if s.line > line]
        assert all(not s.wrong or s.verdict == "consequence" for s in later), \
            (name, line, verdicts(result))
