"""The documentation matches the code: generated parts are current, links resolve."""

import re
from pathlib import Path

import pytest
from conftest import copy_calibration

from sim import docs
from sim.docs import episodes, parameters, scenarios
from sim.engine.ensemble import load_inputs
from sim.scenario.calibration import PARAMETERS
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
STALE = "is out of date with the code: run `wedge docs` and commit the result"


def _parameter_block(text: str) -> str:
    start, end = text.index(parameters.START), text.index(parameters.END)
    return text[start + len(parameters.START) : end]


def test_scenario_reference_is_current():
    committed = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    assert committed == scenarios.scenario_reference(), f"docs/scenarios.md {STALE}"


def test_odd_parameter_table_is_current():
    committed = _parameter_block((DOCS / "ODD.md").read_text(encoding="utf-8"))
    assert committed == parameters.parameter_block(parameters.CALIBRATION), (
        f"the parameter table in docs/ODD.md {STALE}"
    )


def test_every_parameter_is_in_the_odd_table():
    block = _parameter_block((DOCS / "ODD.md").read_text(encoding="utf-8"))
    missing = [name for name in PARAMETERS if f"| `{name}` |" not in block]
    assert not missing, f"not in the ODD parameter table: {missing}; run `wedge docs`"


def test_episode_reference_is_current():
    committed = (DOCS / "episodes.md").read_text(encoding="utf-8")
    assert committed == episodes.episode_reference(), f"docs/episodes.md {STALE}"


def test_every_target_kind_is_described():
    from typing import get_args

    from sim.scenario.episode import KINDS, TargetKind

    assert set(KINDS) == set(get_args(TargetKind))
    reference = (DOCS / "episodes.md").read_text(encoding="utf-8")
    assert all(f"| `{kind}` |" in reference for kind in KINDS)


def test_every_scenario_field_is_in_the_reference():
    reference = (DOCS / "scenarios.md").read_text(encoding="utf-8")
    missing = [name for name in Scenario.model_fields if f"| `{name}` |" not in reference]
    assert not missing, f"not in docs/scenarios.md: {missing}; run `wedge docs`"


def test_write_docs_fills_only_the_marked_block(tmp_path):
    (tmp_path / "ODD.md").write_text(
        f"before\n{parameters.START}\nold table\n{parameters.END}\nafter\n"
    )
    written = docs.write_docs(tmp_path)
    assert written == [tmp_path / "scenarios.md", tmp_path / "episodes.md", tmp_path / "ODD.md"]
    odd = (tmp_path / "ODD.md").read_text()
    assert odd.startswith(f"before\n{parameters.START}") and odd.endswith(
        f"{parameters.END}\nafter\n"
    )
    assert "old table" not in odd and "| `threat_speed` |" in odd
    assert (tmp_path / "scenarios.md").read_text() == scenarios.scenario_reference()


def test_write_docs_refuses_an_odd_without_markers(tmp_path):
    (tmp_path / "ODD.md").write_text("no markers here\n")
    with pytest.raises(ValueError, match="markers"):
        docs.write_docs(tmp_path)


def test_examples_in_the_reference_load(tmp_path):
    copy_calibration(tmp_path)
    (tmp_path / scenarios.EXAMPLE_NAME).write_text(scenarios.EXAMPLE)
    (tmp_path / "extending.toml").write_text(scenarios.EXAMPLE_EXTENDS)
    base = load_inputs(tmp_path / scenarios.EXAMPLE_NAME).scenario
    variant = load_inputs(tmp_path / "extending.toml").scenario
    assert [lv.name for lv in variant.levers] == ["offer_to_moscow", "pressure_on_beijing"]
    assert variant.levers[0].size == 0.9 and base.levers[0].size == 0.6
    assert variant.levers[0].target == "RUS"  # inherited from the extended file
    assert variant.shocks == base.shocks and variant.behaviour == base.behaviour


# -- links ---------------------------------------------------------------------------------------
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def _markdown_files() -> list[Path]:
    files = sorted(DOCS.glob("*.md"))
    if (ROOT / "README.md").exists():
        files.insert(0, ROOT / "README.md")
    return files


def _local_targets(path: Path) -> list[str]:
    """Relative link and image targets of a Markdown file, outside code blocks and spans."""
    text = CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    targets = LINK.findall(text) + REFERENCE.findall(text)
    out = []
    for target in targets:
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # a URL (http:, mailto:) or an anchor in the same file
        out.append(target.split("#", 1)[0])
    return out


def test_markdown_files_are_checked():
    assert DOCS / "ODD.md" in _markdown_files() and DOCS / "scenarios.md" in _markdown_files()


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    broken = []
    for target in _local_targets(path):
        resolved = (path.parent / target).resolve()
        if not resolved.is_relative_to(ROOT):
            continue  # outside the repository: not ours to check
        if not resolved.exists():
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT)} links to missing files: {broken}"


def test_link_checker_sees_links_and_skips_code(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        'See [a](a.md#part), ![plot](img/p.png "title"), [web](https://x.org), [top](#top).\n'
        "`[not](code.md)`\n```\n[not](fenced.md)\n```\n[ref]: b.md\n"
    )
    assert _local_targets(page) == ["a.md", "img/p.png", "b.md"]


def test_readme_headline_is_current_with_the_results():
    from sim.docs import readme

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index(readme.START), text.index(readme.END)
    committed = text[start + len(readme.START) : end]
    assert committed == readme.headline_block(ROOT / "results"), f"README.md's headline {STALE}"


def test_readme_headline_reads_every_scenario_summary(tmp_path):
    import json

    from sim.docs import readme

    results = tmp_path / "results"
    (results / "base").mkdir(parents=True)
    summary = {"scenario": "base", "title": "Base", "horizon": 2040.0,
               "p_rupture": {"value": 0.25, "low": 0.2, "high": 0.3},
               "p_split": {"value": 0.125, "low": 0.1, "high": 0.15}}  # fmt: skip
    (results / "base" / "summary.json").write_text(json.dumps(summary))
    meta = {"parts": ["base"], "command": "wedge reference", "generated": "today", "runs": 8}
    (results / "reference.json").write_text(json.dumps(meta))
    block = readme.headline_block(results)
    assert "| [`base`](results/base/report.md) | Base | 25.0% (20.0%–30.0%) |" in block
    assert "12.5% (10.0%–15.0%)" in block and "by 2040" in block
    assert "No reference results" in readme.headline_block(tmp_path / "nowhere")
