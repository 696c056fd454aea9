"""The notes of convolution, pooling and recurrent networks: their pictures, their tensor form
and their forward pass on tensors with numbers, checked against NumPy."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from paths import SPECS

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.notes.document import Figure, notes_latex, notes_markdown
from symbackprop.notes.pdflatex import compile_tex
from symbackprop.notes.sections import build_notes
from symbackprop.render.tensor import tensor_form
from symbackprop.spec.load import load_spec

CONV = """\
title: "A 5x5 image through a strided, padded conv_1 layer"
inputs: {shape: [1, 5, 5]}
layers:
  - name: conv_1
    kind: conv2d
    filters: 1
    kernel: 3
    stride: 2
    padding: 1
    activation: tanh
  - name: out
    units: 1
    activation: sigmoid
loss: binary_cross_entropy
"""

RNN = """\
title: "Seven steps of a recurrent layer"
inputs: {size: 1, steps: 7}
layers:
  - name: state
    kind: recurrent
    size: 2
    activation: tanh
    initial: zero
    notation:
      activation: "s^{({step})}_{{index}}"
      recurrent_weight: "R_{{j},{k}}"
  - name: output
    size: 1
    activation: sigmoid
loss: binary_cross_entropy
"""

CONV1D = """\
title: "A signal of six samples through a padded conv1d layer and max pooling"
inputs: {shape: [1, 6]}
layers:
  - name: conv
    kind: conv1d
    filters: 1
    kernel: 3
    stride: 1
    padding: 1
    activation: tanh
  - name: pool
    kind: max_pool
    kernel: 2
    stride: 2
  - name: out
    units: 1
    activation: sigmoid
loss: binary_cross_entropy
"""

GENERATED = {"conv": CONV, "rnn": RNN, "conv1d": CONV1D}

BUNDLED = ["conv-pool.yaml", "conv2d-3x3.yaml", "rnn-bptt.yaml"]


def _notes(path: Path):  # type: ignore[no-untyped-def]
    net = build_network(load_spec(path))
    return net, build_notes(net, derive(net))


def _generated(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex is not installed")


@needs_pdflatex
@pytest.mark.parametrize("name", [*BUNDLED, *GENERATED])
def test_the_notes_of_shaped_layers_compile(tmp_path: Path, name: str) -> None:
    path = SPECS / name if name.endswith(".yaml") else _generated(
        tmp_path, GENERATED[name], f"{name}.yaml")
    _net, doc = _notes(path)
    result = compile_tex(notes_latex(doc))
    assert result.pdf.startswith(b"%PDF")


@pytest.mark.parametrize("name", BUNDLED)
def test_the_notes_print_the_tensor_form_derive_prints(name: str) -> None:
    net, doc = _notes(SPECS / name)
    tex = notes_latex(doc)
    assert r"\subsection*{Tensor form}" in tex
    form = tensor_form(net, derive(net))
    assert form is not None and form.applies
    for _title, rows in form.sections:
        for row in form.latex_rows(rows):
            assert row.partition(r" \quad \text{for }")[0] in tex


def test_a_matrix_of_numbers_reads_back() -> None:
    assert _shown(np.array([[0.82, -0.05]]), r"x = \begin{pmatrix} 0.82 & -0.05 \end{pmatrix}")
    assert not _shown(np.array([[0.82, -0.06]]),
                      r"x = \begin{pmatrix} 0.82 & -0.05 \end{pmatrix}")


def test_each_shaped_layer_gets_its_picture(tmp_path: Path) -> None:
    _net, doc = _notes(SPECS / "conv-pool.yaml")
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert [f.network for f in figures] == [True, False, False]
    conv, pool = figures[1:]
    assert "receptive field of output (2, 1): rows 2..3, columns 1..2" in conv.tikz
    assert "w^{[1]}_{1,1,1,1}" in conv.tikz and "z^{[1]}_{1,2,1}" in conv.tikz
    # the window of pooled output (1, 1) on channel 1: relu(z) values 0.82, 0, 0, 0.93;
    # its first maximum is at row 2, column 2
    assert "row 2, column 2" in pool.caption
    _net, doc = _notes(_generated(tmp_path, CONV, "conv.yaml"))
    tikz = next(b for b in doc.blocks if isinstance(b, Figure) and not b.network).tikz
    assert "conv\\_1" in tikz and "rows 0..2, columns 0..2" in tikz
    _net, doc = _notes(_generated(tmp_path, RNN, "rnn.yaml"))
    rnn = next(b for b in doc.blocks if isinstance(b, Figure) and not b.network)
    assert "{$R$} (h2)" in rnn.tikz and "s^{(7)}" in rnn.tikz and r"\cdots" in rnn.tikz
    assert "```mermaid" in notes_markdown(doc)


def test_a_one_dimensional_layer_is_drawn_as_one_row(tmp_path: Path) -> None:
    _net, doc = _notes(_generated(tmp_path, CONV1D, "conv1d.yaml"))
    conv, pool = [b for b in doc.blocks if isinstance(b, Figure) and not b.network]
    # output 1 of a padded kernel of 3 reads samples 0 (a zero), 1 and 2
    assert "receptive field of output (1, 1): rows 1..1, columns 0..2" in conv.tikz
    assert "receptive field of output (1, 1): rows 1..1, columns 1..2" in pool.tikz


def _matrices(tex: str) -> list[np.ndarray]:
    """Every matrix of numbers in ``tex``."""
    out = []
    for body in re.findall(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", tex, re.S):
        out.append(np.array([[float(e) for e in row.split("&")]
                             for row in body.split(r"\\")]))
    return out


def _shown(m: np.ndarray, tex: str) -> bool:
    """Whether ``m`` is printed in ``tex``, to the four digits the notes give."""
    return any(x.shape == m.shape and np.allclose(x, m, rtol=1e-3, atol=1e-4)
               for x in _matrices(tex))


def _spec_values(name: str) -> tuple[dict[str, float], dict[str, float]]:
    values = load_spec(SPECS / name).values
    assert values is not None
    ex = values.examples[0]
    return ({k: float(v) for k, v in ex.inputs.items()},
            {k: float(v) for k, v in values.params.items()})


def test_the_conv_forward_numbers_are_numpys_cross_correlation() -> None:
    inputs, params = _spec_values("conv-pool.yaml")
    x = np.array([[inputs[f"x_1_{i}_{j}"] for j in range(1, 5)] for i in range(1, 5)])
    tex = notes_latex(_notes(SPECS / "conv-pool.yaml")[1])
    for f in (1, 2):
        w = np.array([[params[f"w_1_{f}_1_{m}_{n}"] for n in (1, 2)] for m in (1, 2)])
        z = np.array([[np.sum(w * x[i:i + 2, j:j + 2]) for j in range(3)] for i in range(3)])
        z += params[f"b_1_{f}"]
        a = np.maximum(z, 0)
        pooled = np.array([[a[i:i + 2, j:j + 2].max() for j in range(2)] for i in range(2)])
        for m in (w, z, a, pooled):
            assert _shown(m, tex), m


def test_the_recurrent_forward_numbers_are_numpys() -> None:
    inputs, params = _spec_values("rnn-bptt.yaml")
    U = np.array([[params[f"U_{i}_{j}"] for j in (1, 2)] for i in (1, 2)])
    W = np.array([[params[f"W_{i}_{j}"] for j in (1, 2)] for i in (1, 2)])
    V = np.array([[params[f"V_{i}_{j}"] for j in (1, 2)] for i in (1, 2)])
    b, c = np.array([params["b_1"], params["b_2"]]), np.array([params["c_1"], params["c_2"]])
    tex = notes_latex(_notes(SPECS / "rnn-bptt.yaml")[1])
    h = np.zeros(2)
    for t in (1, 2, 3):
        x = np.array([inputs[f"x_{t}_1"], inputs[f"x_{t}_2"]])
        a = b + W @ h + U @ x
        h = np.tanh(a)
        o = c + V @ h
        yhat = np.exp(o) / np.exp(o).sum()
        for v in (a, h, o, yhat):
            assert _shown(v.reshape(-1, 1), tex), v
