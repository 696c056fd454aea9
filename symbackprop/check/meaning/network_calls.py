"""The network written as functions: its output f_{W,B}(x), its loss L(a, y), its cost J(W, B).

Seed 001 writes the network as "a function f with input x and parameters W, B", and the loss
and the cost as calls of it:

* ``f_{\\textbf{W},\\textbf{B}}(x)`` (or ``f(x)``) is the output of a one-output network at
  input x: the output's own symbol when x is the input, its value in example i when x is
  ``x^i`` inside a sum over the examples, else the closed form with the arguments in place of
  the inputs. The name is ``notation.function`` (f unless the spec says otherwise); the
  subscript lists collections of parameters: ``\\textbf{W}`` every weight, ``\\textbf{B}``
  every bias, ``\\theta`` every parameter (bold or not, :data:`scripts.COLLECTIONS`);
* ``L(a, y)`` is the spec's loss of one example with output a and target y;
* ``J(\\textbf{W}, \\textbf{B})`` is the spec's cost, the mean of the loss over the examples.

A name the spec uses otherwise (an activation function f, a weight called W) is never read
as these: writing it so is an error that says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..reading.scripts import COLLECTIONS, collections_in
from ..reading.syntax import Call, Name, Node, walk
from ..reading.tokens import formula_error
from .sums import array_name

if TYPE_CHECKING:
    from .names import NameTable

_Reader = Any  # the reader of meaning.py: read(node), quantity(found), scope, reading

_SINGULARS = {"weight": "weight", "bias": "bias", "param": "parameter"}
_PLURALS = {"weight": "weights", "bias": "biases", "param": "parameters"}


def read_network_call(r: _Reader, node: Call) -> sp.Expr | None:
    """The value of ``node`` when it calls the network, its loss or its cost; None when it
    is another call (a function of the formulas, or a name times a bracket: ``J(1 − y)``)."""
    scope = r.scope
    table, q = scope.table, scope.table.quantities
    if scope.locals is not None and node.func in scope.locals.functions:
        return None
    sub = table.network_function(node.func)
    if sub is not None:
        if q.function_taken is not None and sub:
            raise formula_error(f"`{node.func}` cannot be the network as a function: "
                                f"{q.function_taken}", node.pos,
                                hint="name the network's function in the spec "
                                     "(notation: function: F)")
        if q.function_taken is not None or (sub == "" and scope.defining):
            return None  # the spec's own f, or a derivation's (Let y = f(u))
        return _output(r, node, sub)
    found = table.lookup(node.func) or table.generic(node.func)
    if found is None or found[0] not in (q.loss, q.cost):
        return None
    roles = _parameters(r, node)
    if found[0] == q.cost or (roles is not None and q.latex_of(q.cost) == q.latex_of(q.loss)):
        if roles is None:
            if len(node.args) == 1:
                return None
            raise formula_error(f"the cost `{node.func}` is a function of the parameters, as "
                                f"in J(\\textbf{{W}}, \\textbf{{B}})", node.pos)
        r.reading.notes.append(f"read `{node.func}({', '.join(a for a, _ in roles)})` as the "
                               f"cost {table.text_of(q.cost)}{_described(r, roles)}")
        return r.quantity((q.cost, None))
    if roles is not None:
        raise formula_error(f"the loss `{node.func}` of one example is a function of the "
                            f"output and the target, L(a, y); the cost "
                            f"{table.text_of(q.cost)} is the function of the parameters",
                            node.pos)
    return None if len(node.args) == 1 else _loss(r, node, found[1])


def collection_arguments(node: Node, table: NameTable) -> set[Name]:
    """The names of ``node`` that list collections of parameters as the arguments of the
    loss or the cost (the W and B of ``J(\\textbf{W}, \\textbf{B})``): they stand for no
    single parameter, as a generic w does."""
    q = table.quantities
    found: set[Name] = set()
    for call in walk(node):
        if not isinstance(call, Call) or not all(
                isinstance(a, Name) and a.written in COLLECTIONS for a in call.args):
            continue
        named = table.lookup(call.func) or table.generic(call.func)
        if named is not None and named[0] in (q.loss, q.cost):
            found.update(a for a in call.args if isinstance(a, Name))
    return found


def _output(r: _Reader, node: Call, sub: str) -> sp.Expr:
    """``f_{W,B}(x)``: the output of a one-output network at the arguments."""
    table = r.scope.table
    net = table.quantities.net
    roles = _subscript(r, node, sub) if sub else []
    written = f"{node.func}(…)"
    if len(net.outputs) != 1:
        shown = ", ".join(table.text_of(u.out) for u in net.outputs[:6])
        raise formula_error(f"`{written}` is the output of a network with one output; this "
                            f"one has {len(net.outputs)} ({shown})", node.pos,
                            hint="write the output's name")
    if len(node.args) != len(net.inputs):
        shown = ", ".join(table.text_of(x) for x in net.inputs[:6])
        raise formula_error(f"`{node.func}` takes the network's {_count(net.inputs, 'input')}"
                            f" ({shown})", node.pos)
    if node.primes:
        raise formula_error(f"`{node.func}'`: the derivative of the network as a function "
                            f"is not supported", node.pos,
                            hint="write ∂A/∂B of the network's quantities")
    args = [r.read(a) for a in node.args]
    out = net.outputs[0].out
    value = _same(r, args, net.inputs, out)
    how = ""
    if value is None:
        value = net.substitute(out).xreplace(dict(zip(net.inputs, args, strict=True)))
        how = (f" with its {'arguments' if len(args) > 1 else 'argument'} in place of "
               + ", ".join(table.text_of(x) for x in net.inputs[:6]))
    r.reading.notes.append(f"read `{written}` as the network's output {table.text_of(out)}"
                           f"{how}{_described(r, roles)}")
    return value


def _loss(r: _Reader, node: Call, generic: str | None) -> sp.Expr:
    """``L(a, y)``: the loss of one example with output a and target y."""
    table = r.scope.table
    q = table.quantities
    net = q.net
    unit = net.outputs[0] if len(net.outputs) == 1 else None
    if unit is None and len(node.args) == 2 * len(net.outputs) and \
            all(u.target is not None for u in net.outputs):
        return _outputs_loss(r, node)
    if unit is None or unit.target is None:
        raise formula_error(f"`{node.func}(a, y)` is the loss of a network with one output "
                            f"and its target; this one has {len(net.outputs)} outputs",
                            node.pos, hint="write the loss with the outputs' names")
    if len(node.args) != 2:
        raise formula_error(f"the loss `{node.func}` takes the output and the target: "
                            f"{node.func}(a, y)", node.pos)
    args = [r.read(a) for a in node.args]
    value = _same(r, args, (unit.out, unit.target), q.loss)
    loss = table.text_of(q.loss)
    if generic is not None:
        r.reading.notes.append(generic)
    if value is not None:
        r.reading.notes.append(f"read `{node.func}(…, …)` as the loss {loss} of the output "
                               f"{table.text_of(unit.out)} and the target "
                               f"{table.text_of(unit.target)}")
        return value
    r.reading.notes.append(f"read `{node.func}(…, …)` as the loss {loss} with its arguments "
                           f"in place of the output {table.text_of(unit.out)} and the target "
                           f"{table.text_of(unit.target)}")
    return net.loss.xreplace({unit.out: args[0], unit.target: args[1]})


def _outputs_loss(r: _Reader, node: Call) -> sp.Expr:
    """``L(a_1, …, a_n, y_1, …, y_n)``: the loss of a network with several outputs, as
    ``derive`` prints an unspecified one (the outputs, then their targets)."""
    table = r.scope.table
    net = table.quantities.net
    symbols = (*[u.out for u in net.outputs], *[u.target for u in net.outputs])
    args = [r.read(a) for a in node.args]
    value = _same(r, args, symbols, table.quantities.loss)
    shown = ", ".join(table.text_of(s) for s in symbols[:6])
    how = "" if value is not None else " with its arguments in place of"
    r.reading.notes.append(f"read `{node.func}(…)` as the loss "
                           f"{table.text_of(table.quantities.loss)}{how} of {shown}")
    return value if value is not None else \
        net.loss.xreplace(dict(zip(symbols, args, strict=True)))


def _same(r: _Reader, args: list[sp.Expr], symbols: Sequence[sp.Symbol],
          result: sp.Symbol) -> sp.Expr | None:
    """``result`` when the arguments are ``symbols`` themselves, its value in example i when
    they are the symbols' values in example i; None otherwise."""
    if list(args) == list(symbols):
        return result
    if all(isinstance(a, sp.Indexed) for a in args) and \
            [a.base.label.name for a in args] == [array_name(s) for s in symbols] and \
            len({a.indices for a in args}) == 1:
        r.reading.examples = True
        return sp.IndexedBase(array_name(result))[args[0].indices[0]]
    return None


def _parameters(r: _Reader, node: Call) -> list[tuple[str, str]] | None:
    """The collections of parameters the arguments name (``J(\\textbf{W}, \\textbf{B})``),
    None when an argument is something else."""
    if not all(isinstance(a, Name) and a.written in COLLECTIONS for a in node.args):
        return None
    return _checked(r, [(a.written, COLLECTIONS[a.written])  # type: ignore[union-attr]
                        for a in node.args], node)


def _subscript(r: _Reader, node: Call, sub: str) -> list[tuple[str, str]]:
    roles = collections_in(sub)
    if roles is None:
        raise formula_error(f"the subscript of `{node.func}` lists the parameters: "
                            f"\\textbf{{W}} (every weight), \\textbf{{B}} (every bias) or "
                            f"\\theta (all of them)", node.pos)
    return _checked(r, roles, node)


def _checked(r: _Reader, roles: list[tuple[str, str]], node: Call) -> list[tuple[str, str]]:
    """``roles``, after checking that the network names none of the letters otherwise and
    has parameters of each kind."""
    table = r.scope.table
    for letter, role in roles:
        found = table.lookup(letter)
        if found is not None:
            raise formula_error(f"`{letter}` in `{node.func}` names "
                                f"{table.text_of(found[0])} of the network, not its "
                                f"{_PLURALS[role]}", node.pos, hint="write \\textbf{W}, "
                                "\\textbf{B} only where the network uses no such name")
        if not _members(table.quantities.net, role):
            raise formula_error(f"`{letter}` in `{node.func}`: the network has no "
                                f"{_PLURALS[role]}", node.pos)
    return roles


def _members(net: Any, role: str) -> list[sp.Symbol]:
    # a pooling unit's links carry ∂pool/∂source, not weights
    weights = list(dict.fromkeys(w for u in net.units if u.weighted for _, w in u.incoming))
    biases = list(dict.fromkeys(u.bias for u in net.units if u.bias is not None))
    return {"weight": weights, "bias": biases, "param": list(net.params)}[role]


def _count(items: Sequence[object], word: str, plural: str | None = None) -> str:
    return f"{len(items)} {word if len(items) == 1 else plural or word + 's'}"


def _described(r: _Reader, roles: list[tuple[str, str]]) -> str:
    """``(W: the 5 weights, B: the 4 biases)``, and the kind of parameter left out."""
    if not roles:
        return ""
    net = r.scope.table.quantities.net
    parts = [f"{letter}: the {_count(_members(net, role), _SINGULARS[role], _PLURALS[role])}"
             for letter, role in roles]
    covered = {m for _, role in roles for m in _members(net, role)}
    left = [p for p in net.params if p not in covered]
    if left:
        parts.append(f"{_count(left, 'other parameter')} taken as they are")
    return " (" + ", ".join(parts) + ")"
