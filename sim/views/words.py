"""The words shared by every view: configuration labels, captions, actor names.

Numbers are formatted by :mod:`sim.formats`. Imports nothing heavier than the
standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CONFIGURATIONS: tuple[str, ...] = (
    "menage_a_trois",
    "romantic_triangle",
    "stable_marriage",
    "unit_veto",
)
"""Dittmer (1981) configurations, ordered from most to fewest aligned pairs."""

CONFIGURATION_LABELS: dict[str, str] = {
    "menage_a_trois": "ménage à trois",
    "romantic_triangle": "romantic triangle",
    "stable_marriage": "stable marriage",
    "unit_veto": "unit veto",
}
"""Readable name of each configuration, as printed in legends and tables."""

CONFIGURATION_MEANINGS: dict[str, str] = {
    "menage_a_trois": "all three pairs aligned",
    "romantic_triangle": "two pairs aligned; their shared member is the pivot",
    "stable_marriage": "one pair aligned, the third power excluded",
    "unit_veto": "no pair aligned",
}
"""What each configuration means in terms of aligned pairs (BRIEF section 4)."""

DEFAULT_THRESHOLDS: dict[str, float] = {"aligned": 0.25, "hostile": -0.25}
"""Relation at or above which a pair is aligned, at or below which it is hostile."""

CAPTIONS: dict[str, str] = {
    "fans": (
        "Relation r of each pair over time (-1 hostile, +1 allied): median across runs "
        "(line), middle 50% and middle 90% of runs (bands). Dashed lines mark the "
        "aligned and hostile thresholds."
    ),
    "cumulative": (
        "Cumulative probability (share of runs) that the watched partnership has ruptured, "
        "and that a 1970s-style split has followed, by each year; bands are 95% Wilson "
        "intervals."
    ),
    "configurations": (
        "Share of runs in each of Dittmer's strategic-triangle configurations over time, "
        "stacked to 1."
    ),
    "triangle": (
        "The watched triangle at selected years: each edge shows the median relation r "
        "across runs, with its style giving the state (solid = aligned, dotted = neutral, "
        "dashed = hostile)."
    ),
}
"""Default caption of each figure key; keys with a suffix (``configurations_X``) match too."""


# --------------------------------------------------------------------------- words


def actor_name(actor: str, actors: Mapping[str, str] | None) -> str:
    """Readable name of an actor id, falling back to the id itself.

    Parameters
    ----------
    actor : str
        Actor id such as ``"CHN"``.
    actors : mapping or None
        ``summary["actors"]``: id -> readable name.
    """
    if not actors:
        return actor
    return actors.get(actor) or actor


def group_label(members: list[str] | tuple[str, ...], actors: Mapping[str, str] | None) -> str:
    """Readable label of a pair or triad: ``["CHN", "RUS"] -> "China – Russia"``."""
    return " – ".join(actor_name(m, actors) for m in members)


def thresholds_of(summary: Mapping[str, Any]) -> dict[str, float]:
    """Aligned and hostile thresholds of the summary, on the relation scale [-1, 1]."""
    given = summary.get("thresholds") or {}
    return {
        "aligned": float(given.get("aligned", DEFAULT_THRESHOLDS["aligned"])),
        "hostile": float(given.get("hostile", DEFAULT_THRESHOLDS["hostile"])),
    }


def caption_for(key: str) -> str:
    """Caption of a figure key; ``"configurations_CHN-RUS-USA"`` gets a triad suffix.

    Parameters
    ----------
    key : str
        Key of ``figures`` in :func:`write_report`.

    Returns
    -------
    str
        A known caption, or the key in words when it is unknown.
    """
    if key in CAPTIONS:
        return CAPTIONS[key]
    for known in sorted(CAPTIONS, key=len, reverse=True):
        if key.startswith(known) and len(key) > len(known) and key[len(known)] in "_-:. ":
            suffix = key[len(known) + 1 :].replace("_", " ").strip()
            return f"{CAPTIONS[known]} ({suffix})" if suffix else CAPTIONS[known]
    return key.replace("_", " ").strip().capitalize() + "."
