"""Writing output files whole or not at all, without harming what is already there.

What :func:`write_output_file` does with each kind of target:

* **a new file**: written to a temporary file in the same folder, then renamed into place,
  with the usual permissions (0666 less the umask);
* **an existing regular file**: replaced the same way, keeping its permission bits (0600
  stays 0600) and, where the system allows, its owner; a file without any write permission
  (0444) is refused, as the shell's ``>`` refuses it;
* **a symbolic link**: followed, like the shell's ``>``: the file it points to is replaced
  (with the rules above) and the link stays a link;
* **a character device or FIFO** (``/dev/null``, a named pipe): written through, never
  replaced by a regular file; a FIFO that no program opens to read within
  :data:`FIFO_READER_WAIT_SECONDS` is refused instead of waited on for ever;
* **the process's own output** (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``,
  ``/proc/self/fd/N``): written to that open descriptor, as ``-`` is, wherever the shell
  sent it (a pipe, a terminal, a file opened for appending is appended to);
* **a folder, block device or socket**: refused;
* **one of the command's own input files** (the spec, a values file, an answers file), by
  any path, symbolic or hard link: refused, so ``derive s.yaml -o s.yaml`` cannot destroy
  the spec.

A write interrupted by Ctrl-C, SIGTERM or SIGHUP removes its temporary file before the
process ends the way the signal asks; a SIGHUP ignored from the start (``nohup``) stays
ignored. Every failure is a :class:`SymbackpropError` naming
the file (exit status 2); nothing is left half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

from .errors import SymbackpropError

# Signals that end the process by default and can be caught; SIGINT raises
# KeyboardInterrupt on its own. SIGKILL cannot be caught by any program.
_CAUGHT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                        if hasattr(signal, name))


class _Interrupted(BaseException):
    """A caught signal, turned into an exception so that the temporary file is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fail(path: Path | str, message: str, hint: str | None = None) -> SymbackpropError:
    return SymbackpropError(message, file=str(path), field="output", hint=hint)


def _os_failure(path: Path | str, exc: OSError) -> SymbackpropError:
    reason = exc.strerror or str(exc)
    hint = None
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "choose a folder you can write to"
    elif exc.errno == errno.ENOSPC:
        hint = "free some space"
    return _fail(path, f"cannot write the output: {reason.lower()}", hint)


def _identity(path: Path | str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check_not_an_input(path: Path | str, inputs: Iterable[Path | str]) -> None:
    """Refuse ``path`` when it is (by any name, link or hard link) one of ``inputs``."""
    target = _identity(path)
    if target is None:
        return
    for source in inputs:
        if source in (None, "", "-"):
            continue
        if _identity(source) == target:
            raise _fail(path, f"refusing to overwrite the input file {source}",
                        hint="choose another output file")


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`_Interrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    for sig in _CAUGHT_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_IGN:
            continue  # ignored by whoever started the process (nohup): it stays ignored
        with contextlib.suppress(OSError, ValueError):  # e.g. an embedded interpreter
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _resend(signum: int) -> None:
    """End the process as the signal would have (its handler is restored by now)."""
    os.kill(os.getpid(), signum)


@contextlib.contextmanager
def ending_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP unwind it as Ctrl-C does (``finally`` clauses
    and context managers run: temporary files are removed, child processes killed), then
    the process ends the way the signal asks. A signal the process was started with
    ignored (``nohup``) stays ignored."""
    try:
        with _signals_raise():
            yield
    except _Interrupted as stop:
        _resend(stop.signum)
        raise SystemExit(128 + stop.signum) from None


FIFO_READER_WAIT_SECONDS = 5.0
"""How long an output FIFO may wait for a program to open it to read before it is refused."""


def _open_fifo(path: Path) -> int:
    """A FIFO opened to write once a reader has opened it, waiting no longer than
    :data:`FIFO_READER_WAIT_SECONDS` (opening it the usual way would wait for ever)."""
    deadline = time.monotonic() + FIFO_READER_WAIT_SECONDS
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise _os_failure(path, exc) from None
            if time.monotonic() >= deadline:
                raise _fail(path, f"no program opened the FIFO to read for "
                                  f"{FIFO_READER_WAIT_SECONDS:g} seconds",
                            hint="start the program that reads from it, or give a file"
                            ) from None
            time.sleep(0.05)
            continue
        os.set_blocking(fd, True)
        return fd


def _write_through(path: Path, data: bytes) -> None:
    """Write into an existing device or FIFO without replacing it."""
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):
            fd = _open_fifo(path)
        else:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _os_failure(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except BrokenPipeError:
        return  # the reader went away, as with any pipe
    except OSError as exc:
        raise _os_failure(path, exc) from None


def _replace(path: Path, data: bytes, old: os.stat_result | None) -> None:
    """Write ``data`` to a temporary file next to ``path`` and rename it over ``path``."""
    folder = path.parent
    if not folder.is_dir():
        raise _fail(path, "the output folder does not exist",
                    hint=f"create {folder} first" if str(folder) not in ("", ".") else None)
    tmp: str | None = None
    with ending_on_signals():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            if old is None:
                os.chmod(tmp, 0o666 & ~_umask())
            else:
                os.chmod(tmp, stat.S_IMODE(old.st_mode))
                with contextlib.suppress(OSError):
                    if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                        os.chown(tmp, old.st_uid, old.st_gid)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            raise _os_failure(path, exc) from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _descriptor(path: Path) -> int | None:
    """The open descriptor that ``path`` names (``/dev/stdout`` is 1), or None."""
    text = os.path.normpath(str(path))
    names = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
    if text in names:
        return names[text]
    for folder in ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/"):
        if text.startswith(folder) and text[len(folder):].isdigit():
            return int(text[len(folder):])
    return None


def _write_descriptor(path: Path, fd: int, data: bytes) -> None:
    """Write into an open descriptor of this process, at its own position."""
    if fd in (1, 2):
        (sys.stdout if fd == 1 else sys.stderr).flush()  # what was printed comes first
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        return  # the reader went away, as with any pipe
    except OSError as exc:
        raise _os_failure(path, exc) from None


def is_file_target(path: Path | str) -> bool:
    """Whether writing to ``path`` makes or replaces a regular file (not a descriptor of
    this process, a device or a FIFO): only then is there a folder to put files beside it."""
    path = Path(path)
    if _descriptor(path) is not None:
        return False
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def write_output_file(path: Path | str, data: bytes, *,
                      inputs: Iterable[Path | str] = ()) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module's rules)."""
    path = Path(path)
    check_not_an_input(path, inputs)
    fd = _descriptor(path)
    if fd is not None:
        _write_descriptor(path, fd, data)
        return
    try:
        st = os.stat(path)  # follows a symbolic link to what it points to
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _os_failure(path, exc) from None
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if st is None:
        _replace(path, data, None)
        return
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _fail(path, "the output is a folder", hint="give a file name")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        _write_through(path, data)
        return
    if not stat.S_ISREG(mode):
        raise _fail(path, "the output is neither a file, a character device nor a FIFO")
    if stat.S_IMODE(mode) & 0o222 == 0 or not os.access(path, os.W_OK):
        raise _fail(path, "the output file is read-only",
                    hint="make it writable or choose another file")
    _replace(path, data, st)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (no input files to protect)."""
    write_output_file(path, data)
