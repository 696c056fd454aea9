"""Why the matrix form does not apply, in the notes: the reason's symbols are maths in the
spec's notation, never Unicode letters or escaped text around single symbols."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from paths import ROOT

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Math, Notes, Para, notes_latex, notes_markdown
from symbackprop.notes.sections import build_notes
from symbackprop.render.derivations import layer_matrix_form
from symbackprop.spec.load import load_spec

NOT_LAYERED = ["mitchell-2-2-2", "weight-decay-2-2-1", "constant-bias-2-2-1",
               "skip-connection", "relu-mlp", "softmax-binary-cross-entropy"]


def build_notes_for(name: str) -> Notes:
    net = build_network(load_spec(ROOT / "specs" / f"{name}.yaml"))
    return build_notes(net, derive(net))


def reason_para(name: str) -> Para:
    found = [b for b in build_notes_for(name).blocks if isinstance(b, Para)
             and "The matrix form does not apply to this network: " in b.parts]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("name", NOT_LAYERED)
def test_the_reason_is_words_and_maths_apart(name: str) -> None:
    para = reason_para(name)
    words = "".join(p for p in para.parts if isinstance(p, str))
    assert not re.search(r"[δ∂λ−σ′?]", words), words
    tex = notes_latex(build_notes_for(name))
    line = next(x for x in tex.splitlines() if "does not apply" in x)
    assert "$\\partial$" not in line and "$\\delta$" not in line and "?" not in line


def test_a_negative_local_gradient_is_defined_in_the_spec_notation() -> None:
    maths = [p.latex for p in reason_para("mitchell-2-2-2").parts if isinstance(p, Math)]
    assert maths == [r"\delta_{u} = -\partial E / \partial \mathrm{net}_{u}"]
    md = notes_markdown(build_notes_for("mitchell-2-2-2"))
    assert r"here, $\delta_{u} = -\partial E / \partial \mathrm{net}_{u}$ (" in md


def test_the_weight_decay_term_and_a_named_weight_are_printed_as_symbols() -> None:
    maths = [p.latex for p in reason_para("weight-decay-2-2-1").parts if isinstance(p, Math)]
    assert maths == [r"\lambda w^{[1]}_{1,1}", r"w^{[1]}_{1,1}"]


def test_a_shared_weight_is_named_in_the_notes_notation(tmp_path: Path) -> None:
    spec = tmp_path / "shared.yaml"
    spec.write_text("inputs: [x1, x2]\nlayers:\n  - name: hidden\n    units: [h1, h2]\n"
                    "    activation: sigmoid\n    weights: [[w_a, v2], [w_a, c2]]\n"
                    "  - {name: output, units: [o], activation: sigmoid, weights: [[p1, p2]]}\n"
                    "loss: {kind: squared_error, factor: 1/2}\n", encoding="utf-8")
    net = build_network(load_spec(spec))
    form = layer_matrix_form(net, derive(net))
    assert form is not None and not form.applies
    assert "w_a" in form.reason
    para = next(b for b in build_notes(net, derive(net)).blocks if isinstance(b, Para)
            and "The matrix form does not apply to this network: " in b.parts)
    assert "the weight " in "".join(p for p in para.parts if isinstance(p, str))
    assert any(isinstance(p, Math) and "w" in p.latex and "_" in p.latex for p in para.parts)
    assert all("w_a" not in p for p in para.parts if isinstance(p, str))
