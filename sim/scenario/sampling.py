"""Distributions of uncertain parameters, sampled by inverse CDF.

Every uncertain value is drawn as a uniform on [0, 1) and mapped through the
distribution's inverse CDF (:mod:`scipy.stats`), so the same code serves
Monte Carlo sampling here and space-filling designs (Latin hypercube, Sobol)
that hand over points of the unit cube.
"""

from __future__ import annotations

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
    """Smallest and largest value the distribution can produce."""
    lo, hi = frozen(dist).support()
    return float(lo), float(hi)
