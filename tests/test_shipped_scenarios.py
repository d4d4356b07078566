"""Every shipped scenario loads, runs and yields coherent outcomes."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim import load_inputs, run_ensemble
from sim.outcomes import CONFIGURATIONS

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(
    p
    for p in (ROOT / "scenarios").rglob("*.toml")
    if p.name != "calibration.toml" and "sweeps" not in p.parts and "parts" not in p.parts
)
"""Every scenario file; ``parts/`` folders hold pieces that scenarios extend (shocks only)."""
PARTS = sorted((ROOT / "scenarios").rglob("parts/*.toml"))


def test_the_scenarios_the_issue_names_are_shipped():
    names = {p.stem for p in SCENARIOS}
    expected = {
        "baseline_2024", "us_offer_to_moscow", "us_offer_to_beijing",
        "russian_defeat_ukraine", "defeat_then_offer", "far_east_tension",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.stem)
def test_every_shipped_part_is_extended_by_a_shipped_scenario(part):
    shocks = {s["name"] for s in tomllib.loads(part.read_text(encoding="utf-8"))["shocks"]}
    users = [p for p in SCENARIOS if part.name in p.read_text(encoding="utf-8")]
    assert users, f"{part} is extended by no shipped scenario"
    for path in users:
        assert shocks <= {s.name for s in load_inputs(path).scenario.shocks}, path


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_runs(path):
    inputs = load_inputs(path)
    sc = inputs.scenario
    assert sc.name == path.stem
    assert sc.title, "every shipped scenario has a title"
    result = run_ensemble(inputs, runs=64, seed=1)
    s = result.summary()
    for key in ("p_rupture", "p_split"):
        assert 0.0 <= s[key]["low"] <= s[key]["value"] <= s[key]["high"] <= 1.0
    assert s["p_split"]["value"] <= s["p_rupture"]["value"], "a split needs a rupture"
    assert sum(s["configurations_at_horizon"].values()) == pytest.approx(1.0)
    assert set(s["configurations_at_horizon"]) == set(CONFIGURATIONS)
    runs = result.runs
    split = runs.split_year.notna()
    assert (runs.loc[split, "split_year"] >= runs.loc[split, "rupture_year"]).all()
    assert (
        runs.loc[split, "split_year"] <= runs.loc[split, "rupture_year"] + sc.outcomes.window + 1e-9
    ).all()
    rel = runs.filter(regex=r"^r_").to_numpy()
    assert np.all(np.abs(rel) <= 1.0)


def test_baseline_reproduces_the_present_day_picture():
    """2018-2024: CHN-RUS aligned, US-RUS hostile, US-CHN hostile or near it (data/README.md)."""
    result = run_ensemble(load_inputs(ROOT / "scenarios/baseline_2024.toml"), runs=400, seed=3)
    s = result.summary()
    aligned, hostile = s["thresholds"]["aligned"], s["thresholds"]["hostile"]
    traj = result.trajectories()
    for year in (2025.0, 2027.0, 2040.0):
        med = traj[np.isclose(traj.year, year)].set_index("pair").q50
        assert med["CHN-RUS"] >= aligned, year
        assert med["USA-RUS"] <= hostile, year
        assert med["USA-CHN"] <= hostile + 0.1, year
    assert s["p_split"]["value"] < 0.05, "left to itself, the axis holds (Bekkevold 2024)"
