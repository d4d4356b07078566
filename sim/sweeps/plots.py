"""Figures of a sweep, drawn from its result tables only.

Each function takes the tables written by :func:`sim.sweeps.analysis.analyse`
and returns a :class:`matplotlib.figure.Figure`; none runs a model, shows a
window or touches pyplot's global state. The style is the project's one style,
:data:`sim.plots.STYLE`, and every encoding survives greyscale printing: the
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
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.ensemble import proportion
from sim.plots import OKABE_ITO, STYLE, _new_figure, _require, _wrap, _year_axis, save_figure
from sim.report import format_share, format_year

__all__ = [
    "CONTOUR_LEVELS",
    "HEATMAP_BINS",
    "MAX_LEVELS",
    "MAX_SENSITIVITY_BARS",
    "OUTCOME_LABELS",
    "HeatmapCells",
    "heatmap_cells",
    "plot_heatmap",
    "plot_sensitivity",
    "plot_time_to_split",
    "save_figure",
]

OUTCOME_LABELS: dict[str, str] = {"p_split": "P(split)", "p_rupture": "P(rupture)"}
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

CEILINGS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0)
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
    _require(points, ("scenario", "runs", outcome, x, y), "points")
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


def _cell_text(p: float, low: float, high: float) -> tuple[str, str]:
    """Value and interval of a cell as percentages, one decimal below 10%."""

    def pct(v: float) -> str:
        return f"{100 * v:.1f}" if v < 0.1 else f"{100 * v:.0f}"

    return f"{pct(p)}%", f"{pct(low)}–{pct(high)}"


def _label_of(path: str, labels: Mapping[str, str] | None) -> str:
    """Readable label of a parameter path, the path itself when none is given."""
    return (labels or {}).get(path) or path


def _outcome_scale_label(outcome: str, horizon: float | None) -> str:
    """``"P(split) by 2035"``, or ``"... by the horizon"`` when the year is unknown."""
    by = format_year(horizon) if horizon is not None else "the horizon"
    return f"{OUTCOME_LABELS[outcome]} by {by} (share of runs)"


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
    the cells are few enough to read. Contour lines mark 10%, 50% and 90%; a
    level outside the range of the cells is skipped. Sampled designs are binned
    into ``bins`` x ``bins`` cells; a bin without any design point is hatched.
    The colour scale runs from 0 to the smallest of 5%, 10%, 20%, 50% or 100%
    above the data, so that small probabilities still show contrast.

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
        ``"cells:<outcome>"`` whose array is :attr:`HeatmapCells.value`; the
        contours, when drawn, a ``ContourSet`` with gid ``"contours"``; empty
        bins are ``Rectangle`` patches with gid ``"empty"``.
    """
    cells = heatmap_cells(points, x, y, outcome, scenario, bins)
    finite = cells.value[np.isfinite(cells.value)]
    lo, hi = float(finite.min()), float(finite.max())
    vmax = _ceiling(hi)
    ny, nx = cells.value.shape
    with mpl.rc_context(STYLE):
        fig = _new_figure(6.6, 5.6)
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
            patch = Rectangle(
                (cells.x_edges[i], cells.y_edges[j]),
                cells.x_edges[i + 1] - cells.x_edges[i],
                cells.y_edges[j + 1] - cells.y_edges[j],
                facecolor="white",
                edgecolor="0.55",
                hatch="xxx",
                linewidth=0,
                gid="empty",
            )
            ax.add_patch(patch)
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
        if nx * ny <= MAX_ANNOTATED_CELLS:
            _annotate_cells(ax, cells, vmax)
        contour = _draw_contours(ax, cells, lo, hi)
        if contour is not None:
            for level in contour.levels:
                style, width = CONTOUR_STYLES.get(float(level), ("solid", 1.5))
                handles.append(
                    Line2D(
                        [],
                        [],
                        color="black",
                        linestyle=style,
                        linewidth=width,
                        path_effects=_HALO,
                        label=f"{format_share(level)} contour",
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
        bar.ax.yaxis.set_major_formatter(
            mpl.ticker.FuncFormatter(
                lambda v, _: f"{100 * v:.0f}%" if vmax > 0.05 else f"{100 * v:.1f}%"
            )
        )
        if contour is not None:
            bar.add_lines(contour)
            for line in bar.ax.collections[-1:]:
                line.set_path_effects(_HALO)
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        runs = int(cells.runs.sum())
        design = (
            f"design points binned {nx} × {ny}"
            if cells.binned_x or cells.binned_y
            else "one cell per pair of values"
        )
        per_cell = (
            f"each cell: share of runs with a {OUTCOME_EVENTS[outcome]} [95% interval], in %"
            if nx * ny <= MAX_ANNOTATED_CELLS
            else ""
        )
        sub = f"scenario {scenario} · {runs:,} runs · {design}"
        main = (
            f"{OUTCOME_LABELS[outcome]} over {_short(_label_of(x, labels))} "
            f"and {_short(_label_of(y, labels))}"
        )
        fig.suptitle(_wrap(fig, f"{main}\n{sub}"))
        if per_cell:
            ax.set_title(per_cell, fontsize=8, fontweight="normal", color="0.25", loc="left")
    return fig


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
    for j in range(ny):
        for i in range(nx):
            p = cells.value[j, i]
            if not np.isfinite(p):
                continue
            r, g, b, _ = cmap(min(p / vmax, 1.0))
            ink = "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"
            value, interval = _cell_text(p, cells.low[j, i], cells.high[j, i])
            cx, cy = cells.x_centres[i], cells.y_centres[j]
            ax.annotate(
                value,
                (cx, cy),
                xytext=(0, 1.5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5 if big else 6.5,
                fontweight="bold",
                color=ink,
                gid="cell-value",
            )
            ax.annotate(
                interval,
                (cx, cy),
                xytext=(0, -1.0),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=6.0 if big else 5.2,
                color=ink,
                gid="cell-interval",
            )


def _draw_contours(ax: Axes, cells: HeatmapCells, lo: float, hi: float) -> ContourSet | None:
    """Contours at the :data:`CONTOUR_LEVELS` the cells cross; ``None`` when none is crossed.

    A level is drawn only when some cell lies below it and some above it
    (``lo < level < hi``): otherwise there is no line to draw, and matplotlib
    would warn.
    """
    ny, nx = cells.value.shape
    levels = [lv for lv in CONTOUR_LEVELS if lo < lv < hi]
    if not levels or nx < 2 or ny < 2:
        return None
    styles = [CONTOUR_STYLES.get(lv, ("solid", 1.5)) for lv in levels]
    contour = ax.contour(
        cells.x_centres,
        cells.y_centres,
        np.ma.masked_invalid(cells.value),
        levels=levels,
        colors="black",
        linestyles=[s for s, _ in styles],
        linewidths=[w for _, w in styles],
    )
    contour.set_gid("contours")
    contour.set_path_effects(_HALO)
    texts = ax.clabel(
        contour, fmt={lv: format_share(lv) for lv in levels}, fontsize=7.5, inline=True
    )
    for text in texts:
        text.set_path_effects(_HALO)
        text.set_fontweight("bold")
    return contour


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
    _require(curves, ("scenario", "group", "year", "p", "low", "high"), "curves")
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
        fig = _new_figure(4.6 * cols + 2.2, 3.6 * rows + 1.0)
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
                    end = float(sub["p"].iloc[-1])
                    handles.append(Line2D([], [], label=f"{group}  ({format_share(end)})", **style))
            ax.set_ylim(0.0, vmax)
            ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
            _year_axis(ax, years)
            ax.set_xlabel("year")
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
            title=_wrap_label(group_label, 26) + f"\n(P(split) by {by})",
            alignment="left",
            handlelength=3.2,
        )
        main = f"Cumulative P(split) by year, by {_short(group_label)}"
        sub = f"scenario {scenarios[0]}" if n == 1 else f"{n} scenarios"
        fig.suptitle(_wrap(fig, f"{main}\n{sub}"))
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
    _require(table, columns[kind], "table")
    rank = "ST" if kind == "sobol" else "mu_star"
    total = len(table)
    ranked = table.dropna(subset=[rank]).sort_values(rank, ascending=False, kind="stable")
    shown = ranked.head(top)
    n = len(shown)
    name = OUTCOME_LABELS[outcome]
    with mpl.rc_context(STYLE):
        fig = _new_figure(7.2, 0.34 * max(n, 3) + 1.9)
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
            ax.set_xlabel(f"Sobol index (share of the variance of {name} across design points)")
        else:
            handles = _morris_bars(ax, shown, ypos)
            ax.set_xlabel(
                f"elementary effect on {name} (change per full parameter range, 0–1 scale)"
            )
        if n:
            ax.set_yticks(ypos, tick_labels)
            ax.set_ylim(-0.7, n - 0.3)
            ax.axvline(0.0, color="0.3", linewidth=0.8, zorder=1)
            ax.tick_params(axis="y", length=0)
            fig.legend(handles=handles, loc="outside lower center", ncols=2)
        method = "Sobol indices" if kind == "sobol" else "Morris elementary effects"
        which = (
            f"all {total} parameters"
            if n == total
            else f"the {n} most influential of {total} parameters"
        )
        order = "by total index ST" if kind == "sobol" else "by mu*"
        fig.suptitle(_wrap(fig, f"Sensitivity of {name}: {method}\n{which}, ranked {order}"))
    return fig


def _sobol_bars(ax: Axes, shown: pd.DataFrame, ypos: np.ndarray) -> list[Patch | Line2D]:
    """Paired bars of ST (solid, dark) and S1 (hatched, light) with 95% confidence bars.

    Returns the legend handles.
    """
    height = 0.38
    err = {"ecolor": "black", "elinewidth": 0.9, "capsize": 2.0}
    styles = {
        "ST": {"facecolor": OKABE_ITO["blue"], "hatch": None},
        "S1": {"facecolor": OKABE_ITO["sky_blue"], "hatch": "////"},
    }
    words = {
        "ST": "total index ST (alone and in interactions)",
        "S1": "first-order index S1 (alone)",
    }
    for index, shift in (("ST", height / 2), ("S1", -height / 2)):
        bars = ax.barh(
            ypos + shift,
            shown[index],
            height=height,
            xerr=shown[f"{index}_conf"].abs(),
            edgecolor="black",
            linewidth=0.5,
            error_kw=err,
            **styles[index],
        )
        bars.set_label(index)
    return [
        *(
            Patch(edgecolor="black", linewidth=0.5, label=words[i], **styles[i])
            for i in ("ST", "S1")
        ),
        _CONF_HANDLE,
    ]


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


_CONF_HANDLE = Line2D(
    [],
    [],
    color="black",
    marker="|",
    markersize=7,
    linewidth=0.9,
    label="95% confidence interval (bootstrap)",
)
