"""Check hand-written gradient formulas against the network's true gradients.

A formula is read by :mod:`symbackprop.formula` and compared with ∂E/∂param:

* **Verdict** (:mod:`symbackprop.check_verdict`) — both sides are evaluated at many random
  points (:mod:`symbackprop.check_points`) in 50-digit arithmetic and must agree to 40 digits
  everywhere; a symbolic check (:mod:`symbackprop.check_symbolic`) confirms a correct verdict
  when it can.
* **Counterexample** — the first point where the values differ.
* **Diagnosis** (:mod:`symbackprop.diagnose`) — the formula is compared with likely mistakes:
  another parameter's gradient, a swapped symbol, a sign or constant factor, a missing or
  extra factor, a missing path of a sum.
* **Leibniz chains** (:mod:`symbackprop.leibniz`) — ∂A/∂B factors get their meaning from the
  network's graph, and sums of chains are matched against the paths to the loss.
* **Grading** (:mod:`symbackprop.grading`) and **reports** (:mod:`symbackprop.check_report`).

>>> r = check_formula("specs/seed-004-mazur-2-2-2.yaml", "w5",
...                   "-(target_o1 - out_o1)*out_o1*(1-out_o1)*out_h1")  # doctest: +SKIP
>>> print(render_check(r))  # doctest: +SKIP
∂E_total/∂w5: CORRECT
...
"""

from __future__ import annotations

from .check_report import render_check, render_grades
from .check_results import CheckResult, Counterexample
from .check_verdict import Checker, check_formula
from .diagnose import NO_EXPLANATION
from .grading import GradeRow, grade_answers, read_answers

__all__ = ["NO_EXPLANATION", "CheckResult", "Checker", "Counterexample", "GradeRow",
           "check_formula", "grade_answers", "read_answers", "render_check", "render_grades"]
