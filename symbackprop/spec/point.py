"""The point a command computes at: values files and inline values (``--at``) merged over the
spec's values.

What a file gives replaces the spec's: parameters one by one; inputs and targets one by one
over the spec's one example (a file may give only ``inputs``); ``examples`` as a whole. The
rest is the spec's, and each part remembers the file it came from, so an error about a value
names the file at fault. ``--at x1=2 --at w5=0.1`` gives single values by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ValuesError, did_you_mean
from .limits import Limits
from .located import Source
from .model import Example, NetworkSpec, Values
from .reader import Reader
from .values import NAMES_HINT, load_values, read_values

INLINE = "--at"
"""How an error names the values given inline."""


def _gives(v: Values, part: str) -> bool:
    """Whether ``v`` gives ``part`` (inputs, targets or examples) itself."""
    return any(k == f"values.{part}" or k.startswith(f"values.{part}[") for k in v.lines)


def merge_values(base: Values, given: Values) -> Values:
    """A values file (``given``) over the spec's own values (``base``): what the file gives
    replaces the spec's (parameters one by one, the inputs and targets of one example one by
    one, the examples as a whole), the rest is the spec's, and each part remembers the file
    it came from, so an error names the right one.

    >>> merge_values(Values(params={"w": 1.0, "b": 2.0}), Values(params={"w": 3.0})).params
    {'w': 3.0, 'b': 2.0}
    """
    def origin(v: Values, keys: list[str]) -> tuple[dict[str, int | None], dict[str, str]]:
        lines = {k: line for k, line in v.lines.items() if any(
            k == key or k.startswith(key + ".") or k.startswith(key + "[") for key in keys)}
        return lines, dict.fromkeys(lines, v.file or "")

    listed = _gives(given, "examples")
    inputs, targets = listed or _gives(given, "inputs"), listed or _gives(given, "targets")
    examples = base.examples
    if listed:
        examples = given.examples
    elif given.examples and len(base.examples) <= 1:
        ex, old = given.examples[0], base.examples[0] if base.examples else Example({}, {})
        examples = (Example({**old.inputs, **ex.inputs}, {**old.targets, **ex.targets}),)
    elif given.examples:
        if not (inputs and targets):
            where = given.where("values.inputs" if inputs else "values.targets")
            raise ValuesError(f"the spec has {len(base.examples)} examples: one set of "
                              f"{'inputs' if inputs else 'targets'} does not say which it "
                              f"replaces", file=where["file"], line=where["line"],
                              field="values", hint="give `examples`, or both `inputs` and "
                              "`targets` to replace them all by one")
        examples = given.examples
    parts = {"values.params": bool(given.params), "values.examples": listed,
             "values.inputs": inputs, "values.targets": targets}
    lines: dict[str, int | None] = {"values": given.lines.get("values")}
    files: dict[str, str] = {"values": given.file or ""}
    for key, from_given in parts.items():
        part_lines, part_files = origin(given if from_given else base, [key])
        lines.update(part_lines)
        files.update(part_files)
    return Values(params={**base.params, **given.params},
                  learning_rate=given.learning_rate if given.learning_rate is not None
                  else base.learning_rate,
                  weight_decay=given.weight_decay if given.weight_decay is not None
                  else base.weight_decay,
                  examples=examples,
                  functions={**base.functions, **given.functions},
                  file=given.file, lines=lines, files=files)


def inline_values(words: Sequence[str], spec: NetworkSpec) -> Values:
    """``--at NAME=NUMBER`` options as values: NAME is an input, a target (by its output
    unit or its printed name), a parameter or ``learning_rate`` (or the learning rate's
    name, ``alpha``).

    Every name the network does not have is reported at once.
    """
    section: dict[str, str] = {i.name: "inputs" for i in spec.inputs}
    section |= {u: "targets" for u in spec.outputs}
    section |= {spec.names.name("target", u): "targets" for u in spec.outputs}
    section |= {p.name: "params" for p in spec.params}
    section["learning_rate"] = "learning_rate"
    rate = [q.name for q in spec.names.quantities if q.role == "learning rate"]
    section |= dict.fromkeys(rate, "learning_rate")
    if spec.weight_decay is not None:  # λ, by its key or its own name
        section |= dict.fromkeys(("weight_decay", spec.weight_decay.name), "weight_decay")
    data: dict[str, dict[str, str] | str] = {}
    unknown: list[str] = []
    for word in words:
        name, sep, number = (part.strip() for part in word.partition("="))
        if not sep or not name or not number:
            raise ValuesError("expected NAME=NUMBER or a values file", field=f"--at {word}",
                              hint="e.g. `--at x1=2 --at w5=0.1`")
        where = section.get(name)
        if where is None:
            unknown.append(name)
        elif where in ("learning_rate", "weight_decay"):
            data[where] = number
        else:
            part = data.setdefault(where, {})
            assert isinstance(part, dict)
            part[name] = number
    if unknown:
        close = [h for h in (did_you_mean(n, section) for n in unknown) if h]
        raise ValuesError(f"no input, target or parameter called "
                          f"{', '.join(f'`{n}`' for n in unknown)}", field=INLINE,
                          hint="; ".join([*close[:3], NAMES_HINT]))
    source = Source(INLINE, {"values": data}, {})
    return read_values(Reader(source), {"values": data}, spec, partial=True)


def values_at(at: str | Path | Sequence[str | Path], spec: NetworkSpec,
              limits: Limits | None = None) -> Values:
    """The point ``--at`` names: each values file, then the inline values (``x1=2``), merged
    over the spec's values in turn."""
    items = [at] if isinstance(at, (str, Path)) else list(at)
    point = spec.values
    words = [str(a) for a in items if _is_inline(a)]
    for item in items:
        if not _is_inline(item):
            point = merge_values(point, load_values(item, spec, limits))
    if words:
        point = merge_values(point, inline_values(words, spec))
    return point


def _is_inline(item: str | Path) -> bool:
    """``x1=2`` is a value; a path that exists, even with ``=`` in its name, is a file."""
    return isinstance(item, str) and "=" in item and not Path(item).exists()
