"""When splits happen: cumulative P(split) by year, one curve per level of a swept parameter."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.formats import format_year
from sim.views.style import (
    STYLE,
    balanced_title,
    new_figure,
    percent_axis,
    probability_ceiling,
    require,
    short_label,
    wrap_label,
    year_axis,
)
from sim.views.sweep_words import percent

GROUP_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")
GROUP_LINESTYLES: tuple[object, ...] = (
    "solid",
    (0, (5, 2)),
    (0, (1, 1.5)),
    (0, (6, 2, 1.5, 2)),
    (0, (3, 1.5)),
    (0, (6, 1.5, 1.5, 1.5, 1.5, 1.5)),
    (0, (9, 3)),
    (0, (2, 3)),
)
"""Marker and line style of each group's curve, cycled, so that curves read apart in grey."""


def plot_time_to_split(
    curves: pd.DataFrame,
    group_label: str,
    *,
    horizon: float | None = None,
) -> Figure:
    """Cumulative P(split) by year, one curve per level of a grouping parameter.

    Shows *when* splits happen and how that timing moves with the grouping
    parameter (say, Russia's fear of China): each curve is the share of runs
    split by each year, with its 95% Wilson band. Groups are ordered (a
    parameter's levels or quantile ranges), so their colours run along a
    sequential colour map, light for high levels; line style and marker tell
    them apart in greyscale. One panel per scenario.

    Parameters
    ----------
    curves : DataFrame
        Cumulative curves (see the module docstring); ``group`` categorical in
        order, or in order of first appearance otherwise.
    group_label : str
        Readable label of the grouping parameter, with units; the legend title.
    horizon : float, optional
        Last simulated year, for the legend ("P(split) by 2035").

    Returns
    -------
    Figure
        One axes per scenario; x in years, y the probability (share of runs).
        Each curve is a ``Line2D`` with gid ``"curve:<scenario>:<group>"``, each
        band a ``PolyCollection`` with gid ``"band:<scenario>:<group>"``.
    """
    require(curves, ("scenario", "group", "year", "p", "low", "high"), "curves")
    groups = _ordered_groups(curves["group"])
    scenarios = list(dict.fromkeys(curves["scenario"]))
    n = len(scenarios)
    cols = min(n, 2)
    rows = math.ceil(n / cols)
    vmax = probability_ceiling(float(curves["high"].max()))
    colours = mpl.colormaps["viridis"](np.linspace(0.0, 0.82, max(len(groups), 2)))
    if len(groups) == 1:
        colours = colours[:1]
    years = curves["year"].to_numpy(float)
    with mpl.rc_context(STYLE):
        fig = new_figure(4.6 * cols + 2.2, 3.6 * rows + 1.0)
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
        handles: list[Line2D | Patch] = []
        for s, (ax, scenario) in enumerate(zip(axes, scenarios, strict=False)):
            df = curves[curves["scenario"] == scenario]
            for k, group in enumerate(groups):
                sub = df[df["group"].astype(str) == group].sort_values("year")
                if sub.empty:
                    continue
                x = sub["year"].to_numpy(float)
                colour = colours[k]
                # Before a group's first split its band is only an upper bound, the same for
                # every group of its size: drawn for each, they stack into one dark block.
                # Panels without any split keep their bands, the only thing they show.
                some = float(df["p"].max()) > 0.0
                band = ax.fill_between(
                    x, sub["low"], sub["high"], where=(sub["p"].to_numpy() > 0) if some else None,
                    color=colour, alpha=0.16, linewidth=0,
                )  # fmt: skip
                band.set_gid(f"band:{scenario}:{group}")
                style = {
                    "color": colour,
                    "linestyle": GROUP_LINESTYLES[k % len(GROUP_LINESTYLES)],
                    "marker": GROUP_MARKERS[k % len(GROUP_MARKERS)],
                    "markersize": 4.2,
                    "markeredgecolor": "black",
                    "markeredgewidth": 0.5,
                    "linewidth": 1.6,
                }
                every = max(1, len(x) // 6)
                (line,) = ax.plot(
                    x,
                    sub["p"],
                    markevery=(k % every, every),
                    clip_on=False,
                    zorder=3,
                    **style,
                )
                line.set_gid(f"curve:{scenario}:{group}")
                if s == 0:
                    # With one panel the legend also gives each curve's value at the end.
                    end = f"  ({percent(float(sub['p'].iloc[-1]))})" if n == 1 else ""
                    handles.append(Line2D([], [], label=f"{group}{end}", **style))
            ax.set_ylim(0.0, vmax)
            percent_axis(ax.yaxis, vmax)
            year_axis(ax, years)
            ax.set_xlabel("year")
            if float(df["p"].max()) == 0.0:  # curves on top of each other at 0: say why
                ax.text(
                    0.5,
                    0.55,
                    "no run split: every curve stays at 0%\n(bands: 95% upper bounds)",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    color="0.25",
                    gid="no-split",
                )
            if s % cols == 0:
                ax.set_ylabel("P(split) by that year (share of runs)")
            if n > 1:
                ax.set_title(f"scenario {scenario}")
        for ax in axes[n:]:
            ax.remove()
        handles.append(Patch(facecolor="0.6", alpha=0.35, label="95% interval (Wilson)"))
        by = format_year(horizon) if horizon is not None else "the horizon"
        fig.legend(
            handles=handles,
            loc="outside right center",
            title=wrap_label(group_label, 26) + (f"\n(P(split) by {by})" if n == 1 else ""),
            alignment="left",
            handlelength=3.2,
        )
        main = f"Cumulative P(split) by year, by {short_label(group_label)}"
        sub = f"scenario {scenarios[0]}" if n == 1 else f"{n} scenarios"
        fig.suptitle(balanced_title(fig, f"{main}\n{sub}"))
    return fig


def _ordered_groups(column: pd.Series) -> list[str]:
    """Group names in their categorical order, else in order of first appearance."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.astype(str))
        return [str(c) for c in column.cat.categories if str(c) in present]
    return [str(g) for g in dict.fromkeys(column.astype(str))]
