"""The LaTeX printer of symbackprop.render.printing: names that would run together."""

from __future__ import annotations

import re
from pathlib import Path

from symbackprop.network.build import build_network
from symbackprop.render.printing import NetworkLatexPrinter, apart
from symbackprop.spec.load import load_spec


def test_words_juxtaposed_get_a_thin_space_and_nothing_else_changes() -> None:
    assert apart(r"\mathrm{wt} \mathrm{temperature}") == r"\mathrm{wt} \, \mathrm{temperature}"
    assert apart(r"w \mathrm{rain}") == r"w \, \mathrm{rain}"
    assert apart(r"\mathrm{wt} x_{1}") == r"\mathrm{wt} \, x_{1}"
    for kept in (r"w_{5} \mathrm{out}_{h1}", r"\mathrm{out}_{o1} \left(1 - x\right)",
                 r"\delta \mathrm{out}_{h1}", r"\sigma\left(z\right) \mathrm{out}_{h1}",
                 r"x_{1} w_{1}"):
        assert apart(kept) == kept


def test_a_weighted_input_reads_as_two_names(tmp_path: Path) -> None:
    spec = tmp_path / "words.yaml"
    spec.write_text("inputs: [temperature, x1]\nlayers:\n"
                    "  - {name: out, units: [rain], activation: sigmoid,"
                    " weights: [[wt, w]], bias: c}\nloss: squared_error\n", encoding="utf-8")
    net = build_network(load_spec(spec))
    rain = net.unit_by_name["rain"]
    tex = NetworkLatexPrinter(net).doprint(dict(net.definitions)[rain.net])
    assert re.search(r"\\mathrm\{(wt|temperature)\} \\, \\mathrm\{(wt|temperature)\}", tex), tex
    assert "w x_{1}" in tex


def test_leaky_relu_and_its_slope_have_one_readable_name() -> None:
    import sympy as sp

    from symbackprop.network.functions import leaky_relu, leaky_step, softmax

    z = sp.Symbol("z")
    tenth = sp.Rational(1, 10)
    assert str(leaky_relu(z, tenth)) == "lrelu(z, 1/10)"
    assert str(leaky_step(z, tenth)) == "lrelu'(z, 1/10)"
    assert sp.latex(leaky_step(z, tenth)) == r"\operatorname{lrelu}_{0.1}'\left(z\right)"
    assert sp.latex(leaky_relu(z, sp.Rational(1, 3))).startswith(
        r"\operatorname{lrelu}_{\frac{1}{3}}")  # no decimal: the fraction stays exact
    assert str(softmax(0, z, 2 * z)) == "softmax_1(z, 2*z)"
