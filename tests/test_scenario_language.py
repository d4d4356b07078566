"""The scenario language: shock modes, ramps, fades, paths, counterparts, succession.

Each mode is checked against a value worked by hand on a field the model
does not move itself (fear, proximity, sanctions, reach), so that only the
schedule changes it; then equivalences that must hold exactly (a path and
the same values as ``set`` shocks, a list of counterparts and one shock per
counterpart, a plain number and its table form), and the bad inputs of each
form.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import scenario_data, write_toml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.engine.ensemble import load_inputs, run_ensemble
from sim.model.model import WedgeModel
from sim.scenario.errors import InputError
from sim.views.figures import plot_fans
from sim.views.run import report_markdown

DT = 0.25
START = 2024.0
C, R, U = 1, 2, 0  # CHN, RUS, USA: positions in scenario_data's actor order


def model_of(write_scenario, data: dict[str, Any], worlds: int = 4, seed: int = 7) -> WedgeModel:
    """A model of ``data`` at the point values."""
    inputs = load_inputs(write_scenario(data))
    return WedgeModel(inputs.scenario, inputs.calibration, worlds=worlds, seed=seed, sample=False)


def with_shocks(*shocks: dict[str, Any], **top: Any) -> dict[str, Any]:
    data = scenario_data(**top)
    data["shocks"] = [copy.deepcopy(s) for s in shocks]
    return data


def trace(model: WedgeModel, get, steps: int) -> list[np.ndarray]:
    """``get(model.state)`` after each of ``steps`` steps, copied."""
    out = []
    for _ in range(steps):
        model.step()
        out.append(np.array(get(model.state), copy=True))
    return out


# -- each mode against hand-worked values ----------------------------------------------------
def test_ramp_of_two_years_moves_an_eighth_a_step(write_scenario):
    shock = {"name": "alarm", "year": START + 1.0, "actor": "CHN", "toward": "RUS",
             "fear": {"add": 0.4, "ramp": 2.0}}  # fmt: skip
    fear = trace(model_of(write_scenario, with_shocks(shock)), lambda s: s.fear[:, C, R], 16)
    values = [float(f[0]) for f in fear]
    # Steps 1-4 are before the shock; steps 5-12 add 0.4 / 8 = 0.05 each; then it stays.
    assert values[:4] == [0.0] * 4
    assert np.allclose(np.diff([0.0, *values[4:12]]), 0.05)
    assert values[11] == pytest.approx(0.4) and values[15] == pytest.approx(0.4)


def test_an_added_amount_with_a_one_year_fade_is_half_gone_a_year_later(write_scenario):
    shock = {"name": "alarm", "year": START, "actor": "CHN", "toward": "RUS",
             "fear": {"add": 0.4, "fade": 1.0}}  # fmt: skip
    fear = trace(model_of(write_scenario, with_shocks(shock)), lambda s: s.fear[:, C, R], 9)
    assert float(fear[0][0]) == pytest.approx(0.4)
    assert float(fear[4][0]) == pytest.approx(0.2)  # four quarters later
    assert float(fear[8][0]) == pytest.approx(0.1)


def test_each_world_ramps_from_its_own_year(write_scenario):
    shock = {"name": "alarm", "year": START + 1.0, "actor": "CHN", "toward": "RUS",
             "fear": {"add": 0.4, "ramp": 1.0}}  # fmt: skip
    data = with_shocks(shock)
    data["uncertain"] = [{"parameter": "shocks.alarm.year", "low": START, "high": START + 4.0}]
    inputs = load_inputs(write_scenario(data))
    model = WedgeModel(inputs.scenario, inputs.calibration, worlds=64, seed=5)
    years = model.inputs.shock["alarm"]["year"]
    fear = trace(model, lambda s: s.fear[:, C, R], 24)
    for k, values in enumerate(fear):
        t_end = START + DT * (k + 1)  # the end of step k
        started = years < t_end
        assert (values[~started] == 0.0).all()
        done = years < t_end - 1.0  # hit a full year (four steps) ago: the ramp is over
        assert np.allclose(values[done], 0.4)
        assert (values[started & ~done] < 0.4 + 1e-12).all()
    assert len(np.unique(np.floor(years))) >= 3  # the worlds did differ


def test_set_with_a_ramp_lands_on_the_level_in_a_straight_line(write_scenario):
    shock = {"name": "border", "year": START, "actor": "CHN", "toward": "RUS",
             "proximity": {"set": 0.6, "ramp": 1.0}}  # fmt: skip
    data = with_shocks(shock)
    data["pairs"]["CHN-RUS"]["proximity"] = 1.0
    prox = trace(model_of(write_scenario, data), lambda s: s.proximity[:, C, R], 6)
    assert [round(float(p[0]), 12) for p in prox] == [0.9, 0.8, 0.7, 0.6, 0.6, 0.6]
    back = trace(model_of(write_scenario, data), lambda s: s.proximity[:, R, C], 4)
    assert float(back[3][0]) == pytest.approx(0.6)  # symmetric: both directions


def test_scale_multiplies_and_a_ramped_scale_compounds(write_scenario):
    shock = {"name": "drawdown", "year": START, "actor": "USA", "toward": "CHN",
             "reach": {"scale": 0.25, "ramp": 0.5}}  # fmt: skip
    data = with_shocks(shock)
    data["pairs"]["USA-CHN"]["reach"] = {"USA": 0.8}
    reach = trace(model_of(write_scenario, data), lambda s: s.reach[:, U, C], 3)
    assert [float(r[0]) for r in reach] == pytest.approx([0.4, 0.2, 0.2])  # 0.8 * 0.5 * 0.5


def test_sanctions_can_be_added_and_lifted_step_by_step(write_scenario):
    up = {"name": "tariffs", "year": START, "actor": "USA", "toward": "RUS",
          "sanctions": {"add": 0.2}}  # fmt: skip
    down = {"name": "relief", "year": START + 1.0, "actor": "USA", "toward": "RUS",
            "sanctions": {"add": -0.7, "ramp": 1.0}}  # fmt: skip
    level = trace(model_of(write_scenario, with_shocks(up, down)),
                  lambda s: s.sanctions_base[:, U, R], 8)  # fmt: skip
    assert [round(float(v[0]), 9) for v in level] == [0.7, 0.7, 0.7, 0.7, 0.525, 0.35, 0.175, 0.0]


def test_values_stay_in_range_whatever_is_added(write_scenario):
    shock = {"name": "too_much", "year": START, "actor": "CHN", "toward": "RUS",
             "mutual": True, "fear": {"add": 1.0, "fade": 0.5}, "stance": -2.0,
             "proximity": {"add": -1.0}}  # fmt: skip
    model = model_of(write_scenario, with_shocks(shock))
    for _ in range(12):
        model.step()
        s = model.state
        assert (s.fear >= 0).all() and (s.fear <= 1).all()
        assert (s.stance >= -1).all() and (s.stance <= 1).all()
        assert (s.proximity >= 0).all()


def test_a_fading_amount_never_takes_the_field_below_where_it_started(write_scenario):
    shock = {"name": "scare", "year": START, "actor": "CHN", "toward": "RUS",
             "fear": {"add": 0.9, "fade": 0.5}}  # fmt: skip
    data = with_shocks(shock)
    data["pairs"]["CHN-RUS"]["fear"] = {"CHN": 0.5}
    fear = trace(model_of(write_scenario, data), lambda s: s.fear[:, C, R], 40)
    assert float(fear[0][0]) == 1.0  # clipped: only 0.5 was really added
    assert float(fear[-1][0]) == pytest.approx(0.5, abs=1e-6)


# -- equivalences that must hold exactly ------------------------------------------------------
def run_states(write_scenario, data: dict[str, Any], steps: int = 24) -> dict[str, np.ndarray]:
    model = model_of(write_scenario, data, worlds=16, seed=11)
    for _ in range(steps):
        model.step()
    return {k: v.copy() for k, v in model.state.fields().items()}


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


def test_a_path_and_the_same_values_as_set_shocks_give_identical_runs(write_scenario, tmp_path):
    years = [START + DT * k for k in range(24)]
    values = [round(0.2 + 0.6 * abs(np.sin(k / 3.0)), 6) for k in range(24)]
    path_data = scenario_data()
    path_data["pairs"]["CHN-RUS"]["proximity"] = {
        "path": [list(p) for p in zip(years, values, strict=True)]
    }
    shock_data = scenario_data()
    shock_data["pairs"]["CHN-RUS"]["proximity"] = values[0]
    shock_data["shocks"] = [
        {"name": f"p{k}", "year": y, "actor": "CHN", "toward": "RUS", "proximity": {"set": v}}
        for k, (y, v) in enumerate(zip(years, values, strict=True))
    ]
    a = run_states(write_scenario, path_data)
    b = run_states(write_scenario, shock_data)
    assert_same(a, b)
    assert not np.allclose(a["stance"], run_states(write_scenario, scenario_data())["stance"])


def test_a_path_read_from_csv_equals_the_same_path_written_inline(write_scenario, tmp_path):
    rows = "state,year,cinc\nCHN,2024,0.2\nRUS,2024,0.05\nCHN,2026,0.25\nCHN,2030,0.1\n"
    (tmp_path / "cinc.csv").write_text(rows, encoding="utf-8")
    inline = scenario_data()
    inline["actors"]["CHN"]["capability"] = {"path": [[2024, 0.2], [2026, 0.25], [2030, 0.1]]}
    from_csv = scenario_data()
    from_csv["actors"]["CHN"]["capability"] = {
        "csv": "cinc.csv", "column": "cinc", "where": {"state": "CHN"}
    }  # fmt: skip
    assert_same(run_states(write_scenario, inline), run_states(write_scenario, from_csv))
    model = model_of(write_scenario, from_csv)
    assert float(model.state.capability[0, C]) == 0.2  # the path's value at the start
    (path,) = model.paths
    # Step 7 starts at 2025.75: 0.2 + (0.25 - 0.2) * 1.75 / 2.
    assert path.values[7] == pytest.approx(0.24375)
    assert path.values[-1] == pytest.approx(0.25 - 0.15 * 3.75 / 4)  # 2029.75, on the way down


def test_a_growth_path_replaces_the_trend(write_scenario):
    data = scenario_data()
    data["actors"]["CHN"]["growth"] = {"path": [[2024.0, 0.0], [2025.0, 0.04]]}
    data["actors"]["CHN"]["volatility"] = 0.0
    model = model_of(write_scenario, data)
    growth = trace(model, lambda s: s.growth[:, C], 8)
    assert [float(g[0]) for g in growth] == pytest.approx(
        [0, 0.01, 0.02, 0.03, 0.04, 0.04, 0.04, 0.04]
    )


def test_a_list_of_counterparts_is_one_shock_per_counterpart(write_scenario):
    listed = with_shocks({"name": "purge", "year": START + 0.5, "actor": "RUS",
                          "toward": ["CHN", "USA"], "mutual": True, "trust": -0.2,
                          "disputes": {"add": 0.3, "ramp": 1.0}, "crisis": True})  # fmt: skip
    split = with_shocks(
        {"name": "purge", "year": START + 0.5, "actor": "RUS", "toward": "CHN", "mutual": True,
         "trust": -0.2, "disputes": {"add": 0.3, "ramp": 1.0}, "crisis": True},
        {"name": "purge_b", "year": START + 0.5, "actor": "RUS", "toward": "USA", "mutual": True,
         "trust": -0.2, "disputes": {"add": 0.3, "ramp": 1.0}, "crisis": True,
         "probability": 1.0},
    )  # fmt: skip
    assert_same(run_states(write_scenario, listed), run_states(write_scenario, split))


@pytest.mark.parametrize(
    ("plain", "table"),
    [
        ({"capability": -0.25}, {"capability": {"scale": 0.75}}),
        ({"sanctions": 0.4}, {"sanctions": {"set": 0.4}}),
        ({"fear": 0.1}, {"fear": {"add": 0.1}}),
        ({"stance": -0.3}, {"stance": {"add": -0.3, "ramp": 0.0}}),
    ],
    ids=["capability-relative", "sanctions-set", "fear-add", "stance-add"],
)
def test_a_plain_number_means_its_fields_documented_mode(write_scenario, plain, table):
    base = {"name": "s", "year": START + 1.0, "actor": "RUS", "toward": "USA"}
    assert_same(
        run_states(write_scenario, with_shocks(base | plain)),
        run_states(write_scenario, with_shocks(base | table)),
    )


# -- succession -------------------------------------------------------------------------------
SUCCESSION = {"name": "breakup", "year": START + 2.0, "actor": "RUS", "successor": "Russia",
              "capability": {"set": 0.03}, "offensive": {"set": 0.3}}  # fmt: skip


def test_succession_keeps_every_stream(write_scenario):
    plain = model_of(write_scenario, scenario_data(), worlds=8)
    succeeded = model_of(write_scenario, with_shocks(SUCCESSION), worlds=8)
    for k in range(16):
        plain.step()
        succeeded.step()
        for name in ("capability", "leader", "stance_noise", "cutoff", "crisis"):
            np.testing.assert_array_equal(
                getattr(plain.draws, name), getattr(succeeded.draws, name), err_msg=f"{name} {k}"
            )
        if k < 7:  # before the succession the worlds are the same
            np.testing.assert_array_equal(plain.state.stance, succeeded.state.stance)
    assert (succeeded.state.capability[:, R] != plain.state.capability[:, R]).all()
    assert (succeeded.counts["leader_changes"][:, R] >= 1).all()


def test_succession_names_the_actor_by_date(write_scenario):
    data = with_shocks(SUCCESSION)
    data["actors"]["RUS"]["name"] = "USSR"
    scenario = load_inputs(write_scenario(data)).scenario
    assert scenario.display_name("RUS") == "USSR / Russia"
    assert scenario.names_by_date("RUS") == [(START, "USSR"), (START + 2.0, "Russia")]
    assert scenario.display_name("CHN") == "CHN"


# -- bad input: one line, the file, the field, what is allowed --------------------------------
def _shock(**change: Any) -> dict[str, Any]:
    return {"name": "s", "year": 2025.0, "actor": "RUS", "toward": "CHN"} | change


BAD = [
    (lambda d: d["pairs"]["CHN-RUS"].update(proximity={"path": [[2025, 0.5], [2024, 0.6]]}),
     "pairs.CHN-RUS.proximity", ["years must increase", "point 1"]),
    (lambda d: d["actors"]["CHN"].update(capability={"path": [[2024, 0.2], [2030, 1.4]]}),
     "actors.CHN.capability", ["1.4", "outside capability's range (0, 1]"]),
    (lambda d: d["pairs"]["CHN-RUS"].update(trust={"CHN": {"path": [[2024, -0.1]]}}),
     "pairs.CHN-RUS.trust", ["CHN", "outside trust's range [0, 1]"]),
    (lambda d: d["pairs"]["CHN-RUS"].update(proximity={"path": []}),
     "pairs.CHN-RUS.proximity", ["at least one"]),
    (lambda d: d["pairs"]["CHN-RUS"].update(proximity={"csv": "nowhere.csv"}),
     "pairs.CHN-RUS.proximity.csv", ["'nowhere.csv' not found"]),
    (lambda d: d.update(shocks=[_shock(fear={"set": 0.2, "fade": 1.0})]),
     "shocks[0].fear", ["only an added amount can fade"]),
    (lambda d: d.update(shocks=[_shock(fear={"set": 0.2, "add": 0.1})]),
     "shocks[0].fear", ["exactly one of set, add or scale", "set, add"]),
    (lambda d: d.update(shocks=[_shock(stance={"scale": 0.5})]),
     "shocks[0].stance", ["scale makes no sense", "use set or add"]),
    (lambda d: d.update(shocks=[_shock(relation={"scale": 0.5})]),
     "shocks[0].relation", ["scale makes no sense"]),
    (lambda d: d.update(shocks=[_shock(fear={"set": 1.5})]),
     "shocks[0].fear", ["set: 1.5 is outside fear's range [0, 1]"]),
    (lambda d: d.update(shocks=[_shock(proximity={"add": 0.1, "ramp": -1})]),
     "shocks[0].proximity.ramp", ["greater than or equal to 0"]),
    (lambda d: d.update(shocks=[_shock(fear={"multiply": 2})]),
     "shocks[0].fear.multiply", ["unknown field", "allowed: set, add, scale, ramp, fade"]),
    (lambda d: d.update(shocks=[_shock(toward=["CHN", "XXX"], fear=0.1)]),
     "shocks[0].toward", ["unknown actor 'XXX'", "allowed: USA, CHN, RUS"]),
    (lambda d: d.update(shocks=[_shock(toward=["CHN", "CHN"], fear=0.1)]),
     "shocks[0]", ["listed twice"]),
    (lambda d: d.update(shocks=[_shock(actor="SUN", successor="Sun")]),
     "shocks[0].actor", ["unknown actor 'SUN'"]),
    (lambda d: d.update(shocks=[_shock(successor="Russia", year=2031.0)]),
     "shocks", ["2031.0 must fall in [2024.0, 2030.0)"]),
    (lambda d: d.update(shocks=[_shock(successor="Russia", probability=0.5)]),
     "shocks[0]", ["a succession happens in every world"]),
    (lambda d: (d["pairs"]["CHN-RUS"].update(proximity={"path": [[2024, 0.5]]}),
                d.update(shocks=[_shock(proximity=0.1)])),
     "shocks[0].proximity", ["pairs.CHN-RUS.proximity follows a path"]),
    (lambda d: (d["pairs"]["CHN-RUS"].update(relation={"path": [[2024, 0.5]]}),
                d.update(shocks=[_shock(stance=0.1)])),
     "shocks[0].stance", ["follows a path"]),
    (lambda d: (d["pairs"]["CHN-RUS"].update(trust={"CHN": {"path": [[2024, 0.5]]}}),
                d.update(shocks=[_shock(actor="CHN", toward="RUS", trust=0.1)])),
     "shocks[0].trust", ["pairs.CHN-RUS.trust.CHN follows a path"]),
    (lambda d: (d["actors"]["CHN"].update(growth={"path": [[2024, 0.01]]}),
                d.update(uncertain=[{"parameter": "actors.CHN.growth", "low": 0, "high": 0.1}])),
     "uncertain[0].parameter", ["follows a path", "cannot be uncertain"]),
    (lambda d: d.update(shocks=[_shock(successor="Russia")],
                        uncertain=[{"parameter": "shocks.s.year", "low": 2025, "high": 2026}]),
     "uncertain[0].parameter", ["its year is fixed"]),
    (lambda d: d.update(shocks=[_shock()],
                        uncertain=[{"parameter": "shocks.s.reach", "low": 0, "high": 0.1}]),
     "uncertain[0].parameter", ["does not change reach"]),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "field", "fragments"), BAD)
def test_bad_forms_get_one_clear_line(write_scenario, edit, field, fragments):
    data = scenario_data()
    edit(data)
    path = write_scenario(data)
    with pytest.raises(InputError) as info:
        load_inputs(path)
    err = info.value
    assert err.file == str(path), err.line()
    assert err.field == field, err.line()
    assert "\n" not in err.line()
    for fragment in fragments:
        assert fragment in err.message, f"{fragment!r} not in {err.line()!r}"


@pytest.mark.parametrize(
    ("text", "where", "fragments"),
    [
        ("year,cinc\n2024,0.1\n", {}, ["has no column 'value'", "year, cinc"]),
        ("state,year,value\nCHN,2024,0.1\n", {"state": "XXX"}, ["no row matches"]),
        ("state,year,value\nCHN,2024,0.1\nRUS,2024,0.2\n", {}, ["years must increase"]),
        ("year,value\n2024,high\n", {}, ["line 2", "must both be numbers"]),
        ("year,value\n2024,nan\n", {}, ["line 2", "not a finite number"]),
    ],
    ids=["no-value-column", "no-row", "rows-of-two-states", "not-a-number", "nan"],
)
def test_a_bad_csv_path_is_one_line(write_scenario, tmp_path, text, where, fragments):
    (tmp_path / "series.csv").write_text(text, encoding="utf-8")
    data = scenario_data()
    data["pairs"]["CHN-RUS"]["institutions"] = {"csv": "series.csv", "where": where}
    path = write_scenario(data)
    with pytest.raises(InputError) as info:
        load_inputs(path)
    assert info.value.file == str(path)
    assert info.value.field.startswith("pairs.CHN-RUS.institutions")
    for fragment in fragments:
        assert fragment in info.value.message, info.value.line()


def test_a_csv_path_is_read_relative_to_the_file_that_names_it(write_scenario, tmp_path):
    sub = tmp_path / "parts"
    (sub / "data").mkdir(parents=True)
    (sub / "data" / "series.csv").write_text("year,value\n2024,0.3\n2030,0.9\n", encoding="utf-8")
    parent = scenario_data()
    parent["pairs"]["CHN-RUS"]["institutions"] = {"csv": "data/series.csv"}
    write_scenario(parent, name="base.toml", folder=sub)
    child = write_scenario({"extends": "parts/base.toml", "name": "child"}, name="child.toml")
    scenario = load_inputs(child).scenario
    path = scenario.pairs["CHN-RUS"].institutions
    assert path.path == [(2024.0, 0.3), (2030.0, 0.9)]
    assert Path(path.csv) == (sub / "data" / "series.csv").resolve()


def test_outputs_name_a_successor_by_date(write_scenario):
    data = with_shocks(SUCCESSION)
    data["actors"]["RUS"]["name"] = "USSR"
    result = run_ensemble(load_inputs(write_scenario(data)), runs=20, seed=3)
    summary = result.summary()
    assert summary["actors"]["RUS"] == "USSR / Russia"
    assert summary["successions"] == [
        {"actor": "RUS", "year": START + 2.0, "from": "USSR", "name": "Russia"}
    ]
    assert "`RUS` is USSR until 2026 and Russia after it" in report_markdown(summary, {})
    fig = plot_fans(result.trajectories(), summary)
    marks = [a.get_gid() for ax in fig.axes for a in ax.lines if a.get_gid()]
    assert sum(g == "succession:RUS:2026.0" for g in marks) == 2  # CHN-RUS and USA-RUS
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert sum("USSR / Russia" in t for t in titles) == 2
    plain = run_ensemble(load_inputs(write_scenario(scenario_data())), runs=20, seed=3)
    assert "successions" not in plain.summary()


def test_a_shock_says_what_it_does_in_words(write_scenario):
    shock = _shock(
        successor="Russia",
        capability={"set": 0.05},
        fear={"add": 0.2, "ramp": 2.0, "fade": 1.0},
        sanctions=0.4,
        toward=["CHN", "USA"],
        crisis=True,
    )
    scenario = load_inputs(write_scenario(with_shocks(shock))).scenario
    assert scenario.shocks[0].describe() == (
        "becomes Russia (a new leader), capability set to 0.05, "
        "fear +0.2 over 2 years, fading (half-life 1 year), sanctions set to 0.4, a crisis"
    )


def test_a_file_of_shocks_extended_after_the_base_keeps_the_bases_calibration(
    write_scenario, tmp_path
):
    base = write_scenario(scenario_data(), name="base.toml", folder=tmp_path / "models")
    write_toml(tmp_path / "models" / "parts" / "events.toml", {"shocks": [_shock(fear=0.1)]})
    child = write_toml(
        tmp_path / "models" / "child.toml",
        {"extends": ["base.toml", "parts/events.toml"], "name": "child"},
    )
    scenario = load_inputs(child).scenario
    assert Path(scenario.calibration) == (base.parent / "calibration.toml").resolve()
    assert [s.name for s in scenario.shocks] == ["s"]
    # A file of shocks alone is not a scenario: one line says what is missing.
    with pytest.raises(InputError) as info:
        load_inputs(tmp_path / "models" / "parts" / "events.toml")
    assert info.value.field in ("name", "time", "watch", "actors")


def test_the_factor_experiment_refuses_a_scenario_with_time_paths(write_scenario, tmp_path):
    from sim.experiments.factors import directions

    past = scenario_data(time={"start": 1950.0, "horizon": 1960.0, "step": 0.25})
    past["actors"]["CHN"]["growth"] = {"path": [[1950.0, 0.01], [1955.0, 0.03]]}
    past_path = write_scenario(past, name="past.toml")
    present = load_inputs(write_scenario(scenario_data(), name="present.toml"))
    with pytest.raises(InputError) as info:
        directions(present, load_inputs(past_path))
    assert info.value.file == str(past_path)
    assert info.value.field == "actors.CHN.growth"
    assert "follows a time path" in info.value.message


EFFECTS = st.one_of(
    st.builds(lambda v: {"set": v}, st.floats(0.0, 1.0)),
    st.builds(lambda v: {"add": v}, st.floats(-1.0, 1.0)),
    st.builds(lambda v, h: {"add": v, "fade": h}, st.floats(-1.0, 1.0), st.floats(0.1, 5.0)),
    st.builds(lambda v: {"scale": v}, st.floats(0.0, 10.0)),
).flatmap(lambda e: st.builds(lambda r: e | {"ramp": r}, st.sampled_from([0.0, 0.25, 1.0, 2.5])))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    effects=st.lists(
        st.tuples(st.sampled_from(["fear", "proximity", "sanctions", "reach"]), EFFECTS,
                  st.integers(0, 15)),
        min_size=1, max_size=6,
    )
)  # fmt: skip
def test_any_sequence_of_effects_keeps_every_value_in_range(write_scenario, effects):
    shocks = [
        {"name": f"e{k}", "year": START + DT * step, "actor": "CHN", "toward": "RUS",
         field: effect}
        for k, (field, effect, step) in enumerate(effects)
    ]  # fmt: skip
    model = model_of(write_scenario, with_shocks(*shocks), worlds=2)
    static = {"fear": [], "proximity": [], "sanctions_base": [], "reach": []}
    for _ in range(24):
        model.step()
        for name in static:
            value = getattr(model.state, name)[:, C, R]
            assert ((value >= 0.0) & (value <= 1.0)).all(), name
            static[name].append(value.copy())
    # Once every ramp is over and nothing fades, a field that no later shock touches is still.
    last = max(step + 10 for _, _, step in effects)  # 2.5-year ramps are 10 steps
    fading = any("fade" in effect for _, effect, _ in effects)
    if last < 23 and not fading:
        for name, series in static.items():
            assert np.array_equal(series[last], series[-1]), name


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    points=st.lists(st.tuples(st.floats(2020.0, 2035.0), st.floats(0.0, 1.0)), min_size=1,
                    max_size=6, unique_by=lambda p: round(p[0], 3))
)  # fmt: skip
def test_a_path_holds_its_interpolated_value_at_every_step(write_scenario, points):
    points = sorted((round(y, 3), v) for y, v in points)
    data = scenario_data()
    data["pairs"]["CHN-RUS"]["proximity"] = {"path": [list(p) for p in points]}
    model = model_of(write_scenario, data, worlds=2)
    years, values = zip(*points, strict=True)
    assert model.state.proximity[0, C, R] == pytest.approx(np.interp(START, years, values))
    for k in range(24):
        model.step()
        expected = np.interp(START + DT * k, years, values)
        assert model.state.proximity[:, C, R] == pytest.approx(expected)
        assert model.state.proximity[:, R, C] == pytest.approx(expected)
