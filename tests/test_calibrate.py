"""The calibration procedure: prior, two-stage rejection, present-day check, written file.

The distance here is a stand-in computed from each set's own parameter values,
so the tests know which sets must win without depending on what the model or
the shipped calibration currently produce.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copy_calibration
from numpy.testing import assert_allclose
from scipy.stats import norm

from sim.cli import main
from sim.engine.ensemble import load_inputs
from sim.experiments.calibrate import (
    PRESENT_FLOOR,
    PRESENT_YEARS,
    CalibrationResult,
    FitToHistory,
    calibrate,
    present_day_ok,
    prior_ranges,
    propose_around,
    weighted_range,
)
from sim.experiments.calibration_file import distinct_digits, hand_set, write_calibration_file
from sim.model.setup import posterior_rows
from sim.scenario.calibration import PARAMETERS, load_calibration
from sim.scenario.errors import InputError
from sim.views.calibrate import plot_posterior
from sim.views.calibrate import report_markdown as report

ROOT = Path(__file__).resolve().parents[1]
THR = {"aligned": 0.25, "hostile": -0.25}


@pytest.fixture
def inputs(tmp_path: Path):
    """The shipped hindcast and 2024 baseline, with the shipped calibration, in a tmp folder."""
    (tmp_path / "history").mkdir()
    copy_calibration(tmp_path)
    shutil.copy(ROOT / "scenarios" / "baseline_2024.toml", tmp_path)
    shutil.copy(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml", tmp_path / "history")
    return (
        load_inputs(tmp_path / "history" / "sino_soviet_1949.toml"),
        load_inputs(tmp_path / "baseline_2024.toml"),
    )


def near_one(runs: pd.DataFrame) -> pd.Series:
    """Stand-in distance: how far the set's ``w_threat`` is from 1."""
    return pd.Series({"miss_w_threat": abs(float(runs["w_threat"].iloc[0]) - 1.0)})


def run(inputs, **kw):
    hindcast, baseline = inputs
    args = {"sets": 30, "replicates": 2, "accept": 0.1, "widen": 0.5, "seed": 5, "verify": 3}
    args.update(kw)
    return calibrate(hindcast, baseline, near_one, lambda runs: True, (1955.75,), (2030.0,), **args)


def test_prior_is_the_range_widened_on_each_side_and_clipped(inputs):
    cal = inputs[0].calibration
    prior = prior_ranges(cal, 0.5)
    for name, (lo, hi) in cal.ranges().items():
        pad = 0.5 * (hi - lo)
        spec = PARAMETERS[name]
        assert prior[name] == (max(spec.lower, lo - pad), min(spec.upper, hi + pad))


def test_two_stages_keep_the_sets_closest_to_the_target(inputs):
    result = run(inputs)
    table = result.table
    want = 3  # 0.1 x 30
    assert table["verified"].sum() == 30  # 10 x want, capped at the number of sets
    assert len(result.accepted) == want
    # The stand-in distance does not depend on the runs: verification leaves it unchanged.
    assert np.allclose(table["distance"], (table["w_threat"] - 1.0).abs())
    assert np.allclose(table["distance"], table["screen_distance"])
    kept = set(result.accepted["set"])
    assert kept == set(table.nsmallest(want, "distance")["set"])
    assert result.best()["distance"] == table["distance"].min()
    # Every drawn value lies in the prior.
    for name, (lo, hi) in result.prior.items():
        assert table[name].between(lo, hi).all(), name


def test_only_verified_sets_can_be_accepted(inputs):
    result = run(inputs, sets=40, accept=0.05, verify=2)  # want 2, 20 verified
    table = result.table
    assert table["verified"].sum() == 20
    assert set(result.accepted["set"]) <= set(table.loc[table["verified"], "set"])


def test_candidates_sets_how_many_are_verified_and_checked(inputs):
    result = run(inputs, sets=40, accept=0.05, verify=2, candidates=7)  # want 2
    table = result.table
    assert table["verified"].sum() == 7
    assert table.loc[~table["verified"], "present_ok"].eq(False).all()
    assert len(result.accepted) == 2


def test_the_present_day_check_rejects_sets(inputs):
    hindcast, baseline = inputs
    result = calibrate(
        hindcast, baseline, near_one, lambda runs: False, (1955.75,), (2030.0,),
        sets=10, replicates=2, accept=0.2, seed=5, verify=0,
    )  # fmt: skip
    assert result.accepted.empty
    assert not result.table["present_ok"].any()


def test_calibration_is_reproducible_from_its_seed(inputs):
    a, b = run(inputs).table, run(inputs).table
    pd.testing.assert_frame_equal(a, b)
    c = run(inputs, seed=6).table
    assert not np.allclose(a["w_threat"], c["w_threat"])


def test_written_file_loads_with_the_accepted_sets_as_posterior(inputs, tmp_path):
    result = run(inputs)
    out = tmp_path / "fit"
    out.mkdir()
    write_calibration_file(result, inputs[0].calibration, out / "calibration.toml", "test")
    cal = load_calibration(out / "calibration.toml")
    assert cal.posterior is not None
    assert cal.posterior.shape == (len(result.accepted), len(result.names))
    assert cal.posterior_weights is None  # a rejection round: equal weights, no column
    header = (out / "calibration.toml").read_text().split('\nposterior = "')[0]
    assert "ABC rejection" in header and "importance weights" not in header
    best = result.best()
    for name in result.names:
        lo, hi = cal.ranges()[name]
        assert lo <= cal.parameters[name].value <= hi
        assert cal.parameters[name].value == pytest.approx(best[name], rel=1e-3)


def test_a_refit_keeps_the_hand_set_value_not_the_whole_history():
    once = (
        "fitted: wedge calibrate, prior [0, 3]; before: 1.5 (judgement: threat first (Walt 1987))"
    )
    twice = f"fitted: wedge calibrate, prior [0, 5]; before: 2.9 ({once})"
    assert hand_set(4.2, twice) == ("1.5", "judgement: threat first (Walt 1987)")
    assert hand_set(0.25, "judgement (a source)") == ("0.25", "judgement (a source)")


def present_runs(chn_rus: float, usa_rus: float, usa_chn: float) -> pd.DataFrame:
    cols = {}
    for year in PRESENT_YEARS:
        for pair, value in (("CHN-RUS", chn_rus), ("USA-RUS", usa_rus), ("USA-CHN", usa_chn)):
            cols[f"r_{pair}@{year:g}"] = [value] * 5
    return pd.DataFrame(cols)


@pytest.mark.parametrize(
    ("chn_rus", "usa_rus", "usa_chn", "ok"),
    [
        (0.5, -0.7, -0.5, True),
        (0.5, -0.7, -0.2, True),  # US-China within 0.1 of hostile: "hostile or near it"
        (0.5, -0.7, -0.1, False),
        (0.2, -0.7, -0.5, False),  # China-Russia not aligned
        (0.5, -0.2, -0.5, False),  # US-Russia not hostile
        (0.5, PRESENT_FLOOR - 0.01, -0.5, False),  # open war, which 2018-2024 was not
    ],
)
def test_present_day_picture(chn_rus, usa_rus, usa_chn, ok):
    assert present_day_ok(present_runs(chn_rus, usa_rus, usa_chn), THR) is ok


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--sets", "0"),
        ("--replicates", "0"),
        ("--accept", "0"),
        ("--verify", "-1"),
        ("--candidates", "0"),
        ("--seed", "-1"),
        ("--margin", "-0.1"),
        ("--margin", "0.5"),
    ],
)
def test_bad_calibrate_options_get_one_line(flag, value, capsys):
    assert main(["calibrate", flag, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0]


# --- the population step (ABC-PMC) and weighted posteriors --------------------------------


def test_a_population_step_stays_in_the_prior_and_weights_by_prior_over_proposal():
    prior = {"w_threat": (0.0, 1.0), "w_balance": (2.0, 4.0)}
    previous = pd.DataFrame({"w_threat": [0.4, 0.6]})  # w_balance is new to the fit
    values, weights = propose_around(previous, None, prior, 4000, np.random.default_rng(3))
    assert values.shape == (4000, 2)
    assert ((values[:, 0] >= 0.0) & (values[:, 0] <= 1.0)).all()
    assert ((values[:, 1] >= 2.0) & (values[:, 1] <= 4.0)).all()
    assert weights.sum() == pytest.approx(1.0) and (weights > 0).all()
    # The new parameter is uniform over its prior; the old one clusters near 0.4-0.6.
    assert abs(values[:, 1].mean() - 3.0) < 0.05
    assert abs(np.median(values[:, 0]) - 0.5) < 0.05
    # Known answer: sd = sqrt(2 var) = sqrt(2 * 0.01); weight ~ 1 / sum_j 0.5 K(x | c_j),
    # with K the normal density truncated to [0, 1].
    sd = np.sqrt(0.02)

    def k(x, c):
        mass = norm.cdf((1.0 - c) / sd) - norm.cdf((0.0 - c) / sd)
        return norm.pdf((x - c) / sd) / sd / mass

    x = values[:, 0]
    expected = 1.0 / (0.5 * k(x, 0.4) + 0.5 * k(x, 0.6))
    assert_allclose(weights, expected / expected.sum(), rtol=1e-9)
    # Importance weighting undoes the proposal: the weighted mean of the old parameter
    # is that of its uniform prior, not of the cluster.
    assert np.sum(weights * x) == pytest.approx(0.5, abs=0.03)
    assert np.sum(weights * (x < 0.2)) == pytest.approx(0.2, abs=0.05)


def test_a_population_step_is_reproducible_and_follows_earlier_weights():
    prior = {"w_threat": (0.0, 10.0)}
    previous = pd.DataFrame({"w_threat": [1.0, 9.0]})
    a = propose_around(previous, np.array([0.999, 0.001]), prior, 500, np.random.default_rng(1))
    b = propose_around(previous, np.array([0.999, 0.001]), prior, 500, np.random.default_rng(1))
    assert_allclose(a[0], b[0]) and assert_allclose(a[1], b[1])
    # Almost every proposal copies the heavy set at 1.0 (sd = sqrt(2 var) of the pair).
    assert np.mean(a[0][:, 0] < 5.0) > 0.98


def test_weighted_range_is_the_inverse_of_the_weighted_distribution():
    x = np.array([3.0, 1.0, 4.0, 1.5, 9.0, 2.6])
    # Equal weights: the smallest value with at least 10% (90%) of the sets at or below it.
    assert weighted_range(x, np.full(6, 1.0)) == (1.0, 9.0)
    assert weighted_range(np.arange(20.0), np.full(20, 1.0)) == (1.0, 17.0)
    # Nearly all the weight on one set: the range closes in on it.
    lo, hi = weighted_range(x, np.array([1e-9, 1e-9, 1.0, 1e-9, 1e-9, 1e-9]))
    assert lo == pytest.approx(4.0, abs=0.01) and hi == pytest.approx(4.0, abs=0.01)


def test_a_population_step_writes_a_weighted_posterior(inputs, tmp_path):
    result = run(inputs, around=True)
    assert result.weights.sum() == pytest.approx(1.0)
    assert 1.0 <= result.effective_size() <= len(result.accepted)
    assert "population step" in report(result, pd.Series({"miss_w_threat": 0.5}))
    out = tmp_path / "fit"
    out.mkdir()
    write_calibration_file(result, inputs[0].calibration, out / "calibration.toml", "test")
    cal = load_calibration(out / "calibration.toml")
    assert cal.posterior_weights is not None
    order = result.accepted.assign(w=result.weights).sort_values("distance")["w"].to_numpy()
    assert_allclose(cal.posterior_weights, order / order.sum(), rtol=1e-4)
    # The file's header says how it was made: a population step with weights, not rejection.
    header = (out / "calibration.toml").read_text().split('\nposterior = "')[0]
    assert "ABC-PMC" in header and "importance weights" in header
    assert "ABC rejection" not in header


def test_a_population_step_needs_a_posterior(inputs):
    hindcast, baseline = inputs
    bare = dataclasses.replace(hindcast.calibration, posterior=None, posterior_names=())
    with pytest.raises(ValueError, match="posterior"):
        calibrate(
            dataclasses.replace(hindcast, calibration=bare), baseline, near_one,
            lambda runs: True, (1955.75,), (2030.0,), sets=4, replicates=1, around=True,
        )  # fmt: skip


def write_posterior(folder: Path, header: str, rows: list[str]) -> Path:
    """A copy of the shipped calibration whose posterior file is ``header`` and ``rows``."""
    path = copy_calibration(folder)
    (folder / "calibration_posterior.csv").write_text("\n".join([header, *rows]) + "\n")
    return path


def test_worlds_draw_posterior_sets_in_proportion_to_their_weights(tmp_path):
    path = write_posterior(tmp_path, "w_threat,weight", ["1.0,1", "2.0,3"])  # weights 0.25 and 0.75
    cal = load_calibration(path)
    assert_allclose(cal.posterior_weights, [0.25, 0.75])
    scenario = load_inputs(ROOT / "scenarios" / "baseline_2024.toml").scenario
    u = (np.arange(10000) + 0.5) / 10000
    drawn = posterior_rows(scenario, cal, u)["w_threat"]
    assert np.mean(drawn == 1.0) == pytest.approx(0.25, abs=1e-3)
    assert set(np.unique(drawn)) == {1.0, 2.0}


@pytest.mark.parametrize("weights", [("-1", "2"), ("0", "0"), ("nan", "1")])
def test_bad_posterior_weights_get_one_clear_error(tmp_path, weights):
    path = write_posterior(tmp_path, "w_threat,weight", [f"1.0,{weights[0]}", f"2.0,{weights[1]}"])
    with pytest.raises(InputError, match="weight"):
        load_calibration(path)


def test_around_without_a_posterior_gets_one_line(tmp_path, capsys):
    path = copy_calibration(tmp_path)
    text = path.read_text().replace('posterior = "calibration_posterior.csv"\n', "")
    path.write_text(text)
    (tmp_path / "history").mkdir()
    shutil.copy(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml", tmp_path / "history")
    hindcast = tmp_path / "history" / "sino_soviet_1949.toml"
    assert main(["calibrate", "--hindcast", str(hindcast), "--around", "--sets", "2"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--around" in err[0] and "posterior" in err[0]


# --- writing ranges that read back as ranges ------------------------------------------------


def test_a_narrow_range_is_written_with_enough_digits_to_stay_a_range():
    assert distinct_digits(7.80121, 7.80129) == 5
    assert distinct_digits(0.1, 0.2) == 4
    assert distinct_digits(3.0, 3.0) == 4
    lo, hi = 7.80123, 7.80124
    d = distinct_digits(lo, hi)
    assert float(f"{lo:.{d}g}") < float(f"{hi:.{d}g}")


def test_a_range_that_one_heavy_set_collapses_falls_back_to_the_sets_own_spread():
    table = pd.DataFrame(
        {
            "w_threat": np.linspace(1.0, 2.0, 11),
            "distance": np.linspace(0.0, 0.1, 11),
            "weight": [1e-9] * 5 + [1.0] + [1e-9] * 5,
            "accepted": True,
        }
    )
    result = CalibrationResult(["w_threat"], {"w_threat": (0.0, 3.0)}, table, 1, 11, 1, around=True)
    assert weighted_range(table["w_threat"].to_numpy(), result.weights) == (1.5, 1.5)
    lo, hi = result.ranges()["w_threat"]
    assert (lo, hi) == pytest.approx(weighted_range(table["w_threat"].to_numpy(), np.ones(11)))
    assert lo < 1.5 < hi
    # A weighting that leaves a real range is kept as it is.
    table["weight"] = 1.0
    assert result.ranges()["w_threat"] == pytest.approx((1.1, 1.9))


# --- the command and its experiment ---------------------------------------------------------


def _calibrate_args(hindcast, baseline, out) -> list[str]:
    return [
        "calibrate", "--hindcast", hindcast.path, "--baseline", baseline.path, "--sets", "30",
        "--replicates", "3", "--verify", "6", "--accept", "0.1", "--seed", "11",
        "--out", str(out), "--quiet",
    ]  # fmt: skip


@pytest.mark.slow
def test_the_command_writes_what_the_experiment_returns_with_a_manifest(inputs, tmp_path):
    hindcast, baseline = inputs
    out = tmp_path / "cal"
    assert main(_calibrate_args(hindcast, baseline, out)) == 0
    result = FitToHistory(hindcast, baseline, sets=30, replicates=3, verify=6, accept=0.1).run(
        seed=11
    )
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary))
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "sets.parquet"), result.tables["sets"].frame.reset_index(drop=True)
    )
    assert (out / "accepted.csv").read_text() == result.tables["accepted"].frame.to_csv(index=False)
    for name in ("calibration.toml", "calibration_posterior.csv"):
        assert (out / name).read_text() == result.texts[name]
    assert load_calibration(out / "calibration.toml").posterior is not None
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"] == "calibrate" and manifest["seed"] == 11
    files = {"hindcast": hindcast.path, "baseline": baseline.path}
    files["calibration"] = hindcast.calibration.path
    for role, path in files.items():
        assert Path(manifest[f"{role}_file"]).resolve() == Path(path).resolve()
        assert manifest[f"{role}_sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
    report = (out / "report.md").read_text()
    assert "posterior.png" in report and (out / "posterior.png").is_file()


def test_a_fit_that_keeps_no_set_writes_nothing_and_exits_1(inputs, tmp_path, monkeypatch):
    import sim.experiments.calibrate

    monkeypatch.setattr(sim.experiments.calibrate, "present_day_ok", lambda runs, thr: False)
    hindcast, baseline = inputs
    out = tmp_path / "cal"
    assert main(_calibrate_args(hindcast, baseline, out)) == 1
    assert not out.exists()


def test_the_posterior_figure_is_titled_and_labelled(inputs):
    fig = plot_posterior(run(inputs), inputs[0].calibration)
    (ax,) = fig.axes
    assert fig.get_suptitle() and fig.legends
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_yticklabels()) == len(inputs[0].calibration.ranges())
