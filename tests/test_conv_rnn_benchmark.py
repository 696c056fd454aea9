"""The convolution and recurrence benchmark runs every row on tiny networks (no timings are
asserted: the targets live in the printed table)."""

from __future__ import annotations

import subprocess
import sys

from paths import ROOT


def test_quick_run_measures_every_row() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/conv_rnn.py", "--quick", "--limit", "300"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")][2:]
    commands = [row.split("|")[2].strip() for row in rows]
    assert commands == ["derive --form delta -o (index form)",
                        "gradcheck --method directional", "codegen -o",
                        "generated loss_and_grad, batch 64", "PyTorch autograd, batch 64",
                        "derive --form delta -o (every gradient)"]
    outcomes = [row.split("|")[6].strip() for row in rows]
    assert outcomes[:3] == ["ok", "ok", "ok"] and outcomes[5] == "ok"
    assert outcomes[3].startswith("generated ") and outcomes[3].endswith(" ms")
    assert outcomes[4] == "not installed" or outcomes[4].startswith("torch ")
