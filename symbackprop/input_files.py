"""Reading an input file whole, within a size bound, without ever waiting on an empty FIFO.

Every file a command reads (a spec, a values file, an answers file, a formula or a
derivation) comes through :func:`read_input`, which treats each kind of path alike:

* ``-`` is standard input, read to its end or one byte past the bound, whichever comes first:
  an endless stream (``yes | symbackprop derive -``) is refused at the bound;
* **a regular file** is read up to one byte past the bound;
* **a character device** (``/dev/zero``) or a symbolic link to one is read the same way, so
  that a device that never ends is refused at the bound;
* **a FIFO** (a named pipe, ``<(…)``) is opened without waiting for a writer; if no program
  opens it to write within :data:`FIFO_WRITER_WAIT_SECONDS` it is refused; once a writer is
  there it is read as data arrives, and refused if nothing arrives for
  :data:`FIFO_WAIT_SECONDS` (a writer that never writes) instead of hanging;
* **a folder, a socket or a block device** is refused.

Each failure is a :class:`SpecError` naming the file (exit status 2).
"""

from __future__ import annotations

import contextlib
import os
import select
import stat
import sys
import time
from pathlib import Path

from .errors import SpecError

STDIN = "-"
STDIN_NAME = "<stdin>"
"""How an error names standard input."""

FIFO_WAIT_SECONDS = 10.0
"""How long a FIFO's writer may stay silent before the FIFO is refused."""

FIFO_WRITER_WAIT_SECONDS = 5.0
"""How long a FIFO may wait for a program to open it to write before it is refused."""

_CHUNK = 1 << 16
_SLICE_SECONDS = 0.1


def shown_name(path: str | Path) -> str:
    """The name an error gives ``path``: ``<stdin>`` for ``-``, else the path as given."""
    return STDIN_NAME if str(path) == STDIN else str(path)


def read_input(path: str | Path, max_bytes: int, *, what: str = "file",
               hint: str | None = None) -> bytes:
    """The bytes of ``path`` (``-``: standard input), refused past ``max_bytes``.

    ``what`` names the file in messages (``the answers file``); ``hint`` is shown with a
    refusal for size.

    >>> read_input("pyproject.toml", 10_000_000)[:14]  # doctest: +SKIP
    b'[build-system]'
    """
    file = shown_name(path)
    if str(path) == STDIN:
        raw = _read_stdin(max_bytes, file)
    else:
        raw = _read_path(Path(path), max_bytes, file, what)
    if len(raw) > max_bytes:
        raise SpecError(f"{what} is larger than {max_bytes} bytes", file=file, line=1,
                        field="(file)", hint=hint)
    return raw


def _read_stdin(max_bytes: int, file: str) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # stdin replaced by a text stream (a test runner, an embedding)
        text = sys.stdin.read(max_bytes + 1) if sys.stdin is not None else ""
        return text.encode("utf-8", "surrogateescape")
    try:
        return _read_stream(stream, max_bytes)
    except OSError as exc:
        raise SpecError(f"cannot read: {(exc.strerror or str(exc)).lower()}",
                        file=file) from None


def _read_stream(stream: object, max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of a blocking stream, in chunks."""
    parts: list[bytes] = []
    left = max_bytes + 1
    while left > 0:
        chunk = stream.read(min(left, _CHUNK))  # type: ignore[attr-defined]
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _read_path(p: Path, max_bytes: int, file: str, what: str) -> bytes:
    try:
        # O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise SpecError("no such file", file=file, hint="check the path") from None
    except IsADirectoryError:
        raise SpecError(f"is a directory, not a {_bare(what)}", file=file) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {(exc.strerror or str(exc)).lower()}",
                        file=file) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SpecError(f"is a directory, not a {_bare(what)}", file=file)
        if stat.S_ISREG(mode) or stat.S_ISCHR(mode):
            os.set_blocking(fd, True)
            with os.fdopen(fd, "rb", closefd=False) as stream:
                return _read_stream(stream, max_bytes)
        if stat.S_ISFIFO(mode):
            return _read_fifo(fd, max_bytes, file)
        raise SpecError("is neither a file, a character device nor a FIFO", file=file,
                        hint=f"give the {_bare(what)} as a file or on standard input (-)")
    except OSError as exc:
        raise SpecError(f"cannot read: {(exc.strerror or str(exc)).lower()}",
                        file=file) from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _read_fifo(fd: int, max_bytes: int, file: str) -> bytes:
    """A FIFO read as bytes arrive, refused when no writer comes within
    FIFO_WRITER_WAIT_SECONDS or a writer stays silent for FIFO_WAIT_SECONDS.

    Opened without waiting, a FIFO reads as ended while no writer has come, and a read
    would block (``EAGAIN``) while a writer is there with nothing written; a poll wakes when
    one writes or comes and goes. So an end is believed only once a writer has been seen: a
    writer that is just starting still gets its turn. The poll is taken in short slices, so
    that a writer that opens the FIFO and is slow to write is seen as there."""
    parts: list[bytes] = []
    left = max_bytes + 1
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    seen_writer = False
    silent_since = time.monotonic()
    while left > 0:
        try:
            chunk: bytes | None = os.read(fd, min(left, _CHUNK))
        except BlockingIOError:  # a writer is there, with nothing written yet
            chunk = None
            if not seen_writer:
                seen_writer, silent_since = True, time.monotonic()
        if chunk:
            parts.append(chunk)
            left -= len(chunk)
            seen_writer, silent_since = True, time.monotonic()
            continue
        if chunk == b"" and seen_writer:
            break  # every writer has closed: the end
        wait = FIFO_WAIT_SECONDS if seen_writer else FIFO_WRITER_WAIT_SECONDS
        remaining = silent_since + wait - time.monotonic()
        if remaining <= 0:
            said = "" if seen_writer else " (no program opened it to write)"
            raise SpecError(f"nothing came through the FIFO for {wait:g} seconds{said}",
                            file=file, field="(file)",
                            hint="start the program that writes to it, or give a file")
        if poller.poll(int(min(remaining, _SLICE_SECONDS) * 1000) + 1):
            seen_writer = True  # the poll woke: a writer wrote, or came and went
    return b"".join(parts)


def _bare(what: str) -> str:
    return what.removeprefix("the ")
