"""Scenario discovery: PRIM boxes of the swept parameters where an event concentrates.

PRIM (Friedman and Fisher 1999) peels the parameter space toward the runs
with the event; scenario discovery (Bryant and Lempert 2010; EMA Workbench,
Kwakkel 2017) reads the box it finds as a scenario: "Russia's fear of China
above 0.45 and an offer above 0.6: P(split) 0.23, holding 60% of all
splits". A box restricts only the parameters the sweep asks about: its own
levers and uncertainties, and the behaviour (calibration) parameters only
when the sweep file says so (``analysis.discovery_behaviour``); the
scenario's other sampled values stay free.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

from sim.engine.ensemble import parameter_columns
from sim.engine.sweep import CALIBRATION_SOURCE, Plan
from sim.experiments.sweep_findings import EVENT
from sim.scenario.calibration import PARAMETERS

PRIM_SAMPLE = 20_000
"""Runs given to PRIM at most (a seeded subsample beyond that): PRIM is O(n log n) per peel."""

WORDS = {"p_split": ("P(split)", "splits"), "p_rupture": ("P(rupture)", "ruptures")}
"""Each event outcome's name and its events, in a box's sentence."""

MIN_EVENTS = 10
"""Runs with (and without) the event that PRIM needs at least to find a box."""


def chunk_files(folder: Path) -> list[Path]:
    """The complete chunk files of a sweep's folder, in order."""
    return sorted((Path(folder) / "chunks").glob("*/chunk-*.parquet"))


def prim_module() -> ModuleType:
    """ema_workbench's PRIM, imported quietly (it warns about optional extras on import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.ERROR)
        from ema_workbench.analysis import prim
    return prim


def load_runs(folder: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The runs of a sweep's complete chunks, only ``columns`` (all when ``None``)."""
    files = chunk_files(folder)
    if not files:
        return pd.DataFrame(columns=columns or [])
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    return dataset.to_table(columns=columns).to_pandas()


def runs_columns(folder: Path) -> list[str]:
    """The columns of a sweep's runs tables (none before any chunk is complete)."""
    files = chunk_files(folder)
    if not files:
        return []
    return list(ds.dataset([str(f) for f in files], format="parquet").schema.names)


def candidates(plan: Plan, columns: list[str]) -> list[str]:
    """The parameters a PRIM box may restrict, among the runs table's ``columns``.

    The sweep's own levers and uncertainties; with ``analysis.discovery_behaviour``
    also the behaviour parameters, swept (``sweep_calibration``) or drawn per run.
    """
    sampled = parameter_columns(columns)
    axes = plan.sweep.axes()
    own = [a.parameter for a in axes if getattr(a, "source", "") != CALIBRATION_SOURCE]
    if plan.sweep.analysis.discovery_behaviour:
        own += [a.parameter for a in axes if a.parameter not in own]
        own += [c for c in sampled if c in PARAMETERS and c not in own]
    return [c for c in own if c in sampled]


def discover(
    plan: Plan,
    folder: Path,
    outcome: str,
    threshold: float,
    labels: Mapping[str, str],
) -> list[dict]:
    """PRIM boxes where the outcome's event concentrates, each with a plain sentence.

    The box chosen on the peeling trajectory is the one with the largest
    coverage whose density reaches ``threshold`` (or the densest when none
    does); restrictions that are not significant (quasi-p 0.05, Bryant and
    Lempert 2010) or that add little density are dropped (:func:`_prune`).

    Parameters
    ----------
    plan
        The sweep.
    folder
        Its work folder (chunks).
    outcome
        ``p_split`` or ``p_rupture``.
    threshold
        Density the chosen box should reach (``analysis.prim_threshold``).
    labels
        Parameter path -> readable label, for the sentence.

    Returns
    -------
    list of dict
        No box or one: ``outcome``, ``limits`` (path -> [low, high], infinite
        for an open side), ``density``, ``coverage``, ``mass``, ``base_rate``,
        ``sentence``. No box when fewer than :data:`MIN_EVENTS` runs have (or
        lack) the event, or when the sweep varies nothing PRIM may restrict.
    """
    files = chunk_files(folder)
    if not files:
        return []
    # Read only the parameter columns and the event time: never the whole sweep.
    inputs = candidates(plan, runs_columns(folder))
    runs = load_runs(folder, [*inputs, EVENT[outcome]])
    event = runs[EVENT[outcome]].notna().to_numpy()
    if event.sum() < MIN_EVENTS or (~event).sum() < MIN_EVENTS:
        return []
    x = runs[inputs].astype(np.float32)
    del runs
    x = x.loc[:, x.nunique() > 1]
    if x.shape[1] == 0:
        return []
    if len(x) > PRIM_SAMPLE:
        keep = np.random.default_rng(plan.sweep.seed).choice(len(x), PRIM_SAMPLE, replace=False)
        keep.sort()
        x, event = x.iloc[keep].reset_index(drop=True), event[keep]
    prim = prim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, event)
        box = finder.find_box()
    traj = box.peeling_trajectory
    ok = traj[traj["density"] >= threshold]
    i = int(ok["coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
    lims, initial = box.box_lims[i], box.box_lims[0]
    p_values = box.p_values[i]
    limits: dict[str, tuple[float, float]] = {}
    for col in x.columns:
        lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        lo0, hi0 = float(initial[col].iloc[0]), float(initial[col].iloc[1])
        # Keep a restriction only if it is significant (quasi-p < 0.05, Bryant and Lempert 2010).
        p_lo, p_hi = p_values.get(col, [-1.0, -1.0])
        lo = lo if lo > lo0 and 0.0 <= p_lo < 0.05 else -np.inf
        hi = hi if hi < hi0 and 0.0 <= p_hi < 0.05 else np.inf
        if np.isfinite(lo) or np.isfinite(hi):
            limits[col] = (lo, hi)
    limits = _prune(x, event, limits)
    inside = _inside(x, limits)
    clauses = []
    for col, (lo, hi) in limits.items():
        name = labels.get(col, col)
        if np.isfinite(lo) and np.isfinite(hi):
            clauses.append(f"{name} between {lo:.3g} and {hi:.3g}")
        elif np.isfinite(lo):
            clauses.append(f"{name} above {lo:.3g}")
        else:
            clauses.append(f"{name} below {hi:.3g}")
    density = float(event[inside].mean())
    coverage = float(event[inside].sum() / event.sum())
    mass = float(inside.mean())
    label, events = WORDS[outcome]
    # A share, with two significant digits below 10% so that a rare event does not read as 0.
    rate = f"{100 * density:.2g}%" if density < 0.1 else f"{100 * density:.0f}%"
    sentence = (
        f"{' and '.join(clauses) if clauses else 'anywhere'}: {label} {rate}, "
        f"holding {100 * coverage:.0f}% of all {events} "
        f"({100 * mass:.0f}% of runs)"
    )
    return [
        {
            "outcome": outcome,
            "limits": {col: [lo, hi] for col, (lo, hi) in limits.items()},
            "density": density,
            "coverage": coverage,
            "mass": mass,
            "base_rate": float(event.mean()),
            "sentence": sentence,
        }
    ]


def _inside(x: pd.DataFrame, limits: dict[str, tuple[float, float]]) -> np.ndarray:
    """Runs inside a box given as column -> (low, high), infinite for an open side."""
    inside = np.ones(len(x), dtype=bool)
    for col, (lo, hi) in limits.items():
        values = x[col].to_numpy()
        inside &= (values >= lo) & (values <= hi)
    return inside


def _prune(
    x: pd.DataFrame,
    event: np.ndarray,
    limits: dict[str, tuple[float, float]],
    keep: float = 0.95,
    most: int = 4,
) -> dict[str, tuple[float, float]]:
    """Drop, one at a time, the restriction whose removal costs the box least density.

    Stops when every removal would lose more than ``1 - keep`` of the density
    and at most ``most`` restrictions remain. PRIM on many runs finds many
    statistically significant but negligible restrictions; a box is read by
    people, so it keeps only those that matter most.
    """
    limits = dict(limits)
    while len(limits) > 1:
        density = event[_inside(x, limits)].mean()
        trials = {
            col: event[_inside(x, {k: v for k, v in limits.items() if k != col})].mean()
            for col in limits
        }
        col, best = max(trials.items(), key=lambda kv: kv[1])
        if best < keep * density and len(limits) <= most:
            break
        del limits[col]
    return limits
