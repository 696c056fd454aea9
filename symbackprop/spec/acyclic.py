"""A spec's connections form a DAG: a cycle is refused, naming its units and an edge of it."""

from __future__ import annotations

from .model import EdgeSpec, InputSpec, UnitSpec
from .reader import Reader
from .source import Path_


def check_acyclic(r: Reader, inputs: list[InputSpec], units: list[UnitSpec],
                   edges: list[EdgeSpec]) -> None:
    preds: dict[str, list[str]] = {u.name: [] for u in units}
    for e in edges:
        preds[e.target].append(e.source)
    state: dict[str, int] = {}
    for start in preds:
        stack = [(start, iter(preds[start]))]
        trail = [start]
        if state.get(start) == 2:
            continue
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                trail.pop()
                continue
            if nxt not in preds or state.get(nxt) == 2:
                continue
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt):], nxt]
                raise r.fail(_edge_path(r, cycle),
                             "the connections form a cycle: " + " → ".join(reversed(cycle)),
                             hint="a network must be a DAG; remove one of these edges")
            state[nxt] = 1
            stack.append((nxt, iter(preds[nxt])))
            trail.append(nxt)


def _edge_path(r: Reader, cycle: list[str]) -> Path_:
    """Where an explicit edge of the cycle is written (the cycle lists sinks before sources)."""
    pairs = {(cycle[k + 1], cycle[k]) for k in range(len(cycle) - 1)}
    explicit = r.src.data.get("edges")
    if isinstance(explicit, list):
        for k, e in enumerate(explicit):
            if isinstance(e, dict) and (e.get("from"), e.get("to")) in pairs:
                return ("edges", k)
        return ("edges",)
    return ("layers",)
