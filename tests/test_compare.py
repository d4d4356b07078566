"""`wedge compare`: paired statistics with known answers, and two scenarios on the same worlds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta

from sim import load_inputs
from sim.cli import main
from sim.engine.stats import median_difference, paired_difference
from sim.experiments.compare import Compare, check_comparable
from sim.scenario.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline_2024.toml"
OFFER = ROOT / "scenarios" / "us_offer_to_moscow.toml"
HINDCAST = ROOT / "scenarios" / "history" / "sino_soviet_1949.toml"


def test_a_paired_difference_counts_only_the_discordant_worlds():
    # 100 worlds: 10 with the event in both, 8 only in the case, 2 only in the base.
    base = np.zeros(100, bool)
    case = np.zeros(100, bool)
    base[:10] = case[:10] = True
    case[10:18] = True
    base[18:20] = True
    diff, lo, hi, p = paired_difference(base, case)
    assert diff == pytest.approx(0.06)
    # Clopper-Pearson on 8 of 10 discordant worlds, mapped to (2 pi - 1) * 10 / 100.
    pi_lo, pi_hi = beta.ppf(0.025, 8, 3), beta.ppf(0.975, 9, 2)
    assert (lo, hi) == pytest.approx(((2 * pi_lo - 1) / 10, (2 * pi_hi - 1) / 10))
    assert p == pytest.approx(0.109375)  # exact two-sided binomial, 8 of 10 at 1/2


def test_identical_worlds_differ_by_nothing():
    same = np.array([True, False, True, False])
    assert paired_difference(same, same) == (0.0, 0.0, 0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=300))
def test_the_paired_interval_holds_the_difference_and_stays_in_range(pairs):
    base = np.array([a for a, _ in pairs])
    case = np.array([b for _, b in pairs])
    diff, lo, hi, p = paired_difference(base, case)
    assert -1.0 <= lo <= diff <= hi <= 1.0
    assert 0.0 <= p <= 1.0
    assert diff == pytest.approx(case.mean() - base.mean())
    # Swapping the scenarios mirrors the result.
    back = paired_difference(case, base)
    assert back[:3] == pytest.approx((-diff, -hi, -lo))


def test_the_median_interval_is_made_of_the_sign_test_order_statistics():
    # For ten differences the 95% sign-test interval runs from the 2nd to the 9th smallest.
    diffs = np.arange(1.0, 11.0)
    median, lo, hi = median_difference(np.zeros(10), diffs)
    assert (median, lo, hi) == (5.5, 2.0, 9.0)


def test_only_comparable_scenarios_are_compared():
    with pytest.raises(InputError, match="time") as caught:
        check_comparable(load_inputs(BASELINE), load_inputs(HINDCAST))
    assert caught.value.file == str(HINDCAST)


def test_a_scenario_against_itself_shows_no_detectable_difference():
    inputs = load_inputs(BASELINE)
    result = Compare(inputs, inputs, runs=30).run(seed=2)
    for outcome, d in result.summary["differences"].items():
        assert (d["difference"], d["low"], d["high"]) == (0.0, 0.0, 0.0), outcome
        assert not d["detectable"]
    assert set(result.parts) == {"A_baseline_2024", "B_baseline_2024"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "out"
    code = main(["compare", str(BASELINE), str(OFFER), "--runs", "60", "--out", str(out)])
    return code, out


def test_wedge_compare_writes_both_runs_the_differences_and_a_figure(compared, capsys):
    code, out = compared
    assert code == 0
    names = {p.name for p in out.iterdir()}
    expected = {"summary.json", "paired.csv", "cumulative.csv", "cumulative.png", "report.md"}
    assert names >= expected | {"manifest.json", "baseline_2024", "us_offer_to_moscow"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 60 and summary["a"]["scenario"] == "baseline_2024"
    runs_a = json.loads((out / "baseline_2024" / "summary.json").read_text())
    assert runs_a["p_split"] == summary["a"]["p_split"]
    report = (out / "report.md").read_text()
    split = summary["differences"]["p_split"]
    first = report.split("## Headline\n\n", 1)[1].splitlines()[0]
    if not split["detectable"]:
        assert "no detectable difference in P(split)" in first
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"] == "compare"
    assert manifest["scenario_a_file"].endswith("baseline_2024.toml")
    assert manifest["scenario_b_file"].endswith("us_offer_to_moscow.toml")


def test_compare_refuses_scenarios_of_another_time_in_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["compare", str(BASELINE), str(HINDCAST), "--runs", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sino_soviet_1949.toml: time:" in err[0]
    assert not out.exists()
