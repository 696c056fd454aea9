"""Activation functions as SymPy ``Function`` subclasses, and their registry.

Each class carries its derivative in ``fdiff`` so that ``diff`` applies the chain rule
by itself and results stay in textbook form (σ' = σ(1 − σ), tanh' = 1 − tanh²).
Each class prints itself in LaTeX (``_latex``) and rewrites to elementary functions
(``rewrite(exp)``) for anyone who wants the fully expanded form.

>>> from sympy import Symbol, diff
>>> z = Symbol("z")
>>> diff(sigmoid(z), z)
(1 - sigmoid(z))*sigmoid(z)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.core.function import ArgumentIndexError

from ..spec.tex import GREEK


def function_latex(name: str) -> str:
    """How an unspecified function's name is set: ``f``, ``\\varphi`` for ``varphi``, a word
    upright (``\\operatorname{act}``), never the letters of a word in italic.

    >>> function_latex("f"), function_latex("phi"), function_latex("sigma_hat")
    ('f', '\\\\phi', '\\\\operatorname{sigma\\\\_hat}')
    """
    if name in GREEK:
        return "\\" + name
    if len(name) == 1:
        return name
    return r"\operatorname{" + name.replace("_", r"\_") + "}"


def _latex_call(printer: Any, name: str, arg: sp.Expr, exp: Any = None) -> str:
    body = rf"{name}\left({printer._print(arg)}\right)"
    if exp is not None and "'" in name:  # f'^{2} is a double superscript
        return rf"\left({body}\right)^{{{exp}}}"
    if exp is not None:
        return rf"{name}^{{{exp}}}\left({printer._print(arg)}\right)"
    return body


class sigmoid(sp.Function):
    """The logistic function σ(z) = 1 / (1 + e^{−z}); σ'(z) = σ(z)(1 − σ(z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        s = sigmoid(self.args[0])
        return s * (1 - s)

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_zero:
            return sp.S.Half
        return None

    def _eval_rewrite_as_exp(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _latex_call(printer, r"\sigma", self.args[0], exp)


class softplus(sp.Function):
    """softplus(z) = log(1 + e^z); its derivative is σ(z)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(x))

    def _eval_rewrite_as_log(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(x))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _latex_call(printer, r"\operatorname{softplus}", self.args[0], exp)


class step(sp.Function):
    """The unit step used as ReLU's derivative: 1 for z > 0, else 0."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sp.S.Zero

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_positive:
            return sp.S.One
        if x.is_nonpositive:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.Piecewise((1, x > 0), (0, True))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.Piecewise)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        # amsfonts has no blackboard 1; step(z) also reads back through the formula checker
        return _latex_call(printer, r"\operatorname{step}", self.args[0], exp)


class relu(sp.Function):
    """relu(z) = max(0, z); relu'(z) = 1[z > 0]."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return step(self.args[0])

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        if x.is_nonnegative:
            return x
        if x.is_negative:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.Piecewise((x, x > 0), (0, True))

    def _eval_rewrite_as_Max(self, x: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.Max(0, x)

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.Piecewise)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _latex_call(printer, r"\operatorname{relu}", self.args[0], exp)


class leaky_step(sp.Function):
    """Derivative of leaky ReLU: 1 for z > 0, else α."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex == 1:
            return sp.S.Zero
        if argindex == 2:
            return 1 - step(self.args[0])
        raise ArgumentIndexError(self, argindex)

    @classmethod
    def eval(cls, x: sp.Expr, alpha: sp.Expr) -> sp.Expr | None:
        if x.is_positive:
            return sp.S.One
        if x.is_nonpositive:
            return alpha
        return None

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, alpha: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.Piecewise((1, x > 0), (alpha, True))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.Piecewise)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        # lrelu_α'(z), as leaky_relu prints lrelu_α(z): a brace of cases inside a product
        # of chain factors would not break across lines
        return _latex_call(printer, r"\operatorname{lrelu}_{" + slope_text(printer, self.args[1])
                           + "}'", self.args[0], exp)

    def _sympystr(self, printer: Any) -> str:
        # lrelu'(z, 1/10): the name LaTeX prints, the slope as an argument as check reads it
        return f"lrelu'({printer._print(self.args[0])}, {printer._print(self.args[1])})"


def slope_text(printer: Any, alpha: sp.Expr) -> str:
    """Leaky ReLU's slope as its subscript: a decimal when it has one (0.1, not a fraction
    set in a script too small to read), else as ``printer`` writes it.

    >>> slope_text(None, sp.Rational(1, 10)), slope_text(None, sp.Rational(3, 8))
    ('0.1', '0.375')
    """
    if isinstance(alpha, sp.Rational):
        q = int(alpha.q)
        for prime in (2, 5):
            while q % prime == 0:
                q //= prime
        if q == 1:
            return format(sp.Float(alpha, 30).evalf(30), "").rstrip("0").rstrip(".") \
                if not alpha.is_Integer else str(alpha)
    return printer._print(alpha) if printer is not None else str(alpha)


class leaky_relu(sp.Function):
    """leaky_relu(z, α) = z for z > 0, αz otherwise."""

    nargs = 2

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        x, alpha = self.args
        if argindex == 1:
            return leaky_step(x, alpha)
        if argindex == 2:
            return x * (1 - step(x))
        raise ArgumentIndexError(self, argindex)

    @classmethod
    def eval(cls, x: sp.Expr, alpha: sp.Expr) -> sp.Expr | None:
        if x.is_nonnegative:
            return x
        if x.is_negative:
            return alpha * x
        return None

    def _eval_rewrite_as_Piecewise(self, x: sp.Expr, alpha: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.Piecewise((x, x > 0), (alpha * x, True))

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.Piecewise)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _latex_call(printer, r"\operatorname{lrelu}_{" + slope_text(printer, self.args[1])
                           + "}", self.args[0], exp)

    def _sympystr(self, printer: Any) -> str:
        return f"lrelu({printer._print(self.args[0])}, {printer._print(self.args[1])})"


class softmax(sp.Function):
    """Component ``k`` (0-based, first argument) of softmax over the remaining arguments.

    ∂softmax_k/∂z_i = softmax_k (δ_ki − softmax_i).
    """

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        k = int(self.args[0])
        zs = self.args[1:]
        i = argindex - 2
        if i < 0 or i >= len(zs):
            raise ArgumentIndexError(self, argindex)
        s_k = softmax(k, *zs)
        s_i = softmax(i, *zs)
        return s_k * ((1 if i == k else 0) - s_i)

    def _eval_rewrite_as_exp(self, k: sp.Expr, *zs: sp.Expr, **hints: Any) -> sp.Expr:
        return sp.exp(zs[int(k)]) / sp.Add(*[sp.exp(z) for z in zs])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _latex(self, printer: Any, exp: Any = None) -> str:
        k = int(self.args[0]) + 1
        zs = ", ".join(printer._print(z) for z in self.args[1:])
        base = rf"\operatorname{{softmax}}_{{{k}}}"
        if exp is not None:
            base += f"^{{{exp}}}"
        return rf"{base}\left({zs}\right)"

    def _sympystr(self, printer: Any) -> str:
        """``softmax_1(z_1, z_2, z_3)``: the component counted from 1, as LaTeX prints it."""
        zs = ", ".join(printer._print(z) for z in self.args[1:])
        return f"softmax_{int(self.args[0]) + 1}({zs})"


class UnspecifiedPrime(sp.Function):
    """The derivative f' of an unspecified activation f.

    A printer that knows whose net input the argument is (``slope_of``) writes it as the seeds
    do, ∂y/∂z: with no formula to differentiate, the derivative is named by what it relates.
    Anywhere else it prints as f'(z)."""

    nargs = 1
    base_name = "f"

    def _latex(self, printer: Any, exp: Any = None) -> str:
        slope = _slope(printer, self.args[0])
        if slope is not None:
            return rf"\left({slope}\right)^{{{exp}}}" if exp is not None else slope
        name = function_latex(self.base_name) + "'"
        return _latex_call(printer, name, self.args[0], exp)

    def _sympystr(self, printer: Any) -> str:
        slope = _slope(printer, self.args[0])
        if slope is not None:
            return slope
        return f"{self.base_name}'({printer._print(self.args[0])})"


def _slope(printer: Any, arg: sp.Expr) -> str | None:
    slope_of = getattr(printer, "slope_of", None)
    return slope_of(arg) if slope_of is not None else None


class Unspecified(sp.Function):
    """An unspecified differentiable activation f (seed 000): f'(z) stays symbolic."""

    nargs = 1
    prime: type[UnspecifiedPrime] = UnspecifiedPrime

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self.prime(self.args[0])

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return _latex_call(printer, function_latex(type(self).__name__), self.args[0], exp)


_unspecified_cache: dict[str, type[Unspecified]] = {}


def unspecified(name: str) -> type[Unspecified]:
    """The Function class of an unspecified activation called ``name`` (one per name)."""
    if name not in _unspecified_cache:
        prime = type(f"{name}_prime", (UnspecifiedPrime,), {"base_name": name})
        _unspecified_cache[name] = type(name, (Unspecified,), {"prime": prime})
    return _unspecified_cache[name]


@dataclass(frozen=True)
class Activation:
    """One registry entry: how to apply an activation and what to say about it."""

    name: str
    apply: Callable[..., sp.Expr]
    latex_name: str
    identity: str  # the derivative identity in words/plain math
    identity_latex: str
    elementwise: bool = True


ACTIVATIONS: dict[str, Activation] = {}


def _register(act: Activation) -> None:
    ACTIVATIONS[act.name] = act


_register(Activation(
    "sigmoid", lambda z, **_: sigmoid(z), r"\sigma",
    "σ'(z) = σ(z)(1 − σ(z))", r"\sigma'(z) = \sigma(z)\bigl(1 - \sigma(z)\bigr)",
))
_register(Activation(
    "tanh", lambda z, **_: sp.tanh(z), r"\tanh",
    "tanh'(z) = 1 − tanh(z)²", r"\tanh'(z) = 1 - \tanh^{2}(z)",
))
_register(Activation(
    "relu", lambda z, **_: relu(z), r"\operatorname{relu}",
    "relu'(z) = step(z): 1 if z > 0 else 0",
    r"\operatorname{relu}'(z) = \operatorname{step}(z)",
))
_register(Activation(
    "leaky_relu", lambda z, alpha=None, **_: leaky_relu(
        z, sp.Rational(1, 100) if alpha is None else alpha),
    r"\operatorname{lrelu}",
    "lrelu'(z) = 1 if z > 0 else α",
    r"\operatorname{lrelu}_\alpha'(z) = \begin{cases}1 & z > 0\\ \alpha & z \le 0\end{cases}",
))
_register(Activation(
    "linear", lambda z, **_: z, "",
    "linear'(z) = 1", r"\frac{d}{dz} z = 1",
))
_register(Activation(
    "softplus", lambda z, **_: softplus(z), r"\operatorname{softplus}",
    "softplus'(z) = σ(z)", r"\operatorname{softplus}'(z) = \sigma(z)",
))
_register(Activation(
    "softmax", lambda *zs, k=0, **_: softmax(k, *zs), r"\operatorname{softmax}",
    "∂softmax_k/∂z_i = softmax_k ([k = i] − softmax_i)",
    r"\frac{\partial s_k}{\partial z_i} = s_k\left(\mathbb{I}[k = i] - s_i\right)",
    elementwise=False,
))
