"""Names: templates expand, LaTeX names map to identifiers deterministically, and one
authority gives every quantity its own name or says which two clash."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import SPECS

from symbackprop.check.reading.tokens import FUNCTION_WORDS
from symbackprop.errors import SpecError
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import ACTIVATION_ALIASES, ACTIVATION_KINDS
from symbackprop.spec.naming import (
    FUNCTION_NAMES,
    NameAuthority,
    NameClash,
    auto_latex,
    expand,
    plain_name,
)


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
                                         ("E_total", "E_{total}"), ("i12", "i_{12}"),
                                         ("wq2q", r"\mathrm{wq2q}"), ("x1y2", r"\mathrm{x1y2}")])
def test_auto_latex(name: str, latex: str) -> None:
    assert auto_latex(name) == latex


# ------------------------------------------------------------------ the naming authority


def test_authority_refuses_one_name_for_two_roles() -> None:
    names = NameAuthority()
    names.claim("parameter", "delta_2_1", "delta_2_1", "delta_{2,1}", where=("w",))
    with pytest.raises(NameClash) as info:
        names.claim("delta", "u2_1", "delta_2_1", r"\delta^{[2]}_{1}", where=("d",))
    assert "the δ of `u2_1`" in info.value.message
    assert "the parameter `delta_2_1`" in info.value.message
    assert info.value.where == ("d",) and info.value.first == ("w",)


def test_authority_compares_names_as_python_does() -> None:
    names = NameAuthority()
    names.claim("input", "x", "x", "x", where=None)
    with pytest.raises(NameClash, match="NFKC"):
        names.claim("parameter", "ｘ", "ｘ", "w", where=None)


def test_authority_refuses_two_quantities_printed_alike() -> None:
    names = NameAuthority()
    names.claim("input", "x1", "x1", "x_{1}", where=None)
    with pytest.raises(NameClash, match="print"):
        names.claim("parameter", "x_1", "x_1", "x_1", where=None)


@pytest.mark.parametrize("word", sorted(FUNCTION_NAMES))
def test_no_quantity_takes_a_function_name(word: str) -> None:
    with pytest.raises(NameClash, match="built-in function"):
        NameAuthority().claim("parameter", word, word, "w", where=None)


def test_unspecified_function_reserves_its_derivative_name() -> None:
    names = NameAuthority()
    names.claim_function("f", where=None)
    with pytest.raises(NameClash, match="derivative"):
        names.claim("parameter", "f_prime", "f_prime", "v", where=None)
    with pytest.raises(NameClash, match="built-in function"):
        names.claim_function("sigmoid", where=None)


def test_shared_quantities_keep_one_name() -> None:
    names = NameAuthority()
    first = names.claim("parameter", "b1", "b1", "b_{1}", where=None)
    assert names.claim("parameter", "b1", "b1", "b_{1}", where=None) is first
    names.claim("net input", "o", "z", "z", where=None)
    names.claim("activation", "o", "z", "z", where=None, shares=("net input", "o"))
    with pytest.raises(NameClash):
        names.claim("activation", "p", "z", "z", where=None)
    names.claim("loss", "", "E", "E", where=None)
    names.claim("cost", "", "E", "E", where=None, shares=("loss", ""))
    assert {q.role for q in names.names().quantities} == {
        "parameter", "net input", "activation", "loss", "cost"}


def test_every_function_word_a_formula_may_use_is_reserved() -> None:
    # a single letter (H for the step function) stays free: the formula reader prefers a
    # quantity of that name, and reserving it would refuse ordinary specs
    words = {w for w in FUNCTION_WORDS if len(w) > 1} | set(FUNCTION_WORDS.values())
    assert words <= FUNCTION_NAMES
    assert set(ACTIVATION_KINDS) | set(ACTIVATION_ALIASES) <= FUNCTION_NAMES


# ----------------------------------------------------------------- clashes in real specs

_TWO_LAYERS = ("inputs: [x1]\nlayers:\n  - {{size: 1, activation: {act}}}\n"
               "  - {{size: 1, activation: sigmoid, weights: [[{w}]]}}\nloss: squared_error\n")


@pytest.mark.parametrize("text, line, message", [
    (_TWO_LAYERS.format(act="sigmoid", w="delta_2_1"), 4,
     "`delta_2_1` would name both the parameter `delta_2_1` and the δ of `u2_1`"),
    (_TWO_LAYERS.format(act="sigmoid", w="a_1_1"), 4, "the activation of `u1_1`"),
    (_TWO_LAYERS.format(act="sigmoid", w="z_2_1"), 4, "the net input of `u2_1`"),
    (_TWO_LAYERS.format(act="sigmoid", w="y_1"), 4, "the target of `u2_1`"),
    (_TWO_LAYERS.format(act="sigmoid", w="L"), 4, "the loss"),
    (_TWO_LAYERS.format(act="sigmoid", w="alpha") + "values: {learning_rate: 0.1}\n", 4,
     "the learning rate"),
    (_TWO_LAYERS.format(act="f", w="f"), 4, "the unspecified function `f`"),
    (_TWO_LAYERS.format(act="g", w="g_prime"), 4, "the derivative `g'`"),
    (_TWO_LAYERS.format(act="tanh", w="tanh"), 4, "the built-in function `tanh`"),
    (_TWO_LAYERS.format(act="tanh", w="sigmoid"), 4, "the built-in function `sigmoid`"),
    (_TWO_LAYERS.format(act="{kind: unspecified, name: sigmoid}", w="w"), 3,
     "`sigmoid` is a built-in function"),
    (_TWO_LAYERS.format(act="{kind: unspecified, name: exp}", w="w"), 3,
     "`exp` is a built-in function"),
    (_TWO_LAYERS.format(act="sigmoid", w="x_1"), 4, "exactly like the input `x1`"),
    ("inputs: [x, ｘ]\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n", 1,
     "inputs `x` and `ｘ` are one name to Python"),
    ("inputs: [x]\nlayers: [{units: [ｘ], activation: tanh}]\nloss: squared_error\n", 2,
     "unit name `ｘ` is already used"),
    ("inputs: [inputs]\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n", 1,
     "`inputs` cannot name an input"),
    ("inputs: [x]\nlayers:\n  - {name: h, units: [h], activation: tanh}\n"
     "  - {size: 1, activation: tanh}\nloss: squared_error\n", 3,
     "`h` names both a layer and a unit"),
    ("inputs: [x]\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n"
     "cost: {examples: x}\n", 1, "the number of examples"),
    ("notation: {delta: 'a_{{index}}', activation: 'a_{{index}}'}\ninputs: [x]\n"
     "layers: [{size: 1, activation: tanh}]\nloss: squared_error\n", 3, "the δ of `u1_1`"),
])
def test_name_clashes_are_located_errors(tmp_path: Path, text: str, line: int,
                                         message: str) -> None:
    p = tmp_path / "net.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(p)
    assert message in info.value.message
    assert info.value.line == line
    assert info.value.field


@pytest.mark.parametrize("text, line", [
    ("inputs: [lambda]\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n", 1),
    ("inputs: [x]\nlayers: [{size: 1, activation: tanh, bias: class}]\nloss: squared_error\n",
     2),
    ("inputs: [x]\nlayers: [{size: 1, activation: tanh, weights: [[None]]}]\n"
     "loss: squared_error\n", 2),
    ("inputs: {def: x}\nlayers: [{size: 1, activation: tanh}]\nloss: squared_error\n", 1),
])
def test_a_python_keyword_is_refused_as_a_keyword(tmp_path: Path, text: str, line: int
                                                   ) -> None:
    p = tmp_path / "net.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(p)
    assert "is a Python keyword" in (info.value.hint or "")
    assert info.value.line == line


def test_template_names_that_collide_are_an_error(tmp_path: Path) -> None:
    # w^{2}_{1 11} and w^{2}_{11 1} both read w_2_111 when the indices are not separated
    p = tmp_path / "net.yaml"
    p.write_text("notation: {weight: 'w^{{layer}}_{{j}{k}}'}\ninputs: {size: 11}\n"
                 "layers: [{size: 11, activation: tanh}]\nloss: squared_error\n")
    with pytest.raises(SpecError, match="two different weights would both be named `w_1_111`"):
        load_spec(p)
    p.write_text(p.read_text().replace("{j}{k}", "{j},{k}"))
    assert len(load_spec(p).params) == 11 * 11 + 11


def test_an_unnamed_skip_edge_gets_a_weight_of_its_own(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_text("inputs: [x1]\nlayers:\n  - {size: 1, activation: tanh}\n"
                 "  - {size: 1, activation: tanh}\nedges:\n  - {from: x1, to: u2_1}\n"
                 "loss: squared_error\n")
    spec = load_spec(p)
    weights = [e.weight for e in spec.edges]
    assert len(weights) == len(set(weights)) == 3
    assert "w_2_1_x1" in weights


def test_a_source_listed_twice_in_from_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_text("inputs: [x1, x2]\nlayers:\n  - {name: h, units: [h1, h2], activation: tanh}\n"
                 "  - {size: 1, activation: tanh, from: [h, h1]}\nloss: squared_error\n")
    with pytest.raises(SpecError, match="`h1` is already a source") as info:
        load_spec(p)
    assert info.value.line == 4 and info.value.field == "layers[1].from[1]"


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_network_symbols_are_the_names_the_authority_gave(path: Path) -> None:
    spec = load_spec(path)
    net = build_network(spec)
    by_role = {(q.role, q.owner): q.name for q in spec.names.quantities}
    for unit in net.units:
        assert unit.net.name == by_role[("net input", unit.name)]
        assert unit.out.name == by_role[("activation", unit.name)]
        assert unit.delta.name == by_role[("delta", unit.name)]
    assert [p.name for p in net.params] == [by_role[("parameter", p.name)] for p in spec.params]
    assert net.loss_symbol.name == by_role[("loss", "")]
    # no two quantities share a symbol, except a linear unit's net input and activation
    shared = {u.name for u in net.units if u.net == u.out}
    symbols = [s for s in net.latex_names if s.name not in {net.unit_by_name[n].net.name
                                                            for n in shared}]
    assert len({s.name for s in symbols}) == len(symbols)


def test_the_learning_rate_is_named_only_where_it_is_printed(tmp_path: Path) -> None:
    p = tmp_path / "net.yaml"
    p.write_text(_TWO_LAYERS.format(act="sigmoid", w="alpha"), encoding="utf-8")
    assert "alpha" in [q.name for q in load_spec(p).params]
