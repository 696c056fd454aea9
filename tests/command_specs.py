"""Whole spec files as users write them, for running every command on them.

``command_cases()`` draws the text of a spec file (YAML, sometimes JSON or TOML) that varies
what users vary: the notation (the default, Nielsen's layer-indexed names, seed 002's
superscripts with W^l from layer l to l + 1, seed 004's unit-named in_h1/out_h1), names taken
from pools that look dangerous (SymPy's E, I, S, N, O, Q, beta, gamma, pi, oo, nan; Python's
print, sum, list, np, x, t; activation-like f, g, phi; the tool's own generated names
delta_2_1, z_2_1, a_1, v_x, W1; Greek, accented and fullwidth unit names), the bias mode (per
unit, none, one shared by a layer or across layers, a list), the activation of every layer and
unit (every kind, an unspecified function among them), the loss (squared error with and without
½, a mean, binary cross-entropy, softmax with cross-entropy, unspecified), one example or
several over a cost, a learning rate or none, stand-ins asked for with ``--define`` or in
``values.functions``, and the chain style.

A drawn name is either *safe* — it cannot clash under the drawn notation, by a model of the
naming rules of docs/spec.md that is deliberately stricter than the rules (a name whose
letters and digits, underscores aside, match any generated name of that notation is never
drawn as safe) — or the one *deliberate* clash of a case, built so that the documented rules
refuse it for certain: a parameter named like a generated quantity (``delta_2_1`` beside
the δ of unit 1 of layer 2), like a function (``tanh``), a Python keyword, a fullwidth twin
(``ｘ`` beside ``x``), a name printed alike (``q_1`` beside ``q1``), a non-ASCII name that
reaches LaTeX, an unspecified function named ``sigmoid`` or a parameter named ``f_prime``,
the learning rate's, the loss's or the cost's own names, a target template without an index
for several outputs. A valid case must work in every command; a clashing one must stop
every command with exit status 2 and one located line.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import assume
from hypothesis import strategies as st
from oracle import kink_distance

from symbackprop.errors import SpecError
from symbackprop.spec.load import NetworkSpec, load_spec

# ----------------------------------------------------------------------------- name pools

SYMPY_NAMES = ("E", "I", "S", "N", "O", "Q", "beta", "gamma", "pi", "zeta", "oo", "nan",
               "zoo", "Symbol", "Integer", "Float", "Rational", "Sum", "Function", "Lambda")
PYTHON_NAMES = ("print", "sum", "list", "id", "type", "len", "all", "min", "object", "np",
                "numpy", "math", "theta", "x", "t", "m", "g", "self", "loss", "grad",
                "params")
ACTIVATION_LIKE = ("f", "g", "h", "phi", "sig", "act", "F", "w", "b")
TOOL_NAMES = ("v_x", "a_1", "z_2_1", "delta_2_1", "W1", "b1", "z1", "a1", "d1", "y_1", "x1",
              "w_1_1_1", "b_1_1", "in_h1", "out_o1", "target_o1", "E_total", "u1_1", "u2_1",
              "losses", "v_theta", "f_prime", "eta", "epsilon", "alpha")
PLAIN_NAMES = ("h1", "h2", "o1", "o2", "i1", "i2", "wa", "wb", "bias", "gain", "k2", "p")
SAFE_POOL = SYMPY_NAMES + PYTHON_NAMES + ACTIVATION_LIKE + TOOL_NAMES + PLAIN_NAMES
UNIT_ONLY_POOL = ("ω", "é", "ｈ", "Ω", "ñ1")  # unit names that reach no LaTeX in some notations
UNIT_LATEX = {"ω": "\\omega", "é": "\\acute{e}", "ｈ": "\\hat{h}", "Ω": "\\Omega",
              "ñ1": "\\tilde{n}_{1}"}  # how each prints (given with `latex:`)

KEYWORDS = ("lambda", "class", "None", "def", "return", "import")
FUNCTIONS = ("sigmoid", "logistic", "sigma", "tanh", "relu", "softplus", "softmax", "step",
             "exp", "log", "ln", "sqrt", "sin", "cos", "linear", "identity", "max")
NON_ASCII = ("ω", "é", "ñ", "λ")

HIDDEN = ("sigmoid", "logistic", "tanh", "relu", "leaky_relu", "linear", "identity",
          "softplus", "f", "g", "h", "phi", "unspecified")
SE_OUTPUTS = ("sigmoid", "tanh", "linear", "softplus", "relu", "leaky_relu", "softmax", "f",
              "unspecified")
CE_OUTPUTS = ("softmax", "softmax", "sigmoid", "softplus")

FAMILIES = ("default", "nielsen", "superscripted", "unit_named")

NOTATIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "nielsen": {  # tests/data/derivations/nielsen-2-3-3-2.yaml
        "net": "z^{{layer}}_{{index}}", "activation": "a^{{layer}}_{{index}}",
        "target": "y_{{index}}", "loss": "C", "delta": "\\delta^{{layer}}_{{index}}",
        "weight": "w^{{layer}}_{{j}{k}}", "bias": "b^{{layer}}_{{j}}",
        "input": "a^{1}_{{index}}", "first_layer": 1},
    "superscripted": {  # specs/seed-002-four-layer.yaml
        "net": "z^{{layer}}_{{index}}", "activation": "a^{{layer}}_{{index}}",
        "target": "y_{{index}}", "loss": "C", "delta": "\\delta^{{layer}}_{{index}}",
        "weight": "w^{{layer}}_{{j}{k}}", "bias": "b^{{layer}}_{{j}}", "input": "x_{{index}}",
        "first_layer": 1, "weight_layer": "source", "chain": "net"},
    "unit_named": {  # specs/seed-004-mazur-2-2-2.yaml
        "net": "in_{{unit}}", "activation": "out_{{unit}}", "target": "target_{{unit}}",
        "loss": "E_{total}", "delta": "\\delta_{{unit}}"},
}
LOSS_NAME = {"default": "L", "nielsen": "C", "superscripted": "C", "unit_named": "E_total"}
LEARNING_RATES = {"\\alpha": "alpha", "\\eta": "eta", "\\epsilon": "epsilon",
                  "\\gamma": "gamma", "\\lambda": "lambda"}
CLASHES = ("generated", "function", "keyword", "nfkc", "print_alike", "non_ascii",
           "function_name", "derivative_name", "learning_rate", "loss", "cost", "target")


def _chance(draw: st.DrawFn, p: float) -> bool:
    """True with probability about ``p`` (hypothesis favours small integers; not choices)."""
    return draw(st.sampled_from(range(20))) < round(20 * p)


def key(name: str) -> str:
    """What a name is compared by here: NFKC, underscores dropped (stricter than the tool)."""
    return unicodedata.normalize("NFKC", name).replace("_", "")


def fullwidth(name: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in name)


@dataclass(frozen=True)
class CommandCase:
    """One drawn spec file and what every command must make of it."""

    text: str
    suffix: str  # ".yaml" or ".json"
    notation: str  # one of FAMILIES
    clash: str | None  # the deliberate clash (one of CLASHES), None for a valid spec
    clash_words: tuple[str, ...]  # one of them is named in the error line
    defines: tuple[str, ...]  # --define F=tanh arguments the numbers need
    functions: tuple[str, ...]  # unspecified functions (activations)
    numeric: bool  # values given and a loss with a formula
    features: frozenset[str]

    def __repr__(self) -> str:
        return (f"CommandCase(notation={self.notation}, clash={self.clash}, "
                f"defines={self.defines})\n{self.text}")

    def write(self, folder: Path) -> Path:
        path = folder / f"drawn{self.suffix}"
        path.write_text(self.text, encoding="utf-8")
        return path


class _Names:
    """Names drawn for one spec: safe ones never share a key with each other or with the
    names the notation generates."""

    def __init__(self, reserved: re.Pattern[str]) -> None:
        self.reserved = reserved
        self.keys: set[str] = set()
        self.count = 0

    def ok(self, name: str) -> bool:
        k = key(name)
        return k not in self.keys and not self.reserved.fullmatch(k) and name not in FUNCTIONS

    def take(self, name: str) -> str:
        self.keys.add(key(name))
        return name

    def fresh(self, draw: st.DrawFn, prefix: str, pool: tuple[str, ...] = SAFE_POOL) -> str:
        if _chance(draw, 2/3):
            name = draw(st.sampled_from(pool))
            if self.ok(name):
                return self.take(name)
        while True:
            self.count += 1
            name = f"{prefix}{self.count}q"
            if self.ok(name):
                return self.take(name)


def _reserved(notation: str, units: list[str], functions: set[str], cost: bool
              ) -> re.Pattern[str]:
    """Keys the notation generates (or may), as a pattern: generous on purpose."""
    unit_keys = "|".join(re.escape(key(u)) for u in units) or "(?!)"
    words = ["L", "C", "J", "E", "Etotal", "alpha", "eta", "epsilon", "gamma", "lambda", "y"]
    words += [*(["m", "i"] if cost else []), *functions, *(f + "prime" for f in functions)]
    alternatives = [re.escape(key(w)) for w in words]
    alternatives.append(rf"(E|target|in|out|delta|z|a|y)({unit_keys})")
    if notation != "unit_named":  # names made of a letter and indices
        alternatives.append(r"(z|a|delta|y|w|b|x|u|E|in|out|target)\d+")
    return re.compile("|".join(alternatives))


def _activation(draw: st.DrawFn, choices: tuple[str, ...]) -> Any:
    kind = draw(st.sampled_from(choices))
    if kind == "leaky_relu" and draw(st.booleans()):
        return {"kind": "leaky_relu", "alpha": draw(st.sampled_from(("1/10", 0.2, "3/7")))}
    if kind == "unspecified":
        return {"kind": "unspecified", "name": draw(st.sampled_from(("q", "psi", "G", "act")))}
    return kind


def _functions_used(data: dict[str, Any]) -> set[str]:
    """The unspecified functions some unit uses (a layer's own is unused when every unit
    sets its own activation)."""
    used = set()
    for layer in data["layers"]:
        units = layer.get("units", [])
        own = [u for u in units if isinstance(u, dict) and "activation" in u]
        if not units or len(own) < len(units):
            used.add(_function_name(layer["activation"]))
        used.update(_function_name(u["activation"]) for u in own)
    return used - {None}


def _function_name(act: Any) -> str | None:
    if isinstance(act, dict):
        return act["name"] if act["kind"] == "unspecified" else None
    return act if act in ("f", "g", "h", "phi") else None


@st.composite
def _structure(draw: st.DrawFn, notation: str, cost: bool) -> dict[str, Any]:
    """The spec as data (without values): layers, names, biases, loss, notation."""
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 3)) for _ in range(depth)]
    n_inputs = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(("squared_error", "squared_error", "binary_cross_entropy",
                                 "cross_entropy", "unspecified")))
    # activations first: their function names are part of what names must avoid
    acts: list[Any] = []
    for pos in range(1, depth + 1):
        if pos < depth:
            acts.append(_activation(draw, HIDDEN))
        elif loss == "binary_cross_entropy":
            acts.append("sigmoid")
        elif loss == "cross_entropy":
            acts.append(draw(st.sampled_from(CE_OUTPUTS)))
        else:
            acts.append(_activation(draw, SE_OUTPUTS))
    if acts[-1] == "softmax":  # a softmax of one unit is refused: it always outputs 1
        widths[-1] = max(widths[-1], 2)
    functions = {f for f in map(_function_name, acts) if f}

    named_units = notation == "unit_named" or draw(st.booleans())
    # unit names first (they enter generated names in the unit-named notation)
    # (x1, x2, … are the inputs' names when the inputs are a count; b11 a bias's, w111 a
    # weight's in a notation by index)
    pre = _Names(re.compile("|".join([r"(x|w|b|z|a|delta|y|u)\d+", *(
        re.escape(key(f)) for f in (*FUNCTIONS, *functions))])))
    unit_names: list[list[str]] = []
    for pos, width in enumerate(widths, start=1):
        if named_units:
            # a unit-named template puts the name into LaTeX: in_{h1}, never in_{a_1}
            pool = tuple(n for n in SAFE_POOL if "_" not in n) if notation == "unit_named" \
                else SAFE_POOL + UNIT_ONLY_POOL * 3
            unit_names.append([pre.fresh(draw, f"n{pos}x", pool) for _ in range(width)])
        else:
            unit_names.append([])
    flat_units = [u for layer in unit_names for u in layer]
    names = _Names(_reserved(notation, flat_units, functions, cost))
    for u in flat_units:
        names.take(u)

    data: dict[str, Any] = {}
    if _chance(draw, 1/4):
        data["title"] = draw(st.sampled_from(("drawn network", "Notes on \\N and \"\"\"",
                                              "ω · σ′ — 100% {x}")))
    notation_block = dict(NOTATIONS[notation])
    if draw(st.booleans()):
        notation_block["chain"] = draw(st.sampled_from(("unit", "net", "activations",
                                                        "paths")))
    if _chance(draw, 1/3):
        notation_block["chain_order"] = draw(st.sampled_from(("loss_first", "local_first")))
    if draw(st.booleans()):
        notation_block["learning_rate"] = draw(st.sampled_from(("\\alpha", "\\eta",
                                                                "\\epsilon")))
    if notation_block:
        data["notation"] = notation_block

    # inputs: a count (names from the notation) or names
    if notation != "unit_named" and draw(st.booleans()):
        data["inputs"] = {"size": n_inputs}
        input_names = [f"x{k}" for k in range(1, n_inputs + 1)]
        for n in input_names:
            names.take(n)
    else:
        input_names = [names.fresh(draw, "in") for _ in range(n_inputs)]
        data["inputs"] = list(input_names)

    explicit = notation == "unit_named"
    shared_biases: list[str] = []
    layers: list[dict[str, Any]] = []
    sources = input_names
    for pos, (width, act) in enumerate(zip(widths, acts, strict=True), start=1):
        layer: dict[str, Any] = {}
        if draw(st.booleans()):
            layer["name"] = names.fresh(draw, "layer")
        if unit_names[pos - 1]:
            units = unit_names[pos - 1]
            entries: list[Any] = []
            for u in units:
                if not u.isascii() or (_chance(draw, 1/4) and act != "softmax"):
                    entry: dict[str, Any] = {"name": u}
                    if not u.isascii():
                        entry["latex"] = UNIT_LATEX[u]
                    if act != "softmax" and draw(st.booleans()) and \
                            not (pos == depth and loss in ("binary_cross_entropy",
                                                           "cross_entropy")):
                        entry["activation"] = draw(st.sampled_from(("tanh", "sigmoid",
                                                                    "softplus")))
                    entries.append(entry)
                else:
                    entries.append(u)
            layer["units"] = entries
        else:
            layer["size"] = width
            units = []
        layer["activation"] = act
        # biases
        mode = draw(st.sampled_from(("default", "per_unit", "none", "shared", "across",
                                     "list")))
        if mode == "per_unit" or (mode == "default" and explicit):
            if explicit:
                layer["bias"] = [names.fresh(draw, "bq") for _ in range(width)]
            else:
                layer["bias"] = "per_unit"
        elif mode == "none":
            layer["bias"] = "none"
        elif mode == "shared" or (mode == "across" and not shared_biases):
            shared_biases.append(names.fresh(draw, "bq"))
            layer["bias"] = shared_biases[-1]
        elif mode == "across":
            layer["bias"] = draw(st.sampled_from(shared_biases))
        elif mode == "list":
            layer["bias"] = [names.fresh(draw, "bq") for _ in range(width)]
        # weights: from the notation, or named rows (some shared, some edges left out)
        if explicit or _chance(draw, 1/3):
            rows: list[list[str]] = []
            used: list[str] = []
            for _ in range(width):
                row = []
                for _ in sources:
                    if used and _chance(draw, 1/10):
                        row.append(draw(st.sampled_from(used)))
                    elif len(sources) > 1 and _chance(draw, 1/12):
                        row.append("-")
                    else:
                        used.append(names.fresh(draw, "wq"))
                        row.append(used[-1])
                if all(w == "-" for w in row):
                    row[0] = names.fresh(draw, "wq")
                rows.append(row)
            layer["weights"] = rows
        layers.append(layer)
        sources = units or [f"#{pos}_{k}" for k in range(width)]
    data["layers"] = layers
    if depth > 1 and _chance(draw, 1/4):  # a skip connection from an input
        target_layer = layers[-1]
        if "units" in target_layer and target_layer["activation"] != "softmax":
            first = target_layer["units"][0]
            unit = first["name"] if isinstance(first, dict) else first
            data["edges"] = [{"from": input_names[0], "to": unit,
                              "weight": names.fresh(draw, "sk")}]
    data["loss"] = _loss(draw, loss)
    return data


def _loss(draw: st.DrawFn, kind: str) -> Any:
    if kind == "squared_error":
        style = draw(st.integers(0, 3))
        if style == 0:
            return "squared_error"
        return {"kind": "squared_error", "factor": draw(st.sampled_from(("1/2", 1, 0.5, 2))),
                "reduction": draw(st.sampled_from(("sum", "mean")))}
    if kind == "unspecified":
        return {"kind": "unspecified", "name": draw(st.sampled_from(("C", "Loss", "ell")))}
    if draw(st.booleans()):
        return kind
    return {"kind": kind, "reduction": draw(st.sampled_from(("sum", "mean")))}


# ------------------------------------------------------------------------ deliberate clashes


def _output_width(layer: dict[str, Any]) -> int:
    return len(layer["units"]) if "units" in layer else int(layer["size"])


def _unit_name(entry: Any) -> str:
    return entry["name"] if isinstance(entry, dict) else entry


def _inject(draw: st.DrawFn, data: dict[str, Any], notation: str, kind: str
            ) -> tuple[str, tuple[str, ...]]:
    """Put one clash that the documented rules refuse into ``data``: (kind, words named)."""
    layers = data["layers"]
    pos = draw(st.integers(1, len(layers)))
    layer = layers[pos - 1]
    inputs = data["inputs"] if isinstance(data["inputs"], list) else \
        [f"x{k}" for k in range(1, int(data["inputs"]["size"]) + 1)]
    if kind == "generated":
        if notation == "unit_named":
            plain = [u for u in map(_unit_name, layer["units"]) if re.fullmatch(r"[A-Za-z]\w*",
                                                                                u)]
            if not plain:
                return _inject(draw, data, notation, "loss")
            unit = draw(st.sampled_from(plain))
            name = draw(st.sampled_from(("in_", "out_", "delta_"))) + unit
        else:
            number = pos + (1 if notation in ("nielsen", "superscripted") else 0)
            index = draw(st.integers(1, _output_width(layer)))
            entry = layer["units"][index - 1] if "units" in layer else None
            own = isinstance(entry, dict) and "latex" in entry  # its activation is named so
            name = f"{draw(st.sampled_from(('z', 'delta') if own else ('z', 'a', 'delta')))}" \
                f"_{number}_{index}"
        layer["bias"] = name
        return kind, (name,)
    if kind == "function":
        name = draw(st.sampled_from(FUNCTIONS))
    elif kind == "keyword":
        name = draw(st.sampled_from(KEYWORDS))
        layer["bias"] = name
        return kind, ("Python keyword",)
    elif kind == "non_ascii":
        name = draw(st.sampled_from(NON_ASCII))
    elif kind == "loss":
        name = LOSS_NAME[notation]
    elif kind == "nfkc":
        twin = draw(st.sampled_from(inputs))
        layer["bias"] = fullwidth(twin)
        return kind, (twin, fullwidth(twin))
    elif kind == "print_alike":
        data["inputs"] = [*inputs, "q7"]
        layer["bias"] = "q_7"
        layers[0].pop("weights", None)  # the rows no longer fit the inputs
        return kind, ("q_7", "q7")
    elif kind == "learning_rate":
        data.setdefault("notation", {})["learning_rate"] = "\\gamma"
        name = "gamma"
    elif kind == "cost":
        data["cost"] = {"examples": "m"}
        name = "m"
    elif kind == "target":
        out = layers[-1]
        if _output_width(out) < 2:
            return _inject(draw, data, notation, "function")
        data.setdefault("notation", {})["target"] = draw(st.sampled_from(("y", "t")))
        return kind, ("target",)
    else:  # an unspecified function named like a function, or its derivative as a parameter
        loss = data["loss"]["kind"] if isinstance(data["loss"], dict) else data["loss"]
        hidden = layers[:-1] + (layers[-1:] if loss in ("squared_error", "unspecified") else [])
        if not hidden:
            return _inject(draw, data, notation, "keyword")
        target = draw(st.sampled_from(hidden))
        for unit in target.get("units", []):  # every unit uses the layer's activation
            if isinstance(unit, dict):
                unit.pop("activation", None)
        if kind == "function_name":
            name = draw(st.sampled_from(("sigmoid", "tanh", "exp", "relu")))
            target["activation"] = {"kind": "unspecified", "name": name}
            return kind, (name,)
        target["activation"] = "f"
        name = draw(st.sampled_from(("f", "f_prime")))
        layer["bias"] = name
        return kind, ("`f`", "`f_prime`")  # (a safe name f drawn before clashes first)
    layer["bias"] = name
    return kind, (name,)


# ---------------------------------------------------------------------------------- values


def _unit_interval(lo: float, hi: float) -> st.SearchStrategy[float]:
    """A value a spec may hold: 0 or at least 1e-300 in size (smaller ones are refused, and
    are drawn as 0)."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, exclude_min=True,
                     exclude_max=True).map(lambda v: v if abs(v) >= 1e-300 else 0.0)


def _targets(draw: st.DrawFn, spec: NetworkSpec) -> dict[str, float]:
    outputs = list(spec.outputs)
    kind = spec.loss.kind
    softmax = spec.unit(outputs[0]).activation.kind == "softmax"
    if kind == "cross_entropy" and softmax:
        if draw(st.booleans()):
            hot = draw(st.sampled_from(outputs))
            return {o: 1.0 if o == hot else 0.0 for o in outputs}
        raw = [draw(st.floats(0.05, 1.0)) for _ in outputs]
        ts = [r / sum(raw) for r in raw]
        ts[-1] = 1.0 - sum(ts[:-1])
        return dict(zip(outputs, ts, strict=True))
    if kind in ("cross_entropy", "binary_cross_entropy"):
        return {o: draw(st.one_of(_unit_interval(0.0, 1.0), st.sampled_from((0.0, 1.0))))
                for o in outputs}
    return {o: draw(_unit_interval(-1.0, 1.0)) for o in outputs}


def load_text(text: str, suffix: str = ".yaml") -> NetworkSpec:
    """Load spec text through a temporary file, as the commands read it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"drawn{suffix}"
        path.write_text(text, encoding="utf-8")
        return load_spec(path)


def dump(data: dict[str, Any], suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if suffix == ".toml":  # one line per top-level key, every value inline
        return "".join(f"{_toml(k)} = {_toml(v)}\n" for k, v in data.items())
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _toml(value: Any) -> str:
    """An inline TOML value (its strings are JSON's, which TOML's basic strings read alike)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _activation_kinds(data: dict[str, Any]) -> set[str]:
    kinds = set()
    for layer in data["layers"]:
        acts = [layer["activation"]] + [u["activation"] for u in layer.get("units", [])
                                        if isinstance(u, dict) and "activation" in u]
        for act in acts:
            kind = act["kind"] if isinstance(act, dict) else act
            kinds.add("unspecified" if _function_name(act) else kind)
    return kinds


def _features(data: dict[str, Any]) -> set[str]:
    seen = {f"activation {k}" for k in _activation_kinds(data)}
    loss = data["loss"]
    seen.add("loss " + (loss["kind"] if isinstance(loss, dict) else loss))
    if isinstance(loss, dict) and "factor" in loss:
        seen.add(f"factor {loss['factor']}")
    biases = [layer.get("bias", "default") for layer in data["layers"]]
    for b in biases:
        if isinstance(b, list):
            seen.add("bias list")
        elif b in ("default", "per_unit", "none"):
            seen.add(f"bias {b}")
        else:
            seen.add("bias shared" if biases.count(b) == 1 else "bias across layers")
    if "edges" in data:
        seen.add("skip edge")
    if any("weights" in layer for layer in data["layers"]):
        seen.add("named weights")
    names = [_unit_name(u) for layer in data["layers"] for u in layer.get("units", [])]
    seen.update(f"name {layer['name']}" for layer in data["layers"] if "name" in layer)
    names += data["inputs"] if isinstance(data["inputs"], list) else []
    seen.update(f"name {n}" for n in names if n not in ("none", "per_unit"))
    for layer in data["layers"]:
        for w in (w for row in layer.get("weights", []) for w in row):
            seen.add(f"name {w}")
        b = layer.get("bias")
        for name in b if isinstance(b, list) else [b] if isinstance(b, str) else []:
            if name not in ("none", "per_unit"):
                seen.add(f"name {name}")
    if any(not n.isascii() for n in names):
        seen.add("non-ASCII unit")
    return seen


@st.composite
def command_cases(draw: st.DrawFn, *, clash_share: float = 0.25) -> CommandCase:
    """A spec file and what the commands must make of it (see the module docstring)."""
    notation = draw(st.sampled_from(FAMILIES))
    several = _chance(draw, 0.2)
    data = draw(_structure(notation, several))
    suffix = draw(st.sampled_from((".yaml",) * 6 + (".json", ".toml")))
    features = _features(data) | {f"notation {notation}", f"format {suffix}"}
    if _chance(draw, clash_share):
        kind, words = _inject(draw, data, notation, draw(st.sampled_from(CLASHES)))
        features |= {f"clash {kind}"} | {f"name {w}" for w in words}
        return CommandCase(dump(data, suffix), suffix, notation, kind, words, (), (), False,
                           frozenset(features))
    functions = tuple(sorted(_functions_used(data)))
    if several:
        data["cost"] = {"examples": "m"}
    try:
        bare = load_text(dump(data, suffix), suffix)
    except SpecError:  # a valid case the tool refuses: every command shows it, and fails
        return CommandCase(dump(data, suffix), suffix, notation, None, (), (), functions,
                           False, frozenset(features))
    defines: tuple[str, ...] = tuple(f"{f}=tanh" for f in functions)
    if _chance(draw, 0.85):
        params = {p.name: draw(_unit_interval(-1.0, 1.0)) for p in bare.params}
        examples = [{"inputs": {i.name: draw(_unit_interval(-2.0, 2.0)) for i in bare.inputs},
                     "targets": _targets(draw, bare)} for _ in range(2 if several else 1)]
        assume(kink_distance(bare, params, [(e["inputs"], e["targets"]) for e in examples])
               > 1e-6)
        values: dict[str, Any] = {"params": params}
        if several or draw(st.booleans()):
            values["examples"] = examples
            features.add(f"{len(examples)} examples")
        else:
            values.update(examples[0])
        if draw(st.booleans()):
            values["learning_rate"] = draw(st.sampled_from((0.5, 0.1, "1/4", 0.03)))
            features.add("learning rate")
        if functions and draw(st.booleans()):
            values["functions"] = dict.fromkeys(functions, "tanh")
            defines = ()
            features.add("values.functions")
        data["values"] = values
        features.add("values")
    else:
        features.add("no values")
    if defines:
        features.add("--define")
    numeric = "values" in data and bare.loss.kind != "unspecified"
    return CommandCase(dump(data, suffix), suffix, notation, None, (), defines, functions,
                       numeric, frozenset(features))
