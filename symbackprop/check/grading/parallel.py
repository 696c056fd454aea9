"""Grade distinct answers in worker processes forked from one warmed-up Checker.

Where processes can be forked (Linux, macOS), the Checker is built and warmed up once in the
parent: the network, its random points, the true gradients of the parameters the answers
name, compiled, and their likely mistakes. Workers are forked from it and inherit all of
that. Each worker takes one answer at a time and keeps what it learns between answers (the
expressions it has compiled, the lines it has read); before each answer it allows itself
the answer's CPU time (:mod:`symbackprop.check.grading.limits`), and its address space is
bounded. A worker ended by a limit costs only the answer it was checking: that answer
becomes an ``error`` row saying which limit, and a fresh worker forked from the parent takes
the next. A worker that has grown past half the memory bound leaves after an answer and is
replaced likewise. Elsewhere the spec is sent to a pool of spawned workers, without limits.
The points are drawn from the same seed everywhere, so a verdict does not depend on which
worker gave it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import selectors
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .limits import (
    MEMORY_ERROR_TEXT,
    MEMORY_EXIT,
    RETIRED_EXIT,
    AnswerLimits,
    address_space,
    allow_cpu,
    cpu_used,
    ending_reason,
    enforceable,
    limit_this_process,
    receive,
    send,
)

if TYPE_CHECKING:
    from ...network.build import Network
    from ...spec.load import NetworkSpec
    from ..judging.verdict import Checker
    from .answers import GradeRow, Key

CHUNKS_PER_JOB = 4
MAX_JOBS = 64

_worker: Checker | None = None


@dataclasses.dataclass
class Graded:
    """Every distinct answer's row, and the CPU seconds its check took."""

    rows: dict[Key, GradeRow]
    seconds: dict[Key, float]


def grade_keys(spec: str | Path | NetworkSpec | Network | Checker, keys: list[Key], *,
               seed: int, jobs: int, limits: AnswerLimits) -> Graded:
    """Every key graded by ``jobs`` workers (at most :data:`MAX_JOBS`), each answer under
    ``limits`` where they can be enforced."""
    from ..judging.verdict import checker_for

    jobs = max(1, min(jobs, MAX_JOBS, len(keys)))
    if not enforceable():  # pragma: no cover - platforms without fork
        return _spawned(spec, keys, seed=seed, jobs=jobs)
    checker = checker_for(spec, seed=seed)
    checker.warm_up(sorted({param for _, param, _, _ in keys if param}))
    return _forked(checker, keys, jobs=jobs, limits=limits)


@dataclasses.dataclass
class _Worker:
    pid: int
    tasks: int
    results: int
    index: int | None = None
    used: float = 0.0


def _forked(checker: Checker, keys: list[Key], *, jobs: int,
            limits: AnswerLimits) -> Graded:
    rows: dict[int, GradeRow] = {}
    seconds: dict[int, float] = {}
    pending = deque(range(len(keys)))
    workers: dict[int, _Worker] = {}
    selector = selectors.DefaultSelector()
    try:
        while pending or workers:
            while pending and len(workers) < jobs:
                worker = _fork(checker, keys, limits, workers.values())
                workers[worker.results] = worker
                selector.register(worker.results, selectors.EVENT_READ)
                _give(worker, pending)
            for ready, _ in selector.select():
                worker = workers[ready.fd]
                received, value = receive(worker.results)
                if received and worker.index is not None:
                    row, used = value
                    rows[worker.index] = row
                    seconds[worker.index] = used - worker.used
                    worker.index, worker.used = None, used
                    _give(worker, pending)
                    continue
                selector.unregister(worker.results)
                del workers[worker.results]
                status, spent = _reap(worker)
                if worker.index is None:
                    continue
                if os.WIFEXITED(status) and os.WEXITSTATUS(status) == RETIRED_EXIT:
                    pending.appendleft(worker.index)
                    continue
                rows[worker.index] = _ended_row(keys[worker.index],
                                                ending_reason(status, spent - worker.used,
                                                              limits))
                seconds[worker.index] = spent - worker.used
    finally:
        for worker in workers.values():
            os.kill(worker.pid, signal.SIGKILL)
            _reap(worker)
        selector.close()
    return Graded({keys[n]: rows[n] for n in range(len(keys))},
                  {keys[n]: seconds[n] for n in range(len(keys))})


def _ended_row(key: Key, reason: str) -> GradeRow:
    from .answers import MAX_SHOWN_FORMULA, GradeRow

    _, param, text, _ = key
    return GradeRow("", param, text[:MAX_SHOWN_FORMULA], "error", error=reason)


def _give(worker: _Worker, pending: deque[int]) -> None:
    """The next answer to ``worker``; with none left, its task pipe is closed and it ends."""
    if not pending:
        if worker.tasks >= 0:
            os.close(worker.tasks)
            worker.tasks = -1
        return
    worker.index = pending.popleft()
    with contextlib.suppress(BrokenPipeError):  # it has ended; its results pipe says so
        send(worker.tasks, worker.index)


def _reap(worker: _Worker) -> tuple[int, float]:
    """The worker's exit status and CPU seconds, its pipes closed."""
    for fd in (worker.tasks, worker.results):
        if fd >= 0:
            os.close(fd)
    worker.tasks = worker.results = -1
    _, status, usage = os.wait4(worker.pid, 0)
    return status, usage.ru_utime + usage.ru_stime


def _fork(checker: Checker, keys: list[Key], limits: AnswerLimits,
          others: Any) -> _Worker:
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    inherited = [fd for w in others for fd in (w.tasks, w.results) if fd >= 0]
    pid = os.fork()
    if pid == 0:  # pragma: no cover - a worker; what it sends is checked by the parent
        status = 1
        try:
            for fd in (*inherited, task_write, result_read):
                os.close(fd)
            status = _serve(checker, keys, limits, task_read, result_write)
        except MemoryError:
            status = MEMORY_EXIT
        finally:
            os._exit(status)
    os.close(task_read)
    os.close(result_write)
    return _Worker(pid, task_write, result_read)


def _serve(checker: Checker, keys: list[Key], limits: AnswerLimits, tasks: int,
           results: int) -> int:  # pragma: no cover - runs in a worker
    """Grade the answers the parent names, one at a time, until it closes the task pipe."""
    from .answers import grade

    bound = limit_this_process(limits)
    retire_at = bound - limits.memory_mb * 1024 * 1024 // 2 if bound else None
    while True:
        received, index = receive(tasks)
        if not received:
            return 0
        allow_cpu(limits)
        try:
            row = grade(checker, keys[index])
        except MemoryError:
            return MEMORY_EXIT
        exhausted = row.verdict == "error" and row.error == MEMORY_ERROR_TEXT
        if exhausted and limits.memory_mb:
            row = dataclasses.replace(row, error=limits.too_large())
        send(results, (row, cpu_used()))
        if exhausted or (retire_at and (address_space() or 0) > retire_at):
            return RETIRED_EXIT


def _start(spec: Any, seed: int) -> None:  # pragma: no cover - platforms without fork
    global _worker
    from ..judging.verdict import checker_for

    _worker = checker_for(spec, seed=seed)


def _grade_chunk(keys: list[Key]) -> list[GradeRow]:  # pragma: no cover - without fork
    from .answers import grade

    assert _worker is not None
    return [grade(_worker, key) for key in keys]


def _spawned(spec: Any, keys: list[Key], *, seed: int,
             jobs: int) -> Graded:  # pragma: no cover - platforms without fork
    from ..judging.verdict import Checker

    size = max(1, -(-len(keys) // (jobs * CHUNKS_PER_JOB)))
    chunks = [keys[k:k + size] for k in range(0, len(keys), size)]
    source = spec.net.spec if isinstance(spec, Checker) else spec
    source = source.spec if hasattr(source, "spec") and not isinstance(
        source, (str, Path)) else source
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(source, seed))
    with pool:
        graded = [row for rows in pool.map(_grade_chunk, chunks) for row in rows]
    return Graded(dict(zip(keys, graded, strict=True)), dict.fromkeys(keys, 0.0))
