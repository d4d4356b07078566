"""Hindcast validation 1949-1975: the model against the Sino-Soviet record.

From the situation of late 1949 (``scenarios/history/sino_soviet_1949.toml``),
with only exogenous events scheduled, the model should reproduce what history
did (BRIEF section 5): the alliance of the early 1950s, its rupture around
1958-1963, the height of armed tension in 1969, a United States hostile to both
communist powers through the 1960s, then the US-China opening and detente.

The targets are data (:data:`TARGETS`): what history says, the data set behind
it, how the model output is measured and the pass rule, each defined once. The
rules read only the structure of the ensemble's runs table (``rupture_year``,
``worst_year``, ``peak_hazard_year`` and the ``r_<pair>@<year>`` snapshot
columns), never the current numbers of the model or its calibration, so they keep
working while mechanisms and calibration change.

Years in the rules are calendar years: "by 1965" means before 1 January 1966, a
median year "in 1957-1964" means from 1 January 1957 to the end of 1964, and the
snapshot of year ``Y`` is the simulated step in ``Y`` nearest to ``Y`` plus the
scenario's start offset (1950.75, 1951.75, ... for a start in 1949.75).

Outputs of :func:`write_validation`: ``scorecard.json``, ``report.md``,
``hindcast.png`` / ``.svg``, ``runs.parquet`` (with the snapshots),
``trajectories.csv`` and ``manifest.json``.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MultipleLocator, NullLocator

from sim.defaults import DEFAULT_SEED
from sim.engine.ensemble import (
    CHUNK,
    EnsembleResult,
    Inputs,
    behaviour_draws,
    merge,
    proportion,
    run_chunk,
)
from sim.outcomes import pair_name
from sim.paths import REPO
from sim.scenario.errors import InputError
from sim.views.figures import TRAJECTORY_COLUMNS, pair_order
from sim.views.run import behaviour_sentence
from sim.views.style import (
    FAN_COLOUR,
    OKABE_ITO,
    STYLE,
    YEAR_LABEL,
    fan_legend_handles,
    new_figure,
    require,
    save_figure,
    suptitle,
    year_axis,
)
from sim.views.words import (
    format_interval,
    format_relation,
    format_share,
    format_year,
    group_label,
    thresholds_of,
)

DEFAULT_SCENARIO = Path("scenarios") / "history" / "sino_soviet_1949.toml"
"""Default hindcast scenario, relative to the working folder (else to the repository)."""

MILESTONES = REPO / "data" / "milestones_1945_1975.csv"
"""Dated events 1945-1975, ``kind`` exogenous / outcome / context (data/README.md)."""

MIDS = REPO / "data" / "mids_cow_v5_1946_1975.csv"
"""COW militarised interstate disputes 1946-1975, one row per dispute-year (data/README.md)."""

CLASH_PAIR = ("CHN", "RUS")
"""Pair whose crises the scorecard sets against the dispute record."""

CLASH_WINDOWS: tuple[tuple[int, int], ...] = (
    (1950, 1957),
    (1958, 1963),
    (1964, 1969),
    (1970, 1975),
)
"""Calendar-year windows of the clash record: alliance, rupture, border disputes, after 1969."""

FIRST_YEAR, LAST_YEAR = 1950, 1975
"""Calendar years with a yearly snapshot of every pair's relation."""

ACTORS = ("USA", "CHN", "RUS")
"""Actors the targets refer to; the scenario must have them, in any order."""

SHAPE_PAIRS: tuple[tuple[str, str], ...] = (("CHN", "RUS"), ("USA", "CHN"), ("USA", "RUS"))
"""Pairs whose relation is summarised window by window, named as in :data:`TARGETS`."""

WINDOW_YEARS = 4
"""Calendar years per window of the shape summary (the last window takes what is left)."""

TURN_PAIRS: tuple[tuple[str, str], ...] = (("USA", "CHN"), ("USA", "RUS"))
"""Pairs whose turn after 1968 is measured (the opening and easing targets' pairs)."""

TURN_YEARS = (1962, 1968, 1974)
"""Snapshot years of the turn: the 1968-1974 span of the opening and easing targets, and the
six years before it."""

# ---------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """One hindcast target: what history says and how the model output is judged.

    ``kind`` selects the rule; the other fields are its parameters. ``measure``
    and ``rule`` are written from those parameters, so the words cannot drift
    from the check.

    Kinds
    -----
    ``aligned_throughout``
        Share of runs whose ``pair`` is aligned at every snapshot of ``years``;
        passes if at least ``at_least``.
    ``rupture``
        Share of runs whose watched partnership ruptured by the end of
        ``years[-1]`` at least ``at_least``, and median rupture year (runs
        without one count as later than any year) inside ``window``.
    ``median_year``
        Median over runs of the year column ``column`` inside ``window``.
    ``hostile_median``
        Median relation of ``pair`` at or below the hostile threshold at every
        snapshot of ``years``.
    ``not_hostile_any``
        Share of runs whose ``pair`` is above the hostile threshold at one or
        more snapshots of ``years``; passes if at least ``at_least``.
    ``median_rises``
        Median relation of ``pair`` at ``years[1]`` above its median at
        ``years[0]`` by at least ``at_least`` (relation units).
    """

    key: str
    name: str
    history: str
    source: str
    kind: str
    pair: tuple[str, str] = ("CHN", "RUS")
    years: tuple[int, ...] = ()
    window: tuple[int, int] = (0, 0)
    column: str = ""
    at_least: float = 0.5

    def measure(self, thresholds: Mapping[str, float]) -> str:
        """How the model output is measured, in words."""
        pair, span = "-".join(self.pair), _span(self.years)
        match self.kind:
            case "aligned_throughout":
                return (
                    f"share of runs whose {pair} relation is aligned "
                    f"(r ≥ {format_relation(thresholds['aligned'])}) at every yearly "
                    f"snapshot {span}"
                )
            case "rupture":
                return (
                    f"share of runs whose {pair} alliance has ruptured by the end of "
                    f"{self.years[-1]} (a hostile spell after alignment, lasting the "
                    "persistence time, dated to its start); median rupture year over all "
                    "runs, a run without rupture counting as later than any year"
                )
            case "median_year":
                return f"median over runs of `{self.column}` ({_COLUMN_WORDS[self.column]})"
            case "hostile_median":
                return f"median {pair} relation across runs at the snapshots of {span}"
            case "not_hostile_any":
                return (
                    f"share of runs whose {pair} relation is above the hostile threshold "
                    f"(r > {format_relation(thresholds['hostile'])}) at one or more yearly "
                    f"snapshots {span}"
                )
            case "median_rises":
                return (
                    f"median {pair} relation across runs at the {self.years[1]} snapshot "
                    f"against the {self.years[0]} snapshot"
                )
        raise ValueError(f"unknown target kind {self.kind!r}")

    def rule(self, thresholds: Mapping[str, float]) -> str:
        """The pass rule, in words."""
        match self.kind:
            case "aligned_throughout" | "not_hostile_any":
                return f"share ≥ {_percent(self.at_least)}"
            case "rupture":
                return (
                    f"P(rupture by {self.years[-1]}) ≥ {_percent(self.at_least)} and median "
                    f"rupture year in {self.window[0]}-{self.window[1]}"
                )
            case "median_year":
                return f"median in {self.window[0]}-{self.window[1]}"
            case "hostile_median":
                return f"every median ≤ {format_relation(thresholds['hostile'])}"
            case "median_rises":
                return (
                    f"median {self.years[1]} ≥ median {self.years[0]} "
                    f"+ {format_relation(self.at_least).lstrip('+')}"
                )
        raise ValueError(f"unknown target kind {self.kind!r}")


_COLUMN_WORDS = {
    "worst_year": "the first step at which each run's CHN-RUS relation was at its lowest",
    "peak_hazard_year": "the step at which each run's CHN-RUS crisis hazard peaked",
}

TARGETS: tuple[Target, ...] = (
    Target(
        key="alliance_holds",
        name="CHN-RUS alliance holds 1950-1956",
        history=(
            "Treaty of alliance, Feb 1950; Soviet aid and advisers through the mid-1950s "
            "(ATOP defence pact from 1950)"
        ),
        source="milestones_1945_1975.csv (1950-02-14, 1957-10-15); alliances_atop51.csv",
        kind="aligned_throughout",
        pair=("CHN", "RUS"),
        years=tuple(range(1950, 1957)),
        at_least=0.5,
    ),
    Target(
        key="rupture",
        name="CHN-RUS rupture between 1958 and 1963",
        history=(
            "Rivalry from 1958 (Thompson-Dreyer); nuclear aid cancelled 1959, Soviet advisers "
            "withdrawn 1960, open polemics 1963"
        ),
        source="rivalries_1945_1975.csv (China-Russia 2, from 1958); milestones_1945_1975.csv",
        kind="rupture",
        pair=("CHN", "RUS"),
        years=(1965,),
        window=(1957, 1964),
        at_least=0.6,
    ),
    Target(
        key="worst_year",
        name="Most hostile CHN-RUS year near 1969",
        history=(
            "Border disputes every year 1964-1969 (MIDs), worst at Zhenbao, Mar 1969: "
            "use of force, 101-250 deaths (MID 349)"
        ),
        source="mids_cow_v5_1946_1975.csv; milestones_1945_1975.csv (1969-03-02, 1969-08-13)",
        kind="median_year",
        column="worst_year",
        window=(1966, 1972),
    ),
    Target(
        key="peak_hazard_year",
        name="Peak CHN-RUS clash hazard near 1969",
        history="Zhenbao (Mar) and Tielieketi (Aug) clashes of 1969; de-escalation from Sep 1969",
        source="mids_cow_v5_1946_1975.csv (MID 349); milestones_1945_1975.csv",
        kind="median_year",
        column="peak_hazard_year",
        window=(1966, 1972),
    ),
    Target(
        key="us_china_hostile",
        name="US-China hostile through the 1950s-1960s",
        history=(
            "Rivalry 1949-1972 (Thompson-Dreyer): Korean War, Taiwan Strait crises, "
            "a use-of-force MID in most years 1949-1972"
        ),
        source="rivalries_1945_1975.csv (China-United States 1); mids_cow_v5_1946_1975.csv",
        kind="hostile_median",
        pair=("USA", "CHN"),
        years=(1955, 1960, 1965),
    ),
    Target(
        key="us_china_rapprochement",
        name="US-China at least neutral by 1972-1975",
        history=(
            "Ping-pong diplomacy and Kissinger's trip 1971; Nixon in Beijing Feb 1972, "
            "rivalry ends 1972"
        ),
        source="rivalries_1945_1975.csv (rivalry ends 1972); milestones_1945_1975.csv",
        kind="not_hostile_any",
        pair=("USA", "CHN"),
        years=tuple(range(1972, 1976)),
        at_least=0.5,
    ),
    Target(
        key="us_china_opening",
        name="US-China improving after 1969",
        history=(
            "Rivalry to 1972 (Thompson-Dreyer); ping-pong diplomacy Apr 1971, Kissinger's "
            "trip Jul 1971, Nixon in Beijing Feb 1972"
        ),
        source="rivalries_1945_1975.csv (rivalry ends 1972); milestones_1945_1975.csv",
        kind="median_rises",
        pair=("USA", "CHN"),
        years=(1968, 1974),
        # The opening is a change, not a level: a model whose US-China relation already sat
        # near neutral in the 1960s would meet the 1972-1975 target without any opening.
        # The same bar as the US-USSR easing: a tenth of the scale.
        at_least=0.1,
    ),
    Target(
        key="us_ussr_hostile",
        name="US-USSR hostile 1950-1969",
        history=(
            "Rivalry throughout (Thompson-Dreyer); COPDAB USSR-to-US net cooperation "
            "negative every year 1950-1971; Cuba 1962"
        ),
        source="copdab_us_ussr_1948_1978.csv; rivalries_1945_1975.csv; mids_cow_v5_1946_1975.csv",
        kind="hostile_median",
        pair=("USA", "RUS"),
        years=tuple(range(1950, 1970)),
    ),
    Target(
        key="us_ussr_easing",
        name="US-USSR easing after 1969",
        history="Detente: SALT I, May 1972; COPDAB net cooperation positive both ways 1972-1975",
        source="copdab_us_ussr_1948_1978.csv; milestones_1945_1975.csv (1972-05-26)",
        kind="median_rises",
        pair=("USA", "RUS"),
        years=(1968, 1974),
        # COPDAB's relation (the lower of the two directions, scaled as in data/HINDCAST.md)
        # rose from -0.59 in 1968 to +0.37 in 1974; a tenth of the scale is the least
        # that can be called an easing rather than drift.
        at_least=0.1,
    ),
)
"""The hindcast targets of BRIEF section 5, in the order of the scorecard."""


def target(key: str) -> Target:
    """The target of :data:`TARGETS` with this ``key``."""
    for t in TARGETS:
        if t.key == key:
            return t
    raise KeyError(key)


# ------------------------------------------------------------------- scorecard


@dataclass(frozen=True)
class Estimate:
    """A share of runs with its 95% Wilson interval."""

    value: float
    low: float
    high: float

    @classmethod
    def of(cls, hits: np.ndarray) -> Estimate:
        """The share of ``True`` in ``hits``."""
        p, lo, hi = proportion(int(np.sum(hits)), len(hits))
        return cls(float(p), float(lo), float(hi))

    def text(self) -> str:
        """``"61.2% (95% CI 58.1%–64.2%)"``."""
        return f"{format_share(self.value)} (95% CI {format_interval(self.low, self.high)})"

    def to_dict(self) -> dict[str, float]:
        """``{"value", "low", "high"}``."""
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass
class TargetResult:
    """How the ensemble did on one target."""

    key: str
    name: str
    history: str
    source: str
    measure: str
    rule: str
    simulated: str
    passed: bool
    median: float | None = None
    q05: float | None = None
    q95: float | None = None
    share: Estimate | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    miss: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``pass`` is the verdict."""
        return {
            "key": self.key,
            "name": self.name,
            "history": self.history,
            "simulated": self.simulated,
            "pass": bool(self.passed),
            "median": self.median,
            "q05": self.q05,
            "q95": self.q95,
            "share": None if self.share is None else self.share.to_dict(),
            "miss": self.miss,
            "measure": self.measure,
            "rule": self.rule,
            "source": self.source,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class WindowShape:
    """One pair's relation over a window of calendar years ``first``-``last``.

    ``median``, ``q05`` and ``q95`` pool every run's relation at every yearly
    snapshot of the window (relation units on [-1, 1]); ``not_hostile`` is the
    share of runs above the hostile threshold at one or more of those snapshots.
    """

    first: int
    last: int
    median: float | None
    q05: float | None
    q95: float | None
    not_hostile: Estimate

    def to_dict(self) -> dict[str, Any]:
        """``{"first", "last", "median", "q05", "q95", "share_not_hostile"}``."""
        return {
            "first": self.first,
            "last": self.last,
            "median": self.median,
            "q05": self.q05,
            "q95": self.q95,
            "share_not_hostile": self.not_hostile.to_dict(),
        }


@dataclass(frozen=True)
class Turn:
    """A pair's median relation at three snapshot years and its rise over each span.

    ``medians`` are across runs at the snapshots of ``years`` (relation units);
    ``rise_before`` is the change over the first span, ``rise_after`` over the
    second, and ``difference`` is ``rise_after - rise_before``: near 0 for a
    steady drift, large and positive for a turn at ``years[1]``.
    """

    years: tuple[int, int, int]
    medians: tuple[float, float, float]

    @property
    def rise_before(self) -> float:
        """Rise of the median from ``years[0]`` to ``years[1]`` (relation units)."""
        return self.medians[1] - self.medians[0]

    @property
    def rise_after(self) -> float:
        """Rise of the median from ``years[1]`` to ``years[2]`` (relation units)."""
        return self.medians[2] - self.medians[1]

    @property
    def difference(self) -> float:
        """``rise_after - rise_before`` (relation units)."""
        return self.rise_after - self.rise_before

    def to_dict(self) -> dict[str, Any]:
        """``{"years", "median", "rise_before", "rise_after", "difference"}``."""
        return {
            "years": list(self.years),
            "median": list(self.medians),
            "rise_before": self.rise_before,
            "rise_after": self.rise_after,
            "difference": self.difference,
        }


@dataclass(frozen=True)
class ClashWindow:
    """A pair's crises over the calendar years ``first``-``last``, simulated and recorded.

    ``simulated`` is the ensemble's mean crisis hazard over the window, in
    expected crises per world and year; ``onsets`` is the number of
    militarised disputes that began between the two states in those years
    (COW MID), ``None`` without a record.
    """

    first: int
    last: int
    simulated: float
    onsets: int | None

    @property
    def history_rate(self) -> float | None:
        """Disputes begun per year of the window, or ``None`` without a record."""
        return None if self.onsets is None else self.onsets / (self.last - self.first + 1)

    def to_dict(self) -> dict[str, Any]:
        """``{"first", "last", "simulated_per_year", "mid_onsets", "mid_onsets_per_year"}``."""
        return {
            "first": self.first,
            "last": self.last,
            "simulated_per_year": self.simulated,
            "mid_onsets": self.onsets,
            "mid_onsets_per_year": self.history_rate,
        }


@dataclass
class Scorecard:
    """The hindcast scorecard: headline numbers and every target's verdict."""

    scenario: str
    title: str
    runs: int
    seed: int | None
    thresholds: dict[str, float]
    snapshot_years: list[float]
    p_rupture_by_1965: Estimate
    median_rupture_year: float | None
    p_us_china_rapprochement_by_1975: Estimate
    targets: list[TargetResult]
    scenario_file: str = ""
    start_year: float | None = None
    horizon: float | None = None
    windows: dict[str, list[WindowShape]] = field(default_factory=dict)
    turn: dict[str, Turn] = field(default_factory=dict)
    clashes: list[ClashWindow] = field(default_factory=list)
    clash_peak_year: float | None = None
    result: EnsembleResult | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> int:
        """Number of targets met."""
        return sum(t.passed for t in self.targets)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``scorecard.json``."""
        return _json_safe(
            {
                "scenario": self.scenario,
                "title": self.title,
                "scenario_file": self.scenario_file,
                "runs": self.runs,
                "seed": self.seed,
                "start_year": self.start_year,
                "horizon": self.horizon,
                "thresholds": self.thresholds,
                "p_rupture_by_1965": self.p_rupture_by_1965.to_dict(),
                "median_rupture_year": self.median_rupture_year,
                "p_us_china_rapprochement_by_1975": (
                    self.p_us_china_rapprochement_by_1975.to_dict()
                ),
                "targets_met": self.passed,
                "targets_total": len(self.targets),
                "targets": [t.to_dict() for t in self.targets],
                "snapshot_years": self.snapshot_years,
                "windows": {
                    pair: [w.to_dict() for w in shapes] for pair, shapes in self.windows.items()
                },
                "turn": {pair: t.to_dict() for pair, t in self.turn.items()},
                "clashes": {
                    "pair": "-".join(CLASH_PAIR),
                    "windows": [c.to_dict() for c in self.clashes],
                    "mean_hazard_peak_year": self.clash_peak_year,
                },
            }
        )


# ------------------------------------------------------------ measuring the runs

YEAR_SCALE = 10.0
"""Years of miss that count as much as a whole share of runs or a whole unit of relation."""

MIN_MISS = 1e-3
"""Smallest miss of a failed target, so that a miss is zero exactly when the target passes."""

_SNAPSHOT = re.compile(r"^r_(?P<pair>.+)@(?P<year>[-+0-9.eE]+)$")


class Snapshots:
    """The ``r_<pair>@<year>`` columns of a runs table, found by pair members and year.

    Pair names follow the actors' order in the scenario (``codes``), as the model
    writes them (:func:`sim.outcomes.pair_name`). The snapshot of calendar year
    ``Y`` is the column whose year falls in ``[Y, Y + 1)`` nearest ``Y + offset``.
    """

    def __init__(self, runs: pd.DataFrame, codes: Sequence[str], offset: float = 0.75) -> None:
        self.runs = runs
        self.codes = list(codes)
        self.offset = offset
        self._columns: dict[tuple[str, int], list[tuple[float, str]]] = {}
        for col in runs.columns:
            m = _SNAPSHOT.match(str(col))
            if m is None:
                continue
            try:
                year = float(m["year"])
            except ValueError:
                continue
            key = (m["pair"], math.floor(year + 1e-9))
            self._columns.setdefault(key, []).append((year, str(col)))

    def pair(self, members: Iterable[str]) -> str:
        """The runs table's name of the pair of two actors."""
        a, b = members
        for code in (a, b):
            if code not in self.codes:
                raise ValueError(f"actor {code} is not in the scenario's actors {self.codes}")
        i, j = sorted((self.codes.index(a), self.codes.index(b)))
        return pair_name(self.codes, i, j)

    def column(self, members: Iterable[str], year: int) -> str:
        """The column holding the relation of ``members`` at the snapshot of ``year``."""
        name = self.pair(members)
        found = self._columns.get((name, int(year)))
        if not found:
            raise ValueError(f"the runs table has no snapshot of {name} in {year} (r_{name}@...)")
        return min(found, key=lambda yc: abs(yc[0] - (year + self.offset)))[1]

    def at(self, members: Iterable[str], year: int) -> np.ndarray:
        """Every run's relation of ``members`` at the snapshot of ``year``."""
        return self.runs[self.column(members, year)].to_numpy(float)

    def matrix(self, members: Iterable[str], years: Iterable[int]) -> np.ndarray:
        """``(runs, len(years))`` relations at the snapshots of ``years``."""
        members = tuple(members)
        return np.column_stack([self.at(members, y) for y in years])


def rupture_by(runs: pd.DataFrame, year: int) -> Estimate:
    """Share of runs whose watched partnership ruptured before 1 January of ``year + 1``."""
    times = runs["rupture_year"].to_numpy(float)
    return Estimate.of(~np.isnan(times) & (times < year + 1))


def median_event_year(times: np.ndarray) -> float | None:
    """Median year over all runs, a run without the event (NaN) counting as later than any.

    ``None`` when fewer than half of the runs have the event by the horizon.
    """
    filled = np.where(np.isnan(times), np.inf, np.asarray(times, dtype=float))
    if filled.size == 0:
        return None
    med = float(np.median(filled))
    return med if math.isfinite(med) else None


def not_hostile_any(
    snaps: Snapshots, pair: Iterable[str], years: Iterable[int], hostile: float
) -> np.ndarray:
    """Per run: is ``pair`` above the hostile threshold at one or more snapshots of ``years``."""
    return (snaps.matrix(pair, years) > hostile).any(axis=1)


def _spread(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Median, 5% and 95% quantiles; infinite values (no event) give ``None``."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None, None, None
    med = float(np.median(values))
    method = "linear" if np.isfinite(values).all() else "inverted_cdf"
    q05, q95 = (float(q) for q in np.quantile(values, [0.05, 0.95], method=method))
    return tuple(v if math.isfinite(v) else None for v in (med, q05, q95))  # type: ignore[return-value]


def _years_off(year: float, window: tuple[int, int]) -> float:
    """How many years ``year`` lies outside the calendar years ``window`` (0 inside)."""
    return max(0.0, window[0] - year, year - (window[1] + 1))


def _in_window(year: float | None, window: tuple[int, int]) -> bool:
    """Is a decimal year inside the calendar years ``window`` (both ends included)."""
    return year is not None and window[0] <= year < window[1] + 1


def _range_text(lo: float | None, hi: float | None, fmt: Callable[[float], str]) -> str:
    def one(v: float | None) -> str:
        return "after the horizon" if v is None else fmt(v)

    return f"[{one(lo)}, {one(hi)}]"


def _evaluate(t: Target, runs: pd.DataFrame, snaps: Snapshots, thr: Mapping[str, float]) -> dict:
    """The fields of a :class:`TargetResult` beyond the target's own words."""
    rel = format_relation
    match t.kind:
        case "aligned_throughout":
            values = snaps.matrix(t.pair, t.years)
            share = Estimate.of((values >= thr["aligned"]).all(axis=1))
            med, lo, hi = _spread(values.min(axis=1))
            return {
                "passed": share.value >= t.at_least,
                "miss": t.at_least - share.value,
                "share": share,
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"{share.text()} of runs; lowest r {_span(t.years)}: median "
                f"{rel(med)} {_range_text(lo, hi, rel)}",
                "detail": {"statistic": "lowest relation over the snapshots"},
            }
        case "rupture":
            share = rupture_by(runs, t.years[-1])
            times = runs["rupture_year"].to_numpy(float)
            med = median_event_year(times)
            _, lo, hi = _spread(np.where(np.isnan(times), np.inf, times))
            med_text = format_year(med) if med is not None else "none (under half rupture)"
            return {
                "passed": share.value >= t.at_least and _in_window(med, t.window),
                "miss": math.hypot(
                    max(0.0, t.at_least - share.value),
                    _years_off(LAST_YEAR + 1 if med is None else med, t.window) / YEAR_SCALE,
                ),
                "share": share,
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"P(by {t.years[-1]}) {share.text()}; median year {med_text} "
                f"{_range_text(lo, hi, format_year)}",
                "detail": {"p_rupture_by_horizon": Estimate.of(~np.isnan(times)).to_dict()},
            }
        case "median_year":
            med, lo, hi = _spread(runs[t.column].to_numpy(float))
            return {
                "passed": _in_window(med, t.window),
                "miss": 1.0 if med is None else _years_off(med, t.window) / YEAR_SCALE,
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"median {format_year(med)} {_range_text(lo, hi, format_year)}",
            }
        case "hostile_median":
            per_year = {}
            for y in t.years:
                m, lo, hi = _spread(snaps.at(t.pair, y))
                per_year[str(y)] = {"median": m, "q05": lo, "q95": hi}
            top = max(per_year, key=lambda y: per_year[y]["median"])
            m, lo, hi = (per_year[top][k] for k in ("median", "q05", "q95"))
            return {
                "passed": all(v["median"] <= thr["hostile"] for v in per_year.values()),
                "miss": m - thr["hostile"],
                "median": m,
                "q05": lo,
                "q95": hi,
                "simulated": f"highest median {rel(m)} ({top}) {_range_text(lo, hi, rel)}",
                "detail": {"by_year": per_year, "binding_year": int(top)},
            }
        case "not_hostile_any":
            values = snaps.matrix(t.pair, t.years)
            share = Estimate.of((values > thr["hostile"]).any(axis=1))
            at_end = Estimate.of(values[:, -1] > thr["hostile"])
            med, lo, hi = _spread(values.max(axis=1))
            return {
                "passed": share.value >= t.at_least,
                "miss": t.at_least - share.value,
                "share": share,
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"{share.text()} of runs; highest r {_span(t.years)}: median "
                f"{rel(med)} {_range_text(lo, hi, rel)}",
                "detail": {
                    "statistic": "highest relation over the snapshots",
                    f"share_not_hostile_at_{t.years[-1]}": at_end.to_dict(),
                },
            }
        case "median_rises":
            before, after = snaps.at(t.pair, t.years[0]), snaps.at(t.pair, t.years[1])
            m0, m1 = float(np.median(before)), float(np.median(after))
            med, lo, hi = _spread(after - before)
            return {
                "passed": m1 - m0 >= t.at_least,
                "miss": t.at_least - (m1 - m0),
                "median": m1,
                "q05": _spread(after)[1],
                "q95": _spread(after)[2],
                "simulated": f"{rel(m0)} ({t.years[0]}) → {rel(m1)} ({t.years[1]}); "
                f"per-run change {rel(med)} {_range_text(lo, hi, rel)}",
                "detail": {
                    f"median_{t.years[0]}": m0,
                    f"median_{t.years[1]}": m1,
                    "change": {"median": med, "q05": lo, "q95": hi},
                },
            }
    raise ValueError(f"unknown target kind {t.kind!r}")


def score(
    runs: pd.DataFrame,
    codes: Sequence[str],
    thresholds: Mapping[str, float],
    *,
    start: float | None = None,
    scenario: str = "",
    title: str = "",
    seed: int | None = None,
    targets: Sequence[Target] = TARGETS,
    shape: bool = True,
) -> Scorecard:
    """Score a runs table against the targets.

    Parameters
    ----------
    runs
        One row per run: ``rupture_year``, ``worst_year``, ``peak_hazard_year`` and
        ``r_<pair>@<year>`` snapshot columns for every year the targets use.
    codes
        The scenario's actor ids, in its order (they name the pairs).
    thresholds
        ``{"aligned", "hostile"}`` on the relation scale.
    start
        The scenario's start year; its fraction picks the snapshot within a year.
    scenario, title, seed
        Recorded in the scorecard.
    targets
        The targets (default :data:`TARGETS`).
    shape
        Also summarise each relation's shape over time (:func:`relation_windows`,
        :func:`relation_turn`); information only, not scored.

    Raises
    ------
    ValueError
        An empty table, or a column or snapshot a target (or, with ``shape``, the
        shape summary) needs is missing.
    """
    if runs.empty:
        raise ValueError("the runs table is empty")
    thr = {"aligned": float(thresholds["aligned"]), "hostile": float(thresholds["hostile"])}
    offset = (start - math.floor(start)) if start is not None else 0.75
    snaps = Snapshots(runs, codes, offset)
    results = []
    for t in targets:
        fields = _evaluate(t, runs, snaps, thr)
        fields["miss"] = 0.0 if fields["passed"] else max(MIN_MISS, float(fields["miss"]))
        results.append(
            TargetResult(
                key=t.key,
                name=t.name,
                history=t.history,
                source=t.source,
                measure=t.measure(thr),
                rule=t.rule(thr),
                **fields,
            )
        )
    rup, rap = target("rupture"), target("us_china_rapprochement")
    years = sorted({float(y) for (_, _), found in snaps._columns.items() for y, _ in found})
    return Scorecard(
        scenario=scenario,
        title=title,
        runs=len(runs),
        seed=seed,
        thresholds=thr,
        snapshot_years=years,
        p_rupture_by_1965=rupture_by(runs, rup.years[-1]),
        median_rupture_year=median_event_year(runs["rupture_year"].to_numpy(float)),
        p_us_china_rapprochement_by_1975=Estimate.of(
            not_hostile_any(snaps, rap.pair, rap.years, thr["hostile"])
        ),
        targets=results,
        start_year=start,
        windows=relation_windows(snaps, thr["hostile"]) if shape else {},
        turn=relation_turn(snaps) if shape else {},
    )


def misses(
    runs: pd.DataFrame,
    codes: Sequence[str],
    thresholds: Mapping[str, float],
    start: float | None = None,
    targets: Sequence[Target] = TARGETS,
) -> pd.Series:
    """How far the runs miss each target: 0 when it passes, larger the further off.

    Units are comparable: a share of runs, a relation on [-1, 1], or years
    divided by :data:`YEAR_SCALE`; a failed target misses by at least
    :data:`MIN_MISS`. Indexed by target key, in the order of ``targets``
    (default :data:`TARGETS`; for a calibration's distance to history).
    """
    card = score(runs, codes, thresholds, start=start, targets=targets, shape=False)
    return pd.Series({t.key: t.miss for t in card.targets}, name="miss", dtype=float)


MARGIN_KINDS = frozenset({"aligned_throughout", "rupture", "not_hostile_any", "median_rises"})
"""Target kinds with a least share or rise (``at_least``) that a margin can raise."""


def tightened(margin: float, targets: Sequence[Target] = TARGETS) -> tuple[Target, ...]:
    """The targets with every least share of runs and least rise raised by ``margin``.

    For fitting only: a calibration that keeps the sets closest to the bars
    keeps many that meet them by the luck of their runs, and an ensemble of
    such sets then lands on the bar, passing at one seed and failing at the
    next. Fitting to bars raised by a margin (a share of runs, or relation
    units, on the same tenths scale) keeps sets that clear the real bars.
    Years, windows and the hostile medians are left as they are. ``margin``
    must be at least 0.
    """
    if margin < 0:
        raise ValueError(f"the margin must be at least 0, got {margin}")
    return tuple(
        replace(t, at_least=t.at_least + margin) if t.kind in MARGIN_KINDS else t for t in targets
    )


# -------------------------------------------------------------- shape over time


def shape_windows(
    first: int = FIRST_YEAR, last: int = LAST_YEAR, width: int = WINDOW_YEARS
) -> list[tuple[int, int]]:
    """Consecutive windows of ``width`` calendar years from ``first`` to ``last``.

    ``[(1950, 1953), (1954, 1957), ..., (1970, 1973), (1974, 1975)]`` by default:
    the last window is shorter when the years do not divide evenly.
    """
    if width < 1:
        raise ValueError("width must be at least 1 year")
    return [(y, min(y + width - 1, last)) for y in range(first, last + 1, width)]


def relation_windows(
    snaps: Snapshots,
    hostile: float,
    pairs: Sequence[tuple[str, str]] = SHAPE_PAIRS,
    windows: Sequence[tuple[int, int]] | None = None,
) -> dict[str, list[WindowShape]]:
    """Each pair's relation window by window: level, spread and share not hostile.

    Shows the shape of a relation over the hindcast in numbers rather than on
    the fan plot: whether the US-China thaw is a steady drift since the 1950s
    or a turn after 1969, when the alliance holds and when it breaks.

    Parameters
    ----------
    snaps
        The yearly relation snapshots of the ensemble's runs.
    hostile
        The scenario's hostile threshold on the relation scale (as for the
        ``not_hostile_any`` targets); a relation at the threshold is hostile.
    pairs
        Actor pairs, named ``"A-B"`` in this order in the result (default
        :data:`SHAPE_PAIRS`).
    windows
        Inclusive ``(first, last)`` calendar years (default :func:`shape_windows`:
        four-year windows over 1950-1975).

    Returns
    -------
    dict of str to list of WindowShape
        Per pair, per window: the median and the 5% and 95% quantiles of the
        relation (units of r on [-1, 1]) over all runs and every yearly snapshot
        of the window pooled, and the share of runs (with its 95% Wilson
        interval) whose relation is above ``hostile`` at one or more of them.

    Raises
    ------
    ValueError
        A pair's snapshot of a year in a window is missing.
    """
    spans = shape_windows() if windows is None else windows
    out: dict[str, list[WindowShape]] = {}
    for pair in pairs:
        shapes = []
        for first, last in spans:
            years = range(first, last + 1)
            med, lo, hi = _spread(snaps.matrix(pair, years).ravel())
            shapes.append(
                WindowShape(
                    first=first,
                    last=last,
                    median=med,
                    q05=lo,
                    q95=hi,
                    not_hostile=Estimate.of(not_hostile_any(snaps, pair, years, hostile)),
                )
            )
        out["-".join(pair)] = shapes
    return out


def relation_turn(
    snaps: Snapshots,
    pairs: Sequence[tuple[str, str]] = TURN_PAIRS,
    years: tuple[int, int, int] = TURN_YEARS,
) -> dict[str, Turn]:
    """Rise of each pair's median relation over two equal spans: a turn or a drift.

    History has the United States hostile to China through the 1960s and the
    relation turning in 1969-1972, with detente with the USSR at the same time.
    A model that reproduces the turn raises the median far more from 1968 to
    1974 than from 1962 to 1968; one that drifts steadily raises it about as
    much in both six-year spans. Information for the reader, not a target.

    Parameters
    ----------
    snaps
        The yearly relation snapshots of the ensemble's runs.
    pairs
        Actor pairs, named ``"A-B"`` in this order in the result (default
        :data:`TURN_PAIRS`).
    years
        Start, pivot and end snapshot years (default :data:`TURN_YEARS`).

    Returns
    -------
    dict of str to Turn
        Per pair: the median across runs at each of ``years`` and the rises
        between them, in relation units (r on [-1, 1]).

    Raises
    ------
    ValueError
        A pair's snapshot of one of ``years`` is missing.
    """
    out = {}
    for pair in pairs:
        m0, m1, m2 = (float(np.median(snaps.at(pair, y))) for y in years)
        out["-".join(pair)] = Turn(years=years, medians=(m0, m1, m2))
    return out


def mid_onsets(path: str | Path = MIDS, pair: tuple[str, str] = CLASH_PAIR) -> np.ndarray:
    """Years in which a militarised dispute between the two states of ``pair`` began.

    Reads the COW MID extract (one row per dispute-year, ``state1``,
    ``state2``, ``year``, ``cowmidonset``); a dispute counts once, in its
    onset year, whichever state is listed first.

    Raises
    ------
    InputError
        The file is missing or unreadable, or lacks a column.
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(path, "", f"cannot read the disputes: {exc}") from None
    missing = [c for c in ("state1", "state2", "year", "cowmidonset") if c not in df.columns]
    if missing:
        raise InputError(path, "", f"missing column(s) {missing}")
    a, b = pair
    ours = ((df["state1"] == a) & (df["state2"] == b)) | ((df["state1"] == b) & (df["state2"] == a))
    onset = df["cowmidonset"].str.strip() == "1"
    years = pd.to_numeric(df.loc[ours & onset, "year"], errors="coerce")
    return np.sort(years.dropna().to_numpy(dtype=int))


def clash_windows(
    years: np.ndarray,
    hazard: np.ndarray,
    onsets: np.ndarray | None,
    windows: Sequence[tuple[int, int]] = CLASH_WINDOWS,
) -> list[ClashWindow]:
    """A pair's mean crisis hazard window by window, beside the disputes it had.

    Parameters
    ----------
    years
        Decimal year of each step, ``(steps,)``.
    hazard
        The ensemble's mean crisis hazard of the pair at each step, in crises
        per world and year, ``(steps,)``.
    onsets
        Years in which a recorded dispute between the pair began
        (:func:`mid_onsets`), or ``None`` without a record.
    windows
        Inclusive ``(first, last)`` calendar years.

    Returns
    -------
    list of ClashWindow
        One per window with steps in it: the mean hazard over the window's
        steps and the number of disputes begun in its years.

    Why: the peak-hazard target reads each run's own peak, which a run's
    noise can pull earlier while the ensemble's hazard still rises; the
    crises per year, window by window, show whether clashes in the model
    ebb after 1969 as the recorded disputes did.
    """
    years, hazard = np.asarray(years, dtype=float), np.asarray(hazard, dtype=float)
    out = []
    for first, last in windows:
        inside = (years >= first) & (years < last + 1)
        if not inside.any():
            continue
        count = None if onsets is None else int(((onsets >= first) & (onsets <= last)).sum())
        out.append(ClashWindow(first, last, float(hazard[inside].mean()), count))
    return out


def clash_record(
    result: EnsembleResult, pair: tuple[str, str] = CLASH_PAIR, mids: str | Path = MIDS
) -> tuple[list[ClashWindow], float | None]:
    """The clash windows of ``pair`` in an ensemble and the year its mean hazard peaks.

    Empty and ``None`` when the ensemble lacks one of the pair's actors.
    """
    wanted = set(pair)
    for k, (_, a, b) in enumerate(result.pair_names()):
        if {a, b} == wanted:
            hazard = result.counts.hazard[:, k] / result.n
            years = np.asarray(result.years, dtype=float)
            peak = float(years[int(np.argmax(hazard))])
            return clash_windows(years, hazard, mid_onsets(mids, pair)), peak
    return [], None


# ------------------------------------------------------------------ running


def check_hindcast(inputs: Inputs) -> tuple[float, ...]:
    """Check that a scenario can be scored, and return its snapshot years.

    The snapshot of calendar year ``Y`` (1950-1975) is the step in ``Y`` nearest
    ``Y`` plus the start's fraction of a year.

    Raises
    ------
    InputError
        Missing actors, a watched partnership other than CHN-RUS, or a time span
        without a step in every year 1950-1975.
    """
    sc, path = inputs.scenario, inputs.path
    missing = [a for a in ACTORS if a not in sc.actors]
    if missing:
        raise InputError(
            path, "actors", f"the hindcast needs actors {', '.join(ACTORS)}; missing {missing}"
        )
    if set(sc.watch.partnership) != {"CHN", "RUS"}:
        raise InputError(
            path,
            "watch.partnership",
            f"the hindcast watches CHN-RUS, got {'-'.join(sc.watch.partnership)}",
        )
    steps = round((sc.time.horizon - sc.time.start) / sc.time.step)
    grid = sc.time.start + sc.time.step * np.arange(steps + 1)
    offset = sc.time.start - math.floor(sc.time.start)
    snaps = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        inside = grid[np.floor(grid + 1e-9) == year]
        if inside.size == 0:
            raise InputError(
                path,
                "time",
                f"the hindcast needs a step in every year {FIRST_YEAR}-{LAST_YEAR}; the "
                f"scenario runs {format_year(sc.time.start)}-{format_year(sc.time.horizon)}",
            )
        snaps.append(round(float(inside[np.argmin(np.abs(inside - (year + offset)))]), 6))
    return tuple(snaps)


def run_hindcast(
    inputs: Inputs,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> EnsembleResult:
    """Run the ensemble with yearly snapshots (the same worlds as ``run_ensemble``)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    snapshots = check_hindcast(inputs)
    chunks = [
        run_chunk(
            inputs, seed, start, min(CHUNK, runs - start), progress=progress, snapshots=snapshots
        )
        for start in range(0, runs, CHUNK)
    ]
    return merge(inputs, seed, chunks)


def validate(
    inputs: Inputs,
    runs: int = 1000,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> Scorecard:
    """Run the hindcast and score it; the ensemble is kept in ``scorecard.result``."""
    result = run_hindcast(inputs, runs, seed, progress)
    sc = inputs.scenario
    card = score(
        result.runs,
        list(sc.actors),
        sc.outcomes.model_dump(),
        start=sc.time.start,
        scenario=sc.name,
        title=sc.title or sc.name,
        seed=seed,
    )
    card.scenario_file = inputs.path
    card.horizon = sc.time.horizon
    card.clashes, card.clash_peak_year = clash_record(result)
    card.result = result
    return card


def default_scenario() -> Path:
    """The hindcast scenario: in the working folder if there, else in the repository."""
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO.is_file() else REPO / DEFAULT_SCENARIO


# ------------------------------------------------------------------ milestones

SHORT_LABELS: dict[str, str] = {
    "1949-10-01": "PRC founded",
    "1950-02-14": "Sino-Soviet treaty",
    "1950-06-25": "Korean War",
    "1953-03-05": "Stalin dies",
    "1954-09-03": "Taiwan Strait crisis I",
    "1956-02-25": "Secret speech",
    "1957-10-15": "Defence Technical Accord",
    "1958-01-01": "rivalry begins (coding)",
    "1958-07-31": "Khrushchev in Beijing",
    "1958-08-23": "Taiwan Strait crisis II",
    "1959-06-20": "nuclear aid cancelled",
    "1959-09-30": "last Soviet visit",
    "1960-07-16": "advisers withdrawn",
    "1962-10-16": "Cuban missile crisis",
    "1963-07-14": "open polemics",
    "1964-10-14": "Khrushchev ousted",
    "1964-10-16": "Chinese bomb",
    "1966-05-16": "Cultural Revolution",
    "1968-08-20": "Czechoslovakia",
    "1969-03-02": "Zhenbao clash",
    "1969-08-13": "Xinjiang clash",
    "1969-09-11": "Kosygin-Zhou talks",
    "1971-04-10": "ping-pong",
    "1971-07-09": "Kissinger in Beijing",
    "1971-10-25": "PRC takes UN seat",
    "1972-02-21": "Nixon in Beijing",
    "1972-05-26": "SALT I",
}
"""Short figure labels of the milestones by date; other rows are shortened automatically."""

KIND_STYLE: dict[str, dict[str, Any]] = {
    "exogenous": {"color": "0.35", "linestyle": (0, (3.5, 2.0)), "linewidth": 0.9},
    "outcome": {"color": OKABE_ITO["vermillion"], "linestyle": "-", "linewidth": 0.9},
    "context": {"color": "0.55", "linestyle": (0, (1, 1.5)), "linewidth": 0.9},
}
"""Line style of each kind of milestone: dashed grey inputs, solid outcomes, dotted context."""

KIND_WORDS: dict[str, str] = {
    "exogenous": "Scheduled inputs: exogenous events fed to the model as shocks",
    "outcome": "History the model should produce on its own (never an input)",
    "context": "Context (neither input nor target)",
}
"""Heading of each kind's label strip and its legend entry."""

LABEL_SIZE = 7.0
ROW_INCHES = 0.19
PANEL_INCHES = 1.75
WIDTH_INCHES = 10.0


def short_label(date: str, event: str, limit: int = 24) -> str:
    """A short label for a milestone: :data:`SHORT_LABELS`, else the event's first clause."""
    if date in SHORT_LABELS:
        return SHORT_LABELS[date]
    text = re.split(r"[;:,(]", event, maxsplit=1)[0].strip()
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def load_milestones(path: str | Path = MILESTONES) -> pd.DataFrame:
    """The milestones CSV with a decimal ``year`` and a short ``label`` per row, by date.

    Raises
    ------
    InputError
        The file is missing or unreadable, lacks a column, or has a bad date or kind.
    """
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError(path, "", f"cannot read the milestones: {exc}") from None
    missing = [c for c in ("date", "pair", "event", "kind") if c not in df.columns]
    if missing:
        raise InputError(path, "", f"missing column(s) {missing}")
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    for row in np.flatnonzero(dates.isna().to_numpy()):
        raise InputError(path, f"row {row + 2}.date", f"{df['date'][row]!r} is not YYYY-MM-DD")
    for row, kind in enumerate(df["kind"]):
        if kind not in KIND_STYLE:
            raise InputError(path, f"row {row + 2}.kind", f"{kind!r}; allowed {list(KIND_STYLE)}")
    days = np.where(dates.dt.is_leap_year, 366.0, 365.0)
    df["year"] = dates.dt.year + (dates.dt.day_of_year - 1) / days
    df["label"] = [short_label(d, e) for d, e in zip(df["date"], df["event"], strict=True)]
    return df.sort_values("year", kind="stable").reset_index(drop=True)


def _groups(ms: pd.DataFrame, close: float = 0.03) -> list[dict[str, Any]]:
    """Milestones of one kind a few days apart share one label (``"A / B"``)."""
    out: list[dict[str, Any]] = []
    for row in ms.itertuples(index=False):
        last = next((g for g in reversed(out) if g["kind"] == row.kind), None)
        if last is not None and row.year - last["years"][-1] <= close:
            last["years"].append(row.year)
            last["dates"].append(row.date)
            last["label"] += f" / {row.label}"
        else:
            out.append(
                {"kind": row.kind, "years": [row.year], "dates": [row.date], "label": row.label}
            )
    return out


def stagger(
    anchors: Sequence[float],
    widths: Sequence[float],
    left: float,
    right: float,
    pad: float,
) -> list[tuple[int, bool]]:
    """Rows for flag labels so that no label overlaps another label or a leader line.

    A label hangs on a vertical leader line at its anchor ``x`` that rises from
    row 0 (next to the panels) to the label's row. It extends to the right of its
    anchor, or to its left when it would pass ``right``. Labels are placed from
    right to left, each in the lowest row where it overlaps no label in that row,
    crosses no leader of a higher label, and its own leader crosses no lower
    label: a cluster of close events climbs as a staircase.

    Parameters
    ----------
    anchors, widths
        Anchor ``x`` and width of each label, in data units.
    left, right
        Ends of the axis, which labels should not pass.
    pad
        Minimum gap between a label and another label or a leader line.

    Returns
    -------
    list of (int, bool)
        Per label, in the input order: its row, and whether it extends to the
        left of its anchor.
    """
    placed: list[tuple[float, float, int, float]] = []  # start, end, row, anchor
    out: dict[int, tuple[int, bool]] = {}

    def free(s: float, e: float, x: float, row: int) -> bool:
        return not any(
            (r == row and s - pad < pe and ps < e + pad)  # label on label
            or (r > row and s - pad < px < e + pad)  # label across a higher leader
            or (r < row and ps - pad < x < pe + pad)  # own leader across a lower label
            for ps, pe, r, px in placed
        )

    for k in sorted(range(len(anchors)), key=lambda i: -anchors[i]):
        x, w = float(anchors[k]), float(widths[k])
        flip = x + w > right and x - w >= left
        s, e = (x - w, x) if flip else (x, x + w)
        row = next(
            (r for r in range(len(anchors)) if free(s, e, x, r)),
            1 + max((r for _, _, r, _ in placed), default=-1),  # a new top row
        )
        placed.append((s, e, row, x))
        out[k] = (row, flip)
    return [out[k] for k in range(len(anchors))]


def plot_hindcast(
    trajectories: pd.DataFrame, summary: Mapping[str, Any], milestones: pd.DataFrame
) -> Figure:
    """Relation fans of every pair over the hindcast, with the dated milestones.

    One panel per pair, stacked on a shared time axis (the watched partnership
    first): median across runs, middle 50% and 90% of runs, the aligned and
    hostile thresholds. Every milestone inside the simulated years is a vertical
    line through the panels, dashed grey for exogenous inputs and solid for the
    outcomes the model should produce, labelled in a strip per kind above the
    panels; labels are staggered onto rows so none overlaps.

    Parameters
    ----------
    trajectories
        Tidy trajectories (:meth:`EnsembleResult.trajectories`).
    summary
        Ensemble summary (actors, thresholds, title, runs, partnership, third).
    milestones
        From :func:`load_milestones`.

    Returns
    -------
    Figure
        Artists carry gids: ``"milestone:<kind>:<date>"`` (the leader line in the
        strip), ``"milestone-label:<date>[+<date>]"`` (the label),
        ``"milestone-line:<pair>:<date>"`` (the line in a panel), and
        ``"band90:<pair>"``, ``"band50:<pair>"``, ``"median:<pair>"``.
    """
    require(trajectories, TRAJECTORY_COLUMNS, "trajectories")
    actors = summary.get("actors")
    thr = thresholds_of(summary)
    pairs = pair_order(list(dict.fromkeys(trajectories["pair"])), trajectories, summary)
    years = trajectories["year"].to_numpy(float)
    lo, hi = float(np.nanmin(years)), float(np.nanmax(years))
    ms = milestones[(milestones["year"] >= lo) & (milestones["year"] <= hi)]
    kinds = [k for k in KIND_STYLE if (ms["kind"] == k).any()]
    with mpl.rc_context(STYLE):
        fig = new_figure(WIDTH_INCHES, 9.0)
        FigureCanvasAgg(fig)
        grid = fig.add_gridspec(len(kinds) + len(pairs), 1)
        panels: list[Axes] = []
        for k, pair in enumerate(pairs):
            share = {"sharex": panels[0]} if panels else {}
            ax = fig.add_subplot(grid[len(kinds) + k], **share)
            _fan(ax, trajectories[trajectories["pair"] == pair].sort_values("year"), pair, thr)
            ax.set_title(group_label(pair.split("-"), actors), loc="left")
            for row in ms.itertuples(index=False):
                style = KIND_STYLE[row.kind] | {"linewidth": 0.7}
                line = ax.axvline(row.year, zorder=1.5, alpha=0.6, **style)
                line.set_gid(f"milestone-line:{pair}:{row.date}")
            year_axis(ax, years)
            ax.xaxis.set_major_locator(MultipleLocator(5))
            ax.xaxis.set_minor_locator(MultipleLocator(1))
            ax.tick_params(axis="x", which="minor", length=2.5)
            ax.tick_params(labelbottom=k == len(pairs) - 1)
            panels.append(ax)
        panels[-1].set_xlabel(f"{YEAR_LABEL} (decimal years; quarterly steps)")
        strips = [fig.add_subplot(grid[k], sharex=panels[0]) for k in range(len(kinds))]
        texts = {k: _strip(ax, ms, k) for ax, k in zip(strips, kinds, strict=True)}
        _legend(fig, thr, kinds)
        suptitle(
            fig,
            "Simulated relations against the dated historical record",
            summary,
        )
        # Lay out once to know the scale, stagger the labels, then size the strips.
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        x0, x1 = (panels[0].transData.transform([(v, 0.0)])[0, 0] for v in (lo, hi))
        per_year = (x1 - x0) / (hi - lo)
        rows = {}
        for (ax, kind), labels in zip(zip(strips, kinds, strict=True), texts.values(), strict=True):
            rows[kind] = _place(ax, labels, renderer, per_year, lo, hi)
        heights = [ROW_INCHES * (rows[k] + 0.6) + 0.22 for k in kinds] + [PANEL_INCHES] * len(pairs)
        grid.set_height_ratios(heights)
        fig.set_figheight(sum(heights) + 1.9)
    return fig


def _fan(ax: Axes, df: pd.DataFrame, pair: str, thr: Mapping[str, float]) -> None:
    """Median and bands of one pair, thresholds labelled in the right margin."""
    x = df["year"].to_numpy(float)
    band90 = ax.fill_between(x, df["q05"], df["q95"], color=FAN_COLOUR, alpha=0.18, linewidth=0)
    band90.set_gid(f"band90:{pair}")
    band50 = ax.fill_between(x, df["q25"], df["q75"], color=FAN_COLOUR, alpha=0.42, linewidth=0)
    band50.set_gid(f"band50:{pair}")
    (median,) = ax.plot(x, df["q50"], color="#08306B", linewidth=1.8, zorder=3)
    median.set_gid(f"median:{pair}")
    for name, level, sign in (("aligned", thr["aligned"], "≥"), ("hostile", thr["hostile"], "≤")):
        ax.axhline(level, color="0.2", linestyle=(0, (4, 3)), linewidth=0.8, zorder=2)
        ax.annotate(
            f"{name}\n{sign} {format_relation(level)}",
            xy=(1.0, level),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
            color="0.2",
            annotation_clip=False,
        )
    ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
    ax.set_ylim(-1.05, 1.05)
    ax.yaxis.set_major_locator(MultipleLocator(0.5))
    ax.set_ylabel("relation r\n(−1 hostile, +1 allied)")


def _strip(ax: Axes, ms: pd.DataFrame, kind: str) -> list[tuple[Any, list[Line2D], float]]:
    """A label strip of one kind: leader lines and labels, all in row 0 until placed."""
    for side in ("left", "right", "top", "bottom"):
        ax.spines[side].set_visible(False)
    ax.grid(False)
    ax.yaxis.set_major_locator(NullLocator())
    ax.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    ax.set_title(KIND_WORDS[kind], loc="left", fontsize=8, fontweight="normal", style="italic")
    style = KIND_STYLE[kind]
    out = []
    for group in _groups(ms[ms["kind"] == kind]):
        x = group["years"][0]
        leaders = []
        for year, date in zip(group["years"], group["dates"], strict=True):
            (leader,) = ax.plot([year, year], [-0.6, 0.0], **style)
            leader.set_gid(f"milestone:{kind}:{date}")
            leaders.append(leader)
        text = ax.annotate(
            group["label"],
            xy=(x, 0.0),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=LABEL_SIZE,
            color="0.1" if kind == "outcome" else "0.3",
            style="normal" if kind == "outcome" else "italic",
        )
        text.set_gid("milestone-label:" + "+".join(group["dates"]))
        out.append((text, leaders, x))
    return out


def _place(
    ax: Axes,
    labels: list[tuple[Any, list[Line2D], float]],
    renderer: Any,
    per_year: float,
    left: float,
    right: float,
) -> int:
    """Stagger one strip's labels (see :func:`stagger`); returns the number of rows."""
    offset = 3.0 * ax.figure.dpi / 72.0
    widths = [(t.get_window_extent(renderer).width + offset) / per_year for t, _, _ in labels]
    pad = 2.5 * offset / per_year
    rows = stagger([x for _, _, x in labels], widths, left, right, pad)
    for (text, leaders, x), (row, flip) in zip(labels, rows, strict=True):
        text.xy = (x, row)
        if flip:
            text.set_position((-3, 0))
            text.set_horizontalalignment("right")
        for leader in leaders:
            leader.set_ydata([-0.6, row])
    n = 1 + max((r for r, _ in rows), default=0)
    ax.set_ylim(-0.6, n - 0.4)
    return n


def _legend(fig: Figure, thr: Mapping[str, float], kinds: Sequence[str]) -> None:
    handles = fan_legend_handles(thr)
    words = {"exogenous": "exogenous input (shock)", "outcome": "historical outcome (target)"}
    handles += [
        Line2D([], [], label=f"milestone: {words.get(k, k)}", **KIND_STYLE[k]) for k in kinds
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3)


# ------------------------------------------------------------------- writing


CAPTION = (
    "Relation r of each pair over the hindcast (−1 hostile, +1 allied): the median across "
    "runs (line), the middle 50% (dark band) and 90% (light band) of runs, and the aligned "
    "and hostile thresholds (dashed horizontal lines). Vertical lines are the dated "
    "milestones of data/milestones_1945_1975.csv: dashed grey lines are exogenous events "
    "scheduled as shocks (the model's only inputs); solid lines are the outcomes the model "
    "should produce on its own. Their labels are in the strips above the panels."
)


def markdown_table(card: Scorecard) -> str:
    """The targets as a Markdown table: target | history | simulated | pass."""
    lines = [
        "| # | target | history | simulated median [90% range] | pass |",
        "| ---: | --- | --- | --- | :---: |",
    ]
    for k, t in enumerate(card.targets, start=1):
        verdict = "yes" if t.passed else "**no**"
        lines.append(f"| {k} | {t.name} | {t.history} | {t.simulated} | {verdict} |")
    return "\n".join(lines)


def _relation_text(r: float | None) -> str:
    return "n/a" if r is None else format_relation(r)


def markdown_shape(card: Scorecard) -> str:
    """The shape of each relation over time as Markdown: windows, then the turn.

    Empty when the scorecard has neither (scored with ``shape=False``).
    """
    if not card.windows and not card.turn:
        return ""
    rel, hostile = _relation_text, format_relation(card.thresholds["hostile"])
    lines = [
        "## Shape over time",
        "",
        "How to read it: history has US-China hostile through the 1960s and turning in "
        "1969-72 (with US-USSR detente at the same time), so a model that reproduces the "
        "turn raises the median relation far more from 1968 to 1974 than from 1962 to 1968, "
        "while a model that drifts steadily shows similar rises in both six-year spans.",
    ]
    if card.windows:
        pairs = list(card.windows)
        lines += [
            "",
            "| years | " + " | ".join(pairs) + " |",
            "| --- |" + " --- |" * len(pairs),
        ]
        spans = [(w.first, w.last) for w in card.windows[pairs[0]]]
        for k, (first, last) in enumerate(spans):
            cells = [
                f"{rel(w.median)} [{rel(w.q05)}, {rel(w.q95)}] · "
                f"{format_share(w.not_hostile.value)}"
                for w in (card.windows[p][k] for p in pairs)
            ]
            lines.append(f"| {first}-{last} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "Each cell: median relation over all runs and yearly snapshots of the window "
            "[5%, 95% quantiles] · share of runs above the hostile threshold "
            f"(r > {hostile}) at one or more of those snapshots.",
        ]
    if card.turn:
        y0, y1, y2 = next(iter(card.turn.values())).years
        lines += [
            "",
            f"| pair | median {y0} | median {y1} | median {y2} | rise {y0}→{y1} "
            f"| rise {y1}→{y2} | difference |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for pair, t in card.turn.items():
            cells = [*t.medians, t.rise_before, t.rise_after, t.difference]
            lines.append(f"| {pair} | " + " | ".join(format_relation(v) for v in cells) + " |")
        lines += [
            "",
            f"Medians across runs at the yearly snapshots; difference = rise {y1}→{y2} minus "
            f"rise {y0}→{y1}. Information, not a target.",
        ]
    return "\n".join(lines)


def markdown_clashes(card: Scorecard) -> str:
    """The pair's crises window by window beside the recorded disputes, as Markdown.

    Empty when the scorecard has no clash record.
    """
    if not card.clashes:
        return ""
    pair = "-".join(CLASH_PAIR)
    lines = [
        f"## {pair} clashes over time",
        "",
        "| years | simulated crises per year (mean hazard) | disputes begun (COW MID) | per year |",
        "| --- | ---: | ---: | ---: |",
    ]
    for c in card.clashes:
        rate = "n/a" if c.history_rate is None else f"{c.history_rate:.2f}"
        count = "n/a" if c.onsets is None else str(c.onsets)
        lines.append(f"| {c.first}-{c.last} | {c.simulated:.2f} | {count} | {rate} |")
    peak = "n/a" if card.clash_peak_year is None else format_year(card.clash_peak_year)
    lines += [
        "",
        f"The ensemble's mean {pair} crisis hazard peaks in {peak}. The peak-hazard target "
        "reads each run's own peak, which the run's noise and the restraint a crisis leaves "
        "can pull earlier while the mean still rises. A crisis in the model is any "
        "militarised dispute, so the levels compare only roughly; the pattern (do clashes "
        "ebb after 1969?) is the point. Information, not a target "
        "(data/mids_cow_v5_1946_1975.csv).",
    ]
    return "\n".join(lines)


def _headline_rows(card: Scorecard) -> list[tuple[str, str]]:
    med = card.median_rupture_year
    return [
        ("P(CHN-RUS rupture by 1965)", card.p_rupture_by_1965.text()),
        (
            "median CHN-RUS rupture year",
            format_year(med) if med is not None else "none: fewer than half of the runs rupture",
        ),
        (
            "P(US-China at least neutral by 1972-75)",
            card.p_us_china_rapprochement_by_1975.text(),
        ),
    ]


def _behaviour_lines(card: Scorecard) -> list[str]:
    """The report's sentence on how far behaviour varied across the runs, if known."""
    if card.result is None:
        return []
    text = behaviour_sentence(behaviour_draws(card.result.inputs, card.result.runs))
    return [text, ""] if text else []


def write_report(card: Scorecard, folder: Path, figure: str = "hindcast.png") -> Path:
    """``report.md``: headline numbers, the target table, how each is measured, the figure.

    After the target table comes the shape of each relation over time
    (:func:`markdown_shape`), when the scorecard has it.
    """
    parts = [
        "# Hindcast validation",
        "",
        f"{card.title}.",
        "",
        f"Scenario `{card.scenario}` ({card.scenario_file}) · {card.runs:,} runs · seed "
        f"{card.seed} · {format_year(card.start_year)}–{format_year(card.horizon)} · "
        f"**{card.passed} of {len(card.targets)} targets met**",
        "",
        "Only the exogenous milestones are scheduled as shocks; every target below must "
        "emerge from the model (data/HINDCAST.md).",
        "",
        "## Headline",
        "",
        "| quantity | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in _headline_rows(card)),
        "",
        "## Targets",
        "",
        markdown_table(card),
        "",
        "Shares are of runs, with 95% Wilson intervals (sampling error only). Relations are "
        "on [−1, 1]; years are decimal years, 'after the horizon' standing for runs without "
        "the event.",
        "",
        *_behaviour_lines(card),
        *([markdown_shape(card), ""] if card.windows or card.turn else []),
        *([markdown_clashes(card), ""] if card.clashes else []),
        "## How each target is measured",
        "",
        "| # | target | measured in the model | pass rule | data |",
        "| ---: | --- | --- | --- | --- |",
        *(
            f"| {k} | {t.name} | {t.measure} | {t.rule} | {t.source} |"
            for k, t in enumerate(card.targets, start=1)
        ),
        "",
        "## Figure",
        "",
        f"![Hindcast relation fans with milestones]({figure})",
        "",
        f"*Figure 1. {CAPTION}*",
    ]
    path = Path(folder) / "report.md"
    path.write_text("\n".join(parts) + "\n", encoding="utf-8", newline="\n")
    return path


def format_scorecard(card: Scorecard, width: int = 118) -> str:
    """The scorecard as a plain-text table for the terminal."""
    cols = (("#", 2), ("target", 24), ("history", 34), ("simulated median [90% range]", 42))
    cols += (("pass", 4),)
    used = sum(w for _, w in cols) + 2 * (len(cols) - 1)
    rule = "-" * min(width, used)
    head = (
        f"{card.title}\nscenario {card.scenario}, {card.runs:,} runs, seed {card.seed}: "
        f"{card.passed} of {len(card.targets)} targets met"
    )
    lines = [head, rule]
    lines += [f"{name:<41} {value}" for name, value in _headline_rows(card)]
    lines += [rule, "  ".join(f"{n:<{w}}" for n, w in cols).rstrip(), rule]
    for k, t in enumerate(card.targets, start=1):
        cells = [str(k), t.name, t.history, t.simulated, "yes" if t.passed else "NO"]
        wrapped = [
            textwrap.wrap(c, w, break_on_hyphens=False) or [""]
            for c, (_, w) in zip(cells, cols, strict=True)
        ]
        for i in range(max(len(c) for c in wrapped)):
            parts = [
                f"{(c[i] if i < len(c) else ''):<{w}}"
                for c, (_, w) in zip(wrapped, cols, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    lines.append(rule)
    return "\n".join(lines)


def write_validation(
    scorecard: Scorecard,
    result: EnsembleResult | None,
    out_dir: str | Path,
    *,
    command: list[str] | None = None,
    seconds: float = 0.0,
    milestones: str | Path = MILESTONES,
) -> Path:
    """Write the validation folder whole, or not at all (:func:`sim.io.replacing`).

    Files: ``scorecard.json``, ``report.md``, ``hindcast.png`` and ``.svg``,
    ``runs.parquet``, ``trajectories.csv``, ``manifest.json``.
    """
    from sim.io import argv, manifest, replacing, shown_path

    result = result if result is not None else scorecard.result
    if result is None:
        raise ValueError("write_validation needs the ensemble result")
    ms = load_milestones(milestones)
    with replacing(Path(out_dir)) as tmp:
        card = scorecard.to_dict()
        (tmp / "scorecard.json").write_text(json.dumps(card, indent=2) + "\n")
        result.runs.to_parquet(tmp / "runs.parquet", index=False)
        traj = result.trajectories()
        traj.to_csv(tmp / "trajectories.csv", index=False)
        save_figure(plot_hindcast(traj, result.summary(), ms), tmp / "hindcast")
        write_report(scorecard, tmp)
        from sim.experiments.run import ensemble_result

        info = manifest(
            ensemble_result(result, kind="validate"),
            command if command is not None else argv(),
            seconds,
        )
        info["milestones_file"] = shown_path(milestones)
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2) + "\n")
    return Path(out_dir)


# ------------------------------------------------------------------- helpers


def _span(years: Sequence[int]) -> str:
    """``1950-1956`` for consecutive years, ``1955, 1960 and 1965`` otherwise."""
    ys = list(years)
    if not ys:
        return ""
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    if len(ys) == 1:
        return str(ys[0])
    return ", ".join(str(y) for y in ys[:-1]) + f" and {ys[-1]}"


def _percent(p: float) -> str:
    return f"{100 * p:g}%"


def _json_safe(value: Any) -> Any:
    """Plain Python values for JSON: numpy scalars to float/int, NaN and inf to None."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value
