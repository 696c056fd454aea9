"""One checker per spec, built once for the test session: building one derives every
gradient and draws the sample points, which the tests of a module share."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from paths import SPECS

from symbackprop.check import Checker
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec


@cache
def checker(spec: str | Path) -> Checker:
    """The checker of ``spec``: a path, or the name of a bundled spec in specs/."""
    path = spec if isinstance(spec, Path) else SPECS / spec
    return Checker(build_network(load_spec(path)))
