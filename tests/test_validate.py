"""The 1949-1975 hindcast: target rules on synthetic runs, the scorecard, the figure, the CLI.

The rules are tested on runs tables built here, so no test depends on what the
model or its calibration currently produce: only on the structure of the runs
table (``rupture_year``, ``worst_year``, ``peak_hazard_year``, ``r_<pair>@<year>``).
"""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import wedge
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim import load_inputs, run_ensemble
from sim.cli import main
from sim.engine.stats import proportion
from sim.experiments.history import scorecard as scoring
from sim.experiments.history.shape import (
    clash_windows,
    mid_onsets,
    relation_turn,
    relation_windows,
    shape_windows,
)
from sim.experiments.history.snapshots import Snapshots
from sim.experiments.history.targets import measure, rule, tightened
from sim.experiments.validate import (
    Validate,
    hindcasts,
    load_milestones,
    run_hindcast,
    snapshot_years,
)
from sim.scenario.episode import load_episode
from sim.scenario.errors import InputError
from sim.views.episode import format_scorecard, report_markdown
from sim.views.hindcast import plot_hindcast, stagger

ROOT = Path(__file__).resolve().parents[1]
EPISODE_FILE = ROOT / "data" / "episode_1949_1975.toml"
EPISODE = load_episode(EPISODE_FILE)
TARGETS = EPISODE.targets
MIDS = ROOT / "data" / "mids_cow_v5_1946_1975.csv"
MILESTONES = ROOT / "data" / "milestones_1945_1975.csv"
TURN_YEARS = EPISODE.shape.turn_years
SHAPE_PAIRS = EPISODE.shape.pairs
TURN_PAIRS = EPISODE.shape.turn_pairs
HINDCAST = ROOT / "scenarios" / "history" / "sino_soviet_1949.toml"
BASELINE = ROOT / "scenarios" / "baseline_2024.toml"
CODES = ["USA", "CHN", "RUS"]
THR = {"aligned": 0.25, "hostile": -0.25}
N = 100


def history_path(pair: tuple[str, str], year: int) -> float:
    """What each pair did, roughly, on the relation scale."""
    match frozenset(pair):
        case p if p == {"CHN", "RUS"}:
            return 0.5 if year <= 1957 else -0.6
        case p if p == {"USA", "CHN"}:
            return -0.8 if year < 1972 else 0.0
        case _:
            return -0.8 if year < 1970 else -0.4


def runs_table(n: int = N, codes: list[str] = CODES, offset: float = 0.75) -> pd.DataFrame:
    """A runs table in which every run does what history did (with a little noise)."""
    rng = np.random.default_rng(7)
    cols: dict[str, np.ndarray] = {
        "run": np.arange(n),
        "rupture_year": np.full(n, 1960.0),
        "worst_year": np.full(n, 1969.25),
        "peak_hazard_year": np.full(n, 1969.25),
    }
    for year in range(1950, 1976):
        for i, j in combinations(range(len(codes)), 2):
            value = history_path((codes[i], codes[j]), year)
            noise = rng.uniform(-0.02, 0.02, n)
            cols[f"r_{codes[i]}-{codes[j]}@{year + offset:g}"] = value + noise
    return pd.DataFrame(cols)


def target(key: str):
    return EPISODE.target(key)


def score(df: pd.DataFrame, codes, thr, **kw):
    """The scorer on the shipped 1949-1975 episode."""
    return scoring.score(df, codes, EPISODE, thr, **kw)


def misses(df: pd.DataFrame, codes, thr, start=None, targets=None):
    return scoring.misses(df, codes, EPISODE, thr, start, targets)


def rupture_share(card):
    return card.headline["p_rupture_by_1965"][1]


def rapprochement_share(card):
    return card.headline["p_us_china_rapprochement_by_1975"][1]


def set_pair(df: pd.DataFrame, pair: str, year: int, values) -> None:
    df[f"r_{pair}@{year + 0.75:g}"] = values


def verdicts(df: pd.DataFrame, codes: list[str] = CODES) -> dict[str, bool]:
    card = score(df, codes, THR, start=1949.75)
    return {t.key: t.passed for t in card.targets}


def share_of(n: int, k: int, yes, no) -> np.ndarray:
    """``k`` runs with value ``yes``, the rest ``no``."""
    return np.where(np.arange(n) < k, yes, no)


# ------------------------------------------------------------------ the targets


def test_targets_are_data_with_words_for_every_rule():
    assert len(TARGETS) == 9
    assert len({t.key for t in TARGETS}) == 9
    for t in TARGETS:
        assert t.name and t.history and t.source
        assert measure(t, THR) and rule(t, THR)
        assert set(t.pair or ()) <= set(CODES)
    assert target("rupture").years[-1] == 1965
    assert "−0.25" in rule(target("us_china_hostile"), THR)  # thresholds from the scenario
    assert "−0.40" in rule(target("us_china_hostile"), {"aligned": 0.4, "hostile": -0.4})


def test_runs_that_do_what_history_did_pass_every_target():
    card = score(runs_table(), CODES, THR, start=1949.75, scenario="s", seed=3)
    assert [t.passed for t in card.targets] == [True] * 9
    assert card.passed == 9
    assert rupture_share(card).value == 1.0
    assert card.median_rupture_year == 1960.0
    assert rapprochement_share(card).value == 1.0
    assert card.snapshot_years[0] == 1950.75 and card.snapshot_years[-1] == 1975.75


@pytest.mark.parametrize(
    ("year", "passes"),
    [(1960.0, True), (1957.0, True), (1964.75, True), (1965.0, False), (1970.0, False)],
)
def test_rupture_median_year_must_fall_in_1957_1964(year, passes):
    df = runs_table()
    df["rupture_year"] = year
    assert verdicts(df)["rupture"] is passes


def test_rupture_needs_sixty_percent_by_1965():
    df = runs_table()
    df["rupture_year"] = share_of(N, 59, 1960.0, 1968.0)  # median still 1960, but 59% by 1965
    assert verdicts(df)["rupture"] is False
    df["rupture_year"] = share_of(N, 60, 1960.0, 1968.0)
    assert verdicts(df)["rupture"] is True


def test_no_median_rupture_year_when_under_half_rupture():
    df = runs_table()
    df["rupture_year"] = share_of(N, 40, 1960.0, np.nan)
    card = score(df, CODES, THR, start=1949.75)
    assert card.median_rupture_year is None
    assert rupture_share(card).value == pytest.approx(0.4)
    _, lo, hi = proportion(40, N)
    assert (rupture_share(card).low, rupture_share(card).high) == (lo, hi)
    assert verdicts(df)["rupture"] is False
    assert json.loads(json.dumps(card.to_dict()))["median_rupture_year"] is None
    df["rupture_year"] = share_of(N, 50, 1960.0, np.nan)  # half: the middle pair straddles
    assert score(df, CODES, THR).median_rupture_year is None
    df["rupture_year"] = share_of(N, 51, 1961.0, np.nan)
    assert score(df, CODES, THR).median_rupture_year == 1961.0


def test_alliance_must_hold_at_every_snapshot_in_half_the_runs():
    df = runs_table()
    set_pair(df, "CHN-RUS", 1953, share_of(N, 50, 0.1, 0.5))  # half the runs dip in 1953
    assert verdicts(df)["alliance_holds"] is True
    set_pair(df, "CHN-RUS", 1953, share_of(N, 51, 0.1, 0.5))
    assert verdicts(df)["alliance_holds"] is False
    df = runs_table()
    set_pair(df, "CHN-RUS", 1958, 0.0)  # after the window: does not count
    assert verdicts(df)["alliance_holds"] is True


@pytest.mark.parametrize("column", ["worst_year", "peak_hazard_year"])
@pytest.mark.parametrize(
    ("year", "passes"),
    [(1969.25, True), (1966.0, True), (1972.75, True), (1965.75, False), (1975.75, False)],
)
def test_worst_and_peak_hazard_years_must_be_near_1969(column, year, passes):
    df = runs_table()
    df[column] = year
    key = column if column == "worst_year" else "peak_hazard_year"
    assert verdicts(df)[key] is passes


def test_us_china_hostile_at_each_of_1955_1960_1965():
    df = runs_table()
    set_pair(df, "USA-CHN", 1962, 0.5)  # not one of the three snapshots
    assert verdicts(df)["us_china_hostile"] is True
    set_pair(df, "USA-CHN", 1960, -0.1)
    assert verdicts(df)["us_china_hostile"] is False


def test_rapprochement_counts_any_snapshot_1972_1975():
    df = runs_table()
    for year in range(1972, 1976):
        set_pair(df, "USA-CHN", year, -0.8)
    set_pair(df, "USA-CHN", 1973, share_of(N, 50, -0.2, -0.8))  # neutral in 1973 only
    card = score(df, CODES, THR, start=1949.75)
    assert rapprochement_share(card).value == pytest.approx(0.5)
    assert verdicts(df)["us_china_rapprochement"] is True
    set_pair(df, "USA-CHN", 1973, share_of(N, 49, -0.2, -0.8))
    assert verdicts(df)["us_china_rapprochement"] is False
    set_pair(df, "USA-CHN", 1973, -0.25)  # on the threshold is still hostile
    assert verdicts(df)["us_china_rapprochement"] is False


def test_us_ussr_hostile_every_year_1950_1969():
    df = runs_table()
    set_pair(df, "USA-RUS", 1969, -0.2)
    assert verdicts(df)["us_ussr_hostile"] is False
    df = runs_table()
    set_pair(df, "USA-RUS", 1970, 0.3)
    assert verdicts(df)["us_ussr_hostile"] is True


def test_us_ussr_easing_needs_the_median_to_rise_by_a_tenth_from_1968_to_1974():
    df = runs_table()
    set_pair(df, "USA-RUS", 1968, -0.8)
    set_pair(df, "USA-RUS", 1974, -0.7)
    assert verdicts(df)["us_ussr_easing"] is True
    set_pair(df, "USA-RUS", 1974, -0.72)  # a rise, but drift rather than easing
    assert verdicts(df)["us_ussr_easing"] is False
    assert misses(df, CODES, THR)["us_ussr_easing"] == pytest.approx(0.02)
    set_pair(df, "USA-RUS", 1974, -0.8)
    assert verdicts(df)["us_ussr_easing"] is False
    set_pair(df, "USA-RUS", 1974, -0.9)
    assert verdicts(df)["us_ussr_easing"] is False


def test_a_fitting_margin_raises_the_least_shares_and_rises_and_nothing_else():
    bars = tightened(0.03, TARGETS)
    assert [t.key for t in bars] == [t.key for t in TARGETS]
    for plain, raised in zip(TARGETS, bars, strict=True):
        if plain.kind in {"aligned_throughout", "rupture", "not_hostile_any", "median_rises"}:
            assert raised.at_least == pytest.approx(plain.at_least + 0.03)
        else:
            assert raised == plain
        assert (raised.years, raised.window, raised.pair) == (plain.years, plain.window, plain.pair)
    assert tightened(0.0, TARGETS) == tuple(TARGETS)
    with pytest.raises(ValueError, match="at least 0"):
        tightened(-0.01, TARGETS)


def test_a_rise_that_meets_the_bar_misses_the_raised_bar_by_the_shortfall():
    df = runs_table()
    set_pair(df, "USA-RUS", 1968, -0.8)
    set_pair(df, "USA-RUS", 1974, -0.69)  # a rise of 0.11: meets 0.1, not 0.13
    assert misses(df, CODES, THR)["us_ussr_easing"] == 0.0
    raised_bars = tightened(0.03, TARGETS)
    assert misses(df, CODES, THR, targets=raised_bars)["us_ussr_easing"] == pytest.approx(0.02)
    # Targets without a least share or rise are judged as before.
    plain, raised = misses(df, CODES, THR), misses(df, CODES, THR, targets=raised_bars)
    assert raised["us_ussr_hostile"] == plain["us_ussr_hostile"]
    assert raised["worst_year"] == plain["worst_year"]


def test_an_opening_is_a_rise_not_a_level_already_held_in_the_1960s():
    # A US-China relation that sits just above the hostile line from 1958 on meets the
    # 1972-1975 level, but there is no opening after 1969: the opening target fails.
    df = runs_table()
    for year in range(1958, 1976):
        set_pair(df, "USA-CHN", year, -0.2)
    found = verdicts(df)
    assert found["us_china_rapprochement"] is True
    assert found["us_china_opening"] is False
    assert misses(df, CODES, THR)["us_china_opening"] == pytest.approx(0.1)
    set_pair(df, "USA-CHN", 1974, -0.05)  # a rise of 0.15 after 1968
    assert verdicts(df)["us_china_opening"] is True


def test_pair_names_follow_the_scenario_actor_order():
    codes = ["RUS", "USA", "CHN"]
    df = runs_table(codes=codes)
    assert "r_RUS-USA@1960.75" in df.columns and "r_USA-CHN@1960.75" in df.columns
    assert all(verdicts(df, codes).values())
    df["r_USA-CHN@1960.75"] = 0.3  # USA-CHN named in this order
    assert verdicts(df, codes)["us_china_hostile"] is False


def test_snapshot_within_the_year_is_found_for_another_start():
    df = runs_table(offset=0.25)
    card = score(df, CODES, THR, start=1949.25)
    assert card.passed == 9
    assert card.snapshot_years[0] == 1950.25


def test_missing_snapshot_is_an_error():
    df = runs_table().drop(columns=["r_USA-RUS@1974.75"])
    with pytest.raises(ValueError, match="USA-RUS in 1974"):
        score(df, CODES, THR)


def test_scorecard_json_has_the_required_keys():
    df = runs_table()
    df["rupture_year"] = share_of(N, 30, 1960.0, np.nan)
    card = score(df, CODES, THR, start=1949.75, scenario="s", title="t", seed=5)
    data = json.loads(json.dumps(card.to_dict(), allow_nan=False))
    for key in (
        "p_rupture_by_1965", "median_rupture_year", "p_us_china_rapprochement_by_1975",
        "targets", "runs", "seed", "scenario",
    ):  # fmt: skip
        assert key in data, key
    assert set(data["p_rupture_by_1965"]) == {"value", "low", "high"}
    assert data["runs"] == N and data["seed"] == 5 and data["scenario"] == "s"
    assert [t["name"] for t in data["targets"]] == [t.name for t in TARGETS]
    for entry in data["targets"]:
        assert {"name", "history", "simulated", "pass"} <= set(entry)
        assert isinstance(entry["pass"], bool) and entry["simulated"]
    rupture = next(t for t in data["targets"] if t["key"] == "rupture")
    assert rupture["pass"] is False and rupture["q95"] is None  # no rupture: after the horizon
    text = format_scorecard(card, EPISODE.partnership)
    assert "8 of 9 targets met" in text and "NO" in text


def test_misses_are_zero_exactly_for_passed_targets_and_grow_with_the_gap():
    df = runs_table()
    assert (misses(df, CODES, THR, 1949.75) == 0).all()
    gaps = []
    for year in (1966.0, 1970.0, 1975.0):
        df["rupture_year"] = year
        set_pair(df, "USA-CHN", 1960, -0.1)
        miss = misses(df, CODES, THR, 1949.75)
        assert list(miss.index) == [t.key for t in TARGETS]
        assert (miss > 0).sum() == 2 and miss["us_china_hostile"] == pytest.approx(0.15)
        gaps.append(miss["rupture"])
    assert 0 < gaps[0] < gaps[1] < gaps[2]
    df = runs_table()
    set_pair(df, "USA-RUS", 1974, df["r_USA-RUS@1968.75"])  # equal medians: fails, misses > 0
    assert misses(df, CODES, THR)["us_ussr_easing"] > 0


@settings(max_examples=40, deadline=None)
@given(
    level=st.floats(-0.9, 0.9),
    spread_=st.floats(0.0, 0.9),
    ruptured=st.floats(0.0, 1.0),
    rupture=st.floats(1950.0, 1975.9),
    seed=st.integers(0, 2**16),
)
def test_the_fast_misses_agree_with_the_statistics_the_scorecard_shows(
    level, spread_, ruptured, rupture, seed
):
    """A fit's misses (only the rule's statistics) against the scorecard's own numbers."""
    rng = np.random.default_rng(seed)
    df = runs_table()
    for col in [c for c in df.columns if c.startswith("r_")]:
        df[col] = np.clip(level + rng.uniform(-spread_, spread_, N), -1, 1)
    hit = rng.uniform(size=N) < ruptured
    df["rupture_year"] = np.where(hit, rupture + rng.uniform(-3, 3, N), np.nan)
    df["worst_year"] = rupture + rng.uniform(0, 12, N)
    fast = misses(df, CODES, THR, 1949.75)
    card = score(df, CODES, THR, start=1949.75)
    for t, result in zip(TARGETS, card.targets, strict=True):
        assert fast[t.key] == result.miss
        assert (fast[t.key] == 0) == result.passed
        if result.passed:
            continue
        if t.kind in ("aligned_throughout", "not_hostile_any"):
            assert fast[t.key] == pytest.approx(max(1e-3, t.at_least - result.share.value))
        if t.kind == "hostile_median":
            top = max(v["median"] for v in result.detail["by_year"].values())
            assert fast[t.key] == pytest.approx(max(1e-3, top - THR["hostile"]))
        if t.kind == "median_rises":
            d = result.detail
            rise = d[f"median_{t.years[1]}"] - d[f"median_{t.years[0]}"]
            assert fast[t.key] == pytest.approx(max(1e-3, t.at_least - rise))


SECOND = load_episode(ROOT / "data" / "episode_1976_1991.toml")


def second_table(path, crises: float = 5.0, n: int = N) -> pd.DataFrame:
    """Runs of 1976-1991 whose relations follow ``path(pair, year)`` with a little noise."""
    rng = np.random.default_rng(11)
    cols: dict[str, np.ndarray] = {"run": np.arange(n), "rupture_year": np.full(n, np.nan)}
    for i, j in combinations(range(3), 2):
        cols[f"crises_{CODES[i]}-{CODES[j]}"] = np.full(n, crises)
        for year in range(1977, 1992):
            value = path(frozenset((CODES[i], CODES[j])), year)
            cols[f"r_{CODES[i]}-{CODES[j]}@{year + 0.75:g}"] = value + rng.uniform(-0.02, 0.02, n)
    return pd.DataFrame(cols)


def thaw_history(pair, year: int) -> float:
    """What 1976-1991 did, roughly: the thaw, US-China terms, the Second Cold War and its end."""
    if pair == {"CHN", "RUS"}:
        return -0.6 if year <= 1981 else -0.6 + 0.08 * (year - 1981)
    if pair == {"USA", "CHN"}:
        return 0.0 if year < 1979 else 0.4
    return -0.7 if year <= 1985 else -0.7 + 0.12 * (year - 1985)


def second_verdicts(df: pd.DataFrame) -> dict[str, bool]:
    card = scoring.score(df, CODES, SECOND, THR, start=1976.75)
    return {t.key: t.passed for t in card.targets}


def test_runs_that_do_what_1976_1991_did_pass_every_target():
    assert all(second_verdicts(second_table(thaw_history)).values())


def test_a_renewed_alliance_fails_only_the_alliance_target():
    def realigned(pair, year):
        return 0.5 if pair == {"CHN", "RUS"} and year >= 1990 else thaw_history(pair, year)

    failed = {k for k, ok in second_verdicts(second_table(realigned)).items() if not ok}
    assert failed == {"no_new_alliance"}


def test_us_china_must_stay_above_hostile_every_year_tiananmen_included():
    def tiananmen(pair, year):
        return -0.3 if pair == {"USA", "CHN"} and year == 1989 else thaw_history(pair, year)

    verdicts = second_verdicts(second_table(tiananmen))
    assert not verdicts["us_china_not_hostile"] and verdicts["us_china_closest"]
    miss = scoring.misses(second_table(tiananmen), CODES, SECOND, THR, 1976.75)
    assert miss["us_china_not_hostile"] == pytest.approx(0.05, abs=0.02)


def test_us_china_must_lead_both_other_pairs_in_every_year_of_the_early_1980s():
    def soviet_thaw_first(pair, year):
        if pair == {"CHN", "RUS"} and year == 1983:
            return 0.5  # closer than US-China (0.4) in one year
        return thaw_history(pair, year)

    df = second_table(soviet_thaw_first)
    assert not second_verdicts(df)["us_china_closest"]
    card = scoring.score(df, CODES, SECOND, THR, start=1976.75)
    closest = next(t for t in card.targets if t.key == "us_china_closest")
    assert closest.detail["binding"] == "1983 CHN-RUS"
    assert closest.median == pytest.approx(-0.1, abs=0.03)


@pytest.mark.parametrize(("crises", "passes"), [(5.0, True), (7.5, True), (8.0, False)])
def test_clashes_pass_at_or_below_the_bar_of_half_the_1960s_rate(crises, passes):
    df = second_table(thaw_history, crises=crises)
    assert second_verdicts(df)["sino_soviet_clashes_rare"] is passes
    miss = scoring.misses(df, CODES, SECOND, THR, 1976.75)["sino_soviet_clashes_rare"]
    assert miss == (0.0 if passes else pytest.approx(1.0 - 7.5 / 8.0))  # the share beyond


# ------------------------------------------------------------ shape over time

WINDOWS = [(1950, 1953), (1954, 1957), (1958, 1961), (1962, 1965), (1966, 1969), (1970, 1973)]
WINDOWS += [(1974, 1975)]


def turn_path(year: int) -> float:
    """US-China: −0.5 until 1968, then a straight rise to 0 by 1974, 0 after."""
    return min(0.0, -0.5 + 0.5 * max(0, year - 1968) / 6)


def with_path(df: pd.DataFrame, pair: str, path, offsets=0.0) -> pd.DataFrame:
    """``df`` with ``pair`` following ``path(year)`` in every run, plus per-run ``offsets``."""
    for year in range(1950, 1976):
        set_pair(df, pair, year, path(year) + offsets)
    return df


def one_pair_snapshots(values: np.ndarray, first: int = 1950) -> Snapshots:
    """Snapshots of USA-CHN only: ``values[run, k]`` is the relation in year ``first + k``."""
    cols = {f"r_USA-CHN@{first + k + 0.75:g}": values[:, k] for k in range(values.shape[1])}
    return Snapshots(pd.DataFrame(cols), CODES)


def test_shape_windows_are_four_years_and_cover_every_snapshot_year():
    assert shape_windows(*EPISODE.years, EPISODE.shape.window_years) == WINDOWS
    covered = [y for first, last in WINDOWS for y in range(first, last + 1)]
    assert covered == list(range(1950, 1976))
    assert shape_windows(1950, 1957, 4) == [(1950, 1953), (1954, 1957)]
    assert shape_windows(1950, 1952, width=1) == [(1950, 1950), (1951, 1951), (1952, 1952)]
    with pytest.raises(ValueError, match="width"):
        shape_windows(1950, 1975, width=0)


def test_turn_spans_are_the_opening_span_and_the_six_years_before():
    opening, easing = target("us_china_opening").years, target("us_ussr_easing").years
    assert list(TURN_YEARS[1:]) == opening == easing
    assert TURN_YEARS[1] - TURN_YEARS[0] == TURN_YEARS[2] - TURN_YEARS[1] == 6
    assert len(TARGETS) == 9  # the shape is information, not a target
    assert not any("turn" in t.key or "window" in t.key for t in TARGETS)


def test_a_turn_after_1968_shows_in_the_windows_and_the_turn():
    card = score(with_path(runs_table(), "USA-CHN", turn_path), CODES, THR, start=1949.75)
    shapes = card.windows["USA-CHN"]
    assert [(w.first, w.last) for w in shapes] == WINDOWS
    # Every run identical: the window median is the middle of the window's yearly values.
    assert [w.median for w in shapes[:5]] == pytest.approx([-0.5] * 5)
    assert shapes[5].median == pytest.approx((turn_path(1971) + turn_path(1972)) / 2)
    assert shapes[5].median == pytest.approx(-5 / 24)
    assert shapes[6].median == pytest.approx(0.0)
    assert (shapes[5].q05, shapes[5].q95) == pytest.approx((turn_path(1970), turn_path(1973)))
    # Above −0.25 from 1972 (−1/6) on: no run before 1970, every run after.
    assert [w.not_hostile.value for w in shapes] == [0.0] * 5 + [1.0, 1.0]
    turn = card.turn["USA-CHN"]
    assert turn.years == (1962, 1968, 1974)
    assert turn.medians == pytest.approx((-0.5, -0.5, 0.0))
    assert turn.rise_before == pytest.approx(0.0)
    assert turn.rise_after == pytest.approx(0.5)
    assert turn.difference == pytest.approx(0.5)
    us_ussr = card.turn["USA-RUS"]  # history_path: −0.8 to 1969, −0.4 from 1970
    assert (us_ussr.rise_before, us_ussr.rise_after) == pytest.approx((0.0, 0.4), abs=0.03)


@settings(max_examples=40, deadline=None)
@given(
    level=st.floats(-1.0, 0.0),
    slope=st.floats(0.0, 0.04),
    offsets=arrays(float, st.integers(1, 30), elements=st.floats(-0.2, 0.2)),
)
def test_a_steady_drift_gives_equal_rises(level, slope, offsets):
    years = np.arange(1950, 1976)
    values = level + slope * (years - 1950)[None, :] + offsets[:, None]
    snaps = one_pair_snapshots(values)
    turn = relation_turn(snaps, pairs=[("USA", "CHN")], years=TURN_YEARS)["USA-CHN"]
    assert turn.rise_before == pytest.approx(6 * slope, abs=1e-9)
    assert turn.rise_after == pytest.approx(6 * slope, abs=1e-9)
    assert turn.difference == pytest.approx(0.0, abs=1e-9)
    shapes = relation_windows(snaps, THR["hostile"], pairs=[("USA", "CHN")], windows=WINDOWS)[
        "USA-CHN"
    ]
    # Each full window is the one before moved up by four years of drift.
    steps = np.diff([w.median for w in shapes[:-1]])
    assert steps == pytest.approx(np.full(len(steps), 4 * slope), abs=1e-9)
    for w in shapes:
        assert w.q05 <= w.median <= w.q95
        assert 0.0 <= w.not_hostile.value <= 1.0


def test_window_percentiles_pool_every_run_and_year():
    values = np.repeat((np.arange(101) / 100 - 0.5)[:, None], 26, axis=1)  # run i: i/100 − 0.5
    shapes = relation_windows(
        one_pair_snapshots(values), -0.25, pairs=[("USA", "CHN")], windows=WINDOWS
    )
    for w in shapes["USA-CHN"]:
        assert (w.median, w.q05, w.q95) == pytest.approx((0.0, -0.45, 0.45))
        assert w.not_hostile.value == pytest.approx(75 / 101)  # runs 26..100 are above −0.25


def test_share_not_hostile_counts_runs_above_the_threshold_in_any_year_of_the_window():
    df = runs_table()
    for year in range(1950, 1976):
        set_pair(df, "USA-CHN", year, -0.8)
    set_pair(df, "USA-CHN", 1963, share_of(N, 30, -0.2, -0.8))  # runs 0-29: above, in 1963
    set_pair(df, "USA-CHN", 1965, share_of(N, 45, -0.25, -0.8))  # runs 0-44: on the line
    set_pair(df, "USA-CHN", 1966, share_of(N, 50, 0.0, -0.8))  # runs 0-49: next window
    card = score(df, CODES, THR, start=1949.75)
    shares = {(w.first, w.last): w.not_hostile for w in card.windows["USA-CHN"]}
    for (first, last), share in shares.items():
        cols = [f"r_USA-CHN@{y + 0.75:g}" for y in range(first, last + 1)]
        hand = sum(any(row[c] > THR["hostile"] for c in cols) for _, row in df.iterrows())
        assert share.value == pytest.approx(hand / N)
        assert 0.0 <= share.low <= share.value <= share.high <= 1.0
    assert shares[(1962, 1965)].value == pytest.approx(0.30)
    assert (shares[(1962, 1965)].low, shares[(1962, 1965)].high) == proportion(30, N)[1:]
    assert shares[(1966, 1969)].value == pytest.approx(0.50)
    assert shares[(1958, 1961)].value == 0.0


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 12), st.just(26)), elements=st.floats(-1, 1)))
def test_share_not_hostile_matches_a_hand_count_for_any_relations(values):
    shapes = relation_windows(
        one_pair_snapshots(values), -0.25, pairs=[("USA", "CHN")], windows=WINDOWS
    )
    for w in shapes["USA-CHN"]:
        block = values[:, w.first - 1950 : w.last - 1950 + 1]
        hand = sum(any(v > -0.25 for v in row) for row in block.tolist())
        assert 0.0 <= w.not_hostile.value <= 1.0
        assert w.not_hostile.value == pytest.approx(hand / len(values))
        assert -1.0 <= w.q05 <= w.median <= w.q95 <= 1.0


def test_shape_pairs_keep_their_names_whatever_the_scenario_actor_order():
    codes = ["RUS", "USA", "CHN"]
    card = score(runs_table(codes=codes), codes, THR, start=1949.75)
    plain = score(runs_table(), CODES, THR, start=1949.75)
    assert list(card.windows) == ["CHN-RUS", "USA-CHN", "USA-RUS"]
    assert list(card.turn) == ["USA-CHN", "USA-RUS"]
    for pair in ("CHN-RUS", "USA-CHN", "USA-RUS"):
        medians = [w.median for w in card.windows[pair]]
        assert medians == pytest.approx([w.median for w in plain.windows[pair]], abs=0.03)
    assert card.windows["CHN-RUS"][0].median == pytest.approx(0.5, abs=0.02)


def test_shape_round_trips_through_json_beside_the_targets():
    df = with_path(runs_table(), "USA-CHN", turn_path)
    card = score(df, CODES, THR, start=1949.75, scenario="s", seed=2)
    data = card.to_dict()
    back = json.loads(json.dumps(data, allow_nan=False))
    assert back == data
    assert set(back["windows"]) == {"CHN-RUS", "USA-CHN", "USA-RUS"}
    assert set(back["turn"]) == {"USA-CHN", "USA-RUS"}
    for shapes in back["windows"].values():
        assert [(w["first"], w["last"]) for w in shapes] == WINDOWS
        for w in shapes:
            assert set(w) == {"first", "last", "median", "q05", "q95", "share_not_hostile"}
            assert set(w["share_not_hostile"]) == {"value", "low", "high"}
            assert all(isinstance(w[k], float) for k in ("median", "q05", "q95"))
    turn = back["turn"]["USA-CHN"]
    assert turn["years"] == [1962, 1968, 1974]
    assert turn["median"] == pytest.approx([-0.5, -0.5, 0.0])
    assert (turn["rise_before"], turn["rise_after"]) == pytest.approx((0.0, 0.5))
    assert turn["difference"] == pytest.approx(0.5)
    assert back["targets_total"] == 9 and len(back["targets"]) == 9


def test_report_prints_the_shape_after_the_target_table(tmp_path):
    df = with_path(runs_table(), "USA-CHN", turn_path)
    card = score(df, CODES, THR, start=1949.75, scenario="s", title="t", seed=2)
    text = report_markdown(card, EPISODE)
    head, rest = text.split("## Shape over time\n", 1)
    section, tail = rest.split("## How each target is measured", 1)
    assert "| target | history | simulated median [90% range] | pass |" in head
    assert "drifts steadily shows similar rises in both six-year spans" in section
    assert "| years | CHN-RUS | USA-CHN | USA-RUS |" in section
    assert "| 1950-1953 |" in section and "| 1974-1975 |" in section
    assert "| USA-CHN | −0.50 | −0.50 | 0.00 | 0.00 | +0.50 | +0.50 |" in section
    assert "(r > −0.25)" in section
    # Without the shape, the report is the same but for the section.
    bare = score(df, CODES, THR, start=1949.75, scenario="s", title="t", seed=2, shape=False)
    assert bare.windows == {} and bare.turn == {}
    plain = report_markdown(bare, EPISODE)
    assert "Shape over time" not in plain
    assert plain == head + "## How each target is measured" + tail


def test_mid_onsets_count_each_dispute_once_in_its_onset_year_either_way_round(tmp_path):
    path = tmp_path / "mids.csv"
    path.write_text(
        "dispnum,state1,state2,year,cowmidonset\n"
        "1,RUS,CHN,1964,1\n"  # onset
        "1,RUS,CHN,1965,0\n"  # the same dispute going on: not counted again
        "2,CHN,RUS,1969,1\n"  # listed the other way round
        "3,USA,CHN,1969,1\n"  # another pair
    )
    assert mid_onsets(path, ("CHN", "RUS")).tolist() == [1964, 1969]
    assert mid_onsets(path, ("USA", "RUS")).tolist() == []
    # The shipped record: one Sino-Soviet dispute a year 1964-1969, then one in 1974.
    assert mid_onsets(MIDS, ("CHN", "RUS")).tolist() == [
        1947,
        1964,
        1965,
        1966,
        1967,
        1968,
        1969,
        1974,
    ]


def test_mid_onsets_name_a_missing_column_in_one_line(tmp_path):
    path = tmp_path / "mids.csv"
    path.write_text("state1,state2,year\nRUS,CHN,1969\n")
    with pytest.raises(InputError, match=r"missing column\(s\) \['cowmidonset'\]"):
        mid_onsets(path, ("CHN", "RUS"))


def test_clash_windows_average_the_hazard_over_each_windows_steps():
    years = 1960.0 + 0.25 * np.arange(40)  # 1960.0 ... 1969.75, quarterly
    hazard = np.where(years < 1965, 1.0, 3.0)
    onsets = np.array([1961, 1966, 1966, 1969])
    out = clash_windows(years, hazard, onsets, windows=((1960, 1964), (1965, 1969), (1980, 1981)))
    assert [(c.first, c.last) for c in out] == [(1960, 1964), (1965, 1969)]  # no steps in 1980
    assert [c.simulated for c in out] == pytest.approx([1.0, 3.0])
    assert [c.onsets for c in out] == [1, 3]
    assert [c.history_rate for c in out] == pytest.approx([0.2, 0.6])
    # A window straddling the change averages its steps: 1963-1966 has 8 steps at 1, 8 at 3.
    (mixed,) = clash_windows(years, hazard, None, windows=((1963, 1966),))
    assert mixed.simulated == pytest.approx(2.0) and mixed.onsets is None
    assert mixed.history_rate is None


def test_misses_do_not_need_the_snapshots_only_the_shape_uses():
    df = runs_table().drop(columns=["r_USA-CHN@1951.75"])  # no target reads USA-CHN in 1951
    assert (misses(df, CODES, THR, 1949.75) == 0).all()
    assert score(df, CODES, THR, start=1949.75, shape=False).passed == 9
    with pytest.raises(ValueError, match="USA-CHN in 1951"):
        score(df, CODES, THR, start=1949.75)


# ------------------------------------------------------------------ the figure


def test_stagger_keeps_labels_off_each_other_and_off_leader_lines():
    anchors = [1950.1, 1957.8, 1958.0, 1958.6, 1959.5, 1960.5, 1969.2, 1969.6, 1969.7, 1975.5]
    widths = [2.5, 3.0, 2.8, 3.0, 3.0, 2.5, 2.0, 2.0, 2.5, 2.0]
    pad = 0.05
    placed = stagger(anchors, widths, 1949.75, 1975.75, pad)
    spans = []
    for x, w, (row, flip) in zip(anchors, widths, placed, strict=True):
        s, e = (x - w, x) if flip else (x, x + w)
        assert s >= 1949.75 and e <= 1975.75
        spans.append((s, e, row, x))
    for a, b in combinations(spans, 2):
        if a[2] == b[2]:
            assert a[1] + pad <= b[0] or b[1] + pad <= a[0]
        for lo, hi in ((a, b), (b, a)):  # hi's leader rises through lo's row
            if lo[2] < hi[2]:
                assert not lo[0] - pad < hi[3] < lo[1] + pad
    assert placed[-1][1] is True  # near the right end: extends to the left
    assert max(r for r, _ in placed) < len(anchors)


def synthetic_trajectories() -> pd.DataFrame:
    years = 1949.75 + 0.25 * np.arange(105)
    frames = []
    for a, b in (("USA", "CHN"), ("USA", "RUS"), ("CHN", "RUS")):
        mid = np.array([history_path((a, b), int(y)) for y in years])
        frame = {"step": np.arange(len(years)), "year": years, "pair": f"{a}-{b}", "a": a, "b": b}
        for q, d in (("q05", -0.3), ("q25", -0.1), ("q50", 0.0), ("q75", 0.1), ("q95", 0.3)):
            frame[q] = np.clip(mid + d, -1, 1)
        frame["mean"] = mid
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def test_figure_draws_every_milestone_from_the_csv_without_overlapping_labels():
    raw = pd.read_csv(MILESTONES)
    dates = pd.to_datetime(raw["date"])
    wanted = raw[(dates.dt.year >= 1950) & (dates.dt.year <= 1975)]
    summary = {"title": "t", "runs": 10, "partnership": ["CHN", "RUS"], "third": "USA"}
    fig = plot_hindcast(
        synthetic_trajectories(), summary, load_milestones(MILESTONES), EPISODE.labels
    )
    gids = {a.get_gid() for a in fig.findobj() if a.get_gid()}
    for row in wanted.itertuples():
        assert f"milestone:{row.kind}:{row.date}" in gids, row.event
        for pair in ("CHN-RUS", "USA-CHN", "USA-RUS"):
            assert f"milestone-line:{pair}:{row.date}" in gids
    assert (wanted["kind"] == "outcome").sum() >= 10
    assert {"band90:CHN-RUS", "band50:USA-RUS", "median:USA-CHN"} <= gids
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.findobj() if str(t.get_gid()).startswith("milestone-label:")]
    boxes = [t.get_window_extent(renderer) for t in labels]
    for (i, a), (j, b) in combinations(enumerate(boxes), 2):
        assert not a.overlaps(b), (labels[i].get_text(), labels[j].get_text())
    panels = [ax for ax in fig.axes if ax.get_ylabel()]
    assert len(panels) == 3 and all(ax.get_xlim() == panels[0].get_xlim() for ax in fig.axes)
    assert panels[-1].get_xlabel() and fig.legends and fig.get_suptitle()


# ------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate") / "tmp"
    proc = wedge("validate", "--runs", "40", "--seed", "11", "--out", str(out))
    return proc, out


def test_wedge_validate_writes_the_scorecard_folder(validated):
    proc, top = validated
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in top.iterdir()} >= {"summary.json", "report.md", "manifest.json"}
    summary = json.loads((top / "summary.json").read_text())
    assert [e["episode"] for e in summary["episodes"]] == [EPISODE.name, SECOND.name]
    assert "(sino_soviet_1949_1975/report.md)" in (top / "report.md").read_text()
    assert "(normalisation_1976_1991/report.md)" in (top / "report.md").read_text()
    second = json.loads((top / SECOND.name / "scorecard.json").read_text())
    assert second["scenario"] == "normalisation_1976" and len(second["targets"]) == 9
    assert second["snapshot_years"] == [y + 0.75 for y in range(1977, 1992)]
    assert f"{second['targets_met']} of 9 targets met" in proc.stdout
    assert (top / SECOND.name / "hindcast.png").is_file()
    out = top / EPISODE.name
    names = {p.name for p in out.iterdir()}
    assert names >= {"scorecard.json", "report.md", "manifest.json", "hindcast.png", "hindcast.svg"}
    assert not [p for p in top.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    card = json.loads((out / "scorecard.json").read_text())
    assert card["runs"] == 40 and card["seed"] == 11 and card["scenario"] == "sino_soviet_1949"
    assert len(card["targets"]) == 9
    assert card["snapshot_years"] == [y + 0.75 for y in range(1950, 1976)]
    assert f"{card['targets_met']} of 9 targets met" in proc.stdout
    rows = [line for line in proc.stdout.splitlines() if re.match(r"\d+ {2,}\S", line)]
    verdicts = [line.split()[-1] for line in rows]
    expected = [t["pass"] for t in card["targets"]] + [t["pass"] for t in second["targets"]]
    assert verdicts == ["yes" if ok else "NO" for ok in expected]
    assert set(card["windows"]) == {"CHN-RUS", "USA-CHN", "USA-RUS"}
    for shapes in card["windows"].values():
        assert [(w["first"], w["last"]) for w in shapes] == WINDOWS
        assert all(0.0 <= w["share_not_hostile"]["value"] <= 1.0 for w in shapes)
    for turn in card["turn"].values():
        assert turn["years"] == [1962, 1968, 1974]
        assert turn["difference"] == pytest.approx(turn["rise_after"] - turn["rise_before"])
    report = (out / "report.md").read_text()
    assert "| target | history | simulated median [90% range] | pass |" in report
    assert report.index("## Targets") < report.index("## Shape over time")
    assert report.index("## Shape over time") < report.index("## CHN-RUS clashes over time")
    assert report.index("## CHN-RUS clashes") < report.index("## How each target is measured")
    assert "| 1970-1975 |" in report and "| 1964-1969 |" in report
    clashes = card["clashes"]
    assert clashes["pair"] == "CHN-RUS"
    assert [(w["first"], w["last"]) for w in clashes["windows"]] == [
        (1950, 1957), (1958, 1963), (1964, 1969), (1970, 1975),
    ]  # fmt: skip
    assert [w["mid_onsets"] for w in clashes["windows"]] == [0, 0, 6, 1]
    assert all(w["simulated_per_year"] >= 0.0 for w in clashes["windows"])
    assert 1949.75 <= clashes["mean_hazard_peak_year"] <= 1975.75
    assert "(hindcast.png)" in report
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 40 and manifest["seed"] == 11
    assert manifest["episode_file"].endswith("episode_1949_1975.toml")
    assert len(manifest["milestones_sha256"]) == 64 and len(manifest["scenario_sha256"]) == 64
    assert summary["targets_met"] == card["targets_met"] + second["targets_met"]
    assert (out / "hindcast.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_hindcast_runs_the_same_worlds_as_wedge_run():
    inputs = load_inputs(HINDCAST)
    result = Validate(tuple(hindcasts()), runs=16).run(seed=4)
    ensemble = result.parts[EPISODE.name].payload.ensemble
    plain = run_ensemble(inputs, runs=16, seed=4)
    pd.testing.assert_frame_equal(ensemble.runs[plain.runs.columns], plain.runs)
    assert snapshot_years(inputs, EPISODE) == tuple(y + 0.75 for y in range(1950, 1976))
    again = run_hindcast(inputs, EPISODE, runs=16, seed=4)
    pd.testing.assert_frame_equal(again.runs, ensemble.runs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--runs", "0"], "--runs"),
        (["--seed", "-1"], "--seed"),
        (["--scenario", "no/such/file.toml"], "file not found"),
        (["--scenario", str(BASELINE)], "fit 0 of the shipped episodes"),
        (["--scenario", str(ROOT / "scenarios/history/cold_war_1949.toml")], "fit 2 of"),
        (["no/such/episode.toml"], "file not found"),
    ],
)
def test_bad_input_exits_2(args, message, tmp_path, capsys):
    code = main(["validate", *args, "--out", str(tmp_path / "out")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@settings(max_examples=25, deadline=None)
@given(levels=st.lists(st.floats(-0.9, 0.9), min_size=3, max_size=3), crises=st.floats(0, 20))
def test_the_second_episodes_fast_misses_are_its_scorecards(levels, crises):
    pairs = [frozenset(p) for p in (("USA", "CHN"), ("USA", "RUS"), ("CHN", "RUS"))]
    by_pair = dict(zip(pairs, levels, strict=True))
    df = second_table(lambda pair, year: by_pair[pair] + 0.01 * (year - 1984), crises=crises)
    fast = scoring.misses(df, CODES, SECOND, THR, 1976.75)
    card = scoring.score(df, CODES, SECOND, THR, start=1976.75)
    for result in card.targets:
        assert fast[result.key] == result.miss and (result.miss == 0) == result.passed


def test_another_calibration_scores_the_same_worlds_with_its_behaviour(tmp_path):
    """--calibration swaps the calibration every episode's scenario names, nothing else."""
    from conftest import copy_calibration

    from sim.experiments.validate import hindcasts

    same = copy_calibration(tmp_path)
    shipped, copied = hindcasts(), hindcasts(calibration=same)
    assert [h.episode.name for h in copied] == [h.episode.name for h in shipped]
    for a, b in zip(shipped, copied, strict=True):
        assert b.inputs.scenario.calibration == str(same.resolve())
        assert b.inputs.calibration.values() == a.inputs.calibration.values()
    # A changed value reaches every episode's inputs.
    text = same.read_text(encoding="utf-8")
    changed = tmp_path / "changed.toml"
    line = next(x for x in text.splitlines() if x.startswith("stance_noise = "))
    new = 'stance_noise = { value = 0.0123, source = "test" }'
    changed.write_text(text.replace(line, new), encoding="utf-8")
    for h in hindcasts(calibration=changed):
        assert h.inputs.calibration.parameters["stance_noise"].value == 0.0123


def test_a_missing_calibration_is_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["validate", "--calibration", str(tmp_path / "nope.toml"), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1
    assert "--calibration" in err[0] and "nope.toml" in err[0]
    assert not out.exists()
