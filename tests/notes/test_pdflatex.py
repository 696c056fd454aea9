"""The pdflatex runner: a run stopped by a signal kills pdflatex and removes its folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from paths import ROOT

# the stand-in for pdflatex says where it runs and then waits, as a long compilation does
FAKE_PDFLATEX = """#!/bin/sh
pwd > "$SYMBACKPROP_TEST_FOLDER_FILE"
echo $$ > "$SYMBACKPROP_TEST_PID_FILE.tmp"
mv "$SYMBACKPROP_TEST_PID_FILE.tmp" "$SYMBACKPROP_TEST_PID_FILE"
exec sleep 60
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.parametrize("command", [False, True])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_pdflatex_kills_it_and_removes_its_folder(tmp_path: Path,
                                                                  signum: int,
                                                                  command: bool) -> None:
    bin_dir, scratch = tmp_path / "bin", tmp_path / "tmp"
    bin_dir.mkdir()
    scratch.mkdir()
    fake = bin_dir / "pdflatex"
    fake.write_text(FAKE_PDFLATEX)
    fake.chmod(0o755)
    pid_file, folder_file = tmp_path / "pid", tmp_path / "folder"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT),
           "SYMBACKPROP_TEST_PID_FILE": str(pid_file),
           "SYMBACKPROP_TEST_FOLDER_FILE": str(folder_file)}
    script = ("from symbackprop.notes.pdflatex import compile_tex\n"
              "compile_tex('\\\\documentclass{article}\\\\begin{document}x\\\\end{document}')\n")
    out = tmp_path / "out" / "notes.tex"
    out.parent.mkdir()
    # the command `notes --pdf`, or the runner called from Python
    args = ["-m", "symbackprop", "notes", str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"),
            "-o", str(out), "--pdf"] if command else ["-c", script]
    with subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as child:
        deadline = time.monotonic() + 60
        while not pid_file.exists():
            assert child.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        pid = int(pid_file.read_text())
        folder = Path(folder_file.read_text().strip())
        assert folder.parent == scratch and (folder / "notes.tex").exists()
        child.send_signal(signum)
        code = child.wait(timeout=30)
    assert code != 0
    if signum != signal.SIGINT:
        assert code == -signum  # the process ends as the signal asks
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "pdflatex outlived the command"
    assert list(scratch.iterdir()) == []
    assert not out.with_suffix(".pdf").exists()  # no PDF, whole or half
    assert [p.name for p in out.parent.iterdir()] in ([], ["notes.tex"])
