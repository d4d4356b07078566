"""Typed, validated form of a scenario file.

A scenario describes a *situation*: the actors and their initial state, the
pairwise initial state, the shocks and wedge levers scheduled in it, the
partnership to watch, time, outcome thresholds and which parameters are
uncertain. How states *behave* (sensitivities, speeds, weights) lives in the
shared calibration file (:mod:`sim.scenario.calibration`); a scenario only
overrides it explicitly, in ``[behaviour]``.

Every model is frozen and rejects unknown fields, so a typo in a file is an
error rather than a silently ignored value. Cross-references (actor names in
pairs, shocks and levers) are checked in :meth:`Scenario._check_references`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.common import ACTOR_ID, Signed, Strict, Unit, metadata_bounds
from sim.scenario.forms import FIELDS, Effect, TimePath, check_path, number_or_path
from sim.scenario.shock import Shock, shared_fields

__all__ = [
    "ACTOR_ID",
    "Actor",
    "Distribution",
    "Effect",
    "Lever",
    "Outcomes",
    "Pair",
    "Scenario",
    "Shock",
    "Signed",
    "Strict",
    "Time",
    "TimePath",
    "Unit",
    "Watch",
    "metadata_bounds",
]  # fmt: skip

UnitOrPath = number_or_path(Unit)
"""A unit-interval value, or a :class:`~sim.scenario.forms.TimePath` of them."""

SignedOrPath = number_or_path(Signed)
"""A relation or stance, or a :class:`~sim.scenario.forms.TimePath` of them."""


class Actor(Strict):
    """One state and its initial situation.

    Capability is a share of world material capability (COW CINC scale), so
    ``0.14`` means 14% of the world's military, industrial and demographic
    capability.
    """

    name: str = Field("", description="Readable name, used in plots and reports.")
    capability: number_or_path(Annotated[float, Field(gt=0.0, le=1.0)]) = Field(  # type: ignore[valid-type]
        description="Share of world material capability (COW CINC scale)."
    )
    growth: number_or_path(Annotated[float, Field(ge=-0.5, le=0.5)]) = Field(  # type: ignore[valid-type]
        0.0,
        description=(
            "Trend growth of the capability share, fraction per year (0.02 = +2%/yr); as a "
            "path it replaces the constant trend."
        ),
    )
    volatility: number_or_path(Annotated[float, Field(ge=0.0, le=0.5)]) = Field(  # type: ignore[valid-type]
        0.02, description="Yearly standard deviation of log capability growth."
    )
    offensive: UnitOrPath = Field(
        0.5,
        description="Offensive military capability, 0 = none, 1 = a global expeditionary force.",
    )
    salience: UnitOrPath = Field(
        0.3, description="How much ideology weighs in this state's foreign policy (0 none, 1 all)."
    )
    leader_hazard: number_or_path(Annotated[float, Field(ge=0.0, le=2.0)]) = Field(  # type: ignore[valid-type]
        0.1,
        description="Yearly hazard of a change of leader in calm times (0.125: every 8 years).",
    )
    instability: UnitOrPath = Field(0.0, description="Regime instability at the start (0 stable).")
    distress: UnitOrPath = Field(
        0.0, description="Economic distress at the start (0 none, 1 collapse), decays over time."
    )
    patronage: UnitOrPath = Field(
        0.5,
        description=(
            "Willingness to spend resources keeping partners close: counter-bids and help in "
            "distress (0 none, 1 whatever it takes)."
        ),
    )
    source: str = Field("", description="Where the values come from.")

    @field_validator(
        "capability", "growth", "volatility", "offensive", "salience", "leader_hazard",
        "instability", "distress", "patronage",
    )  # fmt: skip
    @classmethod
    def _path_in_range(cls, v: Any, info: ValidationInfo) -> Any:
        check_path(info.field_name, v)  # type: ignore[arg-type]
        return v


DirectedMap = dict[str, UnitOrPath]
"""``{ACTOR = value}``: the named actor's attribute toward the other member of the pair."""


class Pair(Strict):
    """The initial state between two actors, given once per unordered pair.

    Symmetric fields hold for both sides. Directed fields are tables keyed by
    an actor of the pair: ``dependence = { RUS = 0.45 }`` reads "Russia's
    dependence on the other member".
    """

    relation: SignedOrPath = Field(
        0.0, description="Initial relation; sets both stances unless `stance` overrides one."
    )
    stance: dict[str, SignedOrPath] = Field(
        default_factory=dict,
        description="Initial stance of the named actor toward the other, when not symmetric.",
    )
    institutions: UnitOrPath = Field(
        0.0,
        description=(
            "Stock of joint institutions: summits, consultations, exercises, exchanges "
            "(0 none, 1 the densest web between two states)."
        ),
    )
    ideology_distance: UnitOrPath = Field(
        0.5, description="Ideological distance (0 same doctrine, 1 opposite systems)."
    )
    doctrinal_rivalry: UnitOrPath = Field(
        0.0, description="Contest to lead the same ideological camp (0 none, 1 open schism)."
    )
    proximity: UnitOrPath = Field(
        0.0, description="Geographic proximity (1 a long shared land border, 0 oceans apart)."
    )
    disputes: UnitOrPath = Field(
        0.0,
        description="Stakes in open disputes between the two (territory, Taiwan, Ukraine), 0-1.",
    )
    trust: DirectedMap = Field(
        default_factory=dict,
        description="Named leader's trust in the other leader (0 none, 0.5 neutral, 1 full).",
    )
    dependence: DirectedMap = Field(
        default_factory=dict,
        description=(
            "Named actor's structural dependence on the other: energy, technology, markets, "
            "finance, aid (0 none, 1 cannot do without)."
        ),
    )
    reach: DirectedMap = Field(
        default_factory=dict,
        description="Named actor's power-projection reach toward the other (0 none, 1 full).",
    )
    fear: DirectedMap = Field(
        default_factory=dict,
        description="Extra threat the named actor perceives from the other, beyond Walt's terms.",
    )
    sanctions: DirectedMap = Field(
        default_factory=dict,
        description="Named actor's sanctions on the other (0 none, 1 embargo).",
    )
    source: str = Field("", description="Where the values come from.")

    @field_validator(
        "relation", "institutions", "ideology_distance", "doctrinal_rivalry", "proximity",
        "disputes",
    )  # fmt: skip
    @classmethod
    def _path_in_range(cls, v: Any, info: ValidationInfo) -> Any:
        check_path(info.field_name, v)  # type: ignore[arg-type]
        return v

    @field_validator("stance", "trust", "dependence", "reach", "fear", "sanctions")
    @classmethod
    def _paths_in_range(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        for who, value in v.items():
            try:
                check_path(info.field_name, value)  # type: ignore[arg-type]
            except ValueError as exc:
                raise ValueError(f"{who}: {exc}") from None
        return v


class Lever(Strict):
    """A wedge strategy of a third power (Crawford 2011; Izumikawa 2013).

    A *reward* (sanctions relief, trade, concessions) raises the target's
    stance toward the driver; when ``conditional`` it is paid for distance
    from the partner. *Coercion* raises sanctions and makes association with
    the partner costly. ``size``, ``credibility`` and the target's need
    (smallness beside the driver, and distress) scale the effect; it acts
    from ``start`` for ``duration`` years.
    """

    name: str = Field(description="Unique name.")
    actor: str = Field(description="The third power applying the lever.")
    target: str = Field(description="The member of the partnership it is aimed at.")
    partner: str | None = Field(
        None, description="The target's partner to pry away from; default: the other member."
    )
    kind: Literal["reward", "coercion"] = Field(description="Reward or coercion.")
    size: Unit = Field(
        description="Size of the offer or pressure (0 none, 1 the most conceivable)."
    )
    start: float = Field(ge=1800.0, le=2300.0, description="Year it begins.")
    duration: float = Field(5.0, gt=0.0, le=100.0, description="Years it stays in force.")
    credibility: Unit = Field(
        0.7, description="How far the target believes it will be honoured (0 not at all)."
    )
    conditional: bool = Field(
        True,
        description=(
            "Whether a reward is tied to distance from the partner (rewards only: coercion always "
            "taxes the alignment itself)."
        ),
    )
    source: str = Field("", description="What the lever stands for.")

    @model_validator(mode="after")
    def _distinct_roles(self) -> Lever:
        if self.actor == self.target:
            raise ValueError("`actor` and `target` must differ")
        if self.partner is not None and self.partner in (self.actor, self.target):
            raise ValueError("`partner` must differ from `actor` and `target`")
        return self


class Distribution(Strict):
    """A probability distribution for one uncertain parameter.

    ``uniform(low, high)``, ``triangular(low, mode, high)``, ``normal(mean, sd)``
    truncated to ``[low, high]`` when given, ``loguniform(low, high)``.
    """

    parameter: str = Field(
        description=(
            "What is uncertain: a calibration parameter (`threat_speed`), or a situation value "
            "`actors.RUS.growth`, `pairs.CHN-RUS.dependence.RUS`, `levers.<name>.size`, "
            "`shocks.<name>.capability`."
        )
    )
    dist: Literal["uniform", "triangular", "normal", "loguniform"] = Field(
        "uniform", description="Distribution family."
    )
    low: float | None = Field(None, description="Lower bound.")
    high: float | None = Field(None, description="Upper bound.")
    mode: float | None = Field(None, description="Mode, for triangular.")
    mean: float | None = Field(None, description="Mean, for normal.")
    sd: float | None = Field(None, gt=0.0, description="Standard deviation, for normal.")
    label: str = Field("", description="Readable name for plots and reports.")
    source: str = Field("", description="Why this range.")

    @model_validator(mode="after")
    def _complete(self) -> Distribution:
        need = {
            "uniform": ("low", "high"),
            "loguniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[self.dist]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(need)}; missing {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.dist == "loguniform" and self.low is not None and self.low <= 0:
            raise ValueError("loguniform needs low > 0")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("triangular needs low <= mode <= high")
        return self


class Outcomes(Strict):
    """Thresholds of the outcome definitions (BRIEF section 4)."""

    aligned: float = Field(0.25, gt=0.0, lt=1.0, description="Relation at or above: aligned.")
    hostile: float = Field(-0.25, gt=-1.0, lt=0.0, description="Relation at or below: hostile.")
    persistence: float = Field(
        3.0, ge=0.0, le=50.0, description="Years a pair must stay hostile to count as a rupture."
    )
    window: float = Field(
        10.0, ge=0.0, le=100.0, description="Years after a rupture in which a split can follow."
    )


class Watch(Strict):
    """The partnership whose rupture and split are measured, and the third power."""

    partnership: tuple[str, str] = Field(description='The two members, e.g. ["CHN", "RUS"].')
    third: str = Field(description='The third power, e.g. "USA".')


class Time(Strict):
    """Start, horizon and step of the simulation, in decimal years."""

    start: float = Field(ge=1800.0, le=2200.0, description="First year simulated.")
    horizon: float = Field(2040.0, ge=1800.0, le=2300.0, description="Last year simulated.")
    step: float = Field(0.25, gt=0.0, le=1.0, description="Time step in years (0.25 = quarterly).")

    @model_validator(mode="after")
    def _ordered(self) -> Time:
        if not self.horizon > self.start:
            raise ValueError(f"horizon ({self.horizon}) must be after start ({self.start})")
        steps = (self.horizon - self.start) / self.step
        if abs(steps - round(steps)) > 1e-6:
            raise ValueError(
                f"horizon - start ({self.horizon - self.start:g} years) must be a whole number of "
                f"steps of {self.step:g} years"
            )
        if steps > 5000:
            raise ValueError("more than 5000 steps: use a larger step or a shorter horizon")
        return self

    @property
    def steps(self) -> int:
        """Steps from ``start`` to ``horizon``: the one place a time span becomes a count."""
        return round((self.horizon - self.start) / self.step)

    def years(self) -> list[float]:
        """Decimal year of every state the model records: ``start`` and each step after it."""
        return [self.start + self.step * k for k in range(self.steps + 1)]


class Scenario(Strict):
    """A complete, resolved scenario: what ``wedge run`` simulates."""

    name: str = Field(description="Short name; the default results folder is runs/<name>/.")
    title: str = Field("", description="One-line description for reports.")
    description: str = Field("", description="Longer description.")
    calibration: str = Field(
        "calibration.toml",
        description="Calibration file with the behaviour parameters, relative to this file.",
    )
    calibration_uncertainty: Literal["auto", "posterior", "ranges", "none"] = Field(
        "auto",
        description=(
            "`posterior`: each set of 20 worlds draws one whole accepted parameter set of the "
            "calibration's posterior sample (joint uncertainty), every other parameter at its "
            "value; `ranges`: each parameter independently uniform over its range; `none`: the "
            "point values; `auto`: when the calibration file has a posterior, its sets for the "
            "fitted parameters and every other parameter uniform over its range (the judgement "
            "range of a fixed parameter), else `ranges`."
        ),
    )
    time: Time
    watch: Watch
    outcomes: Outcomes = Field(default_factory=Outcomes)
    actors: dict[str, Actor] = Field(description="The states, keyed by identifier (3 or more).")
    pairs: dict[str, Pair] = Field(
        default_factory=dict, description='Initial pair states keyed "A-B"; unlisted pairs default.'
    )
    shocks: list[Shock] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)
    uncertain: list[Distribution] = Field(default_factory=list)
    behaviour: dict[str, float] = Field(
        default_factory=dict,
        description="Explicit overrides of calibration parameters for this scenario only.",
    )

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", v):
            raise ValueError("use letters, digits, '_', '-' or '.', at most 80 characters")
        return v

    @field_validator("actors")
    @classmethod
    def _actor_ids(cls, v: dict[str, Actor]) -> dict[str, Actor]:
        if len(v) < 3:
            raise ValueError(f"at least 3 actors are needed, got {len(v)}")
        bad = [k for k in v if not re.fullmatch(ACTOR_ID, k)]
        if bad:
            raise ValueError(f"actor id {bad[0]!r} must be 2-12 upper-case letters or digits")
        return v

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        known = list(self.actors)
        allowed = ", ".join(known)

        def need(actor: str | None, where: str) -> None:
            if actor is not None and actor not in self.actors:
                raise ValueError(f"{where}: unknown actor {actor!r}; allowed: {allowed}")

        a, b = self.watch.partnership
        seen: set[frozenset[str]] = set()
        for key, pair in self.pairs.items():
            members = key.split("-")
            if len(members) != 2 or members[0] == members[1]:
                raise ValueError(f"pairs.{key}: a pair key is two different actors, 'A-B'")
            for m in members:
                need(m, f"pairs.{key}")
            if frozenset(members) in seen:
                raise ValueError(f"pairs.{key}: this pair is given twice")
            seen.add(frozenset(members))
            for fname in ("stance", "trust", "dependence", "reach", "fear", "sanctions"):
                for m in getattr(pair, fname):
                    if m not in members:
                        raise ValueError(
                            f"pairs.{key}.{fname}: {m!r} is not in this pair; allowed: "
                            f"{', '.join(members)}"
                        )
        for i, s in enumerate(self.shocks):
            need(s.actor, f"shocks[{i}].actor")
            for other in s.counterparts:
                need(other, f"shocks[{i}].toward")
        for i, lv in enumerate(self.levers):
            need(lv.actor, f"levers[{i}].actor")
            need(lv.target, f"levers[{i}].target")
            need(lv.partner, f"levers[{i}].partner")
            if lv.partner is None and lv.target not in (a, b):
                raise ValueError(
                    f"levers[{i}].partner: target {lv.target} is not in the watched partnership, "
                    "so name the partner to pry it away from"
                )
        need(a, "watch.partnership")
        need(b, "watch.partnership")
        need(self.watch.third, "watch.third")
        if len({a, b, self.watch.third}) != 3:
            raise ValueError("watch: the partnership members and the third power must differ")
        for kind, items in (("shocks", self.shocks), ("levers", self.levers)):
            names = [x.name for x in items]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise ValueError(f"{kind}: name {sorted(dup)[0]!r} is used twice")
        params = [u.parameter for u in self.uncertain]
        dup = {p for p in params if params.count(p) > 1}
        if dup:
            raise ValueError(f"uncertain: parameter {sorted(dup)[0]!r} is listed twice")
        for s in self.shocks:
            if not self.time.start <= s.year < self.time.horizon:
                raise ValueError(
                    f"shocks: {s.name!r} at {s.year} must fall in [{self.time.start}, "
                    f"{self.time.horizon}), the simulated years"
                )
        self._check_paths_are_not_shocked()
        return self

    def path_fields(self) -> dict[tuple[str, str, str | None], TimePath]:
        """Every value given as a path: ``(field, actor, toward)`` -> path.

        ``toward`` is ``None`` for actor fields; a symmetric pair field (and
        ``relation``, which is both stances) is listed in both directions.
        """
        out: dict[tuple[str, str, str | None], TimePath] = {}
        for code, actor in self.actors.items():
            for name, spec in FIELDS.items():
                value = getattr(actor, name, None) if spec.kind == "actor" else None
                if isinstance(value, TimePath):
                    out[(name, code, None)] = value
        for key, pair in self.pairs.items():
            a, b = key.split("-")
            for name, spec in FIELDS.items():
                if spec.kind == "symmetric":
                    value = getattr(pair, name)
                    if isinstance(value, TimePath):
                        out[(name, a, b)] = out[(name, b, a)] = value
                elif spec.kind == "directed":
                    for who, value in getattr(pair, name).items():
                        if isinstance(value, TimePath):
                            out[(name, who, b if who == a else a)] = value
        return out

    def address(self, field: str, who: str, other: str | None) -> str:
        """Where a value of :meth:`path_fields` is written: ``pairs.CHN-RUS.trust.CHN``.

        A pair is named by its key as the file writes it; a directed value adds
        the actor whose value it is.
        """
        if other is None:
            return f"actors.{who}.{field}"
        key = f"{who}-{other}" if f"{who}-{other}" in self.pairs else f"{other}-{who}"
        return f"pairs.{key}.{field}" + (f".{who}" if FIELDS[field].kind == "directed" else "")

    def _check_paths_are_not_shocked(self) -> None:
        """A field that follows a path cannot also be changed by a shock (the path would win)."""
        paths = self.path_fields()
        if not paths:
            return
        for i, s in enumerate(self.shocks):
            for name, _ in s.effects():
                kind = FIELDS[name].kind
                if kind == "actor":
                    hit = [(name, s.actor, None)]
                else:
                    sides = [(s.actor, o) for o in s.counterparts]
                    if s.mutual or kind == "symmetric":
                        sides += [(o, s.actor) for o in s.counterparts]
                    hit = [(f, x, y) for x, y in sides for f in shared_fields(name)]
                for target in hit:
                    if target in paths:
                        raise ValueError(
                            f"shocks[{i}].{name}: {self.address(*target)} follows a path, so a "
                            "shock cannot change it too; put the change into the path"
                        )

    def names_by_date(self, code: str) -> list[tuple[float, str]]:
        """``(from year, display name)`` of an actor: its own name, then each successor's."""
        actor = self.actors[code]
        out = [(self.time.start, actor.name or code)]
        for s in sorted(self.shocks, key=lambda s: s.year):
            if s.actor == code and s.successor is not None:
                out.append((s.year, s.successor))
        return out

    def display_name(self, code: str) -> str:
        """The actor's name for plots and reports: ``"USSR / Russia"`` after a succession."""
        return " / ".join(name for _, name in self.names_by_date(code))

    def lever_partner(self, lever: Lever) -> str:
        """The partner a lever aims to pry the target away from."""
        if lever.partner is not None:
            return lever.partner
        a, b = self.watch.partnership
        if lever.target == a:
            return b
        if lever.target == b:
            return a
        raise ValueError(
            f"lever {lever.name!r}: target {lever.target} is not in the watched partnership; "
            "set `partner`"
        )
