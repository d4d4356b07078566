"""What a sweep's report may claim: structure or noise, coinciding outcomes, its question's answer.

Known answers from outside the code: the exact hypergeometric p-value of a
two-point design, a test's rejection rate under its null hypothesis, and
synthetic per-point tables built so that the smallest lever reaching a
threshold, the outcomes that coincide or the parameters that clear a noise
floor are known before the code reads them. The report tests run the view
on results made from such tables, without simulating.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_toml
from scipy import stats

from sim.engine.design import DUMMY
from sim.engine.sweep import Plan, load_sweep
from sim.experiments.discovery import candidates, discover
from sim.experiments.sweep import sweep_result
from sim.experiments.sweep_analysis import behaviour_label, discovery_skipped, summarise
from sim.experiments.sweep_findings import (
    coincident,
    drivers,
    event_structure,
    homogeneity,
    smallest_lever,
)
from sim.scenario.sweep import Question
from sim.views import sweep as view
from sim.views.sweep_words import drivers_sentence, smallest_lever_sentence, structure_sentence

REPO = Path(__file__).resolve().parents[1]
OFFER = REPO / "scenarios" / "us_offer_to_moscow.toml"
X, Y, Z = "levers.offer_to_moscow.size", "pairs.CHN-RUS.fear.RUS", "actors.CHN.patronage"
LABELS = {X: "US offer to Moscow (size, 0-1)", Y: "Russia's extra fear of China (0-1)"}
OFFERS = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
FEARS = [0.0, 0.2, 0.4, 0.6, 0.8]
QUESTION = Question(ask="smallest_lever", outcome="p_split", threshold=0.10, lever=X, given=Y)


def grid(share, runs: int = 200, xs=OFFERS, ys=FEARS) -> pd.DataFrame:
    """A per-point table of a grid whose P(split) at ``(x, y)`` is ``share(x, y)``."""
    rows = []
    for y in ys:
        for x in xs:
            k = round(share(x, y) * runs)
            rows.append(
                {"scenario": "s", "point": len(rows), "runs": runs, "p_split": k / runs, X: x, Y: y}
            )
    points = pd.DataFrame(rows)
    points["p_rupture"] = points["p_split"]
    return points


# ------------------------------------------------------------------ homogeneity


def test_homogeneity_p_value_matches_the_exact_hypergeometric_one_for_two_points():
    # Two points, 30 and 50 runs, 2 and 10 events: given the 12 events, the first point's
    # count is hypergeometric, and the exact p-value sums the counts at least as far from
    # their expectation as the one observed.
    runs, events = np.array([30, 50]), np.array([2, 10])
    total, n = events.sum(), runs.sum()
    law = stats.hypergeom(n, total, runs[0])
    k = np.arange(0, total + 1)
    expected = runs[0] * total / n
    exact = law.pmf(k)[np.abs(k - expected) >= abs(events[0] - expected) - 1e-9].sum()
    test = homogeneity(events, runs, seed=1)
    assert test["p_value"] == pytest.approx(exact, abs=0.02)
    assert test["df"] == 1 and test["events"] == 12 and test["runs"] == 80


def test_equal_shares_at_every_point_have_no_structure():
    test = homogeneity(np.full(10, 4), np.full(10, 40), seed=2)
    assert test["statistic"] == pytest.approx(0.0)
    assert test["p_value"] == 1.0 and not test["structure"]


def test_events_piled_on_one_point_are_structure():
    events = np.array([20] + [0] * 9)
    test = homogeneity(events, np.full(10, 40), seed=3)
    assert test["p_value"] < 0.001 and test["structure"]


def test_without_events_or_with_every_run_an_event_there_is_nothing_to_test():
    for events in (np.zeros(5), np.full(5, 8)):
        test = homogeneity(events, np.full(5, 8), seed=4)
        assert test["p_value"] == 1.0 and not test["structure"]


def test_homogeneity_test_holds_its_level_when_events_are_sparse():
    # 15 events over 300 points of 40 runs (the defeat-and-offer sweep's counts), allocated
    # at random: the test may reject at most 5% of such designs (an exact test of discrete
    # data rejects fewer). The chi-square approximation cannot be trusted with 0.05
    # expected events per point.
    rng = np.random.default_rng(2026)
    runs = np.full(300, 40)
    rejected = [
        homogeneity(rng.multivariate_hypergeometric(runs, 15), runs, [7, k], 199)["structure"]
        for k in range(200)
    ]
    assert np.mean(rejected) <= 0.08  # 5% and three standard errors of 200 draws


def test_sparse_events_along_one_parameter_are_found_by_pooling_along_it():
    # One split at each of the six points with the largest offer, none elsewhere: no point
    # stands out among 30, but pooled by offer, the six splits all fall at an offer of 1.
    points = grid(lambda x, y: 1 / 200 if x == 1.0 else 0.0)
    test = event_structure(points, "p_split", [X, Y], seed=6)["s"]
    assert test["p_value"] > 0.05  # across points
    assert test["by_parameter"][X]["p_value"] < 0.001
    assert test["by_parameter"][Y]["p_value"] > 0.5
    assert test["tests"] == 3 and test["structure"]
    assert test["adjusted_p"] == pytest.approx(3 * test["by_parameter"][X]["p_value"])
    sentence = structure_sentence(test, "p_split", LABELS)
    assert sentence.startswith("P(split) does not differ detectably between single design points")
    assert "but pooled along the swept parameters it varies with US offer to Moscow" in sentence
    assert "not detectably with Russia's extra fear of China (0-1)" in sentence


def test_sensitivity_designs_are_not_pooled_along_their_parameters(tmp_path):
    # Saltelli's design repeats its base rows across columns: a parameter's bins would
    # differ by the other values they hold, so only the test across points applies.
    data = sweep_file() | {"design": "sobol", "points": 4}
    data["levers"] = [{"parameter": X, "low": 0.0, "high": 1.0}]
    data["uncertain"] = [{"parameter": Y, "low": 0.0, "high": 0.9}]
    data["analysis"] = {"discovery": False}
    plan = load_sweep(write_toml(tmp_path / "sobol.toml", data))
    design = plan.design.table()
    points = design.assign(scenario="s", runs=50, p_split=(design[Y] > 0.5) * 0.2)
    points["p_rupture"] = points["p_split"]
    for outcome in ("p_split", "p_rupture", "r_partnership"):
        points[f"{outcome}_low"] = points[f"{outcome}_high"] = 0.0
    points["r_partnership"] = 0.0
    test = summarise(plan, points).summary["homogeneity"]["p_split"]["s"]
    assert test["by_parameter"] == {} and test["tests"] == 1


# ------------------------------------------------------------------ coincident


def test_outcomes_equal_at_every_point_coincide_and_others_do_not():
    points = grid(lambda x, y: 0.1 * x)
    assert coincident(points, ["p_split", "p_rupture"]) == [["p_split", "p_rupture"]]
    points.loc[3, "p_rupture"] += 0.005
    assert coincident(points, ["p_split", "p_rupture"]) == []


# ------------------------------------------------------------------ the question


def test_smallest_lever_is_found_for_each_given_level():
    # 15% from an offer of 0.6 when the fear is at least 0.4, 2% everywhere else.
    points = grid(lambda x, y: 0.15 if x >= 0.6 and y >= 0.4 else 0.02)
    answer = smallest_lever(points, QUESTION, "s")
    levers = {row["given"]["value"]: row["lever"] for row in answer["by_given"]}
    assert levers == {0.0: None, 0.2: None, 0.4: {"value": 0.6}, 0.6: {"value": 0.6},
                      0.8: {"value": 0.6}}  # fmt: skip
    row = answer["by_given"][2]
    assert row["estimate"]["p"] == pytest.approx(0.15) and row["estimate"]["runs"] == 200
    sentence = smallest_lever_sentence(answer, LABELS)
    assert sentence.startswith(
        "The smallest US offer to Moscow that raises P(split) above 10% is 0.6, when Russia's "
        "extra fear of China is at least 0.4; below 0.4, no US offer to Moscow tried does."
    )
    assert "15.0% of 200 runs" in sentence


def test_smallest_lever_that_falls_with_the_given_level_is_said_level_by_level():
    # The bar falls as fear rises: 0.8 at fear 0.4, 0.4 at fear 0.8; none below 0.4.
    bar = {0.4: 0.8, 0.6: 0.6, 0.8: 0.4}
    points = grid(lambda x, y: 0.2 if y in bar and x >= bar[y] else 0.0)
    sentence = smallest_lever_sentence(smallest_lever(points, QUESTION, "s"), LABELS)
    assert sentence.startswith(
        "The smallest US offer to Moscow that raises P(split) above 10% is 0.4, when Russia's "
        "extra fear of China is 0.8; when it is 0.4, it takes 0.8; when it is 0.6, it takes "
        "0.6; below 0.4, no US offer to Moscow tried does."
    )


def test_when_no_cell_reaches_the_threshold_the_answer_gives_the_highest_and_where():
    points = grid(lambda x, y: 0.01 + 0.05 * x * y)
    answer = smallest_lever(points, QUESTION, "s")
    assert all(row["lever"] is None for row in answer["by_given"])
    assert answer["highest"]["lever"] == {"value": 1.0}
    assert answer["highest"]["given"] == {"value": 0.8}
    sentence = smallest_lever_sentence(answer, LABELS)
    assert sentence.startswith(
        "No US offer to Moscow tried raises P(split) above 10%, whatever the Russia's extra "
        "fear of China: the likeliest combination, with US offer to Moscow 1 and Russia's "
        "extra fear of China 0.8, has P(split) 5.0%"
    )


def test_the_answer_pools_the_points_of_a_cell_over_the_other_parameters():
    # Each (offer, fear) holds two points that differ in China's patronage: 5% and 25% of
    # equal runs, so the cell's share is 15% and reaches 10%; neither alone tells that.
    low = grid(lambda x, y: 0.05 if x >= 0.6 else 0.0).assign(**{Z: 0.0})
    high = grid(lambda x, y: 0.25 if x >= 0.6 else 0.0).assign(**{Z: 1.0})
    points = pd.concat([low, high], ignore_index=True)
    answer = smallest_lever(points, QUESTION, "s")
    row = answer["by_given"][0]
    assert row["lever"] == {"value": 0.6}
    assert row["estimate"]["p"] == pytest.approx(0.15)
    assert row["estimate"]["runs"] == 400 and row["estimate"]["points"] == 2


def test_drivers_are_the_parameters_whose_interval_clears_the_noise_floor():
    table = pd.DataFrame(
        {
            "parameter": ["a", "b", "c", DUMMY],
            "ST": [0.5, 0.3, 0.25, 0.2],
            "ST_conf": [0.1, 0.15, 0.01, 0.05],
        }
    )
    answer = drivers(table, "r_partnership", "sobol")
    # a: 0.5 - 0.1 > 0.2 clears; b: 0.3 - 0.15 < 0.2 does not; c: 0.25 - 0.01 clears.
    assert [e["parameter"] for e in answer["cleared"]] == ["a", "c"]
    assert answer["clear"] == 2 and answer["parameters"] == 3 and answer["floor"] == 0.2
    sentence = drivers_sentence(answer, {"a": "alpha"}, "the mean relation")
    assert sentence.startswith("The mean relation depends detectably on 2 of the 3 parameters")
    assert sentence.endswith("alpha, ST 0.500 ± 0.100; and c, ST 0.250 ± 0.010.")
    nothing = drivers(table.assign(ST_conf=0.4), "r_partnership", "sobol")
    assert nothing["clear"] == 0
    assert drivers_sentence(nothing, {}, "the mean relation").startswith(
        "No parameter's influence on the mean relation can be told from sampling noise"
    )


def test_question_must_name_a_lever_of_the_sweep(tmp_path):
    from sim.scenario.errors import InputError

    data = sweep_file() | {
        "analysis": {"question": {"ask": "smallest_lever", "threshold": 0.1, "lever": Y}}
    }
    with pytest.raises(InputError, match=r"analysis\.question\.lever"):
        load_sweep(write_toml(tmp_path / "s.toml", data))


# ------------------------------------------------------------------ the report


def sweep_file(**analysis) -> dict:
    """A grid sweep of the offer against fear, with a question (nothing is run)."""
    return {
        "name": "grid",
        "title": "Offer against fear",
        "scenarios": [str(OFFER)],
        "seed": 3,
        "design": "grid",
        "replicates": 200,
        "levers": [{"parameter": X, "values": OFFERS, "label": LABELS[X]}],
        "uncertain": [{"parameter": Y, "values": FEARS, "label": LABELS[Y]}],
        "analysis": {
            "heatmap": [[X, Y]],
            "discovery": True,
            "question": QUESTION.model_dump(exclude_none=True),
            **analysis,
        },
    }


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Plan:
    path = write_toml(tmp_path_factory.mktemp("plan") / "grid.toml", sweep_file())
    return load_sweep(path)


def points_of(plan: Plan, share, rupture=None, runs: int = 200) -> pd.DataFrame:
    """A per-point table of the plan's design with P(split) ``share(x, y)``."""
    design = plan.design.table()
    events = np.array(
        [round(share(x, y) * runs) for x, y in zip(design[X], design[Y], strict=True)]
    )
    points = design.assign(scenario="us_offer_to_moscow", runs=runs, p_split=events / runs)
    points["p_rupture"] = points["p_split"] if rupture is None else rupture(points)
    for outcome in ("p_split", "p_rupture"):
        points[f"{outcome}_low"] = points[outcome] / 2
        points[f"{outcome}_high"] = (points[outcome] + 0.05).clip(upper=1.0)
    return points


def report_of(plan: Plan, points: pd.DataFrame):
    analysis = summarise(plan, points)
    analysis.discovery = []
    analysis.summary["discovery"] = []
    analysis.summary["discovery_skipped"] = discovery_skipped(plan, analysis.summary)
    record = {"done": 1, "skipped": 0, "failed": []}
    result = sweep_result(plan, analysis, record)
    stems = [stem for stem, _, _ in view.figure_plan(result)]
    return result, stems, view.report(result, {stem: f"{stem}.png" for stem in stems})


def test_a_homogeneous_design_says_no_detectable_structure_and_draws_no_heat_map(plan):
    # 4 splits in 200 runs at every point: nothing differs but chance.
    result, stems, text = report_of(plan, points_of(plan, lambda x, y: 0.02))
    test = result.summary["homogeneity"]["p_split"]["us_offer_to_moscow"]
    assert test["p_value"] == 1.0 and not test["structure"]
    assert "P(split) shows no detectable structure" in text
    assert "p = 1.00 from 4,999 random allocations" in text
    assert not [s for s in stems if s.startswith("heatmap")]
    assert result.summary["discovery_skipped"]["p_split"].startswith("no detectable structure")
    assert "- No box: P(split) shows no detectable structure" in text
    assert "Best design points" not in text


def test_identical_outcomes_are_drawn_and_described_once(plan):
    result, stems, text = report_of(plan, points_of(plan, lambda x, y: 0.3 * x * y))
    assert result.summary["coincident"] == [["p_split", "p_rupture"]]
    assert [s for s in stems if s.startswith("heatmap")] == ["heatmap_p_split_1_us_offer_to_moscow"]
    assert "P(split) and P(rupture) coincide at every design point" in text
    assert "P(split) = P(rupture) by 2040" in text  # the one map's caption names both
    assert "the partnership ruptured in" not in text
    assert result.summary["discovery_skipped"]["p_rupture"].startswith("coincides with p_split")


def test_outcomes_that_differ_somewhere_get_a_heat_map_each(plan):
    def rupture(points: pd.DataFrame) -> pd.Series:
        return (points["p_split"] + 0.1 * (points[X] == 1.0)).clip(upper=1.0)

    result, stems, text = report_of(plan, points_of(plan, lambda x, y: 0.3 * x * y, rupture))
    assert result.summary["coincident"] == []
    assert sorted(s for s in stems if s.startswith("heatmap")) == [
        "heatmap_p_rupture_1_us_offer_to_moscow",
        "heatmap_p_split_1_us_offer_to_moscow",
    ]
    assert "coincide" not in text


def test_a_parameter_that_moves_the_outcome_gets_its_profile(plan):
    # P(split) rises with the offer and not with fear: one panel, the offer's, whose
    # points are the pooled shares at each offer.
    result, stems, text = report_of(plan, points_of(plan, lambda x, y: 0.05 + 0.2 * x))
    assert "profile_p_split_us_offer_to_moscow" in stems
    fig = view.figures(result)["profile_p_split_us_offer_to_moscow"]
    (ax,) = fig.axes
    (line,) = [ln for ln in ax.lines if ln.get_gid() == f"profile:{X}"]
    np.testing.assert_allclose(line.get_ydata(), [0.05 + 0.2 * x for x in OFFERS])
    assert "it varies with US offer to Moscow (size, 0-1) (p < 0.001)" in text


def test_the_report_answers_its_question_in_its_first_sentence(plan):
    _, _, text = report_of(plan, points_of(plan, lambda x, y: 0.15 if x >= 0.6 and y >= 0.4 else 0))
    first = text.split("\n\n")[1]
    assert text.startswith("# Offer against fear\n\n")
    assert first.startswith(
        "The smallest US offer to Moscow that raises P(split) above 10% is 0.6, when Russia's "
        "extra fear of China is at least 0.4; below 0.4, no US offer to Moscow tried does."
    )
    assert "*The sweep asks: what is the smallest US offer to Moscow at which P(split) " in text


# ------------------------------------------------------------------ scenario discovery


def test_prim_restricts_only_the_sweeps_own_parameters_unless_asked(tmp_path):
    data = sweep_file() | {"sweep_calibration": True, "design": "lhs", "points": 4}
    data["levers"] = [{"parameter": X, "low": 0.0, "high": 1.0, "label": LABELS[X]}]
    data["uncertain"] = [{"parameter": Y, "low": 0.0, "high": 0.9, "label": LABELS[Y]}]
    data["analysis"] = {"discovery": True}
    own = load_sweep(write_toml(tmp_path / "own.toml", data))
    columns = ["scenario", "point", "replicate", "run", X, Y, "w_threat", "actors.CHN.growth",
               "rupture_year", "split_year"]  # fmt: skip
    assert candidates(own, columns) == [X, Y]
    data["analysis"] |= {"discovery_behaviour": True}
    behaviour = load_sweep(write_toml(tmp_path / "behaviour.toml", data))
    assert candidates(behaviour, columns) == [X, Y, "w_threat"]


def test_prim_boxes_name_the_parameters_by_their_labels(plan, tmp_path):
    # Splits happen exactly when the fear is above 0.6; a behaviour parameter drawn per run
    # and the scenario's own sampled growth play no part and must not appear in the box.
    rng = np.random.default_rng(5)
    n = 4000
    fear = rng.uniform(0, 0.9, n)
    runs = pd.DataFrame(
        {
            "scenario": "us_offer_to_moscow",
            "point": 0,
            "replicate": 0,
            "run": np.arange(n),
            X: rng.uniform(0, 1, n),
            Y: fear,
            "actors.CHN.growth": rng.uniform(0, 1, n),
            "instability_decay": rng.uniform(1, 4, n),
            "rupture_year": np.where(fear > 0.6, 2030.0, np.nan),
            "split_year": np.where(fear > 0.6, 2031.0, np.nan),
        }
    )
    (tmp_path / "chunks" / "us_offer_to_moscow").mkdir(parents=True)
    runs.to_parquet(tmp_path / "chunks" / "us_offer_to_moscow" / "chunk-000000.parquet")
    labels = {**LABELS, "instability_decay": behaviour_label("instability_decay")}
    (box,) = discover(plan, tmp_path, "p_split", 0.99, labels)
    assert list(box["limits"]) == [Y]
    assert box["limits"][Y][0] == pytest.approx(0.6, abs=0.01)
    assert box["sentence"].startswith("Russia's extra fear of China (0-1) above 0.6")
    assert box["density"] == 1.0 and box["coverage"] > 0.95
    assert (
        behaviour_label("instability_decay") == "Fading of regime instability (instability_decay)"
    )
