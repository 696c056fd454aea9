"""What a lecture writes for backpropagation through an inverted-dropout layer.

A dropout unit is ã_j = m_j a_j / p (:mod:`symbackprop.spec.kinds.dropout`): its one link
carries the constant m_j / p where a dense unit's carries a weight, so the engine's δ
recurrence of the unit below is already

    ∂L/∂a_j = (m_j / p) ∂L/∂ã_j = (m_j / p) δ̃_j

(a dropout unit is linear, so ∂L/∂ã_j is its δ): 0 through a dropped unit, 1/p times the
δ above through a kept one. This module prints that rule with the mask and p of each layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ...spec.model import NetworkSpec
from ...spec.naming import expand

SHOWN = 16  # mask entries printed; a longer mask ends in …


@dataclass(frozen=True)
class DropoutRule:
    """The backward step of one dropout layer, in index form, with its mask and p."""

    latex: str
    text: str


def dropout_rules(spec: NetworkSpec) -> list[DropoutRule]:
    """The rule of every dropout layer: ∂L/∂a of the layer below is (m_j / p) times the δ of
    the dropout unit.

    >>> [r.text for r in dropout_rules(load_spec("specs/dropout.yaml"))]  # doctest: +SKIP
    ['∂L/∂a^{[1]}_{j} = (m_j / p) δ^{[2]}_{j}, m = (1, 0, 1), p = 1/2']
    """
    notation = spec.notation
    rules = []
    for lay in spec.layers:
        geometry = lay.dropout
        if geometry is None:
            continue
        index = "c,i,j" if geometry.shape is not None and len(geometry.shape) == 3 else \
            "c,i" if geometry.shape is not None else "j"
        source = expand(notation.input if lay.position == 1 else notation.activation,
                        layer=lay.number - 1, index=index)
        here = expand(notation.delta, layer=lay.number, index=index)
        mask = ", ".join(map(str, geometry.mask[:SHOWN])) + \
            (", …" if len(geometry.mask) > SHOWN else "")
        mask_tex = mask.replace("…", r"\ldots")
        m = f"m_{{{index}}}"
        latex = (rf"\frac{{\partial L}}{{\partial {source}}} = \frac{{{m}}}{{p}} {here}, "
                 rf"\quad m = ({mask_tex}),\ p = {_latex_number(geometry.keep)}")
        text = (f"∂L/∂{source} = ({m} / p) {here}, m = ({mask}), p = "
                f"{_text_number(geometry.keep)}")
        rules.append(DropoutRule(latex, text.replace(r"\delta", "δ")))
    return rules


def _latex_number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else \
        rf"\frac{{{x.numerator}}}{{{x.denominator}}}"


def _text_number(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
