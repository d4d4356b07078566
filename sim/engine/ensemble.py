"""Run an ensemble of worlds and summarise it.

Worlds run in chunks of a fixed size through one vectorised
:class:`~sim.model.model.WedgeModel` per chunk. A chunk's result holds its
per-world table and mergeable per-step counts, so chunks can run anywhere
(in this process, in worker processes, on a cluster) and combine into the
same numbers: world ``w`` draws from streams keyed by ``w`` alone.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.defaults import DEFAULT_SEED
from sim.engine.executors import SerialExecutor
from sim.engine.spread import SETS, drivers, sets_of, spread
from sim.model.cache import compiled_here
from sim.model.model import WedgeModel
from sim.model.setup import calibration_mode, check_uncertain
from sim.model.streams import BLOCK
from sim.outcomes import BINS, CONFIGURATIONS, ROLES, Observer, pair_name
from sim.scenario.calibration import Calibration, effective_sample_size, load_calibration
from sim.scenario.errors import InputError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

CHUNK = 8 * BLOCK
"""Worlds per chunk: bounds memory; results do not depend on it."""

SHORT = {
    "menage_a_trois": "MT",
    "romantic_triangle": "RT",
    "stable_marriage": "SM",
    "unit_veto": "UV",
}


@dataclass(frozen=True)
class Inputs:
    """A validated scenario with its calibration and the file it came from."""

    scenario: Scenario
    calibration: Calibration
    path: str


def load_inputs(path: str | Path, overrides: dict | None = None) -> Inputs:
    """Load a scenario file, its calibration, and check its uncertain parameters.

    Raises
    ------
    InputError
        With the file, field and what is allowed, for any bad input.
    """
    scenario = load_scenario(path, overrides)
    cal_path = Path(scenario.calibration)
    if not cal_path.is_file():
        raise InputError(path, "calibration", f"calibration file {cal_path} not found")
    calibration = load_calibration(cal_path)
    check_uncertain(scenario, calibration, path)
    return Inputs(scenario, calibration, str(path))


ID_COLUMNS = ("run", "scenario", "point", "replicate", SETS)
"""Columns of a runs table that identify a run (sweeps add scenario, point and replicate;
``behaviour_set`` numbers the set of worlds that share a behaviour draw)."""


def parameter_columns(columns: Sequence[str]) -> list[str]:
    """The columns of a runs table that hold each run's sampled or imposed parameter values.

    They stand between the identifying columns and the first outcome, ``rupture_year``.
    """
    columns = list(columns)
    return [c for c in columns[: columns.index("rupture_year")] if c not in ID_COLUMNS]


@dataclass(frozen=True)
class StepCounts:
    """Per-step tallies over worlds, which add across chunks of worlds.

    ``hist`` ``(steps, pairs, bins)`` counts relations per histogram bin; ``sums``
    ``(steps, pairs)`` adds them up; ``aligned``, ``hostile`` count worlds past the
    thresholds; ``hazard`` adds the crisis hazards (per year); ``configs``
    ``(steps, triads, configurations)`` and ``roles`` ``(steps, triads, roles)``
    count worlds in each configuration and role (:mod:`sim.outcomes`).
    """

    hist: np.ndarray
    sums: np.ndarray
    aligned: np.ndarray
    hostile: np.ndarray
    hazard: np.ndarray
    configs: np.ndarray
    roles: np.ndarray

    @classmethod
    def of(cls, observer: Observer) -> StepCounts:
        """The tallies an observer kept over its worlds."""
        return cls(**{f.name: getattr(observer, f.name) for f in fields(cls)})

    def __add__(self, other: StepCounts) -> StepCounts:
        return StepCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


@dataclass
class ChunkResult:
    """What one chunk of worlds produced; chunks merge by concatenation and addition."""

    runs: pd.DataFrame
    counts: StepCounts


def run_chunk(
    inputs: Inputs,
    seed: int,
    offset: int,
    size: int,
    unit_draws: np.ndarray | None = None,
    sample: bool = True,
    paths: bool = True,
    progress: Callable[[int], None] | None = None,
    fixed: dict[str, np.ndarray] | None = None,
    snapshots: tuple[float, ...] = (),
    world_ids: np.ndarray | None = None,
) -> ChunkResult:
    """Simulate worlds ``[offset, offset + size)`` of a run with root ``seed``.

    Parameters
    ----------
    inputs
        Scenario and calibration.
    seed
        Root seed of the whole run.
    offset, size
        Global index of the first world and number of worlds.
    unit_draws
        Optional ``(size, n_uncertain)`` design points in the unit cube.
    sample
        Sample uncertain parameters (``False``: point values).
    paths
        Also build the readable configuration path of each world.
    progress
        Called with the number of world-steps done after each step.
    fixed
        Path -> ``(size,)`` values imposed on these worlds (a sweep's design).
    snapshots
        Years at which each world's relations are added to the runs table as
        ``r_<pair>@<year>`` columns.
    world_ids
        Optional ``(size,)`` world indices whose random numbers the worlds draw
        in place of ``offset + k`` (repeats allowed: common random numbers across
        parameter sets); the ``run`` column still counts from ``offset``.
    """
    sc = inputs.scenario
    observer = Observer(sc.outcomes, tuple(snapshots))
    model = WedgeModel(
        sc,
        inputs.calibration,
        size,
        seed,
        offset,
        unit_draws=unit_draws,
        sample=sample,
        observer=observer,
        fixed=fixed,
        world_ids=world_ids,
    )
    while model.running:
        model.step()
        if progress is not None:
            progress(size)
    result = ChunkResult(_runs_table(model, observer, offset, paths), StepCounts.of(observer))
    # Mesa's model and agents refer to each other: drop what the model holds, so the chunk's
    # arrays and agents go now rather than at the cycle collector's leisure, and a worker's
    # memory stays flat across chunks (a full collection would cost more than a small chunk).
    model.__dict__.clear()
    del model
    return result


def warm_up(inputs: Inputs) -> None:
    """Compile the model's step here, once, before worker processes start (if it is not cached).

    Workers then load the machine code from the cache instead of each
    compiling it at the same time. One world is run to its horizon.
    """
    if not compiled_here():
        run_chunk(inputs, 0, 0, 1, paths=False)


def _runs_table(model: WedgeModel, obs: Observer, offset: int, paths: bool) -> pd.DataFrame:
    codes = model.codes
    cols: dict[str, np.ndarray | list] = {"run": np.arange(offset, offset + model.worlds)}
    if model.samples_behaviour:
        cols[SETS] = model.behaviour_set
    for name, values in model.inputs.sampled.items():
        cols[name] = values
    cols["rupture_year"] = obs.rupture_year
    cols["split_year"] = obs.split_year
    cols["worst_relation"] = obs.worst_relation
    cols["worst_year"] = obs.worst_year
    cols["peak_hazard"] = obs.peak_hazard
    cols["peak_hazard_year"] = obs.peak_hazard_year
    movers = np.array([*codes, ""], dtype=object)
    cols["first_mover"] = movers[obs.first_mover]  # -1 picks the empty string
    cols["configuration"] = np.array(CONFIGURATIONS, dtype=object)[obs.path[:, -1]]
    for code, roles in obs.roles_at_end(model).items():
        cols[f"role_{code}"] = np.array(ROLES, dtype=object)[roles]
    if paths:
        cols["configuration_path"] = _paths(obs.path, obs.years)
    for i, j in obs.pairs:
        cols[f"r_{pair_name(codes, i, j)}"] = model.relation[:, i, j]
    for i, j in obs.pairs:
        cols[f"crises_{pair_name(codes, i, j)}"] = model.counts["crises"][:, i, j]
    cols["aid_cutoffs"] = model.counts["cutoffs"].sum(axis=(1, 2))
    for k, code in enumerate(codes):
        cols[f"leader_changes_{code}"] = model.counts["leader_changes"][:, k]
    for k, code in enumerate(codes):
        cols[f"capability_{code}"] = model.state.capability[:, k]
    for year, rel in obs.snapshot.items():
        for m, (i, j) in enumerate(obs.pairs):
            cols[f"r_{pair_name(codes, i, j)}@{year:g}"] = rel[:, m]
    return pd.DataFrame(cols)


def _paths(path: np.ndarray, years: np.ndarray) -> list[str]:
    """``"RT 2024>SM 2031.25"``: each world's watched-triad configurations and when they began."""
    names = [SHORT[c] for c in CONFIGURATIONS]
    change = np.ones_like(path, dtype=bool)
    change[:, 1:] = path[:, 1:] != path[:, :-1]
    worlds, steps = np.nonzero(change)
    bounds = np.searchsorted(worlds, np.arange(path.shape[0] + 1))
    labels = [f"{names[c]} {y:g}" for c, y in zip(path[worlds, steps], years[steps], strict=True)]
    return [">".join(labels[bounds[w] : bounds[w + 1]]) for w in range(path.shape[0])]


@dataclass
class EnsembleResult:
    """A whole run: per-world table and merged per-step counts, with summaries."""

    inputs: Inputs
    seed: int
    runs: pd.DataFrame
    years: np.ndarray
    counts: StepCounts
    meta: dict = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        """The scenario that was run."""
        return self.inputs.scenario

    @property
    def n(self) -> int:
        """Number of worlds."""
        return len(self.runs)

    def pair_names(self) -> list[tuple[str, str, str]]:
        """``(name, a, b)`` for each pair, in the order of the count arrays."""
        codes = list(self.scenario.actors)
        out = []
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                out.append((pair_name(codes, i, j), codes[i], codes[j]))
        return out

    def triad_names(self) -> list[str]:
        """``"CHN-RUS-USA"`` for each triad, in the order of the count arrays."""
        from itertools import combinations

        codes = list(self.scenario.actors)
        return ["-".join(codes[k] for k in t) for t in combinations(range(len(codes)), 3)]

    def trajectories(self) -> pd.DataFrame:
        """Per step and pair: mean and quantiles of the relation, shares aligned and hostile."""
        qs = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
        quant = _hist_quantiles(self.counts.hist, list(qs.values()))  # (steps, pairs, q)
        rows = []
        for k, (name, a, b) in enumerate(self.pair_names()):
            frame = {
                "step": np.arange(len(self.years)),
                "year": self.years,
                "pair": name,
                "a": a,
                "b": b,
                "mean": self.counts.sums[:, k] / self.n,
            }
            for m, label in enumerate(qs):
                frame[label] = quant[:, k, m]
            frame["p_aligned"] = self.counts.aligned[:, k] / self.n
            frame["p_hostile"] = self.counts.hostile[:, k] / self.n
            frame["crisis_hazard"] = self.counts.hazard[:, k] / self.n
            rows.append(pd.DataFrame(frame))
        return pd.concat(rows, ignore_index=True)

    def configurations(self) -> pd.DataFrame:
        """Per step, triad and configuration: the share of worlds."""
        rows = []
        for m, triad in enumerate(self.triad_names()):
            for c, conf in enumerate(CONFIGURATIONS):
                rows.append(
                    pd.DataFrame(
                        {
                            "step": np.arange(len(self.years)),
                            "year": self.years,
                            "triad": triad,
                            "configuration": conf,
                            "share": self.counts.configs[:, m, c] / self.n,
                        }
                    )
                )
        return pd.concat(rows, ignore_index=True)

    def role_shares(self) -> pd.DataFrame:
        """Per step, member of the watched triad and role (Wu 1996): the share of worlds."""
        sc = self.scenario
        codes = list(sc.actors)
        members = sorted(codes.index(x) for x in (*sc.watch.partnership, sc.watch.third))
        rows = []
        for m, idx in enumerate(members):
            for r, name in enumerate(ROLES):
                rows.append(
                    pd.DataFrame(
                        {
                            "step": np.arange(len(self.years)),
                            "year": self.years,
                            "actor": codes[idx],
                            "role": name,
                            "share": self.counts.roles[:, m, r] / self.n,
                        }
                    )
                )
        return pd.concat(rows, ignore_index=True)

    def events(self) -> pd.DataFrame:
        """Cumulative probability of rupture and split by each year, with both intervals.

        ``low``/``high`` bound the 95% sampling interval of the share of runs;
        ``behaviour_low``/``behaviour_high`` the central 80% of the probability
        over behaviour (equal to ``p`` when every run behaved alike; see
        :mod:`sim.engine.spread`).
        """
        rows = []
        sets = sets_of(self.runs)
        for event in ("rupture", "split"):
            times = self.runs[f"{event}_year"].to_numpy()
            for year in self.years:
                s = spread(times <= year + 1e-9, sets)
                rows.append(
                    {
                        "year": year,
                        "event": event,
                        "p": s.value,
                        "low": s.low,
                        "high": s.high,
                        "behaviour_low": s.behaviour_low,
                        "behaviour_high": s.behaviour_high,
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> dict:
        """Headline numbers of the run (see README: Outputs)."""
        sc = self.scenario
        a, b = sc.watch.partnership
        triad = "-".join(sorted((a, b, sc.watch.third), key=list(sc.actors).index))
        m = self.triad_names().index(triad)
        horizon_shares = self.counts.configs[-1, m] / self.n
        movers = self.runs.loc[self.runs["first_mover"] != "", "first_mover"].value_counts()
        out = {
            "scenario": sc.name,
            "title": sc.title,
            "runs": self.n,
            "seed": self.seed,
            "start_year": sc.time.start,
            "horizon": sc.time.horizon,
            "step_years": sc.time.step,
            "partnership": [a, b],
            "third": sc.watch.third,
            "actors": {k: sc.display_name(k) for k in sc.actors},
            "thresholds": sc.outcomes.model_dump(),
        }
        successions = []
        for code in sc.actors:
            names = sc.names_by_date(code)  # (from year, name), the actor's own name first
            for (_, before), (year, name) in pairwise(names):
                successions.append({"actor": code, "year": year, "from": before, "name": name})
        if successions:
            out["successions"] = successions
        sets = sets_of(self.runs)
        for event in ("rupture", "split"):
            happened = self.runs[f"{event}_year"].notna().to_numpy()
            out[f"p_{event}"] = spread(happened, sets).as_dict()
            out[f"median_{event}_year"] = _median_year(self.runs[f"{event}_year"].to_numpy())
        out["first_mover"] = {code: int(movers.get(code, 0)) for code in (a, b)}
        out["configurations_at_horizon"] = {
            c: float(horizon_shares[i]) for i, c in enumerate(CONFIGURATIONS)
        }
        final = self.trajectories().groupby("pair").last()
        out["relations_at_horizon"] = {
            pair: {"median": float(row.q50), "q05": float(row.q05), "q95": float(row.q95)}
            for pair, row in final.iterrows()
        }
        out["uncertain_parameters"] = parameter_columns(self.runs.columns)
        out["behaviour"] = behaviour_draws(self.inputs, self.runs)
        return out


def behaviour_draws(inputs: Inputs, runs: pd.DataFrame) -> dict[str, Any]:
    """How much uncertainty about behaviour the runs carry.

    ``mode`` is how worlds sample the behaviour parameters (``posterior``: whole
    accepted sets of the fit; ``ranges``: each over its range; ``none``: point
    values). ``posterior_sets`` and ``effective_size`` describe the fit's
    posterior sample (:func:`~sim.scenario.calibration.effective_sample_size` of its
    weights; ``None`` without one); ``distinct_sets_drawn`` counts the different combinations of
    sampled behaviour parameters among the runs; ``judged_parameters`` counts the
    sampled parameters the posterior does not hold (drawn over their ranges beside
    it). A fit whose weight sits on one
    set gives runs that all behave alike, so the spread across runs then shows
    the model's own randomness and the scenario's uncertain values, not doubt
    about behaviour; the report says so.

    ``drivers_rupture`` and ``drivers_split`` (when behaviour was drawn) list
    the :data:`DRIVERS_SHOWN` parameters whose values move the event's
    probability most across behaviour sets (:func:`sim.engine.spread.drivers`):
    ``share`` of the behaviour variance (0-1), ``spread`` (standard deviation
    of the probability it accounts for) and ``fitted`` (drawn from the fit's
    posterior, rather than over a judgement range that history leaves free).
    """
    calibration = inputs.calibration
    names = [c for c in parameter_columns(runs.columns) if c in calibration.parameters]
    posterior, weights = calibration.posterior, calibration.posterior_weights
    effective = None
    if posterior is not None:
        effective = effective_sample_size(np.ones(len(posterior)) if weights is None else weights)
    out: dict[str, Any] = {
        "mode": calibration_mode(inputs.scenario, calibration),
        "posterior_sets": None if posterior is None else len(posterior),
        "effective_size": effective,
        "sampled_parameters": len(names),
        "judged_parameters": len([n for n in names if n not in calibration.posterior_names])
        if posterior is not None
        else 0,
        "distinct_sets_drawn": len(runs[names].drop_duplicates()) if names else 1,
    }
    sets = sets_of(runs)
    if names and sets is not None:
        fitted = set(calibration.posterior_names)
        for event in ("rupture", "split"):
            table = drivers(
                runs[f"{event}_year"].notna().to_numpy(),
                sets,
                runs[names],
            )
            out[f"drivers_{event}"] = [
                {
                    "parameter": str(name),
                    "share": None if np.isnan(row.share) else float(row.share),
                    "spread": float(row.spread),
                    "fitted": name in fitted,
                }
                for name, row in table.head(DRIVERS_SHOWN).iterrows()
            ]
    return out


DRIVERS_SHOWN = 5
"""Behaviour parameters listed, largest first, as the drivers of each event's spread."""


def _median_year(times: np.ndarray) -> float | None:
    """Median event year over all runs (no event = later than any year); ``None`` if under half."""
    filled = np.where(np.isnan(times), np.inf, times)
    med = float(np.median(filled)) if len(filled) else np.inf
    return None if not np.isfinite(med) else med


def _hist_quantiles(hist: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles from per-bin counts over [-1, 1], linear within a bin.

    Returns an array ``(steps, pairs, len(qs))``.
    """
    width = 2.0 / BINS
    cum = np.cumsum(hist, axis=-1)
    total = cum[..., -1:]
    out = np.empty((*hist.shape[:2], len(qs)))
    for m, q in enumerate(qs):
        target = q * total
        k = np.minimum((cum < target).sum(axis=-1, keepdims=True), BINS - 1)
        below = np.take_along_axis(cum, k, axis=-1) - np.take_along_axis(hist, k, axis=-1)
        inside = np.take_along_axis(hist, k, axis=-1)
        frac = np.where(inside > 0, (target - below) / np.maximum(inside, 1), 0.5)
        out[..., m] = (-1.0 + (k + frac) * width)[..., 0]
    return out


def merge(
    inputs: Inputs, seed: int, chunks: list[ChunkResult], meta: dict | None = None
) -> EnsembleResult:
    """Combine chunk results (in any order) into one :class:`EnsembleResult`."""
    runs = pd.concat([c.runs for c in chunks], ignore_index=True).sort_values(
        "run", ignore_index=True
    )
    return EnsembleResult(
        inputs=inputs,
        seed=seed,
        runs=runs,
        years=np.array(inputs.scenario.time.years()),
        counts=functools.reduce(operator.add, (c.counts for c in chunks)),
        meta=meta or {},
    )


def run_ensemble(
    inputs: Inputs,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    sample: bool = True,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    executor: cf.Executor | None = None,
    snapshots: tuple[float, ...] = (),
) -> EnsembleResult:
    """Run ``runs`` worlds of a scenario, in this process or on an executor.

    Parameters
    ----------
    inputs
        From :func:`load_inputs`.
    runs
        Number of worlds (Monte Carlo runs).
    seed
        Root seed; the same seed gives the same numbers for any chunk size.
    sample
        Sample uncertain parameters; ``False`` uses point values.
    chunk_size
        Worlds simulated at once (memory bound only).
    progress
        Called with world-steps done, for a progress bar (after each step in this
        process; after each chunk on an executor).
    executor
        Any :class:`concurrent.futures.Executor` (local processes, Dask's
        ``client.get_executor()``) to run the chunks on; ``None`` runs them here.
        Chunks are merged in their order whatever order they finish in, so the
        numbers are bit-identical either way.
    snapshots
        Years at which each world's relations are added to the runs table
        (``r_<pair>@<year>`` columns), as for a history episode.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    starts = range(0, runs, chunk_size)
    if executor is None:
        chunks = [
            run_chunk(
                inputs,
                seed,
                start,
                min(chunk_size, runs - start),
                sample=sample,
                progress=progress,
                snapshots=snapshots,
            )
            for start in starts
        ]
        return merge(inputs, seed, chunks)
    if not isinstance(executor, SerialExecutor):  # compile here once, not in every worker
        warm_up(inputs)
    steps = inputs.scenario.time.steps
    futures = [
        executor.submit(
            run_chunk,
            inputs,
            seed,
            start,
            min(chunk_size, runs - start),
            None,
            sample,
            snapshots=snapshots,
        )
        for start in starts
    ]
    if progress is not None:
        for done in cf.as_completed(futures):
            progress(len(done.result().runs) * steps)
    return merge(inputs, seed, [f.result() for f in futures])
