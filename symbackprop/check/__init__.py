"""Check hand-written formulas and derivations against the network's true gradients.

The package is grouped by stage; a stage imports only the stages before it, except where
judging asks for a diagnosis (``judging.context``, ``judging.steps`` and ``judging.verdict``
import ``diagnosis``):

* **Reading** (:mod:`symbackprop.check.reading`) — a formula or a derivation (one step per
  line, ``lines``) is read by the project's own tokenizer and parser (``tokens``, ``parser``)
  into syntax trees.
* **Meaning** (:mod:`symbackprop.check.meaning`) — the trees get their meaning in the network:
  names, free indices, sums over units and examples, ∂A/∂B factors as total derivatives
  through the network's graph.
* **Judging** (:mod:`symbackprop.check.judging`) — every side of every step is evaluated at
  many random points (``sample_points``) in 50-digit arithmetic and must agree with what it
  claims to equal to 40 digits; numbers are checked at the spec's worked example
  (``numbers``), update rules against gradient descent (``updates``), sums of ∂A/∂B chains
  against the graph's paths (``leibniz``); a symbolic check (``symbolic``) confirms a correct
  gradient when it can. A wrong gradient gets a counterexample, the first point where the
  values differ; in a derivation, later steps that only inherit an earlier error are
  consequences of the first wrong line (``steps``, ``verdict``).
* **Diagnosis** (:mod:`symbackprop.check.diagnosis`) — the formula is compared with likely
  mistakes: another parameter's gradient, a swapped symbol, a sign or constant factor, a
  missing or extra factor, a missing path of a sum, brackets.
* **Grading** (:mod:`symbackprop.check.grading`) — a class's answers, in parallel if asked,
  and the reports.

Imports ``render``, ``numeric``, ``network`` and ``spec``. The names below are loaded on first
use, so importing a light module of this package (``reading.tokens``) does not import SymPy.

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
    "render_check": "grading.report",
    "render_grades": "grading.report",
    "CheckResult": "judging.outcome",
    "Counterexample": "judging.outcome",
    "Checker": "judging.verdict",
    "check_formula": "judging.verdict",
    "check_derivation": "judging.verdict",
    "StepResult": "judging.outcome",
    "NO_EXPLANATION": "diagnosis.diagnosis",
    "GradeRow": "grading.answers",
    "grade_answers": "grading.grading",
    "read_answers": "grading.grading",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
