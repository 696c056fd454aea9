"""Verdicts, counterexamples and diagnoses of hand-written gradients."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sympy as sp
import yaml
from checkers import checker
from paths import DATA, ROOT

from symbackprop.check import (
    NO_EXPLANATION,
    Checker,
    CheckResult,
    check_formula,
    grade_answers,
    render_check,
    render_grades,
)
from symbackprop.errors import FormulaError
from symbackprop.network.build import build_network

SPECS = ROOT / "specs"
CHECK_DATA = DATA / "check"
MAZUR = SPECS / "seed-004-mazur-2-2-2.yaml"
SE_222 = SPECS / "seed-003-stackexchange-2-2-2.yaml"
SE_CHAIN = SPECS / "seed-003-stackexchange-chain.yaml"
RENOM = SPECS / "seed-000-renom-1-2-1.yaml"

def check(spec: Path, param: str | None, formula: str) -> CheckResult:
    return checker(spec).check(param, formula)


def explained(result: CheckResult, *words: str) -> bool:
    text = " | ".join(result.diagnosis)
    return any(w in text for w in words)


# --------------------------------------------------------------------------- seed 004


def test_seed_004_w5_is_correct_in_the_seeds_notation() -> None:
    r = check(MAZUR, "w5", r"-(target_{o1} - out_{o1}) * out_{o1} *(1-out_{o1}) * out_{h1}")
    assert r.verdict == "correct" and r.counterexample is None and r.diagnosis == ()


def test_seed_004_w6_is_really_the_gradient_of_w8() -> None:
    r = check(MAZUR, "w6", r"-(target_{02} - out_{02}) * out_{02} *(1-out_{02}) * out_{h2}")
    assert r.verdict == "incorrect"
    assert r.equals_gradient_of == "w8"
    assert explained(r, "w8")
    c = r.counterexample
    assert c is not None and c.formula_value is not None
    assert abs(c.true_value - c.formula_value) > 1e-9
    assert set(c.point) >= {"w1", "i1", "target_o1"}


def test_seed_004_w1_uses_w6_where_w7_belongs() -> None:
    r = check(MAZUR, "w1", r"-[(target_{o1}-out_{o1}) *out_{o1}(1-out_{o1})*w_{5} + "
              r"(target_{o2}-out_{o2}) *out_{o2}(1-out_{o2})*w_{6}]*out_{h1}*(1-out_{h1})*i_{1}")
    assert r.verdict == "incorrect"
    assert r.diagnosis[0] == "replacing w6 by w7 makes it correct"
    fixed = check(MAZUR, "w1", r"-[(target_{o1}-out_{o1}) *out_{o1}(1-out_{o1})*w_{5} + "
                  r"(target_{o2}-out_{o2}) *out_{o2}(1-out_{o2})*w_{7}]*out_{h1}*(1-out_{h1})"
                  r"*i_{1}")
    assert fixed.verdict == "correct"


def test_seed_004_leibniz_chains_are_correct() -> None:
    b = check(MAZUR, None, r"\partial E_{total}/\partial w_{5} = \partial E_{total}/\partial "
              r"out_{o_{1}} * \partial out_{o_{1}}/\partial in_{o_{1}} * \partial in_{o_{1}}/ "
              r"\partial w_{5}")
    assert (b.param, b.verdict) == ("w5", "correct")
    c = check(MAZUR, None, r"\partial E_{total}/\partial w_{1}= \partial E_{total}/\partial "
              r"out_{h1}* \partial out_{h1}/\partial in_{h1} * \partial in_{h1}/\partial w_{1}")
    assert (c.param, c.verdict) == ("w1", "correct")
    d = check(MAZUR, "w1", r"\partial E_{total}/\partial out_{h1} * out_{h1}*(1-out_{h1})*i_{1}")
    assert d.verdict == "correct"


def test_left_side_and_param_must_agree() -> None:
    with pytest.raises(FormulaError, match="w5"):
        check(MAZUR, "w6", r"\partial E_{total}/\partial w_{5} = out_{h1}")
    with pytest.raises(FormulaError, match="param"):
        check(MAZUR, None, "out_h1")
    with pytest.raises(FormulaError, match="w9"):
        check(MAZUR, "w9", "out_h1")


# --------------------------------------------------------------------------- seed 003


ASKER = (r"\frac{\partial L}{\partial w_{1}}=\frac{\partial h_{1}}{\partial w_{1}} "
         r"\frac{\partial w_{7}}{\partial h_{1}} \frac{\partial o_{2}}{\partial w_{7}} "
         r"\frac{\partial L}{\partial o_{2}}+\frac{\partial h_{1}}{\partial w_{1}} "
         r"\frac{\partial w_{5}}{\partial h_{1}} \frac{\partial o_{1}}{\partial w_{5}} "
         r"\frac{\partial L}{\partial o_{1}}")
ANSWER = (r"\frac{\partial L}{\partial w_{1}}=\frac{\partial h_{1}}{\partial w_{1}} "
          r"\frac{\partial o_{2}}{\partial h_{1}} \frac{\partial L}{\partial o_{2}}+"
          r"\frac{\partial h_{1}}{\partial w_{1}} \frac{\partial o_{1}}{\partial h_{1}} "
          r"\frac{\partial L}{\partial o_{1}}")


def test_seed_003_answer_is_correct() -> None:
    r = check(SE_222, None, ANSWER)
    assert (r.param, r.verdict) == ("w1", "correct")


def test_seed_003_question_has_a_meaningless_factor() -> None:
    r = check(SE_222, None, ASKER)
    assert r.verdict == "incorrect"
    assert any("∂w7/∂h_1" in d and "meaningless" in d for d in r.diagnosis)
    assert any("∂w5/∂h_1" in d and "meaningless" in d for d in r.diagnosis)


def test_seed_003_chain_missing_a_path_is_named() -> None:
    r = check(SE_222, "w1", r"\frac{\partial h_{1}}{\partial w_{1}} \frac{\partial o_{1}}"
              r"{\partial h_{1}} \frac{\partial L}{\partial o_{1}}")
    assert r.verdict == "incorrect"
    assert explained(r, "path L → o_2 → h_1 → w1")


def test_seed_003_upside_down_factor_is_named() -> None:
    r = check(SE_222, "w5", r"\frac{\partial o_1}{\partial net_{o1}}\frac{\partial o_1}{\partial L}"
              r"\frac{\partial net_{o1}}{\partial w_5}")
    assert r.verdict == "incorrect" and explained(r, "upside down")


def test_seed_003_chain_network_formulas() -> None:
    w2 = check(SE_CHAIN, None, r"\frac{\partial L}{\partial w_{2}}=\frac{\partial y^{\prime}}"
               r"{\partial w_{2}} \frac{\partial L}{\partial y^{\prime}}")
    assert (w2.param, w2.verdict) == ("w2", "correct")
    w1 = check(SE_CHAIN, "w1", r"\frac{\partial h}{\partial w_1}\frac{\partial y'}{\partial h}"
               r"\frac{\partial L}{\partial y'}")
    assert w1.verdict == "correct"
    # b is shared by both layers: one use alone misses the other path
    b = check(SE_CHAIN, "b", "(y' - y) y'(1 - y')")
    assert b.verdict == "incorrect" and explained(b, "misses the contribution through h")
    # said once: the missing use is the missing path
    assert not explained(b, "misses the path through h"), b.diagnosis


# --------------------------------------------------------------------------- seed 000


def test_seed_000_formulas_with_unspecified_activation() -> None:
    w1 = check(RENOM, "w_1", r"-(r-y) \frac {\partial y}{\partial z} x_1")
    assert w1.verdict == "correct"
    wa = check(RENOM, None, r"\frac {\partial E}{\partial w_a}=\frac {\partial E}{\partial y}"
               r"\frac {\partial y}{\partial z}\frac {\partial z}{\partial x_1}\frac {\partial "
               r"x_1}{\partial x_{1,in}}\frac {\partial x_{1,in}}{\partial w_a}=-(r-y) \frac "
               r"{\partial y}{\partial z}w_1\frac {\partial x_1}{\partial x_{1,in}}u")
    assert (wa.param, wa.verdict) == ("w_a", "correct")


def test_unspecified_activation_is_not_a_particular_function() -> None:
    # 1 - f(z)^2 is f'(z) only when f is tanh; f stays arbitrary
    r = check(RENOM, "w_1", "-(r - y) * (1 - f(z)^2) * x_1")
    assert r.verdict == "incorrect"
    r2 = check(RENOM, "w_1", "-(r - y) * y*(1 - y) * x_1")
    assert r2.verdict == "incorrect"


# --------------------------------------------------------------------------- numerics


def test_identity_that_needs_rewriting_is_accepted() -> None:
    # σ(in)(1 − σ(in)) written with exponentials instead of out(1 − out)
    r = check(MAZUR, "w5", r"(out_{o1}-target_{o1}) \frac{e^{-in_{o1}}}{(1+e^{-in_{o1}})^2} "
              r"out_{h1}")
    assert r.verdict == "correct"


def test_tiny_perturbation_is_not_hidden_by_rounding() -> None:
    r = check(MAZUR, "w5", "(out_o1-target_o1)*out_o1*(1-out_o1)*out_h1 + 0.000000000000000000001")
    assert r.verdict == "incorrect"
    r2 = check(MAZUR, "w5", "(out_o1-target_o1)*out_o1*(1-out_o1)*out_h1*1.00000000000000000001")
    assert r2.verdict == "incorrect"


def test_check_formula_accepts_a_path() -> None:
    r = check_formula(MAZUR, "w_{5}", "(out_o1-target_o1)*out_o1*(1-out_o1)*out_h1")
    assert r.verdict == "correct" and r.param == "w5"


# --------------------------------------------------------------------------- mutations

MUTATION_SPECS = [MAZUR, SE_222, SE_CHAIN, RENOM, SPECS / "tanh-regression.yaml"]


def _true(spec: Path, param: sp.Symbol) -> sp.Expr:
    return checker(spec).grads.derivation(param).closed


def _params(spec: Path) -> list[sp.Symbol]:
    return list(checker(spec).net.params)


@pytest.mark.parametrize("spec", MUTATION_SPECS, ids=lambda p: p.stem)
def test_true_gradients_round_trip(spec: Path) -> None:
    for p in _params(spec):
        r = check(spec, p.name, sp.sstr(_true(spec, p)))
        assert r.verdict == "correct", (p, r.diagnosis)


@pytest.mark.parametrize("spec", MUTATION_SPECS, ids=lambda p: p.stem)
def test_sign_and_constant_factor_mutations(spec: Path) -> None:
    for p in _params(spec):
        g = _true(spec, p)
        assert explained(check(spec, p.name, sp.sstr(-g)), "sign")
        assert explained(check(spec, p.name, sp.sstr(2 * g)), "constant factor 2")
        assert explained(check(spec, p.name, sp.sstr(g / 2)), "constant factor 1/2")


def test_an_unusual_constant_factor_is_named() -> None:
    for p in _params(MAZUR):
        g = _true(MAZUR, p)
        r = check(MAZUR, p.name, sp.sstr(g * sp.Rational(1005, 1004)))
        assert r.verdict == "incorrect"
        assert r.diagnosis == ("it is off by a constant factor 1005/1004 (it equals 1005/1004 "
                               "× the true value)",), r.diagnosis
    g = _true(MAZUR, checker(MAZUR).net.symbol_by_name["w5"])
    r = check(MAZUR, "w5", "exp(1)*" + sp.sstr(g))
    assert explained(r, "constant factor of about 2.71828182846")
    # 1 + 10⁻³⁰ is no simple fraction, nor one with a small denominator: still named, and
    # still wrong
    r = check(MAZUR, "w5", "(1 + 10**(-30))*" + sp.sstr(g))
    assert r.verdict == "incorrect" and explained(r, "constant factor of about 1.0")
    r = check(MAZUR, "w5", "0")  # 0 × the truth is not a factor to name
    assert r.verdict == "incorrect" and not explained(r, "off by a constant factor")


@pytest.mark.parametrize("spec", MUTATION_SPECS, ids=lambda p: p.stem)
def test_wrong_parameter_mutation(spec: Path) -> None:
    params = _params(spec)
    c = checker(spec)
    for p, q in zip(params, params[1:] + params[:1], strict=True):
        if c.gradient(p)[1] == c.gradient(q)[1]:
            continue
        r = check(spec, p.name, sp.sstr(_true(spec, q)))
        assert r.verdict == "incorrect"
        assert r.equals_gradient_of is not None
        # the parameter named really has this gradient
        assert check(spec, r.equals_gradient_of, sp.sstr(_true(spec, q))).verdict == "correct"


def _without(g: sp.Expr, factor: sp.Expr) -> sp.Expr | None:
    """``g`` with the factors of ``factor`` dropped once each, if they all occur in ``g``."""
    args = list(sp.Mul.make_args(g))
    for f in sp.Mul.make_args(factor):
        if f not in args:
            return None
        args.remove(f)
    return sp.Mul(*args)


@pytest.mark.parametrize("spec", MUTATION_SPECS, ids=lambda p: p.stem)
def test_dropped_activation_derivative_mutation(spec: Path) -> None:
    c = checker(spec)
    dropped = 0
    for p in _params(spec):
        g = _true(spec, p)
        for u in c.net.units:
            local = c.grads.local_derivative(u)
            mutated = _without(g, local) if local != 1 else None
            if mutated is None:
                continue
            r = check(spec, p.name, sp.sstr(mutated))
            assert r.verdict == "incorrect"
            dropped += 1
            shown = c.ctx.diagnoser.text(local)  # in the spec's notation (y′, not y_prime)
            assert explained(r, f"misses the activation-derivative factor {shown}"), \
                (p, u.name, r.diagnosis)
    assert dropped > 0


@pytest.mark.parametrize("spec", [MAZUR, SE_222], ids=lambda p: p.stem)
def test_index_swap_mutation(spec: Path) -> None:
    c = checker(spec)
    net = c.net
    outs = [u.out for u in net.outputs]
    for p in _params(spec):
        g = _true(spec, p)
        swapped = g.xreplace({outs[0]: outs[1], outs[1]: outs[0]})
        if sp.expand(swapped - g) == 0:
            continue
        r = check(spec, p.name, sp.sstr(swapped))
        assert r.verdict == "incorrect"
        assert NO_EXPLANATION not in r.diagnosis, (p, r.diagnosis)


def test_missing_path_mutation() -> None:
    c = checker(MAZUR)
    for name in ("w1", "w2", "w3", "w4", "b1", "b2"):
        p = c.net.symbol_by_name[name]
        paths = c.grads.derivation(p).paths
        assert paths is not None and len(paths) >= 2
        for path in paths:
            term = sp.Mul(*[f.value for f in path])
            for written in (_true(MAZUR, p) - term, sp.expand(_true(MAZUR, p) - term)):
                r = check(MAZUR, name, sp.sstr(written))
                # b2 feeds both outputs: its missing use is the missing path, said once
                assert explained(r, "misses the path", "misses the contribution"), \
                    (name, r.diagnosis)
                assert sum("misses the" in d for d in r.diagnosis) == 1, r.diagnosis
                # not "it uses target_o1 where out_o1 belongs": that only zeroes the term
                assert not explained(r, "belongs"), (name, r.diagnosis)


# --------------------------------------------------------------------------- grading


def _expectations(path: Path) -> dict[str, str]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8") as fh:
            return {row["id"]: row["expect"] for row in csv.DictReader(fh)}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
    return {str(row["id"]): row["expect"] for row in data}


@pytest.mark.parametrize("name", ["answers.yaml", "answers.csv"])
def test_grading_sample_answers(name: str) -> None:
    rows = grade_answers(checker(MAZUR), CHECK_DATA / name)
    expected = _expectations(CHECK_DATA / name)
    assert {r.id: r.verdict for r in rows} == expected
    for r in rows:
        if r.verdict == "error":
            assert r.error
        elif r.verdict == "incorrect":
            assert r.diagnosis and NO_EXPLANATION not in r.diagnosis, (r.id, r.diagnosis)
    text = render_grades(rows, "text")
    assert "unreadable" in text
    parsed = list(csv.DictReader(render_grades(rows, "csv").splitlines()))
    assert [p["id"] for p in parsed] == [r.id for r in rows]


def test_a_class_of_500_answers_is_graded(tmp_path: Path) -> None:
    c = checker(MAZUR)
    params = list(c.net.params)
    rows = []
    for n in range(500):
        p = params[n % len(params)]
        g = _true(MAZUR, p)
        variant = n % 5
        if variant == 0:
            formula, expect = sp.sstr(g), "correct"
        elif variant == 1:
            formula, expect = sp.latex(g, symbol_names={s: c.net.latex_of(s)
                                                        for s in c.net.latex_names}), "correct"
        elif variant == 2:
            formula, expect = sp.sstr(-g), "incorrect"
        elif variant == 3:
            formula, expect = sp.sstr(g * (1 + sp.Rational(1, n + 2))), "incorrect"
        else:
            formula, expect = "out_h1 +* w5" + " " * n, "error"
        rows.append({"id": f"s{n}", "param": p.name, "formula": formula, "expect": expect})
    path = tmp_path / "class.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "param", "formula", "expect"])
        writer.writeheader()
        writer.writerows(rows)
    graded = grade_answers(c, path)  # its speed is a benchmark (benchmarks/grading.py)
    assert [g.verdict for g in graded] == [r["expect"] for r in rows]


def test_renderers() -> None:
    r = check(MAZUR, "w6", "(out_o2 - target_o2)*out_o2*(1-out_o2)*out_h2")
    text = render_check(r, "text")
    assert "INCORRECT" in text and "counterexample" in text and "w8" in text
    import json

    data = json.loads(render_check(r, "json"))
    assert data["verdict"] == "incorrect" and data["equals_gradient_of"] == "w8"
    assert isinstance(data["diagnosis"], list) and data["counterexample"]["point"]


def _answers() -> list[tuple[str, str, str]]:
    """Formulas and derivations, right and wrong, some sharing steps and expressions."""
    c = checker(MAZUR)
    w5 = (DATA / "derivations" / "seed-004-w5.tex").read_text(encoding="utf-8")
    w1 = (DATA / "derivations" / "seed-004-w1.tex").read_text(encoding="utf-8")
    out = [("derivation", "", w1), ("derivation", "", w1.replace("w_{6}]", "w_{7}]")),
           ("derivation", "", w5), ("derivation", "", w5.replace("\\alpha", "\\eta"))]
    for p in list(c.net.params)[:6]:
        g = _true(MAZUR, p)
        out += [("formula", p.name, sp.sstr(g)), ("formula", p.name, sp.sstr(-g)),
                ("formula", p.name, sp.sstr(g * sp.Rational(7, 5))),
                ("formula", p.name, sp.sstr(g.xreplace({c.net.symbol_by_name["w6"]:
                                                        c.net.symbol_by_name["w7"]}))),
                ("formula", p.name, f"{p.name}^{{+}} = {p.name} + \\eta \\frac{{\\partial E}}"
                                    f"{{\\partial {p.name}}}")]
    return out


def test_what_a_checker_keeps_between_answers_never_changes_a_result() -> None:
    """One checker grading a class in one order gives every answer the result a new checker
    gives it in the opposite order: printed forms, diagnoses and agreements it keeps are
    pure functions of what they are kept for."""
    from symbackprop.spec.load import load_spec

    answers = _answers()

    def graded(c: Checker, order: list[tuple[str, str, str]]) -> dict[tuple, dict]:
        results = {}
        for kind, param, text in order:
            r = c.check_derivation(text) if kind == "derivation" else c.check(param, text)
            results[(kind, param, text)] = r.to_dict()
        return results

    first = graded(checker(MAZUR), answers)
    again = graded(Checker(build_network(load_spec(MAZUR))), answers[::-1])
    assert first == again
    # without a report's detail (as a class is graded): the same verdicts and findings
    brief = Checker(build_network(load_spec(MAZUR)))
    for kind, param, text in answers:
        r = (brief.check_derivation(text, detail=False) if kind == "derivation"
             else brief.check(param, text, detail=False)).to_dict()
        full = first[(kind, param, text)]
        for key in ("verdict", "diagnosis", "counterexample", "first_wrong_line",
                    "equals_gradient_of", "param", "gradient"):
            assert r[key] == full[key], (key, text)
        assert [(s["line"], s["verdict"], s["diagnosis"]) for s in r["steps"]] == \
            [(s["line"], s["verdict"], s["diagnosis"]) for s in full["steps"]]
        assert r["parsed"] == "" and full["parsed"]
    wrong = [k for k, r in first.items() if r["verdict"] == "incorrect"]
    assert len(wrong) > len(answers) // 2  # the wrong ones stay wrong, whatever was seen


@pytest.mark.parametrize("name", ["answers.yaml", "answers.csv"])
def test_two_worker_processes_grade_as_one_does(name: str) -> None:
    """Workers forked from a warmed-up checker (or given the spec where there is no fork)
    give every row the verdict and diagnosis one process gives it."""
    alone = grade_answers(checker(MAZUR), CHECK_DATA / name)
    assert grade_answers(checker(MAZUR), CHECK_DATA / name, jobs=2) == alone
    assert grade_answers(MAZUR, CHECK_DATA / name, jobs=2) == alone
