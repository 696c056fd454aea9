"""The network written as functions: f_{W,B}(x), L(a, y) and J(W, B) in the spec's meaning."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.check import Checker
from symbackprop.errors import FormulaError
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec

SEED_001 = "seed-001-linear-1-1-2-1.yaml"
_checkers: dict[str, Checker] = {}


def checker(spec: str | Path) -> Checker:
    key = str(spec)
    if key not in _checkers:
        path = spec if isinstance(spec, Path) else SPECS / spec
        _checkers[key] = Checker(build_network(load_spec(path)), points=8)
    return _checkers[key]


def verdict(formula: str, spec: str | Path = SEED_001) -> str:
    return checker(spec).check(None, formula).verdict


@pytest.mark.parametrize(("formula", "expected"), [
    (r"f(x) = a^{[3]}_1", "correct"),
    (r"f(x) = a^{[2]}_1", "incorrect"),
    (r"f_{W,b}(x) = w^{[3]}_{1,1} a^{[2]}_1 + w^{[3]}_{1,2} a^{[2]}_2 + b^{[3]}_1", "correct"),
    (r"f_{\mathbf{W}, \mathbf{b}}(x) = z^{[3]}_1", "correct"),
    (r"f_{\theta}(x) = a^{[3]}_1 - b^{[3]}_1", "incorrect"),
    # another argument: the closed form with it in place of the input
    (r"f(2) = b^{[3]}_1 + w^{[3]}_{1,1}(b^{[2]}_1 + w^{[2]}_{1,1}(b^{[1]}_1 + 2 w^{[1]}_{1,1}))"
     r" + w^{[3]}_{1,2}(b^{[2]}_2 + w^{[2]}_{2,1}(b^{[1]}_1 + 2 w^{[1]}_{1,1}))", "correct"),
    (r"f(2) = f(x)", "incorrect"),
    (r"L(\hat{y}, y) = (y - \hat{y})^2", "correct"),
    (r"L(a^{[3]}_1, y) = L", "correct"),
    (r"L(f(x), 0) = f(x)^2", "correct"),
    (r"L(y, f(x)) = (y - f(x))^2", "correct"),  # a square: the order does not show
    (r"L(f(x), y) = \frac{1}{2}(y - f(x))^2", "incorrect"),
    (r"J(\boldsymbol{\theta}) = \frac{1}{m}\sum_{i=1}^{m} L^{(i)}", "correct"),
    (r"J(w, b) = \frac{1}{m}\sum_{i=1}^{m} (y^{i} - f(x^{i}))^2", "correct"),
    (r"J(\textbf{W}, \textbf{B}) = \frac{1}{m}\sum_{i=1}^{m} L(f(x^{(i)}), y^{(i)})", "correct"),
    (r"J(\textbf{W}, \textbf{B}) = \frac{1}{m}\sum_{i=1}^{m} L(f(x^i), y)", "incorrect"),
])
def test_seed_001_calls_hold_in_the_networks_meaning(formula: str, expected: str) -> None:
    assert verdict(formula) == expected


def test_each_reading_is_said_and_the_collections_are_no_parameter() -> None:
    result = checker(SEED_001).check(None, r"J(\textbf{W}, \textbf{B}) = \frac{1}{m}"
                                           r"\sum_{i=1}^m L(f_{\textbf{W}, \textbf{B}}(x^i), y^i)")
    (only,) = result.steps
    assert only.instances is None  # W is not "every weight in turn"
    assert "read `J(W, B)` as the cost J (W: the 5 weights, B: the 4 biases)" in only.notes
    closed = checker(SEED_001).check(None, r"f_{\textbf{W}}(3) = z^{[3]}_1")
    assert closed.steps[0].notes == (
        "read `f_{\\textbf{W}}(…)` as the network's output a^{[3]}_1 with its argument in place "
        "of x (W: the 5 weights, 4 other parameters taken as they are)",)


@pytest.mark.parametrize(("spec", "formula", "message"), [
    # several outputs: f(x) and L(a, y) do not say which
    ("seed-004-mazur-2-2-2.yaml", r"f(i_1, i_2) = out_{o1}",
     "is the output of a network with one output; this one has 2 (out_o1, out_o2)"),
    ("seed-004-mazur-2-2-2.yaml", r"E_{total}(out_{o1}, target_{o1}) = 1",
     "is the loss of a network with one output"),
    # seed 000's f is its output's activation: never also the network
    ("seed-000-renom-1-2-1.yaml", r"f_{\textbf{W}}(u) = y",
     "cannot be the network as a function: f is the activation function of the spec"),
    ("seed-000-renom-1-2-1.yaml", r"E(\textbf{W}, \textbf{B}) = 1",
     "`B` in `E`: the network has no biases"),
    (SEED_001, r"f(x, y) = 1", "takes the network's 1 input (x)"),
    (SEED_001, r"f_{\textbf{W}, x}(x) = 1", "the subscript of `f_{\\textbf{W}, x}` lists"),
    (SEED_001, r"f_{\textbf{W}, \textbf{__import__}}(x) = 1", "lists the parameters"),
    (SEED_001, r"f'(x) = 1", "the derivative of the network as a function is not supported"),
    (SEED_001, r"J(x, y) = 1", "the cost `J` is a function of the parameters"),
    (SEED_001, r"L(\textbf{W}, \textbf{B}) = 1", "the loss `L` of one example is a function"),
    (SEED_001, r"L(f(x), y, 1) = 1", "the loss `L` takes the output and the target"),
    (SEED_001, r"a^{[3]}_1(x, y) = 1", "`a^{[3]}_1` is not a function of several arguments"),
])
def test_calls_that_cannot_be_read_say_why(spec: str, formula: str, message: str) -> None:
    with pytest.raises(FormulaError, match=re.escape(message)):
        checker(spec).check(None, formula)


def test_seed_000_loss_and_cost_share_their_name() -> None:
    """Seed 000 names both E: E(W) with the weights is the cost, E(y, r) the loss."""
    spec = "seed-000-renom-1-2-1.yaml"
    assert verdict(r"E(\textbf{W}) = \frac{1}{D}\sum_{i=1}^{D} E^{(i)}", spec) == "correct"
    assert verdict(r"E(y, r) = (r - y)^2/2", spec) == "correct"
    assert verdict(r"f(z) = y", spec) == "correct"  # the spec's own activation f


def _variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (SPECS / SEED_001).read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_spec_names_the_network_function(tmp_path: Path) -> None:
    """``notation.function`` gives the network's function its name (f by default); f then
    names nothing."""
    spec = _variant(tmp_path, "named.yaml", '  cost: "J"\n', '  cost: "J"\n  function: "F"\n')
    assert verdict(r"F_{\textbf{W},\textbf{B}}(x) = a^{[3]}_1", spec) == "correct"
    assert verdict(r"J(\textbf{W}, \textbf{B}) = \frac{1}{m}\sum_{i=1}^m L(F(x^i), y^i)",
                   spec) == "correct"
    with pytest.raises(FormulaError, match="unknown function `f`"):
        checker(spec).check(None, r"f(x) = a^{[3]}_1")


def test_a_collection_letter_the_network_uses_is_an_error(tmp_path: Path) -> None:
    """An input called B: J(W, B) would mean it, so it is an error, never the biases."""
    spec = _variant(tmp_path, "input-b.yaml", 'inputs: {x: "x"}', 'inputs: {B: "B"}')
    with pytest.raises(FormulaError, match="`B` in `J` names B of the network, not its biases"):
        checker(spec).check(None, r"J(\textbf{W}, \textbf{B}) = 1")
    assert verdict(r"f(B) = a^{[3]}_1", spec) == "correct"
