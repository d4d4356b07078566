"""The sweep engine: designs, chunked runs on any executor, resume, failures, bad files, analysis.

Sweeps here are small files written into ``tmp_path`` that name the shipped
scenarios (or scenarios written by the test) by absolute path, with small
chunks so that every sweep has several of them. Known answers come from
outside the code: the Ishigami function's analytic Sobol indices and
Morris elementary effects, the Cartesian product, the Latin-hypercube
strata. The command-line tests run ``sim.cli.main`` (in this process or in a
fresh interpreter) with a view that draws no figure in place of
``sim/views/sweep.py``: the engine's tests must not depend on the figures
and report, which have their own tests.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import json
import math
import re
import subprocess
import sys
import time
import tomllib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import tomli_w
from conftest import scenario_data, write_toml
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.engine.sweep
from sim.cli import main
from sim.engine.design import build_design
from sim.engine.executors import SerialExecutor, local_executor
from sim.engine.sweep import Plan, chunk_file, load_sweep, run_sweep
from sim.experiments.sweep import SweepExperiment
from sim.experiments.sweep_analysis import analyse, sensitivity
from sim.io import write
from sim.model.streams import BLOCK
from sim.scenario.errors import InputError
from sim.scenario.sweep import Sweep
from sim.views.sweep_report import design_sentence

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline_2024.toml"
OFFER = SCENARIOS / "us_offer_to_moscow.toml"
FEAR = "pairs.CHN-RUS.fear.RUS"

LAUNCHER = """
import sys, types
view = types.ModuleType("sim.views.sweep")
view.figures = lambda result: {}
view.report = lambda result, figure_files: ""
view.terminal = lambda result: ""
sys.modules["sim.views.sweep"] = view
import sim.engine.sweep
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""``wedge ARGS`` in a fresh interpreter, without the sweep's figures and report."""


def wedge_command(*args: str) -> list[str]:
    """The argument vector of ``wedge ARGS`` run in a fresh interpreter."""
    return [sys.executable, "-c", LAUNCHER, *args]


def sweep_data(**top: Any) -> dict[str, Any]:
    """A small valid LHS sweep over the baseline and the offer to Moscow.

    10 points x 10 replicates = 100 runs per scenario in chunks of 32: four
    chunks per scenario, the last one short, and chunks that cut design
    points in two. Keyword arguments replace top-level entries.
    """
    data: dict[str, Any] = {
        "name": "test_sweep",
        "scenarios": [str(BASELINE), str(OFFER)],
        "seed": 5,
        "design": "lhs",
        "points": 10,
        "replicates": 10,
        "chunk_size": 32,
        "uncertain": [
            {"parameter": "pairs.CHN-RUS.fear.RUS", "dist": "uniform", "low": 0.0, "high": 0.9},
            {
                "parameter": "actors.CHN.patronage",
                "dist": "triangular",
                "low": 0.2,
                "mode": 0.6,
                "high": 1.0,
            },
        ],
        "analysis": {"discovery": False},
    }
    data.update(top)
    return data


def chunk_frames(out: Path) -> dict[str, pd.DataFrame]:
    """Every chunk file of a sweep folder, by path relative to the folder."""
    files = sorted((out / "chunks").glob("*/chunk-*.parquet"))
    return {str(f.relative_to(out)): pd.read_parquet(f) for f in files}


def assert_same_chunks(got: Path, expected: Path) -> None:
    """The two sweep folders hold the same chunk files with equal tables."""
    a, b = chunk_frames(got), chunk_frames(expected)
    assert list(a) == list(b)
    for name, frame in a.items():
        pd.testing.assert_frame_equal(frame, b[name], check_exact=True, obj=name)


def all_runs(out: Path) -> pd.DataFrame:
    frames = chunk_frames(out).values()
    return pd.concat(frames, ignore_index=True).sort_values(["scenario", "run"], ignore_index=True)


@pytest.fixture(scope="module")
def small_sweep(tmp_path_factory) -> tuple[Path, Plan]:
    """The :func:`sweep_data` sweep file and its plan."""
    path = write_toml(tmp_path_factory.mktemp("sweep") / "small.toml", sweep_data())
    return path, load_sweep(path)


@pytest.fixture(scope="module")
def serial_run(small_sweep, tmp_path_factory) -> tuple[Path, dict, list[int]]:
    """The small sweep run by one worker in this process: the reference.

    Returns the folder, the record and the progress calls.
    """
    _, plan = small_sweep
    out = tmp_path_factory.mktemp("serial") / "out"
    progress: list[int] = []
    return out, run_sweep(plan, out, workers=1, progress=progress.append), progress


# --- running on any executor -------------------------------------------------------------


def test_one_worker_runs_every_chunk_into_its_own_file(small_sweep, serial_run):
    _, plan = small_sweep
    out, record, progress = serial_run
    chunks = list(plan.chunks())
    assert [(c[0], c[1]) for c in chunks] == [
        (s, k) for s in ("baseline_2024", "us_offer_to_moscow") for k in range(4)
    ]
    assert [c[3] for c in chunks[:4]] == [32, 32, 32, 4]
    assert record == {"done": 8, "skipped": 0, "failed": []}
    assert sorted(progress) == sorted(c[3] for c in chunks)
    for name, k, offset, size in chunks:
        frame = pd.read_parquet(chunk_file(out, name, k))
        assert frame["run"].tolist() == list(range(offset, offset + size))
        assert (frame["scenario"] == name).all()
    assert not list(out.rglob("*.tmp"))


def test_each_run_carries_its_design_point_and_replicate(small_sweep, serial_run):
    _, plan = small_sweep
    out = serial_run[0]
    runs = all_runs(out)
    reps = plan.sweep.replicates
    assert len(runs) == 2 * len(plan.design) * reps
    np.testing.assert_array_equal(runs["point"], runs["run"] // reps)
    np.testing.assert_array_equal(runs["replicate"], runs["run"] % reps)
    for k, name in enumerate(plan.design.names):
        # Swept values are stored exactly (float64), not rounded like the sampled ones.
        np.testing.assert_array_equal(
            runs[name].to_numpy(), plan.design.values[runs["point"].to_numpy(), k]
        )
    design = pd.read_parquet(out / "design.parquet")
    pd.testing.assert_frame_equal(design, plan.design.table())


@pytest.mark.slow
def test_two_local_processes_give_the_same_chunks_as_one_worker(small_sweep, serial_run, tmp_path):
    _, plan = small_sweep
    pool = local_executor(2)
    try:
        result = SweepExperiment(plan, tmp_path / "out", workers=2).run(5, executor=pool)
    finally:
        pool.shutdown()
    assert result.manifest["chunks"] == {"run": serial_run[1]["done"], "kept": 0, "failed": 0}
    assert_same_chunks(tmp_path / "out", serial_run[0])


# About 6-9 s (cluster start and stop included): under the ~15 s that would make it `slow`.
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")
def test_dask_local_cluster_gives_the_same_chunks_as_one_worker(small_sweep, serial_run, tmp_path):
    distributed = pytest.importorskip("distributed")
    _, plan = small_sweep
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        experiment = SweepExperiment(plan, tmp_path / "out", workers=2)
        result = experiment.run(5, executor=client.get_executor(pure=False))
    assert result.manifest["chunks"] == {"run": serial_run[1]["done"], "kept": 0, "failed": 0}
    assert_same_chunks(tmp_path / "out", serial_run[0])


def test_chunk_size_does_not_change_any_run(serial_run, tmp_path):
    other = write_toml(tmp_path / "other.toml", sweep_data(chunk_size=45))
    run_sweep(load_sweep(other), tmp_path / "out")
    assert len(chunk_frames(tmp_path / "out")) == 2 * 3
    pd.testing.assert_frame_equal(all_runs(tmp_path / "out"), all_runs(serial_run[0]))


def small_scenario_sweep(write_scenario, **top: Any) -> dict[str, Any]:
    """A grid sweep of :func:`conftest.scenario_data` (6 years, three actors) over Russia's fear."""
    scenario = write_scenario(scenario_data(name="small"), name="small.toml")
    data = {
        "name": "small",
        "scenarios": [str(scenario)],
        "design": "grid",
        "uncertain": [{"parameter": FEAR, "values": [0.0, 0.6]}],
    }
    return sweep_data(**(data | top))


def test_runs_do_not_depend_on_chunks_even_across_random_blocks(write_scenario, tmp_path):
    # 1100 runs span two random blocks; chunks of 300 cut the boundary inside one chunk.
    assert BLOCK < 2 * 550
    tables = []
    for size in (300, 1100):
        data = small_scenario_sweep(write_scenario, replicates=550, chunk_size=size)
        out = tmp_path / f"out{size}"
        run_sweep(load_sweep(write_toml(tmp_path / f"chunks{size}.toml", data)), out)
        tables.append(all_runs(out))
    assert len(tables[0]) == 1100
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    columns = list(runs.columns)
    inside = columns[columns.index("run") + 1 : columns.index("rupture_year")]
    return [c for c in inside if c != "behaviour_set"]


def test_points_carry_the_range_over_behaviour_when_runs_draw_it(write_scenario, tmp_path):
    data = small_scenario_sweep(write_scenario, replicates=60, chunk_size=60)
    path = write_toml(tmp_path / "s.toml", data)
    calibration_file = tmp_path / "calibration.toml"
    calibration = tomllib.loads(calibration_file.read_text())
    calibration.pop("posterior", None)
    calibration["crisis_threat"] |= {"low": 0.5, "high": 8.0}  # a wide range: behaviour matters
    calibration_file.write_text(tomli_w.dumps(calibration))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    points = pd.read_csv(tmp_path / "out" / "points.csv")
    runs = all_runs(tmp_path / "out")
    assert (runs["behaviour_set"] == runs["run"] // 20).all()
    for outcome in ("p_split", "p_rupture"):
        low, high = points[f"{outcome}_behaviour_low"], points[f"{outcome}_behaviour_high"]
        assert ((low >= 0) & (low <= high) & (high <= 1)).all()
    report = (tmp_path / "out" / "report.md").read_text()
    assert "over behaviour" in report


@pytest.mark.parametrize("sample", [True, False])
def test_scenario_uncertainty_is_sampled_only_when_asked(sample, write_scenario, tmp_path):
    data = small_scenario_sweep(write_scenario, replicates=8, sample_scenario_uncertainty=sample)
    # Equal weights, so that 16 runs draw more than one set whatever weights the shipped fit
    # gives (a population step can leave one set with nearly all of it).
    posterior = tmp_path / "calibration_posterior.csv"
    if posterior.exists():
        table = pd.read_csv(posterior)
        table.assign(**{c: 1.0 for c in table.columns if c == "weight"}).to_csv(
            posterior, index=False
        )
    plan = load_sweep(write_toml(tmp_path / "s.toml", data))
    run_sweep(plan, tmp_path / "out")
    runs = all_runs(tmp_path / "out")
    calibration = plan.inputs["small"].calibration
    if sample and calibration.posterior is not None:
        # Each run draws one whole accepted set of the calibration's posterior sample.
        # Each set of runs draws one whole accepted set of the calibration's posterior
        # sample, and each fixed parameter with a judgement range over that range.
        names = list(calibration.posterior_names)
        judged = [n for n in calibration.ranges() if n not in names]
        assert sorted(parameter_columns(runs)) == sorted([*names, *judged, FEAR])
        drawn = runs[names].to_numpy(dtype=float)
        gaps = np.abs(drawn[:, None, :] - calibration.posterior[None, :, :]).max(axis=2)
        assert np.all(gaps.min(axis=1) < 1e-4)  # float32 storage
        # The runs of a behaviour set share one accepted set.
        rows = pd.Series(gaps.argmin(axis=1))
        assert (rows.groupby(runs["behaviour_set"].to_numpy()).nunique() == 1).all()
    elif sample:
        ranged = list(calibration.ranges())
        assert parameter_columns(runs) == [*ranged, FEAR]
        # Each set of runs that shares a behaviour draw has its own values.
        assert runs[ranged].nunique().min() == runs["behaviour_set"].nunique() > 1
        assert (runs.groupby("behaviour_set")[ranged].nunique() == 1).all().all()
    else:
        assert parameter_columns(runs) == [FEAR]
    # Replicates of a point differ all the same: the worlds' own noise is not switched off.
    assert runs.groupby("point")["r_CHN-RUS"].nunique().min() > 1


def test_sweep_calibration_adds_every_ranged_parameter_not_set_by_the_scenario(
    write_scenario, tmp_path
):
    scenario = write_scenario(
        scenario_data(name="small", behaviour={"w_threat": 1.2}), name="small.toml"
    )
    data = sweep_data(
        scenarios=[str(scenario)],
        design="sobol",
        points=4,
        sweep_calibration=True,
        uncertain=[{"parameter": "w_balance", "low": 1.2, "high": 1.4}],
    )
    plan = load_sweep(write_toml(tmp_path / "s.toml", data))
    ranged = [n for n in plan.inputs["small"].calibration.ranges() if n != "w_threat"]
    assert plan.design.names[0] == "w_balance"
    assert sorted(plan.design.names) == sorted(ranged)
    assert len(plan.design) == 4 * (len(ranged) + 2)
    column = plan.design.names.index("w_reward")
    lo, hi = plan.inputs["small"].calibration.ranges()["w_reward"]
    assert lo <= plan.design.values[:, column].min() < plan.design.values[:, column].max() <= hi
    # The report warns that independent ranges are not the calibration's joint posterior.
    summary = {"points": len(plan.design), "runs": 0}
    assert "not the scenario's forecast" in design_sentence(plan, summary)
    plain = load_sweep(write_toml(tmp_path / "p.toml", data | {"sweep_calibration": False}))
    assert "not the scenario's forecast" not in design_sentence(plain, summary)


@pytest.mark.parametrize(
    "path", sorted((SCENARIOS / "sweeps").glob("*.toml")), ids=lambda p: p.stem
)
def test_shipped_sweep_files_load_with_the_documented_design_size(path):
    plan = load_sweep(path)
    sw, d = plan.sweep, plan.design.problem["num_vars"]  # a dummy parameter counts
    expected = {
        "grid": math.prod(len(getattr(a, "values", [])) for a in sw.axes()),
        "lhs": sw.points,
        "sobol": sw.points * (d + 2),
        "morris": sw.points * (d + 1),
    }[sw.design]
    assert len(plan.design) == expected
    assert np.isfinite(plan.design.values).all()


# --- resuming -----------------------------------------------------------------------------


def test_resume_of_a_finished_sweep_recomputes_nothing(small_sweep, serial_run):
    _, plan = small_sweep
    out = serial_run[0]
    before = {f: f.stat().st_mtime_ns for f in (out / "chunks").rglob("chunk-*.parquet")}
    seen: list[int] = []
    record = run_sweep(plan, out, resume=True, progress=seen.append)
    assert record == {"done": 0, "skipped": len(list(plan.chunks())), "failed": []}
    assert sum(seen) == 2 * plan.runs_per_scenario
    assert {f: f.stat().st_mtime_ns for f in before} == before


def test_resume_refuses_a_folder_holding_another_sweep(serial_run, tmp_path):
    out = serial_run[0]
    changed = load_sweep(write_toml(tmp_path / "changed.toml", sweep_data(seed=6)))
    with pytest.raises(InputError) as info:
        run_sweep(changed, out, resume=True)
    assert info.value.file == str(out / "sweep.json")
    assert info.value.field == "identity"
    assert len(chunk_frames(out)) == 8


def test_a_fresh_run_replaces_the_earlier_sweep_whole(tmp_path):
    out = tmp_path / "out"
    run_sweep(load_sweep(write_toml(tmp_path / "a.toml", sweep_data())), out)
    assert len(chunk_frames(out)) == 8
    plan = load_sweep(write_toml(tmp_path / "b.toml", sweep_data(chunk_size=64)))
    record = run_sweep(plan, out)
    assert record["done"] == 4
    assert sorted(chunk_frames(out)) == [
        f"chunks/{s}/chunk-00000{k}.parquet"
        for s in ("baseline_2024", "us_offer_to_moscow")
        for k in (0, 1)
    ]


def test_a_folder_that_is_not_a_sweep_is_left_alone(small_sweep, tmp_path):
    _, plan = small_sweep
    (tmp_path / "out").mkdir()
    keep = tmp_path / "out" / "notes.txt"
    keep.write_text("mine")
    with pytest.raises(InputError) as info:
        run_sweep(plan, tmp_path / "out")
    assert info.value.file == str(tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["notes.txt"]
    assert keep.read_text() == "mine"


KILL_SWEEP = {
    "name": "kill_me",
    "scenarios": [str(OFFER)],
    "seed": 31,
    "design": "grid",
    "replicates": 32,
    "chunk_size": 32,
    "levers": [{"parameter": "levers.offer_to_moscow.size", "values": [0.0, 0.4, 0.7, 1.0]}],
    "uncertain": [{"parameter": FEAR, "values": [0.0, 0.3, 0.6, 0.9]}],
    "analysis": {"discovery": False, "group_by": FEAR},
}
"""16 points x 32 replicates in chunks of 32: 16 chunks, a couple of seconds of work."""


@pytest.mark.slow
def test_killed_sweep_resumed_equals_an_uninterrupted_one(tmp_path):
    sweep = write_toml(tmp_path / "kill_me.toml", KILL_SWEEP)
    total = 16
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    command = wedge_command("sweep", str(sweep), "--out", str(killed), "--quiet")
    victim = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    done: list[Path] = []
    while not done:
        assert victim.poll() is None, f"finished before it could be killed: {victim.stderr.read()}"
        assert time.monotonic() < deadline, "no chunk written in 120 s"
        time.sleep(0.01)
        done = sorted(killed.glob("chunks/*/chunk-*.parquet"))
    victim.kill()  # SIGKILL: no handler runs, nothing is cleaned up
    victim.communicate()
    assert victim.returncode == -9
    done = sorted(killed.glob("chunks/*/chunk-*.parquet"))
    assert 1 <= len(done) < total
    kept = {f: f.stat().st_mtime_ns for f in done}
    # What a kill in the middle of writing a chunk leaves behind.
    half_written = killed / "chunks" / "us_offer_to_moscow" / f"chunk-{total - 1:06d}.parquet.tmp"
    half_written.write_bytes(b"PAR1 half a chunk")

    resumed = subprocess.Popen(
        [*command, "--resume"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # Meanwhile, the uninterrupted run, through the library.
    plan = load_sweep(sweep)
    result = SweepExperiment(plan, whole).run(plan.sweep.seed)
    write(result, whole, ["test"])
    assert len(chunk_frames(whole)) == total

    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    run = total - len(done)
    assert f"{run} chunk{'s' if run != 1 else ''} run, {len(done)} kept from an earlier run" in out
    assert {f: f.stat().st_mtime_ns for f in kept} == kept
    assert not list(killed.rglob("*.tmp"))
    assert_same_chunks(killed, whole)
    assert (killed / "points.csv").read_bytes() == (whole / "points.csv").read_bytes()
    assert (killed / "time_to_split.csv").read_bytes() == (whole / "time_to_split.csv").read_bytes()


# --- a failing chunk ----------------------------------------------------------------------


def fail_at(offset_to_fail: int, fn: Callable, *args: Any) -> Any:
    """Run ``fn(*args)`` unless the chunk starts at ``offset_to_fail``."""
    _inputs, _seed, offset, *_ = args
    if offset == offset_to_fail:
        raise RuntimeError(f"worker lost at run {offset}")
    return fn(*args)


class FailingExecutor(cf.Executor):
    """Runs tasks like :class:`SerialExecutor`; the chunk starting at ``offset`` raises."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.inner = SerialExecutor()

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> cf.Future:
        return self.inner.submit(fail_at, self.offset, fn, *args, **kwargs)


def test_a_failing_chunk_is_recorded_and_the_rest_completes(small_sweep, serial_run, tmp_path):
    _, plan = small_sweep
    out = tmp_path / "out"
    record = run_sweep(plan, out, executor=FailingExecutor(offset=32))
    # Run 32 starts chunk 1 of both scenarios.
    assert record["done"] == 6 and record["skipped"] == 0
    assert [(f["scenario"], f["chunk"]) for f in record["failed"]] == [
        ("baseline_2024", 1),
        ("us_offer_to_moscow", 1),
    ]
    assert all("worker lost at run 32" in f["error"] for f in record["failed"])
    for scenario in ("baseline_2024", "us_offer_to_moscow"):
        error_file = out / "chunks" / scenario / "chunk-000001.error.json"
        error = json.loads(error_file.read_text())
        assert "RuntimeError" in error["error"] and "worker lost at run 32" in error["error"]
        assert (error["seed"], error["first_run"], error["runs"]) == (5, 32, 32)
        assert (error["scenario"], error["chunk"]) == (scenario, 1)
        assert "fail_at" in error["traceback"]
        assert not chunk_file(out, scenario, 1).exists()
        for k in (0, 2, 3):
            pd.testing.assert_frame_equal(
                pd.read_parquet(chunk_file(out, scenario, k)),
                pd.read_parquet(chunk_file(serial_run[0], scenario, k)),
            )

    again = run_sweep(plan, out, executor=SerialExecutor(), resume=True)
    assert again == {"done": 2, "skipped": 6, "failed": []}
    assert not list(out.rglob("*.error.json"))
    assert_same_chunks(out, serial_run[0])


# --- common random numbers ----------------------------------------------------------------


def lever(name: str, start: float) -> dict[str, Any]:
    return {
        "name": name,
        "actor": "USA",
        "target": "RUS",
        "kind": "reward",
        "size": 1.0,
        "credibility": 1.0,
        "start": start,
        "duration": 6.0,
    }


def test_the_same_run_shares_its_random_numbers_across_base_scenarios(write_scenario, tmp_path):
    plain = write_scenario(scenario_data(name="plain"), name="plain.toml")
    # The same world with a full offer that only begins long after the horizon (2030).
    idle = write_scenario(
        scenario_data(name="idle", levers=[lever("offer", 2100.0)]), name="idle.toml"
    )
    active = write_scenario(
        scenario_data(name="active", levers=[lever("offer", 2024.0)]), name="active.toml"
    )
    sweep = sweep_data(
        name="crn",
        scenarios=[str(plain), str(idle), str(active)],
        design="grid",
        replicates=16,
        uncertain=[
            {"parameter": "pairs.CHN-RUS.fear.RUS", "values": [0.0, 0.6]},
            {"parameter": "actors.CHN.patronage", "values": [0.2, 0.8]},
        ],
    )
    out = tmp_path / "out"
    run_sweep(load_sweep(write_toml(tmp_path / "crn.toml", sweep)), out)
    runs = {
        name: grp.drop(columns="scenario").reset_index(drop=True)
        for name, grp in all_runs(out).groupby("scenario")
    }
    assert len(runs["plain"]) == 4 * 16
    pd.testing.assert_frame_equal(runs["idle"], runs["plain"], check_exact=True)
    # An active lever changes the outcomes but not the sampled behaviour of each run.
    sampled = list(runs["plain"].columns[: list(runs["plain"].columns).index("rupture_year")])
    pd.testing.assert_frame_equal(runs["active"][sampled], runs["plain"][sampled])
    assert not np.array_equal(runs["active"]["r_CHN-RUS"], runs["plain"]["r_CHN-RUS"])


# --- designs ------------------------------------------------------------------------------


def design_sweep(design: str, axes: list[dict[str, Any]], **top: Any) -> Sweep:
    """A validated sweep over ``axes`` (no scenario is read: designs do not need one)."""
    return Sweep.model_validate(
        {"name": "d", "scenarios": ["x.toml"], "seed": 1, "design": design, "uncertain": axes} | top
    )


value_lists = st.lists(
    st.floats(-10, 10, allow_nan=False, allow_subnormal=False), min_size=2, max_size=4, unique=True
)


@given(values=st.lists(value_lists, min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_grid_has_every_combination_of_values_once(values):
    axes = [{"parameter": f"p{k}", "values": v} for k, v in enumerate(values)]
    design = build_design(design_sweep("grid", axes))
    assert len(design) == math.prod(len(v) for v in values)
    rows = [tuple(r) for r in design.values.tolist()]
    assert sorted(rows) == sorted(itertools.product(*values))
    assert design.names == [f"p{k}" for k in range(len(values))]
    assert design.table()["point"].tolist() == list(range(len(design)))


@given(
    points=st.integers(1, 60),
    bounds=st.lists(
        st.tuples(st.floats(-5, 5), st.floats(0.1, 5)).map(lambda t: (t[0], t[0] + t[1])),
        min_size=1,
        max_size=4,
    ),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_latin_hypercube_puts_one_point_in_each_stratum_of_each_parameter(points, bounds, seed):
    axes = [{"parameter": f"p{k}", "low": lo, "high": hi} for k, (lo, hi) in enumerate(bounds)]
    design = build_design(design_sweep("lhs", axes, points=points, seed=seed))
    assert design.unit.shape == (points, len(bounds))
    for k, (lo, hi) in enumerate(bounds):
        strata = np.floor(design.unit[:, k] * points).astype(int)
        assert sorted(strata.tolist()) == list(range(points))
        np.testing.assert_allclose(design.values[:, k], lo + design.unit[:, k] * (hi - lo))


def test_sampled_designs_pick_listed_values_and_stay_in_distribution_bounds():
    axes = [
        {"parameter": "listed", "values": [0.1, 0.5, 0.9]},
        {"parameter": "tri", "dist": "triangular", "low": 0.2, "mode": 0.3, "high": 0.6},
        {"parameter": "unit", "dist": "uniform", "low": 0.0, "high": 1.0},
    ]
    design = build_design(design_sweep("lhs", axes, points=300))
    assert set(design.values[:, 0]) == {0.1, 0.5, 0.9}
    assert design.values[:, 1].min() >= 0.2 and design.values[:, 1].max() <= 0.6
    # Inverse CDF of triangular(0.2, 0.3, 0.6) at 1/4: 0.2 + sqrt(0.25 * 0.4 * 0.1) = 0.3.
    assert np.median(design.values[:, 1]) > 0.3
    np.testing.assert_allclose(design.values[:, 2], design.unit[:, 2])


THREE = [{"parameter": f"p{k}", "low": 0.0, "high": 1.0} for k in range(3)]


@pytest.mark.parametrize(
    ("design", "points", "rows"),
    [("lhs", 20, 20), ("sobol", 16, 16 * (3 + 2)), ("morris", 6, 6 * (3 + 1))],
)
def test_sampled_designs_have_the_documented_size(design, points, rows):
    assert len(build_design(design_sweep(design, THREE, points=points))) == rows


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_designs_are_reproducible_from_the_seed_and_change_with_it(design):
    def unit(seed: int) -> np.ndarray:
        return build_design(design_sweep(design, THREE, points=16, seed=seed)).unit

    np.testing.assert_array_equal(unit(3), unit(3))
    assert not np.array_equal(unit(3), unit(4))
    assert not np.array_equal(unit(0), unit(3))


# --- sensitivity analysis through the sweep code path --------------------------------------

# Ishigami and Homma (1990) with a = 7, b = 0.1 on [-pi, pi]^3: analytic indices
# (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, sect. 4.9).
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])
WEIGHTS = ["w_threat", "w_balance", "w_ideology"]


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = -np.pi + 2 * np.pi * unit
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_plan(tmp_path: Path, design: str, points: int) -> Plan:
    """A sweep over three calibration weights, uniform on [0, 1], of the baseline."""
    data = sweep_data(
        name="ishigami",
        scenarios=[str(BASELINE)],
        seed=2024,
        design=design,
        points=points,
        replicates=1,
        uncertain=[
            {"parameter": name, "dist": "uniform", "low": 0.0, "high": 1.0} for name in WEIGHTS
        ],
    )
    return load_sweep(write_toml(tmp_path / f"{design}.toml", data))


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values(tmp_path):
    plan = ishigami_plan(tmp_path, "sobol", 1024)
    assert len(plan.design) == 1024 * 5
    np.testing.assert_allclose(plan.design.values, plan.design.unit)
    si = sensitivity(plan, ishigami(plan.design.unit), seed=1).set_index("parameter").loc[WEIGHTS]
    # Saltelli's estimators on 1024 base points err by ~0.01 here; the bootstrap 95%
    # intervals are 0.03-0.09 wide, and the check is both: within them and within 0.05.
    for est, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        error = np.abs(si[est].to_numpy() - truth)
        assert (error <= si[f"{est}_conf"].to_numpy()).all(), (est, si)
        assert (error <= 0.05).all(), (est, si)


def test_morris_elementary_effects_of_the_ishigami_function_match_the_analytic_values(tmp_path):
    plan = ishigami_plan(tmp_path, "morris", 1000)
    levels = plan.sweep.morris_levels
    assert levels == 4 and len(plan.design) == 1000 * 4
    si = sensitivity(plan, ishigami(plan.design.unit), seed=1).set_index("parameter").loc[WEIGHTS]
    # On 4 levels the step is 2/3 of the range (4 pi / 3) and x only takes +-pi, +-pi/3:
    # |EE2| = 7 (3/4) / (2/3) always; |EE1| = (sqrt 3 / 2)(1 + 0.1 x3^4) / (2/3), x3^4 in
    # {pi^4, (pi/3)^4}; |EE3| = 0.1 |sin x1| (pi^4 - (pi/3)^4) / (2/3), sin x1 in {0, +-sqrt 3 / 2}.
    x3_4 = (np.pi**4 + (np.pi / 3) ** 4) / 2
    mu_star = np.array(
        [
            math.sqrt(3) / 2 * (1 + 0.1 * x3_4) * 1.5,
            7 * 0.75 * 1.5,
            0.1 * (np.pi**4 - (np.pi / 3) ** 4) * 1.5 * (math.sqrt(3) / 2) / 2,
        ]
    )
    got = si["mu_star"].to_numpy()
    assert got[1] == pytest.approx(mu_star[1], abs=1e-9)
    # x1 and x3 vary between two values of equal chance: sd ~6.3 over 1000 effects, se ~0.2.
    np.testing.assert_allclose(got, mu_star, atol=0.8)
    assert min(got[0], got[1]) > got[2]


def test_grid_and_lhs_designs_have_no_sensitivity_indices(small_sweep):
    _, plan = small_sweep
    assert sensitivity(plan, np.zeros(len(plan.design)), seed=0) is None


# --- bad sweep files ------------------------------------------------------------------------


def bad(**top: Any) -> dict[str, Any]:
    return sweep_data(**top)


def without(key: str) -> dict[str, Any]:
    data = sweep_data()
    del data[key]
    return data


BAD_FILES = [
    # (id, sweep file content (TOML text or data), field named, words of the message)
    ("toml_syntax", 'name = "x"\nseed = \n', "", "TOML syntax error"),
    ("unknown_field", bad(colour="red"), "colour", "unknown field; allowed: "),
    ("missing_field", without("seed"), "seed", "required field is missing"),
    ("design_name", bad(design="factorial"), "design", "'grid'"),
    (
        "grid_axis_without_values",
        bad(design="grid"),
        "design",
        f"a grid needs `values` for every parameter; {FEAR} has none",
    ),
    (
        "axis_without_values_or_range",
        bad(levers=[{"parameter": "levers.offer_to_moscow.size"}]),
        "levers[0]",
        "give `values` (for a grid) or `low` and `high`",
    ),
    (
        "grid_axis_with_one_value",
        bad(design="grid", levers=[{"parameter": "levers.offer_to_moscow.size", "values": [1]}]),
        "levers[0]",
        "at least two values",
    ),
    (
        "unknown_scenario_file",
        bad(scenarios=["no_such_scenario.toml"]),
        "scenarios[0]",
        "not found",
    ),
    (
        "scenario_listed_twice",
        bad(scenarios=[str(BASELINE), str(BASELINE)]),
        "scenarios[1]",
        "listed twice",
    ),
    (
        "path_not_in_scenario",
        bad(
            scenarios=[str(BASELINE)],
            uncertain=[{"parameter": "levers.offer_to_moscow.size", "low": 0.0, "high": 1.0}],
        ),
        "uncertain[0].parameter",
        "no lever named 'offer_to_moscow'; levers: none (in baseline_2024)",
    ),
    (
        "path_not_in_every_scenario",
        bad(levers=[{"parameter": "levers.offer_to_moscow.size", "low": 0.0, "high": 1.0}]),
        "levers[0].parameter",
        "(in baseline_2024)",
    ),
    (
        "range_outside_bounds",
        bad(uncertain=[{"parameter": FEAR, "low": 0.0, "high": 1.5}]),
        "uncertain[0]",
        "must stay in [0, 1]",
    ),
    (
        "grid_value_outside_bounds",
        bad(design="grid", uncertain=[{"parameter": FEAR, "values": [0.5, 2.0]}]),
        "uncertain[0]",
        "must stay in [0, 1]",
    ),
    (
        "unknown_calibration_parameter",
        bad(uncertain=[{"parameter": "w_luck", "low": 0, "high": 1}]),
        "uncertain[0].parameter",
        "unknown behaviour parameter",
    ),
    ("sobol_points", bad(design="sobol", points=100), "points", "power of 2, got 100"),
    (
        "heatmap_unswept",
        bad(analysis={"heatmap": [[FEAR, "actors.RUS.growth"]]}),
        "analysis.heatmap",
        "'actors.RUS.growth' is not a swept parameter",
    ),
    (
        "group_by_unswept",
        bad(analysis={"group_by": "actors.RUS.growth"}),
        "analysis.group_by",
        "not swept",
    ),
    (
        "parameter_twice",
        bad(uncertain=[{"parameter": FEAR, "low": 0, "high": 0.5}] * 2),
        "levers/uncertain",
        "listed twice",
    ),
    ("nothing_swept", bad(uncertain=[]), "levers/uncertain", "at least one parameter"),
    ("replicates", bad(replicates=0), "replicates", "greater than or equal to 1"),
]


BAD_FILES_BY_ID = {case[0]: case[1] for case in BAD_FILES}


def write_bad(folder: Path, case: str, content: str | dict[str, Any]) -> Path:
    path = folder / f"{case}.toml"
    if isinstance(content, str):
        path.write_text(content)
        return path
    return write_toml(path, content)


@pytest.mark.parametrize(
    ("content", "field", "words"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_sweep_file_raises_one_input_error_naming_file_and_field(
    content, field, words, request, tmp_path
):
    path = write_bad(tmp_path, request.node.callspec.id, content)
    with pytest.raises(InputError) as info:
        load_sweep(path)
    error = info.value
    assert (error.file, error.field) == (str(path), field), error.line()
    assert words in error.message, error.line()
    assert error.line().startswith(f"{path}: {field + ': ' if field else ''}")
    assert "\n" not in error.line()


def test_missing_sweep_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_sweep(tmp_path / "absent.toml")


@pytest.fixture
def report_stub(monkeypatch):
    """A sweep view without figures or report in place of ``sim.views.sweep`` in this process."""
    view = types.ModuleType("sim.views.sweep")
    view.figures = lambda result: {}
    view.report = lambda result, figure_files: ""
    view.terminal = lambda result: ""
    monkeypatch.setitem(sys.modules, "sim.views.sweep", view)


@pytest.mark.parametrize(
    ("content", "field"), [c[1:3] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_bad_sweep_file_on_the_command_line_is_one_line_and_exit_2(
    content, field, request, tmp_path, capsys, report_stub
):
    path = write_bad(tmp_path, request.node.callspec.id, content)
    status = main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"wedge: error: {path}: {field}")
    assert not (tmp_path / "out").exists()


def test_bad_sweep_file_in_a_fresh_interpreter_exits_2_without_traceback(tmp_path):
    content = dict(BAD_FILES_BY_ID["range_outside_bounds"])
    path = write_toml(tmp_path / "bad.toml", content)
    proc = subprocess.run(
        wedge_command("sweep", str(path), "--quiet"), cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == (
        f"wedge: error: {path}: uncertain[0]: {FEAR} may take values in [0, 1.5] but "
        "must stay in [0, 1]; bound the distribution with low and high (in baseline_2024)\n"
    )
    assert not (tmp_path / "results").exists()


def test_zero_workers_on_the_command_line_is_one_line_and_exit_2(
    small_sweep, tmp_path, capsys, report_stub
):
    path, _ = small_sweep
    assert main(["sweep", str(path), "--workers", "0", "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == "wedge: error: --workers: must be at least 1, got 0\n"


# --- the whole command --------------------------------------------------------------------


def test_failed_chunks_still_write_the_folder_and_exit_1(
    small_sweep, tmp_path, capsys, monkeypatch
):
    path, _ = small_sweep
    real = sim.engine.sweep.sweep_chunk

    def second_chunk_fails(inputs, seed, offset, *args):
        if offset == 32:
            raise RuntimeError("worker lost")
        return real(inputs, seed, offset, *args)

    monkeypatch.setattr(sim.engine.sweep, "sweep_chunk", second_chunk_fails)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"wedge: 2 chunk(s) failed; see *.error.json in {out}/chunks/"]
    assert len(list(out.glob("chunks/*/chunk-000001.error.json"))) == 2
    assert (out / "report.md").is_file() and (out / "manifest.json").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert [f["chunk"] for f in summary["failed_chunks"]] == [1, 1]


def test_ctrl_c_keeps_finished_chunks_and_exits_130(small_sweep, tmp_path, capsys, monkeypatch):
    path, _ = small_sweep
    real = sim.engine.sweep.sweep_chunk

    def interrupted(inputs, seed, offset, *args):
        if offset == 64:
            raise KeyboardInterrupt
        return real(inputs, seed, offset, *args)

    monkeypatch.setattr(sim.engine.sweep, "sweep_chunk", interrupted)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 130
    assert capsys.readouterr().err == (
        f"wedge: interrupted; finished chunks are kept in {out}/; rerun with --resume\n"
    )
    assert sorted(p.name for p in out.glob("chunks/*/*.parquet")) == [
        "chunk-000000.parquet",
        "chunk-000001.parquet",
    ]
    assert not (out / "report.md").exists()  # the results folder is written only whole
    monkeypatch.setattr(sim.engine.sweep, "sweep_chunk", real)
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--resume"]) == 0
    assert "6 chunks run, 2 kept from an earlier run" in capsys.readouterr().out
    assert (out / "report.md").is_file()


def test_analysis_of_a_sweep_gives_one_row_per_scenario_and_point(small_sweep, serial_run):
    _, plan = small_sweep
    out, record, _ = serial_run
    analysis = analyse(plan, out, record)
    summary, points = analysis.summary, analysis.points
    assert len(points) == 2 * len(plan.design)
    assert (points["runs"] == plan.sweep.replicates).all()
    runs = all_runs(out)
    split = runs.groupby(["scenario", "point"])["split_year"].apply(lambda s: s.notna().mean())
    np.testing.assert_allclose(points.set_index(["scenario", "point"])["p_split"], split)
    assert (points["p_split_low"] <= points["p_split"]).all()
    assert (points["p_split"] <= points["p_split_high"]).all()
    assert summary["runs"] == 2 * plan.runs_per_scenario
    assert summary["seed"] == 5 and summary["failed_chunks"] == []


# --- known bugs ---------------------------------------------------------------------------


def test_resume_refuses_a_sweep_whose_calibration_ranges_changed(write_scenario, tmp_path):
    data = small_scenario_sweep(write_scenario, replicates=4, chunk_size=4)
    path = write_toml(tmp_path / "s.toml", data)
    run_sweep(load_sweep(path), tmp_path / "out")
    calibration_file = tmp_path / "calibration.toml"
    calibration = tomllib.loads(calibration_file.read_text())
    low, high = calibration["w_threat"]["low"], calibration["w_threat"]["high"]
    value = calibration["w_threat"]["value"]
    # A narrower range, same value (and still admissible).
    if value > low:
        calibration["w_threat"] |= {"low": (low + value) / 2}
    else:
        calibration["w_threat"] |= {"high": (value + high) / 2}
    write_toml(calibration_file, calibration)
    changed = load_sweep(path)
    assert changed.inputs["small"].calibration.ranges()["w_threat"] != (low, high)
    with pytest.raises(InputError, match="another sweep"):
        run_sweep(changed, tmp_path / "out", resume=True)


def test_analysis_of_a_sobol_sweep_with_a_failed_chunk_reports_the_failure(
    write_scenario, tmp_path
):
    data = small_scenario_sweep(
        write_scenario,
        design="sobol",
        points=4,
        replicates=4,
        chunk_size=8,
        uncertain=[{"parameter": FEAR, "low": 0.0, "high": 0.8}],
    )
    plan = load_sweep(write_toml(tmp_path / "s.toml", data))
    record = run_sweep(plan, tmp_path / "out", executor=FailingExecutor(offset=8))
    assert [f["chunk"] for f in record["failed"]] == [1]
    summary = analyse(plan, tmp_path / "out", record).summary
    assert summary["failed_chunks"] == record["failed"]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"parameter": FEAR, "low": 0.0, "high": 0.5, "colour": "red"}, "uncertain[0].colour"),
        ({"parameter": FEAR, "dist": "beta", "low": 0.0, "high": 0.5}, "uncertain[0].dist"),
    ],
    ids=["unknown_field", "unknown_dist"],
)
def test_bad_uncertain_entry_is_named_by_its_path_in_the_file(entry, field, tmp_path):
    path = write_toml(tmp_path / "s.toml", sweep_data(uncertain=[entry]))
    with pytest.raises(InputError) as info:
        load_sweep(path)
    assert info.value.field == field, info.value.line()


def test_out_of_bounds_uncertain_entry_after_a_lever_is_named_by_its_own_index(tmp_path):
    data = sweep_data(
        scenarios=[str(OFFER)],
        levers=[{"parameter": "levers.offer_to_moscow.size", "low": 0.0, "high": 1.0}],
        uncertain=[{"parameter": FEAR, "low": 0.0, "high": 2.0}],
    )
    with pytest.raises(InputError) as info:
        load_sweep(write_toml(tmp_path / "s.toml", data))
    assert info.value.field == "uncertain[0]", info.value.line()


def test_out_that_is_a_file_is_an_input_error(small_sweep, tmp_path):
    _, plan = small_sweep
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(InputError):
        run_sweep(plan, tmp_path / "out")


def test_the_partnership_relation_is_a_continuous_outcome_with_its_own_sensitivity(
    write_scenario, tmp_path
):
    from sim.experiments.sweep_analysis import RELATION
    from sim.outcomes import partnership_column

    data = small_scenario_sweep(
        write_scenario,
        design="sobol",
        points=4,
        replicates=6,
        chunk_size=16,
        uncertain=[{"parameter": FEAR, "low": 0.0, "high": 0.8}],
        outcomes=["p_split", "p_rupture", RELATION],
        analysis={"discovery": True},
    )
    plan = load_sweep(write_toml(tmp_path / "s.toml", data))
    out = tmp_path / "out"
    result = SweepExperiment(plan, out).run(plan.sweep.seed)
    write(result, out, ["test"])
    summary = result.summary
    points = pd.read_csv(out / "points.csv")
    # Known answer: the mean of each point's runs' final relation of the watched pair.
    runs = all_runs(out)
    name = next(iter(plan.inputs))
    expected = runs.groupby("point")[partnership_column(plan.inputs[name].scenario)].mean()
    got = points.set_index("point")[RELATION]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index())
    assert got.between(-1, 1).all()
    assert (points[f"{RELATION}_low"] <= got.values).all()
    assert (got.values <= points[f"{RELATION}_high"]).all()
    assert RELATION in summary["sensitivity"]
    assert (out / f"sensitivity_{RELATION}.csv").is_file()
    # Scenario discovery and heat maps are for events only.
    assert all(b.get("outcome") != RELATION for b in summary.get("discovery", []))
    names = {p.name for p in out.iterdir()}
    assert f"sensitivity_{RELATION}.png" in names
    assert not any(n.startswith(f"heatmap_{RELATION}") for n in names)
    report = (out / "report.md").read_text()
    horizon = plan.inputs[name].scenario.time.horizon
    # The watched pair by name (or code) and the horizon's year, not a generic phrase.
    assert re.search(rf"The mean \S+–\S+ relation at {horizon:.0f}: the ", report), report


def test_a_dummy_parameter_adds_a_column_that_sets_nothing(tmp_path):
    from sim.engine.design import DUMMY

    plain = ishigami_plan(tmp_path, "sobol", 64)
    data = tomllib.loads((tmp_path / "sobol.toml").read_text())
    data["analysis"] = {"noise_floor": True}
    floored = load_sweep(write_toml(tmp_path / "floored.toml", data))
    d = len(plain.design.names)
    assert floored.design.names == plain.design.names
    assert floored.design.problem["names"] == [*plain.design.names, DUMMY]
    assert floored.design.unit.shape == (64 * (d + 3), d + 1)
    assert floored.design.values.shape == (64 * (d + 3), d)
    np.testing.assert_allclose(floored.design.values, floored.design.unit[:, :d])
    # Grid and Latin hypercube designs have no indices, so no dummy either.
    data |= {"design": "lhs", "points": 8}
    lhs = load_sweep(write_toml(tmp_path / "lhs.toml", data))
    assert DUMMY not in lhs.design.problem["names"]


def test_the_dummy_parameter_of_the_ishigami_function_has_no_effect(tmp_path):
    from sim.engine.design import DUMMY

    ishigami_plan(tmp_path, "sobol", 1024)
    data = tomllib.loads((tmp_path / "sobol.toml").read_text())
    data["analysis"] = {"noise_floor": True}
    plan = load_sweep(write_toml(tmp_path / "floored.toml", data))
    si = sensitivity(plan, ishigami(plan.design.values), seed=1).set_index("parameter")
    # Known answers: the dummy enters nowhere, so both its indices are 0 (within their
    # intervals and 0.05); the three real inputs keep the analytic values.
    for est in ("S1", "ST"):
        assert abs(si.loc[DUMMY, est]) <= max(si.loc[DUMMY, f"{est}_conf"], 1e-9), si
        assert abs(si.loc[DUMMY, est]) <= 0.05
    for est, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        error = np.abs(si.loc[WEIGHTS, est].to_numpy() - truth)
        assert (error <= 0.05).all(), (est, si)
