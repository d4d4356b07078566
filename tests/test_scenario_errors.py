"""Bad scenario and calibration files fail with one clear line; good ``extends`` chains merge.

Every bad input must raise :class:`~sim.scenario.errors.InputError` whose
``line()`` names the file, the field (a dotted path) and what is allowed
(BRIEF section 6), on a single line and without a traceback's worth of text.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import calibration_table, scenario_data, write_toml

from sim.engine.ensemble import load_inputs
from sim.engine.sweep import load_sweep
from sim.scenario.calibration import PARAMETERS
from sim.scenario.errors import InputError
from sim.scenario.loader import load_scenario

ACTORS_ALLOWED = "allowed: USA, CHN, RUS"
LEVER = {
    "name": "offer",
    "actor": "USA",
    "target": "RUS",
    "kind": "reward",
    "size": 0.5,
    "start": 2025.0,
}
SHOCK = {"name": "war", "year": 2026.0, "actor": "RUS", "toward": "CHN", "stance": -0.5}


def check_error(err: InputError, path: Path, field: str, *fragments: str) -> None:
    """The one line names the file and the field and carries each fragment."""
    line = err.line()
    assert err.file == str(path)
    assert err.field == field
    assert line.startswith(f"{path}: {field}: " if field else f"{path}: ")
    assert "\n" not in line
    for fragment in fragments:
        assert fragment in err.message, f"{fragment!r} not in {err.message!r}"


def with_(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """:func:`scenario_data` changed in place by ``edit``."""
    data = scenario_data()
    edit(data)
    return data


def setter(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit that sets ``data[path[0]][path[1]]... = value`` (creating tables)."""

    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
        node[path[-1]] = copy.deepcopy(value)

    return edit


def levers(**change: Any) -> Callable[[dict[str, Any]], None]:
    return setter("levers", value=[LEVER | change])


def shocks(**change: Any) -> Callable[[dict[str, Any]], None]:
    return setter("shocks", value=[SHOCK | change])


def uncertain(**dist: Any) -> Callable[[dict[str, Any]], None]:
    return setter("uncertain", value=[{"dist": "uniform", "low": 0.0, "high": 0.5} | dist])


def both(*edits: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        for e in edits:
            e(data)

    return edit


def remove_usa(data: dict[str, Any]) -> None:
    del data["actors"]["USA"]
    data["pairs"] = {"CHN-RUS": data["pairs"]["CHN-RUS"]}


BAD_SCENARIOS = [
    # unknown fields
    pytest.param(
        setter("colour", value="red"),
        "colour",
        ["unknown field", "allowed: name, title", "actors", "levers", "behaviour"],
        id="unknown-field-top-level",
    ),
    pytest.param(
        setter("actors", "USA", "colour", value="red"),
        "actors.USA.colour",
        ["unknown field", "allowed:", "capability", "growth", "patronage"],
        id="unknown-field-in-actor",
    ),
    pytest.param(
        setter("pairs", "CHN-RUS", "colour", value="red"),
        "pairs.CHN-RUS.colour",
        ["unknown field", "allowed:", "relation", "institutions", "dependence"],
        id="unknown-field-in-pair",
    ),
    pytest.param(
        levers(colour="red"),
        "levers[0].colour",
        ["unknown field", "allowed: name, actor, target", "credibility", "conditional"],
        id="unknown-field-in-lever",
    ),
    pytest.param(
        shocks(colour="red"),
        "shocks[0].colour",
        ["unknown field", "allowed: name, year, actor", "sanctions", "crisis"],
        id="unknown-field-in-shock",
    ),
    pytest.param(
        setter("time", "colour", value="red"),
        "time.colour",
        ["unknown field", "allowed: start, horizon, step"],
        id="unknown-field-in-time",
    ),
    # wrong types
    pytest.param(
        setter("actors", "USA", "capability", value="big"),
        "actors.USA.capability",
        ["valid number", "'big'"],
        id="wrong-type-number",
    ),
    pytest.param(setter("time", value=2024), "time", ["valid dictionary"], id="wrong-type-table"),
    pytest.param(
        levers(kind="bribe"),
        "levers[0].kind",
        ["'reward' or 'coercion'", "'bribe'"],
        id="wrong-choice-lever-kind",
    ),
    # values out of range
    pytest.param(
        setter("pairs", "CHN-RUS", "relation", value=1.5),
        "pairs.CHN-RUS.relation",
        ["less than or equal to 1", "1.5"],
        id="relation-above-1",
    ),
    pytest.param(
        setter("actors", "RUS", "capability", value=0.0),
        "actors.RUS.capability",
        ["greater than 0"],
        id="capability-zero",
    ),
    pytest.param(
        setter("pairs", "CHN-RUS", "dependence", "RUS", value=-0.1),
        "pairs.CHN-RUS.dependence.RUS",
        ["greater than or equal to 0", "-0.1"],
        id="directed-value-below-0",
    ),
    pytest.param(
        setter("outcomes", "persistence", value=-1.0),
        "outcomes.persistence",
        ["greater than or equal to 0"],
        id="negative-persistence",
    ),
    # unknown actors
    pytest.param(
        shocks(actor="XXX"),
        "shocks[0].actor",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-shock-actor",
    ),
    pytest.param(
        shocks(toward="XXX"),
        "shocks[0].toward",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-shock-toward",
    ),
    pytest.param(
        levers(target="XXX", partner="CHN"),
        "levers[0].target",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-lever-target",
    ),
    pytest.param(
        levers(actor="XXX"),
        "levers[0].actor",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-lever-actor",
    ),
    pytest.param(
        levers(partner="XXX"),
        "levers[0].partner",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-lever-partner",
    ),
    pytest.param(
        setter("watch", "third", value="XXX"),
        "watch.third",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-watch-third",
    ),
    pytest.param(
        setter("watch", "partnership", value=["CHN", "XXX"]),
        "watch.partnership",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-watch-partnership",
    ),
    pytest.param(
        setter("pairs", "CHN-XXX", value={"relation": 0.1}),
        "pairs.CHN-XXX",
        ["unknown actor 'XXX'", ACTORS_ALLOWED],
        id="unknown-actor-pair-key",
    ),
    pytest.param(
        setter("pairs", "CHN-RUS", "dependence", "USA", value=0.1),
        "pairs.CHN-RUS.dependence",
        ["'USA' is not in this pair", "allowed: CHN, RUS"],
        id="directed-value-for-an-outsider",
    ),
    # structure
    pytest.param(remove_usa, "actors", ["at least 3 actors", "got 2"], id="fewer-than-3-actors"),
    pytest.param(
        setter("shocks", value=[SHOCK, SHOCK | {"year": 2027.0}]),
        "shocks",
        ["name 'war' is used twice"],
        id="duplicate-shock-names",
    ),
    pytest.param(
        setter("levers", value=[LEVER, LEVER | {"size": 0.9}]),
        "levers",
        ["name 'offer' is used twice"],
        id="duplicate-lever-names",
    ),
    pytest.param(
        setter("pairs", "RUS-CHN", value={"relation": 0.1}),
        "pairs.RUS-CHN",
        ["this pair is given twice"],
        id="pair-given-twice",
    ),
    pytest.param(
        shocks(toward=None),  # a stance change with nobody to change it toward
        "shocks[0]",
        ["stance", "set `toward`"],
        id="relational-shock-without-toward",
    ),
    pytest.param(
        setter("time", value={"start": 2030.0, "horizon": 2024.0}),
        "time",
        ["horizon (2024.0) must be after start (2030.0)"],
        id="horizon-before-start",
    ),
    # uncertain parameters
    pytest.param(
        uncertain(parameter="pairs.CHN-RUS.nonsense"),
        "uncertain[0].parameter",
        ["'pairs.CHN-RUS.nonsense'", "allowed: institutions, ideology_distance"],
        id="uncertain-unknown-pair-field",
    ),
    pytest.param(
        uncertain(parameter="not_a_parameter"),
        "uncertain[0].parameter",
        ["'not_a_parameter'", "unknown behaviour parameter", "docs/ODD.md"],
        id="uncertain-unknown-behaviour-parameter",
    ),
    pytest.param(
        uncertain(parameter="actors.XXX.growth"),
        "uncertain[0].parameter",
        ["'actors.XXX.growth'", "actors.<ID>.<field>", "pairs.<A-B>.<field>"],
        id="uncertain-unknown-actor",
    ),
    pytest.param(
        both(levers(), uncertain(parameter="levers.nope.size")),  # only "offer" exists
        "uncertain[0].parameter",
        ["no lever named 'nope'", "offer"],
        id="uncertain-unknown-lever",
    ),
    pytest.param(
        uncertain(parameter="pairs.CHN-RUS.institutions", low=0.5, high=1.5),
        "uncertain[0]",
        ["[0.5, 1.5]", "must stay in [0, 1]", "bound the distribution"],
        id="uncertain-uniform-leaves-unit-interval",
    ),
    pytest.param(
        uncertain(parameter="threat_speed", dist="normal", mean=1.0, sd=0.5, low=None, high=None),
        "uncertain[0]",
        ["[-inf, inf]", f"must stay in [0, {PARAMETERS['threat_speed'].upper:g}]"],
        id="uncertain-unbounded-normal",
    ),
    pytest.param(
        uncertain(parameter="threat_speed", dist="triangular", low=0.5, high=1.0),
        "uncertain[0]",
        ["triangular needs low, mode, high", "missing mode"],
        id="uncertain-incomplete-triangular",
    ),
    # behaviour overrides
    pytest.param(
        setter("behaviour", value={"not_a_parameter": 1.0}),
        "behaviour.not_a_parameter",
        ["unknown behaviour parameter"],
        id="unknown-behaviour-override",
    ),
    pytest.param(
        setter("behaviour", value={"stance_gain": 99.0}),
        "behaviour.stance_gain",
        [f"outside the admissible [0, {PARAMETERS['stance_gain'].upper:g}]"],
        id="behaviour-override-out-of-bounds",
    ),
    # extends
    pytest.param(
        setter("extends", value="missing.toml"),
        "extends",
        ["'missing.toml' not found"],
        id="missing-extends-target",
    ),
    pytest.param(
        setter("extends", value=3),
        "extends",
        ["a path or a list of paths"],
        id="extends-not-a-path",
    ),
    pytest.param(
        setter("calibration", value="nowhere.toml"),
        "calibration",
        ["nowhere.toml not found"],
        id="missing-calibration-file",
    ),
    # the keys that `extends` merges lists by must be strings
    pytest.param(
        uncertain(parameter=[1, 2]),
        "uncertain[0].parameter",
        ["must be a string", "'actors.RUS.growth'", "(got [1, 2])"],
        id="uncertain-parameter-not-a-string",
    ),
    pytest.param(
        shocks(name={"a": 1}),
        "shocks[0].name",
        ["must be a string", "the shock's name"],
        id="shock-name-not-a-string",
    ),
    # non-finite and absurd numbers (TOML writes nan and inf)
    pytest.param(
        setter("actors", "USA", "capability", value=math.nan),
        "actors.USA.capability",
        ["finite number", "(got nan)"],
        id="nan-capability",
    ),
    pytest.param(
        setter("behaviour", value={"stance_gain": math.inf}),
        "behaviour.stance_gain",
        ["finite number"],
        id="infinite-behaviour-override",
    ),
    pytest.param(
        uncertain(parameter="pairs.CHN-RUS.institutions", low=-math.inf),
        "uncertain[0].low",
        ["finite number"],
        id="uncertain-low-minus-infinity",
    ),
    pytest.param(
        uncertain(parameter="pairs.CHN-RUS.institutions", low=-1e308, high=1e308),
        "uncertain[0]",
        ["[-1e+308, 1e+308]", "must stay in [0, 1]"],
        id="uncertain-range-overflows",
    ),
    pytest.param(
        uncertain(
            parameter="pairs.CHN-RUS.institutions", dist="normal", mean=1e30, sd=1.0, high=1.0
        ),
        "uncertain[0]",
        ["pairs.CHN-RUS.institutions", "cannot be sampled accurately", "mean near [low, high]"],
        id="uncertain-normal-mean-far-outside",
    ),
    pytest.param(
        uncertain(
            parameter="pairs.CHN-RUS.institutions", dist="normal", mean=0.5, sd=1e300, high=1.0
        ),
        "uncertain[0]",
        ["cannot be sampled accurately", "sd near high - low"],
        id="uncertain-normal-huge-sd",
    ),
    pytest.param(
        levers(start=1e308),
        "levers[0].start",
        ["less than or equal to 2300"],
        id="lever-start-absurd",
    ),
    pytest.param(
        shocks(year=-1e308),
        "shocks[0].year",
        ["greater than or equal to 1800"],
        id="shock-year-absurd",
    ),
]


def _drop_none(data: Any) -> Any:
    """TOML has no null: drop keys set to ``None`` (to remove a default from a table)."""
    if isinstance(data, dict):
        return {k: _drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_drop_none(v) for v in data]
    return data


@pytest.mark.parametrize(("edit", "field", "fragments"), BAD_SCENARIOS)
def test_bad_scenario_names_file_field_and_what_is_allowed(write_scenario, edit, field, fragments):
    path = write_scenario(_drop_none(with_(edit)))
    with pytest.raises(InputError) as info:
        load_inputs(path)
    check_error(info.value, path, field, *fragments)


def test_toml_syntax_error_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "broken"\n[time\nstart = 2024.0\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_inputs(path)
    check_error(info.value, path, "", "TOML syntax error", "line 2")


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(InputError) as info:
        load_inputs(path)
    check_error(info.value, path, "", "file not found")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {"a.toml": "b.toml", "b.toml": "a.toml"}, "a.toml -> b.toml -> a.toml", id="a-b-a"
        ),
        pytest.param({"a.toml": "a.toml"}, "a.toml -> a.toml", id="self"),
        pytest.param(
            {"a.toml": "b.toml", "b.toml": "c.toml", "c.toml": "b.toml"},
            "b.toml -> c.toml -> b.toml",
            id="a-b-c-b",
        ),
    ],
)
def test_cycle_of_extends_is_reported(tmp_path, write_scenario, files, message):
    for name, parent in files.items():
        write_scenario(scenario_data(extends=parent), name=name)
    with pytest.raises(InputError) as info:
        load_inputs(tmp_path / "a.toml")
    err = info.value
    assert err.field == "extends"
    assert "cycle of extends" in err.message and message in err.message
    assert Path(err.file).name in files  # a file of the cycle is named


# --- calibration files ------------------------------------------------------------------


def drop(name: str) -> Callable[[dict], None]:
    return lambda table: table.pop(name)


def put(name: str, value: Any) -> Callable[[dict], None]:
    return lambda table: table.__setitem__(name, value)


BAD_CALIBRATIONS = [
    pytest.param(
        drop("w_threat"),
        "w_threat",
        ["behaviour parameter is missing from the calibration file"],
        id="missing-parameter",
    ),
    pytest.param(
        put("w_nonsense", {"value": 1.0, "source": "x"}),
        "w_nonsense",
        ["unknown behaviour parameter"],
        id="unknown-parameter",
    ),
    pytest.param(
        put("stance_gain", {"value": 99.0, "source": "x"}),
        "stance_gain.value",
        [f"outside the admissible [0, {PARAMETERS['stance_gain'].upper:g}]"],
        id="value-out-of-bounds",
    ),
    pytest.param(
        put("stance_gain", {"value": 1.0, "low": 2.0, "high": 3.0, "source": "x"}),
        "stance_gain",
        ["must lie in [low, high]"],
        id="value-outside-its-range",
    ),
    pytest.param(
        put("stance_gain", {"value": 1.0}),
        "stance_gain.source",
        ["required"],
        id="missing-source",
    ),
    pytest.param(
        put("stance_gain", {"value": math.nan, "source": "x"}),
        "stance_gain.value",
        ["finite number"],
        id="nan-value",
    ),
    pytest.param(
        put("stance_gain", {"value": 1.0, "low": 2.0, "high": 0.5, "source": "x"}),
        "stance_gain",
        ["low (2.0) must not be above high (0.5)"],
        id="low-above-high",
    ),
    pytest.param(
        put("stance_gain", {"value": 1.0, "colour": 1, "source": "x"}),
        "stance_gain.colour",
        ["unknown field; allowed: value, low, high, source"],
        id="unknown-field-in-parameter",
    ),
    pytest.param(
        put("stance_gain", 0.5),
        "stance_gain",
        ["valid dictionary", "(got 0.5)"],
        id="parameter-not-a-table",
    ),
]


@pytest.mark.parametrize(("edit", "field", "fragments"), BAD_CALIBRATIONS)
def test_bad_calibration_names_its_file_and_parameter(tmp_path, edit, field, fragments):
    table = calibration_table()
    edit(table)
    calibration = write_toml(tmp_path / "behaviour.toml", table)
    scenario = write_toml(tmp_path / "s.toml", scenario_data(calibration="behaviour.toml"))
    with pytest.raises(InputError) as info:
        load_inputs(scenario)
    check_error(info.value, calibration, field, *fragments)


def test_posterior_uncertainty_without_a_posterior_sample(tmp_path):
    # drawing whole posterior sets from a calibration that has none ended in a TypeError
    write_toml(tmp_path / "behaviour.toml", calibration_table())
    scenario = write_toml(
        tmp_path / "s.toml",
        scenario_data(calibration="behaviour.toml", calibration_uncertainty="posterior"),
    )
    with pytest.raises(InputError) as info:
        load_inputs(scenario)
    check_error(
        info.value, scenario, "calibration_uncertainty", "names a posterior sample", "'ranges'"
    )


# --- posterior samples ------------------------------------------------------------------

BAD_POSTERIORS = [
    pytest.param("", "", ["is empty"], id="empty-file"),
    pytest.param("threat_speed,stance_noise\n", "", ["at least one row"], id="header-only"),
    pytest.param(
        "threat_speed,stance_noise\n1.0\n",
        "line 2",
        ["has 1 values for 2 columns"],
        id="missing-cell",
    ),
    pytest.param(
        "threat_speed,stance_noise\n1.0,0.1,7\n",
        "line 2",
        ["has 3 values for 2 columns"],
        id="extra-cell",
    ),
    pytest.param(
        "threat_speed,stance_noise\n1.0,abc\n",
        "stance_noise",
        ["line 2: 'abc' is not a number"],
        id="not-a-number",
    ),
    pytest.param(
        "threat_speed,stance_noise\n1.0,0.1\n1.0,nan\n",
        "stance_noise",
        ["line 3: must be a finite number, got nan"],
        id="nan-cell",
    ),
    pytest.param(
        "threat_speed,stance_noise\n1.0,0.1\n-inf,0.1\n",
        "threat_speed",
        ["line 3: must be a finite number"],
        id="infinite-cell",
    ),
    pytest.param(
        "threat_speed,stance_noise\n1e308,0.1\n",
        "threat_speed",
        [f"line 2: 1e+308 is outside the admissible [0, {PARAMETERS['threat_speed'].upper}]"],
        id="huge-cell",
    ),
    pytest.param(
        "threat_speed,threat_speed\n1.0,1.0\n",
        "threat_speed",
        ["given twice"],
        id="duplicate-column",
    ),
    pytest.param(
        "threat_speed,,stance_noise\n1.0,1.0,0.1\n",
        "header",
        ["column 2 has no name"],
        id="unnamed-column",
    ),
    pytest.param(
        "w_nonsense\n1.0\n",
        "w_nonsense",
        ["unknown behaviour parameter"],
        id="unknown-parameter",
    ),
    pytest.param(
        "threat_speed,weight\n1.0,0.5\n1.0,-1\n",
        "weight",
        ["must not be negative"],
        id="negative-weight",
    ),
    pytest.param(
        "threat_speed,weight\n1.0,0\n2.0,0\n",
        "weight",
        ["at least one weight must be positive"],
        id="zero-weights",
    ),
]


def write_posterior(folder: Path, text: str | bytes) -> tuple[Path, Path]:
    """A calibration naming ``posterior.csv`` (with ``text``), and a scenario using it."""
    table: dict[str, Any] = {"posterior": "posterior.csv", **calibration_table()}
    write_toml(folder / "behaviour.toml", table)
    csv = folder / "posterior.csv"
    csv.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return csv, write_toml(folder / "s.toml", scenario_data(calibration="behaviour.toml"))


@pytest.mark.parametrize(("text", "field", "fragments"), BAD_POSTERIORS)
def test_bad_posterior_names_its_file_line_and_column(tmp_path, text, field, fragments):
    csv, scenario = write_posterior(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_inputs(scenario)
    check_error(info.value, csv, field, *fragments)


def test_posterior_that_is_not_text(tmp_path):
    _, scenario = write_posterior(tmp_path, b"threat_speed\n\xff\xfe\n")
    with pytest.raises(InputError) as info:
        load_inputs(scenario)
    check_error(info.value, tmp_path / "behaviour.toml", "posterior", "cannot be read as text")


def test_huge_posterior_weights_are_shares_not_an_overflow(tmp_path):
    # the weights were divided by their sum, which overflowed to inf: every weight became 0
    _, scenario = write_posterior(tmp_path, "threat_speed,weight\n1.0,1e308\n2.0,1e308\n")
    weights = load_inputs(scenario).calibration.posterior_weights
    assert weights is not None and list(weights) == [0.5, 0.5]


# --- sweep files ------------------------------------------------------------------------

INSTITUTIONS = "pairs.CHN-RUS.institutions"


def sweep_data(**change: Any) -> dict[str, Any]:
    """A small valid sweep of ``scenario.toml`` beside it, with ``change`` on top."""
    data: dict[str, Any] = {
        "name": "s",
        "scenarios": ["scenario.toml"],
        "seed": 1,
        "design": "lhs",
        "points": 4,
        "replicates": 1,
        "uncertain": [{"parameter": INSTITUTIONS, "low": 0.0, "high": 0.5}],
    }
    return data | change


def grid(*values: float, **axis: Any) -> dict[str, Any]:
    return {"design": "grid", "uncertain": [{"parameter": INSTITUTIONS, "values": list(values)}]}


BAD_SWEEPS = [
    pytest.param(
        grid(0.1, math.nan), "uncertain[0].values[1]", ["finite number"], id="nan-grid-value"
    ),
    pytest.param(
        grid(1e30, 1e30),
        "uncertain[0]",
        ["at least two values, not all the same"],
        id="grid-of-one-huge-value",
    ),
    pytest.param(
        {
            "design": "grid",
            "uncertain": [{"parameter": INSTITUTIONS, "values": [0.2, 3.0], "low": 0, "high": 0.5}],
        },
        "uncertain[0]",
        ["[0, 3]", "must stay in [0, 1]"],
        id="grid-values-outside-bounds-beside-a-range",
    ),
    pytest.param(
        {"replicates": 1e308},
        "replicates",
        ["must be a whole number in [1, 1000000]", "(got 1e+308)"],
        id="huge-replicates",
    ),
    pytest.param(
        {"design": "morris", "points": 1},
        "points",
        ["a Morris design needs at least 2 trajectories", "got 1"],
        id="morris-one-trajectory",
    ),
    pytest.param(
        {"design": "morris", "morris_levels": 3},
        "morris_levels",
        ["must be an even number", "got 3"],
        id="morris-odd-levels",
    ),
    pytest.param(
        grid(0.1, 0.2) | {"sweep_calibration": True},
        "sweep_calibration",
        ["need design 'lhs', 'sobol' or 'morris', not 'grid'"],
        id="grid-with-calibration-ranges",
    ),
    pytest.param(
        {"sweep_calibration": True, "scenarios": ["missing.toml"]},
        "scenarios[0]",
        ["'missing.toml' not found"],
        id="calibration-sweep-of-a-missing-scenario",
    ),
]


@pytest.mark.parametrize(("change", "field", "fragments"), BAD_SWEEPS)
def test_bad_sweep_names_its_file_field_and_what_is_allowed(
    write_scenario, tmp_path, change, field, fragments
):
    write_scenario()
    sweep = write_toml(tmp_path / "sweep.toml", sweep_data(**change))
    with pytest.raises(InputError) as info:
        load_sweep(sweep)
    check_error(info.value, sweep, field, *fragments)


def test_calibration_sweep_with_nothing_to_vary(tmp_path):
    # the design got no column at all: numpy and SALib failed on the empty design
    write_toml(tmp_path / "behaviour.toml", calibration_table())  # no ranges
    write_toml(tmp_path / "scenario.toml", scenario_data(calibration="behaviour.toml"))
    sweep = write_toml(tmp_path / "sweep.toml", sweep_data(uncertain=[], sweep_calibration=True))
    with pytest.raises(InputError) as info:
        load_sweep(sweep)
    check_error(info.value, sweep, "sweep_calibration", "nothing would vary", "'scenario.toml'")


def test_own_calibration_table_is_valid(tmp_path):
    # the helper the calibration cases edit must itself load, or they prove nothing
    write_toml(tmp_path / "behaviour.toml", calibration_table({"w_threat": 1.25}))
    scenario = write_toml(tmp_path / "s.toml", scenario_data(calibration="behaviour.toml"))
    assert load_inputs(scenario).calibration.values()["w_threat"] == 1.25


# --- good extends chains ----------------------------------------------------------------


def base_with_events() -> dict[str, Any]:
    return scenario_data(
        title="base",
        shocks=[
            SHOCK | {"source": "base"},
            {"name": "slowdown", "year": 2027.0, "actor": "CHN", "growth": -0.01},
        ],
        levers=[LEVER | {"credibility": 0.6, "duration": 3.0}],
    )


def test_extends_merges_shocks_and_levers_by_name(tmp_path, write_scenario):
    write_scenario(base_with_events(), name="base.toml")
    child = {
        "extends": "base.toml",
        "name": "child",
        "shocks": [
            {"name": "war", "stance": -0.9},  # updates one value of a known shock
            {"name": "clash", "year": 2028.0, "actor": "CHN", "toward": "RUS", "crisis": True},
        ],
        "levers": [{"name": "offer", "size": 0.9}],
    }
    sc = load_scenario(write_scenario(child, name="child.toml"))
    shocks_ = {s.name: s for s in sc.shocks}
    assert [s.name for s in sc.shocks] == ["war", "slowdown", "clash"]  # new names appended
    war = shocks_["war"]
    assert (war.stance, war.year, war.actor, war.toward, war.source) == (
        -0.9,
        2026.0,
        "RUS",
        "CHN",
        "base",
    )
    assert shocks_["slowdown"].growth == -0.01
    (offer,) = sc.levers
    assert (offer.size, offer.credibility, offer.duration, offer.target) == (0.9, 0.6, 3.0, "RUS")
    assert (sc.name, sc.title) == ("child", "base")


def test_child_overriding_one_value_keeps_the_rest(tmp_path, write_scenario):
    base = base_with_events()
    write_scenario(base, name="base.toml")
    child = {
        "extends": "base.toml",
        "actors": {"RUS": {"growth": -0.03}},
        "pairs": {"CHN-RUS": {"relation": 0.2}},
        "time": {"horizon": 2028.0},
    }
    sc = load_scenario(write_scenario(child, name="child.toml"))
    assert sc.actors["RUS"].growth == -0.03
    assert sc.actors["RUS"].capability == base["actors"]["RUS"]["capability"]
    assert sc.actors["RUS"].offensive == base["actors"]["RUS"]["offensive"]
    assert sc.actors["USA"].capability == base["actors"]["USA"]["capability"]
    assert sc.pairs["CHN-RUS"].relation == 0.2
    assert sc.pairs["CHN-RUS"].dependence == {"RUS": 0.4, "CHN": 0.1}  # kept from the base
    assert sc.pairs["USA-RUS"].sanctions == {"USA": 0.5}
    assert (sc.time.start, sc.time.horizon, sc.time.step) == (2024.0, 2028.0, 0.25)


def test_extends_as_a_list_merges_in_order(tmp_path, write_scenario):
    write_scenario(base_with_events(), name="first.toml")
    second = {
        "title": "second",
        "actors": {"USA": {"growth": 0.01}},
        "levers": [{"name": "offer", "size": 0.2}],
    }
    write_scenario(second, name="second.toml")
    third = {"title": "third", "levers": [{"name": "offer", "credibility": 0.9}]}
    write_scenario(third, name="third.toml")
    child = {"extends": ["first.toml", "second.toml", "third.toml"], "name": "child"}
    sc = load_scenario(write_scenario(child, name="child.toml"))
    assert sc.title == "third"  # the later file wins
    assert sc.actors["USA"].growth == 0.01  # from the second, untouched by the third
    (offer,) = sc.levers
    assert (offer.size, offer.credibility, offer.duration) == (0.2, 0.9, 3.0)
    # and the order matters: reversed, the first file's values win
    child_reversed = {"extends": ["third.toml", "second.toml", "first.toml"], "name": "child"}
    sc = load_scenario(write_scenario(child_reversed, name="reversed.toml"))
    assert sc.title == "base"
    assert (sc.levers[0].size, sc.levers[0].credibility) == (0.5, 0.6)


@pytest.mark.parametrize(
    ("table", "key", "item"),
    [
        pytest.param("uncertain", "parameter", {"dist": "uniform", "low": 0.1, "high": 0.2}),
        pytest.param("levers", "name", LEVER),
        pytest.param("shocks", "name", SHOCK),
    ],
)
def test_extending_file_with_a_list_as_merge_key_names_the_entry(write_scenario, table, key, item):
    # merging by a list (unhashable) ended in a TypeError and exit 1
    base = {**item, key: "threat_speed" if table == "uncertain" else "kept"}
    write_scenario(scenario_data(**{table: [base]}), name="base.toml")
    child = write_scenario(
        {"extends": "base.toml", table: [{**item, key: [1, 2]}]}, name="child.toml"
    )
    with pytest.raises(InputError) as info:
        load_inputs(child)
    check_error(info.value, child, f"{table}[0].{key}", "must be a string", "(got [1, 2])")


def test_calibration_is_resolved_relative_to_the_file_that_sets_it(tmp_path):
    base_dir, child_dir = tmp_path / "base", tmp_path / "elsewhere" / "child"
    behaviour = write_toml(
        base_dir / "cal" / "behaviour.toml", calibration_table({"w_threat": 1.75})
    )
    write_toml(base_dir / "base.toml", scenario_data(calibration="cal/behaviour.toml"))
    child = write_toml(child_dir / "child.toml", {"extends": "../../base/base.toml"})
    inputs = load_inputs(child)
    assert Path(inputs.scenario.calibration) == behaviour.resolve()
    assert inputs.calibration.values()["w_threat"] == 1.75
    # a child that sets its own calibration resolves it from its own folder
    mine = write_toml(child_dir / "mine.toml", calibration_table({"w_threat": 0.25}))
    child = write_toml(
        child_dir / "own.toml", {"extends": "../../base/base.toml", "calibration": "mine.toml"}
    )
    inputs = load_inputs(child)
    assert Path(inputs.scenario.calibration) == mine.resolve()
    assert inputs.calibration.values()["w_threat"] == 0.25


def test_written_scenario_loads(write_scenario):
    # the base of every bad case is itself valid, so each case fails for its own reason
    inputs = load_inputs(write_scenario())
    assert list(inputs.scenario.actors) == ["USA", "CHN", "RUS"]
    inputs = load_inputs(write_scenario(n_actors=5, name="five.toml"))
    assert len(inputs.scenario.actors) == 5
