"""Losses: the expressions and their derivatives are the textbook ones."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symbackprop.network.losses import loss_expression
from symbackprop.spec.load import LossSpec

a1, a2, y1, y2 = sp.symbols("a1 a2 y1 y2", real=True)


def test_half_squared_error_derivative_is_a_minus_y() -> None:
    loss = loss_expression(LossSpec("squared_error", Fraction(1, 2), "sum"), [a1, a2], [y1, y2])
    assert sp.expand(sp.diff(loss, a1) - (a1 - y1)) == 0


def test_mean_squared_error_divides_by_outputs() -> None:
    loss = loss_expression(LossSpec("squared_error", Fraction(1), "mean"), [a1, a2], [y1, y2])
    assert sp.expand(loss - ((y1 - a1) ** 2 + (y2 - a2) ** 2) / 2) == 0


def test_binary_cross_entropy_derivative() -> None:
    loss = loss_expression(LossSpec("binary_cross_entropy", Fraction(1), "sum"), [a1], [y1])
    expected = (a1 - y1) / (a1 * (1 - a1))
    assert sp.simplify(sp.diff(loss, a1) - expected) == 0


def test_cross_entropy() -> None:
    loss = loss_expression(LossSpec("cross_entropy", Fraction(1), "sum"), [a1, a2], [y1, y2])
    assert sp.diff(loss, a2) == -y2 / a2
