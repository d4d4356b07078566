"""Many behaviour parameter sets on one scenario, and their distance to a history episode.

A fit, a sensitivity analysis and a profile all ask the same thing of the
engine: run ``R`` worlds of a scenario for each of many parameter sets, and say
how far each set's worlds miss an episode's targets. Sets run side by side in
vectorised chunks (set ``k`` holds rows ``[k R, (k + 1) R)`` of the chunked
worlds), on this process or on any executor, and the numbers do not depend on
which.

With ``common=True`` every set runs the *same* worlds ``0 .. R-1`` (common
random numbers): two sets then differ only by their parameters, so a
parameter that does nothing changes nothing, which a variance-based
sensitivity analysis needs. Without it, set ``k`` runs worlds
``[k R, (k + 1) R)`` of the seed, as a rejection fit does.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.ensemble import Inputs, run_chunk
from sim.engine.executors import SerialExecutor
from sim.experiments.history.scorecard import distance, measured_and_missed, misses
from sim.experiments.history.targets import Quantity
from sim.scenario.episode import Episode, Target

CHUNK = 8192
"""Worlds per chunk of sets (memory bound only; results do not depend on it)."""


def _chunk(
    inputs: Inputs, seed: int, names: Sequence[str], snapshots: tuple[float, ...], start: int,
    rows: np.ndarray, ids: np.ndarray | None,
) -> pd.DataFrame:  # fmt: skip
    """Worlds ``[start, start + len(rows))`` with their sets' values (top level: it pickles)."""
    fixed = {n: rows[:, c] for c, n in enumerate(names)}
    return run_chunk(
        inputs, seed, start, len(rows), paths=False, fixed=fixed, snapshots=snapshots,
        world_ids=ids,
    ).runs  # fmt: skip


def _over_chunks(
    task: Callable[..., pd.DataFrame],
    head: tuple,
    values: np.ndarray,
    replicates: int,
    chunk: int,
    common: bool,
    executor: cf.Executor | None,
    progress: Callable[[int], None] | None = None,
) -> list[pd.DataFrame]:
    """``task(*head, start, rows, ids)`` on chunks of whole sets, in set order.

    A chunk holds ``chunk // replicates`` sets (at least one): ``rows`` are
    its worlds' parameter values and ``ids`` their world indices with
    ``common`` (``None`` otherwise: worlds ``start, start + 1, ...``).
    ``progress`` is called with the sets of each chunk as it is collected.
    """
    per_chunk = max(1, chunk // replicates)
    per_world = np.repeat(np.asarray(values, dtype=float), replicates, axis=0)
    pool = executor if executor is not None else SerialExecutor()
    jobs = []
    for first in range(0, len(values), per_chunk):
        sets = min(per_chunk, len(values) - first)
        start, size = first * replicates, sets * replicates
        ids = np.tile(np.arange(replicates), sets) if common else None
        rows = per_world[start : start + size]
        jobs.append((sets, pool.submit(task, *head, start, rows, ids)))
    out = []
    for sets, job in jobs:
        out.append(job.result())
        if progress is not None:
            progress(sets)
    return out


def run_sets(
    inputs: Inputs,
    values: np.ndarray,
    names: Sequence[str],
    replicates: int,
    seed: int,
    snapshots: tuple[float, ...] = (),
    chunk: int = CHUNK,
    common: bool = False,
    executor: cf.Executor | None = None,
) -> pd.DataFrame:
    """Runs of every set, in set order, with a ``set`` column.

    Parameters
    ----------
    inputs
        The scenario and calibration.
    values
        ``(sets, len(names))`` parameter values, one row per set.
    names
        The behaviour parameters (or scenario paths) the columns of ``values`` set.
    replicates
        Worlds per set.
    seed
        Root seed.
    snapshots
        Years at which each world's relations are recorded (``r_<pair>@<year>``).
    chunk
        Worlds per chunk, at most (chunks hold whole sets; results do not depend on it).
    common
        Every set on worlds ``0 .. replicates - 1`` (see the module docstring).
    executor
        Where chunks run (``None``: here). Chunks are put back in order.
    """
    head = (inputs, seed, list(names), snapshots)
    frames = _over_chunks(_chunk, head, values, replicates, chunk, common, executor)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "set", out["run"].to_numpy() // replicates)
    return out


def set_misses(
    runs: pd.DataFrame,
    inputs: Inputs,
    episode: Episode,
    targets: Sequence[Target] | None = None,
) -> pd.DataFrame:
    """One row per ``set`` of a :func:`run_sets` table: its misses of each target and distance.

    Columns ``miss_<target>`` (0 when the target passes, see
    :func:`~sim.experiments.history.scorecard.misses`) and ``distance``.
    """
    codes = list(inputs.scenario.actors)
    thr = inputs.scenario.outcomes.model_dump()
    start = inputs.scenario.time.start
    rows = {
        int(k): misses(grp, codes, episode, thr, start, targets)
        for k, grp in runs.groupby("set", sort=True)
    }
    table = pd.DataFrame(rows).T.add_prefix("miss_")
    table["distance"] = [distance(m) for m in rows.values()]
    table.index.name = "set"
    return table.reset_index()


def _score_chunk(
    inputs: Inputs, episode: Episode, seed: int, names: Sequence[str],
    snapshots: tuple[float, ...], replicates: int, start: int, rows: np.ndarray,
    ids: np.ndarray | None,
) -> pd.DataFrame:  # fmt: skip
    """Misses of the whole sets of one chunk (top level: it pickles to workers)."""
    runs = _chunk(inputs, seed, names, snapshots, start, rows, ids)
    runs.insert(0, "set", runs["run"].to_numpy() // replicates)
    return set_misses(runs, inputs, episode)


def score_sets(
    inputs: Inputs,
    episode: Episode,
    values: np.ndarray,
    names: Sequence[str],
    replicates: int,
    seed: int,
    snapshots: tuple[float, ...],
    common: bool = False,
    executor: cf.Executor | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """:func:`set_misses` of every set, scored where its chunk ran (only misses travel back).

    The arguments are :func:`run_sets`'s, so the numbers equal
    :func:`set_misses` of :func:`run_sets`. ``progress`` is called with the
    number of sets of each finished chunk.
    """
    head = (inputs, episode, seed, list(names), snapshots, replicates)
    frames = _over_chunks(_score_chunk, head, values, replicates, chunk, common, executor, progress)
    return pd.concat(frames, ignore_index=True)


Interval = tuple[str, float, float, str]
"""A quantity's name, the interval that meets it (``low``, ``high``) and its scale."""


@dataclass(frozen=True)
class EpisodeMeasure:
    """What history matching reads of one set's runs of an episode's hindcast.

    Called on the runs of one set: every quantity the targets' rules read and
    each target's miss
    (:func:`~sim.experiments.history.scorecard.measured_and_missed`).
    Picklable, so it runs where the chunk ran.
    """

    episode: Episode
    codes: tuple[str, ...]
    thresholds: dict[str, float]
    start: float | None

    @classmethod
    def of(cls, inputs: Inputs, episode: Episode) -> EpisodeMeasure:
        """The measure of ``episode`` on the scenario of ``inputs``."""
        sc = inputs.scenario
        return cls(episode, tuple(sc.actors), sc.outcomes.model_dump(), sc.time.start)

    def __call__(self, runs: pd.DataFrame) -> tuple[list[Quantity], pd.Series]:
        """The set's quantities and its misses (indexed by target key)."""
        return measured_and_missed(runs, self.codes, self.episode, self.thresholds, self.start)


def _measure_chunk(
    inputs: Inputs, measure: Callable[[pd.DataFrame], tuple[list[Quantity], pd.Series]],
    seed: int, names: Sequence[str], snapshots: tuple[float, ...], replicates: int, start: int,
    rows: np.ndarray, ids: np.ndarray | None,
) -> tuple[pd.DataFrame, list[Interval]]:  # fmt: skip
    """One row of quantities, misses and distance per whole set of one chunk, and the intervals."""
    runs = _chunk(inputs, seed, names, snapshots, start, rows, ids)
    table, intervals = {}, []
    for k, grp in runs.groupby(runs["run"].to_numpy() // replicates, sort=True):
        found, miss = measure(grp)
        intervals = [(q.name, q.low, q.high, q.scale) for q in found]
        row = {q.name: q.value for q in found} | miss.add_prefix("miss_").to_dict()
        table[int(k)] = row | {"distance": distance(miss)}
    out = pd.DataFrame.from_dict(table, orient="index")
    out.index.name = "set"
    return out.reset_index(), intervals


def measure_sets(
    inputs: Inputs,
    measure: Callable[[pd.DataFrame], tuple[list[Quantity], pd.Series]],
    values: np.ndarray,
    names: Sequence[str],
    replicates: int,
    seed: int,
    snapshots: tuple[float, ...],
    executor: cf.Executor | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, list[Interval]]:
    """Every set's quantities, misses and distance, measured where its chunk ran.

    The arguments are :func:`run_sets`'s, with ``measure`` reading one set's
    runs (an :class:`EpisodeMeasure`, or the present-day picture); set ``k``
    runs worlds ``[k R, (k + 1) R)`` of ``seed``. Returns one row per set
    (``set``, one column per quantity, ``miss_<key>`` and ``distance``) and
    the quantities' intervals, which do not depend on the set.
    """
    head = (inputs, measure, seed, list(names), snapshots, replicates)
    parts = _over_chunks(_measure_chunk, head, values, replicates, chunk, False, executor,
                         progress)  # fmt: skip
    return pd.concat([t for t, _ in parts], ignore_index=True), parts[0][1]
