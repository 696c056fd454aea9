"""Derivative identities derived step by step, as the seeds derive σ' = σ(1 − σ).

Each derivation is a list of SymPy expressions in one variable ``z`` (built unevaluated, so
they print as written); consecutive steps are equal, which the tests check numerically.
The loss/activation pairs whose output gradient collapses to a − y have their own steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..network.build import Network, Unit
from ..network.functions import leaky_relu, relu, sigmoid, softplus, step
from ..network.losses import loss_scale
from ..render.printing import Chain, Partial

Z = sp.Symbol("z", real=True)
A = sp.Symbol("a", positive=True)
Y = sp.Symbol("y", real=True)
ALPHA = sp.Symbol("alpha", positive=True)
L = sp.Symbol("L")
NAMES = {Z: "z", A: "a", Y: "y", ALPHA: r"\alpha", L: "L"}


@dataclass(frozen=True)
class Identity:
    """One derived identity: ``lhs = steps[0] = steps[1] = …`` with a remark per step."""

    title: str
    definition: sp.Expr | None  # f(z) as the activation is defined
    function: sp.Expr  # f(z) as SymPy evaluates it, for checking
    lhs: sp.Expr
    steps: tuple[sp.Expr, ...]
    remarks: tuple[str, ...] = ()  # text after a step ("" for none)
    result: str = ""  # the identity in words


def _d(expr: sp.Expr) -> sp.Expr:
    return sp.Derivative(expr, Z, evaluate=False)


def sigmoid_identity() -> Identity:
    with sp.evaluate(False):
        e = sp.exp(-Z)
        one_plus = 1 + e
        steps = (
            _d(one_plus ** -1),
            -(one_plus ** -2) * (-e),
            e / one_plus ** 2,
            Chain(1 / one_plus, e / one_plus),
            Chain(sigmoid(Z), 1 - sigmoid(Z)),
        )
    return Identity("sigmoid", 1 / (1 + sp.exp(-Z)), sigmoid(Z), _d(sigmoid(Z)), steps,
                    ("", r"\text{chain rule}", "", r"\text{split the fraction}",
                     r"\text{since } \tfrac{e^{-z}}{1 + e^{-z}} = 1 - \sigma(z)"),
                    "σ'(z) = σ(z)(1 − σ(z)): in the network, out(1 − out)")


def tanh_identity() -> Identity:
    with sp.evaluate(False):
        steps = (
            _d(sp.sinh(Z) / sp.cosh(Z)),
            (sp.cosh(Z) ** 2 - sp.sinh(Z) ** 2) / sp.cosh(Z) ** 2,
            1 - sp.sinh(Z) ** 2 / sp.cosh(Z) ** 2,
            1 - sp.tanh(Z) ** 2,
        )
    return Identity("tanh", None, sp.tanh(Z), _d(sp.tanh(Z)), steps,
                    ("", r"\text{quotient rule}", "", ""), "tanh'(z) = 1 − tanh²(z) = 1 − out²")


def softplus_identity() -> Identity:
    with sp.evaluate(False):
        steps = (
            _d(sp.log(1 + sp.exp(Z))),
            sp.exp(Z) / (1 + sp.exp(Z)),
            1 / (1 + sp.exp(-Z)),
            sigmoid(Z),
        )
    return Identity("softplus", None, softplus(Z), _d(softplus(Z)), steps,
                    ("", r"\text{chain rule}", r"\text{divide by } e^{z}", ""),
                    "softplus'(z) = σ(z)")


def relu_identity() -> Identity:
    pw = sp.Piecewise((1, Z > 0), (0, True))
    return Identity("relu", sp.Max(0, Z), relu(Z), _d(relu(Z)), (pw, step(Z)),
                    ("", r"\text{(taken as 0 at } z = 0\text{)}"), "relu'(z) = 1[z > 0]")


def leaky_relu_identity() -> Identity:
    pw = sp.Piecewise((1, Z > 0), (ALPHA, True))
    return Identity("leaky_relu", None, leaky_relu(Z, ALPHA), _d(leaky_relu(Z, ALPHA)),
                    (pw,), ("",), "lrelu'(z) = 1 for z > 0, α otherwise")


def linear_identity() -> Identity:
    return Identity("linear", None, Z, _d(Z), (sp.S.One,), ("",), "the identity's slope is 1")


def bce_sigmoid_identity() -> Identity:
    """Sigmoid output with binary cross-entropy: ∂L/∂z = a − y."""
    dL_da = sp.Add(-Y / A, (1 - Y) / (1 - A), evaluate=False)
    steps = (
        Chain(Partial(L, A), Partial(A, Z)),
        Chain(dL_da, A * (1 - A)),
        sp.Add(-Y * (1 - A), (1 - Y) * A, evaluate=False),
        A - Y,
    )
    loss = -(Y * sp.log(A) + (1 - Y) * sp.log(1 - A))
    return Identity("sigmoid + binary cross-entropy", loss, loss, Partial(L, Z), steps,
                    ("", r"\text{with } a = \sigma(z)", "", ""), "∂L/∂z = a − y")


ACTIVATION_IDENTITIES = {
    "sigmoid": sigmoid_identity, "tanh": tanh_identity, "softplus": softplus_identity,
    "relu": relu_identity, "leaky_relu": leaky_relu_identity, "linear": linear_identity,
}

SOFTMAX_STEPS = (
    r"\frac{\partial a_k}{\partial z_i} &= \frac{\partial}{\partial z_i}"
    r" \frac{e^{z_k}}{\sum_j e^{z_j}}"
    r" = \frac{\mathbb{I}[k = i]\, e^{z_k} \sum_j e^{z_j} - e^{z_k} e^{z_i}}"
    r"{\left(\sum_j e^{z_j}\right)^{2}}"
    r" = a_k \left(\mathbb{I}[k = i] - a_i\right)",
)
SOFTMAX_CE_STEPS = (
    r"\frac{\partial L}{\partial z_j} &= \sum_k \frac{\partial L}{\partial a_k}"
    r" \frac{\partial a_k}{\partial z_j}",
    r"&= \sum_k \left(-\frac{y_k}{a_k}\right) a_k \left(\mathbb{I}[k = j] - a_j\right)",
    r"&= -y_j + a_j \sum_k y_k",
    r"&= a_j - y_j \quad \text{since } \textstyle\sum_k y_k = 1",
)


def loss_derivative_steps(net: Network, unit: Unit, direct: sp.Expr) -> list[sp.Expr]:
    """∂E/∂out of one output, derived the way seed 004 derives it: the outer power, the inner
    derivative, the result (``direct``, as the derivation uses it).

    >>> # E = ½(t − o)²: ∂E/∂o = ½ · 2(t − o) · (−1) = o − t   # doctest: +SKIP
    """
    spec = net.spec.loss
    if unit.target is None:
        return [direct]
    scale = loss_scale(spec, len(net.outputs))
    a, y = unit.out, unit.target
    if spec.kind == "squared_error":
        outer = sp.Mul(2, sp.Add(y, -a), evaluate=False)
        factors = [outer, sp.S.NegativeOne] if scale == 1 else [scale, outer, sp.S.NegativeOne]
        return [Chain(*factors), direct]
    if spec.kind == "binary_cross_entropy":
        with sp.evaluate(False):
            inner = sp.Add(y / a, -((1 - y) / (1 - a)))
        step = sp.Mul(-scale, inner, evaluate=False) if scale != 1 else sp.Mul(
            sp.S.NegativeOne, inner, evaluate=False)
        return [step, direct]
    return [direct]
