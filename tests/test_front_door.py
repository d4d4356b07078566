"""The front door: `wedge new`, `wedge list`, `wedge check`, and a help that stays light."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.engine.ensemble import load_inputs, run_ensemble
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline_2024.toml"


def test_help_and_the_parser_import_no_numerical_library():
    code = (
        "import sys\n"
        "from sim.cli import parser\n"
        "parser().format_help()\n"
        "heavy = {'numpy', 'pandas', 'scipy', 'matplotlib', 'mesa', 'pydantic', 'pyarrow',"
        " 'numba', 'llvmlite'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_bad_scenario_is_refused_before_the_step_is_compiled(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        BASELINE.read_text(encoding="utf-8").replace("[time]", "[time]\nnot_a_field = 1")
    )
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        f"code = main(['run', {str(bad)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
        "kernel = sys.modules.get('sim.model.kernel')\n"
        "print(code, bool(kernel and kernel.advance.signatures))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    # refused with one line, and the step neither compiled nor loaded from the cache
    assert done.stdout.split() == ["2", "False"], done.stdout + done.stderr
    assert "bad.toml" in done.stderr and done.stderr.count("\n") == 1


@pytest.fixture
def new_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "my_offer", "--from", "us_offer_to_moscow"]) == 0
    assert "wedge run my_offer.toml" in capsys.readouterr().out
    return tmp_path / "my_offer.toml"


def test_a_new_scenario_extends_its_base_and_runs_as_the_base_does(new_file):
    mine = load_inputs(new_file)
    base = load_inputs(ROOT / "scenarios" / "us_offer_to_moscow.toml")
    assert mine.scenario.name == "my_offer"
    assert mine.scenario.model_copy(update={"name": "x", "title": "", "description": ""}) == (
        base.scenario.model_copy(update={"name": "x", "title": "", "description": ""})
    )
    ours = run_ensemble(mine, runs=6, seed=3).runs
    theirs = run_ensemble(base, runs=6, seed=3).runs
    assert ours.equals(theirs)


def _blocks(text: str) -> list[tuple[str | None, list[str]]]:
    """The commented assignments of a template, each with the table header above it."""
    header, out = None, []
    for line in text.splitlines():
        if re.match(r"^# \[\[?[A-Za-z0-9_.-]+\]\]?$", line):
            header = line[2:]
        elif re.match(r"^# [a-z_]+ = ", line):
            out.append((header, line[2:].split("  #")[0]))
        elif not line.startswith("#"):
            header = header if line.strip() == "" else None
    return out


def test_every_commented_field_loads_when_uncommented(new_file, tmp_path):
    text = new_file.read_text()
    blocks = _blocks(text)
    assert len(blocks) >= 30
    for k, (header, line) in enumerate(blocks):
        if header is None or header.startswith("[["):
            continue  # list entries need their whole block: checked below
        variant = tmp_path / f"v{k}.toml"
        variant.write_text(f"{text}\n{header}\n{line}\n")
        load_scenario(variant)  # raises with the file and field if the line is wrong
    for header in ("[[levers]]", "[[shocks]]", "[[uncertain]]"):
        lines = [line for h, line in blocks if h == header]
        variant = tmp_path / f"{header.strip('[]')}.toml"
        variant.write_text(text + "\n" + header + "\n" + "\n".join(lines) + "\n")
        load_inputs(variant)


def test_new_refuses_to_overwrite_and_a_bad_name_in_one_line(new_file, capsys):
    assert main(["new", "my_offer"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["new", "my_offer", "--force"]) == 0
    assert main(["new", "../escape!"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "NAME" in err[0]


def test_list_names_every_shipped_file_with_its_title(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    shipped = [
        *ROOT.glob("scenarios/*.toml"),
        *ROOT.glob("scenarios/history/*.toml"),
        *ROOT.glob("scenarios/sweeps/*.toml"),
        *ROOT.glob("data/episode_*.toml"),
    ]
    for path in shipped:
        if path.stem.startswith("calibration"):
            continue
        assert path.relative_to(ROOT).as_posix() in out
    assert load_scenario(BASELINE).title in out
    assert "does not load" not in out


def test_check_reads_each_kind_of_file(capsys):
    files = [
        BASELINE,
        ROOT / "scenarios" / "sweeps" / "offer_vs_threat.toml",
        ROOT / "data" / "episode_1949_1975.toml",
    ]
    assert main(["check", *map(str, files)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[2].split()[0] for line in out] == ["scenario", "sweep", "episode"]


def test_check_gives_one_line_for_a_bad_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'extends = "{BASELINE.as_posix()}"\nname = "b"\n[pairs.CHN-RUS]\nrelation = 2\n'
    )
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.toml" in err[0] and "relation" in err[0]


def test_every_command_has_a_manifest_through_the_one_writer(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(BASELINE), "--runs", "5", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"experiment", "command", "versions", "seed", "git_commit"} <= set(manifest)
