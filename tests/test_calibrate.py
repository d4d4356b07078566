"""The calibration procedure: prior, two-stage rejection, present-day check, written file.

The distance here is a stand-in computed from each set's own parameter values,
so the tests know which sets must win without depending on what the model or
the shipped calibration currently produce.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copy_calibration

from sim.calibrate import (
    PRESENT_FLOOR,
    PRESENT_YEARS,
    calibrate,
    hand_set,
    present_day_ok,
    prior_ranges,
    write_calibration_file,
)
from sim.cli import main
from sim.ensemble import load_inputs
from sim.scenario.calibration import PARAMETERS, load_calibration

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
    ],
)
def test_bad_calibrate_options_get_one_line(flag, value, capsys):
    assert main(["calibrate", flag, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0]
