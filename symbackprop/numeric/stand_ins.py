"""Numbers for unspecified functions: the stand-in the user asked for, or a located error.

An unspecified activation f (seed 000) has no value of its own. Commands that compute numbers
evaluate it as a stand-in only when one is asked for (``--define f=tanh`` or ``functions:
{f: tanh}`` under ``values``) and say which; without one they stop and name the function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..errors import ValuesError
from ..network.build import Network
from ..network.functions import sigmoid, softplus, unspecified
from ..spec.model import STAND_INS


def _np_sigmoid(x: Any) -> Any:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


NUMPY_STAND_INS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "sigmoid": (_np_sigmoid, lambda x: _np_sigmoid(x) * (1.0 - _np_sigmoid(x))),
    "sin": (np.sin, np.cos),
    "softplus": (lambda x: np.logaddexp(0.0, x), _np_sigmoid),
    "linear": (lambda x: 1.0 * np.asarray(x), lambda x: np.ones_like(np.asarray(x, float))),
}
"""Each stand-in and its derivative, for NumPy."""


def _mp_sigmoid(x: Any) -> Any:
    return 1 / (1 + mpmath.exp(-x))


MPMATH_STAND_INS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "tanh": (mpmath.tanh, lambda x: 1 - mpmath.tanh(x) ** 2),
    "sigmoid": (_mp_sigmoid, lambda x: _mp_sigmoid(x) * (1 - _mp_sigmoid(x))),
    "sin": (mpmath.sin, mpmath.cos),
    "softplus": (lambda x: mpmath.log1p(mpmath.exp(x)), _mp_sigmoid),
    "linear": (lambda x: x, lambda x: mpmath.mpf(1)),
}
"""Each stand-in and its derivative, in high precision."""

CHECK_STAND_INS = ("tanh", "sigmoid", "sin")
"""Stand-ins a gradient check tries in turn when none was asked for: a derivation that holds
for every f must agree with finite differences for each of them."""

assert set(NUMPY_STAND_INS) == set(MPMATH_STAND_INS) == set(STAND_INS)


def stand_in(net: Network, name: str) -> str:
    """The stand-in asked for the unspecified function ``name``, or a located error."""
    kind = net.stand_ins.get(name)
    if kind is not None:
        return kind
    line, field = net.spec.function_sites.get(name, (None, ""))
    raise ValuesError(
        f"`{name}` is an unspecified function, so its numbers need a stand-in",
        file=net.spec.file, line=line, field=field or None,
        hint=f"ask for one with `--define {name}=tanh` or `functions: {{{name}: tanh}}` "
             f"under `values`; stand-ins: {', '.join(STAND_INS)}")


def stand_ins(net: Network) -> dict[str, str]:
    """The stand-in of every unspecified function of ``net``; an error names a missing one."""
    return {name: stand_in(net, name) for name in net.functions}


def stand_in_functions(net: Network, module: str) -> dict[str, Callable[..., Any]]:
    """lambdify entries for ``f`` and ``f_prime`` of every unspecified function of ``net``."""
    table = NUMPY_STAND_INS if module == "numpy" else MPMATH_STAND_INS
    out: dict[str, Callable[..., Any]] = {}
    for name in net.functions:
        forward, derivative = table[stand_in(net, name)]
        out[net.spec.names.name("function", name)] = forward
        out[net.spec.names.name("derivative", name)] = derivative
    return out


def describe_stand_ins(net: Network) -> str:
    """``f = tanh, g = sin``: what the numbers of ``net`` assume, in words."""
    return ", ".join(f"{name} = {net.stand_ins[name]}" for name in net.functions
                     if name in net.stand_ins)


def _symbolic(kind: str) -> tuple[Callable[[sp.Expr], sp.Expr], Callable[[sp.Expr], sp.Expr]]:
    forms: dict[str, tuple[Callable[[sp.Expr], sp.Expr], Callable[[sp.Expr], sp.Expr]]] = {
        "tanh": (sp.tanh, lambda z: 1 - sp.tanh(z) ** 2),
        "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z))),
        "sin": (sp.sin, sp.cos),
        "softplus": (softplus, sigmoid),
        "linear": (lambda z: z, lambda z: sp.S.One),
    }
    return forms[kind]


def with_stand_ins(net: Network, expr: sp.Expr) -> sp.Expr:
    """``expr`` with every unspecified f(z) and f'(z) written as its stand-in, for code."""
    if not net.functions:
        return expr
    table: dict[type, Callable[[sp.Expr], sp.Expr]] = {}
    for name in net.functions:
        forward, derivative = _symbolic(stand_in(net, name))
        cls = unspecified(name)
        table[cls] = forward
        table[cls.prime] = derivative

    def replace(e: sp.Expr) -> sp.Expr:
        return table[type(e)](e.args[0])

    return expr.replace(lambda e: type(e) in table, replace)


def stand_in_trials(net: Network) -> list[Network]:
    """``net`` once if every unspecified function has a stand-in, else once per stand-in of
    :data:`CHECK_STAND_INS` given to the functions that have none."""
    missing = [name for name in net.functions if name not in net.stand_ins]
    if not missing:
        return [net]
    return [net.with_stand_ins(dict.fromkeys(missing, kind)) for kind in CHECK_STAND_INS]
