"""Distributions of uncertain parameters, sampled by inverse CDF.

Every uncertain value is drawn as a uniform on [0, 1) and mapped through the
distribution's inverse CDF (:mod:`scipy.stats`), so the same code serves
Monte Carlo sampling here and space-filling designs (Latin hypercube, Sobol)
that hand over points of the unit cube.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from sim.scenario.schema import Distribution


def frozen(dist: Distribution) -> stats.rv_continuous:
    """The scipy distribution of a :class:`Distribution`."""
    if dist.dist == "uniform":
        return stats.uniform(loc=dist.low, scale=dist.high - dist.low)  # type: ignore[operator]
    if dist.dist == "loguniform":
        return stats.loguniform(dist.low, dist.high)
    if dist.dist == "triangular":
        lo, hi, mode = dist.low, dist.high, dist.mode
        return stats.triang(c=(mode - lo) / (hi - lo), loc=lo, scale=hi - lo)  # type: ignore[operator]
    lo = -np.inf if dist.low is None else (dist.low - dist.mean) / dist.sd  # type: ignore[operator]
    hi = np.inf if dist.high is None else (dist.high - dist.mean) / dist.sd  # type: ignore[operator]
    return stats.truncnorm(lo, hi, loc=dist.mean, scale=dist.sd)


def from_unit(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in [0, 1) to values of ``dist`` (same shape)."""
    return np.asarray(frozen(dist).ppf(u), dtype=float)


def support(dist: Distribution) -> tuple[float, float]:
    """Smallest and largest value the distribution can produce.

    Read from the distribution's own numbers, not from scipy, so that checking
    a file's distribution never computes with its numbers before they are known
    to be in bounds (``high - low`` of two huge numbers overflows).
    """
    if dist.dist == "normal":
        lo = -np.inf if dist.low is None else dist.low
        hi = np.inf if dist.high is None else dist.high
        return float(lo), float(hi)
    return float(dist.low), float(dist.high)  # type: ignore[arg-type]


PROBES = np.array([1e-9, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0 - 1e-9])
"""Points of the unit interval at which :func:`sampling_problem` checks a distribution."""


def sampling_problem(dist: Distribution) -> str | None:
    """Why ``dist`` cannot be sampled accurately by inverse CDF, or ``None`` if it can.

    The inverse CDF at a few probes must be finite, ordered, inside the
    support, and map back through the CDF to the probes. Valid numbers of
    extreme size (a truncated normal whose mean lies hundreds of standard
    deviations outside ``[low, high]``, an sd of 1e-30 or 1e300) break scipy's
    arithmetic silently: the draws would be ``nan`` or all alike.
    """
    lo, hi = support(dist)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = frozen(dist)
        x = np.asarray(f.ppf(PROBES), dtype=float)
        back = np.asarray(f.cdf(x), dtype=float)
    ok = (
        np.all(np.isfinite(x))
        and np.all((x >= lo) & (x <= hi))
        and np.all(np.diff(x) >= 0)
        and np.all(np.abs(back - PROBES) <= 1e-6)
    )
    if ok:
        return None
    if dist.dist == "normal":
        return (
            f"normal(mean={dist.mean:g}, sd={dist.sd:g}) truncated to [{lo:g}, {hi:g}] cannot be "
            "sampled accurately: bring the mean near [low, high] and the sd near high - low"
        )
    return f"{dist.dist} distribution cannot be sampled accurately; check its numbers"
