"""The `wedge` command end to end: outputs, bad input, replacing and interrupted runs."""

import argparse
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_calibration, wedge

from sim import load_inputs
from sim.cli import main
from sim.experiments.run import RunScenario
from sim.io import write
from sim.paths import shown_path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline_2024.toml"
PLOTS = ("fans", "cumulative", "configurations", "triangle")
EXPECTED = {
    "summary.json", "runs.parquet", "trajectories.parquet", "trajectories.csv",
    "configurations.parquet", "events.csv", "scenario.resolved.toml", "manifest.json", "report.md",
    *(f"{k}.{e}" for k in PLOTS for e in ("png", "svg")),
}  # fmt: skip


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "baseline"
    proc = wedge("run", str(BASELINE), "--runs", "40", "--seed", "9", "--out", str(out))
    return proc, out


def test_run_writes_the_complete_results_folder(small_run):
    proc, out = small_run
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.iterdir()} >= EXPECTED
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    p_split = json.loads((out / "summary.json").read_text())["p_split"]["value"]
    assert "P(split" in proc.stdout and f"{100 * p_split:.1f}%" in proc.stdout


def test_summary_json_has_the_documented_fields(small_run):
    _, out = small_run
    s = json.loads((out / "summary.json").read_text())
    for key in (
        "scenario", "runs", "seed", "start_year", "horizon", "partnership", "third",
        "p_rupture", "p_split", "median_split_year", "configurations_at_horizon",
    ):  # fmt: skip
        assert key in s, key
    assert s["runs"] == 40 and s["seed"] == 9
    assert s["partnership"] == ["CHN", "RUS"] and s["third"] == "USA"
    assert {"value", "low", "high"} <= set(s["p_split"])
    if s["behaviour"]["mode"] == "none" or not s["behaviour"]["sampled_parameters"]:
        assert set(s["p_split"]) == {"value", "low", "high"}  # one behaviour: no spread
    else:  # the runs drew behaviour in sets of 20
        spread = s["p_split"]["behaviour"]
        assert set(spread) == {"low", "high", "sd", "share", "sets", "detected"}
        assert spread["sets"] == 2 and 0 <= spread["low"] <= spread["high"] <= 1
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 40
    assert {"rupture_year", "split_year", "configuration", "first_mover"} <= set(runs.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 9 and manifest["versions"]["mesa"].startswith("3.")
    assert manifest["experiment"] == "run" and manifest["runs"] == 40
    assert manifest["scenario_file"].endswith("baseline_2024.toml")
    assert len(manifest["calibration_sha256"]) == 64
    traj = pd.read_parquet(out / "trajectories.parquet")
    assert (traj.q05 <= traj.q50).all() and (traj.q50 <= traj.q95).all()


def test_report_embeds_every_plot(small_run):
    _, out = small_run
    report = (out / "report.md").read_text()
    for key in ("fans", "cumulative", "configurations", "triangle"):
        assert f"{key}.png" in report


def test_same_seed_gives_identical_summary_and_runs(small_run, tmp_path):
    # The fixture ran in a fresh interpreter; this run is in the test's own process.
    _, out = small_run
    again = tmp_path / "again"
    args = ["run", str(BASELINE), "--runs", "40", "--seed", "9", "--out", str(again), "--quiet"]
    assert main(args) == 0
    assert json.loads((again / "summary.json").read_text()) == json.loads(
        (out / "summary.json").read_text()
    )
    assert pd.read_parquet(again / "runs.parquet").equals(pd.read_parquet(out / "runs.parquet"))


def test_schema_command_prints_json_schema():
    proc = wedge("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert "actors" in schema["properties"] and "levers" in schema["properties"]


BAD = {
    "syntax": ("name = \n", "TOML syntax error"),
    "unknown field": ('extends = "{base}"\nname = "x"\ncolour = "red"\n', "colour"),
    "unknown actor in lever": (
        'extends = "{base}"\nname = "x"\n[[levers]]\nname = "o"\nactor = "USA"\ntarget = "XYZ"\n'
        'kind = "reward"\nsize = 0.5\nstart = 2025.0\n',
        "XYZ",
    ),
    "out of range": (
        'extends = "{base}"\nname = "x"\n[pairs.CHN-RUS]\nrelation = 1.5\n',
        "relation",
    ),
    "missing extends": ('extends = "nowhere.toml"\nname = "x"\n', "nowhere.toml"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_scenario_gives_one_line_exit_2_and_no_output(case, tmp_path, capsys):
    text, needle = BAD[case]
    bad = tmp_path / "bad.toml"
    bad.write_text(text.format(base=BASELINE.as_posix()))
    copy_calibration(tmp_path)
    out = tmp_path / "out"
    assert main(["run", str(bad), "--runs", "5", "--out", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "bad.toml" in lines[0] and needle in lines[0]
    assert not out.exists()


def test_bad_scenario_in_a_fresh_interpreter_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD["unknown field"][0].format(base=BASELINE.as_posix()))
    out = tmp_path / "out"
    proc = wedge("run", str(bad), "--runs", "5", "--out", str(out))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "colour" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_run_count_is_one_line(tmp_path, capsys):
    assert main(["run", str(BASELINE), "--runs", "0", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--runs" in err[0]


def test_existing_results_are_replaced_whole(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    assert main(["run", str(BASELINE), "--runs", "8", "--out", str(out), "--quiet"]) == 0
    assert not (out / "stale.txt").exists()
    assert (out / "summary.json").exists()


def test_interrupted_write_leaves_old_results_untouched(tmp_path, monkeypatch):
    import sim.views.run

    out = tmp_path / "res"
    out.mkdir()
    (out / "summary.json").write_text('{"old": true}')
    result = RunScenario(load_inputs(BASELINE), runs=8).run(seed=1)

    def interrupt(_result):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.views.run, "figures", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write(result, out, ["wedge"])
    assert json.loads((out / "summary.json").read_text()) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_manifests_name_inputs_relative_to_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    inside = tmp_path / "scenarios" / "calibration.toml"
    inside.write_text("")
    monkeypatch.chdir(tmp_path)
    assert shown_path(inside) == "scenarios/calibration.toml"
    assert shown_path("scenarios/calibration.toml") == "scenarios/calibration.toml"
    outside = tmp_path.parent / "elsewhere.toml"
    assert shown_path(outside) == str(outside)


def test_run_writes_under_runs_by_default_and_leaves_results_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(BASELINE), "--runs", "4", "--quiet"]) == 0
    assert (tmp_path / "runs" / "baseline_2024" / "report.md").is_file()
    assert not (tmp_path / "results").exists()


def test_a_shipped_scenario_is_found_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "o"
    assert main(["run", "scenarios/baseline_2024.toml", "--runs", "4", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert Path(manifest["scenario_file"]).resolve() == BASELINE.resolve()


@pytest.mark.slow
def test_workers_give_the_same_numbers_as_one_process(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    common = ["--runs", "40", "--seed", "3", "--quiet"]
    assert main(["run", str(BASELINE), *common, "--out", str(one)]) == 0
    assert main(["run", str(BASELINE), *common, "--out", str(two), "--workers", "2"]) == 0
    assert (one / "summary.json").read_text() == (two / "summary.json").read_text()
    assert pd.read_parquet(one / "runs.parquet").equals(pd.read_parquet(two / "runs.parquet"))


def test_version_and_help_on_every_option(capsys):
    from sim.cli import COMMANDS, parser

    with pytest.raises(SystemExit):
        parser().parse_args(["--version"])
    assert capsys.readouterr().out.startswith("wedge ")
    for command in COMMANDS:
        sub = argparse.ArgumentParser()
        command.arguments(sub)
        for action in sub._actions:
            assert action.help, f"wedge {command.name} {action.option_strings or action.dest}"
