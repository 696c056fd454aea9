"""Limits per answer: the CPU time and memory one answer may take to be checked.

An answer is checked in a process forked from the warmed-up checker, under ``RLIMIT_CPU``
(CPU seconds, not wall-clock time: a loaded machine does not make an answer fail) and
``RLIMIT_AS`` (the address space the checker holds when it forks, plus the answer's
allowance: what the checker already holds, which varies with the machine's libraries and
threads, is not charged to the answer). A process
that goes over its CPU time is ended by the kernel (SIGXCPU); one that asks for more memory
gets a MemoryError or is ended. Either way the answer is reported as too long or too large
to check, and the caller goes on. :func:`run_limited` checks one answer so;
:mod:`symbackprop.check.grading.parallel` grades many in long-lived workers, each answer
under its own CPU allowance.

Where processes cannot be forked or limited (no ``fork`` or no :mod:`resource`), answers are
checked in the calling process without limits.
"""

from __future__ import annotations

import math
import os
import pickle
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import FormulaError

DEFAULT_CPU_SECONDS = 10
DEFAULT_MEMORY_MB = 512
MEMORY_EXIT = 3
"""The status of a worker that ran out of memory while checking an answer."""
RETIRED_EXIT = 4
"""The status of a worker that left after an answer because it had grown by more than half
its memory allowance (what it keeps between answers); a fresh one takes over."""
MEMORY_ERROR_TEXT = "the formula is too large to check"
RAISE_HINT = "--answer-cpu SECONDS and --answer-memory MB raise the limits (0: no limit)"


@dataclass(frozen=True)
class AnswerLimits:
    """CPU seconds and megabytes one answer may take; 0 means no bound on that resource."""

    cpu_seconds: int = DEFAULT_CPU_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB

    @property
    def bounded(self) -> bool:
        return bool(self.cpu_seconds or self.memory_mb)

    def too_long(self) -> str:
        return f"too long to check (over {self.cpu_seconds} s of CPU)"

    def too_large(self) -> str:
        return f"too large to check (over {self.memory_mb} MB)"


NO_LIMITS = AnswerLimits(0, 0)


def enforceable() -> bool:
    """Whether this platform can fork a process and bound its CPU time and memory."""
    import multiprocessing

    try:
        import resource  # noqa: F401
    except ImportError:  # pragma: no cover - not POSIX
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def limit_this_process(limits: AnswerLimits) -> int | None:
    """In a forked child: no core files, the default action of SIGXCPU (end the process),
    and the address space bounded to what it holds now plus ``limits.memory_mb``.

    Return that bound in bytes (None without a memory limit)."""
    import resource

    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    size = None
    if limits.memory_mb:
        size = (address_space() or 0) + limits.memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            size = min(size, hard)
        resource.setrlimit(resource.RLIMIT_AS, (size, hard))
    return size


def cpu_used() -> float:
    """CPU seconds (user and system) this process has used."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def allow_cpu(limits: AnswerLimits) -> None:
    """Let this process use ``limits.cpu_seconds`` more CPU seconds (rounded up to the
    kernel's whole seconds), then be ended by SIGXCPU."""
    import resource

    if not limits.cpu_seconds:
        return
    soft = math.ceil(cpu_used() + limits.cpu_seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def address_space() -> int | None:
    """The bytes of address space this process holds (Linux), or None where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None


def ending_reason(status: int, cpu_seconds: float, limits: AnswerLimits) -> str:
    """Why a child that ended with ``status`` (from ``os.wait``) after ``cpu_seconds`` on
    its answer gave no result."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (limits.cpu_seconds and cpu_seconds >= limits.cpu_seconds):
            return limits.too_long()
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGKILL) \
                and limits.memory_mb:
            return limits.too_large()
        return f"could not be checked (the checking process was ended by signal {sig})"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == MEMORY_EXIT:
        return limits.too_large()
    return f"could not be checked (the checking process ended with status {code})"


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, or fewer if it ends first."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def send(fd: int, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    write_all(fd, len(data).to_bytes(8, "little") + data)


def receive(fd: int) -> tuple[bool, Any]:
    """(True, the value) sent by :func:`send`, or (False, None) if the pipe ended first."""
    head = read_exact(fd, 8)
    if len(head) < 8:
        return False, None
    size = int.from_bytes(head, "little")
    data = read_exact(fd, size)
    if len(data) < size:
        return False, None
    return True, pickle.loads(data)  # written by send() in a child forked from here


def run_limited(func: Callable[[], Any], limits: AnswerLimits) -> Any:
    """``func()`` run in a forked child under ``limits``; its value (or the
    :class:`~symbackprop.errors.SymbackpropError` it raised, raised again here).

    Over a limit, raise :class:`FormulaError` saying which. Without limits, or where they
    cannot be enforced, ``func`` runs here.
    """
    if not limits.bounded or not enforceable():
        return func()
    from ...errors import SymbackpropError

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is checked by the parent
        status = 1
        try:
            os.close(read_fd)
            limit_this_process(limits)
            allow_cpu(limits)
            try:
                outcome: tuple[str, Any] = ("value", func())
            except SymbackpropError as exc:
                outcome = ("error", exc)
            except MemoryError:
                status = MEMORY_EXIT
                raise
            except Exception as exc:  # a fault in the checker, told apart from a limit
                outcome = ("fault", f"{type(exc).__name__}: {exc}")
            send(write_fd, outcome)
            status = 0
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        received, outcome = receive(read_fd)
    finally:
        os.close(read_fd)
        _, status, usage = os.wait4(pid, 0)
    if received:
        kind, value = outcome
        if kind == "error":
            raise value
        if kind == "fault":
            raise FormulaError(f"the answer could not be checked ({value})")
        return value
    reason = ending_reason(status, usage.ru_utime + usage.ru_stime, limits)
    subject = "the answer" if reason.startswith("could not") else "the answer is"
    raise FormulaError(f"{subject} {reason}", hint=RAISE_HINT)
