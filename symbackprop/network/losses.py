"""Loss registry: each loss as a SymPy expression of outputs and targets, with its LaTeX.

>>> import sympy as sp
>>> from symbackprop.spec.load import LossSpec
>>> from fractions import Fraction
>>> a, y = sp.symbols("a y")
>>> loss_expression(LossSpec("squared_error", Fraction(1, 2), "sum"), [a], [y])
(-a + y)**2/2
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from ..spec.load import LossSpec

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


def output_loss_terms(spec: LossSpec, outputs: Sequence[sp.Symbol],
                      targets: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Each output's share of the loss (seed 004's E_{o1}, E_{o2}): they sum to the loss.

    >>> a, b, y, z = sp.symbols("a b y z")
    >>> output_loss_terms(LossSpec("squared_error", Fraction(1, 2), "sum"), [a, b], [y, z])
    [(-a + y)**2/2, (-b + z)**2/2]
    """
    scale = loss_scale(spec, len(outputs))
    return [scale * term for term in loss_terms(spec, outputs, targets)]


def loss_expression(spec: LossSpec, outputs: Sequence[sp.Symbol], targets: Sequence[sp.Symbol]
                    ) -> sp.Expr:
    """The loss of one example in terms of output activations and targets."""
    return loss_scale(spec, len(outputs)) * sp.Add(*loss_terms(spec, outputs, targets))


def describe_loss(spec: LossSpec) -> str:
    """Words for the loss, e.g. 'half the sum of squared errors'.

    >>> from fractions import Fraction
    >>> describe_loss(LossSpec("squared_error", Fraction(1, 2), "sum"))
    'half the sum of squared errors'
    >>> describe_loss(LossSpec("cross_entropy", Fraction(1), "sum"))
    'the categorical cross-entropy'
    """
    what = {
        "squared_error": f"{spec.reduction} of squared errors",
        "binary_cross_entropy": "binary cross-entropy" if spec.reduction == "sum"
        else "mean binary cross-entropy over the outputs",
        "cross_entropy": "categorical cross-entropy" if spec.reduction == "sum"
        else "mean categorical cross-entropy over the outputs",
    }[spec.kind]
    if spec.factor == 1:
        return f"the {what}"
    if spec.factor == Fraction(1, 2):
        return f"half the {what}"
    return f"{spec.factor} × the {what}"
