"""A network's loss as a graph of single operations, lettered, with reverse-mode steps.

Every +, −, ×, power, function call and loss term of the network's unit definitions becomes
one node, whose small expression is in terms of its children's symbols; each edge carries the
local derivative ∂node/∂child, taken by SymPy's ``diff`` on that small expression. Nodes that
are not leaves get letters, given in the order the backward pass reaches them (the root, the
loss, keeps its own name), skipping letters the network already uses; the steps then find
∂L/∂node for every node, each as the sum over its consumers of the consumer's derivative
times the local derivative. The walk memoises by expression, so its cost is linear in the
size of the unit definitions.

>>> import sympy as sp
>>> m, x, c, y = sp.symbols("m x c y")
>>> g = op_graph(sp.Add(sp.Mul(m, x, evaluate=False), c, evaluate=False), y, [m, x, c])
>>> [(s.node.name, str(s.closed)) for s in g.steps]
[('y', '1'), ('a', '1'), ('c', '1'), ('m', 'x'), ('x', 'm')]
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from ..errors import SymbackpropError

MAX_OP_NODES = 5000  # above this an operation-level picture or derivation is unreadable
_SLOTS = sp.symbols("slot0:64", real=True)  # a node's children, as placeholders


@dataclass(frozen=True)
class OpNode:
    """One operation (or a leaf): its symbol, its expression in its children's symbols."""

    symbol: sp.Symbol
    expr: sp.Expr | None  # None for a leaf
    children: tuple[sp.Symbol, ...]
    kind: str  # add | sub | mul | pow | call | leaf

    @property
    def name(self) -> str:
        return self.symbol.name


@dataclass(frozen=True)
class OpEdge:
    consumer: sp.Symbol
    child: sp.Symbol
    local: sp.Expr  # ∂consumer/∂child


@dataclass(frozen=True)
class OpStep:
    """∂root/∂node = Σ over consumers of ∂root/∂consumer · ∂consumer/∂node."""

    number: int
    node: OpNode
    terms: tuple[tuple[sp.Symbol, sp.Expr], ...]  # (consumer, local derivative)
    derivative: sp.Expr  # Σ ∂root/∂consumer · local, with ∂root/∂consumer as a symbol
    closed: sp.Expr  # the same in the graph's letters and leaves
    size: int  # operations in ``closed`` written out as a tree


def adjoint_symbol(root: sp.Symbol, node: sp.Symbol) -> sp.Symbol:
    """The symbol ∂root/∂node stands for in a step (printed as that fraction)."""
    return sp.Symbol(f"\N{PARTIAL DIFFERENTIAL}{root.name}/\N{PARTIAL DIFFERENTIAL}{node.name}")


@dataclass(frozen=True)
class OpGraph:
    root: sp.Symbol
    nodes: tuple[OpNode, ...]  # in the order the backward pass reaches them: root first
    leaves: frozenset[sp.Symbol]

    @cached_property
    def by_symbol(self) -> dict[sp.Symbol, OpNode]:
        return {n.symbol: n for n in self.nodes}

    @cached_property
    def edges(self) -> tuple[OpEdge, ...]:
        rules: dict[tuple[sp.Expr, int], sp.Expr] = {}
        edges = []
        for n in self.nodes:
            if n.expr is None:
                continue
            if len(n.children) > len(_SLOTS):
                edges += [OpEdge(n.symbol, c, sp.diff(n.expr, c)) for c in n.children]
                continue
            # the node's expression in placeholders: every c·w node shares one diff
            slots = _SLOTS[:len(n.children)]
            template = n.expr.xreplace(dict(zip(n.children, slots, strict=True)))
            back = dict(zip(slots, n.children, strict=True))
            for k, c in enumerate(n.children):
                if (template, k) not in rules:
                    rules[template, k] = sp.diff(template, slots[k])
                local = rules[template, k].xreplace(back)
                # σ'(c) = σ(c)(1 − σ(c)) reads g·(1 − g) once σ(c) is the node g
                edges.append(OpEdge(n.symbol, c, local.xreplace({n.expr: n.symbol})))
        return tuple(edges)

    @cached_property
    def consumers(self) -> dict[sp.Symbol, list[OpEdge]]:
        out: dict[sp.Symbol, list[OpEdge]] = {n.symbol: [] for n in self.nodes}
        for e in self.edges:
            out[e.child].append(e)
        return out

    def adjoint(self, node: sp.Symbol) -> sp.Symbol:
        return adjoint_symbol(self.root, node)

    @cached_property
    def steps(self) -> tuple[OpStep, ...]:
        """The backward pass, node by node: ∂root/∂root = 1 first. Each closed form shares
        its consumers' closed forms (a DAG in memory), so building them all is linear."""
        closed: dict[sp.Symbol, sp.Expr] = {}
        size: dict[sp.Symbol, int] = {}
        steps: list[OpStep] = []
        for k, n in enumerate(self.nodes, 1):
            if n.symbol == self.root:
                derivative: sp.Expr = sp.S.One
                value: sp.Expr = sp.S.One
                terms: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()
                size[n.symbol] = 0
            else:
                terms = tuple((e.consumer, e.local) for e in self.consumers[n.symbol])
                derivative = sp.Add(*[self.adjoint(c) * d for c, d in terms])
                value = sp.Add(*[closed[c] * d for c, d in terms])
                size[n.symbol] = min(sum(size[c] + sp.count_ops(d) + 2 for c, d in terms),
                                     10**9)
            closed[n.symbol] = value
            steps.append(OpStep(k, n, terms, derivative, value, size[n.symbol]))
        return tuple(steps)

    def gradients(self, params: Iterable[sp.Symbol]) -> dict[sp.Symbol, sp.Expr]:
        """∂root/∂param in the graph's letters and leaves (0 where it does not reach)."""
        by_node = {s.node.symbol: s.closed for s in self.steps}
        return {p: by_node.get(p, sp.S.Zero) for p in params}

    def evaluate(self, values: Mapping[sp.Symbol, sp.Expr], digits: int = 30,
                 rewrite: Callable[[sp.Expr], sp.Expr] = lambda e: e
                 ) -> tuple[dict[sp.Symbol, sp.Expr], dict[sp.Symbol, sp.Expr]]:
        """Every node's value and every ∂root/∂node at ``values`` of the leaves: one pass
        forward, one backward, each local derivative evaluated once; ``rewrite`` gives an
        unspecified function its stand-in first."""
        at: dict[sp.Symbol, sp.Expr] = dict(values)
        for sym, expr in self.forward():
            at[sym] = rewrite(expr).xreplace(at).evalf(digits)
        adjoint: dict[sp.Symbol, sp.Expr] = {}
        for step in self.steps:
            adjoint[step.node.symbol] = sp.S.One if not step.terms else sp.Add(*[
                adjoint[c] * rewrite(d).xreplace(at).evalf(digits) for c, d in step.terms])
        return at, adjoint

    def forward(self) -> list[tuple[sp.Symbol, sp.Expr]]:
        """Each lettered node with its expression, in evaluation order (leaves first)."""
        return [(n.symbol, n.expr) for n in reversed(self.nodes) if n.expr is not None]

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` with every letter replaced by what it computes, down to the leaves."""
        for sym, definition in reversed(self.forward()):
            expr = expr.xreplace({sym: definition})
        return expr


class _Builder:
    def __init__(self, leaves: Iterable[sp.Symbol], definitions: Mapping[sp.Symbol, sp.Expr],
                 keep: Iterable[sp.Symbol] = ()):
        self.leaves = set(leaves)
        self.definitions = definitions
        self.keep = set(keep)
        self.named: dict[sp.Symbol, sp.Symbol] = {}  # operation → the name it keeps
        self.nodes: dict[sp.Symbol, OpNode] = {}
        self.memo: dict[sp.Expr, sp.Expr] = {}
        self.count = 0

    def fresh(self, kind: str, expr: sp.Expr, children: list[sp.Expr]) -> sp.Symbol:
        self.count += 1
        if self.count > MAX_OP_NODES:
            raise SymbackpropError(
                f"the network has more than {MAX_OP_NODES} operations", field="--level op",
                hint="draw and derive it at the level of units (--level unit)")
        sym = sp.Dummy(f"op{self.count}")
        kids = tuple(dict.fromkeys(c for c in children if isinstance(c, sp.Symbol)))
        self.nodes[sym] = OpNode(sym, expr, kids, kind)
        return sym

    def node(self, expr: sp.Expr) -> sp.Expr:
        """The symbol standing for ``expr`` (a number stays a number)."""
        if expr.is_Number or expr in self.leaves:
            return expr
        if expr in self.memo:
            return self.memo[expr]
        if isinstance(expr, sp.Symbol):
            if expr not in self.definitions:  # a free name: a leaf of its own
                self.leaves.add(expr)
                return expr
            result = self.node(self.definitions[expr])
            if expr in self.keep and result in self.nodes and result not in self.named:
                self.named[result] = expr
        else:
            result = self._operation(expr)
        self.memo[expr] = result
        return result

    def _fold(self, kind: str, parts: list[sp.Expr],
              combine: type[sp.Add] | type[sp.Mul]) -> sp.Expr:
        """Left-fold ``parts`` into binary operations, as a computer evaluates them."""
        acc = self.node(parts[0])
        for p in parts[1:]:
            child = self.node(p)
            acc = self.fresh(kind, combine(acc, child, evaluate=False), [acc, child])
        return acc

    def _operation(self, expr: sp.Expr) -> sp.Expr:
        if isinstance(expr, sp.Add):
            plus = [a for a in expr.args if not _negated(a)]
            minus = [-a for a in expr.args if _negated(a)]
            if not plus:
                plus, minus = [expr.args[0]], [-a for a in expr.args[1:]]
            acc = self._fold("add", plus, sp.Add)
            for m in minus:
                child = self.node(m)
                acc = self.fresh("sub", sp.Add(acc, -child, evaluate=False), [acc, child])
            return acc
        if isinstance(expr, sp.Mul):
            coefficient, rest = expr.as_coeff_mul()
            acc = self._fold("mul", list(rest), sp.Mul)
            if coefficient != 1:
                acc = self.fresh("mul", sp.Mul(coefficient, acc, evaluate=False), [acc])
            return acc
        if isinstance(expr, sp.Pow):
            base, exponent = (self.node(a) for a in expr.args)
            return self.fresh("pow", sp.Pow(base, exponent, evaluate=False), [base, exponent])
        if expr.args:
            children = [self.node(a) for a in expr.args]
            return self.fresh("call", expr.func(*children), children)
        return expr  # a constant such as π


def _negated(term: sp.Expr) -> bool:
    return isinstance(term, sp.Mul) and term.args[0] == -1


def op_graph(expr: sp.Expr, root: sp.Symbol, leaves: Iterable[sp.Symbol],
             definitions: Mapping[sp.Symbol, sp.Expr] | None = None,
             taken: Iterable[str] = (), keep: Iterable[sp.Symbol] = ()) -> OpGraph:
    """The operation graph of ``expr`` named ``root``, down to ``leaves``.

    ``definitions`` expand intermediate symbols (a unit's net input or activation) into the
    operations that compute them; ``taken`` are names the letters must not take; the
    operation that computes a symbol of ``keep`` (a node the spec names, seed 001's y in
    y = mx + c) keeps that symbol as its name.
    """
    builder = _Builder(leaves, definitions or {}, keep)
    top = builder.node(expr)
    if not isinstance(top, sp.Symbol) or top in builder.leaves:  # L = a leaf: one copy node
        top = builder.fresh("call", sp.Mul(1, top, evaluate=False), [top])
    nodes = _reverse_topological(builder.nodes, top, builder.leaves)
    named = {op: name for op, name in builder.named.items() if op != top}
    names = _letters(sum(1 for n in nodes if n.expr is not None) - 1 - len(named),
                     set(taken) | {s.name for s in builder.leaves} | {root.name})
    renaming: dict[sp.Symbol, sp.Symbol] = {top: root, **named}
    it = iter(names)
    for n in nodes:
        if n.expr is not None and n.symbol not in renaming:
            renaming[n.symbol] = sp.Symbol(next(it), real=True)
    renamed = tuple(OpNode(renaming.get(n.symbol, n.symbol),
                           n.expr.xreplace(renaming) if n.expr is not None else None,
                           tuple(renaming.get(c, c) for c in n.children), n.kind)
                    for n in nodes)
    return OpGraph(root, renamed, frozenset(builder.leaves))


def _reverse_topological(ops: dict[sp.Symbol, OpNode], top: sp.Symbol,
                         leaves: set[sp.Symbol]) -> list[OpNode]:
    """Kahn's order from the root: a node comes once every consumer of it has come,
    children in the order they appear."""
    waiting: dict[sp.Symbol, int] = {}
    for n in ops.values():
        for c in n.children:
            waiting[c] = waiting.get(c, 0) + 1
    order: list[OpNode] = []
    queue = [top]
    i = 0
    while i < len(queue):
        sym = queue[i]
        i += 1
        node = ops.get(sym) or OpNode(sym, None, (), "leaf")
        order.append(node)
        for c in node.children:
            waiting[c] -= 1
            if waiting[c] == 0:
                queue.append(c)
    return order


def _letters(count: int, taken: set[str]) -> list[str]:
    """``count`` names a, b, c, …, z, a_2, b_2, …, skipping ``taken`` and the letters that
    begin names such as ``w_1_2`` or ``w5`` (a letter w would read as a weight)."""
    heads = {re.sub(r"[\d_].*", "", t) for t in taken}
    out: list[str] = []
    round_ = 1
    while len(out) < count:
        for ch in string.ascii_lowercase:
            name = ch if round_ == 1 else f"{ch}_{round_}"
            if name not in taken and name not in heads:
                out.append(name)
                if len(out) == count:
                    break
        round_ += 1
    return out


def network_op_graph(net: object) -> OpGraph:
    """The operation graph of a built network's objective (its loss and any penalty)."""
    from .build import Network

    assert isinstance(net, Network)
    definitions: dict[sp.Symbol, sp.Expr] = {}
    for u in net.units:
        definitions[u.net] = net.net_display(u)
        if u.out != u.net:  # a formula node whose value and net input share one name
            definitions[u.out] = net.out_definitions[u.out]
    leaves = [*net.inputs, *net.params, *net.targets]
    if net.decay is not None:
        leaves.append(net.decay)
    taken = {s.name for s in net.latex_names}
    try:
        return op_graph(net.objective, net.loss_symbol, leaves, definitions, taken,
                        keep=[u.out for u in net.units if u.formula is not None])
    except SymbackpropError as error:
        error.file = net.spec.file
        raise
