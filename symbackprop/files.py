"""Writing output files whole or not at all, without harming what is already there.

What :func:`write_output_file` does with each kind of target:

* **a new file**: written to a temporary file in the same folder, then renamed into place,
  with the usual permissions (0666 less the umask);
* **an existing regular file**: replaced the same way, keeping its permission bits (0600
  stays 0600) and, where the system allows, its owner; a file without any write permission
  (0444) is refused, as the shell's ``>`` refuses it;
* **a symbolic link**: followed, like the shell's ``>``: the file it points to is replaced
  (with the rules above) and the link stays a link;
* **a character device or FIFO** (``/dev/null``, ``/dev/stdout``, a named pipe): written
  through, never replaced by a regular file;
* **a folder, block device or socket**: refused;
* **one of the command's own input files** (the spec, a values file, an answers file), by
  any path, symbolic or hard link: refused, so ``derive s.yaml -o s.yaml`` cannot destroy
  the spec.

A write interrupted by Ctrl-C, SIGTERM or SIGHUP removes its temporary file before the
process ends the way the signal asks. Every failure is a :class:`SymbackpropError` naming
the file (exit status 2); nothing is left half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
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


def _write_through(path: Path, data: bytes) -> None:
    """Write into an existing device or FIFO without replacing it."""
    try:
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
    try:
        with _signals_raise():
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
    except _Interrupted as stop:
        _resend(stop.signum)
        raise SystemExit(128 + stop.signum) from None


def write_output_file(path: Path | str, data: bytes, *,
                      inputs: Iterable[Path | str] = ()) -> None:
    """Write ``data`` to ``path`` whole or not at all (see the module's rules)."""
    path = Path(path)
    check_not_an_input(path, inputs)
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
