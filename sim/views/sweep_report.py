"""The text of a sweep's report: the answer, the headline, the design, the tables and sections.

Each function turns the sweep's summary (``summary.json``) and tables into
Markdown a reader can act on; :mod:`sim.views.sweep` assembles them into
``report.md``. Plain text only: nothing here imports matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.engine.design import DUMMY
from sim.engine.sweep import CALIBRATION_SOURCE, Plan
from sim.formats import format_behaviour_range, format_year
from sim.scenario.schema import Distribution
from sim.scenario.sweep import GridAxis
from sim.views.sweep_words import (
    OUTCOME_EVENTS,
    OUTCOME_LABELS,
    capital,
    coincidence_sentence,
    drivers_sentence,
    interval,
    p_value,
    question_sentence,
    same_as,
    share,
    shown_for,
    smallest_lever_sentence,
    structure_sentence,
    threshold_words,
    value,
)

TOP_POINTS = 5
"""Design points listed in the report's table of the best points, per scenario."""

MAX_NAMED_PARAMETERS = 6
"""Parameters named at most beside a design point (in the headline and the table of best
points); see :func:`named_parameters`."""

TOP_SENSITIVITY = 10
"""Parameters listed in the report's sensitivity tables, per outcome."""

DESIGN_WORDS: dict[str, str] = {
    "grid": "a full grid",
    "lhs": "a Latin hypercube sample (McKay et al. 1979)",
    "sobol": "Saltelli's sample for Sobol indices (Saltelli et al. 2010)",
    "morris": "Morris elementary-effects trajectories (Campolongo et al. 2007)",
}
"""How each design is named in the report."""

CALIBRATION_KIND = "behaviour (calibration range)"


# ------------------------------------------------------------------- words


def _of_runs(estimate: Mapping[str, float]) -> str:
    """``"5.7% of runs (95% interval ...)"``, or ``"none of the runs (...)"`` for zero."""
    if estimate["value"] == 0:
        return f"none of the runs (95% interval 0% to {share(estimate['high'])})"
    bounds = interval(estimate["low"], estimate["high"])
    return f"{share(estimate['value'])} of runs (95% interval {bounds})"


def _names(plan: Plan, scenario: str) -> tuple[str, str, str]:
    """Readable names of the watched partnership and the third power of a scenario."""
    sc = plan.inputs[scenario].scenario
    names = {code: sc.display_name(code) for code in sc.actors}
    a, b = (names.get(m, m) for m in sc.watch.partnership)
    return a, b, names.get(sc.watch.third, sc.watch.third)


def _split_words(plan: Plan, scenario: str) -> str:
    """What a split means in a scenario, with its actors' names."""
    if scenario not in plan.inputs:
        return "a 1970s-style split"
    a, b, c = _names(plan, scenario)
    return (
        f"a 1970s-style split (the {a}–{b} partnership ruptures, then the third power, "
        f"{c}, becomes the pivot between them or partners one of them)"
    )


def outcome_name(plan: Plan, outcome: str) -> str:
    """An outcome in words: ``"P(split)"``, ``"the mean China–Russia relation at 2040"``."""
    if outcome != "r_partnership" or not plan.inputs:
        return OUTCOME_LABELS[outcome]
    first = next(iter(plan.inputs))
    a, b, _ = _names(plan, first)
    return f"the mean {a}–{b} relation at {format_year(plan.inputs[first].scenario.time.horizon)}"


def _axis_range(axis: GridAxis | Distribution) -> str:
    """The values or the range of a swept parameter, in words."""
    if isinstance(axis, GridAxis):
        if axis.values:
            return ", ".join(value(v) for v in axis.values)
        return f"uniform from {value(axis.low)} to {value(axis.high)}"  # type: ignore[arg-type]
    if axis.dist == "normal":
        text = f"normal, mean {value(axis.mean)}, sd {value(axis.sd)}"  # type: ignore[arg-type]
        if axis.low is not None or axis.high is not None:
            lo = value(axis.low) if axis.low is not None else "-inf"
            hi = value(axis.high) if axis.high is not None else "+inf"
            text += f", truncated to [{lo}, {hi}]"
        return text
    if axis.dist == "triangular":
        return (
            f"triangular from {value(axis.low)} to {value(axis.high)}, "  # type: ignore[arg-type]
            f"mode {value(axis.mode)}"  # type: ignore[arg-type]
        )
    return f"{axis.dist} from {value(axis.low)} to {value(axis.high)}"  # type: ignore[arg-type]


def _axis_kind(plan: Plan, axis: GridAxis | Distribution) -> str:
    """Lever (what a strategist chooses), uncertainty, or calibration parameter."""
    if any(axis is lever for lever in plan.sweep.levers):
        return "lever"
    if isinstance(axis, Distribution) and axis.source == CALIBRATION_SOURCE:
        return CALIBRATION_KIND
    return "uncertainty"


def named_parameters(plan: Plan) -> tuple[list[str], int]:
    """Paths of the parameters to name beside a design point, and how many are left out.

    The sweep's own levers and uncertainties, at most :data:`MAX_NAMED_PARAMETERS`;
    calibration parameters added by ``sweep_calibration`` only when the sweep
    names none of its own.
    """
    axes = plan.sweep.axes()
    own = [a.parameter for a in axes if _axis_kind(plan, a) != CALIBRATION_KIND]
    rest = [a.parameter for a in axes if _axis_kind(plan, a) == CALIBRATION_KIND]
    named = (own or rest)[:MAX_NAMED_PARAMETERS]
    return named, len(axes) - len(named)


def design_sentence(plan: Plan, summary: Mapping[str, Any]) -> str:
    """One sentence on the design: kind, size, replicates, runs and seed.

    E.g. "The design is a full grid of 6 × 7 = 42 points over 2 parameters, ..."
    """
    sw = plan.sweep
    axes = sw.axes()
    points = int(summary.get("points", len(plan.design)))
    dummy = DUMMY in plan.design.problem["names"]
    if sw.design == "grid":
        sizes = " × ".join(str(len(a.values)) for a in axes)  # type: ignore[union-attr]
        shape = f"{sizes} = {points:,} points" if len(axes) > 1 else f"{points:,} points"
    elif sw.design == "sobol":
        extra = 3 if dummy else 2
        shape = f"base sample N = {sw.points}, N × (d + {extra}) = {points:,} points"
    elif sw.design == "morris":
        shape = f"{sw.points} trajectories on {sw.morris_levels} levels, {points:,} points"
    else:
        shape = f"{points:,} points"
    scenarios = summary.get("scenarios") or list(plan.inputs)
    sampled = (
        " Every run also draws the base scenario's own uncertain parameters."
        if sw.sample_scenario_uncertainty
        else ""
    )
    if sw.sweep_calibration:
        sampled += (
            " The behaviour parameters of the calibration vary independently over their "
            "calibrated ranges, as a sensitivity design requires, not jointly as the "
            "accepted parameter sets of the calibration do (the calibration file says how "
            "far such combinations still reproduce 1949-1975), so the probabilities over "
            "this design are not the scenario's forecast (run the scenario for that): read "
            "which parameters matter."
        )
    return (
        f"The design is {DESIGN_WORDS[sw.design]} of {shape} over {len(axes)} "
        f"parameter{'s' if len(axes) != 1 else ''}"
        f"{' and a dummy parameter that changes nothing (the noise floor)' if dummy else ''}, "
        f"with {sw.replicates:,} runs per point "
        f"and base scenario ({len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}: "
        f"{int(summary.get('runs', 0)):,} runs in all, root seed {summary.get('seed', sw.seed)})."
        f"{sampled}"
    )


def answer_paragraph(plan: Plan, summary: Mapping[str, Any]) -> str:
    """The answer to the sweep's question, one sentence per scenario ("" without a question).

    When the outcome asked about shows no detectable structure, the answer says
    so: what reaches the threshold may then be noise.
    """
    question = summary.get("question")
    if not question:
        return ""
    labels = summary.get("parameters") or {}
    outcome = question["outcome"]
    name = outcome_name(plan, outcome)
    parts = []
    answers = summary.get("answer") or []
    if not answers:
        return f"{question_sentence(question, labels, name)} No run finished, so no answer."
    for ans in answers:
        if ans["ask"] == "drivers":
            parts.append(drivers_sentence(ans, labels, name))
            continue
        text = smallest_lever_sentence(ans, labels)
        if len(answers) > 1:
            text = f"In `{ans['scenario']}`: {text}"
        shown = shown_for(summary, outcome)
        test = ((summary.get("homogeneity") or {}).get(shown) or {}).get(ans["scenario"])
        if test is not None and not test["structure"] and test["events"] not in (0, test["runs"]):
            name = OUTCOME_LABELS[outcome]
            evidence = (
                f"({test['events']:,} {OUTCOME_EVENTS[outcome]}s in {test['runs']:,} runs; "
                f"exact tests of homogeneity across points and along each parameter, "
                f"Bonferroni-adjusted {p_value(test.get('adjusted_p', test['p_value']))})"
            )
            if any(r["lever"] is not None for r in ans["by_given"]):
                text += (
                    f" But {name} shows no detectable structure across the design {evidence}: "
                    f"what reaches {threshold_words(question['threshold'])} may be sampling noise."
                )
            else:
                text += (
                    f" Nor does {name} vary detectably across the design {evidence}: the sweep "
                    f"measures its overall level, {share(test['rate'])} of runs, not where it "
                    f"is higher."
                )
        parts.append(text)
    parts.append(f"*The sweep asks: {question_sentence(question, labels, name)}*")
    return "\n\n".join(parts)


def headline_paragraph(plan: Plan, summary: Mapping[str, Any], points: pd.DataFrame) -> str:
    """P(split) and P(rupture) over the design, whether they vary, and the best point.

    One paragraph per scenario, then the outcomes that coincide and the failed
    chunks, if any, separated by blank lines. Without any split, or without
    detectable structure, it says so and why there is then no best point.
    """
    labels = summary.get("parameters") or {}
    overall = summary.get("overall") or {}
    parts = []
    if not overall:
        parts.append(
            "No run finished: every chunk of this sweep failed, so there is nothing to report."
        )
    coincide = same_as(summary, "p_split")
    for scenario, entry in overall.items():
        inp = plan.inputs.get(scenario)
        horizon = format_year(inp.scenario.time.horizon) if inp else "the horizon"
        name = (
            f"*{inp.scenario.title}* (`{scenario}`)"
            if inp and inp.scenario.title
            else f"`{scenario}`"
        )
        rows = points[points["scenario"] == scenario]
        runs = int(rows["runs"].sum())
        split, rupture = entry["p_split"], entry["p_rupture"]
        rupture_words = (
            "" if "p_rupture" in coincide else f"; the partnership ruptured in {_of_runs(rupture)}"
        )
        words = [
            f"In {name}, over all {len(rows):,} design points ({runs:,} runs), "
            f"{_split_words(plan, scenario)} happened by {horizon} in {_of_runs(split)}"
            f"{rupture_words}."
        ]
        test = ((summary.get("homogeneity") or {}).get("p_split") or {}).get(scenario)
        if split["value"] == 0:
            words.append(
                f"No run split at any design point, so there is no best point and no box "
                f"where splits concentrate; with {runs:,} runs, P(split) over the design is "
                f"below {share(split['high'])} at 95% confidence."
            )
        elif test is not None and not test["structure"]:
            best = entry["best_point"]
            words.append(structure_sentence(test, "p_split", labels))
            words.append(
                f"The highest share at one point ({share(best['p_split'])} at point "
                f"{best['point']}) is what the largest of {len(rows):,} noisy estimates "
                f"looks like, not a place where splits are likelier."
            )
        else:
            best = entry["best_point"]
            row = rows[rows["point"] == best["point"]].iloc[0]
            named, hidden = named_parameters(plan)
            values = " and ".join(
                f"{labels.get(path, path)} = {value(best['values'][path])}" for path in named
            )
            if hidden:
                values += f" (the other {hidden} parameters' values are in `points.csv`)"
            if test is not None:
                words.append(structure_sentence(test, "p_split", labels))
            words.append(
                f"The design point with the highest P(split) is point {best['point']}, with "
                f"{values}: {share(best['p_split'])} of its {int(row['runs']):,} runs split "
                f"(95% interval {interval(row['p_split_low'], row['p_split_high'])}"
                + (
                    "; central 80% over behaviour "
                    + format_behaviour_range(
                        row["p_split_behaviour_low"], row["p_split_behaviour_high"], interval
                    )
                    if "p_split_behaviour_low" in row
                    else ""
                )
                + "). "
                f"Being the largest of {len(rows):,} noisy estimates, this value more likely "
                f"overstates than understates that point's true P(split)."
            )
        rupture_test = ((summary.get("homogeneity") or {}).get("p_rupture") or {}).get(scenario)
        if rupture_test is not None and "p_rupture" not in coincide:
            words.append(structure_sentence(rupture_test, "p_rupture", labels))
        parts.append(" ".join(words))
    together = coincidence_sentence(summary)
    if together:
        parts.append(together)
    failed = summary.get("failed_chunks") or []
    if failed:
        where = ", ".join(f"{f['scenario']} chunk {f['chunk']}" for f in failed[:6])
        more = f" and {len(failed) - 6} more" if len(failed) > 6 else ""
        parts.append(
            f"{len(failed)} chunk{'s' if len(failed) != 1 else ''} failed ({where}{more}); "
            f"their runs are missing from every number here. The errors are in "
            f"`chunks/<scenario>/chunk-*.error.json`; `wedge sweep --resume` retries them."
        )
    return "\n\n".join(parts)


def design_table(plan: Plan, summary: Mapping[str, Any]) -> str:
    """Markdown table of the swept parameters: label, path, kind and values or range."""
    labels = summary.get("parameters") or {}
    lines = [
        "| parameter | path | kind | values or range |",
        "| --- | --- | --- | --- |",
    ]
    for axis in plan.sweep.axes():
        lines.append(
            f"| {labels.get(axis.parameter, axis.parameter)} | `{axis.parameter}` | "
            f"{_axis_kind(plan, axis)} | {_axis_range(axis)} |"
        )
    return "\n".join(lines)


def best_points_table(
    points: pd.DataFrame,
    labels: Mapping[str, str],
    paths: list[str],
    top: int,
    outcomes: tuple[str, ...] = ("p_split", "p_rupture"),
) -> str:
    """Markdown table of the ``top`` design points by P(split) per scenario, with ``paths``.

    Each probability cell holds the share of runs and its 95% interval and, when the
    runs drew behaviour, the central 80% of the probability over behaviour.
    """
    head = ["scenario", "point", *(labels.get(p, p) for p in paths), "runs"]
    head += [f"{OUTCOME_LABELS[o]} [95%]" for o in outcomes]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * 2 + " ---: |" * (len(head) - 2)]
    for _, rows in points.groupby("scenario", sort=False):
        for _, row in (
            rows.sort_values(["p_split", "point"], ascending=[False, True]).head(top).iterrows()
        ):
            cells = [str(row["scenario"]), str(int(row["point"]))]
            cells += [value(float(row[p])) for p in paths]
            cells += [f"{int(row['runs']):,}"]
            cells += [
                f"{share(row[o])} [{interval(row[f'{o}_low'], row[f'{o}_high'])}]"
                + (
                    "; over behaviour "
                    + format_behaviour_range(
                        row[f"{o}_behaviour_low"], row[f"{o}_behaviour_high"], interval
                    )
                    if f"{o}_behaviour_low" in row
                    else ""
                )
                for o in outcomes
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sensitivity_table(table: pd.DataFrame, kind: str, labels: Mapping[str, str], top: int) -> str:
    """Markdown table of the ``top`` parameters by total Sobol index ST, or by Morris mu*."""
    rank = "ST" if kind == "sobol" else "mu_star"
    ranked = table.sort_values(rank, ascending=False, kind="stable", na_position="last").head(top)
    if kind == "sobol":
        lines = [
            "| rank | parameter | total index ST ± 95% conf. | first-order S1 ± 95% conf. |",
            "| ---: | --- | ---: | ---: |",
        ]
        cells = [
            (f"{r.ST:.3f} ± {abs(r.ST_conf):.3f}", f"{r.S1:.3f} ± {abs(r.S1_conf):.3f}")
            for r in ranked.itertuples()
        ]
    else:
        lines = [
            "| rank | parameter | μ* ± 95% conf. | σ |",
            "| ---: | --- | ---: | ---: |",
        ]
        cells = [
            (f"{r.mu_star:.3f} ± {abs(r.mu_star_conf):.3f}", f"{r.sigma:.3f}")
            for r in ranked.itertuples()
        ]
    for k, (parameter, (a, b)) in enumerate(zip(ranked["parameter"], cells, strict=True), 1):
        lines.append(f"| {k} | {labels.get(parameter, parameter)} | {a} | {b} |")
    return "\n".join(lines)


def floor_sentence(
    table: pd.DataFrame, rank: str, floor: pd.Series, labels: Mapping[str, str]
) -> str:
    """Which parameters clear the dummy's index with their whole 95% interval ("" without one)."""
    if not len(floor):
        return ""
    level = float(floor.iloc[0])
    clear = table[rank] - table[f"{rank}_conf"].abs() > level
    names = ", ".join(labels.get(p, p) for p in table.loc[clear, "parameter"])
    return (
        f" {int(clear.sum())} of them {'clears' if clear.sum() == 1 else 'clear'} the noise "
        f"floor ({rank} {level:.3f}) with the whole of {'its' if clear.sum() == 1 else 'their'} "
        f"95% interval{': ' + names if names else ''}."
    )


def discovery_lines(plan: Plan, summary: Mapping[str, Any]) -> list[str]:
    """Lines of the "Where splits concentrate" section (PRIM boxes as bullet points).

    An outcome that coincides with another is named under that one's box; one
    without detectable structure gets a line saying why it has no box.
    """
    lines = ["## Where splits concentrate", ""]
    boxes = summary.get("discovery") or []
    overall = summary.get("overall") or {}
    if all(e["p_split"]["value"] == 0 for e in overall.values()):
        return [*lines, "No run split, so there is nowhere for splits to concentrate."]
    if not plan.sweep.analysis.discovery:
        return [*lines, "Scenario discovery was not asked for (`analysis.discovery = false`)."]
    skipped = summary.get("discovery_skipped") or {}
    events = [o for o in plan.sweep.outcomes if o in OUTCOME_EVENTS]
    shown = [o for o in events if shown_for(summary, o) == o]
    sought = [o for o in shown if o not in skipped]
    if sought:
        labels = summary.get("parameters") or {}
        own = [
            labels.get(a.parameter, a.parameter)
            for a in plan.sweep.axes()
            if _axis_kind(plan, a) != CALIBRATION_KIND
        ]
        which = (
            "the swept parameters and the behaviour parameters (`analysis.discovery_behaviour`)"
            if plan.sweep.analysis.discovery_behaviour
            else f"the parameters the sweep varies ({'; '.join(own)})"
        )
        lines += [
            f"Scenario discovery (PRIM; Friedman and Fisher 1999, Bryant and Lempert 2010) over "
            f"{which}, run by run: the box with the largest coverage whose density reaches "
            f"{share(plan.sweep.analysis.prim_threshold)} (or the densest box when none does). "
            "Density is the share of runs in the box with the event, coverage the share of all "
            "events that fall in the box, mass the share of runs in the box.",
            "",
        ]
    for k, outcome in enumerate(shown):
        name = OUTCOME_EVENTS[outcome]
        also = same_as(summary, outcome)
        if k or outcome != "p_split":
            lines += ["", f"Where {name}s concentrate:", ""]
        found = [b for b in boxes if b.get("outcome", "p_split") == outcome]
        if outcome in skipped:
            lines.append(
                f"- No box: {OUTCOME_LABELS[outcome]} shows no detectable structure across the "
                "design (see the headline), so a box would only outline noise."
            )
        elif not found:
            lines.append(
                f"- No box: too few runs with (or without) a {name} for PRIM (fewer than 10), "
                "or nothing the sweep varies for a box to restrict."
            )
        for box in found:
            base = box.get("base_rate")
            rate = f" Over all runs: {share(base)}." if base is not None else ""
            lines.append(f"- {box['sentence']}.{rate}")
        if also:
            lines += [
                "",
                f"{listing_outcomes(also)} coincides with {OUTCOME_LABELS[outcome]}, so the "
                f"same holds for {'it' if len(also) == 1 else 'them'}.",
            ]
    return lines


def sensitivity_lines(
    plan: Plan,
    tables: Mapping[str, pd.DataFrame],
    labels: Mapping[str, str],
    summary: Mapping[str, Any],
) -> list[str]:
    """Lines of the sensitivity section: top rankings per outcome (coinciding ones once)."""
    tables = {o: t for o, t in tables.items() if shown_for(summary, o) == o}
    if not tables:
        return []
    lines = ["## Sensitivity", ""]
    kinds = {"sobol" if "ST" in t.columns else "morris" for t in tables.values()}
    if "sobol" in kinds:
        lines.append(
            "Sobol indices (Saltelli et al. 2010) of each outcome across design points: the "
            "total index ST is the share of the outcome's variance that involves the "
            "parameter, alone or in interactions; the first-order index S1 the share it "
            "explains alone. Each point's outcome is itself estimated from a finite number "
            "of runs, so sampling noise adds spurious variance; indices with intervals that "
            "reach zero are not distinguishable from none."
        )
    if "morris" in kinds:
        lines.append(
            "Morris elementary effects (Campolongo et al. 2007): μ* is the mean absolute "
            "change of the outcome when the parameter moves across its whole range (0–1 "
            "scale); σ, the spread of those changes, is large when the parameter acts through "
            "interactions or non-linearly."
        )
    if any((t["parameter"] == DUMMY).any() for t in tables.values()):
        lines += [
            "",
            "The design carries a dummy parameter that changes nothing (`analysis.noise_floor`; "
            "Zadeh et al. 2017): its index is what sampling noise alone produces, so a parameter "
            "ranked at or below it cannot be told from one without effect. The dummy's own "
            "index is an estimate too, so only a parameter whose 95% interval lies wholly "
            "above the floor is counted as clearing it.",
        ]
    for outcome, table in tables.items():
        kind = "sobol" if "ST" in table.columns else "morris"
        shown = min(TOP_SENSITIVITY, len(table))
        rank = "ST" if kind == "sobol" else "mu_star"
        floor = table.loc[table["parameter"] == DUMMY, rank]
        above = floor_sentence(table, rank, floor, labels)
        also = same_as(summary, outcome)
        same = (
            f" ({listing_outcomes(also)} coincides with it, so its indices are the same.)"
            if also
            else ""
        )
        lines += [
            "",
            f"{capital(outcome_name(plan, outcome))}: the {shown} most influential of "
            f"{len(table) - len(floor)} parameters{' and the dummy' if len(floor) else ''}."
            f"{above}{same}",
            "",
            sensitivity_table(table, kind, labels, TOP_SENSITIVITY),
        ]
    return lines


def listing_outcomes(outcomes: list[str]) -> str:
    """``"P(rupture)"``, ``"P(rupture) and ..."``."""
    return " and ".join(OUTCOME_LABELS.get(o, o) for o in outcomes)
