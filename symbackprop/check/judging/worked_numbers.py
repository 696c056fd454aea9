"""Numbers written in a step, read against the spec's worked example.

A decimal that equals a value the example gives (an input, a target, a parameter, the
learning rate: 0.4, 0.05, 0.55 in Mazur's network) is that value exactly. Any other decimal
stands for a computed value written to some digits: it is every number that rounds to it
(0.741365 is [0.7413645, 0.7413655]). A line of numbers holds where the exact value at the
worked example lies in the interval its numbers give (:mod:`symbackprop.check.judging.numbers`).

Two more readings keep a verdict true:

* **Too few digits.** A line that holds may still be one whose digits cannot tell the right
  quantity from another: ``w_5 − α ∂E/∂w_5 = 0.4 − 0.5 · 0.08`` holds, but 0.08 is also
  ∂E/∂w6 = 0.0826676 rounded, and with that value the line is wrong. Such a line is
  undecided, never correct.
* **Another quantity's value.** A wrong line is explained where one of its numbers is a
  quantity's value and the value of another quantity in its place makes it hold
  ("0.55 is w8's value; with w7 = 0.5 in its place the line holds").

>>> from symbackprop.check.reading.syntax import Num
>>> leaf = exact_leaf({Fraction("0.4"): ()})
>>> leaf(Num("0.40", 0)).delta == 0, leaf(Num("0.41", 0)).delta > 0
(True, True)
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

import mpmath

from ...errors import FormulaError
from ..reading.syntax import Add, Call, Div, Indicator, Mul, Name, Neg, Node, Num, Pow, walk
from .numbers import DIGITS, contains, ends, function_of, indicator_holds, rounding

MAX_GRADIENTS = 300  # the gradients of larger networks are not among the known values
MAX_SHOWN = 3
FLOAT_SIZES = (1e-280, 1e280)  # where a float screens a value (beyond: the intervals decide)
RESOLUTION = 1e-6  # derive prints six significant digits: values closer are one to a reader
SHORT_DIGITS = 6  # derive pads a rounded value to six digits: a shorter decimal is exact
SLACK = mpmath.mpf(10) ** -(DIGITS - 10)  # the relative error of a known value
GIVEN_KINDS = ("param", "input", "target", "rate")
KIND_ORDER = ("param", "input", "target", "rate", "net", "out", "slope", "delta", "gradient",
              "loss")


class Context(Protocol):
    """What reading numbers needs of a network's :class:`~.context.Context` (which holds a
    :class:`WorkedNumbers`)."""

    net: Any
    grads: Any
    quantities: Any
    points: Any

    def text_of(self, sym: Any) -> str: ...


@dataclass(frozen=True)
class Known:
    """A quantity of the worked example and its exact value."""

    label: str  # as the spec writes it: w8, out_h1, ∂E_total/∂w6
    kind: str  # one of KIND_ORDER
    value: Any  # an mpf

    @property
    def given(self) -> bool:
        return self.kind in GIVEN_KINDS

    def shown(self, digits: int = 10) -> str:
        return f"{self.label} = {_number(self.value, digits)}"


def _number(value: Any, digits: int = 10) -> str:
    return mpmath.nstr(value, digits, min_fixed=-6, max_fixed=12)


def padded(text: str) -> bool:
    """A decimal padded with zeros to derive's six significant digits (1.00000 of x =
    1.000001): a rounded value, never a given one, which derive prints as written."""
    digits = text.replace(".", "").replace("-", "").lstrip("0")
    return "." in text and text.endswith("0") and len(digits) == SHORT_DIGITS


def exact_leaf(given: dict[Fraction, tuple[Known, ...]]) -> Callable[[Num], Any]:
    """Each written number's interval: the number itself where it is a given value, else
    every number that rounds to it."""
    def leaf(node: Num) -> Any:
        if not node.decimal or (Fraction(node.text) in given and not padded(node.text)):
            return mpmath.iv.mpf(mpmath.mpf(Fraction(node.text).numerator) /
                                 Fraction(node.text).denominator)
        return rounding(node)
    return leaf


@dataclass
class NumberReading:
    """What the numbers of one side say at the worked example."""

    holds: bool
    undecided: str | None = None  # the line holds, but too few digits tell it from a wrong one
    explanations: tuple[str, ...] = ()  # why a wrong line is wrong


class WorkedNumbers:
    """The worked example's known values, and numbers read against them (one network)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._known: list[Known] | None = None
        self._values: list[Any] = []
        self._given: dict[Fraction, tuple[Known, ...]] | None = None

    # -- the known values ----------------------------------------------------------
    @property
    def given(self) -> dict[Fraction, tuple[Known, ...]]:
        """The example's given values (as written: 0.1 is 1/10) and whose they are."""
        if self._given is None:
            found: dict[Fraction, list[Known]] = {}
            net = self.ctx.net
            values = net.spec.values
            row: dict[str, float] = dict(values.params)
            kinds = dict.fromkeys(values.params, "param")
            if len(values.examples) == 1:
                ex = values.examples[0]
                row.update({f"input {k}": v for k, v in ex.inputs.items()})
                row.update({f"target {k}": v for k, v in ex.targets.items()})
            labels = self._given_labels()
            for name, value in row.items():
                label = labels.get(name)
                if label is None:
                    continue
                kind = kinds.get(name) or name.split(" ", 1)[0]
                exact = Fraction(repr(float(value)))
                found.setdefault(exact, []).append(Known(label, kind, _mpf(exact)))
            if values.learning_rate is not None:
                exact = Fraction(repr(float(values.learning_rate)))
                found.setdefault(exact, []).append(Known(
                    self.ctx.text_of(self.ctx.quantities.rate), "rate", _mpf(exact)))
            self._given = {k: tuple(v) for k, v in found.items()}
        return self._given

    def _given_labels(self) -> dict[str, str]:
        net = self.ctx.net
        text = self.ctx.text_of
        labels = {p.name: text(p) for p in net.params}
        labels.update({f"input {i.name}": text(s)
                       for i, s in zip(net.spec.inputs, net.inputs, strict=True)})
        labels.update({f"target {u.name}": text(t)
                       for u, t in zip(net.outputs, net.targets, strict=True)})
        return labels

    @property
    def known(self) -> list[Known]:
        """Every quantity of the worked example with its value, ordered by value."""
        if self._known is None:
            self._known = self._build_known()
            self._values = [k.value for k in self._known]
        return self._known

    def _build_known(self) -> list[Known]:
        points = self.ctx.points
        row = points.worked_row()
        if row is None:
            return []
        net = self.ctx.net
        text = self.ctx.text_of
        out: list[Known] = [k for ks in self.given.values() for k in ks]
        for sym, value in zip(points.symbols, row, strict=True):
            kind = net.kinds.get(sym)
            if kind in ("net", "out", "delta") and value is not None:
                out.append(Known(text(sym), kind, value))
        out.extend(self._slopes())
        loss = points.at_worked_example(net.loss_symbol)
        if loss is not None:
            out.append(Known(text(net.loss_symbol), "loss", loss))
        top = text(net.loss_symbol)
        for param in net.params[:MAX_GRADIENTS]:
            value = points.at_worked_example(self.ctx.grads.derivation(param).closed)
            if value is not None:
                out.append(Known(f"∂{top}/∂{text(param)}", "gradient", value))
        return sorted(out, key=lambda k: k.value)

    def _slopes(self) -> Iterator[Known]:
        """Each unit's ∂out/∂net and each output's ∂loss/∂out at the example: the factors a
        chain is written with (σ′(0) = 0.25, a leaky ReLU's 0.01)."""
        import sympy as sp

        net, points, text = self.ctx.net, self.ctx.points, self.ctx.text_of
        slopes = [(u.out, u.net, net.out_definitions[u.out]) for u in net.units
                  if u.activation.kind not in ("softmax", "unspecified")]
        slopes += [(net.loss_symbol, u.out, net.loss) for u in net.outputs]
        for top, bottom, definition in slopes[:MAX_GRADIENTS]:
            value = points.at_worked_example(sp.diff(definition, bottom))
            if value is not None:
                yield Known(f"∂{text(top)}/∂{text(bottom)}", "slope", value)

    def near(self, span: Any) -> list[Known]:
        """The known values inside an interval."""
        known = self.known
        lo, hi = ends(span)
        return known[bisect_left(self._values, lo):bisect_right(self._values, hi)]

    def signed_near(self, number: Num) -> list[tuple[Known, Any]]:
        """The known values a written number may stand for, with the number's own value:
        −0.075 is written as the number 0.075 after a minus, and may be z = −0.075."""
        span = rounding(number)
        return [(k, k.value) for k in self.near(span)] + \
            [(k, -k.value) for k in self.near(-span) if k.value != 0]

    def equal_to(self, number: Num) -> list[Known]:
        """The computed quantities whose value a short decimal is, to the last of their
        digits (0.5 is σ(0), 0.325 a net input of decimal weights): fewer significant digits
        than derive rounds to, so that no rounded value derive prints is among them."""
        text = number.text
        digits = text.replace(".", "").lstrip("0")
        if not number.decimal or "." not in text or text.endswith("0") or \
                len(digits) >= SHORT_DIGITS:
            return []
        value = _value_of(number)
        room = mpmath.iv.mpf([value * (1 - SLACK), value * (1 + SLACK)])
        return [k for k in self.near(room) + self.near(-room) if not k.given]

    def named(self, number: Num) -> tuple[Known, ...]:
        """The given quantities whose value a written number is."""
        return self.given.get(Fraction(number.text), ()) \
            if number.decimal and not padded(number.text) else ()

    # -- reading numbers -----------------------------------------------------------
    def span(self, node: Node, fixed: dict[int, Any] | None = None) -> Any:
        """The interval of a side of numbers; ``fixed`` gives numbers (by position) a value."""
        from .numbers import interval

        leaf = exact_leaf(self.given)
        if fixed:
            plain = leaf

            def leaf(n: Num) -> Any:
                return mpmath.iv.mpf(fixed[n.pos]) if n.pos in fixed else plain(n)
        return interval(node, leaf)

    def read(self, node: Node, truth: Any, error: Callable[[], Any], holds: bool
             ) -> NumberReading:
        """What ``node``'s numbers say, where the true value is ``truth`` (to ``error()``,
        worked out only where a verdict turns on it) and the line as written does (or does
        not) hold."""
        slack = [mpmath.mpf(0)]

        def exact_holds(fixed: dict[int, Any]) -> bool:
            # a known value is worked out to the last of its digits: where the line cancels
            # it (−0.1 + 0.099999999999999) that error is the line's
            room = slack[0] + sum(abs(v) for v in fixed.values()) * SLACK
            try:
                return contains(self.span(node, fixed), truth, room)
            except (ArithmeticError, ValueError, FormulaError):
                return False

        numbers = [n for n in walk(node) if isinstance(n, Num)]
        width = _width(self.span(node))
        truth_float = float(truth)

        def holds_with(fixed: dict[int, Any]) -> bool:
            # in floats first: a value that moves the line far beyond its own rounding
            # cannot hold, and most candidates do (one interval evaluation each otherwise)
            guess = _float_value(node, {k: float(v) for k, v in fixed.items()})
            size = None if guess is None else max(abs(guess), abs(truth_float))
            if size is not None and FLOAT_SIZES[0] < size < FLOAT_SIZES[1] and \
                    abs(guess - truth_float) > 2 * width + 1e-9 * size:
                return False
            return exact_holds(fixed)

        if holds:
            found = self._ambiguity(node, truth, numbers, holds_with)
            if found is not None:  # confirmed with the value's own error, where terms cancel
                slack[0] = error()
                found = self._ambiguity(node, truth, numbers, holds_with)
            return NumberReading(True, found)
        slack[0] = error()
        return NumberReading(False, explanations=tuple(self._explain(numbers, holds_with)))

    def _ambiguity(self, node: Node, truth: Any, numbers: list[Num],
                   holds_with: Callable[[dict[int, Any]], bool]) -> str | None:
        """A number of a line that holds whose digits also fit a quantity that would make
        the line wrong: the digits are too few to judge. Numbers that are short decimals
        equal to quantities of the example (σ(0) = 0.5) are tried at those values together:
        each alone may leave the line holding, where together they do not."""
        exact = {n.pos: n for n in numbers if n.decimal and not self.named(n)
                 and self.equal_to(n)}
        if exact and not holds_with({p: _value_of(n) for p, n in exact.items()}):
            whose = {n.text: self.equal_to(n) for n in exact.values()}
            fits = "; ".join(f"{text} is {' or '.join(k.label for k in ks[:MAX_SHOWN])} exactly"
                             for text, ks in list(whose.items())[:MAX_SHOWN])
            return (f"too few digits to judge: {fits}, and with that the line does not hold; "
                    f"write more digits")
        for n in numbers:
            if not n.decimal or self.named(n) or holds_with({n.pos: _value_of(n)}):
                continue  # exact, or right as written (0.25 where σ′ is exactly 1/4)
            right = _solved(node, n, truth)
            # a quantity that agrees with the right value to derive's own six digits is no
            # other value (z = a of a linear unit, δ beside it): only one told apart counts
            wrong = [k for k, v in self.signed_near(n) if not holds_with({n.pos: v})
                     and (right is None or not _one_to_a_reader(v, right))]
            if wrong:
                fits = ", ".join(k.shown() for k in wrong[:MAX_SHOWN])
                return (f"too few digits to judge: {n.text} is also {fits} rounded, and with "
                        f"that value the line does not hold; write more digits")
        return None

    def _explain(self, numbers: list[Num], holds_with: Callable[[dict[int, Any]], bool]
                 ) -> Iterator[str]:
        """Numbers that are a quantity's value where another quantity's value belongs."""
        if not self.known:
            return
        for n in numbers:
            mine = self.named(n) or tuple(k for k in self.near(rounding(n)))
            if not n.decimal and not mine:
                continue
            fits = [k for k in self.known if k.value != _value_of(n) and
                    holds_with({n.pos: k.value})]
            if not fits or len(fits) > MAX_SHOWN * 2:
                continue  # nothing fits, or so many that none is meant
            fits.sort(key=lambda k: _kinship(k, mine))
            which = " or ".join(k.shown() for k in fits[:MAX_SHOWN])
            if self.named(n):
                whose = " and ".join(f"{k.label}'s" for k in mine)
                yield f"{n.text} is {whose} value; with {which} in its place the line holds"
            elif len(mine) == 1:
                yield (f"{n.text} is {mine[0].label}'s value rounded; with {which} in its "
                       f"place the line holds")
            else:
                yield f"with {which} in place of {n.text} the line holds"


def _one_to_a_reader(value: Any, right: Any) -> bool:
    """Two values derive's six significant digits do not tell apart: closer than that, or
    rounded to the same six digits (1 − a² = 0.99999896 makes δ and ∂L/∂a both 0.00204979)."""
    return abs(value - right) <= RESOLUTION * abs(right) or \
        f"{float(value):.6g}" == f"{float(right):.6g}"


def _solved(node: Node, n: Num, truth: Any) -> Any:
    """The value of the number ``n`` with which the side equals ``truth``, in floats (a line of
    numbers is linear in each of them, or nearly); None where floats cannot say."""
    v1 = float(n.text)
    v2 = v1 * (1 + 1e-3) if v1 else 1e-3
    a, b = _float_value(node, {n.pos: v1}), _float_value(node, {n.pos: v2})
    if a is None or b is None or a == b or not math.isfinite(float(truth)):
        return None
    return mpmath.mpf(v1 + (float(truth) - a) * (v2 - v1) / (b - a))


def _float_value(node: Node, fixed: dict[int, float]) -> float | None:
    """A side of numbers in floats (a number at position p as ``fixed[p]``); None where a
    float cannot say (an overflow, a division by 0)."""
    try:
        return _float(node, fixed)
    except (ArithmeticError, ValueError, TypeError):
        return None


def _float(node: Node, fixed: dict[int, float]) -> float:
    if isinstance(node, Num):
        return fixed[node.pos] if node.pos in fixed else float(node.text)
    if isinstance(node, Name):
        return math.e
    if isinstance(node, Neg):
        return -_float(node.arg, fixed)
    if isinstance(node, Add):
        return math.fsum(_float(t, fixed) for t in node.terms)
    if isinstance(node, Mul):
        return math.prod(_float(f, fixed) for f in node.factors)
    if isinstance(node, Div):
        return _float(node.top, fixed) / _float(node.bottom, fixed)
    if isinstance(node, Pow):
        return float(_float(node.base, fixed) ** _float(node.exp, fixed))
    if isinstance(node, Indicator):
        return 1.0 if indicator_holds(node) else 0.0
    if isinstance(node, Call) and node.func == "max":
        return max(_float(a, fixed) for a in node.args)
    if isinstance(node, Call):
        return function_of(node.func).in_floats(_float(node.args[0], fixed))
    raise TypeError("not a number")


def _width(span: Any) -> float:
    lo, hi = ends(span)
    return float(hi - lo)


def _kinship(candidate: Known, mine: tuple[Known, ...]) -> tuple[int, int]:
    """Order the fitting values: those of the same kind as the number's own first."""
    same = any(k.kind == candidate.kind for k in mine)
    return (0 if same else 1, KIND_ORDER.index(candidate.kind))


def _value_of(n: Num) -> Any:
    return _mpf(Fraction(n.text))


def _mpf(exact: Fraction) -> Any:
    return mpmath.mpf(exact.numerator) / exact.denominator
