"""Printing expressions in the network's own notation, as plain text or LaTeX.

Plain text uses the identifier names (``out_o1``), LaTeX the notation block's names
(``out_{o1}``). Both keep the order in which products were built (chain order), so that
∂E/∂out · ∂out/∂net · ∂net/∂w prints in that order.

Two small unevaluated expression types carry the shape of a chain-rule step, so that every
operator in a printed derivation comes from a printer, never from string gluing:

* :class:`Partial` is ∂num/∂den, printed as a fraction;
* :class:`Chain` is a product kept in chain order and printed with explicit dots.

>>> import sympy as sp
>>> E, o, w = sp.symbols("E out w")
>>> text(Chain(Partial(E, o), Partial(o, w)))
'∂E/∂out · ∂out/∂w'
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, ClassVar

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from ..network.build import Network
from ..numeric.worked import given_values
from .numbers import SIGNIFICANT_DIGITS, number, number_tex
from .print_memo import Remembering


class Partial(sp.Expr):
    """The unevaluated partial derivative ∂num/∂den of one quantity by another."""

    is_commutative = True
    precedence = PRECEDENCE["Atom"]

    def __new__(cls, numerator: sp.Expr, denominator: sp.Expr) -> Partial:
        return sp.Expr.__new__(cls, numerator, denominator)

    @property
    def numerator(self) -> sp.Expr:
        return self.args[0]

    @property
    def denominator(self) -> sp.Expr:
        return self.args[1]

    def _latex(self, printer: Any, exp: Any = None) -> str:
        num, den = printer._print(self.numerator), printer._print(self.denominator)
        if printer._settings.get("inline_partials"):  # in running text: ∂E/∂w, not a fraction
            body = rf"\partial {num} / \partial {den}"
            return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body
        body = rf"\frac{{\partial {num}}}{{\partial {den}}}"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _sympystr(self, printer: Any) -> str:
        return f"∂{printer._print(self.numerator)}/∂{printer._print(self.denominator)}"


def as_expr(value: sp.Expr | int | float) -> sp.Expr:
    """A SymPy object for an expression or a Python number (never parses text)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, int):
        return sp.Integer(value)
    return sp.Float(value)


class Chain(sp.Expr):
    """A product kept in the order given and printed with explicit dots: a · b · c."""

    is_commutative = True
    precedence = PRECEDENCE["Mul"]

    def __new__(cls, *factors: sp.Expr) -> Chain:
        return sp.Expr.__new__(cls, *[as_expr(f) for f in factors])

    @property
    def factors(self) -> tuple[sp.Expr, ...]:
        return self.args

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = r" \cdot ".join(chain_factor_latex(printer, f) for f in self.factors)
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _sympystr(self, printer: Any) -> str:
        return " · ".join(printer.parenthesize(f, PRECEDENCE["Mul"], strict=True)
                          for f in self.factors)


def chain_factor_latex(printer: Any, factor: sp.Expr) -> str:
    """One factor of a :class:`Chain`, bracketed when a dot would bind it wrongly."""
    return printer.parenthesize(factor, PRECEDENCE["Mul"], strict=True)


class TextPrinter(StrPrinter):
    """SymPy's str printer, keeping the built order of sums and products."""

    _default_settings: ClassVar[dict[str, Any]] = {**StrPrinter._default_settings,
                                                   "order": "none"}

    given: frozenset[Fraction] = frozenset()  # the example's given values (see number)

    def _print_Float(self, expr: sp.Float) -> str:
        return number(expr, SIGNIFICANT_DIGITS, self.given)

    def _print_Equality(self, expr: sp.Eq) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Sum(self, expr: sp.Sum) -> str:
        ((index, low, high),) = expr.limits
        # as check reads it back (and prints what it read): Σ_{i=1}^{m} …
        return (f"Σ_{{{self._print(index)}={self._print(low)}}}^{{{self._print(high)}}} "
                f"{self.parenthesize(expr.function, PRECEDENCE['Mul'])}")


def slopes_of(network: Network | None) -> dict[sp.Symbol, sp.Symbol]:
    """net_u → out_u for the units whose activation is unspecified: their slope is printed
    ∂out_u/∂net_u (seed 000's ∂x_1/∂x_{1,in}), not f'(net_u)."""
    if network is None:
        return {}
    return {u.net: u.out for u in network.units if u.activation.kind == "unspecified"}


class DisplayTextPrinter(Remembering, TextPrinter):
    """Text as a handout prints it: one product sign, ``·``, and powers as ``^``.

    ``(out_o1 - target_o1)·out_o1·(1 - out_o1)·out_h1`` and ``(target_o1 - out_o1)^2/2``; the
    formula checker reads both signs back.
    """

    def __init__(self, slopes: dict[sp.Symbol, sp.Symbol] | None = None,
                 given: frozenset[Fraction] = frozenset()) -> None:
        super().__init__()
        self.slopes = slopes or {}
        self.given = given
        self.remember()

    def slope_of(self, arg: sp.Expr) -> str | None:
        out = self.slopes.get(arg)
        return None if out is None else self._print(Partial(out, arg))

    def _print_Mul(self, expr: sp.Mul) -> str:
        args = list(expr.args) if not expr.is_commutative or self._settings["order"] == "none" \
            else list(expr.as_ordered_factors())
        sign = ""
        if args and args[0] == sp.S.NegativeOne and len(args) > 1:
            args, sign = args[1:], "-"
        elif args and args[0].is_Number and args[0].is_negative:
            args, sign = [-args[0], *args[1:]], "-"
        top: list[sp.Expr] = []
        bottom: list[sp.Expr] = []
        for a in args:
            if a.is_Rational and not a.is_Integer:
                if a.p != 1:
                    top.append(sp.Integer(a.p))
                bottom.append(sp.Integer(a.q))
            elif isinstance(a, sp.Pow) and a.exp.is_Number and a.exp.is_negative:
                bottom.append(a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False))
            else:
                top.append(a)
        prec = PRECEDENCE["Mul"]
        num = "·".join(self.parenthesize(a, prec, strict=False) for a in top) or "1"
        if not bottom:
            return sign + num
        den = "·".join(self.parenthesize(a, prec, strict=False) for a in bottom)
        if len(bottom) > 1 or self.parenthesize(bottom[0], prec, strict=True) != den:
            den = f"({den})"
        if any(isinstance(a, sp.Sum) for a in top):  # (1/m)·Σ …, as the mean is written
            return f"{sign}(1/{den})·{num}"
        return f"{sign}{num}/{den}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp == sp.S.Half:
            return f"sqrt({self._print(base)})"
        if exp.is_Number and exp.is_negative:
            inverse = base if exp == -1 else sp.Pow(base, -exp, evaluate=False)
            return f"1/{self.parenthesize(inverse, PRECEDENCE['Mul'], strict=True)}"
        return (f"{self.parenthesize(base, PRECEDENCE['Pow'], strict=True)}^"
                f"{self.parenthesize(exp, PRECEDENCE['Pow'], strict=True)}")


# two names juxtaposed where one is an upright word with nothing after it: \mathrm{wt}
# \mathrm{temperature} would read "wttemperature", so a thin space goes between them
_WORD_THEN_NAME = re.compile(
    r"(\\mathrm\{[A-Za-z]+\}) (?=\\mathrm\{|\\hat\{|[A-Za-z](?![A-Za-z]))")
_LETTER_THEN_WORD = re.compile(r"(?<![\\A-Za-z])([A-Za-z]) (?=\\mathrm\{)")


def apart(tex: str) -> str:
    r"""A product's LaTeX with a thin space where two juxtaposed names would run together.

    >>> apart(r"\mathrm{wt} \mathrm{temperature} + w \mathrm{rain} + w_{5} \mathrm{out}_{h1}")
    '\\mathrm{wt} \\, \\mathrm{temperature} + w \\, \\mathrm{rain} + w_{5} \\mathrm{out}_{h1}'
    """
    return _LETTER_THEN_WORD.sub(r"\1 \\, ", _WORD_THEN_NAME.sub(r"\1 \\, ", tex))


class NetworkLatexPrinter(Remembering, LatexPrinter):
    """LaTeX in the spec's notation: symbols print with the notation block's names.

    Floats print with six significant digits and a ``\\times 10^{k}`` exponent, the way a
    handout shows intermediate numbers; Hadamard products print as ``\\odot``.
    """

    _default_settings: ClassVar[dict[str, Any]] = {**LatexPrinter._default_settings,
                                                   "inline_partials": False}

    def __init__(self, network: Network | None = None, **settings: Any) -> None:
        self.slopes = slopes_of(network)
        self.given = given_values(network) if network is not None else frozenset()
        extra = settings.pop("extra_names", {})
        names = network.latex_names if network is not None else {}
        if extra:
            names = {**names, **extra}
        settings.setdefault("order", "none")
        settings.setdefault("symbol_names", names)
        super().__init__(settings)
        self.remember()

    def _print_Float(self, expr: sp.Float) -> str:
        return number_tex(expr, SIGNIFICANT_DIGITS, self.given)

    def slope_of(self, arg: sp.Expr) -> str | None:
        out = self.slopes.get(arg)
        return None if out is None else self._print(Partial(out, arg))

    def _print_Mul(self, expr: sp.Mul) -> str:
        sums = [a for a in expr.args if isinstance(a, sp.Sum)]
        inverse = [a for a in expr.args if isinstance(a, sp.Pow) and a.exp == -1]
        if sums and inverse and len(expr.args) == len(sums) + len(inverse):
            # a mean is written \frac{1}{m} \sum …, not \frac{\sum …}{m}
            den = " ".join(self.parenthesize(a.base, PRECEDENCE["Mul"]) for a in inverse)
            return rf"\frac{{1}}{{{den}}} " + " ".join(self._print(a) for a in sums)
        # a product of numbers is written with dots: 0.741365 \cdot 0.186816, never juxtaposed
        if expr.free_symbols or not _is_plain_product(expr):
            return apart(super()._print_Mul(expr))
        args = list(expr.args)
        sign = ""
        if args[0] == sp.S.NegativeOne and len(args) > 1:
            args, sign = args[1:], "-"
        return sign + r" \cdot ".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=True)
                                      if not (k == 0 and a.is_Number and a >= 0)
                                      else self._print(a) for k, a in enumerate(args))

    def _print_HadamardProduct(self, expr: Any) -> str:
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=True)
                                for a in expr.args)


def _is_plain_product(expr: sp.Mul) -> bool:
    """A product of several factors with no fraction bar in it (no 1/2, no x^{-1})."""
    if len(expr.args) < 2:
        return False
    for a in expr.args:
        if a.is_Rational and not a.is_Integer:
            return False
        if isinstance(a, sp.Pow) and a.exp.is_negative:
            return False
    return True


def text(expr: sp.Expr, network: Network | None = None) -> str:
    """Text as a handout prints it, e.g. ``(out_o1 - target_o1)·out_o1·(1 - out_o1)·out_h1``;
    with the ``network``, an unspecified activation's slope prints as ∂y/∂z."""
    return text_printer(network).doprint(expr)


_TEXT_PRINTERS: list[tuple[Network | None, DisplayTextPrinter]] = []


def text_printer(network: Network | None) -> DisplayTextPrinter:
    """One text printer per network, reused: its slopes and given values are worked out once,
    not for every row of a wide network."""
    for known, printer in _TEXT_PRINTERS:
        if known is network:
            return printer
    given = given_values(network) if network is not None else frozenset()
    printer = DisplayTextPrinter(slopes_of(network), given)
    _TEXT_PRINTERS.insert(0, (network, printer))
    del _TEXT_PRINTERS[4:]
    return printer


def plain_text(expr: sp.Expr) -> str:
    """Python-style text for machines (JSON), e.g. ``(out_o1 - target_o1)*out_o1*out_h1``."""
    return TextPrinter().doprint(expr)


_PRINTERS: list[tuple[Network | None, NetworkLatexPrinter]] = []


def latex_printer(network: Network | None) -> NetworkLatexPrinter:
    """One printer per network, reused: building one per expression dominates large outputs."""
    for known, printer in _PRINTERS:
        if known is network:
            return printer
    printer = NetworkLatexPrinter(network)
    _PRINTERS.insert(0, (network, printer))
    del _PRINTERS[4:]
    return printer


def tex(network: Network | None, expr: sp.Expr) -> str:
    """LaTeX form in the network's notation."""
    return latex_printer(network).doprint(expr)


def superscript(base: str, sup: str) -> str:
    """``base`` with a superscript, braced when ``base`` has one already (no double ^).

    >>> superscript("w_{5}", "+"), superscript("w^{[1]}_{1,1}", "+")
    ('w_{5}^{+}', '{w^{[1]}_{1,1}}^{+}')
    """
    depth = 0
    for ch in base:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == "^" and depth == 0:
            return f"{{{base}}}^{{{sup}}}"
    return f"{base}^{{{sup}}}"


def symbol_tex(network: Network, sym: sp.Symbol) -> str:
    return network.latex_of(sym)


def partial_text(num: sp.Symbol, den: sp.Symbol) -> str:
    return text(Partial(num, den))


def partial_tex(network: Network, num: sp.Symbol, den: sp.Symbol) -> str:
    return tex(network, Partial(num, den))


