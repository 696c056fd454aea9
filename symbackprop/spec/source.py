"""Read a spec file (YAML, TOML or JSON) into plain data with the line of every field.

The schema checks live in :mod:`symbackprop.spec.load`; this module only turns bytes into
data and remembers where each value came from, so that every later error can name its line.
Reading is linear in the size of the file, and bounded before any work
(:mod:`symbackprop.spec.limits`): the file's size, its nesting, and the number of values it
holds counting every YAML alias in full. Only plain data comes out: YAML tags that would
build other objects (``!!python/…``, ``!!binary``, ``!!set``) are refused, JSON keys given
twice are refused as YAML's are.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import SpecError
from ..input_files import read_input, shown_name
from .limits import Limits, current_limits
from .located import Path_, Source, line_of_offset
from .yaml_reader import read_yaml

__all__ = ["Path_", "Source", "read_source"]


# ------------------------------------------------------------------------------ bytes


def _read_bytes(path: str | Path, limits: Limits) -> bytes:
    return read_input(path, limits.max_bytes, what="file",
                      hint="raise the bound with --max-bytes if it is real")


def _decode(raw: bytes, file: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpecError("the file is UTF-16 text", file=file, line=1, field="(encoding)",
                        hint="save it as UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark some editors write: harmless
        raw = raw[3:]
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise SpecError(f"NUL byte at offset {nul}: not a text file", file=file,
                        line=line_of_offset(raw, nul), field="(encoding)",
                        hint="save the spec as UTF-8 text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text (byte {exc.start})", file=file,
                        line=line_of_offset(raw, exc.start), field="(encoding)",
                        hint="save the spec as UTF-8") from None


def read_source(path: str | Path, limits: Limits | None = None) -> Source:
    """Parse the spec file at ``path`` (``-``: standard input, read as YAML); raise
    :class:`SpecError` on unreadable input."""
    limits = limits or current_limits()
    p = Path(path)
    file = shown_name(path)
    text = _decode(_read_bytes(path, limits), file)
    if not text.strip():
        raise SpecError("the file is empty", file=file, line=1, field="(file)",
                        hint="a spec needs at least `inputs`, `layers` and `loss`")
    suffix = p.suffix.lower()
    if suffix in (".toml", ".json"):  # local: a YAML spec needs neither reader
        from .json_toml import read_json, read_toml
    if suffix == ".toml":
        data, lines = read_toml(text, file, limits)
    elif suffix == ".json":
        data, lines = read_json(text, file, limits)
    else:
        data, lines = read_yaml(text, file, limits)
    if data is None:
        raise SpecError("the file is empty", file=file, line=1, field="(file)",
                        hint="a spec needs at least `inputs`, `layers` and `loss`")
    return Source(file, data, lines)
