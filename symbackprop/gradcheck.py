"""Compare every symbolic gradient with a central finite difference in high precision.

Rule: with 40 significant digits, numeric = (J(p + h) − J(p − h)) / 2h, h = 10⁻¹⁵·max(1, |p|).
The truncation error is O(h²) ≈ 10⁻³⁰ and rounding ≈ 10⁻²⁵, so a correct gradient agrees
to far better than the tolerance, and a wrong one cannot hide in floating-point noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath

from .build import Network
from .derive import Gradients
from .numeric import HIGH_PRECISION_DIGITS, compile_network
from .points import complete_values
from .spec import Values

REL_TOL = 1e-10
ABS_TOL = 1e-20
STEP = "1e-15"


@dataclass(frozen=True)
class ParamCheck:
    name: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """The outcome of a gradient check: one row per parameter checked."""

    ok: bool
    max_rel_error: float
    parameters: list[ParamCheck]
    rule: str
    method: str  # "full" | "directional"
    point: Values
    notes: list[str] = field(default_factory=list)


RULE = (f"central difference (J(p+h) − J(p−h))/2h with h = {STEP}·max(1, |p|), computed with "
        f"{HIGH_PRECISION_DIGITS} significant digits (mpmath); a gradient passes when its "
        f"relative error is at most {REL_TOL:g} or its absolute error at most {ABS_TOL:g}")


def relative_error(a: float, b: float) -> float:
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def gradcheck(net: Network, grads: Gradients, values: Values | None = None, *, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> GradcheckReport:
    """Check every gradient of ``net`` at ``values`` (random where values are missing).

    >>> report = gradcheck(net, derive(net))  # doctest: +SKIP
    >>> report.ok  # doctest: +SKIP
    True
    """
    point, notes = complete_values(net, values or Values(), seed=seed)
    compiled = compile_network(net, grads, module="mpmath")
    rows: list[ParamCheck] = []
    with mpmath.workdps(HIGH_PRECISION_DIGITS):
        params = {k: mpmath.mpf(repr(v)) for k, v in point.params.items()}
        examples = [({k: mpmath.mpf(repr(v)) for k, v in ex.inputs.items()},
                     {k: mpmath.mpf(repr(v)) for k, v in ex.targets.items()})
                    for ex in point.examples]
        m = len(examples)
        analytic = {p.name: mpmath.mpf(0) for p in net.params}
        for inputs, targets in examples:
            result = compiled.run(params, inputs, targets)
            for name, g in result.gradients.items():
                analytic[name] += g / m

        def cost(at: dict[str, mpmath.mpf]) -> mpmath.mpf:
            return mpmath.fsum(compiled.loss(at, i, t) for i, t in examples) / m

        for p in net.params:
            h = mpmath.mpf(STEP) * max(1, abs(params[p.name]))
            plus = dict(params)
            plus[p.name] = params[p.name] + h
            minus = dict(params)
            minus[p.name] = params[p.name] - h
            numeric = (cost(plus) - cost(minus)) / (2 * h)
            a = analytic[p.name]
            abs_err = abs(a - numeric)
            scale = max(abs(a), abs(numeric))
            rel = abs_err / scale if scale != 0 else mpmath.mpf(0)
            ok = bool(rel <= REL_TOL or abs_err <= ABS_TOL)
            rows.append(ParamCheck(p.name, float(a), float(numeric), float(abs_err), float(rel),
                                   ok))
            if progress is not None:
                progress(p.name)
    return GradcheckReport(
        ok=all(r.ok for r in rows), max_rel_error=max((r.rel_error for r in rows), default=0.0),
        parameters=rows, rule=RULE, method="full", point=point, notes=notes,
    )
