"""The index's section on the seeds' claims reads the parts' summaries and says what they show.

Known answers on hand-made summaries: a verdict follows the intervals (apart, or
overlapping), a missing part is said to be missing, and the numbers printed are the
summaries' own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.reference.claims import CLAIMS, claims_section, compare


def est(value: float, half: float = 0.01) -> dict:
    return {"value": value, "low": max(0.0, value - half), "high": min(1.0, value + half)}


def put(build: Path, name: str, p_split: dict) -> None:
    (build / name).mkdir(parents=True, exist_ok=True)
    (build / name / "summary.json").write_text(json.dumps({"p_split": p_split}))


def section(tmp_path: Path, **splits: float) -> str:
    """The claims section over scenario parts with these P(split), each +/- 0.01."""
    for name, value in splits.items():
        put(tmp_path, name, est(value))
    return "\n".join(claims_section(tmp_path))


@given(a=st.floats(0, 1), b=st.floats(0, 1), half=st.floats(0, 0.2))
def test_compare_is_antisymmetric_and_needs_intervals_apart(a, b, half):
    x, y = est(a, half), est(b, half)
    assert {compare(x, y), compare(y, x)} in ({"~"}, {">", "<"})
    if compare(x, y) == ">":
        assert x["low"] > y["high"]
    if x["low"] <= y["high"] and y["low"] <= x["high"]:
        assert compare(x, y) == "~"


def test_an_offer_to_the_weaker_member_that_splits_more_holds(tmp_path):
    text = section(tmp_path, us_offer_to_moscow=0.30, us_offer_to_beijing=0.05, baseline_2024=0.02)
    assert "an offer to Moscow 30.0% (29.0%–31.0%)" in text
    assert "**holds in the model**: the offer to Moscow splits more often" in text
    assert "does move it above the baseline" in text


def test_offers_that_cannot_be_told_apart_are_not_a_finding(tmp_path):
    text = section(tmp_path, us_offer_to_moscow=0.05, us_offer_to_beijing=0.055, baseline_2024=0.05)
    assert "**not shown**: the two offers cannot be told apart" in text
    assert "**holds** that a deal alone does not move Russia" in text


def test_the_far_east_and_the_defeat_are_read_against_the_baseline(tmp_path):
    text = section(
        tmp_path, baseline_2024=0.02, far_east_tension=0.20, russian_defeat_ukraine=0.021
    )
    assert "**the friction matters** in the model" in text
    assert "**no clear change**: the defeat alone does not loosen the axis" in text


def test_the_split_from_within_reads_the_hindcast_and_the_factors(tmp_path):
    card = tmp_path / "validation" / "sino_soviet_1949_1975"
    card.mkdir(parents=True)
    (card / "scorecard.json").write_text(
        json.dumps({"p_rupture_by_1965": est(0.7), "median_rupture_year": 1962.5})
    )
    (tmp_path / "factors").mkdir()
    cases = [
        {"direction": "1949", "case": "base", "change_p_split": 0.0, "p_value_split": None},
        {"direction": "1949", "case": "ideology", "change_p_split": -0.6, "p_value_split": 1e-9},
        {"direction": "1949", "case": "leadership", "change_p_split": 0.01, "p_value_split": 0.5},
        {"direction": "2024", "case": "ideology", "change_p_split": 0.3, "p_value_split": 1e-9},
    ]
    (tmp_path / "factors" / "factors.json").write_text(json.dumps({"cases": cases}))
    text = "\n".join(claims_section(tmp_path))
    assert "ruptures by 1965 in 70.0% (69.0%–71.0%) of runs, median year 1962.5" in text
    assert "**Holds in the model**" in text
    assert "ideology -60.0 points; leadership +1.0 points" in text
    assert "Carrying the split: ideology." in text
    assert "the model bears out ideology, not leadership." in text


@pytest.mark.parametrize("k", range(len(CLAIMS)))
def test_a_claim_without_its_parts_says_so(tmp_path, k):
    _claim, reader = CLAIMS[k]
    lines = reader(tmp_path)
    assert len(lines) == 1 and "not among these results" in lines[0]


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_listing_reads_as_prose(items, text):
    from sim.reference.claims import listing

    assert listing(items) == text


def test_offers_that_all_give_nothing_are_said_to_give_nothing(tmp_path):
    text = section(tmp_path, us_offer_to_moscow=0.0, us_offer_to_beijing=0.0, baseline_2024=0.0)
    assert "All three are zero" in text
