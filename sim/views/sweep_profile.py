"""Profiles of a sweep: an event's share of runs along each swept parameter that moves it.

Where a heat map would mostly draw noise (few events spread over many cells),
the effect of one parameter can still be plain once the design points are
pooled along it: one panel per such parameter, the share of runs with the
event at each of its values (or bins), with 95% Wilson intervals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.sweep_findings import heatmap_cells
from sim.views.style import (
    OKABE_ITO,
    STYLE,
    balanced_title,
    new_figure,
    percent_axis,
    probability_ceiling,
    short_label,
    wrap_label,
)
from sim.views.sweep_words import MAX_LISTED, OUTCOME_LABELS, label_of, p_value

MAX_PANELS = MAX_LISTED
"""Parameters drawn at most, the most significant first."""


def plot_profiles(
    points: pd.DataFrame,
    outcome: str,
    parameters: Sequence[tuple[str, float]],
    labels: Mapping[str, str] | None,
    scenario: str,
    *,
    horizon: float | None = None,
    same_as: Sequence[str] = (),
) -> Figure:
    """P(event) along each of ``parameters``, one panel each, pooled over the rest of the design.

    Parameters
    ----------
    points : DataFrame
        Per-point table (``scenario``, ``runs``, the outcome, the parameters).
    outcome : {"p_split", "p_rupture"}
        The event outcome.
    parameters : sequence of (str, float)
        Parameter paths with their (adjusted) p-values, shown in each panel's title.
    labels : mapping or None
        Parameter path -> readable label.
    scenario : str
        The scenario whose points are drawn.
    horizon : float, optional
        Last simulated year, for the axis label.
    same_as : sequence of str
        Outcomes equal to ``outcome`` at every point, named beside it.

    Returns
    -------
    Figure
        One axes per parameter; each profile is a ``Line2D`` with gid
        ``"profile:<path>"`` whose y data are the pooled shares.
    """
    shown = list(parameters)[:MAX_PANELS]
    name = " = ".join(OUTCOME_LABELS[o] for o in (outcome, *same_as))
    cells = [heatmap_cells(points, path, path, outcome, scenario) for path, _ in shown]
    top = max(float(np.nanmax(c.high)) for c in cells) if cells else 0.0
    vmax = probability_ceiling(top)
    cols = min(len(shown), 3) or 1
    rows = max(1, math.ceil(len(shown) / cols))
    by = f" by {horizon:.0f}" if horizon is not None else ""
    with mpl.rc_context(STYLE):
        fig = new_figure(max(3.4 * cols + 0.6, 5.6), 3.0 * rows + 1.2)
        axes = fig.subplots(rows, cols, sharey=True, squeeze=False).ravel()
        for ax, (path, p), c in zip(axes, shown, cells, strict=False):
            filled = c.runs[0] > 0
            x = c.x_centres[filled]
            value, low, high = c.value[0][filled], c.low[0][filled], c.high[0][filled]
            ax.errorbar(
                x, value, yerr=np.vstack([value - low, high - value]), color=OKABE_ITO["blue"],
                marker="o", markersize=4.5, markeredgecolor="black", markeredgewidth=0.5,
                linewidth=1.4, elinewidth=0.9, capsize=2.5, ecolor="0.3", zorder=3,
            )  # fmt: skip
            ax.lines[0].set_gid(f"profile:{path}")
            ax.set_ylim(0.0, vmax)
            percent_axis(ax.yaxis, vmax)
            ax.set_xlabel(wrap_label(label_of(path, labels), 34))
            ax.set_title(p_value(p), fontsize=8, fontweight="normal", color="0.25", loc="right")
        for ax in axes[len(shown) :]:
            ax.remove()
        for ax in axes[::cols][:rows]:
            if ax in fig.axes:
                ax.set_ylabel(f"{name}{by} (share of runs)")
        what = (
            short_label(label_of(shown[0][0], labels))
            if len(shown) == 1
            else f"the {len(shown)} swept parameters that move it"
        )
        binned = any(c.binned_x for c in cells)
        pooled = "pooled in bins" if binned else "pooled at each value"
        fig.suptitle(
            balanced_title(
                fig,
                f"{name} along {what}\nscenario {scenario} · {pooled}",
            )
        )
    return fig
