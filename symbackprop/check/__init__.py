"""Check hand-written gradient formulas against the network's true gradients.

A formula is read by :mod:`symbackprop.check.parser` (tokens, names, guarded arithmetic) and
compared with ∂E/∂param:

* **Verdict** (:mod:`symbackprop.check.verdict`) — both sides are evaluated at many random
  points (:mod:`symbackprop.check.sample_points`) in 50-digit arithmetic and must agree to 40
  digits everywhere; a symbolic check (:mod:`symbackprop.check.symbolic`) confirms a correct
  verdict when it can.
* **Counterexample** — the first point where the values differ.
* **Diagnosis** (:mod:`symbackprop.check.diagnosis`) — the formula is compared with likely
  mistakes: another parameter's gradient, a swapped symbol, a sign or constant factor, a
  missing or extra factor, a missing path of a sum.
* **Leibniz chains** (:mod:`symbackprop.check.leibniz`) — ∂A/∂B factors get their meaning from
  the network's graph, and sums of chains are matched against the paths to the loss.
* **Grading** (:mod:`symbackprop.check.grading`) and **reports** (:mod:`symbackprop.check.report`).

Imports ``render``, ``numeric``, ``network`` and ``spec``. The names below are loaded on first
use, so importing a light module of this package (``tokens``) does not import SymPy.

>>> r = check_formula("specs/seed-004-mazur-2-2-2.yaml", "w5",
...                   "-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1")  # doctest: +SKIP
>>> print(render_check(r))  # doctest: +SKIP
∂E_total/∂w5: CORRECT
...
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "render_check": "report",
    "render_grades": "report",
    "CheckResult": "outcome",
    "Counterexample": "outcome",
    "Checker": "verdict",
    "check_formula": "verdict",
    "check_derivation": "verdict",
    "StepResult": "outcome",
    "NO_EXPLANATION": "diagnosis",
    "GradeRow": "answers",
    "grade_answers": "grading",
    "read_answers": "grading",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
