"""Names: templates expand, LaTeX names map to identifiers deterministically."""

from __future__ import annotations

import pytest

from symbackprop.spec.naming import auto_latex, expand, plain_name


@pytest.mark.parametrize("latex, plain", [
    ("in_{h1}", "in_h1"), ("out_{h_{1}}", "out_h_1"), ("w^{[2]}_{1,1}", "w_2_1_1"),
    ("x_{1,in}", "x_1_in"), ("y'", "y_prime"), (r"\delta_{o1}", "delta_o1"),
    ("E_{total}", "E_total"), ("z^{3}_{2}", "z_3_2"), ("lambda", "lambda_"),
])
def test_plain_name(latex: str, plain: str) -> None:
    assert plain_name(latex) == plain
    assert plain_name(latex).isidentifier()


def test_expand_leaves_latex_braces() -> None:
    assert expand("z^{[{layer}]}_{{index}}", layer=2, index=1) == "z^{[2]}_{1}"
    assert expand("w^{[{layer}]}_{{j},{k}}", layer=3, j=1, k=2) == "w^{[3]}_{1,2}"


@pytest.mark.parametrize("name, latex", [("w5", "w_{5}"), ("w_a", "w_{a}"), ("b", "b"),
                                         ("E_total", "E_{total}"), ("i12", "i_{12}")])
def test_auto_latex(name: str, latex: str) -> None:
    assert auto_latex(name) == latex
