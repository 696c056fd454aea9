"""Printing the matrix form: sets of shapes, elementwise activations, LaTeX and text printers.

The text printer writes names as a reader would type them: ``in^(1)``, ``W^[2]``, ``δ^(1)``,
``OUT^(1)`` for a batch (the bold ``\\mathbf{out}``), ``x^T`` and ``(W^(2))^T``, products with
``·`` and the elementwise product with ``⊙``.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy.matrices.expressions import OneMatrix
from sympy.printing.precedence import PRECEDENCE

from .printing import NetworkLatexPrinter, TextPrinter, as_expr


class RealSpace(sp.Expr):
    """ℝ^{n×m}: the set a vector (m = 1) or matrix belongs to."""

    def __new__(cls, rows: int | sp.Expr, cols: int | sp.Expr) -> RealSpace:
        return sp.Expr.__new__(cls, as_expr(rows), as_expr(cols))

    def _latex(self, printer: Any, exp: Any = None) -> str:
        rows, cols = self.args
        return rf"\mathbb{{R}}^{{{printer._print(rows)} \times {printer._print(cols)}}}"

    def _sympystr(self, printer: Any) -> str:
        rows, cols = self.args
        return f"R^({printer._print(rows)}×{printer._print(cols)})"


class Elementwise(sp.MatrixExpr):
    """An activation (or its derivative) applied to every entry of a matrix: σ(z), σ'(z).

    ``name`` is the LaTeX name, ``word`` the name in text (``sigmoid``, as the text rows of
    the forward pass write it)."""

    def __new__(cls, name: sp.Symbol, arg: sp.MatrixExpr, word: sp.Symbol) -> Elementwise:
        return sp.Basic.__new__(cls, name, arg, word)

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.args[1].shape

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return rf"{self.args[0].name}\left({printer._print(self.args[1])}\right)"

    def _sympystr(self, printer: Any) -> str:
        return f"{self.args[2].name}({printer._print(self.args[1])})"


class MatrixLatexPrinter(NetworkLatexPrinter):
    """LaTeX for matrix expressions: (W^l)^T with the layer tag kept apart, 1 as a bold one."""

    def _print_Transpose(self, expr: Any) -> str:
        inner = self._print(expr.arg)
        names = self._settings["symbol_names"]
        if isinstance(expr.arg, OneMatrix) or "^" not in names.get(expr.arg, "^"):
            return rf"{inner}^{{\top}}"
        return rf"\left({inner}\right)^{{\top}}"

    def _print_OneMatrix(self, expr: Any) -> str:
        return r"\mathbf{1}"

    def _print_MatMul(self, expr: Any) -> str:
        # a positive fraction in front, (1/3)(a − y), is printed \frac{1}{3} (a − y)
        head, *rest = expr.args
        if rest and isinstance(head, sp.Rational) and head > 0 and not head.is_Integer:
            tail = rest[0] if len(rest) == 1 else sp.MatMul(*rest)
            body = self._print(tail)
            if isinstance(tail, (sp.MatAdd, sp.HadamardProduct)):
                body = rf"\left({body}\right)"
            return rf"\frac{{{head.p}}}{{{head.q}}} {body}"
        return super()._print_MatMul(expr)


_GREEK_TEXT = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ",
    "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ", "nabla": "∇",
}


_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304",
            "tilde": "\u0303", "widetilde": "\u0303"}


def text_name(latex: str) -> str:
    """A LaTeX name as text: ``\\mathrm{in}^{(1)}`` → ``in^(1)``, ``\\delta^{2}`` → ``δ^(2)``,
    ``\\mathbf{out}^{(1)}`` → ``OUT^(1)``, ``W^{[2]}`` → ``W^[2]``.

    >>> text_name(r"\\mathrm{in}^{(1)}"), text_name(r"\\delta^{[2]}_{1}")
    ('in^(1)', 'δ^[2]_1')
    >>> text_name(r"\\mathcal{J}"), text_name(r"\\mathbb{E}")
    ('J', 'E')
    """
    s = re.sub(r"\\(hat|bar|tilde|widehat|widetilde|overline)\{([^{}]*)\}",
               lambda m: m.group(2) + _ACCENTS[m.group(1)], latex)
    s = re.sub(r"\\mathbf\{([^{}]*)\}", lambda m: m.group(1).upper(), s)
    s = re.sub(r"\\(?:mathrm|operatorname|text|mathit|boldsymbol|mathcal|mathbb|mathfrak|"
               r"mathsf|mathtt)\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK_TEXT.get(m.group(1), m.group(1)), s)

    def script(m: re.Match[str]) -> str:
        mark, body = m.group(1), m.group(2)
        if mark == "^" and not body.startswith(("(", "[")):
            return f"^({body})"
        return mark + body

    while True:
        new = re.sub(r"([\^_])\{([^{}]*)\}", script, s)
        if new == s:
            break
        s = new
    return s.replace("{", "").replace("}", "").replace(" ", "")


class MatrixTextPrinter(TextPrinter):
    """Text for matrix expressions: names as :func:`text_name` writes them, ``·`` for a
    product, ``⊙`` for the elementwise one, ``x^T``, ``1`` for a vector of ones."""

    def __init__(self, names: dict[sp.Basic, str], words: dict[sp.Basic, str] | None = None
                 ) -> None:
        super().__init__()
        self.names = {k: text_name(v) for k, v in names.items()}
        self.names.update(words or {})

    def _print_MatrixSymbol(self, expr: Any) -> str:
        return self.names.get(expr, expr.name)

    def _print_Symbol(self, expr: Any) -> str:
        return self.names.get(expr, expr.name)

    def _print_Transpose(self, expr: Any) -> str:
        inner = self._print(expr.arg)
        if re.fullmatch(r"[\w']+", inner):
            return f"{inner}^T"
        return f"({inner})^T"

    def _print_MatMul(self, expr: Any) -> str:
        args = list(expr.args)
        head = ""
        if args and not getattr(args[0], "is_Matrix", False) and args[0].is_number:
            coeff, args = args[0], args[1:]
            shown = self._print(coeff)
            plain = coeff.is_Integer and coeff > 0
            head = "" if coeff == 1 else f"{shown}·" if plain else f"({shown})·"
        elif args and isinstance(args[0], sp.Pow):
            head, args = f"(1/{self._print(args[0].base)})·", args[1:]
        return head + "·".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=True)
                               for a in args)

    def _print_MatAdd(self, expr: Any) -> str:
        out = ""
        for k, term in enumerate(expr.args):
            sign = " + " if k else ""
            if isinstance(term, sp.MatMul) and term.args and term.args[0] == -1:
                sign, term = (" - " if k else "-"), sp.MatMul(*term.args[1:])
            out += sign + self.parenthesize(term, PRECEDENCE["Add"], strict=False)
        return out

    def _print_HadamardProduct(self, expr: Any) -> str:
        return " ⊙ ".join(self.parenthesize(a, PRECEDENCE["Mul"], strict=True)
                          for a in expr.args)

    def _print_OneMatrix(self, expr: Any) -> str:
        return "1"
