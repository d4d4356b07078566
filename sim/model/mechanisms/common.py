"""Small helpers shared by the mechanisms, and the one way they are compiled.

Every mechanism is written once, as compiled arithmetic (:data:`compiled`):
elementwise equations run unchanged on numbers (inside the step kernel,
:mod:`sim.model.kernel`) and on arrays (numpy broadcasting, as the
hand-worked tests call them); equations that sum over third states take one
world's rows and matrices.
"""

from __future__ import annotations

import numpy as np
from numba import njit

Num = float | np.ndarray
"""A number or an array: elementwise equations accept either."""

compiled = njit(cache=True, nogil=True)
"""The compiler every mechanism uses: numba ``@njit``, cached on disk per machine.

``cache=True`` writes the machine code beside the module (``__pycache__``),
so only the first run on a machine pays the compilation; ``nogil`` lets
threads share a process if a caller chooses to.
"""


@compiled
def relax(current: Num, target: Num, rate: Num, dt: float) -> Num:
    """Move ``current`` toward ``target`` at ``rate`` per year over ``dt`` years.

    Exact solution of dx/dt = rate (target - x) with the target held fixed,
    so it is stable for any step: with rate 1/year and dt = 0.25, 22% of the
    gap closes.
    """
    return target + (current - target) * np.exp(-rate * dt)


@compiled
def occurs(hazard: Num, dt: float, u: Num) -> Num:
    """Whether an event with ``hazard`` per year happens in ``dt`` years, given uniforms ``u``."""
    return u < -np.expm1(-hazard * dt)


@compiled
def clip(x: Num, low: float, high: float) -> Num:
    """``x`` held to ``[low, high]``, for numbers and arrays alike (``np.clip``)."""
    return np.minimum(np.maximum(x, low), high)


@compiled
def relation_into(stance: np.ndarray, out: np.ndarray) -> None:
    """One world's relations ``r_ij = min(s_ij, s_ji)`` written into ``out`` ``(n, n)``."""
    n = stance.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = min(stance[i, j], stance[j, i])


@compiled
def relation(stance: np.ndarray) -> np.ndarray:
    """Relation from stances: ``r_ij = min(s_ij, s_ji)``.

    Cooperation needs both sides, hostility can be one-sided (BRIEF
    section 3): the pair is as friendly as its less friendly member.
    Shape ``(worlds, n, n)``, symmetric, zero diagonal.
    """
    out = np.empty_like(stance)
    for w in range(stance.shape[0]):
        relation_into(stance[w], out[w])
    return out
