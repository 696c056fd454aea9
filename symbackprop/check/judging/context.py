"""Everything checking needs about one network, built once and reused for every answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from ...network.build import Network
from ...network.derivation import Gradients, derive
from ..diagnosis.diagnosis import Diagnoser
from ..meaning.code_names import code_names
from ..meaning.graph import Graph
from ..meaning.meaning import Locals, Scope
from ..meaning.names import NameTable
from ..meaning.quantities import Quantities, quantities_of
from ..reading.parser import parse_statement
from ..reading.syntax import Statement
from .memo import Memo
from .sample_points import EvaluationPoints
from .worked_numbers import WorkedNumbers


@dataclass
class Context:
    """A network's quantities, names, graph, random points and diagnoser."""

    net: Network
    grads: Gradients
    quantities: Quantities
    table: NameTable
    graph: Graph
    points: EvaluationPoints
    diagnoser: Diagnoser
    param_kind: dict[sp.Symbol, str] = field(default_factory=dict)
    printed: Memo[str] = field(default_factory=Memo)
    parsed: Memo[Statement] = field(default_factory=Memo)
    agreed: Memo[bool] = field(default_factory=Memo)
    _numbers: WorkedNumbers | None = None
    matrix_names: Any = None  # the layer names of the matrix form, built on first use

    @classmethod
    def build(cls, net: Network, *, seed: int, points: int) -> Context:
        grads = derive(net)
        quantities = quantities_of(net)
        table = NameTable.of(quantities)
        graph = Graph(quantities, grads)
        sample = EvaluationPoints(quantities, grads, seed=seed, count=points)
        diagnoser = Diagnoser(net, grads, sample, table.text_of)
        kinds = {net.symbol_by_name[p.name]: p.kind for p in net.spec.params
                 if p.name in net.symbol_by_name}
        return cls(net, grads, quantities, table, graph, sample, diagnoser, kinds)

    def scope(self, param: sp.Symbol | None, locals_: Locals | None = None) -> Scope:
        graph = self.graph
        if locals_ is not None:
            graph = graph.with_locals(locals_.definitions, locals_.kinds)
        return Scope(self.table, graph, param=param, locals=locals_)

    def knows(self, locals_: Locals | None) -> tuple:
        """``knows`` and ``is_function`` for the parser, with a derivation's own names."""
        def knows(raw: str) -> bool:
            return (locals_ is not None and raw in locals_.symbols) or self.table.knows(raw)

        def is_function(raw: str) -> bool:
            return (locals_ is not None and raw in locals_.functions) or \
                self.table.is_function(raw)

        return knows, is_function

    def line_words(self) -> Callable[[str], bool]:
        """Whether a word of a line is a name (not prose): the network's names and the
        matrix names its layers give in code, with their ``d`` names (``dhidden``)."""
        knows = self.knows(None)[0]
        code = code_names(self.net.spec)
        return lambda word: word in code or knows(word)

    def parse(self, formula: str, syntax: str, locals_: Locals | None) -> Statement:
        """``formula`` read into a statement with a derivation's own names; a text read
        before with the same names is read once (the syntax tree is immutable)."""
        own = (tuple(sorted(locals_.symbols)), tuple(sorted(locals_.functions))) \
            if locals_ is not None else ((), ())
        knows, is_function = self.knows(locals_)
        return self.parsed.get((formula, syntax, own), lambda: parse_statement(
            formula, knows=knows, is_function=is_function, syntax=syntax))

    @property
    def numbers(self) -> WorkedNumbers:
        """The worked example's values, against which written numbers are read."""
        if self._numbers is None:
            self._numbers = WorkedNumbers(self)
        return self._numbers

    def text_of(self, sym: sp.Symbol) -> str:
        return self.table.text_of(sym)

    def plain(self, expr: sp.Basic) -> str:
        """``expr`` as text with every quantity named as the spec writes it (``y′``, not
        ``y_prime``; ``w^2_22``, not ``w_2_22``); each expression is printed once."""
        return self.printed.get(("plain", expr), lambda: self._plain(expr))

    def _plain(self, expr: sp.Basic) -> str:
        names: dict[sp.Basic, sp.Basic] = {
            s: sp.Symbol(self.text_of(s)) for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s in self.quantities.latex}
        for entry in expr.atoms(sp.Indexed):  # per-example arrays: ∂L^(i)/∂θ, out^(i)
            kind, _, name = entry.base.label.name.partition(":")
            sym = self.net.symbol_by_name.get(name)
            shown = self.text_of(sym) if sym is not None else name
            index = str(entry.indices[0]).removeprefix("example_")
            loss = self.text_of(self.quantities.loss)
            names[entry] = sp.Symbol(f"∂{loss}^{{({index})}}/∂{shown}" if kind == "grad"
                                     else f"{shown}^{{({index})}}")
        for counter in [s for s in expr.free_symbols if s.name.startswith("example_")]:
            names[counter] = sp.Symbol(counter.name.removeprefix("example_"))
        return _PlainPrinter().doprint(expr.xreplace(names) if names else expr)


class _PlainPrinter(StrPrinter):
    """SymPy's text, with a sum as a formula writes it: (Σ_{i=1}^{m} (…)), which reads back,
    and written numbers as decimals: 0.3586662, not 1793331/5000000."""

    def _print_Rational(self, expr: sp.Rational) -> str:
        return decimal_text(expr)

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp.is_negative or exp == sp.S.Half:  # 1/x, sqrt(x)
            return str(super()._print_Pow(expr, rational))
        if base.is_Symbol and "^" in base.name:  # (a^{[1]}_1)^2: the layer is not the power
            shown = f"({base.name})"
        else:
            shown = self.parenthesize(base, precedence(expr), strict=True)
        power = self.parenthesize(exp, precedence(expr), strict=True)
        return f"{shown}^{power}"  # a^2, as a formula writes it, not a**2

    def _print_Sum(self, expr: sp.Sum) -> str:
        text = f"({self._print(expr.function)})"
        for var, low, high in reversed(expr.limits):
            name = self._print(var).removeprefix("example_")
            text = f"Σ_{{{name}={self._print(low)}}}^{{{self._print(high)}}} {text}"
        return f"({text})"


MAX_EXACT_DIGITS = 20  # a longer decimal is shown rounded
SHOWN_DIGITS = 15


def decimal_text(q: sp.Rational) -> str:
    """A rational as a reader writes it: exact decimals when it has a short one (0.3586662),
    a short fraction as such (1/3), else ≈ and 15 significant digits.

    >>> decimal_text(sp.Rational(1793331, 5000000)), decimal_text(sp.Rational(-1, 3))
    ('0.3586662', '-1/3')
    >>> decimal_text(sp.Rational(10**30 + 1, 3 * 10**29))
    '≈3.33333333333333'
    """
    p, d = int(q.p), int(q.q)
    if d == 1:
        return str(p)
    rest, places = d, 0
    for f in (2, 5):
        while rest % f == 0:
            rest //= f
    if rest == 1:
        while (10**places) % d:
            places += 1
        digits = str(abs(p) * 10**places // d).rjust(places + 1, "0")
        text = f"{digits[:-places]}.{digits[-places:]}"
        if len(text.strip("0.")) <= MAX_EXACT_DIGITS:
            return ("-" if p < 0 else "") + text
    elif len(f"{p}/{d}") <= 12:
        return f"{p}/{d}"
    with mpmath.workdps(SHOWN_DIGITS + 5):
        return "≈" + mpmath.nstr(mpmath.mpf(p) / d, SHOWN_DIGITS)
