"""What a finished sweep found: structure or noise, coinciding outcomes, the answer to its question.

Three readings of the per-point table (:func:`sim.experiments.sweep_analysis.point_table`)
that decide what a sweep's report may claim:

- :func:`homogeneity`: whether an event's share of runs differs between design
  points at all, by an exact conditional test of homogeneity (Pearson's X² of
  the points-by-outcome table, its p-value by Monte Carlo over the
  multivariate hypergeometric allocations of the events to the runs; Agresti
  2013, sect. 3.5; Patefield 1981). With a handful of events over hundreds of
  points the chi-square approximation fails, the permutation distribution
  does not. Without detectable structure, heat maps and PRIM boxes would only
  draw the noise.
- :func:`coincident`: outcomes equal at every design point (a split is a
  rupture followed by a realignment, so P(split) = P(rupture) when every
  rupture was followed by one), drawn and described once.
- :func:`answer`: the answer to the sweep's ``[analysis.question]``.

Also the cells of a heat map (:func:`heatmap_cells`): design points pooled by
the values (or bins) of two swept parameters, shared by the figures and the
answer so that both read the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.design import DUMMY
from sim.engine.stats import proportion
from sim.scenario.sweep import Question

EVENT = {"p_split": "split_year", "p_rupture": "rupture_year"}
"""Event outcomes and the runs-table column of the event's year."""

HEATMAP_BINS = 8
"""Bins per axis when a swept parameter takes continuous values (lhs and sobol designs)."""

MAX_LEVELS = 12
"""A parameter with at most this many distinct values gets one cell per value
(grid and Morris designs); with more it is binned into :data:`HEATMAP_BINS` bins."""

ALPHA = 0.05
"""Significance level of the homogeneity test: below it an outcome has detectable structure."""

PERMUTATIONS = 4999
"""Monte Carlo draws of the homogeneity test: p-values to a resolution of 1/5000."""

_BATCH = 500
"""Draws per batch, which bounds memory to ``_BATCH`` x points integers."""


# ------------------------------------------------------------------ heat-map cells


@dataclass(frozen=True)
class HeatmapCells:
    """Cells of one outcome over two swept parameters.

    Attributes
    ----------
    x_edges, y_edges : ndarray
        Cell boundaries in parameter units, ``(nx + 1,)`` and ``(ny + 1,)``.
    x_centres, y_centres : ndarray
        Cell centres: the parameter's values themselves for a discrete axis,
        bin midpoints for a binned one.
    value : ndarray
        ``(ny, nx)`` pooled probability of the cell (runs with the event / runs,
        i.e. the mean of the points' probabilities weighted by their runs);
        ``nan`` for a cell without any design point.
    low, high : ndarray
        ``(ny, nx)`` 95% Wilson interval of the pooled probability.
    runs : ndarray
        ``(ny, nx)`` runs in the cell.
    points : ndarray
        ``(ny, nx)`` design points in the cell.
    binned_x, binned_y : bool
        Whether the axis was binned (continuous values) or drawn per value.
    """

    x_edges: np.ndarray
    y_edges: np.ndarray
    x_centres: np.ndarray
    y_centres: np.ndarray
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    runs: np.ndarray
    points: np.ndarray
    binned_x: bool
    binned_y: bool


def axis_cells(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Cell index of each value, cell centres and edges, and whether the axis was binned.

    A parameter with few distinct values (a grid axis, a Morris level) gets one
    cell per value, bounded halfway to its neighbours, so unevenly spaced grids
    keep their true spacing; continuous values go into ``bins`` equal-width bins.
    """
    levels = np.unique(values)
    if len(levels) <= MAX_LEVELS:
        index = np.searchsorted(levels, values)
        if len(levels) == 1:
            half = 0.5 if levels[0] == 0 else 0.1 * abs(levels[0])
            return index, levels, np.array([levels[0] - half, levels[0] + half]), False
        mids = (levels[:-1] + levels[1:]) / 2.0
        edges = np.concatenate(
            [[levels[0] - (mids[0] - levels[0])], mids, [levels[-1] + (levels[-1] - mids[-1])]]
        )
        return index, levels, edges, False
    edges = np.linspace(levels[0], levels[-1], bins + 1)
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    return index, (edges[:-1] + edges[1:]) / 2.0, edges, True


def heatmap_cells(
    points: pd.DataFrame,
    x: str,
    y: str,
    outcome: str = "p_split",
    scenario: str | None = None,
    bins: int = HEATMAP_BINS,
) -> HeatmapCells:
    """Pool the design points of one scenario into the cells of a heat map.

    A cell's probability is the share of all its runs that had the event: the
    mean of its points' probabilities weighted by their runs. With one grid
    point per cell it is that point's probability and interval exactly; with
    several (other parameters swept too, or a sampled design binned) it is the
    probability averaged over whatever else varies in the cell.

    Parameters
    ----------
    points : DataFrame
        Per-point table: ``scenario``, ``runs``, the outcome and the two parameters.
    x, y : str
        Paths of the two swept parameters (columns of ``points``); the same
        path twice gives a one-row strip of cells.
    outcome : {"p_split", "p_rupture"}
        Outcome to pool.
    scenario : str, optional
        Keep only this scenario's rows; required when ``points`` holds several.
    bins : int
        Bins per continuous axis.

    Returns
    -------
    HeatmapCells
        The cells, with ``(ny, nx)`` arrays (rows follow ``y``).
    """
    if outcome not in EVENT:
        raise ValueError(f"outcome: expected one of {list(EVENT)}, got {outcome!r}")
    missing = [c for c in ("scenario", "runs", outcome, x, y) if c not in points.columns]
    if missing:
        raise ValueError(f"points: missing column(s) {missing}; found {list(points.columns)}")
    if scenario is not None:
        points = points[points["scenario"] == scenario]
        if points.empty:
            raise ValueError(f"points: no rows for scenario {scenario!r}")
    elif points["scenario"].nunique() > 1:
        raise ValueError("points: several scenarios; say which one with `scenario`")
    ix, xc, xe, bx = axis_cells(points[x].to_numpy(float), bins)
    iy, yc, ye, by = axis_cells(points[y].to_numpy(float), bins)
    if y == x:
        iy, yc, ye, by = np.zeros_like(ix), np.array([np.nan]), np.array([np.nan, np.nan]), False
    runs = points["runs"].to_numpy(float)
    # p = k / n exactly for each point, so k is recovered without rounding error.
    events = np.rint(points[outcome].to_numpy(float) * runs)
    shape = (len(yc), len(xc))
    cell_runs, cell_events, cell_points = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    np.add.at(cell_runs, (iy, ix), runs)
    np.add.at(cell_events, (iy, ix), events)
    np.add.at(cell_points, (iy, ix), 1.0)
    value, low, high = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for j, i in zip(*np.nonzero(cell_runs), strict=True):
        value[j, i], low[j, i], high[j, i] = proportion(
            int(cell_events[j, i]), int(cell_runs[j, i])
        )
    return HeatmapCells(
        xe, ye, xc, yc, value, low, high, cell_runs.astype(int), cell_points.astype(int), bx, by
    )


# ------------------------------------------------------------------ homogeneity


def homogeneity(
    events: np.ndarray, runs: np.ndarray, seed: int | list[int], permutations: int = PERMUTATIONS
) -> dict[str, Any]:
    """Exact conditional test that an event has the same probability at every design point.

    The statistic is Pearson's X² of the points-by-(event, no event) table,
    ``sum((k - n p)^2 / (n p (1 - p)))`` with ``p`` the pooled share (the
    binomial dispersion statistic). Its null distribution is that of the
    events, their total fixed, falling at random on the runs: a
    multivariate hypergeometric draw per permutation. The p-value is
    ``(1 + draws at or above the observed X²) / (1 + permutations)``.

    Parameters
    ----------
    events, runs : ndarray
        Events and runs per design point, ``(points,)`` integers.
    seed : int or list of int
        Seed of the Monte Carlo draws (a :class:`numpy.random.SeedSequence` entropy).
    permutations : int
        Monte Carlo draws.

    Returns
    -------
    dict
        ``test``, ``statistic`` (X²), ``df`` (points - 1), ``p_value``,
        ``permutations``, ``points``, ``events``, ``runs``, ``rate`` (pooled
        share) and ``structure`` (``p_value < ALPHA``). Without any event, or
        with the event in every run, there is nothing to test: X² is 0 and p 1.
    """
    events = np.asarray(events, dtype=np.int64)
    runs = np.asarray(runs, dtype=np.int64)
    total, n = int(events.sum()), int(runs.sum())
    out: dict[str, Any] = {
        "test": "exact conditional test of homogeneity (Pearson X², Monte Carlo)",
        "points": len(runs),
        "events": total,
        "runs": n,
        "rate": total / n if n else None,
        "df": max(len(runs) - 1, 0),
        "permutations": permutations,
    }
    if len(runs) < 2 or total in (0, n):
        return out | {"statistic": 0.0, "p_value": 1.0, "structure": False}
    rate = total / n
    expected = runs * rate

    def x2(k: np.ndarray) -> np.ndarray:
        return (((k - expected) ** 2) / (expected * (1.0 - rate))).sum(axis=-1)

    observed = float(x2(events))
    rng = np.random.default_rng(seed)
    above, done = 0, 0
    while done < permutations:
        size = min(_BATCH, permutations - done)
        draws = rng.multivariate_hypergeometric(runs, total, size=size)
        # The same allocation can give the observed X² up to rounding: count it as at least.
        above += int((x2(draws) >= observed * (1.0 - 1e-12)).sum())
        done += size
    p = (above + 1) / (permutations + 1)
    return out | {"statistic": observed, "p_value": p, "structure": bool(p < ALPHA)}


def cells_homogeneity(cells: HeatmapCells, seed: int | list[int]) -> dict[str, Any]:
    """:func:`homogeneity` across the non-empty cells of a heat map (or of one parameter)."""
    filled = cells.runs > 0
    events = np.rint(np.where(filled, cells.value, 0.0) * cells.runs)[filled]
    return homogeneity(events, cells.runs[filled], seed) | {"cells": int(filled.sum())}


def event_structure(
    points: pd.DataFrame, outcome: str, axes: list[str], seed: int
) -> dict[str, dict[str, Any]]:
    """Whether an event outcome varies across the design, per scenario: the tests and the verdict.

    Two kinds of test of homogeneity (:func:`homogeneity`): across the design
    points, and along each swept parameter, its points pooled into the
    parameter's values or bins (:func:`axis_cells`). With few events a point
    holds at most one or two, and the test across points cannot see a trend
    that pooling along a parameter shows plainly (15 splits over 300 points,
    8 of them in the top eighth of the offer). The verdict corrects for the
    ``1 + len(axes)`` tests (Bonferroni): the outcome has structure when the
    smallest p-value times the number of tests is below :data:`ALPHA`. Pass
    the axes of a balanced design only (grid, Latin hypercube), where every
    value of one parameter meets the same spread of the others.

    Returns
    -------
    dict
        Scenario -> the test across points (:func:`homogeneity`'s fields) with
        ``by_parameter`` (path -> test along it, with ``cells``), ``tests``,
        ``adjusted_p`` (the smallest p-value, Bonferroni-adjusted) and
        ``structure`` (the verdict).
    """
    out = {}
    kind = list(EVENT).index(outcome)
    for k, (scenario, rows) in enumerate(points.groupby("scenario", sort=False)):
        runs = rows["runs"].to_numpy()
        events = np.rint(rows[outcome].to_numpy(float) * runs)
        test = homogeneity(events, runs, [seed, kind, k])
        by_parameter = {
            axis: cells_homogeneity(
                heatmap_cells(rows, axis, axis, outcome), [seed, kind, k, j + 1]
            )
            for j, axis in enumerate(axes)
        }
        tests = 1 + len(axes)
        smallest = min([test["p_value"], *(t["p_value"] for t in by_parameter.values())])
        adjusted = min(1.0, smallest * tests)
        out[str(scenario)] = test | {
            "by_parameter": by_parameter,
            "tests": tests,
            "adjusted_p": adjusted,
            "structure": bool(adjusted < ALPHA),
        }
    return out


def map_structure(
    points: pd.DataFrame, outcome: str, pairs: list[tuple[str, str]], seed: int
) -> dict[str, list[dict[str, Any]]]:
    """The test of homogeneity across the cells of each heat map, per scenario.

    A heat map is worth drawing only where its cells differ beyond sampling
    noise: ``structure`` of each entry (p below :data:`ALPHA`), in the order of
    ``pairs`` (the sweep's ``analysis.heatmap``).
    """
    out = {}
    kind = list(EVENT).index(outcome)
    for k, scenario in enumerate(dict.fromkeys(points["scenario"])):
        out[str(scenario)] = [
            cells_homogeneity(
                heatmap_cells(points, x, y, outcome, str(scenario)), [seed, kind, k, 0, j]
            )
            for j, (x, y) in enumerate(pairs)
        ]
    return out


def coincident(points: pd.DataFrame, outcomes: list[str]) -> list[list[str]]:
    """Groups of event outcomes that are equal at every design point of every scenario.

    Each group lists its outcomes in the order given; the first one stands for
    the group in figures and boxes. Outcomes that differ anywhere are left out.
    """
    events = [o for o in outcomes if o in EVENT and o in points.columns]
    groups: list[list[str]] = []
    for outcome in events:
        for group in groups:
            if np.array_equal(points[group[0]].to_numpy(), points[outcome].to_numpy()):
                group.append(outcome)
                break
        else:
            groups.append([outcome])
    return [g for g in groups if len(g) > 1]


# ------------------------------------------------------------------ the question


def _cell(centres: np.ndarray, edges: np.ndarray, i: int, binned: bool) -> dict[str, Any]:
    """One cell of an axis: its value, or its bin's bounds."""
    if binned:
        return {"low": float(edges[i]), "high": float(edges[i + 1])}
    return {"value": float(centres[i])}


def _estimate(cells: HeatmapCells, j: int, i: int) -> dict[str, Any]:
    return {
        "p": float(cells.value[j, i]),
        "low": float(cells.low[j, i]),
        "high": float(cells.high[j, i]),
        "runs": int(cells.runs[j, i]),
        "points": int(cells.points[j, i]),
    }


def smallest_lever(points: pd.DataFrame, question: Question, scenario: str) -> dict[str, Any]:
    """The smallest lever value whose share of runs with the event exceeds the threshold.

    Read on the cells of the lever-by-``given`` heat map (:func:`heatmap_cells`),
    for each cell of ``given`` (or once, pooled over everything else, without
    it). A cell *reaches* the threshold when its share of runs is above it.

    Returns
    -------
    dict
        ``by_given``: one entry per cell of ``given``, in increasing order, with
        ``given`` (the cell), ``lever`` (the smallest cell that reaches the
        threshold, or ``None``) and ``estimate`` (its share, 95% interval, runs
        and points; the highest cell's when none reaches); ``highest``: the
        cell with the highest share over the whole map, with ``lever``,
        ``given`` and ``estimate``; ``lever_binned`` and ``given_binned``.
    """
    lever, given, threshold = question.lever, question.given, question.threshold
    assert lever is not None and threshold is not None  # noqa: S101  (the schema requires them)
    cells = heatmap_cells(points, lever, given or lever, question.outcome, scenario)
    value = np.where(np.isfinite(cells.value), cells.value, -1.0)
    by_given = []
    for j in range(value.shape[0]):
        if not (cells.runs[j] > 0).any():
            continue
        reached = np.flatnonzero(value[j] > threshold)
        i = int(reached[0]) if len(reached) else int(np.argmax(value[j]))
        by_given.append(
            {
                "given": None
                if given is None
                else _cell(cells.y_centres, cells.y_edges, j, cells.binned_y),
                "lever": _cell(cells.x_centres, cells.x_edges, i, cells.binned_x)
                if len(reached)
                else None,
                "best_lever": _cell(cells.x_centres, cells.x_edges, i, cells.binned_x),
                "estimate": _estimate(cells, j, i),
            }
        )
    j, i = np.unravel_index(int(np.argmax(value)), value.shape)
    return {
        "ask": "smallest_lever",
        "scenario": scenario,
        "outcome": question.outcome,
        "threshold": threshold,
        "lever": lever,
        "given": given,
        "lever_binned": bool(cells.binned_x),
        "given_binned": bool(cells.binned_y),
        "by_given": by_given,
        "highest": {
            "lever": _cell(cells.x_centres, cells.x_edges, int(i), cells.binned_x),
            "given": None
            if given is None
            else _cell(cells.y_centres, cells.y_edges, int(j), cells.binned_y),
            "estimate": _estimate(cells, int(j), int(i)),
        },
    }


def drivers(table: pd.DataFrame, outcome: str, kind: str, top: int = 3) -> dict[str, Any]:
    """The parameters that detectably move an outcome, by sensitivity index, and the noise floor.

    ``table`` is a sensitivity table (:func:`sim.experiments.sweep_analysis.sensitivity`);
    the index is the total Sobol index ST or Morris mu*. A parameter *clears*
    the noise floor when its index minus its 95% half-width is above the
    dummy parameter's index (``analysis.noise_floor``), or above zero without
    a dummy.

    Returns
    -------
    dict
        ``method``, ``index`` (``ST`` or ``mu_star``), ``floor`` (``None``
        without a dummy), ``parameters`` (how many, the dummy left out),
        ``clear`` (how many clear the floor), ``cleared`` (the first ``top`` of
        them by index) and ``top`` (the first ``top`` parameters by index,
        whether they clear it or not); each entry ``parameter``, ``index``,
        ``conf`` (95% half-width) and ``clears``.
    """
    rank = "ST" if kind == "sobol" else "mu_star"
    floor_rows = table.loc[table["parameter"] == DUMMY, rank]
    floor = float(floor_rows.iloc[0]) if len(floor_rows) else None
    real = table[table["parameter"] != DUMMY].sort_values(rank, ascending=False, kind="stable")
    real = real.assign(
        clears=real[rank] - real[f"{rank}_conf"].abs() > (floor if floor is not None else 0.0)
    )

    def entries(rows: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {
                "parameter": str(row["parameter"]),
                "index": float(row[rank]),
                "conf": float(abs(row[f"{rank}_conf"])),
                "clears": bool(row["clears"]),
            }
            for _, row in rows.iterrows()
        ]

    return {
        "ask": "drivers",
        "outcome": outcome,
        "method": kind,
        "index": rank,
        "floor": floor,
        "parameters": len(real),
        "clear": int(real["clears"].sum()),
        "cleared": entries(real[real["clears"]].head(top)),
        "top": entries(real.head(top)),
    }


def answer(
    question: Question,
    points: pd.DataFrame,
    sensitivity: Mapping[str, pd.DataFrame],
    kind: str,
) -> list[dict[str, Any]]:
    """The answer to a sweep's question: one entry per scenario (``smallest_lever``) or one.

    ``sensitivity`` holds the sensitivity table of each outcome (``drivers``);
    an empty list when the tables needed are missing (failed chunks).
    """
    if question.ask == "drivers":
        table = sensitivity.get(question.outcome)
        return [] if table is None else [drivers(table, question.outcome, kind)]
    return [
        smallest_lever(points, question, str(scenario))
        for scenario in dict.fromkeys(points["scenario"])
    ]
