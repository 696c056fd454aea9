"""Functions a derivation defines for itself, then uses and differentiates."""

from __future__ import annotations

import pytest
from paths import SPECS

from symbackprop.check.judging.verdict import Checker
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

HEAD = r"\frac{\partial E_{total}}{\partial w_5}"
DEFINITIONS = "s(x) = 1/(1+e^{-x})\nLet d(x) = s(x)(1 - s(x))\n"


@pytest.fixture(scope="module")
def mazur() -> Checker:
    return Checker(build_network(load_spec(SPECS / "seed-004-mazur-2-2-2.yaml")), points=6)


def test_defined_functions_are_applied_where_they_are_used(mazur: Checker) -> None:
    text = DEFINITIONS + "\n".join([
        r"\frac{\partial out_{o1}}{\partial in_{o1}} = d(in_{o1})",
        r"\frac{\partial out_{o1}}{\partial in_{o1}} = s'(in_{o1})",
        rf"{HEAD} = (out_{{o1}} - target_{{o1}}) d(in_{{o1}}) out_{{h1}}"])
    result = mazur.check_derivation(text)
    assert [s.verdict for s in result.steps] == ["definition", "definition", "correct",
                                                 "correct", "correct"]
    assert result.verdict == "correct"


def test_a_defined_function_used_in_the_wrong_place_is_wrong(mazur: Checker) -> None:
    text = DEFINITIONS + rf"{HEAD} = (out_{{o1}} - target_{{o1}}) s(in_{{o1}}) out_{{h1}}"
    result = mazur.check_derivation(text)
    assert result.verdict == "incorrect" and result.first_wrong_line == 3


def test_a_network_name_is_not_redefined(mazur: Checker) -> None:
    # w stands for the weight asked about: `w(x) = …` does not define a function
    result = mazur.check_derivation(f"w(x) = x\n{HEAD} = 2\n")
    assert all(s.verdict != "definition" for s in result.steps)
