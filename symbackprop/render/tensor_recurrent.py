"""The tensor form of a recurrent network: back-propagation through time with whole vectors.

In the spec's letters (Goodfellow et al.'s by default), with g the hidden activation::

    a^{(t)} = b + W h^{(t−1)} + U x^{(t)},   h^{(t)} = g(a^{(t)}),   o^{(t)} = c + V h^{(t)}
    ∂L/∂h^{(τ)} = Vᵀ (ŷ^{(τ)} − y^{(τ)})
    ∂L/∂h^{(t)} = Vᵀ (ŷ^{(t)} − y^{(t)}) + Wᵀ diag(1 − (h^{(t+1)})²) ∂L/∂h^{(t+1)}
    ∂L/∂W = Σ_t diag(1 − (h^{(t)})²) ∂L/∂h^{(t)} (h^{(t−1)})ᵀ,  ∂L/∂U likewise with x^{(t)}
    ∂L/∂V = Σ_t (ŷ^{(t)} − y^{(t)}) (h^{(t)})ᵀ

(tanh′ written 1 − h², another activation as diag(g′(a^{(t)})), a linear one with none).
"""

from __future__ import annotations

import sympy as sp

from ..spec.model import RecurrentGeometry
from .matrix import MatrixRow
from .matrix_layers import head_of
from .printing import Partial
from .tensor_builder import TensorBuilder, TensorRow
from .tensor_nodes import (
    Diag,
    OneMinusSquare,
    Plus,
    Product,
    Space,
    Step,
    Total,
    Transpose,
)

t_ = sp.Symbol("t")


class RecurrentBuilder(TensorBuilder):
    """Rows for one recurrent layer and its output layer at every step."""

    def reason(self) -> str | None:
        layers = self.spec.layers
        roles = [lay.recurrent.role if lay.recurrent is not None else "dense" for lay in layers]
        if roles != ["hidden", "output"]:
            return "the tensor form is written for one recurrent layer and its output layer"
        hidden = layers[0].recurrent
        assert hidden is not None
        if hidden.initial == "parameter":
            return "the initial state is a parameter here"
        return self.output_refused()

    def vector(self, geometry: RecurrentGeometry, role: str) -> sp.Symbol:
        template = dict(geometry.templates)[role]
        key = f"{geometry.role}_{role}"
        return self.sym(key, head_of(template))

    def build(self) -> list[tuple[str, list[MatrixRow]]]:
        hidden_lay, out_lay = self.spec.layers
        gh, go = hidden_lay.recurrent, out_lay.recurrent
        assert gh is not None and go is not None
        tau = gh.steps
        x, a, h = (self.vector(gh, r) for r in ("input", "net", "activation"))
        U, W = self.vector(gh, "input_weight"), self.vector(gh, "recurrent_weight")
        o, yhat, y = (self.vector(go, r) for r in ("net", "activation", "target"))
        V = self.vector(go, "weight")
        b = self.vector(gh, "bias") if self.unit(hidden_lay).bias is not None else None
        c = self.vector(go, "bias") if self.unit(out_lay).bias is not None else None
        n_x, n_h, n_o = gh.inputs, gh.size, go.size
        every = ((t_, 1, tau),)

        def at(v: sp.Symbol, shift: int = 0) -> Step:
            return Step(v, t_ + shift)

        shapes = [MatrixRow(at(x), Space(n_x, 1), "in"), MatrixRow(U, Space(n_h, n_x), "in"),
                  MatrixRow(W, Space(n_h, n_h), "in")]
        if b is not None:
            shapes.append(MatrixRow(b, Space(n_h, 1), "in"))
        shapes += [MatrixRow(at(h), Space(n_h, 1), "in"), MatrixRow(V, Space(n_o, n_h), "in")]
        if c is not None:
            shapes.append(MatrixRow(c, Space(n_o, 1), "in"))
        shapes.append(MatrixRow(at(o), Space(n_o, 1), "in"))

        net_terms = [Product(W, at(h, -1)), Product(U, at(x))]
        out_terms: list[sp.Basic] = [Product(V, at(h))]
        forward = [
            TensorRow(at(a), Plus(*([b] if b is not None else []), *net_terms), free=every),
            TensorRow(at(h), at(a) if self.linear(hidden_lay)
                      else self.apply(hidden_lay, at(a), prime=False), free=every),
            TensorRow(at(o), Plus(*([c] if c is not None else []), *out_terms), free=every),
            TensorRow(at(yhat), at(o) if self.linear(out_lay)
                      else self.apply(out_lay, at(o), prime=False), free=every)]

        def error(shift: int = 0) -> sp.Basic:
            """∂L/∂o at step t + shift."""
            return self.output_delta(out_lay, at(yhat, shift), at(o, shift), at(y, shift))

        def slope(shift: int = 0) -> sp.Basic | None:
            """diag(g′(a^{(t+shift)})), with tanh′ as 1 − h²; None for a linear layer."""
            kind = self.unit(hidden_lay).activation.kind
            if kind == "linear":
                return None
            if kind == "tanh":
                return Diag(OneMinusSquare(at(h, shift)))
            return Diag(self.apply(hidden_lay, at(a, shift), prime=True))

        def seen_through(matrix: sp.Basic, shift: int = 0) -> Product:
            """matrix · ∂L/∂o, a number in front: c Vᵀ (ŷ − y), not Vᵀ c (ŷ − y)."""
            e = error(shift)
            if isinstance(e, Product) and isinstance(e.args[0], sp.Rational):
                return Product(e.args[0], matrix, *e.args[1:])
            return Product(matrix, e)

        def through(*factors: sp.Basic | None) -> Product:
            return Product(*(f for f in factors if f is not None))

        dh = Partial(self.loss, Step(h, t_))
        last = Partial(self.loss, Step(h, sp.Integer(tau)))
        back = [MatrixRow(last, seen_through(Transpose(V)).xreplace({t_: tau}))]
        if tau > 1:
            back.append(TensorRow(
                dh, Plus(seen_through(Transpose(V)),
                         through(Transpose(W), slope(1), Partial(self.loss, Step(h, t_ + 1)))),
                free=((t_, tau - 1, 1),)))
        total = (t_, 1, tau)
        grads = [MatrixRow(Partial(self.loss, W),
                           Total(through(slope(), dh, Transpose(at(h, -1))), total)),
                 MatrixRow(Partial(self.loss, U),
                           Total(through(slope(), dh, Transpose(at(x))), total))]
        if b is not None:
            grads.append(MatrixRow(Partial(self.loss, b), Total(through(slope(), dh), total)))
        grads.append(MatrixRow(Partial(self.loss, V),
                               Total(Product(error(), Transpose(at(h))), total)))
        if c is not None:
            grads.append(MatrixRow(Partial(self.loss, c), Total(error(), total)))
        h0 = self.title_name("h0", self.names[h] + "^{(0)}")
        return [("shapes (a has the shape of h; ŷ and y that of o)", shapes),
                (f"forward pass, steps t = 1, …, {tau}, with {h0} = 0", forward),
                ("back-propagation through time, from the last step back", back),
                (f"gradients, summed over the steps ({h0} = 0)", grads)]
