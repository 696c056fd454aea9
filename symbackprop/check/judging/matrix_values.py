"""A matrix-form side evaluated at one random point, every entry a number.

Each name becomes the matrix of its quantities' values at the point (``W^{[2]}`` the weights
at their places, ``Z^{[1]}`` the net inputs of the point's batch, one example a column, or a
row in the row layout); products, transposes, ⊙, sums and functions of every entry are then
computed as written, in 50 digits. A product of shapes that do not fit is a
:class:`ShapeMismatch` that names both shapes. The gradients (∂L/∂W, ∇_a L) are the
network's true ones, from the same derivation that index formulas are checked against.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ...errors import FormulaError
from ..meaning.matrix_names import LayerName, MatrixNames
from ..reading.matrix_syntax import (
    MAxisSum,
    MCall,
    MDivide,
    MExampleSum,
    MGrad,
    MHadamard,
    MMask,
    MName,
    MNode,
    MNum,
    MOnes,
    MProduct,
    MSum,
    MTranspose,
    written,
)
from .matrix_entries import (
    Mat,
    Rows,
    ShapeMismatch,
    axis_sum,
    batch_mean,
    entry_op,
    masked,
    positive_part,
)
from .sample_points import DIGITS, EvaluationPoints, Value, real

__all__ = ["Mat", "MatrixPoint", "ShapeMismatch"]

class MatrixPoint:
    """Evaluates matrix-form sides at point ``k`` with the layer letters' ``values``."""

    def __init__(self, names: MatrixNames, points: EvaluationPoints, k: int,
                 values: dict[str, int], *, batch: bool = False) -> None:
        self.names = names
        self.batch_step = batch  # the step is about a batch: a loss named as the cost is it
        self.points = points
        self.k = k
        self.values = values
        self.single = [points.values[k]]
        self.functions: dict[tuple[str, int, int], Any] = {}
        self.examples: dict[str, int] = {}  # the example each running Σ_i is at

    def batch(self) -> list[list[Value]]:
        return self.points.batches()[self.k]

    # -- names ------------------------------------------------------------------------
    def layout(self, columns: list[list[Value]], text: str, pos: int | None) -> Mat:
        """Columns (one per example or per matrix column) laid out as the spec says."""
        if self.names.row:
            return Mat([list(c) for c in columns], text, pos)
        return Mat([list(r) for r in zip(*columns, strict=True)], text, pos)

    def symbol_values(self, symbols: list[sp.Symbol], rows: list[list[Value]]
                      ) -> list[list[Value]]:
        index = self.points.index
        return [[row[index[s]] for s in symbols] for row in rows]

    def name(self, name: MName, *, gradient: bool = False) -> Mat:
        found = self.names.resolve(name, self.values, gradient=gradient)
        text = written(name)
        if found.kind == "count":
            return Mat([[mpmath.mpf(len(self.batch()))]], text, scalar=True)
        if found.kind == "decay":
            decay = self.names.net.decay
            return Mat([[self.single[0][self.points.index[decay]]]], text, scalar=True)
        if found.kind == "shared":
            bias = self.names.units(found.pos)[0].bias
            return Mat([[self.single[0][self.points.index[bias]]]], text, found.pos, scalar=True)
        if found.gradient:  # dscores: ∂J/∂scores, the cost's gradient over the batch
            whole = self.gradient_of(replace(found, gradient=False), True, text)
            return whole if name.example is None else self.example_of(whole, name, text)
        rows = self.batch() if found.batch else self.single
        if name.example is not None:  # Δ_i: the i-th example's vector
            if not found.batch:
                raise FormulaError(f"`{text}`: only a batch has an example {name.example}")
            rows = [self.batch()[self.examples[name.example]]]
        if found.kind == "W":
            units = self.names.units(found.pos)
            row = self.single[0]
            matrix = [[row[self.points.index[w]] for _, w in u.incoming] for u in units]
            columns = [list(c) for c in zip(*matrix, strict=True)]
            return self.layout(columns, text, found.pos)  # W[j][k]: column layout's j×k
        symbols = self.vector_symbols(found)
        return self.layout(self.symbol_values(symbols, rows), text, found.pos)

    def example_of(self, whole: Mat, name: MName, text: str) -> Mat:
        """The row (the column in the column layout) of a batch's matrix for the example
        the running Σ_i is at."""
        if whole.shape[0 if self.names.row else 1] != len(self.batch()):
            raise FormulaError(f"`{text}`: only a batch has an example {name.example}")
        k = self.examples[name.example]  # type: ignore[index]
        rows = [whole.rows[k]] if self.names.row else [[r[k]] for r in whole.rows]
        return Mat(rows, text, whole.pos)

    def vector_symbols(self, found: LayerName) -> list[sp.Symbol]:
        if found.kind == "x":
            return list(self.names.net.inputs)
        if found.kind == "y":
            return [t for t in self.names.net.targets]
        units = self.names.units(found.pos)
        if found.kind == "b":
            return [u.bias for u in units]  # type: ignore[misc]
        attribute = {"z": "net", "a": "out", "d": "delta"}[found.kind]
        return [getattr(u, attribute) for u in units]

    def gradient(self, node: MGrad) -> Mat:
        found = self.names.resolve(node.wrt, self.values, gradient=True)
        if found.gradient:
            raise FormulaError(f"`{written(node.wrt)}` is a gradient already")
        cost = self.names.loss(node.of, self.batch_step or found.batch)
        return self.gradient_of(found, cost, written(node))

    def gradient_of(self, found: LayerName, cost: bool, text: str) -> Mat:
        """∂L/∂(the matrix ``found`` names), or ∂J/∂ of it with ``cost``, at the point."""
        rows = self.batch() if cost or found.batch else self.single
        if found.kind == "W":
            units = self.names.units(found.pos)
            exprs = [[self.points.grads.derivation(w).closed for _, w in u.incoming]
                     for u in units]
        elif found.kind == "b":
            exprs = [[self.points.grads.derivation(u.bias).closed] for u in
                     self.names.units(found.pos) if u.bias is not None]
        elif found.kind == "shared":
            bias = self.names.units(found.pos)[0].bias
            exprs = [[self.points.grads.derivation(bias).closed]]  # type: ignore[arg-type]
        elif found.kind in ("a", "z"):
            units = self.names.units(found.pos)
            exprs = [[self.points.grads.dE_dout[u.name] if found.kind == "a" else u.delta]
                     for u in units]
        else:
            raise FormulaError(f"∂/∂{found.written} is not a gradient check reads")
        per_row = [[[self.call(e, row) for e in line] for line in exprs] for row in rows]
        if found.kind in ("W", "b", "shared") or (cost and not found.batch):
            matrix = [[batch_mean([p[j][i] for p in per_row]) if cost else per_row[0][j][i]
                       for i in range(len(exprs[j]))] for j in range(len(exprs))]
            if found.kind == "W":
                return self.layout([list(c) for c in zip(*matrix, strict=True)], text,
                                   found.pos)
            return self.layout([[r[0] for r in matrix]], text, found.pos)
        scale = mpmath.mpf(1) / len(rows) if cost else 1
        columns = [[p[j][0] * scale for j in range(len(exprs))] for p in per_row]
        return self.layout(columns, text, found.pos)

    def call(self, expr: sp.Expr, row: list[Value]) -> Value:
        return self.points.at_row(expr, row, self.k)

    # -- functions of every entry ------------------------------------------------------
    def function(self, kind: str, pos: int, primes: int) -> Any:
        key = (kind, pos, primes)
        if key not in self.functions:
            u = self.names.units(pos)[0]
            t = sp.Dummy("t")
            net = self.names.net
            if kind == u.activation.kind:
                expr = net.activation_of(u).subs(u.net, t)
            else:
                from ...network.functions import ACTIVATIONS
                expr = ACTIVATIONS[kind].apply(t)
            for _ in range(primes):
                expr = sp.diff(expr, t)
            self.functions[key] = self.points.function_of(t, expr)
        return self.functions[key]

    def apply(self, node: MCall) -> Mat:
        arg = self.eval(node.arg)
        text = written(node)
        if node.func == "Sigma":  # Nielsen's Σ'(z): σ'(z) on the diagonal
            entries = self.apply(MCall("sigma", node.primes, node.arg))
            return self.diagonal(entries, text)
        if node.func == "diag":
            return self.diagonal(arg, text)
        if node.func == "maximum":  # np.maximum(0, A): max(0, ·) of every entry
            return positive_part(arg, text)
        kind = self.names.activation(node.func, arg.pos)
        if kind == "softmax":
            if node.primes:
                raise FormulaError("softmax' is a Jacobian, not a function of every entry: "
                                   "write δ^L = a^L − y for softmax with cross-entropy")
            return Mat(self.softmax(arg), text, arg.pos)
        if arg.pos is None:
            raise FormulaError(f"{text}: of which layer? apply it to a layer's z")
        if node.param is not None:
            self.same_slope(node.param, arg.pos, text)
        fn = self.function(kind, arg.pos, node.primes)
        self.points.current = self.k
        out: Rows = []
        with mpmath.workdps(DIGITS):
            for r in arg.rows:
                line = []
                for v in r:
                    try:
                        line.append(None if v is None else real(fn(v)))
                    except (ArithmeticError, ValueError, TypeError):
                        line.append(None)
                out.append(line)
        return Mat(out, text, arg.pos)

    def same_slope(self, written_slope: str, pos: int, text: str) -> None:
        """A slope written on lrelu is the layer's own α, or the step is not read."""
        m = re.fullmatch(r"\s*(?:\\[dt]?frac\{(\d+)\}\{(\d+)\}|(\d+(?:\.\d+)?))\s*",
                         written_slope)
        alpha = self.names.units(pos)[0].activation.alpha
        if m is None or alpha is None:
            raise FormulaError(f"{text}: the slope `{written_slope}` cannot be read")
        value = Fraction(m.group(3)) if m.group(3) else Fraction(int(m.group(1)),
                                                                    int(m.group(2)))
        if value != alpha:
            raise FormulaError(f"{text}: the slope {written_slope} is not the layer's "
                               f"α = {alpha}")

    def diagonal(self, arg: Mat, text: str) -> Mat:
        """diag(v): the entries of a vector on the diagonal of a square matrix."""
        if arg.scalar or (arg.shape[1] != 1 and arg.shape[0] != 1):
            raise ShapeMismatch(f"diag takes a vector; {arg.text} is {arg.shape_text}")
        entries = [v for r in arg.rows for v in r]
        zero = mpmath.mpf(0)
        return Mat([[e if i == j else zero for i in range(len(entries))]
                    for j, e in enumerate(entries)], text, arg.pos)

    def softmax(self, arg: Mat) -> Rows:
        columns = arg.rows if self.names.row else [list(c) for c in zip(*arg.rows, strict=True)]
        done = []
        for c in columns:
            if any(v is None for v in c):
                done.append([None] * len(c))
                continue
            top = max(c)
            e = [mpmath.exp(v - top) for v in c]
            s = mpmath.fsum(e)
            done.append([v / s for v in e])
        return done if self.names.row else [list(r) for r in zip(*done, strict=True)]

    # -- expressions -------------------------------------------------------------------
    def eval(self, node: MNode) -> Mat:
        if isinstance(node, MName):
            return self.name(node)
        if isinstance(node, MNum):
            return Mat([[mpmath.mpf(node.value)]], node.value, scalar=True)
        if isinstance(node, MOnes):
            return Mat([[mpmath.mpf(1)]], "1", ones="col")
        if isinstance(node, MTranspose):
            inner = self.eval(node.arg)
            if inner.ones or (inner.scalar and isinstance(node.arg, MNum | MOnes)):
                return Mat(inner.rows, "1^T", ones="row" if inner.ones != "row" else "col")
            if inner.scalar:
                return inner
            rows = [list(r) for r in zip(*inner.rows, strict=True)]
            return Mat(rows, written(node), inner.pos)
        if isinstance(node, MProduct):
            return self.product(node)
        if isinstance(node, MHadamard):
            out = self.eval(node.args[0])
            for arg in node.args[1:]:
                out = self.elementwise(out, self.eval(arg), "*", written(node))
            return out
        if isinstance(node, MSum):
            out = None
            for sign, term in node.terms:
                value = self.eval(term)
                if sign < 0:
                    value = self.scaled(value, -1)
                out = value if out is None else self.elementwise(out, value, "+", written(node))
            assert out is not None
            return out
        if isinstance(node, MDivide):
            by = self.eval(node.by)
            if not by.scalar:
                raise ShapeMismatch(f"{written(node.by)} is {by.shape_text}: a division is by "
                                    f"a number")
            value = by.rows[0][0]
            return self.scaled(self.eval(node.arg), None if value in (None, 0) else 1 / value)
        if isinstance(node, MCall):
            return self.apply(node)
        if isinstance(node, MGrad):
            return self.gradient(node)
        if isinstance(node, MExampleSum):
            if node.end is not None and not self.names.is_count(node.end):
                raise FormulaError(f"{written(node)} runs to {node.end}: a sum over the "
                                   f"examples runs to their number, "
                                   f"{self.names.count or 'm'}")
            total: Mat | None = None
            for i in range(node.start - 1, len(self.batch())):
                self.examples[node.index] = i
                term = self.eval(node.body)
                total = term if total is None else self.elementwise(total, term, "+",
                                                                     written(node))
            self.examples.pop(node.index, None)
            if total is None:
                raise FormulaError(f"{written(node)} starts past the last example")
            total.text = written(node)
            return total
        if isinstance(node, MAxisSum):
            return axis_sum(self.eval(node.arg), node.axis, written(node))
        if isinstance(node, MMask):
            if node.value is None:
                raise FormulaError(f"{written(node)}: a mask is set by its line "
                                   f"(A[B <= 0] = 0)")
            return masked([self.eval(n) for n in (node.target, node.left, node.right,
                                                  node.value)], node.op, written(node))
        raise FormulaError("a shape ∈ ℝ^{…} is not a value")

    def scaled(self, m: Mat, factor: Value) -> Mat:
        rows = [[entry_op(v, factor, "*") for v in r] for r in m.rows]
        return Mat(rows, m.text, m.pos, m.scalar, m.ones)

    def elementwise(self, a: Mat, b: Mat, how: str, text: str) -> Mat:
        if a.ones and not b.ones and not b.scalar:
            a = Mat([[a.rows[0][0]] * b.shape[1] for _ in b.rows], a.text)
        if b.ones and not a.ones and not a.scalar:
            b = Mat([[b.rows[0][0]] * a.shape[1] for _ in a.rows], b.text)
        if (a.scalar and b.scalar) or (a.shape == b.shape and not a.ones and not b.ones):
            rows = [[entry_op(x, y, how) for x, y in zip(ra, rb, strict=True)]
                    for ra, rb in zip(a.rows, b.rows, strict=True)]
            return Mat(rows, text, a.pos if a.pos is not None else b.pos, a.scalar)
        if how == "+" and not a.scalar and not b.scalar:  # b added to every example
            wide, vector = (a, b) if a.shape[0] * a.shape[1] >= b.shape[0] * b.shape[1] \
                else (b, a)
            along = vector.shape == (1, wide.shape[1]) if self.names.row else \
                vector.shape == (wide.shape[0], 1)
            if along and vector is not wide:
                spread = [vector.rows[0] for _ in wide.rows] if self.names.row else \
                    [[r[0]] * wide.shape[1] for r in vector.rows]
                return self.elementwise(wide, Mat(spread, vector.text), how, text)
        word = "⊙" if how == "*" else "+"
        raise ShapeMismatch(f"{a.text} is {a.shape_text} and {b.text} is {b.shape_text}",
                            f"{a.text} {word} {b.text} is not defined")

    def product(self, node: MProduct) -> Mat:
        factors = [self.eval(a) for a in node.args]
        for k, arg in enumerate(node.args):
            if isinstance(arg, MNum) and arg.value == "1":  # Δ·1, 1·b: a vector of ones
                factors[k] = Mat([[mpmath.mpf(1)]], "1", ones="col")
        scale: Value = mpmath.mpf(1)
        out: Mat | None = None
        for value in factors:
            if value.scalar:
                scale = entry_op(scale, value.rows[0][0], "*")
                continue
            out = value if out is None else self.matmul(out, value)
        if out is None:
            return Mat([[scale]], written(node), scalar=True)
        result = self.scaled(out, scale)
        if out.ones:  # b 1: ones whose shape the sum they are in decides
            return result
        result.text = written(node)
        return result

    def matmul(self, a: Mat, b: Mat) -> Mat:
        if b.ones:
            if a.ones:
                raise ShapeMismatch("a product of two vectors of ones")
            n, one = a.shape[1] if b.ones == "col" else len(self.batch()), b.rows[0][0]
            b = Mat([[one]] * n if b.ones == "col" else [[one] * n], b.text)
        if a.ones:
            n, one = b.shape[0] if a.ones == "row" else len(self.batch()), a.rows[0][0]
            a = Mat([[one] * n] if a.ones == "row" else [[one]] * n, a.text)
        if a.shape[1] != b.shape[0]:
            raise ShapeMismatch(f"{a.text} is {a.shape_text} and {b.text} is {b.shape_text}",
                                f"{a.text} {b.text} is not defined")
        rows: Rows = []
        for ra in a.rows:
            line = []
            for j in range(b.shape[1]):
                terms = [entry_op(x, rb[j], "*") for x, rb in zip(ra, b.rows, strict=True)]
                line.append(None if any(t is None for t in terms) else mpmath.fsum(terms))
            rows.append(line)
        pos = a.pos if a.pos is not None else b.pos
        return Mat(rows, f"{a.text} {b.text}", pos)
