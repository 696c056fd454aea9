"""Everything checking needs about one network, built once and reused for every answer."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..network.build import Network
from ..network.derivation import Gradients, derive
from .diagnosis import Diagnoser
from .graph import Graph
from .meaning import Locals, Scope
from .names import NameTable
from .quantities import Quantities, quantities_of
from .sample_points import EvaluationPoints


@dataclass
class Context:
    """A network's quantities, names, graph, random points and diagnoser."""

    net: Network
    grads: Gradients
    quantities: Quantities
    table: NameTable
    graph: Graph
    points: EvaluationPoints
    diagnoser: Diagnoser
    param_kind: dict[sp.Symbol, str] = field(default_factory=dict)

    @classmethod
    def build(cls, net: Network, *, seed: int, points: int) -> Context:
        grads = derive(net)
        quantities = quantities_of(net)
        table = NameTable.of(quantities)
        graph = Graph(quantities, grads)
        sample = EvaluationPoints(quantities, grads, seed=seed, count=points)
        diagnoser = Diagnoser(net, grads, sample, table.text_of)
        kinds = {net.symbol_by_name[p.name]: p.kind for p in net.spec.params
                 if p.name in net.symbol_by_name}
        return cls(net, grads, quantities, table, graph, sample, diagnoser, kinds)

    def scope(self, param: sp.Symbol | None, locals_: Locals | None = None) -> Scope:
        graph = self.graph
        if locals_ is not None:
            graph = graph.with_locals(locals_.definitions, locals_.kinds)
        return Scope(self.table, graph, param=param, locals=locals_)

    def knows(self, locals_: Locals | None) -> tuple:
        """``knows`` and ``is_function`` for the parser, with a derivation's own names."""
        def knows(raw: str) -> bool:
            return (locals_ is not None and raw in locals_.symbols) or self.table.knows(raw)

        def is_function(raw: str) -> bool:
            return (locals_ is not None and raw in locals_.functions) or \
                self.table.is_function(raw)

        return knows, is_function

    def text_of(self, sym: sp.Symbol) -> str:
        return self.table.text_of(sym)
