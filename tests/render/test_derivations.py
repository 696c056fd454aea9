"""Rendering of `derive` output: expected-output files for seed 004, JSON keys, line breaks.

Regenerate the expected files after an intended change with::

    SYMBACKPROP_UPDATE_EXPECTED=1 python -m pytest \
        tests/render/test_derivations.py tests/notes/test_notes.py

and review the diff before committing it.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import sympy as sp
from oracle import oracle
from paths import ROOT, check_expected

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.derivations import _numeric, build_document, render, symbol_values
from symbackprop.render.latex import TEXT_WIDTH_EM, latex_width
from symbackprop.render.printing import Chain, Partial
from symbackprop.spec.load import load_spec

SEED_004 = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"


@pytest.fixture(scope="module")
def seed004() -> tuple:
    spec = load_spec(SEED_004)
    net = build_network(spec)
    return spec, net, derive(net)


@pytest.mark.parametrize(("fmt", "name"), [("text", "seed-004-derive.txt"),
                                           ("latex", "seed-004-derive.tex")])
def test_seed004_derive_matches_expected_output(seed004: tuple, fmt: str, name: str) -> None:
    spec, net, grads = seed004
    doc = build_document(net, grads, values=spec.values)
    check_expected(name, render(doc, fmt))


def test_text_names_the_spec_loss_in_the_delta_header(seed004: tuple) -> None:
    _spec, net, grads = seed004
    out = render(build_document(net, grads, form="delta"), "text")
    assert "delta_u = ∂E_total/∂in_u" in out
    assert "∂net" not in out


def test_chain_rows_show_factors_values_numbers_result_and_value(seed004: tuple) -> None:
    spec, net, grads = seed004
    doc = build_document(net, grads, params=["w5"], values=spec.values)
    kinds = [r.kind for r in doc.params[0].rows]
    # one path: the product of the values is the result, so it is not printed twice
    assert kinds == ["factors", "values", "numbers", "value"]
    # Mazur (2015), "A Step by Step Backpropagation Example": ∂E_total/∂w5 = 0.082167041
    assert doc.params[0].value == pytest.approx(0.082167041, abs=1e-9)
    assert doc.params[0].rows[0].text == "∂E_total/∂out_o1 · ∂out_o1/∂in_o1 · ∂in_o1/∂w5"


def test_json_keeps_its_keys(seed004: tuple) -> None:
    spec, net, grads = seed004
    data = json.loads(render(build_document(net, grads, values=spec.values), "json"))
    entry = data["parameters"][0]
    for key in ("name", "expression", "latex", "chain", "steps", "numeric", "closed"):
        assert key in entry
    assert {s["kind"] for s in entry["steps"]} >= {"factors", "expanded", "values", "numbers",
                                                   "value"}


def test_latex_rows_fit_the_page(seed004: tuple) -> None:
    spec, net, grads = seed004
    out = render(build_document(net, grads, values=spec.values), "latex")
    rows = [ln.removesuffix(" \\\\") for ln in out.splitlines() if "&" in ln]
    assert len(rows) > 20
    for row in rows:
        assert latex_width(row) <= TEXT_WIDTH_EM, row


def test_delta_form_shows_the_matrix_form_or_says_it_does_not_apply() -> None:
    for spec_name, expect in (("seed-002-four-layer", "(W^(2))^T·δ^(3)"),
                              ("skip-connection", "does not apply")):
        net = build_network(load_spec(ROOT / "specs" / f"{spec_name}.yaml"))
        out = render(build_document(net, derive(net), form="delta"), "text")
        assert expect in out, out


@pytest.mark.parametrize("fmt", ["text", "latex", "markdown", "json"])
def test_every_spec_renders_in_every_format(fmt: str) -> None:
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        net = build_network(load_spec(path))
        grads = derive(net)
        for form in ("chain", "delta"):
            assert render(build_document(net, grads, form=form), fmt)


@pytest.mark.parametrize("name", ["seed-001-linear-1-1-2-1", "relu-mlp", "skip-connection"])
def test_a_deep_chain_ends_in_the_networks_own_quantities(tmp_path, name: str) -> None:
    # three layers deep, the chain takes ∂L/∂a of the next layer as given; the derivation
    # then writes the gradient out in full, and that row is the gradient (autograd oracle)
    path = ROOT / "specs" / f"{name}.yaml"
    plain = load_spec(path)
    rng = np.random.default_rng(7)
    params = {p.name: round(float(rng.uniform(-1, 1)), 3) for p in plain.params}
    inputs = {i.name: round(float(rng.uniform(-1, 1)), 3) for i in plain.inputs}
    targets = {u: round(float(rng.uniform(0.1, 0.9)), 3) for u in plain.outputs}
    spec_file = tmp_path / f"{name}.yaml"
    spec_file.write_text(path.read_text(encoding="utf-8") + "\nvalues:\n" + "".join(
        f"  {key}: {{{', '.join(f'{k}: {v}' for k, v in part.items())}}}\n"
        for key, part in (("params", params), ("inputs", inputs), ("targets", targets))),
        encoding="utf-8")
    spec = load_spec(spec_file)
    net = build_network(spec)
    grads = derive(net)
    doc = build_document(net, grads, values=spec.values)
    at = symbol_values(net, grads, spec.values)
    truth = oracle(spec, params, [(inputs, targets)]).gradients
    deltas = {u.delta for u in net.units}
    closed = 0
    for pd in doc.params:
        last = [r for r in pd.rows if r.expr is not None and r.kind != "numbers"][-1]
        assert not last.expr.has(Partial) and not last.expr.has(*deltas), (pd.name, last.text)
        product = last.expr.replace(lambda e: isinstance(e, Chain), lambda e: sp.Mul(*e.args))
        assert _numeric(product, at, net) == pytest.approx(truth[pd.name], rel=1e-9,
                                                           abs=1e-12), pd.name
        closed += any(r.kind == "result" for r in pd.rows) and any(
            r.expr is not None and r.expr.has(Partial) for r in pd.rows if r.kind == "values")
    assert closed > 0  # some chain did take a deeper ∂L/∂a as given


def test_a_sum_that_cancels_to_rounding_prints_as_0(tmp_path) -> None:
    """δ₁ + δ₂ of a softmax layer's shared bias is 0 (the targets sum to 1); what 50 digits
    leave of it is printed as 0, not as a number check would call wrong. A tiny value that is
    no cancellation keeps its digits."""
    from symbackprop.check import Checker

    spec = tmp_path / "shared.yaml"
    spec.write_text("inputs: [x1]\nlayers:\n  - {size: 2, activation: softmax, bias: bs}\n"
                    "loss: cross_entropy\nvalues:\n  inputs: {x1: 0.3}\n"
                    "  targets: {u1_1: 0.1, u1_2: 0.9}\n"
                    "  params: {w_1_1_1: 0.25, w_1_2_1: 0.45, bs: 0.1}\n", encoding="utf-8")
    net = build_network(load_spec(spec))
    grads = derive(net)
    at = symbol_values(net, grads, net.spec.values)
    bias = net.symbol_by_name["bs"]
    assert _numeric(grads.derivation(bias).closed, at, net) == 0
    printed = render(build_document(net, grads, params=["bs"], values=net.spec.values), "latex")
    assert "&= 0\n\\end{align*}" in printed
    assert Checker(net).check_derivation(printed).verdict == "correct"
    weight = net.symbol_by_name["w_1_1_1"]
    tiny = {**at, net.inputs[0]: 1e-70}
    assert 0 < abs(_numeric(grads.derivation(weight).closed, tiny, net)) < 1e-69


def test_mitchells_convention_prints_delta_as_minus_the_derivative() -> None:
    """With δ = −∂E/∂net the recurrences read as Mitchell writes them, each gradient carries
    the minus sign, and the matrix form (written with δ = ∂E/∂z) is left out."""
    net = build_network(load_spec(ROOT / "specs" / "mitchell-2-2-2.yaml"))
    doc = build_document(net, derive(net), form="delta")
    out = render(doc, "text")
    assert "Local gradients delta_u = -∂E/∂net_u" in out
    assert "delta_k1 = (t_k1 - o_k1)·o_k1·(1 - o_k1)" in out
    assert "∂E/∂w_k1_h1\n  = -delta_k1·o_h1" in out
    assert "∂E/∂w_k1_0\n  = -delta_k1" in out
    assert doc.matrix is not None and not doc.matrix.applies
    assert "Matrix form: does not apply (δ is −∂E/∂net here" in out
    latex = render(doc, "latex")
    assert r"\delta_{k1} &= \left(t_{k1} - o_{k1}\right)" in latex


def test_weight_decay_prints_the_penalty_and_lambda_w_in_every_row() -> None:
    net = build_network(load_spec(ROOT / "specs" / "weight-decay-2-2-1.yaml"))
    grads = derive(net)
    chain = render(build_document(net, grads, params=["w_2_1_1", "b_2_1"],
                                  values=net.spec.values), "text")
    assert "L = (y_1 - a_2_1)^2/2 + lambda·(w_1_1_1^2 + " in chain
    rows = chain.split("∂L/∂w_2_1_1\n")[1].split("\n\n")[0].splitlines()
    assert rows[0].endswith("∂z_2_1/∂w_2_1_1 + lambda·w_2_1_1")
    assert rows[1].endswith("· a_1_1 + lambda·w_2_1_1")
    assert rows[2].endswith("+ 0.01·0.7")  # λ and w as numbers
    bias = chain.split("∂L/∂b_2_1\n")[1]
    assert "lambda" not in bias  # the biases are not decayed
    delta = render(build_document(net, grads, form="delta"), "text")
    assert "∂L/∂w_1_2_2\n  = delta_1_2·x2 + lambda·w_1_2_2" in delta
    assert "∂L/∂b_1_2\n  = delta_1_2\n" in delta
    # written without λ W: it says why it does not apply
    assert "Matrix form: does not apply (the weight decay adds λ w" in delta
def test_latex_is_a_document_with_the_forward_pass_and_one_block_a_section() -> None:
    spec = load_spec(ROOT / "specs" / "tanh-softmax-3-4-3.yaml")
    net = build_network(spec)
    doc = build_document(net, derive(net), form="closed", values=spec.values)
    tex = render(doc, "latex")
    headings = re.findall(r"\\section\*\{([^}]*)\}", tex)
    assert headings == ["Forward pass and loss", "Gradients"]
    forward = tex[tex.index("Forward pass and loss"):tex.index(r"\section*{Gradients}")]
    assert forward.count(r"\begin{align*}") == 1 and r"z^{[2]}_{3} &=" in forward
    gradients = tex[tex.index(r"\section*{Gradients}"):]
    assert gradients.count(r"\begin{align*}") == 1  # 31 results in one aligned block
    assert gradients.count(r"{\partial L}{\partial") >= len(net.params)
    assert "% " not in forward  # the headings are headings, not comments


TWO_CONVOLUTIONS = """inputs: {shape: [1, 6, 6]}
layers:
  - {kind: conv2d, filters: 2, kernel: 3, padding: 1, activation: tanh}
  - {kind: avg_pool, kernel: 2, stride: 2}
  - {kind: conv2d, filters: 2, kernel: 2, activation: sigmoid}
  - {units: 2, activation: softmax}
loss: cross_entropy
"""


@pytest.mark.parametrize("form", ["chain", "closed"])
def test_a_gradient_too_large_to_write_out_is_shown_in_delta_form_with_its_value(
        tmp_path, form: str) -> None:
    """The first kernel of two convolutions, written out, is thousands of terms (megabytes of
    text): it is shown as Σ δ · x with the δ recurrences, its value still printed and equal
    to the gradient evaluated numerically and to a finite difference of the loss."""
    from symbackprop.numeric.evaluation import evaluate
    from symbackprop.render.derivations import MAX_RESULT_NODES, larger_than
    from symbackprop.spec.load import Example, Values

    path = tmp_path / "two-convolutions.yaml"
    path.write_text(TWO_CONVOLUTIONS, encoding="utf-8")
    net = build_network(load_spec(path))
    grads = derive(net)
    rng = np.random.default_rng(7)
    params = {p.name: float(rng.uniform(-0.5, 0.5)) for p in net.params}
    example = Example({x.name: float(rng.uniform(-1, 1)) for x in net.inputs},
                      {u.name: float(k == 0) for k, u in enumerate(net.outputs)})
    values = Values(params=params, examples=(example,))
    doc = build_document(net, grads, form=form, values=values)
    large = [pd for pd in doc.params if not pd.written_out]
    kept = [pd for pd in doc.params if pd.written_out]
    assert {pd.name for pd in large} >= {p.name for p in net.params if p.name.startswith("w_1")}
    assert kept, "the last layers' gradients are small enough to write out"
    for pd in large:
        assert larger_than(pd.derivation.display, MAX_RESULT_NODES)
        assert [r.kind for r in pd.rows] == ["delta", "delta", "value"], pd.rows
    assert doc.deltas and any("shown in δ form, with the δ recurrences" in n for n in doc.notes)
    text = render(doc, "text")
    assert len(text) < 200_000 and "δ form" in text
    data = json.loads(render(doc, "json"))
    nulls = {p["name"] for p in data["parameters"] if p["closed"] is None}
    assert nulls == {pd.name for pd in large}
    # the printed values: the compiled gradient, and a central difference of the loss
    evaluated = evaluate(net, grads, values).gradients
    step = 1e-6
    for pd in large[:2] + kept[:1]:
        assert pd.value is not None and np.isclose(float(pd.value), evaluated[pd.name],
                                                   rtol=1e-9, atol=1e-12)
        up = evaluate(net, grads, Values({**params, pd.name: params[pd.name] + step},
                                         examples=(example,))).loss
        down = evaluate(net, grads, Values({**params, pd.name: params[pd.name] - step},
                                           examples=(example,))).loss
        assert np.isclose(float(pd.value), (up - down) / (2 * step), rtol=1e-5, atol=1e-9)


def test_small_gradients_are_written_out_as_before(seed004) -> None:
    spec, net, grads = seed004
    doc = build_document(net, grads, form="chain", values=spec.values)
    assert all(pd.written_out for pd in doc.params)
    assert not any("δ form" in n for n in doc.notes)
