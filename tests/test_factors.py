"""The five-factor experiment: the partition of fields, transplanting, running and the CLI.

The partition is checked against the schema itself, so a field added to a scenario
table must be given a factor (or declared situation) before this file passes.
Transplants are compared on resolved scenarios: a factor's fields must come from
the donor (capability rescaled), everything else must stay the base's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import scenario_data
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field, create_model

import sim.experiments.factor_partition as partition
import sim.experiments.factors as factors
from sim.cli import main
from sim.defaults import DEFAULT_SEED
from sim.engine.ensemble import load_inputs, run_ensemble
from sim.engine.stats import paired_p_value
from sim.experiments.factor_partition import (
    FACTORS,
    PARTITION,
    SITUATION,
    fields_of,
    partition_markdown,
    partition_problems,
    path_factor,
)
from sim.experiments.factors import (
    FiveFactors,
    directions,
    factor_values,
    transplant,
    watched_codes,
)
from sim.scenario.errors import InputError
from sim.scenario.schema import Actor, Pair, Scenario
from sim.views.factors import direction_paragraph

ROOT = Path(__file__).resolve().parents[1]
PRESENT = ROOT / "scenarios" / "baseline_2024.toml"
PAST = ROOT / "scenarios" / "history" / "sino_soviet_1949.toml"
CALIBRATION = ROOT / "scenarios" / "calibration.toml"
RUNS = 200
FILES = {
    "factors.csv", "factors.json", "report.md", "manifest.json", "resolved",
    *(f"factors_{y}.{e}" for y in (2024, 1949) for e in ("png", "svg")),
}  # fmt: skip


@functools.cache
def eras() -> dict[str, object]:
    """The two shipped scenarios, loaded once: ``present`` and ``past``."""
    return {"present": load_inputs(PRESENT), "past": load_inputs(PAST)}


def _pair_key(a: str, b: str) -> str:
    return "-".join(sorted((a, b)))


def _situation(sc: Scenario, labels: bool) -> dict:
    """Everything of a scenario that is not a factor, pairs keyed in sorted order."""
    top = {
        name: getattr(sc, name)
        for name, (factor, _) in PARTITION["scenario"].items()
        if factor == SITUATION and name != "uncertain"
        and (labels or name not in ("name", "title", "description"))
    }  # fmt: skip
    actors = {
        code: {n: getattr(a, n) for n, (f, _) in PARTITION["actors"].items() if f == SITUATION}
        for code, a in sc.actors.items()
    }
    pairs = {}
    for key, p in sc.pairs.items():
        pairs[_pair_key(*key.split("-"))] = {
            n: getattr(p, n) for n, (f, _) in PARTITION["pairs"].items() if f == SITUATION
        }
    moving = {d.parameter for d in sc.uncertain if path_factor(d.parameter) != SITUATION}
    kept = sorted(d.parameter for d in sc.uncertain if d.parameter not in moving)
    return {"top": top, "actors": actors, "pairs": pairs, "uncertain": kept}


def _uncertain_of(sc: Scenario, factor: str) -> dict[str, dict]:
    return {
        d.parameter: d.model_dump(exclude={"parameter"})
        for d in sc.uncertain
        if path_factor(d.parameter) == factor
    }


def _expected(donor: Scenario, factor: str, codes, scale: float) -> dict[str, float]:
    values = factor_values(donor, factor, codes)
    return {
        k: v * scale if k.endswith(".capability") else v for k, v in values.items()
    }  # fmt: skip


# ------------------------------------------------------------------ the partition


def test_partition_gives_every_schema_field_exactly_one_place():
    assert partition_problems() == []
    for table, model in (("actors", Actor), ("pairs", Pair)):
        places = [set(fields_of(f)[table]) for f in FACTORS]
        places.append({n for n, (f, _) in PARTITION[table].items() if f == SITUATION})
        assert set().union(*places) == set(model.model_fields)
        assert sum(len(p) for p in places) == len(model.model_fields)  # disjoint
    assert set(PARTITION["scenario"]) == set(Scenario.model_fields) - {"actors", "pairs"}
    assert all(why.strip() for t in PARTITION.values() for _, why in t.values())


def test_partition_follows_bekkevolds_grouping():
    assert set(fields_of("geopolitics")["actors"]) >= {"capability", "growth", "offensive"}
    assert set(fields_of("geopolitics")["pairs"]) == {"proximity", "reach", "disputes", "fear"}
    assert set(fields_of("economics")["pairs"]) == {"dependence", "sanctions"}
    assert set(fields_of("economics")["actors"]) == {"distress", "patronage"}
    assert set(fields_of("ideology")["pairs"]) == {"ideology_distance", "doctrinal_rivalry"}
    assert fields_of("ideology")["actors"] == ("salience",)
    assert fields_of("leadership")["pairs"] == ("trust",)
    assert set(fields_of("leadership")["actors"]) == {"leader_hazard", "instability"}
    assert fields_of("institutions") == {"actors": (), "pairs": ("institutions",)}
    assert PARTITION["pairs"]["relation"][0] == SITUATION
    assert PARTITION["scenario"]["shocks"][0] == SITUATION


def test_a_new_schema_field_without_a_factor_is_reported(monkeypatch):
    grown = create_model("GrownPair", __base__=Pair, rivalry_memory=(float, Field(0.0)))
    monkeypatch.setitem(partition.SCHEMA, "pairs", grown)
    problems = partition_problems()
    assert problems == ["pairs.rivalry_memory: in the schema but in no factor nor situation"]


def test_uncertain_paths_follow_their_field():
    assert path_factor("actors.RUS.growth") == "geopolitics"
    assert path_factor("pairs.CHN-RUS.trust.CHN") == "leadership"
    assert path_factor("pairs.RUS-CHN.institutions") == "institutions"
    assert path_factor("pairs.CHN-RUS.relation") == SITUATION
    assert path_factor("shocks.secret_speech.doctrinal_rivalry") == SITUATION
    assert path_factor("threat_speed") == SITUATION


def test_odd_shows_the_partition_as_the_code_defines_it():
    assert partition_markdown() in (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ transplanting


def test_no_factor_gives_the_base_scenario_unchanged():
    for base, donor in (("present", "past"), ("past", "present")):
        out = transplant(eras()[base], eras()[donor], ())
        assert out.scenario == eras()[base].scenario
        assert out.calibration is eras()[base].calibration


@settings(max_examples=25, deadline=None)
@given(
    chosen=st.sets(st.sampled_from(FACTORS)),
    direction=st.sampled_from([("present", "past"), ("past", "present")]),
)
def test_transplant_changes_the_chosen_factors_and_nothing_else(chosen, direction):
    base, donor = (eras()[k] for k in direction)
    out = transplant(base, donor, chosen).scenario
    codes = watched_codes(base.scenario)
    scale = factors.capability_scale(base.scenario, donor.scenario, codes)
    for factor in FACTORS:
        source = donor.scenario if factor in chosen else base.scenario
        want = _expected(source, factor, codes, scale if factor in chosen else 1.0)
        got = factor_values(out, factor, codes)
        assert got.keys() == want.keys()
        for key in want:
            assert got[key] == pytest.approx(want[key], rel=1e-12), (factor, key)
        assert _uncertain_of(out, factor).keys() == _uncertain_of(source, factor).keys()
    assert _situation(out, labels=not chosen) == _situation(base.scenario, labels=not chosen)


def test_all_five_factors_of_1949_give_2024_the_1949_values():
    base, donor = eras()["present"], eras()["past"]
    out = transplant(base, donor, FACTORS).scenario
    codes = ("USA", "CHN", "RUS")
    for factor in FACTORS:
        got, want = factor_values(out, factor, codes), factor_values(donor.scenario, factor, codes)
        for key, value in want.items():
            if key.endswith(".capability"):
                continue
            assert got[key] == value, key
    # Capability: the 1949 balance among the three, at 2024's total share of the world.
    new = np.array([out.actors[c].capability for c in codes])
    old = np.array([donor.scenario.actors[c].capability for c in codes])
    assert new.sum() == pytest.approx(sum(base.scenario.actors[c].capability for c in codes))
    assert new / new.sum() == pytest.approx(old / old.sum())
    # Uncertain values on factor fields are the donor's; the base's fear and growth ranges left.
    params = {d.parameter for d in out.uncertain}
    assert params == {
        d.parameter for d in donor.scenario.uncertain if path_factor(d.parameter) != SITUATION
    }
    # Time, relations and (no) shocks stay 2024's.
    assert out.time == base.scenario.time and out.shocks == base.scenario.shocks
    assert out.pairs["CHN-RUS"].relation == base.scenario.pairs["CHN-RUS"].relation


def test_directed_values_the_donor_leaves_out_take_the_models_default():
    # The 2024 file gives Russia a fear of China; the 1949 file gives none.
    out = transplant(eras()["present"], eras()["past"], ["geopolitics"]).scenario
    assert factor_values(out, "geopolitics", ("CHN", "RUS"))["pairs.CHN-RUS.fear.RUS"] == 0.0
    assert factor_values(out, "leadership", ("CHN", "RUS"))["pairs.CHN-RUS.trust.CHN"] == 0.8


def test_an_uncertain_capability_range_is_rescaled_with_the_shares(write_scenario):
    data = scenario_data()
    data["uncertain"] = [
        {"parameter": "actors.CHN.capability", "dist": "uniform", "low": 0.06, "high": 0.1}
    ]
    donor = load_inputs(write_scenario(data))
    base = eras()["present"]
    scale = factors.capability_scale(base.scenario, donor.scenario, ("CHN", "RUS", "USA"))
    out = transplant(base, donor, ["geopolitics"]).scenario
    (dist,) = [d for d in out.uncertain if d.parameter == "actors.CHN.capability"]
    assert (dist.low, dist.high) == pytest.approx((0.06 * scale, 0.1 * scale))


def test_a_donor_without_a_mapped_actor_is_a_one_line_input_error(write_scenario):
    data = scenario_data()
    data["actors"]["SUN"] = data["actors"].pop("RUS")
    data["pairs"] = {"CHN-SUN": {"relation": 0.5}}
    data["watch"] = {"partnership": ["CHN", "SUN"], "third": "USA"}
    donor = load_inputs(write_scenario(data))
    with pytest.raises(InputError) as err:
        transplant(eras()["present"], donor, ["ideology"])
    assert "RUS missing" in err.value.line() and "\n" not in err.value.line()


# ------------------------------------------------------------------ statistics


def test_paired_test_uses_only_discordant_worlds():
    same = np.array([True, False, True, False])
    assert paired_p_value(same, same) == 1.0
    base = np.zeros(30, dtype=bool)
    case = base.copy()
    case[:10] = True  # 10 worlds gained a split, none lost one
    assert paired_p_value(base, case) == pytest.approx(2 * 0.5**10)
    assert paired_p_value(case, base) == pytest.approx(2 * 0.5**10)


# ------------------------------------------------------------------ the command


@pytest.fixture(scope="module")
def factors_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("factors") / "factors"
    code = main(["factors", "--runs", str(RUNS), "--out", str(out), "--quiet"])
    return code, out


def test_cli_writes_the_table_charts_and_report(factors_run):
    code, out = factors_run
    assert code == 0
    assert {p.name for p in out.iterdir()} == FILES
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    table = pd.read_csv(out / "factors.csv")
    assert len(table) == 14
    assert table.groupby("direction")["case"].apply(list).to_dict() == {
        d: ["base", *FACTORS, "all five"] for d in (1949, 2024)
    }
    for event in ("split", "rupture"):
        p, lo, hi = (table[f"p_{event}{s}"] for s in ("", "_low", "_high"))
        assert ((lo >= 0) & (lo <= p) & (p <= hi) & (hi <= 1)).all()
    assert (table["runs"] == RUNS).all() and (table["seed"] == DEFAULT_SEED).all()
    assert table["median_relation"].between(-1, 1).all()
    # The shipped calibration has a posterior: each case carries P's range over behaviour,
    # inside [0, 1], and the report gives it a column.
    for event in ("split", "rupture"):
        p, lo, hi = (table[f"p_{event}{s}"] for s in ("", "_behaviour_low", "_behaviour_high"))
        assert ((lo >= 0) & (lo <= hi) & (hi <= 1)).all()
        flat = lo == hi  # no spread detected: the range is the estimate itself
        assert (lo[flat] == p[flat]).all()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| 80% over behaviour |" in report
    assert "Rescaling" in report and "![" in report and "factors_2024.png" in report
    meta = json.loads((out / "factors.json").read_text())
    assert len(meta["cases"]) == 14 and len(meta["directions"]) == 2
    assert len(list((out / "resolved").glob("*.toml"))) == 14


def test_the_folder_names_its_inputs_with_their_hashes(factors_run):
    _, out = factors_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"] == "factors" and manifest["seed"] == DEFAULT_SEED
    assert manifest["runs"] == 14 * RUNS and manifest["runs_per_case"] == RUNS
    for role, path in (("present", PRESENT), ("past", PAST), ("calibration", CALIBRATION)):
        assert Path(manifest[f"{role}_file"]).resolve() == path.resolve()
        assert manifest[f"{role}_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_the_experiment_gives_the_files_of_the_command(factors_run):
    _, out = factors_run
    present, past = load_inputs(PRESENT), load_inputs(PAST)
    result = FiveFactors(present, past, runs=RUNS).run(seed=DEFAULT_SEED)
    assert json.loads((out / "factors.json").read_text()) == json.loads(json.dumps(result.summary))
    assert (out / "factors.csv").read_text() == result.tables["factors"].frame.to_csv(index=False)
    assert result.texts and all((out / n).read_text() == t for n, t in result.texts.items())


def test_the_base_case_is_a_plain_run_of_the_unmodified_scenario(factors_run):
    _, out = factors_run
    table = pd.read_csv(out / "factors.csv").set_index(["direction", "case"])
    for year, path in ((2024, PRESENT), (1949, PAST)):
        plain = run_ensemble(load_inputs(path), runs=RUNS, seed=DEFAULT_SEED).summary()
        row = table.loc[(year, "base")]
        for event in ("split", "rupture"):
            est = plain[f"p_{event}"]
            assert (row[f"p_{event}"], row[f"p_{event}_low"], row[f"p_{event}_high"]) == (
                pytest.approx(est["value"]),
                pytest.approx(est["low"]),
                pytest.approx(est["high"]),
            )


def test_a_case_differs_from_its_base_by_the_paired_change(factors_run):
    _, out = factors_run
    table = pd.read_csv(out / "factors.csv")
    for _, rows in table.groupby("direction"):
        base = rows.loc[rows["case"] == "base", "p_split"].iloc[0]
        change = (rows["p_split"] - base).to_numpy()
        assert rows["change_p_split"].to_numpy() == pytest.approx(change, abs=1e-12)
        assert math.isnan(rows.loc[rows["case"] == "base", "p_value_split"].iloc[0])
        assert rows.loc[rows["case"] != "base", "p_value_split"].between(0, 1).all()


def test_the_report_names_the_factors_that_did_not_move_the_split(factors_run):
    _, out = factors_run
    table = pd.read_csv(out / "factors.csv", dtype={"direction": str})
    present = next(
        d for d in directions(load_inputs(PRESENT), load_inputs(PAST)) if d.key == "2024"
    )
    rows = table["direction"] == "2024"
    singles = rows & table["case"].isin(FACTORS)
    # None moved: one sentence for all five, without a double negative.
    quiet = table.copy()
    quiet.loc[singles, "p_value_split"] = 0.9
    text = direction_paragraph(quiet, present)
    assert "None of the five factors, set alone, moved it detectably" in text
    assert "did not move" not in text and "beyond chance" not in text
    # Two moved: they are listed first, the other three named as not moving it.
    some = quiet.copy()
    moved = rows & table["case"].isin(["ideology", "economics"])
    some.loc[moved, "p_value_split"] = 0.001
    text = direction_paragraph(some, present)
    assert "the factors that moved it beyond chance" in text
    assert "did not move it detectably" in text and "None of the five" not in text
    rest = text.split("beyond chance", 1)[1].split("did not move", 1)[0]
    for name in ("geopolitics", "leadership", "institutions"):
        assert name in rest.lower()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--runs", "0"], "--runs: must be at least 1, got 0"),
        (["--seed", "-1"], "--seed: must be a non-negative integer"),
        (["--past", "no_such_file.toml"], "no_such_file.toml: file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, needle, capsys):
    out = tmp_path / "factors"
    assert main(["factors", *args, "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0 and needle in captured.err
    assert captured.out == "" and not out.exists()
