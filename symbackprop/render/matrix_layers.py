"""The layers of the matrix form: whether a network is plain layered, and how its vectors and
matrices are named in the spec's notation (``z^{[2]}``, ``W^{(1)}``, the batch ``Z``, ``\\Delta``,
``\\mathbf{out}``), with each template's own layer script.
"""

from __future__ import annotations

import re

import sympy as sp

from ..network.build import Network
from ..spec.model import Notation

# ----------------------------------------------------------------------------- naming


def head_of(template: str) -> str:
    """The base of a notation template, before its first sub- or superscript:
    ``z^{[{layer}]}_{{index}}`` → ``z``, ``\\hat{y}_{{unit}}`` → ``\\hat{y}``."""
    depth = 0
    for k, ch in enumerate(template):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch in "_^" and depth == 0:
            return template[:k] or template
    return template


_LAYER_SCRIPT = re.compile(r"\^\{\s*([\[(]?)\s*\{layer\}\s*([\])]?)\s*\}")


def layer_tag(template: str, fallback: str = "^{({layer})}") -> str:
    """How a notation template writes a layer number, brackets and all: ``^{[l]}``,
    ``^{(l)}``, ``^{l}``; ``fallback`` when the template has no layer."""
    m = _LAYER_SCRIPT.search(template)
    if m:
        return "^{" + m.group(1) + "{layer}" + m.group(2) + "}"
    return "^{{layer}}" if "{layer}" in template else fallback


def notation_tag(notation: Notation) -> str:
    """The layer script of the whole matrix form, one for every name: the net input's,
    brackets and all (``W^{(1)}`` for ``z^{({layer})}``, ``W^{[1]}``, Nielsen's ``W^{1}``),
    else ``^{(l)}`` (a notation that names units, not layers)."""
    return layer_tag(notation.net)


def vector_name(template: str, tag: str, layer: int, *, capital: bool = False) -> str:
    """The name of a layer's vector (or, ``capital``, its batch) with the layer script
    ``tag``."""
    head = head_of(template)
    if capital:
        head = capitalise(head)
    return head + tag.replace("{layer}", str(layer))


_GREEK_CAPITALS = frozenset(("gamma", "delta", "theta", "lambda", "xi", "pi", "sigma",
                             "upsilon", "phi", "psi", "omega"))


def capitalise(latex: str) -> str:
    """The batch (matrix) name of a vector: z → Z, \\delta → \\Delta, \\hat{y} → \\hat{Y},
    out → \\mathbf{out}, \\alpha → \\boldsymbol{\\alpha}."""
    m = re.fullmatch(r"\\([A-Za-z]+)\{(.*)\}", latex, re.S)
    if m:  # an accent or a font around the name
        command, argument = m.groups()
        if command in ("mathrm", "text", "operatorname"):
            return rf"\mathbf{{{argument}}}"
        return rf"\{command}{{{capitalise(argument)}}}"
    m = re.match(r"(\\[A-Za-z]+|[A-Za-z]+)(.*)", latex, re.S)
    if not m:
        return latex
    head, rest = m.groups()
    if head.startswith("\\"):
        if head[1:] in _GREEK_CAPITALS:
            return "\\" + head[1].upper() + head[2:] + rest
        return rf"\boldsymbol{{{head}}}" + rest
    if len(head) == 1:
        return head.upper() + rest
    return rf"\mathbf{{{head}}}" + rest


# ----------------------------------------------------------------------------- checks


def not_layered(net: Network, *, decay: bool = True) -> str | None:
    """Why the network is not plain layered, or None when it is (the matrix form is written
    with δ = ∂E/∂z, a bias vector b, no λ W and an elementwise σ′); ``decay=False`` lets a
    weight decay pass (check reads its λ W)."""
    spec = net.spec
    pooled = next((lay for lay in spec.layers if lay.pool is not None), None)
    if pooled is not None:
        return f"the layer \"{pooled.name}\" pools windows: its units are no weighted sums"
    table = next((lay for lay in spec.layers if lay.embedding is not None), None)
    if table is not None:
        return f"the layer \"{table.name}\" looks up an embedding table: its units are no " \
            "weighted sums"
    dropped = next((lay for lay in spec.layers if lay.dropout is not None), None)
    if dropped is not None:
        return f"the layer \"{dropped.name}\" is a dropout layer: its units are no weighted sums"
    if spec.formulas:
        return "its nodes are formulas, not weighted sums"
    if spec.notation.delta_sign == "negative":
        return "δ is −∂E/∂net here (notation.delta_sign: negative)"
    if net.decay is not None and decay:
        return "the weight decay adds λ w to each weight's gradient"
    if net.frozen:
        first = net.frozen[0].name
        return f"the {spec.param(first).kind} {first} is frozen (not trained)"
    constant = next((u for u in net.units if u.constant is not None), None)
    if constant is not None:
        return f"the bias of {constant.name} is a constant"
    if spec.layers[-1].activation.kind == "softmax" and spec.loss.kind != "cross_entropy":
        return "the softmax layer's Jacobian is not elementwise with this loss"
    counts: dict[sp.Symbol, int] = {}
    for u in net.units:
        for _s, w in u.incoming:
            counts[w] = counts.get(w, 0) + 1
    shared = sorted(w.name for w, c in counts.items() if c > 1)
    if shared:
        return f"the weight {shared[0]} is shared by several connections"
    bias_layers: dict[sp.Symbol, set[int]] = {}
    for u in net.units:
        if u.bias is not None:
            bias_layers.setdefault(u.bias, set()).add(u.layer)
    for b, layers in bias_layers.items():
        if len(layers) > 1:
            return f"the bias {b.name} is shared by several layers"
    previous = [i.name for i in spec.inputs]
    for lay in spec.layers:
        units = [net.unit_by_name[n] for n in lay.units]
        kinds = {(u.activation.kind, u.activation.alpha, u.activation.fname) for u in units}
        if len(kinds) > 1:
            return f"the units of the layer \"{lay.name}\" have different activations"
        for u in units:
            if [s for s, _ in u.incoming] != previous:
                return f"unit {u.name} is not fed by exactly the layer before it (skip edges)"
        biases = [u.bias for u in units]
        if any(b is None for b in biases) and any(b is not None for b in biases):
            return f"only some units of the layer \"{lay.name}\" have a bias"
        named = [b for b in biases if b is not None]
        if len(set(named)) not in (0, 1, len(named)):
            return f"the biases of the layer \"{lay.name}\" are partly shared"
        previous = list(lay.units)
    return None


def target_head(net: Network) -> str:
    """The name of the target vector: the head of the first output's target (``y``, ``r``,
    ``t``), or y."""
    target = next((t for t in net.targets), None)
    head = head_of(net.latex_of(target)) if target is not None else ""
    return head or "y"
