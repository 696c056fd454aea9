"""Where the tests find the project's files, wherever the test module sits, and the
comparison with expected-output files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
DATA = ROOT / "tests" / "data"
EXPECTED = DATA / "expected"


def numeric_specs() -> list[Path]:
    """The bundled specs whose loss has a formula, so that they have numbers (seed 002 keeps
    its cost C unspecified, as the seed does)."""
    from symbackprop.spec.load import load_spec

    return [p for p in sorted(SPECS.glob("*.yaml")) if load_spec(p).loss.kind != "unspecified"]


def check_expected(name: str, actual: str,
                   mask: Callable[[str], str] = lambda text: text) -> None:
    """Compare with tests/data/expected/NAME, or rewrite it when asked to; ``mask`` blanks
    what may differ between machines on both sides (finite-difference rounding noise)."""
    path = EXPECTED / name
    if os.environ.get("SYMBACKPROP_UPDATE_EXPECTED"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing {path}; run with SYMBACKPROP_UPDATE_EXPECTED=1"
    assert mask(actual) == mask(path.read_text(encoding="utf-8"))
