"""The split of a probability into doubt about behaviour and chance (sim.engine.spread).

Known answers of the random-effects estimator, its lack of bias on simulated
sets with a known spread, invariants of the intervals under any input, the
driver analysis on sets whose probability depends on one parameter, and the
model's side of the contract: the worlds of a behaviour set share their
behaviour draws, and nothing else.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta as beta_dist

from sim.engine.ensemble import Inputs, run_ensemble
from sim.engine.spread import between_variance, differ_p_value, drivers, spread
from sim.engine.stats import proportion
from sim.model.streams import SET_WORLDS
from sim.scenario.calibration import Parameter
from sim.views.run import spread_sentence
from tests.conftest import make_calibration, make_inputs, scenario_data


def test_between_variance_known_answer() -> None:
    # Two groups, no noise within: MSB = 1, MSW = 0, n0 = 2, so the between variance is 1/2
    # (the sample variance of the group means 0 and 1).
    var_b, var_w = between_variance(np.array([0.0, 0.0, 1.0, 1.0]), np.array([1, 1, 2, 2]))
    assert var_b == pytest.approx(0.5)
    assert var_w == 0.0
    # One group: nothing between, the within variance is the sample variance.
    var_b, var_w = between_variance(np.array([0.0, 1.0, 1.0, 0.0]), np.zeros(4))
    assert var_b == 0.0 and var_w == pytest.approx(1 / 3)


def _simulate(a: float, b: float, sets: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Event indicators of ``sets`` sets of ``m`` worlds whose probability is Beta(a, b)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(a, b, size=sets)
    groups = np.repeat(np.arange(sets), m)
    return rng.random(sets * m) < p[groups], groups


def test_between_variance_is_unbiased_for_bernoulli_sets() -> None:
    a, b, m = 2.0, 6.0, SET_WORLDS
    truth = a * b / ((a + b) ** 2 * (a + b + 1))
    estimates = [between_variance(*_simulate(a, b, 400, m, seed))[0] for seed in range(40)]
    mean, se = np.mean(estimates), np.std(estimates, ddof=1) / np.sqrt(len(estimates))
    assert abs(mean - truth) < 4 * se


def test_behaviour_interval_recovers_a_known_beta() -> None:
    a, b = 1.5, 12.0
    y, groups = _simulate(a, b, 3000, SET_WORLDS, seed=5)
    s = spread(y, groups)
    assert s.behaviour_low == pytest.approx(beta_dist.ppf(0.1, a, b), abs=0.01)
    assert s.behaviour_high == pytest.approx(beta_dist.ppf(0.9, a, b), abs=0.02)
    # Most of the variance of a world's outcome is chance at these probabilities.
    assert 0.0 < s.share < 0.5


def test_no_behaviour_gives_the_point_and_the_plain_wilson_interval() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(2000) < 0.1
    plain = spread(y, None)
    value, low, high = proportion(int(y.sum()), y.size)
    assert (plain.value, plain.low, plain.high) == (value, low, high)
    assert plain.behaviour_low == plain.behaviour_high == value
    # Sets with exactly the same share of events do not differ: no spread, the plain interval.
    even = np.tile(np.arange(SET_WORLDS) < 2, 100)
    grouped = spread(even, np.arange(even.size) // SET_WORLDS)
    assert differ_p_value(even, np.arange(even.size) // SET_WORLDS) == 1.0
    assert not grouped.detected
    assert grouped.behaviour_sd == 0.0 and grouped.behaviour_low == grouped.behaviour_high == 0.1
    assert (grouped.low, grouped.high) == proportion(200, even.size)[1:]


def test_chance_alone_is_rarely_taken_for_behaviour() -> None:
    # Under no behaviour effect the F test flags about 5% of runs, not more.
    rng = np.random.default_rng(11)
    groups = np.arange(1000) // SET_WORLDS
    flagged = [spread(rng.random(1000) < 0.2, groups).detected for _ in range(400)]
    assert np.mean(flagged) < 0.09


def test_sampling_interval_widens_when_behaviour_matters() -> None:
    y, groups = _simulate(0.5, 0.5, 100, SET_WORLDS, seed=2)
    clustered, naive = spread(y, groups), spread(y, None)
    assert clustered.share > 0.3  # the truth is 0.5: Var Beta(1/2, 1/2) = 1/8 of 1/4
    assert clustered.high - clustered.low > 2 * (naive.high - naive.low)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=200),
    st.integers(min_value=1, max_value=30),
    st.randoms(use_true_random=False),
)
def test_spread_invariants(events: list[bool], size: int, rnd) -> None:
    y = np.array(events)
    groups = np.arange(y.size) // size
    s = spread(y, groups)
    assert 0.0 <= s.low <= s.value <= s.high <= 1.0
    assert 0.0 <= s.behaviour_low <= s.behaviour_high <= 1.0
    assert 0.0 <= s.share <= 1.0
    # Renaming the sets, or shuffling the worlds with their sets, changes nothing.
    labels = np.array(rnd.sample(range(10_000), int(groups.max()) + 1))
    order = np.array(rnd.sample(range(y.size), y.size))
    for other in (spread(y, labels[groups]), spread(y[order], groups[order])):
        assert other.value == pytest.approx(s.value)
        assert other.behaviour_sd == pytest.approx(s.behaviour_sd, abs=1e-9)
        assert other.low == pytest.approx(s.low, abs=1e-9)


def test_drivers_name_the_parameter_the_probability_depends_on() -> None:
    rng = np.random.default_rng(3)
    sets, m = 500, SET_WORLDS
    x1, x2 = rng.random(sets), rng.random(sets)
    p = 0.05 + 0.6 * x1**2  # x2 does nothing
    groups = np.repeat(np.arange(sets), m)
    y = rng.random(sets * m) < p[groups]
    import pandas as pd

    table = drivers(y, groups, pd.DataFrame({"x2": x2[groups], "x1": x1[groups]}))
    assert list(table.index) == ["x1", "x2"]
    assert table.loc["x1", "share"] > 0.8
    assert table.loc["x2", "share"] < 0.1


def _posterior_inputs(mode: str = "auto") -> Inputs:
    """A three-actor scenario on a calibration with a posterior of two parameters and
    a judgement range on a third."""
    cal = make_calibration()
    params = dict(cal.parameters)
    value = params["w_reward"].value
    params["w_reward"] = Parameter(value=value, low=0.5 * value, high=2 * value, source="t")
    rng = np.random.default_rng(0)
    post = np.column_stack([rng.uniform(0.5, 4.0, 50), rng.uniform(0.02, 0.2, 50)])
    cal = dataclasses.replace(
        cal, parameters=params, posterior=post, posterior_names=("crisis_threat", "stance_noise")
    )
    return make_inputs(scenario_data(calibration_uncertainty=mode), cal)


def test_worlds_of_a_set_share_their_behaviour_and_nothing_else() -> None:
    inputs = _posterior_inputs()
    runs = run_ensemble(inputs, runs=3 * SET_WORLDS + 7, seed=4).runs
    assert (runs["behaviour_set"] == runs["run"] // SET_WORLDS).all()
    drawn = ["crisis_threat", "stance_noise", "w_reward"]
    per_set = runs.groupby("behaviour_set")[drawn].nunique()
    assert (per_set == 1).all().all()  # one behaviour per set
    assert (runs.groupby("behaviour_set")[drawn].first().nunique() > 1).all()  # sets differ
    # The judged range is drawn inside its bounds, the posterior's columns from its rows.
    value = make_calibration().parameters["w_reward"].value
    assert runs["w_reward"].between(0.5 * value, 2 * value).all()
    post = inputs.calibration.posterior
    assert set(runs["crisis_threat"]) <= set(post[:, 0])
    # Worlds of one set still differ in their own randomness.
    first = runs[runs["behaviour_set"] == 0]
    relation = next(c for c in first.columns if c.startswith("r_"))
    assert first[relation].nunique() > 1


def test_posterior_alone_holds_the_judged_parameters_at_their_values() -> None:
    runs = run_ensemble(_posterior_inputs("posterior"), runs=40, seed=4).runs
    assert "w_reward" not in runs  # not drawn: at its value
    assert runs.groupby("behaviour_set")["crisis_threat"].nunique().max() == 1


def test_a_world_draws_its_behaviour_alone_as_in_the_ensemble() -> None:
    from sim.engine.ensemble import run_chunk

    inputs = _posterior_inputs()
    whole = run_chunk(inputs, seed=9, offset=0, size=50).runs
    alone = run_chunk(inputs, seed=9, offset=33, size=1).runs
    cols = ["behaviour_set", "crisis_threat", "stance_noise", "w_reward", "rupture_year"]
    assert alone[cols].iloc[0].equals(whole[cols].iloc[33])


def test_summary_and_report_carry_the_spread() -> None:
    ensemble = run_ensemble(_posterior_inputs(), runs=200, seed=1)
    summary = ensemble.summary()
    for key in ("p_rupture", "p_split"):
        behaviour = summary[key]["behaviour"]
        assert behaviour["sets"] == 10
        assert 0.0 <= behaviour["low"] <= behaviour["high"] <= 1.0
    drivers_listed = summary["behaviour"]["drivers_split"]
    assert {d["parameter"] for d in drivers_listed} == {"crisis_threat", "stance_noise", "w_reward"}
    assert {d["parameter"]: d["fitted"] for d in drivers_listed}["w_reward"] is False
    events = ensemble.events()
    assert (events["behaviour_low"] <= events["behaviour_high"]).all()


def test_spread_sentence_names_a_free_driver() -> None:
    spread_entry = {
        "low": 0.001, "high": 0.2, "sd": 0.1, "share": 0.3, "sets": 50, "detected": True
    }  # fmt: skip
    summary = {
        "p_split": {"value": 0.05, "low": 0.03, "high": 0.07, "behaviour": spread_entry},
        "behaviour": {
            "drivers_split": [
                {"parameter": "w_reward", "share": 0.7, "spread": 0.08, "fitted": False}
            ]
        },
    }
    text = spread_sentence(summary)
    assert "P(split) between 0.1% and 20.0%" in text
    assert "depends mostly on `w_reward`" in text and "history leaves free" in text
    summary["behaviour"]["drivers_split"][0]["share"] = 0.1  # too small a share to name
    assert "depends mostly" not in spread_sentence(summary)
    assert spread_sentence({"p_split": {"value": 0.1}}) == ""
    spread_entry["detected"] = False
    summary["behaviour"]["drivers_split"][0]["share"] = 0.7
    text = spread_sentence(summary)
    assert "no more than chance" in text and "depends mostly" not in text
