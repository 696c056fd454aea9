"""What the names of a matrix-form step mean in a layered network.

A layer's vectors are named by the heads of the spec's notation, with the layer as a
superscript in any bracket style (``z^{[2]}``, ``z^{(2)}``, ``z^2``, ``z^[2]`` as text
writes it): ``z`` (net inputs), ``a`` (activations; ``a^{[0]}`` is the input ``x``), ``δ``,
``b``, the weight matrix ``W`` (or ``w``, Nielsen's), the input ``x`` and the target ``y``.
A capital (``Z``, ``A``, ``\\Delta``, ``X``, ``Y``, ``\\mathbf{out}``) is the batch: one
example a column (a row in the row layout). ``l`` is a layer left free (the step holds for
every layer where its names exist) and ``L`` the output layer. Functions of every entry are
the layer's activation when written as ``σ``, ``f``, ``g``, ``φ`` or the spec's own name,
unless the network uses the activation that name says (``σ`` in a network with a sigmoid
is the sigmoid, ``tanh`` is tanh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import FormulaError
from ...network.build import Network, Unit
from ...render.matrix_layers import capitalise, head_of, not_layered, target_head
from ...render.matrix_printing import text_name
from ..reading.matrix_syntax import LayerRef, MName
from .code_names import CodeName, code_names, need_cost
from .quantities import Quantities

GENERIC_FUNCTIONS = frozenset(("sigma", "f", "g", "phi", "varphi", "h"))
"""Names that mean the activation of the layer the argument belongs to."""
NAMED_FUNCTIONS = {"sigma": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
                   "ReLU": "relu", "softplus": "softplus", "leaky_relu": "leaky_relu",
                   "lrelu": "leaky_relu",
                   "softmax": "softmax", "linear": "linear", "identity": "linear"}


@dataclass(frozen=True)
class LayerName:
    """A resolved name: its kind (z, a, d, b, W, x, y, count, decay: the λ of a weight
    decay, or shared: a bias a whole layer shares), layer position and batch mark."""

    kind: str
    pos: int  # 1 … L for a layer; 0 for the input; -1 where no layer applies
    batch: bool
    written: str
    gradient: bool = False  # a code name with ``d``: the gradient of the cost by the matrix


def _key(latex: str) -> str:
    """A head as a key: ``\\mathrm{in}`` and ``in`` alike, ``\\mathbf{x}`` as ``x``."""
    latex = re.sub(r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*([A-Za-z])\s*\}", r"\1", latex)
    return text_name(latex.strip())


class MatrixNames:
    """The layer names of one layered network and its functions of every entry."""

    def __init__(self, net: Network, quantities: Quantities) -> None:
        self.net = net
        self.q = quantities
        spec = net.spec
        notation = spec.notation
        self.reason = not_layered(net, decay=False)  # λ W is read: ∂J/∂W = δ aᵀ + λ W
        self.layers = len(spec.layers)
        self.first = notation.first_layer
        self.source = notation.weight_layer == "source"
        self.row = notation.layout == "row"
        heads = {"z": head_of(notation.net), "a": head_of(notation.activation),
                 "d": head_of(notation.delta), "b": head_of(notation.bias),
                 "x": (head_of(spec.inputs[0].latex) if spec.inputs else None) or "x",
                 "y": target_head(net)}
        self.heads: dict[str, tuple[str, bool]] = {}  # key → (kind, batch)
        for kind in ("y", "x", "b", "d", "a", "z"):
            for head in {heads[kind], head_of(notation.target) if kind == "y" else heads[kind]}:
                self.heads[_key(head)] = (kind, False)
                if kind != "b":
                    self.heads[_key(capitalise(head))] = (kind, True)
        weight = head_of(notation.weight)
        for head in {weight, weight.lower(), capitalise(weight)}:
            self.heads[_key(head)] = ("W", False)
        self.losses: dict[str, set[bool]] = {}  # a name → {False: the loss, True: the cost}
        for sym, cost in ((quantities.loss, False), (quantities.cost, True)):
            self.losses.setdefault(_key(quantities.latex_of(sym)), set()).add(cost)
        self.count = _key(quantities.latex_of(quantities.count))
        self.decay = _key(net.latex_of(net.decay)) if net.decay is not None else None
        self.shared: dict[str, int] = {}  # a bias one layer shares (b_1 in W x + b_1 1) → pos
        if self.reason is None:
            for pos in range(1, self.layers + 1):
                biases = {u.bias for u in self.units(pos)}
                if len(self.units(pos)) > 1 and len(biases) == 1 and None not in biases:
                    bias = biases.pop()
                    assert bias is not None
                    self.shared[_key(net.latex_of(bias))] = self.shared[bias.name] = pos
        self.kinds = {u.activation.kind for u in net.units}
        self.code: dict[str, CodeName] = code_names(spec)
        self.has_cost = spec.cost is not None
        bare = {k for k, (kind, _) in self.heads.items() if kind in ("x", "y", "a", "z")}
        self.ambiguous = set(self.code) & (bare | set(self.losses) | set(self.shared)
                                           | {self.count, self.decay})

    @property
    def last(self) -> int:
        """The number the notation gives the output layer (``L``)."""
        return self.first + self.layers

    def letters(self, names: list[MName]) -> list[str]:
        return sorted({n.layer.letter for n in names
                       if n.layer is not None and n.layer.letter not in (None, "L")})

    def assignments(self, names: list[MName]) -> list[dict[str, int]]:
        """The values of the free layer letter (``l``) for which every name exists."""
        free = self.letters(names)
        if not free:
            return [{"L": self.last}]
        out = []
        for n in range(self.first - 1, self.last + 2):
            values = {"L": self.last, **dict.fromkeys(free, n)}
            try:
                for name in names:
                    self.resolve(name, values)
            except FormulaError:
                continue
            out.append(values)
        return out

    def is_count(self, text: str) -> bool:
        """Whether ``text`` names the number of examples (the ``m`` of Σ_{i=1}^{m})."""
        return _key(text) == self.count

    def resolve(self, name: MName, values: dict[str, int], *, gradient: bool = False
                ) -> LayerName:
        """The meaning of ``name`` at the layer letters' ``values``; ``gradient``: below a
        ∇ or ∂, where ``a`` alone is the output layer's (Nielsen's ∇_a C)."""
        key = _key(name.head)
        if key in self.code and name.layer is None:
            return self.code_name(key, name)
        if key == self.count and name.layer is None:
            return LayerName("count", -1, False, name.raw)
        if key == self.decay and name.layer is None:
            return LayerName("decay", -1, False, name.raw)
        if key in self.shared and name.layer is None:
            return LayerName("shared", self.shared[key], False, name.raw)
        found = self.heads.get(key)
        if found is None:
            raise FormulaError(f"`{name.raw}` names no layer of the network in matrix form")
        kind, batch = found
        if kind in ("x", "y"):
            if name.layer is not None:
                raise FormulaError(f"`{name.raw}`: the {'input' if kind == 'x' else 'target'} "
                                   f"has no layer")
            return LayerName(kind, 0 if kind == "x" else self.layers, batch, name.raw)
        if name.layer is None:
            if gradient and kind in ("a", "z"):
                return LayerName(kind, self.layers, batch, name.raw)
            raise FormulaError(f"`{name.raw}` names a whole layer: give its layer "
                               f"({name.raw}^{{[{self.first + 1}]}}, or l)")
        number = name.layer.at(values)
        pos = number - self.first
        if kind in ("W", "b") and self.source:
            pos += 1
        low = 0 if kind == "a" else 1
        if not low <= pos <= self.layers:
            raise FormulaError(f"`{name.raw}`: the network has no layer {number}")
        if kind == "a" and pos == 0:
            return LayerName("x", 0, batch, name.raw)
        if kind == "b" and all(u.bias is None for u in self.units(pos)):
            raise FormulaError(f"`{name.raw}`: the layer has no bias")
        return LayerName(kind, pos, batch, name.raw)

    def code_name(self, key: str, name: MName) -> LayerName:
        """A matrix as code names it (``scores``, ``W2``) or its gradient (``dW2``)."""
        if key in self.ambiguous:
            raise FormulaError(f"`{name.raw}` is both a matrix the spec names and another "
                               f"quantity here: rename the matrix in `matrices:`")
        found = self.code[key]
        if found.gradient:
            need_cost(name.raw, self.has_cost)
        batch = found.kind in ("z", "a") or found.gradient
        return LayerName(found.kind, found.pos, batch, name.raw, gradient=found.gradient)

    @property
    def cost_name(self) -> str:
        """The cost as a step names it (the loss a ``d`` name is the gradient of)."""
        return next(k for k, v in self.losses.items() if True in v)

    def loss(self, written: str, batch: bool) -> bool:
        """Whether ``written`` is the cost over a batch (True) or one example's loss; a name
        that is both (a spec's cost named as its loss) is the cost in a step about the
        batch (``batch``)."""
        meanings = self.losses.get(_key(written))
        if not meanings:
            raise FormulaError(f"`{written}` is neither the loss nor the cost")
        return batch if len(meanings) == 2 else next(iter(meanings))

    def units(self, pos: int) -> tuple[Unit, ...]:
        spec = self.net.spec
        return tuple(self.net.unit_by_name[n] for n in spec.layers[pos - 1].units)

    def size(self, pos: int) -> int:
        return len(self.net.spec.inputs) if pos == 0 else len(self.units(pos))

    def activation(self, func: str, pos: int | None) -> str:
        """The kind of activation ``func`` names, applied to a layer at ``pos``."""
        named = NAMED_FUNCTIONS.get(func)
        if named is not None and (named in self.kinds or func not in GENERIC_FUNCTIONS):
            return named  # relu'(z) is ReLU's derivative, whatever the layer's activation
        own = pos is not None and 1 <= pos <= self.layers
        kind = self.units(pos)[0].activation if own else None
        if func in GENERIC_FUNCTIONS or (kind is not None and func == (kind.fname or "f")):
            if kind is None:
                raise FormulaError(f"`{func}` of what layer? apply it to a layer's z")
            return kind.kind
        raise FormulaError(f"`{func}` is not an activation of the network")


def layer_ref(number: int) -> LayerRef:
    return LayerRef(None, number)
