"""Log-domain pieces for losses on a softplus output, finite where softplus(z) underflows.

Cross-entropy of a softplus output takes log softplus(z). For z ≤ −745, softplus(z) ≈ e^z is
below the smallest float64 and log gives −∞, although the loss (≈ −t·z) and its slope
(−t·σ(z)/softplus(z) ≈ −t) are ordinary numbers. The two functions here are evaluated in
the log domain instead:

* ``log_softplus(z)`` = log log(1 + e^z); for z < −20, z + log1p(−e^z/2) (the next term of
  the series, e^{2z}/3, is below 10⁻¹⁷ relative);
* ``sigmoid_over_softplus(z)`` = σ(z)/softplus(z), its derivative; for z < −20,
  1/(1 + e^z/2) to the same accuracy.

They are SymPy functions (so they can stand in a loss expression, be differentiated and be
lambdified) with NumPy and mpmath implementations, and the same code is written into
generated modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..network.functions import sigmoid

SWITCH = -20.0  # below it the series forms are exact to float64


class log_softplus(sp.Function):
    """log softplus(z), evaluated without underflow (numeric use only)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid_over_softplus(self.args[0])


class sigmoid_over_softplus(sp.Function):
    """σ(z)/softplus(z) = d/dz log softplus(z), finite where both underflow."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        z = self.args[0]
        r = sigmoid_over_softplus(z)
        return r * (1 - sigmoid(z)) - r ** 2


# the NumPy code, shared by the tool (exec'd once) and generated modules (pasted in)
NUMPY_SOURCE = {
    "_log_softplus": '''
def _log_softplus(z):
    """log softplus(z) in the log domain: finite for any z (z + log1p(−e^z/2) below −20)."""
    z = np.asarray(z, dtype=float)
    low = z < -20.0
    mid = np.log(np.logaddexp(0.0, np.where(low, 0.0, z)))
    return np.where(low, z + np.log1p(-0.5 * np.exp(np.minimum(z, -20.0))), mid)
''',
    "_sigmoid_over_softplus": '''
def _sigmoid_over_softplus(z):
    """σ(z)/softplus(z), the slope of log softplus: finite for any z (1/(1 + e^z/2) below −20)."""
    z = np.asarray(z, dtype=float)
    low = z < -20.0
    s = np.where(low, 0.0, z)
    e = np.exp(-np.abs(s))
    sig = np.where(s >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return np.where(low, 1.0 / (1.0 + 0.5 * np.exp(np.minimum(z, -20.0))),
                    sig / np.logaddexp(0.0, s))
''',
}


def _numpy_functions() -> dict[str, Callable[..., Any]]:
    namespace: dict[str, Any] = {"np": np}
    for source in NUMPY_SOURCE.values():
        exec(source, namespace)
    return {"log_softplus": namespace["_log_softplus"],
            "sigmoid_over_softplus": namespace["_sigmoid_over_softplus"]}


NUMPY_FUNCTIONS = _numpy_functions()

MPMATH_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "log_softplus": lambda x: mpmath.log(mpmath.log1p(mpmath.exp(x))),
    "sigmoid_over_softplus": lambda x: 1 / ((1 + mpmath.exp(-x)) * mpmath.log1p(mpmath.exp(x))),
}
