"""Derivations checked step by step: every derivation of the seeds, as written, and mutations.

The files in tests/data/derivations/ are copied line for line from the seed tutorials; the
verdict each step must get is in expected.yaml beside them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from checkers import checker
from paths import DATA, SPECS

from symbackprop.check import Checker, CheckResult
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

DERIVATIONS = DATA / "derivations"
EXPECTED = yaml.safe_load((DERIVATIONS / "expected.yaml").read_text(encoding="utf-8"))

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
    assert {name[5:8] for name in EXPECTED} == {"000", "001", "003", "004"}


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


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n.removesuffix(".tex"))
def test_a_wrong_step_is_the_first_wrong_line(name: str) -> None:
    """Every step of every seed derivation before its first wrong line, made wrong (its
    right side doubled), becomes the first wrong line; later steps are at most
    consequences of it."""
    entry = EXPECTED[name]
    text = (DERIVATIONS / name).read_text(encoding="utf-8")
    check = checker(entry["spec"])
    original = verdicts(check.check_derivation(text, param=entry.get("param")))
    before = entry["first_wrong_line"] or len(text.splitlines()) + 1
    mutated_lines = 0
    for line, mutated in _mutations(text):
        if line >= before or original.get(line) in ("definition", "unread", None):
            continue
        mutated_lines += 1
        result = check.check_derivation(mutated, param=entry.get("param"))
        assert result.first_wrong_line == line, (name, line, verdicts(result))
        later = [s for s in result.steps if s.line > line]
        assert all(not s.wrong or s.verdict == "consequence" or s.line >= before
                   for s in later), (name, line, verdicts(result))
    assert mutated_lines or before <= 2, name


# --------------------------------------------------------------------------- Nielsen


def test_nielsen_bp1_to_bp4_hold_in_index_form() -> None:
    spec = "nielsen-2-3-3-2.yaml"
    result = checker(spec).check_derivation(
        (DERIVATIONS / "nielsen-bp.tex").read_text(encoding="utf-8"))
    assert [(s.label, s.verdict, s.instances) for s in result.steps] == [
        ("BP1", "correct", "2 of 2 instances hold"),
        ("BP2", "correct", "6 of 6 instances hold"),
        ("BP3", "correct", "8 of 8 instances hold"),
        ("BP4", "correct", "21 of 21 instances hold")]
    assert result.verdict == "correct"


def test_nielsen_bp2_transposed_fails_with_an_instance_and_its_fix() -> None:
    result = checker("nielsen-2-3-3-2.yaml").check_derivation(
        (DERIVATIONS / "nielsen-bp2-transposed.tex").read_text(encoding="utf-8"))
    (bp2,) = result.steps
    assert (bp2.verdict, bp2.instances) == ("incorrect", "0 of 5 instances hold")
    assert bp2.diagnosis[0] == (r"fails for l = 2, j = 1: \delta^{2}_{1} = \sum_{k} w^{3}_{1k} "
                                r"\delta^{3}_{k} \sigma'(z^{2}_{1})")
    assert bp2.diagnosis[1] == ("the indices of w^{l+1}_{jk} are transposed: with "
                                "w^{l+1}_{kj} it holds for every instance "
                                "(here w^{3}_{1k} → w^{3}_{k1})")
    assert bp2.counterexample is not None
    assert result.first_wrong_line == 2


def test_index_values_the_right_side_leaves_out_are_named() -> None:
    """A formula whose right side does not exist for some instances of its left side within
    a layer is checked only where it exists, and the report says what was left out; a layer
    left out whole is the formula's boundary (BP2 has no l = L), not remarked."""
    bp = checker("nielsen-2-3-3-2.yaml").check_derivation(
        (DERIVATIONS / "nielsen-bp.tex").read_text(encoding="utf-8"))
    assert not any("not checked" in n for s in bp.steps for n in s.notes)
    transposed = checker("nielsen-2-3-3-2.yaml").check_derivation(
        (DERIVATIONS / "nielsen-bp2-transposed.tex").read_text(encoding="utf-8"))
    assert transposed.steps[0].notes[-1] == (
        "3 of the 8 instances of the left side are not checked (j = 3, l = 3, …): the right "
        "side names quantities the network does not have there")
    seed_001 = checker("seed-001-linear-1-1-2-1.yaml")
    right = seed_001.check(None, r"\frac{\partial L}{\partial w^{[l]}_{j,k}} = "
                                 r"\delta^{[l]}_{j} a^{[l-1]}_{k}")
    assert right.steps[0].notes == ()
    swapped = seed_001.check(None, r"\frac{\partial L}{\partial w^{[l]}_{j,k}} = "
                                   r"\delta^{[l]}_{k} a^{[l-1]}_{j}")
    # it holds where j and k can be swapped (2 instances), and says so of the rest
    assert swapped.steps[0].instances == "2 of 2 instances hold"
    assert swapped.steps[0].notes[-1].startswith("3 of the 5 instances of the left side are "
                                                 "not checked (j = 2, k = 1, l = 2, …)")


@pytest.mark.parametrize(("right", "words"), [
    (r"\frac{1}{m}\sum_{i=1}^{m} \frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}", None),
    (r"\frac{1}{3}\sum_{i=1}^{m} \frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}",
     "it divides by 3 where the cost divides by the number of examples m"),
    (r"\sum_{i=1}^{m} \frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}",
     "it sums ∂L^(i)/∂w^{[1]}_{1,1} over the m examples without dividing by m"),
    (r"\frac{\partial L}{\partial w^{[1]}_{1,1}}",
     "it is ∂L/∂w^{[1]}_{1,1} of one example; ∂J/∂w^{[1]}_{1,1} is the mean of "
     "∂L^(i)/∂w^{[1]}_{1,1} over the m examples"),
])
def test_the_cost_is_the_mean_over_the_examples(right: str, words: str | None) -> None:
    result = checker("seed-001-linear-1-1-2-1.yaml").check(
        None, r"\frac{\partial J}{\partial w^{[1]}_{1,1}} = " + right)
    assert result.verdict == ("correct" if words is None else "incorrect")
    assert words is None or words in result.diagnosis, result.diagnosis


def test_a_sum_over_examples_whose_terms_do_not_use_its_index() -> None:
    result = derivation("seed-001-updates.tex")
    step_3 = step(result, 3)
    assert step_3.instances == "0 of 9 instances hold"
    assert any("the terms of the sum over k do not use k" in d and "L^{(k)}" in d
               for d in step_3.diagnosis)
    fixed = checker("seed-001-linear-1-1-2-1.yaml").check_derivation(
        r"\frac{\partial J}{\partial i} = \frac{1}{m} \sum_{k=1}^{m} "
        r"\frac{\partial L^{(k)}}{\partial i}")
    assert fixed.verdict == "correct" and fixed.steps[0].instances == "9 of 9 instances hold"


SEED_001_FUNCTION = (DERIVATIONS / "seed-001-function.tex").read_text(encoding="utf-8")


@pytest.mark.parametrize(("line", "written", "mutated", "words"), [
    (2, r"w^{[2]}_{2, 1}", r"w^{[2]}_{1, 1}",  # one of two w^{[2]}_{1,1} is wrong
     "replacing w^{[2]}_{1,1} by w^{[2]}_{2,1} in b^{[2]}_2 + "
     "w^{[2]}_{1,1}·(b^{[1]}_1 + w^{[1]}_{1,1}·x) makes it correct"),
    (2, r"w^{[3]}_{1,1} \left( w^{[2]}_{1, 1}", r"w^{[3]}_{1,2} \left( w^{[2]}_{1, 1}",
     "replacing w^{[3]}_{1,2} by w^{[3]}_{1,1} in w^{[3]}_{1,2}·(b^{[2]}_1"),
    (2, r"+\\ & b^{[3]}_1", "",  # the output's bias left out
     "adding b^{[3]}_1 makes it correct: a term is missing"),
    (2, r"\right) + b^{[2]}_1 \right)", r"\right) \right)",
     "adding b^{[2]}_1 to w^{[2]}_{1,1}·(b^{[1]}_1 + w^{[1]}_{1,1}·x) makes it correct"),
    (3, r"(y - f_{\textbf{W}, \textbf{B}}(x))^2", r"(y + f_{\textbf{W}, \textbf{B}}(x))^2",
     "with −a^{[3]}_1 for a^{[3]}_1 in a^{[3]}_1 + y it holds"),
    (4, r"\frac{1}{m} \sum", r"\frac{1}{m-1} \sum",
     "it divides by m − 1 where the cost divides by the number of examples m"),
    (4, r"\frac{1}{m} \sum", r"\frac{1}{2} \sum",
     "it divides by 2 where the cost divides by the number of examples m"),
    (4, r"\frac{1}{m} \sum", r"\sum",
     "it sums L^(i) over the m examples without dividing by m"),
    (4, r"\frac{1}{m} \sum_{i=1}^m L(f_{\textbf{W}, \textbf{B}}(x^i), y^i)",
     r"L(f_{\textbf{W}, \textbf{B}}(x), y)",
     "it is the loss L of one example; the cost is the mean of L^(i) over the m examples"),
])
def test_seed_001_function_lines_made_wrong_are_named(line: int, written: str, mutated: str,
                                                      words: str) -> None:
    """Each line of seed 001's network function, loss and cost with one slip: the line is
    the first wrong one, and the diagnosis names the slip."""
    assert SEED_001_FUNCTION.count(written) == 1
    result = checker("seed-001-linear-1-1-2-1.yaml").check_derivation(
        SEED_001_FUNCTION.replace(written, mutated))
    assert result.first_wrong_line == line, verdicts(result)
    assert any(d.startswith(words) for d in step(result, line).diagnosis), \
        step(result, line).diagnosis
    assert all(s.verdict == "correct" for s in result.steps if s.line != line)


def test_seed_001_function_lines_say_how_they_are_read() -> None:
    result = derivation("seed-001-function.tex")
    assert step(result, 2).notes == ("read `f_{\\textbf{W},\\textbf{B}}(…)` as the network's "
                                     "output a^{[3]}_1 (W: the 5 weights, B: the 4 biases)",)
    assert "read `L(…, …)` as the loss L of the output a^{[3]}_1 and the target y" in \
        step(result, 3).notes
    assert step(result, 4).notes[0] == ("read `J(W, B)` as the cost J (W: the 5 weights, B: "
                                        "the 4 biases)")


def test_seed_003_question_names_the_meaningless_factors_and_the_corrected_chain() -> None:
    question = step(derivation("seed-003-w1.tex"), 2)
    assert sum("is meaningless" in d for d in question.diagnosis) == 2
    assert "without the meaningless factors the chain reads ∂L/∂o_1 · ∂o_1/∂h_1 · ∂h_1/∂w1 " \
           "+ ∂L/∂o_2 · ∂o_2/∂h_1 · ∂h_1/∂w1" in question.diagnosis
    assert len(question.diagnosis) == len(set(question.diagnosis))


# --------------------------------------------------------------------------- any ∂A/∂B


MAZUR = "seed-004-mazur-2-2-2.yaml"


@pytest.mark.parametrize(("formula", "verdict", "words"), [
    (r"\partial E_{o1}/\partial out_{h1} = -(target_{o1}-out_{o1}) *out_{o1}(1-out_{o1})*w_{5}",
     "correct", ""),
    (r"\partial out_{o1}/\partial w_{1} = out_{o1}(1-out_{o1})*w_{5}*out_{h1}(1-out_{h1})*i_1",
     "correct", ""),
    (r"\partial E_{total}/\partial in_{o1} = \delta_{o1}", "correct", ""),
    (r"\partial E_{total}/\partial i_{1} = \delta_{h1} w_1 + \delta_{h2} w_3", "correct", ""),
    (r"\partial E_{o1}/\partial w_{7} = 0", "correct",
     "∂E_o1/∂w7 is 0: E_o1 does not depend on w7"),
    (r"\partial L/\partial w_{7} = \delta_{o2} out_{h1}", "correct",
     "read `L` as the loss E_total"),
    (r"\partial E/\partial w_5 = \delta_{o1} out_{h1}", "correct",
     "read `E` as the loss E_total"),
    (r"\partial C/\partial w_5 = \delta_{o1} out_{h2}", "incorrect",
     "replacing out_h2 by out_h1 makes it correct"),
    (r"\partial w_5/\partial out_{h1} = 0", "incorrect", "∂w5/∂out_h1 is meaningless"),
    (r"\partial out_{h1}/\partial out_{o1} = 0", "incorrect", "is upside down"),
    (r"\partial E_{o1}/\partial E_{total} = 1", "incorrect",
     "E_o1 does not depend on E_total"),
])
def test_any_derivative_of_network_quantities(formula: str, verdict: str, words: str) -> None:
    result = checker(MAZUR).check(None, formula)
    (only,) = result.steps
    assert only.verdict == verdict, only
    assert words in " ".join((*only.diagnosis, *only.notes)), only


def test_each_outputs_loss_term_in_the_specs_notation(tmp_path: Path) -> None:
    """E_{o1} by default; the notation block may name the terms otherwise (e_{o1})."""
    spec = tmp_path / "terms.yaml"
    text = (SPECS / MAZUR).read_text(encoding="utf-8")
    spec.write_text(text.replace('  loss: "E_{total}"\n',
                                 '  loss: "E_{total}"\n  loss_term: "e_{{unit}}"\n'),
                    encoding="utf-8")
    c = Checker(build_network(load_spec(spec)))
    for formula in (r"E_{total} = e_{o1} + e_{o2}",
                    r"\partial e_{o1}/\partial out_{o1} = out_{o1} - target_{o1}",
                    r"\partial E_{total}/\partial out_{h1} = \partial e_{o1}/\partial out_{h1}"
                    r" + \partial e_{o2}/\partial out_{h1}"):
        assert c.check(None, formula).verdict == "correct", formula
    wrong = c.check(None, r"\partial e_{o2}/\partial out_{o1} = out_{o1} - target_{o1}")
    assert wrong.verdict == "incorrect"
    assert checker(MAZUR).check(None, r"E_{total} = E_{o1} + E_{o2}").verdict == "correct"


def test_aligned_latex_with_labels_and_an_unread_continuation() -> None:
    text = "\n".join([
        r"\begin{align}",
        r"\frac{\partial E_{total}}{\partial w_5} &= \frac{\partial E_{total}}{\partial "
        r"out_{o1}} \frac{\partial out_{o1}}{\partial in_{o1}} \frac{\partial in_{o1}}"
        r"{\partial w_5} \\",
        r"&= (out_{o1} - target_{o1}) \cdot out_{o1}(1 - out_{o1}) \cdot out_{h1} "
        r"\label{eq:w5} \nonumber \\",
        r"&= \delta_{o1} +* out_{h1} \\",
        r"&= 2 \delta_{o1} out_{h1}",
        r"\end{align}"])
    result = checker(MAZUR).check_derivation(text)
    assert verdicts(result) == {2: "correct", 3: "correct", 4: "unread", 5: "incorrect"}
    assert any("constant factor" in d or "factor 2" in d for d in step(result, 5).diagnosis)


def test_softmax_cross_entropy_targets_sum_to_one_exactly() -> None:
    import mpmath

    c = checker("softmax-cross-entropy.yaml")
    points = c.ctx.points
    targets = c.net.targets
    for k in range(points.count):
        assert mpmath.fsum(points.value_of(t, k) for t in targets) == 1
    for rows in points.batches():
        for row in rows:
            assert mpmath.fsum(row[points.index[t]] for t in targets) == 1
    # δ = a − y holds only because Σ y = 1; ∂L/∂z through the softmax of every unit
    result = c.check_derivation(r"\frac{\partial L}{\partial z^{[2]}_{j}} = a^{[2]}_{j} - y_{j}")
    assert (result.verdict, result.steps[0].instances) == ("correct", "3 of 3 instances hold")
