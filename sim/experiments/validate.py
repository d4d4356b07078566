"""The validate experiment: the model against history, episode by episode (``wedge validate``).

Each history episode (:mod:`sim.scenario.episode`) names a hindcast scenario:
the situation at the start of the episode with only exogenous events
scheduled. The experiment runs it with a yearly snapshot of every relation,
scores the runs against the episode's targets
(:func:`~sim.experiments.history.scorecard.score`), sets the simulated crises
beside the recorded disputes, and returns one sub-result per episode (its
scorecard, runs and trajectories) under a summary of all of them.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from sim.defaults import DEFAULT_RUNS, DEFAULT_SEED
from sim.engine.ensemble import EnsembleResult, Inputs, load_inputs, run_ensemble
from sim.experiments.base import SILENT, Progress, Result, Table, input_files
from sim.experiments.history.scorecard import Scorecard, misses, score
from sim.experiments.history.shape import clash_record
from sim.formats import format_year
from sim.paths import DATA, shown_path
from sim.scenario.episode import Episode, load_episode
from sim.scenario.errors import InputError

EPISODES = "episode_*.toml"
"""File name pattern of the shipped episodes in ``data/``."""

FIT_EPISODE = "episode_1949_1975.toml"
"""The episode in ``data/`` the behaviour parameters are fitted to (``wedge calibrate``)."""

MILESTONE_KINDS = ("exogenous", "outcome", "context")
"""Kinds of milestone: an input scheduled as a shock, history to reproduce, context."""


def shipped_episodes() -> list[Path]:
    """The episode files the project ships (``data/episode_*.toml``), in name order."""
    return sorted(DATA.glob(EPISODES))


def fit_episode() -> Episode:
    """The episode ``wedge calibrate`` fits to and ``wedge identify`` profiles on."""
    return load_episode(DATA / FIT_EPISODE)


def fit_misses(hindcast: Inputs) -> Callable[[pd.DataFrame], pd.Series]:
    """Target misses of a table of ``hindcast`` runs on the fitted episode (:func:`misses`)."""
    codes = list(hindcast.scenario.actors)
    thr = hindcast.scenario.outcomes.model_dump()
    start = hindcast.scenario.time.start
    episode = fit_episode()
    return lambda runs: misses(runs, codes, episode, thr, start)


def snapshot_years(inputs: Inputs, episode: Episode) -> tuple[float, ...]:
    """Check that a scenario can be scored on an episode; return its snapshot years.

    The snapshot of calendar year ``Y`` is the step in ``Y`` nearest ``Y`` plus
    the start's fraction of a year.

    Raises
    ------
    InputError
        Actors the episode names are missing, the watched partnership is not
        the episode's, or a year of the episode has no step.
    """
    sc, path = inputs.scenario, inputs.path
    missing = [a for a in episode.actors if a not in sc.actors]
    if missing:
        raise InputError(
            path,
            "actors",
            f"the episode {episode.name} needs actors {', '.join(episode.actors)}; "
            f"missing {missing}",
        )
    if set(sc.watch.partnership) != set(episode.partnership):
        raise InputError(
            path,
            "watch.partnership",
            f"the episode {episode.name} watches {'-'.join(episode.partnership)}, got "
            f"{'-'.join(sc.watch.partnership)}",
        )
    grid = np.array(sc.time.years())
    offset = sc.time.start - math.floor(sc.time.start)
    first, last = episode.years
    snaps = []
    for year in range(first, last + 1):
        inside = grid[np.floor(grid + 1e-9) == year]
        if inside.size == 0:
            raise InputError(
                path,
                "time",
                f"the episode {episode.name} needs a step in every year {first}-{last}; the "
                f"scenario runs {format_year(sc.time.start)}-{format_year(sc.time.horizon)}",
            )
        snaps.append(round(float(inside[np.argmin(np.abs(inside - (year + offset)))]), 6))
    return tuple(snaps)


def run_hindcast(
    inputs: Inputs,
    episode: Episode,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
    executor: cf.Executor | None = None,
) -> EnsembleResult:
    """Run the ensemble with the episode's yearly snapshots (the worlds of ``wedge run``)."""
    return run_ensemble(
        inputs,
        runs=runs,
        seed=seed,
        progress=progress,
        executor=executor,
        snapshots=snapshot_years(inputs, episode),
    )


def scorecard(ensemble: EnsembleResult, episode: Episode) -> Scorecard:
    """Score an ensemble of the episode's hindcast, with its clashes beside the disputes."""
    sc = ensemble.scenario
    card = score(
        ensemble.runs,
        list(sc.actors),
        episode,
        sc.outcomes.model_dump(),
        start=sc.time.start,
        scenario=sc.name,
        title=sc.title or sc.name,
        seed=ensemble.seed,
    )
    card.scenario_file = shown_path(ensemble.inputs.path)
    card.horizon = sc.time.horizon
    if episode.clashes is not None:
        clashes = episode.clashes
        card.clash_pair = clashes.pair
        card.clashes, card.clash_peak_year = clash_record(
            ensemble, clashes.pair, clashes.disputes, clashes.windows
        )
    return card


def load_milestones(path: str | Path) -> pd.DataFrame:
    """The milestones CSV with a decimal ``year`` per row, sorted by date.

    Columns ``date`` (``YYYY-MM-DD``), ``pair``, ``event``, ``kind``
    (:data:`MILESTONE_KINDS`) and ``note``.

    Raises
    ------
    InputError
        The file is missing or unreadable, lacks a column, or has a bad date or kind.
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"cannot read the milestones: {exc}") from None
    missing = [c for c in ("date", "pair", "event", "kind") if c not in df.columns]
    if missing:
        raise InputError(path, "", f"missing column(s) {missing}")
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    for row in np.flatnonzero(dates.isna().to_numpy()):
        raise InputError(path, f"row {row + 2}.date", f"{df['date'][row]!r} is not YYYY-MM-DD")
    for row, kind in enumerate(df["kind"]):
        if kind not in MILESTONE_KINDS:
            raise InputError(
                path, f"row {row + 2}.kind", f"{kind!r}; allowed {list(MILESTONE_KINDS)}"
            )
    days = np.where(dates.dt.is_leap_year, 366.0, 365.0)
    df["year"] = dates.dt.year + (dates.dt.day_of_year - 1) / days
    return df.sort_values("year", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class EpisodeRun:
    """What one episode's sub-result carries for its view."""

    episode: Episode
    scorecard: Scorecard
    ensemble: EnsembleResult
    milestones: pd.DataFrame


@dataclass(frozen=True)
class Hindcast:
    """An episode, the file it came from, and the hindcast scenario it is scored on."""

    path: str
    episode: Episode
    inputs: Inputs


def episode_result(ensemble: EnsembleResult, episode: Episode, path: str) -> Result:
    """One episode's result: ``scorecard.json``, ``runs.parquet``, ``trajectories.csv``."""
    card = scorecard(ensemble, episode)
    inputs = ensemble.inputs
    return Result(
        kind="episode",
        name=episode.name,
        summary=card.to_dict(),
        summary_file="scorecard.json",
        tables={
            "runs": Table(ensemble.runs),
            "trajectories": Table(ensemble.trajectories(), ("csv",)),
        },
        inputs=input_files(
            episode=path,
            scenario=inputs.path,
            calibration=inputs.calibration.path,
            milestones=episode.milestones,
        ),
        seed=ensemble.seed,
        runs=ensemble.n,
        payload=EpisodeRun(episode, card, ensemble, load_milestones(episode.milestones)),
    )


def hindcasts(
    files: Sequence[str | Path] = (),
    scenario: str | Path | None = None,
    calibration: str | Path | None = None,
) -> list[Hindcast]:
    """Load episodes (default: every shipped one) and their hindcast scenarios.

    ``scenario`` replaces the hindcast scenario of a single episode (a
    variant of the hindcast to score); ``calibration`` replaces the
    calibration file every scenario names (a fit's ``calibration.toml``,
    with its posterior beside it: how a fit to one episode scores on
    another). Every file is validated before anything runs.

    Raises
    ------
    InputError
        A bad episode or scenario file, a scenario the episode cannot score, or
        ``scenario`` with more than one episode.
    """
    paths = [Path(f) for f in files] or shipped_episodes()
    if scenario is not None and not files:
        paths = [_episode_for(scenario, paths)]
    if scenario is not None and len(paths) != 1:
        raise InputError(
            "--scenario", "", f"replaces the scenario of one episode; {len(paths)} were given"
        )
    overrides = None
    if calibration is not None:
        if not Path(calibration).is_file():
            raise InputError("--calibration", "", f"no calibration file at {calibration}")
        overrides = {"calibration": str(Path(calibration).resolve())}
    out = []
    for path in paths:
        episode = load_episode(path)
        inputs = load_inputs(scenario if scenario is not None else episode.scenario, overrides)
        snapshot_years(inputs, episode)
        out.append(Hindcast(str(path), episode, inputs))
    names = [h.episode.name for h in out]
    if len(set(names)) != len(names):
        raise InputError(paths[0], "name", f"two episodes share a name: {names}")
    return out


def _episode_for(scenario: str | Path, paths: Sequence[Path]) -> Path:
    """The one shipped episode whose snapshot years ``scenario``'s time covers."""
    inputs = load_inputs(scenario)
    fits = []
    for path in paths:
        try:
            snapshot_years(inputs, load_episode(path))
        except InputError:
            continue
        fits.append(path)
    if len(fits) != 1:
        names = ", ".join(p.name for p in paths)
        raise InputError(
            "--scenario", "", f"its years fit {len(fits)} of the shipped episodes ({names}); "
            "name the episode file to score it on",
        )  # fmt: skip
    return fits[0]


@dataclass(frozen=True)
class Validate:
    """Score the model on history episodes.

    Parameters
    ----------
    hindcasts
        The episodes and their scenarios (:func:`hindcasts`).
    runs
        Worlds per episode.
    """

    kind: ClassVar[str] = "validate"
    hindcasts: tuple[Hindcast, ...]
    runs: int = DEFAULT_RUNS

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Run every episode's hindcast with the same seed and score it."""
        steps = sum(h.inputs.scenario.time.steps for h in self.hindcasts)
        progress.start(self.runs * steps, "world-steps", "validation")
        parts = {}
        for h in self.hindcasts:
            progress.note(f"episode {h.episode.name}: {h.inputs.scenario.name}")
            ensemble = run_hindcast(
                h.inputs, h.episode, self.runs, seed, progress=progress.advance, executor=executor
            )
            parts[h.episode.name] = episode_result(ensemble, h.episode, h.path)
        return Result(
            kind="validate",
            name="validation",
            summary=summary(parts, self.runs, seed),
            parts=parts,
            seed=seed,
            runs=self.runs * len(parts),
        )


def summary(parts: dict[str, Result], runs: int, seed: int) -> dict:
    """``summary.json`` of a validation: per episode, the targets met and the headline shares."""
    rows = []
    for name, part in parts.items():
        card = part.summary
        rows.append(
            {
                "episode": name,
                "title": card["title"],
                "scenario": card["scenario"],
                "targets_met": card["targets_met"],
                "targets_total": card["targets_total"],
                "failed": [t["key"] for t in card["targets"] if not t["pass"]],
                "folder": name,
            }
        )
    return {
        "runs_per_episode": runs,
        "seed": seed,
        "targets_met": sum(r["targets_met"] for r in rows),
        "targets_total": sum(r["targets_total"] for r in rows),
        "episodes": rows,
    }
