"""max_pool and avg_pool layers in a spec: their units and windows, default names, the
stride's default, and one located message for every malformed layer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from spec_texts import load_error, load_text

from symbackprop.cli.app import main
from symbackprop.spec.kinds.pool import window
from symbackprop.spec.model import PoolGeometry

HEAD = "inputs: {shape: [1, 4, 4]}\nlayers:\n"
CONV = "  - {kind: conv2d, filters: 2, kernel: 2, activation: relu}\n"
TAIL = "  - {units: 1, activation: sigmoid}\nloss: binary_cross_entropy\n"


def test_a_max_pool_layer_takes_every_window_of_each_channel(tmp_path: Path) -> None:
    spec = load_text(tmp_path, HEAD + CONV + "  - {kind: max_pool, kernel: 2, stride: 1}\n" + TAIL)
    pool = spec.layers[1]
    assert pool.pool is not None and pool.pool.output == (2, 2, 2) and pool.shape == (2, 2, 2)
    assert pool.activation.kind == "linear" and len(pool.units) == 8
    unit = spec.unit("u2_2_1_2")  # channel 2, row 1, column 2
    assert (unit.net_latex, unit.latex, unit.delta_latex) == (
        "z^{[2]}_{2,1,2}", "a^{[2]}_{2,1,2}", r"\delta^{[2]}_{2,1,2}")
    links = {p.unit: p for p in spec.pools}
    assert links["u2_2_1_2"].kind == "max"
    # rows 1–2, columns 2–3 of channel 2 of the convolution, in (m, n) order
    assert links["u2_2_1_2"].sources == ("u1_2_1_2", "u1_2_1_3", "u1_2_2_2", "u1_2_2_3")
    # no parameter and no edge belongs to a pooling unit
    assert not [e for e in spec.edges if e.target.startswith("u2_")]
    assert not [b for u, b in spec.biases if u.startswith("u2_")]
    assert len(spec.params) == 8 + 2 + 9


def test_the_stride_defaults_to_the_kernel(tmp_path: Path) -> None:
    spec = load_text(tmp_path, HEAD + "  - {kind: avg_pool, kernel: 2}\n" + TAIL)
    pool = spec.layers[0].pool
    assert pool is not None and pool.stride == (2, 2) and pool.output == (1, 2, 2)
    links = {p.unit: p for p in spec.pools}
    assert links["u1_1_2_2"].kind == "avg"
    assert links["u1_1_2_2"].sources == ("x_1_3_3", "x_1_3_4", "x_1_4_3", "x_1_4_4")


def test_a_one_dimensional_pool_and_a_convolution_after_it(tmp_path: Path) -> None:
    spec = load_text(tmp_path, "inputs: {shape: [2, 5]}\nlayers:\n"
                     "  - {kind: max_pool, kernel: 2, stride: 1}\n"
                     "  - {kind: conv1d, filters: 1, kernel: 2, activation: tanh}\n" + TAIL)
    assert spec.layers[0].shape == (2, 4)
    assert spec.layers[1].conv is not None and spec.layers[1].conv.source == (2, 4)
    assert {p.unit: p.sources for p in spec.pools}["u1_2_3"] == ("x_2_3", "x_2_4")


def test_window_lists_sources_row_major() -> None:
    geometry = PoolGeometry("max_pool", (1, 5, 5), (2, 3), (2, 1))
    assert geometry.output == (1, 2, 3)
    assert window(geometry, (1, 2, 3)) == [(1, 3, 3), (1, 3, 4), (1, 3, 5),
                                           (1, 4, 3), (1, 4, 4), (1, 4, 5)]


@pytest.mark.parametrize(("layers", "field", "words"), [
    ("  - {kind: max_pool, kernel: 5}\n", "layers[0].kernel", "does not fit"),
    ("  - {kind: max_pool}\n", "layers[0]", "missing required key `kernel`"),
    ("  - {kind: avg_pool, kernel: 2, stride: 0}\n", "layers[0].stride", "≥ 1"),
    ("  - {kind: max_pool, kernel: [2, 2, 2]}\n", "layers[0].kernel", "expected 2 sizes"),
    ("  - {kind: max_pool, kernel: 2, activation: relu}\n", "layers[0].activation",
     "unknown key"),
    ("  - {kind: max_pool, kernel: 2, filters: 2}\n", "layers[0].filters", "unknown key"),
    ("  - {units: 2, activation: tanh}\n  - {kind: avg_pool, kernel: 2}\n",
     "layers[1].kind", "needs a shaped source"),
])
def test_a_malformed_pool_layer_is_located(tmp_path: Path, layers: str, field: str,
                                           words: str) -> None:
    error = load_error(tmp_path, HEAD + layers + TAIL)
    assert words in error.message, error.message
    assert error.field == field and error.line is not None


def test_an_edge_into_a_pooling_unit_is_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, HEAD + "  - {kind: max_pool, kernel: 2}\n" + TAIL
                       + "edges:\n  - {from: x_1_1_1, to: u1_1_1_1}\n")
    assert error.field == "edges[0].to" and "pooling unit" in error.message


def test_the_cli_exits_2_on_a_bad_pool_layer(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(HEAD + "  - {kind: max_pool, kernel: 9}\n" + TAIL, encoding="utf-8")
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert "layers[0].kernel" in result.output and "Traceback" not in result.output
