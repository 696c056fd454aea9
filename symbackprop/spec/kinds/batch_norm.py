"""The batch_norm layer kind (Ioffe and Szegedy 2015, "Batch Normalization", Algorithm 1).

In a network over a batch of m examples (:mod:`.batch`), a batch_norm layer normalises every
unit j of the dense layer below it over the batch, in training mode:

    μ_B = (1/m) Σ_i x_i,   σ_B² = (1/m) Σ_i (x_i − μ_B)²,   x̂_i = (x_i − μ_B)/√(σ_B² + ε),
    y_i = γ x̂_i + β,

(for each j; the biased variance, as the paper and every framework use in training) with γ_j
and β_j trainable and ε > 0 a constant (``epsilon``, 1e-5 when not given). μ_B, σ_B², every
x̂_i and every y_i are formula nodes (:class:`~symbackprop.spec.model.FormulaSpec`), the
staged graph x → μ_B, σ_B², x̂ → y, so the engine takes each local derivative by one ``diff``
and a gradient below the layer sums the three ways into x_i (through x̂_i, μ_B and σ_B²).
With one unit per example the names are the paper's: ``\\mu_B``, ``\\sigma_B^2``,
``\\hat{x}_{i}``, ``\\gamma``, ``\\beta``; with several, the unit's index follows
(``\\mu_{B,j}``, ``\\hat{x}_{i,j}``, ``\\gamma_{j}``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from ..formulas import Term
from ..model import (
    ActivationSpec,
    BatchGeometry,
    FormulaSpec,
    InputSpec,
    LayerSpec,
    Notation,
    UnitSpec,
)
from ..naming import expand, plain_name
from ..reader import Reader
from ..source import Path_
from .batch import (
    BATCH_NORM_KIND,
    DENSE_KEYS,
    batch_of,
    batched_units,
    bound_units,
    layer_names,
    read_batched_dense,
)

BATCH_NORM_KEYS = ("name", "kind", "epsilon", "notation")
BATCH_NORM_NAMES = ("net", "activation", "target", "delta", "mean", "variance",
                    "normalized", "gamma", "beta")
DEFAULT_EPSILON = Fraction(1, 100000)  # PyTorch's and Keras's 1e-5
LINEAR = ActivationSpec("linear")  # y_i is the unit's value itself
_ONE = {"mean": r"\mu_B", "variance": r"\sigma_B^2", "normalized": r"\hat{x}_{{example}}",
        "gamma": r"\gamma", "beta": r"\beta"}
_SEVERAL = {"mean": r"\mu_{B,{index}}", "variance": r"\sigma_{B,{index}}^2",
            "normalized": r"\hat{x}_{{example},{index}}", "gamma": r"\gamma_{{index}}",
            "beta": r"\beta_{{index}}"}
_PLACE_HINT = "put it after a dense layer, e.g. dense → batch_norm → dense"


def read_batched_layer(r: Reader, lp: Path_, at: tuple[str, int], notation: Notation,
                       top: dict[str, Any], layers: Sequence[LayerSpec],
                       inputs: Sequence[InputSpec], seen: set[str], *,
                       read_activation: Callable[[Reader, Path_], ActivationSpec],
                       claim: Callable[..., None], output: bool
                       ) -> tuple[LayerSpec, list[UnitSpec]]:
    """A dense or batch_norm layer (``at``: its kind and position) of a network over a
    batch; ``seen``: the layer names so far, ``claim(unit, output=…)`` claims a unit's
    names."""
    kind, pos = at
    if kind not in ("dense", BATCH_NORM_KIND):
        raise r.fail((*lp, "kind"), f"a network over a batch has dense and batch_norm layers, "
                     f"not {kind}", hint="remove `batch` from the inputs for this kind")
    layer = r.mapping(lp, BATCH_NORM_KEYS if kind == BATCH_NORM_KIND else DENSE_KEYS)
    name = r.string((*lp, "name"), identifier=True) if "name" in layer else f"layer{pos}"
    if name in seen:
        raise r.fail((*lp, "name"), f"layer name `{name}` is used twice")
    seen.add(name)
    place = (name, pos, notation.first_layer + pos)
    if kind == BATCH_NORM_KIND:
        return read_batch_norm_layer(r, lp, place, top, notation, layers, output=output,
                                     claim=claim)
    if "activation" not in layer:
        raise r.fail(lp, "missing required key `activation`",
                     hint="e.g. `activation: sigmoid`")
    return read_batched_dense(r, lp, place, read_activation(r, (*lp, "activation")), top,
                              notation, layers, inputs,
                              claim=lambda unit: claim(unit, output=output))


def read_batch_norm_layer(r: Reader, lp: Path_, place: tuple[str, int, int],
                          top: dict[str, Any], notation: Notation,
                          layers: Sequence[LayerSpec], *, output: bool,
                          claim: Callable[..., None]) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's ε, γ_j and β_j names, and its units: μ_{B,j} and σ²_{B,j} per unit j of
    the layer below, x̂_{i,j} and y_{i,j} per example i (y is the layer's own units);
    ``claim(unit, output=…)`` claims a unit's names (a target for y when ``output``)."""
    name, pos, number = place
    examples = batch_of(top)
    if examples is None:
        raise r.fail((*lp, "kind"), "a batch_norm layer normalises over a batch of examples",
                     hint="give the batch with the inputs, e.g. `inputs: {size: 1, batch: 3}`")
    if pos == 1 or layers[-1].batch is None or layers[-1].batch.epsilon is not None:
        raise r.fail((*lp, "kind"), "a batch_norm layer normalises the units of a dense "
                     "layer below it", hint=_PLACE_HINT)
    if any(lay.batch is not None and lay.batch.epsilon is not None for lay in layers):
        raise r.fail((*lp, "kind"), "one batch_norm layer per network: the names μ_B, σ_B², "
                     "γ and β would be given twice", hint="remove one of them")
    epsilon = DEFAULT_EPSILON
    if "epsilon" in r.get(lp):
        epsilon = r.number((*lp, "epsilon"))
        if epsilon <= 0:
            raise r.fail((*lp, "epsilon"), f"epsilon must be positive, got {epsilon}",
                         hint="ε keeps √(σ² + ε) away from 0, e.g. `epsilon: 1e-5`")
    size = layers[-1].batch.size
    bound_units(r, lp, (2 * examples + 2) * size, [], layers)
    names = layer_names(r, lp, top, notation, BATCH_NORM_NAMES,
                        _ONE if size == 1 else _SEVERAL)
    ys = batched_units(names, (pos, number), size, examples, LINEAR)

    def node(unit: str, index: int, latex: str, group: int) -> UnitSpec:
        # a node of the staged graph, named as the paper names it (its net input is itself)
        return UnitSpec(unit, pos, index, LINEAR, latex, latex, "", rf"\delta_{{{latex}}}",
                        group=group)

    index = len(ys)
    stats = []
    for j in range(1, size + 1):
        stats += [node(f"u{number}_mu_{j}", index + 2 * j - 1,
                       expand(names["mean"], index=j), 0),
                  node(f"u{number}_var_{j}", index + 2 * j, expand(names["variance"], index=j),
                       0)]
    hats = [node(f"u{number}_hat_{i}_{j}", index + 2 * size + (i - 1) * size + j,
                 expand(names["normalized"], example=i, index=j), i)
            for i in range(1, examples + 1) for j in range(1, size + 1)]
    for unit in (*stats, *hats):
        claim(unit, output=False)
    for unit in ys:
        claim(unit, output=output)
    gammas = tuple(_param(expand(names["gamma"], index=j, j=j)) for j in range(1, size + 1))
    betas = tuple(_param(expand(names["beta"], index=j, j=j)) for j in range(1, size + 1))
    geometry = BatchGeometry(examples, size, size, epsilon, gammas, betas,
                             tuple(u.name for u in stats[0::2]),
                             tuple(u.name for u in stats[1::2]), tuple(u.name for u in hats),
                             tuple(sorted(names.items())))
    lay = LayerSpec(name, pos, number, tuple(u.name for u in ys), LINEAR, batch=geometry)
    return lay, [*stats, *hats, *ys]


def _param(latex: str) -> tuple[str, str]:
    return plain_name(latex), latex


def batch_norm_units(lay: LayerSpec) -> tuple[str, ...]:
    """Every node of a batch_norm layer: its μ_B, σ_B², x̂ and y units."""
    g = lay.batch
    if g is None or g.epsilon is None:
        return ()
    return (*g.means, *g.variances, *g.normalized, *lay.units)


def batch_norm_formulas(lay: LayerSpec, inputs: Sequence[InputSpec],
                        layers: Sequence[LayerSpec]) -> list[FormulaSpec]:
    """μ_B and σ_B² of every unit j of the layer below, x̂_i of x_i, μ_B, σ_B², and y_i of
    x̂_i, γ, β, as formulas (Ioffe and Szegedy's Algorithm 1)."""
    g = lay.batch
    assert g is not None and g.epsilon is not None
    below = list(layers[lay.position - 2].units)
    m, size = g.examples, g.size

    def name(text: str, pos: int) -> Term:
        return Term("name", text=text, pos=pos)

    def num(value: Fraction) -> Term:
        return Term("num", text=str(value))

    out: list[FormulaSpec] = []
    for j in range(size):
        xs = [below[i * size + j] for i in range(m)]
        mu, var = g.means[j], g.variances[j]
        mean = Term("div", (Term("add", tuple(name(x, k) for k, x in enumerate(xs))),
                            num(Fraction(m))))
        squares = [Term("pow", (Term("add", (name(x, k), Term("neg", (name(mu, m),)))),
                                num(Fraction(2)))) for k, x in enumerate(xs)]
        variance = Term("div", (Term("add", tuple(squares)), num(Fraction(m))))
        out += [FormulaSpec(mu, f"({' + '.join(xs)})/{m}", mean, tuple(xs), ()),
                FormulaSpec(var, f"(({')^2 + ('.join(f'{x} - {mu}' for x in xs)})^2)/{m}",
                            variance, (*xs, mu), ())]
    for k, (hat, y) in enumerate(zip(g.normalized, lay.units, strict=True)):
        j = k % size
        x, mu, var = below[k], g.means[j], g.variances[j]
        root = Term("pow", (Term("add", (name(var, 2), num(g.epsilon))), num(Fraction(1, 2))))
        centred = Term("add", (name(x, 0), Term("neg", (name(mu, 1),))))
        out.append(FormulaSpec(hat, f"({x} - {mu})/sqrt({var} + {g.epsilon})",
                               Term("div", (centred, root)), (x, mu, var), ()))
        gamma, beta = g.gammas[j][0], g.betas[j][0]
        scaled = Term("add", (Term("mul", (name(gamma, 0), name(hat, 1))), name(beta, 2)))
        out.append(FormulaSpec(y, f"{gamma}*{hat} + {beta}", scaled, (hat,), (gamma, beta)))
    return out


def is_batch_norm(kind: str) -> bool:
    return kind == BATCH_NORM_KIND
