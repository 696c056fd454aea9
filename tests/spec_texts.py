"""Specs written as text in a test: load one from a temporary folder, or catch its error."""

from __future__ import annotations

from pathlib import Path

import pytest

from symbackprop.errors import SpecError
from symbackprop.spec.load import load_spec
from symbackprop.spec.model import NetworkSpec


def load_text(tmp_path: Path, text: str) -> NetworkSpec:
    """The spec ``text``, written to ``net.yaml`` in ``tmp_path`` and loaded."""
    path = tmp_path / "net.yaml"
    path.write_text(text, encoding="utf-8")
    return load_spec(path)


def load_error(tmp_path: Path, text: str) -> SpecError:
    """The error loading the spec ``text`` raises (the test fails when it loads)."""
    with pytest.raises(SpecError) as caught:
        load_text(tmp_path, text)
    return caught.value
