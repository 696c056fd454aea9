"""Read the values a network is computed at: a spec's ``values:`` block, a values file
(``--at FILE``) and inline values (``--at x1=2 --at w5=0.1``).

A values file may give only part of the point: its ``inputs`` or its ``targets`` alone are
merged over the spec's one example (:func:`symbackprop.spec.point.merge_values`). Every
name the file does not know is reported at once, each with its line and the nearest names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValuesError, did_you_mean
from .limits import Limits
from .model import STAND_IN_ALIASES, STAND_INS, Example, NetworkSpec, Number, Values
from .reader import Reader, field_name, kind_of
from .source import Path_, Source, read_source

VALUE_KEYS = ("inputs", "targets", "params", "learning_rate", "examples", "functions",
              "weight_decay", "mask", "tokens")
NAMES_HINT = "`symbackprop names SPEC` lists every name"


@dataclass
class _Unknown:
    """Names a values block gives that its network does not have, gathered to be told at
    once."""

    found: list[tuple[Path_, str, str, list[str]]] = field(default_factory=list)

    def add(self, path: Path_, key: str, what: str, allowed: list[str]) -> None:
        self.found.append((path, key, what, allowed))

    def raise_if_any(self, r: Reader) -> None:
        if not self.found:
            return
        self.found.sort(key=lambda f: r.src.line((*f[0], f[1])) or 0)
        path, key, what, allowed = self.found[0]
        if len(self.found) == 1:
            hint = did_you_mean(key, allowed)
            raise r.fail((*path, key), f"no {what} called `{key}`",
                         hint=f"{hint}; {NAMES_HINT}" if hint else NAMES_HINT)
        said = []
        for p, k, w, choices in self.found:
            line = r.src.line((*p, k))
            close = did_you_mean(k, choices)
            said.append(f"`{k}` (no {w}" + (f", line {line}" if line else "")
                        + (f"; {close}" if close and close.startswith("did") else "") + ")")
        raise r.fail((*path, key), f"{len(self.found)} unknown names: " + ", ".join(said),
                     hint=NAMES_HINT)


def _number_map(r: Reader, path: Path_, allowed: list[str], what: str,
                unknown: _Unknown) -> dict[str, float]:
    value = r.get(path)
    if not isinstance(value, dict):
        raise r.fail(path, f"expected a mapping {what} name → number, got {kind_of(value)}")
    out: dict[str, float] = {}
    known = set(allowed)
    for key in value:
        if key not in known:
            unknown.add(path, str(key), what, allowed)
            continue
        out[key] = Number(r.number((*path, key)))
    return out


def _targets(r: Reader, path: Path_, spec: NetworkSpec, unknown: _Unknown
             ) -> dict[str, float]:
    """Targets of one example, keyed by output unit or by the target's own name as derive
    prints it (``y_1``, ``target_o1``); a softmax layer with cross-entropy needs a
    distribution."""
    unit_of = {u: u for u in spec.outputs} | {spec.names.name("target", u): u
                                              for u in spec.outputs}
    given = _number_map(r, path, list(unit_of), "output unit", unknown)
    targets: dict[str, float] = {}
    for key, t in given.items():
        unit = unit_of[key]
        if unit in targets:
            first = next(k for k in given if unit_of[k] == unit)
            raise r.fail((*path, key), f"`{key}` and `{first}` are both the target of "
                         f"`{unit}`", hint="give each target once")
        if spec.loss.kind in ("cross_entropy", "binary_cross_entropy") and not 0 <= t <= 1:
            raise r.fail((*path, key), f"a cross-entropy target is a probability, "
                         f"between 0 and 1, not {t:g}")
        targets[unit] = t
    softmax_ce = spec.loss.kind == "cross_entropy" and spec.layers[-1].activation.kind == \
        "softmax"
    for group in spec.output_groups() if softmax_ce and targets else ():
        given_here = [targets[u] for u in group if u in targets]
        total = sum(given_here)
        complete = len(given_here) == len(group)
        if given_here and ((complete and abs(total - 1.0) > 1e-9) or total > 1.0 + 1e-9):
            raise r.fail(path, f"the targets of a softmax layer with cross-entropy must "
                         f"sum to 1 (these sum to {total:g})",
                         hint="δ = a − y holds only for a target distribution"
                         + ("" if complete else "; missing ones are filled in with the rest"))
    return targets


def read_values(r: Reader, top: dict[str, Any], spec: NetworkSpec, *,
                partial: bool = False) -> Values:
    """The ``values`` block of ``top``; with ``partial`` (a values file), ``inputs`` or
    ``targets`` may come alone, to be merged over the spec's example."""
    if "values" not in top:
        # nothing to point at but the top level, where `values:` would go
        return Values(file=r.src.file, lines={"values": r.src.line(())})
    path: Path_ = ("values",)
    given = r.mapping(path, VALUE_KEYS)
    for key, what in (("mask", "a dropout mask belongs"), ("tokens", "the token ids belong")):
        if partial and key in given:  # they make the network's dropout or embedding units
            raise r.fail((*path, key), f"{what} to the spec's own values",
                         hint=f"give them under the spec's `values: {{{key}: ...}}`")
    if "tokens" in given and not any(lay.embedding for lay in spec.layers):
        raise r.fail((*path, "tokens"), "the spec has no embedding layer to read token ids",
                     hint="add `{kind: embedding, vocabulary: V, dim: d}` over "
                          "`inputs: {tokens: T}`")
    unknown = _Unknown()
    input_names = [i.name for i in spec.inputs]
    params = _number_map(r, (*path, "params"), [p.name for p in spec.params], "parameter",
                         unknown) if "params" in given else {}
    lr = Number(r.number((*path, "learning_rate"))) if "learning_rate" in given else None
    decay = Number(r.number((*path, "weight_decay"))) if "weight_decay" in given else None
    if decay is not None and spec.weight_decay is None:
        raise r.fail((*path, "weight_decay"), "the spec declares no weight decay",
                     hint="declare it with a top-level `weight_decay: {biases: false}`")
    if decay is not None and decay < 0:
        raise r.fail((*path, "weight_decay"), "the weight decay λ must be 0 or more")
    examples: list[Example] = []
    if "examples" in given:
        if "inputs" in given or "targets" in given:
            raise r.fail((*path, "examples"),
                         "give either `examples` or `inputs`/`targets`, not both")
        for k, _ in enumerate(r.name_list((*path, "examples"))):
            ep: Path_ = (*path, "examples", k)
            # a network of token ids alone (inputs: {tokens: T}) has no numeric input
            given_example = r.mapping(ep, ("inputs", "targets"), required=(
                ("inputs", "targets") if spec.inputs else ("targets",)))
            examples.append(Example(
                _number_map(r, (*ep, "inputs"), input_names, "input", unknown)
                if "inputs" in given_example else {},
                _targets(r, (*ep, "targets"), spec, unknown),
            ))
    elif "inputs" in given or "targets" in given:
        if not partial and ("targets" not in given or ("inputs" not in given and spec.inputs)):
            raise r.fail(path, "give both `inputs` and `targets`")
        examples.append(Example(
            _number_map(r, (*path, "inputs"), input_names, "input", unknown)
            if "inputs" in given else {},
            _targets(r, (*path, "targets"), spec, unknown) if "targets" in given else {},
        ))
    unknown.raise_if_any(r)
    functions = _functions(r, (*path, "functions"), spec) if "functions" in given else {}
    lines = {field_name(p): r.src.line(p) for p in [path, (*path, "params")]}
    if "examples" in given:
        for k in range(len(examples)):
            for key in ("inputs", "targets"):
                p = (*path, "examples", k, key)
                lines[field_name(p)] = r.src.line(p)
    else:
        # only what is given, so that a merge knows which part of the example it replaces
        for key in ("inputs", "targets"):
            if key in given or not partial:
                lines[field_name((*path, key))] = r.src.line((*path, key))
    return Values(params=params, learning_rate=lr, examples=tuple(examples),
                  functions=functions, file=r.src.file, lines=lines, weight_decay=decay)


def _functions(r: Reader, path: Path_, spec: NetworkSpec) -> dict[str, str]:
    """``functions: {f: tanh}``: the stand-in each unspecified function is evaluated as."""
    value = r.get(path)
    if not isinstance(value, dict):
        raise r.fail(path, f"expected a mapping function → stand-in, got {kind_of(value)}",
                     hint="e.g. `functions: {f: tanh}`")
    known = spec.names.functions
    out: dict[str, str] = {}
    for name in value:
        if name not in known:
            raise r.fail((*path, name), f"no unspecified function called `{name}`",
                         hint=did_you_mean(str(name), known) if known
                         else "this network has no unspecified activation")
        out[name] = read_stand_in(r, (*path, name))
    return out


def read_stand_in(r: Reader, path: Path_) -> str:
    word = r.string(path)
    kind = STAND_IN_ALIASES.get(word, word)
    if kind not in STAND_INS:
        raise r.fail(path, f"`{word}` cannot stand in for an unspecified function",
                     hint=did_you_mean(word, [*STAND_INS, *STAND_IN_ALIASES]))
    return kind


def parse_definitions(words: Sequence[str], spec: NetworkSpec) -> dict[str, str]:
    """``--define f=tanh`` options as a mapping function → stand-in."""
    out: dict[str, str] = {}
    known = spec.names.functions
    for word in words:
        name, sep, kind = (part.strip() for part in word.partition("="))
        where = f"--define {word}"
        if not sep or not name:
            raise ValuesError("expected FUNCTION=STAND_IN", field=where,
                              hint="e.g. `--define f=tanh`")
        if name not in known:
            raise ValuesError(f"no unspecified function called `{name}`", file=spec.file,
                              field=where, hint=did_you_mean(name, known) if known
                              else "this network has no unspecified activation")
        canonical = STAND_IN_ALIASES.get(kind, kind)
        if canonical not in STAND_INS:
            raise ValuesError(f"`{kind}` cannot stand in for an unspecified function",
                              field=where, hint=did_you_mean(kind, [*STAND_INS,
                                                                    *STAND_IN_ALIASES]))
        out[name] = canonical
    return out


def load_values(path: str | Path, spec: NetworkSpec, limits: Limits | None = None) -> Values:
    """Read a values file (the spec's `values` block on its own, or under `values:`); its
    ``inputs`` or ``targets`` may come alone."""
    source = read_source(path, limits)
    data = source.data
    if isinstance(data, dict) and set(data) == {"values"}:
        top = data
    else:
        top = {"values": data}
        source = Source(source.file, top, {("values", *k): v for k, v in source.lines.items()})
    r = Reader(source, limits)
    if not isinstance(top["values"], dict):
        raise r.fail(("values",), f"expected a mapping of values, got {kind_of(top['values'])}",
                     hint="keys: " + ", ".join(VALUE_KEYS))
    return read_values(r, top, spec, partial=True)
