"""The time limit of the symbolic check: it stops a long computation, never an import."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from symbackprop.check.symbolic import time_limit


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
