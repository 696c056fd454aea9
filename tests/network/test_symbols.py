"""Real symbols made at once are the symbols ``sp.Symbol(name, real=True)`` makes."""

from __future__ import annotations

import pytest
import sympy as sp

from symbackprop.network import symbols
from symbackprop.network.symbols import real_symbols, symbol_product

NAMES = ["w_1_1_1", "w_1_1_2", "b_2_10", "x", "delta_1_1"]


def _alike(made: sp.Symbol, name: str) -> None:
    model = sp.Symbol(name, real=True)
    assert made == model and hash(made) == hash(model) and type(made) is type(model)
    assert made.assumptions0 == model.assumptions0 and sp.srepr(made) == sp.srepr(model)
    assert made.is_real and made.is_positive is None and (made ** 2).is_nonnegative
    assert {model: 1}[made] == 1


def test_symbols_made_at_once_are_sympys() -> None:
    made = real_symbols(NAMES)
    assert [s.name for s in made] == NAMES
    for sym, name in zip(made, NAMES, strict=True):
        _alike(sym, name)
    assert real_symbols([]) == []


def test_a_sympy_that_makes_symbols_otherwise_gets_its_own_way(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(symbols, "_same", lambda made, model: False)
    made = real_symbols(NAMES)
    for sym, name in zip(made, NAMES, strict=True):
        _alike(sym, name)
        assert sym is sp.Symbol(name, real=True)  # from SymPy's cache: made by sp.Symbol


PAIRS = [("b", "a"), ("a", "b"), ("delta_2_1", "out_1_3"), ("x_10", "x_9"), ("w", "δ")]


@pytest.mark.parametrize(("left", "right"), PAIRS)
@pytest.mark.parametrize("assumptions", [{"real": True}, {}, {"positive": True}])
def test_a_product_of_two_symbols_is_sympys_product(left: str, right: str,
                                                    assumptions: dict[str, bool]) -> None:
    a = real_symbols([left])[0] if assumptions == {"real": True} else \
        sp.Symbol(left, **assumptions)
    b = sp.Symbol(right, real=True)
    made, model = symbol_product(a, b), a * b
    assert made == model and made.args == model.args and hash(made) == hash(model)
    assert sp.srepr(made) == sp.srepr(model) and str(made) == str(model)
    assert made.is_commutative and (made.is_real is model.is_real)


@pytest.mark.parametrize("right", [sp.Symbol("a"), sp.Integer(3), sp.Symbol("a") + 1,
                                   sp.Symbol("n", commutative=False), sp.Dummy("d")])
def test_other_products_are_sympys_own(right: sp.Expr) -> None:
    a = sp.Symbol("a")
    assert symbol_product(a, right) == a * right
    assert str(symbol_product(a, right)) == str(a * right)
    assert symbol_product(a, None) is a
