"""Institutions: a slow stock built by cooperation (Keohane 1984).

Consultations, exercises and exchanges accumulate while the relation is
positive and decay under hostility. The stock slows stance change (inertia)
and pulls toward cooperation (the cost of breaking): Bekkevold's fifth
factor, thin in the 1950s and wide today.
"""

from __future__ import annotations

import numpy as np


def change(
    institutions: np.ndarray, relation: np.ndarray, build: np.ndarray, decay: np.ndarray
) -> np.ndarray:
    """d(institutions)/dt per year: ``build r+ (1 - I) - decay r- I``."""
    return (
        build[:, :, None] * np.maximum(0.0, relation) * (1.0 - institutions)
        - decay[:, :, None] * np.maximum(0.0, -relation) * institutions
    )


def inertia(institutions: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Factor dividing the speed of stance change: ``1 + weight * I``."""
    return 1.0 + weight[:, :, None] * institutions
