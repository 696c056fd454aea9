"""Nodes defined by formulas: ``nodes: {y: "m*x + c"}`` and a ``loss:`` formula.

Each node is a unit whose net input is its formula, an expression of other nodes, inputs
and the spec's ``params``, and whose activation is the identity; the loss is a formula of
the nodes it reads (the outputs) and their ``targets``. The units are grouped in layers by
depth (a node one step further from the inputs than its deepest parent), so pictures put
them in columns. Names, cycles, unsupported functions and sizes are checked here; the
network turns each formula into SymPy (:mod:`symbackprop.network.kinds.nodes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ...errors import FormulaError, did_you_mean
from ..formulas import FORMULA_FUNCTIONS, Term, read_formula
from ..model import (
    LOSS_ALIASES,
    LOSS_KINDS,
    ActivationSpec,
    FormulaSpec,
    InputSpec,
    LayerSpec,
    LossSpec,
    Notation,
    ParamSpec,
    UnitSpec,
)
from ..naming import auto_latex, identifier_hint, is_identifier, plain_name
from ..reader import Reader, kind_of
from ..source import Path_
from ..tex import read_math

NODE_KEYS = ("params", "nodes", "targets")
"""The top-level keys of a spec of formula nodes (beside inputs, loss, values, …)."""
_LAYER_KEYS = ("layers", "edges", "weight_decay")
_HINT = ("a formula is built of names, numbers, + − * / ^ and the functions "
         + ", ".join(FORMULA_FUNCTIONS))
LINEAR = ActivationSpec("linear")


@dataclass(frozen=True)
class NodesRead:
    """What ``nodes:`` makes: units grouped in layers by depth, parameters, formulas,
    the outputs the loss reads, and the loss."""

    layers: list[LayerSpec]
    units: list[UnitSpec]
    params: list[ParamSpec]
    formulas: list[FormulaSpec]
    outputs: list[str]
    loss: LossSpec


def read_nodes(r: Reader, top: dict[str, Any], notation: Notation, inputs: list[InputSpec]
               ) -> NodesRead:
    """Read ``params``, ``nodes``, ``targets`` and the loss formula of a spec of nodes."""
    for key in _LAYER_KEYS:
        if key in top:
            raise r.fail((key,), f"a spec of `nodes` has no `{key}`",
                         hint="a node's formula says what feeds it; write the network with "
                              "`layers` or with `nodes`, not both")
    params = _params(r, top)
    names = _node_names(r, top, len(inputs))
    texts = {name: _text(r, ("nodes", name)) for name in names}
    targets = _targets(r, top, names)
    known = {i.name for i in inputs} | {p.name for p in params} | set(names)
    terms = {name: _read(r, ("nodes", name), texts[name], known) for name in names}
    parents = {name: _ordered(terms[name], set(names) | {i.name for i in inputs})
               for name in names}
    _acyclic(r, names, {n: [p for p in parents[n] if p in terms] for n in names})
    depth: dict[str, int] = {}
    for name in _topological(names, parents):
        depth[name] = 1 + max((depth.get(p, 0) for p in parents[name]), default=0)
    formulas = [FormulaSpec(name, texts[name], terms[name], tuple(parents[name]),
                            tuple(_ordered(terms[name], {p.name for p in params})))
                for name in names]
    loss, outputs = _loss(r, top, names, targets)
    _wiring(r, names, parents, outputs)
    layers, units = _layers(names, depth, targets, notation)
    return NodesRead(layers, units, params, formulas, outputs, loss)


def _params(r: Reader, top: dict[str, Any]) -> list[ParamSpec]:
    path: Path_ = ("params",)
    value = top.get("params", [])
    if isinstance(value, dict):
        entries = [(name, (*path, name)) for name in value]
    elif isinstance(value, list):
        entries = [(r.string((*path, k), identifier=True), (*path, k))
                   for k in range(len(value))]
    else:
        raise r.fail(path, f"expected a list of parameter names, got {kind_of(value)}",
                     hint="e.g. `params: [m, c]`")
    if len(entries) > r.limits.max_params:
        raise r.fail(path, f"more than {r.limits.max_params} parameters",
                     hint="raise the bound with --max-params if this network is real")
    out: list[ParamSpec] = []
    for name, at in entries:
        if not is_identifier(name):
            raise r.fail(at, f"`{name}` is not a valid parameter name",
                         hint=identifier_hint(name))
        if any(p.name == name for p in out):
            raise r.fail(at, f"parameter `{name}` is listed twice")
        latex = read_math(r, at) if isinstance(value, dict) else auto_latex(name)
        r.claim(at, "parameter", name, name, latex)
        out.append(ParamSpec(name, latex, "weight"))
    return out


def _node_names(r: Reader, top: dict[str, Any], inputs: int) -> list[str]:
    path: Path_ = ("nodes",)
    value = top["nodes"]
    if not isinstance(value, dict) or not value:
        raise r.fail(path, f"expected a mapping of node names to formulas, got "
                     f"{kind_of(value)}", hint='e.g. `nodes: {y: "m*x + c"}`')
    if len(value) + inputs > r.limits.max_units:
        raise r.fail(path, f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    names: list[str] = []
    for name in value:
        if not isinstance(name, str) or not is_identifier(name):
            raise r.fail((*path, name), f"`{name}` is not a valid node name",
                         hint=identifier_hint(str(name)))
        names.append(name)
        latex = auto_latex(name)
        where: Path_ = (*path, name)
        r.claim(where, "net input", name, plain_name(f"z_{{{latex}}}"), f"z_{{{latex}}}")
        r.claim(where, "activation", name, name, latex)
        delta = rf"\delta_{{{latex}}}"
        r.claim(where, "delta", name, plain_name(delta), delta)
    return names


def _text(r: Reader, path: Path_) -> str:
    value = r.get(path)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Fraction)):
        raise r.fail(path, f"expected a formula, got {kind_of(value)}",
                     hint='quote it: `y: "m*x + c"`')
    text = value if isinstance(value, str) else str(value)
    if len(text) > r.limits.max_formula_length:
        raise r.fail(path, f"a formula of more than {r.limits.max_formula_length} "
                     "characters", hint="split it into several nodes")
    return text


def _targets(r: Reader, top: dict[str, Any], names: list[str]) -> dict[str, str]:
    path: Path_ = ("targets",)
    value = top.get("targets", {})
    if not isinstance(value, dict):
        raise r.fail(path, f"expected a mapping of node → target name, got {kind_of(value)}",
                     hint="e.g. `targets: {y: t}`")
    out: dict[str, str] = {}
    for node in value:
        if node not in names:
            raise r.fail((*path, node), f"no node called `{node}`",
                         hint=did_you_mean(str(node), names))
        out[node] = r.string((*path, node), identifier=True)
        r.claim((*path, node), "target", node, out[node], auto_latex(out[node]))
    return out


def _read(r: Reader, path: Path_, text: str, known: set[str]) -> Term:
    """The formula at ``path``: read, with every name known and every call supported."""
    try:
        term = read_formula(text, lambda raw: raw in known)
    except FormulaError as error:
        raise r.fail(path, f"cannot read `{text}`: {error.message}",
                     hint=error.hint or _HINT) from None
    for t in term.walk():
        if t.op == "name" and t.text not in known:
            hint = did_you_mean(t.text, known)
            raise r.fail(path, f"unknown name `{t.text}` at character {t.pos + 1} of "
                         f"`{text}`", hint=hint if hint and hint.startswith("did") else
                         "a formula reads " + ", ".join(f"`{k}`" for k in sorted(known)))
        if t.op == "call" and t.text not in FORMULA_FUNCTIONS:
            raise r.fail(path, f"the function `{t.text}` at character {t.pos + 1} is not "
                         "supported in a formula", hint=_HINT)
        if t.op == "call" and len(t.args) != 1:
            raise r.fail(path, f"`{t.text}` takes one argument, not {len(t.args)}",
                         hint=_HINT)
    return term


def _ordered(term: Term, among: set[str]) -> list[str]:
    """The names of ``among`` that ``term`` reads, each once, in the order written."""
    return list(dict.fromkeys(t.text for t in term.names() if t.text in among))


def _acyclic(r: Reader, names: list[str], parents: dict[str, list[str]]) -> None:
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done
    for start in names:
        if start in state:
            continue
        path = [start]
        todo = [iter(parents[start])]
        state[start] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                cycle = [*path[path.index(nxt):], nxt]
                raise r.fail(("nodes", nxt), "the nodes form a cycle: "
                             + " ← ".join(f"`{n}`" for n in cycle),
                             hint="a node may read only nodes that do not read it back")
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(parents[nxt]))


def _topological(names: list[str], parents: dict[str, list[str]]) -> list[str]:
    done: set[str] = set()
    order: list[str] = []
    for start in names:
        stack = [(start, False)]
        while stack:
            name, ready = stack.pop()
            if name in done or name not in parents:
                continue
            if ready:
                done.add(name)
                order.append(name)
                continue
            stack.append((name, True))
            stack.extend((p, False) for p in parents[name] if p not in done)
    return order


def _loss(r: Reader, top: dict[str, Any], names: list[str], targets: dict[str, str]
          ) -> tuple[LossSpec, list[str]]:
    path: Path_ = ("loss",)
    if not isinstance(top["loss"], str):
        raise r.fail(path, f"the loss of a spec of nodes is a formula, got "
                     f"{kind_of(top['loss'])}", hint='e.g. `loss: "(t - y)^2"`')
    text = _text(r, path)
    if text in (*LOSS_KINDS, *LOSS_ALIASES):
        raise r.fail(path, f"the loss of a spec of nodes is a formula, not the kind `{text}`",
                     hint='write it out in the nodes and their targets, e.g. "(t - y)^2"')
    target_names = set(targets.values())
    term = _read(r, path, text, set(names) | target_names)
    read = set(_ordered(term, set(names)))
    outputs = [n for n in names if n in read]
    if not outputs:
        raise r.fail(path, f"the loss `{text}` reads no node",
                     hint="write it in the nodes and their targets")
    for name in outputs:
        if name not in targets:
            raise r.fail(path, f"the loss reads the node `{name}`, which has no target",
                         hint=f"give it one: `targets: {{{name}: t}}`")
    return LossSpec("formula", Fraction(1), "sum", line=r.src.line(path), formula=term,
                    text=text), outputs


def _wiring(r: Reader, names: list[str], parents: dict[str, list[str]],
            outputs: list[str]) -> None:
    fed = {p for n in names for p in parents[n]}
    for name in outputs:
        if name in fed:
            child = next(n for n in names if name in parents[n])
            raise r.fail(("nodes", child), f"`{child}` reads `{name}`, which the loss "
                         "reads too", hint=f"the loss reads nodes that feed nothing else; "
                         f"add a node equal to `{name}` for the loss to read")
    for name in names:
        if name not in fed and name not in outputs:
            raise r.fail(("nodes", name), f"the node `{name}` reaches neither another node "
                         "nor the loss", hint="read it in the loss or remove it")


def _layers(names: list[str], depth: dict[str, int], targets: dict[str, str],
            notation: Notation) -> tuple[list[LayerSpec], list[UnitSpec]]:
    units: list[UnitSpec] = []
    layers: list[LayerSpec] = []
    for level in range(1, max(depth.values()) + 1):
        here = [n for n in names if depth[n] == level]
        for k, name in enumerate(here, start=1):
            latex = auto_latex(name)
            target = auto_latex(targets[name]) if name in targets else ""
            units.append(UnitSpec(name, level, k, LINEAR, latex, f"z_{{{latex}}}", target,
                                  rf"\delta_{{{latex}}}"))
        layers.append(LayerSpec(f"depth{level}", level, notation.first_layer + level,
                                tuple(here), LINEAR))
    return layers, units
