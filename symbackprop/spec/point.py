"""The point a command computes at: a values file (``--at``) merged over the spec's values.

What the file gives replaces the spec's (parameters one by one, the examples as a whole), the
rest is the spec's, and each part remembers the file it came from, so an error about a value
names the file at fault.
"""

from __future__ import annotations

from pathlib import Path

from .limits import Limits
from .load import load_values
from .model import NetworkSpec, Values


def merge_values(base: Values, given: Values) -> Values:
    """A values file (``given``) over the spec's own values (``base``): what the file gives
    replaces the spec's (parameters one by one, the examples as a whole), the rest is the
    spec's, and each part remembers the file it came from, so an error names the right one.

    >>> merge_values(Values(params={"w": 1.0, "b": 2.0}), Values(params={"w": 3.0})).params
    {'w': 3.0, 'b': 2.0}
    """
    def origin(v: Values, keys: list[str]) -> tuple[dict[str, int | None], dict[str, str]]:
        lines = {k: line for k, line in v.lines.items() if any(
            k == key or k.startswith(key + ".") or k.startswith(key + "[") for key in keys)}
        return lines, dict.fromkeys(lines, v.file or "")

    parts = {"values.params": bool(given.params),
             "values.examples": bool(given.examples), "values.inputs": bool(given.examples),
             "values.targets": bool(given.examples)}
    lines: dict[str, int | None] = {"values": given.lines.get("values")}
    files: dict[str, str] = {"values": given.file or ""}
    for key, from_given in parts.items():
        part_lines, part_files = origin(given if from_given else base, [key])
        lines.update(part_lines)
        files.update(part_files)
    return Values(params={**base.params, **given.params},
                  learning_rate=given.learning_rate if given.learning_rate is not None
                  else base.learning_rate,
                  examples=given.examples or base.examples,
                  functions={**base.functions, **given.functions},
                  file=given.file, lines=lines, files=files)


def values_at(path: str | Path, spec: NetworkSpec, limits: Limits | None = None) -> Values:
    """The point ``--at`` names: the values file at ``path`` merged over the spec's values."""
    return merge_values(spec.values, load_values(path, spec, limits))
