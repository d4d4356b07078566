"""``wedge calibrate --method history``: the prior, the outputs, the written fit, resuming.

The emulators and waves are tested on toys with known answers in
``test_emulate.py``; here the whole fit runs on the real model at a tiny size,
so what is checked is the plumbing: what is fitted, what is written, what a
resumed fit gives, and bad input.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.engine.ensemble import load_inputs
from sim.experiments.calibration_file import hand_set
from sim.experiments.history_match import CORE, Prior, ranged, stream
from sim.model.setup import calibration_mode
from sim.scenario.calibration import PARAMETERS, load_calibration

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = load_calibration(ROOT / "scenarios" / "calibration.toml")
FEW = ("stance_speed", "parity_rate", "w_ideology")
TINY = ["--method", "history", "--fit", ",".join(FEW), "--waves", "2", "--design", "30",
        "--runs", "4", "--samples", "16", "--epsilon", "10", "--quiet"]  # fmt: skip


def test_the_prior_holds_the_judgement_and_the_current_value_within_the_admissible_bounds():
    prior = Prior.around(SHIPPED, CORE, 3.0)
    assert prior.names == CORE and len(CORE) <= 15
    for k, name in enumerate(CORE):
        spec, param = PARAMETERS[name], SHIPPED.parameters[name]
        judged = float(hand_set(param.value, param.source)[0])
        lo, hi = prior.low[k], prior.high[k]
        assert spec.lower <= lo < hi <= spec.upper
        assert lo <= param.value <= hi
        assert lo <= judged or judged < spec.lower + 1e-12
        assert judged <= hi or hi == spec.upper


@given(st.lists(st.floats(0.0, 1.0), min_size=len(CORE), max_size=len(CORE)))
def test_the_unit_cube_maps_monotonically_onto_the_prior(u):
    prior = Prior.around(SHIPPED, CORE, 3.0)
    x = prior.values(np.array([u]))[0]
    ends = prior.values(np.array([np.zeros(len(CORE)), np.ones(len(CORE))]))
    np.testing.assert_allclose(ends[0], prior.low, rtol=1e-12)
    np.testing.assert_allclose(ends[1], prior.high, rtol=1e-12)
    assert np.all((x >= prior.low * (1 - 1e-12)) & (x <= prior.high * (1 + 1e-12)))
    higher = prior.values(np.array([np.minimum(np.array(u) + 0.1, 1.0)]))[0]
    assert np.all(higher >= x)


def test_a_log_prior_puts_its_middle_at_the_geometric_mean():
    prior = Prior.around(SHIPPED, CORE, 3.0)
    mid = prior.values(np.full((1, len(CORE)), 0.5))[0]
    for k in range(len(CORE)):
        want = (math.sqrt(prior.low[k] * prior.high[k]) if prior.log[k]
                else (prior.low[k] + prior.high[k]) / 2)  # fmt: skip
        assert mid[k] == pytest.approx(want)


def test_the_fit_draws_what_it_does_not_fit_over_the_ranges_forecasts_draw():
    inputs = load_inputs(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml")
    assert calibration_mode(inputs.scenario, inputs.calibration) == "posterior"
    fitted = ranged(inputs)
    assert fitted.calibration.posterior is None
    assert calibration_mode(fitted.scenario, fitted.calibration) == "ranges"
    assert fitted.calibration.parameters == inputs.calibration.parameters


def test_streams_differ_by_part_and_repeat_by_seed():
    assert stream(1, 0, 0) == stream(1, 0, 0)
    assert len({stream(1, 0, 0), stream(1, 0, 1), stream(1, 1, 0), stream(2, 0, 0)}) == 4


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    out = tmp_path_factory.mktemp("match") / "fit"
    assert main(["calibrate", *TINY, "--seed", "5", "--out", str(out)]) == 0
    return out


def test_a_fit_writes_its_waves_posterior_and_a_calibration_file_that_loads(fitted):
    summary = json.loads((fitted / "summary.json").read_text())
    assert summary["parameters"] == list(FEW)
    assert [w["wave"] for w in summary["waves"]] == [0, 1]
    names = {o["name"] for o in summary["outputs"]}
    assert {"sino_soviet_1949_1975/rupture.share", "present/present.chn_rus"} <= names
    assert any(n.startswith("normalisation_1976_1991/") for n in names)
    assert summary["accepted"] == summary["sampled"]  # epsilon 10 accepts every set
    assert 1 <= summary["effective_sample_size"] <= summary["accepted"]
    waves = pd.read_csv(fitted / "waves.csv")
    assert sorted(waves["wave"].unique()) == [0, 1]
    assert ((waves.filter(like="u_") >= 0) & (waves.filter(like="u_") <= 1)).all().all()
    cal = load_calibration(fitted / "calibration.toml")
    assert cal.posterior_names == FEW
    assert cal.posterior_weights is not None and cal.posterior_weights.sum() == pytest.approx(1)
    for name, param in SHIPPED.parameters.items():  # what is not fitted keeps value and range
        if name not in FEW:
            new = cal.parameters[name]
            assert new.value == pytest.approx(param.value, rel=1e-3)
            assert (new.low is None) == (param.low is None)
    for name in FEW:
        assert cal.parameters[name].source.startswith("fitted: wedge calibrate")
    assert (fitted / "posterior.png").is_file() and (fitted / "report.md").is_file()
    assert "Under 100 effective sets" in (fitted / "report.md").read_text()


def test_a_resumed_fit_reuses_its_waves_and_ends_as_the_first(fitted, tmp_path):
    again = tmp_path / "again"
    again.mkdir()
    (again / "waves").mkdir()
    for f in (fitted / "waves").iterdir():
        (again / "waves" / f.name).write_bytes(f.read_bytes())
    stamp = {f.name: f.stat().st_mtime_ns for f in (again / "waves").iterdir()}
    assert main(["calibrate", *TINY, "--seed", "5", "--out", str(again), "--resume"]) == 0
    assert {f.name: f.stat().st_mtime_ns for f in (again / "waves").iterdir()} == stamp
    pd.testing.assert_frame_equal(pd.read_parquet(again / "samples.parquet"),
                                  pd.read_parquet(fitted / "samples.parquet"))  # fmt: skip


def test_a_distance_no_set_reaches_is_one_line_and_leaves_no_fit(tmp_path, capsys):
    out = tmp_path / "fit"
    args = [*TINY[:-3], "--epsilon", "1e-9", "--quiet"]
    assert main(["calibrate", *args, "--seed", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "came within --epsilon 1e-09" in err[0]
    assert not (out / "calibration.toml").exists() and (out / "waves" / "wave_1.csv").is_file()
    kept = out / "waves" / "samples_2_16.csv"
    stamp = kept.stat().st_mtime_ns
    assert main(["calibrate", *TINY, "--seed", "5", "--out", str(out), "--resume"]) == 0
    assert kept.stat().st_mtime_ns == stamp  # accepted again, not run again
    summary = json.loads((out / "summary.json").read_text())
    assert summary["accepted"] == summary["sampled"] == 16


def test_a_prior_history_rules_out_whole_is_one_line(tmp_path, capsys):
    out = tmp_path / "fit"
    assert main(["calibrate", *TINY, "--cutoff", "0.001", "--seed", "5", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "rules out the whole prior" in err[0]
    assert not (out / "calibration.toml").exists()


@pytest.mark.parametrize(
    ("flag", "value", "fragment"),
    [
        ("--fit", "stance_speed,no_such", "no_such"),
        ("--fit", "stance_speed,stance_speed", "distinct"),
        ("--epsilon", "0", "--epsilon"),
        ("--cutoff", "-1", "--cutoff"),
        ("--prior-factor", "0.5", "--prior-factor"),
        ("--design", "0", "--design"),
    ],
)
def test_bad_options_are_one_line(tmp_path, capsys, flag, value, fragment):
    code = main(["calibrate", *TINY, flag, value, "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1 and fragment in err[0]
    assert not (tmp_path / "x").exists()


def test_a_fit_resumed_with_more_waves_adds_them_and_samples_afresh(fitted, tmp_path):
    more = tmp_path / "more"
    (more / "waves").mkdir(parents=True)
    for f in (fitted / "waves").iterdir():
        (more / "waves" / f.name).write_bytes(f.read_bytes())
    first = (more / "waves" / "wave_1.csv").stat().st_mtime_ns
    args = [*TINY, "--seed", "5", "--out", str(more), "--resume"]
    args[args.index("--waves") + 1] = "3"
    assert main(["calibrate", *args]) == 0
    assert (more / "waves" / "wave_1.csv").stat().st_mtime_ns == first
    assert (more / "waves" / "wave_2.csv").is_file()
    assert (more / "waves" / "samples_3_16.csv").is_file()
    summary = json.loads((more / "summary.json").read_text())
    assert [w["wave"] for w in summary["waves"]] == [0, 1, 2]
