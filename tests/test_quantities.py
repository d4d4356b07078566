"""The quantities history matching emulates: each target passes exactly when they are met."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiments.history import scorecard as scoring
from sim.experiments.history.targets import SCALES, Quantity
from sim.scenario.episode import load_episode

ROOT = Path(__file__).resolve().parents[1]
EPISODES = {
    "1949": (load_episode(ROOT / "data" / "episode_1949_1975.toml"), 1949.75),
    "1976": (load_episode(ROOT / "data" / "episode_1976_1991.toml"), 1976.75),
}
CODES = ["USA", "CHN", "RUS"]
THR = {"aligned": 0.25, "hostile": -0.25}
N = 60


def random_runs(rng: np.random.Generator, first: int, level: float, spread: float,
                ruptured: float, rupture: float, crises: float) -> pd.DataFrame:  # fmt: skip
    """A runs table with every column either episode reads, drawn around ``level``."""
    hit = rng.uniform(size=N) < ruptured
    peak = np.where(rng.uniform(size=N) < 0.9, rupture + rng.uniform(0, 12, N), np.nan)
    cols: dict[str, np.ndarray] = {
        "run": np.arange(N),
        "rupture_year": np.where(hit, rupture + rng.uniform(-3, 3, N), np.nan),
        "worst_year": rupture + rng.uniform(0, 12, N),
        "peak_hazard_year": peak,
    }
    for i, j in combinations(range(3), 2):
        pair = f"{CODES[i]}-{CODES[j]}"
        cols[f"crises_{pair}"] = rng.poisson(crises, N).astype(float)
        drift = rng.uniform(-0.05, 0.05)
        for year in range(first, first + 45):
            centre = level + drift * (year - first)
            cols[f"r_{pair}@{year + 0.75:g}"] = np.clip(
                centre + rng.uniform(-spread, spread, N), -1, 1
            )
    return pd.DataFrame(cols)


@settings(max_examples=60, deadline=None)
@given(
    which=st.sampled_from(sorted(EPISODES)),
    level=st.floats(-0.9, 0.9),
    spread=st.floats(0.0, 0.9),
    ruptured=st.floats(0.0, 1.0),
    rupture=st.floats(1950.0, 1990.0),
    crises=st.floats(0.0, 8.0),
    seed=st.integers(0, 2**16),
)
def test_a_target_passes_exactly_when_its_quantities_are_met(
    which, level, spread, ruptured, rupture, crises, seed
):
    episode, start = EPISODES[which]
    runs = random_runs(np.random.default_rng(seed), int(start), level, spread, ruptured,
                       rupture, crises)  # fmt: skip
    card = scoring.score(runs, CODES, episode, THR, start=start, shape=False)
    found = scoring.measured(runs, CODES, episode, THR, start)
    for result in card.targets:
        mine = [q for q in found if q.name.split(".")[0] == result.key]
        assert mine, result.key
        assert all(q.met for q in mine) == result.passed, (result.key, mine)
        assert all(q.scale in SCALES for q in mine)


@pytest.mark.parametrize("which", sorted(EPISODES))
def test_every_target_has_at_least_one_quantity_with_a_real_interval(which):
    episode, start = EPISODES[which]
    runs = random_runs(np.random.default_rng(1), int(start), 0.0, 0.5, 0.7, 1960.0, 2.0)
    found = scoring.measured(runs, CODES, episode, THR, start)
    assert {q.name.split(".")[0] for q in found} == {t.key for t in episode.targets}
    assert len({q.name for q in found}) == len(found)
    for q in found:
        assert q.low < q.high and (math.isfinite(q.low) or math.isfinite(q.high))


def test_the_rupture_is_a_share_and_a_year_and_no_year_when_under_half_ruptured():
    episode, start = EPISODES["1949"]
    rng = np.random.default_rng(3)
    runs = random_runs(rng, 1949, 0.0, 0.3, 0.0, 1960.0, 1.0)
    runs["rupture_year"] = np.where(np.arange(N) < N // 4, 1960.0, np.nan)
    share, year = (q for q in scoring.measured(runs, CODES, episode, THR, start)
                   if q.name.startswith("rupture."))  # fmt: skip
    assert share.value == pytest.approx(0.25) and not share.met
    assert year.value == episode.years[1] + 1 and not year.met
    runs["rupture_year"] = 1960.5
    share, year = (q for q in scoring.measured(runs, CODES, episode, THR, start)
                   if q.name.startswith("rupture."))  # fmt: skip
    assert share.value == 1.0 and year.value == 1960.5 and share.met and year.met


def test_a_strict_bound_excludes_the_bound_itself():
    q = Quantity("x", 0.0, float(np.nextafter(0.0, 1.0)), math.inf, "relation")
    assert not q.met
    assert not Quantity("x", math.nan, -math.inf, math.inf, "share").met


def test_measured_sets_agree_with_the_scored_sets_and_carry_their_intervals():
    from sim import load_inputs
    from sim.experiments.calibrate import PRESENT_YEARS, PresentMeasure
    from sim.experiments.sets import EpisodeMeasure, measure_sets, score_sets
    from sim.experiments.validate import snapshot_years

    episode, _ = EPISODES["1949"]
    inputs = load_inputs(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml")
    years = snapshot_years(inputs, episode)
    values = np.array([[5.0], [12.0]])
    args = (values, ["stance_speed"], 8, 11, years)
    table, intervals = measure_sets(inputs, EpisodeMeasure.of(inputs, episode), *args)
    scored = score_sets(inputs, episode, *args)
    misses = [c for c in scored.columns if c.startswith("miss_")]
    pd.testing.assert_frame_equal(table[["set", *misses, "distance"]], scored[["set", *misses,
                                  "distance"]], check_dtype=False)  # fmt: skip
    names = [name for name, *_ in intervals]
    assert names == [q.name for q in scoring.measured(
        random_runs(np.random.default_rng(0), 1949, 0, 0.1, 0.5, 1960, 1), CODES, episode, THR,
        1949.75)]  # fmt: skip
    assert set(names) <= set(table.columns)

    baseline = load_inputs(ROOT / "scenarios" / "baseline_2024.toml")
    present, spans = measure_sets(baseline, PresentMeasure(baseline.scenario.outcomes.model_dump()),
                                  values, ["stance_speed"], 8, 11, PRESENT_YEARS)  # fmt: skip
    assert [s[0] for s in spans] == [f"present.{p}" for p in ("chn_rus", "usa_rus", "usa_chn",
                                                             "floor")]  # fmt: skip
    met = np.all([(present[n] >= lo) & (present[n] <= hi) for n, lo, hi, _ in spans], axis=0)
    assert ((present["distance"] == 0) == met).all()
