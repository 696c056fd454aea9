"""The tensor form's equations evaluated with NumPy, row by row, as printed.

Each operation of :mod:`symbackprop.render.tensor_nodes` is written here again from its
textbook definition (cross-correlation, full correlation, rot180, dilation, padding, cropping,
upsampling, argmax masks, vec, diag), independently of the package's numeric code. The rows
of a :class:`~symbackprop.render.tensor.TensorForm` are evaluated from the top: the forward
pass from the inputs and parameters, then the local gradients, then the gradients, each row's
left side bound to its value for every value of its free indices. Only the inputs, the
parameters, the targets (and h^{(0)} = 0, as the form says) are given.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import sympy as sp

from symbackprop.render import tensor_nodes as tn
from symbackprop.render.printing import Partial


def _pair(sizes: tuple[Any, ...]) -> tuple[int, int]:
    values = tuple(int(v) for v in sizes)
    return (values[0], values[0]) if len(values) == 1 else (values[0], values[1])


def pad2(x: np.ndarray, p: tuple[int, int]) -> np.ndarray:
    widths = [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])]
    return np.pad(x, widths)


def correlate2(kernel: np.ndarray, source: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """out[i, j] = Σ_{m,n} kernel[m, n] source[s·i + m, s·j + n] (0-based, one channel)."""
    kh, kw = kernel.shape
    rows = (source.shape[0] - kh) // stride[0] + 1
    cols = (source.shape[1] - kw) // stride[1] + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = source[stride[0] * i:stride[0] * i + kh, stride[1] * j:stride[1] * j + kw]
            out[i, j] = float(np.sum(kernel * window))
    return out


def correlate(kernel: np.ndarray, source: np.ndarray, stride: tuple[int, int],
              padding: tuple[int, int]) -> np.ndarray:
    """A filter bank (F, C, k, k) over (C, H, W), summed over channels; or one 2-D kernel."""
    source = pad2(source, padding)
    if kernel.ndim == 2 and source.ndim == 2:
        return correlate2(kernel, source, stride)
    assert kernel.ndim == 4 and source.ndim == 3, (kernel.shape, source.shape)
    return np.stack([sum(correlate2(kernel[f, c], source[c], stride)
                         for c in range(source.shape[0])) for f in range(kernel.shape[0])])


def windows(shape: tuple[int, int], k: tuple[int, int], s: tuple[int, int]
            ) -> list[tuple[int, int]]:
    rows = (shape[0] - k[0]) // s[0] + 1
    cols = (shape[1] - k[1]) // s[1] + 1
    return [(i, j) for i in range(rows) for j in range(cols)]


def first_max_mask(channel: np.ndarray, k: tuple[int, int], s: tuple[int, int], i: int, j: int
                   ) -> np.ndarray:
    """1 at the first (row-major) maximum of window (i, j) of one channel."""
    window = channel[s[0] * i:s[0] * i + k[0], s[1] * j:s[1] * j + k[1]]
    m, n = np.unravel_index(int(np.argmax(window)), window.shape)
    mask = np.zeros_like(channel)
    mask[s[0] * i + m, s[1] * j + n] = 1.0
    return mask


def _activation(kind: str, z: np.ndarray, prime: bool, alpha: float) -> np.ndarray:
    if kind == "softmax":
        assert not prime
        e = np.exp(z - np.max(z))
        return e / np.sum(e)
    table = {
        "sigmoid": (lambda v: 1 / (1 + np.exp(-v)),
                    lambda v: np.exp(-v) / (1 + np.exp(-v)) ** 2),
        "tanh": (np.tanh, lambda v: 1 - np.tanh(v) ** 2),
        "relu": (lambda v: np.maximum(v, 0), lambda v: (v > 0).astype(float)),
        "leaky_relu": (lambda v: np.where(v > 0, v, alpha * v),
                       lambda v: np.where(v > 0, 1.0, alpha)),
        "linear": (lambda v: v, np.ones_like),
        "softplus": (lambda v: np.log1p(np.exp(v)), lambda v: 1 / (1 + np.exp(-v))),
    }
    return table[kind][1 if prime else 0](z)


def _channels(x: Any) -> Any:
    """A bias of one number per filter, added to every entry of its channel (as the form's
    shapes say)."""
    return x[:, None, None] if np.ndim(x) == 1 else x


class Evaluator:
    """Evaluates a tensor form's rows in order; ``env`` maps names (Symbols, or nodes such as
    h^{(2)}) to arrays."""

    def __init__(self, env: dict[Any, Any]) -> None:
        self.env = dict(env)

    def run(self, form: Any) -> dict[Any, Any]:
        for _title, rows in form.sections:
            block: list[Any] = []
            for row in rows:
                if row.relation != "=":
                    continue
                if block and getattr(block[0], "free", ()) != getattr(row, "free", ()):
                    self._block(block)
                    block = []
                block.append(row)
            if block:
                self._block(block)
        return self.env

    def _block(self, rows: list[Any]) -> None:
        free = getattr(rows[0], "free", ())
        ranges = [range(lo, hi + 1) if hi >= lo else range(lo, hi - 1, -1)
                  for _i, lo, hi in free]
        for values in product(*ranges):
            binding = {i: sp.Integer(v) for (i, _lo, _hi), v in zip(free, values, strict=True)}
            for row in rows:
                value = self.ev(row.rhs.xreplace(binding))
                self.assign(row.lhs.xreplace(binding), value, free, binding)

    def assign(self, lhs: Any, value: Any, free: Any, binding: Any) -> None:
        if isinstance(lhs, Partial) and isinstance(lhs.args[1], tn.Sub):
            base, *index = lhs.args[1].args
            key = Partial(lhs.args[0], base)
            target = self.env.setdefault(key, np.zeros(self.env[base].shape))
            target[tuple(int(i) - 1 for i in index)] = value
        elif isinstance(lhs, tn.Sub):
            base, *index = lhs.args
            sizes = [hi if hi >= lo else lo for _i, lo, hi in free]
            target = self.env.setdefault(base, np.zeros((*sizes, *np.shape(value))))
            target[tuple(int(i) - 1 for i in index)] = value
        elif isinstance(lhs, tn.Flatten):
            name = lhs.args[0]
            like = sp.Symbol("Z" + name.name[1:])
            shape = self.env[like if like in self.env else sp.Symbol("A" + name.name[1:])].shape
            self.env[name] = np.asarray(value).reshape(shape)
        else:
            self.env[lhs] = value

    def ev(self, node: Any) -> Any:
        if node in self.env:
            return self.env[node]
        if isinstance(node, sp.Number):
            return float(node)
        if isinstance(node, tn.Sub):
            base, *index = node.args
            return self.ev(base)[tuple(int(i) - 1 for i in index)]
        if isinstance(node, tn.Plus):
            return sum((_channels(self.ev(a)) for a in node.args[1:]),
                       _channels(self.ev(node.args[0])))
        if isinstance(node, tn.Negative):
            return -self.ev(node.args[0])
        if isinstance(node, tn.Product):
            out = self.ev(node.args[0])
            for a in node.args[1:]:
                v = self.ev(a)
                both = np.ndim(out) == 2 and np.ndim(v) == 2
                out = out @ v if both else out * v
            return out
        if isinstance(node, tn.Hadamard):
            a, b = self.ev(node.args[0]), self.ev(node.args[1])
            assert np.shape(a) == np.shape(b), (np.shape(a), np.shape(b))
            return a * b
        if isinstance(node, tn.Correlate):
            kernel, source, stride, padding = node.args
            return correlate(self.ev(kernel), self.ev(source), _pair(stride), _pair(padding))
        if isinstance(node, tn.FullCorrelate):
            source, kernel = self.ev(node.args[0]), self.ev(node.args[1])
            grow = (kernel.shape[0] - 1, kernel.shape[1] - 1)
            return correlate2(kernel, pad2(source, grow), (1, 1))
        if isinstance(node, tn.Rot180):
            return self.ev(node.args[0])[..., ::-1, ::-1]
        if isinstance(node, tn.Dilate):
            x, s = self.ev(node.args[0]), _pair(node.args[1:])
            out = np.zeros((*x.shape[:-2], s[0] * (x.shape[-2] - 1) + 1,
                            s[1] * (x.shape[-1] - 1) + 1))
            out[..., ::s[0], ::s[1]] = x
            return out
        if isinstance(node, tn.Pad):
            return pad2(self.ev(node.args[0]), _pair(node.args[1:]))
        if isinstance(node, tn.Crop):
            x, p = self.ev(node.args[0]), _pair(node.args[1:])
            return x[..., p[0]:x.shape[-2] - p[0], p[1]:x.shape[-1] - p[1]]
        if isinstance(node, tn.Upsample):
            k = _pair(node.args[1:])
            return np.repeat(np.repeat(self.ev(node.args[0]), k[0], axis=-2), k[1], axis=-1)
        if isinstance(node, tn.Flatten):
            return self.ev(node.args[0]).reshape(-1, 1)
        if isinstance(node, tn.Diag):
            return np.diag(np.ravel(self.ev(node.args[0])))
        if isinstance(node, tn.Transpose):
            return np.transpose(self.ev(node.args[0]))
        if isinstance(node, tn.Apply):
            arg, kind, _name, _word, prime, alpha = node.args
            return _activation(kind.name, self.ev(arg), bool(prime), float(alpha))
        if isinstance(node, tn.OneMinusSquare):
            return 1 - self.ev(node.args[0]) ** 2
        if isinstance(node, tn.Total):
            body, *limits = node.args
            total = 0.0
            for values in product(*(range(int(lo), int(hi) + 1) for _i, lo, hi in limits)):
                binding = {i: sp.Integer(v) for (i, _lo, _hi), v in
                           zip(limits, values, strict=True)}
                total = total + self.ev(body.xreplace(binding))
            return total
        if isinstance(node, (tn.MaxPool, tn.AvgPool)):
            x = self.ev(node.args[0])
            sizes = [int(v) for v in node.args[1:]]
            k = _pair(tuple(sizes[:len(sizes) // 2]))
            s = _pair(tuple(sizes[len(sizes) // 2:]))
            pick = np.max if isinstance(node, tn.MaxPool) else np.mean
            rows = (x.shape[1] - k[0]) // s[0] + 1
            cols = (x.shape[2] - k[1]) // s[1] + 1
            return np.array([[[pick(x[c, s[0] * i:s[0] * i + k[0], s[1] * j:s[1] * j + k[1]])
                               for j in range(cols)] for i in range(rows)]
                             for c in range(x.shape[0])])
        if isinstance(node, tn.Mask):
            _name, source, k, s, *window = node.args
            x, kk, ss = self.ev(source), _pair(k), _pair(s)
            if window:
                c, i, j = (int(v) - 1 for v in window)
                return first_max_mask(x[c], kk, ss, i, j)
            return np.stack([sum(first_max_mask(x[c], kk, ss, i, j)
                                 for i, j in windows(x.shape[1:], kk, ss))
                             for c in range(x.shape[0])])
        if isinstance(node, tn.Window):
            _name, shape, k, s, c, i, j = node.args
            kk, ss = _pair(k), _pair(s)
            out = np.zeros((int(shape[1]), int(shape[2])))
            i0, j0 = ss[0] * (int(i) - 1), ss[1] * (int(j) - 1)
            out[i0:i0 + kk[0], j0:j0 + kk[1]] = 1.0
            return out
        raise KeyError(f"no value for {node!r}")
