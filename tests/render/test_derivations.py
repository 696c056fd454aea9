"""Rendering of `derive` output: expected-output files for seed 004, JSON keys, line breaks.

Regenerate the expected files after an intended change with::

    SYMBACKPROP_UPDATE_EXPECTED=1 python -m pytest \
        tests/render/test_derivations.py tests/notes/test_notes.py

and review the diff before committing it.
"""

from __future__ import annotations

import json

import pytest
from paths import ROOT, check_expected

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.derivations import build_document, render
from symbackprop.render.latex import TEXT_WIDTH_EM, latex_width
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
