"""A verdict is a promise: wrong worked numbers and bare restatements are never correct, and
correct worked values are never incorrect, in ``--formula``, ``--derivation`` and
``--answers`` alike.

The numbers are Mazur's (seed 004: "A Step by Step Backpropagation Example", 2015): w5 = 0.4,
w7 = 0.5, w8 = 0.55, b2 = 0.6, α = 0.5, i1 = 0.05, i2 = 0.1, out_h1 = 0.593269992,
out_h2 = 0.596884378, ∂E/∂w5 = 0.082167041, ∂E/∂w6 = 0.082667628, w5⁺ = 0.35891648.
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
import sympy as sp
import yaml
from checkers import checker
from click.testing import CliRunner
from paths import DATA, SPECS

from symbackprop.check import grade_answers
from symbackprop.cli.app import main

MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"
TANH = SPECS / "tanh-softmax-3-4-3.yaml"
RELU = DATA / "specs" / "relu-blocked.yaml"
UPDATE = r"w_5^{+} = w_5 - \alpha \frac{\partial E_{total}}{\partial w_5} = "
W1 = r"\frac{\partial E_{total}}{\partial w_1} = "
W5 = r"\frac{\partial E_{total}}{\partial w_5} = "

# (param, formula, verdict, words the diagnosis must hold)
CASES = [
    # a given value is exactly itself: 0.4 is w5, not 0.35 to 0.45
    ("w5", UPDATE + r"0.4 - 0.5 \cdot 0.0826676", "incorrect",
     "0.0826676 is ∂E_total/∂w6's value rounded; with ∂E_total/∂w5 = 0.08216704056"),
    ("w5", UPDATE + r"0.4 - 0.6 \cdot 0.0821670", "incorrect", "0.6 is b2's value"),
    ("w5", UPDATE + r"0.4 - 0.5 \cdot 0.0821670", "correct", None),
    ("w1", W1 + r"(0.138498562 \cdot 0.4 - 0.0380982365 \cdot 0.55) \cdot 0.241300709 "
     r"\cdot 0.05", "incorrect", "0.55 is w8's value; with w7 = 0.5"),
    ("w1", W1 + r"(0.138498562 \cdot 0.4 - 0.0380982365 \cdot 0.5) \cdot 0.241300709 "
     r"\cdot 0.1", "incorrect", "0.1 is i2's value; with i1 = 0.05 in its place"),
    ("w1", W1 + r"(0.138498562 \cdot 0.4 - 0.0380982365 \cdot 0.5) \cdot 0.241300709 "
     r"\cdot 0.05", "correct", None),
    ("w5", W5 + r"(0.751365 - 0.01) \cdot 0.751365 \cdot (1 - 0.751365) \cdot 0.596884",
     "incorrect", "0.596884 is out_h2's value rounded; with out_h1 = 0.5932699921"),
    ("w5", W5 + r"0.741365 \cdot 0.186816 \cdot 0.6", "incorrect",
     "0.6 is b2's value; with out_h1 = 0.5932699921"),
    # sensible rounding stays correct; too few digits to tell ∂E/∂w5 from ∂E/∂w6 is not
    ("w5", W5 + r"0.741 \cdot 0.187 \cdot 0.593 = 0.0822", "correct", None),
    ("w5", UPDATE + r"0.4 - 0.5 \cdot 0.08", "undecided",
     "too few digits to judge: 0.08 is also ∂E_total/∂w6 = 0.08266762785 rounded"),
    # a worked value on the right of an update is a claim at the example (Mazur's own)
    ("w5", r"w_5^{+} = 0.35891648", "correct", None),
    ("w5", r"w_5^{+} = 0.35891", "incorrect", "which the written numbers do not round to"),
    # an answer must answer
    ("w5", "1 = 1", "not an answer", "not an answer"),
    ("w5", "w5 = w5", "not an answer", "not an answer"),
    ("w5", "0 = 0", "not an answer", "not an answer"),
    ("w5", "E_{total} = E_{total}", "not an answer", "not an answer"),
    ("w5", r"\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial w_5}",
     "not an answer", "not an answer"),
    ("w5", "out_h1 = out_h1 = out_h1", "not an answer", "not an answer"),
    ("w5", "2 = 3", "incorrect", "the two sides are different numbers"),
]


@pytest.mark.parametrize(("param", "formula", "verdict", "words"), CASES)
def test_each_case_gets_its_verdict_as_a_formula(param: str, formula: str, verdict: str,
                                                 words: str | None) -> None:
    result = checker(MAZUR).check(param, formula)
    assert result.verdict == verdict, (result.verdict, result.diagnosis,
                                       [(s.verdict, s.diagnosis) for s in result.steps])
    shown = [*result.diagnosis, *(d for s in result.steps for d in s.diagnosis)]
    if words is not None:
        assert any(words in d for d in shown), shown
    assert not any("off by a constant factor" in d for d in shown)


@pytest.mark.parametrize(("param", "formula", "verdict", "words"), CASES)
def test_each_case_gets_its_verdict_as_a_derivation(param: str, formula: str, verdict: str,
                                                    words: str | None) -> None:
    # A = B = C as two lines, A = B and = C (an update and its numbers stay one line)
    head, _, last = formula.rpartition(" = ")
    text = f"{head}\n= {last}" if formula.count(" = ") > 1 and "^{+}" not in formula \
        else formula
    result = checker(MAZUR).check_derivation(text, param=param)
    assert result.verdict == verdict, (result.verdict, [(s.verdict, s.diagnosis)
                                                        for s in result.steps])


def test_each_case_gets_its_verdict_as_an_answer_and_in_the_grade_table(tmp_path: Path
                                                                       ) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump([{"id": f"s{k}", "param": p, "formula": f}
                                       for k, (p, f, _, _) in enumerate(CASES)]),
                       encoding="utf-8")
    rows = grade_answers(checker(MAZUR), answers)
    assert [r.verdict for r in rows] == [v for _, _, v, _ in CASES]
    table = CliRunner().invoke(main, ["check", str(MAZUR), "--answers", str(answers)])
    assert table.exit_code == 0
    last = next(line for line in table.output.splitlines() if " unreadable" in line)
    assert "1 undecided" in last and "6 not an answer" in last, last


@pytest.mark.parametrize(("formula", "code"), [("1 = 1", 1), ("w5 = w5", 1),
                                               (r"w_5^{+} = 0.35891648", 0)])
def test_not_an_answer_exits_1(formula: str, code: int) -> None:
    result = CliRunner().invoke(main, ["check", str(MAZUR), "--param", "w5", "--formula",
                                       formula])
    assert result.exit_code == code, result.output
    if code:
        assert "NOT AN ANSWER" in result.output


@pytest.mark.parametrize(("formula", "verdict"), [
    (r"\frac{\partial L}{\partial w^{[1]}_{2,1}} = 0", "correct"),  # off at the example
    (r"\frac{\partial L}{\partial w^{[1]}_{2,1}} = 0.0", "correct"),
    (r"\frac{\partial L}{\partial w^{[1]}_{2,1}} = 1", "incorrect"),
    (r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = 0", "incorrect"),  # on at the example
])
def test_a_whole_number_is_a_worked_value_of_a_blocked_path(formula: str, verdict: str
                                                            ) -> None:
    result = checker(RELU).check(None, formula)
    assert result.verdict == verdict, result.diagnosis
    if formula.endswith("= 0") and verdict == "correct":
        assert any("worked example" in n for n in result.notes)


@pytest.mark.parametrize(("formula", "verdict"), [
    # the example's label is y = (0, 0, 1): ∂L/∂z_1 = a_1 − y_1 is a_1 there
    (r"\frac{\partial L}{\partial z^{[2]}_{1}} = a^{[2]}_{1}", "correct"),
    (r"\frac{\partial L}{\partial z^{[2]}_{1}} = \frac{\partial}{\partial z^{[2]}_{1}}\left("
     r"-z^{[2]}_{3} + \log\left(e^{z^{[2]}_{1}} + e^{z^{[2]}_{2}} + e^{z^{[2]}_{3}}\right)"
     r"\right)", "correct"),
    (r"\frac{\partial L}{\partial z^{[2]}_{1}} = a^{[2]}_{1} - y_{1}", "correct"),
    (r"\frac{\partial L}{\partial z^{[2]}_{3}} = a^{[2]}_{3}", "incorrect"),  # y_3 = 1
    (r"\frac{\partial L}{\partial z^{[2]}_{1}} = a^{[2]}_{2}", "incorrect"),
])
def test_a_step_specialised_to_the_examples_targets_says_so(formula: str, verdict: str
                                                           ) -> None:
    result = checker(TANH).check(None, formula)
    assert result.verdict == verdict, result.diagnosis
    specialised = any("holds at the example's targets" in n for n in result.notes)
    assert specialised == (verdict == "correct" and "- y_{1}" not in formula)
    assert not any("is not L" in n for n in result.notes)


def test_a_line_that_uses_an_earlier_wrong_factor_is_its_consequence() -> None:
    """On a 3-4-3 tanh/softmax network, a(1 − a) written for tanh′ at line 4 and used again
    at line 6: line 6 follows from line 4."""
    sums = (r"(a^{[2]}_{1} - y_{1}) w^{[2]}_{1,1} + (a^{[2]}_{2} - y_{2}) w^{[2]}_{2,1} + "
            r"(a^{[2]}_{3} - y_{3}) w^{[2]}_{3,1}")
    text = "\n".join([
        r"\frac{\partial L}{\partial z^{[2]}_{1}} = a^{[2]}_{1} - y_{1}",
        r"\frac{\partial L}{\partial a^{[1]}_{1}} = " + sums,
        r"\frac{\partial z^{[1]}_{1}}{\partial w^{[1]}_{1,1}} = x_1",
        r"\frac{\partial a^{[1]}_{1}}{\partial z^{[1]}_{1}} = a^{[1]}_{1} (1 - a^{[1]}_{1})",
        r"\frac{\partial L}{\partial z^{[1]}_{1}} = \frac{\partial L}{\partial a^{[1]}_{1}} "
        r"\frac{\partial a^{[1]}_{1}}{\partial z^{[1]}_{1}}",
        r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = (" + sums + r") a^{[1]}_{1} "
        r"(1 - a^{[1]}_{1}) x_1",
    ])
    result = checker(TANH).check_derivation(text)
    assert [s.verdict for s in result.steps] == ["correct", "correct", "correct", "incorrect",
                                                 "correct", "consequence"]
    assert result.first_wrong_line == 4 and result.steps[-1].consequence_of == 4
    fixed = text.replace(r"a^{[1]}_{1} (1 - a^{[1]}_{1})", r"(1 - (a^{[1]}_{1})^2)")
    assert checker(TANH).check_derivation(fixed).verdict == "correct"


def test_no_constant_factor_is_claimed_for_a_formula_that_is_none() -> None:
    """w5 · w5 ⋯ w5 (1000 factors) is not a constant times the gradient, though both are tiny
    at some points."""
    result = checker(MAZUR).check("w5", " ".join(["w5"] * 1000))
    assert result.verdict == "incorrect"
    assert not any("off by a constant factor" in d for d in result.diagnosis), result.diagnosis


# -- every diagnosis given is true of the formula it explains ----------------------------
MUTANTS = [
    "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",  # right: no diagnosis
    "-(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",
    "2*(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",
    "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h2",
    "(out_o1 - target_o1)*out_o1*(1 - out_o1)",
    "(out_o1 - target_o1)*out_h1",
    "(out_o2 - target_o2)*out_o2*(1 - out_o2)*out_h1",
    "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1*w5",
    "(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1 + 1",
    "(target_o1 - out_o1)*out_o1*(1 - out_o1)*out_h1 + w5",
    "0.3*(out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1",
]


def _fresh_points(net: object, count: int = 6) -> list[dict[sp.Symbol, object]]:
    """Points apart from the checker's own: parameters, inputs and targets drawn here, the
    forward pass worked out here with SymPy."""
    rng = mpmath.rand
    points = []
    with mpmath.workdps(30):
        for _ in range(count):
            at: dict[sp.Symbol, object] = {s: sp.Float(2 * rng() - 1, 30)
                                           for s in [*net.params, *net.inputs, *net.targets]}
            for sym, expr in net.definitions:
                at[sym] = expr.xreplace(at).evalf(30)
            points.append(at)
    return points


def _claim_holds(claim: str, formula: sp.Expr, truth: sp.Expr, net: object,
                 points: list[dict[sp.Symbol, object]], grads: object) -> bool | None:
    """Whether a diagnosis is true of the formula at fresh points (None: a kind of claim
    this test does not read)."""
    names = {s.name: s for s in [*net.params, *net.inputs, *net.targets,
                                 *(u.out for u in net.units), *(u.net for u in net.units)]}

    def same(a: sp.Expr, b: sp.Expr) -> bool:
        return all(abs(complex(a.xreplace(p).evalf(30)) - complex(b.xreplace(p).evalf(30)))
                   <= 1e-20 * (1 + abs(complex(b.xreplace(p).evalf(30)))) for p in points)

    if claim.startswith("the sign is wrong"):
        return same(formula, -truth)
    if claim.startswith("it is off by a constant factor ") and " (" in claim:
        k = sp.Rational(claim.split("factor ", 1)[1].split(" ", 1)[0])
        return same(formula, k * truth)
    if claim.startswith("it equals ∂E_total/∂"):
        other = names[claim.split("∂E_total/∂", 1)[1].split(",", 1)[0]]
        return same(formula, grads.derivation(other).closed)
    if claim.startswith("replacing ") and claim.endswith(" makes it correct"):
        a, b = claim.removeprefix("replacing ").removesuffix(" makes it correct").split(" by ")
        return same(formula.xreplace({names[a]: names[b]}), truth)
    if claim.startswith("it uses ") and " where " in claim:
        used, meant = claim.removeprefix("it uses ").split(" where ")
        return same(formula, truth.xreplace({names[meant.split(" ")[0]]: names[used]}))
    return None


def test_every_diagnosis_given_is_true_of_the_formula() -> None:
    from symbackprop.network.derivation import derive

    check = checker(MAZUR)
    net = check.net
    grads = derive(net)
    truth = grads.derivation(net.symbol_by_name["w5"]).closed
    points = _fresh_points(net)
    read = 0
    for text in MUTANTS:
        result = check.check("w5", text)
        if result.verdict == "correct":
            assert not result.diagnosis and text == MUTANTS[0]
            continue
        (formula,), _ = check.read(text, param="w5")
        for claim in result.diagnosis:
            holds = _claim_holds(claim, formula, truth, net, points, grads)
            if holds is not None:
                read += 1
                assert holds, (text, claim)
    assert read >= 5


ZERO = DATA / "specs" / "sigmoid-at-zero.yaml"
Z_OUT = r"z^{[2]}_{1} = "


@pytest.mark.parametrize(("formula", "verdict"), [
    # each hidden unit is σ(0) = 1/2 exactly, and 0.5 is that value, not 0.45 to 0.55
    (Z_OUT + r"0.5 \cdot 0.878121 + 0.5 \cdot 0.648486 + 0.5 \cdot 0.430857", "correct"),
    (Z_OUT + r"0.5 \cdot 0.878121 + 0.5 \cdot 0.65 + 0.5 \cdot 0.430857", "correct"),
    (Z_OUT + r"0.5 \cdot 0.878121 + 0.5 \cdot 0.7 + 0.5 \cdot 0.430857", "undecided"),
    (Z_OUT + r"0.5 \cdot 0.878121 + 0.5 \cdot 1.2 + 0.5 \cdot 0.430857", "incorrect"),
])
def test_short_decimals_that_are_computed_values_are_read_together(formula: str,
                                                                  verdict: str) -> None:
    """Three numbers 0.5, each read alone as 0.45 to 0.55, leave room for a wrong weight
    beside them; read together as the activations they are, they do not."""
    result = checker(ZERO).check(None, formula)
    assert result.verdict == verdict, result.diagnosis
    if verdict == "undecided":
        assert "0.5 is" in result.diagnosis[0] and " exactly" in result.diagnosis[0]
        assert result.method.endswith("symbolic check: not run (the verdict is undecided)")
    if verdict == "incorrect":
        assert result.method.endswith("symbolic check: not needed (values differ)")


@pytest.mark.parametrize(("formula", "verdict"), [
    # z^{[1]}_1 = 0.4·1 + 0.2·0.5 + 0.1 = 0.6 and z^{[1]}_2 = −0.65 at the example
    (r"a^{[1]}_{1} = \operatorname{relu}(0.6)", "correct"),
    (r"a^{[1]}_{1} = \mathrm{relu}\left(0.6\right) = 0.6", "correct"),
    (r"a^{[1]}_{2} = \operatorname{relu}(-0.65) = 0", "correct"),
    (r"a^{[1]}_{1} = \operatorname{relu}(0.7)", "incorrect"),
    (r"a^{[1]}_{2} = \operatorname{relu}(0.65)", "incorrect"),
    (r"a^{[1]}_{1} = \operatorname{softplus}(0.6)", "incorrect"),
])
def test_a_relu_of_numbers_is_a_claim_at_the_worked_example(formula: str, verdict: str
                                                            ) -> None:
    """The forward pass as the notes write it, relu(0.6), is a value at the example, not an
    identity that must hold at random points."""
    result = checker(RELU).check(None, formula)
    assert result.verdict == verdict, result.diagnosis
