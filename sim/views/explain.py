"""The view of ``wedge explain``: one world's fall, the motives behind it, as a chart and words.

Reads the result's ``payload``: the :class:`~sim.experiments.explain.Explanation`
and the per-step motive table (:func:`~sim.experiments.explain.motive_table`).
The figure puts the pair's relation and both stances over time beside one
waterfall per direction: from the summed motive at the start of the window,
each motive's change, to the summed motive at its end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.patches import Patch

from sim.views.style import (
    OKABE_ITO,
    RELATION_LABEL,
    STYLE,
    YEAR_LABEL,
    new_figure,
    wrap_title,
    year_axis,
)
from sim.views.words import thresholds_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.experiments.base import Result
    from sim.experiments.explain import Direction, Explanation

SHOWN = 6
"""Motives drawn one by one in a waterfall; the rest are summed as "other motives"."""

UP = {"facecolor": OKABE_ITO["blue"], "hatch": None}
DOWN = {"facecolor": OKABE_ITO["vermillion"], "hatch": "////"}
TOTAL = {"facecolor": "0.75", "hatch": None}


def possessive(name: str) -> str:
    """``name's``, or ``name'`` for a name ending in s (the United States' stance)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _labels(result: Result) -> dict[str, str]:
    return dict(result.summary["motive_labels"])


def waterfall_rows(direction: Direction, labels: Mapping[str, str]) -> list[tuple[str, float]]:
    """``(label, change)`` rows of a waterfall: the :data:`SHOWN` largest, then the rest summed."""
    ranked = direction.ranked()
    rows = [(labels[m], v) for m, v in ranked[:SHOWN]]
    rest = sum(v for _, v in ranked[SHOWN:])
    if abs(rest) > 1e-12:
        rows.append(("other motives", rest))
    return rows


def _waterfall(ax: Axes, e: Explanation, d: Direction, labels: Mapping[str, str]) -> None:
    rows = waterfall_rows(d, labels)
    names = [f"summed, {e.year_from:.2f}"] + [r[0] for r in rows] + [f"summed, {e.year_to:.2f}"]
    y = np.arange(len(names))[::-1]
    ax.barh(y[0], d.summed_from, height=0.6, edgecolor="black", linewidth=0.5, **TOTAL)
    level = d.summed_from
    for k, (_, change) in enumerate(rows, start=1):
        style = UP if change >= 0 else DOWN
        ax.barh(y[k], change, left=level, height=0.6, edgecolor="black", linewidth=0.5, **style)
        level += change
        ax.plot([level, level], [y[k] - 0.3, y[k + 1] + 0.3], color="0.4", linewidth=0.6)
    ax.barh(y[-1], d.summed_to, height=0.6, edgecolor="black", linewidth=0.5, **TOTAL)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ends = np.cumsum([d.summed_from] + [r[1] for r in rows])
    lo, hi = min(0.0, ends.min(), d.summed_to), max(0.0, ends.max(), d.summed_to)
    pad = 0.06 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_yticks(y, names)
    ax.set_xlabel("weighted motive (summed before the gain)")
    ax.set_title(
        f"{e.names[d.actor]} toward {e.names[d.toward]}\nstance {d.stance_from:+.2f} to "
        f"{d.stance_to:+.2f}\ndesired stance {d.desired_from:+.2f} to {d.desired_to:+.2f}",
        loc="left",
    )
    ax.grid(axis="y", visible=False)


def _timeline(ax: Axes, e: Explanation, table, thresholds: Mapping[str, float]) -> None:
    a, b = e.pair
    first = table[table["actor"] == a]
    second = table[table["actor"] == b]
    years = first["year"].to_numpy()
    ax.axvspan(e.year_from, e.year_to, color="0.88", zorder=0, label="window explained")
    ax.plot(years, first["relation"], color="black", linewidth=2.0, label="relation")
    ax.plot(years, first["stance"], color=OKABE_ITO["blue"], linewidth=1.2,
            label=f"{possessive(e.names[a])} stance")  # fmt: skip
    ax.plot(years, second["stance"], color=OKABE_ITO["vermillion"], linewidth=1.2,
            linestyle="--", label=f"{possessive(e.names[b])} stance")  # fmt: skip
    ax.plot(years, first["desired"], color=OKABE_ITO["blue"], linewidth=0.8, linestyle=":",
            label=f"{possessive(e.names[a])} desired stance")  # fmt: skip
    ax.plot(years, second["desired"], color=OKABE_ITO["vermillion"], linewidth=0.8,
            linestyle="-.", label=f"{possessive(e.names[b])} desired stance")  # fmt: skip
    for key in ("aligned", "hostile"):
        ax.axhline(thresholds[key], color="0.5", linewidth=0.7, linestyle=(0, (4, 3)))
    ax.set_ylim(-1.05, 1.05)
    year_axis(ax, years)
    ax.set_xlabel(YEAR_LABEL)
    ax.set_ylabel(RELATION_LABEL)
    ax.set_title(
        f"{e.names[a]}-{e.names[b]} in world {e.world}\nrelation {e.relation_from:+.2f} to "
        f"{e.relation_to:+.2f}\nin the window {e.year_from:.2f}-{e.year_to:.2f}",
        loc="left",
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=2, fontsize=7.0)


def figures(result: Result) -> dict[str, Figure]:
    """``explanation``: the pair over time and one waterfall of motives per direction."""
    e, table = result.payload
    labels = _labels(result)
    with mpl.rc_context(STYLE):
        fig = new_figure(13.0, 5.6)
        grid = fig.add_gridspec(1, 3, width_ratios=[1.25, 1.0, 1.0])
        _timeline(fig.add_subplot(grid[0]), e, table, thresholds_of(result.summary))
        for k, d in enumerate(e.directions):
            _waterfall(fig.add_subplot(grid[k + 1]), e, d, labels)
        fig.legend(
            handles=[
                Patch(edgecolor="black", linewidth=0.5, label="motive rose", **UP),
                Patch(edgecolor="black", linewidth=0.5, label="motive fell", **DOWN),
                Patch(edgecolor="black", linewidth=0.5, label="summed motives", **TOTAL),
            ],
            loc="outside lower right",
            ncols=3,
        )
        verb = "rose" if e.event == "largest rise" else "fell"
        fig.suptitle(
            wrap_title(
                fig,
                f"Why the relation {verb}: motives behind the {e.event} of {e.year_to:.2f}\n"
                f"{result.summary['title'] or result.summary['scenario']} (world {e.world}, "
                f"seed {e.seed})",
            )
        )
    return {"explanation": fig}


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: the sentence, the figure, and each direction's motives as a table."""
    e, _ = result.payload
    labels = _labels(result)
    s = result.summary
    lines = [
        f"# Why the relation {'rose' if e.event == 'largest rise' else 'fell'}: world "
        f"{e.world} of `{s['scenario']}`",
        "",
        e.sentence(),
        "",
    ]
    if s.get("picked") == "first rupture":
        lines += [f"World {e.world} is the first of the run's worlds whose pair ruptures.", ""]
    elif s.get("picked"):
        lines += ["No world of the first worlds searched ruptures; world 0 is explained.", ""]
    if "explanation" in figure_files:
        lines += [f"![Motives behind the {e.event}]({figure_files['explanation']})", ""]
    lines += [
        "Each motive is weighted as the state weighs it and signed as it enters the sum; "
        "the summed motive sets the desired stance (`tanh(stance_gain x sum)`), which "
        "the stance approaches at its own speed, with noise, crises and new leaders on "
        "top. The changes below add up to the change of the summed motive. Every step "
        "is in `motives.csv`.",
        "",
    ]
    for d in e.directions:
        lines += [
            f"## {e.names[d.actor]} toward {e.names[d.toward]}",
            "",
            f"Stance {d.stance_from:+.3f} to {d.stance_to:+.3f}; desired "
            f"{d.desired_from:+.3f} to {d.desired_to:+.3f}; summed motives "
            f"{d.summed_from:+.3f} to {d.summed_to:+.3f}.",
            "",
            f"| motive | change {e.year_from:.2f} to {e.year_to:.2f} |",
            "| --- | ---: |",
        ]
        lines += [f"| {labels[m]} | {v:+.3f} |" for m, v in d.ranked() if abs(v) >= 0.0005]
        lines.append("")
    return "\n".join(lines)


def terminal(result: Result) -> str:
    """The explanation's sentence."""
    return result.payload[0].sentence()
