"""How many cores one process's step uses, and the step spread over threads.

Worlds are independent within a step, so :func:`sim.model.kernel.advance` can
step disjoint ranges of worlds on different threads and give the very same
numbers as one thread: each world's arithmetic, draws and order of operations
do not change, only which core does them. The threads are Python's, each
calling the one compiled ``advance`` (which releases the interpreter), rather
than numba's parallel loops: those would compile a second copy of the step,
optimised differently, whose last bits could differ from the first's.

The policy is one number per process, :func:`use_threads` (default 1). The
command line sets it from ``--workers N``: a command whose worlds run in its own
process (``wedge calibrate``) steps them on ``N`` threads, while a command that
hands chunks to ``N`` worker processes leaves every worker at one thread, so
``N`` always means ``N`` cores and nothing is oversubscribed.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sim.model.kernel import advance

_threads = 1

MIN_WORLDS_PER_THREAD = 256
"""Fewer worlds than this per thread are stepped on one thread: starting the
threads would cost more than it saves."""

RANGES_PER_THREAD = 2
"""Ranges of worlds handed out per thread, so that a thread slowed by the rest
of the machine does not hold up the step."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def use_threads(threads: int) -> None:
    """Step the worlds of this process on ``threads`` threads (at least 1).

    More threads than :func:`available_cores` are capped to them. The numbers
    do not depend on it.
    """
    global _threads
    if int(threads) < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    _threads = min(int(threads), available_cores())


def threads() -> int:
    """Threads the step of this process uses (:func:`use_threads`)."""
    return _threads


def ranges(worlds: int, threads: int) -> np.ndarray:
    """Bounds of the ranges of worlds for ``threads`` threads: ``[0, ..., worlds]``."""
    if threads <= 1 or worlds < MIN_WORLDS_PER_THREAD * threads:
        return np.array([0, worlds], dtype=np.int64)
    parts = min(threads * RANGES_PER_THREAD, worlds // MIN_WORLDS_PER_THREAD)
    return np.linspace(0, worlds, parts + 1).round().astype(np.int64)


_pool: tuple[int, ThreadPoolExecutor] | None = None
"""The threads of the step and how many there are, made when first needed."""


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[0] != _threads:
        if _pool is not None:
            _pool[1].shutdown()
        _pool = (_threads, ThreadPoolExecutor(_threads, thread_name_prefix="wedge-step"))
    return _pool[1]


def step(*arrays: object, dt: float, actors_token: tuple) -> None:
    """One step of every world, on :func:`threads` threads (:func:`~sim.model.kernel.advance`).

    ``arrays`` are ``advance``'s from ``actors`` to ``recorded``, in its order.
    Each thread calls the very machine code a single thread runs (``advance``
    releases the interpreter while it works), so the numbers are the same to
    the last bit whatever the number of threads.
    """
    worlds = arrays[0].shape[0]  # type: ignore[attr-defined]
    bounds = ranges(worlds, _threads)
    if len(bounds) == 2:
        advance(0, worlds, *arrays, dt, actors_token)
        return
    pool = _executor()
    jobs = [
        pool.submit(advance, int(lo), int(hi), *arrays, dt, actors_token)
        for lo, hi in itertools.pairwise(bounds)
    ]
    for job in jobs:
        job.result()  # re-raises a thread's error here
