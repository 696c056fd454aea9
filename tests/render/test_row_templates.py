"""Keys of row shapes: the order of names and what the printers see of them."""

from __future__ import annotations

from itertools import permutations

import pytest

from symbackprop.render.row_templates import (
    Fallback,
    Names,
    look,
    order3,
    order_of,
    shape_key,
)


@pytest.mark.parametrize("names", list(permutations(["a_0_1", "delta_1_2", "w_1_2_1"])))
def test_three_names_are_ordered_as_sorting_orders_them(names: tuple[str, str, str]) -> None:
    assert order3(*names) == order_of(names)


def test_a_key_holds_the_order_and_the_looks() -> None:
    names = Names(("w_1_2_1", "delta_1_2", "a_0_1"),
                  (r"w^{[1]}_{2,1}", r"\delta^{[1]}_{2}", "x"))
    assert shape_key("weight", 1, names) == ("weight", 1, (2, 1, 0), (
        (True, True, 0, True), (True, True, 0, False), (False, False, 2, True)))
    assert look("x_{1}") == (False, True, 0, True) and look("x") == (False, False, 2, True)
    assert look(r"\mathrm{wt}") == (False, False, 1, True)
    assert look(r"\mathrm{out}_{h1}") == (False, True, 0, True)
    with pytest.raises(Fallback):
        shape_key("weight", 1, Names(("w", "w", "a"), ("w", "w", "a")))


def test_a_skeleton_is_an_expression_up_to_its_placeholders() -> None:
    import sympy as sp

    from symbackprop.render.row_templates import placeholder, skeleton

    w, a, d = placeholder(0, "w_{1}"), placeholder(1, "x"), placeholder(2, "x^{2}")
    v, b = placeholder(3, "w_{2}"), placeholder(4, "x")
    y = sp.Symbol("y", real=True)
    with sp.evaluate(False):
        wa, vb, aw = sp.Mul(w, a), sp.Mul(v, b), sp.Mul(a, w)
        wy = sp.Mul(w, y)
    # each by the ranks of its own placeholders, in the order of their names
    assert skeleton(wa, {w: 0, a: 1}) == skeleton(vb, {v: 0, b: 1})
    assert skeleton(wa, {w: 0, a: 1}) != skeleton(aw, {w: 0, a: 1})  # the factors' order
    wd = sp.Mul(w, d, evaluate=False)
    assert skeleton(wa, {w: 0, a: 1}) != skeleton(wd, {w: 0, d: 1})  # how a name looks
    assert skeleton(wa, {w: 0, a: 1}) != skeleton(wy, {w: 0})  # a symbol is itself
    assert skeleton(sp.Mul(a, w, evaluate=False), {w: 0, a: 1}) != skeleton(
        sp.Mul(b, v, evaluate=False), {b: 0, v: 1})  # ranks by name, not by position
    # an object whose equality is more than its arguments has no skeleton
    assert skeleton(sp.Subs(w * y, y, 1), {w: 0}) is None


def test_a_sharing_printer_prints_as_its_base_with_one_print_per_alike_product() -> None:
    import sympy as sp

    from symbackprop.render.printing import NetworkLatexPrinter
    from symbackprop.render.row_templates import (
        MARK,
        RANK0,
        Template,
        placeholder,
        sharing_printer,
        skeleton,
    )

    looks_of = ["w_{1}", "x", "w^{[1]}_{2}", r"\mathrm{in}", "z_{3}", "b", "v_{2}", "y"]
    phs = [placeholder(k, t) for k, t in enumerate(looks_of)]
    w1, x, w2, word, z, b, v, y = phs
    with sp.evaluate(False):
        total = sp.Add(sp.Mul(w1, x), sp.Mul(w2, word), sp.Mul(w1, word), sp.Pow(z, 2), b)
        eq = sp.Eq(z, total)
    base = NetworkLatexPrinter(None)
    printed: list[object] = []
    shared: dict[object, Template] = {}

    def template_of(expr: sp.Expr) -> Template:
        own = sorted(expr.free_symbols, key=lambda s: s.name)
        key = skeleton(expr, {s: k for k, s in enumerate(own)})
        if key not in shared:
            printed.append(expr)
            parts = MARK.split(base._print(expr))
            shared[key] = Template(tuple(parts[0::2]), tuple(
                sorted(own, key=lambda s: s.name).index(phs[ord(c) - RANK0])
                for c in parts[1::2]))
        found = shared[key]
        return Template(found.literals, tuple(phs.index(own[k]) for k in found.slots))

    sharing = sharing_printer(base, phs, template_of)
    assert sharing.doprint(eq) == base.doprint(eq)
    # a placeholder looks like its name in its caret and final digit (the shape's key holds
    # the rest): w_1 x and w_1 \mathrm{in} share a print, w^{[1]}_2 \mathrm{in} has its own
    assert len(printed) == 2
    with sp.evaluate(False):
        # v_2 y as w_1 x: in name order, a final digit and none
        alike = sp.Add(sp.Mul(w1, x), sp.Mul(v, y))
    assert sharing.doprint(alike) == base.doprint(alike) and len(printed) == 2
