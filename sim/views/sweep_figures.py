"""Figures of a sweep, drawn from its result tables only.

Each function takes the tables written by :func:`sim.experiments.sweep_analysis.analyse`
and returns a :class:`matplotlib.figure.Figure`; none runs a model, shows a
window or touches pyplot's global state. The style is the project's one style,
:data:`sim.views.figures.STYLE`, and every encoding survives greyscale printing: the
heat maps use ``cividis`` (perceptually uniform, its lightness rising
monotonically), lines are told apart by style and marker as well as colour, and
bars by hatch as well as colour.

Data contract:

``points``
    One row per scenario and design point (``points.parquet``): ``scenario``,
    ``point``, ``runs``, ``p_split``, ``p_split_low``, ``p_split_high``,
    ``p_rupture``, ``p_rupture_low``, ``p_rupture_high`` (shares of runs on
    [0, 1], 95% Wilson intervals) and one column per swept parameter, named by
    its path (``levers.offer_to_moscow.size``).
``curves``
    Cumulative P(split) by year (``time_to_split.csv``): ``scenario``, ``group``
    (a level or quantile range of the grouping parameter, ordered), ``year``,
    ``p``, ``low``, ``high``.
``table``
    Sensitivity indices of one outcome (``sensitivity_<outcome>.csv``):
    ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol) or
    ``parameter``, ``mu_star``, ``mu_star_conf``, ``sigma`` (Morris).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib as mpl
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.engine.design import DUMMY
from sim.engine.stats import proportion
from sim.formats import format_year
from sim.views.style import (
    OKABE_ITO,
    STYLE,
    new_figure,
    paired_barh,
    require,
    save_figure,
    wrap_title,
    year_axis,
)

__all__ = [
    "CONTOUR_LEVELS",
    "HEATMAP_BINS",
    "MAX_LEVELS",
    "MAX_SENSITIVITY_BARS",
    "OUTCOME_EVENTS",
    "OUTCOME_LABELS",
    "HeatmapCells",
    "contour_segments",
    "heatmap_cells",
    "percent",
    "plot_heatmap",
    "plot_sensitivity",
    "plot_time_to_split",
    "save_figure",
]

OUTCOME_LABELS: dict[str, str] = {
    "p_split": "P(split)",
    "p_rupture": "P(rupture)",
    "r_partnership": "the partnership's mean relation at the horizon",
}
"""Short name of each outcome in titles, colour bars and axis labels."""

OUTCOME_EVENTS: dict[str, str] = {"p_split": "split", "p_rupture": "rupture"}
"""The event each outcome counts, in words."""

CONTOUR_LEVELS: tuple[float, ...] = (0.1, 0.5, 0.9)
"""Probabilities (shares of runs) at which heat maps draw contour lines: unlikely,
even odds, near certain."""

CONTOUR_STYLES: dict[float, tuple[object, float]] = {
    0.1: ((0, (1.2, 1.6)), 1.4),
    0.5: ("solid", 1.6),
    0.9: ((0, (5, 2.2)), 1.6),
}
"""Line style and width of each contour level, so that the levels read apart in greyscale."""

HEATMAP_BINS = 8
"""Bins per axis when a swept parameter takes continuous values (lhs and sobol designs)."""

MAX_LEVELS = 12
"""A parameter with at most this many distinct values is drawn one cell per value
(grid and Morris designs); with more it is binned into :data:`HEATMAP_BINS` bins."""

MAX_ANNOTATED_CELLS = 100
"""Heat maps with at most this many cells print each cell's value and 95% interval."""

CEILINGS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
"""Upper ends offered to probability scales: the smallest one above the data is used,
so that small probabilities do not vanish into one colour or one flat line."""

HEATMAP_CMAP = "cividis"
"""Colour map of heat maps: perceptually uniform, colour-blind safe, monotonic in lightness."""

MAX_SENSITIVITY_BARS = 20
"""Parameters shown at most in a sensitivity bar chart (the most influential ones)."""

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

_HALO = [path_effects.withStroke(linewidth=3.2, foreground="white")]


# ------------------------------------------------------------------ heat maps


@dataclass(frozen=True)
class HeatmapCells:
    """Cells of a heat map of one outcome over two swept parameters.

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


def _axis_cells(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
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
        Per-point table (see the module docstring).
    x, y : str
        Paths of the two swept parameters (columns of ``points``).
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
    if outcome not in OUTCOME_LABELS:
        raise ValueError(f"outcome: expected one of {list(OUTCOME_LABELS)}, got {outcome!r}")
    require(points, ("scenario", "runs", outcome, x, y), "points")
    if scenario is not None:
        points = points[points["scenario"] == scenario]
        if points.empty:
            raise ValueError(f"points: no rows for scenario {scenario!r}")
    elif points["scenario"].nunique() > 1:
        raise ValueError("points: several scenarios; say which one with `scenario`")
    ix, xc, xe, bx = _axis_cells(points[x].to_numpy(float), bins)
    iy, yc, ye, by = _axis_cells(points[y].to_numpy(float), bins)
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


def _ceiling(top: float) -> float:
    """Smallest of :data:`CEILINGS` at or above ``top`` (a probability)."""
    return next((c for c in CEILINGS if c >= top - 1e-12), 1.0)


def percent(p: float) -> str:
    """A probability as a percentage with as many decimals as small values need.

    ``0 -> "0%"``, ``0.0004 -> "0.04%"``, ``0.035 -> "3.5%"``, ``0.58 -> "58%"``: a
    probability below 1% keeps two decimals so that it does not read as zero.
    """
    if p == 0:
        return "0%"
    if p < 0.01:
        return f"{100 * p:.2f}%"
    if p < 0.1:
        return f"{100 * p:.1f}%"
    return f"{100 * p:.0f}%"


def _percent_axis(axis: mpl.axis.Axis, vmax: float) -> None:
    """Tick a probability axis from 0 to ``vmax`` in percent, with one format for every tick."""
    decimals = 0 if vmax >= 0.05 else 1
    axis.set_major_locator(mpl.ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(mpl.ticker.PercentFormatter(xmax=1.0, decimals=decimals))


def _cell_text(p: float, low: float, high: float) -> tuple[str, str]:
    """Value and 95% interval of a cell as percentages (the interval without % signs)."""
    return percent(p), f"{percent(low)[:-1]}–{percent(high)[:-1]}"


def _label_of(path: str, labels: Mapping[str, str] | None) -> str:
    """Readable label of a parameter path, the path itself when none is given."""
    return (labels or {}).get(path) or path


def _outcome_scale_label(outcome: str, horizon: float | None) -> str:
    """``"P(split) by 2035"``, or ``"... by the horizon"`` when the year is unknown."""
    by = format_year(horizon) if horizon is not None else "the horizon"
    return f"{OUTCOME_LABELS[outcome]} by {by} (share of runs)"


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

    Returns
    -------
    Figure
        One axes and a colour bar. The cells are a ``QuadMesh`` with gid
        ``"cells:<outcome>"`` whose array is :attr:`HeatmapCells.value`; each
        contour a ``LineCollection`` with gid ``"contour:<level>"`` (``"contour:0.5"``);
        empty bins are ``Rectangle`` patches with gid ``"empty"``.
    """
    cells = heatmap_cells(points, x, y, outcome, scenario, bins)
    vmax = _ceiling(float(np.nanmax(cells.value)))
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
                    path_effects=_HALO,
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
        ax.set_xlabel(_wrap_label(_label_of(x, labels), 60))
        ax.set_ylabel(_wrap_label(_label_of(y, labels), 45))
        bar = fig.colorbar(mesh, ax=ax, shrink=0.92, pad=0.02)
        bar.set_label(_outcome_scale_label(outcome, horizon))
        _percent_axis(bar.ax.yaxis, vmax)
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
            bar.ax.collections[-1].set_path_effects(_HALO)
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        runs = int(cells.runs.sum())
        n_points = int(cells.points.sum())
        binned = cells.binned_x or cells.binned_y
        design = f"{n_points} points" + (f", {nx}×{ny} bins" if binned else "")
        main = (
            f"{OUTCOME_LABELS[outcome]} over {_short(_label_of(x, labels))} "
            f"and {_short(_label_of(y, labels))}"
        )
        fig.suptitle(_balanced(fig, f"{main}\nscenario {scenario} · {runs:,} runs · {design}"))
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


def _balanced(fig: Figure, text: str) -> str:
    """Wrap each line of a title into as many lines as :func:`sim.views.figures._wrap` would.

    The lines are of even length, so that no single word is left alone on the last one.
    """
    lines = []
    for line in text.split("\n"):
        count = len(wrap_title(fig, line).split("\n"))
        width = max(1, math.ceil(len(line) / count))
        while len(textwrap.wrap(line, width)) > count:
            width += 1
        lines.append(textwrap.fill(line, width))
    return "\n".join(lines)


def _short(label: str) -> str:
    """A label without its trailing parenthesised units, for titles."""
    head = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    return head or label


def _wrap_label(text: str, width: int) -> str:
    """Wrap an axis label to ``width`` characters per line."""
    return "\n".join(textwrap.wrap(text, width)) or text


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
        lines.set_path_effects(_HALO)
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


# -------------------------------------------------------------- time to split


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
    vmax = _ceiling(float(curves["high"].max()))
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
                band = ax.fill_between(
                    x, sub["low"], sub["high"], color=colour, alpha=0.16, linewidth=0
                )
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
            _percent_axis(ax.yaxis, vmax)
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
            title=_wrap_label(group_label, 26) + (f"\n(P(split) by {by})" if n == 1 else ""),
            alignment="left",
            handlelength=3.2,
        )
        main = f"Cumulative P(split) by year, by {_short(group_label)}"
        sub = f"scenario {scenarios[0]}" if n == 1 else f"{n} scenarios"
        fig.suptitle(_balanced(fig, f"{main}\n{sub}"))
    return fig


def _ordered_groups(column: pd.Series) -> list[str]:
    """Group names in their categorical order, else in order of first appearance."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.astype(str))
        return [str(c) for c in column.cat.categories if str(c) in present]
    return [str(g) for g in dict.fromkeys(column.astype(str))]


# ---------------------------------------------------------------- sensitivity


def plot_sensitivity(
    table: pd.DataFrame,
    outcome: str,
    kind: str,
    *,
    labels: Mapping[str, str] | None = None,
    top: int = MAX_SENSITIVITY_BARS,
) -> Figure:
    """Ranked horizontal bars of the global sensitivity of one outcome to each parameter.

    Sobol (Saltelli et al. 2010): for each parameter the first-order index S1
    (share of the variance of the outcome across design points that the
    parameter explains alone) and the total index ST (alone and in all
    interactions), paired and sorted by ST, with their bootstrap 95% confidence
    intervals as error bars. Morris (Campolongo et al. 2007): the mean absolute
    elementary effect mu* with its confidence interval, and sigma (spread of the
    effects: interactions or non-linearity) as a marker. Only the ``top`` most
    influential parameters are shown; the title says how many of how many.

    Parameters
    ----------
    table : DataFrame
        Sensitivity table (see the module docstring).
    outcome : {"p_split", "p_rupture"}
        Outcome the indices are of.
    kind : {"sobol", "morris"}
        Which indices ``table`` holds.
    labels : mapping, optional
        Parameter path -> readable label.
    top : int
        Parameters shown at most.

    Returns
    -------
    Figure
        One axes; bars are ``Rectangle`` patches in ``BarContainer`` objects
        labelled ``"S1"``/``"ST"`` (Sobol) or ``"mu_star"`` (Morris).
    """
    if outcome not in OUTCOME_LABELS:
        raise ValueError(f"outcome: expected one of {list(OUTCOME_LABELS)}, got {outcome!r}")
    columns = {
        "sobol": ("parameter", "S1", "S1_conf", "ST", "ST_conf"),
        "morris": ("parameter", "mu_star", "mu_star_conf", "sigma"),
    }
    if kind not in columns:
        raise ValueError(f"kind: expected 'sobol' or 'morris', got {kind!r}")
    require(table, columns[kind], "table")
    rank = "ST" if kind == "sobol" else "mu_star"
    total = len(table) - int((table["parameter"] == DUMMY).any())  # the dummy is not one
    ranked = table.dropna(subset=[rank]).sort_values(rank, ascending=False, kind="stable")
    shown = ranked.head(top)
    n = len(shown)
    name = OUTCOME_LABELS[outcome]
    with mpl.rc_context(STYLE):
        fig = new_figure(7.2, 0.29 * max(n, 3) + 2.0)
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ypos = np.arange(n)[::-1].astype(float)  # most influential at the top
        handles: list[Patch | Line2D] = []
        tick_labels = [
            _wrap_label(_label_of(p, labels), 42) for p in shown["parameter"].astype(str)
        ]
        if n == 0:
            ax.text(
                0.5,
                0.5,
                f"no index could be estimated: {name} does not vary over the design",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_yticks([])
        elif kind == "sobol":
            handles = _sobol_bars(ax, shown, ypos)
            ax.set_xlabel(
                _wrap_label(
                    f"Sobol index (share of the variance of {name} across design points)", 80
                )
            )
        else:
            handles = _morris_bars(ax, shown, ypos)
            ax.set_xlabel(
                _wrap_label(
                    f"elementary effect on {name} (change per full parameter range, 0–1 scale)",
                    80,
                )
            )
        if n:
            ax.set_yticks(ypos, tick_labels)
            ax.set_ylim(-0.7, n - 0.3)
            ax.axvline(0.0, color="0.3", linewidth=0.8, zorder=1)
            floor = ranked.loc[ranked["parameter"] == DUMMY, rank]
            if len(floor):
                line = ax.axvline(
                    float(floor.iloc[0]),
                    color="0.15",
                    linestyle=(0, (4, 2)),
                    linewidth=1.2,
                    zorder=4,
                    label=f"noise floor: {rank} of a dummy parameter",
                )
                handles.append(line)
            if _fit_estimates(ax, shown, kind, ypos):
                handles.append(_BEYOND_HANDLE)
            ax.tick_params(axis="y", length=0, pad=7)
            fig.legend(handles=handles, loc="outside lower center", ncols=2)
        method = "Sobol indices" if kind == "sobol" else "Morris elementary effects"
        which = (
            f"all {total} parameters"
            if n == total
            else f"the {n} most influential of {total} parameters"
        )
        order = "by total index ST" if kind == "sobol" else "by μ*"
        fig.suptitle(_balanced(fig, f"Sensitivity of {name}: {method}\n{which}, ranked {order}"))
    return fig


def _sobol_bars(ax: Axes, shown: pd.DataFrame, ypos: np.ndarray) -> list[Patch | Line2D]:
    """Paired bars of ST (solid, dark) and S1 (hatched, light) with 95% confidence bars.

    Returns the legend handles.
    """
    words = {
        "ST": "total index ST (alone and in interactions)",
        "S1": "first-order index S1 (alone)",
    }
    pairs = [(words[i], shown[i], shown[f"{i}_conf"].abs()) for i in ("ST", "S1")]
    containers, patches = paired_barh(ax, ypos, pairs)
    for index, bars in zip(("ST", "S1"), containers, strict=True):
        bars.set_label(index)
    return [*patches, _CONF_HANDLE]


def _morris_bars(ax: Axes, shown: pd.DataFrame, ypos: np.ndarray) -> list[Patch | Line2D]:
    """Bars of mu* with 95% confidence bars, and sigma as open diamonds.

    Returns the legend handles.
    """
    bars = ax.barh(
        ypos,
        shown["mu_star"],
        height=0.6,
        xerr=shown["mu_star_conf"].abs(),
        color=OKABE_ITO["blue"],
        edgecolor="black",
        linewidth=0.5,
        error_kw={"ecolor": "black", "elinewidth": 0.9, "capsize": 2.0},
    )
    bars.set_label("mu_star")
    sigma = {
        "linestyle": "none",
        "marker": "D",
        "markersize": 5,
        "markerfacecolor": "white",
        "markeredgecolor": OKABE_ITO["vermillion"],
        "markeredgewidth": 1.3,
    }
    ax.plot(shown["sigma"], ypos, zorder=4, gid="sigma", **sigma)
    return [
        Patch(
            facecolor=OKABE_ITO["blue"],
            edgecolor="black",
            linewidth=0.5,
            label="μ* (mean absolute effect)",
        ),
        _CONF_HANDLE,
        Line2D([], [], label="σ (spread of the effects: interactions, non-linearity)", **sigma),
    ]


def _fit_estimates(ax: Axes, shown: pd.DataFrame, kind: str, ypos: np.ndarray) -> bool:
    """Fit the x axis to the estimates, not to their confidence intervals.

    With a small design the bootstrap intervals can be many times wider than the
    indices themselves and would squash every bar to a sliver; they are cut at
    the axis edge instead, and a triangle there says the interval goes on.
    Returns whether any interval was cut.
    """
    if kind == "sobol":
        bars = [("ST", "ST_conf", ypos + 0.19), ("S1", "S1_conf", ypos - 0.19)]
        extra: list[str] = []
    else:
        bars = [("mu_star", "mu_star_conf", ypos)]
        extra = ["sigma"]
    estimates = np.concatenate([shown[c].to_numpy(float) for c, _, _ in bars] + [
        shown[c].to_numpy(float) for c in extra
    ])  # fmt: skip
    estimates = estimates[np.isfinite(estimates)]
    lo = min(0.0, float(estimates.min(initial=0.0)))
    hi = max(float(estimates.max(initial=0.0)), lo + 1e-3)
    span = hi - lo
    left, right = lo - 0.08 * span, hi + 0.22 * span
    ax.set_xlim(left, right)
    cut = False
    for column, conf, y in bars:
        centre = shown[column].to_numpy(float)
        half = np.abs(shown[conf].to_numpy(float))
        for side, marker, beyond in (
            (right, ">", centre + half > right),
            (left, "<", centre - half < left),
        ):
            if beyond.any():
                cut = True
                ax.plot(
                    np.full(int(beyond.sum()), side),
                    y[beyond],
                    linestyle="none",
                    marker=marker,
                    markersize=4.5,
                    color="black",
                    clip_on=False,
                    zorder=5,
                    gid="interval-cut",
                )
    return cut


_BEYOND_HANDLE = Line2D(
    [],
    [],
    linestyle="none",
    marker=">",
    markersize=4.5,
    color="black",
    label="interval goes on beyond the axis",
)

_CONF_HANDLE = Line2D(
    [],
    [],
    color="black",
    marker="|",
    markersize=7,
    linewidth=0.9,
    label="95% confidence interval (bootstrap)",
)
