"""The view of a comparison: cumulative probabilities side by side, the paired differences.

The report's first sentence answers the question a comparison asks: does B
change the chance of a split (and of a rupture) against A, by how much, and is
the change larger than the noise of a finite number of worlds? A difference
whose 95% interval covers zero is reported as "no detectable difference".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.formats import format_relation, format_share, format_year
from sim.views.words import actor_name, group_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

SIDE_STYLE: dict[str, dict[str, Any]] = {
    "A": {"color": "#0072B2", "linestyle": "-", "marker": "o", "hatch": "////"},
    "B": {"color": "#D55E00", "linestyle": (0, (5, 2)), "marker": "^", "hatch": "\\\\\\\\"},
}
"""A solid blue with circles, B dashed vermillion with triangles: apart in grey too."""

EVENT_WORDS = {"rupture": "P(rupture)", "split": "P(split)"}


def points(difference: float) -> str:
    """A difference of shares in percentage points: ``+1.2 points``."""
    text = f"{100 * difference:+.1f} points"
    return text.replace("-", "−")


def _worlds(n: int) -> str:
    return f"{n:,} world{'s' if n != 1 else ''}"


def change(r: float) -> str:
    """A change of relation with three decimals, which small paired differences need."""
    text = f"{r:+.3f}"
    return "0.000" if text in ("+0.000", "-0.000") else text.replace("-", "−")


def _change_sentence(event: str, d: Mapping[str, Any], a: str, b: str) -> str:
    words = EVENT_WORDS[event]
    interval = f"[{points(d['low'])}, {points(d['high'])}]"
    if not d["detectable"]:
        return (
            f"no detectable difference in {words} between {b} and {a}: "
            f"{points(d['difference'])}, 95% paired interval {interval} covers zero"
        )
    way = "raises" if d["difference"] > 0 else "lowers"
    return (
        f"{b} {way} {words} by {points(abs(d['difference'])).lstrip('+')} against {a} "
        f"(95% paired interval {interval}, exact McNemar p = {d['p_value']:.3g})"
    )


def headline(summary: Mapping[str, Any]) -> str:
    """The first paragraph: the paired change of P(split) and P(rupture), in words."""
    a, b = summary["a"]["scenario"], summary["b"]["scenario"]
    diffs = summary["differences"]
    horizon = format_year(summary["horizon"])
    split = _change_sentence("split", diffs["p_split"], f"`{a}`", f"`{b}`")
    rupture = _change_sentence("rupture", diffs["p_rupture"], f"`{a}`", f"`{b}`")
    return (
        f"By {horizon}: {split}; and {rupture}. Both scenarios ran the "
        f"same {summary['runs']:,} worlds (seed {summary['seed']}), so each world is compared "
        "with itself: only the worlds where one scenario had the event and the other did not "
        f"inform the test ({_worlds(diffs['p_split']['worlds_only_b'])} split only in `{b}`, "
        f"{diffs['p_split']['worlds_only_a']:,} only in `{a}`)."
    )


def markdown_tables(summary: Mapping[str, Any]) -> str:
    """The shares in each scenario and the paired differences, as Markdown tables."""
    a, b = summary["a"], summary["b"]
    diffs = summary["differences"]
    horizon = format_year(summary["horizon"])
    lines = [
        f"| outcome by {horizon} | `{a['scenario']}` (A) | `{b['scenario']}` (B) | "
        "B − A (paired) | 95% interval | detectable |",
        "| --- | ---: | ---: | ---: | ---: | :---: |",
    ]
    for event in ("split", "rupture"):
        d = diffs[f"p_{event}"]
        lines.append(
            f"| {EVENT_WORDS[event]} | {format_share(a[f'p_{event}']['value'])} | "
            f"{format_share(b[f'p_{event}']['value'])} | {points(d['difference'])} | "
            f"{points(d['low'])} to {points(d['high'])} | {'yes' if d['detectable'] else 'no'} |"
        )
    actors = summary.get("actors")
    for outcome, d in diffs.items():
        if not outcome.startswith("r_"):
            continue
        pair = group_label(outcome.removeprefix("r_").split("-"), actors)
        lines.append(
            f"| median relation {pair} | {format_relation(d['median_a'])} | "
            f"{format_relation(d['median_b'])} | {change(d['difference'])} | "
            f"{change(d['low'])} to {change(d['high'])} | "
            f"{'yes' if d['detectable'] else 'no'} |"
        )
    return "\n".join(lines)


def report_markdown(summary: Mapping[str, Any], figures: Mapping[str, str]) -> str:
    """``report.md`` of a comparison."""
    a, b = summary["a"], summary["b"]
    lines = [
        f"# `{b['scenario']}` against `{a['scenario']}`",
        "",
        f"A: {a['title'] or a['scenario']} ([run]({a['folder']}/report.md)) · "
        f"B: {b['title'] or b['scenario']} ([run]({b['folder']}/report.md)) · "
        f"{summary['runs']:,} worlds each · seed {summary['seed']} · "
        f"{format_year(summary['start_year'])}–{format_year(summary['horizon'])}",
        "",
        "## Headline",
        "",
        headline(summary),
        "",
        markdown_tables(summary),
        "",
        "Shares: the exact interval of a paired difference, conditional on the worlds where "
        "only one scenario had the event (Clopper-Pearson on those worlds), and the exact "
        "McNemar test. Relations at the horizon (−1 hostile, +1 allied): the median of the "
        "paired differences with its exact sign-test interval. A difference is *detectable* "
        "when its interval leaves out zero. The intervals measure the noise of a finite "
        "number of worlds, not doubt about the model.",
    ]
    if "cumulative" in figures:
        lines += [
            "",
            "## Figure",
            "",
            f"![Cumulative probabilities of A and B]({figures['cumulative']})",
            "",
            "*Figure 1. Cumulative probability (share of worlds) of a rupture of the watched "
            "partnership (left) and of a 1970s-style split (right) by each year, in A (solid) "
            "and B (dashed), with 95% Wilson bands.*",
        ]
    return "\n".join(lines) + "\n"


def plot_compare(cumulative: pd.DataFrame, summary: Mapping[str, Any]) -> Figure:
    """Cumulative P(rupture) and P(split) of A and B, side by side, with 95% Wilson bands.

    Parameters
    ----------
    cumulative
        The comparison's ``cumulative`` table: ``side`` (``A``/``B``), ``scenario``,
        ``year``, ``event``, ``p``, ``low``, ``high`` (shares of worlds on [0, 1]).
    summary
        The comparison's summary (scenario names, watched triad, horizon).

    Returns
    -------
    Figure
        Two panels sharing the y axis, probability (share of worlds) against year.
    """
    import matplotlib as mpl
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    from sim.views.style import STYLE, YEAR_LABEL, new_figure, suptitle, year_axis

    actors = summary.get("actors")
    pair = group_label(summary["partnership"], actors)
    third = actor_name(summary["third"], actors)
    titles = {
        "rupture": f"rupture of {pair}",
        "split": f"1970s-style split ({third} pivots or partners)",
    }
    top = float(np.nanmax(cumulative["high"].to_numpy(float), initial=0.0))
    ceiling = next((c for c in (0.02, 0.05, 0.1, 0.2, 0.5) if c >= 1.1 * top), 1.0)
    with mpl.rc_context(STYLE):
        fig = new_figure(9.0, 4.4)
        axes = fig.subplots(1, 2, sharey=True)
        for ax, event in zip(axes, ("rupture", "split"), strict=True):
            for side in ("A", "B"):
                df = cumulative[(cumulative["side"] == side) & (cumulative["event"] == event)]
                df = df.sort_values("year")
                x = df["year"].to_numpy(float)
                style = SIDE_STYLE[side]
                band = ax.fill_between(
                    x, df["low"], df["high"], step="post", linewidth=0, hatch=style["hatch"],
                    facecolor=mpl.colors.to_rgba(style["color"], 0.12),
                    edgecolor=mpl.colors.to_rgba(style["color"], 0.5),
                )  # fmt: skip
                band.set_gid(f"band:{event}:{side}")
                (line,) = ax.plot(
                    x, df["p"], drawstyle="steps-post", color=style["color"],
                    linestyle=style["linestyle"], marker=style["marker"], markersize=4,
                    markevery=max(1, len(x) // 8), linewidth=1.8, zorder=3,
                )  # fmt: skip
                line.set_gid(f"p:{event}:{side}")
            ax.set_title(titles[event])
            ax.set_xlabel(YEAR_LABEL)
            ax.set_ylim(0.0, ceiling)
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=None))
            year_axis(ax, cumulative["year"].to_numpy(float))
        axes[0].set_ylabel("probability by each year (% of worlds)")
        handles = [
            Line2D(
                [],
                [],
                color=SIDE_STYLE[side]["color"],
                linestyle=SIDE_STYLE[side]["linestyle"],
                marker=SIDE_STYLE[side]["marker"],
                linewidth=1.8,
                label=f"{side}: {summary[side.lower()]['scenario']}",
            )
            for side in ("A", "B")
        ]
        handles.append(
            Patch(facecolor="0.88", edgecolor="0.4", hatch="////", linewidth=0,
                  label="95% interval (Wilson)")
        )  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
        suptitle(
            fig,
            "Cumulative probability of rupture and split, on the same worlds",
            {"title": f"{summary['b']['scenario']} against {summary['a']['scenario']}",
             "runs": summary["runs"]},
        )  # fmt: skip
    return fig


def figures(result: Result) -> dict[str, Figure]:
    """The cumulative probabilities of both scenarios, side by side."""
    return {"cumulative": plot_compare(result.tables["cumulative"].frame, result.summary)}


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md`` of the comparison."""
    return report_markdown(result.summary, figure_files)


def terminal(result: Result) -> str:
    """The headline in words and the table of differences."""
    s = result.summary
    text = headline(s).replace("`", "")
    return f"{text}\n\n{markdown_tables(s)}"
