"""The five-factor experiment: swap Bekkevold's factors between the 1950s and today.

Bekkevold (2024) argues that today's Sino-Russian alignment is much stronger than the
1950s Sino-Soviet alliance on five factors: geopolitics, economics, ideology,
leadership and institutions (BRIEF section 5). The experiment tests that argument
computationally in two directions:

- from the present scenario (``baseline_2024``), set each factor in turn, then all
  five together, to its value in the past scenario (the 1949 hindcast);
- from the past scenario, set each factor in turn, then all five, to today's value.

Each direction has seven cases (the base, each factor alone, all five), run with the
same seed, so world ``w`` of every case draws the same behaviour parameters and the
same noise as world ``w`` of the base (common random numbers): differences between
cases come from the factor, and a paired exact test (McNemar) says whether they
exceed chance.

**What a factor is** is data, :data:`PARTITION`: every field of a scenario file
belongs to exactly one factor or is *situation* (where the relations start, time,
the base's own shocks, levers, labels, behaviour), each with a one-line reason; the
tests check the partition against the schema, so a new field cannot be forgotten.
Only the initial state is transplanted; the base keeps its horizon, its scheduled
shocks (which act on top of the transplanted values) and the shared calibration.

**Mapping and rescaling.** Actors are mapped by code: the destination's watched
triad (``USA``, ``CHN``, ``RUS``; ``RUS`` is the USSR in 1949) must exist in the
donor, and the factor's fields of those three actors and their three pairs are
copied. Every field is on the same scale in both eras (shares on [0, 1], rates per
year, each with the same meaning), so it is copied unchanged, with one exception:
**capability** is a share of *world* capability, and the three held 55% of it in 1949
against 40% in 2022. The donor's three shares are multiplied by one factor so that
their sum equals the destination's sum: the distribution of power among the three
moves to the donor's, the three's weight in the world stays the destination's (and
no share can exceed 1). Every mechanism compares capabilities within a pair as ratios
(Walt's aggregate power ``C_j / (C_i + C_j)``, parity, patrons' weight, levers'
need), so inside the triangle the rescaling changes nothing; it keeps the shares of
any other actor meaningful. An uncertain range on a capability is rescaled likewise.

**Uncertain values follow their field**: an ``[[uncertain]]`` entry on a factor field
of the mapped actors or pairs moves with the factor (the destination's entry is
dropped, the donor's added), so "1949 with today's geopolitics" gets today's
uncertain ranges of Russian fear of China and of China's growth, and "2024 with
the geopolitics of 1949" loses them; entries on behaviour parameters, shocks and
levers stay with the base.

Modified scenarios are built as data, never as code: the base file's merged content
(:func:`sim.scenario.loader.scenario_dict`) with the factor's entries replaced,
validated by the same pydantic :class:`~sim.scenario.schema.Scenario` and uncertain-
parameter checks as any scenario file, with the base's calibration.

References: J. I. Bekkevold, "The Beijing-Moscow Axis Is Much Stronger This Time
Around", *Foreign Policy*, 8 Oct 2024; Walt (1987) for the geopolitical terms.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError
from scipy.stats import binomtest

from sim.defaults import DEFAULT_SEED
from sim.engine.ensemble import EnsembleResult, Inputs, run_ensemble
from sim.engine.stats import proportion
from sim.formats import format_interval, format_share, format_year
from sim.model.setup import DIRECTED_DEFAULTS, check_uncertain
from sim.outcomes import partnership_column
from sim.scenario.errors import InputError
from sim.scenario.loader import scenario_dict, validation_error
from sim.scenario.schema import Actor, Distribution, Pair, Scenario

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# ------------------------------------------------------------------ the partition

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


def _path_actors(path: str) -> set[str]:
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


# ---------------------------------------------------------------- transplanting


def watched_codes(scenario: Scenario) -> tuple[str, str, str]:
    """The watched triad ``(a, b, third)``: the actors the experiment maps by code."""
    a, b = scenario.watch.partnership
    return a, b, scenario.watch.third


def _pair(scenario: Scenario, a: str, b: str) -> tuple[str | None, Pair]:
    """The key under which pair ``a``-``b`` is written (either order) and its values.

    An unlisted pair has no key and the schema's defaults.
    """
    for key in (f"{a}-{b}", f"{b}-{a}"):
        if key in scenario.pairs:
            return key, scenario.pairs[key]
    return None, Pair()


def capability_scale(base: Scenario, donor: Scenario, codes: Sequence[str]) -> float:
    """Factor applied to the donor's capability shares: base's sum / donor's sum.

    The sums run over the mapped actors. Capability is a share of world capability
    (COW CINC); the factor moves the distribution among the mapped actors to the
    donor's and keeps their total the base's (see the module docstring).
    """
    return sum(base.actors[c].capability for c in codes) / sum(
        donor.actors[c].capability for c in codes
    )


def factor_values(scenario: Scenario, factor: str, codes: Sequence[str]) -> dict[str, float]:
    """One factor's initial values among ``codes``, flat and with defaults filled.

    Keys are paths with pair members in sorted order: ``actors.CHN.salience``,
    ``pairs.CHN-RUS.doctrinal_rivalry``, ``pairs.CHN-RUS.trust.CHN`` (China's
    leader's trust in Russia's). A directed value the file leaves out takes the
    model's default (trust 0.5, the others 0), so two spellings of the same
    situation compare equal.
    """
    fields = fields_of(factor)
    out: dict[str, float] = {}
    for code in codes:
        for name in fields["actors"]:
            out[f"actors.{code}.{name}"] = float(getattr(scenario.actors[code], name))
    for a, b in combinations(sorted(codes), 2):
        _, pair = _pair(scenario, a, b)
        for name in fields["pairs"]:
            value = getattr(pair, name)
            if isinstance(value, dict):
                for m in (a, b):
                    out[f"pairs.{a}-{b}.{name}.{m}"] = float(value.get(m, DIRECTED_DEFAULTS[name]))
            else:
                out[f"pairs.{a}-{b}.{name}"] = float(value)
    return out


def _scaled(dist: Distribution, scale: float) -> dict[str, Any]:
    """A capability distribution as data, every location and spread times ``scale``."""
    data = dist.model_dump(exclude_none=True)
    for key in ("low", "high", "mode", "mean", "sd"):
        if key in data:
            data[key] = data[key] * scale
    return data


def transplant(
    base: Inputs, donor: Inputs, factors: Iterable[str], *, name: str | None = None
) -> Inputs:
    """The base scenario with the given factors set to the donor's values.

    Parameters
    ----------
    base
        The destination, from :func:`sim.engine.ensemble.load_inputs`: its file is re-read
        as data and keeps everything but the factors' fields (time, shocks, levers,
        relations, calibration).
    donor
        Where the factors' values come from; it must have the base's watched actors.
    factors
        Names from :data:`FACTORS`; none gives the base scenario unchanged.
    name
        Scenario name of the result (default ``<base>.<factors>-from-<donor>``).

    Returns
    -------
    Inputs
        Validated exactly as a scenario file is (pydantic schema, uncertain-parameter
        bounds), with the base's calibration and file path.

    Raises
    ------
    InputError
        If the donor lacks a mapped actor, or the result fails validation (for
        instance a rescaled capability above 1).
    """
    wanted = set(factors)
    chosen = [f for f in FACTORS if f in wanted]
    unknown = sorted(wanted - set(FACTORS))
    if unknown:
        raise ValueError(f"unknown factor {unknown[0]!r}; factors: {', '.join(FACTORS)}")
    sc, dn = base.scenario, donor.scenario
    codes = watched_codes(sc)
    missing = [c for c in codes if c not in dn.actors]
    if missing:
        raise InputError(
            donor.path,
            "actors",
            f"the five-factor experiment maps actors by code and needs {', '.join(codes)}; "
            f"{', '.join(missing)} missing (has {', '.join(dn.actors)})",
        )
    data = scenario_dict(base.path)
    if chosen:
        scale = capability_scale(sc, dn, codes)
        label = "all" if len(chosen) == len(FACTORS) else "_".join(chosen)
        data["name"] = (name or f"{sc.name}.{label}-from-{dn.name}")[:80]
        data["title"] = f"{sc.title or sc.name}, with the {_words(chosen)} of {dn.name}"
        data["description"] = (
            f"{sc.description.strip()}\n\nFive-factor experiment: {_words(chosen)} taken "
            f"from {dn.name} (actors mapped by code: {', '.join(codes)}"
            + (
                f"; capability shares rescaled by {scale:.4g} to the base's total"
                if "geopolitics" in chosen
                else ""
            )
            + ")."
        )
        for factor in chosen:
            _set_factor(data, sc, dn, factor, codes, scale)
        data["uncertain"] = _uncertain(sc, dn, chosen, codes, scale)
    elif name is not None:
        data["name"] = name
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise validation_error(Path(base.path), Scenario, exc) from None
    check_uncertain(scenario, base.calibration, base.path)
    return replace(base, scenario=scenario)


def _words(factors: Sequence[str]) -> str:
    """``geopolitics``, ``geopolitics and economics``, ``all five factors``."""
    if len(factors) == len(FACTORS):
        return "all five factors"
    return factors[0] if len(factors) == 1 else ", ".join(factors[:-1]) + " and " + factors[-1]


def _set_factor(
    data: dict[str, Any],
    base: Scenario,
    donor: Scenario,
    factor: str,
    codes: Sequence[str],
    scale: float,
) -> None:
    """Write one factor's donor values into the base's raw scenario data, in place."""
    fields = fields_of(factor)
    for code in codes:
        for name in fields["actors"]:
            value = getattr(donor.actors[code], name)
            data["actors"][code][name] = value * scale if name == "capability" else value
    pairs = data.setdefault("pairs", {})
    for a, b in combinations(codes, 2):
        key, _ = _pair(base, a, b)
        donor_key, donor_pair = _pair(donor, a, b)
        key = key or donor_key or f"{a}-{b}"
        entry = pairs.setdefault(key, {})
        for name in fields["pairs"]:
            # Directed tables are replaced whole: a value the donor leaves out takes the
            # model's default, not the base's value.
            entry[name] = copy.deepcopy(getattr(donor_pair, name))


def _uncertain(
    base: Scenario, donor: Scenario, factors: Sequence[str], codes: Sequence[str], scale: float
) -> list[dict[str, Any]]:
    """The base's ``[[uncertain]]`` entries with the factors' ones taken from the donor."""

    def moves(dist: Distribution) -> bool:
        return path_factor(dist.parameter) in factors and _path_actors(dist.parameter) <= set(codes)

    kept = [d.model_dump(exclude_none=True) for d in base.uncertain if not moves(d)]
    taken = [
        _scaled(d, scale)
        if d.parameter.endswith(".capability")
        else d.model_dump(exclude_none=True)
        for d in donor.uncertain
        if moves(d)
    ]
    return kept + taken


# ------------------------------------------------------------------ the cases


@dataclass(frozen=True)
class Case:
    """One run of the experiment: a base scenario with some factors from a donor."""

    direction: str
    label: str
    factors: tuple[str, ...]
    inputs: Inputs
    donor: str


@dataclass(frozen=True)
class Direction:
    """One direction of the experiment: ``key`` names it by the base's start year."""

    key: str
    base: Inputs
    donor: Inputs

    @property
    def codes(self) -> tuple[str, str, str]:
        """The mapped actors (the base's watched triad)."""
        return watched_codes(self.base.scenario)

    @property
    def scale(self) -> float:
        """The factor applied to the donor's capability shares."""
        return capability_scale(self.base.scenario, self.donor.scenario, self.codes)

    @property
    def title(self) -> str:
        """``2024 with the factors of 1949``."""
        return f"{self.key} with the factors of {_year(self.donor.scenario)}"


def _year(scenario: Scenario) -> str:
    """The calendar year a scenario starts in: 1949 for 1949.75."""
    return str(math.floor(scenario.time.start))


def directions(present: Inputs, past: Inputs) -> list[Direction]:
    """The two directions: the present with the past's factors, and the reverse."""
    if _year(present.scenario) == _year(past.scenario):
        raise InputError(
            past.path,
            "time.start",
            "the two scenarios of the experiment must start in different years",
        )
    return [
        Direction(_year(present.scenario), present, past),
        Direction(_year(past.scenario), past, present),
    ]


def cases(direction: Direction) -> list[Case]:
    """The seven cases of a direction: the base, each factor alone, all five."""
    donor = direction.donor.scenario.name
    plan = [(BASE, ()), *((f, (f,)) for f in FACTORS), (ALL_FIVE, FACTORS)]
    return [
        Case(
            direction.key,
            label,
            tuple(factors),
            transplant(direction.base, direction.donor, factors),
            donor,
        )
        for label, factors in plan
    ]


# ------------------------------------------------------------------ running


@dataclass
class FactorResults:
    """The experiment's results: one table row per direction and case, and each run."""

    table: pd.DataFrame
    results: dict[tuple[str, str], EnsembleResult]
    directions: list[Direction]
    runs: int
    seed: int


def _watched_relation(result: EnsembleResult) -> np.ndarray:
    """Each world's relation of the watched partnership at the horizon."""
    return result.runs[partnership_column(result.scenario)].to_numpy(float)


def paired_p_value(base: np.ndarray, case: np.ndarray) -> float:
    """Two-sided exact McNemar test of paired event indicators (one pair per world).

    Worlds share their random streams across cases (same seed, same world index),
    so a case and its base are paired; only discordant worlds inform the test.
    Returns 1 when no world is discordant.
    """
    gained = int(np.sum(case & ~base))
    lost = int(np.sum(base & ~case))
    if gained + lost == 0:
        return 1.0
    return float(binomtest(gained, gained + lost, 0.5).pvalue)


def run_factors(
    present: Inputs,
    past: Inputs,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
    on_case: Callable[[Case], None] | None = None,
) -> FactorResults:
    """Run the 14 cases of the experiment with :func:`sim.engine.ensemble.run_ensemble`.

    Parameters
    ----------
    present, past
        The two eras' scenarios (``baseline_2024``, the 1949 hindcast).
    runs
        Worlds per case.
    seed
        Root seed, the same for every case (common random numbers).
    progress
        Called with world-steps done, for a progress bar.
    on_case
        Called with each case before it runs.

    Returns
    -------
    FactorResults
        ``table`` has one row per direction and case: ``p_split`` and ``p_rupture``
        (shares of runs with the event by the horizon) with their 95% Wilson
        intervals, ``change_p_split`` (points of probability against the base case),
        ``p_value_split`` (paired exact test against the base case) and
        ``median_relation`` (the watched pair's median relation at the horizon, on
        [-1, 1]).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    rows, results = [], {}
    dirs = directions(present, past)
    for direction in dirs:
        base_split = None
        for case in cases(direction):
            if on_case is not None:
                on_case(case)
            result = run_ensemble(case.inputs, runs=runs, seed=seed, progress=progress)
            results[(case.direction, case.label)] = result
            split = result.runs["split_year"].notna().to_numpy()
            if base_split is None:
                base_split = split
            rows.append(_row(direction, case, result, split, base_split))
    return FactorResults(pd.DataFrame(rows), results, dirs, runs, seed)


def _row(
    direction: Direction,
    case: Case,
    result: EnsembleResult,
    split: np.ndarray,
    base_split: np.ndarray,
) -> dict[str, Any]:
    sc = result.scenario
    n = result.n
    row: dict[str, Any] = {
        "direction": direction.key,
        "case": case.label,
        "factors": "+".join(case.factors),
        "base_scenario": direction.base.scenario.name,
        "donor_scenario": case.donor if case.factors else "",
        "scenario": sc.name,
        "start_year": sc.time.start,
        "horizon": sc.time.horizon,
        "runs": n,
        "seed": result.seed,
    }
    for event in ("split", "rupture"):
        k = int(result.runs[f"{event}_year"].notna().sum())
        p, lo, hi = proportion(k, n)
        row |= {f"p_{event}": p, f"p_{event}_low": lo, f"p_{event}_high": hi}
    row["change_p_split"] = float(split.mean() - base_split.mean())
    row["p_value_split"] = float("nan") if case.label == BASE else paired_p_value(base_split, split)
    row["median_relation"] = float(np.median(_watched_relation(result)))
    return row


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
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    from sim.views.style import PAIRED_BAR_HEIGHT, STYLE, paired_barh

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
        fig = Figure(figsize=(7.6, 5.0), layout="constrained")
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
    donor_year = _year(donor)
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
            which = _words(list(still.index)).capitalize()
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
        "| direction | case | P(split) | 95% interval | change | paired p | P(rupture) "
        "| 95% interval | median r(CHN, RUS) at horizon |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for _, r in t.iterrows():
        p_value = "—" if r["case"] == BASE else _p(r["p_value_split"]).removeprefix("= ")
        change = "—" if r["case"] == BASE else _points(r["change_p_split"])
        lines.append(
            f"| {r['direction']} | {r['case']} | {format_share(r['p_split'])} | "
            f"{format_interval(r['p_split_low'], r['p_split_high'])} | {change} | {p_value} | "
            f"{format_share(r['p_rupture'])} | "
            f"{format_interval(r['p_rupture_low'], r['p_rupture_high'])} | "
            f"{r['median_relation']:+.2f} |"
        )
    lines += [
        "",
        "P(split) and P(rupture) are shares of runs with the event by the horizon, with "
        "95% Wilson intervals; *change* is in percentage points against the direction's "
        "base; *paired p* is the two-sided exact McNemar test of the case against its base "
        "over the same worlds.",
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


# ------------------------------------------------------------------ writing


def write_factors(
    res: FactorResults, out_dir: str | Path, command: list[str], seconds: float
) -> Path:
    """Write the experiment's folder whole, or not at all (:func:`sim.io.replacing`).

    Files: ``factors.csv`` (one row per direction and case), ``factors.json`` (the
    same rows with the directions, mapping, rescaling and partition),
    ``report.md``, ``factors_<year>.png`` and ``.svg`` per direction,
    ``resolved/<year>_<case>.toml`` (each case's scenario as run) and
    ``manifest.json`` (inputs with hashes, seed, versions, command, time).
    """
    from sim.experiments.run import resolved_toml
    from sim.io import git_commit, replacing, sha256, shown_path, versions
    from sim.views.style import save_figure

    with replacing(Path(out_dir)) as tmp:
        res.table.to_csv(tmp / "factors.csv", index=False)
        (tmp / "factors.json").write_text(json.dumps(_json(res), indent=2) + "\n")
        figures = {}
        for direction in res.directions:
            key = f"factors_{direction.key}"
            fig = plot_factors(res.table, direction.key, _year(direction.donor.scenario))
            save_figure(fig, tmp / key)
            figures[key] = f"{key}.png"
        (tmp / "report.md").write_text(report_markdown(res, figures), encoding="utf-8")
        (tmp / "resolved").mkdir()
        for (direction, case), result in res.results.items():
            name = f"{direction}_{case.replace(' ', '_')}.toml"
            (tmp / "resolved" / name).write_text(resolved_toml(result))
        inputs = {d.base.path: d.base for d in res.directions}
        manifest = {
            "experiment": "five factors",
            "scenario_files": {p: sha256(p) for p in inputs},
            "calibration_files": {
                shown_path(i.calibration.path): sha256(i.calibration.path) for i in inputs.values()
            },
            "runs_per_case": res.runs,
            "seed": res.seed,
            "versions": versions(),
            "git_commit": git_commit(Path(__file__).resolve().parent),
            "command": command,
            "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "wall_seconds": round(seconds, 3),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return Path(out_dir)


def _json(res: FactorResults) -> dict[str, Any]:
    """``factors.json``: rows, directions with mapping and rescaling, and the partition."""
    rows = res.table.astype(object).where(res.table.notna(), None).to_dict(orient="records")
    return {
        "runs_per_case": res.runs,
        "seed": res.seed,
        "directions": [
            {
                "direction": d.key,
                "title": d.title,
                "base": d.base.scenario.name,
                "base_file": d.base.path,
                "donor": d.donor.scenario.name,
                "donor_file": d.donor.path,
                "actors_mapped_by_code": list(d.codes),
                "capability_scale": d.scale,
                "capability_donor": {c: d.donor.scenario.actors[c].capability for c in d.codes},
                "capability_transplanted": {
                    c: d.donor.scenario.actors[c].capability * d.scale for c in d.codes
                },
            }
            for d in res.directions
        ],
        "cases": rows,
        "partition": {
            table: {name: {"factor": f, "why": why} for name, (f, why) in fields.items()}
            for table, fields in PARTITION.items()
        },
    }


def default_scenarios() -> tuple[Path, Path]:
    """The present and past scenarios: in the working folder if there, else the shipped ones."""
    from sim.paths import locate

    return (
        locate("scenarios/baseline_2024.toml"),
        locate("scenarios/history/sino_soviet_1949.toml"),
    )
