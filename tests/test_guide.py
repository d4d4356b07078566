"""The data-to-scale guide: an entry for every situational field, values read from the files.

The reference values are checked against the TOML text itself (read with tomllib,
not the loader), the worked examples' anchors against the loaded scenarios, the
ranges against the schema, and the rendered Markdown for its headings and for empty
table cells.
"""

from __future__ import annotations

import math
import re
import shutil
import tomllib

import pytest
from pydantic import ValidationError

from sim.docs.guide import (
    ReferenceValue,
    reference_values,
    relation_scale_rows,
    scale_guide_markdown,
    scheduled_leader_changes,
    shipped_scenarios,
)
from sim.docs.guide_data import ACTOR_GUIDE, GUIDE, PAIR_GUIDE, RELATION_SCALE, FieldGuide
from sim.model.setup import ACTOR_FIELDS, DIRECTED_FIELDS, SYMMETRIC_FIELDS
from sim.paths import SCENARIOS
from sim.scenario.schema import Actor, Outcomes, Pair

SITUATIONAL = (*ACTOR_FIELDS, "relation", *SYMMETRIC_FIELDS, *DIRECTED_FIELDS)
ENTRIES = (*ACTOR_GUIDE, *PAIR_GUIDE)


@pytest.fixture(scope="module")
def values() -> dict[str, list[ReferenceValue]]:
    return reference_values()


@pytest.fixture(scope="module")
def markdown() -> str:
    return scale_guide_markdown()


def _value(rows: list[ReferenceValue], scenario: str, where: str) -> float:
    found = [r.value for r in rows if r.scenario == scenario and r.where == where]
    assert len(found) == 1, (scenario, where, found)
    return found[0]


# -- the entries -----------------------------------------------------------------------------
@pytest.mark.parametrize("field", SITUATIONAL)
def test_every_situational_field_has_a_guide_entry(field):
    assert field in GUIDE


def test_the_guide_names_no_field_the_model_lacks():
    assert set(GUIDE) == set(SITUATIONAL)
    assert len(ENTRIES) == len({e.name for e in ENTRIES})


def _accepts(entry: FieldGuide, value: float) -> bool:
    """Whether the schema accepts ``value`` for the entry's field."""
    try:
        if entry.name in ACTOR_FIELDS:
            extra = {} if entry.name == "capability" else {"capability": 0.1}
            Actor(**extra, **{entry.name: value})
        elif entry.name in DIRECTED_FIELDS:
            Pair(**{entry.name: {"AAA": value}})
        else:
            Pair(**{entry.name: value})
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_guide_range_is_the_schema_range(entry):
    assert _accepts(entry, entry.high)
    assert not _accepts(entry, entry.high + 1e-6)
    assert _accepts(entry, entry.low) is not entry.low_open
    assert not _accepts(entry, entry.low - 1e-6)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_every_entry_is_complete(entry):
    for text in (entry.unit, entry.source, entry.data, entry.example, entry.extremes):
        assert text.strip(), entry.name
    assert entry.note.strip(), f"{entry.name}: say where the scale is a judgement, or why not"


def test_judgement_flags_match_the_fields_measured_from_data():
    measured = {e.name for e in ENTRIES if not e.judgement}
    assert measured == {"capability", "growth", "volatility", "leader_hazard"}


# -- the values read from the shipped files --------------------------------------------------
def test_shipped_scenarios_are_every_scenario_file_but_the_calibration():
    labels = [label for label, _ in shipped_scenarios()]
    assert "history/sino_soviet_1949" in labels and "baseline_2024" in labels
    assert "calibration" not in labels
    expected = {p.stem for p in SCENARIOS.glob("*.toml")} - {"calibration"}
    assert {label for label in labels if "/" not in label} == expected


def test_reference_values_agree_with_the_toml_text(values):
    hindcast = tomllib.loads((SCENARIOS / "history/sino_soviet_1949.toml").read_text())
    baseline = tomllib.loads((SCENARIOS / "baseline_2024.toml").read_text())
    scenario = "history/sino_soviet_1949"
    assert _value(values["capability"], scenario, "CHN") == hindcast["actors"]["CHN"]["capability"]
    relation = hindcast["pairs"]["USA-RUS"]["relation"]
    assert _value(values["relation"], scenario, "USA-RUS") == relation
    stance = hindcast["pairs"]["USA-RUS"]["stance"]["RUS"]
    assert _value(values["stance"], scenario, "RUS→USA") == stance
    dependence = baseline["pairs"]["CHN-RUS"]["dependence"]["RUS"]
    assert _value(values["dependence"], "baseline_2024", "RUS→CHN") == dependence


def test_a_file_that_extends_the_baseline_lists_the_baselines_values(values):
    for actor in ("USA", "CHN", "RUS"):
        base = _value(values["capability"], "baseline_2024", actor)
        assert _value(values["capability"], "us_offer_to_moscow", actor) == base


def test_defaults_are_not_listed_as_shipped_values(values):
    # The baseline writes no instability and no fear for China toward Russia.
    assert not [r for r in values["instability"] if r.scenario == "baseline_2024"]
    assert not [r for r in values["fear"] if r.where == "CHN→RUS" and r.scenario == "baseline_2024"]


def test_sampled_ranges_come_from_the_scenarios_uncertain_entries(values):
    rows = [
        r
        for r in values["dependence"]
        if r.scenario == "history/sino_soviet_1949" and r.where == "CHN→RUS"
    ]
    assert [r.sampled for r in rows] == [(0.45, 0.75)]
    capability = [r for r in values["capability"] if r.scenario == "history/sino_soviet_1949"]
    assert all(r.sampled is None for r in capability)


PATHS_AND_SUCCESSION = """
extends = "baseline_2024.toml"
name = "paths"

[actors.CHN]
capability = { path = [[2020.0, 0.2], [2028.0, 0.28]] }

[[shocks]]
name = "new_state"
year = 2030.0
actor = "RUS"
successor = "Russian Republic"
"""


def test_time_paths_are_listed_at_the_start_and_a_succession_changes_the_leader(tmp_path):
    for name in ("baseline_2024.toml", "calibration.toml", "calibration_posterior.csv"):
        shutil.copy(SCENARIOS / name, tmp_path)
    (tmp_path / "paths.toml").write_text(PATHS_AND_SUCCESSION)
    shipped = [s for s in shipped_scenarios(tmp_path) if s[0] == "paths"]
    rows = [r for r in reference_values(shipped)["capability"] if r.where == "CHN"]
    assert len(rows) == 1 and rows[0].path
    assert math.isclose(rows[0].value, 0.24)  # 2024.0 is halfway from 2020 (0.2) to 2028 (0.28)
    assert (["paths"], "new_state", "RUS", 2030.0, 1.0, None) in scheduled_leader_changes(shipped)
    text = scale_guide_markdown(tmp_path)
    assert "CHN 0.24 (a time path: its value at the start)" in text
    assert "| `paths` | `new_state` | RUS | 2030 | 1 |" in text


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_worked_example_quotes_a_value_in_its_file(entry, values):
    anchor = entry.anchor
    rows = [r for field in entry.fields for r in values[field]]
    found = _value(rows, anchor.scenario, anchor.where)
    assert math.isclose(found, anchor.value), (entry.name, anchor, found)


@pytest.mark.parametrize("point", [p for p in RELATION_SCALE if p.anchor is not None])
def test_verbal_scale_points_are_shipped_relations(point, values):
    anchor = point.anchor
    assert anchor.value == point.value
    assert math.isclose(_value(values["relation"], anchor.scenario, anchor.where), point.value)


def test_verbal_scale_is_ordered_and_holds_the_outcome_thresholds():
    rows = relation_scale_rows()
    numbers = [v for v, _, _ in rows]
    assert numbers == sorted(numbers)
    defaults = Outcomes()
    assert defaults.hostile in numbers and defaults.aligned in numbers and 0.0 in numbers
    assert numbers[0] == -1.0 and numbers[-1] == 1.0


def test_files_that_are_not_scenarios_are_skipped(tmp_path):
    shutil.copy(SCENARIOS / "baseline_2024.toml", tmp_path)
    shutil.copy(SCENARIOS / "calibration.toml", tmp_path)
    (tmp_path / "notes.toml").write_text('name = "notes"\n')  # no actors
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "broken.toml").write_text("name = [\n")  # not TOML
    assert [label for label, _ in shipped_scenarios(tmp_path)] == ["baseline_2024"]
    rows = reference_values(shipped_scenarios(tmp_path))["capability"]
    assert {r.scenario for r in rows} == {"baseline_2024"}


# -- the rendered Markdown -------------------------------------------------------------------
def test_rendered_guide_has_both_sections(markdown):
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == ["## From data to the model's scales", "## Leader changes"]


def test_rendered_tables_have_no_empty_cells(markdown):
    tables = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(tables) > 30
    for line in tables:
        cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
        assert all(c.strip() for c in cells), line


def test_every_field_has_a_sub_section_with_its_shipped_values(markdown):
    sections = markdown.split("\n### ")
    for entry in ENTRIES:
        title = " and ".join(f"`{f}`" for f in entry.fields)
        body = next(s for s in sections if s.startswith(title + "\n"))
        assert "- **Shipped values.** " in body
        assert "- **Worked example.** " in body
        assert ("Project convention, not a standard." in body) == bool(entry.convention)
        assert ("**Scale: a judgement.**" in body) == entry.judgement


def test_leader_section_lists_scheduled_changes_and_the_tenure_rule(markdown):
    leaders = markdown.split("## Leader changes", 1)[1]
    stalin = next(line for line in leaders.splitlines() if "`stalin_death`" in line)
    assert "`history/sino_soviet_1949`" in stalin and stalin.endswith("| RUS | 1953.17 | 1 |")
    assert "5 / 26 = 0.19" in leaders
    assert "`history/sino_soviet_1949`: USA 0.19, CHN 0.02, RUS 0.02" in leaders
