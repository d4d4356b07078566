"""Tests of the sweep figures and report: synthetic tables first, then one tiny real sweep."""

from __future__ import annotations

import copy
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.figure import Figure

from sim.engine.sweep import load_sweep
from sim.experiments.sweep import SweepExperiment, SweepPayload
from sim.io import write
from sim.views import sweep as view
from sim.views import sweep_heatmap, sweep_sensitivity, sweep_time

REPO = Path(__file__).resolve().parents[1]
X, Y, Z = "levers.offer_to_moscow.size", "pairs.CHN-RUS.fear.RUS", "actors.CHN.patronage"
LABELS = {X: "US offer to Moscow (size, 0-1)", Y: "Russia's extra fear of China (0-1)"}


def grid_points(xs, ys, events, runs=200, scenario="s"):
    """A per-point table of a grid: ``events[j][i]`` runs with a split at ``(xs[i], ys[j])``."""
    rows = []
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            k = events[j][i]
            rows.append(
                {
                    "scenario": scenario,
                    "point": len(rows),
                    "runs": runs,
                    "p_split": k / runs,
                    "p_split_low": max(0.0, k / runs - 0.05),
                    "p_split_high": min(1.0, k / runs + 0.05),
                    "p_rupture": min(1.0, 2 * k / runs),
                    "p_rupture_low": 0.0,
                    "p_rupture_high": 1.0,
                    X: x,
                    Y: y,
                }
            )
    return pd.DataFrame(rows)


def mesh_of(fig: Figure) -> QuadMesh:
    (mesh,) = [c for c in fig.axes[0].collections if (c.get_gid() or "").startswith("cells:")]
    return mesh


def contour_levels(fig: Figure) -> set[float]:
    return {
        float(c.get_gid().split(":")[1])
        for c in fig.axes[0].collections
        if isinstance(c, LineCollection) and (c.get_gid() or "").startswith("contour:")
    }


# ------------------------------------------------------------------ heat maps


def test_grid_heatmap_cells_are_the_points_probabilities():
    xs, ys = [0.0, 0.5, 1.0], [0.0, 0.3, 0.6, 0.9]
    events = [[0, 1, 2], [3, 4, 5], [10, 20, 40], [60, 100, 150]]
    points = grid_points(xs, ys, events)
    fig = sweep_heatmap.plot_heatmap(points, X, Y, "p_split", LABELS, "s", horizon=2040)
    cells = np.ma.getdata(mesh_of(fig).get_array()).reshape(len(ys), len(xs))
    expected = points.pivot(index=Y, columns=X, values="p_split").to_numpy()
    np.testing.assert_allclose(cells, expected)
    assert fig.axes[0].get_xlabel() == LABELS[X]
    assert fig.axes[0].get_ylabel() == LABELS[Y]
    assert "s" in fig._suptitle.get_text()
    assert fig.axes[1].get_ylabel() == "P(split) by 2040 (share of runs)"


def test_cell_pools_its_points_weighted_by_runs():
    # Two points share a cell (a third parameter varies): 10 of 100 and 150 of 300 runs
    # split, so the cell holds 160 splits in 400 runs: 0.4, not the plain mean 0.3.
    points = grid_points([0.0, 1.0], [0.0, 1.0], [[0, 0], [0, 0]], runs=100)
    extra = points.iloc[[0]].copy()
    extra["runs"] = 300
    extra["p_split"] = 0.5
    points.loc[0, "p_split"] = 0.1
    points = pd.concat([points, extra], ignore_index=True)
    cells = sweep_heatmap.heatmap_cells(points, X, Y, "p_split", "s")
    assert cells.value[0, 0] == pytest.approx(0.4)
    assert cells.runs[0, 0] == 400
    assert cells.points[0, 0] == 2


def test_sampled_design_is_binned_and_empty_bins_are_hatched():
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 1, 400), rng.uniform(0, 1, 400)
    keep = x + y < 1.0  # the upper-right triangle of the square stays empty
    points = pd.DataFrame(
        {
            "scenario": "s",
            "point": np.arange(keep.sum()),
            "runs": 40,
            "p_split": np.round(x[keep] * 40) / 40,
            X: x[keep],
            Y: y[keep],
        }
    )
    fig = sweep_heatmap.plot_heatmap(points, X, Y, "p_split", LABELS, "s")
    array = mesh_of(fig).get_array()
    assert array.shape == (sweep_heatmap.HEATMAP_BINS, sweep_heatmap.HEATMAP_BINS)
    empty = [p for p in fig.axes[0].patches if p.get_gid() == "empty"]
    assert len(empty) == int(np.ma.getmaskarray(array).sum()) > 0
    assert "8×8 bins" in fig._suptitle.get_text()


def test_contours_drawn_are_exactly_the_levels_the_cells_straddle():
    # Cells from 0% to 60%: the 10% and 50% contours exist, the 90% one cannot.
    points = grid_points([0.0, 1.0, 2.0], [0.0, 1.0], [[0, 10, 30], [40, 80, 120]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = sweep_heatmap.plot_heatmap(points, X, Y, "p_split", LABELS, "s")
    assert contour_levels(fig) == {0.1, 0.5}
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["10% contour", "50% contour"]


def test_heatmap_without_any_split_has_no_contour_and_no_error():
    points = grid_points([0.0, 1.0], [0.0, 1.0], [[0, 0], [0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = sweep_heatmap.plot_heatmap(points, X, Y, "p_split", LABELS, "s")
    assert contour_levels(fig) == set()
    assert np.ma.getdata(mesh_of(fig).get_array()).max() == 0.0


def test_contour_follows_the_edges_between_cells_above_and_below():
    # 2 x 2 cells with edges at 0, 1, 2 on both axes; only the lower-right cell is at
    # or above 10%, so the 10% contour is its left edge and its top edge.
    points = grid_points([0.5, 1.5], [0.5, 1.5], [[0, 40], [0, 0]])
    cells = sweep_heatmap.heatmap_cells(points, X, Y, "p_split", "s")
    segments = sweep_heatmap.contour_segments(cells, 0.1)
    assert sorted(segments) == sorted([((1.0, 0.0), (1.0, 1.0)), ((1.0, 1.0), (2.0, 1.0))])
    assert sweep_heatmap.contour_segments(cells, 0.5) == []


def test_heatmap_rejects_an_unknown_outcome_and_an_ambiguous_scenario():
    points = grid_points([0.0, 1.0], [0.0, 1.0], [[0, 1], [2, 3]])
    with pytest.raises(ValueError, match="outcome"):
        sweep_heatmap.heatmap_cells(points, X, Y, "p_war")
    both = pd.concat([points, points.assign(scenario="t")])
    with pytest.raises(ValueError, match="several scenarios"):
        sweep_heatmap.heatmap_cells(both, X, Y, "p_split")


# ------------------------------------------------------------ other figures


def make_curves(groups=("0", "0.45", "0.9"), scenarios=("s",)):
    rows = []
    for scenario in scenarios:
        for k, group in enumerate(groups):
            for year in range(2024, 2041):
                p = 0.1 * k * (year - 2024) / 16
                rows.append(
                    {
                        "scenario": scenario,
                        "group": group,
                        "year": float(year),
                        "p": p,
                        "low": max(0.0, p - 0.02),
                        "high": p + 0.02,
                    }
                )
    frame = pd.DataFrame(rows)
    frame["group"] = pd.Categorical(frame["group"], categories=list(groups), ordered=True)
    return frame


def test_time_to_split_draws_a_curve_and_band_per_group_in_order():
    groups = ("0", "0.45", "0.9")
    fig = sweep_time.plot_time_to_split(make_curves(groups), "Russia's fear (0-1)", horizon=2040)
    ax = fig.axes[0]
    curves = [line for line in ax.lines if (line.get_gid() or "").startswith("curve:")]
    assert [c.get_gid() for c in curves] == [f"curve:s:{g}" for g in groups]
    bands = [c for c in ax.collections if (c.get_gid() or "").startswith("band:")]
    assert len(bands) == len(groups)
    styles = {(str(c.get_linestyle()), c.get_marker()) for c in curves}
    assert len(styles) == len(groups)  # told apart without colour
    legend = fig.legends[0]
    assert legend.get_title().get_text().startswith("Russia's fear (0-1)")
    texts = [t.get_text() for t in legend.get_texts()]
    assert [t.split()[0] for t in texts[: len(groups)]] == list(groups)
    assert texts[-1] == "95% interval (Wilson)"


def test_time_to_split_has_one_panel_per_scenario():
    fig = sweep_time.plot_time_to_split(make_curves(scenarios=("a", "b")), "fear")
    assert [ax.get_title() for ax in fig.axes] == ["scenario a", "scenario b"]


def sobol_table(n=25):
    rng = np.random.default_rng(3)
    st = rng.uniform(0, 0.6, n)
    return pd.DataFrame(
        {
            "parameter": [f"param_{i}" for i in range(n)],
            "S1": st * 0.5,
            "S1_conf": 0.02,
            "ST": st,
            "ST_conf": 0.03,
        }
    )


def test_sobol_bars_show_the_top_20_sorted_by_total_index():
    table = sobol_table(25)
    fig = sweep_sensitivity.plot_sensitivity(table, "p_split", "sobol")
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    expected = table.sort_values("ST", ascending=False)["parameter"].head(20).tolist()
    assert shown == expected  # ticks from the top of the axes: the most influential first
    assert ax.get_yticks()[0] == max(ax.get_yticks())
    containers = {c.get_label(): c for c in ax.containers}
    assert len(containers["ST"].patches) == len(containers["S1"].patches) == 20
    assert "20 most influential of 25" in fig._suptitle.get_text()


def test_morris_bars_show_mu_star_with_all_parameters_when_few():
    table = pd.DataFrame(
        {
            "parameter": ["a", "b", "c"],
            "mu_star": [0.3, 0.1, 0.2],
            "mu_star_conf": [0.05, 0.02, 0.04],
            "sigma": [0.1, 0.05, 0.3],
        }
    )
    fig = sweep_sensitivity.plot_sensitivity(table, "p_rupture", "morris", labels={"a": "alpha"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["alpha", "c", "b"]
    (bars,) = [c for c in ax.containers if c.get_label() == "mu_star"]
    assert [p.get_width() for p in bars.patches] == pytest.approx([0.3, 0.2, 0.1])
    assert "all 3 parameters" in fig._suptitle.get_text()
    assert "P(rupture)" in ax.get_xlabel()


def test_sensitivity_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        sweep_sensitivity.plot_sensitivity(sobol_table(3), "p_split", "fast")


# --------------------------------------------------------- end-to-end sweep


SWEEP = f"""
name = "tiny_offer_fear"
title = "Tiny offer against fear"
scenarios = ["{REPO / "scenarios" / "us_offer_to_moscow.toml"}"]
seed = 11
design = "grid"
replicates = 160
chunk_size = 64

[[levers]]
parameter = "{X}"
values = [0.5, 1.0]
label = "US offer to Moscow (size, 0-1)"

[[uncertain]]
parameter = "{Y}"
values = [0.0, 0.9]
label = "Russia's extra fear of China (0-1)"

[analysis]
heatmap = [["{X}", "{Y}"]]
group_by = "{Y}"
discovery = false  # PRIM (EMA Workbench) costs seconds to import; its report part is tested below
"""


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    """A real 2 x 2 grid sweep, run, analysed and written once for the tests below."""
    root = tmp_path_factory.mktemp("sweep")
    path = root / "tiny.toml"
    path.write_text(SWEEP)
    plan = load_sweep(path)
    out = root / "out"
    result = SweepExperiment(plan, out).run(plan.sweep.seed)
    write(result, out, ["wedge", "sweep", str(path)])
    written = sorted(p for p in out.iterdir() if p.is_file())
    return result, out, written


def changed(result, summary=None, plan=None, **tables):
    """A copy of a sweep's result with another summary, plan or analysis tables."""
    analysis = copy.copy(result.payload.analysis)
    for name, table in tables.items():
        setattr(analysis, name, table)
    new = copy.copy(result)
    new.summary = summary if summary is not None else copy.deepcopy(result.summary)
    new.payload = SweepPayload(plan or result.payload.plan, analysis)
    return new


def test_sweep_report_names_every_figure_and_every_figure_exists(finished_sweep):
    result, out, written = finished_sweep
    report = out / "report.md"
    assert report in written
    text = report.read_text(encoding="utf-8")
    pngs = [p for p in written if p.suffix == ".png"]
    # Every rupture here goes on to a split: one heat map shows both.
    assert result.summary["coincident"] == [["p_split", "p_rupture"]]
    # Fear moves P(split) (0 against 0.9): its profile is drawn too.
    assert {p.stem for p in pngs} == {
        "heatmap_p_split_1_us_offer_to_moscow",
        "profile_p_split_us_offer_to_moscow",
        "time_to_split",
    }
    assert "P(split) and P(rupture) coincide at every design point" in text
    for png in pngs:
        assert f"]({png.name})" in text
        assert png.stat().st_size > 0
        assert png.with_suffix(".svg").is_file()
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(linked) == sorted(p.name for p in pngs)
    for name in ("points.csv", "points.parquet", "summary.json", "manifest.json", "sweep.json"):
        assert (out / name).is_file()
    assert (out / "chunks").is_dir()


def test_sweep_report_states_the_headline_in_words(finished_sweep):
    result, out, _ = finished_sweep
    summary = result.summary
    text = (out / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Tiny offer against fear")
    p = summary["overall"]["us_offer_to_moscow"]["p_split"]
    assert p["value"] > 0  # high fear: some runs split
    assert f"{100 * p['value']:.1f}%" in text
    best = summary["overall"]["us_offer_to_moscow"]["best_point"]
    assert f"point {best['point']}, with US offer to Moscow (size, 0-1) = " in text
    assert (
        "| US offer to Moscow (size, 0-1) | `levers.offer_to_moscow.size` | lever | 0.5, 1 |"
        in (text)
    )
    assert "## Where splits concentrate" in text
    assert "failed" not in text


def test_sweep_heatmap_cells_and_contours_match_the_points_table(finished_sweep):
    result, out, _ = finished_sweep
    points = pd.read_parquet(out / "points.parquet")
    fig = sweep_heatmap.plot_heatmap(
        points, X, Y, "p_split", result.summary["parameters"], "us_offer_to_moscow"
    )
    cells = np.ma.getdata(mesh_of(fig).get_array()).reshape(2, 2)
    table = points.pivot(index=Y, columns=X, values="p_split").sort_index().sort_index(axis=1)
    np.testing.assert_allclose(cells, table.to_numpy())
    # In a full 2 x 2 grid every two cells are linked through a neighbour, so a level
    # has a contour exactly when some cell is at or above it and some below it.
    p = table.to_numpy().ravel()
    expected = {lv for lv in (0.1, 0.5, 0.9) if (p >= lv).any() and (p < lv).any()}
    assert contour_levels(fig) == expected
    assert contour_levels(fig) <= set(sweep_heatmap.CONTOUR_LEVELS)


def test_sweep_report_lists_discovery_boxes_and_failed_chunks(finished_sweep):
    result, _, _ = finished_sweep
    summary = copy.deepcopy(result.summary)
    summary["discovery"] = [
        {
            "outcome": "p_split",
            "sentence": "Russia's extra fear of China (0-1) above 0.75: P(split) 0.40, holding "
            "80% of all splits (50% of runs)",
            "density": 0.4,
            "coverage": 0.8,
            "mass": 0.5,
            "base_rate": 0.2,
        }
    ]
    summary["discovery_skipped"] = {}
    summary["failed_chunks"] = [{"scenario": "us_offer_to_moscow", "chunk": 3, "error": "E"}]
    plan = result.payload.plan
    plan = plan.__class__(
        plan.sweep.model_copy(
            update={"analysis": plan.sweep.analysis.model_copy(update={"discovery": True})}
        ),
        plan.path,
        plan.inputs,
        plan.design,
    )
    text = view.report(changed(result, summary, plan), {})
    section = text.split("## Where splits concentrate")[1]
    assert f"- {summary['discovery'][0]['sentence']}. Over all runs: 20.0%." in section
    assert "1 chunk failed (us_offer_to_moscow chunk 3)" in text


def test_sweep_report_without_any_split_says_so(finished_sweep):
    result, _, _ = finished_sweep
    analysis = result.payload.analysis
    points = analysis.points.copy()
    points[["p_split", "p_split_low"]] = 0.0
    curves = analysis.curves.copy()
    curves[["p", "low"]] = 0.0
    none = copy.deepcopy(result.summary)
    for entry in none["overall"].values():
        entry["p_split"] = {"value": 0.0, "low": 0.0, "high": 0.015}
        entry["best_point"]["p_split"] = 0.0
    none["discovery"] = []
    for test in none["homogeneity"]["p_split"].values():
        test |= {"events": 0, "statistic": 0.0, "p_value": 1.0, "structure": False}
    nothing = changed(result, none, points=points, curves=curves)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = view.figures(nothing)
    text = view.report(nothing, {stem: f"{stem}.png" for stem in figures})
    assert "No run split at any design point" in text
    assert "No run split, so there is nowhere for splits to concentrate." in text
    assert "Best design points" not in text
    # A map of zeros would say nothing: the test finds no structure, so none is drawn.
    assert not any(stem.startswith("heatmap_p_split") for stem in figures)
    assert "time_to_split" in figures


def test_a_dummy_parameter_draws_the_noise_floor_at_its_total_index():
    from sim.engine.design import DUMMY

    table = sobol_table(8)
    table.loc[len(table)] = [DUMMY, 0.01, 0.02, 0.123, 0.03]
    fig = sweep_sensitivity.plot_sensitivity(table, "r_partnership", "sobol")
    ax = fig.axes[0]
    floors = [line for line in ax.get_lines() if "noise floor" in str(line.get_label())]
    assert len(floors) == 1
    assert floors[0].get_xdata()[0] == pytest.approx(0.123)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("noise floor" in t for t in legend)


def test_only_parameters_whose_whole_interval_clears_the_dummy_are_named():
    from sim.engine.design import DUMMY
    from sim.views.sweep_report import floor_sentence as _floor_sentence

    table = pd.DataFrame(
        {
            "parameter": ["a", "b", "c", DUMMY],
            "ST": [0.5, 0.3, 0.12, 0.2],
            "ST_conf": [0.1, 0.15, 0.01, 0.05],
        }
    )
    floor = table.loc[table["parameter"] == DUMMY, "ST"]
    text = _floor_sentence(table, "ST", floor, {"a": "alpha"})
    # a: 0.5 - 0.1 > 0.2 clears; b: 0.3 - 0.15 = 0.15 does not; c is below; the dummy is not.
    assert "1 of them clears the noise floor (ST 0.200)" in text and text.endswith(": alpha.")
    assert _floor_sentence(table, "ST", floor.iloc[:0], {}) == ""
