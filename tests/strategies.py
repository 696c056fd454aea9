"""Hypothesis strategies for random network specs, drawn as spec text.

A drawn network has 1–4 layers of 1–5 units, activations chosen per layer and per unit,
one of the three losses (with a factor and a reduction), biases per unit, shared in a layer,
shared across layers or absent, weights with default or explicit names (some shared between
edges, some edges left out), optional ``from`` lists and skip ``edges`` from an input or an
earlier unit to a later unit, and a ``values`` block: parameters in (−1, 1), inputs in
(−2, 2) and targets that fit the loss (on the simplex for cross-entropy).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import assume
from hypothesis import strategies as st
from oracle import kink_distance

from symbackprop.spec.load import NetworkSpec, load_spec

HIDDEN_ACTIVATIONS = ("sigmoid", "logistic", "tanh", "relu", "leaky_relu", "linear",
                      "identity", "softplus", "f")
SQUARED_ERROR_OUTPUTS = ("sigmoid", "tanh", "linear", "softplus", "relu", "leaky_relu",
                         "softmax", "f")
KINK_MARGIN = 1e-6


@dataclass(frozen=True)
class DrawnNetwork:
    """One drawn network: its spec text and the spec loaded from it."""

    text: str
    spec: NetworkSpec

    def __repr__(self) -> str:
        return f"DrawnNetwork(<<spec text>>)\n{self.text}"

    @property
    def params(self) -> dict[str, float]:
        return dict(self.spec.values.params)

    @property
    def examples(self) -> list[tuple[dict[str, float], dict[str, float]]]:
        return [(dict(e.inputs), dict(e.targets)) for e in self.spec.values.examples]


def spec_from_text(text: str, name: str = "drawn.yaml") -> NetworkSpec:
    """Write ``text`` to a temporary file and load it as a spec."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return load_spec(path)


def _activation(draw: st.DrawFn, choices: tuple[str, ...]) -> Any:
    kind = draw(st.sampled_from(choices))
    if kind == "leaky_relu" and draw(st.booleans()):
        alpha = draw(st.sampled_from(("1/10", "1/100", 0.2, "3/7")))
        return {"kind": "leaky_relu", "alpha": alpha}
    if kind == "f" and draw(st.booleans()):
        return {"kind": "unspecified", "name": "g"}
    return kind


def _kind_of(activation: Any) -> str:
    return activation["kind"] if isinstance(activation, dict) else activation


class _Names:
    """Fresh and reused parameter names, kept apart from the package's default names."""

    def __init__(self) -> None:
        self.weights: list[str] = []
        self.biases: list[str] = []

    def weight(self, draw: st.DrawFn, *, share: float) -> str:
        if self.weights and draw(st.floats(0, 1)) < share:
            return draw(st.sampled_from(self.weights))
        name = f"wt{len(self.weights) + 1}"
        self.weights.append(name)
        return name

    def bias(self, draw: st.DrawFn, *, share: float, fixed: str | None = None) -> str:
        if fixed is not None:
            if fixed not in self.biases:
                self.biases.append(fixed)
            return fixed
        if self.biases and draw(st.floats(0, 1)) < share:
            return draw(st.sampled_from(self.biases))
        name = f"bq{len(self.biases) + 1}"
        self.biases.append(name)
        return name


@st.composite
def network_structures(draw: st.DrawFn, *, max_depth: int = 4, max_width: int = 5,
                       max_inputs: int = 4) -> dict[str, Any]:
    """A spec (as data, without values) of a random network."""
    names = _Names()
    share = draw(st.sampled_from((0.0, 0.2, 0.5)))
    first_layer = draw(st.sampled_from((0, 0, 1)))
    n_inputs = draw(st.integers(1, max_inputs))
    input_names = [f"in{k}" for k in range(1, n_inputs + 1)]
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    loss_kind = draw(st.sampled_from(("squared_error", "binary_cross_entropy", "squared_error",
                                      "cross_entropy")))

    layers: list[dict[str, Any]] = []
    unit_names: list[list[str]] = []  # per layer
    edges: set[tuple[str, str]] = set()
    global_bias = "bshared"
    for pos, width in enumerate(widths, start=1):
        is_output = pos == depth
        layer: dict[str, Any] = {"name": f"L{pos}"}
        if is_output and loss_kind == "binary_cross_entropy":
            act: Any = "sigmoid"
        elif is_output and loss_kind == "cross_entropy":
            act = "softmax"
        elif is_output:
            act = _activation(draw, SQUARED_ERROR_OUTPUTS)
        else:
            act = _activation(draw, HIDDEN_ACTIVATIONS)
        if _kind_of(act) == "softmax":  # a softmax of one unit is refused: it always outputs 1
            width = widths[pos - 1] = max(width, 2)
        layer["activation"] = act
        # units: a size (default names), plain names, or mappings with their own activation
        style = draw(st.sampled_from(("size", "names", "mappings")))
        if _kind_of(act) == "softmax" and style == "mappings":
            style = "names"
        if style == "size":
            layer["size"] = width
            units = [f"u{first_layer + pos}_{k}" for k in range(1, width + 1)]
        else:
            units = [f"n{pos}x{k}" for k in range(1, width + 1)]
            if style == "names":
                layer["units"] = list(units)
            else:
                entries: list[Any] = []
                mixable = not (is_output and loss_kind == "binary_cross_entropy")
                choices = tuple(a for a in SQUARED_ERROR_OUTPUTS if a != "softmax") \
                    if is_output else HIDDEN_ACTIVATIONS
                for u in units:
                    entry: dict[str, Any] = {"name": u}
                    if mixable and draw(st.booleans()):
                        entry["activation"] = _activation(draw, choices)
                    entries.append(entry)
                layer["units"] = entries
        # sources: the previous layer, or a `from` list
        sources = list(input_names) if pos == 1 else list(unit_names[-1])
        if pos > 1 and draw(st.booleans()):
            options = ["inputs", *[f"L{k}" for k in range(1, pos)]]
            picked = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2,
                                   unique=True))
            sources = []
            for word in picked:
                sources += input_names if word == "inputs" else unit_names[int(word[1:]) - 1]
            layer["from"] = picked if len(picked) > 1 or draw(st.booleans()) else picked[0]
        # weights: default names, rows, or a mapping; some shared, some edges left out
        wstyle = draw(st.sampled_from(("default", "rows", "mapping")))
        rows: list[list[Any]] = []
        for _u in units:
            row: list[Any] = []
            for _s in sources:
                if wstyle == "default":
                    row.append("")
                elif len(sources) > 1 and draw(st.floats(0, 1)) < 0.12:
                    row.append(draw(st.sampled_from(("-", None))))
                else:
                    row.append(names.weight(draw, share=share))
            if all(w in ("-", None) for w in row):
                row[0] = names.weight(draw, share=share)
            rows.append(row)
        if wstyle == "rows":
            layer["weights"] = rows
        elif wstyle == "mapping":
            layer["weights"] = {u: {s: w for s, w in zip(sources, row, strict=True)
                                    if w not in ("-", None)}
                                for u, row in zip(units, rows, strict=True)}
        for u, row in zip(units, rows, strict=True):
            for s, w in zip(sources, row, strict=True):
                if w not in ("-", None):
                    edges.add((s, u))
        # biases
        bstyle = draw(st.sampled_from(("default", "per_unit", "none", "layer", "global",
                                       "list")))
        if bstyle == "per_unit":
            layer["bias"] = "per_unit"
        elif bstyle == "none":
            layer["bias"] = draw(st.sampled_from(("none", None, False)))
        elif bstyle == "layer":
            layer["bias"] = names.bias(draw, share=0.0, fixed=f"bl{pos}")
        elif bstyle == "global":
            layer["bias"] = names.bias(draw, share=0.0, fixed=global_bias)
        elif bstyle == "list":
            layer["bias"] = [names.bias(draw, share=0.3) for _ in units]
        layers.append(layer)
        unit_names.append(units)

    data: dict[str, Any] = {"title": "drawn network", "inputs": list(input_names),
                            "layers": layers}
    if first_layer:
        data["notation"] = {"first_layer": 1}
    # skip edges: from an input or a unit to a unit of a later layer
    skips: list[dict[str, Any]] = []
    if depth > 1:
        for _ in range(draw(st.integers(0, 3))):
            src_layer = draw(st.integers(0, depth - 1))
            src = draw(st.sampled_from(input_names if src_layer == 0
                                       else unit_names[src_layer - 1]))
            dst_layer = draw(st.integers(max(src_layer + 1, 1), depth))
            dst = draw(st.sampled_from(unit_names[dst_layer - 1]))
            if (src, dst) in edges:
                continue
            edges.add((src, dst))
            edge: dict[str, Any] = {"from": src, "to": dst}
            if draw(st.integers(0, 4)) > 0:
                edge["weight"] = names.weight(draw, share=share)
            skips.append(edge)
    if skips:
        data["edges"] = skips
    data["loss"] = _loss(draw, loss_kind)
    return data


def _loss(draw: st.DrawFn, kind: str) -> Any:
    if kind == "squared_error":
        if draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from(("squared_error", "mse")))
        return {"kind": "squared_error", "factor": draw(st.sampled_from(("1/2", 1, 0.5, "1"))),
                "reduction": draw(st.sampled_from(("sum", "mean")))}
    if kind == "binary_cross_entropy":
        if draw(st.booleans()):
            return draw(st.sampled_from(("binary_cross_entropy", "bce")))
        return {"kind": "binary_cross_entropy", "reduction": draw(st.sampled_from(("sum",
                                                                                  "mean")))}
    if draw(st.booleans()):
        return draw(st.sampled_from(("cross_entropy", "ce")))
    return {"kind": "cross_entropy", "reduction": draw(st.sampled_from(("sum", "mean")))}


def _unit(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A value a spec may hold: 0 or at least 1e-300 in size (smaller ones are refused, and
    are drawn as 0)."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, exclude_min=True,
                     exclude_max=True).map(lambda v: v if abs(v) >= 1e-300 else 0.0)


def _targets(draw: st.DrawFn, spec: NetworkSpec) -> dict[str, float]:
    outputs = list(spec.outputs)
    if spec.loss.kind == "cross_entropy":
        if draw(st.booleans()):
            hot = draw(st.sampled_from(outputs))
            return {o: 1.0 if o == hot else 0.0 for o in outputs}
        raw = [draw(st.floats(0.05, 1.0)) for _ in outputs]
        total = sum(raw)
        ts = [r / total for r in raw]
        ts[-1] = 1.0 - sum(ts[:-1])
        return dict(zip(outputs, ts, strict=True))
    if spec.loss.kind == "binary_cross_entropy":
        return {o: draw(st.one_of(_unit(0.0, 1.0), st.sampled_from((0.0, 1.0))))
                for o in outputs}
    return {o: draw(_unit(-1.0, 1.0)) for o in outputs}


@st.composite
def networks(draw: st.DrawFn, *, max_depth: int = 4, max_width: int = 5, max_inputs: int = 4,
             max_examples: int = 2) -> DrawnNetwork:
    """A random network with values, as spec text; draws near a ReLU kink are rejected."""
    data = draw(network_structures(max_depth=max_depth, max_width=max_width,
                                   max_inputs=max_inputs))
    bare = spec_from_text(yaml.safe_dump(data, sort_keys=False))
    params = {p.name: draw(_unit(-1.0, 1.0)) for p in bare.params}
    examples = []
    for _ in range(draw(st.integers(1, max_examples))):
        inputs = {i.name: draw(_unit(-2.0, 2.0)) for i in bare.inputs}
        examples.append({"inputs": inputs, "targets": _targets(draw, bare)})
    assume(kink_distance(bare, params, [(e["inputs"], e["targets"]) for e in examples])
           > KINK_MARGIN)
    values: dict[str, Any] = {"params": params}
    if len(examples) == 1 and draw(st.booleans()):
        values.update(examples[0])
    else:
        values["examples"] = examples
    if len(examples) > 1:
        data["cost"] = {"examples": "m"}
    data["values"] = values
    text = yaml.safe_dump(data, sort_keys=False)
    return DrawnNetwork(text, spec_from_text(text))
