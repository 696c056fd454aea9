"""How the local gradient δ of a unit is named and defined, in the spec's own notation."""

from __future__ import annotations

from ..network.build import Network
from ..spec.naming import expand, plain_name
from ..spec.typesetting import upright


def generic_unit_names(net: Network) -> tuple[str, str] | None:
    """LaTeX for the local gradient and the net input of any unit j of layer l, from the
    notation block (``\\delta^{[l]}_{j}``, ``z^{[l]}_{j}``); None when the units are named
    one by one rather than by the templates."""
    notation = net.spec.notation
    for u in net.spec.units:
        number = notation.first_layer + u.layer
        fields = {"layer": number, "index": u.index, "unit": u.name}
        if (u.net_latex, u.delta_latex) != (expand(notation.net, **fields),
                                             expand(notation.delta, **fields)):
            return None
    generic = {"layer": "l", "index": "j", "unit": "u"}
    return (upright(expand(notation.delta, **generic)),
            upright(expand(notation.net, **generic)))


def local_gradient_text(net: Network) -> str:
    """The definition of δ in words and symbols, for text output."""
    loss = net.loss_symbol.name
    names = generic_unit_names(net)
    sign = "-" if net.spec.notation.delta_sign == "negative" else ""
    if names is None:
        return f"δ = {sign}∂{loss}/∂(net input)"
    return f"{plain_name(names[0])} = {sign}∂{loss}/∂{plain_name(names[1])}"
