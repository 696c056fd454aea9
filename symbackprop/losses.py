"""Loss registry: each loss as a SymPy expression of outputs and targets, with its LaTeX.

>>> import sympy as sp
>>> from symbackprop.spec import LossSpec
>>> from fractions import Fraction
>>> a, y = sp.symbols("a y")
>>> loss_expression(LossSpec("squared_error", Fraction(1, 2), "sum"), [a], [y])
(-a + y)**2/2
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .spec import LossSpec

LOSS_TITLES = {
    "squared_error": "squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "cross_entropy": "categorical cross-entropy",
}


def _rational(spec: LossSpec) -> sp.Rational:
    return sp.Rational(spec.factor.numerator, spec.factor.denominator)


def loss_terms(spec: LossSpec, outputs: Sequence[sp.Symbol], targets: Sequence[sp.Symbol]
               ) -> list[sp.Expr]:
    """One term per output unit, before the factor and the reduction."""
    terms: list[sp.Expr] = []
    for a, y in zip(outputs, targets, strict=True):
        if spec.kind == "squared_error":
            terms.append((y - a) ** 2)
        elif spec.kind == "binary_cross_entropy":
            terms.append(-(y * sp.log(a) + (1 - y) * sp.log(1 - a)))
        elif spec.kind == "cross_entropy":
            terms.append(-y * sp.log(a))
        else:  # pragma: no cover - the spec rejects unknown kinds
            raise ValueError(spec.kind)
    return terms


def loss_scale(spec: LossSpec, n_outputs: int) -> sp.Rational:
    """The constant in front of the sum: the factor, divided by n for a mean."""
    scale = _rational(spec)
    if spec.reduction == "mean":
        scale = scale / n_outputs
    return scale


def loss_expression(spec: LossSpec, outputs: Sequence[sp.Symbol], targets: Sequence[sp.Symbol]
                    ) -> sp.Expr:
    """The loss of one example in terms of output activations and targets."""
    return loss_scale(spec, len(outputs)) * sp.Add(*loss_terms(spec, outputs, targets))


def describe_loss(spec: LossSpec) -> str:
    """Words for the loss, e.g. '½ × sum of squared errors'."""
    title = LOSS_TITLES[spec.kind]
    factor = "" if spec.factor == 1 else f"{spec.factor} × "
    return f"{factor}{spec.reduction} of {title}"
