"""The one-at-a-time identification of fitted parameters (`wedge identify`).

The walk that turns distances into a tolerated range is tested on hand-made
profiles with known answers; the model-driven parts on a few parameters and
few worlds, for what must hold whatever the calibration: common random
numbers, ranges inside the admissible bounds, a file that loads again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import copy_calibration
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.defaults import DEFAULT_SEED
from sim.engine.ensemble import load_inputs
from sim.experiments import identify, joint
from sim.experiments.calibration_file import write_ranges
from sim.scenario.calibration import PARAMETERS, load_calibration

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The hindcast, the 2024 baseline and a wedge scenario with the shipped calibration."""
    (tmp_path / "history").mkdir()
    copy_calibration(tmp_path)
    for name in ("baseline_2024.toml", "us_offer_to_moscow.toml"):
        shutil.copy(ROOT / "scenarios" / name, tmp_path)
    shutil.copy(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml", tmp_path / "history")
    return tmp_path


# --- moves and the walk, known answers -------------------------------------------------------


def test_moves_go_both_ways_by_shares_of_the_admissible_range():
    got = identify.moves(0.5, 0.0, 1.0, offsets=(0.1, 1.0))
    np.testing.assert_allclose(got, [0.0, 0.4, 0.5, 0.6, 1.0])


def test_moves_past_a_bound_stop_at_it_once():
    got = identify.moves(9.5, 0.0, 10.0, offsets=(0.01, 0.1, 1.0))
    np.testing.assert_allclose(got, [0.0, 8.5, 9.4, 9.5, 9.6, 10.0])


def test_the_walk_stops_at_the_first_move_that_fits_worse_even_if_a_later_one_comes_back():
    values = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    distances = np.array([0.0, 0.3, 0.11, 0.10, 0.12, 0.2, 0.0])
    assert identify.tolerated(values, distances, 3.0, 0.05) == (2.0, 4.0)
    assert identify.tolerated(values, distances, 3.0, 0.15) == (2.0, 6.0)


def test_a_move_that_loses_the_present_day_ends_the_range():
    values = np.array([0.0, 1.0, 2.0, 3.0])
    distances = np.zeros(4)
    ok = np.array([True, True, False, True])
    assert identify.tolerated(values, distances, 1.0, 0.05, ok) == (0.0, 1.0)
    assert identify.tolerated(values, distances, 3.0, 0.05, ok) == (3.0, 3.0)


@settings(max_examples=60, deadline=None)
@given(
    distances=st.lists(st.floats(0, 1), min_size=2, max_size=12),
    centre=st.integers(0, 11),
    small=st.floats(0, 0.5),
    extra=st.floats(0, 0.5),
)
def test_the_range_holds_the_fit_keeps_every_value_within_tolerance_and_grows_with_it(
    distances, centre, small, extra
):
    d = np.array(distances)
    values = np.arange(len(d), dtype=float)
    fit = float(min(centre, len(d) - 1))
    lo, hi = identify.tolerated(values, d, fit, small)
    assert lo <= fit <= hi
    inside = (values >= lo) & (values <= hi)
    assert np.all(d[inside] <= d[int(fit)] + small)
    lo2, hi2 = identify.tolerated(values, d, fit, small + extra)
    assert lo2 <= lo and hi2 >= hi


def test_ranges_say_what_ends_each_side():
    table = pd.DataFrame(
        {
            "parameter": "w_trust",
            "value": [0.0, 4.0, 5.0, 6.0, 10.0],
            "fit": 5.0,
            "distance": [0.0, 0.01, 0.0, 0.3, 0.0],
            "present_ok": [True, True, True, True, False],
        }
    )
    row = identify.ranges(table, 0.05).iloc[0]
    assert (row["low"], row["high"]) == (0.0, 5.0)
    assert row["limit_low"] == "bound" and row["limit_high"] == "history"
    assert row["share"] == pytest.approx(0.5)
    table.loc[3, "present_ok"] = False
    assert identify.ranges(table, 0.05).iloc[0]["limit_high"] == "both"
    table.loc[3, "distance"] = 0.0
    assert identify.ranges(table, 0.05).iloc[0]["limit_high"] == "present day"


# --- on the model ----------------------------------------------------------------------------


def test_a_profile_runs_every_move_on_the_same_worlds(folder):
    hindcast = load_inputs(folder / "history" / "sino_soviet_1949.toml")
    names = ["w_trust", "crisis_rate"]
    moves = identify.profile(hindcast, names, 12, 5, offsets=(0.05, 1.0))
    assert set(moves["parameter"]) == set(names)
    # Both parameters at the fit are the same worlds with the same values: common random
    # numbers make their scores identical, to the last digit.
    at_fit = moves[moves["value"] == moves["fit"]]
    assert len(at_fit) == 2
    assert at_fit["distance"].nunique() == 1
    for name, group in moves.groupby("parameter"):
        spec = PARAMETERS[name]
        assert group["value"].min() == spec.lower and group["value"].max() == spec.upper
    assert (moves["distance"] >= 0).all() and moves["present_ok"].all()


def test_the_forecast_at_the_ends_uses_the_same_worlds_as_at_the_fit(folder):
    wedge = load_inputs(folder / "us_offer_to_moscow.toml")
    fit = wedge.calibration.values()["w_trust"]
    bounds = pd.DataFrame({"parameter": ["w_trust"], "low": [fit], "high": [fit]})
    effect = identify.forecast_effect(wedge, bounds, 40, 3)
    assert list(effect["end"]) == ["fit", "low", "high"]
    # A range end at the fit's own value is the fit, world for world.
    assert effect["p_rupture"].nunique() == 1 and effect["p_split"].nunique() == 1


@pytest.fixture(scope="module")
def applied(tmp_path_factory):
    """``wedge identify --apply`` on copies of the shipped files, run once for the module.

    Returns the folder, the results folder, the calibration file's bytes before
    the run, and the three scenarios as loaded before it.
    """
    folder = tmp_path_factory.mktemp("identify")
    (folder / "history").mkdir()
    copy_calibration(folder)
    for name in ("baseline_2024.toml", "us_offer_to_moscow.toml"):
        shutil.copy(ROOT / "scenarios" / name, folder)
    shutil.copy(ROOT / "scenarios" / "history" / "sino_soviet_1949.toml", folder / "history")
    files = {
        "hindcast": folder / "history" / "sino_soviet_1949.toml",
        "baseline": folder / "baseline_2024.toml",
        "wedge": folder / "us_offer_to_moscow.toml",
    }
    inputs = {role: load_inputs(str(path)) for role, path in files.items()}
    before = (folder / "calibration.toml").read_bytes()
    out = folder / "identify"
    args = [
        "identify", "--hindcast", str(files["hindcast"]), "--baseline", str(files["baseline"]),
        "--wedge", str(files["wedge"]),
        "--parameters", "w_trust", "--runs", "10", "--forecast-runs", "10",
        "--joint-sets", "4", "--joint-runs", "5",
        "--out", str(out), "--quiet", "--apply",
    ]  # fmt: skip
    assert main(args) == 0
    return folder, out, before, inputs


@pytest.mark.slow
def test_the_command_writes_its_report_and_applies_ranges_that_load_again(applied, tmp_path):
    folder, out, before_bytes, _ = applied
    cal_path = folder / "calibration.toml"
    (tmp_path / "calibration.toml").write_bytes(before_bytes)
    for extra in folder.glob("calibration_*.csv"):
        shutil.copy(extra, tmp_path / extra.name)
    before = load_calibration(tmp_path / "calibration.toml")
    for name in (
        "report.md", "identify.csv", "moves.csv", "forecast.csv", "joint.csv", "identify.png",
        "joint.png",
    ):  # fmt: skip
        assert (out / name).is_file()
    table = pd.read_csv(out / "identify.csv")
    assert list(table["parameter"]) == ["w_trust"]
    report = (out / "report.md").read_text()
    assert "`w_trust`" in report and "tolerated range" in report
    after = load_calibration(cal_path)
    assert after.values() == before.values()
    np.testing.assert_array_equal(after.posterior, before.posterior)
    # The ranges written are the tolerated ones shrunk by the factor the joint check chose.
    k = joint.chosen_shrink(pd.read_csv(out / "joint.csv"), 0.8)
    row = joint.shrunk(table, k).iloc[0]
    lo, hi = after.ranges().get("w_trust", (row["low"], row["high"]))
    assert lo == pytest.approx(row["low"], rel=1e-3) and hi == pytest.approx(row["high"], rel=1e-3)
    assert lo <= after.values()["w_trust"] <= hi
    # Every other parameter keeps its range.
    for name, rng in before.ranges().items():
        if name != "w_trust":
            assert after.ranges()[name] == pytest.approx(rng)
    assert "wedge identify" in cal_path.read_text()


@pytest.mark.parametrize(
    "extra, flag",
    [
        (["--runs", "0"], "--runs"),
        (["--forecast-runs", "0"], "--forecast-runs"),
        (["--tolerance", "0"], "--tolerance"),
        (["--tolerance", "1.5"], "--tolerance"),
        (["--seed", "-1"], "--seed"),
        (["--joint-sets", "0"], "--joint-sets"),
        (["--joint-share", "1.5"], "--joint-share"),
        (["--hindcast", "no_such_file.toml"], "no_such_file.toml"),
        (["--parameters", "not_a_parameter"], "--parameters"),
    ],
)
def test_bad_identify_options_get_one_line(extra, flag, capsys, tmp_path):
    assert main(["identify", "--out", str(tmp_path / "x"), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0]
    assert not (tmp_path / "x").exists()


def test_writing_ranges_twice_gives_the_same_file_with_one_account_of_low_high(tmp_path):
    path = copy_calibration(tmp_path)
    cal = load_calibration(path)
    bounds = pd.DataFrame(
        {
            "parameter": ["w_trust", "stance_gain"],
            "low": [1.0, cal.values()["stance_gain"]],
            "high": [9.0, cal.values()["stance_gain"]],
        }
    )
    write_ranges(cal, bounds, path, "wedge identify --test", 0.05)
    once = path.read_text()
    write_ranges(load_calibration(path), bounds, path, "wedge identify --test", 0.05)
    assert path.read_text() == once
    assert sum(line.startswith("# low/high") for line in once.splitlines()) == 1
    after = load_calibration(path)
    assert after.ranges()["w_trust"] == (1.0, 9.0)
    assert "stance_gain" not in after.ranges()  # a zero-width range is a point value
    assert after.values() == cal.values()


# --- the joint check --------------------------------------------------------------------------


def test_shrinking_moves_both_ends_toward_the_fit_by_the_factor():
    bounds = pd.DataFrame({"parameter": ["a"], "fit": [2.0], "low": [0.0], "high": [10.0]})
    got = joint.shrunk(bounds, 0.25).iloc[0]
    assert (got["low"], got["high"]) == (1.5, 4.0)
    assert joint.shrunk(bounds, 1.0).equals(bounds)


@pytest.mark.parametrize("target, expected", [(0.8, 0.25), (0.05, 1.0), (0.5, 0.5), (0.95, 0.25)])
def test_the_widest_factor_that_reaches_the_target_is_chosen_else_the_narrowest(target, expected):
    checked = pd.DataFrame({"shrink": [1.0, 0.5, 0.25], "share": [0.1, 0.5, 0.9]})
    assert joint.chosen_shrink(checked, target) == expected


def test_a_joint_check_with_point_ranges_draws_the_fit_at_every_factor(folder):
    hindcast = load_inputs(folder / "history" / "sino_soviet_1949.toml")
    baseline = load_inputs(folder / "baseline_2024.toml")
    fit = hindcast.calibration.values()["w_trust"]
    bounds = pd.DataFrame({"parameter": ["w_trust"], "fit": [fit], "low": [fit], "high": [fit]})
    table, bar = joint.joint_check(
        hindcast, baseline, bounds, sets=4, runs=8, seed=3, tolerance=0.05,
        shrinks=(1.0, 0.5), fit_batches=3,
    )  # fmt: skip
    assert list(table["shrink"]) == [1.0, 0.5]
    assert bar >= 0.05
    # Every draw is the fit itself, on the same worlds at both factors: identical rows.
    assert table.iloc[0].drop("shrink").equals(table.iloc[1].drop("shrink"))
    assert ((table["share"] >= 0) & (table["share"] <= 1)).all()


# --- the experiment, its folder and its figures ---------------------------------------------


@pytest.mark.slow
def test_the_command_writes_what_the_experiment_returns_with_a_manifest(applied):
    _, out, before, inputs = applied
    hindcast = inputs["hindcast"]
    result = identify.Identification(
        hindcast, inputs["baseline"], inputs["wedge"], parameters=("w_trust",), runs=10,
        forecast_runs=10, joint_sets=4, joint_runs=5,
    ).run(seed=DEFAULT_SEED)  # fmt: skip
    for name, table in result.tables.items():
        written = (out / f"{name}.csv").read_text()
        assert written == table.frame.to_csv(index=False, float_format="%.6g")
    assert json.loads((out / "summary.json").read_text()) == json.loads(json.dumps(result.summary))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"] == "identify" and manifest["seed"] == DEFAULT_SEED
    for role, found in inputs.items():
        assert Path(manifest[f"{role}_file"]).resolve() == Path(found.path).resolve()
        assert (
            manifest[f"{role}_sha256"] == hashlib.sha256(Path(found.path).read_bytes()).hexdigest()
        )
    # The calibration is hashed as the run read it, before --apply rewrote it.
    assert Path(manifest["calibration_file"]).resolve() == Path(hindcast.calibration.path).resolve()
    assert manifest["calibration_sha256"] == hashlib.sha256(before).hexdigest()


def test_no_svg_asks_the_writer_for_png_only(tmp_path, monkeypatch):
    import sim.commands.identify

    written = {}

    def execute(experiment, args, out, seed, formats=("png", "svg")):
        written["formats"] = formats
        return None

    monkeypatch.setattr(sim.commands.identify, "execute", execute)
    args = ["identify", "--parameters", "w_trust", "--out", str(tmp_path / "x")]
    assert main([*args, "--no-svg"]) == 0
    assert written["formats"] == ("png",)
    assert main(args) == 0
    assert written["formats"] == ("png", "svg")


def _profiled(n: int = 4) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A made-up identification of ``n`` parameters: its table, forecast and joint check."""
    names = list(PARAMETERS)[:n]
    rows = []
    for k, name in enumerate(names):
        spec = PARAMETERS[name]
        width = spec.upper - spec.lower
        rows.append(
            {
                "parameter": name, "fit": spec.lower + 0.5 * width,
                "low": spec.lower + 0.1 * k * width, "high": spec.upper - 0.05 * k * width,
                "lower": spec.lower, "upper": spec.upper,
                "p_rupture_low": 0.02 * k, "p_rupture_high": 0.3 - 0.05 * k,
            }
        )  # fmt: skip
    effect = pd.DataFrame(
        [{"parameter": "(fit)", "end": "fit", "value": np.nan, "runs": 200, "p_rupture": 0.1,
          "p_split": 0.05}]
    )  # fmt: skip
    joint = pd.DataFrame(
        {"shrink": [1.0, 0.5, 0.25], "sets": 40, "share": [0.4, 0.7, 0.9],
         "low": [0.25, 0.55, 0.77], "high": [0.55, 0.82, 0.96]}
    )  # fmt: skip
    return pd.DataFrame(rows), effect, joint


def test_the_figures_are_drawn_in_the_project_style_with_labelled_axes():
    from matplotlib.colors import to_hex

    from sim.views.identify import plot_joint, plot_ranges
    from sim.views.style import OKABE_ITO

    table, effect, joint = _profiled()
    ranges = plot_ranges(table, effect, "us_offer_to_moscow", "2040")
    checks = plot_joint(joint, 0.8, 0.25, 60)
    palette = set(OKABE_ITO.values())
    for fig in (ranges, checks):
        assert fig.canvas.manager is None  # the Figure() API, not pyplot
        assert fig.get_suptitle() and fig.legends
        for ax in fig.axes:
            assert ax.get_xlabel()
        assert fig.axes[0].get_ylabel()
    left, right = ranges.axes
    assert [t.get_text() for t in left.get_yticklabels()] == list(table["parameter"][::-1])
    assert "%" in right.get_xlabel() and "2040" in right.get_xlabel()
    assert {to_hex(p.get_facecolor()).upper() for p in left.patches} <= palette
    # The two ends of a range differ by marker shape, not only by colour.
    markers = {line.get_marker() for line in right.lines if line.get_marker() not in ("None", "")}
    assert {"o", "s"} <= markers
    assert "%" in checks.axes[0].get_ylabel()
