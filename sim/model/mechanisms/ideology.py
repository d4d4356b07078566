"""Ideology: distance, salience and doctrinal rivalry.

Shared doctrine draws states together only while they do not compete to lead
the same camp; once they do, closeness turns into friction, as between Mao
and Khrushchev after 1956 (Lüthi 2008). Salience scales how much any of this
matters to a state: high in the 1950s, low today (Bekkevold 2024).
"""

from __future__ import annotations

import numpy as np


def affinity(salience: np.ndarray, distance: np.ndarray, rivalry: np.ndarray) -> np.ndarray:
    """Ideological affinity of i toward each j in [-1, 1].

    ``salience`` is i's, ``(worlds, 1)``; ``distance`` and ``rivalry`` are i's
    row ``(worlds, n)``; the result has their shape.

    ``salience_i * ((1 - 2 d_ij) - 2 R_ij (1 - d_ij))``: +salience for the same
    doctrine and no rivalry, -salience for opposite systems, and -salience
    again for the same doctrine under open schism.
    """
    closeness = 1.0 - distance
    return salience * ((1.0 - 2.0 * distance) - 2.0 * rivalry * closeness)


def friction(affinity_: np.ndarray) -> np.ndarray:
    """Ideological friction: the negative part of affinity, in [0, 1]."""
    return np.maximum(0.0, -affinity_)


def rivalry_change(
    rivalry: np.ndarray,
    relation: np.ndarray,
    salience: np.ndarray,
    distance: np.ndarray,
    capability: np.ndarray,
    polemic_rate: np.ndarray,
    parity_rate: np.ndarray,
    rivalry_decay: np.ndarray,
) -> np.ndarray:
    """d(rivalry)/dt per year, symmetric, shape ``(worlds, n, n)``.

    Rivalry grows where both states care about doctrine and share it
    (``stake = salience_i * salience_j * (1 - d_ij)``), from open hostility
    (polemics) and from approaching parity (a junior that can claim to lead),
    and fades at ``rivalry_decay``.
    """
    stake = salience[:, :, None] * salience[:, None, :] * (1.0 - distance)
    c_i = capability[:, :, None]
    c_j = capability[:, None, :]
    parity = 1.0 - np.abs(c_i - c_j) / (c_i + c_j)
    growth = stake * (
        polemic_rate[:, :, None] * np.maximum(0.0, -relation) + parity_rate[:, :, None] * parity
    )
    out = growth * (1.0 - rivalry) - rivalry_decay[:, :, None] * rivalry
    n = capability.shape[1]
    out[:, np.arange(n), np.arange(n)] = 0.0
    return out
