"""Templated δ-form output equals the general path's, row for row, in every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from layered_specs import random_layered, write_spec
from paths import ROOT, SPECS

from symbackprop.check.judging.verdict import check_formula, checker_for
from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render import row_breaks, templated
from symbackprop.render.derivations import FORMATS, build_document, render
from symbackprop.spec.load import load_spec

BUNDLED = sorted(SPECS.glob("*.yaml"))
# seeds 000 and 002 keep their activations (and seed 002 its cost) unspecified: their slopes
# print as ∂y/∂z and ∂C/∂s, which the templates do not fill, so they take the general path
LAYERED = {"seed-001-linear-1-1-2-1", "seed-004-perceptron", "softmax-cross-entropy",
           "tanh-softmax-3-4-3", "mitchell-2-2-2", "softmax-binary-cross-entropy",
           "weight-decay-2-2-1",
           "tanh-regression"}


def _both(path: Path, params: list[str] | None = None) -> tuple[object, dict[str, str],
                                                               dict[str, str]]:
    net = build_network(load_spec(path))
    grads = derive(net)
    fast = build_document(net, grads, params=params, form="delta")
    slow = build_document(net, grads, params=params, form="delta", templates=False)
    return (fast, {f: render(fast, f) for f in FORMATS}, {f: render(slow, f) for f in FORMATS})


def _assert_same(fast: dict[str, str], slow: dict[str, str]) -> None:
    for fmt in FORMATS:
        assert fast[fmt].splitlines() == slow[fmt].splitlines(), fmt


def _is_templated(doc: object) -> bool:
    return any(isinstance(p, templated.TemplatedParam) for p in doc.params)  # type: ignore


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_specs_print_the_same_either_way(path: Path) -> None:
    doc, fast, slow = _both(path)
    _assert_same(fast, slow)
    # layered specs take the templates; shared weights and biases, skip connections,
    # and mixed activations in a layer take the general path
    assert _is_templated(doc) == (path.stem in LAYERED)


@pytest.mark.parametrize("seed", range(8))
def test_random_layered_networks_print_the_same(tmp_path: Path, seed: int) -> None:
    doc, fast, slow = _both(random_layered(tmp_path, seed))
    assert _is_templated(doc)
    _assert_same(fast, slow)


def test_a_medium_network_with_long_rows_breaks_lines_the_same(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "medium", 24, [(12, "sigmoid"), (11, "tanh"), (3, "softmax")],
                      "cross_entropy")
    doc, fast, slow = _both(path)
    assert _is_templated(doc)
    assert "&\\qquad \\quad \\left.{} +" in fast["latex"]  # long δ rows break inside brackets
    assert "&\\qquad {} + w" in fast["markdown"]  # and long forward rows between terms
    _assert_same(fast, slow)


def test_names_that_sort_differently_across_a_layer(tmp_path: Path) -> None:
    """The printers order a product's factors by name (x10 before x9); each order gets its
    own template, and superscripted names get brackets when squared. A gradient row is δ
    first whatever the names: d_1 · alpha and d_1 · zeta alike."""
    path = tmp_path / "names.yaml"
    path.write_text(
        "title: names\n"
        "inputs: {alpha: '\\alpha', zeta: '\\zeta^{in}', x9: 'x_9', x10: 'x^{1}_{0}'}\n"
        "layers:\n"
        "  - {size: 3, activation: tanh}\n"
        "  - {size: 2, activation: linear, bias: none}\n"
        "notation: {delta: 'd_{{index}}^{[{layer}]}', activation: 'h^{{layer}}_{{index}}'}\n"
        "loss: squared_error\n", encoding="utf-8")
    doc, fast, slow = _both(path)
    assert _is_templated(doc)
    _assert_same(fast, slow)
    assert "= d_1_1·alpha" in fast["text"] and "= d_1_1·zeta" in fast["text"]


def test_chosen_parameters_print_the_same(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "some", 4, [(3, "sigmoid"), (2, "sigmoid")], "squared_error")
    doc, fast, slow = _both(path, params=["w_2_1_3", "b_1_2", "w_1_3_4"])
    assert _is_templated(doc)
    _assert_same(fast, slow)
    assert [p.name for p in doc.params] == ["w_2_1_3", "b_1_2", "w_1_3_4"]  # type: ignore


def test_a_row_that_prints_unlike_its_template_falls_back(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    """A printer that treats one name specially defeats the templates: the document is
    printed the general way."""
    from symbackprop.render import printing

    original = printing.NetworkLatexPrinter._print_Symbol

    def special(self: object, expr: object, style: str = "plain") -> str:
        return r"\mathbf{w}" if getattr(expr, "name", "") == "w_1_2_1" else original(
            self, expr, style)

    monkeypatch.setattr(printing.NetworkLatexPrinter, "_print_Symbol", special)
    printing._PRINTERS.clear()
    path = write_spec(tmp_path, "special", 2, [(2, "sigmoid"), (1, "sigmoid")],
                      "squared_error")
    net = build_network(load_spec(path))
    grads = derive(net)
    assert templated.templated_document(net, grads, list(net.params)) is None
    doc = build_document(net, grads, form="delta")
    assert "\\mathbf{w}" in render(doc, "latex")
    printing._PRINTERS.clear()


def test_templated_rows_read_back_through_check(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "back", 3, [(4, "sigmoid"), (2, "sigmoid")], "squared_error")
    doc, _, _ = _both(path)
    checker = checker_for(path)
    rows = {pd.name: pd.rows[0] for pd in doc.params}  # type: ignore
    for name, syntax in (("w_2_1_4", "plain"), ("w_1_2_3", "latex"), ("b_2_2", "latex")):
        formula = rows[name].text if syntax == "plain" else rows[name].latex
        result = check_formula(checker, name, formula, syntax=syntax)
        assert result.verdict == "correct", (name, formula)


def test_large_network_is_templated_and_complete() -> None:
    path = ROOT / "benchmarks" / "specs" / "mlp-784-30-10.yaml"
    net = build_network(load_spec(path))
    doc = build_document(net, derive(net), form="delta")
    assert _is_templated(doc)
    text = render(doc, "text")
    assert text.count("\n∂L/∂") == len(net.params) == 23_860
    assert "∂L/∂w_1_30_784\n  = delta_1_30·x784\n" in text


def test_wide_rows_of_mixed_names_break_the_same(tmp_path: Path) -> None:
    """Terms alike up to their names share one print: names with and without a superscript
    or a final digit, sorting before and after the weights, each keep their own."""
    names = {f"x{k}": (f"x^{{{k}}}" if k % 3 == 0 else f"x_{{{k}}}" if k % 3 == 1
                       else rf"\alpha_{{{k}a}}") for k in range(1, 10)}
    names |= {f"zz{k}": f"u_{{{k}}}" for k in range(1, 30)}
    inputs = ", ".join(f"{n}: '{t}'" for n, t in names.items())
    path = tmp_path / "wide.yaml"
    path.write_text(f"title: wide\ninputs: {{{inputs}}}\nlayers:\n"
                    "  - {size: 3, activation: tanh}\n  - {size: 2, activation: sigmoid}\n"
                    "loss: squared_error\n", encoding="utf-8")
    doc, fast, slow = _both(path)
    assert _is_templated(doc)
    assert "&\\qquad {} + w" in fast["markdown"]  # the forward rows are broken
    _assert_same(fast, slow)


def test_one_line_blocks_are_the_line_breakers(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_spec(tmp_path, "lines", 5, [(4, "tanh"), (3, "sigmoid")], "squared_error")
    net = build_network(load_spec(path))
    doc = build_document(net, derive(net), form="delta")
    assert _is_templated(doc)
    from symbackprop.render.derivations import param_block

    for width in (40.0, 9.0):  # every row fits; none does
        for env in ("align*", "aligned"):
            for pd in doc.params:  # type: ignore
                assert param_block(doc, pd, env=env, width=width) == param_block(
                    doc, pd, env=env, width=width, shortcut=False)
    # a shortcut that would print otherwise is caught by its first parameter, for good
    monkeypatch.setattr(row_breaks, "align_block", lambda rows, env: "wrong")
    fresh = build_document(net, derive(net), form="delta")
    blocks = [param_block(fresh, pd, width=30.0) for pd in fresh.params]  # type: ignore
    assert "wrong" not in blocks


def test_names_a_product_sets_apart_print_the_same(tmp_path: Path) -> None:
    """w x but \\mathrm{wt} \\, x: a unit whose weight is a word is not filled from a
    template made for a unit whose weight is a letter."""
    path = tmp_path / "apart.yaml"
    path.write_text("title: apart\ninputs: [x, y]\nlayers:\n"
                    "  - {size: 2, activation: tanh, weights: [[w, v], [wt, u]]}\n"
                    "  - {size: 1, activation: sigmoid}\nloss: squared_error\n",
                    encoding="utf-8")
    _, fast, slow = _both(path)
    assert "\\mathrm{wt} \\, x" in slow["latex"] + slow["markdown"]
    _assert_same(fast, slow)
