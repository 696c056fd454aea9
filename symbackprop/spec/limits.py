"""Bounds on what a spec may ask for, checked before any work (``docs/limits.md``).

A spec is untrusted: a kilobyte of YAML aliases or one line saying ``units: 100000000`` must
not cost gigabytes. Each bound has a generous default; a user with a real need raises it
(``symbackprop --max-params 5000000 derive big.yaml``), which :func:`limits_in_force` scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields

MAX_DEPTH_CEILING = 500  # deeper than this, Python itself cannot walk the data safely


@dataclass(frozen=True)
class Limits:
    """The bounds one reading of a spec or values file works within."""

    max_bytes: int = 10_000_000
    """Size of a spec or values file."""
    max_depth: int = 64
    """Nesting of lists and mappings (a spec needs about 6)."""
    max_values: int = 2_000_000
    """Values in a file, counting every use of a YAML alias in full."""
    max_units: int = 100_000
    """Inputs and units of a network together."""
    max_params: int = 1_000_000
    """Weights and biases of a network."""
    max_formula_length: int = 10_000
    """Characters of one formula of a node or of the loss."""

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 1:
                raise ValueError(f"{f.name} must be at least 1")
        if self.max_depth > MAX_DEPTH_CEILING:
            raise ValueError(f"max_depth can be at most {MAX_DEPTH_CEILING}")


DEFAULT_LIMITS = Limits()

_in_force: ContextVar[Limits] = ContextVar("limits", default=DEFAULT_LIMITS)


def current_limits() -> Limits:
    """The limits in force: the defaults unless :func:`limits_in_force` says otherwise."""
    return _in_force.get()


@contextmanager
def limits_in_force(limits: Limits) -> Iterator[Limits]:
    """Read every spec and values file inside the block within ``limits``."""
    token = _in_force.set(limits)
    try:
        yield limits
    finally:
        _in_force.reset(token)


def set_limits(limits: Limits) -> Callable[[], None]:
    """Make ``limits`` the bounds in force until the returned function is called (the CLI
    calls it when its command ends, so bounds never outlive one command)."""
    token = _in_force.set(limits)
    return lambda: _in_force.reset(token)
