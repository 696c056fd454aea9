"""The operations of the tensor form, each printing itself in LaTeX and in text.

A convolution, pooling or recurrent layer's backpropagation reads, as a lecture writes it,
with a handful of operations on whole tensors: the cross-correlation ``W ∗ A`` (and its
``full`` variant), ``rot180``, zero-padding and cropping, the dilation of δ by a stride, the
upsampling and argmax mask of a pooling layer, ``vec`` of a tensor, ``diag`` of a vector,
transposes, elementwise products and sums over an index. Each is an unevaluated SymPy node
whose arguments are its operands and its sizes, so the same tree is printed and, in the tests,
evaluated with NumPy. Names are Symbols printed through the matrix printers' name tables.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .matrix_printing import MatrixTextPrinter

_ATOM, _PRODUCT, _SUM = 30, 20, 10


def _prec(node: Any) -> int:
    return getattr(node, "tensor_prec", _ATOM)


def _wrapped(printer: Any, node: sp.Basic, prec: int, kind: type | None = None) -> str:
    """``node`` printed, in parentheses when it binds less tightly than ``prec`` (or as
    tightly but is another operation than ``kind``: ``(W^T δ) ⊙ g′(z)``)."""
    body = printer._print(node)
    inner = _prec(node)
    if inner < prec or (inner == prec and kind is not None and type(node) is not kind):
        return rf"\left({body}\right)" if _latex(printer) else f"({body})"
    return body


def _latex(printer: Any) -> bool:
    return not isinstance(printer, MatrixTextPrinter)


def _numbers(printer: Any, values: tuple[Any, ...]) -> str:
    return ",".join(printer._print(v) for v in values)


class TensorNode(sp.Expr):
    """An operation on tensors, kept as written (never evaluated by SymPy)."""

    is_commutative = False
    tensor_prec = _ATOM

    def __new__(cls, *args: Any) -> TensorNode:
        return sp.Basic.__new__(cls, *(sp.Integer(a) if isinstance(a, int) else a for a in args))


class Space(TensorNode):
    """ℝ^{C×H×W}: the set a tensor belongs to."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        dims = r" \times ".join(printer._print(d) for d in self.args)
        return rf"\mathbb{{R}}^{{{dims}}}"

    def _sympystr(self, printer: Any) -> str:
        return "R^(" + "×".join(printer._print(d) for d in self.args) + ")"


class Sub(TensorNode):
    """One slice or entry of a named tensor: ``W^{[1]}_{f,c}``, ``δ^{[2]}_{c,i,j}``."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        base, *index = self.args
        return f"{printer._print(base)}_{{{_numbers(printer, tuple(index))}}}"

    def _sympystr(self, printer: Any) -> str:
        base, *index = self.args
        shown = _numbers(printer, tuple(index))
        return f"{printer._print(base)}_{shown if len(index) == 1 else '(' + shown + ')'}"


def _step(printer: Any, step: sp.Expr) -> str:
    """t, t + 1, t − 1 (the step first), or a number."""
    shift = step.as_coeff_Add()[0] if step.free_symbols else 0
    rest = step - shift
    if not shift:
        return printer._print(step)
    sign = "+" if shift > 0 else "-"
    return f"{printer._print(rest)} {sign} {abs(shift)}"


class Step(TensorNode):
    """A vector at step t: ``h^{(t)}``, ``h^{(t+1)}`` (args: the head's name, the step)."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        head, step = self.args
        return f"{printer._print(head)}^{{({_step(printer, step)})}}"

    def _sympystr(self, printer: Any) -> str:
        head, step = self.args
        return f"{printer._print(head)}^({_step(printer, step)})"


class Plus(TensorNode):
    """A sum of terms in the order written; a term ``Negative(x)`` is subtracted."""

    tensor_prec = _SUM

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return self._joined(printer)

    def _sympystr(self, printer: Any) -> str:
        return self._joined(printer)

    def _joined(self, printer: Any) -> str:
        out = ""
        for k, term in enumerate(self.args):
            if isinstance(term, Negative):
                out += (" - " if k else "-") + _wrapped(printer, term.args[0], _PRODUCT)
            else:
                out += (" + " if k else "") + _wrapped(printer, term, _SUM)
        return out


class Negative(TensorNode):
    """−x, as a term of :class:`Plus`."""

    tensor_prec = _SUM

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return "-" + _wrapped(printer, self.args[0], _PRODUCT)

    def _sympystr(self, printer: Any) -> str:
        return "-" + _wrapped(printer, self.args[0], _PRODUCT)


class Product(TensorNode):
    """A matrix product (or a number times a tensor), written side by side: ``W^T δ``."""

    tensor_prec = _PRODUCT

    def _latex(self, printer: Any, exp: Any = None) -> str:
        parts = []
        for a in self.args:
            if isinstance(a, sp.Rational) and not a.is_Integer:
                parts.append(rf"\frac{{{a.p}}}{{{a.q}}}")
            else:
                parts.append(_wrapped(printer, a, _PRODUCT, Product))
        return " ".join(parts)

    def _sympystr(self, printer: Any) -> str:
        parts = []
        for a in self.args:
            if isinstance(a, sp.Rational) and not a.is_Integer:
                parts.append(f"({a.p}/{a.q})")
            else:
                parts.append(_wrapped(printer, a, _PRODUCT, Product))
        return "·".join(parts)


class _Binary(TensorNode):
    tensor_prec = _PRODUCT
    latex_op = ""
    text_op = ""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        a, b = self.args[:2]
        return (f"{_wrapped(printer, a, _PRODUCT, type(self))} {self.latex_op} "
                f"{_wrapped(printer, b, _PRODUCT + 1)}")

    def _sympystr(self, printer: Any) -> str:
        a, b = self.args[:2]
        return (f"{_wrapped(printer, a, _PRODUCT, type(self))} {self.text_op} "
                f"{_wrapped(printer, b, _PRODUCT + 1)}")


class Hadamard(_Binary):
    """The elementwise product ``a ⊙ b``."""

    latex_op, text_op = r"\odot", "⊙"


class Correlate(_Binary):
    """The cross-correlation ``K ∗ A`` of a kernel K over a source A, summed over channels
    when K has one more axis than each output (a filter bank ``W ∗ A``): args kernel,
    source, stride, padding. ``out_{i,j} = Σ_{c,m,n} K_{c,m,n} A_{c, s(i−1)+m−p, s(j−1)+n−p}``."""

    latex_op, text_op = r"\ast", "∗"


class FullCorrelate(_Binary):
    """The full cross-correlation ``K ∗_full D``: D zero-padded by the kernel's size − 1 on
    every side, then correlated with stride 1 (the output grows by the kernel's size − 1)."""

    latex_op, text_op = r"\ast_{\mathrm{full}}", "∗_full"


class _Call(TensorNode):
    """``name(x)``, ``name_k(x)``: an operation of one tensor with sizes in its subscript."""

    latex_name = ""
    text_name = ""
    shown_sizes = True

    def _sizes(self, printer: Any) -> str:
        sizes = self.args[1:] if self.shown_sizes else ()
        return _numbers(printer, tuple(sizes))

    def _latex(self, printer: Any, exp: Any = None) -> str:
        sizes = self._sizes(printer)
        sub = f"_{{{sizes}}}" if sizes else ""
        arg = printer._print(self.args[0])
        return rf"\operatorname{{{self.latex_name}}}{sub}\left({arg}\right)"

    def _sympystr(self, printer: Any) -> str:
        sizes = self._sizes(printer)
        sub = f"_{sizes}" if sizes else ""
        return f"{self.text_name}{sub}({printer._print(self.args[0])})"


class Rot180(_Call):
    """The kernel turned by 180° (flipped along both spatial axes)."""

    latex_name = text_name = "rot180"


class Dilate(_Call):
    """``dil_s(δ)``: s − 1 zeros put between neighbouring entries along each spatial axis."""

    latex_name = text_name = "dil"


class Pad(_Call):
    """``pad_p(A)``: p zeros around each spatial axis."""

    latex_name = text_name = "pad"


class Crop(_Call):
    """``crop_p(X)``: p entries cut from each end of each spatial axis."""

    latex_name = text_name = "crop"


class Upsample(_Call):
    """``up_k(δ)``: every entry repeated over a k×k block."""

    latex_name = text_name = "up"


class Flatten(_Call):
    """``vec(A)``: a C×H×W tensor as one column, in (c, i, j) row-major order."""

    latex_name = text_name = "vec"
    shown_sizes = False


class Diag(_Call):
    """``diag(v)``: the square matrix with v on its diagonal."""

    latex_name = text_name = "diag"
    shown_sizes = False


class Transpose(TensorNode):
    """xᵀ, ``(W)^T`` in text."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        inner = printer._print(self.args[0])
        if "^" in inner or _prec(self.args[0]) < _ATOM:
            return rf"\left({inner}\right)^{{\top}}"
        return rf"{inner}^{{\top}}"

    def _sympystr(self, printer: Any) -> str:
        inner = printer._print(self.args[0])
        return f"({inner})^T" if "^" in inner or _prec(self.args[0]) < _ATOM else f"{inner}^T"


class Apply(TensorNode):
    """An activation (``prime``: its derivative) of every entry: args the argument, the
    kind (a Symbol: ``tanh``), the LaTeX name, the text name, prime (0 or 1), and the slope
    of a leaky ReLU (0 otherwise)."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        arg, _kind, name, _word, prime, _alpha = self.args
        mark = "'" if prime else ""
        return rf"{name.name}{mark}\left({printer._print(arg)}\right)"

    def _sympystr(self, printer: Any) -> str:
        arg, _kind, _name, word, prime, _alpha = self.args
        mark = "'" if prime else ""
        return f"{word.name}{mark}({printer._print(arg)})"


class OneMinusSquare(TensorNode):
    """``1 − (h)²`` of every entry: tanh′ written with tanh's own output."""

    tensor_prec = _SUM

    def _latex(self, printer: Any, exp: Any = None) -> str:
        return rf"1 - \left({printer._print(self.args[0])}\right)^{{2}}"

    def _sympystr(self, printer: Any) -> str:
        return f"1 - ({printer._print(self.args[0])})^2"


class Total(TensorNode):
    """``Σ_{f=1}^{F} body``: args the body, then (index, first, last) per index."""

    tensor_prec = _SUM

    def _latex(self, printer: Any, exp: Any = None) -> str:
        body, *limits = self.args
        sums = "".join(rf"\sum_{{{printer._print(i)}={printer._print(lo)}}}"
                       rf"^{{{printer._print(hi)}}} " for i, lo, hi in limits)
        return sums + _wrapped(printer, body, _PRODUCT)

    def _sympystr(self, printer: Any) -> str:
        body, *limits = self.args
        sums = "".join(f"Σ_{{{printer._print(i)}={printer._print(lo)}}}^{{{printer._print(hi)}}} "
                       for i, lo, hi in limits)
        return sums + _wrapped(printer, body, _PRODUCT)


class Mask(TensorNode):
    """The argmax mask of a max-pooling layer: 1 at the first maximum of each window of the
    source, 0 elsewhere. Args: its name, the source, the kernel, the stride, then the window
    ``(c, i, j)`` when it is one window's mask (printed ``M^{[l]}_{c,i,j}``); without a window
    it is the mask of every window at once (windows that do not overlap)."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        name, _source, _k, _s, *window = self.args
        return printer._print(Sub(name, *window) if window else name)

    def _sympystr(self, printer: Any) -> str:
        name, _source, _k, _s, *window = self.args
        return printer._print(Sub(name, *window) if window else name)


class Window(TensorNode):
    """The indicator of one pooling window (c, i, j) in its source: args its name, the
    source's shape (C, H, W), the kernel, the stride, then c, i, j."""

    def _latex(self, printer: Any, exp: Any = None) -> str:
        name, _shape, _k, _s, *window = self.args
        return printer._print(Sub(name, *window))

    def _sympystr(self, printer: Any) -> str:
        name, _shape, _k, _s, *window = self.args
        return printer._print(Sub(name, *window))


class MaxPool(_Call):
    """``maxpool_{k,s}(A)``: the maximum of every k×k window, windows s apart."""

    latex_name = text_name = "maxpool"


class AvgPool(_Call):
    """``avgpool_{k,s}(A)``: the mean of every k×k window, windows s apart."""

    latex_name = text_name = "avgpool"
