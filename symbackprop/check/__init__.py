"""Check hand-written formulas and derivations against the network's true gradients.

A formula or a derivation (one step per line, :mod:`symbackprop.check.lines`) is read by the
project's own tokenizer and parser (:mod:`symbackprop.check.tokens`,
:mod:`symbackprop.check.parser`) into syntax trees, which get their meaning in the network
(:mod:`symbackprop.check.meaning`: names, free indices, sums over units and examples,
∂A/∂B factors as total derivatives through the graph):

* **Verdicts** (:mod:`symbackprop.check.steps`, :mod:`symbackprop.check.verdict`) — every side
  of every step is evaluated at many random points (:mod:`symbackprop.check.sample_points`)
  in 50-digit arithmetic and must agree with what it claims to equal to 40 digits; numbers
  are checked at the spec's worked example (:mod:`symbackprop.check.numbers`); update rules
  against gradient descent (:mod:`symbackprop.check.updates`); a symbolic check
  (:mod:`symbackprop.check.symbolic`) confirms a correct gradient when it can.
* **Counterexample** — the first point where the values differ.
* **Diagnosis** (:mod:`symbackprop.check.diagnosis`, :mod:`symbackprop.check.rereadings`) — the
  formula is compared with likely mistakes: another parameter's gradient, a swapped symbol, a
  sign or constant factor, a missing or extra factor, a missing path of a sum, brackets.
* **Leibniz chains** (:mod:`symbackprop.check.leibniz`) — ∂A/∂B factors get their meaning from
  the network's graph (:mod:`symbackprop.check.graph`), and sums of chains are matched
  against its paths.
* **First wrong line** — later steps that only inherit an earlier error are consequences.
* **Grading** (:mod:`symbackprop.check.grading`, :mod:`symbackprop.check.parallel`) and
  **reports** (:mod:`symbackprop.check.report`).

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
