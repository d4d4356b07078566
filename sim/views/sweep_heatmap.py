"""Heat maps of a sweep: an event's share of runs over two swept parameters.

Each cell pools the design points at those parameter values (or in that bin)
(:func:`sim.experiments.sweep_findings.heatmap_cells`); contours follow the
cell edges. The colour map is ``cividis`` (perceptually uniform, colour-blind
safe, its lightness rising monotonically), so a heat map reads in greyscale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.experiments.sweep_findings import HEATMAP_BINS, HeatmapCells, heatmap_cells
from sim.views.style import (
    HALO,
    STYLE,
    balanced_title,
    new_figure,
    percent_axis,
    probability_ceiling,
    short_label,
    wrap_label,
)
from sim.views.sweep_words import (
    OUTCOME_EVENTS,
    OUTCOME_LABELS,
    label_of,
    outcome_scale_label,
    percent,
)

__all__ = [
    "CONTOUR_LEVELS",
    "HEATMAP_BINS",
    "HeatmapCells",
    "contour_segments",
    "heatmap_cells",
    "plot_heatmap",
]

CONTOUR_LEVELS: tuple[float, ...] = (0.1, 0.5, 0.9)
"""Probabilities (shares of runs) at which heat maps draw contour lines: unlikely,
even odds, near certain."""

CONTOUR_STYLES: dict[float, tuple[object, float]] = {
    0.1: ((0, (1.2, 1.6)), 1.4),
    0.5: ("solid", 1.6),
    0.9: ((0, (5, 2.2)), 1.6),
}
"""Line style and width of each contour level, so that the levels read apart in greyscale."""

MAX_ANNOTATED_CELLS = 100
"""Heat maps with at most this many cells print each cell's value and 95% interval."""

HEATMAP_CMAP = "cividis"
"""Colour map of heat maps: perceptually uniform, colour-blind safe, monotonic in lightness."""


def _cell_text(p: float, low: float, high: float) -> tuple[str, str]:
    """Value and 95% interval of a cell as percentages (the interval without % signs)."""
    return percent(p), f"{percent(low)[:-1]}–{percent(high)[:-1]}"


def contour_segments(
    cells: HeatmapCells, level: float
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Cell edges that separate cells at or above ``level`` from neighbours below it.

    The contour of a heat map of discrete cells is drawn along cell edges rather
    than interpolated between cell centres: it claims no more than the cells
    show, and it never runs across a cell's printed value. Edges next to an
    empty cell are not part of any contour.

    Parameters
    ----------
    cells : HeatmapCells
        From :func:`heatmap_cells`.
    level : float
        Probability on [0, 1].

    Returns
    -------
    list of ((x0, y0), (x1, y1))
        Segments in parameter units; empty when no two neighbours straddle ``level``.
    """
    value, xe, ye = cells.value, cells.x_edges, cells.y_edges
    finite = np.isfinite(value)
    above = np.where(finite, value, -np.inf) >= level
    segments = []
    across = finite[:, :-1] & finite[:, 1:] & (above[:, :-1] != above[:, 1:])
    for j, i in np.argwhere(across):
        segments.append(((xe[i + 1], ye[j]), (xe[i + 1], ye[j + 1])))
    down = finite[:-1, :] & finite[1:, :] & (above[:-1, :] != above[1:, :])
    for j, i in np.argwhere(down):
        segments.append(((xe[i], ye[j + 1]), (xe[i + 1], ye[j + 1])))
    return [((float(a), float(b)), (float(c), float(d))) for (a, b), (c, d) in segments]


def plot_heatmap(
    points: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    labels: Mapping[str, str] | None,
    scenario: str,
    *,
    horizon: float | None = None,
    bins: int = HEATMAP_BINS,
    same_as: Sequence[str] = (),
) -> Figure:
    """Heat map of P(split) (or P(rupture)) over two swept parameters.

    Answers "how much of each would it take?": each cell is the share of runs
    with the event by the horizon at those parameter values (pooled over
    whatever else the design varies), printed with its 95% Wilson interval when
    the cells are few enough to read. Contours at 10%, 50% and 90% follow the
    cell edges between cells at or above the level and cells below it (see
    :func:`contour_segments`); a level that no two neighbouring cells straddle is
    skipped. Sampled designs are binned into ``bins`` x ``bins`` cells; a bin
    without any design point is hatched. The colour scale runs from 0 to the
    smallest of :data:`CEILINGS` above the data, so that small probabilities
    still show contrast.

    Parameters
    ----------
    points : DataFrame
        Per-point table (see the module docstring).
    x, y : str
        Paths of the swept parameters on the horizontal and vertical axes.
    outcome : {"p_split", "p_rupture"}
        Outcome to draw.
    labels : mapping or None
        Parameter path -> readable label with units (``summary["parameters"]``).
    scenario : str
        Scenario whose points are drawn; named in the title.
    horizon : float, optional
        Last simulated year, for the colour bar ("P(split) by 2035").
    bins : int
        Bins per continuous axis.
    same_as : sequence of str
        Outcomes equal to ``outcome`` at every design point
        (:func:`sim.experiments.sweep_findings.coincident`), named beside it in the
        title and on the colour bar: one map shows them all.

    Returns
    -------
    Figure
        One axes and a colour bar. The cells are a ``QuadMesh`` with gid
        ``"cells:<outcome>"`` whose array is :attr:`HeatmapCells.value`; each
        contour a ``LineCollection`` with gid ``"contour:<level>"`` (``"contour:0.5"``);
        empty bins are ``Rectangle`` patches with gid ``"empty"``.
    """
    cells = heatmap_cells(points, x, y, outcome, scenario, bins)
    name = " = ".join(OUTCOME_LABELS[o] for o in (outcome, *same_as))
    vmax = probability_ceiling(float(np.nanmax(cells.value)))
    ny, nx = cells.value.shape
    annotated = nx * ny <= MAX_ANNOTATED_CELLS
    with mpl.rc_context(STYLE):
        fig = new_figure(6.6, 5.8)
        ax = fig.add_subplot()
        ax.grid(False)
        mesh = ax.pcolormesh(
            cells.x_edges,
            cells.y_edges,
            np.ma.masked_invalid(cells.value),
            cmap=HEATMAP_CMAP,
            vmin=0.0,
            vmax=vmax,
            edgecolors="white",
            linewidth=0.4,
        )
        mesh.set_gid(f"cells:{outcome}")
        handles: list[Patch | Line2D] = []
        empty = np.argwhere(cells.runs == 0)
        for j, i in empty:
            ax.add_patch(
                Rectangle(
                    (cells.x_edges[i], cells.y_edges[j]),
                    cells.x_edges[i + 1] - cells.x_edges[i],
                    cells.y_edges[j + 1] - cells.y_edges[j],
                    facecolor="white",
                    edgecolor="0.55",
                    hatch="xxx",
                    linewidth=0,
                    gid="empty",
                )
            )
        if len(empty):
            handles.append(
                Patch(
                    facecolor="white",
                    edgecolor="0.55",
                    hatch="xxx",
                    linewidth=0.6,
                    label="empty bin: no design point",
                )
            )
        if annotated:
            _annotate_cells(ax, cells, vmax)
        drawn = _draw_contours(ax, cells)
        for level in drawn:
            style, width = CONTOUR_STYLES.get(level, ("solid", 1.5))
            handles.append(
                Line2D(
                    [],
                    [],
                    color="black",
                    linestyle=style,
                    linewidth=width,
                    path_effects=HALO,
                    label=f"{percent(level)} contour",
                )
            )
        ax.set_xlim(cells.x_edges[0], cells.x_edges[-1])
        ax.set_ylim(cells.y_edges[0], cells.y_edges[-1])
        for axis, binned, centres in (
            (ax.xaxis, cells.binned_x, cells.x_centres),
            (ax.yaxis, cells.binned_y, cells.y_centres),
        ):
            if not binned:
                axis.set_ticks(centres, [f"{v:g}" for v in centres])
        ax.tick_params(length=2)
        ax.set_xlabel(wrap_label(label_of(x, labels), 60))
        ax.set_ylabel(wrap_label(label_of(y, labels), 45))
        bar = fig.colorbar(mesh, ax=ax, shrink=0.92, pad=0.02)
        bar.set_label(outcome_scale_label(outcome, horizon).replace(OUTCOME_LABELS[outcome], name))
        percent_axis(bar.ax.yaxis, vmax)
        bar.ax.grid(False)
        if drawn:
            bar.add_lines(
                drawn,
                colors=["black"] * len(drawn),
                linewidths=[CONTOUR_STYLES.get(lv, ("solid", 1.5))[1] for lv in drawn],
            )
            bar.ax.collections[-1].set_linestyles(
                [CONTOUR_STYLES.get(lv, ("solid", 1.5))[0] for lv in drawn]
            )
            bar.ax.collections[-1].set_path_effects(HALO)
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        runs = int(cells.runs.sum())
        n_points = int(cells.points.sum())
        binned = cells.binned_x or cells.binned_y
        design = f"{n_points} points" + (f", {nx}×{ny} bins" if binned else "")
        main = (
            f"{name} over {short_label(label_of(x, labels))} and {short_label(label_of(y, labels))}"
        )
        fig.suptitle(balanced_title(fig, f"{main}\nscenario {scenario} · {runs:,} runs · {design}"))
        if annotated:
            ax.set_title(
                f"each cell: share of runs with a {OUTCOME_EVENTS[outcome]} "
                "(bold) and its 95% interval, in %",
                fontsize=8,
                fontweight="normal",
                color="0.25",
                loc="left",
            )
    return fig


def _annotate_cells(ax: Axes, cells: HeatmapCells, vmax: float) -> None:
    """Print each cell's value (bold) and 95% interval, dark on light cells and light on dark."""
    cmap = mpl.colormaps[HEATMAP_CMAP]
    ny, nx = cells.value.shape
    big = nx * ny <= 49
    # Bold text below 7.5 pt is hinted into serif-like shapes in the 150 dpi PNG.
    for j in range(ny):
        for i in range(nx):
            p = cells.value[j, i]
            if not np.isfinite(p):
                continue
            r, g, b, _ = cmap(min(p / vmax, 1.0))
            ink = "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"
            value, interval = _cell_text(p, cells.low[j, i], cells.high[j, i])
            for text, offset, va, size, weight, gid in (
                (value, 1.5, "bottom", 7.5, "bold", "cell-value"),
                (interval, -1.0, "top", 6.0 if big else 5.6, "normal", "cell-interval"),
            ):
                ax.annotate(
                    text,
                    (cells.x_centres[i], cells.y_centres[j]),
                    xytext=(0, offset),
                    textcoords="offset points",
                    ha="center",
                    va=va,
                    fontsize=size,
                    fontweight=weight,
                    color=ink,
                    gid=gid,
                )


def _draw_contours(ax: Axes, cells: HeatmapCells) -> list[float]:
    """Draw the :data:`CONTOUR_LEVELS` that neighbouring cells straddle; return those drawn.

    Each level is a ``LineCollection`` along cell edges (black with a white halo,
    so it reads on dark and light cells), labelled once, on the edge nearest the
    middle of its line that no other level's label took.
    """
    drawn: list[float] = []
    taken: set[tuple[float, float]] = set()
    for level in CONTOUR_LEVELS:
        segments = contour_segments(cells, level)
        if not segments:
            continue
        style, width = CONTOUR_STYLES.get(level, ("solid", 1.5))
        lines = LineCollection(
            segments,
            colors="black",
            linestyles=style,
            linewidths=width,
            capstyle="projecting",
            zorder=4,
            gid=f"contour:{level:g}",
        )
        lines.set_path_effects(HALO)
        ax.add_collection(lines)
        mids = np.array([((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in segments])
        centre = mids.mean(axis=0)
        span = np.array([np.ptp(cells.x_edges) or 1.0, np.ptp(cells.y_edges) or 1.0], dtype=float)
        order = np.argsort((((mids - centre) / span) ** 2).sum(axis=1))
        free = [k for k in order if tuple(np.round(mids[k], 9)) not in taken]
        k = free[0] if free else order[0]
        taken.add(tuple(np.round(mids[k], 9)))
        ax.annotate(
            percent(level),
            tuple(mids[k]),
            ha="center",
            va="center",
            fontsize=7.5,  # bold below 7.5 pt is hinted into odd shapes at 150 dpi
            fontweight="bold",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.18", "facecolor": "white", "edgecolor": "black",
                  "linewidth": 0.6},
            gid=f"contour-label:{level:g}",
        )  # fmt: skip
        drawn.append(level)
    return drawn
