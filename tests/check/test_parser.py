"""The formula grammar: plain and LaTeX syntax, names in the spec's notation, bounds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import sympy as sp
from paths import SPECS

from symbackprop.check.judging.verdict import Checker
from symbackprop.check.meaning.meaning import Reading
from symbackprop.check.reading.parser import parse_statement
from symbackprop.check.reading.syntax import Call, Name, Statement, Sum, walk
from symbackprop.check.reading.tokens import MAX_DEPTH, MAX_LENGTH, comma_follows, tokenize
from symbackprop.errors import FormulaError
from symbackprop.network.build import Network, build_network
from symbackprop.network.functions import sigmoid, unspecified
from symbackprop.spec.load import load_spec

_checkers: dict[str, Checker] = {}


def network(name: str) -> Network:
    return checker_of(name).net


def checker_of(name: str) -> Checker:
    if name not in _checkers:
        _checkers[name] = Checker(build_network(load_spec(SPECS / f"{name}.yaml")), points=4)
    return _checkers[name]


@dataclass
class Parsed:
    sides: list[sp.Expr]
    reading: Reading

    @property
    def expr(self) -> sp.Expr:
        return self.sides[-1]

    @property
    def partials(self) -> dict:
        return self.reading.partials

    @property
    def notes(self) -> list[str]:
        return self.reading.notes


def parse_formula(text: str, net: Network, syntax: str = "auto") -> Parsed:
    name = next(k for k, c in _checkers.items() if c.net is net)
    sides, reading = checker_of(name).read(text, syntax=syntax)
    return Parsed(sides, reading)


@pytest.fixture(scope="module")
def mazur() -> Network:
    return network("seed-004-mazur-2-2-2")


def sym(net: Network, name: str) -> sp.Symbol:
    return net.symbol_by_name[name]


def parse(text: str, net: Network, syntax: str = "auto") -> sp.Expr:
    return parse_formula(text, net, syntax=syntax).expr


def test_names_as_reports_print_them_read_back() -> None:
    """``w^[2]_1,1`` (a layer in brackets, two indices after a comma), as a report prints the
    spec's w^{[2]}_{1,1}, names the same quantity in plain syntax; a comma after an index
    that makes no known name still separates arguments."""
    net = network("relu-mlp")
    assert parse("w^[2]_1,1 * a^[1]_2", net, "plain") == parse(
        r"w^{[2]}_{1,1} a^{[1]}_{2}", net, "latex")
    assert parse("leaky_relu(z^[2]_1,1/10)", net) == parse("leaky_relu(z^[2]_1, 1/10)", net)


@pytest.mark.parametrize("text", [r"w^{[2]}_{1, 2}", r"w^{[2]}_{1,2}", r"w^{[4]}_{1,1}"])
def test_braced_indices_with_a_comma_stay_one_name(text: str) -> None:
    """``_{1,2}`` is one subscript even when it names nothing: the name is unknown, the
    comma is no argument separator."""
    net = network("seed-001-linear-1-1-2-1")
    with pytest.raises(FormulaError,
                       match=r"unknown name `w\^\{\[\d\]\}_\{1, ?\d\}` at character 1"):
        parse_formula(f"{text} = 1", net)


def test_plain_and_latex_spellings_agree(mazur: Network) -> None:
    out_o1, out_h1, t = sym(mazur, "out_o1"), sym(mazur, "out_h1"), sym(mazur, "target_o1")
    expected = -(t - out_o1) * out_o1 * (1 - out_o1) * out_h1
    spellings = [
        "-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1",
        r"-(target_{o1}-out_{o1})\,out_{o1}(1-out_{o1})\,out_{h1}",
        r"-(target_{o_{1}}-out_{o_{1}}) \cdot out_{o_{1}} \times (1-out_{o_{1}}) out_{h_{1}}",
        r"-\left(target_{o1} - out_{o1}\right) out_{o1}\left(1 - out_{o1}\right) out_{h1}",
        "−(target_o1 − out_o1)·out_o1·(1−out_o1)×out_h1",
        r"\frac{-(target_{o1}-out_{o1})\,out_{o1}(1-out_{o1})\,out_{h1}}{1}",
    ]
    for text in spellings:
        assert sp.expand(parse(text, mazur) - expected) == 0, text


def test_weights_inputs_biases_with_and_without_braces(mazur: Network) -> None:
    w5, i1, b1 = sym(mazur, "w5"), sym(mazur, "i1"), sym(mazur, "b1")
    for text in ("w5*i1 + b1", "w_5 i_1 + b_1", "w_{5}i_{1}+b_{1}", r"w_{5}\,i_{1} + b_1"):
        assert parse(text, mazur) == w5 * i1 + b1, text


def test_net_inputs_targets_loss_and_deltas(mazur: Network) -> None:
    assert parse("in_{o1} + in_h2", mazur) == sym(mazur, "in_o1") + sym(mazur, "in_h2")
    assert parse(r"E_{total}", mazur) == mazur.loss_symbol
    assert parse(r"\delta_{o1} out_{h1}", mazur) == sym(mazur, "delta_o1") * sym(mazur, "out_h1")
    assert parse("δ_{o1}", mazur) == sym(mazur, "delta_o1")


def test_functions_powers_and_fractions(mazur: Network) -> None:
    z = sym(mazur, "in_o1")
    assert parse(r"\sigma(in_{o1})", mazur) == sigmoid(z)
    assert parse("sigma(in_o1)", mazur) == sigmoid(z)
    assert parse("σ(in_o1)", mazur) == sigmoid(z)
    assert parse(r"\sigma'(in_{o1})", mazur) == sigmoid(z) * (1 - sigmoid(z))
    assert parse(r"e^{-in_{o1}}", mazur) == sp.exp(-z)
    assert parse(r"\exp(in_{o1}) + \ln(in_{o1}) + \log in_{o1}", mazur) == \
        sp.exp(z) + 2 * sp.log(z)
    assert parse(r"\tanh(in_{o1})", mazur) == sp.tanh(z)
    assert parse("in_o1**2 + in_o1^3", mazur) == z**2 + z**3
    assert parse(r"\frac{1}{2}(target_{o1} - out_{o1})^{2}", mazur) == \
        sp.Rational(1, 2) * (sym(mazur, "target_o1") - sym(mazur, "out_o1")) ** 2
    assert parse(r"\frac12 in_{o1}", mazur) == z / 2
    assert parse("0.5*in_o1", mazur) == z / 2
    assert parse(r"\sqrt{in_{o1}}", mazur) == sp.sqrt(z)


def test_unspecified_activation_and_its_derivative() -> None:
    net = network("seed-000-renom-1-2-1")
    f = unspecified("f")
    z = sym(net, "z")
    assert parse("f(z)", net) == f(z)
    assert parse("f'(z) * x_{1,in}", net) == f.prime(z) * sym(net, "x_1_in")


def test_implicit_products_and_split_names() -> None:
    chain = network("seed-003-stackexchange-chain")
    x, w1, b = sym(chain, "x"), sym(chain, "w1"), sym(chain, "b")
    assert parse(r"\sigma\left(x w_{1}+b\right)", chain) == sigmoid(x * w1 + b)
    assert parse(r"\sigma\left(xw_{1}+b\right)", chain) == sigmoid(x * w1 + b)
    assert parse("y'(1-y')", chain) == sym(chain, "y_prime") * (1 - sym(chain, "y_prime"))
    assert parse(r"y^{\prime}", chain) == sym(chain, "y_prime")


def test_unit_names_stand_for_activations() -> None:
    net = network("seed-003-stackexchange-2-2-2")
    parsed = parse_formula("h1 * o_2", net)
    assert parsed.expr == sym(net, "h_1") * sym(net, "o_2")


def test_zero_typed_for_letter_o_is_read_with_a_note(mazur: Network) -> None:
    parsed = parse_formula(r"target_{02} - out_{02}", mazur)
    assert parsed.expr == sym(mazur, "target_o2") - sym(mazur, "out_o2")
    assert any("target_{o2}" in n for n in parsed.notes)


def test_partial_factors_in_every_spelling(mazur: Network) -> None:
    texts = [r"\frac{\partial E_{total}}{\partial out_{o1}}",
             r"\partial E_{total}/\partial out_{o1}", "∂E_total/∂out_o1", "dE_total/dout_o1",
             r"\frac{dE_{total}}{d out_{o1}}"]
    for text in texts:
        parsed = parse_formula(text, mazur)
        (partial,) = parsed.partials.values()
        assert partial.numerator == mazur.loss_symbol, text
        assert partial.denominator == sym(mazur, "out_o1"), text


def test_left_hand_side_is_read_as_a_side(mazur: Network) -> None:
    parsed = parse_formula(r"\partial E_{total}/\partial w_{5} = out_{h1}", mazur)
    (partial,) = parsed.partials.values()
    assert partial.denominator == sym(mazur, "w5") and parsed.sides[0] in parsed.partials
    assert parsed.expr == sym(mazur, "out_h1")
    assert parse_formula("out_h1 = out_h2", mazur).sides == [sym(mazur, "out_h1"),
                                                              sym(mazur, "out_h2")]


@pytest.mark.parametrize("text, message", [
    ("out_hl", "unknown name"),
    # a known head (E, the loss; out) with a subscript naming nothing is one unknown name
    (r"E_{o3} + w5", "unknown name `E_"),
    (r"out_{h1}^{2}_{3}", "unknown name `out_"),
    ("w5 +", "ends"),
    ("(w5", "never closed"),
    ("w5)", "unexpected"),
    ("w5 ^ w6", "exponents must be numbers"),
    ("w5^65", "too large"),
    ("w5/0", "division by zero"),
    (r"\prod_i w_i", "not supported"),
    (r"\foo{w5}", "unknown LaTeX command"),
    ("w5 $ w6", "unexpected character"),
    (r"\partial E/\partial (w5 + w6)", "∂ must be followed"),
    ("", "empty"),
])
def test_unreadable_formulas_raise_formula_errors(mazur: Network, text: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        parse_formula(text, mazur)


def test_unknown_name_suggests_the_closest(mazur: Network) -> None:
    with pytest.raises(FormulaError) as info:
        parse_formula("outt_h1", mazur)
    assert info.value.hint is not None and "`out_{h1}`" in info.value.hint


def test_plain_syntax_refuses_latex(mazur: Network) -> None:
    with pytest.raises(FormulaError, match="LaTeX"):
        parse_formula(r"\sigma(in_o1)", mazur, syntax="plain")
    with pytest.raises(FormulaError, match="braces"):
        parse_formula("out_{h1}", mazur, syntax="plain")


def test_bounds_on_length_depth_and_tokens(mazur: Network) -> None:
    with pytest.raises(FormulaError, match="limit"):
        tokenize("w5+" * (MAX_LENGTH // 3 + 1))
    deep = "(" * (MAX_DEPTH + 5) + "w5" + ")" * (MAX_DEPTH + 5)
    with pytest.raises(FormulaError, match="nested"):
        parse_formula(deep, mazur)
    shallow = "(" * 20 + "w5" + ")" * 20
    assert parse(shallow, mazur) == sym(mazur, "w5")
    with pytest.raises(FormulaError, match="tokens"):
        parse_formula("-" * 10_000 + "w5", mazur)
    with pytest.raises(FormulaError, match=r"nested|deep"):
        parse_formula(r"\exp(\exp(\exp(\exp(w5))))", mazur)


# --------------------------------------------------------------------------- calls


def _statement(text: str, name: str = "seed-001-linear-1-1-2-1") -> Statement:
    knows, is_function = checker_of(name).ctx.knows(None)
    return parse_statement(text, knows=knows, is_function=is_function)


def test_a_bracket_with_a_comma_holds_arguments() -> None:
    tokens = tokenize("L(f(x), y) (a + b) g(h(u, v))")
    opens = [k for k, t in enumerate(tokens) if t.kind == "("]
    assert [comma_follows(tokens, k) for k in opens] == [True, False, False, False, True]


def test_the_network_its_loss_and_its_cost_are_calls() -> None:
    """f_{W,B}(x) is one name and a call (the comma in its subscript does not split it);
    L(a, y) and J(W, B) are calls, bold letters are names; L(1 − y) stays a product."""
    st = _statement(r"J(\textbf{W}, \textbf{B}) = \frac{1}{m}\sum_{i=1}^m "
                    r"L(f_{\textbf{W}, \textbf{B}}(x^i), y^i)")
    cost = st.sides[0]
    assert isinstance(cost, Call) and cost.func == "J"
    assert [a.written for a in cost.args if isinstance(a, Name)] == ["W", "B"]
    total = next(n for n in walk(st.sides[1]) if isinstance(n, Sum))
    loss = total.body
    assert isinstance(loss, Call) and loss.func == "L" and len(loss.args) == 2
    network_call, target = loss.args
    assert isinstance(network_call, Call)
    assert network_call.func == r"f_{\textbf{W}, \textbf{B}}"
    assert [a.written for a in network_call.args if isinstance(a, Name)] == ["x^i"]
    assert isinstance(target, Name) and target.written == "y^i"
    product = _statement(r"L(1 - y) = 1").sides[0]
    assert isinstance(product, Call)  # read by meaning as L · (1 − y), as before
    net = network("seed-001-linear-1-1-2-1")
    assert parse(r"L(1 - y)", net) == net.loss_symbol * (1 - sym(net, "y"))


def test_an_example_index_as_a_superscript_is_part_of_the_name() -> None:
    """x^i, x^{j} name example i of a sum over the examples; x^n and x^2 stay powers."""
    knows = checker_of("seed-001-linear-1-1-2-1").ctx.table.knows
    assert [t.text for t in tokenize("x^i + y^{j}", known=knows)] == ["x^i", "+", "y^{j}"]
    assert [t.text for t in tokenize("x^n + x^2", known=knows)] == \
        ["x", "^", "n", "+", "x", "^", "2"]


def test_bold_letters_are_names() -> None:
    assert [t.text for t in tokenize(r"\textbf{W} \mathbf{b} \boldsymbol{\theta}")] == \
        ["W", "b", "\\theta"]


@pytest.mark.parametrize("text", [
    r"\mathbf{out_{h1}} \cdot \mathit{out_{o1}}",
    r"out_{h1} \times out_{o1}",
    r"\left. out_{h1} out_{o1} \right|",
    r"\Big( out_{h1} \Big) out_{o1}",
    r"\dfrac{out_{h1}}{1} \tfrac{out_{o1}}{1}",
    r"\text{sigmoid}(in_{h1}) \operatorname{sigmoid}(in_{o1})",
    r"Sigmoid(in_{h1}) \cdot Sigmoid(in_{o1})",
])
def test_notations_for_the_same_product(mazur: Network, text: str) -> None:
    h1, o1 = sym(mazur, "out_h1"), sym(mazur, "out_o1")
    value = parse(text, mazur)
    if "sigmoid" in text.lower():
        h1, o1 = sigmoid(sym(mazur, "in_h1")), sigmoid(sym(mazur, "in_o1"))
    assert sp.simplify(value - h1 * o1) == 0


def test_max_of_zero_is_relu_and_the_indicator_its_derivative(mazur: Network) -> None:
    z = sym(mazur, "in_h1")
    assert parse(r"\max(0, in_{h1})", mazur) == parse("relu(in_h1)", mazur)
    assert parse("max(0, in_h1)", mazur) == parse("relu(in_h1)", mazur)
    assert parse(r"\mathbb{1}[in_{h1} > 0]", mazur).subs(z, 2) == 1
    assert parse(r"\mathbb{1}[in_{h1} > 0]", mazur).subs(z, -2) == 0


@pytest.mark.parametrize("text", [
    r"\partial (E_{o1} + E_{o2})/\partial out_{o1}",
    r"\frac{\partial (E_{o1} + E_{o2})}{\partial out_{o1}}",
    r"d(E_{o1} + E_{o2})/d out_{o1}",
    r"\frac{\partial{E_{total}}}{\partial{out_{o1}}}",
    r"δE_{total}/δout_{o1}",
    r"\frac{d\,E_{total}}{d\, out_{o1}}",
])
def test_derivatives_of_expressions_and_their_spellings(text: str) -> None:
    c = checker_of("seed-004-mazur-2-2-2")
    assert c.check(None, f"{text} = -(target_{{o1}} - out_{{o1}})").verdict == "correct"
    assert c.check(None, f"{text} = (target_{{o1}} - out_{{o1}})").verdict == "incorrect"


def test_a_delta_that_names_a_quantity_stays_a_delta() -> None:
    kinds = [t.kind for t in tokenize(r"δ_{o1} = δE/δw5")]
    assert kinds[:2] == ["name", "rel"] and kinds.count("partial") == 2
    assert [t.kind for t in tokenize("δ_{o1} w5")] == ["name", "name"]


def test_a_hat_without_braces_heads_a_name() -> None:
    assert [t.text for t in tokenize(r"\hat y_1")] == [t.text for t in tokenize(r"\hat{y}_1")]


def test_vulgar_fractions_and_superscript_digits() -> None:
    assert [t.text for t in tokenize("½(t - a)²")] == ["(", "1", "/", "2", ")", "(", "t", "-",
                                                      "a", ")", "^", "2"]


def test_an_activation_named_phi_is_written_with_its_greek_letter(tmp_path: Path) -> None:
    spec = tmp_path / "phi.yaml"
    spec.write_text("inputs: [x1]\nlayers:\n  - {units: [h1], activation: phi, bias: none}\n"
                    "  - {units: [o1], activation: sigmoid, bias: none}\n"
                    "loss: squared_error\n", encoding="utf-8")
    c = Checker(build_network(load_spec(spec)), points=4)
    head = r"\frac{\partial L}{\partial w^{[1]}_{1,1}} = (a^{[2]}_1 - y_1) a^{[2]}_1 " \
           r"(1 - a^{[2]}_1) w^{[2]}_{1,1}"
    assert c.check(None, head + r" \phi'(z^{[1]}_1) x_1").verdict == "correct"
    assert c.check(None, head + r" \phi(z^{[1]}_1) x_1").verdict == "incorrect"
    assert c.check(None, r"a^{[1]}_1 = φ(z^{[1]}_1)").verdict == "correct"


def test_a_sum_over_two_indices_is_a_sum_of_sums() -> None:
    st = parse_statement(r"E = \sum_{j,k} w_{jk}", knows=lambda _: True)
    outer = st.sides[1]
    assert isinstance(outer, Sum) and outer.index == "j"
    assert isinstance(outer.body, Sum) and outer.body.index == "k"
    with pytest.raises(FormulaError, match="must be an index"):
        parse_statement(r"E = \sum_{j,k}^{n} w_{jk}", knows=lambda _: True)


def test_a_double_sum_over_the_weights_of_a_layer_is_checked() -> None:
    """J = L + λ/2 Σ_{j,k} (w^{[1]}_{j,k})² + λ/2 Σ_k (w^{[2]}_{1,k})² on the weight-decay spec."""
    c = checker_of("weight-decay-2-2-1")
    right = (r"L = \frac{1}{2}(y_1 - a^{[2]}_1)^2 + \frac{\lambda}{2}\sum_{j,k} "
             r"(w^{[1]}_{j,k})^2 + \frac{\lambda}{2}\sum_{k}(w^{[2]}_{1,k})^2")
    assert c.check(None, right).verdict == "correct"
    for wrong in (right.replace("w^{[1]}_{j,k}", "w^{[1]}_{j,j}"),
                  right.replace("\\sum_{j,k}", "\\sum_{j}"),
                  right.replace("{j,k})^2", "{j,k})^3")):
        assert wrong != right
        try:
            verdict = c.check(None, wrong).verdict
        except FormulaError:  # Σ_j alone leaves k free, and w^{[1]}_{j,k} with it unread
            verdict = "unreadable"
        assert verdict != "correct", wrong


def test_a_layer_and_an_example_in_one_superscript() -> None:
    """Ng's a^{[2](i)}_1 is a^{[2]}_1 of example i, as a^{[2]}_1^{(i)} is."""
    st = parse_statement(r"x = a^{[2](i)}_1", knows=lambda _: True)
    assert st.sides[1] == Name("a^{[2]}_1^{(i)}", 4)
    c = checker_of("seed-001-linear-1-1-2-1")
    head = r"\frac{\partial J}{\partial w^{[3]}_{1,1}} = \frac{1}{m}\sum_{i=1}^{m} "
    right = head + r"-2(y^{(i)} - a^{[3](i)}_1) a^{[2](i)}_1"
    assert c.check(None, right).verdict == "correct"
    for wrong in (right.replace("a^{[2](i)}_1", "a^{[2](i)}_2"),
                  right.replace("a^{[2](i)}_1", "a^{[2]}_1"),
                  right.replace("a^{[3](i)}_1", "a^{[2](i)}_1"),
                  right.replace("-2(", "-(")):
        assert wrong != right
        assert c.check(None, wrong).verdict == "incorrect", wrong


def test_nielsens_sum_over_the_examples_x() -> None:
    """∂C/∂b = 1/n Σ_x ∂C_x/∂b in the spec's names: the cost is the mean of the examples'
    losses, each written with the example x as a subscript."""
    c = checker_of("seed-001-linear-1-1-2-1")
    right = (r"\frac{\partial J}{\partial b^{[3]}_{1}} = \frac{1}{m}\sum_x "
             r"\frac{\partial L_x}{\partial b^{[3]}_1}")
    assert c.check(None, right).verdict == "correct"
    assert c.check(None, r"J = \frac{1}{m}\sum_x L_x").verdict == "correct"
    for wrong in (right.replace(r"\frac{1}{m}", ""), right.replace("b^{[3]}_1}", "b^{[2]}_1}"),
                  right.replace(r"\frac{1}{m}", r"\frac{2}{m}")):
        assert wrong != right
        assert c.check(None, wrong).verdict == "incorrect", wrong
