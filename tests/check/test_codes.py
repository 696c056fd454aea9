"""Diagnosis codes: the registry is the contract (listed literally here), every code is given
by some check, and the docs' table is the registry's."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker
from paths import DATA, ROOT

from symbackprop.check.diagnosis.codes import (
    BY_NAME,
    CODES,
    RESERVED,
    class_summary,
    code_of,
    markdown_table,
)
from symbackprop.check.grading.answers import grade

DERIVATIONS = DATA / "derivations"
MAZUR = "seed-004-mazur-2-2-2.yaml"
SEED_001 = "seed-001-linear-1-1-2-1.yaml"
TANH = "tanh-softmax-3-4-3.yaml"
STACK = "seed-003-stackexchange-2-2-2.yaml"
NIELSEN = "nielsen-2-3-3-2.yaml"
CONV = "conv2d-3x3.yaml"
STRIDE = "conv-stride-2.yaml"
RNN = "rnn-bptt.yaml"
FROZEN = "frozen-weight-2-2-1.yaml"
BATCHNORM = "batchnorm.yaml"
KERNEL = r"\frac{\partial L}{\partial w^{[1]}_{f,c,m,n}} = "
G5 = r"\frac{\partial E_{total}}{\partial w_{5}}"
T = "-(target_o1 - out_o1)"
J = r"\frac{\partial J}{\partial w^{[1]}_{1,1}} = "
LN_A1 = r"\frac{\partial L}{\partial a^{[1]}_{1}} = "
LN_ROOT = r"\sqrt{\sigma^2 + 10^{-5}}"
LN_XHAT1 = rf"\frac{{a^{{[1]}}_{{1}} - \mu}}{{{LN_ROOT}}}"
STABLE = (
    "LOCATION", "CONSEQUENCE", "NOT_AN_ANSWER", "TOO_FEW_DIGITS", "OTHER_PARAMETER", "SIGN",
    "CONSTANT_FACTOR", "MISSING_ACTIVATION_DERIVATIVE", "EXTRA_ACTIVATION_DERIVATIVE",
    "MISSING_FACTOR", "EXTRA_FACTOR", "MISSING_PATH", "PATH_COUNTED_TWICE", "BROKEN_CHAIN",
    "MISSING_TERM", "SWAPPED_SYMBOL", "TRANSPOSED_INDICES", "PRECEDENCE", "SUM_INDEX",
    "MEANINGLESS_FACTOR", "ZERO_FACTOR", "SINGLE_EXAMPLE", "MISSING_MEAN", "WRONG_DIVISOR",
    "GRADIENT_ASCENT", "MISSING_LEARNING_RATE", "UPDATE_START", "UPDATE_GRADIENT",
    "NOT_AN_UPDATE", "WRONG_UPDATE_VALUE", "WRONG_QUANTITY_VALUE", "WRONG_NUMBER",
    "DIFFERENT_NUMBERS", "NO_EXPLANATION", "UNCHECKED", "TOO_LARGE", "UNREADABLE",
    "MISSING_ANSWER", "MISSING_TRANSPOSE", "EXTRA_TRANSPOSE", "TRANSPOSED", "SHAPE_MISMATCH",
    "ELEMENTWISE_FOR_PRODUCT", "PRODUCT_FOR_ELEMENTWISE", "WRONG_LAYER",
    "WRONG_ACTIVATION_DERIVATIVE", "SOFTMAX_DIAGONAL", "KERNEL_FLIPPED",
    "SHARED_WEIGHT_NOT_SUMMED", "STRIDE_MISSING", "MISSING_SUM_OVER_TIME",
    "MISSING_RECURRENT_TERM", "DERIVATIVE_AT_WRONG_STEP", "MAX_POOL_SPREAD", "FROZEN_UPDATED",
    "DROPOUT_SCALE_MISSING", "EMBEDDING_NOT_ACCUMULATED", "ATTENTION_SOFTMAX_ELEMENTWISE",
    "ATTENTION_SCALE_MISSING", "BATCH_NORM_STATISTICS_CONSTANT",
    "BATCH_NORM_UNBIASED_VARIANCE", "BATCH_NORM_WRONG_AXIS", "CELL_PATH_MISSING",
    "GATE_DERIVATIVE_SWAPPED", "NORM_STATISTICS_CONSTANT", "NORM_UNBIASED_VARIANCE",
    "NORM_WRONG_AXIS",
)


def seed_001_function(written: str, mutated: str) -> str:
    text = (DERIVATIONS / "seed-001-function.tex").read_text(encoding="utf-8")
    assert text.count(written) == 1
    return text.replace(written, mutated)


# (code, spec, formula or derivation, param, text): an answer whose diagnosis has the code
REACHED = [
    ("OTHER_PARAMETER", MAZUR, "f", "w5", f"{T}*out_o1*(1-out_o1)*out_h2"),
    ("SIGN", MAZUR, "f", "w5", "(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1"),
    ("CONSTANT_FACTOR", MAZUR, "f", "w5", f"2*{T}*out_o1*(1-out_o1)*out_h1"),
    ("MISSING_ACTIVATION_DERIVATIVE", MAZUR, "f", "w5", f"{T}*out_h1"),
    ("EXTRA_ACTIVATION_DERIVATIVE", MAZUR, "f", "w5",
     f"{T}*out_o1*(1-out_o1)*out_o1*(1-out_o1)*out_h1"),
    ("MISSING_FACTOR", MAZUR, "f", "w5", f"{T}*out_o1*(1-out_o1)"),
    ("EXTRA_FACTOR", MAZUR, "f", "w5", f"{T}*out_o1*(1-out_o1)*out_h1*out_h1"),
    ("MISSING_PATH", MAZUR, "f", "w1", f"{T}*out_o1*(1-out_o1)*w5*out_h1*(1-out_h1)*i1"),
    ("PATH_COUNTED_TWICE", STACK, "f", None,
     r"\frac{\partial L}{\partial w_1} = \frac{\partial h_1}{\partial w_1}"
     r"\frac{\partial o_2}{\partial h_1}\frac{\partial L}{\partial o_2} + "
     r"\frac{\partial h_1}{\partial w_1}\frac{\partial o_2}{\partial h_1}"
     r"\frac{\partial L}{\partial o_2}"),
    ("BROKEN_CHAIN", STACK, "f", None, r"\frac{\partial L}{\partial w_1} = "
     r"\frac{\partial h_1}{\partial w_1}\frac{\partial o_2}{\partial h_1}"),
    ("MISSING_TERM", SEED_001, "d", None, seed_001_function(r"+\\ & b^{[3]}_1", "")),
    ("SWAPPED_SYMBOL", MAZUR, "f", None, r"\partial C/\partial w_5 = \delta_{o1} out_{h2}"),
    ("TRANSPOSED_INDICES", "nielsen-2-3-3-2.yaml", "d", None,
     (DERIVATIONS / "nielsen-bp2-transposed.tex").read_text(encoding="utf-8")),
    ("PRECEDENCE", MAZUR, "d", None,
     (DERIVATIONS / "seed-004-forward.tex").read_text(encoding="utf-8")),
    ("SUM_INDEX", SEED_001, "d", None,
     (DERIVATIONS / "seed-001-updates.tex").read_text(encoding="utf-8")),
    ("MEANINGLESS_FACTOR", MAZUR, "f", None, r"\partial w_5/\partial out_{h1} = 0"),
    ("ZERO_FACTOR", MAZUR, "f", None, r"\partial E_{o1}/\partial E_{total} = 1"),
    ("SINGLE_EXAMPLE", SEED_001, "f", None, J + r"\frac{\partial L}{\partial w^{[1]}_{1,1}}"),
    ("MISSING_MEAN", SEED_001, "f", None,
     J + r"\sum_{i=1}^{m} \frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}"),
    ("WRONG_DIVISOR", SEED_001, "f", None,
     J + r"\frac{1}{3}\sum_{i=1}^{m} \frac{\partial L^{(i)}}{\partial w^{[1]}_{1,1}}"),
    ("GRADIENT_ASCENT", MAZUR, "f", None, rf"w_{{5}}^{{+}} = w_{{5}} + \alpha {G5}"),
    ("MISSING_LEARNING_RATE", MAZUR, "f", None, rf"w_{{5}}^{{+}} = w_{{5}} - {G5}"),
    ("UPDATE_START", MAZUR, "f", None, rf"w_{{5}}^{{+}} = w_{{6}} - \alpha {G5}"),
    ("UPDATE_GRADIENT", MAZUR, "f", None, r"w_{5}^{+} = w_{5} - \alpha (out_{o1}-target_{o1}) "
     r"out_{o1}(1-out_{o1}) out_{h2}"),
    ("WRONG_UPDATE_VALUE", MAZUR, "f", None, r"w_{5}^{+} = 0.5"),
    ("WRONG_QUANTITY_VALUE", MAZUR, "f", None, r"out_{h1} = 0.596884378"),
    ("WRONG_NUMBER", MAZUR, "f", None, r"out_{h1} = 0.7"),
    ("DIFFERENT_NUMBERS", MAZUR, "f", None, "2 = 3"),
    ("NO_EXPLANATION", MAZUR, "f", "w5", "out_h1*w5*w5*7.3 + i1"),
    ("UNCHECKED", MAZUR, "d", None, r"\partial E_{total}/\partial in_{o1} = \delta_{o1}" "\n"
     r"\delta^{L} = \nabla_a C \odot \sigma'(z^L)"),
    ("TOO_FEW_DIGITS", MAZUR, "f", "w5", r"w_5^{+} = w_5 - \alpha \frac{\partial E_{total}}"
     r"{\partial w_5} = 0.4 - 0.5 \cdot 0.08"),
    ("NOT_AN_ANSWER", MAZUR, "d", "w5", "w_5 = w_5"),
    ("CONSEQUENCE", MAZUR, "d", None,
     r"\frac{\partial E_{total}}{\partial out_{o1}} = (target_{o1} - out_{o1})" "\n"
     + G5 + r" = \frac{\partial E_{total}}{\partial out_{o1}} out_{o1}(1-out_{o1}) out_{h1}" "\n"
     + G5 + r" = (target_{o1} - out_{o1}) out_{o1}(1-out_{o1}) out_{h1}"),
    ("LOCATION", MAZUR, "d", None,
     r"\frac{\partial E_{total}}{\partial out_{o1}} = (target_{o1} - out_{o1})" "\n"
     + G5 + r" = \frac{\partial E_{total}}{\partial out_{o1}} out_{o1}(1-out_{o1}) out_{h1}"),
    ("MISSING_TRANSPOSE", NIELSEN, "d", None, r"\delta^2 = (w^{3} \delta^{3}) \odot \sigma'(z^2)"),
    ("EXTRA_TRANSPOSE", NIELSEN, "d", None, r"z^3 = (w^3)^T a^2 + b^3"),
    ("TRANSPOSED", NIELSEN, "d", None, r"\frac{\partial C}{\partial w^l} = a^{l-1} (\delta^l)^T"),
    ("SHAPE_MISMATCH", NIELSEN, "d", None, r"\frac{\partial C}{\partial w^4} = \delta^4 a^3"),
    ("ELEMENTWISE_FOR_PRODUCT", NIELSEN, "d", None, r"z^3 = w^3 \odot a^2 + b^3"),
    ("PRODUCT_FOR_ELEMENTWISE", NIELSEN, "d", None,
     r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \sigma'(z^l)"),
    ("WRONG_LAYER", NIELSEN, "d", None,
     r"\delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^{l+1})"),
    ("WRONG_ACTIVATION_DERIVATIVE", TANH, "f", None,
     r"\frac{\partial a^{[1]}_{1}}{\partial z^{[1]}_{1}} = a^{[1]}_{1} (1 - a^{[1]}_{1})"),
    ("SOFTMAX_DIAGONAL", TANH, "f", None, r"\frac{\partial L}{\partial z^{[2]}_{1}} = "
     r"-\frac{y_1}{a^{[2]}_{1}} a^{[2]}_{1} (1 - a^{[2]}_{1})"),
    ("KERNEL_FLIPPED", CONV, "f", None,
     KERNEL + r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{f,i,j} x_{c,i-m+2,j-n+2}"),
    ("SHARED_WEIGHT_NOT_SUMMED", CONV, "f", None, KERNEL + r"\delta^{[1]}_{f,1,1} x_{c,m,n}"),
    ("STRIDE_MISSING", STRIDE, "f", None,
     KERNEL + r"\sum_{i=1}^{2}\sum_{j=1}^{2} \delta^{[1]}_{f,i,j} x_{c,i+m-1,j+n-1}"),
    ("MISSING_SUM_OVER_TIME", RNN, "f", None, r"\frac{\partial L}{\partial W_{i,j}} = "
     r"(1 - (h^{(3)}_i)^2) \frac{\partial L}{\partial h^{(3)}_i} h^{(2)}_j"),
    ("MISSING_RECURRENT_TERM", RNN, "f", None, r"\frac{\partial L}{\partial h^{(t)}_i} = "
     r"\sum_{k} V_{k,i} (\hat{y}^{(t)}_k - y^{(t)}_k)"),
    ("DERIVATIVE_AT_WRONG_STEP", RNN, "f", None, r"\frac{\partial L}{\partial W_{i,j}} = "
     r"\sum_{t=1}^{3} (1 - (h^{(t-1)}_i)^2) \frac{\partial L}{\partial h^{(t)}_i} "
     r"h^{(t-1)}_j"),
    ("MAX_POOL_SPREAD", "conv-pool.yaml", "f", None,
     r"\frac{\partial L}{\partial a^{[1]}_{1,2,2}} = \delta^{[2]}_{1,1,1} + "
     r"\delta^{[2]}_{1,1,2} + \delta^{[2]}_{1,2,1} + \delta^{[2]}_{1,2,2}"),
    ("DROPOUT_SCALE_MISSING", "dropout.yaml", "f", None,
     r"\frac{\partial L}{\partial a^{[1]}_{3}} = \delta^{[2]}_{3}"),
    ("EMBEDDING_NOT_ACCUMULATED", "embedding.yaml", "f", None,
     r"\frac{\partial L}{\partial E_{3,1}} = \delta^{[1]}_{3,1}"),
    ("ATTENTION_SOFTMAX_ELEMENTWISE", ROOT / "specs" / "attention.yaml", "f", None,
     r"\frac{\partial L}{\partial S_{t,u}} = P_{t,u} (1 - P_{t,u}) "
     r"\frac{\partial L}{\partial P_{t,u}}"),
    ("ATTENTION_SCALE_MISSING", ROOT / "specs" / "attention.yaml", "f", None,
     r"\frac{\partial L}{\partial Q_{t,j}} = \sum_u \frac{\partial L}{\partial S_{t,u}} K_{u,j}"),
    ("BATCH_NORM_STATISTICS_CONSTANT", BATCHNORM, "f", None,
     r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}} "
     r"\frac{\partial L}{\partial y_i}"),
    ("BATCH_NORM_UNBIASED_VARIANCE", BATCHNORM, "f", None,
     r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}} \left( "
     r"\frac{\partial L}{\partial y_i} - \frac{1}{m} \sum_{j=1}^{m} \frac{\partial L}{\partial "
     r"y_j} - \frac{\hat{x}_i}{m - 1} \sum_{j=1}^{m} \frac{\partial L}{\partial y_j} \hat{x}_j "
     r"\right)"),
    ("BATCH_NORM_WRONG_AXIS", BATCHNORM, "f", None,
     r"\frac{\partial L}{\partial x_i} = \frac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}} \left( "
     r"\frac{\partial L}{\partial y_i} - \frac{\partial L}{\partial y_i} - \hat{x}_i "
     r"\frac{\partial L}{\partial y_i} \hat{x}_i \right)"),
    ("CELL_PATH_MISSING", "lstm.yaml", "f", None,
     r"\frac{\partial L}{\partial c^{(2)}_{1}} = \frac{\partial L}{\partial h^{(2)}_{1}} "
     r"o^{(2)}_{1} (1 - \tanh(c^{(2)}_{1})^2)"),
    ("GATE_DERIVATIVE_SWAPPED", "lstm.yaml", "f", None,
     r"\delta^{(2)}_{i,1} = \frac{\partial L}{\partial c^{(2)}_{1}} g^{(2)}_{1} "
     r"(1 - (i^{(2)}_{1})^2)"),
    ("NORM_STATISTICS_CONSTANT", "layernorm.yaml", "f", None,
     rf"{LN_A1}\frac{{\gamma_{{1}} \delta^{{[2]}}_{{1}}}}{{{LN_ROOT}}}"),
    ("NORM_UNBIASED_VARIANCE", "layernorm.yaml", "f", None,
     rf"{LN_A1}\frac{{1}}{{{LN_ROOT}}} \left(\gamma_{{1}} \delta^{{[2]}}_{{1}} - \frac{{1}}{{3}} "
     rf"\sum_{{k=1}}^{{3}} \gamma_{{k}} \delta^{{[2]}}_{{k}} - \frac{{1}}{{2}} {LN_XHAT1} "
     rf"\sum_{{k=1}}^{{3}} \gamma_{{k}} \delta^{{[2]}}_{{k}} "
     rf"\frac{{a^{{[1]}}_{{k}} - \mu}}{{{LN_ROOT}}}\right)"),
    ("NORM_WRONG_AXIS", "layernorm.yaml", "f", None,
     rf"{LN_A1}-\frac{{\gamma_{{1}} \delta^{{[2]}}_{{1}}}}{{{LN_ROOT}}} {LN_XHAT1} {LN_XHAT1}"),
    ("UNREADABLE", MAZUR, "d", None, r"\partial E_{total}/\partial in_{o1} = \delta_{o1}" "\n"
     r"out_{h1} = ((("),
    ("FROZEN_UPDATED", FROZEN, "f", None,
     r"w_3 \leftarrow w_3 - \alpha \frac{\partial L}{\partial w_3}"),
]


def test_the_codes_are_stable() -> None:
    """The contract: no code is renamed, removed or reordered; new ones go at the end."""
    assert tuple(c.name for c in CODES)[:len(STABLE)] == STABLE


def test_every_code_has_a_one_line_meaning() -> None:
    assert len(BY_NAME) == len(CODES)
    for c in CODES:
        assert c.name.isupper() and c.name.replace("_", "").isalpha()
        assert c.meaning and "\n" not in c.meaning and "|" not in c.meaning


def test_every_code_is_reached_or_reserved() -> None:
    # TOO_LARGE: test below; MISSING_ANSWER: tests/check/test_autograder.py
    reached = {case[0] for case in REACHED} | {"TOO_LARGE", "MISSING_ANSWER"}
    assert reached | RESERVED == set(BY_NAME)
    assert not reached & RESERVED


def test_reserved_codes_are_the_defensive_ones() -> None:
    # one descent step whose start and gradient are both right is the right step, so
    # "it is not one gradient-descent step" has no answer today
    assert set(RESERVED) == {"NOT_AN_UPDATE"}


@pytest.mark.parametrize(("code", "spec", "kind", "param", "text"), REACHED,
                         ids=[case[0] for case in REACHED])
def test_a_check_gives_the_code(code: str, spec: str, kind: str, param: str | None,
                                text: str) -> None:
    c = checker(spec)
    r = c.check(param, text) if kind == "f" else c.check_derivation(text, param=param)
    assert len(r.codes) == len(r.diagnosis)
    for s in r.steps:
        assert len(s.codes) == len(s.diagnosis)
    given = set(r.codes) | {x for s in r.steps for x in s.codes}
    assert code in given, list(zip(r.codes, r.diagnosis, strict=True))
    assert r.to_dict()["codes"] == list(r.codes)


def test_a_finding_carries_its_code() -> None:
    from symbackprop.check.diagnosis.diagnosis import NO_EXPLANATION, Finding

    assert Finding("the sign is wrong: it equals −1 × the true value").code == "SIGN"
    assert Finding(NO_EXPLANATION).code == "NO_EXPLANATION"


def test_an_unread_step_is_unreadable_whatever_its_words() -> None:
    r = checker(MAZUR).check_derivation(r"\partial E_{total}/\partial in_{o1} = \delta_{o1}"
                                        "\n" + r"out_{h1} = \frac{the sign is wrong")
    bad = [s for s in r.steps if s.verdict == "unread"]
    assert bad and all(set(s.codes) == {"UNREADABLE"} for s in bad)


def test_a_graded_row_carries_the_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    c = checker(MAZUR)
    row = grade(c, ("formula", "w5", "(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1", "auto"))
    assert row.codes == ("SIGN",) and row.to_dict()["codes"] == ["SIGN"]
    broken = grade(c, ("formula", "w5", "((", "auto"))
    assert broken.verdict == "error" and broken.codes == ("UNREADABLE",)

    def too_deep(*args: object, **kwargs: object) -> None:
        raise RecursionError

    monkeypatch.setattr(c, "check", too_deep)
    large = grade(c, ("formula", "w5", "x", "auto"))
    assert large.verdict == "error" and large.codes == ("TOO_LARGE",)


def test_the_class_summary_counts_each_answer_once_per_mistake() -> None:
    summary = class_summary([("LOCATION", "SIGN", "SIGN"), ("SIGN",), ("MISSING_PATH",), ()])
    assert summary == {"SIGN": 2, "MISSING_PATH": 1}
    assert list(class_summary([("MISSING_PATH",), ("SIGN",)])) == ["SIGN", "MISSING_PATH"]


def test_a_text_no_pattern_names_is_a_reading_error() -> None:
    assert code_of("1:3: unexpected `)`") == "UNREADABLE"


def test_the_docs_table_is_the_registry() -> None:
    doc = (ROOT / "docs" / "diagnosis-codes.md").read_text(encoding="utf-8")
    assert markdown_table() in doc
    assert Path(ROOT / "README.md").read_text(encoding="utf-8").count("diagnosis-codes.md")


def test_the_sentence_for_no_explanation_names_the_mistakes_looked_for() -> None:
    """Transposed indices, another activation's derivative, a diagonal softmax Jacobian,
    an extra factor and a missing transpose are sought too, so the sentence names them."""
    from symbackprop.check.diagnosis.diagnosis import NO_EXPLANATION, Finding

    for kind in ("indices transposed", "another activation's derivative",
                 "softmax Jacobian taken as diagonal", "extra factor", "missing transpose",
                 "another parameter's gradient", "a sign", "path"):
        assert kind in NO_EXPLANATION, kind
    assert Finding(NO_EXPLANATION).code == "NO_EXPLANATION"
