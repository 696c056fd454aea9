"""The attention layer kind: one head of scaled dot-product self-attention (Vaswani et al.
2017, "Attention Is All You Need", §3.2.1).

Over T tokens X_{t,i} of width d (the spec's ``inputs: {shape: [T, d]}``), the layer has

    Q_{t,j} = Σ_i X_{t,i} W^Q_{i,j},  K_{t,j} = Σ_i X_{t,i} W^K_{i,j},  V likewise with W^V,
    S_{t,u} = (Σ_j Q_{t,j} K_{u,j}) / √d,   P_{t,u} = exp(S_{t,u}) / Σ_k exp(S_{t,k}),
    O_{t,j} = Σ_u P_{t,u} V_{u,j},

with W^Q, W^K and W^V (d × d) trainable. Every entry is a formula node
(:class:`~symbackprop.spec.model.FormulaSpec`), as the paper writes it, so the engine takes each
local derivative (∂P_{t,u}/∂S_{t,k}, ∂S_{t,u}/∂K_{u,j}, …) by one ``diff``, as for the nodes
of a ``nodes:`` spec. ``causal: true`` masks the future: S_{t,u} = −∞ for u > t, so P_{t,u} is
0 and is not made, S_{t,u} neither, and each row's softmax runs over u ≤ t. The layer's units
are the entries O_{t,j}; the loss reads them when the layer is the last one (targets Y_{t,j}).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from itertools import product
from typing import Any

from ..formulas import Term
from ..model import (
    ActivationSpec,
    AttentionGeometry,
    FormulaSpec,
    InputSpec,
    LayerSpec,
    UnitSpec,
)
from ..naming import plain_name
from ..reader import Reader, kind_of
from ..source import Path_
from .conv import place_unit

ATTENTION_KIND = "attention"
ATTENTION_KEYS = ("name", "kind", "causal")
LINEAR = ActivationSpec("linear")  # every entry's value is its formula itself
_MATRICES = ("Q", "K", "V")
_HINT = "give the tokens as `inputs: {shape: [T, d]}` (T tokens of width d) and make the " \
    "attention layer the first layer"


def read_attention_layer(r: Reader, lp: Path_, place: tuple[str, int, int],
                         shape: tuple[int, ...] | None, *, last: bool, several: bool,
                         layer_of: dict[str, int], unit_keys: dict[str, str],
                         claim: Callable[..., None]
                         ) -> tuple[LayerSpec, list[UnitSpec]]:
    """The layer's units Q, K, V, S, P and O (its own units: O), its mask and the names of
    W^Q, W^K and W^V; ``shape`` is the spec's input shape, [T, d]."""
    name, pos, number = place
    layer: dict[str, Any] = r.get(lp)
    if several:
        raise r.fail((*lp, "kind"), "a spec has at most one attention layer",
                     hint="one head of self-attention: Q, K, V, S, P and O are its names")
    if pos != 1 or shape is None or len(shape) != 2:
        got = "a layer below it" if pos != 1 else "unshaped inputs" if shape is None \
            else f"inputs of shape {list(shape)}"
        raise r.fail((*lp, "kind"), f"an attention layer reads T tokens of width d, a "
                     f"T × d input, and has {got}", hint=_HINT)
    causal = False
    if "causal" in layer:
        causal = r.get((*lp, "causal"))
        if not isinstance(causal, bool):
            raise r.fail((*lp, "causal"), f"expected true or false, got {kind_of(causal)}",
                         hint="`causal: true` masks the tokens after t (S_{t,u} = −∞ for u > t)")
    tokens, width = shape
    if tokens < 2:
        raise r.fail((*lp, "kind"), "self-attention over 1 token always gives P = 1 and O = V",
                     hint="give two tokens or more: `inputs: {shape: [T, d]}` with T ≥ 2")
    pairs = [(t, u) for t, u in product(range(1, tokens + 1), repeat=2)
             if not causal or u <= t]
    entries = [(m, t, j) for m in _MATRICES for t in range(1, tokens + 1)
               for j in range(1, width + 1)]
    count = len(entries) + 2 * len(pairs) + tokens * width
    if len(layer_of) + count > r.limits.max_units:
        raise r.fail((*lp, "kind"), f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    outputs = [_unit("O", t, j, pos, k, target=last)
               for k, (t, j) in enumerate(product(range(1, tokens + 1),
                                                  range(1, width + 1)), start=1)]
    nodes = [_unit(m, t, j, pos, len(outputs) + k) for k, (m, t, j) in
             enumerate([*entries, *(("S", t, u) for t, u in pairs),
                        *(("P", t, u) for t, u in pairs)], start=1)]
    for unit in [*nodes, *outputs]:
        place_unit(r, lp, unit, pos, layer_of=layer_of, unit_keys=unit_keys)
        claim(unit, output=unit in outputs and last)
    weights = tuple(tuple(_param(rf"W^{{{m}}}_{{{i},{j}}}") for i in range(1, width + 1)
                          for j in range(1, width + 1)) for m in _MATRICES)
    geometry = AttentionGeometry(tokens, width, causal, weights, tuple(u.name for u in nodes))
    lay = LayerSpec(name, pos, number, tuple(u.name for u in outputs), LINEAR,
                    attention=geometry)
    return lay, [*nodes, *outputs]


def _unit(matrix: str, t: int, j: int, pos: int, index: int, *, target: bool = False
          ) -> UnitSpec:
    """The entry (t, j) of ``matrix``, a node named as its LaTeX (``Q_1_2``, Q_{1,2})."""
    latex = f"{matrix}_{{{t},{j}}}"
    return UnitSpec(entry_name(matrix, t, j), pos, index, LINEAR, latex, f"z_{{{latex}}}",
                    f"Y_{{{t},{j}}}" if target else "", rf"\delta_{{{latex}}}")


def entry_name(matrix: str, t: int, j: int) -> str:
    """The unit name of entry (t, j) of Q, K, V, S, P or O: ``S_2_3``."""
    return f"{matrix}_{t}_{j}"


def _param(latex: str) -> tuple[str, str]:
    return plain_name(latex), latex


def attention_count(items: Sequence[Any]) -> int:
    """How many layers of ``items`` (the spec's ``layers``) are attention layers."""
    return sum(1 for item in items
               if isinstance(item, dict) and item.get("kind") == ATTENTION_KIND)


def attention_formulas(lay: LayerSpec, inputs: Sequence[InputSpec]) -> list[FormulaSpec]:
    """Q, K, V, S, P and O of an attention layer as formulas of the tokens (the inputs, row
    by row), of W^Q, W^K, W^V and of each other."""
    geo = lay.attention
    assert geo is not None
    T, d = geo.tokens, geo.width
    x = {(t, i): inputs[(t - 1) * d + i - 1].name for t in range(1, T + 1)
         for i in range(1, d + 1)}
    w = {(m, i, j): geo.weights[k][(i - 1) * d + j - 1][0] for k, m in enumerate(_MATRICES)
         for i in range(1, d + 1) for j in range(1, d + 1)}
    rows = {t: [u for u in range(1, T + 1) if not geo.causal or u <= t]
            for t in range(1, T + 1)}
    counter = iter(range(10**9))

    def name(text: str) -> Term:
        return Term("name", text=text, pos=next(counter))

    def plus(parts: list[Term]) -> Term:
        return parts[0] if len(parts) == 1 else Term("add", tuple(parts))

    def times(a: str, b: str) -> Term:
        return Term("mul", (name(a), name(b)))

    def formula(unit: str, text: str, term: Term, params: tuple[str, ...] = ()
                ) -> FormulaSpec:
        read = list(dict.fromkeys(t.text for t in term.names() if t.text not in params))
        return FormulaSpec(unit, text, term, tuple(read), params)

    out: list[FormulaSpec] = []
    for m, t, j in product(_MATRICES, range(1, T + 1), range(1, d + 1)):
        term = plus([times(x[t, i], w[m, i, j]) for i in range(1, d + 1)])
        used = tuple(w[m, i, j] for i in range(1, d + 1))
        text = " + ".join(f"{x[t, i]}*{w[m, i, j]}" for i in range(1, d + 1))
        out.append(formula(entry_name(m, t, j), text, term, used))
    root = Term("pow", (Term("num", text=str(d)), Term("num", text=str(Fraction(1, 2)))))
    for t in range(1, T + 1):
        for u in rows[t]:
            dot = [(entry_name("Q", t, j), entry_name("K", u, j)) for j in range(1, d + 1)]
            term = Term("div", (plus([times(q, k) for q, k in dot]), root))
            text = "(" + " + ".join(f"{q}*{k}" for q, k in dot) + f")/sqrt({d})"
            out.append(formula(entry_name("S", t, u), text, term))
    for t in range(1, T + 1):
        for u in rows[t]:
            exps = [Term("call", (name(entry_name("S", t, k)),), text="exp") for k in rows[t]]
            term = Term("div", (Term("call", (name(entry_name("S", t, u)),), text="exp"),
                                plus(exps)))
            text = f"exp(S_{t}_{u})/(" + " + ".join(f"exp(S_{t}_{k})" for k in rows[t]) + ")"
            out.append(formula(entry_name("P", t, u), text, term))
    for t, j in product(range(1, T + 1), range(1, d + 1)):
        pv = [(entry_name("P", t, u), entry_name("V", u, j)) for u in rows[t]]
        term = plus([times(p, v) for p, v in pv])
        out.append(formula(entry_name("O", t, j), " + ".join(f"{p}*{v}" for p, v in pv),
                           term))
    return out
