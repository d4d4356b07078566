"""Plain-words report of an ensemble: ``report.md`` and a terminal table.

This module turns the ensemble ``summary`` dictionary (see the data contract in
:mod:`sim.views.figures`) into text a reader can act on: the headline probabilities of
a rupture of the watched partnership and of a 1970s-style split, with their 95%
intervals, the median years, and the shares of Dittmer's strategic-triangle
configurations at the horizon.

It also owns the words shared with the figures (configuration labels, number
and year formats, readable actor names), so a number reads the same in a
figure legend, in ``report.md`` and in the terminal. It imports nothing heavier
than the standard library.

Summary keys read here: ``scenario``, ``title``, ``runs``, ``seed``,
``start_year``, ``horizon`` (the last year simulated, a calendar year),
``partnership`` (``[a, b]``), ``third``, ``p_rupture`` and ``p_split`` (each
``{"value", "low", "high"}``, shares of runs on [0, 1]), ``median_split_year``
and ``median_rupture_year`` (decimal years or ``None``),
``configurations_at_horizon`` (configuration -> share of runs), ``thresholds``
(``{"aligned", "hostile"}`` on the relation scale [-1, 1]) and ``actors``
(id -> readable name).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CONFIGURATIONS: tuple[str, ...] = (
    "menage_a_trois",
    "romantic_triangle",
    "stable_marriage",
    "unit_veto",
)
"""Dittmer (1981) configurations, ordered from most to fewest aligned pairs."""

CONFIGURATION_LABELS: dict[str, str] = {
    "menage_a_trois": "ménage à trois",
    "romantic_triangle": "romantic triangle",
    "stable_marriage": "stable marriage",
    "unit_veto": "unit veto",
}
"""Readable name of each configuration, as printed in legends and tables."""

CONFIGURATION_MEANINGS: dict[str, str] = {
    "menage_a_trois": "all three pairs aligned",
    "romantic_triangle": "two pairs aligned; their shared member is the pivot",
    "stable_marriage": "one pair aligned, the third power excluded",
    "unit_veto": "no pair aligned",
}
"""What each configuration means in terms of aligned pairs (BRIEF section 4)."""

DEFAULT_THRESHOLDS: dict[str, float] = {"aligned": 0.25, "hostile": -0.25}
"""Relation at or above which a pair is aligned, at or below which it is hostile."""

CAPTIONS: dict[str, str] = {
    "fans": (
        "Relation r of each pair over time (-1 hostile, +1 allied): median across runs "
        "(line), middle 50% and middle 90% of runs (bands). Dashed lines mark the "
        "aligned and hostile thresholds."
    ),
    "cumulative": (
        "Cumulative probability (share of runs) that the watched partnership has ruptured, "
        "and that a 1970s-style split has followed, by each year; bands are 95% Wilson "
        "intervals."
    ),
    "configurations": (
        "Share of runs in each of Dittmer's strategic-triangle configurations over time, "
        "stacked to 1."
    ),
    "triangle": (
        "The watched triangle at selected years: each edge shows the median relation r "
        "across runs, with its style giving the state (solid = aligned, dotted = neutral, "
        "dashed = hostile)."
    ),
}
"""Default caption of each figure key; keys with a suffix (``configurations_X``) match too."""


# --------------------------------------------------------------------------- words


def format_share(p: float | None) -> str:
    """Format a share of runs as a percentage with one decimal, e.g. ``0.231 -> "23.1%"``.

    Parameters
    ----------
    p : float or None
        Share on [0, 1]. ``None`` or NaN means "not estimated".

    Returns
    -------
    str
        ``"23.1%"``, or ``"n/a"`` when there is no estimate.
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return f"{100.0 * float(p):.1f}%"


def format_interval(low: float | None, high: float | None, sep: str = "–") -> str:
    """Format a 95% interval of shares as ``"20.5%–25.9%"``.

    Parameters
    ----------
    low, high : float or None
        Bounds on [0, 1].
    sep : str
        Separator between the bounds (an en dash in Markdown, ``"-"`` in the terminal).

    Returns
    -------
    str
        The interval, with both bounds as percentages.
    """
    return f"{format_share(low)}{sep}{format_share(high)}"


def format_year(year: float | None) -> str:
    """Format a decimal year without spurious decimals: ``2045.0 -> "2045"``, ``2031.25``.

    Parameters
    ----------
    year : float or None
        Decimal year (quarterly steps give ``.25``, ``.5``, ``.75``).

    Returns
    -------
    str
        The year with at most two decimals and no trailing zeros, or ``"n/a"``.
    """
    if year is None or (isinstance(year, float) and math.isnan(year)):
        return "n/a"
    text = f"{float(year):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_relation(r: float) -> str:
    """Format a relation on [-1, 1] with an explicit sign: ``0.4 -> "+0.40"``.

    A real minus sign is used so that negative values read clearly in figures.
    """
    if math.isnan(r):
        return "n/a"
    text = f"{r:+.2f}"
    if text in ("+0.00", "-0.00"):
        return "0.00"
    return text.replace("-", "−")


def actor_name(actor: str, actors: Mapping[str, str] | None) -> str:
    """Readable name of an actor id, falling back to the id itself.

    Parameters
    ----------
    actor : str
        Actor id such as ``"CHN"``.
    actors : mapping or None
        ``summary["actors"]``: id -> readable name.
    """
    if not actors:
        return actor
    return actors.get(actor) or actor


def group_label(members: list[str] | tuple[str, ...], actors: Mapping[str, str] | None) -> str:
    """Readable label of a pair or triad: ``["CHN", "RUS"] -> "China – Russia"``."""
    return " – ".join(actor_name(m, actors) for m in members)


def thresholds_of(summary: Mapping[str, Any]) -> dict[str, float]:
    """Aligned and hostile thresholds of the summary, on the relation scale [-1, 1]."""
    given = summary.get("thresholds") or {}
    return {
        "aligned": float(given.get("aligned", DEFAULT_THRESHOLDS["aligned"])),
        "hostile": float(given.get("hostile", DEFAULT_THRESHOLDS["hostile"])),
    }


def caption_for(key: str) -> str:
    """Caption of a figure key; ``"configurations_CHN-RUS-USA"`` gets a triad suffix.

    Parameters
    ----------
    key : str
        Key of ``figures`` in :func:`write_report`.

    Returns
    -------
    str
        A known caption, or the key in words when it is unknown.
    """
    if key in CAPTIONS:
        return CAPTIONS[key]
    for known in sorted(CAPTIONS, key=len, reverse=True):
        if key.startswith(known) and len(key) > len(known) and key[len(known)] in "_-:. ":
            suffix = key[len(known) + 1 :].replace("_", " ").strip()
            return f"{CAPTIONS[known]} ({suffix})" if suffix else CAPTIONS[known]
    return key.replace("_", " ").strip().capitalize() + "."


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
    lines = [
        f"| outcome by {horizon} | estimate | 95% interval |",
        "| --- | ---: | ---: |",
        f"| P(rupture of {a} – {b}) | {format_share(rup['value'])} | "
        f"{format_interval(rup['low'], rup['high'])} |",
        f"| P(split: {c} becomes pivot or partner) | {format_share(spl['value'])} | "
        f"{format_interval(spl['low'], spl['high'])} |",
        f"| median rupture year | "
        f"{_median_cell(summary.get('median_rupture_year'), 'ruptured')} | — |",
        f"| median split year | {_median_cell(summary.get('median_split_year'), 'split')} | — |",
        "",
        f"| configuration of {a} – {b} – {c} at {horizon} | meaning | share of runs |",
        "| --- | --- | ---: |",
    ]
    lines += [
        f"| {label} | {meaning} | {format_share(share)} |"
        for label, meaning, share in _configuration_rows(summary)
    ]
    return "\n".join(lines)


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
            f"Behaviour parameters: each run drew one whole set from the calibration's "
            f"{behaviour['posterior_sets']} accepted sets, in proportion to their weights "
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


def write_report(out_dir: Path, summary: Mapping[str, Any], figures: Mapping[str, str]) -> Path:
    """Write ``out_dir/report.md``: headline numbers in words, tables and figures.

    The report is what a reader opens first in a results folder, so it states the
    answer (how likely a rupture and a split are by the horizon, with 95% intervals)
    before any figure.

    Parameters
    ----------
    out_dir : Path
        Results folder; created if missing.
    summary : mapping
        The ensemble summary (see the module docstring).
    figures : mapping of str to str
        Caption key (``"fans"``, ``"cumulative"``, ``"configurations"``,
        ``"triangle"``, or a key with a suffix such as ``"configurations_CHN-RUS-IND"``)
        -> file name of the PNG relative to ``out_dir``. Embedded in the given order.

    Returns
    -------
    Path
        Path of the written ``report.md`` (UTF-8).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
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
        "a finite number of runs, not doubt about the model's assumptions: more runs narrow "
        "them, a different scenario or calibration can move the estimate itself.",
    ]
    behaviour = behaviour_sentence(summary.get("behaviour"))
    if behaviour:
        parts += ["", behaviour]
    if figures:
        parts += ["", "## Figures"]
        for number, (key, file_name) in enumerate(figures.items(), start=1):
            target = Path(file_name).as_posix()
            if any(ch in target for ch in " ()<>"):
                target = f"<{target}>"
            caption = caption_for(key)
            alt = f"Figure {number}: {key.replace('_', ' ')}"
            parts += ["", f"![{alt}]({target})", "", f"*Figure {number}. {caption}*"]
    path = out_dir / "report.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8", newline="\n")
    return path


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
