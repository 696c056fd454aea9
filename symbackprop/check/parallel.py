"""Grade distinct answers in worker processes, each with its own Checker of the network.

The spec (a path or a validated :class:`~symbackprop.spec.load.NetworkSpec`) is sent to
every worker, which builds the network and its random points once; answers go out in
chunks and come back as graded rows. The points are drawn from the same seed in every
worker, so a verdict does not depend on which worker gave it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..network.build import Network
    from ..spec.load import NetworkSpec
    from .answers import GradeRow, Key
    from .verdict import Checker

CHUNKS_PER_JOB = 4
MAX_JOBS = 64

_worker: Checker | None = None


def _start(spec: Any, seed: int) -> None:
    global _worker
    from .verdict import checker_for

    _worker = checker_for(spec, seed=seed)


def _grade_chunk(keys: list[Key]) -> list[GradeRow]:
    from .answers import grade

    assert _worker is not None
    return [grade(_worker, key) for key in keys]


def grade_in_parallel(spec: str | Path | NetworkSpec | Network, keys: list[Key], *,
                      seed: int, jobs: int) -> dict[Key, GradeRow]:
    """Every key graded by ``jobs`` worker processes (at most :data:`MAX_JOBS`)."""
    jobs = max(1, min(jobs, MAX_JOBS, len(keys)))
    size = max(1, -(-len(keys) // (jobs * CHUNKS_PER_JOB)))
    chunks = [keys[k:k + size] for k in range(0, len(keys), size)]
    source = spec.spec if hasattr(spec, "spec") and not isinstance(spec, (str, Path)) else spec
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(source, seed)) as pool:
        graded = [row for rows in pool.map(_grade_chunk, chunks) for row in rows]
    return dict(zip(keys, graded, strict=True))
