"""One checker per spec, built once for the test session: building one derives every
gradient and draws the sample points, which the tests of a module share."""

from __future__ import annotations

import re
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


GENERIC_STEP = re.compile(r"\^\{?\(t(?:[+-]1)?\)")


def in_generic_step(text: str) -> bool:
    """Whether a printed line writes a recurrent network's quantities at a generic step t
    (``h^{(t)}_1``, ``h^(t+1)_k``): BPTT's sums over time and its recurrence, which check
    does not read yet (its names are those of one step each). Those lines are compared with
    the derivation by expanding them step by step (tests/network/kinds/test_recurrent.py)."""
    return GENERIC_STEP.search(text) is not None
