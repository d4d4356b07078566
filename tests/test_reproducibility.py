"""Same seed, same numbers: across chunk sizes, world subsets, processes and repeated runs."""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_inputs, run_ensemble
from sim.engine.ensemble import merge, run_chunk
from sim.model.streams import BLOCK, Streams

BASELINE = "scenarios/baseline_2024.toml"


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(BASELINE)


@pytest.fixture(scope="module")
def ensemble(inputs):
    return run_ensemble(inputs, runs=2 * BLOCK + 100, seed=11)


def test_chunk_size_does_not_change_results(inputs, ensemble):
    other = run_ensemble(inputs, runs=2 * BLOCK + 100, seed=11, chunk_size=BLOCK)
    assert other.runs.equals(ensemble.runs)
    assert np.array_equal(other.counts.hist, ensemble.counts.hist)
    assert np.array_equal(other.counts.configs, ensemble.counts.configs)
    assert other.summary() == ensemble.summary()


@pytest.mark.slow
def test_an_executor_gives_the_numbers_of_one_process(inputs):
    from sim.engine.executors import local_executor

    serial = run_ensemble(inputs, runs=2 * BLOCK + 100, seed=11, chunk_size=BLOCK)
    with local_executor(2) as pool:
        done = []
        parallel = run_ensemble(
            inputs, runs=2 * BLOCK + 100, seed=11, chunk_size=BLOCK, executor=pool,
            progress=done.append,
        )  # fmt: skip
    assert parallel.runs.equals(serial.runs)
    for name in ("hist", "sums", "hazard", "configs", "roles"):
        assert np.array_equal(getattr(parallel.counts, name), getattr(serial.counts, name)), name
    assert sum(done) == (2 * BLOCK + 100) * inputs.scenario.time.steps


@pytest.mark.parametrize("world", [0, 1, BLOCK - 1, BLOCK, 2 * BLOCK + 99])
def test_one_world_alone_equals_the_same_world_in_the_ensemble(inputs, ensemble, world):
    alone = run_chunk(inputs, 11, world, 1).runs.reset_index(drop=True)
    inside = ensemble.runs.iloc[[world]].reset_index(drop=True)
    assert alone.equals(inside)


@given(
    ids=st.lists(
        st.sampled_from([0, 1, 7, BLOCK - 1, BLOCK, 2 * BLOCK + 99]), min_size=1, max_size=6
    )
)
@settings(max_examples=8, deadline=None)
def test_listed_worlds_draw_what_those_worlds_draw_in_the_ensemble(inputs, ensemble, ids):
    """Common random numbers: world ids may repeat, and each world is the ensemble's world."""
    runs = run_chunk(inputs, 11, 0, len(ids), world_ids=np.array(ids)).runs
    inside = ensemble.runs.iloc[ids].reset_index(drop=True)
    assert runs["run"].tolist() == list(range(len(ids)))  # positions, not the ids
    assert runs.drop(columns="run").equals(inside.drop(columns="run"))


def test_world_ids_must_be_one_non_negative_index_per_world():
    with pytest.raises(ValueError, match="one non-negative world index per world"):
        Streams(1, 0, 3, ids=np.array([0, 1]))
    with pytest.raises(ValueError, match="one non-negative world index per world"):
        Streams(1, 0, 2, ids=np.array([0, -1]))


def test_contiguous_ids_draw_what_the_offset_draws():
    by_offset = Streams(5, BLOCK - 3, 10).uniform("CHN>RUS", 2)
    by_ids = Streams(5, 0, 10, ids=np.arange(BLOCK - 3, BLOCK + 7)).uniform("CHN>RUS", 2)
    assert np.array_equal(by_offset, by_ids)


def test_chunks_merge_in_any_order(inputs, ensemble):
    sizes = [(0, 700), (700, 1500), (1500, 2 * BLOCK + 100)]
    chunks = [run_chunk(inputs, 11, lo, hi - lo) for lo, hi in sizes]
    merged = merge(inputs, 11, chunks[::-1], ensemble.meta)
    assert merged.runs.equals(ensemble.runs)
    assert merged.summary() == ensemble.summary()


def test_different_seeds_give_different_worlds(inputs, ensemble):
    other = run_ensemble(inputs, runs=200, seed=12)
    assert not np.allclose(other.runs["r_CHN-RUS"], ensemble.runs["r_CHN-RUS"].iloc[:200])


def test_seed_zero_is_a_seed(inputs):
    a = run_ensemble(inputs, runs=50, seed=0)
    b = run_ensemble(inputs, runs=50, seed=0)
    assert a.runs.equals(b.runs)


def test_inputs_and_chunk_results_pickle(inputs):
    chunk = run_chunk(inputs, 3, 0, 20)
    again = pickle.loads(pickle.dumps(chunk))
    assert again.runs.equals(chunk.runs)
    assert pickle.loads(pickle.dumps(inputs)).scenario == inputs.scenario


def test_same_numbers_in_a_fresh_interpreter(inputs, tmp_path):
    """Nothing depends on process state such as Python's salted string hashing."""
    out = tmp_path / "runs.parquet"
    code = (
        "from sim import load_inputs, run_ensemble;"
        f"run_ensemble(load_inputs({BASELINE!r}), runs=300, seed=5).runs.to_parquet({str(out)!r})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONHASHSEED": "123"})
    import pandas as pd

    here = run_ensemble(inputs, runs=300, seed=5).runs
    assert pd.read_parquet(out).equals(here)


def test_importing_the_model_does_not_load_plotting():
    code = (
        "import sys, sim, sim.engine.ensemble, sim.model.model;"
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded by the core'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- how much doubt about behaviour the runs carry --------------------------------------


def test_runs_report_how_many_behaviour_sets_they_drew(write_scenario, tmp_path):
    from sim.engine.ensemble import behaviour_draws
    from sim.views.run import behaviour_sentence

    path = write_scenario()
    posterior = tmp_path / "calibration_posterior.csv"
    table = pd.read_csv(posterior)
    # Equal weights: 60 runs over the accepted sets draw several of them.
    table.drop(columns=[c for c in table.columns if c == "weight"]).to_csv(posterior, index=False)
    inputs = load_inputs(path)
    result = run_ensemble(inputs, runs=60, seed=4)
    found = result.summary()["behaviour"]
    sets = len(table)
    assert found["mode"] == "posterior" and found["posterior_sets"] == sets
    assert found["effective_size"] == pytest.approx(sets)
    assert 1 < found["distinct_sets_drawn"] <= sets
    assert behaviour_draws(inputs, result.runs) == found
    text = behaviour_sentence(found)
    assert f"{sets} accepted sets" in text and "not by doubt" not in text
    # All the weight on one set: every run behaves alike, and the report says so.
    weights = np.zeros(sets)
    weights[3] = 1.0
    table.drop(columns=[c for c in table.columns if c == "weight"]).assign(weight=weights).to_csv(
        posterior, index=False
    )
    heavy = run_ensemble(load_inputs(path), runs=60, seed=4).summary()["behaviour"]
    assert heavy["effective_size"] == pytest.approx(1.0)
    assert heavy["distinct_sets_drawn"] == 1
    assert "not by doubt about how states behave" in behaviour_sentence(heavy)


def test_point_values_and_ranges_are_reported_as_such():
    from conftest import make_inputs, scenario_data

    from sim.views.run import behaviour_sentence

    fixed = run_ensemble(make_inputs(scenario_data()), runs=10, seed=1).summary()["behaviour"]
    assert fixed["mode"] == "ranges" and fixed["posterior_sets"] is None
    assert fixed["sampled_parameters"] == 0 and fixed["distinct_sets_drawn"] == 1
    none = scenario_data(calibration_uncertainty="none")
    plain = run_ensemble(make_inputs(none), runs=10, seed=1).summary()["behaviour"]
    assert plain["mode"] == "none"
    assert "point values" in behaviour_sentence(plain)
    assert behaviour_sentence(None) == ""
