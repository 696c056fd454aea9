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
from typing import Any, ClassVar

import sympy as sp

from ..errors import SymbackpropError
from ..spec.load import LossSpec

LOSS_TITLES = {
    "squared_error": "squared error",
    "binary_cross_entropy": "binary cross-entropy",
    "cross_entropy": "categorical cross-entropy",
    "unspecified": "unspecified loss",
    "formula": "loss formula",
}


class UnspecifiedLoss(sp.Function):
    """A loss left unspecified, C(a_1, …, a_n, y_1, …, y_n) (seed 002's C).

    Its derivative by an output is the symbol ∂C/∂a_k (``gradients``, one per argument), so
    derivations keep ∂C/∂a as the seed does; it has no numbers.
    """

    gradients: ClassVar[tuple[sp.Symbol, ...]] = ()
    display: ClassVar[str] = "C"
    text: ClassVar[str] = "C"  # the loss's plain name, as the text of the formulas writes it

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return type(self).gradients[argindex - 1]

    def _latex(self, printer: Any, exp: Any = None) -> str:
        args = ", ".join(printer._print(a) for a in self.args)
        return rf"{type(self).display}\left({args}\right)"

    def _sympystr(self, printer: Any) -> str:
        return f"{type(self).text}({', '.join(printer._print(a) for a in self.args)})"


def unspecified_loss(spec: LossSpec, outputs: Sequence[sp.Symbol], targets: Sequence[sp.Symbol],
                     display: str, text: str) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """C(outputs, targets) and the symbols ∂C/∂a_k, ∂C/∂y_k of its derivatives, written
    with the loss's name ``text`` as LaTeX writes them with ``display`` (``E_total(out_o1,
    target_o1)``, ``∂E_total/∂out_o1``: a name no spec can give to anything else)."""
    name = spec.name or "C"
    args = [*outputs, *targets]
    gradients = tuple(sp.Symbol(f"∂{text}/∂{a.name}", real=True) for a in args)
    function = type(name, (UnspecifiedLoss,), {"gradients": gradients, "display": display,
                                               "text": text})
    return function(*args), gradients


def require_numeric_loss(spec: LossSpec, file: str = "") -> None:
    """Refuse to compute numbers for a loss that has no formula."""
    if spec.kind == "unspecified":
        raise SymbackpropError(
            f"the loss {spec.name} is unspecified, so it has no numbers", field="loss",
            file=file or None, line=spec.line,
            hint="give the loss a kind (squared_error, binary_cross_entropy, cross_entropy) "
                 "to compute values")


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
        elif spec.kind in ("unspecified", "formula"):
            return []  # no share of it belongs to one output
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
    if spec.kind == "unspecified":
        return "left unspecified, as a function of the outputs and the targets"
    if spec.kind == "formula":
        return "the spec's formula of the outputs and their targets"
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
