"""``wedge explain``: the motives recorded are the ones the model summed, and explain the fall.

Recording must change no number; the recorded terms must reproduce the step
(the stance moves toward ``tanh(gain * sum)`` exactly as the kernel moves it);
a replayed world must be the run's world; the changes must add up; the levers
term must be there while a lever is in force and nowhere else; bad options
must fail in one line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_calibration, make_inputs, scenario_data, wedge
from hypothesis import given
from hypothesis import strategies as st

from sim.engine.ensemble import run_chunk
from sim.experiments.explain import (
    ExplainWorld,
    _window,
    explain_world,
    motive_table,
    trace_worlds,
)
from sim.model.mechanisms import institutions
from sim.model.mechanisms.stance import desired, move
from sim.model.model import WedgeModel
from sim.model.motives import LEVERS_M, MOTIVES

SEED = 7


@pytest.fixture(scope="module")
def inputs():
    data = scenario_data()
    data["time"] = {"start": 2024.0, "horizon": 2034.0, "step": 0.25}
    # Fast-moving stances, so that relations fall and rupture within ten years in some worlds.
    return make_inputs(data, make_calibration({"stance_noise": 0.3, "crisis_rate": 0.2}))


def test_recording_changes_no_number(inputs):
    sc, cal = inputs.scenario, inputs.calibration
    plain = WedgeModel(sc, cal, 40, SEED)
    recorded = WedgeModel(sc, cal, 40, SEED, record_motives=True)
    plain.run()
    recorded.run()
    assert np.array_equal(plain.state.pairs, recorded.state.pairs)
    assert np.array_equal(plain.state.actors, recorded.state.actors)
    assert plain.motives.shape[0] == 0
    assert np.isfinite(recorded.motives).all() and np.abs(recorded.motives).sum() > 0


def test_recorded_motives_reproduce_the_step(inputs):
    """Without noise, a step moves each stance toward tanh(gain * sum of the recorded terms)."""
    sc, cal = inputs.scenario, inputs.calibration
    worlds = 30
    zero = np.zeros(worlds)
    model = WedgeModel(sc, cal, worlds, SEED, record_motives=True, fixed={"stance_noise": zero})
    b = model.record
    checked = 0
    while model.running:
        before = model.state.stance.copy()
        inst = model.state.institutions.copy()
        crises = model.counts["crises"].copy()
        fresh = model.new_leader.any(axis=1)  # a new leader jumps toward the desired stance
        model.step()
        quiet = (model.counts["crises"] == crises).all(axis=(1, 2)) & ~fresh
        summed = model.motives.sum(axis=1)  # (worlds, n, n)
        for w in np.flatnonzero(quiet):
            want = desired(summed[w], b["stance_gain"][w])
            drag = institutions.drag(inst[w], b["inertia"][w])
            expected = move(before[w], want, b["stance_speed"][w], drag, model.dt, 0.0)
            off = ~np.eye(model.n, dtype=bool)
            np.testing.assert_allclose(model.state.stance[w][off], expected[off], atol=1e-12)
            checked += 1
    assert checked > worlds  # most world-steps are quiet


def test_a_traced_world_is_the_run_s_world(inputs):
    ids = [3, 11, 0]
    trace = trace_worlds(inputs, SEED, ids)
    runs = run_chunk(inputs, SEED, 0, 12).runs
    for k, world in enumerate(ids):
        expected = runs.iloc[world]["rupture_year"]
        got = trace.rupture_year[k]
        assert (np.isnan(expected) and np.isnan(got)) or expected == got
        assert trace.relations[k, -1, 1, 2] == pytest.approx(runs.iloc[world]["r_CHN-RUS"])


def test_changes_add_up_to_the_change_of_the_summed_motive(inputs):
    trace = trace_worlds(inputs, SEED, range(8))
    names = {c: c for c in inputs.scenario.actors}
    for k in range(8):
        e = explain_world(trace, k, k, SEED, ("CHN", "RUS"), names)
        assert e.year_from <= e.year_to
        for d in e.directions:
            assert sum(d.changes.values()) == pytest.approx(d.summed_to - d.summed_from, abs=1e-9)
            assert set(d.changes) == set(MOTIVES)
            assert -1.0 <= d.desired_to <= 1.0
        assert e.mover in e.directions
        assert e.sentence().startswith(f"In world {k}")


def test_the_window_ends_at_the_rupture_and_starts_at_the_high_point_before():
    years = 2000.0 + 0.25 * np.arange(41)
    relation = np.concatenate([np.linspace(0.2, 0.8, 11), np.linspace(0.8, -0.6, 30)])
    start, end, event = _window(relation, years, 2006.0, 5.0)
    assert (event, years[end]) == ("rupture", 2006.0)
    assert years[start] == 2002.5  # the peak, inside the five years before
    start, end, event = _window(relation, years, None, 3.0)
    assert event == "largest fall"
    assert relation[start] - relation[end] == pytest.approx(
        0.8 - relation[11 + 12]
    )  # 12 steps from the second 0.8


@given(fall_at=st.integers(5, 35), depth=st.floats(0.1, 1.5))
def test_the_largest_fall_is_found_wherever_it_is(fall_at, depth):
    years = 1990.0 + 0.25 * np.arange(41)
    relation = np.full(41, 0.5)
    relation[fall_at:] -= depth
    start, end, event = _window(relation, years, None, 2.0)
    assert event == "largest fall"
    assert end == fall_at and relation[start] == 0.5


def test_the_levers_term_is_there_while_a_lever_is_in_force_and_nowhere_else():
    data = scenario_data()
    data["levers"] = [
        {
            "name": "offer", "actor": "USA", "target": "RUS", "kind": "reward", "size": 0.6,
            "start": 2026.0, "duration": 3.0, "credibility": 1.0,
        }
    ]  # fmt: skip
    inp = make_inputs(data)
    trace = trace_worlds(inp, SEED, [0, 1])
    codes = list(trace.codes)
    rus, usa, chn = codes.index("RUS"), codes.index("USA"), codes.index("CHN")
    levers = trace.motives[:, 1:, LEVERS_M]  # (worlds, steps, n, n)
    years = trace.years[1:]
    during = (years > 2026.0) & (years <= 2029.0)
    assert (levers[:, during, rus, usa] > 0).all()
    assert (levers[:, years <= 2026.0, rus, usa] == 0).all()
    assert (levers[:, :, chn, usa] == 0).all()  # no lever toward China


def test_the_motive_table_holds_every_step_of_both_directions(inputs):
    trace = trace_worlds(inputs, SEED, [2])
    table = motive_table(trace, 0, ("RUS", "CHN"))
    steps = inputs.scenario.time.steps + 1
    assert len(table) == 2 * steps
    assert set(table["actor"]) == {"RUS", "CHN"}
    body = table.dropna()
    np.testing.assert_allclose(body[list(MOTIVES)].sum(axis=1), body["summed"], atol=1e-12)
    assert body["relation"].between(-1, 1).all() and body["desired"].between(-1, 1).all()


def test_an_actor_that_is_not_in_the_scenario_is_refused(inputs):
    from sim.scenario.errors import InputError

    with pytest.raises(InputError, match="'IND' is not an actor"):
        ExplainWorld(inputs, 0, ("IND", "RUS")).run(SEED)
    with pytest.raises(InputError, match="names one actor twice"):
        ExplainWorld(inputs, 0, ("RUS", "RUS")).run(SEED)


def test_the_command_writes_the_chart_the_report_and_the_table(tmp_path, write_scenario):
    path = write_scenario()
    out = tmp_path / "out"
    done = wedge("explain", str(path), "--world", "4", "--pair", "USA-RUS", "--out", str(out),
                 "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("explanation.png", "explanation.svg", "report.md", "motives.csv",
                 "explanation.json", "manifest.json"):  # fmt: skip
        assert (out / name).exists(), name
    summary = json.loads((out / "explanation.json").read_text())
    assert summary["world"] == 4 and summary["pair"] == ["USA", "RUS"]
    assert summary["sentence"] in (out / "report.md").read_text()
    assert summary["sentence"] in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--world", "-1"], "--world: must be a world index, 0 or more, got -1"),
        (["--pair", "CHN"], "--pair: must be two actor codes joined by '-', got 'CHN'"),
        (["--pair", "CHN-XYZ"], "--pair: 'XYZ' is not an actor"),
        (["--lookback", "0"], "--lookback: must be a number of years above 0"),
    ],
)
def test_bad_options_fail_in_one_line(tmp_path, write_scenario, args, message):
    path = write_scenario()
    out = tmp_path / "out"
    done = wedge("explain", str(path), *args, "--out", str(out), "--quiet")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert not out.exists()


def test_a_rise_is_a_fall_turned_upside_down():
    years = 1980.0 + 0.25 * np.arange(41)
    relation = np.concatenate(
        [np.full(10, 0.1), np.linspace(0.1, -0.7, 10), np.linspace(-0.7, 0.4, 21)]
    )
    fall = _window(relation, years, None, 5.0)
    rise = _window(relation, years, None, 5.0, rise=True)
    flipped = _window(-relation, years, None, 5.0)
    assert fall[2] == "largest fall" and rise[2] == "largest rise"
    assert rise[:2] == flipped[:2]
    assert relation[rise[1]] > relation[rise[0]]
    assert relation[rise[0]] == pytest.approx(-0.7)  # from the trough


def test_the_command_explains_a_thaw_when_asked(tmp_path, write_scenario):
    out = tmp_path / "out"
    done = wedge("explain", str(write_scenario()), "--world", "1", "--pair", "USA-RUS", "--rise",
                 "--out", str(out), "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "explanation.json").read_text())
    assert summary["event"] == "largest rise"
    assert summary["relation_to"] >= summary["relation_from"]
    assert "rose furthest by" in summary["sentence"]
