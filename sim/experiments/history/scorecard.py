"""The scorecard of an episode: every target's verdict, the headline shares, the shape.

:func:`score` reads a runs table (one row per run, with the yearly relation
snapshots of :func:`sim.experiments.validate.snapshot_years`) against an
episode's targets; :func:`misses` gives a calibration its distance to history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.base import json_ready
from sim.experiments.history.shape import (
    ClashWindow,
    Turn,
    WindowShape,
    relation_turn,
    relation_windows,
    shape_windows,
)
from sim.experiments.history.snapshots import Estimate, Snapshots, median_event_year
from sim.experiments.history.targets import (
    Quantity,
    TargetResult,
    floored,
    quantities,
    results,
    verdict,
)
from sim.scenario.episode import Episode, Target


@dataclass
class Scorecard:
    """An episode's scorecard: headline shares and every target's verdict.

    ``headline`` maps a key of ``scorecard.json`` to its label and share of
    runs (the episode's ``[[headline]]``); ``windows``, ``turn`` and ``clashes``
    are the shape over time and the crises beside the disputes (information).
    """

    episode: str
    scenario: str
    title: str
    runs: int
    seed: int | None
    thresholds: dict[str, float]
    snapshot_years: list[float]
    headline: dict[str, tuple[str, Estimate]]
    median_rupture_year: float | None
    targets: list[TargetResult]
    scenario_file: str = ""
    start_year: float | None = None
    horizon: float | None = None
    windows: dict[str, list[WindowShape]] = field(default_factory=dict)
    turn: dict[str, Turn] = field(default_factory=dict)
    clash_pair: tuple[str, str] | None = None
    clashes: list[ClashWindow] = field(default_factory=list)
    clash_peak_year: float | None = None

    @property
    def passed(self) -> int:
        """Number of targets met."""
        return sum(t.passed for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``scorecard.json``."""
        return json_ready(
            {
                "episode": self.episode,
                "scenario": self.scenario,
                "title": self.title,
                "scenario_file": self.scenario_file,
                "runs": self.runs,
                "seed": self.seed,
                "start_year": self.start_year,
                "horizon": self.horizon,
                "thresholds": self.thresholds,
                **{key: est.to_dict() for key, (_, est) in self.headline.items()},
                "median_rupture_year": self.median_rupture_year,
                "targets_met": self.passed,
                "targets_total": len(self.targets),
                "targets": [t.to_dict() for t in self.targets],
                "snapshot_years": self.snapshot_years,
                "windows": {
                    pair: [w.to_dict() for w in shapes] for pair, shapes in self.windows.items()
                },
                "turn": {pair: t.to_dict() for pair, t in self.turn.items()},
                "clashes": {
                    "pair": "-".join(self.clash_pair) if self.clash_pair else None,
                    "windows": [c.to_dict() for c in self.clashes],
                    "mean_hazard_peak_year": self.clash_peak_year,
                },
            }
        )


def _thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    return {"aligned": float(thresholds["aligned"]), "hostile": float(thresholds["hostile"])}


def _snapshots(runs: pd.DataFrame, codes: Sequence[str], start: float | None) -> Snapshots:
    if runs.empty:
        raise ValueError("the runs table is empty")
    offset = (start - math.floor(start)) if start is not None else 0.75
    return Snapshots(runs, codes, offset)


def score(
    runs: pd.DataFrame,
    codes: Sequence[str],
    episode: Episode,
    thresholds: Mapping[str, float],
    *,
    start: float | None = None,
    scenario: str = "",
    title: str = "",
    seed: int | None = None,
    targets: Sequence[Target] | None = None,
    shape: bool = True,
) -> Scorecard:
    """Score a runs table against an episode's targets.

    Parameters
    ----------
    runs
        One row per run: ``rupture_year``, ``worst_year``, ``peak_hazard_year`` and
        ``r_<pair>@<year>`` snapshot columns for every year the targets use.
    codes
        The scenario's actor ids, in its order (they name the pairs).
    episode
        The episode: its targets, headline, snapshot years and shape.
    thresholds
        ``{"aligned", "hostile"}`` on the relation scale.
    start
        The scenario's start year; its fraction picks the snapshot within a year.
    scenario, title, seed
        Recorded in the scorecard.
    targets
        The targets to score (default: the episode's; a calibration passes
        raised bars, :func:`~sim.experiments.history.targets.tightened`).
    shape
        Also summarise each relation's shape over time (the episode's
        ``[shape]``); information only, not scored.

    Raises
    ------
    ValueError
        An empty table, or a column or snapshot a target (or, with ``shape``, the
        shape summary) needs is missing.
    """
    thr = _thresholds(thresholds)
    snaps = _snapshots(runs, codes, start)
    scored = results(runs, snaps, episode.targets if targets is None else targets, thr,
                     episode.years[1])  # fmt: skip
    by_key = {t.key: t for t in scored}
    headline = {h.key: (h.label, by_key[h.target].share) for h in episode.headline}
    windows, turn = {}, {}
    if shape and episode.shape is not None:
        spans = shape_windows(*episode.years, episode.shape.window_years)
        windows = relation_windows(snaps, thr["hostile"], episode.shape.pairs, spans)
        if episode.shape.turn_years is not None:
            turn = relation_turn(snaps, episode.shape.turn_pairs, episode.shape.turn_years)
    return Scorecard(
        episode=episode.name,
        scenario=scenario,
        title=title,
        runs=len(runs),
        seed=seed,
        thresholds=thr,
        snapshot_years=snaps.years(),
        headline=headline,  # type: ignore[arg-type]
        median_rupture_year=median_event_year(runs["rupture_year"].to_numpy(float)),
        targets=scored,
        start_year=start,
        windows=windows,
        turn=turn,
    )


def misses(
    runs: pd.DataFrame,
    codes: Sequence[str],
    episode: Episode,
    thresholds: Mapping[str, float],
    start: float | None = None,
    targets: Sequence[Target] | None = None,
) -> pd.Series:
    """How far the runs miss each target: 0 when it passes, larger the further off.

    Units are comparable: a share of runs, a relation on [-1, 1], years
    divided by :data:`~sim.experiments.history.snapshots.YEAR_SCALE`, or the
    share of a count beyond its bar; a failed
    target misses by at least
    :data:`~sim.experiments.history.snapshots.MIN_MISS`. Indexed by target key,
    in the order of ``targets`` (default: the episode's), for a calibration's
    distance to history. Reads only the snapshots the targets use.
    """
    snaps, chosen, thr, last = _prepared(runs, codes, episode, thresholds, start, targets)
    return _misses(runs, snaps, chosen, thr, last)


def _prepared(
    runs: pd.DataFrame,
    codes: Sequence[str],
    episode: Episode,
    thresholds: Mapping[str, float],
    start: float | None,
    targets: Sequence[Target] | None,
) -> tuple[Snapshots, Sequence[Target], dict[str, float], int]:
    """What every reading of a runs table needs: snapshots, targets, thresholds, last year."""
    chosen = episode.targets if targets is None else targets
    return _snapshots(runs, codes, start), chosen, _thresholds(thresholds), episode.years[1]


def _misses(
    runs: pd.DataFrame, snaps: Snapshots, chosen: Sequence[Target], thr: dict[str, float],
    last: int,
) -> pd.Series:  # fmt: skip
    found = {t.key: floored(*verdict(t, runs, snaps, thr, last)) for t in chosen}
    return pd.Series(found, name="miss", dtype=float)


def measured(
    runs: pd.DataFrame,
    codes: Sequence[str],
    episode: Episode,
    thresholds: Mapping[str, float],
    start: float | None = None,
    targets: Sequence[Target] | None = None,
) -> list[Quantity]:
    """Every quantity the targets' rules read, with the interval that meets it.

    In the order of ``targets`` (default: the episode's); a target passes
    exactly when all its quantities are met
    (:func:`~sim.experiments.history.targets.quantities`). History matching
    emulates these.
    """
    snaps, chosen, thr, last = _prepared(runs, codes, episode, thresholds, start, targets)
    return _quantities(runs, snaps, chosen, thr, last)


def measured_and_missed(
    runs: pd.DataFrame,
    codes: Sequence[str],
    episode: Episode,
    thresholds: Mapping[str, float],
    start: float | None = None,
    targets: Sequence[Target] | None = None,
) -> tuple[list[Quantity], pd.Series]:
    """:func:`measured` and :func:`misses` of the same runs, reading the table once."""
    snaps, chosen, thr, last = _prepared(runs, codes, episode, thresholds, start, targets)
    return _quantities(runs, snaps, chosen, thr, last), _misses(runs, snaps, chosen, thr, last)


def _quantities(
    runs: pd.DataFrame, snaps: Snapshots, chosen: Sequence[Target], thr: dict[str, float],
    last: int,
) -> list[Quantity]:  # fmt: skip
    return [q for t in chosen for q in quantities(t, runs, snaps, thr, last)]


def distance(miss: pd.Series) -> float:
    """Distance to history: the root sum of squared target misses (0 when every target passes).

    ``wedge calibrate`` ranks parameter sets by it and ``wedge identify``
    measures each move by it; 0.1 is a share of runs of 0.1, a relation of 0.1
    or one year off.
    """
    return float(np.sqrt(np.sum(np.square(miss.to_numpy(float)))))
