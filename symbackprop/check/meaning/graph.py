"""Which quantity depends on which, and the value of ∂A/∂B in the network's graph.

A factor ∂A/∂B means the total derivative of A with respect to B through the graph: the
loss, each output's loss term, activations, net inputs and δ depend on what feeds them;
parameters, inputs and targets depend on nothing. ∂w7/∂h1 (a weight by a unit's value) is
meaningless, ∂h1/∂o1 upside down, ∂o1/∂w1 with no path between them 0. Quantities a
derivation defines for itself (``Let x = 1 + e^{-z}``) take part like the network's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ...network.derivation import Gradients
from .quantities import Quantities

INDEPENDENT = ("param", "input", "target", "free", "rate", "count", "decay")
KIND_WORDS = {"param": "a parameter", "input": "an input", "target": "a target",
              "net": "a net input", "out": "a unit's value", "loss": "the loss",
              "loss_term": "a term of the loss", "delta": "a local gradient δ",
              "free": "a variable", "local": "a defined quantity", "rate": "the learning rate",
              "cost": "the cost", "count": "the number of examples",
              "decay": "the weight decay"}


@dataclass(frozen=True)
class PartialValue:
    """∂A/∂B in the graph: its value, a problem with it, and whether that makes it wrong."""

    value: sp.Expr
    problem: str | None = None
    fatal: bool = False


class Graph:
    """The network's dependencies plus a derivation's own definitions (``locals``)."""

    def __init__(self, quantities: Quantities, grads: Gradients,
                 local_definitions: dict[sp.Symbol, sp.Expr] | None = None,
                 local_kinds: dict[sp.Symbol, str] | None = None) -> None:
        self.q = quantities
        self.net = quantities.net
        self.grads = grads
        self.local_definitions = dict(local_definitions or {})
        self.local_kinds = dict(local_kinds or {})
        self._ancestors: dict[sp.Symbol, frozenset[sp.Symbol]] = {}
        self._partials: dict[tuple[sp.Symbol, sp.Symbol], PartialValue] = {}
        self._deltas = {u.delta: u for u in self.net.units}

    def with_locals(self, definitions: dict[sp.Symbol, sp.Expr],
                    kinds: dict[sp.Symbol, str]) -> Graph:
        """The same network with a derivation's definitions added."""
        if not definitions and not kinds:
            return self
        return Graph(self.q, self.grads, {**self.local_definitions, **definitions},
                     {**self.local_kinds, **kinds})

    def kind(self, sym: sp.Symbol) -> str:
        return self.local_kinds.get(sym) or self.q.kinds.get(sym, "free")

    def text(self, sym: sp.Symbol) -> str:
        from .names import display_name

        return display_name(sym, self.q.latex.get(sym, sym.name))

    def definition(self, sym: sp.Symbol) -> sp.Expr | None:
        """The expression a dependent quantity is defined by (None for independent ones)."""
        if sym in self.local_definitions:
            return self.local_definitions[sym]
        if sym == self.net.loss_symbol:  # with its weight decay, λ/2 Σ w², when it has one
            return self.net.objective
        if sym in self.q.loss_terms:
            return self.q.loss_terms[sym][1]
        if sym in self.net.net_definitions:
            return self.net.net_definitions[sym]
        if sym in self.net.out_definitions:
            return self.net.out_definitions[sym]
        if sym in self._deltas:
            return self.grads.closed_delta(self._deltas[sym].name)
        return None

    def ancestors(self, sym: sp.Symbol) -> frozenset[sp.Symbol]:
        """Every quantity ``sym`` depends on, directly or through the graph."""
        if sym in self._ancestors:
            return self._ancestors[sym]
        if self.definition(sym) is None:
            self._ancestors[sym] = frozenset()
            return self._ancestors[sym]
        for u in self.net.units:  # unit by unit, so the stack below stays shallow
            for s in (u.net, u.out):
                if s not in self._ancestors:
                    self._fill(s)
        self._fill(sym)
        return self._ancestors[sym]

    def _fill(self, sym: sp.Symbol) -> None:
        """Ancestors of ``sym`` and of everything it depends on, by an explicit stack (a
        softmax activation depends on the net inputs of units after it in the layer)."""
        stack = [sym]
        while stack:  # the rest (loss, loss terms, δ, locals) by an explicit stack
            top = stack[-1]
            if top in self._ancestors:
                stack.pop()
                continue
            definition = self.definition(top)
            if definition is None:
                self._ancestors[top] = frozenset()
                stack.pop()
                continue
            missing = [s for s in definition.free_symbols if s not in self._ancestors]
            if missing:
                stack.extend(missing)
                continue
            self._ancestors[top] = self._through(definition)
            stack.pop()

    def _through(self, definition: sp.Expr | None) -> frozenset[sp.Symbol]:
        if definition is None:
            return frozenset()
        direct = definition.free_symbols
        return frozenset(set(direct).union(*(self._ancestors.get(d, frozenset())
                                             for d in direct)))

    def depends(self, a: sp.Symbol, b: sp.Symbol) -> bool:
        return b in self.ancestors(a)

    def partial_value(self, a: sp.Symbol, b: sp.Symbol, text: str) -> PartialValue:
        """The value of ∂a/∂b in the graph (words for a problem use ``text``)."""
        key = (a, b)
        if key not in self._partials:
            self._partials[key] = self._partial_value(a, b, text)
        return self._partials[key]

    def _partial_value(self, a: sp.Symbol, b: sp.Symbol, text: str) -> PartialValue:
        ka, kb = self.kind(a), self.kind(b)
        if kb == "delta":
            return PartialValue(sp.S.Zero, f"{text} is meaningless: δ is not a quantity the "
                                f"others are computed from", True)
        if a == b:
            return PartialValue(sp.S.One)
        if ka in INDEPENDENT:
            if kb in INDEPENDENT:
                return PartialValue(sp.S.Zero, f"{text} is 0: {self.text(a)} and "
                                    f"{self.text(b)} are independent")
            return PartialValue(sp.S.Zero, (
                f"{text} is meaningless: {self.text(a)} is {KIND_WORDS.get(ka, ka)}, so it "
                f"does not depend on {self.text(b)} ({KIND_WORDS.get(kb, kb)}); the chain must "
                f"pass through units, not weights"), True)
        if not self.depends(a, b):
            if self.depends(b, a):
                return PartialValue(sp.S.Zero, f"{text} is upside down: {self.text(b)} depends "
                                    f"on {self.text(a)}, not the other way round", True)
            return PartialValue(sp.S.Zero, f"{text} is 0: {self.text(a)} does not depend on "
                                f"{self.text(b)}")
        return PartialValue(self.total_derivative(self.definition(a) or a, b))

    def direct_value(self, a: sp.Symbol, b: sp.Symbol) -> sp.Expr | None:
        """∂a/∂b along the direct edge, the other arguments of a held fixed, when that differs
        from the total derivative (b feeds a directly and through other quantities too, as a
        skip connection or a shared bias): the other reading of the factor."""
        definition = self.definition(a)
        if definition is None or self.kind(a) in INDEPENDENT:
            return None
        for _ in range(2):  # a unit's value through its own net input: y' = σ(z), z = hw + b
            nets = {s: self.definition(s) for s in definition.free_symbols
                    if self.kind(s) == "net" and self.depends(s, b)}
            definition = definition.xreplace(nets)
        if b not in definition.free_symbols:
            return None
        if not any(s != b and self.depends(s, b) for s in definition.free_symbols):
            return None
        return sp.diff(definition, b)

    def total_derivative(self, expr: sp.Expr, b: sp.Symbol) -> sp.Expr:
        """d expr / d b: every quantity in ``expr`` that depends on ``b`` is expanded first."""
        while True:
            inner = {s: self.definition(s) for s in expr.free_symbols
                     if s != b and self.definition(s) is not None and self.depends(s, b)}
            if not inner:
                break
            expr = expr.xreplace(inner)
        return sp.diff(expr, b)
