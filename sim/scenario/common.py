"""Shared pieces of the scenario schema: actor ids, bounded numbers, the strict base model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ACTOR_ID = r"^[A-Z][A-Z0-9_]{1,11}$"
"""Actor identifiers: an upper-case code such as ``USA``, ``CHN``, ``RUS``, ``IND``."""

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or intensity on the unit interval, 0 = none, 1 = the most there is."""

Signed = Annotated[float, Field(ge=-1.0, le=1.0)]
"""A relation or stance on [-1, 1]: -1 hostile, 0 neutral, +1 allied."""


def metadata_bounds(metadata: list) -> tuple[float | None, float | None, bool, bool]:
    """``(low, high, low_open, high_open)`` of a field from its ge/gt/le/lt metadata.

    ``None`` for a side without a bound; ``*_open`` is True for a strict bound.
    """
    lo = hi = None
    lo_open = hi_open = False
    for meta in metadata:
        if getattr(meta, "ge", None) is not None:
            lo, lo_open = meta.ge, False
        if getattr(meta, "gt", None) is not None:
            lo, lo_open = meta.gt, True
        if getattr(meta, "le", None) is not None:
            hi, hi_open = meta.le, False
        if getattr(meta, "lt", None) is not None:
            hi, hi_open = meta.lt, True
    return lo, hi, lo_open, hi_open


class Strict(BaseModel):
    """Base for every scenario table: frozen, unknown fields and non-finite numbers rejected.

    TOML can write ``nan`` and ``inf``; no field means either, so a number
    must be finite (pydantic: "Input should be a finite number").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
