"""The lstm and gru layer kinds: gated recurrent cells unrolled over the steps of the inputs.

``inputs: {size: n, steps: T}`` gives x^{(t)}_j. A ``kind: lstm`` layer of ``size: H`` makes,
at every step t and for every k ≤ H, in the names of PyTorch's ``nn.LSTM`` (W for the input
weights and U for the recurrent ones, as Wikipedia's "Long short-term memory" writes them),

    a^{(t)}_{i,k} = Σ_j W_{i,k,j} x^{(t)}_j + Σ_m U_{i,k,m} h^{(t−1)}_m + b_{i,k}
    i^{(t)}_k = σ(a^{(t)}_{i,k}),
    f^{(t)}_k = σ(a^{(t)}_{f,k}),   g^{(t)}_k = tanh(a^{(t)}_{g,k}),   o^{(t)}_k = σ(a^{(t)}_{o,k})
    c^{(t)}_k = f^{(t)}_k c^{(t−1)}_k + i^{(t)}_k g^{(t)}_k,   h^{(t)}_k = o^{(t)}_k tanh(c^{(t)}_k)

Each gate is a unit whose net input is a weighted sum (its δ is the engine's δ, with σ′ or
tanh′), c and h are formula nodes (as layer_norm's μ and σ²), so every local derivative is
one ``diff`` of one small formula. A ``kind: gru`` layer follows Cho et al. (2014, eqs. 5-8,
with biases):

    r^{(t)}_k = σ(Σ_j W_{r,k,j} x^{(t)}_j + Σ_m U_{r,k,m} h^{(t−1)}_m + b_{r,k}),   z likewise
    q^{(t)}_m = r^{(t)}_m h^{(t−1)}_m,
    n^{(t)}_k = tanh(Σ_j W_{n,k,j} x^{(t)}_j + Σ_m U_{n,k,m} q^{(t)}_m + b_{n,k})
    h^{(t)}_k = (1 − z^{(t)}_k) n^{(t)}_k + z^{(t)}_k h^{(t−1)}_k

(z keeps the old state, as in PyTorch's ``nn.GRU``; PyTorch applies r after the product,
r ⊙ (U_n h + b_{hn}), where Cho et al. apply it before). h^{(0)} = c^{(0)} = 0, so step 1 has
no recurrent term and no unit that multiplies a zero state (the LSTM's f^{(1)}, the GRU's
r^{(1)} and q^{(1)}). Every weight and bias is one parameter named on every step's edges, so
BPTT's sum over time is the sum over a shared parameter's uses. The dense layer after the cell
is applied at every step: ŷ^{(t)}_k = act(Σ_m V_{k,m} h^{(t)}_m + b_{y,k}).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..formulas import Term
from ..model import (
    ActivationSpec,
    EdgeSpec,
    FormulaSpec,
    GatedGeometry,
    LayerSpec,
    UnitSpec,
)
from ..naming import plain_name
from ..reader import Reader
from ..source import Path_
from .recurrent import steps_of

GATED_KINDS = ("lstm", "gru")
GATED_KEYS = ("name", "kind", "size")
OUTPUT_KEYS = ("name", "size", "activation")  # the layer after the cell
SIGMOID, TANH, LINEAR = ActivationSpec("sigmoid"), ActivationSpec("tanh"), \
    ActivationSpec("linear")
# each kind's gates (a weighted sum and an activation) in the order a step computes them,
# and the formula nodes between them; a gate's recurrent sources are h^{(t−1)}, except the
# GRU's candidate n, which reads q^{(t)} = r^{(t)} ⊙ h^{(t−1)}
LSTM_STEP = (("i", SIGMOID), ("f", SIGMOID), ("g", TANH), ("o", SIGMOID), ("c", None),
             ("h", None))
GRU_STEP = (("r", SIGMOID), ("z", SIGMOID), ("q", None), ("n", TANH), ("h", None))
AddParam = Callable[..., None]  # wiring's add_param(name, latex, kind, path, template=...)


def steps_of_kind(kind: str) -> tuple[tuple[str, ActivationSpec | None], ...]:
    return LSTM_STEP if kind == "lstm" else GRU_STEP


def present(kind: str, letter: str, t: int) -> bool:
    """Whether the unit ``letter`` exists at step ``t``: at step 1 the state is 0, so the
    forget gate (LSTM), the reset gate and its product (GRU) would multiply 0."""
    return t > 1 or letter not in ("f", "r", "q")


def unit_name(number: int, letter: str, t: int, k: int) -> str:
    """u{l}_{t}_{k} for the hidden state h (the units the output layer reads), else
    u{l}_{letter}_{t}_{k}."""
    return f"u{number}_{t}_{k}" if letter == "h" else f"u{number}_{letter}_{t}_{k}"


def gated_keys(kind: str, after: LayerSpec | None) -> tuple[str, ...] | None:
    """The keys an lstm or gru layer, or the output layer after one, may have."""
    if kind in GATED_KINDS:
        return GATED_KEYS
    if after is not None and after.gated is not None and kind == "dense":
        return OUTPUT_KEYS
    return None


def _size(r: Reader, lp: Path_) -> int:
    layer = r.get(lp)
    if "size" not in layer:
        raise r.fail(lp, "missing required key `size`", hint="e.g. `size: 2`")
    size = r.number((*lp, "size"))
    if size.denominator != 1 or size < 1:
        raise r.fail((*lp, "size"), "expected a whole number of units ≥ 1")
    return int(size)


def read_gated_layer(r: Reader, lp: Path_, kind: str, place: tuple[str, int, int],
                     top: dict[str, Any], layers: Sequence[LayerSpec], *, last: bool,
                     claim: Callable[..., None], read_act: Callable[[Path_], ActivationSpec]
                     ) -> tuple[LayerSpec, list[UnitSpec]]:
    """An lstm or gru layer (``kind``), or the dense output layer after one, with its units
    (each name claimed by ``claim(unit, output=…)``)."""
    name, pos, number = place
    steps = steps_of(top)
    if kind in GATED_KINDS:
        if pos != 1 or steps is None:
            raise r.fail((*lp, "kind"), f"an {kind} layer reads inputs with steps and comes "
                         "first", hint=f"give `inputs: {{size: n, steps: T}}` and put the "
                                       f"{kind} layer first")
        if last:
            raise r.fail(lp, f"an {kind} layer needs an output layer after it",
                         hint="add a dense layer, applied at every step, e.g. "
                              "`{name: output, size: 2, activation: softmax}`")
        size, sources = _size(r, lp), int(top["inputs"]["size"])
        role, act = "cell", LINEAR
    else:
        if not last:
            raise r.fail(lp, "the layer after an lstm or gru layer is its output at every "
                         "step, so it is the last layer", hint="remove the layers after it")
        if "activation" not in r.get(lp):
            raise r.fail(lp, "missing required key `activation`",
                         hint="e.g. `activation: softmax`")
        act = read_act((*lp, "activation"))
        size, before = _size(r, lp), layers[-1].gated
        assert before is not None and steps is not None
        kind, role, sources = before.kind, "output", before.size
        if act.kind == "softmax" and size < 2:
            raise r.fail((*lp, "activation"), "a softmax over one unit always outputs 1: "
                         "every gradient would be 0", hint="use a sigmoid output, or two "
                                                           "units or more")
    assert steps is not None
    per_step = size * (len(steps_of_kind(kind)) if role == "cell" else 1)
    if steps * (per_step + sources) > r.limits.max_units:
        raise r.fail((*lp, "size"), f"more than {r.limits.max_units} inputs and units",
                     hint="raise the bound with --max-units if this network is real")
    geometry = GatedGeometry(kind, role, steps, size, sources)
    made: list[UnitSpec] = []

    def add(uname: str, act: ActivationSpec, latex: str, net: str, delta: str, t: int,
            target: str = "") -> None:
        made.append(UnitSpec(uname, pos, len(made) + 1, act, latex, net, target, delta,
                             group=t))

    for t in range(1, steps + 1):
        if role == "output":
            for k in range(1, size + 1):
                add(f"u{number}_{t}_{k}", act, rf"\hat{{y}}^{{({t})}}_{{{k}}}",
                    f"a^{{({t})}}_{{y,{k}}}", rf"\delta^{{({t})}}_{{y,{k}}}", t,
                    f"y^{{({t})}}_{{{k}}}")
            continue
        for letter, gate in steps_of_kind(kind):
            if not present(kind, letter, t):
                continue
            for k in range(1, size + 1):
                latex = f"{letter}^{{({t})}}_{{{k}}}"
                net = latex if gate is None else f"a^{{({t})}}_{{{letter},{k}}}"
                add(unit_name(number, letter, t, k), gate or LINEAR, latex, net,
                    rf"\delta^{{({t})}}_{{{letter},{k}}}", t)
    for unit in made:
        claim(unit, output=role == "output")
    return LayerSpec(name, pos, number, tuple(u.name for u in made), act,
                     gated=geometry), made


def gated_count(r: Reader, lp: Path_, g: GatedGeometry, total: int) -> int:
    """The layer's edges and biases, refused when ``total`` and they pass the bound."""
    if g.role == "output":
        count = g.steps * g.size * (g.inputs + 1)
    else:
        gates = sum(1 for _, act in steps_of_kind(g.kind) if act is not None)
        count = g.steps * gates * g.size * (g.inputs + g.size + 1)
    if total + count > r.limits.max_params:
        raise r.fail(lp, f"more than {r.limits.max_params} parameters and connections",
                     hint="raise the bound with --max-params if this network is real")
    return count


def _param(add_param: AddParam, path: Path_, latex: str, kind: str) -> str:
    name = plain_name(latex)
    add_param(name, latex, kind, path, template=True)
    return name


def gated_connections(lp: Path_, lay: LayerSpec, layers: Sequence[LayerSpec],
                      add_param: AddParam) -> tuple[list[EdgeSpec], list[tuple[str, str]]]:
    """The layer's edges and (unit, bias) pairs; each weight and bias is added once with
    ``add_param`` and named on every step."""
    g = lay.gated
    assert g is not None
    number, path = lay.number, (*lp, "kind")
    edges: list[EdgeSpec] = []
    pairs: list[tuple[str, str]] = []
    if g.role == "output":
        cell = layers[lay.position - 2].number
        weights = {(k, m): _param(add_param, path, f"V_{{{k},{m}}}", "weight")
                   for k in range(1, g.size + 1) for m in range(1, g.inputs + 1)}
        biases = {k: _param(add_param, path, f"b_{{y,{k}}}", "bias")
                  for k in range(1, g.size + 1)}
        for t in range(1, g.steps + 1):
            for k in range(1, g.size + 1):
                unit = f"u{number}_{t}_{k}"
                edges += [EdgeSpec(unit_name(cell, "h", t, m), unit, weights[(k, m)])
                          for m in range(1, g.inputs + 1)]
                pairs.append((unit, biases[k]))
        return edges, pairs
    gates = [letter for letter, act in steps_of_kind(g.kind) if act is not None]
    W = {(x, k, j): _param(add_param, path, f"W_{{{x},{k},{j}}}", "weight")
         for x in gates for k in range(1, g.size + 1) for j in range(1, g.inputs + 1)}
    U = {(x, k, m): _param(add_param, path, f"U_{{{x},{k},{m}}}", "weight")
         for x in gates for k in range(1, g.size + 1) for m in range(1, g.size + 1)}
    b = {(x, k): _param(add_param, path, f"b_{{{x},{k}}}", "bias")
         for x in gates for k in range(1, g.size + 1)}
    for t in range(1, g.steps + 1):
        for x in gates:
            if not present(g.kind, x, t):
                continue
            state = "q" if x == "n" else "h"  # the GRU's candidate reads r ⊙ h^{(t−1)}
            for k in range(1, g.size + 1):
                unit = unit_name(number, x, t, k)
                edges += [EdgeSpec(f"x_{t}_{j}", unit, W[(x, k, j)])
                          for j in range(1, g.inputs + 1)]
                if t > 1:
                    edges += [EdgeSpec(unit_name(number, state, t if state == "q" else t - 1,
                                                 m), unit, U[(x, k, m)])
                              for m in range(1, g.size + 1)]
                pairs.append((unit, b[(x, k)]))
    return edges, pairs


def gated_formulas(lay: LayerSpec) -> list[FormulaSpec]:
    """The formula nodes of an lstm layer (c and h) or a gru layer (q and h), every step."""
    g = lay.gated
    if g is None or g.role != "cell":
        return []
    n = lay.number
    out: list[FormulaSpec] = []

    def name(letter: str, t: int, k: int, pos: int) -> Term:
        return Term("name", text=unit_name(n, letter, t, k), pos=pos)

    def mul(a: Term, b: Term) -> Term:
        return Term("mul", (a, b))

    def node(letter: str, t: int, k: int, term: Term, parents: list[str], text: str) -> None:
        out.append(FormulaSpec(unit_name(n, letter, t, k), text, term, tuple(parents), ()))

    for t in range(1, g.steps + 1):
        for k in range(1, g.size + 1):
            u = {x: unit_name(n, x, t, k) for x in ("i", "f", "g", "o", "c", "r", "z", "q",
                                                     "n", "h")}
            before = {x: unit_name(n, x, t - 1, k) for x in ("c", "h")}
            if g.kind == "lstm":
                if t == 1:
                    node("c", t, k, mul(name("i", t, k, 0), name("g", t, k, 1)),
                         [u["i"], u["g"]], f"{u['i']}*{u['g']}")
                else:
                    kept = mul(name("f", t, k, 0), name("c", t - 1, k, 1))
                    node("c", t, k, Term("add", (kept, Term("mul", (
                        Term("name", text=u["i"], pos=2), Term("name", text=u["g"], pos=3))))),
                        [u["f"], before["c"], u["i"], u["g"]],
                        f"{u['f']}*{before['c']} + {u['i']}*{u['g']}")
                node("h", t, k, mul(name("o", t, k, 0), Term("call", (name("c", t, k, 1),),
                                                              text="tanh")),
                     [u["o"], u["c"]], f"{u['o']}*tanh({u['c']})")
                continue
            if t > 1:
                node("q", t, k, mul(name("r", t, k, 0), name("h", t - 1, k, 1)),
                     [u["r"], before["h"]], f"{u['r']}*{before['h']}")
            one = Term("num", text="1")
            candidate = mul(Term("add", (one, Term("neg", (name("z", t, k, 0),)))),
                            name("n", t, k, 1))
            if t == 1:
                node("h", t, k, candidate, [u["z"], u["n"]], f"(1 - {u['z']})*{u['n']}")
            else:
                kept = mul(Term("name", text=u["z"], pos=2), name("h", t - 1, k, 3))
                node("h", t, k, Term("add", (candidate, kept)), [u["z"], u["n"], before["h"]],
                     f"(1 - {u['z']})*{u['n']} + {u['z']}*{before['h']}")
    return out


def formula_units(layers: Sequence[LayerSpec]) -> set[str]:
    """The formula nodes of the lstm and gru layers: no edge comes into them."""
    return {f.unit for lay in layers for f in gated_formulas(lay)}
