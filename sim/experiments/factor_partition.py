"""Which scenario fields make up each of Bekkevold's five factors, and which are situation.

Bekkevold (2024) compares today's Sino-Russian alignment with the 1950s alliance on
five factors: geopolitics, economics, ideology, leadership and institutions. The
five-factor experiment (:mod:`sim.experiments.factors`) sets each factor of one era to
its value in the other, so it needs to know which fields of a scenario file make up
each factor. That is data, :data:`PARTITION`: every field belongs to exactly one
factor or is *situation* (where the relations start, time, the base's own shocks,
levers, labels, behaviour), each with a one-line reason. :func:`partition_problems`
checks the partition against the scenario schema, so a new field cannot be forgotten,
and :func:`partition_markdown` prints it for ``docs/ODD.md``.

References: J. I. Bekkevold, "The Beijing-Moscow Axis Is Much Stronger This Time
Around", *Foreign Policy*, 8 Oct 2024; Walt (1987) for the geopolitical terms.
"""

from __future__ import annotations

from pydantic import BaseModel

from sim.scenario.schema import Actor, Pair, Scenario

FACTORS: tuple[str, ...] = ("geopolitics", "economics", "ideology", "leadership", "institutions")
"""Bekkevold's (2024) five factors, in his order."""

SITUATION = "situation"
"""Marker of a field that is not a factor: it stays with the base scenario."""

ALL_FIVE = "all five"
"""Label of the case with every factor transplanted."""

BASE = "base"
"""Label of the case with no factor transplanted."""

PARTITION: dict[str, dict[str, tuple[str, str]]] = {
    "scenario": {
        "name": (SITUATION, "a label; each case gets its own name"),
        "title": (SITUATION, "a label; each case gets its own title"),
        "description": (SITUATION, "a label; each case notes what was transplanted"),
        "calibration": (
            SITUATION,
            "behaviour is shared by both eras: the experiment changes situations, not how "
            "states behave",
        ),
        "calibration_uncertainty": (SITUATION, "how behaviour is sampled, shared like behaviour"),
        "behaviour": (SITUATION, "explicit behaviour overrides stay with the base, like behaviour"),
        "time": (SITUATION, "each direction keeps its base's start, step and horizon"),
        "watch": (SITUATION, "the partnership and third power measured, the same in both eras"),
        "outcomes": (SITUATION, "the definitions of aligned, hostile, rupture and split"),
        "shocks": (
            SITUATION,
            "the base's own dated events (the hindcast's exogenous history) act on top of the "
            "transplanted values",
        ),
        "levers": (SITUATION, "a wedge strategy is the policy under test, not a factor"),
        "uncertain": (
            SITUATION,
            "each entry follows the field it names: one on a factor field moves with that "
            "factor; those on behaviour, shocks and levers stay",
        ),
    },
    "actors": {
        "name": (SITUATION, "a label"),
        "source": (SITUATION, "a citation"),
        "capability": (
            "geopolitics",
            "Walt's aggregate power: the distribution of capability among the three "
            "(rescaled to the destination's total)",
        ),
        "growth": ("geopolitics", "who is rising and who declining: the trend of the power shares"),
        "volatility": ("geopolitics", "the yearly noise of the same power process"),
        "offensive": ("geopolitics", "Walt's offensive capability: the means to threaten"),
        "salience": (
            "ideology",
            "how much doctrine weighs in foreign policy: high in the 1950s, low now",
        ),
        "leader_hazard": (
            "leadership",
            "how often leaders change in calm times; a change resets personal trust",
        ),
        "instability": (
            "leadership",
            "regime instability multiplies the hazard of a change of leader",
        ),
        "distress": ("economics", "economic distress: the need for aid and help to recover"),
        "patronage": (
            "economics",
            "willingness to pay to keep partners: aid, help in distress, counter-bids",
        ),
    },
    "pairs": {
        "source": (SITUATION, "a citation"),
        "relation": (
            SITUATION,
            "where the relationship starts is what the factors act on, not a factor",
        ),
        "stance": (SITUATION, "the initial stances, like the relation"),
        "proximity": ("geopolitics", "Walt's proximity: a long shared land border"),
        "reach": (
            "geopolitics",
            "power projection toward the other: a Soviet standing threat to China then, "
            "China's limited reach toward Russia now",
        ),
        "disputes": (
            "geopolitics",
            "territorial and strategic stakes (Manchuria then; Taiwan, Ukraine, Central Asia now)",
        ),
        "fear": (
            "geopolitics",
            "threat beyond Walt's terms, such as Russian fear for the Far East",
        ),
        "dependence": (
            "economics",
            "one-way Soviet aid then; Russian energy for Chinese technology and markets now",
        ),
        "sanctions": (
            "economics",
            "sanctions cut trade with the sanctioner and divert it to the remaining partner",
        ),
        "ideology_distance": ("ideology", "how far the two doctrines are apart"),
        "doctrinal_rivalry": (
            "ideology",
            "the contest to lead the same camp (Mao against Khrushchev's reforms)",
        ),
        "trust": (
            "leadership",
            "leaders' personal trust: Mao humiliated in 1949-50 against 40+ Xi-Putin meetings",
        ),
        "institutions": (
            "institutions",
            "summits, consultations, joint exercises, exchanges: thin then, wide now",
        ),
    },
}
"""Every scenario field, by table: ``field -> (factor or "situation", reason)``.

``scenario`` holds the top-level fields other than the ``actors`` and ``pairs``
tables, whose fields are listed under ``actors`` and ``pairs``. The grouping follows
Bekkevold (2024) and BRIEF section 1. Shocks, levers, time and the other nested
tables are situation as a whole.
"""

SCHEMA: dict[str, type[BaseModel]] = {"actors": Actor, "pairs": Pair}
"""The schema model of each table of :data:`PARTITION` other than ``scenario``."""


def partition_problems() -> list[str]:
    """Mismatches between :data:`PARTITION` and the scenario schema; empty when it is complete.

    Each problem is a sentence naming the table and field: a schema field that belongs
    to no factor, a listed field the schema does not have, or an unknown factor name.
    """
    problems = []
    expected = {
        "scenario": set(Scenario.model_fields) - set(SCHEMA),
        **{table: set(model.model_fields) for table, model in SCHEMA.items()},
    }
    for table, fields in expected.items():
        listed = PARTITION.get(table, {})
        for name in sorted(fields - set(listed)):
            problems.append(f"{table}.{name}: in the schema but in no factor nor situation")
        for name in sorted(set(listed) - fields):
            problems.append(f"{table}.{name}: listed but not in the schema")
        for name, (factor, _) in listed.items():
            if factor not in (*FACTORS, SITUATION):
                problems.append(f"{table}.{name}: unknown factor {factor!r}")
    for table in sorted(set(PARTITION) - set(expected)):
        problems.append(f"{table}: not a table of the scenario schema")
    return problems


def fields_of(factor: str) -> dict[str, tuple[str, ...]]:
    """The actor and pair fields of one factor: ``{"actors": (...), "pairs": (...)}``."""
    if factor not in FACTORS:
        raise ValueError(f"unknown factor {factor!r}; factors: {', '.join(FACTORS)}")
    return {
        table: tuple(name for name, (f, _) in PARTITION[table].items() if f == factor)
        for table in SCHEMA
    }


def path_factor(path: str) -> str:
    """The factor an ``[[uncertain]]`` path belongs to, or ``"situation"``.

    ``actors.RUS.growth`` is geopolitics, ``pairs.CHN-RUS.trust.CHN`` leadership;
    behaviour parameters, ``shocks.*`` and ``levers.*`` are situation.
    """
    parts = path.split(".")
    if parts[0] in SCHEMA and len(parts) >= 3:
        return PARTITION[parts[0]].get(parts[2], (SITUATION, ""))[0]
    return SITUATION


def path_actors(path: str) -> set[str]:
    """The actor codes an ``actors.*`` or ``pairs.*`` path is about."""
    parts = path.split(".")
    if parts[0] == "actors":
        return {parts[1]}
    if parts[0] == "pairs":
        return set(parts[1].split("-"))
    return set()


def partition_markdown() -> str:
    """The partition as a Markdown table (factor, fields, reasons), for ``docs/ODD.md``."""
    lines = ["| factor | scenario fields | why there |", "| --- | --- | --- |"]
    for factor in (*FACTORS, SITUATION):
        for table in ("actors", "pairs", "scenario"):
            for name, (f, reason) in PARTITION[table].items():
                if f == factor:
                    where = name if table == "scenario" else f"{table}.{name}"
                    lines.append(f"| {factor} | `{where}` | {reason} |")
    return "\n".join(lines)
