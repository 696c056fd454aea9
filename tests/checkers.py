"""One checker per spec, built once for the test session: building one derives every
gradient and draws the sample points, which the tests of a module share."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from paths import DATA, SPECS

from symbackprop.check import Checker
from symbackprop.errors import FormulaError
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec


@cache
def checker(spec: str | Path) -> Checker:
    """The checker of ``spec``: a path, or the name of a bundled spec in specs/ or of a spec
    in tests/data/derivations/."""
    if isinstance(spec, Path):
        path = spec
    else:
        path = SPECS / spec if (SPECS / spec).exists() else DATA / "derivations" / spec
    return Checker(build_network(load_spec(path)))


def named_mistake(spec: str | Path, formula: str, code: str) -> None:
    """``formula`` is INCORRECT on ``spec``, the mistake named by ``code``, with a
    counterexample."""
    r = checker(spec).check(None, formula)
    assert r.verdict == "incorrect"
    assert code in r.codes, list(zip(r.codes, r.diagnosis, strict=True))
    assert r.counterexample is not None


def verdict_of(spec: str | Path, formula: str) -> str:
    """The verdict ``check`` gives ``formula`` on ``spec``, or "error" when it cannot read it."""
    try:
        return checker(spec).check(None, formula).verdict
    except FormulaError:
        return "error"


GENERIC_STEP = re.compile(r"\^\{?\(t(?:[+-]1)?\)")
POOL_WINDOW = re.compile(r"(?:\\in|∈)\s*W_\{i,j\}|^\s*W_\{i,j\}\s*&?=")
DROPOUT_MASK = re.compile(r"\\frac\{m_\{[^}]*\}\}\{p\}|\(m_\{[^}]*\} / p\)|^\s*m\s*&?=\s*\(")
TOKEN_SUM = re.compile(r"\\mathrm\{token\}|token_t = v|token = \(")
ATTENTION_TENSOR = re.compile(r"\\partial (?:[QKVSPO]|W\^\{[QKV]\})\}\s*&?=|"
                              r"∂L/∂(?:[QKVSPO]|W\^[QKV]) =")
BATCH_DATA = re.compile(r"m\s*&?= \d+,(?:\\ | \\quad )\\epsilon = ")
NORM_RULE = re.compile(r"\\hat\{x\}|x̂_")


def in_generic_step(text: str) -> bool:
    """Whether a printed line writes a recurrent network's quantities at a generic step t
    (``h^{(t)}_1``, ``h^(t+1)_k``): BPTT's sums over time and its recurrence, which check
    does not read yet (its names are those of one step each). Those lines are compared with
    the derivation by expanding them step by step (tests/network/kinds/test_recurrent.py)."""
    return GENERIC_STEP.search(text) is not None


def in_printed_rule(text: str) -> bool:
    """Whether a printed line is a layer kind's rule over positions or steps that check does
    not read yet: BPTT at a generic step t (:func:`in_generic_step`), or max pooling's δ
    routed over the windows W_{i,j} that hold a position (set-builder notation), or dropout's
    δ scaled by m_j / p with the mask and p as data, or an embedding row's sum over the
    positions of its token, an attention head's backward pass in tensor form (∂L/∂S of the
    whole matrix), a batch_norm layer's result with its m and ε as data, or a layer_norm
    layer's rule with x̂ named. The pooling rule is compared with the derivation window by
    window (tests/network/kinds/test_pool.py), the dropout and embedding rules unit by unit and
    entry by entry (tests/network/kinds/test_dropout.py, test_embedding.py), the batch_norm
    results read back without their data (tests/check/test_batch_norm_formulas.py), the
    layer_norm rule unit by unit with its data put in (tests/network/kinds/test_layer_norm.py)."""
    return in_generic_step(text) or POOL_WINDOW.search(text) is not None or \
        DROPOUT_MASK.search(text) is not None or TOKEN_SUM.search(text) is not None or \
        ATTENTION_TENSOR.search(text) is not None or BATCH_DATA.search(text) is not None or \
        NORM_RULE.search(text) is not None


GATED_SPECS = ("lstm", "gru")


def skip_gated_closed_forms(spec: Path, form: str, *, delta_too: bool = False) -> None:
    """Skip reading back the chain and closed forms of the bundled LSTM and GRU: their
    unrolled expressions (100 kB of LaTeX) take check many minutes to judge. Their δ form
    takes minutes too: it is read back once, in LaTeX (``delta_too`` skips it elsewhere)."""
    if spec.stem in GATED_SPECS and (form != "delta" or delta_too):
        pytest.skip(f"the {form} form of {spec.stem} takes check minutes to judge; its δ form "
                    "is read back in LaTeX (tests/check/test_readback.py)")
