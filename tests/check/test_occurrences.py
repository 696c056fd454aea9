"""Fixes at one place of a wrong side: a symbol written where another belongs, a sign, a
missing term; checked against sides built by hand from seed 001's closed form."""

from __future__ import annotations

import pytest
import sympy as sp
from paths import SPECS

from symbackprop.check import Checker
from symbackprop.check.diagnosis.occurrences import occurrence_fixes, places
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec


@pytest.fixture(scope="module")
def seed_001() -> Checker:
    return Checker(build_network(load_spec(SPECS / "seed-001-linear-1-1-2-1.yaml")), points=8)


def test_places_are_every_sub_expression_root_first() -> None:
    a, b, c = sp.symbols("a b c")
    found = places(a * (b + c))
    assert found[0] == (a * (b + c), ())
    assert {node for node, _ in found} == {a * (b + c), a, b + c, b, c}
    assert all(_at(a * (b + c), path) == node for node, path in found)


def _at(expr: sp.Expr, path: tuple[int, ...]) -> sp.Expr:
    for k in path:
        expr = expr.args[k]
    return expr


def _fixes(c: Checker, wrong: sp.Expr, truth: sp.Expr) -> list[str]:
    points = c.ctx.points
    pool = {s: c.net.kinds[s] for s in points.symbols
            if c.net.kinds[s] in ("param", "input", "target", "net", "out")}
    return occurrence_fixes(wrong, points.compile(truth).everywhere(), points, pool,
                            c.ctx.text_of, c.ctx.diagnoser.text)


def test_one_place_of_a_symbol_written_twice(seed_001: Checker) -> None:
    s = seed_001.net.symbol_by_name
    w111, b11 = s["w_1_1_1"], s["b_1_1"]
    w211, w221, b21, b22 = s["w_2_1_1"], s["w_2_2_1"], s["b_2_1"], s["b_2_2"]
    w311, w312, b31, x = s["w_3_1_1"], s["w_3_1_2"], s["b_3_1"], s["x"]
    first = w111 * x + b11

    def closed(a: sp.Expr, b: sp.Expr, bias: sp.Expr = b31, inner: sp.Expr = b21) -> sp.Expr:
        return w311 * (a * first + inner) + w312 * (b * first + b22) + bias

    truth = closed(w211, w221)
    assert _fixes(seed_001, closed(w211, w211), truth) == [
        "replacing w^{[2]}_{1,1} by w^{[2]}_{2,1} in b^{[2]}_2 + "
        "w^{[2]}_{1,1}·(b^{[1]}_1 + w^{[1]}_{1,1}·x) makes it correct"]
    assert _fixes(seed_001, closed(w211, w221, bias=0), truth) == [
        "adding b^{[3]}_1 makes it correct: a term is missing"]
    assert _fixes(seed_001, closed(w211, w221, inner=0), truth) == [
        "adding b^{[2]}_1 to w^{[2]}_{1,1}·(b^{[1]}_1 + w^{[1]}_{1,1}·x) makes it correct: "
        "a term is missing"]
    assert _fixes(seed_001, closed(w211, w221, bias=-b31), truth) == [
        "with b^{[3]}_1 for −b^{[3]}_1 it holds"]
    assert _fixes(seed_001, 2 * truth, truth) == []  # not one place: another diagnosis
