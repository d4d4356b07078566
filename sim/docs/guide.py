"""From data to the model's scales: the guide section of the scenario reference.

Analysts ask what "mildly positive" is on the relation scale, what trade share a
dependence of 0.2 is, what a Freedom House gap makes in ideological distance. The
answers are data in :mod:`sim.docs.guide_data`, one entry per situational field;
this module adds the values the shipped scenarios actually use, read from the files
each time (:func:`reference_values`), and renders both as Markdown
(:func:`scale_guide_markdown`): a section "From data to the model's scales" and a
section "Leader changes".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.docs.guide_data import ACTOR_GUIDE, GUIDE, PAIR_GUIDE, RELATION_SCALE, FieldGuide
from sim.markdown import table_cell
from sim.model.setup import ACTOR_FIELDS, DIRECTED_DEFAULTS, DIRECTED_FIELDS, SYMMETRIC_FIELDS
from sim.paths import SCENARIOS
from sim.scenario.calibration import load_calibration
from sim.scenario.errors import InputError
from sim.scenario.forms import initial
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Actor, Outcomes, Pair, Scenario

CALIBRATION_FILE = "calibration.toml"
"""The shared calibration in the scenarios folder: not a scenario, never listed."""


@dataclass(frozen=True)
class ReferenceValue:
    """One value of a situational field in a shipped scenario.

    Attributes
    ----------
    field
        The field (``relation`` and ``stance`` are listed apart).
    scenario
        The file, relative to the scenarios folder, without ``.toml``.
    where
        An actor (``CHN``), a pair as keyed in the file (``CHN-RUS``), or one side
        of a pair, ``A→B``: A's value toward B (A's dependence on B, A's sanctions on B).
    value
        The value at the scenario's start, in the field's unit.
    sampled
        ``(low, high)`` when the scenario samples the value, else ``None``.
    path
        Whether the value follows a time path (``value`` is then its value at the start).
    """

    field: str
    scenario: str
    where: str
    value: float
    sampled: tuple[float, float] | None = None
    path: bool = False


# -- the shipped scenarios and their values --------------------------------------------------
def shipped_scenarios(folder: Path = SCENARIOS) -> list[tuple[str, Scenario]]:
    """Every scenario in ``folder`` (``*.toml``, then ``history/*.toml``), by label.

    The label is the file's path inside ``folder`` without ``.toml``
    (``history/sino_soviet_1949``). The calibration file is skipped, and so is any
    file that does not load as a scenario (one without ``actors`` fails
    validation), so a half-written file never breaks the reference.
    """
    files = sorted(folder.glob("*.toml")) + sorted((folder / "history").glob("*.toml"))
    out = []
    for path in files:
        if path.name == CALIBRATION_FILE:
            continue
        try:
            scenario = load_scenario(path)
        except InputError:
            continue
        out.append((path.relative_to(folder).with_suffix("").as_posix(), scenario))
    return out


def _path_key(path: str) -> tuple[str, ...]:
    """An uncertain path with a pair's members sorted, so both spellings of a pair match."""
    parts = path.split(".")
    if parts[0] == "pairs" and len(parts) >= 3:
        parts[1] = "-".join(sorted(parts[1].split("-")))
    return tuple(parts)


def _sampled(scenario: Scenario) -> dict[tuple[str, ...], tuple[float, float]]:
    """Uncertain situation values with both bounds: path key -> ``(low, high)``."""
    return {
        _path_key(d.parameter): (d.low, d.high)
        for d in scenario.uncertain
        if d.low is not None and d.high is not None
    }


def _scenario_values(label: str, scenario: Scenario) -> list[ReferenceValue]:
    """The values a scenario sets (itself or through ``extends``); defaults are not listed."""
    sampled = _sampled(scenario)
    start = scenario.time.start
    rows = []

    def add(field: str, where: str, value: Any, path: str | None) -> None:
        at = sampled.get(_path_key(path)) if path is not None else None
        follows = not isinstance(value, int | float)
        rows.append(ReferenceValue(field, label, where, initial(value, start), at, follows))

    for code, actor in scenario.actors.items():
        for field in ACTOR_FIELDS:
            if field in actor.model_fields_set:
                add(field, code, getattr(actor, field), f"actors.{code}.{field}")
    for key, pair in scenario.pairs.items():
        a, b = key.split("-")
        if "relation" in pair.model_fields_set:
            add("relation", key, pair.relation, None)
        for field in SYMMETRIC_FIELDS:
            if field in pair.model_fields_set:
                add(field, key, getattr(pair, field), f"pairs.{key}.{field}")
        for field in DIRECTED_FIELDS:
            for who, value in getattr(pair, field).items():
                other = b if who == a else a
                add(field, f"{who}→{other}", value, f"pairs.{key}.{field}.{who}")
    return rows


def reference_values(
    shipped: Iterable[tuple[str, Scenario]] | None = None,
) -> dict[str, list[ReferenceValue]]:
    """The values the shipped scenarios give each situational field, field -> rows.

    Parameters
    ----------
    shipped
        ``(label, scenario)`` pairs; default: :func:`shipped_scenarios`.

    Returns
    -------
    dict
        Every field of :data:`~sim.model.setup.ACTOR_FIELDS`,
        :data:`~sim.model.setup.SYMMETRIC_FIELDS`, ``relation`` and
        :data:`~sim.model.setup.DIRECTED_FIELDS`, each with its rows in file order
        (an empty list when no scenario sets it).
    """
    out: dict[str, list[ReferenceValue]] = {
        f: [] for f in (*ACTOR_FIELDS, "relation", *SYMMETRIC_FIELDS, *DIRECTED_FIELDS)
    }
    for label, scenario in shipped_scenarios() if shipped is None else shipped:
        for row in _scenario_values(label, scenario):
            out[row.field].append(row)
    return out


def scheduled_leader_changes(
    shipped: Iterable[tuple[str, Scenario]],
) -> list[tuple[list[str], str, str, float, float, tuple[float, float] | None]]:
    """Shocks that may remove a leader: ``(scenarios, shock, actor, year, chance, sampled)``.

    A succession (``successor``) always brings a new leader, so its chance is 1. A
    shock shared by several scenarios (through ``extends``) is listed once, with
    every scenario that has it.
    """
    found: dict[tuple[Any, ...], list[str]] = {}
    for label, scenario in shipped:
        sampled = _sampled(scenario)
        for s in scenario.shocks:
            chance = 1.0 if s.successor is not None else s.leader_change
            if chance > 0:
                at = sampled.get(("shocks", s.name, "leader_change"))
                found.setdefault((s.name, s.actor, s.year, chance, at), []).append(label)
    return [(labels, *key) for key, labels in found.items()]


# -- Markdown --------------------------------------------------------------------------------
def _num(value: float) -> str:
    """A number as written in a file: ``0.25``, ``-0.78``, ``1``."""
    return f"{value:g}"


def _signed(value: float) -> str:
    """A relation with its sign: ``+0.25``, ``-0.78``, ``0``."""
    return f"{value:+g}" if value else "0"


def _range(entry: FieldGuide) -> str:
    """``[0, 1]`` or ``(0, 1]``."""
    return f"{'(' if entry.low_open else '['}{_num(entry.low)}, {_num(entry.high)}]"


def _kind(entry: FieldGuide) -> str:
    """Where the field lives, for the summary table."""
    if entry.name == "relation":
        return "pair (`stance`: directed)"
    if entry.name in ACTOR_FIELDS:
        return "actor"
    return "pair, directed" if entry.name in DIRECTED_FIELDS else "pair"


def _placement(entry: FieldGuide) -> str:
    """Where and how the field is written in a scenario file."""
    if entry.name == "relation":
        return (
            "in `[pairs.A-B]`: `relation` once per pair, `stance = { A = ... }` for one side "
            "that differs"
        )
    if entry.name in ACTOR_FIELDS:
        return "in `[actors.ID]`"
    if entry.name in DIRECTED_FIELDS:
        return f"in `[pairs.A-B]`, one value per side: `{entry.name} = {{ A = ..., B = ... }}`"
    return "in `[pairs.A-B]`, one value per pair"


def _default(field: str) -> str:
    """The value a scenario gets when it leaves the field out."""
    if field in DIRECTED_DEFAULTS:
        return _num(DIRECTED_DEFAULTS[field])
    model = Actor if field in ACTOR_FIELDS else Pair
    info = model.model_fields[field]
    return "required" if info.is_required() else _num(info.default)


def _rows_of(entry: FieldGuide, values: dict[str, list[ReferenceValue]]) -> list[ReferenceValue]:
    return [row for field in entry.fields for row in values[field]]


def _value_text(row: ReferenceValue) -> str:
    text = f"{row.where} {_num(row.value)}"
    if row.field == "stance":
        text = "stance " + text
    if row.sampled is not None:
        text += f" (sampled {_num(row.sampled[0])} to {_num(row.sampled[1])})"
    if row.path:
        text += " (a time path: its value at the start)"
    return text


def shipped_values_text(rows: list[ReferenceValue]) -> str:
    """The rows as text, one clause per scenario; scenarios with equal values share one."""
    by_scenario: dict[str, list[str]] = {}
    for row in rows:
        by_scenario.setdefault(row.scenario, []).append(_value_text(row))
    groups: dict[str, list[str]] = {}
    for scenario, texts in by_scenario.items():
        groups.setdefault(", ".join(texts), []).append(scenario)
    return "; ".join(
        f"{', '.join(f'`{s}`' for s in scenarios)}: {text}" for text, scenarios in groups.items()
    )


def _spread(entry: FieldGuide, rows: list[ReferenceValue]) -> str:
    """The shipped values' span for the summary table."""
    if not rows:
        return f"none set (default {_default(entry.name)})"
    low = min(r.value for r in rows)
    high = max(r.value for r in rows)
    return _num(low) if low == high else f"{_num(low)} to {_num(high)}"


def _summary_table(values: dict[str, list[ReferenceValue]]) -> str:
    rows = [
        "| field | kind | range | derived from | scale | shipped values |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for entry in (*ACTOR_GUIDE, *PAIR_GUIDE):
        name = " / ".join(f"`{f}`" for f in entry.fields)
        anchor = "relation-and-stance" if entry.name == "relation" else entry.name
        scale = "judgement" if entry.judgement else "data"
        if entry.convention:
            scale += " (project convention)"
        cells = [
            f"[{name}](#{anchor})",
            _kind(entry),
            _range(entry),
            entry.source,
            scale,
            _spread(entry, _rows_of(entry, values)),
        ]
        rows.append("| " + " | ".join(table_cell(c) for c in cells) + " |")
    return "\n".join(rows)


def relation_scale_rows() -> list[tuple[float, str, str]]:
    """The verbal scale, ``(value, reading, where it is fixed)``, by value.

    The shipped points of :data:`~sim.docs.guide_data.RELATION_SCALE`, the outcome
    thresholds (the defaults of ``[outcomes]``) and neutral (the default relation).
    """
    outcomes = Outcomes.model_fields
    points = [
        (
            p.value,
            p.reading,
            "scale bound" if p.anchor is None else f"`{p.anchor.scenario}`, {p.anchor.where}",
        )
        for p in RELATION_SCALE
    ]
    points += [
        (
            outcomes["hostile"].default,
            "the hostile threshold: at or below, the pair counts as hostile; a pair aligned "
            "before that stays there `persistence` years has ruptured (BRIEF section 4)",
            "`[outcomes] hostile` default",
        ),
        (
            Pair.model_fields["relation"].default,
            "neutral: neither aligned nor hostile",
            "`relation` default (a pair the scenario does not list)",
        ),
        (
            outcomes["aligned"].default,
            "the aligned threshold: at or above, the pair counts as aligned",
            "`[outcomes] aligned` default",
        ),
    ]
    return sorted(points)


def _relation_scale() -> str:
    rows = ["| relation | reads as | fixed by |", "| --- | --- | --- |"]
    rows += [
        f"| {_signed(v)} | {table_cell(text)} | {table_cell(where)} |"
        for v, text, where in relation_scale_rows()
    ]
    return "\n".join(rows)


def _field_section(entry: FieldGuide, values: dict[str, list[ReferenceValue]]) -> list[str]:
    title = " and ".join(f"`{f}`" for f in entry.fields)
    rows = _rows_of(entry, values)
    scale = (
        f"**Scale: a judgement.** {entry.note} The shipped values below are the reference points."
        if entry.judgement
        else f"**Scale: data.** {entry.note}"
    )
    out = [
        f"### {title}",
        "",
        f"*{entry.unit}; range {_range(entry)}; {_placement(entry)}.*",
        "",
        f"- **From data.** {entry.data}",
    ]
    if entry.convention:
        out.append(f"- **Project convention, not a standard.** {entry.convention}")
    out += [
        f"- **Worked example.** {entry.example}",
        f"- **Extremes.** {entry.extremes}",
        f"- {scale}",
        "- **Shipped values.** "
        + (shipped_values_text(rows) + "." if rows else f"none: every scenario uses the "
           f"default, {_default(entry.name)}."),
        "",
    ]  # fmt: skip
    return out


def _leader_section(shipped: list[tuple[str, Scenario]], folder: Path) -> list[str]:
    b = load_calibration(folder / CALIBRATION_FILE).values()
    multiplier = 1 + 0.1 * b["instability_hazard"]
    changes = ["| scenarios | shock | actor | year | chance it removes the leader |"]
    changes.append("| --- | --- | --- | --- | --- |")
    for labels, name, actor, year, chance, sampled in scheduled_leader_changes(shipped):
        odds = _num(chance)
        if sampled is not None:
            odds += f" (sampled {_num(sampled[0])} to {_num(sampled[1])})"
        scenarios = ", ".join(f"`{s}`" for s in labels)
        changes.append(f"| {scenarios} | `{name}` | {actor} | {year:g} | {odds} |")
    hazards = shipped_values_text(reference_values(shipped)["leader_hazard"])
    return [
        "## Leader changes",
        "",
        "A change of leader resets trust, both ways, in every pair that involves the state: "
        f"toward `trust_reset` ({b['trust_reset']:.2f} at the shipped calibration's point "
        f"value), keeping a share `trust_carryover` ({b['trust_carryover']:.2f}) of the old "
        "record's distance from it. "
        f"The new leader's first decision closes a share `leader_reset` "
        f"({b['leader_reset']:.2f}) of the gap to the stances it wants (ODD 7.4, 7.6). "
        "Changes come two ways, and both run in the same scenario:",
        "",
        "- **drawn**: every state's leader changes at random, with hazard `leader_hazard` "
        "× (1 + `instability_hazard` × `instability`) per year. At the point value "
        f"`instability_hazard` = {b['instability_hazard']:.3g}, an instability of 0.1 "
        f"multiplies the calm-time hazard by {multiplier:.1f};",
        "- **scheduled**: a shock with `leader_change = p` removes the leader in a share p "
        "of worlds, on its date.",
        "",
        "**When to schedule one.**",
        "",
        "- *Hindcast: yes, for known dates.* A change that history dates, and that is a driver "
        "from outside the relations being modelled, is a `leader_change = 1.0` shock on its "
        "dated exogenous row. Set that state's `leader_hazard` to a small residual, so the "
        "scheduled changes do not count twice. A change the model is meant to explain (an "
        "`outcome` row) is never scheduled. `history/sino_soviet_1949` schedules Stalin's "
        "death and Khrushchev's removal and gives the USSR a hazard of 0.02; it leaves US "
        "presidents to the hazard (0.19), so their number over the period is right on "
        "average and their dates are random.",
        "- *Forecast: no, for elections.* `leader_hazard` already draws changes at the yearly "
        "rate, so a scheduled election would count them twice. Schedule a date only when the "
        "change is certain and matters, such as a term limit that ends a tenure on a known "
        "day. The hazard keeps running beside it, so lower the hazard if the scheduled "
        "change is part of the rate you measured.",
        "- *Uncertain falls.* When an event may or may not topple a leader, give its shock a "
        "`leader_change` below 1 and, if the odds are unclear, sample them. The instability "
        "the shock adds raises the hazard in the years after.",
        "- *Rules that change.* When the calm-time rate itself changes (a term limit "
        "introduced or abolished), change `leader_hazard` with a shock or give it a time "
        "path, rather than scheduling the changes it would bring. A succession (a shock "
        "with `successor`, a state that changes shape) always brings a new leader.",
        "",
        "Shocks in the shipped scenarios that may remove a leader:",
        "",
        "\n".join(changes),
        "",
        "**Setting `leader_hazard` from tenure data.** Count the changes of leader in a "
        "comparable period (Archigos, Goemans, Gleditsch and Chiozza 2009, or official "
        "records) and divide by the years: about 1 / mean tenure in years. For example, "
        "the five changes of US president in the 26 years 1949-1975 (1953, 1961, 1963, "
        "1969, 1974) give 5 / 26 = 0.19 in `history/sino_soviet_1949`. Leave out the changes "
        "you schedule. For a leader with no term limit and no change in the years at hand, "
        "the small residual hazard is a judgement. Shipped values: " + hazards + ".",
        "",
    ]


def scale_guide_markdown(folder: Path = SCENARIOS) -> str:
    """Markdown sections "From data to the model's scales" and "Leader changes".

    Parameters
    ----------
    folder
        The scenarios folder whose files give the reference values and whose
        ``calibration.toml`` gives the point values quoted under leader changes.

    Returns
    -------
    str
        Two level-2 sections for the scenario reference: a verbal scale for
        relations, a summary table of every situational field, one sub-section per
        field (unit, data, project convention if any, worked example, extremes, whether
        the scale is a judgement, shipped values), then leader changes.
    """
    shipped = shipped_scenarios(folder)
    values = reference_values(shipped)
    missing = sorted(set(values) - set(GUIDE))
    if missing:
        raise KeyError(f"no guide entry for {', '.join(missing)}")
    out = [
        "## From data to the model's scales",
        "",
        "Every situational value of a scenario file is on a scale of the model's own: a "
        "share of world capability, a relation from -1 to +1, an intensity from 0 to 1. "
        "This section says, field by field, how to get from public data to that scale, with "
        "a worked example from the shipped scenarios, what the ends of the scale mean, and "
        "where the scale is a judgement. A judgement is not a guess: it is a value placed "
        "against the shipped scenarios' values, listed under each field and read from the "
        "files, so they are always current. Where the project maps data onto a scale by a "
        "rule of its own (COPDAB to a relation, a trade share to a dependence), the rule is "
        "marked as the project's convention: none of them is a standard of the literature. "
        "Say what you did in the actor's or pair's `source`.",
        "",
        "In pair fields, `A→B` is A's value toward B: A's dependence on B, A's sanctions on "
        "B, A's reach toward B.",
        "",
        "### A verbal scale for relations",
        "",
        "Relations and stances run from -1 (hostile) to +1 (allied). The outcome thresholds "
        "are the defaults of `[outcomes]`; the other points are values in the shipped files.",
        "",
        _relation_scale(),
        "",
        "### Summary",
        "",
        _summary_table(values),
        "",
    ]
    for entry in (*ACTOR_GUIDE, *PAIR_GUIDE):
        out += _field_section(entry, values)
    out += _leader_section(shipped, folder)
    return "\n".join(out).rstrip() + "\n"
