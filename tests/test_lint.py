"""The code base is ruff clean (the configuration lives in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT


def test_ruff_is_clean() -> None:
    targets = [p for p in ("symbackprop", "tests", "benchmarks", "scripts")
               if (ROOT / p).exists()]
    out = subprocess.run([sys.executable, "-m", "ruff", "check", *targets], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
