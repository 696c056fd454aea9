"""The validated form of a network spec: frozen dataclasses, no behaviour.

:mod:`symbackprop.spec.load` builds these from a file; everything downstream reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .formulas import Term
from .naming import Names

# The names a spec may use; their meaning (expressions, derivatives) lives in
# symbackprop.network, which registers exactly these kinds.
ACTIVATION_KINDS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softplus", "softmax")
ACTIVATION_ALIASES = {"logistic": "sigmoid", "identity": "linear"}
UNSPECIFIED_ACTIVATIONS = ("unspecified", "f", "g", "h", "phi", "varphi")
# How a chain-rule derivation is split into factors, after the seeds:
#   unit         ∂E/∂out_u · ∂out_u/∂net_u · ∂net_u/∂θ at the unit θ feeds (seed 004)
#   net          ∂E/∂net_u · ∂net_u/∂θ, the local gradient times the input (seed 002)
#   activations  one factor per activation along every path, ∂out_v/∂out_u (seed 003)
#   paths        every net input and activation along every path (seed 000)
CHAIN_GRANULARITIES = ("unit", "net", "activations", "paths")
CHAIN_ORDERS = ("loss_first", "local_first")
LAYOUTS = ("column", "row")
"""How the matrix form lays out a layer: a column vector (W a + b, Nielsen, Ng) or a row
vector (a W + b, one example a row: CS231n, d2l)."""
DELTA_SIGNS = ("positive", "negative")
STAND_INS = ("tanh", "sigmoid", "sin", "softplus", "linear")
"""Functions an unspecified activation may be evaluated as, when the user asks for one."""
STAND_IN_ALIASES = {"logistic": "sigmoid", "identity": "linear"}
LOSS_KINDS = ("squared_error", "binary_cross_entropy", "cross_entropy", "unspecified")
LOSS_ALIASES = {
    "mse": "squared_error", "sse": "squared_error", "squared": "squared_error",
    "bce": "binary_cross_entropy", "categorical_cross_entropy": "cross_entropy",
    "ce": "cross_entropy",
}


@dataclass(frozen=True)
class ActivationSpec:
    """An activation by registry kind; ``fname`` names an unspecified function (seed 000's f)."""

    kind: str
    alpha: Fraction | None = None
    fname: str | None = None

    @property
    def label(self) -> str:
        return self.fname if self.kind == "unspecified" and self.fname else self.kind


@dataclass(frozen=True)
class InputSpec:
    name: str
    latex: str
    index: int


@dataclass(frozen=True)
class UnitSpec:
    name: str
    layer: int  # position: inputs are 0, first layer 1, ...
    index: int  # 1-based position in its layer
    activation: ActivationSpec
    latex: str  # its activation (output) symbol
    net_latex: str
    target_latex: str
    delta_latex: str
    group: int = 0  # the step of a recurrent network's unit: a softmax normalises within it
    named: bool = False  # the spec gives its name (`units: [h1]`); else it is made (u2_1)


@dataclass(frozen=True)
class ConvGeometry:
    """A convolution layer's shape: ``source`` (C, H[, W]) → ``output`` (F, H'[, W']).

    Output (f, i, j) is the cross-correlation Σ_{c,m,n} w_{f,c,m,n} a_{c, s(i−1)+m−p,
    s(j−1)+n−p} + b_f over the taps that fall inside the source (padding adds zeros), all
    indices from 1; units and their sources are numbered in this (f, i, j) order, row-major.
    """

    kind: str  # "conv1d" | "conv2d"
    source: tuple[int, ...]
    filters: int
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]

    @property
    def output(self) -> tuple[int, ...]:
        sizes = tuple((n + 2 * p - k) // s + 1 for n, k, s, p in
                      zip(self.source[1:], self.kernel, self.stride, self.padding, strict=True))
        return (self.filters, *sizes)


@dataclass(frozen=True)
class RecurrentGeometry:
    """A recurrent layer unrolled over ``steps`` (``role`` "hidden"), or the output layer
    applied at every step after it (``role`` "output"): units (t, i), t ≤ steps, i ≤ size.

    The hidden layer's unit (t, i) has a^{(t)}_i = b_i + Σ_k W_{i,k} h^{(t−1)}_k
    + Σ_j U_{i,j} x^{(t)}_j; with ``initial`` "parameter" the layer also has the units
    h^{(0)}_k (step 0, linear, net input a trainable bias), with "zero" h^{(0)} = 0 and
    step 1 has no recurrent term. An output unit (t, k) has o^{(t)}_k = c_k + Σ_i V_{k,i}
    h^{(t)}_i. W, U, V, b and c are each shared by every step.
    """

    role: str  # "hidden" | "output"
    steps: int
    size: int  # units per step
    inputs: int  # sources per step: the inputs x^{(t)} (hidden) or the state h^{(t)} (output)
    initial: str = "zero"  # "zero" | "parameter" (hidden only)
    # the layer's LaTeX templates by role (net, activation, weight, ... and its sources'
    # "input"), with {step} and {index} to fill: the printed rules write h^{(t)}_i from them
    templates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PoolGeometry:
    """A pooling layer's shape: ``source`` (C, H[, W]) → ``output`` (C, H'[, W']).

    Output (c, i, j) pools the window a_{c, s(i−1)+m, s(j−1)+n}, m, n = 1..k, all indices
    from 1: its maximum (``max_pool``, the first maximum at ties) or its mean (``avg_pool``).
    """

    kind: str  # "max_pool" | "avg_pool"
    source: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]

    @property
    def output(self) -> tuple[int, ...]:
        sizes = tuple((n - k) // s + 1 for n, k, s in
                      zip(self.source[1:], self.kernel, self.stride, strict=True))
        return (self.source[0], *sizes)


@dataclass(frozen=True)
class DropoutGeometry:
    """An inverted-dropout layer over ``size`` units: ã_j = m_j a_j / p, with the mask m
    (0 or 1 per unit, given as data) and the keep probability p in (0, 1]."""

    size: int  # n, the units of its source
    keep: Fraction  # p
    mask: tuple[int, ...]  # m_1, …, m_n in the units' order
    shape: tuple[int, ...] | None = None  # (C, H[, W]) after a shaped source, else None


@dataclass(frozen=True)
class NormGeometry:
    """A layer normalisation over the ``size`` units of a dense layer (Ba et al. 2016):
    y_j = γ_j (a_j − μ)/√(σ² + ε) + β_j, with μ and σ² the mean and variance of a, and γ_j,
    β_j trainable (their parameter names, in the units' order)."""

    size: int  # H, the units of its source
    epsilon: Fraction  # ε > 0
    gammas: tuple[tuple[str, str], ...]  # (name, LaTeX) of γ_1, …, γ_H
    betas: tuple[tuple[str, str], ...]  # (name, LaTeX) of β_1, …, β_H
    mean: str = ""  # the unit of μ, a node of the layer beside y_1, …, y_H
    variance: str = ""  # the unit of σ²


@dataclass(frozen=True)
class AttentionGeometry:
    """One head of scaled dot-product self-attention over ``tokens`` rows of width ``width``
    (Vaswani et al. 2017): Q = X W^Q, K = X W^K, V = X W^V, S = Q Kᵀ/√d, P the softmax of each
    row of S (over u ≤ t when ``causal``), O = P V."""

    tokens: int  # T
    width: int  # d
    causal: bool  # S_{t,u} = −∞ for u > t: P_{t,u} = 0 and the softmax over u ≤ t
    weights: tuple[tuple[tuple[str, str], ...], ...]  # (name, LaTeX) of W^Q, W^K, W^V, row-major
    nodes: tuple[str, ...]  # the units of Q, K, V, S and P, before O (the layer's units)


@dataclass(frozen=True)
class BatchGeometry:
    """A layer of a network over an explicit batch of ``examples`` examples: one unit per
    (example i, unit j), i-major. A dense layer's units share its weights and biases over the
    batch; a batch_norm layer's (Ioffe and Szegedy 2015) are y_{i,j} = γ_j x̂_{i,j} + β_j with
    x̂_{i,j} = (x_{i,j} − μ_{B,j})/√(σ²_{B,j} + ε), μ_{B,j} and σ²_{B,j} the mean and biased
    variance of feature j over the batch."""

    examples: int  # m
    size: int  # units per example
    sources: int  # units (or inputs) per example of the layer below
    epsilon: Fraction | None = None  # a batch_norm layer's ε; None for a dense layer
    gammas: tuple[tuple[str, str], ...] = ()  # (name, LaTeX) of γ_1, …, γ_size
    betas: tuple[tuple[str, str], ...] = ()  # (name, LaTeX) of β_1, …, β_size
    means: tuple[str, ...] = ()  # the unit of μ_{B,j}, per feature j
    variances: tuple[str, ...] = ()  # the unit of σ²_{B,j}, per feature j
    normalized: tuple[str, ...] = ()  # the unit of x̂_{i,j}, in the layer units' order
    # the layer's LaTeX templates by role (net, activation, mean, …), {example} and {index}
    templates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class GatedGeometry:
    """An ``lstm`` or ``gru`` layer unrolled over ``steps`` (``role`` "cell"), or the output
    layer applied at every step after it (``role`` "output"): ``size`` units per step, reading
    ``inputs`` sources per step (the inputs x^{(t)}, or the state h^{(t)}). Each gate at each
    step is a unit with a weighted sum (``spec.kinds.gated``), the cell state and the hidden
    state formula nodes; h^{(0)} and c^{(0)} are 0."""

    kind: str  # "lstm" | "gru"
    role: str  # "cell" | "output"
    steps: int
    size: int
    inputs: int


@dataclass(frozen=True)
class EmbeddingGeometry:
    """An embedding layer: a table E of ``vocabulary`` rows of width ``dim``, looked up at
    every position t by ``tokens[t − 1]`` (ids from 1): e_{t,k} = E_{token_t, k}."""

    vocabulary: int  # V
    dim: int  # d
    tokens: tuple[int, ...]  # token_1, …, token_T, the same for every example


@dataclass(frozen=True)
class PoolSpec:
    """One unit that is no weighted sum: ``unit`` = max or mean (``kind``) of ``sources``, in
    window order, or (kind "dropout") its one source times ``scale`` = m_j / p."""

    unit: str
    kind: str  # "max" | "avg" | "dropout"
    sources: tuple[str, ...]
    scale: Fraction = Fraction(1)  # a dropout unit's m_j / p


@dataclass(frozen=True)
class MatrixNamesSpec:
    """What a dense layer's matrices are called in code (``matrices:``): its net inputs and
    activations over a batch, its weights and its bias, each under no name, one, or several
    (CS231n writes ``hidden_layer`` and, for its gradient, ``dhidden``)."""

    net: tuple[str, ...] = ()
    activation: tuple[str, ...] = ()
    weights: tuple[str, ...] = ()
    bias: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormulaSpec:
    """A node defined by a formula: ``unit``'s net input is ``term``, which reads the nodes
    and inputs ``parents`` and the parameters ``params`` (each once, in the order written)."""

    unit: str
    text: str
    term: Term
    parents: tuple[str, ...]
    params: tuple[str, ...]


@dataclass(frozen=True)
class LayerSpec:
    name: str
    position: int  # 1-based
    number: int  # as printed (notation.first_layer + position)
    units: tuple[str, ...]
    activation: ActivationSpec
    conv: ConvGeometry | None = None  # a conv1d/conv2d layer's shape; None for a dense layer
    recurrent: RecurrentGeometry | None = None  # a recurrent layer or its per-step output
    pool: PoolGeometry | None = None  # a max_pool/avg_pool layer's shape
    matrices: MatrixNamesSpec | None = None  # the names code gives its matrices
    dropout: DropoutGeometry | None = None  # a dropout layer's keep probability and mask
    embedding: EmbeddingGeometry | None = None  # an embedding layer's table and tokens
    norm: NormGeometry | None = None  # a layer_norm layer's ε, γ and β
    attention: AttentionGeometry | None = None  # an attention layer's T, d, mask and W's
    batch: BatchGeometry | None = None  # a layer over an explicit batch (dense or batch_norm)
    gated: GatedGeometry | None = None  # an lstm or gru layer, or its per-step output

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The (C, H[, W]) shape of the layer's units, for a convolution, pooling or dropout
        layer (None for a dropout layer over a dense one)."""
        if self.dropout is not None:
            return self.dropout.shape
        geometry = self.conv or self.pool
        return geometry.output if geometry is not None else None


@dataclass(frozen=True)
class EdgeSpec:
    source: str
    target: str
    weight: str


@dataclass(frozen=True)
class ParamSpec:
    name: str
    latex: str
    kind: str  # "weight" | "bias"


@dataclass(frozen=True)
class LossSpec:
    kind: str
    factor: Fraction
    reduction: str  # "sum" | "mean"
    name: str | None = None  # the function of an unspecified loss (seed 002's C)
    line: int | None = field(default=None, compare=False)  # where its kind is written
    formula: Term | None = None  # a loss written as a formula (kind "formula")
    text: str = ""  # that formula as written


@dataclass(frozen=True)
class CostSpec:
    examples: str  # the symbol for the number of examples, e.g. "m"
    latex: str  # the cost's name, e.g. "J"
    index: str  # the example index, e.g. "i"


@dataclass(frozen=True)
class WeightDecaySpec:
    """J = L + λ/2 Σ w² over the weights (and the biases when ``biases``): weight decay."""

    latex: str  # λ as printed
    name: str  # λ's plain name
    biases: bool = False


@dataclass(frozen=True)
class Notation:
    net: str
    activation: str
    target: str
    loss: str
    cost: str
    delta: str
    weight: str
    bias: str
    input: str
    learning_rate: str
    first_layer: int
    weight_layer: str  # "target" | "source"
    loss_term: str = "E_{{unit}}"  # one output's share of the loss (E_{o1} + E_{o2} = E)
    chain: str = "unit"  # how far a chain-rule derivation splits: one of CHAIN_GRANULARITIES
    chain_order: str = "loss_first"  # "loss_first" (∂E/∂out · …) or "local_first" (… · ∂E/∂out)
    function: str = "f"  # the network as a function of its input: f_{\textbf{W},\textbf{B}}(x)
    layout: str = "column"  # the matrix form's vectors: one of LAYOUTS
    # "positive": δ = ∂E/∂net, w ← w − η δ x; "negative": δ = −∂E/∂net, w ← w + η δ x (Mitchell)
    delta_sign: str = "positive"
    weight_decay: str = r"\lambda"  # λ of a weight decay, J = L + λ/2 Σ w²


class Number(float):
    """A number as a spec or values file writes it: a float that keeps its exact value, so
    ``0.1`` is 1/10 and ``1/3`` is 1/3 for exact arithmetic (``eval --exact``)."""

    exact: Fraction

    def __new__(cls, value: Fraction) -> Number:
        number = super().__new__(cls, float(value))
        number.exact = value
        return number


@dataclass(frozen=True)
class Example:
    inputs: dict[str, float]
    targets: dict[str, float]


@dataclass(frozen=True)
class Values:
    params: dict[str, float] = field(default_factory=dict)
    learning_rate: float | None = None
    examples: tuple[Example, ...] = ()
    weight_decay: float | None = None  # λ of the spec's weight decay
    functions: dict[str, str] = field(default_factory=dict)  # unspecified f → its stand-in
    file: str | None = None  # where the values were read: the spec or a values file
    lines: dict[str, int | None] = field(default_factory=dict)  # field → line, for errors
    files: dict[str, str] = field(default_factory=dict)  # field → file, when merged from two

    def where(self, field_name: str) -> dict[str, Any]:
        """``file`` and ``line`` of ``field_name`` (or of the nearest field read), for errors."""
        key = field_name if field_name in self.lines else field_name.rpartition(".")[0]
        if key not in self.lines:
            key = "values"
        return {"file": self.files.get(key, self.file), "line": self.lines.get(key)}

    @property
    def complete(self) -> bool:
        return bool(self.examples)


@dataclass(frozen=True)
class NetworkSpec:
    """A validated network: everything the builder needs, nothing it has to check again."""

    file: str
    title: str
    description: str
    source: str
    inputs: tuple[InputSpec, ...]
    layers: tuple[LayerSpec, ...]
    units: tuple[UnitSpec, ...]
    edges: tuple[EdgeSpec, ...]
    biases: tuple[tuple[str, str], ...]  # (unit, bias param)
    params: tuple[ParamSpec, ...]
    loss: LossSpec
    cost: CostSpec | None
    notation: Notation
    values: Values
    outputs: tuple[str, ...]
    names: Names = field(default_factory=Names)  # every quantity's one name (spec.naming)
    # where each unspecified function is first used: (line, field), for located errors
    function_sites: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    # (unit, value) of every constant, non-trainable bias (`bias: {value: 1, trainable: false}`)
    constants: tuple[tuple[str, Fraction], ...] = ()
    frozen: tuple[str, ...] = ()  # parameters that are not trained (`frozen: [w3, b1]`)
    weight_decay: WeightDecaySpec | None = None
    input_shape: tuple[int, ...] | None = None  # (C, H[, W]) of `inputs: {shape: ...}`
    # the units of pooling and dropout layers: a max, a mean or m_j a_j / p, no weights
    pools: tuple[PoolSpec, ...] = ()
    formulas: tuple[FormulaSpec, ...] = ()  # the nodes of `nodes:`, each defined by a formula

    def unit(self, name: str) -> UnitSpec:
        for u in self.units:
            if u.name == name:
                return u
        raise KeyError(name)

    def unit_labels(self) -> dict[str, str]:
        """Each unit's name (``u2_1``) → the name its results are listed under: the spec's
        own name for a unit the spec names (``h1``), else its activation's name as the text
        output prints it (``a_2_1``); the loader refuses two units one label."""
        return {u.name: u.name if u.named else self.names.name("activation", u.name)
                for u in self.units}

    def output_groups(self) -> tuple[tuple[str, ...], ...]:
        """The output units a softmax normalises together: one group, or one per step of a
        recurrent network."""
        groups: dict[int, list[str]] = {}
        for name in self.outputs:
            groups.setdefault(self.unit(name).group, []).append(name)
        return tuple(tuple(g) for g in groups.values())

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)
