"""History matching with Gaussian-process emulators, on toy simulators whose answer is known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtr

from sim.experiments import emulator as gp_module
from sim.experiments.emulate import (
    CUTOFF,
    DEFENSIVE,
    Emulator,
    Match,
    Output,
    Proposal,
    draw_guided,
    draw_plausible,
    fit_wave,
    history_match,
    latin_hypercube,
    plausible,
    uniform_plausible,
)

INF = np.inf


def smooth(x: np.ndarray) -> np.ndarray:
    """A smooth deterministic function of three inputs, range about 2.2 on the cube."""
    return np.sin(3 * x[:, 0]) + x[:, 1] ** 2 + 0.5 * x[:, 0] * x[:, 2]


# --- outputs and designs -------------------------------------------------------------------


def test_outside_known_answers():
    out = Output("share", 0.2, 0.4, 0.01)
    np.testing.assert_allclose(out.outside([0.0, 0.2, 0.3, 0.4, 0.9]), [0.2, 0, 0, 0, 0.5])
    assert out.outside(np.zeros((2, 3))).shape == (2, 3)
    assert np.isnan(out.outside([np.nan])[0])


def test_outside_infinite_bounds_without_warnings():
    values = np.array([-INF, -1.0, 0.0, 1.0, 5.0, INF])
    assert Output("at least", 1.0, INF, 0.0).outside(values).tolist() == [INF, 2, 1, 0, 0, 0]
    assert Output("at most", -INF, 0.0, 0.0).outside(values).tolist() == [0, 0, 0, 1, 5, INF]
    assert Output("free", -INF, INF, 0.0).outside(values).tolist() == [0] * 6


@given(
    low=st.floats(-1e6, 1e6),
    width=st.floats(0, 1e6),
    value=st.floats(-3e6, 3e6),
)
def test_outside_is_zero_exactly_inside(low, width, value):
    high = low + width
    dist = Output("y", low, high, 0.0).outside(np.array([value]))[0]
    inside = low <= value <= high
    assert (dist == 0) == inside
    assert dist == (0.0 if inside else max(low - value, value - high))


@pytest.mark.parametrize(
    ("low", "high", "discrepancy", "message"),
    [(1.0, 0.0, 0.1, "low"), (0.0, 1.0, -0.1, "discrepancy"), (np.nan, 1.0, 0.1, "low")],
)
def test_output_checks_its_fields(low, high, discrepancy, message):
    with pytest.raises(ValueError, match=f"'bad'.*{message}"):
        Output("bad", low, high, discrepancy)


def test_latin_hypercube_fills_every_slice_once():
    x = latin_hypercube(40, 3, np.random.default_rng(0))
    assert x.shape == (40, 3)
    for column in x.T:
        assert sorted(np.floor(column * 40).astype(int)) == list(range(40))


# --- emulators ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smooth_emulator():
    rng = np.random.default_rng(1)
    x = latin_hypercube(80, 3, rng)
    return Emulator.fit(x, smooth(x), rng)


def test_emulator_predicts_smooth_function(smooth_emulator):
    x = np.random.default_rng(2).random((2_000, 3))
    mean, var = smooth_emulator.predict(x)
    truth = smooth(x)
    assert np.mean(np.abs(mean - truth)) < 0.005 * np.ptp(truth)
    np.testing.assert_array_equal(mean, smooth_emulator.mean(x))
    assert np.all((var >= 0) & (var <= smooth_emulator.prior_variance))
    assert np.mean(np.abs(smooth_emulator.loo_errors()) <= 3) >= 0.95


def test_emulator_chunks_do_not_change_predictions(smooth_emulator, monkeypatch):
    x = np.random.default_rng(3).random((50, 3))
    whole = smooth_emulator.predict(x)
    monkeypatch.setattr(gp_module, "CHUNK", 7)
    parts = smooth_emulator.predict(x)
    np.testing.assert_array_equal(parts[0], whole[0])  # row by row: exactly the same
    np.testing.assert_array_equal(parts[1], whole[1])
    single = [smooth_emulator.predict(x[i : i + 1]) for i in range(len(x))]
    np.testing.assert_array_equal(np.concatenate([m for m, _ in single]), whole[0])
    np.testing.assert_array_equal(np.concatenate([v for _, v in single]), whole[1])
    assert smooth_emulator.predict(np.zeros((0, 3)))[0].shape == (0,)


def test_emulator_variance_covers_noisy_runs():
    rng = np.random.default_rng(4)
    x = latin_hypercube(150, 3, rng)
    em_ = Emulator.fit(x, smooth(x) + rng.normal(0, 0.1, len(x)), rng)
    test = rng.random((2_000, 3))
    fresh = smooth(test) + rng.normal(0, 0.1, len(test))
    mean, var = em_.predict(test)
    covered = np.mean(np.abs(fresh - mean) <= 2 * np.sqrt(var))
    assert 0.9 <= covered <= 0.99
    assert np.mean(np.abs(em_.loo_errors()) <= 3) >= 0.95
    assert em_.prior_variance >= 0.1**2 * 0.5  # white noise alone is about 0.01


@pytest.mark.parametrize("value", [0.0, 5.0])
def test_constant_output_is_exact(value):
    rng = np.random.default_rng(5)
    x = rng.random((30, 2))
    em_ = Emulator.fit(x, np.full(30, value), rng)
    mean, var = em_.predict(rng.random((100, 2)))
    np.testing.assert_allclose(mean, value, atol=1e-12)
    assert np.all(var <= 1e-15) and em_.prior_variance <= 1e-15
    np.testing.assert_array_equal(em_.loo_errors(), np.zeros(30))


def test_emulator_rejects_non_finite_runs():
    with pytest.raises(ValueError, match="finite"):
        Emulator.fit(np.zeros((3, 2)), [1.0, np.nan, 2.0], np.random.default_rng(0))


# --- waves ----------------------------------------------------------------------------------

WAVE_OUTPUTS = (
    Output("smooth", 0.8, 1.2, 0.02),
    Output("at least", 0.3, INF, 0.0),
    Output("never defined", 0.0, 1.0, 0.1),
)


@pytest.fixture(scope="module")
def toy_wave():
    rng = np.random.default_rng(6)
    x = latin_hypercube(120, 3, rng)
    first = smooth(x) + rng.normal(0, 0.03, len(x))
    first[::7] = np.nan  # undefined for some runs: dropped from this output's fit only
    y = np.column_stack([first, x[:, 2] ** 2, np.full(len(x), np.nan)])
    return fit_wave(x, y, WAVE_OUTPUTS, rng)


def test_fit_wave_drops_undefined_runs_per_output(toy_wave):
    smooth_em, second, undefined = toy_wave.emulators
    assert smooth_em.runs == 120 - len(range(0, 120, 7))
    assert second.runs == 120
    assert undefined is None


@settings(max_examples=15)
@given(cutoff=st.floats(0.2, 6.0), seed=st.integers(0, 2**32 - 1))
def test_plausible_equals_implausibility_below_cutoff(toy_wave, cutoff, seed):
    wave = dataclasses.replace(toy_wave, cutoff=cutoff)
    x = np.random.default_rng(seed).random((3_000, 3))
    np.testing.assert_array_equal(wave.plausible(x), wave.implausibility(x) <= cutoff)


def test_wave_keeps_and_rules_out(toy_wave):
    x = np.random.default_rng(7).random((20_000, 3))
    keep = toy_wave.plausible(x)
    assert 0.05 < keep.mean() < 0.9
    np.testing.assert_array_equal(keep, toy_wave.implausibility(x) <= CUTOFF)
    np.testing.assert_array_equal(plausible([toy_wave, toy_wave], x), keep)
    assert not plausible([toy_wave], x[:0]).size


def test_meet_probability_matches_direct_computation(toy_wave):
    x = np.random.default_rng(8).random((5_000, 3))
    direct = np.ones(len(x))
    for out, emulator in zip(toy_wave.outputs, toy_wave.emulators, strict=True):
        if emulator is None:
            continue
        mean, var = emulator.predict(x)
        sd = np.sqrt(var + out.discrepancy**2)
        direct *= ndtr((out.high - mean) / sd) - ndtr((out.low - mean) / sd)
    got = toy_wave.meet_probability(x)
    np.testing.assert_allclose(got, direct, atol=1e-12)
    assert np.all((got >= 0) & (got <= 1)) and got.max() > 0.5 and got.min() == 0


# --- proposals and weighted draws -----------------------------------------------------------


def test_empty_proposal_is_uniform():
    p = Proposal.around(np.zeros((0, 2)), 2)
    x = p.draw(1_000, np.random.default_rng(9))
    assert x.shape == (1_000, 2) and np.all((x >= 0) & (x <= 1))
    np.testing.assert_array_equal(p.density(x), np.ones(1_000))


def test_proposal_density_integrates_to_one():
    rng = np.random.default_rng(10)
    centres = 0.1 + 0.2 * rng.random((300, 2))  # a tight cluster near a corner
    p = Proposal.around(centres)
    dens = p.density(rng.random((200_000, 2)))
    assert abs(dens.mean() - 1) < 4 * dens.std() / np.sqrt(len(dens))
    weights = 1 / p.density(p.draw(100_000, rng))
    assert abs(weights.mean() - 1) < 4 * weights.std() / np.sqrt(len(weights))
    assert weights.max() <= 1 / DEFENSIVE
    assert p.density(np.array([[1.5, 0.5], [-0.1, 0.2]])).tolist() == [0, 0]


@settings(max_examples=20)
@given(k=st.integers(1, 30), dims=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_proposal_draws_stay_in_cube_with_positive_density(k, dims, seed):
    rng = np.random.default_rng(seed)
    p = Proposal.around(rng.random((k, dims)) ** 3)  # some centres crowd a face
    x = p.draw(500, rng)
    assert x.shape == (500, dims) and np.all((x >= 0) & (x <= 1))
    dens = p.density(x)
    assert np.all(np.isfinite(dens)) and np.all(dens >= DEFENSIVE)


# --- a toy history match with a known region ------------------------------------------------

OUTPUTS = (Output("sum", 0.9, 1.1, 0.01), Output("square", 0.2, 0.4, 0.01))


class Toy:
    """y1 = x0 + x1 + N(0, 0.02²) and y2 = x2², recording the waves it is called for.

    Without noise it meets history where |x0 + x1 - 1| <= 0.1 and x2² is in [0.2, 0.4].
    """

    def __init__(self):
        self.calls: list[int] = []

    def __call__(self, x: np.ndarray, wave: int) -> np.ndarray:
        self.calls.append(wave)
        noise = np.random.default_rng([42, wave]).normal(0, 0.02, len(x))
        return np.column_stack([x[:, 0] + x[:, 1] + noise, x[:, 2] ** 2])


def truly_inside(x: np.ndarray) -> np.ndarray:
    return (np.abs(x[:, 0] + x[:, 1] - 1) <= 0.1) & (x[:, 2] ** 2 >= 0.2) & (x[:, 2] ** 2 <= 0.4)


@pytest.fixture(scope="module")
def toy_match():
    streamed = []
    toy = Toy()
    match = history_match(
        toy, OUTPUTS, dims=3, waves=3, design=150, seed=7, on_wave=lambda *a: streamed.append(a)
    )
    return match, toy, streamed


def test_toy_match_keeps_the_true_region(toy_match):
    match, toy, streamed = toy_match
    assert not match.emptied and len(match.waves) == 3 and toy.calls == [0, 1, 2]
    assert [len(x) for x in match.designs] == [150] * 3
    assert [k for k, _, _ in streamed] == [0, 1, 2]
    for (_, x, y), design, runs in zip(streamed, match.designs, match.runs, strict=True):
        assert x is design and y is runs
    u = np.random.default_rng(11).random((100_000, 3))
    inside = truly_inside(u)
    keep = plausible(match.waves, u)
    assert keep[inside].mean() > 0.99
    true_share = inside.mean()  # 0.19 × 0.185, about 0.035
    assert 0.99 * true_share < match.left[-1] < 0.2
    assert abs(keep.mean() - match.left[-1]) < 0.01
    for k in (1, 2):  # each later design lies in the region the earlier waves keep
        assert plausible(match.waves[:k], match.designs[k]).all()


def test_toy_match_is_reproducible_from_its_seed(toy_match):
    match, _, _ = toy_match
    again = history_match(Toy(), OUTPUTS, dims=3, waves=3, design=150, seed=7)
    for a, b in zip(match.designs, again.designs, strict=True):
        assert a.tobytes() == b.tobytes()
    assert again.left == match.left
    other = history_match(Toy(), OUTPUTS, dims=3, waves=1, design=150, seed=8)
    assert other.designs[0].tobytes() != match.designs[0].tobytes()


def test_resumed_match_ends_as_uninterrupted(toy_match):
    match, _, _ = toy_match
    stored = {k: (match.designs[k], match.runs[k]) for k in (0, 1)}
    toy, streamed = Toy(), []
    resumed = history_match(
        toy, OUTPUTS, 3, 3, 150, seed=7, stored=stored, on_wave=lambda *a: streamed.append(a[0])
    )
    assert toy.calls == [2] and streamed == [2]
    for a, b in zip(match.designs + match.runs, resumed.designs + resumed.runs, strict=True):
        assert a.tobytes() == b.tobytes()
    assert resumed.left == match.left
    x = np.random.default_rng(12).random((5_000, 3))
    np.testing.assert_array_equal(
        match.waves[-1].implausibility(x), resumed.waves[-1].implausibility(x)
    )


def test_summary_has_one_sane_row_per_wave(toy_match):
    match, _, _ = toy_match
    table = match.summary()
    names = ["wave", "design", "left", "kept", "inside_median", "inside_max", "loo_within"]
    assert list(table.columns) == [*names, "loo_ok"]
    assert table["wave"].tolist() == [0, 1, 2] and table["design"].tolist() == [150] * 3
    assert table["left"].tolist() == match.left
    shares = table[["left", "kept", "loo_within", "loo_ok"]].to_numpy()
    assert np.all((shares >= 0) & (shares <= 1))
    assert table["inside_max"].max() == 2 and (table["inside_median"] <= 2).all()
    assert (table["loo_within"] >= 0.9).all()
    # later designs are drawn from the kept region: more of their runs meet history
    assert table["inside_median"].iloc[-1] >= table["inside_median"].iloc[0]


def weighted_mean_z(points, weights, reference):
    """z-scores of weighted means against a reference sample's means (Kish effective size)."""
    w = weights / weights.sum()
    mean = w @ points
    var = w @ (points - mean) ** 2
    ess = 1 / np.sum(w**2)
    se = np.sqrt(var / ess + reference.var(axis=0) / len(reference))
    return (mean - reference.mean(axis=0)) / se, ess


@pytest.mark.parametrize("skewed", [False, True], ids=["around region", "skewed proposal"])
def test_guided_draws_weighted_are_uniform_on_kept_region(toy_match, skewed):
    match, _, _ = toy_match
    rng = np.random.default_rng(13)
    reference, _ = uniform_plausible(match.waves, rng, n=300_000)
    if skewed:  # a proposal that over-draws the low x0 half of the region fivefold
        over = (reference[:, 0] < 0.5) | (rng.random(len(reference)) < 0.2)
        x, density = draw_guided(match.waves, Proposal.around(reference[over]), 4_000, rng)
    else:
        x, density = match.sample(4_000, rng)
    assert len(x) == 4_000 and plausible(match.waves, x).all()
    z, ess = weighted_mean_z(x, 1 / density, reference)
    assert ess > 300
    assert np.all(np.abs(z) < 4), z
    if skewed:  # the weights matter: unweighted, the draws are far off
        unweighted, _ = weighted_mean_z(x, np.ones(len(x)), reference)
        assert abs(unweighted[0]) > 10


def test_draws_stop_at_max_tries(toy_match):
    match, _, _ = toy_match
    proposal = Proposal.around(np.zeros((0, 3)), 3)
    x = draw_plausible(match.waves, proposal, 1_000, np.random.default_rng(14), max_tries=500)
    assert len(x) < 100 and plausible(match.waves, x).all()
    x, dens = draw_guided(match.waves, proposal, 1_000, np.random.default_rng(14), max_tries=500)
    assert len(x) == len(dens) < 100


def test_unreachable_target_empties_the_match():
    def simulate(x, wave):
        return np.column_stack([x[:, 0], x[:, 1] + x[:, 2]])

    outputs = (Output("unreachable", 5.0, 6.0, 0.01), Output("easy", -INF, INF, 0.1))
    match = history_match(simulate, outputs, dims=3, waves=3, design=40, seed=1)
    assert isinstance(match, Match) and match.emptied
    assert len(match.waves) == 1 and match.left == [0.0]
    x, dens = match.sample(10, np.random.default_rng(0), max_tries=1_000)
    assert x.shape == (0, 3) and dens.shape == (0,)
    assert match.summary()["kept"].tolist() == [0.0]


def test_simulate_must_return_one_row_per_point():
    with pytest.raises(ValueError, match="shape"):
        history_match(lambda x, k: np.zeros((len(x), 1)), OUTPUTS, 3, 1, 10, seed=0)
