"""Derivations as JSON, in a layout whose size grows linearly with the parameters.

The layout is described in ``docs/json.md``; ``schema`` names its version. The δ form gives
every gradient as one row of a table (name, LaTeX name, text, LaTeX), so a 784-30-10 network
takes about 120 bytes a parameter; the chain and closed forms, meant for small networks,
give every parameter an object with its steps and chain factors.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .escape import finite_or_none
from .numbers import json_number
from .printing import partial_tex, partial_text, plain_text, tex

SCHEMA = 2


def to_json(doc: Any) -> str:
    """The document as JSON text: nested parts indented, one line per row or parameter."""
    net = doc.network
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "title": net.spec.title,
        "form": doc.form,
        "loss": {"name": net.loss_symbol.name, "expression": plain_text(net.objective),
                 "latex": tex(net, net.objective)},
        "definitions": [{"text": r.text, "latex": r.latex} for r in doc.definitions],
        "deltas": [{"text": r.text, "latex": r.latex} for r in doc.deltas],
    }
    if doc.matrix is not None:
        data["matrix"] = doc.matrix.json()
    if doc.cost is not None:
        data["cost"] = {"text": doc.cost.text, "latex": doc.cost.latex}
    if doc.form != "delta":
        data["parameters"] = [_parameter(doc, pd) for pd in doc.params]
    data = finite_or_none(data)  # strict JSON: no NaN or Infinity
    if doc.form == "delta":  # strings only: no number to make finite
        data["gradients"] = {"columns": list(GRADIENT_COLUMNS),
                             "rows": StringRows(_gradient(net, pd) for pd in doc.params)}
    data["notes"] = list(doc.notes)
    return _dump(data) + "\n"


GRADIENT_COLUMNS = ("name", "latex_name", "expression", "latex")


def _gradient(net: Any, pd: Any) -> list[str]:
    """One row of the δ form's table: the parameter's names and ∂E/∂p in text and LaTeX."""
    row = pd.rows[-1]
    return [pd.name, _latex_name(pd, net), row.text, row.latex]


def _parameter(doc: Any, pd: Any) -> dict[str, Any]:
    net = doc.network
    d = pd.derivation
    p = d.param
    entry: dict[str, Any] = {
        "name": pd.name,
        "latex_name": net.latex_of(p),
        # null where written out it would fill pages: the δ form stands for it
        "expression": plain_text(d.display) if pd.written_out else None,
        "latex": tex(net, d.display) if pd.written_out else None,
        "closed": plain_text(d.closed) if pd.written_out else None,
        "delta_form": plain_text(d.delta_form),
        "delta_form_latex": tex(net, d.delta_form),
        "steps": [{"kind": r.kind, "text": r.text, "latex": r.latex} for r in pd.rows],
    }
    if d.paths is not None:
        entry["chain"] = [[{
            "numerator": f.numerator.name, "denominator": f.denominator.name,
            "factor": partial_text(f.numerator, f.denominator),
            "factor_latex": partial_tex(net, f.numerator, f.denominator),
            "value": plain_text(f.value), "value_latex": tex(net, f.value),
        } for f in path] for path in d.paths]
    if pd.value is not None:
        entry["numeric"] = json_number(pd.value)
    return entry


class StringRows(list[list[str]]):
    """Rows of strings only, encoded in one call (see :func:`_string_rows`)."""


def _string_rows(rows: StringRows, indent: str) -> str:
    """One row a line, as ``_dump`` writes a list of lists, from one encoding of them all.

    Between two rows of strings the encoding has ``"],["``, and nowhere else: inside a
    string every ``"`` is escaped, so ``"`` after ``[`` opens a string and a string never
    holds ``"],["``."""
    inner = indent + "  "
    body = _encode_row(rows)[1:-1].replace('"],["', f'"],\n{inner}["')
    return f"[\n{inner}{body}\n{indent}]"


def _latex_name(pd: Any, net: Any) -> str:
    names = getattr(pd, "names", None)
    if names is not None:  # a templated parameter knows its names already
        return str(names.latex[0])
    return str(net.latex_of(pd.derivation.param))


def _dump(value: Any, indent: str = "") -> str:
    """JSON with objects of objects indented, and each object of plain values on one line."""
    inner = indent + "  "
    if isinstance(value, StringRows) and value and all(row for row in value):
        return _string_rows(value, indent)
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) and v
                                       for v in value.values()):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return "[\n" + ",\n".join(inner + _encode_row(v) for v in value) + f"\n{indent}]"
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + f"\n{indent}]"
    return _plain(value)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), allow_nan=False).encode
# a row of the gradient table: no space after commas (three bytes a parameter)
_encode_row = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                               allow_nan=False).encode


def _plain(value: Any) -> str:
    """Strict JSON (RFC 8259): a number that is not finite is written as ``null``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    if isinstance(value, dict) and any(isinstance(v, float) for v in value.values()):
        value = {k: None if isinstance(v, float) and not math.isfinite(v) else v
                 for k, v in value.items()}
    return _encode(value)
