"""How tightly the 1949-1975 history pins each behaviour parameter, and what that means for 2024.

A calibration that keeps a handful of parameter sets says little about which
parameters the history actually decides: sixty-odd parameters fitted to nine
coarse targets leave many of them free, and a population of fits that has
collapsed onto one set (effective sample size 1) hides that entirely. This
module measures it directly, one parameter at a time (a profile):

1. *Moves*: each fitted parameter alone is moved from the point fit by
   :data:`OFFSETS` (fractions of its admissible range, both ways, clipped to
   the range), every other parameter at its point value.
2. *Common random numbers*: every move runs the same worlds ``0 .. runs-1``
   of one seed, so that the difference between two moves is the parameter's
   effect and not a fresh draw of the model's randomness.
3. *Distance*: each move's runs are scored against history with
   :func:`sim.experiments.validate.misses` (root sum of squared target misses; 0.1 is a
   share of runs of 0.1, a relation of 0.1 or one year).
4. *Present day*: each move also runs the 2024 baseline on common random
   numbers and is checked for the 2018-2024 picture
   (:func:`sim.experiments.calibrate.present_day_ok`), the check a calibration applies
   to every set it keeps.
5. *Tolerated range*: walking outward from the fit, the last move at which
   the distance is still within ``tolerance`` of the fit's own and the
   present-day picture holds; the first move that fails either ends the
   range, even if a later one comes back. Its ends are known to the
   resolution of :data:`OFFSETS`.
6. *What it does to 2024*: at both ends of each tolerated range a wedge
   scenario gives P(rupture) and P(split) by its horizon, on common random
   numbers again.

A profile reads each parameter with the others held at the fit, so it
neither finds compensating moves (two parameters that can move together
where neither can alone) nor says that the tolerated ranges hold jointly; it
says which parameters the history constrains near the fit, and which of the
ones it does not constrain move the forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.engine.ensemble import Inputs, proportion, run_chunk
from sim.experiments.calibrate import PRESENT_YEARS, present_day_ok, run_sets
from sim.experiments.validate import check_hindcast, misses
from sim.scenario.calibration import PARAMETERS, Calibration

OFFSETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0)
"""Moves from the fit, as fractions of the parameter's admissible range (each way)."""


def fitted_names(calibration: Calibration) -> list[str]:
    """Parameters the calibration fitted (source starting ``fitted``), in file order.

    A file that fitted nothing (hand-set values) profiles every parameter
    with an uncertain range instead.
    """
    names = [n for n, p in calibration.parameters.items() if p.source.startswith("fitted")]
    return names or list(calibration.ranges())


def moves(
    value: float, lower: float, upper: float, offsets: Sequence[float] = OFFSETS
) -> np.ndarray:
    """The values a profile tries: ``value`` moved by each offset both ways, within bounds.

    Offsets are fractions of ``upper - lower``; moves past a bound are
    clipped to it and repeats dropped. Sorted ascending, ``value`` included.
    """
    width = upper - lower
    steps = np.asarray(offsets, dtype=float) * width
    tried = np.concatenate([value - steps, [value], value + steps])
    return np.unique(np.clip(tried, lower, upper))


def tolerated(
    values: np.ndarray,
    distances: np.ndarray,
    fit: float,
    tolerance: float,
    ok: np.ndarray | None = None,
) -> tuple[float, float]:
    """The range around ``fit`` over which ``distances`` stay within ``tolerance`` of the fit's.

    ``values`` ascending and containing ``fit``; ``distances`` the distance to
    history at each; ``ok`` whether each value passes a further check (the
    present-day picture; ``None``: all pass). Walking outward from the fit
    each way, the range ends at the last value before the first one that
    fails the check or whose distance exceeds the fit's by more than
    ``tolerance``. The fit itself is always in the range.
    """
    values = np.asarray(values, dtype=float)
    distances = np.asarray(distances, dtype=float)
    good = np.ones(len(values), dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    centre = int(np.flatnonzero(values == fit)[0])
    keep = good & (distances <= distances[centre] + tolerance)
    lo = hi = centre
    while lo > 0 and keep[lo - 1]:
        lo -= 1
    while hi < len(values) - 1 and keep[hi + 1]:
        hi += 1
    return float(values[lo]), float(values[hi])


def _fixed(
    point: dict[str, float], names: Sequence[str], size: int, moved: str | None = None,
    value: float = np.nan,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Every one of ``names`` at its point value on ``size`` worlds, ``moved`` at ``value``."""
    out = {n: np.full(size, point[n]) for n in names}
    if moved is not None:
        out[moved] = np.full(size, value)
    return out


def _scorer(hindcast: Inputs) -> Callable[[pd.DataFrame], pd.Series]:
    """Target misses of a table of hindcast runs (:func:`sim.experiments.validate.misses`)."""
    codes = list(hindcast.scenario.actors)
    thr = hindcast.scenario.outcomes.model_dump()
    start = hindcast.scenario.time.start
    return lambda runs: misses(runs, codes, thr, start)


def _distance(miss: pd.Series) -> float:
    """Distance to history: root sum of squared misses, as ``wedge calibrate`` ranks sets."""
    return float(np.sqrt(np.sum(miss.to_numpy() ** 2)))


def profile(
    hindcast: Inputs,
    names: Sequence[str],
    runs: int,
    seed: int,
    baseline: Inputs | None = None,
    offsets: Sequence[float] = OFFSETS,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Distance to history of every one-parameter move (module docstring, steps 1-4).

    ``names`` are the parameters moved; every fitted parameter is held at
    its point value (:func:`fitted_names`). Returns one row per move:
    ``parameter``, ``value``, ``fit`` (the point value), ``offset`` (the
    move as a signed share of the admissible range), one ``miss_<target>``
    column per target, ``distance`` and ``present_ok`` (the 2024 baseline
    gives the 2018-2024 picture; always true without ``baseline``).
    """
    cal = hindcast.calibration
    point = cal.values()
    years = check_hindcast(hindcast)
    score = _scorer(hindcast)
    held = fitted_names(cal)
    rows = []
    for name in names:
        spec = PARAMETERS[name]
        for value in moves(point[name], spec.lower, spec.upper, offsets):
            fixed = _fixed(point, held, runs, name, value)
            table = run_chunk(
                hindcast, seed, 0, runs, paths=False, fixed=fixed, snapshots=years
            ).runs
            miss = score(table)
            rows.append(
                {
                    "parameter": name,
                    "value": float(value),
                    "fit": point[name],
                    "offset": (value - point[name]) / (spec.upper - spec.lower),
                    **{f"miss_{k}": float(v) for k, v in miss.items()},
                    "distance": _distance(miss),
                    "present_ok": baseline is None or _present(baseline, fixed, runs, seed),
                }
            )
        if progress is not None:
            progress(name)
    return pd.DataFrame(rows)


def _present(baseline: Inputs, fixed: dict[str, np.ndarray], runs: int, seed: int) -> bool:
    table = run_chunk(
        baseline, seed, 0, runs, paths=False, fixed=fixed, snapshots=PRESENT_YEARS
    ).runs
    return present_day_ok(table, baseline.scenario.outcomes.model_dump())


def _limit(values: np.ndarray, worse: np.ndarray, lost: np.ndarray, end: float, step: int) -> str:
    """What ends a range at ``end`` going ``step`` (-1 down, +1 up): see :func:`ranges`."""
    k = int(np.flatnonzero(values == end)[0]) + step
    if k < 0 or k >= len(values):
        return "bound"
    return "both" if worse[k] and lost[k] else "present day" if lost[k] else "history"


def ranges(table: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Each parameter's tolerated range (module docstring, step 5) from a :func:`profile`.

    Columns: ``parameter``, ``fit``, ``low``, ``high``, ``lower``/``upper``
    (admissible bounds), ``share`` (the tolerated range's share of the
    admissible one), ``fit_distance``, and ``limit_low``/``limit_high``:
    what ends the range that way, ``"bound"`` (the admissible bound: history
    does not limit the parameter that way), ``"history"`` (the next move fits
    the hindcast worse by more than ``tolerance``), ``"present day"`` (the next
    move loses the 2018-2024 picture) or ``"both"``.
    """
    out = []
    for name, group in table.groupby("parameter", sort=False):
        group = group.sort_values("value")
        values = group["value"].to_numpy()
        distances = group["distance"].to_numpy()
        ok = group["present_ok"].to_numpy(dtype=bool)
        fit = float(group["fit"].iloc[0])
        lo, hi = tolerated(values, distances, fit, tolerance, ok)
        bar = float(distances[values == fit][0]) + tolerance
        spec = PARAMETERS[str(name)]
        out.append(
            {
                "parameter": name,
                "fit": fit,
                "low": lo,
                "high": hi,
                "lower": spec.lower,
                "upper": spec.upper,
                "share": (hi - lo) / (spec.upper - spec.lower),
                "limit_low": _limit(values, distances > bar, ~ok, lo, -1),
                "limit_high": _limit(values, distances > bar, ~ok, hi, +1),
                "fit_distance": bar - tolerance,
            }
        )
    return pd.DataFrame(out)


def forecast_effect(
    wedge: Inputs,
    bounds: pd.DataFrame,
    runs: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """P(rupture) and P(split) by the horizon of ``wedge``, at the fit and each range's ends.

    One row per (parameter, end) with ``end`` in ``low``/``high``, plus a
    first row for the fit itself (``parameter`` = ``"(fit)"``). Every fitted
    parameter is held at its point value except the one at its end. Shares
    are of ``runs`` worlds, the same worlds for every row (common random
    numbers), so that differences between rows are the parameters'.
    """
    point = wedge.calibration.values()
    held = fitted_names(wedge.calibration)

    def one(name: str | None, value: float) -> dict[str, float]:
        fixed = _fixed(point, held, runs, name, value)
        table = run_chunk(wedge, seed, 0, runs, paths=False, fixed=fixed).runs
        return {
            "runs": runs,
            "p_rupture": float(table["rupture_year"].notna().mean()),
            "p_split": float(table["split_year"].notna().mean()),
        }

    rows = [{"parameter": "(fit)", "end": "fit", "value": np.nan, **one(None, np.nan)}]
    for rec in bounds.itertuples():
        for end in ("low", "high"):
            value = float(getattr(rec, end))
            rows.append(
                {
                    "parameter": rec.parameter,
                    "end": end,
                    "value": value,
                    **one(rec.parameter, value),
                }
            )
        if progress is not None:
            progress(str(rec.parameter))
    return pd.DataFrame(rows)


JOINT_SHRINKS = (1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125)
"""Factors by which the joint check shrinks every tolerated range toward the fit, widest first."""


def shrunk(bounds: pd.DataFrame, factor: float) -> pd.DataFrame:
    """``bounds`` with every range shrunk toward its fit: ``fit + factor (end - fit)``."""
    out = bounds.copy()
    for end in ("low", "high"):
        out[end] = bounds["fit"] + factor * (bounds[end] - bounds["fit"])
    return out


def _distances(runs: pd.DataFrame, hindcast: Inputs) -> pd.Series:
    """Distance to history of each ``set`` of a :func:`sim.experiments.calibrate.run_sets` table."""
    score = _scorer(hindcast)
    return runs.groupby("set").apply(lambda r: _distance(score(r)), include_groups=False)


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
    the bar.
    """
    names = fitted_names(hindcast.calibration)
    point = hindcast.calibration.values()
    years = check_hindcast(hindcast)
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


def plot_joint(joint: pd.DataFrame, target: float, chosen: float):
    """Share of joint draws that fit history against the shrink factor, with 95% intervals."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    x = joint["shrink"].to_numpy()
    ax.fill_between(x, joint["low"] * 100, joint["high"] * 100, color="0.8", label="95% interval")
    ax.plot(x, joint["share"] * 100, "o-", color="black", label="share of joint draws that pass")
    ax.axhline(target * 100, color="0.3", ls="--", lw=1, label=f"target {target:.0%}")
    ax.axvline(chosen, color="0.3", ls=":", lw=1.2, label=f"ranges written: factor {chosen:g}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [f"{v:g}" for v in x])
    ax.set_ylim(0, 100)
    ax.set_xlabel("factor by which every tolerated range is shrunk toward the fit")
    ax.set_ylabel("% of joint draws fitting 1949-1975\nas well as the fit")
    ax.set_title("Do the one-at-a-time ranges hold jointly?", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def summary_table(bounds: pd.DataFrame, effect: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: the tolerated range and the 2024 shares at its two ends.

    Sorted by how much the wedge scenario's P(rupture) moves across the
    range (largest first), ties by the share of the admissible range
    tolerated.
    """
    ends = effect[effect["end"] != "fit"].pivot(
        index="parameter", columns="end", values=["p_rupture", "p_split"]
    )
    ends.columns = [f"{a}_{b}" for a, b in ends.columns]
    out = bounds.merge(ends, left_on="parameter", right_index=True, how="left")
    out["rupture_swing"] = (out["p_rupture_high"] - out["p_rupture_low"]).abs()
    out["split_swing"] = (out["p_split_high"] - out["p_split_low"]).abs()
    return out.sort_values(["rupture_swing", "share"], ascending=False).reset_index(drop=True)


def _shown(x: float) -> str:
    return f"{x:.4g}".replace("-", "−")


def _share(p: float) -> str:
    return f"{100 * p:.1f}%"


def markdown_report(
    table: pd.DataFrame,
    effect: pd.DataFrame,
    tolerance: float,
    runs: int,
    forecast_runs: int,
    seed: int,
    wedge_name: str,
    command: str,
    joint: Joint | None = None,
) -> str:
    """The identification report: how it was measured, a summary, one row per parameter.

    With ``joint``, a section on whether the ranges hold jointly, and which
    shrunk ranges were chosen.
    """
    fit = effect[effect["end"] == "fit"].iloc[0]
    free = table[(table["limit_low"] == "bound") & (table["limit_high"] == "bound")]
    tight = table[table["share"] < 0.02]
    present = table[(table[["limit_low", "limit_high"]].isin(["present day", "both"])).any(axis=1)]
    top = table.iloc[0]
    lines = [
        "# How tightly the 1949-1975 history pins each behaviour parameter",
        "",
        f"Made by `{command}`.",
        "",
        "Each fitted parameter is moved alone from the point fit (every other one held there) "
        f"by {', '.join(f'{o:g}' for o in OFFSETS)} of its admissible range each way. Every move "
        f"runs the same {runs:,} hindcast worlds (seed {seed}) and is scored against history "
        "(root sum of squared target misses, as `wedge calibrate` scores it: 0.1 is a share of "
        "runs of 0.1, a relation of 0.1 or one year), and runs the same number of worlds of "
        "the 2024 baseline, checked for the 2018-2024 picture. The **tolerated range** is the "
        "widest range around the fit, walking outward, over which the distance stays within "
        f"{tolerance:g} of the fit's own ({table['fit_distance'].iloc[0]:.3f}) and the "
        "present-day picture holds; its ends are known to the resolution of those moves. At "
        f"both ends, {forecast_runs:,} worlds of `{wedge_name}` give the probabilities of a "
        "China-Russia rupture and of a 1970s-style split by its horizon; the same worlds at "
        "every end, so that differences are the parameter's.",
        "",
        "A profile holds the other parameters at the fit: it does not find parameters that "
        "could move together where neither can alone, and its ranges do not hold jointly "
        "(sim/experiments/identify.py).",
        "",
        "## Summary",
        "",
        f"- {len(table)} parameters profiled. At the fit, `{wedge_name}` gives P(rupture) "
        f"{_share(fit['p_rupture'])} and P(split) {_share(fit['p_split'])} "
        f"({forecast_runs:,} worlds).",
        f"- **{len(free)}** can move over their whole admissible range without the hindcast "
        "fitting worse by more than the tolerance or the present day changing: the history "
        "does not constrain them, one at a time"
        + (f" ({', '.join(f'`{n}`' for n in free['parameter'])})." if len(free) else "."),
        f"- **{len(tight)}** are pinned to less than 2% of their admissible range"
        + (f" ({', '.join(f'`{n}`' for n in tight['parameter'])})." if len(tight) else "."),
        f"- The present-day check, not the hindcast, ends the range of {len(present)} "
        "parameters on at least one side"
        + (f" ({', '.join(f'`{n}`' for n in present['parameter'])})." if len(present) else "."),
        f"- Across the tolerated ranges, P(rupture) in `{wedge_name}` moves most with "
        f"`{top['parameter']}`: {_share(top['p_rupture_low'])} at {_shown(top['low'])} to "
        f"{_share(top['p_rupture_high'])} at {_shown(top['high'])}; the largest move of "
        f"P(split) is {100 * table['split_swing'].max():.1f} points.",
        "",
        *(_joint_lines(joint) if joint is not None else []),
        "## Parameters",
        "",
        "Sorted by how far P(rupture) moves across the range. Share = the tolerated range's "
        "share of the admissible range. Limit = what ends the range on each side: the "
        "admissible bound (history does not limit it that way), history (the hindcast fits "
        "worse), the present day (the 2024 baseline loses the 2018-2024 picture), or both.",
        "",
        "| parameter | fit | tolerated range | admissible | share | limits (low / high) "
        "| P(rupture) low → high | P(split) low → high |",
        "| --- | ---: | --- | --- | ---: | --- | --- | --- |",
    ]
    for r in table.itertuples():
        lines.append(
            f"| `{r.parameter}` | {_shown(r.fit)} | [{_shown(r.low)}, {_shown(r.high)}] | "
            f"[{_shown(r.lower)}, {_shown(r.upper)}] | {_share(r.share)} | "
            f"{r.limit_low} / {r.limit_high} | "
            f"{_share(r.p_rupture_low)} → {_share(r.p_rupture_high)} | "
            f"{_share(r.p_split_low)} → {_share(r.p_split_high)} |"
        )
    lines += [
        "",
        "## Figure",
        "",
        "![Tolerated ranges and their effect on 2024](identify.png)",
        "",
        "*Left: each parameter's tolerated range within its admissible range (bar) and the fit "
        f"(dot). Right: P(rupture) in `{wedge_name}` at the low end (open circle) and the high "
        "end (filled) of the range; the dashed line is its value at the fit.*",
        "",
    ]
    return "\n".join(lines)


def _joint_lines(joint: Joint) -> list[str]:
    rows = [
        f"| {r.shrink:g} | {r.passed} of {r.sets} | {_share(r.share)} "
        f"({_share(r.low)}–{_share(r.high)}) | {r.median_distance:.3f} |"
        for r in joint.table.itertuples()
    ]
    first = joint.table.iloc[0]
    return [
        "## Do the ranges hold jointly?",
        "",
        'A sweep over behaviour, or a run with `calibration_uncertainty = "ranges"`, draws '
        "every parameter at once. Here parameter sets are drawn by Latin hypercube over the "
        "tolerated ranges, and over the same ranges shrunk toward the fit by each factor "
        f"below (the same draws at every factor); each set runs {joint.runs:,} hindcast worlds "
        "and as many of the 2024 baseline. A set passes when its distance to history is at "
        f"most {joint.bar:.3f} (the 90th percentile of the fit's own distance over batches of "
        "as many worlds, plus the tolerance: a set as good as the fit passes at least nine "
        "times in ten) and the baseline keeps the 2018-2024 picture.",
        "",
        "| shrink factor | sets passing | share (95% interval) | median distance |",
        "| ---: | ---: | --- | ---: |",
        *rows,
        "",
        f"Over the full one-at-a-time ranges, {_share(first['share'])} of joint draws fit "
        "history as well as the fit"
        + (
            ": the ranges are each tolerated alone but not together. "
            if first["share"] < joint.target
            else ", so the ranges also hold together. "
        )
        + f"The widest factor at which at least {joint.target:.0%} pass is **{joint.chosen:g}**; "
        "those shrunk ranges are the ones `--apply` writes to the calibration file (and the "
        "table below gives the full, unshrunk ranges).",
        "",
        "![Share of joint draws that fit history](joint.png)",
        "",
    ]


def plot(table: pd.DataFrame, effect: pd.DataFrame, wedge_name: str, top: int = 30):
    """Tolerated ranges (within the admissible range) and P(rupture) at their ends.

    Shows the ``top`` parameters that move P(rupture) most, with 95% Wilson
    intervals of each end's share of runs. Returns the figure.
    """
    import matplotlib.pyplot as plt

    shown = table.head(top).iloc[::-1]
    y = np.arange(len(shown))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(11, 0.28 * len(shown) + 2.2), sharey=True,
        gridspec_kw={"width_ratios": [1.2, 1]},
    )  # fmt: skip
    span = shown["upper"] - shown["lower"]
    lo = (shown["low"] - shown["lower"]) / span
    hi = (shown["high"] - shown["lower"]) / span
    left.barh(y, hi - lo, left=lo, color="0.75", edgecolor="0.2", height=0.6, label="tolerated")
    left.plot((shown["fit"] - shown["lower"]) / span, y, "o", color="black", ms=4, label="fit")
    left.set_xlim(0, 1)
    left.set_ylim(-0.7, len(shown) - 0.3)
    left.set_yticks(y, shown["parameter"], fontsize=8)
    left.set_xlabel("position in the admissible range\n(0 = lower bound, 1 = upper bound)")
    left.set_title("Range the hindcast tolerates, one parameter at a time", fontsize=10)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=2, fontsize=8)
    runs = int(effect["runs"].iloc[0])
    fit = effect[effect["end"] == "fit"].iloc[0]
    for end, offset, style in (
        ("low", 0.15, {"mfc": "white", "mec": "black", "ms": 5}),
        ("high", -0.15, {"color": "black", "ms": 4}),
    ):
        p = shown[f"p_rupture_{end}"].to_numpy()
        band = np.array([proportion(round(v * runs), runs)[1:] for v in p]).T
        right.errorbar(
            p * 100, y + offset, xerr=np.abs(band * 100 - p * 100), fmt="o", ecolor="0.5",
            elinewidth=0.8, capsize=2, label=f"{end} end (95% interval)", **style,
        )  # fmt: skip
    right.axvline(fit["p_rupture"] * 100, color="0.3", ls="--", lw=1, label="at the fit")
    right.set_xlim(left=-0.15)
    right.set_xlabel(f"P(China-Russia rupture by the horizon)\n% of {runs:,} runs")
    right.set_title(f"What the range does to `{wedge_name}`", fontsize=10)
    right.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=3, fontsize=8)
    fig.suptitle(
        "How tightly the 1949-1975 history pins each behaviour parameter "
        f"(the {len(shown)} that move the 2024 forecast most)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def write(
    folder: Path,
    table: pd.DataFrame,
    moves_table: pd.DataFrame,
    effect: pd.DataFrame,
    report: str,
    wedge_name: str,
    formats: Sequence[str] = ("png", "svg"),
    joint: Joint | None = None,
) -> None:
    """Write ``identify.csv``, ``moves.csv``, ``forecast.csv``, ``report.md`` and the figure.

    The figure is written once per entry of ``formats`` (``identify.<ext>``);
    with ``joint``, also ``joint.csv`` and its figure (``joint.<ext>``).
    """
    import matplotlib.pyplot as plt

    table.to_csv(folder / "identify.csv", index=False, float_format="%.6g")
    moves_table.to_csv(folder / "moves.csv", index=False, float_format="%.6g")
    effect.to_csv(folder / "forecast.csv", index=False, float_format="%.6g")
    (folder / "report.md").write_text(report)
    fig = plot(table, effect, wedge_name)
    for ext in formats:
        fig.savefig(folder / f"identify.{ext}", dpi=150, bbox_inches="tight")
    plt.close(fig)
    if joint is not None:
        joint.table.to_csv(folder / "joint.csv", index=False, float_format="%.6g")
        fig = plot_joint(joint.table, joint.target, joint.chosen)
        for ext in formats:
            fig.savefig(folder / f"joint.{ext}", dpi=150, bbox_inches="tight")
        plt.close(fig)
