"""The strategic triangle drawn at a few years: edges styled by the pair's state.

Drawn from the tidy ``trajectories`` frame and the ensemble ``summary`` (see
:mod:`sim.views.figures`), in the project's style (:mod:`sim.views.style`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.formats import format_relation, format_year
from sim.views.figures import STATE_STYLE, TRAJECTORY_COLUMNS, nearest_years
from sim.views.figures import state as pair_state
from sim.views.style import STYLE, new_figure, require, suptitle
from sim.views.words import actor_name, group_label, thresholds_of


def plot_triangle(
    trajectories: pd.DataFrame,
    summary: Mapping[str, Any],
    years: Sequence[float] | None = None,
) -> Figure:
    """Triangle diagrams of the watched triad at a few years, side by side.

    The partnership's members sit at the base and the third power at the apex.
    Each edge carries the median relation r across runs at that year, with the
    middle-90% range beneath it, and is drawn solid and thick when aligned,
    dotted when neutral and dashed when hostile (and coloured), so the shape of
    the triangle reads at a glance and in greyscale.

    Parameters
    ----------
    trajectories : DataFrame
        Tidy trajectories (see the module docstring).
    summary : mapping
        Ensemble summary: ``partnership``, ``third``, ``actors``, ``thresholds``,
        ``start_year`` and ``horizon`` (for the default years).
    years : sequence of float, optional
        Decimal years to draw; each is replaced by the nearest simulated step.
        Default: start, midpoint and horizon.

    Returns
    -------
    Figure
        One panel per year, titled with the year actually drawn.
    """
    require(trajectories, (*TRAJECTORY_COLUMNS,), "trajectories")
    a, b = (str(m) for m in summary["partnership"])
    c = str(summary["third"])
    actors = summary.get("actors")
    thr = thresholds_of(summary)
    if years is None:
        start = float(summary.get("start_year", trajectories["year"].min()))
        end = float(summary.get("horizon", trajectories["year"].max()))
        years = (start, (start + end) / 2.0, end)
    if len(years) == 0:
        raise ValueError("plot_triangle: give at least one year")
    chosen = nearest_years(trajectories["year"], years)

    edges = ((a, b), (b, c), (a, c))
    key = trajectories[["a", "b"]].apply(frozenset, axis=1)
    rows_of: dict[tuple[str, str], pd.DataFrame] = {}
    for u, v in edges:
        rows = trajectories[key == frozenset((u, v))]
        if rows.empty:
            raise ValueError(f"trajectories: no pair {u}-{v} of the watched triad")
        rows_of[(u, v)] = rows.set_index("year").sort_index()

    height = math.sqrt(3.0) / 2.0
    pos = {a: np.array([0.0, 0.0]), b: np.array([1.0, 0.0]), c: np.array([0.5, height])}
    with mpl.rc_context(STYLE):
        fig = new_figure(3.3 * len(chosen) + 0.3, 3.0)
        axes = fig.subplots(1, len(chosen), squeeze=False).ravel()
        for ax, year in zip(axes, chosen, strict=True):
            ax.set_aspect("equal")
            ax.set_axis_off()
            ax.set_xlim(-0.7, 1.7)
            ax.set_ylim(-0.3, height + 0.24)
            for (u, v), side in zip(edges, ("bottom", "right", "left"), strict=True):
                row = rows_of[(u, v)].loc[year]
                r = float(row["q50"])
                state = pair_state(r, thr)
                p, q = pos[u], pos[v]
                shrink = 0.085
                p0, q0 = p + (q - p) * shrink, q - (q - p) * shrink
                (edge,) = ax.plot(
                    [p0[0], q0[0]],
                    [p0[1], q0[1]],
                    solid_capstyle="butt",
                    dash_capstyle="round",
                    **STATE_STYLE[state],
                )
                edge.set_gid(f"edge:{u}-{v}:{state}")
                spread = (
                    f"[{format_relation(float(row['q05']))}, {format_relation(float(row['q95']))}]"
                )
                _edge_label(ax, (p + q) / 2.0, side, format_relation(r), spread, f"{u}-{v}")
            for m, xy in pos.items():
                ax.plot(*xy, marker="o", markersize=9, color="0.15", zorder=4)
                where = {a: ((-4, -5), "right", "top"), b: ((4, -5), "left", "top")}
                offset, ha, va = where.get(m, ((0, 7), "center", "bottom"))
                ax.annotate(
                    actor_name(m, actors),
                    xy=xy,
                    xytext=offset,
                    textcoords="offset points",
                    ha=ha,
                    va=va,
                    fontsize=8.5,
                    fontweight="bold",
                )
            ax.set_title(format_year(year), pad=0)
        handles = [
            Line2D(
                [],
                [],
                **STATE_STYLE["aligned"],
                label=f"aligned (r ≥ {format_relation(thr['aligned'])})",
            ),
            Line2D([], [], **STATE_STYLE["neutral"], label="neutral"),
            Line2D(
                [],
                [],
                **STATE_STYLE["hostile"],
                label=f"hostile (r ≤ {format_relation(thr['hostile'])})",
            ),
        ]
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=3,
            handlelength=3.2,
            title="edge: median relation r across runs [middle 90% of runs]",
        )
        suptitle(
            fig,
            f"The watched triangle: {group_label([a, b], actors)} and {actor_name(c, actors)}",
            summary,
        )
    return fig


def _edge_label(ax: Axes, mid: np.ndarray, side: str, median: str, spread: str, gid: str) -> None:
    """Median relation (bold) and middle-90% range (small, grey) beside a triangle edge.

    Offsets are in points, so the labels keep their distance from the edge at any
    figure size; ``side`` (bottom, left or right edge) sets the alignment away from it.
    """
    if side == "bottom":
        spots = (((0, -5), "center", "top"), ((0, -16), "center", "top"))
    else:
        dx, ha = (-7, "right") if side == "left" else (7, "left")
        spots = (((dx, 1), ha, "bottom"), ((dx, -1), ha, "top"))
    for text, (offset, ha, va), kw in zip(
        (median, spread),
        spots,
        (
            {"fontsize": 9, "fontweight": "bold", "gid": f"label:{gid}"},
            {"fontsize": 7.5, "color": "0.3", "gid": f"range:{gid}"},
        ),
        strict=True,
    ):
        ax.annotate(text, xy=mid, xytext=offset, textcoords="offset points", ha=ha, va=va, **kw)
