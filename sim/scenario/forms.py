"""The forms a situational value can take: a number, a time path, or a shock's effect.

Every field that describes a situation (an actor's capability, a pair's
proximity, one side's sanctions) is listed once in :data:`FIELDS`, with its
range, what a plain number means in a shock and whether scaling it makes
sense. The schema (:mod:`sim.scenario.schema`), the model's schedule
(:mod:`sim.model.schedule`) and the generated reference read this table, so a
field is described in one place.

- In ``[actors.ID]`` and ``[pairs.A-B]`` a value is a number or a
  :class:`TimePath`: ``(year, value)`` points, linear between points, the first
  value before the first point and the last held after the last.
- In ``[[shocks]]`` a value is a number (the field's legacy mode, see
  :attr:`FieldSpec.plain`) or an :class:`Effect`: one of ``set``, ``add`` or
  ``scale``, spread over ``ramp`` years, an added amount fading with
  half-life ``fade``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Kind = Literal["actor", "symmetric", "directed"]
Mode = Literal["set", "add", "scale", "relative"]


@dataclass(frozen=True)
class FieldSpec:
    """One situational field: where it lives, its range, and how shocks may change it.

    Attributes
    ----------
    name
        The field's name in scenario files.
    kind
        ``actor`` (one per state), ``symmetric`` (one per pair) or ``directed``
        (one per side of a pair: the named actor's value toward the other).
    low, high
        Its range; ``low_open`` when ``low`` itself is excluded (capability > 0).
    plain
        What a plain number means in a shock: ``add`` it, ``set`` the level,
        or ``relative`` (a relative change: ``-0.25`` = lose 25%).
    step
        Bounds of a plain number or an ``add`` amount in a shock.
    scalable
        Whether ``scale`` makes sense (not for signed stances and relations).
    moved
        Whether the model moves the field itself; a path on such a field
        replaces the model's own dynamics for it.
    unit
        The unit, for the reference.
    """

    name: str
    kind: Kind
    low: float
    high: float
    plain: Mode = "add"
    step: tuple[float, float] = (-1.0, 1.0)
    scalable: bool = True
    moved: bool = False
    low_open: bool = False
    unit: str = "0-1"

    def in_range(self, value: float) -> bool:
        """Whether ``value`` is an admissible level of the field."""
        above = value > self.low if self.low_open else value >= self.low
        return above and value <= self.high

    def range_text(self) -> str:
        """``[0, 1]`` or ``(0, 1]``."""
        return f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}]"


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("capability", "actor", 0.0, 1.0, plain="relative", step=(-0.95, 5.0),
                  moved=True, low_open=True, unit="share of world capability (COW CINC)"),
        FieldSpec("growth", "actor", -0.5, 0.5, step=(-0.5, 0.5), unit="fraction per year"),
        FieldSpec("volatility", "actor", 0.0, 0.5, step=(-0.5, 0.5),
                  unit="sd of yearly log growth"),
        FieldSpec("offensive", "actor", 0.0, 1.0),
        FieldSpec("salience", "actor", 0.0, 1.0),
        FieldSpec("leader_hazard", "actor", 0.0, 2.0, step=(-2.0, 2.0), unit="per year"),
        FieldSpec("instability", "actor", 0.0, 1.0, moved=True),
        FieldSpec("distress", "actor", 0.0, 1.0, moved=True),
        FieldSpec("patronage", "actor", 0.0, 1.0),
        FieldSpec("relation", "symmetric", -1.0, 1.0, step=(-2.0, 2.0), scalable=False,
                  moved=True, unit="-1 hostile to +1 allied"),
        FieldSpec("institutions", "symmetric", 0.0, 1.0, moved=True),
        FieldSpec("ideology_distance", "symmetric", 0.0, 1.0),
        FieldSpec("doctrinal_rivalry", "symmetric", 0.0, 1.0, moved=True),
        FieldSpec("proximity", "symmetric", 0.0, 1.0),
        FieldSpec("disputes", "symmetric", 0.0, 1.0),
        FieldSpec("stance", "directed", -1.0, 1.0, step=(-2.0, 2.0), scalable=False,
                  moved=True, unit="-1 hostile to +1 allied"),
        FieldSpec("trust", "directed", 0.0, 1.0, moved=True),
        FieldSpec("dependence", "directed", 0.0, 1.0, moved=True),
        FieldSpec("reach", "directed", 0.0, 1.0),
        FieldSpec("fear", "directed", 0.0, 1.0, unit="threat units (0-1)"),
        FieldSpec("sanctions", "directed", 0.0, 1.0, plain="set"),
    )
}  # fmt: skip
"""Every situational field, in the order the schedule applies shocks to them."""

SCALE_LIMIT = 10.0
"""The largest factor a ``scale`` effect may apply."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TimePath(_Strict):
    """A value that changes over time: ``(year, value)`` points, linear between them.

    Before the first point the first value holds, after the last the last
    one. ``csv`` names a file (relative to the scenario file) with a ``year``
    column and the ``column`` of values, filtered by ``where``; the loader
    reads it into ``path``, so the scenario as run carries the points.

    The value at ``time.start`` is the initial value, and the field is set to
    the path's value at the start of every step. On a field the model moves
    itself (stance, trust, institutions, dependence, capability, instability,
    distress, doctrinal rivalry) a path replaces the model's own dynamics:
    use it for exogenous forcing, never to impose an outcome. A growth path
    replaces the constant trend. A value that follows a path cannot also be
    uncertain or changed by a shock.
    """

    path: list[tuple[float, float]] | None = Field(
        None, description="Points `[[year, value], ...]`, years strictly increasing."
    )
    csv: str | None = Field(
        None, description="A CSV file with a `year` column, relative to the scenario file."
    )
    column: str = Field("value", description="The CSV column holding the values.")
    where: dict[str, str | int | float] = Field(
        default_factory=dict,
        description='Keep only CSV rows with these values, e.g. `{ state = "CHN" }`.',
    )
    source: str = Field("", description="Where the path comes from.")

    @model_validator(mode="after")
    def _points(self) -> TimePath:
        if self.path is None:
            if self.csv is None:
                raise ValueError('give `path = [[year, value], ...]` or `csv = "file.csv"`')
            return self
        if not self.path:
            raise ValueError("path: at least one [year, value] point is needed")
        years = [p[0] for p in self.path]
        for k in range(1, len(years)):
            if not years[k] > years[k - 1]:
                raise ValueError(
                    f"path: years must increase, but point {k} ({years[k]:g}) does not come "
                    f"after point {k - 1} ({years[k - 1]:g})"
                )
        return self

    def at(self, years: float | np.ndarray) -> np.ndarray:
        """The value at each of ``years`` (decimal years)."""
        if self.path is None:
            raise ValueError("this path's CSV has not been read (load the scenario file)")
        ys, vs = zip(*self.path, strict=True)
        return np.interp(np.asarray(years, dtype=float), ys, vs)


def _number_or_table(value: Any) -> str:
    return "Table" if isinstance(value, dict | BaseModel) else "Number"


def number_or_path(number: Any) -> Any:
    """The type of a situational value: a number (with its bounds) or a :class:`TimePath`."""
    return Annotated[
        Union[Annotated[number, Tag("Number")], Annotated[TimePath, Tag("Table")]],  # noqa: UP007
        Discriminator(_number_or_table),
    ]


def initial(value: float | TimePath, start: float) -> float:
    """A situational value at ``start``: the number itself, or the path's value then."""
    if isinstance(value, TimePath):
        return float(value.at(start))
    return float(value)


class Effect(_Strict):
    """How a shock changes one field: exactly one of ``set``, ``add``, ``scale``.

    ``ramp`` spreads the change over that many years (in whole steps, at
    least one); ``fade`` makes an added amount decay away with that half-life
    in years, from the step it is added.
    """

    set: float | None = Field(None, description="Move the field to this level.")
    add: float | None = Field(None, description="Change the field by this amount.")
    scale: float | None = Field(None, description="Multiply the field by this factor.")
    ramp: float = Field(
        0.0, ge=0.0, le=100.0, description="Years over which the change is spread (0: at once)."
    )
    fade: float | None = Field(
        None,
        gt=0.0,
        le=100.0,
        description="Half-life in years of an added amount (only with `add`).",
    )

    @model_validator(mode="after")
    def _one_mode(self) -> Effect:
        given = [m for m in ("set", "add", "scale") if getattr(self, m) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of set, add or scale"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.fade is not None and self.add is None:
            raise ValueError("fade: only an added amount can fade; use `add` with `fade`")
        return self

    @property
    def mode(self) -> Mode:
        """``set``, ``add`` or ``scale``."""
        return "set" if self.set is not None else "add" if self.add is not None else "scale"

    @property
    def value(self) -> float:
        """The mode's number: the level, the amount or the factor."""
        return float(getattr(self, self.mode))


Amount = Annotated[
    Union[Annotated[float, Tag("Number")], Annotated[Effect, Tag("Table")]],  # noqa: UP007
    Discriminator(_number_or_table),
]
"""A shock's value for one field: a plain number or an :class:`Effect`."""


def effect_of(field: str, value: float | Effect) -> tuple[Mode, float, float, float | None]:
    """``(mode, value, ramp, fade)`` of a shock's value for ``field``."""
    if isinstance(value, Effect):
        return value.mode, value.value, value.ramp, value.fade
    return FIELDS[field].plain, float(value), 0.0, None


def effect_words(field: str, value: float | Effect) -> str:
    """A shock's change of one field in words: ``"instability +0.5 over 1 year"``."""
    mode, number, ramp, fade = effect_of(field, value)
    text = {
        "add": f"{field} {number:+g}",
        "set": f"{field} set to {number:g}",
        "scale": f"{field} \u00d7{number:g}",
        "relative": f"{field} {number:+.0%}",
    }[mode]
    if ramp > 0:
        text += f" over {ramp:g} year{'s' if ramp != 1 else ''}"
    if fade is not None:
        text += f", fading (half-life {fade:g} year{'s' if fade != 1 else ''})"
    return text


def mode_bounds(field: str, mode: Mode) -> tuple[float, float]:
    """The admissible values of a shock's number for ``field`` in ``mode``."""
    spec = FIELDS[field]
    if mode == "set":
        return spec.low, spec.high
    if mode == "scale":
        return 0.0, SCALE_LIMIT
    return spec.step


def check_amount(field: str, value: float | Effect) -> None:
    """Raise ``ValueError`` if a shock's value for ``field`` is out of its mode's bounds."""
    spec = FIELDS[field]
    mode, number, _, _ = effect_of(field, value)
    if mode == "scale" and not spec.scalable:
        raise ValueError(f"scale makes no sense on a signed {field} (-1 to +1); use set or add")
    lo, hi = mode_bounds(field, mode)
    if mode == "set" and not spec.in_range(number):
        raise ValueError(f"set: {number:g} is outside {field}'s range {spec.range_text()}")
    if not lo <= number <= hi:
        what = {"relative": "a relative change", "add": "add", "scale": "scale", "set": "set"}
        raise ValueError(f"{what[mode]}: {number:g} is outside [{lo:g}, {hi:g}]")


def check_path(field: str, value: Any) -> None:
    """Raise ``ValueError`` if a path leaves ``field``'s range at any point."""
    if not isinstance(value, TimePath) or value.path is None:
        return
    spec = FIELDS[field]
    for k, (year, v) in enumerate(value.path):
        if not spec.in_range(v):
            raise ValueError(
                f"path: the value {v:g} at {year:g} (point {k}) is outside {field}'s range "
                f"{spec.range_text()}"
            )
