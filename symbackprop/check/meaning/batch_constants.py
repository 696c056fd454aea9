"""The constants a formula names in a network over a batch with a batch_norm layer.

Ioffe and Szegedy write the batch size m and the layer's ε into their results
(∂L/∂x_i = γ/(m√(σ_B² + ε)) (m ∂L/∂y_i − Σ_{j=1}^{m} ∂L/∂y_j − …)): there m is the number of
examples of the spec's batch, a number, so ``\\sum_{j=1}^{m}`` runs over the batch's
examples 1, …, m like any sum with numeric bounds, and ε is the layer's constant (not the
learning rate it names elsewhere). A name the network itself uses keeps its meaning.
"""

from __future__ import annotations

import sympy as sp

from ...spec.model import NetworkSpec

BATCH_SIZE_WORDS = ("m",)
EPSILON_WORDS = (r"\epsilon", r"\varepsilon", "epsilon", "ε")


def batch_constants(spec: NetworkSpec) -> dict[str, sp.Expr]:
    """Written name → value: m and ε of the spec's batch_norm layer (empty without one).

    >>> batch_constants(load_spec("specs/batchnorm.yaml"))["m"]  # doctest: +SKIP
    3
    """
    for lay in spec.layers:
        g = lay.batch
        if g is not None and g.epsilon is not None:
            epsilon = sp.Rational(g.epsilon.numerator, g.epsilon.denominator)
            return {**dict.fromkeys(BATCH_SIZE_WORDS, sp.Integer(g.examples)),
                    **dict.fromkeys(EPSILON_WORDS, epsilon)}
    return {}
