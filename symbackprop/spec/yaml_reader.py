"""YAML to plain data through PyYAML's event stream: linear, bounded, plain data only.

No recursion and no copies: an alias refers to the value its anchor built, and each anchored
value remembers how many values it holds and how deep it goes, so an alias bomb is refused
after reading its few lines. Tags that would build other objects are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import SpecError
from .limits import Limits
from .located import Path_, field_name, float_or_exact, line_of_offset, too_deep, too_many

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_YAML}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed



@dataclass
class _Frame:
    """An open YAML mapping or sequence while its events stream past."""

    container: Any
    path: Path_
    anchor: str | None
    size: int = 1
    height: int = 1
    key: str | None = None
    expecting_key: bool = True


class _YamlReader:
    """Builds plain data from PyYAML's event stream: no recursion, aliases never copied.

    Each anchored value remembers how many values it holds and how deep it goes, so an alias
    bomb is refused after reading its few lines, not after expanding it.
    """

    def __init__(self, text: str, file: str, limits: Limits, loader: Any = _LOADER, *,
                 numbers_as_text: bool = False) -> None:
        self.text, self.file, self.limits, self.loader = text, file, limits, loader
        self.numbers_as_text = numbers_as_text
        self.lines: dict[Path_, int] = {}
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.stack: list[_Frame] = []
        self.total = 0
        self.root: Any = None
        self.constructor = yaml.SafeLoader("")
        self.documents = 0

    def fail(self, message: str, line: int, path: Path_ = (), hint: str | None = None
             ) -> SpecError:
        return SpecError(message, file=self.file, line=line,
                         field=field_name(path) or "(syntax)", hint=hint)

    def read(self) -> tuple[Any, dict[Path_, int]]:
        try:
            for event in yaml.parse(self.text, Loader=self.loader):
                self.event(event)
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow
            raise SpecError(f"not valid YAML: {exc.reason}", file=self.file,
                            line=line_of_offset(self.text, exc.position), field="(syntax)",
                            hint="remove control characters") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            if "nesting depth" in problem:
                raise too_deep(self.file, line, self.limits) from None
            context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
            if context and start is not None and start.line + 1 != line:
                problem += f" ({context} on line {start.line + 1})"
            if "escape" in problem and mark is not None:
                problem += _escape_at(self.text, mark.index)
            raise SpecError(f"not valid YAML: {problem}", file=self.file, line=line,
                            field=field_name(self._open_path()) or "(syntax)",
                            hint="check indentation, colons and brackets") from None
        return self.root, self.lines

    def event(self, ev: Any) -> None:
        if isinstance(ev, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise self.fail("more than one YAML document (`---`)", ev.start_mark.line + 1,
                                hint="a spec is one document")
            return
        if isinstance(ev, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        line = ev.start_mark.line + 1
        if isinstance(ev, yaml.AliasEvent):
            if ev.anchor not in self.anchors:
                raise self.fail(f"unknown alias `*{ev.anchor}`", line, self._path())
            value, size, height = self.anchors[ev.anchor]
            if self.stack and self.stack[-1].expecting_key and \
                    isinstance(self.stack[-1].container, dict):
                if not isinstance(value, str):
                    raise self.fail("a key must be a plain word", line, self._path())
                self._key(value, line)
                return
            self._add(value, size, height, line)
        elif isinstance(ev, yaml.ScalarEvent):
            frame = self.stack[-1] if self.stack else None
            if frame is not None and isinstance(frame.container, dict) and frame.expecting_key:
                if ev.tag not in (None, "!", f"{_YAML}str") and not ev.implicit[0]:
                    self._check_tag(ev.tag, line, "key")
                self._key(ev.value, line)
                return
            self._add(self._scalar(ev, line), 1, 0, line, anchor=ev.anchor)
        elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._check_tag(ev.tag, line, "map" if isinstance(ev, yaml.MappingStartEvent)
                            else "seq")
            frame = self.stack[-1] if self.stack else None
            if frame is not None and isinstance(frame.container, dict) and frame.expecting_key:
                raise self.fail("a key must be a plain word", line, frame.path)
            if len(self.stack) >= self.limits.max_depth:
                raise too_deep(self.file, line, self.limits)
            path = self._child_path()
            self.lines.setdefault(path, line)
            container: Any = {} if isinstance(ev, yaml.MappingStartEvent) else []
            self.stack.append(_Frame(container, path, ev.anchor))
        elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.container, frame.size, frame.height)
            self._attach(frame.container, frame.size, frame.height, frame.path, new=1)

    def _open_path(self) -> Path_:
        """The field being read when the text stopped making sense."""
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, dict):
            return (*frame.path, frame.key) if frame.key is not None else frame.path
        return (*frame.path, len(frame.container))

    def _path(self) -> Path_:
        return self.stack[-1].path if self.stack else ()

    def _child_path(self) -> Path_:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, dict):
            assert frame.key is not None
            return (*frame.path, frame.key)
        return (*frame.path, len(frame.container))

    def _key(self, value: Any, line: int) -> None:
        frame = self.stack[-1]
        key = value if isinstance(value, str) else _scalar_text(value)
        if key == "<<":
            raise self.fail("YAML merge keys (`<<`) are not supported", line, frame.path,
                            hint="write the keys out")
        if key in frame.container:
            first = self.lines.get((*frame.path, key))
            raise self.fail(f"duplicate key `{key}`", line, (*frame.path, key),
                            hint="give each key once"
                                 + (f"; the first is on line {first}" if first else ""))
        frame.key = key
        frame.expecting_key = False
        self.lines[(*frame.path, key)] = line

    def _add(self, value: Any, size: int, height: int, line: int,
             anchor: str | None = None) -> None:
        path = self._child_path()
        if self.stack and isinstance(self.stack[-1].container, list):
            self.lines[path] = line
        elif not self.stack:
            self.lines[()] = line
        if anchor is not None:
            self.anchors[anchor] = (value, size, height)
        if len(self.stack) + height > self.limits.max_depth:
            raise too_deep(self.file, line, self.limits)
        self._attach(value, size, height, path, line, new=size)

    def _attach(self, value: Any, size: int, height: int, path: Path_,
                line: int | None = None, *, new: int) -> None:
        """Put ``value`` (``size`` values, ``height`` levels) in its parent; ``new`` of them
        have not been counted yet (a closing mapping's contents were counted one by one)."""
        self.total += new
        if self.total > self.limits.max_values:
            raise too_many(self.file, line or self.lines.get(path), self.limits)
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        frame.height = max(frame.height, height + 1)
        if isinstance(frame.container, dict):
            assert frame.key is not None
            frame.container[frame.key] = value
            frame.key = None
            frame.expecting_key = True
        else:
            frame.container.append(value)

    def _check_tag(self, tag: str | None, line: int, kind: str) -> None:
        if tag is None or tag == "!" or tag in _PLAIN_TAGS:
            return
        shown = "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag
        frame = self.stack[-1] if self.stack else None
        path = self._path() if kind == "key" or (frame is not None and frame.key is None and
                                                 isinstance(frame.container, dict)) \
            else self._child_path()
        raise self.fail(f"the YAML tag `{shown}` is not allowed", line, path,
                        hint="a spec holds plain text, numbers, lists and mappings only")

    def _scalar(self, ev: Any, line: int) -> Any:
        if ev.tag is not None and ev.tag != "!" and not ev.implicit[0]:
            self._check_tag(ev.tag, line, "scalar")
            tag = ev.tag
        elif ev.implicit[0]:
            tag = self.constructor.resolve(yaml.ScalarNode, ev.value, (True, False))
        else:
            tag = f"{_YAML}str"
        node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
        try:
            if tag == f"{_YAML}int":
                return self.constructor.construct_yaml_int(node)
            if tag == f"{_YAML}float":
                return float_or_exact(ev.value, self.constructor.construct_yaml_float(node))
            if tag == f"{_YAML}bool":
                return self.constructor.construct_yaml_bool(node)
            if tag == f"{_YAML}null":
                return None
        except (ValueError, yaml.YAMLError):
            if self.numbers_as_text:
                return ev.value
            raise self.fail(f"cannot read the value `{ev.value[:40]}`", line,
                            self._child_path(), hint="numbers have at most 4300 digits"
                            ) from None
        if tag == f"{_YAML}merge":
            raise self.fail("YAML merge keys (`<<`) are not supported", line, self._path(),
                            hint="write the keys out")
        return ev.value  # text, and dates or other implicit forms read as the text written


def _escape_at(text: str, index: int) -> str:
    """`` (\\ud800 is U+D800)``: the escape a YAML error points at, and the character it
    names, which is no character Unicode text can hold."""
    for m in re.finditer(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))",
                         text[max(0, index - 12):index + 12]):
        code = next(g for g in m.groups() if g)
        return f" (`{m.group()}` is U+{code.upper().lstrip('0').rjust(4, '0')})"
    return ""


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def read_yaml(text: str, file: str, limits: Limits, *, any_escape: bool = False,
              numbers_as_text: bool = False) -> tuple[Any, dict[Path_, int]]:
    """Plain data and the line of every field; ``any_escape`` reads every ``\\u`` escape,
    a lone surrogate (``\\ud800``) too, as Python's YAML parser does (libyaml refuses it),
    for text that is only shown, never a name. With ``numbers_as_text`` a number too long
    to read (an integer of more than 4300 digits) is kept as the text written instead of
    being refused: a formula or an id, read as text anyway."""
    loader = yaml.SafeLoader if any_escape else _LOADER
    return _YamlReader(text, file, limits, loader, numbers_as_text=numbers_as_text).read()
