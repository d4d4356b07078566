"""The view of ``wedge identify``: the tolerated ranges, the joint check, the report.

Reads the :class:`~sim.experiments.identify.Identified` of an ``identify`` result.
Two figures in the project's style (:mod:`sim.views.style`): ``identify`` (each
parameter's tolerated range within its admissible range, and P(rupture) of the
wedge scenario at the range's two ends) and ``joint`` (the share of joint draws
over the ranges that fit history as well as the fit, against the shrink factor).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, PercentFormatter

from sim.engine.stats import proportion
from sim.experiments.identify import OFFSETS, PINNED, Identified, Joint
from sim.formats import format_year
from sim.views.style import OKABE_ITO, STYLE, new_figure, wrap_title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

RANGE_COLOUR = OKABE_ITO["sky_blue"]
"""Fill of a tolerated range."""

END_STYLE = {
    "low": {"marker": "o", "mfc": "white", "mec": OKABE_ITO["vermillion"], "ms": 5.5},
    "high": {"marker": "s", "mfc": OKABE_ITO["blue"], "mec": OKABE_ITO["blue"], "ms": 4.5},
}
"""Markers of P(rupture) at the two ends of a range: open circle (low), filled square (high)."""

TOP = 30
"""Parameters shown in the ranges figure: those that move the 2024 forecast most."""


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
    figure_files: Mapping[str, str] | None = None,
) -> str:
    """The identification report: how it was measured, a summary, one row per parameter.

    With ``joint``, a section on whether the ranges hold jointly, and which
    shrunk ranges were chosen. ``figure_files`` maps ``identify`` and ``joint`` to
    the files of :func:`figures` (default ``identify.png`` and ``joint.png``).
    """
    files = {"identify": "identify.png", "joint": "joint.png", **(figure_files or {})}
    fit = effect[effect["end"] == "fit"].iloc[0]
    free = table[(table["limit_low"] == "bound") & (table["limit_high"] == "bound")]
    tight = table[table["share"] < PINNED]
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
        *(_joint_lines(joint, files["joint"]) if joint is not None else []),
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
        f"![Tolerated ranges and their effect on 2024]({files['identify']})",
        "",
        "*Left: each parameter's tolerated range within its admissible range (bar) and the fit "
        f"(dot). Right: P(rupture) in `{wedge_name}` at the low end (open circle) and the high "
        "end (filled square) of the range, with 95% intervals; the dashed line is its value at "
        "the fit.*",
        "",
    ]
    return "\n".join(lines)


def _joint_lines(joint: Joint, figure_file: str) -> list[str]:
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
        f"![Share of joint draws that fit history]({figure_file})",
        "",
    ]


# ------------------------------------------------------------------ figures


def plot_ranges(
    table: pd.DataFrame, effect: pd.DataFrame, wedge_name: str, horizon: str, top: int = TOP
) -> Figure:
    """Tolerated ranges within the admissible range, and P(rupture) at their ends.

    Left: each parameter's tolerated range as a bar on its admissible range
    rescaled to [0, 1] (0 the lower bound, 1 the upper), the fit as a dot.
    Right: P(rupture) of ``wedge_name`` by ``horizon`` with the parameter at the
    low end (open circle) and the high end (filled square) of its range, each
    with its 95% Wilson interval, and a dashed line at the fit's value. Shows the
    ``top`` parameters that move P(rupture) most (``table`` is sorted so,
    :func:`sim.experiments.identify.summary_table`), the largest at the top.
    """
    shown = table.head(top).iloc[::-1]
    y = np.arange(len(shown), dtype=float)
    runs = int(effect["runs"].iloc[0])
    fit = effect[effect["end"] == "fit"].iloc[0]
    span = shown["upper"] - shown["lower"]
    lo = ((shown["low"] - shown["lower"]) / span).to_numpy(float)
    hi = ((shown["high"] - shown["lower"]) / span).to_numpy(float)
    at = ((shown["fit"] - shown["lower"]) / span).to_numpy(float)
    with mpl.rc_context(STYLE):
        fig = new_figure(10.0, 0.3 * len(shown) + 2.6)
        left, right = fig.subplots(1, 2, sharey=True, width_ratios=[1.15, 1.0])
        left.barh(
            y, np.maximum(hi - lo, 0.004), left=lo, height=0.6, color=RANGE_COLOUR,
            edgecolor="black", linewidth=0.6,
        )  # fmt: skip
        left.plot(at, y, "o", color="black", ms=4, zorder=3)
        left.set_xlim(0.0, 1.0)
        left.set_ylim(-0.7, len(shown) - 0.3)
        left.set_yticks(y, list(shown["parameter"]))
        left.tick_params(axis="y", length=0)
        left.grid(axis="y", visible=False)
        left.set_xlabel("position in the admissible range (0 = lower bound, 1 = upper bound)")
        left.set_ylabel("behaviour parameter (calibration.toml)")
        left.set_title("Range the hindcast tolerates, one parameter at a time")
        for end, shift in (("low", 0.15), ("high", -0.15)):
            p = shown[f"p_rupture_{end}"].to_numpy(float)
            band = np.array([proportion(round(v * runs), runs)[1:] for v in p]).T
            right.errorbar(
                p, y + shift, xerr=np.abs(band - p), linestyle="none", ecolor="0.35",
                elinewidth=0.8, capsize=2, zorder=3, **END_STYLE[end],
            )  # fmt: skip
        right.axvline(fit["p_rupture"], color="black", linestyle=(0, (4, 3)), linewidth=1.0)
        # A little room left of 0%, so that a marker at 0 is drawn whole.
        end = right.get_xlim()[1]
        right.set_xlim(-0.02 * end, end)
        right.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        right.grid(axis="y", visible=False)
        right.set_xlabel(f"P(China–Russia rupture by {horizon}), % of {runs:,} runs")
        right.set_title(f"What the range does to {wedge_name}")
        handles = [
            Patch(facecolor=RANGE_COLOUR, edgecolor="black", linewidth=0.6,
                  label="tolerated range"),
            Line2D([], [], marker="o", color="black", linestyle="none", ms=4, label="fit"),
            *(
                Line2D([], [], linestyle="none", label=f"P(rupture), parameter at the {end} end "
                       "(95% interval)", **END_STYLE[end])
                for end in ("low", "high")
            ),
            Line2D([], [], color="black", linestyle=(0, (4, 3)), linewidth=1.0,
                   label="P(rupture) at the fit"),
        ]  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
        fig.suptitle(
            wrap_title(
                fig,
                "How tightly the 1949-1975 history pins each behaviour parameter\n"
                f"the {len(shown)} that move P(rupture) in {wedge_name} most "
                f"({runs:,} runs per range end)",
            )
        )
    return fig


def plot_joint(joint: pd.DataFrame, target: float, chosen: float, runs: int) -> Figure:
    """Share of joint draws that fit history against the shrink factor, with 95% intervals.

    x: the factor by which every tolerated range is shrunk toward the fit (log
    scale, base 2); y: the share of draws that pass (%), with its 95% Wilson band.
    A dashed line marks the ``target`` share, a dotted one the ``chosen`` factor.
    """
    x = joint["shrink"].to_numpy(float)
    sets = int(joint["sets"].iloc[0])
    with mpl.rc_context(STYLE):
        fig = new_figure(6.4, 4.4)
        ax = fig.add_subplot()
        ax.fill_between(
            x, joint["low"], joint["high"], facecolor=OKABE_ITO["sky_blue"], alpha=0.35,
            edgecolor=OKABE_ITO["blue"], hatch="////", linewidth=0.0,
        )  # fmt: skip
        ax.plot(x, joint["share"], "o-", color=OKABE_ITO["blue"], linewidth=1.6, ms=5)
        ax.axhline(target, color="black", linestyle=(0, (4, 3)), linewidth=1.0)
        ax.axvline(chosen, color="0.35", linestyle=":", linewidth=1.3)
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
        ax.xaxis.set_minor_locator(FixedLocator([]))
        ax.set_ylim(0.0, 1.0)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel("factor by which every tolerated range is shrunk toward the fit")
        ax.set_ylabel(f"draws fitting 1949-1975 as well as the fit\n% of {sets:,} per factor")
        handles = [
            Line2D([], [], color=OKABE_ITO["blue"], marker="o", ms=5, linewidth=1.6,
                   label="share of joint draws that pass"),
            Patch(facecolor=OKABE_ITO["sky_blue"], alpha=0.35, edgecolor=OKABE_ITO["blue"],
                  hatch="////", linewidth=0.0, label="95% interval"),
            Line2D([], [], color="black", linestyle=(0, (4, 3)), linewidth=1.0,
                   label=f"target: {target:.0%} pass"),
            Line2D([], [], color="0.35", linestyle=":", linewidth=1.3,
                   label=f"ranges --apply writes: factor {chosen:g}"),
        ]  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        fig.suptitle(
            wrap_title(
                fig,
                "Do the one-at-a-time ranges hold jointly?\n"
                f"{sets:,} Latin-hypercube draws per factor, {runs:,} hindcast worlds each",
            )
        )
    return fig


# ------------------------------------------------------------------ the view


def _horizon(found: Identified) -> str:
    return format_year(found.experiment.wedge.scenario.time.horizon)


def figures(result: Result) -> dict[str, Figure]:
    """``identify`` (:func:`plot_ranges`) and ``joint`` (:func:`plot_joint`)."""
    found: Identified = result.payload
    name = found.experiment.wedge.scenario.name
    joint = found.joint
    return {
        "identify": plot_ranges(found.table, found.effect, name, _horizon(found)),
        "joint": plot_joint(joint.table, joint.target, joint.chosen, joint.runs),
    }


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md`` (:func:`markdown_report`)."""
    found: Identified = result.payload
    exp = found.experiment
    return markdown_report(
        found.table, found.effect, exp.tolerance, exp.runs, exp.forecast_runs, found.seed,
        exp.wedge.scenario.name, found.command, found.joint, figure_files,
    )  # fmt: skip


def terminal(result: Result) -> str:
    """A few lines: what was profiled, the forecast at the fit, free and pinned parameters."""
    s = result.summary
    fit = s["wedge_at_fit"]
    joint = s["joint"]
    return "\n".join(
        [
            f"profiled {len(s['parameters'])} parameters on {s['runs_per_move']:,} hindcast "
            f"worlds per move (seed {s['seed']})",
            f"{s['wedge']} at the fit: P(rupture) {_share(fit['p_rupture'])}, "
            f"P(split) {_share(fit['p_split'])}",
            f"free over their whole admissible range: {len(s['free'])}; pinned to less than "
            f"{PINNED:.0%} of it: {len(s['pinned'])}",
            f"joint check: {_share(joint['passing_share'])} of draws pass at shrink factor "
            f"{joint['chosen_shrink']:g} (target {joint['target']:.0%})",
        ]
    )
