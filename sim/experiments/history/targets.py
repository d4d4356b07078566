"""The target rules: how an ensemble's runs meet each target of an episode, in numbers and words.

Every rule reads the runs table through :class:`~sim.experiments.history.snapshots.Snapshots`
and returns a verdict, a *miss* (0 when the target passes, larger the further
off, in comparable units: a share of runs, a relation on [-1, 1], years
divided by :data:`~sim.experiments.history.snapshots.YEAR_SCALE`, or the share
of a count beyond its bar) and the words of the scorecard. The targets themselves are data
(:mod:`sim.scenario.episode`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.history.snapshots import (
    MIN_MISS,
    YEAR_SCALE,
    Estimate,
    Snapshots,
    finite_median,
    in_window,
    median_event_year,
    rupture_by,
    spread,
    years_off,
)
from sim.formats import format_relation, format_year
from sim.scenario.episode import Target

_COLUMN_WORDS = {
    "worst_year": "the first step at which each run's CHN-RUS relation was at its lowest",
    "peak_hazard_year": "the step at which each run's CHN-RUS crisis hazard peaked",
}


def measure(target: Target, thresholds: Mapping[str, float]) -> str:
    """How the model output is measured for ``target``, in words."""
    pair, span = "-".join(target.pair or ()), span_text(target.years)
    match target.kind:
        case "aligned_throughout":
            return (
                f"share of runs whose {pair} relation is aligned "
                f"(r ≥ {format_relation(thresholds['aligned'])}) at every yearly "
                f"snapshot {span}"
            )
        case "rupture":
            return (
                f"share of runs whose {pair} alliance has ruptured by the end of "
                f"{target.years[-1]} (a hostile spell after alignment, lasting the "
                "persistence time, dated to its start); median rupture year over all "
                "runs, a run without rupture counting as later than any year"
            )
        case "median_year":
            return f"median over runs of `{target.column}` ({_COLUMN_WORDS[target.column]})"
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
                f"median {pair} relation across runs at the {target.years[1]} snapshot "
                f"against the {target.years[0]} snapshot"
            )
        case "never_aligned":
            return (
                f"share of runs whose {pair} relation is below the aligned threshold "
                f"(r < {format_relation(thresholds['aligned'])}) at every yearly snapshot {span}"
            )
        case "not_hostile_median":
            return f"median {pair} relation across runs at the snapshots of {span}"
        case "closest_median":
            others = " and ".join("-".join(p) for p in target.than)
            return (
                f"median {pair} relation against the medians of {others}, at each snapshot {span}"
            )
        case "crises_at_most":
            return f"median over runs of the number of {pair} crises over the whole run"
    raise ValueError(f"unknown target kind {target.kind!r}")


def rule(target: Target, thresholds: Mapping[str, float]) -> str:
    """The pass rule of ``target``, in words."""
    match target.kind:
        case "aligned_throughout" | "not_hostile_any" | "never_aligned":
            return f"share ≥ {percent(target.at_least)}"
        case "not_hostile_median":
            return f"every median > {format_relation(thresholds['hostile'])}"
        case "closest_median":
            return "every median above each of the others"
        case "crises_at_most":
            return f"median ≤ {target.at_most:g}"
        case "rupture":
            return (
                f"P(rupture by {target.years[-1]}) ≥ {percent(target.at_least)} and median "
                f"rupture year in {target.window[0]}-{target.window[1]}"
            )
        case "median_year":
            return f"median in {target.window[0]}-{target.window[1]}"
        case "hostile_median":
            return f"every median ≤ {format_relation(thresholds['hostile'])}"
        case "median_rises":
            return (
                f"median {target.years[1]} ≥ median {target.years[0]} "
                f"+ {format_relation(target.at_least).lstrip('+')}"
            )
    raise ValueError(f"unknown target kind {target.kind!r}")


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


def _range_text(lo: float | None, hi: float | None, fmt: Callable[[float], str]) -> str:
    def one(v: float | None) -> str:
        return "after the horizon" if v is None else fmt(v)

    return f"[{one(lo)}, {one(hi)}]"


def verdict(
    t: Target, runs: pd.DataFrame, snaps: Snapshots, thr: Mapping[str, float], last_year: int
) -> tuple[bool, float]:
    """Does the runs table meet target ``t``, and by how much does it miss (before the floor).

    The rules of the targets, in one place: the scorecard's words
    (:func:`evaluate`) and a calibration's distance both read them. Only the
    statistics the rule needs are computed (no intervals, no words), so a fit
    can score many sets quickly. ``last_year`` is the episode's last snapshot
    year: a run without the event counts as happening the year after it, for
    the miss of a median year.
    """
    match t.kind:
        case "aligned_throughout":
            share = float(np.mean((snaps.matrix(t.pair, t.years) >= thr["aligned"]).all(axis=1)))
            return share >= t.at_least, t.at_least - share
        case "rupture":
            times = runs["rupture_year"].to_numpy(float)
            share = float(np.mean(~np.isnan(times) & (times < t.years[-1] + 1)))
            med = median_event_year(times)
            off = years_off(last_year + 1 if med is None else med, t.window) / YEAR_SCALE
            passed = share >= t.at_least and in_window(med, t.window)
            return passed, math.hypot(max(0.0, t.at_least - share), off)
        case "median_year":
            med = finite_median(runs[t.column].to_numpy(float))
            miss = 1.0 if med is None else years_off(med, t.window) / YEAR_SCALE
            return in_window(med, t.window), miss
        case "hostile_median":
            top = max(float(np.median(snaps.at(t.pair, y))) for y in t.years)
            return top <= thr["hostile"], top - thr["hostile"]
        case "not_hostile_any":
            share = float(np.mean((snaps.matrix(t.pair, t.years) > thr["hostile"]).any(axis=1)))
            return share >= t.at_least, t.at_least - share
        case "median_rises":
            before, after = snaps.at(t.pair, t.years[0]), snaps.at(t.pair, t.years[1])
            rise = float(np.median(after)) - float(np.median(before))
            return rise >= t.at_least, t.at_least - rise
        case "never_aligned":
            share = float(np.mean((snaps.matrix(t.pair, t.years) < thr["aligned"]).all(axis=1)))
            return share >= t.at_least, t.at_least - share
        case "not_hostile_median":
            low = min(float(np.median(snaps.at(t.pair, y))) for y in t.years)
            return low > thr["hostile"], thr["hostile"] - low
        case "closest_median":
            gap = min(closeness_gaps(t, snaps).values())
            return gap > 0.0, -gap
        case "crises_at_most":
            # The miss is the share of the median's crises beyond the bar: on [0, 1) like a
            # share of runs, so that one far-off count cannot outweigh every other target.
            med = float(np.median(runs[f"crises_{snaps.pair(t.pair)}"].to_numpy(float)))
            return med <= t.at_most, 1.0 - t.at_most / med if med > 0 else 0.0
    raise ValueError(f"unknown target kind {t.kind!r}")


SCALES = ("share", "relation", "year", "count")
"""What a :class:`Quantity` is measured in: a share of runs, a relation, a decimal year, a count."""


@dataclass(frozen=True)
class Quantity:
    """One continuous statistic a target's rule reads, with the interval that meets it.

    A target passes exactly when every one of its quantities lies in its
    interval (:func:`quantities`). An open side is infinite; a strict bound
    (``>``) is the next float past it, so the interval is closed. ``value`` is
    NaN when the statistic does not exist in these runs (a median year of an
    event that never happened), which lies in no interval. History matching
    emulates these smooth quantities rather than the kinked misses.
    """

    name: str
    value: float
    low: float
    high: float
    scale: str

    @property
    def met(self) -> bool:
        """Does the value lie in its interval (NaN never does)."""
        return bool(self.low <= self.value <= self.high)

    @property
    def outside(self) -> float:
        """How far the value lies outside its interval, in its units (0 inside; 1 if NaN)."""
        if math.isnan(self.value):
            return 1.0
        return max(0.0, self.low - self.value, self.value - self.high)


def _above(bound: float) -> float:
    return float(np.nextafter(bound, math.inf))


def _year_interval(window: tuple[int, int]) -> tuple[float, float]:
    """The decimal years of calendar years ``window``: [first, last + 1)."""
    return float(window[0]), float(np.nextafter(window[1] + 1.0, -math.inf))


def quantities(
    t: Target, runs: pd.DataFrame, snaps: Snapshots, thr: Mapping[str, float], last_year: int
) -> list[Quantity]:
    """The quantities target ``t``'s rule reads, each with the interval that meets it.

    The same statistics :func:`verdict` computes, named ``<key>`` or
    ``<key>.share`` and ``<key>.year`` for the rupture (a share of runs by the
    horizon and the median rupture year; under half ruptured, the year is the
    one after the episode, ``last_year + 1``, as for the miss). A run of the
    target's rule on the same runs passes exactly when every quantity is met.
    """
    inf = math.inf
    match t.kind:
        case "aligned_throughout" | "not_hostile_any" | "never_aligned":
            values = snaps.matrix(t.pair, t.years)
            hits = {
                "aligned_throughout": lambda v: (v >= thr["aligned"]).all(axis=1),
                "not_hostile_any": lambda v: (v > thr["hostile"]).any(axis=1),
                "never_aligned": lambda v: (v < thr["aligned"]).all(axis=1),
            }[t.kind](values)
            return [Quantity(t.key, float(np.mean(hits)), t.at_least, inf, "share")]
        case "rupture":
            times = runs["rupture_year"].to_numpy(float)
            share = float(np.mean(~np.isnan(times) & (times < t.years[-1] + 1)))
            med = median_event_year(times)
            year = float(last_year + 1) if med is None else med
            low, high = _year_interval(t.window)
            if med is None and low <= year <= high:
                year = math.nan  # no rupture year, and the stand-in would lie in the window
            return [
                Quantity(f"{t.key}.share", share, t.at_least, inf, "share"),
                Quantity(f"{t.key}.year", year, low, high, "year"),
            ]
        case "median_year":
            med = finite_median(runs[t.column].to_numpy(float))
            return [Quantity(t.key, math.nan if med is None else med, *_year_interval(t.window),
                             "year")]  # fmt: skip
        case "hostile_median":
            top = max(float(np.median(snaps.at(t.pair, y))) for y in t.years)
            return [Quantity(t.key, top, -inf, thr["hostile"], "relation")]
        case "median_rises":
            before, after = snaps.at(t.pair, t.years[0]), snaps.at(t.pair, t.years[1])
            rise = float(np.median(after)) - float(np.median(before))
            return [Quantity(t.key, rise, t.at_least, inf, "relation")]
        case "not_hostile_median":
            low = min(float(np.median(snaps.at(t.pair, y))) for y in t.years)
            return [Quantity(t.key, low, _above(thr["hostile"]), inf, "relation")]
        case "closest_median":
            gap = min(closeness_gaps(t, snaps).values())
            return [Quantity(t.key, gap, _above(0.0), inf, "relation")]
        case "crises_at_most":
            med = float(np.median(runs[f"crises_{snaps.pair(t.pair)}"].to_numpy(float)))
            return [Quantity(t.key, med, -inf, float(t.at_most), "count")]
    raise ValueError(f"unknown target kind {t.kind!r}")


def closeness_gaps(t: Target, snaps: Snapshots) -> dict[str, float]:
    """Per snapshot year and other pair: ``t.pair``'s median minus the other's (> 0: closer)."""
    gaps = {}
    for y in t.years:
        own = float(np.median(snaps.at(t.pair, y)))
        for other in t.than:
            gaps[f"{y} {'-'.join(other)}"] = own - float(np.median(snaps.at(other, y)))
    return gaps


def _binding_median(t: Target, snaps: Snapshots, highest: bool) -> dict:
    """The median and spread of ``t.pair`` each year, and the year that binds the rule.

    The highest median binds a rule that every median stay at or below a bar,
    the lowest one a rule that every median stay above it.
    """
    per_year = {}
    for y in t.years:
        m, lo, hi = spread(snaps.at(t.pair, y))
        per_year[str(y)] = {"median": m, "q05": lo, "q95": hi}
    pick = max if highest else min
    binding = pick(per_year, key=lambda y: per_year[y]["median"])
    m, lo, hi = (per_year[binding][k] for k in ("median", "q05", "q95"))
    word = "highest" if highest else "lowest"
    return {
        "median": m,
        "q05": lo,
        "q95": hi,
        "simulated": f"{word} median {format_relation(m)} ({binding}) "
        f"{_range_text(lo, hi, format_relation)}",
        "detail": {"by_year": per_year, "binding_year": int(binding)},
    }


def _share_and_extreme(
    t: Target, values: np.ndarray, hits: np.ndarray, detail: dict[str, Any], highest: bool
) -> dict:
    """A share of runs (``hits``) described with each run's highest (or lowest) relation."""
    share = Estimate.of(hits)
    med, lo, hi = spread(values.max(axis=1) if highest else values.min(axis=1))
    word = "highest" if highest else "lowest"
    return {
        "share": share,
        "median": med,
        "q05": lo,
        "q95": hi,
        "simulated": f"{share.text()} of runs; {word} r {span_text(t.years)}: median "
        f"{format_relation(med)} {_range_text(lo, hi, format_relation)}",
        "detail": {"statistic": f"{word} relation over the snapshots", **detail},
    }


def evaluate(
    t: Target, runs: pd.DataFrame, snaps: Snapshots, thr: Mapping[str, float], last_year: int
) -> dict:
    """What the scorecard says of target ``t``: statistics, their spread and words.

    The verdict and the miss are :func:`verdict`'s; these fields describe them.
    """
    rel = format_relation
    match t.kind:
        case "aligned_throughout":
            values = snaps.matrix(t.pair, t.years)
            hits = (values >= thr["aligned"]).all(axis=1)
            return _share_and_extreme(t, values, hits, {}, highest=False)
        case "rupture":
            share = rupture_by(runs, t.years[-1])
            times = runs["rupture_year"].to_numpy(float)
            med = median_event_year(times)
            _, lo, hi = spread(np.where(np.isnan(times), np.inf, times))
            med_text = format_year(med) if med is not None else "none (under half rupture)"
            return {
                "share": share,
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"P(by {t.years[-1]}) {share.text()}; median year {med_text} "
                f"{_range_text(lo, hi, format_year)}",
                "detail": {"p_rupture_by_horizon": Estimate.of(~np.isnan(times)).to_dict()},
            }
        case "median_year":
            med, lo, hi = spread(runs[t.column].to_numpy(float))
            return {
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"median {format_year(med)} {_range_text(lo, hi, format_year)}",
            }
        case "hostile_median":
            return _binding_median(t, snaps, highest=True)
        case "not_hostile_any":
            values = snaps.matrix(t.pair, t.years)
            at_end = Estimate.of(values[:, -1] > thr["hostile"])
            return _share_and_extreme(
                t, values, (values > thr["hostile"]).any(axis=1),
                {f"share_not_hostile_at_{t.years[-1]}": at_end.to_dict()}, highest=True,
            )  # fmt: skip
        case "median_rises":
            before, after = snaps.at(t.pair, t.years[0]), snaps.at(t.pair, t.years[1])
            m0, m1 = float(np.median(before)), float(np.median(after))
            med, lo, hi = spread(after - before)
            return {
                "median": m1,
                "q05": spread(after)[1],
                "q95": spread(after)[2],
                "simulated": f"{rel(m0)} ({t.years[0]}) → {rel(m1)} ({t.years[1]}); "
                f"per-run change {rel(med)} {_range_text(lo, hi, rel)}",
                "detail": {
                    f"median_{t.years[0]}": m0,
                    f"median_{t.years[1]}": m1,
                    "change": {"median": med, "q05": lo, "q95": hi},
                },
            }
        case "never_aligned":
            values = snaps.matrix(t.pair, t.years)
            hits = (values < thr["aligned"]).all(axis=1)
            return _share_and_extreme(t, values, hits, {}, highest=True)
        case "not_hostile_median":
            return _binding_median(t, snaps, highest=False)
        case "closest_median":
            gaps = closeness_gaps(t, snaps)
            worst = min(gaps, key=gaps.__getitem__)
            return {
                "median": gaps[worst],
                "simulated": f"smallest lead of the {'-'.join(t.pair)} median: "
                f"{rel(gaps[worst])} (over {worst.replace(' ', ', ')})",
                "detail": {"leads": gaps, "binding": worst},
            }
        case "crises_at_most":
            counts = runs[f"crises_{snaps.pair(t.pair)}"].to_numpy(float)
            med, lo, hi = spread(counts)
            return {
                "median": med,
                "q05": lo,
                "q95": hi,
                "simulated": f"median {med:g} crises {_range_text(lo, hi, lambda v: f'{v:g}')}",
            }
    raise ValueError(f"unknown target kind {t.kind!r}")


MARGIN_KINDS = frozenset(
    {"aligned_throughout", "rupture", "not_hostile_any", "median_rises", "never_aligned"}
)
"""Target kinds with a least share or rise (``at_least``) that a margin can raise."""


def tightened(margin: float, targets: Sequence[Target]) -> tuple[Target, ...]:
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
        t.model_copy(update={"at_least": t.at_least + margin}) if t.kind in MARGIN_KINDS else t
        for t in targets
    )


def span_text(years: Sequence[int]) -> str:
    """``1950-1956`` for consecutive years, ``1955, 1960 and 1965`` otherwise."""
    ys = list(years)
    if not ys:
        return ""
    if len(ys) > 2 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    if len(ys) == 1:
        return str(ys[0])
    return ", ".join(str(y) for y in ys[:-1]) + f" and {ys[-1]}"


def percent(p: float) -> str:
    """A share as a percentage without spurious decimals: ``0.6 -> "60%"``."""
    return f"{100 * p:g}%"


def floored(passed: bool, miss: float) -> float:
    """A target's miss: 0 when it passes, else at least :data:`MIN_MISS`."""
    return 0.0 if passed else max(MIN_MISS, float(miss))


def results(
    runs: pd.DataFrame,
    snaps: Snapshots,
    targets: Sequence[Target],
    thresholds: Mapping[str, float],
    last_year: int,
) -> list[TargetResult]:
    """Every target's verdict, miss and words, in the order of ``targets``.

    A failed target misses by at least :data:`MIN_MISS`, so a miss is zero
    exactly when the target passes.
    """
    out = []
    for t in targets:
        passed, miss = verdict(t, runs, snaps, thresholds, last_year)
        fields = evaluate(t, runs, snaps, thresholds, last_year)
        fields["passed"] = passed
        fields["miss"] = floored(passed, miss)
        out.append(
            TargetResult(
                key=t.key,
                name=t.name,
                history=t.history,
                source=t.source,
                measure=measure(t, thresholds),
                rule=rule(t, thresholds),
                **fields,
            )
        )
    return out
