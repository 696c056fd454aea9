"""The outcome of a gradient check: one verdict per parameter or direction, and the report.

A verdict is one of three:

* ``agree``: the symbolic value and the central difference agree to the relative tolerance
  (a gradient of exactly 0 agrees when the difference is 0 to within its resolution);
* ``disagree``: they differ by more than the central difference's own error, so the
  symbolic value is wrong;
* ``not checked``: the central difference cannot tell them apart at the tolerance: the
  gradient vanishes below what it resolves at the precision it was computed with. Such a
  check neither passes nor fails, and the report counts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..network.display import Displayable
from ..spec.load import Values

AGREE = "agree"
DISAGREE = "disagree"
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class ParamCheck:
    """One parameter: ∂J/∂p against the central difference. ``ok`` is False only when the
    two disagree; ``digits`` is the precision of the verdict (0 for float64)."""

    name: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool
    status: str = AGREE
    reason: str = ""
    digits: int = 0


@dataclass(frozen=True)
class DirectionCheck:
    """One random-direction check: g·d against the central difference along d."""

    index: int
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool
    status: str = AGREE
    reason: str = ""


@dataclass(frozen=True)
class GradcheckReport(Displayable):
    """The outcome of a gradient check: one row per parameter checked.

    ``ok`` holds when nothing disagrees; checks that are not checked are counted in
    :attr:`not_checked` and do not make it false."""

    ok: bool
    max_rel_error: float
    parameters: list[ParamCheck]
    rule: str
    method: str  # "full" | "directional"
    point: Values
    notes: list[str] = field(default_factory=list)
    directions: list[DirectionCheck] = field(default_factory=list)
    total_parameters: int = 0

    def _count(self, status: str) -> int:
        return sum(r.status == status for r in self.parameters) + sum(
            c.status == status for c in self.directions)

    @property
    def agreed(self) -> int:
        return self._count(AGREE)

    @property
    def disagreed(self) -> int:
        return self._count(DISAGREE)

    @property
    def not_checked(self) -> int:
        return self._count(NOT_CHECKED)


def build_report(rows: Sequence[ParamCheck], checks: Sequence[DirectionCheck], rule: str,
                 method: str, point: Values, notes: list[str], total: int) -> GradcheckReport:
    """The report of ``rows`` and ``checks``; its largest relative error is over the checks
    that were decided (a check not made has no error worth reporting)."""
    decided = [r.rel_error for r in [*rows, *checks] if r.status != NOT_CHECKED]
    return GradcheckReport(
        ok=all(r.status != DISAGREE for r in [*rows, *checks]),
        max_rel_error=max(decided, default=0.0), parameters=list(rows), rule=rule,
        method=method, point=point, notes=notes, directions=list(checks), total_parameters=total,
    )
