"""Tests of the plotting and report layer on small synthetic frames that follow the contract."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from sim import formats
from sim.views import figures as plots
from sim.views import run as report
from sim.views import style, triangle

CONFIGS = ["menage_a_trois", "romantic_triangle", "stable_marriage", "unit_veto"]
NAMES = {"CHN": "China", "RUS": "Russia", "USA": "United States", "IND": "India"}


def make_trajectories(actors: tuple[str, ...], steps: int = 20, start: float = 2025.0):
    """Quantiles that differ by pair and step, so a mix-up between them shows."""
    rows = []
    years = start + 0.25 * np.arange(steps)
    for k, (a, b) in enumerate(itertools.combinations(actors, 2)):
        for i, year in enumerate(years):
            med = math.sin(0.3 * i + k) * 0.5
            w = 0.05 + 0.01 * i
            rows.append(
                {
                    "step": i,
                    "year": float(year),
                    "pair": f"{a}-{b}",
                    "a": a,
                    "b": b,
                    "mean": med + 0.01,
                    "q05": med - 3 * w,
                    "q25": med - w,
                    "q50": med,
                    "q75": med + w,
                    "q95": med + 3 * w,
                    "p_aligned": 0.3,
                    "p_hostile": 0.2,
                    "crisis_hazard": 0.1,
                }
            )
    return pd.DataFrame(rows)


def make_configurations(actors: tuple[str, ...], steps: int = 20, start: float = 2025.0):
    rows = []
    for triad in itertools.combinations(actors, 3):
        for i in range(steps):
            w = np.array([1.0, 2.0 + 0.1 * i, 3.0, 1.0 + 0.2 * i])
            w = w / w.sum()
            for conf, share in zip(CONFIGS, w, strict=True):
                rows.append(
                    {
                        "step": i,
                        "year": start + 0.25 * i,
                        "triad": "-".join(triad),
                        "configuration": conf,
                        "share": float(share),
                    }
                )
    return pd.DataFrame(rows)


def make_events(steps: int = 20, start: float = 2025.0):
    rows = []
    for event, scale in (("rupture", 0.4), ("split", 0.2)):
        for i in range(steps):
            p = scale * i / (steps - 1)
            rows.append(
                {
                    "year": start + 0.25 * i,
                    "event": event,
                    "p": p,
                    "low": max(0.0, p - 0.03),
                    "high": min(1.0, p + 0.03),
                }
            )
    return pd.DataFrame(rows)


def make_summary(actors: tuple[str, ...] = ("CHN", "RUS", "USA"), **over):
    summary = {
        "scenario": "synthetic",
        "title": "Synthetic test scenario",
        "runs": 500,
        "seed": 7,
        "start_year": 2025.0,
        "horizon": 2029.75,
        "partnership": ["CHN", "RUS"],
        "third": "USA",
        "p_rupture": {"value": 0.2345, "low": 0.1987, "high": 0.2741},
        "p_split": {"value": 0.0812, "low": 0.0603, "high": 0.1085},
        "median_split_year": 2028.5,
        "median_rupture_year": 2027.25,
        "configurations_at_horizon": {
            "menage_a_trois": 0.05,
            "romantic_triangle": 0.25,
            "stable_marriage": 0.5,
            "unit_veto": 0.2,
        },
        "thresholds": {"aligned": 0.25, "hostile": -0.25},
        "actors": {a: NAMES[a] for a in actors},
    }
    summary.update(over)
    return summary


@pytest.fixture(scope="module")
def three():
    actors = ("CHN", "RUS", "USA")
    return make_trajectories(actors), make_configurations(actors), make_events(), make_summary()


@pytest.fixture(scope="module")
def four():
    actors = ("CHN", "RUS", "USA", "IND")
    return make_trajectories(actors), make_configurations(actors), make_summary(actors)


def titled(fig: Figure) -> str:
    sup = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return sup + " ".join(ax.get_title() for ax in fig.axes)


def by_gid(fig: Figure, gid: str):
    axes = [*fig.axes, *(child for ax in fig.axes for child in ax.child_axes)]
    found = [a for ax in axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


# ---------------------------------------------------------------------- figures


def test_fans_three_pairs_labelled(three):
    traj, _, _, summary = three
    fig = plots.plot_fans(traj, summary)
    assert isinstance(fig, Figure)
    assert "Relations between pairs" in fig._suptitle.get_text()
    assert [ax.get_title() for ax in fig.axes] == [
        "China – Russia",
        "China – United States",
        "Russia – United States",
    ]
    assert fig.axes[0].get_ylabel() == "relation r (-1 hostile, +1 allied)"
    assert all(ax.get_xlabel() == "year" for ax in fig.axes)
    assert fig.legends and len(fig.legends[0].get_texts()) == 4
    # dashed threshold lines at +0.25 and -0.25 in every panel
    for ax in fig.axes:
        levels = {round(ln.get_ydata()[0], 6) for ln in ax.lines if ln.get_linestyle() == "--"}
        assert {0.25, -0.25} <= levels


def test_fans_bands_match_quantiles(three):
    traj, _, _, summary = three
    fig = plots.plot_fans(traj, summary)
    for pair, df in traj.groupby("pair"):
        for gid, lo, hi in (("band90", "q05", "q95"), ("band50", "q25", "q75")):
            band = by_gid(fig, f"{gid}:{pair}")
            assert isinstance(band, PolyCollection)
            verts = np.concatenate([p.vertices for p in band.get_paths()])
            for _, row in df.iterrows():
                ys = verts[np.isclose(verts[:, 0], row["year"]), 1]
                assert ys.min() == pytest.approx(row[lo])
                assert ys.max() == pytest.approx(row[hi])
        line = by_gid(fig, f"median:{pair}")
        np.testing.assert_allclose(line.get_xdata(), df["year"])
        np.testing.assert_allclose(line.get_ydata(), df["q50"])


def test_fans_grid_for_six_pairs(four):
    traj, _, summary = four
    fig = plots.plot_fans(traj, summary)
    assert len(fig.axes) == 6
    shapes = {ax.get_subplotspec().get_gridspec().get_geometry() for ax in fig.axes}
    assert shapes == {(2, 3)}
    assert fig.axes[0].get_title() == "China – Russia"  # the watched partnership first
    assert sum(ax.get_ylabel() != "" for ax in fig.axes) == 2
    assert sum(ax.get_xlabel() == "year" for ax in fig.axes) == 3


def test_year_ticks_are_integers(three):
    traj, _, _, summary = three
    fig = plots.plot_fans(traj, summary)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d{4}", t) for t in labels)


def test_cumulative(three):
    _, _, events, summary = three
    fig = plots.plot_cumulative(events, summary)
    (ax,) = fig.axes
    assert fig._suptitle.get_text().startswith("Cumulative probability")
    assert ax.get_xlabel() == "year"
    assert ax.get_ylabel() == "probability (share of runs)"
    assert ax.get_ylim() == (0.0, 1.0)
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "23.4% by 2029.75" in legend and "8.1% by 2029.75" in legend
    for event, df in events.groupby("event"):
        np.testing.assert_allclose(by_gid(fig, f"p:{event}").get_ydata(), df["p"])
        verts = np.concatenate([p.vertices for p in by_gid(fig, f"band:{event}").get_paths()])
        assert verts[:, 1].min() == pytest.approx(df["low"].min())
        assert verts[:, 1].max() == pytest.approx(df["high"].max())
    # the two curves differ by more than colour (greyscale)
    styles = {(ln.get_linestyle(), ln.get_marker()) for ln in ax.lines}
    assert len(styles) == 2


def test_cumulative_zooms_on_small_probabilities():
    events = make_events()
    events[["p", "low", "high"]] *= 0.05  # every band below 0.025
    fig = plots.plot_cumulative(events, make_summary())
    (main,) = fig.axes
    (inset,) = main.child_axes
    assert main.get_ylim() == (0.0, 1.0)  # the main scale stays 0-1
    assert inset.get_ylim()[1] == pytest.approx(0.05)
    assert "zoom" in inset.get_title()
    np.testing.assert_allclose(
        by_gid(fig, "zoom-p:rupture").get_ydata(), events.loc[events.event == "rupture", "p"]
    )
    # no inset when the curves already read on the 0-1 scale
    assert not plots.plot_cumulative(make_events(), make_summary()).axes[0].child_axes


def test_configurations_stack(three):
    _, conf, _, summary = three
    fig = plots.plot_configurations(conf, "CHN-RUS-USA", summary["actors"])
    (ax,) = fig.axes
    assert "China – Russia – United States" in fig._suptitle.get_text()
    assert ax.get_xlabel() == "year" and ax.get_ylabel() == "share of runs"
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    for label in ("ménage à trois", "romantic triangle", "stable marriage", "unit veto"):
        assert label in legend
    hatches = [by_gid(fig, f"configuration:{c}").get_hatch() or "" for c in CONFIGS]
    assert len(set(hatches)) == 4  # each layer distinct in greyscale
    top = by_gid(fig, "configuration:unit_veto").get_paths()[0].vertices
    assert top[:, 1].max() == pytest.approx(1.0)  # shares stack to 1


def test_configurations_four_actor_triads(four):
    _, conf, _ = four
    for triad in sorted(set(conf["triad"])):
        fig = plots.plot_configurations(conf, triad)
        assert triad.replace("-", " – ") in fig._suptitle.get_text()
    # members in another order name the same triad; an unknown one is a clear error
    assert plots.plot_configurations(conf, "USA-RUS-CHN")
    with pytest.raises(ValueError, match="no triad"):
        plots.plot_configurations(conf, "CHN-RUS-XXX")


def test_triangle_picks_nearest_step(three):
    traj, _, _, summary = three
    fig = triangle.plot_triangle(traj, summary, [2024.0, 2026.1, 2026.4, 2100.0])
    assert [ax.get_title() for ax in fig.axes] == ["2025", "2026", "2026.5", "2029.75"]
    assert "watched triangle" in fig._suptitle.get_text()
    # the edge labels carry the median at the chosen step
    at = traj.set_index(["year", "pair"])
    for ax, year in zip(fig.axes, (2025.0, 2026.0, 2026.5, 2029.75), strict=True):
        for pair in ("CHN-RUS", "RUS-USA", "CHN-USA"):
            expected = formats.format_relation(at.loc[(year, pair), "q50"])
            label = [t for t in ax.texts if t.get_gid() == f"label:{pair}"]
            assert [t.get_text() for t in label] == [expected]
        names = {t.get_text() for t in ax.texts}
        assert {"China", "Russia", "United States"} <= names
    assert plots.nearest_years([2025.0, 2025.25, 2025.5], [2025.125]) == [2025.0]


def test_triangle_edge_style_encodes_state():
    traj = make_trajectories(("CHN", "RUS", "USA"), steps=2)
    traj.loc[traj["pair"] == "CHN-RUS", "q50"] = 0.6
    traj.loc[traj["pair"] == "CHN-USA", "q50"] = 0.0
    traj.loc[traj["pair"] == "RUS-USA", "q50"] = -0.25  # at the threshold: hostile
    fig = triangle.plot_triangle(traj, make_summary(), [2025.0])
    (ax,) = fig.axes
    edges = {ln.get_gid(): ln for ln in ax.lines if (ln.get_gid() or "").startswith("edge:")}
    assert set(edges) == {"edge:CHN-RUS:aligned", "edge:CHN-USA:neutral", "edge:RUS-USA:hostile"}
    # dash pattern (none when solid), width and colour differ between the three states;
    # get_linestyle() reports every custom dash pattern as "--", so read the pattern itself
    patterns = {str(ln._unscaled_dash_pattern) for ln in edges.values()}
    colours = {ln.get_color() for ln in edges.values()}
    assert len(patterns) == 3 and len(colours) == 3
    assert edges["edge:CHN-RUS:aligned"].get_linestyle() == "-"
    assert (
        edges["edge:CHN-RUS:aligned"].get_linewidth()
        > edges["edge:RUS-USA:hostile"].get_linewidth()
    )
    assert len(fig.legends[0].get_texts()) == 3


def test_triangle_default_years_and_missing_pair(three):
    traj, _, _, summary = three
    fig = triangle.plot_triangle(traj, summary)
    assert [ax.get_title() for ax in fig.axes] == ["2025", "2027.25", "2029.75"]
    with pytest.raises(ValueError, match="no pair"):
        triangle.plot_triangle(traj[traj["pair"] != "RUS-USA"], summary, [2025.0])


def test_every_figure_titled_and_labelled(three, four):
    traj, conf, events, summary = three
    figs = [
        plots.plot_fans(traj, summary),
        plots.plot_cumulative(events, summary),
        plots.plot_configurations(conf, "CHN-RUS-USA"),
        plots.plot_fans(four[0], four[2]),
    ]
    for fig in figs:
        assert titled(fig).strip()
        assert fig.legends
        assert any(ax.get_xlabel() for ax in fig.axes)
        assert any(ax.get_ylabel() for ax in fig.axes)


def test_missing_column_is_a_clear_error(three):
    traj, _, events, summary = three
    with pytest.raises(ValueError, match=r"missing column\(s\) \['q05'\]"):
        plots.plot_fans(traj.drop(columns="q05"), summary)
    with pytest.raises(ValueError, match="empty"):
        plots.plot_cumulative(events.iloc[:0], summary)


def test_save_figure(tmp_path, three):
    traj, _, _, summary = three
    fig = triangle.plot_triangle(traj, summary, [2025.0])
    paths = style.save_figure(fig, tmp_path / "sub" / "triangle.v1")
    assert [p.name for p in paths] == ["triangle.v1.png", "triangle.v1.svg"]
    png, svg = paths
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "<dc:date>" not in text


# ----------------------------------------------------------------------- report


def test_write_report(tmp_path):
    summary = make_summary()
    figures = {
        "fans": "fans.png",
        "cumulative": "cumulative.png",
        "configurations_CHN-RUS-USA": "configurations_CHN-RUS-USA.png",
        "triangle": "triangle.png",
    }
    text = report.report_markdown(summary, figures)
    assert text.startswith("# Synthetic test scenario\n")
    for share in ("23.4%", "19.9%", "27.4%", "8.1%", "6.0%", "10.8%"):
        assert share in text
    assert "(95% interval 19.9% to 27.4%)" in text
    assert "Half of the runs had split by 2028.5" in text
    assert "| P(rupture of China – Russia) | 23.4% | 19.9%–27.4% |" in text
    for label, share in (("ménage à trois", "5.0%"), ("stable marriage", "50.0%")):
        assert re.search(rf"\| {label} \|.*\| {re.escape(share)} \|", text)
    for number, name in enumerate(figures.values(), start=1):
        assert re.search(rf"!\[[^\]]*\]\({re.escape(name)}\)", text)
        assert f"*Figure {number}." in text
    assert "(CHN-RUS-USA)" in text  # suffixed key keeps the triad in its caption


def test_report_without_median_split(tmp_path):
    summary = make_summary(median_split_year=None, median_rupture_year=None)
    text = report.report_markdown(summary, {})
    assert "Fewer than half of the runs split by 2029.75, so there is no median split year." in text
    assert "fewer than half of the runs ruptured" in text
    assert "## Figures" not in text
    table = report.format_summary_table(summary)
    assert "fewer than half of the runs split" in table


def test_summary_table_fixed_width():
    table = report.format_summary_table(make_summary())
    assert "\x1b" not in table  # no colour codes
    lines = table.splitlines()
    assert lines[0] == "Synthetic test scenario"
    row = next(line for line in lines if line.startswith("P(rupture CHN-RUS)"))
    assert "23.4%" in row and "19.9% - 27.4%" in row
    # numbers line up in one column
    ends = {line.index("%") for line in lines if line.startswith(("P(", "ménage", "unit veto"))}
    assert len(ends) == 1
    assert max(len(line) for line in lines) < 100


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.2345, "23.4%"), (0.0, "0.0%"), (1.0, "100.0%"), (None, "n/a"), (float("nan"), "n/a")],
)
def test_format_share(value, text):
    assert formats.format_share(value) == text


@pytest.mark.parametrize(
    ("year", "text"), [(2045.0, "2045"), (2031.25, "2031.25"), (2038.5, "2038.5"), (None, "n/a")]
)
def test_format_year(year, text):
    assert formats.format_year(year) == text
