"""Compare symbolic gradients with central finite differences.

Two methods:

* **full** (small networks): every parameter, in high precision
  (:mod:`symbackprop.numeric.precise_check`). With 40 significant digits,
  numeric = (J(p + h) − J(p − h)) / 2h, h = 10⁻¹⁵·max(1, |p|). The truncation error is
  O(h²) ≈ 10⁻³⁰ and rounding ≈ 10⁻²⁵, so a correct gradient agrees to far better than the
  tolerance, and a wrong one cannot hide in floating-point noise. A gradient too small for
  40 digits to resolve is checked with as many digits as it needs, up to a bound, and is
  reported not checked beyond it. On a large layered network a full check runs in float64
  through the matrix code instead.
* **directional** (large networks): in float64, k random directions d, comparing g·d with
  (J(θ + hd) − J(θ − hd)) / 2h, plus a random sample of single parameters
  (:mod:`symbackprop.numeric.float_check`). For each sampled parameter the analytic value is
  the symbolic δ-form Σ δ_v·a, with δ_v evaluated from its own symbolic recurrence, so the
  derivation itself is checked, not only the matrix code. h = 10⁻⁵·max(1, |p|) per
  parameter and 10⁻⁶·max(1, rms θ) along a direction with Gaussian entries (which moves
  every parameter at once): large enough that rounding (≈ 10⁻¹⁶·J/h) stays far below the
  tolerance, small enough that truncation does too.

Every check agrees, disagrees or is not checked (:mod:`symbackprop.numeric.check_results`);
the report is ok when nothing disagrees.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ValuesError
from ..network.build import Network, frozen_note
from ..network.derivation import Gradients
from ..spec.load import Values
from .check_results import AGREE, DISAGREE, NOT_CHECKED, DirectionCheck, GradcheckReport, ParamCheck
from .float_check import (
    FLOAT_FLOOR,
    FLOAT_REL_TOL,
    FLOAT_RULE,
    FULL_LIMIT,
    _shifted_costs,
    directional_check,
    full_float_check,
    matrix_code,
)
from .points import complete_values
from .pool_ties import without_ties
from .precise_check import MAX_DIGITS, REL_TOL, RULE, SAFETY, STEP, full_precise_check

# what the 40-digit difference resolves for |J| = 1: SAFETY·ROUNDING·SHRINK·10⁻⁴⁰/h, the
# size below which it counts a gradient of exactly 0 as agreeing
ABS_TOL = 1e-20

METHODS = ("auto", "full", "directional")
DIRECTIONS = 8
COORDINATES = 32

__all__ = ["ABS_TOL", "AGREE", "COORDINATES", "DIRECTIONS", "DISAGREE", "FLOAT_FLOOR",
           "FLOAT_REL_TOL", "FLOAT_RULE", "FULL_LIMIT", "MAX_DIGITS", "METHODS", "NOT_CHECKED",
           "REL_TOL", "RULE", "SAFETY", "STEP", "DirectionCheck", "GradcheckReport",
           "ParamCheck", "_shifted_costs", "check_count", "gradcheck", "resolve_method"]


def resolve_method(net: Network, method: str = "auto") -> str:
    """``full`` or ``directional``: ``auto`` picks by the number of parameters."""
    if method not in METHODS:
        raise ValuesError(f"unknown gradcheck method `{method}`", field="--method",
                          hint="choose from " + ", ".join(METHODS))
    if method == "auto":
        return "full" if len(net.trained) <= FULL_LIMIT else "directional"
    return method


def check_count(net: Network, method: str = "auto", *, directions: int = DIRECTIONS,
                coordinates: int = COORDINATES) -> int:
    """How many progress ticks :func:`gradcheck` reports."""
    if resolve_method(net, method) == "full":
        return len(net.trained)
    return directions + min(coordinates, len(net.trained))


def gradcheck(net: Network, grads: Gradients, values: Values | None = None, *, seed: int = 0,
              method: str = "auto", directions: int = DIRECTIONS,
              coordinates: int = COORDINATES, max_digits: int = MAX_DIGITS,
              progress: Callable[[str], None] | None = None) -> GradcheckReport:
    """Check the gradients of ``net`` at ``values`` (random where values are missing).

    ``method`` is ``full`` (every parameter), ``directional`` (random directions plus a
    sample of parameters) or ``auto`` (full up to :data:`FULL_LIMIT` parameters).
    ``max_digits`` bounds the precision a full check raises to for vanishing gradients.

    >>> report = gradcheck(net, derive(net))  # doctest: +SKIP
    >>> report.ok, report.method, report.not_checked  # doctest: +SKIP
    (True, 'full', 0)
    """
    chosen = resolve_method(net, method)
    point, notes = complete_values(net, values or Values(), seed=seed)
    if any(u.pool == "max" for u in net.units):  # no point on a max-pooling kink
        point, notes = without_ties(net, grads, values or Values(), point, notes, seed=seed)
    if net.frozen:
        notes = [*notes, frozen_note(net)]
    if chosen == "directional":
        return directional_check(net, grads, point, notes, seed=seed, directions=directions,
                                 coordinates=coordinates, progress=progress)
    vec = matrix_code(net) if len(net.trained) > FULL_LIMIT else None
    if vec is not None:
        return full_float_check(net, vec, point, notes, progress=progress)
    return full_precise_check(net, grads, point, notes, max_digits=max_digits,
                              progress=progress)
