"""The compiled step: extreme worlds, its pieces against each other, its cache and its notice.

The per-world reference (``test_step_reference.py``) checks the step against the
numpy step it replaced; the mechanisms' hand-worked tests check each equation.
These check what compiling adds: behaviour at the very edges of the admissible
bounds, the fused step against the same phases run one at a time, standard
normal quantiles against scipy, and the machine-code cache.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import make_calibration, make_inputs, scenario_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import ndtri
from test_properties import check_bounds, situation

from sim.engine.ensemble import load_inputs, run_chunk
from sim.model import cache, kernel, threads
from sim.model.mechanisms import common
from sim.model.mechanisms.economy import support
from sim.model.model import WedgeModel
from sim.model.normal import EPS, quantiles
from sim.scenario.calibration import PARAMETERS


@st.composite
def edge_behaviour(draw) -> dict[str, float]:
    """Every behaviour parameter at one end of its admissible bounds (uncapped)."""
    values = {
        name: draw(st.sampled_from([spec.lower, spec.upper])) for name, spec in PARAMETERS.items()
    }
    if values["threat_weight_proximity"] == 0.0:
        values["threat_weight_proximity"] = 1.0  # keep capacity defined (see test_properties)
    return values


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=edge_behaviour(), data=situation(), seed=st.integers(0, 2**32 - 1))
def test_a_world_at_the_edges_of_every_bound_stays_finite_and_in_range(params, data, seed):
    model = WedgeModel(
        make_inputs(data).scenario, make_calibration(params), worlds=8, seed=seed, sample=False
    )
    for _ in range(12):
        model.step()
        check_bounds(model)


def test_the_fused_step_equals_its_phases_run_one_at_a_time():
    # The same worlds stepped by the kernel, and by each state's own methods followed by
    # the events and slow stocks over all worlds: the agents' path is the same model.
    data = scenario_data()
    inputs = make_inputs(data)
    fused = WedgeModel(inputs.scenario, make_calibration(), worlds=16, seed=5)
    parts = WedgeModel(inputs.scenario, make_calibration(), worlds=16, seed=5)
    for _ in range(6):
        fused.step()
        parts.steps += 1  # as Mesa's step wrapper does
        t0 = parts.start + (parts.steps - 1) * parts.dt
        parts.draws = draws = parts._draw()
        parts._apply_shocks(t0)
        parts._apply_levers(t0)
        s = parts.state  # help j gives i, from the stances before the choice
        parts.support = support(s.stance, s.capability, s.patronage, s.distress)
        for agent in parts.agents:
            agent.step()
        s.stance = parts.next_stance
        parts.new_leader[:] = False
        parts.relation = common.relation(s.stance)
        parts._events(draws)
        parts.relation = common.relation(s.stance)
        parts._slow_stocks(draws)
        assert_allclose(parts.relation, fused.relation, rtol=0, atol=1e-12)
        for name, value in fused.state.fields().items():
            assert_allclose(s.fields()[name], value, rtol=0, atol=1e-12, err_msg=name)
        assert_array_equal(parts.counts["crises"], fused.counts["crises"])


def test_compiled_normal_quantiles_are_scipys():
    rng = np.random.default_rng(1)
    u = np.concatenate(
        [
            rng.random(200_000),
            10.0 ** -rng.uniform(0, 12, 20_000),  # the lower tail, both approximations
            1.0 - 10.0 ** -rng.uniform(1, 12, 20_000),
            [0.0, 0.5, 1.0 - 1e-17, np.exp(-2.0), 1.0 - np.exp(-2.0)],
        ]
    )
    expected = ndtri(np.clip(u, EPS, 1.0 - EPS))
    # The same algorithm: equal up to the reassociation the compiler may do (fastmath),
    # a few units in the last place (bit for bit without it).
    assert_allclose(quantiles(u), expected, rtol=1e-14, atol=0)


def test_the_cache_follows_the_model_source(tmp_path, monkeypatch):
    copy = tmp_path / "model"
    shutil.copytree(common.MODEL_SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(common, "MODEL_SOURCES", copy)
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    before = common.cache_dir()
    assert before == common.cache_dir()  # stable while nothing changes
    assert before.parent == tmp_path / "cache"
    kernel_file = copy / "kernel.py"
    kernel_file.write_text(kernel_file.read_text() + "\n# an edit\n")
    assert common.cache_dir() != before


def test_the_compile_notice_is_said_once_and_only_when_needed(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(cache, "_announced", False)
    monkeypatch.setattr(cache, "compiled_here", lambda: True)
    cache.announce_compilation(write=said.append)
    assert said == []
    monkeypatch.setattr(cache, "compiled_here", lambda: False)
    cache.announce_compilation(write=said.append)
    cache.announce_compilation(write=said.append)
    assert len(said) == 1 and "compiling" in said[0]


def test_a_run_leaves_the_step_compiled_and_cached():
    model = WedgeModel(make_inputs(scenario_data()).scenario, make_calibration(), worlds=2)
    model.step()
    assert kernel.advance.signatures
    assert cache.compiled_here()


@pytest.mark.parametrize("field", ["actors", "pairs"])
def test_world_state_fields_are_views_of_its_blocks(field):
    model = WedgeModel(make_inputs(scenario_data()).scenario, make_calibration(), worlds=3)
    s = model.state
    names = kernel.ACTOR_FIELDS if field == "actors" else kernel.PAIR_FIELDS
    for k, name in enumerate(names):
        block = getattr(s, field)[:, k]
        assert np.shares_memory(getattr(s, name), block)
    s.stance = np.full_like(s.stance, 0.3)  # assigning writes into the block
    assert_array_equal(s.pairs[:, kernel.STANCE], 0.3)
    with pytest.raises(AttributeError):
        s.not_a_field = 1.0


@given(worlds=st.integers(1, 5000), wanted=st.integers(1, 16))
def test_thread_ranges_cover_every_world_once(worlds, wanted):
    bounds = threads.ranges(worlds, wanted)
    assert bounds[0] == 0 and bounds[-1] == worlds
    assert np.all(np.diff(bounds) > 0)  # disjoint, none empty
    if len(bounds) > 2:  # split only when each range is worth a thread
        assert np.all(np.diff(bounds) >= threads.MIN_WORLDS_PER_THREAD)
        assert len(bounds) - 1 <= wanted * threads.RANGES_PER_THREAD


@pytest.mark.parametrize(
    "scenario", ["scenarios/baseline_2024.toml", "scenarios/history/cold_war_1949.toml"]
)
def test_the_step_on_threads_gives_the_same_numbers_as_on_one(monkeypatch, scenario):
    inputs = load_inputs(scenario)
    one = run_chunk(inputs, 5, 3, 45, paths=False)
    monkeypatch.setattr(threads, "MIN_WORLDS_PER_THREAD", 2)  # 45 worlds split into 4 ranges
    monkeypatch.setattr(threads, "_threads", 2)
    assert len(threads.ranges(45, 2)) == 5
    called = []
    real = threads.advance

    def spy(first, last, *rest):
        called.append((first, last))
        real(first, last, *rest)

    monkeypatch.setattr(threads, "advance", spy)
    many = run_chunk(inputs, 5, 3, 45, paths=False)
    assert called[:4] == [(0, 11), (11, 22), (22, 34), (34, 45)]  # every step split in four
    pd.testing.assert_frame_equal(one.runs, many.runs, check_exact=True)
    for name, tally in vars(one.counts).items():
        assert_array_equal(tally, getattr(many.counts, name), err_msg=name)


def test_threads_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        threads.use_threads(0)
    threads.use_threads(10_000)
    assert threads.threads() == threads.available_cores()
    threads.use_threads(1)
