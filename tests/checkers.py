"""One checker per spec, built once for the test session: building one derives every
gradient and draws the sample points, which the tests of a module share."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from paths import DATA, SPECS

from symbackprop.check import Checker
from symbackprop.network.build import build_network
from symbackprop.spec.load import load_spec


@cache
def checker(spec: str | Path) -> Checker:
    """The checker of ``spec``: a path, or the name of a bundled spec in specs/ or of a spec
    in tests/data/derivations/."""
    if isinstance(spec, Path):
        path = spec
    else:
        path = SPECS / spec if (SPECS / spec).exists() else DATA / "derivations" / spec
    return Checker(build_network(load_spec(path)))
