"""The meaning of ∂A/∂B factors in the network's graph, and checks of chains of them.

A factor such as ∂w7/∂h1 (a weight does not depend on a unit's value) is named as
meaningless, ∂h1/∂o1 as upside down; a sum of chains ∂E/∂o · ∂o/∂h · ∂h/∂w is matched term
by term against the paths from the parameter to the loss.
"""

from __future__ import annotations

import sympy as sp

from ..errors import FormulaError
from ..network.build import Network
from ..network.derivation import Derivation
from .parser import ParsedFormula, Partial

INDEPENDENT = ("param", "input", "target")
KIND_WORDS = {"param": "a parameter", "input": "an input", "target": "a target",
              "net": "a net input", "out": "a unit's value", "loss": "the loss"}
MAX_CHAIN_OPS = 300


class Graph:
    """Which quantity depends on which, and the local derivatives between them."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self._ancestors: dict[sp.Symbol, frozenset[sp.Symbol]] = {}
        self._partials: dict[tuple[sp.Symbol, sp.Symbol], tuple[sp.Expr, str | None, bool]] = {}

    def definition(self, sym: sp.Symbol) -> sp.Expr:
        """The expression a net input, activation or the loss is defined by."""
        if sym == self.net.loss_symbol:
            return self.net.loss
        if sym in self.net.net_definitions:
            return self.net.net_definitions[sym]
        return self.net.out_definitions[sym]

    def ancestors(self, sym: sp.Symbol) -> frozenset[sp.Symbol]:
        """Every quantity ``sym`` depends on, directly or through the graph."""
        if sym in self._ancestors:
            return self._ancestors[sym]
        if self.net.kinds.get(sym) not in ("net", "out", "loss"):
            self._ancestors[sym] = frozenset()
            return self._ancestors[sym]
        for u in self.net.units:  # fill in topological order: no deep recursion
            for s in (u.net, u.out):
                if s not in self._ancestors:
                    self._ancestors[s] = self._through(self.definition(s))
        if sym == self.net.loss_symbol:
            self._ancestors[sym] = self._through(self.net.loss)
        return self._ancestors[sym]

    def _through(self, definition: sp.Expr) -> frozenset[sp.Symbol]:
        direct = definition.free_symbols
        return frozenset(set(direct).union(*(self._ancestors.get(d, frozenset())
                                             for d in direct)))

    def partial_value(self, p: Partial) -> tuple[sp.Expr, str | None, bool]:
        """The value of ∂A/∂B in the graph, a problem with it, and whether it is an error."""
        key = (p.numerator, p.denominator)
        if key not in self._partials:
            self._partials[key] = self._partial_value(p)  # its words depend on the key only
        return self._partials[key]

    def _partial_value(self, p: Partial) -> tuple[sp.Expr, str | None, bool]:
        a, b = p.numerator, p.denominator
        ka, kb = self.net.kinds[a], self.net.kinds[b]
        if "delta" in (ka, kb):
            raise FormulaError(f"{p.text}: δ is not a quantity of the forward pass",
                               hint="differentiate net inputs, activations or the loss")
        if a == b:
            return sp.S.One, None, False
        if ka in INDEPENDENT:
            if kb in INDEPENDENT:
                return sp.S.Zero, f"{p.plain()} is 0: {a.name} and {b.name} are independent", \
                    False
            return sp.S.Zero, (f"{p.plain()} is meaningless: {a.name} is {KIND_WORDS[ka]}, "
                               f"so it does not depend on {b.name} ({KIND_WORDS[kb]}); the "
                               f"chain must pass through units, not weights"), True
        if b not in self.ancestors(a):
            if a in self.ancestors(b):
                return sp.S.Zero, (f"{p.plain()} is upside down: {b.name} depends on "
                                   f"{a.name}, not the other way round"), True
            return sp.S.Zero, f"{p.plain()} is 0: {a.name} does not depend on {b.name}", False
        expr = self.definition(a)
        while True:
            inner = {s: self.definition(s) for s in expr.free_symbols
                     if s != b and b in self.ancestors(s)}
            if not inner:
                break
            expr = expr.xreplace(inner)
        return sp.diff(expr, b), None, False

    def chain_diagnosis(self, parsed: ParsedFormula, side: sp.Expr, param: sp.Symbol,
                        derivation: Derivation) -> list[str]:
        """Check a pure sum of ∂-chains factor by factor against the graph's paths."""
        holders = set(parsed.partials)
        if not side.free_symbols or not side.free_symbols <= holders or \
                sp.count_ops(side) > MAX_CHAIN_OPS:
            return []
        kinds = self.net.kinds
        loss = self.net.loss_symbol
        graph = [[f.numerator for f in p] + [p[-1].denominator] for p in derivation.paths or ()]
        covered = [0] * len(graph)
        found: list[str] = []
        skipped = False
        terms = sp.Add.make_args(sp.expand(side))
        for n, term in enumerate(terms, start=1):
            coeff, factors = term.as_coeff_mul()
            where = f"term {n}" if len(terms) > 1 else "the chain"
            if coeff != 1:
                found.append(f"{where} has a constant factor {coeff}")
            if any(not f.is_Symbol for f in factors):
                found.append(f"{where} repeats a factor")
                continue
            chain = [parsed.partials[f] for f in factors]
            if any(kinds[p.numerator] in INDEPENDENT and p.numerator != p.denominator
                   for p in chain):
                skipped = True  # already named as meaningless
                continue
            nodes = _link(chain, loss, param)
            if nodes is None:
                found.append(f"{where} does not chain from ∂{loss.name} down to ∂{param.name}: "
                             + " · ".join(p.plain() for p in chain))
                continue
            hits = [j for j, g in enumerate(graph) if _subsequence(nodes, g)]
            if not hits:
                found.append(f"{where} ({' → '.join(s.name for s in nodes)}) is not a path "
                             f"of the network")
            for j in hits:
                covered[j] += 1
        for j, g in enumerate(graph):
            label = " → ".join(s.name for s in g if kinds[s] != "net")
            if covered[j] == 0 and not found and not skipped:
                found.append(f"no term follows the path {label}")
            elif covered[j] > 1:
                found.append(f"the path {label} is counted {covered[j]} times")
        return found


def _link(chain: list[Partial], loss: sp.Symbol, param: sp.Symbol) -> list[sp.Symbol] | None:
    """The nodes loss → … → param when the factors telescope, else None."""
    by_top: dict[sp.Symbol, Partial] = {}
    for p in chain:
        if p.numerator in by_top:
            return None
        by_top[p.numerator] = p
    nodes = [loss]
    while nodes[-1] in by_top:
        nodes.append(by_top.pop(nodes[-1]).denominator)
    return nodes if not by_top and nodes[-1] == param else None


def _subsequence(short: list[sp.Symbol], long: list[sp.Symbol]) -> bool:
    it = iter(long)
    return all(any(s == x for x in it) for s in short)
