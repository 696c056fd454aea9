"""A wrong side one written symbol or one term away from right, at one place.

:meth:`Diagnoser.substitutions` replaces a symbol wherever it is written. A closed form such
as seed 001's f_{W,B}(x) = w^{[3]}_{1,1}(w^{[2]}_{1,1}(…) + b^{[2]}_1) + w^{[3]}_{1,2}(…) writes
the same weight in several places, and a slip is in one of them. Here each place is tried
on its own: another quantity of the same kind (a wrong index), the opposite sign
((y + f)² for (y − f)²), or a quantity added where a term is missing (a bias left out). A
try is kept when it equals the truth at every random point; the place is named by the
smallest part of the side that is written only once.

>>> import sympy as sp
>>> a, b, c = sp.symbols("a b c")
>>> [str(p) for p, _ in places(a * (b + c) + a * b)][:4]
['a*b + a*(b + c)', 'a*b', 'a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import mpmath
import sympy as sp

from ..judging.sample_points import DIGITS, SCREEN, EvaluationPoints, Value, close

MAX_PLACES = 80
MAX_TRIES = 1_000
MAX_OPERATIONS = 400  # larger sides are left to the other diagnoses

Path = tuple[int, ...]


def places(expr: sp.Expr) -> list[tuple[sp.Expr, Path]]:
    """Every sub-expression of ``expr`` with its path of argument positions, root first."""
    out: list[tuple[sp.Expr, Path]] = []
    stack: list[tuple[sp.Expr, Path]] = [(expr, ())]
    while stack and len(out) < MAX_PLACES:
        node, path = stack.pop()
        out.append((node, path))
        stack.extend(reversed([(arg, (*path, k)) for k, arg in enumerate(node.args)]))
    return out


def _replaced(expr: sp.Expr, path: Path, new: sp.Expr) -> sp.Expr:
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = _replaced(args[path[0]], path[1:], new)
    return expr.func(*args)


def _at(expr: sp.Expr, path: Path) -> sp.Expr:
    for k in path:
        expr = expr.args[k]
    return expr


class _Values:
    """``expr`` evaluated at the random points from the quantities' values there."""

    def __init__(self, points: EvaluationPoints, symbols: Sequence[sp.Symbol]) -> None:
        self.points = points
        self.rows: dict[int, dict[sp.Symbol, sp.Float]] = {}
        self.symbols = list(symbols)

    def row(self, k: int) -> dict[sp.Symbol, sp.Float]:
        if k not in self.rows:
            self.rows[k] = {s: sp.Float(self.points.value_of(s, k), DIGITS)
                            for s in self.symbols}
        return self.rows[k]

    def value(self, expr: sp.Expr, k: int) -> Value:
        try:
            with mpmath.workdps(DIGITS):  # as the truth was worked out
                number = expr.xreplace(self.row(k)).evalf(DIGITS)
                return mpmath.mpf(number) if number.is_real else None
        except (ArithmeticError, TypeError, ValueError):
            return None


def occurrence_fixes(expr: sp.Expr, truth: list[Value], points: EvaluationPoints,
                     pool: dict[sp.Symbol, str], text_of: Callable[[sp.Symbol], str],
                     shown: Callable[[sp.Expr], str]) -> list[str]:
    """How one place of ``expr`` (a wrong side) is changed to equal ``truth`` (its values
    at the points): ``pool`` gives the quantities that may stand at a place, with kinds."""
    symbols = expr.free_symbols
    if not symbols or not symbols <= set(points.index) or sp.count_ops(expr) > MAX_OPERATIONS \
            or any(t is None for t in truth):
        return []
    values = _Values(points, sorted({*symbols, *pool}, key=str))

    def holds(new: sp.Expr) -> bool:
        return all(close(values.value(new, k), truth[k]) for k in range(SCREEN)) and \
            all(close(values.value(new, k), truth[k]) for k in range(SCREEN, len(truth)))

    budget = MAX_TRIES
    for new, words in _tries(expr, pool, text_of, shown):
        budget -= 1
        if budget < 0:
            break
        if holds(new):
            return [words]
    return []


def _tries(expr: sp.Expr, pool: dict[sp.Symbol, str], text_of: Callable[[sp.Symbol], str],
           shown: Callable[[sp.Expr], str]) -> Iterator[tuple[sp.Expr, str]]:
    found = places(expr)
    symbols = [(node, path) for node, path in found if node in pool]
    for node, path in symbols:
        where = _where(expr, path, shown)
        for other in (s for s in pool if s != node and pool[s] == pool[node]):
            yield (_replaced(expr, path, other),
                   f"replacing {text_of(node)} by {text_of(other)}{where} makes it correct")
    for node, path in symbols:
        t, where = text_of(node), _where(expr, path, shown)
        negated = bool(path) and _at(expr, path[:-1]) == -node  # −b written for b
        yield (_replaced(expr, path, -node),
               f"with {t} for −{t}{where} it holds" if negated else
               f"with −{t} for {t}{where} it holds")
    terms = [s for s in pool if pool[s] in ("param", "input")]
    for node, path in found:
        if node.is_Symbol or node.is_Number:
            continue
        # SymPy writes w₃(w₂(…) + b) without b as one product w₃·w₂·(…): the term may
        # belong beside the product of all factors but one
        parts = [(sp.S.One, node)] + ([(f, node / f) for f in node.args]
                                      if isinstance(node, sp.Mul) else [])
        for factor, part in parts:
            where = f" to {shown(part)}" if path or factor != 1 else ""
            for term in terms:
                yield (_replaced(expr, path, factor * (part + term)),
                       f"adding {text_of(term)}{where} makes it correct: a term is missing")


def _where(expr: sp.Expr, path: Path, shown: Callable[[sp.Expr], str]) -> str:
    """`` in …``: the smallest part around the place that is written only once."""
    for cut in range(len(path) - 1, -1, -1):
        part = _at(expr, path[:cut])
        if cut == 0:
            return ""
        if expr.count(part) == 1 and len(part.free_symbols) > 1:
            return f" in {shown(part)}"
    return ""
