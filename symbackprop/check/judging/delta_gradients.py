"""``δW`` for the gradient ∂E/∂W, where the text says so.

Some notes write the gradient of a parameter as δ before its name (``δW_{5} = δ_{o1}
out_{h1}``) and say so in words: "where δW denotes ∂E/∂W". Read without that sentence, δ W
would be a product with an unknown δ; with it, every bare δ written before a name that starts
with the declared letter is that gradient. A δ with a subscript (δ_{o1}, a unit's error
term) is never touched, and nothing is read this way unless the text declares it.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..reading.syntax import Deriv, Mul, Name, Node, Statement

_SAYS = re.compile(r"\b(?:denotes?|stands? for|means?|is short for|writes?|written)\b",
                   re.IGNORECASE)
_DELTA = re.compile(r"(?:\\delta\b|δ)\s*(?:\\mathbf\s*)?\{?\s*([A-Za-z])(?![A-Za-z])")
_PARTIAL = r"(?:\\partial\b|∂)\s*"
_NUMERATOR = r"\{?\s*([A-Za-z][A-Za-z0-9]*(?:_\{[^{}]*\}|_[A-Za-z0-9]+)?)\s*\}?"


def declared(text: str) -> dict[str, str]:
    """The letters whose δ the text declares a gradient, each with the loss it names
    (``{"W": "E"}`` for "where δW denotes ∂E/∂W")."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not _SAYS.search(line):
            continue
        for m in _DELTA.finditer(line):
            letter = m.group(1)
            quotient = re.search(_PARTIAL + _NUMERATOR + r"\s*(?:\}\s*\{|/)\s*" + _PARTIAL +
                                 r"\{?\s*" + letter + r"(?![A-Za-z])", line[m.end():])
            if quotient is not None:
                found[letter] = quotient.group(1)
    return found


def as_gradients(statement: Statement, letters: dict[str, str]) -> Statement:
    """``statement`` with every declared ``δ W…`` read as ∂E/∂W…."""
    if not letters:
        return statement
    sides = tuple(_rewrite(side, letters) for side in statement.sides)
    return statement if sides == statement.sides else replace(statement, sides=sides)


def _gradient(mark: Node, name: Node, letters: dict[str, str]) -> Deriv | None:
    if not (isinstance(mark, Name) and mark.raw in ("\\delta", "δ") and mark.primes == 0
            and isinstance(name, Name)):
        return None
    loss = next((loss for letter, loss in letters.items()
                 if name.raw.startswith(letter) and not name.raw[len(letter):][:1].isalpha()),
                None)
    if loss is None:
        return None
    return Deriv(Name(loss, mark.pos), name, f"∂{loss}/∂{name.written}", mark.pos)


def _rewrite(node: Any, letters: dict[str, str]) -> Any:
    if isinstance(node, tuple):
        return tuple(_rewrite(n, letters) for n in node)
    if not is_dataclass(node) or isinstance(node, (Name, Deriv)):
        return node
    if isinstance(node, Mul):
        factors: list[Node] = []
        k = 0
        while k < len(node.factors):
            pair = node.factors[k:k + 2]
            found = _gradient(*pair, letters) if len(pair) == 2 else None
            if found is not None:
                factors.append(found)
                k += 2
                continue
            factors.append(_rewrite(node.factors[k], letters))
            k += 1
        return factors[0] if len(factors) == 1 else Mul(tuple(factors))
    changed = {f.name: _rewrite(getattr(node, f.name), letters) for f in fields(node)}
    return replace(node, **changed)
