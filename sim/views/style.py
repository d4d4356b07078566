"""The project's one figure style, and the helpers every figure uses.

Every figure of wedge is drawn with the object-oriented ``Figure()`` API (no
pyplot, so figures work headless and are freed like any Python object) inside
``matplotlib.rc_context(STYLE)``, in the Okabe-Ito colour-blind-safe palette,
and saved by :func:`save_figure` as PNG and SVG. Every encoding is doubled by
something that survives greyscale printing: line style, marker, hatch or
lightness. Titles say what is shown, then the scenario and the ensemble size.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter, StrMethodFormatter

from sim.formats import format_relation

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
"""Okabe & Ito (2008) palette, distinguishable under the common colour-vision deficiencies."""

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.0,
    "figure.titlesize": 11.0,
    "figure.titleweight": "bold",
    "legend.fontsize": 8.0,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "0.9",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": cycler(
        color=[OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "purple")]
    ),
    "hatch.linewidth": 0.7,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "svg.hashsalt": "wedge",
    "svg.fonttype": "path",
}
"""The project's one plotting style, applied around every figure and when saving it."""

FAN_COLOUR = OKABE_ITO["blue"]

RELATION_LABEL = "relation r (-1 hostile, +1 allied)"
YEAR_LABEL = "year"


def require(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise a one-line ``ValueError`` naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; found {list(frame.columns)}")
    if frame.empty:
        raise ValueError(f"{name}: the frame is empty")


def new_figure(width: float, height: float) -> Figure:
    """Make a white figure with constrained layout, without pyplot."""
    return Figure(figsize=(width, height), layout="constrained")


def year_axis(ax: Axes, x: np.ndarray) -> None:
    """Fit the x axis to the years ``x``, with integer year ticks and no offset."""
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    if hi <= lo:  # a single step: give the point some room
        lo, hi = lo - 0.5, hi + 0.5
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(
        MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True, min_n_ticks=3)
    )
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:.0f}"))


def suptitle(fig: Figure, main: str, summary: Mapping[str, Any] | None) -> None:
    """Figure title: what is shown, then the scenario and ensemble size on a second line."""
    sub = ""
    if summary:
        title = summary.get("title") or summary.get("scenario") or ""
        runs = summary.get("runs")
        sub = f"{title} ({int(runs):,} runs)" if runs else str(title)
    fig.suptitle(wrap_title(fig, f"{main}\n{sub}" if sub else main))


def wrap_title(fig: Figure, text: str) -> str:
    """Wrap each line of a figure title to the figure's width (bold title font)."""
    size = float(mpl.rcParams["figure.titlesize"])
    width = max(20, int(fig.get_figwidth() * 72.0 / (size * 0.66)))
    return "\n".join(textwrap.fill(line, width) for line in text.split("\n"))


def fan_legend_handles(thr: Mapping[str, float]) -> list:
    """Legend entries of a relation fan: median, 50% and 90% bands, thresholds.

    One definition for every figure that draws fans, so they read alike.
    """
    return [
        Line2D([], [], color="#08306B", linewidth=1.7, label="median of runs"),
        Patch(facecolor=FAN_COLOUR, alpha=0.42, label="middle 50% of runs"),
        Patch(facecolor=FAN_COLOUR, alpha=0.18, label="middle 90% of runs"),
        Line2D(
            [],
            [],
            color="0.25",
            linestyle=(0, (4, 3)),
            linewidth=0.8,
            label=f"aligned / hostile thresholds (r = {format_relation(thr['aligned'])} / "
            f"{format_relation(thr['hostile'])})",
        ),
    ]


PAIRED_BAR_HEIGHT = 0.38
"""Height of each of the two bars of a row in :func:`paired_barh` (rows are 1 apart)."""


def paired_barh(
    ax: Axes,
    ypos: np.ndarray,
    bars: Sequence[tuple[str, np.ndarray, np.ndarray]],
) -> tuple[list[Any], list[Patch]]:
    """Two horizontal bars per row, with error bars, that read in grey as in colour.

    The first is solid and dark, above; the second hatched and light, below.
    ``bars`` holds two ``(legend label, values, xerr)``, ``xerr`` as ``barh`` takes it
    (``(n,)`` or ``(2, n)``). Returns the two bar containers, for callers that tag
    the patches, and the two legend patches.
    """
    styles = (
        {"facecolor": OKABE_ITO["blue"], "hatch": None},
        {"facecolor": OKABE_ITO["sky_blue"], "hatch": "////"},
    )
    shifts = (PAIRED_BAR_HEIGHT / 2, -PAIRED_BAR_HEIGHT / 2)
    containers, handles = [], []
    for (label, values, xerr), style, shift in zip(bars, styles, shifts, strict=True):
        containers.append(
            ax.barh(
                ypos + shift,
                values,
                height=PAIRED_BAR_HEIGHT,
                xerr=xerr,
                edgecolor="black",
                linewidth=0.5,
                error_kw={"ecolor": "black", "elinewidth": 0.9, "capsize": 2.0},
                **style,
            )
        )
        handles.append(Patch(edgecolor="black", linewidth=0.5, label=label, **style))
    return containers, handles


def save_figure(
    fig: Figure, path_stem: Path, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write a figure as ``<stem>.png`` (150 dpi) and ``<stem>.svg``, or the given ``formats``.

    PNG is for the report and quick viewing, SVG for print and editing. The SVG
    carries no creation date and uses a fixed hash salt for its element ids, so the
    same scenario and seed give byte-identical files in a fresh process.

    Parameters
    ----------
    fig : Figure
        A figure drawn in this style.
    path_stem : Path
        Path without extension; parent folders are created. A dot in the stem is
        kept (``fans.v2`` -> ``fans.v2.png``).
    formats : sequence of str
        ``png`` and/or ``svg``.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.
    """
    path_stem = Path(path_stem)
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    with mpl.rc_context(STYLE):
        for ext in formats:
            path = path_stem.with_name(f"{path_stem.name}.{ext}")
            if ext == "png":
                fig.savefig(path, dpi=150, format="png", facecolor="white")
            else:
                fig.savefig(path, format=ext, facecolor="white", metadata={"Date": None})
            written.append(path)
    return written


# ------------------------------------------------------------ titles, labels, scales

CEILINGS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
"""Upper ends offered to probability scales: the smallest one above the data is used,
so that small probabilities do not vanish into one colour or one flat line."""

HALO = [path_effects.withStroke(linewidth=3.2, foreground="white")]
"""A white outline that keeps a black line readable over dark and light colours alike."""


def probability_ceiling(top: float) -> float:
    """Smallest of :data:`CEILINGS` at or above ``top`` (a probability)."""
    return next((c for c in CEILINGS if c >= top - 1e-12), 1.0)


def percent_axis(axis: mpl.axis.Axis, vmax: float) -> None:
    """Tick a probability axis from 0 to ``vmax`` in percent, with one format for every tick."""
    decimals = 0 if vmax >= 0.05 else 1
    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


def balanced_title(fig: Figure, text: str) -> str:
    """Wrap each line of a title into as many lines as :func:`wrap_title` would, evenly.

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


def short_label(label: str) -> str:
    """A label without its trailing parenthesised units, for titles."""
    head = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    return head or label


def wrap_label(text: str, width: int) -> str:
    """Wrap an axis label to ``width`` characters per line."""
    return "\n".join(textwrap.wrap(text, width)) or text
