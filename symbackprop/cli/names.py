"""The ``names`` command: every name of a spec, as commands accept it and as they print it."""

from __future__ import annotations

from typing import Any

import click

from .support import reports_errors, write_output

SETTABLE = {"input": "inputs", "parameter": "params", "target": "targets",
            "learning rate": "learning_rate", "weight decay": "weight_decay"}
"""Roles a values file or ``--at NAME=N`` sets, and the key they go under."""


def name_rows(spec: Any) -> list[dict[str, str]]:
    """One row per quantity of ``spec``: its role, whose it is, its name (as typed in values
    files, ``--param``, formulas and plain-text output), what else is accepted for it, its
    LaTeX, and the ``values`` key it is set under (``""`` when it is computed)."""
    place = {u.name: f"layer {u.layer}, unit {u.index}" for u in spec.units}
    rows = []
    for q in spec.names.quantities:
        if q.role == "built-in function":
            continue
        also = q.owner if q.role == "target" and q.owner != q.name else ""
        of = place.get(q.owner, q.owner if q.owner != q.name else "")
        rows.append({"role": q.role, "of": of,
                     "name": q.name, "also": also, "latex": q.latex,
                     "set_under": SETTABLE.get(q.role, "")})
    return rows


def names_text(rows: list[dict[str, str]]) -> str:
    header = ["name", "role", "of", "also accepted", "LaTeX", "values key"]
    keys = ["name", "role", "of", "also", "latex", "set_under"]
    table = [header] + [[r[k] for k in keys] for r in rows]
    widths = [max(len(row[k]) for row in table) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


@click.command("names")
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@reports_errors
def names(spec: str, fmt: str) -> None:
    """List every name of SPEC: inputs, parameters, targets, each unit's net input,
    activation and δ, the loss, the cost and the learning rate.

    Each is listed as values files, --at NAME=N, --param and formulas accept it and as the
    plain-text output prints it, with its LaTeX. A target is also accepted under its output
    unit's name.

    \b
    Examples:
      symbackprop names specs/seed-002-four-layer.yaml
      symbackprop names SPEC --format json
    """
    from ..render.escape import json_text
    from ..spec.load import load_spec

    rows = name_rows(load_spec(spec))
    write_output(json_text({"names": rows}) if fmt == "json" else names_text(rows), None)
