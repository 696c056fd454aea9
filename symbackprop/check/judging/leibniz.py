"""Chains of ∂A/∂B factors checked against the paths of the network's graph.

A sum of chains ∂E/∂o · ∂o/∂h · ∂h/∂w written for ∂E/∂w is matched term by term against
the paths from w up to E: a term that does not telescope, a path no term follows, a path
counted twice are each named. A term with a meaningless factor (∂w7/∂h1: a weight does not
depend on a unit) is shown corrected, the weight taken out of the chain, in the order the
student wrote the factors.
"""

from __future__ import annotations

from itertools import pairwise

import sympy as sp

from ..meaning.graph import INDEPENDENT, Graph
from ..meaning.meaning import Partial

MAX_CHAIN_OPS = 300
MAX_PATHS = 64


def graph_paths(graph: Graph, top: sp.Symbol, bottom: sp.Symbol) -> list[list[sp.Symbol]]:
    """Every path top → … → bottom along direct dependencies (at most :data:`MAX_PATHS`)."""
    memo: dict[sp.Symbol, list[list[sp.Symbol]]] = {}

    def down(node: sp.Symbol) -> list[list[sp.Symbol]]:
        if node == bottom:
            return [[node]]
        if node in memo:
            return memo[node]
        definition = graph.definition(node)
        found: list[list[sp.Symbol]] = []
        if definition is not None:
            for s in sorted(definition.free_symbols, key=str):
                if s == bottom or graph.depends(s, bottom):
                    for rest in down(s):
                        found.append([node, *rest])
                        if len(found) > MAX_PATHS:
                            break
        memo[node] = found[:MAX_PATHS]
        return memo[node]

    return down(top)


def _link(chain: list[Partial], top: sp.Symbol, bottom: sp.Symbol) -> list[sp.Symbol] | None:
    """The nodes top → … → bottom when the factors telescope, else None."""
    by_top: dict[sp.Symbol, Partial] = {}
    for p in chain:
        if p.numerator in by_top:
            return None
        by_top[p.numerator] = p
    nodes = [top]
    while nodes[-1] in by_top:
        nodes.append(by_top.pop(nodes[-1]).denominator)
    return nodes if not by_top and nodes[-1] == bottom else None


def _subsequence(short: list[sp.Symbol], long: list[sp.Symbol]) -> bool:
    it = iter(long)
    return all(any(s == x for x in it) for s in short)


def _terms(side: sp.Expr, holders: set[sp.Symbol]) -> list[tuple[sp.Expr, list[sp.Symbol]]]:
    terms = []
    for term in sp.Add.make_args(sp.expand(side)):
        coeff, factors = term.as_coeff_mul()
        terms.append((coeff, list(factors)))
    return terms


def is_chain_sum(side: sp.Expr, partials: dict[sp.Symbol, Partial]) -> bool:
    holders = set(partials)
    return bool(side.free_symbols) and side.free_symbols <= holders and \
        sp.count_ops(side) <= MAX_CHAIN_OPS


def corrected_chains(graph: Graph, side: sp.Expr, partials: dict[sp.Symbol, Partial],
                     top: sp.Symbol, bottom: sp.Symbol) -> str | None:
    """The chain with meaningless factors taken out (weights removed from the middle)."""
    if not is_chain_sum(side, partials):
        return None
    text = graph.text
    fixed: list[str] = []
    changed = False
    for coeff, factors in _terms(side, set(partials)):
        if any(not f.is_Symbol for f in factors):
            return None
        chain = [partials[f] for f in factors]
        nodes = _link(chain, top, bottom)
        if nodes is None:
            return None
        kept = [n for k, n in enumerate(nodes)
                if k in (0, len(nodes) - 1) or graph.kind(n) != "param"]
        if len(kept) == 2 < len(nodes):
            return None  # nothing of the chain is left to show
        changed |= len(kept) != len(nodes)
        pairs = list(pairwise(kept))
        if chain and chain[0].denominator == bottom and len(chain) > 1:
            pairs.reverse()  # the student wrote the chain from the parameter up
        words = " · ".join(f"∂{text(a)}/∂{text(b)}" for a, b in pairs)
        fixed.append(words if coeff == 1 else f"{coeff} · {words}")
    return " + ".join(fixed) if changed else None


def chain_diagnosis(graph: Graph, side: sp.Expr, partials: dict[sp.Symbol, Partial],
                    top: sp.Symbol, bottom: sp.Symbol) -> list[str]:
    """Check a pure sum of ∂-chains for ∂top/∂bottom factor by factor against the graph."""
    if not is_chain_sum(side, partials):
        return []
    kinds = graph.kind
    text = graph.text
    paths = graph_paths(graph, top, bottom)
    covered = [0] * len(paths)
    found: list[str] = []
    skipped = False
    terms = _terms(side, set(partials))
    for n, (coeff, factors) in enumerate(terms, start=1):
        where = f"term {n}" if len(terms) > 1 else "the chain"
        if coeff != 1:
            found.append(f"{where} has a constant factor {coeff}")
        if any(not f.is_Symbol for f in factors):
            found.append(f"{where} repeats a factor")
            continue
        chain = [partials[f] for f in factors]
        if any(kinds(p.numerator) in INDEPENDENT and p.numerator != p.denominator
               for p in chain):
            skipped = True  # already named as meaningless
            continue
        nodes = _link(chain, top, bottom)
        if nodes is None:
            found.append(f"{where} does not chain from ∂{text(top)} down to ∂{text(bottom)}: "
                         + " · ".join(f"∂{text(p.numerator)}/∂{text(p.denominator)}"
                                      for p in chain))
            continue
        hits = [j for j, g in enumerate(paths) if _subsequence(nodes, g)]
        if not hits:
            found.append(f"{where} ({' → '.join(text(s) for s in nodes)}) is not a path "
                         f"of the network")
        for j in hits:
            covered[j] += 1
    for j, g in enumerate(paths):
        label = " → ".join(text(s) for s in g if kinds(s) != "net")
        if covered[j] == 0 and not found and not skipped:
            found.append(f"no term follows the path {label}")
        elif covered[j] > 1:
            found.append(f"the path {label} is counted {covered[j]} times")
    return found
