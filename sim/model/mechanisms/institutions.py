"""Institutions: a slow stock built by cooperation (Keohane 1984).

Consultations, exercises and exchanges accumulate while the relation is
positive and decay under hostility. The stock slows stance change (inertia)
and pulls toward cooperation (the cost of breaking): Bekkevold's fifth
factor, thin in the 1950s and wide today.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def rate(institutions: Num, relation: Num, build: Num, decay: Num) -> Num:
    """d(institutions)/dt per year: ``build r+ (1 - I) - decay r- I``."""
    return (
        build * np.maximum(0.0, relation) * (1.0 - institutions)
        - decay * np.maximum(0.0, -relation) * institutions
    )


@compiled
def drag(institutions: Num, weight: Num) -> Num:
    """Factor dividing the speed of stance change: ``1 + weight * I``."""
    return 1.0 + weight * institutions


def change(
    institutions: np.ndarray, relation: np.ndarray, build: np.ndarray, decay: np.ndarray
) -> np.ndarray:
    """:func:`rate` of every pair ``(worlds, n, n)``; ``build``, ``decay`` are ``(worlds, 1)``."""
    return rate(institutions, relation, build[:, :, None], decay[:, :, None])


def inertia(institutions: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """:func:`drag` of every pair; ``weight`` is ``(worlds, 1)``."""
    return drag(institutions, weight[:, :, None])
