"""How much of a probability is doubt about behaviour, and which parameter carries it.

Worlds draw their behaviour parameters in *behaviour sets*: the
:data:`~sim.model.streams.SET_WORLDS` consecutive worlds of a set share every
behaviour value (a whole posterior set, and one draw of each parameter that the
calibration gives a range) and differ only in their own randomness and in the
scenario's uncertain values. An event's indicator ``y`` over the worlds then
splits, by the one-way random-effects decomposition (method of moments,
Searle, Casella and McCulloch 1992, ch. 3), into

``Var(y) = var_b + var_w``

where ``var_b`` is the variance over behaviour of the per-set probability
``p(theta)`` (how far the answer moves with how states behave) and ``var_w``
the chance left once behaviour is fixed. Unless an F test finds the sets
differing more than chance would make them (at the 5% level), ``var_b`` is
taken as 0: with a hundred sets of twenty worlds, chance alone gives an
estimated spread of a few points. From these:

- the *sampling interval* of the share of worlds, a Wilson interval at the
  effective number of worlds (worlds of a set are not independent when
  behaviour matters, so the design effect ``1 + (m - 1) var_b / Var(y)``
  shrinks the count);
- the *behaviour interval*: the 10th and 90th percentiles of ``p(theta)`` over
  behaviour, from the Beta distribution with the estimated mean and variance
  ``var_b`` (the per-set shares themselves are too noisy to read off: a set of
  20 worlds shows 0% or 5% for most rare events);
- for each sampled parameter, the share of ``var_b`` that moves with it (a
  first-order index estimated by binning the sets on the parameter, again net
  of noise), which names the parameter a forecast depends on most.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import f as f_dist
from scipy.stats import norm

from sim.engine.stats import proportion

BEHAVIOUR_LEVEL = 0.8
"""Central probability of the behaviour interval (10th to 90th percentile)."""

DETECT = 0.05
"""Level of the F test below which the sets are taken to differ (else the spread is 0)."""


@dataclass(frozen=True)
class Spread:
    """One event's share of worlds with its sampling and behaviour intervals.

    All figures are probabilities (0-1). ``behaviour_low``/``behaviour_high``
    bound the central :data:`BEHAVIOUR_LEVEL` of the per-set probability over
    behaviour; ``share`` is the fraction of the indicator's variance that is
    between sets (behaviour) rather than chance; ``sets`` counts behaviour sets
    (0 when every world ran the same behaviour).
    ``detected`` says whether the sets differ more than chance makes them (F test
    at :data:`DETECT`); when they do not, the spread is reported as 0: with few
    sets, a real but small spread can go undetected.
    """

    value: float
    low: float
    high: float
    behaviour_low: float
    behaviour_high: float
    behaviour_sd: float
    share: float
    sets: int
    detected: bool

    def as_dict(self) -> dict[str, Any]:
        """The summary entry: ``value``, ``low``, ``high`` (and ``behaviour`` if drawn)."""
        out: dict[str, Any] = {"value": self.value, "low": self.low, "high": self.high}
        if self.sets == 0:
            return out
        return out | {
            "behaviour": {
                "low": self.behaviour_low,
                "high": self.behaviour_high,
                "sd": self.behaviour_sd,
                "share": self.share,
                "sets": self.sets,
                "detected": self.detected,
            },
        }


@dataclass(frozen=True)
class _OneWay:
    """Mean squares of a one-way layout: ``n`` values in ``k`` groups."""

    n: int
    k: int
    msb: float
    msw: float
    n0: float

    @classmethod
    def of(cls, values: np.ndarray, groups: np.ndarray) -> _OneWay:
        _, codes, sizes = np.unique(groups, return_inverse=True, return_counts=True)
        n, k = values.size, sizes.size
        means = np.bincount(codes, weights=values, minlength=k) / sizes
        within = float(np.sum((values - means[codes]) ** 2))
        msw = within / (n - k) if n > k else 0.0
        if k < 2:
            return cls(n, k, 0.0, msw, math.nan)
        msb = float(np.sum(sizes * (means - values.mean()) ** 2)) / (k - 1)
        n0 = (n - float(np.sum(sizes**2)) / n) / (k - 1)
        return cls(n, k, msb, msw, n0)

    def between(self) -> float:
        """The between-group variance net of noise (0 with one group)."""
        return 0.0 if self.k < 2 else max(0.0, (self.msb - self.msw) / self.n0)

    def p_value(self) -> float:
        """p-value of the F test that the groups share one mean (1 with one group)."""
        if self.k < 2 or self.n <= self.k:
            return 1.0
        if self.msw == 0.0:
            return 0.0 if self.msb > 0 else 1.0
        return float(f_dist.sf(self.msb / self.msw, self.k - 1, self.n - self.k))


def differ_p_value(values: np.ndarray, groups: np.ndarray) -> float:
    """p-value of the one-way F test that the groups share one mean (1 with one group)."""
    return _OneWay.of(np.asarray(values, dtype=float), groups).p_value()


def between_variance(values: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Variance between group means net of noise, and the within-group variance.

    One-way random effects by the method of moments: with group sizes ``n_k``,
    ``MSB`` and ``MSW`` the between and within mean squares and
    ``n0 = (N - sum n_k^2 / N) / (K - 1)``, the between variance is
    ``max(0, (MSB - MSW) / n0)``. Unbiased before the truncation at 0 for any
    distribution of the values. Returns ``(0, variance)`` with fewer than two
    groups and ``(nan, nan)`` without data.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return math.nan, math.nan
    layout = _OneWay.of(values, groups)
    return layout.between(), layout.msw


def wilson(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share ``p`` observed over ``n`` (possibly fractional) trials."""
    if n <= 0:
        return 0.0, 1.0
    z = float(norm.ppf(0.5 + confidence / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(max(0.0, p * (1 - p)) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def spread(events: np.ndarray, sets: np.ndarray | None) -> Spread:
    """The share of worlds with an event, with its sampling and behaviour intervals.

    Parameters
    ----------
    events
        Event indicators, one per world (bool or 0/1).
    sets
        Each world's behaviour set (``behaviour_set`` of the runs table), or
        ``None`` when every world ran the same behaviour: the behaviour interval
        is then the point itself and the sampling interval the plain Wilson one.
    """
    y = np.asarray(events, dtype=float)
    n = y.size
    p = float(y.mean()) if n else math.nan
    if sets is None or n == 0:
        lo, hi = proportion(int(y.sum()), n)[1:] if n else (math.nan, math.nan)
        return Spread(p, lo, hi, p, p, 0.0, 0.0, 0, False)
    layout = _OneWay.of(y, sets)  # one pass: the variances and the F test share it
    var_w, k = layout.msw, layout.k
    detected = layout.p_value() < DETECT
    # Unless the test finds them, a spread between sets could be chance alone.
    var_b = layout.between() if detected else 0.0
    total = var_b + var_w
    share = var_b / total if total > 0 else 0.0
    deff = 1.0 + (n / k - 1.0) * share
    lo, hi = wilson(p, n / deff) if deff > 1 else proportion(int(y.sum()), n)[1:]
    b_lo, b_hi = behaviour_interval(p, var_b)
    return Spread(p, lo, hi, b_lo, b_hi, math.sqrt(var_b), share, k, detected)


def behaviour_interval(mean: float, variance: float) -> tuple[float, float]:
    """Central :data:`BEHAVIOUR_LEVEL` of a Beta distribution with this mean and variance.

    A variance of 0 (behaviour does not move the probability) gives the
    point; a variance at or above ``mean (1 - mean)`` (all or nothing by set)
    is capped just below it, which puts the mass near 0 and 1.
    """
    if variance <= 0 or not 0 < mean < 1:
        return mean, mean
    cap = mean * (1 - mean)
    variance = min(variance, 0.999 * cap)
    total = cap / variance - 1.0
    a, b = mean * total, (1 - mean) * total
    tail = (1 - BEHAVIOUR_LEVEL) / 2
    return float(beta_dist.ppf(tail, a, b)), float(beta_dist.ppf(1 - tail, a, b))


def drivers(
    events: np.ndarray, sets: np.ndarray, parameters: pd.DataFrame, bins: int = 10
) -> pd.DataFrame:
    """Share of the behaviour variance of an event that moves with each parameter.

    Each set's share of worlds with the event is grouped by the decile (fewer
    bins for few sets) of the set's value of the parameter; the variance
    between the bins' means, net of the noise within bins
    (:func:`between_variance`), estimates ``Var(E[p | parameter])``, a
    first-order sensitivity index, and is divided by the whole behaviour
    variance. Shares of correlated parameters (a posterior's) overlap and need
    not sum to 1.

    Returns a table indexed by parameter with columns ``share`` (0-1, ``nan``
    when behaviour moves nothing) and ``spread`` (the standard deviation over
    behaviour it accounts for, in probability), largest first.
    """
    y = np.asarray(events, dtype=float)
    codes, per_set = _per_set(y, sets)
    var_b, _ = between_variance(y, sets)
    rows = []
    k = per_set.size
    nbins = max(2, min(bins, k // 10))
    for name in parameters.columns:
        values = pd.Series(np.asarray(parameters[name], dtype=float)).groupby(codes).first()
        ranks = values.rank(method="first").to_numpy()
        groups = np.minimum(((ranks - 1) * nbins / k).astype(int), nbins - 1)
        if values.nunique() < 2:
            explained = 0.0
        else:
            explained, _ = between_variance(per_set, groups)
        share = min(1.0, explained / var_b) if var_b > 0 else math.nan
        rows.append({"parameter": name, "share": share, "spread": math.sqrt(explained)})
    table = pd.DataFrame(rows, columns=["parameter", "share", "spread"])
    return table.sort_values("spread", ascending=False, kind="stable").set_index("parameter")


SETS = "behaviour_set"
"""Runs-table column numbering the set of worlds that share a behaviour draw."""


def sets_of(runs: pd.DataFrame) -> np.ndarray | None:
    """Each run's behaviour set, or ``None`` when the runs did not draw behaviour."""
    return runs[SETS].to_numpy() if SETS in runs else None


def _per_set(y: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each world's set number (0..K-1) and each set's share of worlds with the event."""
    _, codes, sizes = np.unique(sets, return_inverse=True, return_counts=True)
    return codes, np.bincount(codes, weights=y, minlength=sizes.size) / sizes
