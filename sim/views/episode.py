"""The view of one history episode: its scorecard as ``report.md`` and in the terminal.

The figure is :func:`sim.views.hindcast.plot_hindcast`; the words of each
target (history, measure, rule, what the model did) come with the scorecard
(:mod:`sim.experiments.history`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.experiments.history.scorecard import Scorecard
from sim.formats import format_relation, format_share, format_year
from sim.scenario.episode import Episode
from sim.views.run import behaviour_sentence

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

CAPTION = (
    "Relation r of each pair over the hindcast (−1 hostile, +1 allied): the median across "
    "runs (line), the middle 50% (dark band) and 90% (light band) of runs, and the aligned "
    "and hostile thresholds (dashed horizontal lines). Vertical lines are the dated "
    "milestones of {milestones}: dashed grey lines are exogenous events "
    "scheduled as shocks (the model's only inputs); solid lines are the outcomes the model "
    "should produce on its own. Their labels are in the strips above the panels."
)


def markdown_table(card: Scorecard) -> str:
    """The targets as a Markdown table: target | history | simulated | pass."""
    lines = [
        "| # | target | history | simulated median [90% range] | pass |",
        "| ---: | --- | --- | --- | :---: |",
    ]
    for k, t in enumerate(card.targets, start=1):
        verdict = "yes" if t.passed else "**no**"
        lines.append(f"| {k} | {t.name} | {t.history} | {t.simulated} | {verdict} |")
    return "\n".join(lines)


def _relation_text(r: float | None) -> str:
    return "n/a" if r is None else format_relation(r)


def markdown_shape(card: Scorecard, reading: str = "") -> str:
    """The shape of each relation over time as Markdown: windows, then the turn.

    ``reading`` is the episode's note on how to read it. Empty when the
    scorecard has neither (scored with ``shape=False``).
    """
    if not card.windows and not card.turn:
        return ""
    rel, hostile = _relation_text, format_relation(card.thresholds["hostile"])
    lines = ["## Shape over time"]
    if reading:
        lines += ["", _paragraph(reading)]
    if card.windows:
        pairs = list(card.windows)
        lines += [
            "",
            "| years | " + " | ".join(pairs) + " |",
            "| --- |" + " --- |" * len(pairs),
        ]
        spans = [(w.first, w.last) for w in card.windows[pairs[0]]]
        for k, (first, last) in enumerate(spans):
            cells = [
                f"{rel(w.median)} [{rel(w.q05)}, {rel(w.q95)}] · "
                f"{format_share(w.not_hostile.value)}"
                for w in (card.windows[p][k] for p in pairs)
            ]
            lines.append(f"| {first}-{last} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "Each cell: median relation over all runs and yearly snapshots of the window "
            "[5%, 95% quantiles] · share of runs above the hostile threshold "
            f"(r > {hostile}) at one or more of those snapshots.",
        ]
    if card.turn:
        y0, y1, y2 = next(iter(card.turn.values())).years
        lines += [
            "",
            f"| pair | median {y0} | median {y1} | median {y2} | rise {y0}→{y1} "
            f"| rise {y1}→{y2} | difference |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for pair, t in card.turn.items():
            cells = [*t.medians, t.rise_before, t.rise_after, t.difference]
            lines.append(f"| {pair} | " + " | ".join(format_relation(v) for v in cells) + " |")
        lines += [
            "",
            f"Medians across runs at the yearly snapshots; difference = rise {y1}→{y2} minus "
            f"rise {y0}→{y1}. Information, not a target.",
        ]
    return "\n".join(lines)


def markdown_clashes(card: Scorecard, reading: str = "", disputes: str = "") -> str:
    """The pair's crises window by window beside the recorded disputes, as Markdown.

    ``reading`` is the episode's note on the comparison, ``disputes`` the
    disputes file shown as its source. Empty when the scorecard has no clash record.
    """
    if not card.clashes or card.clash_pair is None:
        return ""
    pair = "-".join(card.clash_pair)
    lines = [
        f"## {pair} clashes over time",
        "",
        "| years | simulated crises per year (mean hazard) | disputes begun (COW MID) | per year |",
        "| --- | ---: | ---: | ---: |",
    ]
    for c in card.clashes:
        rate = "n/a" if c.history_rate is None else f"{c.history_rate:.2f}"
        count = "n/a" if c.onsets is None else str(c.onsets)
        lines.append(f"| {c.first}-{c.last} | {c.simulated:.2f} | {count} | {rate} |")
    peak = "n/a" if card.clash_peak_year is None else format_year(card.clash_peak_year)
    source = f" ({disputes})" if disputes else ""
    note = f" {_paragraph(reading)}" if reading else ""
    lines += [
        "",
        f"The ensemble's mean {pair} crisis hazard peaks in {peak}.{note} Information, not "
        f"a target{source}.",
    ]
    return "\n".join(lines)


def _headline_rows(card: Scorecard, partnership: Sequence[str]) -> list[tuple[str, str]]:
    med = card.median_rupture_year
    rows = [(label, est.text()) for label, est in card.headline.values()]
    median = (
        f"median {'-'.join(partnership)} rupture year",
        format_year(med) if med is not None else "none: fewer than half of the runs rupture",
    )
    return [*rows[:1], median, *rows[1:]]


def report_markdown(
    card: Scorecard,
    episode: Episode,
    figure: str | None = "hindcast.png",
    behaviour: Mapping[str, Any] | None = None,
    milestones: str = "",
) -> str:
    """``report.md`` of an episode: headline, target table, shape, clashes, how each is measured.

    ``behaviour`` is the ensemble's :func:`~sim.engine.ensemble.behaviour_draws`
    (a sentence on how many behaviour sets the runs drew); ``milestones`` the
    milestones file named in the figure's caption.
    """
    behaviour_text = behaviour_sentence(behaviour)
    clashes = episode.clashes
    parts = [
        f"# {episode.title}",
        "",
        f"Episode `{episode.name}`: {_paragraph(episode.description)}"
        if episode.description
        else f"Episode `{episode.name}`.",
        "",
        f"Scenario `{card.scenario}` ({card.scenario_file}) · {card.runs:,} runs · seed "
        f"{card.seed} · {format_year(card.start_year)}–{format_year(card.horizon)} · "
        f"**{card.passed} of {len(card.targets)} targets met**",
        "",
        "Only the exogenous milestones are scheduled as shocks; every target below must "
        "emerge from the model.",
        "",
        "## Headline",
        "",
        "| quantity | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in _headline_rows(card, episode.partnership)),
        "",
        "## Targets",
        "",
        markdown_table(card),
        "",
        "Shares are of runs, with 95% Wilson intervals (sampling error only). Relations are "
        "on [−1, 1]; years are decimal years, 'after the horizon' standing for runs without "
        "the event.",
        "",
        *([behaviour_text, ""] if behaviour_text else []),
        *(
            [markdown_shape(card, episode.shape.reading if episode.shape else ""), ""]
            if card.windows or card.turn
            else []
        ),
        *(
            [markdown_clashes(card, clashes.reading, Path(clashes.disputes).name), ""]
            if card.clashes and clashes is not None
            else []
        ),
        "## How each target is measured",
        "",
        "| # | target | measured in the model | pass rule | data |",
        "| ---: | --- | --- | --- | --- |",
        *(
            f"| {k} | {t.name} | {t.measure} | {t.rule} | {t.source} |"
            for k, t in enumerate(card.targets, start=1)
        ),
    ]
    judged = [t for t in episode.targets if t.why]
    if judged:
        parts += ["", "Judgements behind the bars:", ""]
        parts += [f"- *{t.name}*: {_paragraph(t.why)}" for t in judged]
    if figure:
        parts += [
            "",
            "## Figure",
            "",
            f"![Hindcast relation fans with milestones]({figure})",
            "",
            f"*Figure 1. {CAPTION.format(milestones=milestones or episode.milestones)}*",
        ]
    return "\n".join(parts) + "\n"


def format_scorecard(
    card: Scorecard, partnership: Sequence[str] = ("CHN", "RUS"), width: int = 118
) -> str:
    """The scorecard as a plain-text table for the terminal."""
    cols = (("#", 2), ("target", 24), ("history", 34), ("simulated median [90% range]", 42))
    cols += (("pass", 4),)
    used = sum(w for _, w in cols) + 2 * (len(cols) - 1)
    rule = "-" * min(width, used)
    head = (
        f"{card.title}\nscenario {card.scenario}, {card.runs:,} runs, seed {card.seed}: "
        f"{card.passed} of {len(card.targets)} targets met"
    )
    lines = [head, rule]
    lines += [f"{name:<41} {value}" for name, value in _headline_rows(card, partnership)]
    lines += [rule, "  ".join(f"{n:<{w}}" for n, w in cols).rstrip(), rule]
    for k, t in enumerate(card.targets, start=1):
        cells = [str(k), t.name, t.history, t.simulated, "yes" if t.passed else "NO"]
        wrapped = [
            textwrap.wrap(c, w, break_on_hyphens=False) or [""]
            for c, (_, w) in zip(cells, cols, strict=True)
        ]
        for i in range(max(len(c) for c in wrapped)):
            parts = [
                f"{(c[i] if i < len(c) else ''):<{w}}"
                for c, (_, w) in zip(wrapped, cols, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    lines.append(rule)
    return "\n".join(lines)


def _paragraph(text: str) -> str:
    """A multi-line text from a data file as one paragraph."""
    return " ".join(text.split())


def figures(result: Result) -> dict[str, Figure]:
    """The hindcast figure: relation fans under the dated milestones."""
    from sim.views.hindcast import plot_hindcast

    run = result.payload
    ensemble = run.ensemble
    return {
        "hindcast": plot_hindcast(
            ensemble.trajectories(), ensemble.summary(), run.milestones, run.episode.labels
        )
    }


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md`` of the episode."""
    from sim.engine.ensemble import behaviour_draws

    run = result.payload
    return report_markdown(
        run.scorecard,
        run.episode,
        figure_files.get("hindcast"),
        behaviour_draws(run.ensemble.inputs, run.ensemble.runs),
        Path(run.episode.milestones).name,
    )


def terminal(result: Result) -> str:
    """The scorecard as a plain-text table."""
    run = result.payload
    return format_scorecard(run.scorecard, run.episode.partnership)
