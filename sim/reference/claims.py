"""What the reference results say about the seed articles' claims (BRIEF section 1).

One paragraph per claim for ``results/README.md``, each built from the parts'
JSON summaries (never recomputed): the numbers that bear on the claim and a
verdict in words. Two probabilities differ only where their 95% intervals do
not overlap; anything else is "no clear difference", because a claim the
model cannot tell apart from sampling error is not one it supports. Every
verdict is about the model under its current calibration, not about the world.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.formats import format_estimate as _share
from sim.reference.parts import read_json

Estimate = Mapping[str, Any]

SIGNIFICANT = 0.01
"""Paired p-value below which a five-factor swap counts as moving P(split)."""

CLAIMED_DRIVERS = ("geopolitics", "ideology", "leadership")
"""The five-factor cases that stand for the drivers the first claim names: Chinese fear of
the USSR, ideological rivalry and mistrust between the leaders."""

MATERIAL = 0.05
"""Change of P(split), in probability, below which a significant swap is not reported as
carrying the outcome (five points)."""


def listing(items: list[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


def compare(a: Estimate | None, b: Estimate | None) -> str:
    """``">"``, ``"<"`` or ``"~"``: ``a``'s 95% interval above, below or across ``b``'s."""
    if not a or not b or any(x.get(k) is None for x in (a, b) for k in ("low", "high")):
        return "~"
    if a["low"] > b["high"]:
        return ">"
    if a["high"] < b["low"]:
        return "<"
    return "~"


def _split(build: Path, name: str) -> Estimate | None:
    """A scenario part's P(split), or ``None`` when the part is absent."""
    return read_json(build / name, "summary.json").get("p_split")


def from_within(build: Path) -> list[str]:
    """The 1960s split came from within, not from outside pressure."""
    card = read_json(build / "validation" / "sino_soviet_1949_1975", "scorecard.json")
    if not card:
        return ["The validation of 1949-1975 is not among these results."]
    p = card.get("p_rupture_by_1965") or {}
    year = card.get("median_rupture_year")
    when = f", median year {year:.1f}" if isinstance(year, int | float) else ""
    verdict = (
        "**Holds in the model**: the split needs no push from outside"
        if (p.get("value") or 0) >= 0.5
        else "**Not shown by the model**: from the situation of 1949 it does not split in most runs"
    )
    lines = [
        f"With no lever and no outside offer scheduled, the 1949 hindcast's alliance ruptures by "
        f"1965 in {_share(p)} of runs{when}. {verdict}."
    ]
    cases = [
        c
        for c in read_json(build / "factors", "factors.json").get("cases") or []
        if c.get("direction") == "1949" and c.get("case") not in ("base", "all five")
    ]
    if cases:
        moving = [
            c
            for c in cases
            if (c.get("p_value_split") or 1.0) < SIGNIFICANT
            and abs(c.get("change_p_split") or 0.0) >= MATERIAL
        ]
        listed = "; ".join(
            f"{c['case']} {100 * (c.get('change_p_split') or 0.0):+.1f} points" for c in cases
        )
        carried = listing([c["case"] for c in moving]) or "none of them alone"
        named = [f for f in CLAIMED_DRIVERS if any(c["case"] == f for c in cases)]
        borne = [f for f in named if any(c["case"] == f for c in moving)]
        lines.append(
            f"Which of 1949's factors carry it (each replaced by its 2024 value, same worlds): "
            f"{listed}. Carrying the split: {carried}. Of the drivers the claim names (fear: "
            f"geopolitics; ideological rivalry; mistrust: leadership) the model bears out "
            f"{listing(borne) or 'none'}"
            + (
                f", not {listing([f for f in named if f not in borne])}."
                if len(borne) < len(named)
                else "."
            )
        )
    return lines


def weaker_member(build: Path) -> list[str]:
    """A wedge works better on the weaker member, but not while Russia does not fear China."""
    moscow, beijing = _split(build, "us_offer_to_moscow"), _split(build, "us_offer_to_beijing")
    base = _split(build, "baseline_2024")
    if moscow is None or beijing is None or base is None:
        return ["The offer scenarios or the baseline are not among these results."]
    order = compare(moscow, beijing)
    words = {
        ">": "**holds in the model**: the offer to Moscow splits more often",
        "<": "**fails in the model**: the offer to Beijing splits more often",
        "~": "**not shown**: the two offers cannot be told apart",
    }[order]
    moved = compare(moscow, base)
    sweet = {
        ">": "the offer to Moscow does move it above the baseline, so the model does not bear out "
        "that a sweet deal fails while Russia does not fear China",
        "~": "the offer to Moscow does not move it beyond the baseline's interval: **holds** that "
        "a deal alone does not move Russia",
        "<": "the offer to Moscow makes a split rarer than doing nothing",
    }[moved]
    none = all((x.get("value") or 0.0) == 0.0 for x in (moscow, beijing, base))
    return [
        f"P(split) by the horizon: an offer to Moscow {_share(moscow)}, the same kind of offer to "
        f"Beijing {_share(beijing)}, nothing {_share(base)}. Working better on the weaker member "
        f"(now Russia): {words}; {sweet}."
        + (" All three are zero: in the model nothing here moves either member." if none else "")
    ]


def defeat(build: Path) -> list[str]:
    """A total Russian defeat and collapse perhaps change the calculus."""
    base, beaten = _split(build, "baseline_2024"), _split(build, "russian_defeat_ukraine")
    moscow, both = _split(build, "us_offer_to_moscow"), _split(build, "defeat_then_offer")
    if base is None or beaten is None:
        return ["The defeat scenario or the baseline is not among these results."]
    lines = [
        f"P(split): after a Russian defeat in Ukraine {_share(beaten)} against {_share(base)} "
        "without it: "
        + {
            ">": "**the defeat changes the calculus** in the model",
            "~": "**no clear change**: the defeat alone does not loosen the axis in the model",
            "<": "the defeat tightens the axis in the model (China helps Russia rebuild)",
        }[compare(beaten, base)]
        + "."
    ]
    if moscow is not None and both is not None:
        lines.append(
            f"A defeat followed by an offer to Moscow: {_share(both)}, against "
            f"{_share(moscow)} for the offer alone ("
            + {
                ">": "the defeat helps the offer",
                "~": "no clear difference",
                "<": "the defeat hurts the offer",
            }[compare(both, moscow)]
            + "). Whether China is keener than the West to help is read from the scenario's "
            "support flows in its own report, not summarised here."
        )
    return lines


def frictions(build: Path) -> list[str]:
    """Residual frictions: Russian fear for the Far East."""
    base, fear = _split(build, "baseline_2024"), _split(build, "far_east_tension")
    if base is None or fear is None:
        return ["The Far East scenario or the baseline is not among these results."]
    return [
        f"P(split) when Russia comes to fear China over the Far East: {_share(fear)}, against "
        f"{_share(base)} without that fear: "
        + {
            ">": "**the friction matters** in the model: fear is a route to a split",
            "~": "**no clear difference**: the friction alone does not loosen the axis",
            "<": "the friction tightens the axis in the model",
        }[compare(fear, base)]
        + "."
    ]


CLAIMS: tuple[tuple[str, Callable[[Path], list[str]]], ...] = (
    (
        "The 1960s split came from within (Chinese fear of the USSR, ideological rivalry, "
        "mistrust), not from outside pressure.",
        from_within,
    ),
    (
        'A wedge works better on the weaker member (now Russia), but even a "sweet deal" may '
        "not move Russia while it does not fear China.",
        weaker_member,
    ),
    (
        'A total Russian defeat in Ukraine and an economic collapse "perhaps" change the '
        "calculus, though China would be keener than the West to help Russia rebuild.",
        defeat,
    ),
    (
        "Residual frictions exist, among them Russian fear for the thinly populated Far East.",
        frictions,
    ),
)
"""Each claim of the seed articles (BRIEF section 1) and what reads the results on it."""


def claims_section(build: Path) -> list[str]:
    """The index's section on the seeds' claims: each claim quoted, then what the model says."""
    lines = [
        "## What the results say about the seeds' claims",
        "",
        "Each claim of the two seed articles, then the numbers in these results that bear on it "
        "(95% intervals: sampling error only). Two probabilities count as different only where "
        "their intervals do not overlap. Each verdict describes the model under its current "
        "calibration.",
    ]
    for k, (claim, reader) in enumerate(CLAIMS, start=1):
        lines += ["", f"{k}. *{claim}*", ""]
        lines += [f"   {line}" for line in reader(build)]
    return lines
