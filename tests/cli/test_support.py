"""The collector held off while a command builds, and frozen only where the process ends."""

from __future__ import annotations

import gc
import subprocess
import sys

from click.testing import CliRunner
from paths import ROOT

from symbackprop.cli.app import main

SEED_004 = str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml")


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return done.stdout + done.stderr


def test_what_a_paused_block_made_is_frozen_only_in_a_process_that_ends_with_it() -> None:
    code = ("import gc\nfrom symbackprop.cli import support\n{}"
            "with support.collector_paused():\n"
            "    assert not gc.isenabled()\n"
            "    made = [[k] for k in range(5000)]\n"
            "print(gc.isenabled(), gc.get_freeze_count() >= 5000)\n")
    assert _python(code.format("")).split() == ["True", "False"]
    assert _python(code.format("support.ends_with_command()\n")).split() == ["True", "True"]


def test_the_console_command_ends_its_process_and_a_caller_of_main_does_not() -> None:
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
            f"sys.argv = ['symbackprop', 'derive', {SEED_004!r}, '--form', 'delta']\n"
            "from symbackprop.cli.app import run\nrun()\n")
    out = _python(code)
    assert "∂E_total/∂w5\n" in out and out.rstrip().endswith("frozen True")
    before = gc.get_freeze_count()
    result = CliRunner().invoke(main, ["derive", SEED_004, "--form", "delta"])
    assert result.exit_code == 0 and gc.isenabled()
    assert gc.get_freeze_count() == before
