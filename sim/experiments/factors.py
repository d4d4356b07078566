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

**What a factor is** is data, :data:`sim.experiments.factor_partition.PARTITION`:
every field of a scenario file belongs to exactly one factor or is *situation*.
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

:class:`FiveFactors` runs the experiment and returns its
:class:`~sim.experiments.base.Result` (``factors.csv``, ``factors.json``, each case's
scenario as resolved); its figures and report are drawn by :mod:`sim.views.factors`.

References: J. I. Bekkevold, "The Beijing-Moscow Axis Is Much Stronger This Time
Around", *Foreign Policy*, 8 Oct 2024; Walt (1987) for the geopolitical terms.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.defaults import DEFAULT_RUNS
from sim.engine.ensemble import EnsembleResult, Inputs, run_ensemble
from sim.engine.spread import sets_of, spread
from sim.engine.stats import paired_p_value
from sim.experiments.base import SILENT, Progress, Result, Table, input_files
from sim.experiments.factor_partition import (
    ALL_FIVE,
    BASE,
    FACTORS,
    PARTITION,
    fields_of,
    path_actors,
    path_factor,
)
from sim.model.setup import DIRECTED_DEFAULTS, check_uncertain
from sim.outcomes import partnership_column
from sim.paths import shown_path
from sim.scenario.errors import InputError
from sim.scenario.loader import scenario_dict, validation_error
from sim.scenario.schema import Distribution, Pair, Scenario

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
        data["title"] = f"{sc.title or sc.name}, with the {factor_words(chosen)} of {dn.name}"
        data["description"] = (
            f"{sc.description.strip()}\n\nFive-factor experiment: {factor_words(chosen)} taken "
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


def factor_words(factors: Sequence[str]) -> str:
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
        return path_factor(dist.parameter) in factors and path_actors(dist.parameter) <= set(codes)

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
        return f"{self.key} with the factors of {year_of(self.donor.scenario)}"


def year_of(scenario: Scenario) -> str:
    """The calendar year a scenario starts in: 1949 for 1949.75."""
    return str(math.floor(scenario.time.start))


def directions(present: Inputs, past: Inputs) -> list[Direction]:
    """The two directions: the present with the past's factors, and the reverse."""
    if year_of(present.scenario) == year_of(past.scenario):
        raise InputError(
            past.path,
            "time.start",
            "the two scenarios of the experiment must start in different years",
        )
    for inputs in (present, past):
        paths = inputs.scenario.path_fields()
        if paths:
            raise InputError(
                inputs.path,
                inputs.scenario.address(*next(iter(paths))),
                "follows a time path; the five-factor experiment swaps initial values, so both "
                "scenarios must give numbers",
            )
    return [
        Direction(year_of(present.scenario), present, past),
        Direction(year_of(past.scenario), past, present),
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


@dataclass(frozen=True)
class FiveFactors:
    """Bekkevold's five factors swapped between two eras: 14 cases, paired worlds.

    Parameters
    ----------
    present, past
        The two eras' scenarios (``baseline_2024``, the 1949 hindcast), from
        :func:`sim.engine.ensemble.load_inputs`; :func:`directions` checks the pair.
    runs
        Worlds per case.
    """

    kind: ClassVar[str] = "factors"
    present: Inputs
    past: Inputs
    runs: int = DEFAULT_RUNS

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Run the 14 cases with the same ``seed`` (common random numbers) and return the result.

        Each case is an ensemble of :func:`sim.engine.ensemble.run_ensemble` (on
        ``executor`` if given; the numbers do not depend on it). The result's table
        has one row per direction and case: ``p_split`` and ``p_rupture`` (shares of
        runs with the event by the horizon) with their 95% Wilson intervals,
        ``change_p_split`` (points of probability against the base case),
        ``p_value_split`` (paired exact test against the base case) and
        ``median_relation`` (the watched pair's median relation at the horizon, on
        [-1, 1]).
        """
        if self.runs < 1:
            raise ValueError("runs must be at least 1")
        dirs = directions(self.present, self.past)
        planned = [(direction, cases(direction)) for direction in dirs]
        steps = sum(len(c) * d.base.scenario.time.steps for d, c in planned)
        progress.start(self.runs * steps, "world-steps", "five factors")
        rows, results = [], {}
        for direction, plan in planned:
            base_split = None
            for case in plan:
                result = run_ensemble(
                    case.inputs,
                    runs=self.runs,
                    seed=seed,
                    progress=progress.advance,
                    executor=executor,
                )
                results[(case.direction, case.label)] = result
                split = result.runs["split_year"].notna().to_numpy()
                if base_split is None:
                    base_split = split
                row = _row(direction, case, result, split, base_split)
                rows.append(row)
                progress.note(
                    f"{case.direction} {case.label}: P(split) {row['p_split']:.1%}, "
                    f"P(rupture) {row['p_rupture']:.1%}"
                )
        return factors_result(FactorResults(pd.DataFrame(rows), results, dirs, self.runs, seed))


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
    sets = sets_of(result.runs)
    for event in ("split", "rupture"):
        s = spread(result.runs[f"{event}_year"].notna().to_numpy(), sets)
        row |= {f"p_{event}": s.value, f"p_{event}_low": s.low, f"p_{event}_high": s.high}
        if sets is not None:
            row |= {
                f"p_{event}_behaviour_low": s.behaviour_low,
                f"p_{event}_behaviour_high": s.behaviour_high,
            }
    row["change_p_split"] = float(split.mean() - base_split.mean())
    row["p_value_split"] = float("nan") if case.label == BASE else paired_p_value(base_split, split)
    row["median_relation"] = float(np.median(_watched_relation(result)))
    return row


def factors_result(res: FactorResults) -> Result:
    """The experiment as a :class:`~sim.experiments.base.Result` for the writer.

    Files: ``factors.csv`` (one row per direction and case), ``factors.json`` (the
    same rows with the directions, mapping, rescaling and partition),
    ``resolved/<direction>_<case>.toml`` (each case's scenario as run); the view
    (:mod:`sim.views.factors`) adds a chart per direction and ``report.md``. Inputs:
    the present's and the past's scenario files and their calibration.
    """
    from sim.experiments.run import resolved_toml

    present, past = res.directions[0].base, res.directions[1].base
    calibrations = {"calibration": present.calibration.path}
    if past.calibration.path != present.calibration.path:
        calibrations["past_calibration"] = past.calibration.path
    return Result(
        kind=FiveFactors.kind,
        name="factors",
        summary=factors_summary(res),
        summary_file="factors.json",
        tables={"factors": Table(res.table, ("csv",))},
        texts={
            f"resolved/{direction}_{case.replace(' ', '_')}.toml": resolved_toml(result)
            for (direction, case), result in res.results.items()
        },
        inputs=input_files(present=present.path, past=past.path, **calibrations),
        manifest={"runs_per_case": res.runs},
        seed=res.seed,
        runs=res.runs * len(res.results),
        payload=res,
    )


def factors_summary(res: FactorResults) -> dict[str, Any]:
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
                "base_file": shown_path(d.base.path),
                "donor": d.donor.scenario.name,
                "donor_file": shown_path(d.donor.path),
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
