"""The notes' blocks for the rules of pooling, dropout, embedding, attention, batch_norm and
layer_norm layers, printed beside the δ recurrences: a pooling window's δ routed or spread,
dropout's ∂L/∂a_j = (m_j / p) δ_j with its mask and p, an embedding row's gradient summed
over the positions whose token looks it up, an attention head's backward pass in index and
tensor form, batch normalisation's ∂L/∂x_i, ∂L/∂γ and ∂L/∂β, and a layer_norm layer's
gradient by the units below it with x̂ named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..network.build import Network
from ..network.kinds.attention import attention_rules, attention_tensor_rules
from ..network.kinds.batch_norm import batch_norm_rules
from ..network.kinds.dropout import dropout_rules
from ..network.kinds.embedding import embedding_rules
from ..network.kinds.layer_norm import norm_rules
from ..network.kinds.pool import pool_rules
from .document import Block, Equations, Para


def _rule_blocks(rules: Iterable[Any], intro: str) -> list[Block]:
    """Each rule after ``intro``: its formula and its data (the part after ``, \\quad``),
    two lines aligned on their first ``=``."""
    out: list[Block] = []
    for rule in rules:
        main, _, data = rule.latex.partition(r", \quad ")
        out += [Para((intro,), into=True),
                Equations((main.replace(" = ", " &= ", 1), data.replace(" = ", " &= ", 1)),
                          unbreakable=True)]
    return out


def pool_blocks(net: Network) -> list[Block]:
    """Each pooling layer's rule in index form: the δ of a window routed to its first
    maximum, or spread over it as δ/k²."""
    return _rule_blocks(pool_rules(net.spec),
                        "Through a pooling layer the same recurrence reads, in index form (at "
                        "a tie the first maximum of a window takes its gradient):")


def dropout_blocks(net: Network) -> list[Block]:
    """Each dropout layer's rule in index form: the δ of a kept unit scaled by 1/p, of a
    dropped one 0."""
    return _rule_blocks(dropout_rules(net.spec),
                        "Through an (inverted) dropout layer with mask m and keep probability "
                        "p the same recurrence reads, in index form:")


def embedding_blocks(net: Network) -> list[Block]:
    """Each embedding layer's rule: a row's gradient accumulates the δ of every position
    whose token looks it up."""
    return _rule_blocks(embedding_rules(net.spec),
                        "The table of an embedding layer gets, for each row, the δ of every "
                        "position whose token looks it up, added up (a row no token looks up "
                        "gets 0):")


def attention_blocks(net: Network) -> list[Block]:
    """An attention head's backward pass as the references write it: in index form, then
    in tensor form."""
    index, tensor = attention_rules(net.spec), attention_tensor_rules(net.spec)
    if not index:
        return []
    return [Para(("Through the attention head the same recurrences read, in index form (the "
                  "softmax of each row couples every score of that row):",), into=True),
            Equations(tuple(r.latex.replace(" = ", " &= ", 1) for r in index)),
            Para(("and in tensor form, with 1 a column of ones:",), into=True),
            Equations(tuple(r.latex.replace(" = ", " &= ", 1) for r in tensor))]


def batch_norm_blocks(net: Network) -> list[Block]:
    """Each batch_norm layer's results, Ioffe and Szegedy's: ∂L/∂x_i with the three ways
    through x̂_i, μ_B and σ_B² summed, and ∂L/∂γ, ∂L/∂β summed over the batch."""
    rules = batch_norm_rules(net.spec)
    if not rules:
        return []
    rows = []
    for rule in rules:
        main, _, data = rule.latex.partition(r", \quad ")
        rows.append(main.replace(" = ", " &= ", 1))
        if data:
            rows.append(data.replace(r",\ ", r", \quad ").replace(" = ", " &= ", 1))
    return [Para(("Through a batch normalisation layer the recurrences summed over the three "
                  "ways into each unit below it (through its normalised value, the batch's "
                  "mean and its variance) read, in index form:",), into=True),
            Equations(tuple(rows), unbreakable=True)]


def norm_blocks(net: Network) -> list[Block]:
    """Each layer_norm layer's rule in index form, as Ba, Kiros and Hinton's gradient reads
    with x̂ and ∂L/∂x̂ named: the sum of the three ways through μ, σ² and y_j, collected."""
    return _rule_blocks(norm_rules(net.spec),
                        "Through a layer normalisation layer the three ways through its mean, "
                        "its variance and its outputs add up to the rule, in index form:")
