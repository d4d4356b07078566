"""The hindcast figure: every relation's fan over an episode, under its dated milestones.

One panel per pair on a shared time axis, and a strip of labels per kind of
milestone above them (scheduled inputs, outcomes to reproduce, context),
staggered so that no label overlaps another or a leader line. In the project's
style (:mod:`sim.views.style`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator, NullLocator

from sim.formats import format_relation
from sim.views.figures import TRAJECTORY_COLUMNS, mark_successions, pair_order
from sim.views.style import (
    FAN_COLOUR,
    OKABE_ITO,
    STYLE,
    YEAR_LABEL,
    fan_legend_handles,
    new_figure,
    require,
    suptitle,
    year_axis,
)
from sim.views.words import group_label, thresholds_of

KIND_STYLE: dict[str, dict[str, Any]] = {
    "exogenous": {"color": "0.35", "linestyle": (0, (3.5, 2.0)), "linewidth": 0.9},
    "outcome": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "linewidth": 0.9},
    "context": {"color": "0.55", "linestyle": (0, (1, 1.5)), "linewidth": 0.9},
}
"""Line style of each kind of milestone: dashed grey inputs, solid outcomes, dotted context."""

KIND_WORDS: dict[str, str] = {
    "exogenous": "Scheduled inputs: exogenous events fed to the model as shocks",
    "outcome": "History the model should produce on its own (never an input)",
    "context": "Context (neither input nor target)",
}
"""Heading of each kind's label strip and its legend entry."""

LABEL_SIZE = 7.0
ROW_INCHES = 0.19
PANEL_INCHES = 1.75
WIDTH_INCHES = 10.0


def short_label(date: str, event: str, labels: Mapping[str, str], limit: int = 24) -> str:
    """A short label for a milestone: the episode's ``labels``, else the event's first clause."""
    if date in labels:
        return labels[date]
    text = re.split(r"[;:,(]", event, maxsplit=1)[0].strip()
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _groups(ms: pd.DataFrame, close: float = 0.03) -> list[dict[str, Any]]:
    """Milestones of one kind a few days apart share one label (``"A / B"``)."""
    out: list[dict[str, Any]] = []
    for row in ms.itertuples(index=False):
        last = next((g for g in reversed(out) if g["kind"] == row.kind), None)
        if last is not None and row.year - last["years"][-1] <= close:
            last["years"].append(row.year)
            last["dates"].append(row.date)
            last["label"] += f" / {row.label}"
        else:
            out.append(
                {"kind": row.kind, "years": [row.year], "dates": [row.date], "label": row.label}
            )
    return out


def stagger(
    anchors: Sequence[float],
    widths: Sequence[float],
    left: float,
    right: float,
    pad: float,
) -> list[tuple[int, bool]]:
    """Rows for flag labels so that no label overlaps another label or a leader line.

    A label hangs on a vertical leader line at its anchor ``x`` that rises from
    row 0 (next to the panels) to the label's row. It extends to the right of its
    anchor, or to its left when it would pass ``right``. Labels are placed from
    right to left, each in the lowest row where it overlaps no label in that row,
    crosses no leader of a higher label, and its own leader crosses no lower
    label: a cluster of close events climbs as a staircase.

    Parameters
    ----------
    anchors, widths
        Anchor ``x`` and width of each label, in data units.
    left, right
        Ends of the axis, which labels should not pass.
    pad
        Minimum gap between a label and another label or a leader line.

    Returns
    -------
    list of (int, bool)
        Per label, in the input order: its row, and whether it extends to the
        left of its anchor.
    """
    placed: list[tuple[float, float, int, float]] = []  # start, end, row, anchor
    out: dict[int, tuple[int, bool]] = {}

    def free(s: float, e: float, x: float, row: int) -> bool:
        return not any(
            (r == row and s - pad < pe and ps < e + pad)  # label on label
            or (r > row and s - pad < px < e + pad)  # label across a higher leader
            or (r < row and ps - pad < x < pe + pad)  # own leader across a lower label
            for ps, pe, r, px in placed
        )

    for k in sorted(range(len(anchors)), key=lambda i: -anchors[i]):
        x, w = float(anchors[k]), float(widths[k])
        flip = x + w > right and x - w >= left
        s, e = (x - w, x) if flip else (x, x + w)
        row = next(
            (r for r in range(len(anchors)) if free(s, e, x, r)),
            1 + max((r for _, _, r, _ in placed), default=-1),  # a new top row
        )
        placed.append((s, e, row, x))
        out[k] = (row, flip)
    return [out[k] for k in range(len(anchors))]


def plot_hindcast(
    trajectories: pd.DataFrame,
    summary: Mapping[str, Any],
    milestones: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Relation fans of every pair over the hindcast, with the dated milestones.

    One panel per pair, stacked on a shared time axis (the watched partnership
    first): median across runs, middle 50% and 90% of runs, the aligned and
    hostile thresholds. Every milestone inside the simulated years is a vertical
    line through the panels, dashed grey for exogenous inputs and solid for the
    outcomes the model should produce, labelled in a strip per kind above the
    panels; labels are staggered onto rows so none overlaps.

    Parameters
    ----------
    trajectories
        Tidy trajectories (:meth:`EnsembleResult.trajectories`).
    summary
        Ensemble summary (actors, thresholds, title, runs, partnership, third).
    milestones
        From :func:`sim.experiments.validate.load_milestones`.
    labels
        Short labels of milestones by date (the episode's ``labels``); other
        milestones are shortened to their first clause.

    Returns
    -------
    Figure
        Artists carry gids: ``"milestone:<kind>:<date>"`` (the leader line in the
        strip), ``"milestone-label:<date>[+<date>]"`` (the label),
        ``"milestone-line:<pair>:<date>"`` (the line in a panel), and
        ``"band90:<pair>"``, ``"band50:<pair>"``, ``"median:<pair>"``.
    """
    require(trajectories, TRAJECTORY_COLUMNS, "trajectories")
    actors = summary.get("actors")
    thr = thresholds_of(summary)
    pairs = pair_order(list(dict.fromkeys(trajectories["pair"])), trajectories, summary)
    years = trajectories["year"].to_numpy(float)
    lo, hi = float(np.nanmin(years)), float(np.nanmax(years))
    ms = milestones[(milestones["year"] >= lo) & (milestones["year"] <= hi)].copy()
    ms["label"] = [
        short_label(d, e, labels or {}) for d, e in zip(ms["date"], ms["event"], strict=True)
    ]
    kinds = [k for k in KIND_STYLE if (ms["kind"] == k).any()]
    with mpl.rc_context(STYLE):
        fig = new_figure(WIDTH_INCHES, 9.0)
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(len(kinds) + len(pairs), 1)
        panels: list[Axes] = []
        for k, pair in enumerate(pairs):
            share = {"sharex": panels[0]} if panels else {}
            ax = fig.add_subplot(grid[len(kinds) + k], **share)
            _fan(ax, trajectories[trajectories["pair"] == pair].sort_values("year"), pair, thr)
            ax.set_title(group_label(pair.split("-"), actors), loc="left")
            mark_successions(ax, summary, pair.split("-"))
            for row in ms.itertuples(index=False):
                style = KIND_STYLE[row.kind] | {"linewidth": 0.7}
                line = ax.axvline(row.year, zorder=1.5, alpha=0.6, **style)
                line.set_gid(f"milestone-line:{pair}:{row.date}")
            year_axis(ax, years)
            ax.xaxis.set_major_locator(MultipleLocator(5))
            ax.xaxis.set_minor_locator(MultipleLocator(1))
            ax.tick_params(axis="x", which="minor", length=2.5)
            ax.tick_params(labelbottom=k == len(pairs) - 1)
            panels.append(ax)
        panels[-1].set_xlabel(f"{YEAR_LABEL} (decimal years; quarterly steps)")
        strips = [fig.add_subplot(grid[k], sharex=panels[0]) for k in range(len(kinds))]
        texts = {k: _strip(ax, ms, k) for ax, k in zip(strips, kinds, strict=True)}
        _legend(fig, thr, kinds)
        suptitle(
            fig,
            "Simulated relations against the dated historical record",
            summary,
        )
        # Lay out once to know the scale, stagger the labels, then size the strips.
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        x0, x1 = (panels[0].transData.transform([(v, 0.0)])[0, 0] for v in (lo, hi))
        per_year = (x1 - x0) / (hi - lo)
        rows = {}
        for (ax, kind), labels in zip(zip(strips, kinds, strict=True), texts.values(), strict=True):
            rows[kind] = _place(ax, labels, renderer, per_year, lo, hi)
        heights = [ROW_INCHES * (rows[k] + 0.6) + 0.22 for k in kinds] + [PANEL_INCHES] * len(pairs)
        grid.set_height_ratios(heights)
        fig.set_figheight(sum(heights) + 1.9)
    return fig


def _fan(ax: Axes, df: pd.DataFrame, pair: str, thr: Mapping[str, float]) -> None:
    """Median and bands of one pair, thresholds labelled in the right margin."""
    x = df["year"].to_numpy(float)
    band90 = ax.fill_between(x, df["q05"], df["q95"], color=FAN_COLOUR, alpha=0.18, linewidth=0)
    band90.set_gid(f"band90:{pair}")
    band50 = ax.fill_between(x, df["q25"], df["q75"], color=FAN_COLOUR, alpha=0.42, linewidth=0)
    band50.set_gid(f"band50:{pair}")
    (median,) = ax.plot(x, df["q50"], color="#08306B", linewidth=1.8, zorder=3)
    median.set_gid(f"median:{pair}")
    for name, level, sign in (("aligned", thr["aligned"], "≥"), ("hostile", thr["hostile"], "≤")):
        ax.axhline(level, color="0.2", linestyle=(0, (4, 3)), linewidth=0.8, zorder=2)
        ax.annotate(
            f"{name}\n{sign} {format_relation(level)}",
            xy=(1.0, level),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
            color="0.2",
            annotation_clip=False,
        )
    ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
    ax.set_ylim(-1.05, 1.05)
    ax.yaxis.set_major_locator(MultipleLocator(0.5))
    ax.set_ylabel("relation r\n(−1 hostile, +1 allied)")


def _strip(ax: Axes, ms: pd.DataFrame, kind: str) -> list[tuple[Any, list[Line2D], float]]:
    """A label strip of one kind: leader lines and labels, all in row 0 until placed."""
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.grid(False)
    ax.yaxis.set_major_locator(NullLocator())
    ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    ax.set_title(KIND_WORDS[kind], loc="left", fontsize=8, fontweight="normal", style="italic")
    style = KIND_STYLE[kind]
    out = []
    for group in _groups(ms[ms["kind"] == kind]):
        x = group["years"][0]
        leaders = []
        for year, date in zip(group["years"], group["dates"], strict=True):
            (leader,) = ax.plot([year, year], [-0.6, 0.0], **style)
            leader.set_gid(f"milestone:{kind}:{date}")
            leaders.append(leader)
        text = ax.annotate(
            group["label"],
            xy=(x, 0.0),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.1" if kind == "outcome" else "0.3",
            style="normal" if kind == "outcome" else "italic",
        )
        text.set_gid("milestone-label:" + "+".join(group["dates"]))
        out.append((text, leaders, x))
    return out


def _place(
    ax: Axes,
    labels: list[tuple[Any, list[Line2D], float]],
    renderer: Any,
    per_year: float,
    left: float,
    right: float,
) -> int:
    """Stagger one strip's labels (see :func:`stagger`); returns the number of rows."""
    offset = 3.0 * ax.figure.dpi / 72.0
    widths = [(t.get_window_extent(renderer).width + offset) / per_year for t, _, _ in labels]
    pad = 2.5 * offset / per_year
    rows = stagger([x for _, _, x in labels], widths, left, right, pad)
    for (text, leaders, x), (row, flip) in zip(labels, rows, strict=True):
        text.xy = (x, row)
        if flip:
            text.set_position((-3, 0))
            text.set_horizontalalignment("right")
        for leader in leaders:
            leader.set_ydata([-0.6, row])
    n = 1 + max((r for r, _ in rows), default=0)
    ax.set_ylim(-0.6, n - 0.4)
    return n


def _legend(fig: Figure, thr: Mapping[str, float], kinds: Sequence[str]) -> None:
    handles = fan_legend_handles(thr)
    words = {"exogenous": "exogenous input (shock)", "outcome": "historical outcome (target)"}
    handles += [
        Line2D([], [], label=f"milestone: {words.get(k, k)}", **KIND_STYLE[k]) for k in kinds
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
