"""Pooling nodes: the maximum of a window with its derivative, the first-maximum indicator.

A max-pooling unit is the node ``pool_max(a_1, …, a_n)``; its local derivative with respect
to a_k is ``first_max(k, a_1, …, a_n)``, which is 1 when a_k is the first maximum of the
window and 0 otherwise. The δ recurrence of a pooled-from unit then reads, with no rule of
its own, δ_u = (Σ_{windows v of u} 𝕀[a_u is the maximum of v] δ_v) · act′(z_u): the δ of the
pool output routed to its argmax. An average-pooling unit is a weighted sum with the constant
weight 1/n on each source, so its δ recurrence is δ_v / n.

>>> import sympy as sp
>>> a, b = sp.symbols("a b", real=True)
>>> sp.diff(pool_max(a, b), b)
first_max(1, a, b)
>>> first_max(0, sp.Integer(2), sp.Integer(2))  # at a tie the first maximum takes it all
1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ...spec.model import NetworkSpec
from ...spec.naming import expand


class pool_max(sp.Function):
    """max(a_1, …, a_n) of a pooling window; ∂/∂a_k = first_max(k − 1, a_1, …, a_n)."""

    @classmethod
    def eval(cls, *xs: sp.Expr) -> sp.Expr | None:
        if xs and all(x.is_Number for x in xs):
            return max(xs, key=lambda x: x)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return first_max(sp.Integer(argindex - 1), *self.args)

    def _eval_is_real(self) -> bool | None:
        return all(x.is_real for x in self.args) or None

    def _eval_evalf(self, prec: int) -> sp.Expr:
        values = [x.evalf(prec) for x in self.args]
        return pool_max(*values) if all(v.is_Number for v in values) else self

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body = r"\max\left(" + ", ".join(printer._print(x) for x in self.args) + r"\right)"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _sympystr(self, printer: Any) -> str:
        return "max(" + ", ".join(printer._print(x) for x in self.args) + ")"


class first_max(sp.Function):
    """1 when a_{k+1} is the first maximum of (a_1, …, a_n), else 0 (k counts from 0).

    Piecewise constant: its own derivative is 0 wherever it is defined (away from ties).
    """

    @classmethod
    def eval(cls, k: sp.Expr, *xs: sp.Expr) -> sp.Expr | None:
        if xs and all(x.is_Number for x in xs):
            best = max(range(len(xs)), key=lambda i: (xs[i], -i))
            return sp.S.One if best == int(k) else sp.S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero

    def _eval_is_real(self) -> bool:
        return True

    def _eval_evalf(self, prec: int) -> sp.Expr:
        values = [x.evalf(prec) for x in self.args[1:]]
        return first_max(self.args[0], *values) if all(v.is_Number for v in values) \
            else self

    def _latex(self, printer: Any, exp: Any = None) -> str:
        k, *xs = self.args
        mine = printer._print(xs[int(k)])
        window = ", ".join(printer._print(x) for x in xs)
        body = rf"\mathbb{{I}}\left[{mine} = \max\left({window}\right)\right]"
        return rf"\left({body}\right)^{{{exp}}}" if exp is not None else body

    def _sympystr(self, printer: Any) -> str:
        k, *xs = self.args
        return f"[{printer._print(xs[int(k)])} = max(" + ", ".join(
            printer._print(x) for x in xs) + ")]"


def pool_definition(kind: str, sources: list[sp.Expr]) -> sp.Expr:
    """The value of a pooling unit of ``kind`` ("max" or "avg") over its window's sources."""
    if kind == "max":
        return pool_max(*sources)
    return sp.Add(*sources) / len(sources)


def pool_factors(kind: str, sources: list[sp.Expr]) -> list[sp.Expr]:
    """∂pool/∂source for each source in order: the first-max indicator, or 1/n."""
    if kind == "max":
        return [first_max(sp.Integer(k), *sources) for k in range(len(sources))]
    return [sp.Rational(1, len(sources))] * len(sources)


@dataclass(frozen=True)
class PoolRule:
    """What a lecture writes for backpropagation through one pooling layer, in index form."""

    latex: str
    text: str


def pool_rules(spec: NetworkSpec) -> list[PoolRule]:
    """The rule of every pooling layer: ∂L/∂a of the layer below, routed to the first
    maximum of each window (max) or spread as δ/k² (avg).

    >>> [r.text for r in pool_rules(load_spec("specs/conv-pool.yaml"))]  # doctest: +SKIP
    ['∂L/∂a^{[1]}_{c,p,q} = Σ_{(i,j): (p,q) ∈ W_{i,j}} 𝕀[a^{[1]}_{c,p,q} = max_{(m,n) ∈ W_{i,j}} …
    """
    notation = spec.notation
    rules = []
    for lay in spec.layers:
        geometry = lay.pool
        if geometry is None:
            continue
        below = lay.number - 1
        dims = len(geometry.kernel)
        at, window = ("c,p,q", "(p,q)") if dims == 2 else ("c,p", "p")
        outs = ("i", "j")[:dims]
        here = expand(notation.delta, layer=lay.number, index="c," + ",".join(outs))
        source = expand(notation.input if lay.position == 1 else notation.activation,
                        layer=below, index=at)
        label = "(i,j)" if dims == 2 else "i"
        cells = ", ".join(_offset(o, s, m) for o, s, m in
                          zip(outs, geometry.stride, ("m", "n"), strict=False))
        members = rf"\left\{{({cells}) : {_ranges(geometry.kernel)}\right\}}"
        name = label.strip("()")
        inside = rf"{window} \in W_{{{name}}}"
        if geometry.kind == "max_pool":
            other = expand(notation.input if lay.position == 1 else notation.activation,
                           layer=below, index=at.replace("p", "p'").replace("q", "q'"))
            ranged = window.replace("p", "p'").replace("q", "q'")
            chosen = (rf"\mathbb{{I}}\left[{source} = \max_{{{ranged} \in W_{{{name}}}}} "
                      rf"{other}\right] ")
            text_chosen = f"𝕀[{source} = max_{{{ranged} ∈ W_{{{name}}}}} {other}] "
        else:
            size = 1
            for k in geometry.kernel:
                size *= k
            chosen = rf"\frac{{1}}{{{size}}} "
            text_chosen = f"(1/{size}) "
        latex = (rf"\frac{{\partial L}}{{\partial {source}}} = \sum_{{{label} : {inside}}} "
                 rf"{chosen}{here}, \quad W_{{{name}}} = {members}")
        text = (f"∂L/∂{source} = Σ_{{{label}: {window} ∈ W_{{{name}}}}} "
                f"{text_chosen}{here}, W_{{{name}}} = "
                f"{{({cells}) : {_ranges(geometry.kernel, plain=True)}}}")
        rules.append(PoolRule(latex, text.replace(r"\delta", "δ")))
    return rules


def _offset(letter: str, stride: int, tap: str) -> str:
    """s(i − 1) + m with the stride's number: ``i+m-1``, ``2i+m-2``."""
    return f"{letter}+{tap}-1" if stride == 1 else f"{stride}{letter}+{tap}-{stride}"


def _ranges(kernel: tuple[int, ...], *, plain: bool = False) -> str:
    taps = ("m", "n")[:len(kernel)]
    if plain:
        return ", ".join(f"{t} = 1..{k}" for t, k in zip(taps, kernel, strict=True))
    return r",\ ".join(rf"1 \le {t} \le {k}" for t, k in zip(taps, kernel, strict=True))
