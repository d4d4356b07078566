"""The view of ``wedge calibrate``: the report of a fit, and where it puts each parameter.

Reads the :class:`~sim.experiments.calibrate.Calibrated` of a ``calibrate``
result: the fit (:class:`~sim.experiments.calibrate.CalibrationResult`), the
misses of the calibration it started from, and its command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.experiments.calibrate import Calibrated, CalibrationResult
from sim.views.style import OKABE_ITO, STYLE, new_figure, wrap_title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result
    from sim.scenario.calibration import Calibration


def report_markdown(result: CalibrationResult, before: pd.Series, command: str = "") -> str:
    """Markdown account of a calibration: procedure, prior, fit, posterior ranges.

    ``command`` is the command line that made it, shown so that the fit can be rerun.
    """
    best = result.best()
    miss_cols = [c for c in result.table.columns if c.startswith("miss_")]
    acc = result.accepted
    lines = [
        "# Calibration against the 1949-1975 hindcast",
        "",
        *(
            [f"Made by `{command}`, with the calibration file it started from as prior.", ""]
            if command
            else []
        ),
        (
            f"ABC population step (Beaumont et al. 2009): {result.sets} parameter sets drawn "
            "around the earlier fit's accepted sets (a normal kernel with twice their "
            "variance, truncated to the prior; parameters new to the fit uniform over their "
            "prior), each with its importance weight, "
            if result.around
            else f"ABC rejection: {result.sets} parameter sets drawn by Latin hypercube "
            "from the prior, "
        )
        + f"{result.replicates} runs each (seed {result.seed}); distance = root sum of squared "
        "target misses (sim/experiments/validate.py)"
        + (
            f"; the {int(result.table['verified'].sum())} closest run again with "
            f"{result.verify} runs each (seed {result.seed + 1}) and ranked by that distance"
            if result.verify
            else ""
        )
        + "; the closest sets that also give the 2018-2024 "
        f"picture in the 2024 baseline are accepted ({len(acc)} sets"
        + (
            f"; effective sample size of their weights {result.effective_size():.1f}"
            if result.around
            else ""
        )
        + ").",
        "",
        "| target | miss before (point values) | miss of the best accepted set |",
        "| --- | --- | --- |",
    ]
    for c in miss_cols:
        lines.append(
            f"| {c.removeprefix('miss_')} | {before.get(c, float('nan')):.3f} | {best[c]:.3f} |"
        )
    lines += [
        "",
        f"Distance of the best accepted set: {best['distance']:.3f} "
        f"(before: {float(np.sqrt((before[miss_cols] ** 2).sum())):.3f}).",
        "",
        "| parameter | prior | best | posterior 10-90% |",
        "| --- | --- | --- | --- |",
    ]
    for n, (lo, hi) in result.ranges().items():
        p_lo, p_hi = result.prior[n]
        lines.append(f"| `{n}` | [{p_lo:.3g}, {p_hi:.3g}] | {best[n]:.3g} | [{lo:.3g}, {hi:.3g}] |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ figure


def plot_posterior(fit: CalibrationResult, started: Calibration) -> Figure:
    """Where the fit puts each parameter within its prior.

    One row per fitted parameter, its prior drawn as [0, 1] (0 the prior's low
    end, 1 its high end): the range of the calibration the fit started from
    (hollow, hatched), the posterior's 10th-90th percentiles (filled) and the
    best accepted set (dot). Rows are sorted by the posterior's share of the
    prior, narrowest (what history decides best) at the top.
    """
    ranges = fit.ranges()
    best = fit.best()
    rows = []
    for name, (lo, hi) in ranges.items():
        p_lo, p_hi = fit.prior[name]
        width = (p_hi - p_lo) or 1.0
        old_lo, old_hi = started.ranges().get(name, (p_lo, p_hi))
        rows.append(
            {
                "parameter": name,
                "lo": (lo - p_lo) / width,
                "hi": (hi - p_lo) / width,
                "best": (float(best[name]) - p_lo) / width,
                "old_lo": (old_lo - p_lo) / width,
                "old_hi": (old_hi - p_lo) / width,
            }
        )
    table = pd.DataFrame(rows)
    table["share"] = table["hi"] - table["lo"]
    table = table.sort_values("share", kind="stable").iloc[::-1].reset_index(drop=True)
    y = np.arange(len(table), dtype=float)
    with mpl.rc_context(STYLE):
        fig = new_figure(7.6, 0.2 * len(table) + 2.4)
        ax = fig.add_subplot()
        ax.barh(
            y, table["old_hi"] - table["old_lo"], left=table["old_lo"], height=0.8,
            facecolor="none", edgecolor="0.45", hatch="////", linewidth=0.5,
        )  # fmt: skip
        ax.barh(
            y, np.maximum(table["share"], 0.004), left=table["lo"], height=0.45,
            color=OKABE_ITO["blue"], edgecolor="black", linewidth=0.4,
        )  # fmt: skip
        ax.plot(table["best"], y, "o", color=OKABE_ITO["orange"], mec="black", ms=3.5, mew=0.5)
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(-0.7, len(table) - 0.3)
        ax.set_yticks(y, list(table["parameter"]), fontsize=7)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("position in the prior range (0 = prior's low end, 1 = its high end)")
        ax.set_ylabel("behaviour parameter")
        handles = [
            Patch(facecolor="none", edgecolor="0.45", hatch="////", linewidth=0.5,
                  label="range of the calibration it started from"),
            Patch(facecolor=OKABE_ITO["blue"], edgecolor="black", linewidth=0.4,
                  label="posterior, 10th-90th percentile of the accepted sets"),
            Line2D([], [], marker="o", linestyle="none", color=OKABE_ITO["orange"], mec="black",
                   ms=3.5, mew=0.5, label="best accepted set (the new value)"),
        ]  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=1)
        procedure = "ABC population step" if fit.around else "ABC rejection"
        fig.suptitle(
            wrap_title(
                fig,
                "Where the fit to 1949-1975 puts each behaviour parameter\n"
                f"{procedure}: {len(fit.accepted)} of {fit.sets} sets kept, narrowest "
                "posterior at the top",
            )
        )
    return fig


# ------------------------------------------------------------------ the view


def figures(result: Result) -> dict[str, Figure]:
    """``posterior`` (:func:`plot_posterior`)."""
    found: Calibrated = result.payload
    return {"posterior": plot_posterior(found.fit, found.experiment.hindcast.calibration)}


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: :func:`report_markdown` and the figure."""
    found: Calibrated = result.payload
    text = report_markdown(found.fit, found.before, found.command)
    if "posterior" in figure_files:
        text += (
            "\n![Where the fit puts each parameter within its prior]"
            f"({figure_files['posterior']})\n\n"
            "*Each parameter's prior as 0 to 1: the range of the calibration the fit started "
            "from (hatched), the posterior's 10th-90th percentiles (filled) and the best "
            "accepted set (dot), narrowest posterior at the top.*\n"
        )
    return text


def terminal(result: Result) -> str:
    """Three lines: the procedure and the sets kept, the distance to history, the ranges."""
    s = result.summary
    return "\n".join(
        [
            f"{s['procedure']}: {s['sets']} sets x {s['replicates']} runs, the closest "
            f"{s['verified']} verified with {s['verify_runs']} runs, {s['accepted']} kept "
            f"(seed {s['seed']})",
            f"distance to history: {s['distance_before']:.3f} before, "
            f"{s['distance_best']:.3f} for the best accepted set",
            f"{len(s['parameters'])} parameters fitted; their ranges are in report.md and "
            "calibration.toml",
        ]
    )
