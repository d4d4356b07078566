"""How many cores one process's step uses, and the step spread over threads.

Worlds are independent within a step, so :func:`sim.model.kernel.advance` can
step disjoint ranges of worlds on different threads and give the very same
numbers as one thread: each world's arithmetic, draws and order of operations
do not change, only which core does them.

The policy is one number per process, :func:`use_threads` (default 1). The
command line sets it from ``--workers N``: a command whose worlds run in its own
process (``wedge calibrate``) steps them on ``N`` threads, while a command that
hands chunks to ``N`` worker processes leaves every worker at one thread, so
``N`` always means ``N`` cores and nothing is oversubscribed.
"""

from __future__ import annotations

import os

import numpy as np
from numba import njit, prange

from sim.model.kernel import advance

_threads = 1

MIN_WORLDS_PER_THREAD = 64
"""Fewer worlds than this per thread are stepped on one thread: starting the
threads would cost more than it saves."""

RANGES_PER_THREAD = 4
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


@njit(parallel=True, cache=True, nogil=True)
def advance_ranges(
    bounds: np.ndarray,
    actors: np.ndarray,
    pairs: np.ndarray,
    behaviour: np.ndarray,
    capability_u: np.ndarray,
    leader_u: np.ndarray,
    noise_u: np.ndarray,
    cut_u: np.ndarray,
    crisis_u: np.ndarray,
    lever_motives: np.ndarray,
    relation: np.ndarray,
    hazard: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    new_leader: np.ndarray,
    crises: np.ndarray,
    cutoffs: np.ndarray,
    leaders: np.ndarray,
    dt: float,
    actors_token: tuple,
) -> None:
    """:func:`~sim.model.kernel.advance` on each range ``[bounds[k], bounds[k+1])``, in parallel.

    The ranges are disjoint and every array written is indexed by world, so
    no two threads write the same number.
    """
    for k in prange(bounds.shape[0] - 1):
        advance(
            bounds[k], bounds[k + 1], actors, pairs, behaviour, capability_u, leader_u, noise_u,
            cut_u, crisis_u, lever_motives, relation, hazard, support, abandon, new_leader,
            crises, cutoffs, leaders, dt, actors_token,
        )  # fmt: skip


def step(*arrays: object, dt: float, actors_token: tuple) -> None:
    """One step of every world on :func:`threads` threads (:func:`~sim.model.kernel.advance`).

    ``arrays`` are ``advance``'s from ``actors`` to ``leaders``, in its order.
    """
    worlds = arrays[0].shape[0]  # type: ignore[attr-defined]
    bounds = ranges(worlds, _threads)
    if len(bounds) == 2:
        advance(0, worlds, *arrays, dt, actors_token)
        return
    import numba

    numba.set_num_threads(min(_threads, numba.config.NUMBA_NUM_THREADS))
    advance_ranges(bounds, *arrays, dt, actors_token)
