"""The ``[[shocks]]`` table: a dated event that changes one actor's situation or its ties.

Every situational field of :data:`~sim.scenario.forms.FIELDS` can be changed,
each by a number in its plain mode or an :class:`~sim.scenario.forms.Effect`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.common import Strict, Unit
from sim.scenario.forms import FIELDS, Amount, Effect, check_amount, effect_of, effect_words


class Shock(Strict):
    """A dated event that changes the situation of one actor, or of it toward others.

    Every effect is optional; fields that act on a relationship need ``toward``.
    Each field takes a number in its plain mode (a relative change for
    ``capability``, a level for ``sanctions``, an amount to add for the rest)
    or a table ``{ set | add | scale = x, ramp = years, fade = years }``.
    ``successor`` turns the actor into its successor state from ``year``.
    """

    name: str = Field(description="Unique name, used in reports and for the shock's random stream.")
    year: float = Field(
        ge=1800.0,
        le=2300.0,
        description="When it happens (decimal year, 1968.6 = early August 1968).",
    )
    actor: str = Field(description="The actor it happens to.")
    toward: str | list[str] | None = Field(
        None,
        description=(
            "The other actor, or a list of them, for relationship effects (each pair gets the "
            "same effects)."
        ),
    )
    mutual: bool = Field(
        False, description="Apply directed relationship effects in both directions of each pair."
    )
    probability: Unit = Field(1.0, description="Share of worlds in which the shock happens.")
    successor: str | None = Field(
        None,
        description=(
            "The actor becomes its successor state, with this display name, from `year` (the "
            "USSR becoming Russia): a new leader, the same code and random streams."
        ),
    )
    capability: Amount = Field(
        0.0, description="Capability; plain number: relative change (-0.25 = lose 25%)."
    )
    growth: Amount = Field(0.0, description="Trend growth, fraction per year; plain: added.")
    volatility: Amount | None = Field(None, description="Volatility of log growth; plain: added.")
    distress: Amount = Field(0.0, description="Economic distress; plain: added.")
    instability: Amount = Field(0.0, description="Regime instability; plain: added.")
    leader_change: Unit = Field(
        0.0, description="Probability that the shock removes the actor's leader."
    )
    leader_hazard: Amount | None = Field(
        None, description="Yearly hazard of a change of leader; plain: added."
    )
    offensive: Amount = Field(
        0.0, description="Offensive capability (an army destroyed); plain: added."
    )
    salience: Amount = Field(0.0, description="Ideological salience; plain: added.")
    patronage: Amount = Field(0.0, description="Patronage; plain: added.")
    relation: Amount | None = Field(
        None, description="Both stances between actor and `toward`; plain: added."
    )
    stance: Amount = Field(0.0, description="The actor's stance toward `toward`; plain: added.")
    fear: Amount = Field(0.0, description="The actor's extra fear of `toward`; plain: added.")
    trust: Amount = Field(0.0, description="The actor's leader's trust in `toward`; plain: added.")
    dependence: Amount = Field(
        0.0, description="The actor's structural dependence on `toward`; plain: added."
    )
    reach: Amount | None = Field(
        None, description="The actor's power-projection reach toward `toward`; plain: added."
    )
    sanctions: Amount | None = Field(
        None, description="The actor's sanctions on `toward`; plain: sets the level."
    )
    institutions: Amount | None = Field(
        None, description="Joint institutions with `toward`; plain: added."
    )
    doctrinal_rivalry: Amount = Field(
        0.0, description="Doctrinal rivalry with `toward`; plain: added."
    )
    ideology_distance: Amount = Field(
        0.0, description="Ideological distance to `toward`; plain: added."
    )
    proximity: Amount | None = Field(
        None, description="Geographic proximity to `toward`; plain: added."
    )
    disputes: Amount = Field(0.0, description="Disputes with `toward`; plain: added.")
    crisis: bool = Field(
        False, description="A crisis between actor and `toward`, with the effects of a clash."
    )
    source: str = Field("", description="Where the event and its size come from.")

    @field_validator(*FIELDS)
    @classmethod
    def _amount_in_bounds(cls, v: Any, info: ValidationInfo) -> Any:
        if v is not None:
            check_amount(info.field_name, v)  # type: ignore[arg-type]
        return v

    @model_validator(mode="after")
    def _relationship_effects_need_toward(self) -> Shock:
        used = [f for f, _ in self.effects() if FIELDS[f].kind != "actor"]
        if self.crisis:
            used.append("crisis")
        if used and not self.counterparts:
            raise ValueError(f"{', '.join(used)} act on a relationship: set `toward` to an actor")
        if self.actor in self.counterparts:
            raise ValueError("`toward` must differ from `actor`")
        if len(set(self.counterparts)) != len(self.counterparts):
            raise ValueError("toward: an actor is listed twice")
        if self.successor is not None and self.probability != 1.0:
            raise ValueError(
                "probability: a succession happens in every world (probability = 1); "
                f"got {self.probability:g}"
            )
        return self

    @property
    def counterparts(self) -> list[str]:
        """The actors named in ``toward``, as a list (empty if none)."""
        if self.toward is None:
            return []
        return [self.toward] if isinstance(self.toward, str) else list(self.toward)

    def effects(self) -> list[tuple[str, float | Effect]]:
        """``(field, value)`` of every field this shock changes, in :data:`FIELDS` order.

        A plain zero changes nothing, so it is left out; an :class:`Effect` is
        always kept (``{ add = 0 }`` may still be made uncertain).
        """
        out = []
        for name in FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            plain_zero = not isinstance(value, Effect) and value == 0.0
            if plain_zero and FIELDS[name].plain != "set":
                continue
            out.append((name, value))
        return out

    def describe(self) -> str:
        """What the shock does, in words: its successor, its changes, a leader change, a crisis."""
        out = [f"becomes {self.successor} (a new leader)"] if self.successor else []
        out += [effect_words(name, value) for name, value in self.effects()]
        if self.leader_change > 0 and self.successor is None:
            out.append(f"removes the leader (probability {self.leader_change:g})")
        if self.crisis:
            out.append("a crisis")
        return ", ".join(out) or "nothing"

    def mode(self, field: str) -> str:
        """The mode of this shock's value for ``field``: set, add, scale or relative."""
        return effect_of(field, getattr(self, field))[0]


def shared_fields(name: str) -> tuple[str, ...]:
    """The path fields a shock's field touches: ``relation`` and ``stance`` are the same stances."""
    if name in ("relation", "stance"):
        return ("relation", "stance")
    return (name,)
