"""check on specs of formula nodes: gradients, chain factors and δ of the nodes, each judged
against derivatives worked out by hand, and mutants of them (a factor left out, 1 for x, a
parameter's gradient for another's) judged INCORRECT."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.check import check_formula
from symbackprop.check.judging.verdict import Checker, checker_for

# h = tanh(m x + c), y = m h² + c, L = (t − y)²: by hand, ∂L/∂y = 2(y − t),
# ∂y/∂h = 2 m h, ∂h/∂m = x (1 − h²), ∂h/∂c = 1 − h², ∂y/∂m = h², ∂y/∂c = 1
DEEP = """inputs: [x]
params: [m, c]
nodes:
  h: "tanh(m*x + c)"
  y: "m*h^2 + c"
targets: {y: t}
loss: "(t - y)^2"
"""


@pytest.fixture(scope="module")
def line() -> Checker:
    return checker_for(str(SPECS / "seed-001-mx-plus-c.yaml"))


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> Checker:
    path: Path = tmp_path_factory.mktemp("nodes") / "deep.yaml"
    path.write_text(DEEP, encoding="utf-8")
    return checker_for(str(path))


@pytest.mark.parametrize(("formula", "verdict"), [
    ("dL/dm = 2*(y - t)*x", "CORRECT"),
    ("dL/dm = -2*(t - y)*x", "CORRECT"),
    ("dL/dc = 2*(y - t)", "CORRECT"),
    ("dz_y/dm = x", "CORRECT"),
    ("dz_y/dc = 1", "CORRECT"),
    ("dL/dm = (y - t)*x", "INCORRECT"),     # the factor 2 left out
    ("dL/dm = 2*(y - t)", "INCORRECT"),     # 1 for x: ∂L/∂c
    ("dz_y/dm = 1", "INCORRECT"),
    ("dL/dc = 2*(y - t)*x", "INCORRECT"),
])
def test_the_line_y_equals_mx_plus_c(line: Checker, formula: str, verdict: str) -> None:
    assert check_formula(line, None, formula).verdict == verdict.lower()


@pytest.mark.parametrize(("formula", "verdict"), [
    ("dL/dm = 2*(y - t)*(h^2 + 2*m*h*x*(1 - h^2))", "CORRECT"),
    ("dL/dc = 2*(y - t)*(1 + 2*m*h*(1 - h^2))", "CORRECT"),
    ("dz_y/dh = 2*m*h", "CORRECT"),
    ("dz_h/dm = x*(1 - h^2)", "CORRECT"),
    ("delta_h = delta_y*2*m*h", "CORRECT"),  # h is its own net input: the tanh is in it
    ("dL/dm = 2*(y - t)*(h^2 + m*h*x*(1 - h^2))", "INCORRECT"),  # the 2 of h² lost
    ("dL/dm = 2*(y - t)*h^2", "INCORRECT"),  # the path through h left out
    ("dL/dc = 2*(y - t)*(1 + 2*m*h)", "INCORRECT"),  # tanh′ left out
    ("dz_y/dh = m*h", "INCORRECT"),
])
def test_a_tanh_node_read_by_a_square(deep: Checker, formula: str, verdict: str) -> None:
    assert check_formula(deep, None, formula).verdict == verdict.lower()
