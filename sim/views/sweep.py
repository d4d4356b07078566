"""The view of a sweep: its figures, ``report.md`` and the terminal summary.

The report answers the sweep's question (``[analysis.question]``) in its
first sentence, then says how likely a split is over the design, whether
the outcomes vary across it beyond sampling noise, where the best design
point lies and where splits concentrate. Heat maps are drawn only for
outcomes with detectable structure, and once for outcomes that coincide
(:mod:`sim.experiments.sweep_findings`).

Figures: :mod:`sim.views.sweep_heatmap`, :mod:`sim.views.sweep_time` and
:mod:`sim.views.sweep_sensitivity`; text: :mod:`sim.views.sweep_report` and
:mod:`sim.views.sweep_words`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.formats import format_year
from sim.markdown import link_target
from sim.views.sweep_report import (
    TOP_POINTS,
    answer_paragraph,
    best_points_table,
    design_sentence,
    design_table,
    discovery_lines,
    headline_paragraph,
    listing_outcomes,
    named_parameters,
    outcome_name,
    sensitivity_lines,
)
from sim.views.sweep_words import (
    MAX_LISTED,
    OUTCOME_EVENTS,
    OUTCOME_LABELS,
    has_structure,
    listing,
    p_value,
    same_as,
    share,
    shown_for,
    varying_parameters,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

__all__ = ["figures", "report", "share", "terminal"]

# ----------------------------------------------------------------- figures


def _slug(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


def figure_plan(result: Result) -> list[tuple[str, str, Callable[[], Figure]]]:
    """Every figure the sweep asks for: ``(file stem, caption, draw)``, in report order.

    One heat map per pair in ``analysis.heatmap``, per event outcome (P(split)
    always, P(rupture) when listed and not equal to P(split) everywhere) and
    per base scenario, only where the outcome has detectable structure; the
    time-to-split curves with ``analysis.group_by``; the sensitivity bars of
    each outcome (sobol and morris designs; coinciding outcomes once).
    """
    plan, analysis = result.payload.plan, result.payload.analysis
    summary = result.summary
    sw = plan.sweep
    labels = summary.get("parameters") or {}
    points = analysis.points
    outcomes = list(dict.fromkeys(["p_split", *sw.outcomes]))
    horizons = {name: inp.scenario.time.horizon for name, inp in plan.inputs.items()}
    present = list(dict.fromkeys(points["scenario"])) if len(points) else []
    out: list[tuple[str, str, Callable[[], Figure]]] = []
    for k, (x, y) in enumerate(sw.analysis.heatmap, start=1):
        for outcome in (o for o in outcomes if o in OUTCOME_EVENTS):
            if shown_for(summary, outcome) != outcome:
                continue
            also = same_as(summary, outcome)
            for scenario in present:
                if not has_structure(summary, outcome, scenario):
                    continue
                if not map_test(summary, outcome, scenario, k).get("structure", True):
                    continue
                horizon = horizons.get(scenario)
                event = OUTCOME_EVENTS[outcome]
                name = OUTCOME_LABELS[outcome] + "".join(f" = {OUTCOME_LABELS[o]}" for o in also)
                caption = (
                    f"{name} by {format_year(horizon)} over {labels.get(x, x)} (horizontal) "
                    f"and {labels.get(y, y)} (vertical), scenario `{scenario}`. Each cell is "
                    f"the share of its runs with a {event} (pooled over whatever else the "
                    f"design varies), with its 95% Wilson interval; contours follow the cell "
                    f"edges at 10%, 50% and 90% where neighbouring cells straddle them."
                )

                def draw(x=x, y=y, outcome=outcome, scenario=scenario, also=also) -> Figure:
                    from sim.views.sweep_heatmap import plot_heatmap

                    return plot_heatmap(
                        points, x, y, outcome, labels, scenario,
                        horizon=horizons.get(scenario), same_as=also,
                    )  # fmt: skip

                out.append((f"heatmap_{outcome}_{k}_{_slug(scenario)}", caption, draw))
    for outcome in (o for o in outcomes if o in OUTCOME_EVENTS):
        if shown_for(summary, outcome) != outcome:
            continue
        also = same_as(summary, outcome)
        for scenario in present:
            test = ((summary.get("homogeneity") or {}).get(outcome) or {}).get(scenario)
            along = varying_parameters(test) if test and test["structure"] else []
            if not along:
                continue
            name = OUTCOME_LABELS[outcome] + "".join(f" = {OUTCOME_LABELS[o]}" for o in also)
            words = listing([labels.get(path, path) for path, _ in along[:MAX_LISTED]])
            caption = (
                f"{name} by {format_year(horizons.get(scenario))} along {words}, scenario "
                f"`{scenario}`: the share of runs with a {OUTCOME_EVENTS[outcome]} at each value "
                f"(or bin) of the parameter, pooled over everything else the design varies, "
                f"with 95% Wilson intervals. Only parameters along which it varies beyond "
                f"sampling noise are drawn; the p-value of each (Bonferroni-adjusted) is above "
                f"its panel."
            )

            def draw_profiles(outcome=outcome, scenario=scenario, along=along, also=also):
                from sim.views.sweep_profile import plot_profiles

                return plot_profiles(
                    points, outcome, along, labels, scenario,
                    horizon=horizons.get(scenario), same_as=also,
                )  # fmt: skip

            out.append((f"profile_{outcome}_{_slug(scenario)}", caption, draw_profiles))
    curves = analysis.curves
    if sw.analysis.group_by and curves is not None and len(curves):
        group = labels.get(sw.analysis.group_by, sw.analysis.group_by)
        horizon = max(horizons.values()) if horizons else None

        def draw_curves() -> Figure:
            from sim.views.sweep_time import plot_time_to_split

            return plot_time_to_split(curves, group, horizon=horizon)

        tests = [((summary.get("homogeneity") or {}).get("p_split") or {}).get(s) for s in present]
        flat = all(
            t is not None
            and (not t["structure"] or sw.analysis.group_by not in dict(varying_parameters(t)))
            for t in tests
        )
        caveat = (
            f" P(split) does not vary detectably with {group}, so the curves differ by no "
            f"more than sampling noise: they show when splits happen, not which level makes "
            f"them likelier."
            if tests and flat
            else ""
        )
        out.append(
            (
                "time_to_split",
                f"Cumulative P(split) by year for each level of {group}, with 95% Wilson "
                f"bands from each curve's first split on; the legend gives P(split) by "
                f"{format_year(horizon)}.{caveat}",
                draw_curves,
            )
        )
    for outcome, table in analysis.sensitivity.items():
        if shown_for(summary, outcome) != outcome:
            continue
        kind = "sobol" if "ST" in table.columns else "morris"
        what = (
            "Sobol total (ST) and first-order (S1) indices"
            if kind == "sobol"
            else "Morris mean absolute elementary effects μ* and their spread σ"
        )
        also = same_as(summary, outcome)
        same = f" ({listing_outcomes(also)} coincides: the same indices)" if also else ""

        def draw_bars(table=table, outcome=outcome, kind=kind) -> Figure:
            from sim.views.sweep_sensitivity import plot_sensitivity

            return plot_sensitivity(
                table, outcome, kind, labels=labels, outcome_name=outcome_name(plan, outcome)
            )

        out.append(
            (
                f"sensitivity_{outcome}",
                f"{what} of {outcome_name(plan, outcome)}{same} over the design, with bootstrap "
                f"95% confidence intervals; the most influential parameters first.",
                draw_bars,
            )
        )
    return out


def map_test(summary: Mapping[str, Any], outcome: str, scenario: str, k: int) -> dict:
    """The test across the cells of heat map ``k`` (1-based) of an outcome ({} untested)."""
    tests = ((summary.get("map_homogeneity") or {}).get(outcome) or {}).get(scenario) or []
    return tests[k - 1] if 0 < k <= len(tests) else {}


def maps_not_drawn(result: Result) -> list[str]:
    """Sentences on the heat maps left out because their cells differ only by noise.

    Only for outcomes that vary across the design: without any structure the
    headline already says why no map is drawn.
    """
    plan, summary = result.payload.plan, result.summary
    labels = summary.get("parameters") or {}
    points = result.payload.analysis.points
    present = list(dict.fromkeys(points["scenario"])) if len(points) else []
    outcomes = [o for o in dict.fromkeys(["p_split", *plan.sweep.outcomes]) if o in OUTCOME_EVENTS]
    lines = []
    for k, (x, y) in enumerate(plan.sweep.analysis.heatmap, start=1):
        for outcome in (o for o in outcomes if shown_for(summary, o) == o):
            for scenario in present:
                test = map_test(summary, outcome, scenario, k)
                if not has_structure(summary, outcome, scenario) or test.get("structure", True):
                    continue
                lines.append(
                    f"No heat map of {OUTCOME_LABELS[outcome]} over {labels.get(x, x)} and "
                    f"{labels.get(y, y)} (scenario `{scenario}`): its {test['cells']} cells differ "
                    f"no more than sampling noise makes them (exact test of homogeneity across "
                    f"them, {p_value(test['p_value'])}), so its colours would be noise."
                )
    return lines


def figures(result: Result) -> dict[str, Figure]:
    """The sweep's figures (:func:`figure_plan`), by file stem."""
    return {stem: draw() for stem, _, draw in figure_plan(result)}


# ------------------------------------------------------------------ report


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: the answer first, then the headline, design, best points, figures, boxes.

    The first sentence answers the sweep's question (``[analysis.question]``);
    without one, the report opens with P(split) over the design. Then the
    design, the best points (where an outcome has structure), the figures with
    captions, the PRIM boxes where splits concentrate and the sensitivity
    rankings.
    """
    plan, analysis = result.payload.plan, result.payload.analysis
    summary = result.summary
    points = analysis.points
    sw = plan.sweep
    labels = summary.get("parameters") or {}
    title = summary.get("title") or sw.title or sw.name
    scenarios = summary.get("scenarios") or list(plan.inputs)
    parts = [f"# {title}", ""]
    answer = answer_paragraph(plan, summary)
    if answer:
        parts += [answer, ""]
    parts += [
        f"Sweep `{summary.get('sweep', sw.name)}` · {sw.design} design · "
        f"{int(summary.get('points', len(plan.design))):,} points × {sw.replicates:,} replicates · "
        f"{int(summary.get('runs', 0)):,} runs · seed {summary.get('seed', sw.seed)} · "
        f"scenario{'s' if len(scenarios) != 1 else ''} {', '.join(f'`{s}`' for s in scenarios)}",
        "",
        "## Headline",
        "",
        headline_paragraph(plan, summary, points),
        "",
        "Probabilities are shares of runs; 95% intervals (Wilson) measure the sampling error "
        "of a finite number of runs, not doubt about the model. An average over the design "
        "depends on the ranges the sweep chose: read it as a share of the design space, not "
        "as a forecast.",
        "",
        "## Design",
        "",
        design_sentence(plan, summary),
        "",
        design_table(plan, summary),
    ]
    if len(points):
        structured = [
            s for s in dict.fromkeys(points["scenario"]) if has_structure(summary, "p_split", s)
        ]
        best = points[points["scenario"].isin(structured) & (points["p_split"] > 0)]
        if len(best):
            named, hidden = named_parameters(plan)
            outcomes = ("p_split",) if same_as(summary, "p_split") else ("p_split", "p_rupture")
            parts += [
                "",
                f"## Best design points (up to {TOP_POINTS} with a split, per scenario)",
                "",
                best_points_table(best, labels, named, TOP_POINTS, outcomes),
            ]
            if hidden:
                parts += [
                    "",
                    f"The values of the other {hidden} swept parameters are in `points.csv`.",
                ]
    captions = {stem: caption for stem, caption, _ in figure_plan(result)}
    if figure_files:
        parts += ["", "## Figures"]
        for number, (stem, file_name) in enumerate(figure_files.items(), start=1):
            alt = f"Figure {number}: {Path(file_name).stem.replace('_', ' ')}"
            parts += [
                "",
                f"![{alt}]({link_target(file_name)})",
                "",
                f"*Figure {number}. {captions.get(stem, '')}*",
            ]
    not_drawn = maps_not_drawn(result)
    if not_drawn:
        parts += [] if figure_files else ["", "## Figures"]
        parts += ["", " ".join(not_drawn)]
    parts += ["", *discovery_lines(plan, summary)]
    sensitivity = sensitivity_lines(plan, analysis.sensitivity, labels, summary)
    if sensitivity:
        parts += ["", *sensitivity]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- terminal


def terminal(result: Result) -> str:
    """The answer, P(split) over the design per scenario, and the boxes, as plain lines."""
    plan = result.payload.plan
    summary = result.summary
    lines = []
    answer = answer_paragraph(plan, summary)
    if answer:
        first = answer.split("\n\n")[:-1]  # the question itself stays in the report
        lines += [text.replace("`", "") for text in first]
    for scenario, entry in (summary.get("overall") or {}).items():
        p = entry["p_split"]
        test = ((summary.get("homogeneity") or {}).get("p_split") or {}).get(scenario)
        verdict = ""
        if test is not None and test["events"] not in (0, test["runs"]):
            verdict = (
                "; varies across the design" if test["structure"] else "; no detectable structure"
            ) + f" ({p_value(test.get('adjusted_p', test['p_value']))})"
        lines.append(
            f"{scenario}: P(split) over the design {share(p['value'])} "
            f"[{share(p['low'])}, {share(p['high'])}]{verdict}"
        )
    for box in summary.get("discovery") or []:
        lines.append(f"  {box['sentence']}")
    return "\n".join(lines)
