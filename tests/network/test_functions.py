"""Activation functions: derivative identities hold, printing and numerics are right."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from symbackprop.network.functions import (
    ACTIVATIONS,
    leaky_relu,
    relu,
    sigmoid,
    softmax,
    softplus,
    step,
    unspecified,
)

z = sp.Symbol("z", real=True)


def test_sigmoid_derivative_is_sigma_one_minus_sigma() -> None:
    assert sp.diff(sigmoid(z), z) == sigmoid(z) * (1 - sigmoid(z))


@pytest.mark.parametrize("fn", [sigmoid, softplus])
def test_derivative_identity_agrees_with_exp_form(fn: type[sp.Function]) -> None:
    symbolic = sp.diff(fn(z), z).rewrite(sp.exp)
    by_hand = sp.diff(fn(z).rewrite(sp.exp), z)
    for x in (-3.5, -0.2, 0.0, 0.7, 4.0):
        assert abs(float((symbolic - by_hand).subs(z, sp.Rational(str(x))).evalf(30))) < 1e-25


def test_tanh_derivative_identity() -> None:
    assert sp.diff(sp.tanh(z), z) == 1 - sp.tanh(z) ** 2


def test_relu_and_leaky_relu_evaluate_piecewise() -> None:
    assert relu(sp.Integer(3)) == 3
    assert relu(sp.Integer(-3)) == 0
    assert sp.diff(relu(z), z) == step(z)
    a = sp.Rational(1, 10)
    assert leaky_relu(sp.Integer(-2), a) == sp.Rational(-1, 5)
    assert sp.diff(leaky_relu(z, a), z).subs(z, -1) == a
    assert sp.diff(leaky_relu(z, a), z).subs(z, 2) == 1


def test_softmax_jacobian_matches_exp_form() -> None:
    zs = sp.symbols("z1:4", real=True)
    point = {zs[0]: sp.Rational(3, 10), zs[1]: sp.Rational(-6, 5), zs[2]: sp.Integer(2)}
    for k in range(3):
        for i in range(3):
            ours = sp.diff(softmax(k, *zs), zs[i]).rewrite(sp.exp)
            ref = sp.diff(softmax(k, *zs).rewrite(sp.exp), zs[i])
            assert abs(float((ours - ref).subs(point).evalf(30))) < 1e-25


def test_unspecified_activation_keeps_f_prime() -> None:
    f = unspecified("f")
    d = sp.diff(f(z), z)
    assert sp.latex(d) == r"f'\left(z\right)"
    assert sp.sstr(d) == "f'(z)"
    assert unspecified("f") is f


@pytest.mark.parametrize(("name", "latex"), [
    ("g", "g"), ("phi", r"\phi"), ("varphi", r"\varphi"), ("act", r"\operatorname{act}"),
    ("sigma_hat", r"\operatorname{sigma\_hat}")])
def test_unspecified_functions_are_set_as_a_name_not_as_letters(name: str, latex: str) -> None:
    # phi(z) in math italic reads p·h·i(z): Greek names are Greek letters, words upright
    f = unspecified(name)
    assert sp.latex(f(z)) == latex + r"\left(z\right)"
    assert sp.latex(sp.diff(f(z), z)) == latex + r"'\left(z\right)"
    assert sp.sstr(sp.diff(f(z), z)) == f"{name}'(z)"


def test_latex_names() -> None:
    assert sp.latex(sigmoid(z)) == r"\sigma\left(z\right)"
    assert sp.latex(sigmoid(z) ** 2) == r"\sigma^{2}\left(z\right)"
    assert "softmax" in sp.latex(softmax(0, z, z))


def test_evalf_matches_mpmath() -> None:
    assert abs(float(sigmoid(sp.Float(0.3)).evalf()) - float(1 / (1 + mpmath.exp(-0.3)))) < 1e-15


def test_registry_has_every_documented_activation() -> None:
    from symbackprop.spec.model import ACTIVATION_ALIASES, ACTIVATION_KINDS

    for name in ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "identity", "softplus",
                 "softmax", "logistic"):
        assert ACTIVATION_ALIASES.get(name, name) in ACTIVATIONS
    # the spec's vocabulary and the network's registry name exactly the same activations
    assert set(ACTIVATIONS) == set(ACTIVATION_KINDS)
    assert set(ACTIVATION_ALIASES.values()) <= set(ACTIVATION_KINDS)
