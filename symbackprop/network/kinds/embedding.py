"""What a lecture writes for backpropagation into an embedding table.

An embedding unit is e_{t,k} = E_{token_t, k} (:mod:`symbackprop.spec.kinds.embedding`): the
table entry stands where a unit's bias stands, so the engine's gradient of E_{v,k} is the sum
of the δ of every unit that looks it up, with nothing of its own for embeddings:

    ∂L/∂E_{v,k} = Σ_{t : token_t = v} δ_{t,k}

(an embedding unit is linear, so its δ is ∂L/∂e_{t,k}); a row no token looks up has gradient
0. This module prints that rule with the layer's tokens.
"""

from __future__ import annotations

from ...spec.model import NetworkSpec
from ...spec.naming import expand
from .dropout import SHOWN, DropoutRule

EmbeddingRule = DropoutRule  # the same two printed forms: LaTeX and text


def embedding_rules(spec: NetworkSpec) -> list[EmbeddingRule]:
    """The rule of every embedding layer: a row's gradient accumulates the δ of every
    position whose token looks it up.

    >>> [r.text for r in embedding_rules(load_spec("specs/embedding.yaml"))]  # doctest: +SKIP
    ['∂L/∂E_{v,k} = Σ_{t : token_t = v} δ^{[1]}_{t,k}, token = (3, 1, 3)']
    """
    rules = []
    for lay in spec.layers:
        geometry = lay.embedding
        if geometry is None:
            continue
        here = expand(spec.notation.delta, layer=lay.number, index="t,k")
        tokens = ", ".join(map(str, geometry.tokens[:SHOWN])) + \
            (", …" if len(geometry.tokens) > SHOWN else "")
        latex = (rf"\frac{{\partial L}}{{\partial E_{{v,k}}}} = "
                 rf"\sum_{{t : \mathrm{{token}}_t = v}} {here}, \quad "
                 rf"\mathrm{{token}} = ({tokens.replace('…', chr(92) + 'ldots')})")
        text = f"∂L/∂E_{{v,k}} = Σ_{{t : token_t = v}} {here}, token = ({tokens})"
        rules.append(EmbeddingRule(latex, text.replace(r"\delta", "δ")))
    return rules
