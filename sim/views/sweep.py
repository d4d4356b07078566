"""Figures and ``report.md`` of a finished sweep.

:func:`write_sweep_outputs` is what ``wedge sweep`` calls after
:func:`sim.experiments.sweep_analysis.analyse`: it reads the tables the analysis wrote
(``points.parquet``, ``time_to_split.csv``, ``sensitivity_<outcome>.csv``),
draws every figure the sweep's ``[analysis]`` asks for with
:mod:`sim.views.sweep_figures`, and writes a report that states the answer in words
first: how likely a split is over the design, where the best design point
lies, and where splits concentrate.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.engine.design import DUMMY
from sim.engine.sweep import Plan
from sim.formats import format_share, format_year
from sim.scenario.schema import Distribution
from sim.scenario.sweep import GridAxis
from sim.views.sweep_figures import (
    OUTCOME_EVENTS,
    OUTCOME_LABELS,
    plot_heatmap,
    plot_sensitivity,
    plot_time_to_split,
    save_figure,
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


# ------------------------------------------------------------------- words


def share(p: float | None) -> str:
    """A share of runs as a percentage, one decimal (``"23.1%"``), two digits below 0.1%.

    The project's format (:func:`sim.views.run.format_share`), except that a share
    below 0.1% keeps two significant digits (``"0.0083%"``) so that a rare event
    does not read as "0.0%".
    """
    if p is not None and 0 < p < 0.001:
        return f"{100 * p:.2g}%"
    return format_share(p)


def _of_runs(estimate: Mapping[str, float]) -> str:
    """``"5.7% of runs (95% interval ...)"``, or ``"none of the runs (...)"`` for zero."""
    if estimate["value"] == 0:
        return f"none of the runs (95% interval 0% to {share(estimate['high'])})"
    interval = _range(estimate["low"], estimate["high"])
    return f"{share(estimate['value'])} of runs (95% interval {interval})"


def _range(low: float, high: float) -> str:
    """A 95% interval of shares, ``"5.2%–6.2%"``."""
    return f"{share(low)}–{share(high)}"


def _split_words(plan: Plan, scenario: str) -> str:
    """What a split means in a scenario, with its actors' names."""
    inp = plan.inputs.get(scenario)
    if inp is None:
        return "a 1970s-style split"
    sc = inp.scenario
    names = {code: (actor.name or code) for code, actor in sc.actors.items()}
    a, b = (names.get(m, m) for m in sc.watch.partnership)
    c = names.get(sc.watch.third, sc.watch.third)
    return (
        f"a 1970s-style split (the {a}–{b} partnership ruptures, then the third power, "
        f"{c}, becomes the pivot between them or partners one of them)"
    )


def _value(v: float) -> str:
    """A parameter value with three significant digits, ``-0.546``, ``1``."""
    return f"{v:.3g}"


def _axis_range(axis: GridAxis | Distribution) -> str:
    """The values or the range of a swept parameter, in words."""
    if isinstance(axis, GridAxis):
        if axis.values:
            return ", ".join(_value(v) for v in axis.values)
        return f"uniform from {_value(axis.low)} to {_value(axis.high)}"  # type: ignore[arg-type]
    if axis.dist == "normal":
        text = f"normal, mean {_value(axis.mean)}, sd {_value(axis.sd)}"  # type: ignore[arg-type]
        if axis.low is not None or axis.high is not None:
            lo = _value(axis.low) if axis.low is not None else "-inf"
            hi = _value(axis.high) if axis.high is not None else "+inf"
            text += f", truncated to [{lo}, {hi}]"
        return text
    if axis.dist == "triangular":
        return (
            f"triangular from {_value(axis.low)} to {_value(axis.high)}, "  # type: ignore[arg-type]
            f"mode {_value(axis.mode)}"  # type: ignore[arg-type]
        )
    return f"{axis.dist} from {_value(axis.low)} to {_value(axis.high)}"  # type: ignore[arg-type]


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


CALIBRATION_KIND = "behaviour (calibration range)"


def _axis_kind(plan: Plan, axis: GridAxis | Distribution) -> str:
    """Lever (what a strategist chooses), uncertainty, or calibration parameter."""
    if any(axis is lever for lever in plan.sweep.levers):
        return "lever"
    if isinstance(axis, Distribution) and axis.source == "calibration range":
        return CALIBRATION_KIND
    return "uncertainty"


def design_sentence(plan: Plan, summary: Mapping[str, Any]) -> str:
    """One sentence on the design: kind, size, replicates, runs and seed.

    Parameters
    ----------
    plan : Plan
        The loaded sweep.
    summary : mapping
        Summary from :func:`sim.experiments.sweep_analysis.analyse`.

    Returns
    -------
    str
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


def headline_paragraph(plan: Plan, summary: Mapping[str, Any], points: pd.DataFrame) -> str:
    """The answer in plain words: P(split) and P(rupture) over the design, and the best point.

    Parameters
    ----------
    plan : Plan
        The loaded sweep (scenario titles, horizons, watched pairs).
    summary : mapping
        Summary from :func:`sim.experiments.sweep_analysis.analyse` (``overall``,
        ``parameters``, ``points``, ``failed_chunks``).
    points : DataFrame
        The per-point table, for the best point's interval.

    Returns
    -------
    str
        One paragraph per scenario, then a sentence on failed chunks if any,
        separated by blank lines. When no run split, it says so and why there is
        then no best point and no scenario discovery.
    """
    labels = summary.get("parameters") or {}
    overall = summary.get("overall") or {}
    parts = []
    if not overall:
        parts.append(
            "No run finished: every chunk of this sweep failed, so there is nothing to report."
        )
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
        words = [
            f"In {name}, over all {len(rows):,} design points ({runs:,} runs), "
            f"{_split_words(plan, scenario)} happened by {horizon} in {_of_runs(split)}; "
            f"the partnership ruptured in {_of_runs(rupture)}."
        ]
        if split["value"] == 0:
            words.append(
                f"No run split at any design point, so there is no best point and no box "
                f"where splits concentrate; with {runs:,} runs, P(split) over the design is "
                f"below {share(split['high'])} at 95% confidence."
            )
        else:
            best = entry["best_point"]
            row = rows[rows["point"] == best["point"]].iloc[0]
            named, hidden = named_parameters(plan)
            values = " and ".join(
                f"{labels.get(path, path)} = {_value(best['values'][path])}" for path in named
            )
            if hidden:
                values += f" (the other {hidden} parameters' values are in `points.csv`)"
            words.append(
                f"The design point with the highest P(split) is point {best['point']}, with "
                f"{values}: {share(best['p_split'])} of its {int(row['runs']):,} runs split "
                f"(95% interval {_range(row['p_split_low'], row['p_split_high'])}). "
                f"Being the largest of {len(rows):,} noisy estimates, this value more likely "
                f"overstates than understates that point's true P(split)."
            )
        parts.append(" ".join(words))
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
    points: pd.DataFrame, labels: Mapping[str, str], paths: list[str], top: int
) -> str:
    """Markdown table of the ``top`` design points by P(split) per scenario, with ``paths``."""
    head = ["scenario", "point", *(labels.get(p, p) for p in paths), "runs", "P(split) [95%]"]
    head += ["P(rupture) [95%]"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * 2 + " ---: |" * (len(head) - 2)]
    for _, rows in points.groupby("scenario", sort=False):
        for _, row in (
            rows.sort_values(["p_split", "point"], ascending=[False, True]).head(top).iterrows()
        ):
            cells = [str(row["scenario"]), str(int(row["point"]))]
            cells += [_value(float(row[p])) for p in paths]
            cells += [f"{int(row['runs']):,}"]
            cells += [
                f"{share(row[o])} [{_range(row[f'{o}_low'], row[f'{o}_high'])}]"
                for o in ("p_split", "p_rupture")
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


def _md_target(file_name: str) -> str:
    """A Markdown link target, in angle brackets when it holds spaces or brackets."""
    return f"<{file_name}>" if any(ch in file_name for ch in " ()<>") else file_name


def _slug(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


# ----------------------------------------------------------------- figures


def _draw_figures(
    plan: Plan, out: Path, summary: Mapping[str, Any], points: pd.DataFrame
) -> tuple[list[Path], list[tuple[str, str]]]:
    """Draw and save every figure the sweep asks for.

    Returns the files written and ``(png name, caption)`` for the report, in order.
    """
    sw = plan.sweep
    labels = summary.get("parameters") or {}
    scenarios = list(summary.get("scenarios") or plan.inputs)
    outcomes = list(dict.fromkeys(["p_split", *sw.outcomes]))
    horizons = {name: inp.scenario.time.horizon for name, inp in plan.inputs.items()}
    written: list[Path] = []
    figures: list[tuple[str, str]] = []

    def save(fig: Any, stem: str, caption: str) -> None:
        written.extend(save_figure(fig, out / stem))
        figures.append((f"{stem}.png", caption))

    present = set(points["scenario"]) if len(points) else set()
    for k, (x, y) in enumerate(sw.analysis.heatmap, start=1):
        for outcome in (o for o in outcomes if o in OUTCOME_EVENTS):
            for scenario in scenarios:
                if scenario not in present:
                    continue
                fig = plot_heatmap(
                    points, x, y, outcome, labels, scenario, horizon=horizons.get(scenario)
                )
                event = OUTCOME_EVENTS[outcome]
                save(
                    fig,
                    f"heatmap_{outcome}_{k}_{_slug(scenario)}",
                    f"{OUTCOME_LABELS[outcome]} by {format_year(horizons.get(scenario))} over "
                    f"{labels.get(x, x)} (horizontal) and {labels.get(y, y)} (vertical), "
                    f"scenario `{scenario}`. Each cell is the share of its runs with a {event} "
                    f"(pooled over whatever else the design varies), with its 95% Wilson "
                    f"interval; contours follow the cell edges at 10%, 50% and 90% where "
                    f"neighbouring cells straddle them.",
                )
    curves_file = out / "time_to_split.csv"
    if sw.analysis.group_by and curves_file.is_file():
        curves = pd.read_csv(curves_file, dtype={"group": str, "scenario": str})
        if len(curves):
            # The CSV keeps the analysis's group order as the order of first appearance.
            order = list(dict.fromkeys(curves["group"]))
            curves["group"] = pd.Categorical(curves["group"], categories=order, ordered=True)
            group = labels.get(sw.analysis.group_by, sw.analysis.group_by)
            horizon = max(horizons.values()) if horizons else None
            save(
                plot_time_to_split(curves, group, horizon=horizon),
                "time_to_split",
                f"Cumulative P(split) by year for each level of {group}, with 95% Wilson "
                f"bands; the legend gives P(split) by {format_year(horizon)}.",
            )
    for outcome in outcomes:
        table_file = out / f"sensitivity_{outcome}.csv"
        if not table_file.is_file():
            continue
        table = pd.read_csv(table_file)
        kind = "sobol" if "ST" in table.columns else "morris"
        what = (
            "Sobol total (ST) and first-order (S1) indices"
            if kind == "sobol"
            else "Morris mean absolute elementary effects μ* and their spread σ"
        )
        save(
            plot_sensitivity(table, outcome, kind, labels=labels),
            f"sensitivity_{outcome}",
            f"{what} of {OUTCOME_LABELS[outcome]} over the design, with bootstrap 95% "
            f"confidence intervals; the most influential parameters first.",
        )
    return written, figures


# ------------------------------------------------------------------ report


def write_sweep_outputs(plan: Plan, out: str | Path, summary: Mapping[str, Any]) -> list[Path]:
    """Draw every figure a sweep asks for and write its ``report.md``.

    Figures (PNG and SVG, in ``out``): one heat map per pair in
    ``analysis.heatmap``, per outcome (P(split) always, P(rupture) too when the
    sweep lists it) and per base scenario; the time-to-split curves when
    ``analysis.group_by`` is set; sensitivity bars for each
    ``sensitivity_<outcome>.csv`` the analysis wrote (Sobol and Morris designs).

    The report states the answer first, in words (P(split) over the design with
    its 95% interval, the best design point and its values, failed chunks),
    then the design, the best points, the figures with captions, the PRIM boxes
    where splits concentrate (scenario discovery) and the sensitivity rankings.
    A sweep without any split still gets its heat maps and a report saying so.

    Parameters
    ----------
    plan : Plan
        The loaded sweep (:func:`sim.engine.sweep.load_sweep`).
    out : str or Path
        The sweep's folder, holding the analysis's tables.
    summary : mapping
        What :func:`sim.experiments.sweep_analysis.analyse` returned.

    Returns
    -------
    list of Path
        Every file written: the figures (PNG, SVG) then ``report.md``.
    """
    out = Path(out)
    points = pd.read_parquet(out / "points.parquet")
    written, figures = _draw_figures(plan, out, summary, points)
    sw = plan.sweep
    labels = summary.get("parameters") or {}
    title = summary.get("title") or sw.title or sw.name
    scenarios = summary.get("scenarios") or list(plan.inputs)
    parts = [
        f"# {title}",
        "",
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
    if len(points) and (points["p_split"] > 0).any():
        named, hidden = named_parameters(plan)
        parts += [
            "",
            f"## Best design points (up to {TOP_POINTS} with a split, per scenario)",
            "",
            best_points_table(points[points["p_split"] > 0], labels, named, TOP_POINTS),
        ]
        if hidden:
            parts += ["", f"The values of the other {hidden} swept parameters are in `points.csv`."]
    if figures:
        parts += ["", "## Figures"]
        for number, (file_name, caption) in enumerate(figures, start=1):
            alt = f"Figure {number}: {Path(file_name).stem.replace('_', ' ')}"
            parts += ["", f"![{alt}]({_md_target(file_name)})", "", f"*Figure {number}. {caption}*"]
    parts += ["", *_discovery_section(plan, summary)]
    sensitivity = _sensitivity_section(out, labels)
    if sensitivity:
        parts += ["", *sensitivity]
    path = out / "report.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8", newline="\n")
    return [*written, path]


def _discovery_section(plan: Plan, summary: Mapping[str, Any]) -> list[str]:
    """Lines of the "Where splits concentrate" section (PRIM boxes as bullet points)."""
    lines = ["## Where splits concentrate", ""]
    boxes = summary.get("discovery")
    overall = summary.get("overall") or {}
    no_split = all(e["p_split"]["value"] == 0 for e in overall.values())
    if no_split:
        return [*lines, "No run split, so there is nowhere for splits to concentrate."]
    if not plan.sweep.analysis.discovery:
        return [*lines, "Scenario discovery was not asked for (`analysis.discovery = false`)."]
    lines.append(
        "Scenario discovery (PRIM; Friedman and Fisher 1999, Bryant and Lempert 2010) over the "
        "swept and sampled parameters of every run: the box with the largest coverage whose "
        f"density reaches {share(plan.sweep.analysis.prim_threshold)} (or the densest box "
        "when none does). Density is the share of runs in the box with the event, coverage "
        "the share of all events that fall in the box, mass the share of runs in the box."
    )
    lines.append("")
    if not boxes:
        return [
            *lines,
            "- Too few runs with (or without) the event for PRIM (fewer than 10): no box.",
        ]
    for outcome in OUTCOME_EVENTS:
        found = [b for b in boxes if b.get("outcome", "p_split") == outcome]
        if not found:
            continue
        if outcome != "p_split":
            lines += ["", f"Where {OUTCOME_EVENTS[outcome]}s concentrate:", ""]
        for box in found:
            base = box.get("base_rate")
            rate = f" Over all runs: {share(base)}." if base is not None else ""
            lines.append(f"- {box['sentence']}.{rate}")
    return lines


def _floor_sentence(
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


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sensitivity_section(out: Path, labels: Mapping[str, str]) -> list[str]:
    """Lines of the sensitivity section: top rankings per outcome, from the CSV tables."""
    tables = []
    for outcome in OUTCOME_LABELS:
        path = out / f"sensitivity_{outcome}.csv"
        if path.is_file():
            tables.append((outcome, pd.read_csv(path)))
    if not tables:
        return []
    lines = ["## Sensitivity", ""]
    kinds = {"sobol" if "ST" in t.columns else "morris" for _, t in tables}
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
    if any((t["parameter"] == DUMMY).any() for _, t in tables):
        lines += [
            "",
            "The design carries a dummy parameter that changes nothing (`analysis.noise_floor`; "
            "Zadeh et al. 2017): its index is what sampling noise alone produces, so a parameter "
            "ranked at or below it cannot be told from one without effect. The dummy's own "
            "index is an estimate too, so only a parameter whose 95% interval lies wholly "
            "above the floor is counted as clearing it.",
        ]
    for outcome, table in tables:
        kind = "sobol" if "ST" in table.columns else "morris"
        shown = min(TOP_SENSITIVITY, len(table))
        rank = "ST" if kind == "sobol" else "mu_star"
        floor = table.loc[table["parameter"] == DUMMY, rank]
        above = _floor_sentence(table, rank, floor, labels)
        lines += [
            "",
            f"{_capital(OUTCOME_LABELS[outcome])}: the {shown} most influential of "
            f"{len(table) - len(floor)} parameters{' and the dummy' if len(floor) else ''}."
            f"{above}",
            "",
            sensitivity_table(table, kind, labels, TOP_SENSITIVITY),
        ]
    return lines
