"""Global sensitivity of a sweep's outcomes: ranked bars of Sobol indices or Morris effects."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.engine.design import DUMMY
from sim.views.style import (
    OKABE_ITO,
    STYLE,
    balanced_title,
    new_figure,
    paired_barh,
    require,
    wrap_label,
)
from sim.views.sweep_words import OUTCOME_LABELS, label_of

MAX_SENSITIVITY_BARS = 20
"""Parameters shown at most in a sensitivity bar chart (the most influential ones)."""


def plot_sensitivity(
    table: pd.DataFrame,
    outcome: str,
    kind: str,
    *,
    labels: Mapping[str, str] | None = None,
    top: int = MAX_SENSITIVITY_BARS,
    outcome_name: str | None = None,
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
    outcome_name : str, optional
        The outcome in words for the title and axis ("the mean China–Russia
        relation at 2040"); its short name (:data:`OUTCOME_LABELS`) by default.

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
    name = outcome_name or OUTCOME_LABELS[outcome]
    with mpl.rc_context(STYLE):
        fig = new_figure(7.2, 0.29 * max(n, 3) + 2.0)
        ax = fig.add_subplot()
        ax.grid(axis="y", visible=False)
        ypos = np.arange(n)[::-1].astype(float)  # most influential at the top
        handles: list[Patch | Line2D] = []
        tick_labels = [wrap_label(label_of(p, labels), 42) for p in shown["parameter"].astype(str)]
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
                wrap_label(
                    f"Sobol index (share of the variance of {name} across design points)", 64
                )
            )
        else:
            handles = _morris_bars(ax, shown, ypos)
            ax.set_xlabel(
                wrap_label(
                    f"elementary effect on {name} (change per full parameter range, 0–1 scale)",
                    64,
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
        floor_rows = table.loc[table["parameter"] == DUMMY, rank]
        cleared = ""
        if len(floor_rows):
            real = table[table["parameter"] != DUMMY]
            clear = int((real[rank] - real[f"{rank}_conf"].abs() > floor_rows.iloc[0]).sum())
            cleared = f"; {clear or 'none'} {'clears' if clear < 2 else 'clear'} the noise floor"
        fig.suptitle(
            balanced_title(
                fig, f"Sensitivity of {name}: {method}\n{which}, ranked {order}{cleared}"
            )
        )
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
