"""Input files: read within the size bound whatever they are (a device, a link to one, an
endless standard input), and a FIFO without a writer is refused instead of waited on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import ROOT

from symbackprop import input_files
from symbackprop.cli.app import main
from symbackprop.errors import SpecError
from symbackprop.input_files import read_input

MAZUR = ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(input_files, "FIFO_WAIT_SECONDS", 0.3)
    monkeypatch.setattr(input_files, "FIFO_WRITER_WAIT_SECONDS", 0.3)
    return 0.3


def _fifo(tmp_path: Path, name: str = "pipe") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 100)
    assert read_input(p, 100) == b"x" * 100
    with pytest.raises(SpecError, match="larger than 99 bytes"):
        read_input(p, 99)


@pytest.mark.parametrize("link", [False, True])
def test_dev_zero_and_a_link_to_it_stop_at_the_bound(tmp_path: Path, link: bool) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    path = Path("/dev/zero")
    if link:
        path = tmp_path / "answers.yaml"
        path.symlink_to("/dev/zero")
    start = time.monotonic()
    with pytest.raises(SpecError, match="larger than 1000 bytes") as info:
        read_input(path, 1000, what="the answers file")
    assert info.value.file == str(path)
    assert time.monotonic() - start < 2


def test_answers_from_dev_zero_are_refused_by_the_command(tmp_path: Path) -> None:
    link = tmp_path / "class.yaml"
    link.symlink_to("/dev/zero")
    for answers in ("/dev/zero", str(link)):
        result = CliRunner().invoke(main, ["check", str(MAZUR), "--answers", answers])
        assert result.exit_code == 2, result.output
        assert "larger than 20000000 bytes" in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--max-bytes", "100000", "derive", "-"],
     "<stdin>:1: (file): file is larger than 100000 bytes"),
    (["check", str(MAZUR), "--answers", "-"],
     "<stdin>:1: (file): the answers file is larger than 20000000 bytes (split the "
     "answers into files of at most 20 MB)"),
])
def test_an_endless_standard_input_stops_at_the_bound(args: list[str], says: str) -> None:
    # `yes` never ends: without a bound the process would grow until it is killed
    yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE)
    try:
        done = subprocess.run([sys.executable, "-m", "symbackprop", *args],
                              stdin=yes.stdout, capture_output=True,
                              text=True, timeout=60, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        yes.kill()
        yes.wait()
        assert yes.stdout is not None
        yes.stdout.close()
    assert done.returncode == 2
    assert says in done.stderr


def test_a_spec_comes_from_standard_input() -> None:
    text = MAZUR.read_text(encoding="utf-8")
    from_stdin = CliRunner().invoke(main, ["derive", "-", "--param", "w5"], input=text)
    from_file = CliRunner().invoke(main, ["derive", str(MAZUR), "--param", "w5"])
    assert from_stdin.exit_code == 0, from_stdin.output
    assert from_stdin.stdout == from_file.stdout
    broken = CliRunner().invoke(main, ["derive", "-"], input="inputs: [x\n")
    assert broken.exit_code == 2 and broken.stderr.startswith("error: <stdin>:")


@needs_fifo
def test_a_fifo_without_a_writer_is_refused_after_the_wait(tmp_path: Path,
                                                           short_wait: float) -> None:
    start = time.monotonic()
    with pytest.raises(SpecError, match="nothing came through the FIFO"):
        read_input(_fifo(tmp_path), 1000)
    assert time.monotonic() - start < short_wait + 2


@needs_fifo
def test_a_fifo_whose_writer_comes_late_is_read(tmp_path: Path, short_wait: float) -> None:
    path = _fifo(tmp_path)

    def write() -> None:
        time.sleep(short_wait / 3)
        with path.open("wb") as fh:
            fh.write(b"abc")
            fh.flush()
            time.sleep(short_wait / 3)
            fh.write(b"def")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert read_input(path, 1000) == b"abcdef"
    finally:
        writer.join()


@needs_fifo
def test_a_writer_that_opens_the_fifo_may_be_slower_to_write_than_to_come(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_files, "FIFO_WRITER_WAIT_SECONDS", 0.3)
    monkeypatch.setattr(input_files, "FIFO_WAIT_SECONDS", 5.0)
    path = _fifo(tmp_path)

    def write() -> None:
        with path.open("wb") as fh:  # opens at once, then thinks for longer than 0.3 s
            time.sleep(1.0)
            fh.write(b"abc")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert read_input(path, 1000) == b"abc"
    finally:
        writer.join()


@needs_fifo
def test_a_writer_that_never_writes_is_given_the_longer_wait(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(input_files, "FIFO_WRITER_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(input_files, "FIFO_WAIT_SECONDS", 0.8)
    path = _fifo(tmp_path)
    opened, done = threading.Event(), threading.Event()

    def hold() -> None:
        with path.open("wb"):
            opened.set()
            done.wait(10)

    writer = threading.Thread(target=hold)
    writer.start()
    try:
        start = time.monotonic()
        with pytest.raises(SpecError) as info:
            read_input(path, 1000)
        assert opened.is_set()
        assert time.monotonic() - start >= 0.8
        assert info.value.message == "nothing came through the FIFO for 0.8 seconds"
    finally:
        done.set()
        writer.join()


@needs_fifo
def test_derive_of_a_fifo_nobody_writes_to_ends_within_ten_seconds(tmp_path: Path) -> None:
    fifo = _fifo(tmp_path)
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "symbackprop", "derive", str(fifo)],
                          capture_output=True, text=True, timeout=10, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert done.stderr == (f"error: {fifo}: (file): nothing came through the FIFO for 5 seconds "
                           "(no program opened it to write) (start the program that writes to "
                           "it, or give a file)\n")
    assert time.monotonic() - start < 10


@needs_fifo
def test_a_fifo_that_never_ends_stops_at_the_bound(tmp_path: Path) -> None:
    path = _fifo(tmp_path)
    stop = threading.Event()

    def write() -> None:
        try:
            with path.open("wb") as fh:
                while not stop.is_set():
                    fh.write(b"x" * 4096)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with pytest.raises(SpecError, match="larger than 100000 bytes"):
            read_input(path, 100_000)
    finally:
        stop.set()
        writer.join()


@needs_fifo
@pytest.mark.parametrize("args", [
    *([command, "{fifo}"] for command in ("derive", "eval", "gradcheck", "codegen", "graph",
                                          "notes", "names")),
    ["check", "{fifo}", "--param", "w5", "--formula", "0"],
    *([command, str(MAZUR), "--at", "{fifo}"] for command in ("derive", "eval", "gradcheck")),
    ["check", str(MAZUR), "--answers", "{fifo}"],
    ["check", str(MAZUR), "--param", "w5", "--formula-file", "{fifo}"],
    ["check", str(MAZUR), "--derivation", "{fifo}"],
    ["grade", "{fifo}", str(MAZUR), "-o", "{out}"],
    ["grade", "{assignment}", "{answers}", "-o", "{out}"],  # the assignment's spec: a FIFO
])
def test_no_command_waits_on_a_fifo_without_a_writer(tmp_path: Path, short_wait: float,
                                                     args: list[str]) -> None:
    fifo = str(_fifo(tmp_path))
    files = {"{fifo}": fifo, "{out}": str(tmp_path / "results.json"),
             "{assignment}": str(_assignment(tmp_path, fifo)),
             "{answers}": str(_answers(tmp_path))}
    start = time.monotonic()
    result = CliRunner().invoke(main, [files.get(a, a) for a in args])
    assert result.exit_code == 2, result.output
    assert "nothing came through the FIFO" in result.stderr
    assert time.monotonic() - start < short_wait + 10
    assert not (tmp_path / "results.json").exists()


def _assignment(tmp_path: Path, spec: Path | str) -> Path:
    path = tmp_path / "assignment.yaml"
    path.write_text(f"spec: {spec}\nquestions:\n  - {{id: q1, param: w5, points: 1}}\n",
                    encoding="utf-8")
    return path


def _answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text("- id: q1\n  formula: delta_o1*out_h1\n", encoding="utf-8")
    return path


@needs_fifo
def test_a_submission_fifo_without_a_writer_scores_zero_without_waiting(
        tmp_path: Path, short_wait: float) -> None:
    import json

    out = tmp_path / "results.json"
    start = time.monotonic()
    result = CliRunner().invoke(main, ["grade", str(_assignment(tmp_path, MAZUR)),
                                       str(_fifo(tmp_path)), "-o", str(out),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output  # grading ran: the submission scores 0
    assert time.monotonic() - start < short_wait + 10
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["score"] == 0
    assert "nothing came through the FIFO" in results["submission_error"]


def test_a_folder_or_a_socket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="is a directory"):
        read_input(tmp_path, 1000)
    sock_path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(sock_path))
        with pytest.raises(SpecError):
            read_input(sock_path, 1000)
