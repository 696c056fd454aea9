"""The printed backward pass of an attention head, in index form, is the engine's: ``check``
(which compares a formula with the derivation at random points) finds every rule CORRECT, in
LaTeX and in text, for a full head and for a causal one whose sums stop at the diagonal; the
rule of ∂L/∂S summed past the diagonal of a causal head is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from checkers import checker, verdict_of
from paths import ROOT
from spec_texts import load_text

from symbackprop.network.kinds.attention import attention_rules, attention_tensor_rules
from symbackprop.spec.load import load_spec

HEAD = ROOT / "specs" / "attention.yaml"
CAUSAL = """inputs: {shape: [3, 2]}
layers:
  - {name: head, kind: attention, causal: true}
loss: squared_error
"""


@pytest.fixture(scope="module")
def causal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("causal")
    load_text(folder, CAUSAL)
    return folder / "net.yaml"


def test_every_index_rule_of_the_bundled_head_is_correct_in_latex_and_text() -> None:
    rules = attention_rules(load_spec(HEAD))
    assert len(rules) == 8
    for rule in rules:
        for form in (rule.latex, rule.text):
            r = checker(HEAD).check(None, form)
            assert r.verdict == "correct", (form, r.diagnosis)


def test_every_index_rule_of_a_causal_head_is_correct(causal: Path) -> None:
    rules = attention_rules(load_spec(causal))
    assert r"\sum_{k} P_{t,k}" in rules[2].latex and "Σ_{k ≤ t}" in rules[2].text
    for rule in rules:
        r = checker(causal).check(None, rule.latex)
        assert r.verdict == "correct", (rule.latex, r.diagnosis)


def test_a_causal_row_summed_past_the_diagonal_is_not_correct(causal: Path) -> None:
    """The comparison can fail: over a causal head the rule of the full head (a sum over
    every k, which names the P_{t,k} the mask leaves out) is not CORRECT."""
    rule = attention_rules(load_spec(causal))[2].latex.replace(r"\sum_{k}", r"\sum_{k=1}^{3}")
    assert verdict_of(causal, rule) != "correct"


def test_the_tensor_form_names_the_matrices() -> None:
    text = [r.text for r in attention_tensor_rules(load_spec(HEAD))]
    assert text[:2] == ["∂L/∂P = ∂L/∂O Vᵀ", "∂L/∂V = Pᵀ ∂L/∂O"]
    assert text[-1] == "∂L/∂W^V = Xᵀ ∂L/∂V"
