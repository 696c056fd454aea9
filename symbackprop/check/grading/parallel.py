"""Grade distinct answers in worker processes that share one warmed-up Checker.

Where processes can be forked (Linux, macOS with fork), the Checker is built and warmed up
once in the parent: the network, its random points, the true gradients of the parameters the
answers name, compiled, and their likely mistakes. The workers are forked from it and
inherit all of that instead of each building its own. Elsewhere the spec (a path or a
validated :class:`~symbackprop.spec.load.NetworkSpec`) is sent to every worker, which builds
the network and its random points once. Answers go out in chunks and come back as graded
rows. The points are drawn from the same seed everywhere, so a verdict does not depend on
which worker gave it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...network.build import Network
    from ...spec.load import NetworkSpec
    from ..judging.verdict import Checker
    from .answers import GradeRow, Key

CHUNKS_PER_JOB = 4
MAX_JOBS = 64

_worker: Checker | None = None


def _start(spec: Any, seed: int) -> None:
    global _worker
    from ..judging.verdict import checker_for

    _worker = checker_for(spec, seed=seed)


def _grade_chunk(keys: list[Key]) -> list[GradeRow]:
    from .answers import grade

    assert _worker is not None
    return [grade(_worker, key) for key in keys]


def grade_in_parallel(spec: str | Path | NetworkSpec | Network | Checker, keys: list[Key], *,
                      seed: int, jobs: int) -> dict[Key, GradeRow]:
    """Every key graded by ``jobs`` worker processes (at most :data:`MAX_JOBS`)."""
    global _worker
    from ..judging.verdict import Checker, checker_for

    jobs = max(1, min(jobs, MAX_JOBS, len(keys)))
    size = max(1, -(-len(keys) // (jobs * CHUNKS_PER_JOB)))
    chunks = [keys[k:k + size] for k in range(0, len(keys), size)]
    if "fork" in multiprocessing.get_all_start_methods():
        _worker = checker_for(spec, seed=seed)
        _worker.warm_up(sorted({param for _, param, _, _ in keys if param}))
        pool = ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("fork"))
    else:  # pragma: no cover - platforms without fork
        source = spec.net.spec if isinstance(spec, Checker) else spec
        source = source.spec if hasattr(source, "spec") and not isinstance(
            source, (str, Path)) else source
        pool = ProcessPoolExecutor(max_workers=jobs,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(source, seed))
    try:
        with pool:
            graded = [row for rows in pool.map(_grade_chunk, chunks) for row in rows]
    finally:
        _worker = None
    return dict(zip(keys, graded, strict=True))
