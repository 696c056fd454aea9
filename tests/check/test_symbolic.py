"""The time limit of the symbolic check: it stops a long computation, never an import."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from symbackprop.check.judging.symbolic import time_limit


def _busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_long_computation_is_stopped() -> None:
    with pytest.raises(TimeoutError), time_limit(0.05) as limited:
        assert limited
        _busy(5.0)


def test_an_import_is_never_cut_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import that outlasts the limit finishes (whole, its file closed); the limit
    stops what comes after it."""
    (tmp_path / "slow_module_for_the_limit.py").write_text(
        "import time\n"
        "end = time.monotonic() + 0.3\n"
        "while time.monotonic() < end:\n"
        "    pass\n"
        "DONE = True\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_module_for_the_limit", raising=False)
    imported = False
    with pytest.raises(TimeoutError), time_limit(0.02):
        import slow_module_for_the_limit

        imported = slow_module_for_the_limit.DONE
        _busy(5.0)
    assert imported


def test_a_garbage_collector_callback_is_never_interrupted() -> None:
    """The limit lands after a collector callback (or a finalizer) returns: raised inside
    one, TimeoutError would be reported as unraisable and lost, and the work would go on."""
    import gc

    seen: list[str] = []

    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            _busy(0.2)
            seen.append("returned")

    gc.collect()  # what other tests left behind is collected before the limit starts
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(TimeoutError), time_limit(0.02):
            gc.collect()
            _busy(5.0)
    finally:
        gc.callbacks.remove(slow_callback)
    assert seen == ["returned"]


def test_a_finalizer_is_never_interrupted() -> None:
    import weakref

    class Held:
        pass

    seen: list[str] = []

    def slow_finalizer() -> None:
        _busy(0.2)
        seen.append("returned")

    held = Held()
    weakref.finalize(held, slow_finalizer)
    with pytest.raises(TimeoutError), time_limit(0.02):
        del held
        _busy(5.0)
    assert seen == ["returned"]
