"""The shape of each relation over an episode, and its clashes beside the recorded disputes.

Information printed beside the targets, not scored: whether a relation turns
or drifts, when an alliance holds and breaks, and whether simulated crises
ebb when the recorded disputes did. What to summarise is data: the
episode's ``[shape]`` and ``[clashes]`` tables (:mod:`sim.scenario.episode`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.ensemble import EnsembleResult
from sim.experiments.history.snapshots import Estimate, Snapshots, not_hostile_any, spread
from sim.scenario.errors import InputError


@dataclass(frozen=True)
class WindowShape:
    """One pair's relation over a window of calendar years ``first``-``last``.

    ``median``, ``q05`` and ``q95`` pool every run's relation at every yearly
    snapshot of the window (relation units on [-1, 1]); ``not_hostile`` is the
    share of runs above the hostile threshold at one or more of those snapshots.
    """

    first: int
    last: int
    median: float | None
    q05: float | None
    q95: float | None
    not_hostile: Estimate

    def to_dict(self) -> dict[str, Any]:
        """``{"first", "last", "median", "q05", "q95", "share_not_hostile"}``."""
        return {
            "first": self.first,
            "last": self.last,
            "median": self.median,
            "q05": self.q05,
            "q95": self.q95,
            "share_not_hostile": self.not_hostile.to_dict(),
        }


@dataclass(frozen=True)
class Turn:
    """A pair's median relation at three snapshot years and its rise over each span.

    ``medians`` are across runs at the snapshots of ``years`` (relation units);
    ``rise_before`` is the change over the first span, ``rise_after`` over the
    second, and ``difference`` is ``rise_after - rise_before``: near 0 for a
    steady drift, large and positive for a turn at ``years[1]``.
    """

    years: tuple[int, int, int]
    medians: tuple[float, float, float]

    @property
    def rise_before(self) -> float:
        """Rise of the median from ``years[0]`` to ``years[1]`` (relation units)."""
        return self.medians[1] - self.medians[0]

    @property
    def rise_after(self) -> float:
        """Rise of the median from ``years[1]`` to ``years[2]`` (relation units)."""
        return self.medians[2] - self.medians[1]

    @property
    def difference(self) -> float:
        """``rise_after - rise_before`` (relation units)."""
        return self.rise_after - self.rise_before

    def to_dict(self) -> dict[str, Any]:
        """``{"years", "median", "rise_before", "rise_after", "difference"}``."""
        return {
            "years": list(self.years),
            "median": list(self.medians),
            "rise_before": self.rise_before,
            "rise_after": self.rise_after,
            "difference": self.difference,
        }


@dataclass(frozen=True)
class ClashWindow:
    """A pair's crises over the calendar years ``first``-``last``, simulated and recorded.

    ``simulated`` is the ensemble's mean crisis hazard over the window, in
    expected crises per world and year; ``onsets`` is the number of
    militarised disputes that began between the two states in those years
    (COW MID), ``None`` without a record.
    """

    first: int
    last: int
    simulated: float
    onsets: int | None

    @property
    def history_rate(self) -> float | None:
        """Disputes begun per year of the window, or ``None`` without a record."""
        return None if self.onsets is None else self.onsets / (self.last - self.first + 1)

    def to_dict(self) -> dict[str, Any]:
        """``{"first", "last", "simulated_per_year", "mid_onsets", "mid_onsets_per_year"}``."""
        return {
            "first": self.first,
            "last": self.last,
            "simulated_per_year": self.simulated,
            "mid_onsets": self.onsets,
            "mid_onsets_per_year": self.history_rate,
        }


def shape_windows(first: int, last: int, width: int) -> list[tuple[int, int]]:
    """Consecutive windows of ``width`` calendar years from ``first`` to ``last``.

    ``[(1950, 1953), (1954, 1957), ..., (1970, 1973), (1974, 1975)]`` for 1950-1975 by four:
    the last window is shorter when the years do not divide evenly.
    """
    if width < 1:
        raise ValueError("width must be at least 1 year")
    return [(y, min(y + width - 1, last)) for y in range(first, last + 1, width)]


def relation_windows(
    snaps: Snapshots,
    hostile: float,
    pairs: Sequence[tuple[str, str]],
    windows: Sequence[tuple[int, int]],
) -> dict[str, list[WindowShape]]:
    """Each pair's relation window by window: level, spread and share not hostile.

    Shows the shape of a relation over the hindcast in numbers rather than on
    the fan plot: whether the US-China thaw is a steady drift since the 1950s
    or a turn after 1969, when the alliance holds and when it breaks.

    Parameters
    ----------
    snaps
        The yearly relation snapshots of the ensemble's runs.
    hostile
        The scenario's hostile threshold on the relation scale (as for the
        ``not_hostile_any`` targets); a relation at the threshold is hostile.
    pairs
        Actor pairs, named ``"A-B"`` in this order in the result (the episode's
        ``shape.pairs``).
    windows
        Inclusive ``(first, last)`` calendar years (:func:`shape_windows`:
        four-year windows over 1950-1975).

    Returns
    -------
    dict of str to list of WindowShape
        Per pair, per window: the median and the 5% and 95% quantiles of the
        relation (units of r on [-1, 1]) over all runs and every yearly snapshot
        of the window pooled, and the share of runs (with its 95% Wilson
        interval) whose relation is above ``hostile`` at one or more of them.

    Raises
    ------
    ValueError
        A pair's snapshot of a year in a window is missing.
    """
    out: dict[str, list[WindowShape]] = {}
    for pair in pairs:
        shapes = []
        for first, last in windows:
            years = range(first, last + 1)
            med, lo, hi = spread(snaps.matrix(pair, years).ravel())
            shapes.append(
                WindowShape(
                    first=first,
                    last=last,
                    median=med,
                    q05=lo,
                    q95=hi,
                    not_hostile=Estimate.of(not_hostile_any(snaps, pair, years, hostile)),
                )
            )
        out["-".join(pair)] = shapes
    return out


def relation_turn(
    snaps: Snapshots,
    pairs: Sequence[tuple[str, str]],
    years: tuple[int, int, int],
) -> dict[str, Turn]:
    """Rise of each pair's median relation over two equal spans: a turn or a drift.

    History has the United States hostile to China through the 1960s and the
    relation turning in 1969-1972, with detente with the USSR at the same time.
    A model that reproduces the turn raises the median far more from 1968 to
    1974 than from 1962 to 1968; one that drifts steadily raises it about as
    much in both six-year spans. Information for the reader, not a target.

    Parameters
    ----------
    snaps
        The yearly relation snapshots of the ensemble's runs.
    pairs
        Actor pairs, named ``"A-B"`` in this order in the result (the episode's
        ``shape.turn_pairs``).
    years
        Start, pivot and end snapshot years (the episode's ``shape.turn_years``).

    Returns
    -------
    dict of str to Turn
        Per pair: the median across runs at each of ``years`` and the rises
        between them, in relation units (r on [-1, 1]).

    Raises
    ------
    ValueError
        A pair's snapshot of one of ``years`` is missing.
    """
    out = {}
    for pair in pairs:
        m0, m1, m2 = (float(np.median(snaps.at(pair, y))) for y in years)
        out["-".join(pair)] = Turn(years=years, medians=(m0, m1, m2))
    return out


def mid_onsets(path: str | Path, pair: tuple[str, str]) -> np.ndarray:
    """Years in which a militarised dispute between the two states of ``pair`` began.

    Reads the COW MID extract (one row per dispute-year, ``state1``,
    ``state2``, ``year``, ``cowmidonset``); a dispute counts once, in its
    onset year, whichever state is listed first.

    Raises
    ------
    InputError
        The file is missing or unreadable, or lacks a column.
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(path, "", f"cannot read the disputes: {exc}") from None
    missing = [c for c in ("state1", "state2", "year", "cowmidonset") if c not in df.columns]
    if missing:
        raise InputError(path, "", f"missing column(s) {missing}")
    a, b = pair
    ours = ((df["state1"] == a) & (df["state2"] == b)) | ((df["state1"] == b) & (df["state2"] == a))
    onset = df["cowmidonset"].str.strip() == "1"
    years = pd.to_numeric(df.loc[ours & onset, "year"], errors="coerce")
    return np.sort(years.dropna().to_numpy(dtype=int))


def clash_windows(
    years: np.ndarray,
    hazard: np.ndarray,
    onsets: np.ndarray | None,
    windows: Sequence[tuple[int, int]],
) -> list[ClashWindow]:
    """A pair's mean crisis hazard window by window, beside the disputes it had.

    Parameters
    ----------
    years
        Decimal year of each step, ``(steps,)``.
    hazard
        The ensemble's mean crisis hazard of the pair at each step, in crises
        per world and year, ``(steps,)``.
    onsets
        Years in which a recorded dispute between the pair began
        (:func:`mid_onsets`), or ``None`` without a record.
    windows
        Inclusive ``(first, last)`` calendar years.

    Returns
    -------
    list of ClashWindow
        One per window with steps in it: the mean hazard over the window's
        steps and the number of disputes begun in its years.

    Why: the peak-hazard target reads each run's own peak, which a run's
    noise can pull earlier while the ensemble's hazard still rises; the
    crises per year, window by window, show whether clashes in the model
    ebb after 1969 as the recorded disputes did.
    """
    years, hazard = np.asarray(years, dtype=float), np.asarray(hazard, dtype=float)
    out = []
    for first, last in windows:
        inside = (years >= first) & (years < last + 1)
        if not inside.any():
            continue
        count = None if onsets is None else int(((onsets >= first) & (onsets <= last)).sum())
        out.append(ClashWindow(first, last, float(hazard[inside].mean()), count))
    return out


def clash_record(
    result: EnsembleResult,
    pair: tuple[str, str],
    mids: str | Path,
    windows: Sequence[tuple[int, int]],
) -> tuple[list[ClashWindow], float | None]:
    """The clash windows of ``pair`` in an ensemble and the year its mean hazard peaks.

    Empty and ``None`` when the ensemble lacks one of the pair's actors.
    """
    wanted = set(pair)
    for k, (_, a, b) in enumerate(result.pair_names()):
        if {a, b} == wanted:
            hazard = result.counts.hazard[:, k] / result.n
            years = np.asarray(result.years, dtype=float)
            peak = float(years[int(np.argmax(hazard))])
            return clash_windows(years, hazard, mid_onsets(mids, pair), windows), peak
    return [], None
