"""Typed, validated form of a history episode: a hindcast and the targets it is scored on.

An episode is data (``data/episode_*.toml``, beside the milestones it cites):
the scenario that starts from the episode's situation with only exogenous
events scheduled, the milestones and disputes files, the calendar years with a
yearly snapshot of every relation, and the targets: what history did, the data
set that says so, how the model output is measured and the pass rule, each
written once. Adding an episode or a target is a data change; the scorer
(:mod:`sim.experiments.history`) reads any episode.

Target kinds (``kind``) and the fields each uses are in :data:`KINDS`.

Years are calendar years: "by 1965" means before 1 January 1966, a window
``[1957, 1964]`` runs from 1 January 1957 to the end of 1964. ``span = [a, b]``
is shorthand for every year from ``a`` to ``b``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from sim.scenario.errors import InputError
from sim.scenario.loader import read_toml, validation_error
from sim.scenario.schema import ACTOR_ID, Strict

Actor = Annotated[str, Field(pattern=ACTOR_ID)]
Year = Annotated[int, Field(ge=1800, le=2300)]
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]

TargetKind = Literal[
    "aligned_throughout",
    "rupture",
    "median_year",
    "hostile_median",
    "not_hostile_any",
    "median_rises",
    "never_aligned",
    "not_hostile_median",
    "closest_median",
    "crises_at_most",
]

KINDS: dict[str, str] = {
    "aligned_throughout": "Share of runs whose `pair` is aligned at every snapshot of `years`; "
    "passes at `at_least` or more.",
    "rupture": "Share of runs whose watched partnership ruptured by the end of `years[-1]` at "
    "least `at_least`, and the median rupture year (runs without one count as later than any "
    "year) inside `window`.",
    "median_year": "Median over runs of the year column `column` (`worst_year`: the first step "
    "at which each run's partnership was at its lowest; `peak_hazard_year`: the step at which "
    "its crisis hazard peaked) inside `window`.",
    "hostile_median": "Median relation of `pair` at or below the hostile threshold at every "
    "snapshot of `years`.",
    "not_hostile_any": "Share of runs whose `pair` is above the hostile threshold at one or "
    "more snapshots of `years`; passes at `at_least` or more.",
    "median_rises": "Median relation of `pair` at `years[1]` above its median at `years[0]` by "
    "at least `at_least` (relation units).",
    "never_aligned": "Share of runs whose `pair` is below the aligned threshold at every "
    "snapshot of `years` (no alliance); passes at `at_least` or more.",
    "not_hostile_median": "Median relation of `pair` above the hostile threshold at every "
    "snapshot of `years`.",
    "closest_median": "Median relation of `pair` above the median relation of each pair in "
    "`than` at every snapshot of `years`.",
    "crises_at_most": "Median over runs of the crises of `pair` over the whole run (the "
    "`crises_<pair>` column) at most `at_most`.",
}
"""What each target kind measures and the fields it reads (one entry per :data:`TargetKind`)."""

SHARE_KINDS = frozenset({"aligned_throughout", "rupture", "not_hostile_any", "never_aligned"})
"""Target kinds whose ``at_least`` is a share of runs, and which report a share."""

YEAR_COLUMNS = ("worst_year", "peak_hazard_year")
"""Per-run year columns a ``median_year`` target may read (:mod:`sim.outcomes`)."""


def _ordered(span: tuple[int, int], what: str) -> tuple[int, int]:
    if span[0] > span[1]:
        raise ValueError(f"{what} [{span[0]}, {span[1]}] must run forward in time")
    return span


class Target(Strict):
    """One thing history did that the model must reproduce, and how it is judged."""

    key: Key = Field(description="Short identifier, unique in the episode (`rupture`).")
    name: str = Field(min_length=1, description="What the target says, in a few words.")
    history: str = Field(min_length=1, description="What history did, briefly, with dates.")
    source: str = Field(min_length=1, description="The data files and rows that say so.")
    kind: TargetKind = Field(description="The rule (see the module docstring).")
    pair: tuple[Actor, Actor] | None = Field(
        None, description="The pair whose relation is read (all kinds but `median_year`)."
    )
    years: list[Year] = Field(
        default_factory=list, description="Snapshot years the rule reads, in order."
    )
    span: tuple[Year, Year] | None = Field(
        None, description="Shorthand for `years`: every calendar year from the first to the last."
    )
    window: tuple[Year, Year] | None = Field(
        None, description="Calendar years a median year must fall in (both included)."
    )
    column: Literal["worst_year", "peak_hazard_year"] | None = Field(
        None, description="The per-run year a `median_year` target reads."
    )
    at_least: float = Field(
        0.5,
        ge=0.0,
        le=2.0,
        allow_inf_nan=False,
        description="Least share of runs (share kinds) or least rise of the median relation "
        "(`median_rises`, relation units).",
    )
    than: list[tuple[Actor, Actor]] = Field(
        default_factory=list,
        description="Pairs a `closest_median` target's pair must be closer than.",
    )
    at_most: float | None = Field(
        None,
        ge=0.0,
        allow_inf_nan=False,
        description="Most crises over the run (`crises_at_most`), a count.",
    )
    why: str = Field("", description="The judgement behind a bar, with its source.")

    @field_validator("window")
    @classmethod
    def _window_forward(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if value is None else _ordered(value, "window")

    @model_validator(mode="before")
    @classmethod
    def _expand_span(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("span") is not None:
            if data.get("years"):
                raise ValueError("give `years` or `span`, not both")
            span = data["span"]
            if (
                isinstance(span, list | tuple)
                and len(span) == 2
                and all(isinstance(y, int) and not isinstance(y, bool) for y in span)
            ):
                first, last = _ordered((span[0], span[1]), "span")
                data = {**data, "years": list(range(first, last + 1))}
        return data

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Target:
        needs = {
            "aligned_throughout": ("pair", "years"),
            "rupture": ("years", "window"),
            "median_year": ("column", "window"),
            "hostile_median": ("pair", "years"),
            "not_hostile_any": ("pair", "years"),
            "median_rises": ("pair", "years"),
            "never_aligned": ("pair", "years"),
            "not_hostile_median": ("pair", "years"),
            "closest_median": ("pair", "years", "than"),
            "crises_at_most": ("pair",),
        }[self.kind]
        for name in needs:
            if not getattr(self, name):
                raise ValueError(f"a `{self.kind}` target needs `{name}`")
        if (self.kind == "crises_at_most") != (self.at_most is not None):
            raise ValueError("`at_most` belongs to a `crises_at_most` target, which needs it")
        if self.than and self.kind != "closest_median":
            raise ValueError("`than` belongs to a `closest_median` target")
        for other in self.than:
            if other[0] == other[1] or set(other) == set(self.pair or ()):
                raise ValueError("each pair in `than` needs two actors and differs from `pair`")
        if self.years != sorted(set(self.years)):
            raise ValueError("years must be distinct and in increasing order")
        if self.kind == "median_rises" and len(self.years) != 2:
            raise ValueError("a `median_rises` target needs exactly two years: before, after")
        if self.kind in SHARE_KINDS and self.at_least > 1.0:
            raise ValueError(f"at_least of a `{self.kind}` target is a share: at most 1")
        if self.pair is not None and self.pair[0] == self.pair[1]:
            raise ValueError("a pair needs two different actors")
        return self


class Shape(Strict):
    """How each relation's shape over time is summarised (information, not scored)."""

    pairs: list[tuple[Actor, Actor]] = Field(
        min_length=1, description="Pairs summarised window by window."
    )
    window_years: int = Field(4, ge=1, le=50, description="Calendar years per window.")
    turn_pairs: list[tuple[Actor, Actor]] = Field(
        default_factory=list, description="Pairs whose turn at the middle year is measured."
    )
    turn_years: tuple[Year, Year, Year] | None = Field(
        None, description="Start, pivot and end snapshot years of the turn."
    )
    reading: str = Field("", description="How to read the shape for this episode.")

    @model_validator(mode="after")
    def _turn(self) -> Shape:
        if self.turn_pairs and self.turn_years is None:
            raise ValueError("`turn_pairs` need `turn_years`")
        if self.turn_years is not None and list(self.turn_years) != sorted(set(self.turn_years)):
            raise ValueError("turn_years must be three increasing years")
        return self


class Clashes(Strict):
    """The pair whose simulated crises are set beside the recorded disputes."""

    pair: tuple[Actor, Actor] = Field(description="The pair.")
    disputes: str = Field(
        min_length=1, description="COW MID extract, relative to the episode file."
    )
    windows: list[tuple[Year, Year]] = Field(
        min_length=1, description="Calendar-year windows (both ends included)."
    )
    reading: str = Field("", description="What the comparison is for, in this episode.")

    @field_validator("windows")
    @classmethod
    def _forward(cls, value: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [_ordered(w, "window") for w in value]


class Headline(Strict):
    """A share of runs shown at the top of the scorecard: a target's share."""

    key: Key = Field(description="Key in `scorecard.json` (`p_rupture_by_1965`).")
    label: str = Field(min_length=1, description="What it is, in words.")
    target: Key = Field(description="The target whose share it is (a share kind).")


class Episode(Strict):
    """A history episode: the hindcast scenario, its records and its targets."""

    name: Key = Field(description="Short name; the episode's scorecard folder.")
    title: str = Field(min_length=1, description="Title of the scorecard.")
    description: str = Field("", description="What the episode is and why it tests the model.")
    scenario: str = Field(
        description="The hindcast scenario, relative to the episode file: the episode's "
        "situation with only exogenous events scheduled."
    )
    milestones: str = Field(description="Dated events, relative to the episode file.")
    actors: list[Actor] = Field(min_length=3, description="Actors the targets refer to.")
    partnership: tuple[Actor, Actor] = Field(description="The partnership the scenario watches.")
    years: tuple[Year, Year] = Field(
        description="First and last calendar years with a yearly snapshot of every relation."
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Short figure labels of milestones by date (`YYYY-MM-DD`); other "
        "milestones are shortened automatically.",
    )
    shape: Shape | None = Field(None, description="The shape of each relation over time.")
    clashes: Clashes | None = Field(None, description="Simulated crises beside the disputes.")
    headline: list[Headline] = Field(
        default_factory=list, description="Shares shown at the top of the scorecard."
    )
    targets: list[Target] = Field(min_length=1, description="The targets, in scorecard order.")

    @field_validator("years")
    @classmethod
    def _years_forward(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _ordered(value, "years")

    @model_validator(mode="after")
    def _references(self) -> Episode:
        known = set(self.actors)
        first, last = self.years
        keys = [t.key for t in self.targets]
        if len(set(keys)) != len(keys):
            raise ValueError(f"targets: keys must be unique, got {keys}")
        pairs = [("partnership", self.partnership)]
        pairs += [(f"targets[{k}].pair", t.pair) for k, t in enumerate(self.targets) if t.pair]
        pairs += [(f"targets[{k}].than", p) for k, t in enumerate(self.targets) for p in t.than]
        if self.shape is not None:
            pairs += [("shape.pairs", p) for p in [*self.shape.pairs, *self.shape.turn_pairs]]
        if self.clashes is not None:
            pairs += [("clashes.pair", self.clashes.pair)]
        for where, pair in pairs:
            unknown = [a for a in pair if a not in known]
            if unknown:
                raise ValueError(
                    f"{where}: actor {unknown[0]} is not in actors; allowed: {', '.join(known)}"
                )
        for k, t in enumerate(self.targets):
            outside = [y for y in t.years if not first <= y <= last]
            if outside:
                raise ValueError(
                    f"targets[{k}].years: {outside[0]} has no snapshot; allowed {first}-{last}"
                )
        if self.shape is not None and self.shape.turn_years is not None:
            outside = [y for y in self.shape.turn_years if not first <= y <= last]
            if outside:
                raise ValueError(f"shape.turn_years: {outside[0]} has no snapshot ({first}-{last})")
        shares = {t.key for t in self.targets if t.kind in {"rupture", *SHARE_KINDS}}
        for k, h in enumerate(self.headline):
            if h.target not in shares:
                raise ValueError(
                    f"headline[{k}].target: {h.target!r} is not a target with a share; "
                    f"allowed: {', '.join(sorted(shares))}"
                )
        return self

    def target(self, key: str) -> Target:
        """The target with this ``key``."""
        for t in self.targets:
            if t.key == key:
                return t
        raise KeyError(key)


def load_episode(path: str | Path) -> Episode:
    """Read and validate an episode file; its paths become absolute (relative to the file).

    Raises
    ------
    InputError
        The file, the field and what is allowed, for any problem, including a
        scenario, milestones or disputes file that does not exist.
    """
    path = Path(path)
    data = read_toml(path)
    try:
        episode = Episode.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, Episode, exc) from None
    files = {"scenario": episode.scenario, "milestones": episode.milestones}
    if episode.clashes is not None:
        files["clashes.disputes"] = episode.clashes.disputes
    resolved = {}
    for field, name in files.items():
        target = (path.parent / name).resolve()
        if not target.is_file():
            raise InputError(path, field, f"{name!r} not found (looked in {target.parent})")
        resolved[field] = str(target)
    update: dict[str, Any] = {
        "scenario": resolved["scenario"],
        "milestones": resolved["milestones"],
    }
    if episode.clashes is not None:
        update["clashes"] = episode.clashes.model_copy(
            update={"disputes": resolved["clashes.disputes"]}
        )
    return episode.model_copy(update=update)
