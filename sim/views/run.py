"""The view of a run: its figures, ``report.md`` and the terminal table.

It turns the ensemble ``summary`` dictionary (see the data contract in
:mod:`sim.views.figures`) into text a reader can act on: the headline
probabilities of a rupture of the watched partnership and of a 1970s-style
split, with their 95% intervals, the median years, and the shares of Dittmer's
strategic-triangle configurations at the horizon.

Summary keys read here: ``scenario``, ``title``, ``runs``, ``seed``,
``start_year``, ``horizon`` (the last year simulated, a calendar year),
``partnership`` (``[a, b]``), ``third``, ``p_rupture`` and ``p_split`` (each
``{"value", "low", "high"}``, shares of runs on [0, 1], with a ``behaviour``
table when runs drew behaviour: see :class:`sim.engine.spread.Spread`), ``median_split_year``
and ``median_rupture_year`` (decimal years or ``None``),
``configurations_at_horizon`` (configuration -> share of runs), ``thresholds``
(``{"aligned", "hostile"}`` on the relation scale [-1, 1]) and ``actors``
(id -> readable name).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.formats import format_interval, format_share, format_year
from sim.markdown import link_target
from sim.views.words import (
    CONFIGURATION_LABELS,
    CONFIGURATION_MEANINGS,
    CONFIGURATIONS,
    actor_name,
    caption_for,
    thresholds_of,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

# ------------------------------------------------------------------------ helpers


def _estimate(summary: Mapping[str, Any], key: str) -> dict[str, float | None]:
    """``summary[key]`` as ``{"value", "low", "high"}`` with missing entries as None."""
    est = summary.get(key) or {}
    return {k: est.get(k) for k in ("value", "low", "high")}


def _members(summary: Mapping[str, Any]) -> tuple[str, str, str]:
    """Return the watched partnership ``(a, b)`` and the third power ``c``."""
    a, b = summary["partnership"]
    return str(a), str(b), str(summary["third"])


def _configuration_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, float]]:
    """``(label, meaning, share)`` per configuration at the horizon, in Dittmer's order.

    Known configurations missing from the summary count as a share of 0; unknown
    keys are kept after the known ones, under their own name.
    """
    shares = dict(summary.get("configurations_at_horizon") or {})
    rows = [
        (CONFIGURATION_LABELS[c], CONFIGURATION_MEANINGS[c], float(shares.pop(c, 0.0)))
        for c in CONFIGURATIONS
    ]
    rows += [(str(k), "", float(v)) for k, v in shares.items()]
    return rows


def _median_sentence(year: float | None, event: str, horizon: str) -> str:
    """Plain-words sentence on the median year of ``event`` ("split", "ruptured")."""
    if year is None or (isinstance(year, float) and math.isnan(year)):
        return (
            f"Fewer than half of the runs {event} by {horizon}, so there is no median "
            f"{'split' if event == 'split' else 'rupture'} year."
        )
    noun = "split" if event == "split" else "rupture"
    return f"Half of the runs had {event} by {format_year(year)} (the median {noun} year)."


def _median_cell(year: float | None, event: str) -> str:
    """Table cell for a median year, in words when fewer than half the runs had the event."""
    if year is None or (isinstance(year, float) and math.isnan(year)):
        return f"none: fewer than half of the runs {event}"
    return format_year(year)


# ------------------------------------------------------------------------- report


def headline_paragraph(summary: Mapping[str, Any]) -> str:
    """One paragraph in plain words stating the headline numbers of an ensemble.

    Parameters
    ----------
    summary : mapping
        The ensemble summary (see the module docstring).

    Returns
    -------
    str
        P(rupture) and P(split) by the horizon with 95% intervals, and the median
        split and rupture years or the statement that fewer than half of the runs
        had them.
    """
    a, b, c = _members(summary)
    actors = summary.get("actors")
    name_a, name_b, name_c = (actor_name(x, actors) for x in (a, b, c))
    start, horizon = format_year(summary.get("start_year")), format_year(summary.get("horizon"))
    runs = int(summary.get("runs", 0))
    thr = thresholds_of(summary)
    rup, spl = _estimate(summary, "p_rupture"), _estimate(summary, "p_split")
    return (
        f"Across {runs:,} simulated runs (seed {summary.get('seed')}) from {start} to {horizon}, "
        f"the {name_a}–{name_b} partnership ruptured (turned from aligned to lastingly "
        f"hostile) by {horizon} in {format_share(rup['value'])} of runs (95% interval "
        f"{format_share(rup['low'])} to {format_share(rup['high'])}). A 1970s-style split, "
        f"a rupture after which the third power ({name_c}) became the pivot between them or "
        f"partnered one of them, happened by {horizon} in {format_share(spl['value'])} of runs "
        f"(95% interval {format_share(spl['low'])} to {format_share(spl['high'])}). "
        f"{_median_sentence(summary.get('median_rupture_year'), 'ruptured', horizon)} "
        f"{_median_sentence(summary.get('median_split_year'), 'split', horizon)} "
        f"A pair counts as aligned when its relation r (on -1 hostile to +1 allied) is at "
        f"least {thr['aligned']:+.2f}, and as hostile when it is at most {thr['hostile']:+.2f}."
    )


def markdown_tables(summary: Mapping[str, Any]) -> str:
    """Markdown tables of the headline numbers and of the configurations at the horizon.

    Parameters
    ----------
    summary : mapping
        The ensemble summary (see the module docstring).

    Returns
    -------
    str
        Two pipe tables separated by a blank line; shares are percentages of runs.
    """
    a, b, c = (actor_name(m, summary.get("actors")) for m in _members(summary))
    horizon = format_year(summary.get("horizon"))
    rup, spl = _estimate(summary, "p_rupture"), _estimate(summary, "p_split")
    spread = [behaviour_cell(summary, k) for k in ("p_rupture", "p_split")]
    lines = [
        f"| outcome by {horizon} | estimate | 95% interval (runs) | 80% over behaviour |",
        "| --- | ---: | ---: | ---: |",
        f"| P(rupture of {a} – {b}) | {format_share(rup['value'])} | "
        f"{format_interval(rup['low'], rup['high'])} | {spread[0]} |",
        f"| P(split: {c} becomes pivot or partner) | {format_share(spl['value'])} | "
        f"{format_interval(spl['low'], spl['high'])} | {spread[1]} |",
        f"| median rupture year | "
        f"{_median_cell(summary.get('median_rupture_year'), 'ruptured')} | — | — |",
        f"| median split year | {_median_cell(summary.get('median_split_year'), 'split')} "
        "| — | — |",
        "",
        f"| configuration of {a} – {b} – {c} at {horizon} | meaning | share of runs |",
        "| --- | --- | ---: |",
    ]
    lines += [
        f"| {label} | {meaning} | {format_share(share)} |"
        for label, meaning, share in _configuration_rows(summary)
    ]
    return "\n".join(lines)


def behaviour_cell(summary: Mapping[str, Any], key: str) -> str:
    """Table cell: the central 80% of a probability over behaviour, or why there is none."""
    spread = (summary.get(key) or {}).get("behaviour")
    if not spread:
        return "one behaviour"
    if not spread.get("detected", True):
        return "none detected"
    return format_interval(spread["low"], spread["high"])


DRIVER_SHARE = 0.3
"""Share of the spread over behaviour above which a parameter is named as the driver."""


def spread_sentence(summary: Mapping[str, Any]) -> str:
    """What doubt about behaviour does to P(split) and P(rupture), in words ("" if none drawn).

    Reads the ``behaviour`` entry of ``p_rupture`` and ``p_split``
    (:class:`sim.engine.spread.Spread`) and the ``drivers_*`` lists of the
    summary's ``behaviour`` (:func:`sim.engine.ensemble.behaviour_draws`): the
    range of the probability over behaviour sets, the share of the variance
    across runs that behaviour makes, and the parameter it depends on most
    when one accounts for at least :data:`DRIVER_SHARE` of that spread, with
    whether the fit to history constrains it or leaves it to a judgement range.
    """
    behaviour = summary.get("behaviour") or {}
    spreads = {
        noun: (summary.get(f"p_{event}") or {}).get("behaviour")
        for event, noun in (("split", "P(split)"), ("rupture", "P(rupture)"))
    }
    spreads = {noun: s for noun, s in spreads.items() if s}
    if not spreads:
        return ""
    sets = next(iter(spreads.values()))["sets"]
    seen = {noun: s for noun, s in spreads.items() if s.get("detected", True)}
    unseen = [noun for noun in spreads if noun not in seen]
    text = [f"Behaviour was drawn in {sets:,} sets of runs, the runs of a set sharing it."]
    if seen:
        ranges = " and ".join(
            f"{noun} between {format_share(s['low'])} and {format_share(s['high'])}"
            for noun, s in seen.items()
        )
        shares = " and ".join(f"{format_share(s['share'])}" for s in seen.values())
        text.append(
            f"Over the behaviour the calibration allows, 80% of behaviours give {ranges}; "
            f"doubt about behaviour makes {shares} of {'their' if len(seen) > 1 else 'its'} "
            "variance across runs, chance the rest."
        )
    if unseen:
        text.append(
            f"{' and '.join(unseen)} differ{'s' if len(unseen) == 1 else ''} across the sets "
            "no more than chance makes {0} differ (F test at 5%), so no spread over behaviour "
            "is shown; more runs could reveal a small one.".format(
                "it" if len(unseen) == 1 else "them"
            )
        )
    for event, noun in (("split", "P(split)"), ("rupture", "P(rupture)")):
        top = (behaviour.get(f"drivers_{event}") or [None])[0]
        if noun in seen and top and (top.get("share") or 0.0) >= DRIVER_SHARE:
            where = (
                "which the fit to history constrains (drawn from its posterior)"
                if top["fitted"]
                else "which history leaves free (drawn over its judgement range)"
            )
            text.append(
                f"{noun} depends mostly on `{top['parameter']}` "
                f"({format_share(top['share'])} of its spread over behaviour), {where}."
            )
    return " ".join(text)


def behaviour_sentence(behaviour: Mapping[str, Any] | None) -> str:
    """One sentence on how much doubt about behaviour the runs carry ("" without the facts).

    ``behaviour`` is the summary's ``behaviour`` entry
    (:func:`sim.engine.ensemble.behaviour_draws`). The sentence warns when every run
    behaves alike (one set drawn, or a posterior whose weight sits on about one
    set), because the intervals then say nothing about the fit's uncertainty.
    """
    if not behaviour:
        return ""
    mode, drawn = behaviour.get("mode"), int(behaviour.get("distinct_sets_drawn", 1))
    alike = (
        " So the runs differ by the model's own randomness and the scenario's uncertain "
        "values, not by doubt about how states behave. How far the 1949-1975 history "
        "leaves each behaviour parameter free, and what that does to a 2024 forecast, is "
        "measured by `wedge identify`."
    )
    if mode == "posterior" and behaviour.get("posterior_sets"):
        ess = behaviour.get("effective_size") or 0.0
        text = (
            f"Behaviour parameters: each set of 20 runs drew one whole set from the "
            f"calibration's {behaviour['posterior_sets']} accepted sets, in proportion to their "
            "weights "
            f"(effective sample size {ess:.1f}); the runs drew {drawn} distinct "
            f"set{'s' if drawn != 1 else ''}."
        )
        return text + (alike if drawn == 1 or ess < 2.0 else "")
    if mode == "ranges":
        return (
            f"Behaviour parameters: each run drew the {behaviour.get('sampled_parameters', 0)} "
            "ranged parameters of the calibration independently over their ranges."
        )
    return "Behaviour parameters: every run used the calibration's point values." + alike


def succession_sentence(summary: Mapping[str, Any]) -> str:
    """Which actor became which successor when, or ``""`` if none did.

    A successor keeps its code and random streams, so its relations are drawn
    as one line; this sentence (and the dotted line in the figures) says
    where the name changes.
    """
    items = summary.get("successions") or []
    if not items:
        return ""
    said = [
        f"`{s['actor']}` is {s['from']} until {format_year(s['year'])} and {s['name']} after it"
        for s in items
    ]
    return (
        "Successions: " + "; ".join(said) + ". A successor state keeps the actor's place in "
        "the model (its relations continue) with a new name and a new leader."
    )


def report_markdown(summary: Mapping[str, Any], figures: Mapping[str, str]) -> str:
    """``report.md`` of a run: headline numbers in words, tables and figures.

    The report is what a reader opens first in a results folder, so it states the
    answer (how likely a rupture and a split are by the horizon, with 95% intervals)
    before any figure.

    Parameters
    ----------
    summary : mapping
        The ensemble summary (see the module docstring).
    figures : mapping of str to str
        Caption key (``"fans"``, ``"cumulative"``, ``"configurations"``,
        ``"triangle"``, or a key with a suffix such as ``"configurations_CHN-RUS-IND"``)
        -> file name of the PNG relative to the report. Embedded in the given order.

    Returns
    -------
    str
        The Markdown text, ending in a newline.
    """
    title = summary.get("title") or summary.get("scenario") or "wedge results"
    parts = [
        f"# {title}",
        "",
        f"Scenario `{summary.get('scenario', '')}` · {int(summary.get('runs', 0)):,} runs · "
        f"seed {summary.get('seed')} · {format_year(summary.get('start_year'))}–"
        f"{format_year(summary.get('horizon'))}",
        "",
        "## Headline",
        "",
        headline_paragraph(summary),
        "",
        markdown_tables(summary),
        "",
        "Probabilities are shares of runs. The 95% intervals measure the sampling error of "
        "a finite number of runs: more runs narrow them. The 80% range over behaviour is "
        "how far the probability moves with how states behave, over the parameter sets the "
        "calibration allows; more runs do not narrow it. Neither measures doubt about the "
        "model's structure: a different scenario or mechanism can move the estimate itself.",
    ]
    behaviour = behaviour_sentence(summary.get("behaviour"))
    if behaviour:
        parts += ["", behaviour]
    spread = spread_sentence(summary)
    if spread:
        parts += ["", spread]
    successions = succession_sentence(summary)
    if successions:
        parts += ["", successions]
    parts += figure_section(figures)
    return "\n".join(parts) + "\n"


def figure_section(figures: Mapping[str, str], heading: str = "## Figures") -> list[str]:
    """Markdown lines embedding each figure with its numbered caption (:func:`caption_for`)."""
    if not figures:
        return []
    parts = ["", heading]
    for number, (key, file_name) in enumerate(figures.items(), start=1):
        target = link_target(Path(file_name).as_posix())
        alt = f"Figure {number}: {key.replace('_', ' ')}"
        parts += ["", f"![{alt}]({target})", "", f"*Figure {number}. {caption_for(key)}*"]
    return parts


def figures(result: Result) -> dict[str, Figure]:
    """The run's figures: relation fans, cumulative probabilities, configurations, triangle."""
    from sim.views.figures import plot_configurations, plot_cumulative, plot_fans
    from sim.views.triangle import plot_triangle

    ensemble = result.payload
    summary = result.summary
    traj = ensemble.trajectories()
    sc = ensemble.scenario
    triad = "-".join(sorted((*sc.watch.partnership, sc.watch.third), key=list(sc.actors).index))
    mid = sc.time.start + (sc.time.horizon - sc.time.start) / 2
    return {
        "fans": plot_fans(traj, summary),
        "cumulative": plot_cumulative(ensemble.events(), summary),
        "configurations": plot_configurations(
            ensemble.configurations(), triad, actors=summary["actors"]
        ),
        "triangle": plot_triangle(traj, summary, [sc.time.start, mid, sc.time.horizon]),
    }


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md`` of a run (:func:`report_markdown`)."""
    return report_markdown(result.summary, figure_files)


def terminal(result: Result) -> str:
    """The headline table for the terminal (:func:`format_summary_table`)."""
    return format_summary_table(result.summary)


def format_summary_table(summary: Mapping[str, Any]) -> str:
    """Short fixed-width plain-text table of the headline numbers, for the terminal.

    Parameters
    ----------
    summary : mapping
        The ensemble summary (see the module docstring).

    Returns
    -------
    str
        Lines without trailing newline or colour codes; shares are percentages of
        runs, intervals 95% Wilson.
    """
    a, b, c = _members(summary)
    horizon = format_year(summary.get("horizon"))
    rup, spl = _estimate(summary, "p_rupture"), _estimate(summary, "p_split")
    width_label, width_value = 34, 9
    title = summary.get("title") or summary.get("scenario") or ""
    head = (
        f"scenario {summary.get('scenario', '')}, {int(summary.get('runs', 0)):,} runs, "
        f"seed {summary.get('seed')}, {format_year(summary.get('start_year'))}-{horizon}"
    )

    def row(label: str, value: str, note: str = "") -> str:
        return f"{label:<{width_label}}{value:>{width_value}}  {note}".rstrip()

    def median(year: float | None, noun: str, verb: str) -> str:
        if year is None or (isinstance(year, float) and math.isnan(year)):
            return row(f"median {noun} year", "-", f"fewer than half of the runs {verb}")
        return row(f"median {noun} year", format_year(year))

    rule = "-" * (width_label + width_value + 16)
    lines = [
        title,
        head,
        rule,
        row(f"outcome by {horizon}", "estimate", "95% interval"),
        row(
            f"P(rupture {a}-{b})",
            format_share(rup["value"]),
            format_interval(rup["low"], rup["high"], sep=" - "),
        ),
        row(
            f"P(split, {c} gains a side)",
            format_share(spl["value"]),
            format_interval(spl["low"], spl["high"], sep=" - "),
        ),
        median(summary.get("median_rupture_year"), "rupture", "ruptured"),
        median(summary.get("median_split_year"), "split", "split"),
        rule,
        row(f"configuration at {horizon}", "share"),
    ]
    lines += [row(label, format_share(share)) for label, _, share in _configuration_rows(summary)]
    return "\n".join(lines)
