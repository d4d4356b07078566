"""Reading an ensemble's runs table for history: yearly relation snapshots and shares of runs.

The runs table holds, per run, the years of its events (``rupture_year``,
``worst_year``, ``peak_hazard_year``) and its relations at the snapshot years
(``r_<pair>@<year>`` columns, :mod:`sim.outcomes`). Everything a target rule
needs is read from there, never from the model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.engine.stats import proportion
from sim.formats import format_interval, format_share
from sim.outcomes import pair_name

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

    def years(self) -> list[float]:
        """Every snapshot's decimal year in the table, ascending."""
        return sorted({year for found in self._columns.values() for year, _ in found})

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


def finite_median(values: np.ndarray) -> float | None:
    """Median of the values that are not NaN; ``None`` if none, or if it is infinite.

    The median :func:`spread` reports, without its quantiles.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    med = float(np.median(values))
    return med if math.isfinite(med) else None


def spread(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    """Median, 5% and 95% quantiles; infinite values (no event) give ``None``."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None, None, None
    med = float(np.median(values))
    method = "linear" if np.isfinite(values).all() else "inverted_cdf"
    q05, q95 = (float(q) for q in np.quantile(values, [0.05, 0.95], method=method))
    return tuple(v if math.isfinite(v) else None for v in (med, q05, q95))  # type: ignore[return-value]


def years_off(year: float, window: tuple[int, int]) -> float:
    """How many years ``year`` lies outside the calendar years ``window`` (0 inside)."""
    return max(0.0, window[0] - year, year - (window[1] + 1))


def in_window(year: float | None, window: tuple[int, int]) -> bool:
    """Is a decimal year inside the calendar years ``window`` (both ends included)."""
    return year is not None and window[0] <= year < window[1] + 1
