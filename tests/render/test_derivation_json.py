"""The JSON layout of docs/json.md: schema 2, a gradient table for the δ form, lean size."""

from __future__ import annotations

import json
from pathlib import Path

from layered_specs import write_spec
from paths import ROOT

from symbackprop.network.build import build_network
from symbackprop.network.derivation import derive
from symbackprop.render.derivation_json import GRADIENT_COLUMNS, SCHEMA
from symbackprop.render.derivations import build_document, render
from symbackprop.spec.load import load_spec


def _delta_json(path: Path) -> tuple[dict, object]:
    net = build_network(load_spec(path))
    doc = build_document(net, derive(net), form="delta")
    return json.loads(render(doc, "json")), doc


def test_delta_form_lists_every_gradient_in_one_table(tmp_path: Path) -> None:
    data, doc = _delta_json(write_spec(tmp_path, "t", 3, [(4, "tanh"), (2, "sigmoid")],
                                       "squared_error"))
    assert data["schema"] == SCHEMA == 2
    assert "parameters" not in data
    table = data["gradients"]
    assert table["columns"] == list(GRADIENT_COLUMNS)
    rows = [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]
    assert [r["name"] for r in rows] == [pd.name for pd in doc.params]  # type: ignore
    text = render(doc, "text")  # type: ignore[arg-type]
    for r, pd in zip(rows, doc.params, strict=True):  # type: ignore
        assert f"∂L/∂{r['name']}\n  = {r['expression']}\n" in text
        assert r["latex"] == pd.rows[-1].latex
        assert r["latex_name"] == doc.network.latex_of(pd.derivation.param)  # type: ignore


def test_chain_form_keeps_one_object_per_parameter() -> None:
    net = build_network(load_spec(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"))
    data = json.loads(render(build_document(net, derive(net), values=net.spec.values), "json"))
    assert data["schema"] == 2 and "gradients" not in data
    assert {p["name"] for p in data["parameters"]} >= {"w1", "b2"}


def test_json_of_a_large_network_is_linear_and_lean(tmp_path: Path) -> None:
    sizes = []
    for width in (20, 40):
        path = write_spec(tmp_path, f"w{width}", 300, [(width, "sigmoid"), (10, "sigmoid")],
                          "squared_error")
        net = build_network(load_spec(path))
        text = render(build_document(net, derive(net), form="delta"), "json")
        sizes.append(len(text.encode()) / len(net.params))
    assert all(s <= 150 for s in sizes), sizes  # bytes a parameter (docs/json.md)
    assert abs(sizes[0] - sizes[1]) < 10  # linear: the bytes a parameter do not grow


def test_rows_of_strings_encoded_at_once_are_one_row_a_line() -> None:
    from symbackprop.render.derivation_json import StringRows, _dump

    tricky = ['"],["', "a\\", '\\"],[\\"', "[", "]", "δ", "", '"', "\n"]
    rows = [[a, b, "x", "y"] for a in tricky for b in tricky]
    data = {"rows": rows, "more": {"rows": [["p", "q"]]}}
    at_once = {"rows": StringRows(rows), "more": {"rows": StringRows([["p", "q"]])}}
    text = _dump(at_once)
    assert text == _dump(data)
    assert json.loads(text) == data
    assert sum(line.startswith('    ["') for line in text.splitlines()) == len(rows)
