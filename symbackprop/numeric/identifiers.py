"""Python variable names for a network's quantities: one distinct variable per name.

Generated code names its variables after the spec (``net_h1 = w1*i1 + …``) so that a reader
recognises them. A name is used as it is when it is a plain ASCII identifier that the code
does not need for itself; any other name is spelled out under the prefix ``v_``, in a way
that no two names can share (``x`` → ``v_x``, ``v_x`` → ``v_v__x``, ``ｘ`` → ``v__ff58_``).
Only ASCII comes out, so Python's NFKC folding of identifiers (``ｘ`` is ``x`` to Python)
cannot merge two quantities either.

>>> python_names(["x", "v_x", "w1", "ｘ"], reserved={"x"})
{'x': 'v_x', 'v_x': 'v_v__x', 'w1': 'w1', 'ｘ': 'v__ff58_'}
"""

from __future__ import annotations

import keyword
import string
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import sympy as sp

PREFIX = "v_"
_PLAIN = frozenset(string.ascii_letters + string.digits)


def spelled_out(name: str) -> str:
    """``name`` as ASCII under :data:`PREFIX`: letters and digits stay, ``_`` doubles and
    any other character becomes ``_<hex code>_`` (so the spelling can be read back)."""
    parts = []
    for ch in name:
        if ch in _PLAIN:
            parts.append(ch)
        elif ch == "_":
            parts.append("__")
        else:
            parts.append(f"_{ord(ch):x}_")
    return PREFIX + "".join(parts)


def usable_as_is(name: str, reserved: Collection[str]) -> bool:
    """True when ``name`` can be a variable of generated code without any risk."""
    return (name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
            and not name.startswith(("_", PREFIX)) and name not in reserved)


def python_names(names: Iterable[str], reserved: Collection[str] = ()) -> dict[str, str]:
    """A one-to-one map from ``names`` to ASCII identifiers that avoid ``reserved``."""
    out = {name: name if usable_as_is(name, reserved) else spelled_out(name)
           for name in names}
    check_distinct(out, reserved)
    return out


def check_distinct(mapping: Mapping[str, str], reserved: Collection[str] = ()) -> None:
    """Raise ``ValueError`` when two names share a variable (as Python sees identifiers)."""
    seen: dict[str, str] = {}
    for name, ident in mapping.items():
        folded = unicodedata.normalize("NFKC", ident)
        if not ident.isidentifier() or keyword.iskeyword(ident) or folded in reserved:
            raise ValueError(f"`{ident}` (for `{name}`) cannot be a variable here")
        if folded in seen:
            raise ValueError(f"`{seen[folded]}` and `{name}` would share the variable "
                             f"`{ident}`")
        seen[folded] = name


def lambdify_by_position(args: Sequence[sp.Symbol], expr: Any, *, modules: Any,
                         definitions: Sequence[tuple[sp.Symbol, sp.Expr]] = ()
                         ) -> Callable[..., Any]:
    """``sympy.lambdify`` with every symbol first renamed to ``_0``, ``_1``, …

    The function takes its arguments by position, so the names inside it are nobody's
    business; renaming them keeps a quantity called ``sigmoid``, ``exp`` or ``np`` from
    shadowing the function of that name, and two names that Python would fold into one
    (``x`` and ``ｘ``) from sharing a variable. ``definitions`` are ``(symbol, value)``
    assignments computed once, in order, before ``expr`` (lambdify's ``cse`` hook).
    """
    symbols: dict[sp.Symbol, sp.Symbol] = {}

    def rename(sym: sp.Symbol) -> sp.Symbol:
        if sym not in symbols:
            symbols[sym] = sp.Symbol(f"_{len(symbols)}", **sym.assumptions0)
        return symbols[sym]

    new_args = [rename(a) for a in args]
    for sym, _ in definitions:
        rename(sym)
    exprs = list(expr) if isinstance(expr, (list, tuple)) else [expr]
    for e in [*exprs, *(d for _, d in definitions)]:
        for sym in sorted(getattr(e, "free_symbols", ()), key=str):
            rename(sym)

    def renamed(e: Any) -> Any:
        return e.xreplace(symbols) if isinstance(e, sp.Basic) else e

    new_defs = [(symbols[s], renamed(d)) for s, d in definitions]
    new_exprs = [renamed(e) for e in exprs]
    new_expr: Any = new_exprs if isinstance(expr, (list, tuple)) else new_exprs[0]
    # no docstring: printing the expression into it again would double the cost
    if definitions:
        return sp.lambdify(new_args, new_expr, modules=modules, docstring_limit=0,
                           cse=lambda found: (new_defs, found))
    return sp.lambdify(new_args, new_expr, modules=modules, docstring_limit=0)
