"""The printed rule of a layer_norm layer (symbackprop.network.kinds.layer_norm): with its
own data (x̂_k, ∂L/∂x̂_k = γ_k δ_k, H and ε) put in and j set to each unit, check judges it
CORRECT against the derivation for every unit below the layer; a rule with the mean term
left out would not be."""

from __future__ import annotations

import re

import pytest
from checkers import verdict_of
from paths import SPECS

from symbackprop.network.kinds.layer_norm import norm_rules
from symbackprop.spec.load import load_spec

SPEC = SPECS / "layernorm.yaml"


def instances(latex: str) -> list[str]:
    """The rule for j = 1 … H, each name of its data replaced by its value."""
    main, _, data = latex.partition(r", \quad ")
    defs = [d.split(" = ", 1) for d in data.split(r",\ ")]
    head, _, body = main.partition(" = ")
    size = dict(defs)["H"]
    for lhs, rhs in sorted(defs, key=lambda d: -len(d[0])):  # ∂L/∂x̂_k before x̂_k
        if lhs == "H":
            body = re.sub(r"(?<=[{^])H(?=})", size, body)
            continue
        for index in ("k", "j"):
            body = body.replace(lhs.replace("_{k}", f"_{{{index}}}"),
                                rf"\left({rhs.replace('_{k}', f'_{{{index}}}')}\right)")
    return [f"{head} = {body}".replace("_{j}", f"_{{{j}}}")
            for j in range(1, int(size) + 1)]


def test_the_rule_names_x_hat_and_its_data() -> None:
    (rule,) = norm_rules(load_spec(SPEC))
    assert r"\hat{x}_{j}" in rule.latex and "H = 3" in rule.latex
    assert rule.text.startswith("∂L/∂a^{[1]}_{j} = 1/√(σ² + ε) (∂L/∂x̂_j − (1/H) Σ_k ∂L/∂x̂_k")


@pytest.mark.parametrize("j", [0, 1, 2])
def test_the_printed_rule_is_the_derivation(j: int) -> None:
    (rule,) = norm_rules(load_spec(SPEC))
    formula = instances(rule.latex)[j]
    assert r"\hat" not in formula and "H" not in formula.replace(r"\right", "")
    assert verdict_of(SPEC, formula) == "correct", formula


def test_the_rule_without_its_mean_term_is_not_the_derivation() -> None:
    (rule,) = norm_rules(load_spec(SPEC))
    wrong = rule.latex.replace(r" - \frac{1}{H} \sum_{k=1}^{H} \frac{\partial L}"
                               r"{\partial \hat{x}_{k}}", "", 1)
    assert wrong != rule.latex
    assert verdict_of(SPEC, instances(wrong)[0]) == "incorrect"
