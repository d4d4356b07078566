"""Analysis of a finished sweep: per-point probabilities, sensitivity, scenario discovery.

Reads the chunk files column by column (never the whole sweep at once) and
produces tidy tables:

- per design point and scenario: P(split) and P(rupture) with 95% Wilson
  intervals (scipy), median split year;
- time-to-split curves, grouped by the levels (or quartiles) of a parameter;
- global sensitivity of each outcome: first-order and total Sobol indices
  (SALib, Saltelli et al. 2010) for a ``sobol`` design, Morris elementary
  effects (SALib, Campolongo et al. 2007) for a ``morris`` design, with
  bootstrap confidence intervals;
- scenario discovery: PRIM boxes (EMA Workbench, Friedman and Fisher 1999;
  Bryant and Lempert 2010) where splits concentrate, as plain sentences
  with their coverage and density.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

from sim.engine.design import DUMMY
from sim.engine.ensemble import parameter_columns
from sim.engine.stats import proportion
from sim.engine.sweep import Plan
from sim.outcomes import partnership_column

EVENT = {"p_split": "split_year", "p_rupture": "rupture_year"}
RELATION = "r_partnership"
"""Continuous outcome: mean relation of the watched partnership at the horizon, per point."""
PRIM_SAMPLE = 20_000
"""Runs given to PRIM at most (a seeded subsample beyond that): PRIM is O(n log n) per peel."""


def load_runs(out: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """The runs of a sweep's complete chunks, only ``columns`` (all when ``None``)."""
    files = sorted((Path(out) / "chunks").glob("*/chunk-*.parquet"))
    if not files:
        return pd.DataFrame(columns=columns or [])
    dataset = ds.dataset([str(f) for f in files], format="parquet")
    return dataset.to_table(columns=columns).to_pandas()


def labels(plan: Plan) -> dict[str, str]:
    """Readable labels of the swept parameters (their ``label`` or path), and of the dummy."""
    out = {}
    for axis in plan.sweep.axes():
        out[axis.parameter] = getattr(axis, "label", "") or axis.parameter
    if DUMMY in plan.design.problem["names"]:
        out[DUMMY] = "noise floor (a dummy parameter that changes nothing)"
    return out


def point_table(plan: Plan, out: Path) -> pd.DataFrame:
    """One row per scenario and design point: runs, outcomes with intervals, design values.

    Event outcomes are shares of runs with 95% Wilson intervals;
    ``r_partnership`` is the mean relation of the watched partnership at the
    horizon with a normal 95% interval of the mean.
    """
    column = {name: partnership_column(inp.scenario) for name, inp in plan.inputs.items()}
    pair_cols = sorted(set(column.values()))
    runs = load_runs(out, ["scenario", "point", "rupture_year", "split_year", *pair_cols])
    rows = []
    for (scenario, point), grp in runs.groupby(["scenario", "point"], sort=True):
        row = {"scenario": scenario, "point": int(point), "runs": len(grp)}
        for outcome, col in EVENT.items():
            k = int(grp[col].notna().sum())
            p, lo, hi = proportion(k, len(grp))
            row |= {outcome: p, f"{outcome}_low": lo, f"{outcome}_high": hi}
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


def time_to_split(plan: Plan, out: Path, group_by: str, groups: int = 4) -> pd.DataFrame:
    """Cumulative P(split) by year for each level (grid) or quartile (sampled) of ``group_by``.

    Returns tidy rows: ``scenario``, ``group`` (label), ``year``, ``p``, ``low``, ``high``.
    """
    runs = load_runs(out, ["scenario", group_by, "split_year"])
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


def discover(plan: Plan, out: Path, outcome: str = "p_split", threshold: float = 0.5) -> list[dict]:
    """PRIM boxes where the outcome's event concentrates, each with a plain sentence.

    The candidate inputs are every swept parameter and every parameter the
    scenarios sampled. The box chosen on the peeling trajectory is the one
    with the largest coverage whose density reaches ``threshold`` (or the
    densest when none does).
    """
    files = sorted((Path(out) / "chunks").glob("*/chunk-*.parquet"))
    boxes: list[dict] = []
    if not files:
        return boxes
    # Read only the parameter columns and the event time: never the whole sweep.
    columns = ds.dataset([str(f) for f in files], format="parquet").schema.names
    inputs = parameter_columns(columns)
    runs = load_runs(out, [*inputs, EVENT[outcome]])
    event = runs[EVENT[outcome]].notna().to_numpy()
    if event.sum() < 10 or (~event).sum() < 10:
        return boxes
    x = runs[inputs].astype(np.float32)
    del runs
    x = x.loc[:, x.nunique() > 1]
    if len(x) > PRIM_SAMPLE:
        keep = np.random.default_rng(plan.sweep.seed).choice(len(x), PRIM_SAMPLE, replace=False)
        keep.sort()
        x, event = x.iloc[keep].reset_index(drop=True), event[keep]
    names = labels(plan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional extras on import
        logging.getLogger("EMA").setLevel(logging.ERROR)
        from ema_workbench.analysis import prim

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
    restricted = {}
    for col, (lo, hi) in limits.items():
        restricted[col] = [lo, hi]
        name = names.get(col, col)
        if np.isfinite(lo) and np.isfinite(hi):
            clauses.append(f"{name} between {lo:.3g} and {hi:.3g}")
        elif np.isfinite(lo):
            clauses.append(f"{name} above {lo:.3g}")
        else:
            clauses.append(f"{name} below {hi:.3g}")
    density = float(event[inside].mean())
    coverage = float(event[inside].sum() / event.sum())
    mass = float(inside.mean())
    label = "P(split)" if outcome == "p_split" else "P(rupture)"
    event_word = "splits" if outcome == "p_split" else "ruptures"
    sentence = (
        f"{' and '.join(clauses) if clauses else 'anywhere'}: {label} {density:.2f}, "
        f"holding {100 * coverage:.0f}% of all {event_word} "
        f"({100 * mass:.0f}% of runs)"
    )
    boxes.append(
        {
            "outcome": outcome,
            "limits": restricted,
            "density": density,
            "coverage": coverage,
            "mass": mass,
            "base_rate": float(event.mean()),
            "sentence": sentence,
        }
    )
    return boxes


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


def analyse(plan: Plan, out: Path, record: dict | None = None) -> dict:
    """Write the sweep's tables and return its summary (also written to ``summary.json``).

    Files: ``points.parquet``/``.csv`` (per scenario and design point),
    ``time_to_split.csv``, ``sensitivity_<outcome>.csv`` (sobol and morris
    designs), ``discovery.json`` (PRIM boxes).
    """
    import json

    out = Path(out)
    sw = plan.sweep
    points = point_table(plan, out)
    points.to_parquet(out / "points.parquet", index=False)
    points.to_csv(out / "points.csv", index=False)
    runs = int(points["runs"].sum()) if len(points) else 0
    summary: dict = {
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
    if points.empty:  # every chunk failed: nothing more to analyse
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        return summary
    if sw.analysis.group_by:
        curves = time_to_split(plan, out, sw.analysis.group_by)
        curves.to_csv(out / "time_to_split.csv", index=False)
    if sw.analysis.sensitivity and sw.design in ("sobol", "morris"):
        summary["sensitivity"] = {}
        first = next(iter(plan.inputs))
        pts = points[points["scenario"] == first].sort_values("point")
        missing = len(plan.design) - len(pts)
        outcomes = list(sw.outcomes) if missing == 0 else []
        if missing:
            # Sobol and Morris estimators need every design point: say so rather than guess.
            summary["sensitivity_skipped"] = f"{missing} design points have no runs (failed chunks)"
        for outcome in outcomes:
            table = sensitivity(plan, pts[outcome].to_numpy(), seed=sw.seed)
            if table is not None:
                table.to_csv(out / f"sensitivity_{outcome}.csv", index=False)
                summary["sensitivity"][outcome] = table.to_dict(orient="records")
    if sw.analysis.discovery:
        boxes = []
        for outcome in (o for o in sw.outcomes if o in EVENT):
            boxes += discover(plan, out, outcome, sw.analysis.prim_threshold)
        (out / "discovery.json").write_text(json.dumps(boxes, indent=2) + "\n")
        summary["discovery"] = boxes
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
    return summary
