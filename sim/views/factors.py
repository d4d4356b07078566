"""The view of the five-factor experiment: a bar chart per direction, ``report.md``, terminal lines.

Reads the :class:`~sim.experiments.factors.FactorResults` of a ``factors`` result:
the table (one row per direction and case; shares of runs on [0, 1]) and the two
directions with their mapping and capability rescaling (:mod:`sim.experiments.factors`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sim.experiments.factor_partition import ALL_FIVE, BASE, FACTORS, partition_markdown
from sim.experiments.factors import Direction, FactorResults, factor_words, year_of
from sim.formats import format_behaviour_range, format_interval, format_share, format_year
from sim.views.style import PAIRED_BAR_HEIGHT, STYLE, new_figure, paired_barh

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result
    from sim.scenario.schema import Scenario

# ------------------------------------------------------------------ figures


CASE_LABELS = {BASE: "base: {base} as it is", ALL_FIVE: "+ all five factors of {donor}"}
"""Row labels of the chart; a single factor reads ``+ geopolitics of 1949``."""


def case_label(case: str, base_year: str, donor_year: str) -> str:
    """Readable label of a case: ``base: 2024 as it is``, ``+ ideology of 1949``."""
    template = CASE_LABELS.get(case, "+ {case} of {donor}")
    return template.format(case=case, base=base_year, donor=donor_year)


def plot_factors(table: pd.DataFrame, direction: str, donor_year: str) -> Figure:
    """Bar chart of P(split) and P(rupture) by the horizon for each case of one direction.

    Horizontal paired bars, one pair per case (base first, all five last): P(1970s-
    style split) solid, P(rupture) hatched and lighter, each with its 95% Wilson
    interval as an error bar; dashed and dotted lines carry the base case's values
    across, so a factor's effect reads as a bar's distance from its line. The value
    of P(split) is printed beside each bar.

    Parameters
    ----------
    table
        :attr:`FactorResults.table` (or ``factors.csv``): shares of runs on [0, 1].
    direction
        The ``direction`` to draw (the base's start year, ``"2024"``).
    donor_year
        The donor's start year, for the labels.

    Returns
    -------
    Figure
        One axes; x the probability as a percentage of runs.
    """
    rows = table[table["direction"] == direction].reset_index(drop=True)
    if rows.empty:
        raise ValueError(f"no rows for direction {direction!r}")
    horizon = format_year(float(rows["horizon"].iloc[0]))
    runs = int(rows["runs"].iloc[0])
    ypos = np.arange(len(rows))[::-1].astype(float)  # base at the top
    height = PAIRED_BAR_HEIGHT
    words = {
        "split": "P(1970s-style split): the third power pivots or partners one of them",
        "rupture": "P(rupture): the partnership turns lastingly hostile",
    }
    base = rows[rows["case"] == BASE].iloc[0]
    top = float(rows[["p_split_high", "p_rupture_high"]].to_numpy().max())
    with mpl.rc_context(STYLE):
        fig = new_figure(7.6, 5.0)
        ax = fig.add_subplot()
        pairs = []
        for event in ("split", "rupture"):
            p = rows[f"p_{event}"].to_numpy(float)
            err = np.vstack([p - rows[f"p_{event}_low"], rows[f"p_{event}_high"] - p])
            pairs.append((words[event], p, np.clip(err, 0.0, None)))
        containers, patches = paired_barh(ax, ypos, pairs)
        for event, bars in zip(("split", "rupture"), containers, strict=True):
            for patch, case in zip(bars.patches, rows["case"], strict=True):
                patch.set_gid(f"{event}:{case}")
        ax.axvline(base["p_split"], color="black", linestyle=(0, (5, 2)), linewidth=0.9, zorder=1)
        ax.axvline(base["p_rupture"], color="0.35", linestyle=":", linewidth=1.1, zorder=1)
        for y, (_, row) in zip(ypos, rows.iterrows(), strict=True):
            ax.annotate(
                f"{format_share(row['p_split'])}",
                (row["p_split_high"], y + height / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85},
            )
        ax.axhline(ypos[-1] + 0.5, color="0.5", linewidth=0.6)
        ax.set_yticks(ypos, [case_label(c, direction, donor_year) for c in rows["case"]])
        ax.tick_params(axis="y", length=0)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0.0, _nice_top(top))
        end = ax.get_xlim()[1]
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0 if end > 0.05 else 1))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(
            f"P(1970s-style split) and P(rupture) by {horizon}, % of runs "
            "(error bars: 95% Wilson intervals)"
        )
        handles = [
            *patches,
            Line2D([], [], color="black", linestyle=(0, (5, 2)), label="base P(split)"),
            Line2D([], [], color="0.35", linestyle=":", linewidth=1.1, label="base P(rupture)"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=2)
        fig.suptitle(
            f"{direction} with each factor of {donor_year}, and all five: "
            f"P(1970s-style split by {horizon})\n"
            f"China–Russia partnership, United States as third power ({runs:,} runs per case)"
        )
    return fig


def _nice_top(top: float) -> float:
    """An axis end a little above ``top``, on a round step of percentage points."""
    for step in (0.02, 0.05, 0.1, 0.2):
        end = step * math.ceil(top * 1.12 / step)
        if end / step <= 6:
            return min(1.0, max(end, step))
    return 1.0


# ------------------------------------------------------------------ the report


def direction_paragraph(table: pd.DataFrame, direction: Direction) -> str:
    """What moved P(split) in one direction, and how the rescaling was done, in words."""
    rows = table[table["direction"] == direction.key].set_index("case")
    base = rows.loc[BASE]
    donor = direction.donor.scenario
    horizon = format_year(float(base["horizon"]))
    donor_year = year_of(donor)
    text = [
        f"**{direction.title}.** In the base case ({direction.base.scenario.name} as it is) a "
        f"1970s-style split by {horizon} happened in {format_share(base['p_split'])} of runs "
        f"(95% interval {format_interval(base['p_split_low'], base['p_split_high'])})."
    ]
    singles = rows.loc[list(FACTORS)].sort_values("change_p_split", key=np.abs, ascending=False)
    moved = singles[singles["p_value_split"] < 0.05]
    still = singles[singles["p_value_split"] >= 0.05]
    if len(moved):
        parts = [
            f"{case} ({'up' if r['change_p_split'] > 0 else 'down'} to "
            f"{format_share(r['p_split'])}, {_points(r['change_p_split'])}, "
            f"paired p {_p(r['p_value_split'])})"
            for case, r in moved.iterrows()
        ]
        text.append(
            f"Set alone to its {donor_year} value, the factors that moved it beyond chance "
            f"were, from the largest change: {'; '.join(parts)}."
        )
    if len(still):
        changes = (
            f"(changes of {', '.join(_points(v) for v in still['change_p_split'])}; "
            "paired p >= 0.05)."
        )
        if len(still) == len(FACTORS):
            text.append(f"None of the five factors, set alone, moved it detectably {changes}")
        else:
            which = factor_words(list(still.index)).capitalize()
            text.append(f"{which} did not move it detectably {changes}")
    splits = round(float(base["p_split"]) * int(base["runs"]))
    if splits < RARE:
        text.append(
            f"The base case has only {splits} split(s) in {int(base['runs']):,} runs, so a "
            "fall cannot be told from chance here: only a rise could show."
        )
    all5 = rows.loc[ALL_FIVE]
    text.append(
        f"With all five factors of {donor_year} it was {format_share(all5['p_split'])} "
        f"({format_interval(all5['p_split_low'], all5['p_split_high'])}, "
        f"{_points(all5['change_p_split'])}); P(rupture) went from "
        f"{format_share(base['p_rupture'])} to {format_share(all5['p_rupture'])}, and the median "
        f"China–Russia relation at {horizon} from {base['median_relation']:+.2f} to "
        f"{all5['median_relation']:+.2f}."
    )
    codes = direction.codes
    shares = ", ".join(f"{donor.actors[c].capability:.3f}" for c in codes)
    scaled = ", ".join(f"{donor.actors[c].capability * direction.scale:.3f}" for c in codes)
    base_sum = sum(direction.base.scenario.actors[c].capability for c in codes)
    donor_sum = sum(donor.actors[c].capability for c in codes)
    text.append(
        f"Rescaling: with geopolitics, the capability shares of {', '.join(codes)} in "
        f"{donor.name} ({shares}; sum {donor_sum:.3f}) were multiplied by "
        f"{direction.scale:.3f} so that they sum to {base_sum:.3f}, their sum in "
        f"{direction.base.scenario.name}: {scaled}. The balance among the three is the "
        f"{donor_year} one, their share of world capability the {direction.key} one. Every "
        "other factor field has the same scale and meaning in both files and was copied "
        "unchanged."
    )
    text.append(_shocks_sentence(direction.base.scenario))
    return " ".join(text)


def _shocks_sentence(base: Scenario) -> str:
    """What the base's scheduled shocks do to transplanted values, in words."""
    if not base.shocks:
        return "The base schedules no shock; its horizon was kept."
    leaders = [s.name for s in base.shocks if s.leader_change > 0]
    sanctions = [s.name for s in base.shocks if s.sanctions is not None]
    text = (
        f"The base's {len(base.shocks)} scheduled shocks and its horizon were kept; shocks act "
        "on top of the transplanted values"
    )
    if leaders:
        text += (
            f"; its changes of leader ({', '.join(leaders)}) pull leaders' trust back toward "
            "its reset level, keeping only a share (`trust_carryover`, ODD 7.4), so a "
            "transplanted trust weighs fully only until the first of them"
        )
    if sanctions:
        verb = "sets" if len(sanctions) == 1 else "set"
        text += f"; {', '.join(sanctions)} {verb} a level of sanctions whatever the factor"
    return text + "."


RARE = 10
"""Fewer base-case splits than this and the report warns that a fall cannot be detected."""


def _points(change: float) -> str:
    """A change of probability in percentage points: ``+11.5 points``."""
    return f"{100 * change:+.1f} points"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def report_markdown(res: FactorResults, figures: Mapping[str, str]) -> str:
    """``report.md`` of the experiment: the table, a paragraph per direction, the charts."""
    t = res.table
    lines = [
        "# The five-factor experiment",
        "",
        f"{res.runs:,} runs per case, seed {res.seed}; the same seed in every case, so world "
        "*w* of a case draws the same behaviour parameters and noise as world *w* of its "
        "base (paired comparison). Bekkevold (2024) argues that today's Sino-Russian "
        "alignment is stronger than the 1950s alliance on five factors; each factor of one "
        "era is set, alone and then all together, to its value in the other era, keeping "
        "the base's relations, shocks, horizon and the shared calibration.",
        "",
    ]
    spread = "p_split_behaviour_low" in t
    lines += [
        "| direction | case | P(split) | 95% interval |"
        + (" 80% over behaviour |" if spread else "")
        + " change | paired p | P(rupture) | 95% interval | median r(CHN, RUS) at horizon |",
        "| --- | --- | ---: | ---: |" + (" ---: |" if spread else "") + " ---: | ---: | ---: "
        "| ---: | ---: |",
    ]
    for _, r in t.iterrows():
        p_value = "—" if r["case"] == BASE else _p(r["p_value_split"]).removeprefix("= ")
        change = "—" if r["case"] == BASE else _points(r["change_p_split"])
        over = (
            f" {format_behaviour_range(r['p_split_behaviour_low'], r['p_split_behaviour_high'])} |"
        )
        over = over if spread else ""
        lines.append(
            f"| {r['direction']} | {r['case']} | {format_share(r['p_split'])} | "
            f"{format_interval(r['p_split_low'], r['p_split_high'])} |{over} {change} | "
            f"{p_value} | {format_share(r['p_rupture'])} | "
            f"{format_interval(r['p_rupture_low'], r['p_rupture_high'])} | "
            f"{r['median_relation']:+.2f} |"
        )
    lines += [
        "",
        "P(split) and P(rupture) are shares of runs with the event by the horizon, with "
        "95% Wilson intervals; *change* is in percentage points against the direction's "
        "base; *paired p* is the two-sided exact McNemar test of the case against its base "
        "over the same worlds."
        + (
            " *80% over behaviour* is the central 80% of P(split) over the behaviour the "
            "calibration allows (runs drew behaviour in sets of 20; sim/engine/spread.py)."
            if spread
            else ""
        ),
        "",
    ]
    for direction in res.directions:
        lines += [direction_paragraph(t, direction), ""]
        key = f"factors_{direction.key}"
        if key in figures:
            lines += [
                f"![{direction.title}]({figures[key]})",
                "",
                f"*{direction.title}: P(1970s-style split) (solid) and P(rupture) (hatched) "
                "by the horizon per case, with 95% intervals; the lines carry the base "
                "case across.*",
                "",
            ]
    lines += [
        "## What belongs to each factor",
        "",
        partition_markdown(),
        "",
        "The numbers depend on the shared calibration (see `manifest.json`); the 95% "
        "intervals measure the sampling error of a finite number of runs, not doubt about "
        "the model.",
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the view


def figures(result: Result) -> dict[str, Figure]:
    """One chart per direction, ``factors_<year>`` (:func:`plot_factors`)."""
    res: FactorResults = result.payload
    return {
        f"factors_{d.key}": plot_factors(res.table, d.key, year_of(d.donor.scenario))
        for d in res.directions
    }


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md`` of the experiment (:func:`report_markdown`)."""
    return report_markdown(result.payload, figure_files)


def terminal(result: Result) -> str:
    """One line per direction and case: P(split) with its 95% interval, P(rupture)."""
    return "\n".join(
        f"{r['direction']} {r['case']:<13} P(split) {r['p_split']:6.1%} "
        f"[{r['p_split_low']:.1%}, {r['p_split_high']:.1%}]  "
        f"P(rupture) {r['p_rupture']:6.1%}"
        for _, r in result.payload.table.iterrows()
    )
