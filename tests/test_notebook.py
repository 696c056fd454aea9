"""The example notebook in docs/ runs, and each result shows itself as maths.

The stored outputs are the ones a fresh run gives: after an intended change, rewrite them with
``SYMBACKPROP_UPDATE_NOTEBOOK=1 python -m pytest tests/test_notebook.py``.
"""

from __future__ import annotations

import os
import re

import nbformat
from nbclient import NotebookClient
from paths import ROOT

NOTEBOOK = ROOT / "docs" / "example.ipynb"
RICH = ("text/latex", "text/markdown")


# a relative error of about 1e-25 in the gradient check's table: rounding noise of the
# 40-digit evaluation, which may change with SymPy's or mpmath's order of operations
NOISE = re.compile(r"(?<=\| )\d\.\de-\d\d(?= \| ok \|)")


def _rich(cell: nbformat.NotebookNode) -> dict[str, str]:
    return {kind: NOISE.sub("…", "".join(out.data[kind])) for out in cell.outputs
            if out.output_type == "execute_result" for kind in RICH if kind in out.data}


def test_the_example_notebook_runs_and_shows_maths() -> None:
    stored = nbformat.read(NOTEBOOK, as_version=4)
    fresh = nbformat.read(NOTEBOOK, as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(fresh, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in fresh.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    shown = [_rich(c) for c in code if c.outputs]
    assert len(shown) >= 6 and all(shown), "every result displays as LaTeX or Markdown"
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{1}}" in shown[1]["text/latex"]
    assert "all gradients agree" in shown[4]["text/markdown"]
    assert shown[4]["text/markdown"].count("| … | ok |") == 10  # every error was noise
    assert "after 1 update |" in shown[3]["text/markdown"]
    assert "INCORRECT" in shown[5]["text/markdown"]
    if os.environ.get("SYMBACKPROP_UPDATE_NOTEBOOK"):
        for cell in code:
            cell.metadata.pop("execution", None)
        nbformat.write(fresh, NOTEBOOK)
        stored = fresh
    assert [_rich(c) for c in stored.cells if c.cell_type == "code" and c.outputs] == shown
