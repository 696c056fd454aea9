"""Output files: written whole or not at all, modes kept, devices and FIFOs written through,
inputs never overwritten, no temporary file left behind by a failure or a signal."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from paths import ROOT

from symbackprop import files
from symbackprop.errors import SymbackpropError
from symbackprop.files import write_atomic, write_output_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_written_file_has_content_and_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    old = os.umask(0o022)
    try:
        write_atomic(target, b"hello")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"hello"
    assert _mode(target) == 0o644


def test_missing_folder_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(SymbackpropError, match="does not exist"):
        write_atomic(tmp_path / "no" / "out.txt", b"x")
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_keeps_the_old_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(SymbackpropError, match="no space left") as info:
        write_atomic(target, b"new")
    assert info.value.file == str(target)
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["out.txt"]


def test_keyboard_interrupt_removes_the_temporary_file(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.txt"

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    assert _names(tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_killed_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    # the child stops inside the write (after the temporary file exists) until signalled
    script = (
        "import os, sys, time\n"
        "import symbackprop.files as files\n"
        "def slow(src, dst):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(60)\n"
        "files.os.replace = slow\n"
        f"files.write_atomic(files.Path({str(tmp_path / 'out.txt')!r}), b'x' * 100000)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, cwd=ROOT) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        assert any(p.name.startswith(".out.txt.") for p in tmp_path.iterdir())
        child.send_signal(signum)
        code = child.wait(timeout=30)
    assert code != 0
    if signum != signal.SIGINT:
        assert code == -signum  # the process ends as the signal asks
    assert _names(tmp_path) == []


def test_a_hangup_ignored_from_the_start_stays_ignored_during_a_write(tmp_path: Path) -> None:
    # as under nohup: SIGHUP is ignored before the write starts, and arrives during it
    script = (
        "import os, signal, time\n"
        "import symbackprop.files as files\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "real = files.os.replace\n"
        "def slow(src, dst):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(1)\n"
        "    real(src, dst)\n"
        "files.os.replace = slow\n"
        f"files.write_atomic(files.Path({str(tmp_path / 'out.txt')!r}), b'x' * 100000)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, cwd=ROOT) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGHUP)
        code = child.wait(timeout=30)
    assert code == 0
    assert (tmp_path / "out.txt").read_bytes() == b"x" * 100000
    assert _names(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("command", ["derive", "notes"])
def test_a_command_started_under_nohup_outlives_a_hangup_while_it_writes(tmp_path: Path,
                                                                        command: str) -> None:
    # nohup starts the command with SIGHUP ignored; the hangup comes while -o is written
    out = tmp_path / "out.tex"
    argv = ["symbackprop", command, str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"),
            "-o", str(out), *(["--format", "latex", "--standalone"] if command == "derive"
                              else [])]
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"
        "import symbackprop.files as files\n"
        "from symbackprop.cli.app import run\n"
        "real = files.os.replace\n"
        "def slow(src, dst):\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(1)\n"
        "    real(src, dst)\n"
        "files.os.replace = slow\n"
        f"sys.argv = {argv!r}\n"
        "run()\n"
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, cwd=ROOT) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        child.send_signal(signal.SIGHUP)
        code = child.wait(timeout=60)
        err = child.stderr.read()
    assert code == 0, err
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\\document") and text.rstrip().endswith("\\end{document}")
    assert _names(tmp_path) == ["out.tex"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_replacing_a_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    target.chmod(mode)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == mode


def test_a_read_only_file_is_refused_and_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(SymbackpropError, match="read-only"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert _mode(target) == 0o444
    assert _names(tmp_path) == ["out.txt"]


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_bytes(b"old")
    real.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert _mode(real) == 0o600
    assert _names(tmp_path) == ["link.txt", "real.txt"]


def test_a_dangling_symlink_creates_its_destination(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "made.txt")
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert (tmp_path / "made.txt").read_bytes() == b"new"


def test_a_fifo_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe")
    reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _names(tmp_path) == ["pipe"]


def test_a_fifo_whose_reader_comes_late_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read_later() -> None:
        time.sleep(0.5)
        received.append(fifo.read_bytes())

    reader = threading.Thread(target=read_later)
    reader.start()
    write_atomic(fifo, b"late")
    reader.join(timeout=30)
    assert received == [b"late"]


def test_a_fifo_nobody_reads_is_refused_instead_of_waited_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files, "FIFO_READER_WAIT_SECONDS", 0.3)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(SymbackpropError) as info:
        write_atomic(fifo, b"nobody")
    assert time.monotonic() - start < 5
    assert info.value.located() == (f"{fifo}: output: no program opened the FIFO to read for "
                                    "0.3 seconds (start the program that reads from it, or "
                                    "give a file)")
    assert _names(tmp_path) == ["pipe"]


def test_a_command_writing_to_a_fifo_nobody_reads_ends(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "symbackprop", "codegen",
                           str(ROOT / "specs" / "seed-004-mazur-2-2-2.yaml"), "-o", str(fifo)],
                          capture_output=True, text=True, timeout=30, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert "no program opened the FIFO to read for 5 seconds" in done.stderr


def test_a_character_device_is_written_through_not_replaced() -> None:
    before = os.stat("/dev/null")
    write_atomic(Path("/dev/null"), b"discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SymbackpropError, match="is a folder"):
        write_atomic(tmp_path, b"x")


def test_an_input_is_never_overwritten_by_any_name(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"inputs: [x]\n")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.yaml"
    link.symlink_to(spec)
    hard = tmp_path / "hard.yaml"
    os.link(spec, hard)
    monkeypatch.chdir(tmp_path / "sub")
    for target in (spec, Path("../spec.yaml"), link, hard, Path("../sub/../link.yaml")):
        with pytest.raises(SymbackpropError, match="refusing to overwrite the input file"):
            write_output_file(target, b"gone", inputs=["../spec.yaml"])
    assert spec.read_bytes() == b"inputs: [x]\n"
    write_output_file(tmp_path / "other.yaml", b"fine", inputs=["../spec.yaml"])


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:
        # root may write into any folder: let the system refuse as it refuses other users
        def refused(*args: object, **kwargs: object) -> tuple[int, str]:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        with pytest.raises(SymbackpropError, match="permission denied") as info:
            write_atomic(folder / "out.txt", b"x")
        assert info.value.hint == "choose a folder you can write to"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


_TO_STDOUT = ("from symbackprop.files import write_output_file; import sys; "
              "print('printed first', flush=False); write_output_file(sys.argv[1], b'written\\n')")


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_the_process_output_is_written_where_the_shell_sent_it(tmp_path: Path,
                                                                name: str) -> None:
    # into a pipe: /dev/stdout resolves to pipe:[…], which is no file to open or replace
    done = subprocess.run([sys.executable, "-c", _TO_STDOUT, name], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "printed first\nwritten\n"
    # into a file opened for appending (>>): appended to, not replaced
    log = tmp_path / "log.txt"
    log.write_text("earlier\n")
    with log.open("a") as out:
        done = subprocess.run([sys.executable, "-c", _TO_STDOUT, name], stdout=out,
                              stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "earlier\nprinted first\nwritten\n"
    assert _names(tmp_path) == ["log.txt"]


def test_a_descriptor_that_is_not_open_is_a_clear_error() -> None:
    with pytest.raises(SymbackpropError, match=r"/dev/fd/97: output: .*bad file descriptor"):
        write_output_file("/dev/fd/97", b"x")
