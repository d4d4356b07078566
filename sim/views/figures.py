"""Figures of an ensemble, drawn from its tidy result frames only.

Every function here takes results (pandas frames and the ``summary`` dict) and
returns a :class:`matplotlib.figure.Figure`; none runs a model, shows a window or
touches pyplot's global state. Figures are built with the object-oriented
``Figure()`` API, so they work headless and are freed like any Python object.

Data contract (produced by the model layer):

``trajectories``
    One row per (step, pair): ``step``, ``year`` (decimal year), ``pair``
    (``"CHN-RUS"``), ``a``, ``b``, ``mean``, ``q05``, ``q25``, ``q50``, ``q75``,
    ``q95`` (the relation r on [-1, 1] across runs: -1 hostile, +1 allied),
    ``p_aligned``, ``p_hostile`` (shares of runs) and ``crisis_hazard``
    (mean crises per year).
``configurations``
    One row per (step, triad, configuration): ``step``, ``year``, ``triad``
    (``"CHN-RUS-USA"``), ``configuration`` (Dittmer's four), ``share``.
``events``
    Cumulative incidence: ``year``, ``event`` (``"rupture"`` or ``"split"``),
    ``p``, ``low``, ``high`` (share of runs with the event by that year and its
    95% Wilson interval).
``summary``
    The ensemble summary; see :mod:`sim.views.run`.

Style: :mod:`sim.views.style`, the project's one style, applied inside each function.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, MultipleLocator

from sim.formats import format_share, format_year
from sim.views.style import (
    FAN_COLOUR,
    OKABE_ITO,
    RELATION_LABEL,
    STYLE,
    YEAR_LABEL,
    fan_legend_handles,
    new_figure,
    require,
    suptitle,
    wrap_title,
    year_axis,
)
from sim.views.words import (
    CONFIGURATION_LABELS,
    CONFIGURATIONS,
    actor_name,
    group_label,
    thresholds_of,
)

# ---------------------------------------------------------------------- style

STATE_STYLE: dict[str, dict[str, Any]] = {
    "aligned": {"color": OKABE_ITO["blue"], "linestyle": "-", "linewidth": 3.2},
    "neutral": {"color": "0.45", "linestyle": (0, (1, 1.6)), "linewidth": 2.2},
    "hostile": {"color": OKABE_ITO["vermillion"], "linestyle": (0, (5, 2.5)), "linewidth": 2.2},
}
"""Edge encoding of a pair's state in the triangle diagram: style, width and colour."""

EVENT_STYLE: dict[str, dict[str, Any]] = {
    "rupture": {
        "color": OKABE_ITO["vermillion"],
        "linestyle": "-",
        "marker": "o",
        "hatch": "////",
    },
    "split": {
        "color": OKABE_ITO["blue"],
        "linestyle": (0, (5, 2)),
        "marker": "^",
        "hatch": "\\\\\\\\",
    },
}
"""Line style, marker and band hatch of each cumulative event curve."""

OTHER_EVENT_STYLE: dict[str, Any] = {
    "color": "0.3",
    "linestyle": ":",
    "marker": "s",
    "hatch": "...",
}
"""Style of an event other than rupture and split, should the model add one."""

ZOOM_BELOW = 0.25
"""Cumulative plots whose 95% bands all stay below this get a zoomed inset."""

CONFIGURATION_STYLE: dict[str, dict[str, str]] = {
    "menage_a_trois": {"color": OKABE_ITO["green"], "hatch": ""},
    "romantic_triangle": {"color": OKABE_ITO["sky_blue"], "hatch": "////"},
    "stable_marriage": {"color": OKABE_ITO["orange"], "hatch": ".."},
    "unit_veto": {"color": "#D9D9D9", "hatch": "xx"},
}
"""Fill colour and hatch of each configuration in the stacked area chart."""

CONFIGURATION_SHORT: dict[str, str] = {
    "menage_a_trois": "all 3 pairs aligned",
    "romantic_triangle": "2 pairs aligned via a pivot",
    "stable_marriage": "1 pair aligned",
    "unit_veto": "no pair aligned",
}
"""Short meaning of each configuration for legends (full words in :mod:`sim.views.run`)."""

TRAJECTORY_COLUMNS = ("step", "year", "pair", "a", "b", "q05", "q25", "q50", "q75", "q95")
CONFIGURATION_COLUMNS = ("step", "year", "triad", "configuration", "share")
EVENT_COLUMNS = ("year", "event", "p", "low", "high")


def pair_order(pairs: Sequence[str], frame: pd.DataFrame, summary: Mapping[str, Any]) -> list[str]:
    """Pairs with the watched partnership first, then the third power's pairs with it."""
    members = {p: frozenset(frame.loc[frame["pair"] == p, ["a", "b"]].iloc[0]) for p in pairs}
    watched = frozenset(summary.get("partnership") or ())
    third = summary.get("third")

    def rank(p: str) -> int:
        if members[p] == watched:
            return 0
        if third in members[p] and members[p] & watched:
            return 1
        return 2

    return sorted(pairs, key=lambda p: (rank(p), pairs.index(p)))


def _grid(n: int) -> tuple[int, int]:
    """Rows and columns of a panel grid: one row up to 3 panels, then 2 or 3 columns."""
    if n <= 3:
        return 1, n
    cols = 2 if n == 4 else 3
    return math.ceil(n / cols), cols


def nearest_years(available: Iterable[float], years: Iterable[float]) -> list[float]:
    """Find the simulated year nearest to each requested year (ties go to the earlier one).

    Parameters
    ----------
    available : iterable of float
        Decimal years at which there are results (the ``year`` column).
    years : iterable of float
        Requested decimal years.

    Returns
    -------
    list of float
        One available year per requested year, in the requested order.
    """
    grid = np.unique(np.asarray(list(available), dtype=float))
    if grid.size == 0:
        raise ValueError("no years to choose from")
    return [float(grid[int(np.argmin(np.abs(grid - float(y))))]) for y in years]


def state(r: float, thresholds: Mapping[str, float]) -> str:
    """State of a pair from its relation: aligned, hostile or neutral (BRIEF section 4)."""
    if r >= thresholds["aligned"]:
        return "aligned"
    if r <= thresholds["hostile"]:
        return "hostile"
    return "neutral"


# -------------------------------------------------------------------- figures


def mark_successions(ax: Axes, summary: Mapping[str, Any], members: Sequence[str]) -> None:
    """A dotted line where a member of the panel's pair became its successor, with its new name.

    ``summary["successions"]`` lists them (``actor``, ``year``, ``name``); the
    panel's title already names the actor by both names ("USSR / Russia"), the
    line says when the change came.
    """
    for item in summary.get("successions", []):
        if item["actor"] not in members:
            continue
        line = ax.axvline(item["year"], color="0.2", linestyle=":", linewidth=1.1, zorder=2)
        line.set_gid(f"succession:{item['actor']}:{item['year']}")
        ax.annotate(
            f"{item['from']} \u2192 {item['name']}",
            xy=(item["year"], 0.97),
            xycoords=("data", "axes fraction"),
            ha="right",
            va="top",
            fontsize="x-small",
            color="0.2",
            xytext=(-2, 0),
            textcoords="offset points",
        )


def plot_fans(trajectories: pd.DataFrame, summary: Mapping[str, Any]) -> Figure:
    """Fan chart of the relation of every pair over time, one panel per pair.

    Each panel shows the median relation across runs (line), the middle 50% of runs
    (q25-q75, dark band) and the middle 90% (q05-q95, light band), with dashed lines
    at the aligned and hostile thresholds, so a reader sees both where a pair is
    heading and how sure the ensemble is about it.

    Parameters
    ----------
    trajectories : DataFrame
        Tidy trajectories (see the module docstring); relation r on [-1, 1].
    summary : mapping
        Ensemble summary: ``actors`` for readable names, ``thresholds``, ``title``,
        ``runs``, ``partnership`` and ``third`` (the watched pairs come first).

    Returns
    -------
    Figure
        One panel per pair, a grid of 2 or 3 columns beyond 3 pairs. Bands are
        ``PolyCollection`` objects with ``gid`` ``"band90:<pair>"`` and
        ``"band50:<pair>"``, the median line ``"median:<pair>"``.
    """
    require(trajectories, TRAJECTORY_COLUMNS, "trajectories")
    actors = summary.get("actors")
    thr = thresholds_of(summary)
    pairs = pair_order(list(dict.fromkeys(trajectories["pair"])), trajectories, summary)
    rows, cols = _grid(len(pairs))
    with mpl.rc_context(STYLE):
        fig = new_figure(3.1 * cols + 0.4, 2.35 * rows + 1.25)
        fig.get_layout_engine().set(wspace=0.07)  # keep end-year ticks of neighbours apart
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
        for i, (ax, pair) in enumerate(zip(axes, pairs, strict=False)):
            df = trajectories[trajectories["pair"] == pair].sort_values("year")
            x = df["year"].to_numpy(float)
            band90 = ax.fill_between(
                x, df["q05"], df["q95"], color=FAN_COLOUR, alpha=0.18, linewidth=0
            )
            band90.set_gid(f"band90:{pair}")
            band50 = ax.fill_between(
                x, df["q25"], df["q75"], color=FAN_COLOUR, alpha=0.42, linewidth=0
            )
            band50.set_gid(f"band50:{pair}")
            (median,) = ax.plot(x, df["q50"], color="#08306B", linewidth=1.7)
            median.set_gid(f"median:{pair}")
            for level in (thr["aligned"], thr["hostile"]):
                ax.axhline(level, color="0.25", linestyle=(0, (4, 3)), linewidth=0.8, zorder=1)
            ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
            a, b = df["a"].iloc[0], df["b"].iloc[0]
            ax.set_title(group_label([a, b], actors))
            mark_successions(ax, summary, [a, b])
            ax.set_ylim(-1.05, 1.05)
            ax.yaxis.set_major_locator(MultipleLocator(0.5))
            year_axis(ax, x)
            if i % cols == 0:
                ax.set_ylabel(RELATION_LABEL)
            if i + cols >= len(pairs):
                ax.set_xlabel(YEAR_LABEL)
                ax.tick_params(labelbottom=True)
        for ax in axes[len(pairs) :]:
            ax.remove()
        handles = fan_legend_handles(thr)
        fig.legend(handles=handles, loc="outside lower center", ncols=min(4, 2 * cols))
        suptitle(fig, "Relations between pairs over time", summary)
    return fig


def plot_cumulative(events: pd.DataFrame, summary: Mapping[str, Any]) -> Figure:
    """Cumulative probability of a rupture and of a 1970s-style split, with 95% bands.

    Step curves (the estimate is a share of runs at each simulated step), each with
    its own line style, marker and hatched 95% Wilson band so the two read apart in
    greyscale; when runs drew behaviour, dotted lines bound the central 80% of the
    probability over behaviour (:mod:`sim.engine.spread`). The legend states the
    value at the horizon. When every band stays below :data:`ZOOM_BELOW`, a zoomed
    inset repeats the curves on a finer scale, since small probabilities are the
    usual answer and vanish on a 0-1 axis.

    Parameters
    ----------
    events : DataFrame
        Cumulative incidence (see the module docstring): share of runs on [0, 1].
    summary : mapping
        Ensemble summary: ``partnership``, ``third``, ``actors``, ``horizon``,
        ``p_rupture``, ``p_split``, ``title``, ``runs``.

    Returns
    -------
    Figure
        One axes (plus the inset, if any); x in years, y the probability from 0 to 1.
    """
    require(events, EVENT_COLUMNS, "events")
    actors = summary.get("actors")
    a, b = summary["partnership"]
    third = actor_name(summary["third"], actors)
    horizon = format_year(summary.get("horizon"))
    labels = {
        "rupture": f"rupture of {group_label([a, b], actors)}",
        "split": f"split: {third} pivots or partners one of them",
    }
    headline = {"rupture": summary.get("p_rupture"), "split": summary.get("p_split")}
    present = set(events["event"])
    order = [e for e in ("rupture", "split") if e in present] + sorted(
        present - {"rupture", "split"}
    )
    years = events["year"].to_numpy(float)
    with mpl.rc_context(STYLE):
        fig = new_figure(6.4, 4.4)
        ax = fig.add_subplot()
        _draw_events(ax, events, order, "")
        ax.set_ylim(0.0, 1.0)
        ax.yaxis.set_major_locator(MultipleLocator(0.2))
        year_axis(ax, years)
        ax.set_xlabel(YEAR_LABEL)
        ax.set_ylabel("probability (share of runs)")
        top = float(np.nanmax(events["high"].to_numpy(float), initial=0.0))
        if _has_behaviour_band(events):
            top = max(top, float(np.nanmax(events["behaviour_high"].to_numpy(float))))
        if 0.0 < top <= ZOOM_BELOW:
            # Small probabilities vanish on a 0-1 scale: repeat them in a zoomed inset,
            # in the empty upper-left of the axes (every curve is below ZOOM_BELOW).
            ceiling = next(c for c in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3) if c >= 1.1 * top)
            inset = ax.inset_axes((0.13, 0.45, 0.52, 0.43))
            _draw_events(inset, events, order, "zoom-")
            inset.set_ylim(0.0, ceiling)
            inset.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
            year_axis(inset, years)
            inset.tick_params(labelsize=7)
            inset.set_title(
                f"zoom: probability from 0 to {ceiling:g}", fontsize=8, fontweight="normal"
            )
        legend_handles = []
        for event in order:
            style = EVENT_STYLE.get(event, OTHER_EVENT_STYLE)
            label = labels.get(event, event)
            value = (headline.get(event) or {}).get("value")
            if value is not None:
                label += f" ({format_share(value)} by {horizon})"
            legend_handles.append(
                Line2D(
                    [],
                    [],
                    color=style["color"],
                    linestyle=style["linestyle"],
                    linewidth=1.8,
                    marker=style.get("marker"),
                    markersize=4.5,
                    label=label,
                )
            )
        legend_handles.append(
            Patch(
                facecolor="0.88",
                edgecolor="0.4",
                hatch="////",
                linewidth=0,
                label="95% interval (Wilson) of each curve",
            )
        )
        if _has_behaviour_band(events):
            legend_handles.append(
                Line2D(
                    [],
                    [],
                    color="0.3",
                    linestyle=(0, (1, 1.5)),
                    linewidth=1.0,
                    label="central 80% over behaviour (dotted)",
                )
            )
        fig.legend(handles=legend_handles, loc="outside lower center", ncols=1)
        suptitle(fig, "Cumulative probability of rupture and split", summary)
    return fig


def _has_behaviour_band(events: pd.DataFrame) -> bool:
    """Whether the table has a range over behaviour that differs from the estimate anywhere."""
    if "behaviour_low" not in events:
        return False
    width = events["behaviour_high"].to_numpy(float) - events["behaviour_low"].to_numpy(float)
    return bool(np.nanmax(width, initial=0.0) > 1e-9)


def _draw_events(ax: Axes, events: pd.DataFrame, order: list[str], prefix: str) -> None:
    """Draw each event's cumulative step curve and 95% band; gids ``<prefix>p:<event>``."""
    for k, event in enumerate(order):
        df = events[events["event"] == event].sort_values("year")
        x = df["year"].to_numpy(float)
        every = max(1, len(x) // 8)
        style = EVENT_STYLE.get(event, OTHER_EVENT_STYLE)
        band = ax.fill_between(
            x,
            df["low"],
            df["high"],
            step="post",
            facecolor=mpl.colors.to_rgba(style["color"], 0.13),
            edgecolor=mpl.colors.to_rgba(style["color"], 0.55),
            hatch=style["hatch"],
            linewidth=0,
        )
        band.set_gid(f"{prefix}band:{event}")
        if _has_behaviour_band(df):
            for side in ("behaviour_low", "behaviour_high"):
                (edge,) = ax.plot(
                    x,
                    df[side],
                    drawstyle="steps-post",
                    color=style["color"],
                    linestyle=(0, (1, 1.5)),
                    linewidth=1.0,
                    zorder=2,
                )
                edge.set_gid(f"{prefix}{side}:{event}")
        (line,) = ax.plot(
            x,
            df["p"],
            drawstyle="steps-post",
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=1.8,
            marker=style.get("marker"),
            markersize=4.5,
            markevery=(k * every // len(order), every),  # staggered: no marker on marker
            clip_on=False,
            zorder=3,
        )
        line.set_gid(f"{prefix}p:{event}")


def plot_configurations(
    configurations: pd.DataFrame,
    triad: str,
    actors: Mapping[str, str] | None = None,
) -> Figure:
    """Stacked area of the shares of Dittmer's configurations over time for one triad.

    The four configurations are stacked from most aligned (ménage à trois, bottom)
    to least (unit veto, top), each with a colour and a hatch so the chart reads
    in greyscale.

    Parameters
    ----------
    configurations : DataFrame
        Tidy configuration shares (see the module docstring), summing to 1 per
        step and triad.
    triad : str
        Triad to draw, e.g. ``"CHN-RUS-USA"``.
    actors : mapping, optional
        Actor id -> readable name (``summary["actors"]``), for the title.

    Returns
    -------
    Figure
        One axes; x in years, y the share of runs from 0 to 1. Each layer is a
        ``PolyCollection`` with ``gid`` ``"configuration:<name>"``.
    """
    require(configurations, CONFIGURATION_COLUMNS, "configurations")
    df = configurations[configurations["triad"] == triad]
    if df.empty:  # the same members in another order ("CHN-USA-RUS") name the same triad
        members = frozenset(triad.split("-"))
        same = [
            t for t in dict.fromkeys(configurations["triad"]) if frozenset(t.split("-")) == members
        ]
        if same:
            triad = same[0]
            df = configurations[configurations["triad"] == triad]
    if df.empty:
        known = sorted(set(configurations["triad"]))
        raise ValueError(f"configurations: no triad {triad!r}; available: {known}")
    unknown = sorted(set(df["configuration"]) - set(CONFIGURATIONS))
    if unknown:
        raise ValueError(f"configurations: unknown configuration(s) {unknown}")
    table = (
        df.pivot_table(index="year", columns="configuration", values="share", aggfunc="sum")
        .reindex(columns=list(CONFIGURATIONS))
        .fillna(0.0)
        .sort_index()
    )
    x = table.index.to_numpy(float)
    with mpl.rc_context(STYLE):
        fig = new_figure(7.2, 4.0)
        ax = fig.add_subplot()
        bottom = np.zeros(len(x))
        handles = []
        for name in CONFIGURATIONS:
            top = bottom + table[name].to_numpy(float)
            style = CONFIGURATION_STYLE[name]
            layer = ax.fill_between(
                x,
                bottom,
                top,
                facecolor=style["color"],
                edgecolor="white",
                hatch=style["hatch"],
                linewidth=0.6,
            )
            if hasattr(layer, "set_hatchcolor"):  # matplotlib >= 3.10; older: edge colour
                layer.set_hatchcolor("0.15")
            layer.set_gid(f"configuration:{name}")
            handles.append(
                Patch(
                    facecolor=style["color"],
                    edgecolor="0.15",
                    hatch=style["hatch"],
                    linewidth=0,
                    label=f"{CONFIGURATION_LABELS[name]}\n({CONFIGURATION_SHORT[name]})",
                )
            )
            bottom = top
        ax.set_ylim(0.0, 1.0)
        ax.grid(False)
        ax.yaxis.set_major_locator(MultipleLocator(0.2))
        year_axis(ax, x)
        ax.set_xlabel(YEAR_LABEL)
        ax.set_ylabel("share of runs")
        fig.legend(
            handles=handles[::-1],
            loc="outside right center",
            title="configuration",
            alignment="left",
            handleheight=2.0,
            handlelength=2.4,
            labelspacing=0.9,
        )
        members = triad.split("-")
        fig.suptitle(
            wrap_title(fig, f"Strategic-triangle configurations: {group_label(members, actors)}")
        )
    return fig
