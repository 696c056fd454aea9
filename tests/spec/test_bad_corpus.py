"""The corpus of malformed and hostile inputs: every one exits 2 with one located line.

Each file in tests/data/bad/ runs in a forked child of the test process (SymPy already
imported), with its address space capped at 200 MB above the parent's, and must finish in
under 2 s of CPU time with exit status 2 and exactly one line on stderr naming the file,
the line and the field: ``error: FILE:LINE: FIELD: message``. No traceback, nothing on
stdout. ``tests/data/make_bad_corpus.py`` writes most of the cases and their expectations
(``expected.json``); hand-written ones carry ``# expect-line:`` and ``# expect:`` comments.
"""

from __future__ import annotations

import json
import os
import re
import resource
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from paths import DATA

import symbackprop.network.derivation
import symbackprop.numeric.evaluation
import symbackprop.render.derivations
import symbackprop.render.numeric_reports
from symbackprop.cli.app import main

# what the commands import when they run is imported here, so each forked child starts warm
WARM = (symbackprop.network.derivation, symbackprop.numeric.evaluation,
        symbackprop.render.derivations, symbackprop.render.numeric_reports)

BAD = DATA / "bad"
EXPECTED: dict[str, dict[str, Any]] = json.loads((BAD / "expected.json").read_text("utf-8"))
CASES = sorted(p for p in BAD.iterdir() if p.name != "expected.json")
MEMORY = 200 * 2**20
CPU_SECONDS = 2.0


def test_the_corpus_is_large_and_written_out() -> None:
    assert len(CASES) >= 150
    assert set(EXPECTED) <= {p.name for p in CASES}, "run tests/data/make_bad_corpus.py"


def _expectations(path: Path) -> tuple[list[str], int | None, str | None]:
    if path.name in EXPECTED:
        e = EXPECTED[path.name]
        return [str(a).replace("{file}", str(path)) for a in e["args"]], e["line"], e["message"]
    text = path.read_text("utf-8")
    line = re.search(r"# expect-line: (\d+)", text)
    message = re.search(r"# expect: (.+)", text)
    return (["derive", str(path)], int(line.group(1)) if line else None,
            message.group(1) if message else None)


def _virtual_memory() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for row in status:
            if row.startswith("VmSize:"):
                return int(row.split()[1]) * 1024
    raise RuntimeError("no VmSize")  # pragma: no cover - Linux only


def run_bounded(args: list[str]) -> tuple[int, str, str, float]:
    """Run the CLI in a forked child capped at MEMORY more bytes: exit code, stdout, stderr,
    CPU seconds."""
    read, write = os.pipe()
    limit = _virtual_memory() + MEMORY
    pid = os.fork()
    if pid == 0:  # the child: bounded, reports through the pipe, never returns
        code = 99
        try:
            os.close(read)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            result = CliRunner().invoke(main, args, catch_exceptions=True)
            report = {"code": result.exit_code, "out": result.stdout, "err": result.stderr,
                      "exception": repr(result.exception)
                      if result.exception and not isinstance(result.exception, SystemExit)
                      else None}
            with os.fdopen(write, "w", encoding="utf-8") as pipe:
                pipe.write(json.dumps(report))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        text = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and text, "the child died"
    report = json.loads(text)
    assert report["exception"] is None, report["exception"]
    return report["code"], report["out"], report["err"], usage.ru_utime + usage.ru_stime


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/status").exists(),
                    reason="needs fork and /proc")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_bad_input_exits_2_with_one_located_line(path: Path) -> None:
    args, line, message = _expectations(path)
    code, out, err, seconds = run_bounded(args)
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    prefix = f"error: {path}:"
    assert lines[0].startswith(prefix), lines[0]
    m = re.match(rf"{re.escape(prefix)}(\d+): ([^ :]+|\(top level\)): ", lines[0])
    assert m is not None, f"no line and field in {lines[0]!r}"
    if line is not None:
        assert int(m.group(1)) == line, lines[0]
    if message is not None:
        assert message in lines[0], lines[0]
    assert seconds < CPU_SECONDS, f"{seconds:.2f} s of CPU"
