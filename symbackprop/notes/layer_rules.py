"""The notes' blocks for the rules of dropout and embedding layers, printed beside the δ
recurrences: dropout's ∂L/∂a_j = (m_j / p) δ_j with its mask and p, and an embedding row's
gradient summed over the positions whose token looks it up."""

from __future__ import annotations

from ..network.build import Network
from ..network.kinds.dropout import dropout_rules
from ..network.kinds.embedding import embedding_rules
from .document import Block, Equations, Para


def dropout_blocks(net: Network) -> list[Block]:
    """Each dropout layer's rule in index form: the δ of a kept unit scaled by 1/p, of a
    dropped one 0."""
    out: list[Block] = []
    for rule in dropout_rules(net.spec):
        main, _, data = rule.latex.partition(r", \quad ")
        out += [Para(("Through an (inverted) dropout layer with mask m and keep probability p "
                      "the same recurrence reads, in index form:",), into=True),
                Equations((main.replace(" = ", " &= ", 1), data.replace(" = ", " &= ", 1)),
                          unbreakable=True)]
    return out


def embedding_blocks(net: Network) -> list[Block]:
    """Each embedding layer's rule: a row's gradient accumulates the δ of every position
    whose token looks it up."""
    out: list[Block] = []
    for rule in embedding_rules(net.spec):
        main, _, data = rule.latex.partition(r", \quad ")
        out += [Para(("The table of an embedding layer gets, for each row, the δ of every "
                      "position whose token looks it up, added up (a row no token looks up "
                      "gets 0):",), into=True),
                Equations((main.replace(" = ", " &= ", 1), data.replace(" = ", " &= ", 1)),
                          unbreakable=True)]
    return out
