"""Whether the one-at-a-time tolerated ranges of ``wedge identify`` hold jointly.

A profile (:mod:`sim.experiments.identify`) moves one parameter at a time;
a sweep over behaviour, or a run with ``calibration_uncertainty = "ranges"``,
draws them all at once. Here parameter sets are drawn jointly over the
tolerated ranges, and over the same ranges shrunk toward the fit, and each
set is scored on history and checked for the present day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.engine.ensemble import Inputs
from sim.engine.stats import proportion
from sim.experiments.calibrate import PRESENT_YEARS, fitted_names, present_day_ok
from sim.experiments.history.scorecard import distance
from sim.experiments.sets import run_sets
from sim.experiments.validate import fit_episode, fit_misses, snapshot_years

JOINT_SHRINKS = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125)
"""Factors by which the joint check shrinks every tolerated range toward the fit, widest first."""


def shrunk(bounds: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``bounds`` with every range shrunk toward its fit: ``fit + factor (end - fit)``."""
    out = bounds.copy()
    for end in ("low", "high"):
        out[end] = bounds["fit"] + factor * (bounds[end] - bounds["fit"])
    return out


def _distances(runs: pd.DataFrame, hindcast: Inputs) -> pd.Series:
    """Distance to history of each ``set`` of a :func:`sim.experiments.sets.run_sets` table."""
    score = fit_misses(hindcast)
    return runs.groupby("set").apply(lambda r: distance(score(r)), include_groups=False)


def joint_check(
    hindcast: Inputs,
    baseline: Inputs,
    bounds: pd.DataFrame,
    sets: int,
    runs: int,
    seed: int,
    tolerance: float,
    shrinks: Sequence[float] = JOINT_SHRINKS,
    fit_batches: int = 20,
    progress: Callable[[float], None] | None = None,
) -> tuple[pd.DataFrame, float]:
    """How many joint draws over the tolerated ranges fit history about as well as the fit.

    The profile reads one parameter at a time; a sweep or a run in
    ``"ranges"`` mode draws them all at once. For each factor of ``shrinks``,
    ``sets`` parameter sets are drawn by Latin hypercube over the ranges
    shrunk toward the fit by that factor (the same unit draws at every
    factor), every fitted parameter without a range at its point value, and
    each set runs ``runs`` hindcast worlds and ``runs`` worlds of the 2024
    baseline. A set *passes* when its distance to history is at most the bar
    and the baseline gives the 2018-2024 picture. The bar is the 90th
    percentile of the fit's own distance over ``fit_batches`` batches of
    ``runs`` worlds, plus ``tolerance``: a set as good as the fit passes at
    least nine times in ten.

    Returns a table with one row per factor (``shrink``, ``sets``, ``passed``,
    ``share`` with its 95% Wilson ``low``/``high``, ``median_distance``) and
    the bar. ``progress`` is called with each factor once its sets have run.
    """
    names = fitted_names(hindcast.calibration)
    point = hindcast.calibration.values()
    years = snapshot_years(hindcast, fit_episode())
    fit = np.array([point[n] for n in names])
    fit_runs = run_sets(
        hindcast, np.repeat(fit[None, :], fit_batches, axis=0), names, runs, seed, years
    )
    bar = float(np.quantile(_distances(fit_runs, hindcast), 0.9)) + tolerance
    found = bounds.set_index("parameter")
    lo0 = np.array([found["low"].get(n, point[n]) for n in names])
    hi0 = np.array([found["high"].get(n, point[n]) for n in names])
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(sets)
    thr = baseline.scenario.outcomes.model_dump()
    rows = []
    for k in shrinks:
        lo, hi = fit + k * (lo0 - fit), fit + k * (hi0 - fit)
        values = lo + unit * (hi - lo)
        dist = _distances(run_sets(hindcast, values, names, runs, seed + 1, years), hindcast)
        present = run_sets(baseline, values, names, runs, seed + 2, PRESENT_YEARS)
        ok = present.groupby("set").apply(lambda r: present_day_ok(r, thr), include_groups=False)
        passed = int(((dist <= bar) & ok.reindex(dist.index, fill_value=False)).sum())
        share, low, high = proportion(passed, sets)
        rows.append(
            {
                "shrink": k, "sets": sets, "passed": passed, "share": float(share),
                "low": float(low), "high": float(high), "median_distance": float(dist.median()),
            }
        )  # fmt: skip
        if progress is not None:
            progress(k)
    return pd.DataFrame(rows), bar


@dataclass(frozen=True)
class Joint:
    """A :func:`joint_check` and the factor chosen from it."""

    table: pd.DataFrame
    bar: float
    """Distance to history a set must not exceed to pass."""
    target: float
    """Least share of passing joint draws asked for."""
    chosen: float
    """Widest shrink factor that reaches ``target`` (:func:`chosen_shrink`)."""
    runs: int
    """Hindcast (and baseline) worlds per draw."""


def chosen_shrink(joint: pd.DataFrame, share: float) -> float:
    """The widest factor of a :func:`joint_check` whose share of passing draws reaches ``share``.

    When none does, the narrowest factor tried.
    """
    good = joint[joint["share"] >= share]
    return float(good["shrink"].max()) if len(good) else float(joint["shrink"].min())
