"""Ideology: distance, salience and doctrinal rivalry.

Shared doctrine draws states together only while they do not compete to lead
the same camp; once they do, closeness turns into friction, as between Mao
and Khrushchev after 1956 (Lüthi 2008). Salience scales how much any of this
matters to a state: high in the 1950s, low today (Bekkevold 2024).
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def affinity(salience: Num, distance: Num, rivalry: Num) -> Num:
    """Ideological affinity of i toward j in [-1, 1].

    ``salience`` is i's; ``distance`` and ``rivalry`` the pair's (i's row
    when given arrays, with i's salience as a ``(worlds, 1)`` column).

    ``salience_i * ((1 - 2 d_ij) - 2 R_ij (1 - d_ij))``: +salience for the same
    doctrine and no rivalry, -salience for opposite systems, and -salience
    again for the same doctrine under open schism.
    """
    closeness = 1.0 - distance
    return salience * ((1.0 - 2.0 * distance) - 2.0 * rivalry * closeness)


@compiled
def friction(affinity_: Num) -> Num:
    """Ideological friction: the negative part of affinity, in [0, 1]."""
    return np.maximum(0.0, -affinity_)


@compiled
def rivalry_rate(
    rivalry: Num,
    relation: Num,
    salience_i: Num,
    salience_j: Num,
    distance: Num,
    capability_i: Num,
    capability_j: Num,
    polemic_rate: Num,
    parity_rate: Num,
    rivalry_decay: Num,
) -> Num:
    """d(rivalry)/dt per year of the pair i, j (symmetric in i and j).

    Rivalry grows where both states care about doctrine and share it
    (``stake = salience_i * salience_j * (1 - d_ij)``), from open hostility
    (polemics) and from approaching parity (``1 - |C_i - C_j| / (C_i + C_j)``:
    a junior that can claim to lead), and fades at ``rivalry_decay``.
    """
    stake = salience_i * salience_j * (1.0 - distance)
    parity = 1.0 - np.abs(capability_i - capability_j) / (capability_i + capability_j)
    growth = stake * (polemic_rate * np.maximum(0.0, -relation) + parity_rate * parity)
    return growth * (1.0 - rivalry) - rivalry_decay * rivalry


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
    """:func:`rivalry_rate` of every pair, shape ``(worlds, n, n)``, zero on the diagonal.

    ``salience`` and ``capability`` are ``(worlds, n)``; the rates
    ``(worlds, 1)``.
    """
    out = rivalry_rate(
        rivalry, relation, salience[:, :, None], salience[:, None, :], distance,
        capability[:, :, None], capability[:, None, :],
        polemic_rate[:, :, None], parity_rate[:, :, None], rivalry_decay[:, :, None],
    )  # fmt: skip
    n = capability.shape[1]
    out[:, np.arange(n), np.arange(n)] = 0.0
    return out
