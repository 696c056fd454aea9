"""A spec's formulas (``nodes:``, a ``loss:`` formula) read by the grammar of this package.

:func:`read_terms` parses one expression with :func:`parse_statement` and gives the spec
stage its own small tree (:class:`symbackprop.spec.formulas.Term`): names, numbers, + − × /,
powers and calls of functions. What the grammar reads but a definition cannot hold (an
equation, a derivative, a sum Σ, an indicator, cases) is an error at the character where it
is written.
"""

from __future__ import annotations

from collections.abc import Callable

from ...spec.formulas import Term
from .parser import parse_statement
from .syntax import Add, Call, Div, Mul, Name, Neg, Node, Num, Pow
from .written_names import formula_error

_NOT_IN_A_DEFINITION = {
    "Deriv": "a derivative", "DerivOp": "a derivative", "Sum": "a sum Σ",
    "Indicator": "an indicator", "Cases": "cases",
}


def read_terms(text: str, knows: Callable[[str], bool]) -> Term:
    """``text``, one expression, as a Term tree.

    >>> read_terms("m*x + c", lambda n: n in "mxc").args[0].op
    'mul'
    """
    statement = parse_statement(text, knows=knows, syntax="auto")
    if statement.relations:
        at = statement.spans[1][0] if len(statement.spans) > 1 else None
        raise formula_error("a definition is one expression, without `=`",
                            None if at is None else max(at - 1, 0),
                            hint="write only the right-hand side")
    return _term(statement.sides[0])


def _term(node: Node) -> Term:
    # iterative post-order: the parser bounds the depth, but Python's stack is shallower
    done: dict[int, Term] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        top, ready = stack.pop()
        parts = _parts(top)
        if not ready:
            stack.append((top, True))
            stack.extend((p, False) for p in parts)
            continue
        args = tuple(done[id(p)] for p in parts)
        done[id(top)] = _make(top, args)
    return done[id(node)]


def _parts(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, Div):
        return (node.top, node.bottom)
    if isinstance(node, Pow):
        return (node.base, node.exp)
    if isinstance(node, Call):
        return node.args
    return ()


def _make(node: Node, args: tuple[Term, ...]) -> Term:
    pos = min((a.pos for a in args), default=getattr(node, "pos", 0))
    if isinstance(node, Name):
        if node.primes:
            raise formula_error(f"`{node.written}`: a prime is a derivative, not a name",
                                node.pos)
        return Term("name", text=node.raw, pos=node.pos)
    if isinstance(node, Num):
        return Term("num", text=node.text, pos=node.pos)
    if isinstance(node, Neg):
        return Term("neg", args, pos=pos)
    if isinstance(node, Add):
        return Term("add", args, pos=pos)
    if isinstance(node, Mul):
        return Term("mul", args, pos=pos)
    if isinstance(node, Div):
        return Term("div", args, pos=node.pos)
    if isinstance(node, Pow):
        return Term("pow", args, pos=node.pos)
    if isinstance(node, Call):
        if node.primes or node.param is not None:
            raise formula_error(f"`{node.func}` with a prime or a subscript is not a "
                                "function a definition may call", node.pos)
        return Term("call", args, text=node.func, pos=node.pos)
    what = _NOT_IN_A_DEFINITION.get(type(node).__name__, type(node).__name__)
    raise formula_error(f"{what} cannot be part of a definition", getattr(node, "pos", None),
                        hint="a node or loss is an expression of names and numbers with "
                             "+ − × / ^ and exp, log, tanh, sigmoid, softplus")
