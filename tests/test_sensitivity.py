"""Which parameters move the distance to history (`wedge sensitivity`), and the set runner.

Known answers: a parameter that does nothing in a hindcast (the levers' weights:
no lever is scheduled in history) and the design's dummy get indices of exactly
0, because every set runs the same worlds; the set runner gives each set the
numbers its worlds give alone; scoring where a chunk runs equals scoring after.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.engine.design import DUMMY
from sim.engine.ensemble import run_chunk
from sim.engine.executors import SerialExecutor
from sim.experiments.sensitivity import JOINT, HistorySensitivity
from sim.experiments.sets import run_sets, score_sets, set_misses
from sim.experiments.validate import hindcasts, snapshot_years

LEVER_WEIGHTS = ["w_reward", "w_coercion", "driver_commitment"]
"""Weights of levers: history schedules none, so they cannot move its distance."""


@pytest.fixture(scope="module")
def shipped():
    return hindcasts()


@pytest.fixture(scope="module")
def small(shipped):
    names = ("w_threat", "stance_noise", *LEVER_WEIGHTS)
    return HistorySensitivity(tuple(shipped), points=4, replicates=6, parameters=names).run(seed=9)


def test_parameters_history_cannot_see_and_the_dummy_get_exactly_zero(small):
    indices = small.payload.indices
    idle = indices[indices["parameter"].isin([*LEVER_WEIGHTS, DUMMY])]
    assert len(idle) == (len(LEVER_WEIGHTS) + 1) * 3  # two episodes and the joint distance
    assert (idle["ST"] == 0).all() and (idle["S1"] == 0).all()
    verdicts = small.payload.verdicts().set_index("parameter")["verdict"]
    assert all(verdicts[n] == "free" for n in LEVER_WEIGHTS)


def test_the_joint_distance_adds_the_episodes_squares(small):
    sets = small.payload.sets
    names = small.summary["episodes"]
    assert names == ["sino_soviet_1949_1975", "normalisation_1976_1991"]
    squares = sum(sets[f"distance_{n}"] ** 2 for n in names)
    assert np.allclose(sets[f"distance_{JOINT}"], np.sqrt(squares))
    assert len(sets) == 4 * (5 + 3)  # N (D + 2) Saltelli rows, D counting the dummy
    assert small.summary["counts"] == {
        k: int((small.payload.verdicts()["verdict"] == k).sum() - (k == "free"))
        for k in ("informed", "weak", "free")
    }  # the dummy, free by construction, is not counted


def test_every_set_on_common_worlds_is_those_worlds_run_alone(shipped):
    h = shipped[1]
    values = np.array([[2.0], [6.0]])
    runs = run_sets(h.inputs, values, ["w_threat"], 3, 4, common=True)
    for k, v in enumerate(values[:, 0]):
        alone = run_chunk(h.inputs, 4, 0, 3, paths=False, fixed={"w_threat": np.full(3, v)}).runs
        mine = runs[runs["set"] == k].drop(columns=["set", "run"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.drop(columns="run"))


def test_scoring_in_chunks_on_an_executor_equals_scoring_after(shipped):
    h = shipped[0]
    years = snapshot_years(h.inputs, h.episode)
    values = np.linspace([0.5, 0.05], [8.0, 0.5], 5)
    names = ["w_threat", "stance_noise"]
    after = set_misses(run_sets(h.inputs, values, names, 4, 2, years), h.inputs, h.episode)
    within = score_sets(
        h.inputs, h.episode, values, names, 4, 2, years, executor=SerialExecutor(), chunk=9
    )  # 9 worlds per chunk: two whole sets each
    pd.testing.assert_frame_equal(within, after)


def test_wedge_sensitivity_writes_its_folder(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["sensitivity", "--points", "2", "--runs", "3", "--parameters", "w_threat",
            "w_reward", "--out", str(out), "--seed", "5"]  # fmt: skip
    assert main(args) == 0
    names = {p.name for p in out.iterdir()}
    assert {"report.md", "summary.json", "indices.csv", "sets.parquet", "sensitivity.png",
            "sensitivity.svg", "manifest.json"} <= names  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"] == 2 and summary["sets"] == 2 * 5
    assert "largest total index: w_threat" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--points", "6"], "--points: must be a power of 2"),
        (["--points", "0"], "--points"),
        (["--runs", "0"], "--runs"),
        (["--parameters", "w_nothing"], "w_nothing unknown"),
        (["--prior", "calibration", "--parameters", "stance_gain"], "has a prior range"),
    ],
)
def test_bad_options_are_one_line(args, fragment, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sensitivity", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0]
    assert not out.exists()
