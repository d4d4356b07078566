"""Analysis of a finished sweep: per-point probabilities, sensitivity, what the sweep found.

Reads the chunk files column by column (never the whole sweep at once) and
returns tidy tables and a summary; it writes nothing (:func:`sim.io.write` does):

- per design point and scenario: P(split) and P(rupture) with 95% Wilson
  intervals (scipy), the partnership's mean relation at the horizon, median
  split year;
- time-to-split curves, grouped by the levels (or quartiles) of a parameter;
- global sensitivity of each outcome: first-order and total Sobol indices
  (SALib, Saltelli et al. 2010) for a ``sobol`` design, Morris elementary
  effects (SALib, Campolongo et al. 2007) for a ``morris`` design, with
  bootstrap confidence intervals;
- whether each event varies across design points at all, which outcomes
  coincide, and the answer to the sweep's question
  (:mod:`sim.experiments.sweep_findings`);
- scenario discovery: PRIM boxes where the events concentrate
  (:mod:`sim.experiments.discovery`), only for events with detectable structure.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.design import DUMMY
from sim.engine.spread import SETS, spread
from sim.engine.stats import proportion
from sim.engine.sweep import Plan
from sim.experiments.discovery import discover, load_runs, runs_columns
from sim.experiments.sweep_findings import (
    EVENT,
    answer,
    coincident,
    event_structure,
    map_structure,
)
from sim.outcomes import partnership_column
from sim.scenario.calibration import PARAMETERS

RELATION = "r_partnership"
"""Continuous outcome: mean relation of the watched partnership at the horizon, per point."""

LABEL_WIDTH = 64
"""Characters of a behaviour parameter's meaning kept in its label, at most."""

__all__ = [
    "EVENT",
    "RELATION",
    "SweepAnalysis",
    "analyse",
    "behaviour_label",
    "labels",
    "load_runs",
    "point_table",
    "sensitivity",
    "time_to_split",
]


def behaviour_label(name: str) -> str:
    """A readable label of a behaviour parameter: the gist of its meaning, then its name.

    ``"w_balance"`` -> ``"Balancing (w_balance)"``; ``"instability_decay"`` ->
    ``"Fading of regime instability (instability_decay)"``. The meaning is cut
    at its first colon, semicolon, bracket or full stop, then at a comma or
    word boundary to at most :data:`LABEL_WIDTH` characters.
    """
    spec = PARAMETERS.get(name)
    if spec is None:
        return name
    gist = re.split(r": |; | \(|\. |\.$", spec.meaning, maxsplit=1)[0]
    if len(gist) > LABEL_WIDTH:
        gist = gist.split(", ")[0]
    gist = textwrap.shorten(gist, LABEL_WIDTH, placeholder="…")
    return f"{gist} ({name})"


def labels(plan: Plan) -> dict[str, str]:
    """Readable labels of the swept parameters and of the dummy.

    A parameter's ``label`` in the sweep file, else the behaviour label of a
    calibration parameter (:func:`behaviour_label`), else its path.
    """
    out = {}
    for axis in plan.sweep.axes():
        own = getattr(axis, "label", "")
        out[axis.parameter] = own or behaviour_label(axis.parameter)
    if DUMMY in plan.design.problem["names"]:
        out[DUMMY] = "noise floor (a dummy parameter that changes nothing)"
    return out


def point_table(plan: Plan, folder: Path) -> pd.DataFrame:
    """One row per scenario and design point: runs, outcomes with intervals, design values.

    Event outcomes are shares of runs with 95% Wilson intervals (widened by the
    design effect when behaviour was drawn, and then with the central 80% over
    behaviour as ``<outcome>_behaviour_low``/``_high``: :mod:`sim.engine.spread`);
    ``r_partnership`` is the mean relation of the watched partnership at the
    horizon with a normal 95% interval of the mean.
    """
    column = {name: partnership_column(inp.scenario) for name, inp in plan.inputs.items()}
    pair_cols = sorted(set(column.values()))
    wanted = ["scenario", "point", "rupture_year", "split_year", *pair_cols]
    drawn = SETS in runs_columns(folder)
    runs = load_runs(folder, wanted + [SETS] * drawn)
    rows = []
    for (scenario, point), grp in runs.groupby(["scenario", "point"], sort=True):
        row = {"scenario": scenario, "point": int(point), "runs": len(grp)}
        for outcome, col in EVENT.items():
            s = spread(grp[col].notna().to_numpy(), grp[SETS].to_numpy() if drawn else None)
            row |= {outcome: s.value, f"{outcome}_low": s.low, f"{outcome}_high": s.high}
            if drawn:
                row |= {
                    f"{outcome}_behaviour_low": s.behaviour_low,
                    f"{outcome}_behaviour_high": s.behaviour_high,
                }
        rel = grp[column[str(scenario)]].to_numpy(float)
        half = 1.96 * rel.std(ddof=1) / np.sqrt(len(rel)) if len(rel) > 1 else np.nan
        mean = float(rel.mean())
        row |= {RELATION: mean, f"{RELATION}_low": mean - half, f"{RELATION}_high": mean + half}
        times = grp["split_year"].to_numpy()
        med = np.median(np.where(np.isnan(times), np.inf, times))
        row["median_split_year"] = float(med) if np.isfinite(med) else np.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.merge(plan.design.table(), on="point", how="left")


def time_to_split(plan: Plan, folder: Path, group_by: str, groups: int = 4) -> pd.DataFrame:
    """Cumulative P(split) by year for each level (grid) or quartile (sampled) of ``group_by``.

    Returns tidy rows: ``scenario``, ``group`` (label, an ordered categorical),
    ``year``, ``p``, ``low``, ``high``.
    """
    runs = load_runs(folder, ["scenario", group_by, "split_year"])
    values = runs[group_by].to_numpy(dtype=float)
    levels = np.unique(values)
    if len(levels) <= 8:
        runs["group"] = [f"{v:g}" for v in values]
        order = [f"{v:g}" for v in levels]
    else:
        edges = np.quantile(values, np.linspace(0, 1, groups + 1))
        idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, groups - 1)
        names = [f"{edges[i]:.2g} to {edges[i + 1]:.2g}" for i in range(groups)]
        runs["group"] = [names[i] for i in idx]
        order = names
    sc = next(iter(plan.inputs.values())).scenario
    years = np.arange(sc.time.start, sc.time.horizon + 1e-9, 1.0)
    rows = []
    for (scenario, group), grp in runs.groupby(["scenario", "group"], sort=False):
        times = grp["split_year"].to_numpy()
        for year in years:
            p, lo, hi = proportion(int(np.sum(times <= year + 1e-9)), len(grp))
            rows.append(
                {"scenario": scenario, "group": group, "year": year, "p": p, "low": lo, "high": hi}
            )
    frame = pd.DataFrame(rows)
    frame["group"] = pd.Categorical(frame["group"], categories=order, ordered=True)
    return frame.sort_values(["scenario", "group", "year"], ignore_index=True)


def sensitivity(plan: Plan, y: np.ndarray, seed: int) -> pd.DataFrame | None:
    """Global sensitivity indices of one outcome over the design; ``None`` for grid/lhs.

    ``y`` is the outcome at each design point, in design order.
    """
    design = plan.design
    if plan.sweep.design == "sobol":
        from SALib.analyze import sobol

        si = sobol.analyze(design.problem, y, calc_second_order=False, seed=seed)
        return pd.DataFrame(
            {
                "parameter": design.problem["names"],
                "S1": si["S1"],
                "S1_conf": si["S1_conf"],
                "ST": si["ST"],
                "ST_conf": si["ST_conf"],
            }
        ).sort_values("ST", ascending=False, ignore_index=True)
    if plan.sweep.design == "morris":
        from SALib.analyze import morris

        si = morris.analyze(
            design.problem, design.unit, y, num_levels=plan.sweep.morris_levels, seed=seed
        )
        return pd.DataFrame(
            {
                "parameter": design.problem["names"],
                "mu_star": si["mu_star"],
                "mu_star_conf": si["mu_star_conf"],
                "sigma": si["sigma"],
            }
        ).sort_values("mu_star", ascending=False, ignore_index=True)
    return None


@dataclass
class SweepAnalysis:
    """A finished sweep's tables and summary, before anything is drawn or written.

    Attributes
    ----------
    summary
        JSON-ready (``summary.json``): the sweep, its design and runs, P(split)
        and P(rupture) over the design per scenario with the best point, and
        what the sweep found (``homogeneity``, ``coincident``, ``answer``,
        ``sensitivity``, ``discovery``).
    points
        One row per scenario and design point (:func:`point_table`).
    curves
        Time-to-split curves (:func:`time_to_split`), ``None`` without ``group_by``.
    sensitivity
        Outcome -> sensitivity table (sobol and morris designs).
    discovery
        PRIM boxes (``discovery.json``), ``None`` when discovery was not asked for.
    """

    summary: dict[str, Any]
    points: pd.DataFrame
    curves: pd.DataFrame | None = None
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    discovery: list[dict] | None = None


def event_outcomes(plan: Plan) -> list[str]:
    """The event outcomes a sweep draws and tests: P(split) always, P(rupture) when listed."""
    return [o for o in dict.fromkeys(["p_split", *plan.sweep.outcomes]) if o in EVENT]


def analyse(plan: Plan, folder: Path, record: dict | None = None) -> SweepAnalysis:
    """Analyse the chunks of a sweep's folder; write nothing.

    Parameters
    ----------
    plan
        The sweep (:func:`sim.engine.sweep.load_sweep`).
    folder
        Its work folder, holding ``chunks/``.
    record
        What :func:`sim.engine.sweep.run_sweep` returned (for the failed chunks).

    Returns
    -------
    SweepAnalysis
        Tables and summary: ``points`` (one row per scenario and design point),
        ``curves`` (``time_to_split``), ``sensitivity`` (sobol and morris
        designs), ``discovery`` (PRIM boxes); see :func:`summarise`.
    """
    folder = Path(folder)
    sw = plan.sweep
    analysis = summarise(plan, point_table(plan, folder), record)
    if analysis.points.empty:  # every chunk failed: nothing more to analyse
        return analysis
    if sw.analysis.group_by:
        analysis.curves = time_to_split(plan, folder, sw.analysis.group_by)
    if sw.analysis.discovery:
        skipped = discovery_skipped(plan, analysis.summary)
        names = labels(plan)
        names |= {name: behaviour_label(name) for name in PARAMETERS if name not in names}
        analysis.discovery = [
            box
            for outcome in plan.sweep.outcomes
            if outcome in EVENT and outcome not in skipped
            for box in discover(plan, folder, outcome, sw.analysis.prim_threshold, names)
        ]
        analysis.summary["discovery"] = analysis.discovery
        analysis.summary["discovery_skipped"] = skipped
    return analysis


def summarise(plan: Plan, points: pd.DataFrame, record: dict | None = None) -> SweepAnalysis:
    """What the per-point table says: outcomes over the design, structure, sensitivity, answer.

    Parameters
    ----------
    plan
        The sweep.
    points
        One row per scenario and design point (:func:`point_table`).
    record
        What :func:`sim.engine.sweep.run_sweep` returned (for the failed chunks).

    Returns
    -------
    SweepAnalysis
        With ``points``, ``sensitivity`` and the summary: the sweep and its
        design; ``overall`` (per scenario, P(split) and P(rupture) over the
        design and the best point); ``coincident`` (outcomes equal at every
        point); ``homogeneity`` (per event outcome and scenario, the test of
        :func:`sim.experiments.sweep_findings.homogeneity`); ``sensitivity``;
        ``question`` and ``answer``.
    """
    sw = plan.sweep
    runs = int(points["runs"].sum()) if len(points) else 0
    summary: dict[str, Any] = {
        "sweep": sw.name,
        "title": sw.title,
        "design": sw.design,
        "points": len(plan.design),
        "replicates": sw.replicates,
        "runs": runs,
        "seed": sw.seed,
        "scenarios": list(plan.inputs),
        "parameters": labels(plan),
        "failed_chunks": (record or {}).get("failed", []),
    }
    overall = {}
    groups = points.groupby("scenario") if len(points) else []
    for scenario, grp in groups:
        entry = {}
        for outcome in EVENT:
            k = round(float((grp[outcome] * grp["runs"]).sum()))
            p, lo, hi = proportion(k, int(grp["runs"].sum()))
            entry[outcome] = {"value": p, "low": lo, "high": hi}
        best = grp.sort_values("p_split", ascending=False).iloc[0]
        entry["best_point"] = {
            "point": int(best["point"]),
            "p_split": float(best["p_split"]),
            "values": {n: float(best[n]) for n in plan.design.names},
        }
        overall[scenario] = entry
    summary["overall"] = overall
    analysis = SweepAnalysis(summary, points)
    if points.empty:
        return analysis
    events = event_outcomes(plan)
    together = coincident(points, events)
    summary["coincident"] = together
    summary["homogeneity"], summary["map_homogeneity"] = {}, {}
    pairs = [tuple(pair) for pair in sw.analysis.heatmap]
    # Pooling along one parameter compares like with like only when the others are spread
    # alike over its values: a grid or a Latin hypercube. Saltelli's and Morris's designs
    # repeat a few base rows across columns, so a parameter's bins would differ by the
    # other parameters they happen to hold; their indices answer that question instead.
    axes = plan.design.names if sw.design in ("grid", "lhs") else []
    for outcome in events:
        # Equal outcomes are one test: their data are the same.
        first = next((g[0] for g in together if outcome in g[1:]), None)
        for key, test in (
            ("homogeneity", lambda o: event_structure(points, o, axes, sw.seed)),
            ("map_homogeneity", lambda o: map_structure(points, o, pairs, sw.seed)),
        ):
            summary[key][outcome] = summary[key][first] if first is not None else test(outcome)
    if sw.analysis.sensitivity and sw.design in ("sobol", "morris"):
        summary["sensitivity"] = {}
        first_scenario = next(iter(plan.inputs))
        pts = points[points["scenario"] == first_scenario].sort_values("point")
        missing = len(plan.design) - len(pts)
        outcomes = list(sw.outcomes) if missing == 0 else []
        if missing:
            # Sobol and Morris estimators need every design point: say so rather than guess.
            summary["sensitivity_skipped"] = f"{missing} design points have no runs (failed chunks)"
        for outcome in outcomes:
            table = sensitivity(plan, pts[outcome].to_numpy(), seed=sw.seed)
            if table is not None:
                analysis.sensitivity[outcome] = table
                summary["sensitivity"][outcome] = table.to_dict(orient="records")
    question = sw.analysis.question
    if question is not None:
        summary["question"] = question.model_dump()
        summary["answer"] = answer(question, points, analysis.sensitivity, sw.design)
    return analysis


def discovery_skipped(plan: Plan, summary: dict[str, Any]) -> dict[str, str]:
    """Event outcomes that get no PRIM box of their own, and why.

    An outcome that coincides with an earlier one shares its box; one without
    detectable structure in any scenario has none, as a box would only
    outline sampling noise.
    """
    skipped: dict[str, str] = {}
    for outcome in (o for o in plan.sweep.outcomes if o in EVENT):
        first = next((g[0] for g in summary.get("coincident", []) if outcome in g[1:]), None)
        if first is not None:
            skipped[outcome] = f"coincides with {first} at every design point"
        elif not any(t["structure"] for t in summary["homogeneity"][outcome].values()):
            skipped[outcome] = "no detectable structure across design points"
    return skipped
