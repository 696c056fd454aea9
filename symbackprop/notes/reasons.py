"""Why the matrix form does not apply, as running text with its symbols set as maths.

:func:`symbackprop.render.matrix.layer_matrix_form` gives the reason as plain text for the
terminal (``δ is −∂E/∂net here``); in the notes the same reason reads with the spec's own
symbols: the local gradient as the notes define it, λ of the weight decay, and the weights and
biases it names printed as they are everywhere else in the notes.

>>> matrix_reason(net, form.reason)  # doctest: +SKIP
('the local gradient is taken with a minus sign here, ', Math(latex='\\\\delta_{u} = …'), …)
"""

from __future__ import annotations

import re

import sympy as sp

from ..network.build import Network
from ..render.local_gradient import generic_unit_names
from ..render.printing import NetworkLatexPrinter, Partial
from .document import Math


def _inline(net: Network, expr: sp.Expr) -> Math:
    return Math(NetworkLatexPrinter(net, inline_partials=True).doprint(expr))


def _negative_delta(net: Network) -> tuple[str | Math, ...]:
    loss = net.latex_of(net.loss_symbol)
    names = generic_unit_names(net)
    if names is not None:
        delta, net_input = names
        definition = Math(rf"{delta} = -\partial {loss} / \partial {net_input}")
    else:
        u = net.units[0]
        minus = sp.Mul(-1, Partial(net.loss_symbol, u.net), evaluate=False)
        definition = _inline(net, sp.Eq(u.delta, minus, evaluate=False))
    return ("the local gradient is taken with a minus sign here, ", definition,
            " (notation.delta_sign: negative), where the matrix form is written with ",
            "the derivative itself")


def _decay(net: Network) -> tuple[str | Math, ...]:
    assert net.decay is not None
    w = net.decayed[0] if net.decayed else sp.Symbol("w")
    return ("the weight decay adds ", _inline(net, sp.Mul(net.decay, w, evaluate=False)),
            " to the gradient of each decayed weight such as ", _inline(net, w))


def matrix_reason(net: Network, reason: str) -> tuple[str | Math, ...]:
    """The reason as text and maths: the parameters it names in the notes' notation."""
    if net.spec.notation.delta_sign == "negative":
        return _negative_delta(net)
    if net.decay is not None:
        return _decay(net)
    params = {p.name: p for p in net.params}
    parts: list[str | Math] = []
    # Only a whole word after "weight" or "bias" names a parameter; unit and layer names
    # stay words as the spec spells them.
    end = 0
    for m in re.finditer(r"\b(?:weight|bias) (\w+)", reason):
        if m.group(1) in params:
            parts += [reason[end:m.start(1)], _inline(net, params[m.group(1)])]
            end = m.end(1)
    parts.append(reason[end:])
    return tuple(parts)
