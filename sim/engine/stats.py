"""The statistics every experiment shares: shares of runs and paired comparisons.

A share of runs gets its 95% Wilson score interval; two scenarios run on
common random numbers (the same seed, so world ``w`` of one draws what world
``w`` of the other draws) are compared world by world with exact paired
methods, which are far sharper than comparing two independent shares.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import beta, binom, binomtest


def proportion(k: int, n: int) -> tuple[float, float, float]:
    """Share ``k / n`` with its 95% Wilson score interval (scipy)."""
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return k / n, float(ci.low), float(ci.high)


def paired_p_value(base: np.ndarray, case: np.ndarray) -> float:
    """Two-sided exact McNemar test of paired event indicators (one pair per world).

    Worlds share their random streams across cases (same seed, same world index),
    so a case and its base are paired; only discordant worlds inform the test.
    Returns 1 when no world is discordant.
    """
    gained = int(np.sum(case & ~base))
    lost = int(np.sum(base & ~case))
    if gained + lost == 0:
        return 1.0
    return float(binomtest(gained, gained + lost, 0.5).pvalue)


def paired_difference(
    base: np.ndarray, case: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """Difference of two paired shares, ``P(case) - P(base)``, with an exact interval.

    Parameters
    ----------
    base, case
        Event indicators (bool), one per world, the same worlds in both.
    confidence
        Level of the interval.

    Returns
    -------
    tuple of float
        The difference, its lower and upper bounds, and the two-sided exact
        McNemar p-value. Conditional on the ``d`` discordant worlds, those where
        only the case had the event number ``b ~ Binomial(d, pi)``; the
        difference is ``(2 b - d) / n``, so the Clopper-Pearson interval of
        ``pi`` maps to an exact interval of the difference (conditional on
        ``d``). No discordant world: the difference is 0 with interval [0, 0].
    """
    n = len(base)
    gained = int(np.sum(case & ~base))
    lost = int(np.sum(base & ~case))
    d = gained + lost
    diff = (gained - lost) / n
    if d == 0:
        return 0.0, 0.0, 0.0, 1.0
    alpha = 1.0 - confidence
    lo = 0.0 if gained == 0 else float(beta.ppf(alpha / 2, gained, d - gained + 1))
    hi = 1.0 if gained == d else float(beta.ppf(1 - alpha / 2, gained + 1, d - gained))
    return diff, d * (2 * lo - 1) / n, d * (2 * hi - 1) / n, paired_p_value(base, case)


def median_difference(
    base: np.ndarray, case: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Median of the paired differences ``case - base`` with an exact sign-test interval.

    The interval is made of two order statistics of the differences, chosen
    from the binomial distribution of how many differences fall below the
    median: its coverage is at least ``confidence`` whatever the distribution
    (distribution-free; Conover 1999, section 3.2). Returns the median and
    the bounds, in the units of the inputs.
    """
    diffs = np.sort(np.asarray(case, dtype=float) - np.asarray(base, dtype=float))
    n = len(diffs)
    median = float(np.median(diffs))
    alpha = 1.0 - confidence
    k = int(binom.ppf(alpha / 2, n, 0.5))  # P(below <= k-1) <= alpha/2
    while k > 0 and binom.cdf(k - 1, n, 0.5) > alpha / 2:
        k -= 1
    if k == 0:
        return median, float(diffs[0]), float(diffs[-1])
    return median, float(diffs[k - 1]), float(diffs[n - k])


def mean_difference(
    base: np.ndarray, case: np.ndarray, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Mean of the paired differences ``case - base`` with its t interval."""
    from scipy.stats import t

    diffs = np.asarray(case, dtype=float) - np.asarray(base, dtype=float)
    n = len(diffs)
    mean = float(diffs.mean())
    if n < 2:
        return mean, math.nan, math.nan
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * float(diffs.std(ddof=1)) / math.sqrt(n)
    return mean, mean - half, mean + half
