"""Functions a derivation defines for itself and then uses: ``s(x) = 1/(1+e^{-x})``,
``d(x) = s(x)(1 - s(x))``, then ``∂out/∂net = d(net_{o1})``.

A line ``f(x) = …`` whose one-letter function and variable name nothing in the network
defines ``f``; later lines apply it (``f(z)`` is the body with z for x) and differentiate it
(``f'(z)``). The definition itself is not a claim about the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ...errors import FormulaError
from ..meaning.meaning import Locals, Scope, meaning
from ..meaning.names import NameTable
from ..reading.syntax import Call, Name, Statement

_DEFINITION = re.compile(r"^\s*([A-Za-z])\s*(?:\\left\s*)?\(\s*([A-Za-z])\s*(?:\\right\s*)?\)"
                         r"(?:\s|\\[ ,;:!]|\\quad)*=(?!=)")  # s(x) =, s\left(x\right)\ =\


@dataclass(frozen=True)
class OwnFunction:
    """``name(variable) = body``: applied by putting the argument for the variable."""

    name: str
    variable: sp.Symbol
    body: sp.Expr

    def __call__(self, argument: sp.Expr) -> sp.Expr:
        return self.body.subs(self.variable, argument)

    def prime(self, argument: sp.Expr) -> sp.Expr:
        return sp.diff(self.body, self.variable).subs(self.variable, argument)


def _free(table: NameTable, letter: str) -> bool:
    return table.lookup(letter) is None and table.generic(letter) is None and \
        table.param_role(letter) is None and not table.is_function(letter)


def defined_function(formula: str, table: NameTable, locals_: Locals) -> str | None:
    """The name of the function ``formula`` defines (``s`` in ``s(x) = …``), its variable
    made a variable of the derivation; None when the line defines none."""
    m = _DEFINITION.match(formula)
    if m is None or m.group(1) in locals_.symbols or not _free(table, m.group(1)) or \
            not _free(table, m.group(2)):
        return None
    locals_.variable(m.group(2))
    return m.group(1)


def define_function(statement: Statement, name: str, locals_: Locals, scope: Scope
                    ) -> OwnFunction | None:
    """The function ``name(x) = …`` defines, now one of the derivation's own; None when the
    statement is not such a definition."""
    head = statement.sides[0]
    if len(statement.sides) != 2 or not isinstance(head, Call) or head.func != name or \
            len(head.args) != 1 or not isinstance(head.args[0], Name):
        return None
    variable = locals_.variable(head.args[0].written)
    value, reading = meaning(statement.sides[1], scope)
    if reading.partials:
        raise FormulaError("a definition cannot contain ∂ factors")
    own = OwnFunction(name, variable, value)
    locals_.functions[name] = own  # type: ignore[assignment]
    return own
