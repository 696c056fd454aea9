"""Read a spec file (YAML, TOML or JSON) into plain data with the line of every field.

The schema checks live in :mod:`symbackprop.spec.load`; this module only parses text and
remembers where each value came from, so that every later error can name its line.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SpecError

Path_ = tuple[str | int, ...]

MAX_SPEC_BYTES = 5_000_000


@dataclass
class Source:
    """Parsed spec data plus the line number of each field path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest located parent."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


class _UniqueKeyLoader(yaml.SafeLoader):
    pass


def _compose_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    try:
        node = yaml.compose(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SpecError(f"not valid YAML: {problem}", file=file, line=line,
                        hint="check indentation, colons and brackets") from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines

    def convert(n: yaml.Node, path: Path_) -> Any:
        lines[path] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in n.value:
                key = key_node.value
                if not isinstance(key_node, yaml.ScalarNode):
                    raise SpecError("a key must be a plain word", file=file,
                                    line=key_node.start_mark.line + 1)
                if key in out:
                    raise SpecError(f"duplicate key `{key}`", file=file,
                                    line=key_node.start_mark.line + 1,
                                    field=".".join(str(p) for p in (*path, key)))
                out[key] = convert(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(n, yaml.SequenceNode):
            return [convert(v, (*path, i)) for i, v in enumerate(n.value)]
        try:
            return _UniqueKeyLoader(text).construct_object(n, deep=True)
        except yaml.YAMLError as exc:
            raise SpecError(f"bad value: {exc}", file=file, line=n.start_mark.line + 1) from None

    return convert(node, ()), lines


def _locate_keys(text: str, data: Any) -> dict[Path_, int]:
    """Best-effort lines for TOML/JSON: the first line mentioning each key, in order."""
    text_lines = text.splitlines()
    lines: dict[Path_, int] = {(): 1}

    def find(key: str, start: int) -> int | None:
        pat = re.compile(r'(^|[\s{,\[."])' + re.escape(key) + r'("?\s*[:=])')
        for i in range(start, len(text_lines)):
            if pat.search(text_lines[i]):
                return i
        return None

    def walk(value: Any, path: Path_, start: int) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                found = find(str(key), start)
                at = found if found is not None else start
                lines[(*path, key)] = at + 1
                walk(sub, (*path, key), at)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                lines[(*path, i)] = start + 1
                walk(sub, (*path, i), start)

    walk(data, (), 0)
    return lines


def read_source(path: str | Path) -> Source:
    """Parse the spec file at ``path``; raise :class:`SpecError` on unreadable input."""
    p = Path(path)
    file = str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SpecError("no such file", file=file, hint="check the path") from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", file=file) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", file=file) from None
    if len(raw) > MAX_SPEC_BYTES:
        raise SpecError(f"file too large ({len(raw)} bytes)", file=file)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {exc.start})", file=file) from None
    if not text.strip():
        raise SpecError("the file is empty", file=file, line=1,
                        hint="a spec needs at least `inputs`, `layers` and `loss`")
    suffix = p.suffix.lower()
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise SpecError(f"not valid TOML: {exc}", file=file,
                            line=int(m.group(1)) if m else None) from None
        return Source(file, data, _locate_keys(text, data))
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not valid JSON: {exc.msg}", file=file, line=exc.lineno) from None
        return Source(file, data, _locate_keys(text, data))
    data, lines = _compose_yaml(text, file)
    if data is None:
        raise SpecError("the file is empty", file=file, line=1,
                        hint="a spec needs at least `inputs`, `layers` and `loss`")
    return Source(file, data, lines)
