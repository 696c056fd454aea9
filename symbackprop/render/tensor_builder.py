"""What the tensor forms of convolution and recurrent networks share: named tensors, rows with
their free indices, an activation and its derivative, and the δ of the output layer."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..network.build import Network, Unit
from ..network.functions import ACTIVATIONS
from ..network.losses import loss_scale
from ..spec.model import LayerSpec
from ..spec.typesetting import upright
from .matrix import MatrixRow
from .matrix_layers import capitalise, head_of, notation_tag
from .matrix_printing import text_name
from .tensor_nodes import Apply, Hadamard, Negative, Plus, Product


@dataclass(frozen=True)
class TensorRow(MatrixRow):
    """``lhs = rhs`` for every value of its free indices ((index, first, last), …)."""

    free: tuple[tuple[sp.Symbol, int, int], ...] = ()


Sections = list[tuple[str, list[MatrixRow]]]

# the output activations and losses whose δ is the output minus the target
ERROR_PAIRS = (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"))


class TensorBuilder:
    """Names tensors in the spec's notation and writes rows; a kind's builder adds the rows."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.spec = net.spec
        self.names: dict[sp.Basic, str] = {}
        self.words: dict[sp.Basic, str] = {}
        self.title_names: dict[str, tuple[str, str]] = {}
        self.tag = notation_tag(self.spec.notation)
        self.loss = self.sym("L", self.spec.notation.loss)

    def reason(self) -> str | None:
        """Why this network's tensor form cannot be written (None: it can)."""
        return None

    def build(self) -> Sections:
        raise NotImplementedError

    # -- names ------------------------------------------------------------------------
    def sym(self, key: str, latex: str) -> sp.Symbol:
        s = sp.Symbol(key)
        self.names[s] = upright(latex)
        return s

    def layer_name(self, template: str, number: int, *, capital: bool) -> str:
        head = head_of(template)
        return (capitalise(head) if capital else head) + self.tag.replace("{layer}", str(number))

    def title_name(self, key: str, latex: str) -> str:
        """``{key}`` in a section title, printed as each format needs."""
        self.title_names[key] = (latex, text_name(latex))
        return "{" + key + "}"

    # -- activations --------------------------------------------------------------------
    def unit(self, lay: LayerSpec) -> Unit:
        return self.net.unit_by_name[lay.units[-1]]

    def apply(self, lay: LayerSpec, z: sp.Basic, *, prime: bool) -> Apply:
        """g(z) or g′(z) of every entry, g the layer's activation."""
        act = self.unit(lay).activation
        entry = ACTIVATIONS[act.kind]
        alpha = Fraction(1, 100) if act.alpha is None else act.alpha
        name = entry.latex_name
        if act.kind == "leaky_relu":
            name += "_{" + sp.latex(sp.Rational(alpha.numerator, alpha.denominator)) + "}"
        return Apply(z, sp.Symbol(act.kind), sp.Symbol(name), sp.Symbol(act.kind),
                     sp.Integer(int(prime)),
                     sp.Rational(alpha.numerator, alpha.denominator)
                     if act.kind == "leaky_relu" else sp.Integer(0))

    def linear(self, lay: LayerSpec) -> bool:
        return self.unit(lay).activation.kind == "linear"

    def times_slope(self, lay: LayerSpec, back: sp.Basic, z: sp.Basic) -> sp.Basic:
        """``back ⊙ g′(z)``, or ``back`` alone for a linear layer (its slope is 1)."""
        if self.linear(lay):
            return back
        return Hadamard(back, self.apply(lay, z, prime=True))

    # -- the output layer -------------------------------------------------------------
    def output_delta(self, lay: LayerSpec, a: sp.Basic, z: sp.Basic, y: sp.Basic) -> sp.Basic:
        """δ of the output layer: c (a − y) for softmax with cross-entropy or sigmoid with
        binary cross-entropy, c (a − y) ⊙ g′(z) for a squared error (c from the loss's
        factor and mean); :meth:`output_refused` first."""
        kind, loss = self.unit(lay).activation.kind, self.spec.loss.kind
        scale = loss_scale(self.spec.loss, len(lay.units))
        if loss == "squared_error":
            scale = 2 * scale
        error = Plus(a, Negative(y))
        body: sp.Basic = error if scale == 1 else Product(scale, error)
        if (kind, loss) in ERROR_PAIRS:
            return body
        return self.times_slope(lay, body, z)

    def output_refused(self) -> str | None:
        """Why the output δ is not c (a − y) (⊙ g′(z)) here, or None."""
        lay = self.spec.layers[-1]
        kind, loss = self.unit(lay).activation.kind, self.spec.loss.kind
        if kind == "softmax" and loss != "cross_entropy":
            return "the softmax layer's Jacobian is not elementwise with this loss"
        if (kind, loss) not in ERROR_PAIRS and loss != "squared_error":
            return (f"the gradient of the {loss.replace('_', ' ')} at a {kind} output is not "
                    "(a − y) times a constant")
        return None
