"""`wedge reference`: one command regenerates `results/`, whole or not at all.

The end-to-end run goes through ``sim.cli.main(["reference", ...])`` with tiny run
counts, on a copy of the shipped ``scenarios/`` in which only the smallest sweep
(the grid ``offer_vs_threat``) is kept: every scenario, the validation and the
five-factor experiment run through their real commands, so the index has a
section per shipped scenario; the Sobol sweep is left out only to keep the test
fast. Nothing here depends on the model's numbers: the index is checked against
the JSON summaries it was written from.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import write_toml

from sim import reference
from sim.cli import main
from sim.engine.sweep import load_sweep, run_sweep
from sim.experiments.sweep_analysis import point_table
from sim.scenario.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(p for p in SCENARIOS.glob("*.toml") if not p.stem.startswith("calibration"))
SMALL_SWEEP = "offer_vs_threat.toml"
ALLOWED_SUFFIXES = {".png", ".md", ".json", ".csv"}
CALIBRATION_FILES = {"report.md": "# calibration report\n", "accepted.csv": "a,b\n1,2\n"}


def _small_repo(where: Path) -> Path:
    """A copy of the shipped scenarios with only the smallest sweep."""
    shutil.copytree(SCENARIOS, where / "scenarios", ignore=shutil.ignore_patterns("sweeps"))
    (where / "scenarios" / "sweeps").mkdir()
    shutil.copy(SCENARIOS / "sweeps" / SMALL_SWEEP, where / "scenarios" / "sweeps" / SMALL_SWEEP)
    return where


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """``wedge reference`` into a results folder that already holds a calibration."""
    base = tmp_path_factory.mktemp("reference")
    repo = _small_repo(base / "repo")
    out = base / "results"
    (out / "calibration").mkdir(parents=True)
    for name, text in CALIBRATION_FILES.items():
        (out / "calibration" / name).write_text(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reference.parts, "REPO", repo)
        code = main(
            ["reference", "--out", str(out), "--runs", "20", "--sweep-runs", "2",
             "--workers", "1", "--seed", "5", "--quiet"]
        )  # fmt: skip
    assert code == 0
    return out


def _links(markdown: str) -> list[str]:
    """Relative link and image targets of Markdown and HTML."""
    targets = re.findall(r"\]\((<[^>]+>|[^)\s]+)\)", markdown)
    targets += re.findall(r'(?:src|href)="([^"]+)"', markdown)
    out = []
    for t in targets:
        t = t.strip("<>").split("#", 1)[0]
        if t and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", t):
            out.append(t)
    return out


@pytest.mark.slow
def test_index_has_a_section_per_shipped_scenario(generated):
    index = (generated / "README.md").read_text()
    for path in SHIPPED:
        summary = json.loads((generated / path.stem / "summary.json").read_text())
        assert f"### {summary['title']}" in index
        assert f"wedge run scenarios/{path.name} --runs 20 --seed 5" in index
    for part in ("sweeps/offer_vs_threat", "validation", "factors"):
        assert f"]({part}/report.md)" in index


@pytest.mark.slow
def test_index_numbers_come_from_the_summaries(generated):
    from sim.formats import format_share

    index = (generated / "README.md").read_text()
    for path in SHIPPED:
        summary = json.loads((generated / path.stem / "summary.json").read_text())
        assert summary["runs"] == 20 and summary["seed"] == 5
        assert format_share(summary["p_split"]["value"]) in index
    validation = json.loads((generated / "validation" / "summary.json").read_text())
    met, total = validation["targets_met"], validation["targets_total"]
    assert f"{met} of {total} history targets met" in index
    for row in validation["episodes"]:
        card = json.loads((generated / "validation" / row["folder"] / "scorecard.json").read_text())
        assert f"{card['targets_met']} of {card['targets_total']} targets met" in index
        assert f"(validation/{row['folder']}/report.md)" in index
    sweep = json.loads((generated / "sweeps" / "offer_vs_threat" / "summary.json").read_text())
    assert sweep["replicates"] == 2 and sweep["runs"] == 2 * sweep["points"]
    meta = json.loads((generated / "reference.json").read_text())
    assert meta["seed"] == 5 and meta["runs"] == 20 and meta["sweep_runs"] == 2
    assert meta["command"] in index and meta["generated"] in index


@pytest.mark.slow
def test_only_small_readable_files_are_kept(generated):
    files = [p for p in generated.rglob("*") if p.is_file()]
    assert files
    bad = [p for p in files if p.suffix not in ALLOWED_SUFFIXES]
    assert not bad, bad
    big = [p for p in files if p.suffix == ".csv" and p.stat().st_size > reference.MAX_TABLE_BYTES]
    assert not big, big
    parts = [p for p in files if p.parent != generated and p.parent.name != "calibration"]
    assert all(reference.kept(p.name) for p in parts), parts
    assert {p.name for p in files if p.parent == generated} == {"README.md", "reference.json"}
    assert list(generated.rglob("*.png"))
    assert not [p for p in generated.parent.iterdir() if ".tmp-" in p.name]


@pytest.mark.slow
def test_every_link_of_the_index_and_reports_resolves(generated):
    pages = [generated / "README.md", *generated.rglob("report.md")]
    for page in pages:
        links = _links(page.read_text())
        if page.name == "README.md":
            assert len(links) > 10
        missing = [t for t in links if not (page.parent / t).exists()]
        assert not missing, (page, missing)


@pytest.mark.slow
def test_the_calibration_folder_is_left_alone(generated):
    calibration = generated / "calibration"
    assert {p.name: p.read_text() for p in calibration.iterdir()} == CALIBRATION_FILES


def _old_results(out: Path) -> dict[str, bytes]:
    (out / "baseline_2024").mkdir(parents=True)
    (out / "baseline_2024" / "report.md").write_text("old report\n")
    (out / "README.md").write_text("old index\n")
    return _snapshot(out)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _parts(tmp_path: Path) -> list[reference.Part]:
    """A good scenario, then one whose file is broken (it fails in `wedge run`)."""
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\n[time]\nstart = "not a year"\n')
    return [
        reference.Part("run", "baseline_2024", SCENARIOS / "baseline_2024.toml", 1),
        reference.Part("run", "broken", broken, 1),
    ]


def test_a_failed_step_leaves_existing_results_untouched(tmp_path):
    out = tmp_path / "results"
    before = _old_results(out)
    options = reference.Options(out=out, runs=5, workers=1, quiet=True)
    with pytest.raises(reference.StepError, match="broken") as info:
        reference.regenerate(options, parts=_parts(tmp_path))
    assert "broken.toml" in info.value.reason
    assert _snapshot(out) == before
    assert {p.name for p in tmp_path.iterdir()} == {"results", "broken.toml"}  # no temp folder


def test_the_command_reports_a_failed_step_in_one_line(tmp_path, monkeypatch, capsys):
    out = tmp_path / "results"
    before = _old_results(out)
    monkeypatch.setattr(reference, "find_parts", lambda options: _parts(tmp_path))
    code = main(["reference", "--out", str(out), "--runs", "5", "--workers", "1", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "`broken`" in err[0] and "left as it was" in err[0]
    assert _snapshot(out) == before


def test_a_part_no_longer_shipped_is_removed_and_others_kept(tmp_path):
    out = tmp_path / "results"
    (out / "retired").mkdir(parents=True)
    (out / "retired" / "report.md").write_text("gone\n")
    (out / "notes").mkdir()
    (out / "notes" / "mine.md").write_text("not generated\n")
    (out / "reference.json").write_text(json.dumps({"parts": ["retired", "../outside"]}))
    part = reference.Part("run", "baseline_2024", SCENARIOS / "baseline_2024.toml", 1)
    reference.regenerate(reference.Options(out=out, runs=5, workers=1, quiet=True), [part])
    assert not (out / "retired").exists()
    assert (out / "notes" / "mine.md").read_text() == "not generated\n"
    assert (out / "baseline_2024" / "summary.json").is_file()
    assert json.loads((out / "reference.json").read_text())["parts"] == ["baseline_2024"]


def test_report_links_are_rewritten_for_the_kept_files(tmp_path):
    (tmp_path / "fans.png").write_bytes(b"png")
    (tmp_path / "cumulative.png").write_bytes(b"png")
    report = tmp_path / "report.md"
    report.write_text(
        "![fans](fans.png) ![cumulative](cumulative.svg) ![runs](runs.parquet) "
        "[table](trajectories.csv) [site](https://example.org/x.svg) [top](#headline)\n"
    )
    reference.fix_links(report)
    text = report.read_text()
    assert "![fans](fans.png)" in text and "![cumulative](cumulative.png)" in text
    assert "runs.parquet)" not in text and "not kept in results/" in text
    assert "trajectories.csv)" not in text and "table" in text
    assert "(https://example.org/x.svg)" in text and "(#headline)" in text


def test_gitignore_tracks_exactly_the_kept_files():
    lines = (ROOT / ".gitignore").read_text().splitlines()
    assert "results/**" in lines and "!results/**/" in lines
    for pattern in reference.KEPT_FILES:
        assert f"!results/**/{pattern}" in lines, pattern
    tracked = {
        ln[len("!results/**/") :] for ln in lines if ln.startswith("!results/**/") and ln[12:]
    }
    assert tracked == set(reference.KEPT_FILES)
    for kind in ("parquet", "svg"):
        assert not any(ln.startswith("!") and ln.endswith(kind) for ln in lines)


@pytest.mark.parametrize("flag", ["--runs", "--sweep-runs", "--workers"])
def test_bad_counts_are_one_line_and_exit_2(flag, tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["reference", "--out", str(out), flag, "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0]
    assert not out.exists()


# ------------------------------------------------------ sweep runs override


def _tiny_sweep(tmp_path: Path, replicates: int = 50) -> Path:
    return write_toml(
        tmp_path / "tiny.toml",
        {
            "name": "tiny",
            "scenarios": [str(SCENARIOS / "us_offer_to_moscow.toml")],
            "seed": 3,
            "design": "grid",
            "replicates": replicates,
            "chunk_size": 4,
            "levers": [{"parameter": "levers.offer_to_moscow.size", "values": [0.0, 1.0]}],
            "analysis": {"discovery": False},
        },
    )


def test_sweep_replicates_override_sets_runs_per_point(tmp_path):
    path = _tiny_sweep(tmp_path)
    plan = load_sweep(path, replicates=3)
    assert plan.sweep.replicates == 3 and plan.runs_per_scenario == 2 * 3
    assert load_sweep(path).sweep.replicates == 50
    assert plan.identity() != load_sweep(path).identity()
    run_sweep(plan, tmp_path / "out")
    points = point_table(plan, tmp_path / "out")
    assert list(points["runs"]) == [3, 3]


def test_sweep_replicates_override_with_the_files_value_is_the_same_sweep(tmp_path):
    path = _tiny_sweep(tmp_path, replicates=4)
    assert load_sweep(path, replicates=4).identity() == load_sweep(path).identity()


def test_sweep_replicates_override_is_validated(tmp_path):
    with pytest.raises(InputError, match="replicates"):
        load_sweep(_tiny_sweep(tmp_path), replicates=0)
