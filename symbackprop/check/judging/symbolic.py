"""Confirm a numerically correct formula symbolically, within a time limit.

The random points decide the verdict; this check only adds "confirmed" when SymPy can show
that the difference from the true gradient is 0 (expand first, then ``simplify``).
"""

from __future__ import annotations

import gc
import signal
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sympy as sp

from ...network.build import Network

SYMBOLIC_SECONDS = 2.0
IMPORT_GRACE_SECONDS = 0.05  # the time limit waits this long again while a module imports
SYMBOLIC_MAX_OPS = 300
MAX_EXPANDED_EXPONENT = 8


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise TimeoutError after ``seconds`` (main thread only; yields whether it applies).

    Never inside an import (SymPy imports ``sympy.physics.units`` on its first ``simplify``):
    an import cut short leaves its module half made and its file open, which Python reports
    later, in whatever runs then. The limit waits for the import to finish, and for a
    garbage-collector callback (a profiler's or a test runner's) to return.
    """
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is \
        threading.main_thread()
    if not usable:
        yield False
        return

    def alarm(signum: int, frame: Any) -> None:
        if _importing(frame) or _collecting(frame):
            signal.setitimer(signal.ITIMER_REAL, IMPORT_GRACE_SECONDS)
            return
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _collecting(frame: Any) -> bool:
    """Whether ``frame`` or one of its callers is a garbage-collector callback, a finalizer or
    a ``__del__``: an exception raised there is reported as unraisable and lost, and the limit
    would never stop the work."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    codes.add(weakref.finalize.__call__.__code__)
    while frame is not None:
        if frame.f_code in codes or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def _importing(frame: Any) -> bool:
    """Whether ``frame`` or one of its callers is Python importing a module."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _small_powers(expr: sp.Expr) -> bool:
    """True when every power has a small exponent, so that expanding stays cheap."""
    return all(not (p.exp.is_Rational and abs(p.exp.p) > MAX_EXPANDED_EXPONENT)
               for p in expr.atoms(sp.Pow))


def symbolic_check(net: Network, expr: sp.Expr, closed: sp.Expr) -> str:
    """Whether ``expr`` equals ``closed`` symbolically, as words for the report."""
    try:
        if sp.count_ops(expr) > SYMBOLIC_MAX_OPS:
            return "skipped (formula too large); the random points decide"
        with time_limit(SYMBOLIC_SECONDS) as limited:
            if not limited:
                # Without an alarm nothing could stop a long expand or simplify.
                return "inconclusive; the random points decide"
            difference = net.out_form(expr) - closed
            if _small_powers(difference) and sp.expand(difference) == 0:
                return "confirmed (the difference expands to 0)"
            if sp.simplify(net.substitute(difference)) == 0:
                return "confirmed (the difference simplifies to 0)"
    except (TimeoutError, RecursionError, MemoryError):
        return "timed out; the random points decide"
    return "inconclusive (simplify did not reach 0); the random points decide"
