"""Small helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np


def relax(current: np.ndarray, target: np.ndarray, rate: np.ndarray, dt: float) -> np.ndarray:
    """Move ``current`` toward ``target`` at ``rate`` per year over ``dt`` years.

    Exact solution of dx/dt = rate (target - x) with the target held fixed,
    so it is stable for any step: with rate 1/year and dt = 0.25, 22% of the
    gap closes.
    """
    return target + (current - target) * np.exp(-rate * dt)


def occurs(hazard: np.ndarray, dt: float, u: np.ndarray) -> np.ndarray:
    """Whether an event with ``hazard`` per year happens in ``dt`` years, given uniforms ``u``."""
    return u < -np.expm1(-hazard * dt)


def relation(stance: np.ndarray) -> np.ndarray:
    """Relation from stances: ``r_ij = min(s_ij, s_ji)``.

    Cooperation needs both sides, hostility can be one-sided (BRIEF
    section 3): the pair is as friendly as its less friendly member.
    Shape ``(worlds, n, n)``, symmetric, zero diagonal.
    """
    return np.minimum(stance, np.swapaxes(stance, 1, 2))
