"""Vetted math: the TeX a spec may supply, and the free text it may hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from symbackprop.errors import SpecError
from symbackprop.spec.load import load_spec
from symbackprop.spec.tex import ALLOWED_COMMANDS, vet_math

ACCEPTED = [
    r"\hat{y}_{k}^{[2]}", "w^{[1]}_{1,1}", "out_{h1}", "x'", "x''", "x'^2", "x_1'",
    r"\delta^{[{layer}]}_{{index}}", r"\mathrm{net}_{h1}", r"\operatorname{out}_{o1}",
    r"\text{out 1}", "E_{total}", r"\alpha", "w^{+}", "a^{(L)}_j", "x ^ 2", r"\hat y",
    r"\mathbf{W}^{[2]}", "{}", "", r"\sigma'(z)", r"\partial E", r"\bar{x}\,y", r"y^{\prime}",
    r"w_{\{1\}}", "a_{-1}^{2}", r"\mathcal{L}", r"\tilde{\theta}",
]

REFUSED = {
    r"\input{/etc/hostname}": r"`\input` is not allowed",
    r"x_{\input{a}}": r"`\input` is not allowed",
    r"\mathrm{\input{a}}": r"`\input` is not allowed",
    "x^^5cinput{/etc/hostname}": "`^^` is not allowed",
    r"\csname input\endcsname": r"`\csname` is not allowed",
    r"\immediate\write18{rm -rf x}": r"`\immediate` is not allowed",
    r"\openin": r"`\openin` is not allowed",
    r"\include{x}": r"`\include` is not allowed",
    r"\usepackage{x}": r"`\usepackage` is not allowed",
    r"\def\x{1}": r"`\def` is not allowed",
    r"\catcode": r"`\catcode` is not allowed",
    r"\@@input x": r"`\@` is not allowed",
    "x^a^b": "double superscript",
    "x_a_b": "double subscript",
    "x^a ^b": "double superscript",
    "x^2'": "double superscript",
    "50%": "`%` is not allowed",
    "a#1": "`#` is not allowed",
    "a&b": "`&` is not allowed",
    "$x$": "`$` is not allowed",
    "x~y": "`~` is not allowed",
    "{": "never closed",
    "}": "no matching",
    "a}{": "no matching",
    "x^": "argument is missing",
    r"x^\hat{a}": "needs an argument",
    "é": "not plain ASCII",
    "α": "not plain ASCII",
    "a\nb": "U+000A",
    "a\x00b": "U+0000",
    r"\text{a_b}": r"\\text",
    r"\text x": "in braces",
    "\\": "cannot end with",
    r"\mathrm": "argument is missing",
    "x" * 201: "limited to 200",
}


@pytest.mark.parametrize("tex", ACCEPTED)
def test_names_as_the_seeds_and_textbooks_write_them_are_accepted(tex: str) -> None:
    assert vet_math(tex) is None


@pytest.mark.parametrize(("tex", "reason"), REFUSED.items(), ids=range(len(REFUSED)))
def test_anything_else_is_refused_with_the_reason(tex: str, reason: str) -> None:
    problem = vet_math(tex)
    assert problem is not None
    assert reason.replace("\\\\", "\\") in problem


PIECES = [*"ab1 _^{}'\\%#&$~\n", "\\input", "\\hat", "\\alpha", "\\text", "é", "\\def"]


@given(st.lists(st.sampled_from(PIECES), max_size=20).map("".join))
def test_whatever_passes_holds_no_unvetted_command_or_character(tex: str) -> None:
    if vet_math(tex) is not None:
        return
    assert "^^" not in tex
    assert not set(tex) & set("%#&$~\n\x00é")
    assert set(re.findall(r"\\([A-Za-z]+)", tex)) <= ALLOWED_COMMANDS


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


FIELDS = {
    "layers[0].units[0].latex": "layers:\n  - units: [{name: o, latex: 'TEX'}]\n"
                                "    activation: sigmoid\ninputs: [x]\nloss: mse\n",
    "layers[0].units[0].net": "layers:\n  - units: [{name: o, net: 'TEX'}]\n"
                              "    activation: sigmoid\ninputs: [x]\nloss: mse\n",
    "layers[0].units[0].delta": "layers:\n  - units: [{name: o, delta: 'TEX'}]\n"
                                "    activation: sigmoid\ninputs: [x]\nloss: mse\n",
    "layers[0].units[0].target": "layers:\n  - units: [{name: o, target: 'TEX'}]\n"
                                 "    activation: sigmoid\ninputs: [x]\nloss: mse\n",
    "inputs.x": "inputs: {x: 'TEX'}\nlayers: [{units: [o], activation: sigmoid}]\nloss: mse\n",
    "edges[0].latex": "inputs: [x]\nlayers:\n  - {units: [h], activation: tanh}\n"
                      "  - {units: [o], activation: sigmoid}\n"
                      "edges: [{from: x, to: o, weight: v, latex: 'TEX'}]\nloss: mse\n",
    **{f"notation.{key}": "inputs: [x]\nlayers: [{units: [o], activation: sigmoid}]\n"
                          f"loss: mse\nnotation: {{{key}: 'TEX'}}\n"
       for key in ("net", "activation", "target", "loss", "cost", "delta", "weight", "bias",
                   "input", "learning_rate")},
}


@pytest.mark.parametrize("field", FIELDS)
def test_every_latex_field_is_vetted_when_the_spec_is_read(tmp_path: Path, field: str
                                                           ) -> None:
    spec = _spec(tmp_path, FIELDS[field].replace("TEX", r"x_{\input{/etc/hostname}}"))
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert info.value.field == field
    assert info.value.line is not None
    assert r"`\input` is not allowed" in info.value.message


def test_a_name_that_cannot_be_typeset_is_refused_where_it_is_written(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "inputs: [x]\nlayers:\n  - {units: [o], activation: sigmoid, "
                           "bias: [bé]}\nloss: mse\n")
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert info.value.field == "layers[0].bias[0]" and info.value.line == 3
    assert "not plain ASCII" in info.value.message


@pytest.mark.parametrize(("text", "reason"), [
    ("bad \\ud800 title", "U+D800"), ("ring \\a bell", "U+0007"),
    ("clear \\e[2J screen", "U+001B"), ("c1 \\x85 control", "U+0085"),
])
def test_free_text_holds_no_control_characters(tmp_path: Path, text: str, reason: str) -> None:
    spec = _spec(tmp_path, f'title: "{text}"\ninputs: [x]\n'
                           "layers: [{units: [o], activation: sigmoid}]\nloss: mse\n")
    with pytest.raises(SpecError) as info:
        load_spec(spec)
    assert info.value.field == "title" and reason in info.value.message


def test_free_text_may_span_lines_and_use_any_script(tmp_path: Path) -> None:
    spec = _spec(tmp_path, 'title: "Réseau 2-2-2\\n\\tθ — 50% of $x$ \\\\input"\ninputs: [x]\n'
                           "layers: [{units: [o], activation: sigmoid}]\nloss: mse\n")
    assert load_spec(spec).title == "Réseau 2-2-2\n\tθ — 50% of $x$ \\input"
