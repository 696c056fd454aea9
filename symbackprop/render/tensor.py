"""The tensor form: convolution, pooling and recurrent layers as a lecture writes them.

Beside the index form, a network with conv2d, pooling or recurrent layers gets its
backpropagation on whole tensors, in the spec's names (``Z^{[1]}``, ``W^{[1]}``, ``δ^{[1]}``,
``h^{(t)}``) with every shape given::

    Z^{[l]} = W^{[l]} ∗ A^{[l−1]} + b^{[l]}        (∗ cross-correlation, stride s, padding p)
    ∂L/∂W^{[l]}_{f,c} = dil_s(δ^{[l]}_f) ∗ pad_p(A^{[l−1]}_c)
    ∂L/∂b^{[l]}_f = Σ_{i,j} δ^{[l]}_{f,i,j}
    δ^{[l−1]}_c = crop_p(Σ_f dil_s(δ^{[l]}_f) ∗_full rot180(W^{[l]}_{f,c})) ⊙ g′(Z^{[l−1]}_c)

a pooling layer routes δ to each window's argmax (max) or spreads it evenly (avg), and a
recurrent layer has the sums over time of back-propagation through time
(:mod:`symbackprop.render.tensor_recurrent`). Where a form would not hold (a stride that leaves
rows no window meets, a weight decay, δ = −∂E/∂net) the reason is given instead.
"""

from __future__ import annotations

from typing import Any

from ..network.build import Network
from ..network.derivation import Gradients
from ..spec.model import LayerSpec
from .matrix import MatrixForm, MatrixRow
from .tensor_builder import TensorBuilder


class TensorForm(MatrixForm):
    """The tensor equations of a network with convolution, pooling or recurrent layers."""

    heading = "Tensor form"

    def _free(self, row: MatrixRow, latex: bool) -> str:
        free = getattr(row, "free", ())
        if not free:
            return ""

        def span(i: object, lo: int, hi: int) -> str:
            if lo == hi:
                return f"{i} = {lo}"
            if lo > hi:  # a recurrence run backwards
                return rf"{i} = {lo} \text{{ down to }} {hi}" if latex else \
                    f"{i} = {lo} down to {hi}"
            return rf"{i} = {lo}, \dots, {hi}" if latex else f"{i} = {lo}, …, {hi}"

        shown = [span(i, lo, hi) for i, lo, hi in free]
        if latex:
            return r" \quad \text{for } " + r",\ ".join(shown)
        return "   (" + ", ".join(shown) + ")"

    def latex_rows(self, rows: list[MatrixRow]) -> list[str]:
        return [line + self._free(r, True)
                for line, r in zip(super().latex_rows(rows), rows, strict=True)]

    def text_rows(self, rows: list[MatrixRow]) -> list[str]:
        return [line + self._free(r, False)
                for line, r in zip(super().text_rows(rows), rows, strict=True)]

    def json(self) -> dict[str, Any]:
        return {"form": "tensor", **super().json()}


def shaped_kinds(net: Network) -> list[LayerSpec]:
    """The layers that make a network's form a tensor form: conv, pooling, recurrent."""
    return [lay for lay in net.spec.layers
            if lay.conv is not None or lay.pool is not None or lay.recurrent is not None]


def tensor_form(net: Network, grads: Gradients | None = None) -> TensorForm | None:
    """The tensor form of ``net``, or None when it has no convolution, pooling or recurrent
    layer (the matrix form is then the one to print).

    >>> tensor_form(build_network(load_spec("specs/conv2d-3x3.yaml"))).text_lines()[0]
    ... # doctest: +SKIP
    'Tensor form (per layer):'
    """
    if not shaped_kinds(net):
        return None
    reason = _why_not(net)
    if reason is None:
        if any(lay.recurrent is not None for lay in net.spec.layers):
            from .tensor_recurrent import RecurrentBuilder
            builder: TensorBuilder = RecurrentBuilder(net)
        else:
            from .tensor_conv import ConvBuilder
            builder = ConvBuilder(net)
        reason = builder.reason()
        if reason is None:
            sections = builder.build()
            return TensorForm(True, "", sections, builder.names, net, builder.words,
                              builder.title_names)
    return TensorForm(False, reason, network=net)


def _why_not(net: Network) -> str | None:
    spec = net.spec
    if spec.notation.delta_sign == "negative":
        return "δ is −∂E/∂net here (notation.delta_sign: negative)"
    if net.decay is not None:
        return "the weight decay adds λ w to each weight's gradient"
    constant = next((u for u in net.units if u.constant is not None), None)
    if constant is not None:
        return f"the bias of {constant.name} is a constant"
    if any(u.activation.kind == "unspecified" for u in net.units):
        return "an unspecified activation has no g′ to print elementwise"
    if spec.loss.kind == "unspecified":
        return "the loss is unspecified"
    return None

