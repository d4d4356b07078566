"""Endogenous events: crises and clashes, aid cut-offs, leadership turnover.

Each is a hazard per year turned into a probability per step; none is
scheduled. In a hindcast the 1960 withdrawal of Soviet experts or the 1969
border clashes must come out of these hazards, not out of the scenario.
"""

from __future__ import annotations

import numpy as np


def crisis_hazard(
    relation: np.ndarray,
    threat: np.ndarray,
    rate: np.ndarray,
    k_hostility: np.ndarray,
    k_threat: np.ndarray,
) -> np.ndarray:
    """Crises per year between i and j, symmetric, shape ``(worlds, n, n)``.

    ``rate exp(k_h max(0, -r_ij) + k_t (T_ij + T_ji) / 2)``: rises with
    hostility and with mutual threat (Vasquez 1993; Colaresi et al. 2007).
    """
    mutual = 0.5 * (threat + np.swapaxes(threat, 1, 2))
    log_h = k_hostility[:, :, None] * np.maximum(0.0, -relation) + k_threat[:, :, None] * mutual
    hazard = rate[:, :, None] * np.exp(log_h)
    n = relation.shape[1]
    hazard[:, np.arange(n), np.arange(n)] = 0.0
    return hazard


def cutoff_hazard(stance: np.ndarray, dependence: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Hazard per year that patron j cuts aid to dependent i, shape ``(worlds, n, n)``.

    ``[w, i, j]``: ``rate max(0, -s_ji) max(0, D_ij - D_ji)``: a patron that
    has turned against a client which depends on it more than it on the
    client.
    """
    against = np.maximum(0.0, -np.swapaxes(stance, 1, 2))
    leverage = np.maximum(0.0, dependence - np.swapaxes(dependence, 1, 2))
    return rate[:, :, None] * against * leverage


def leader_hazard(base: np.ndarray, instability: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Leader changes per year of each actor, ``(worlds, n)``: ``base (1 + k U)``."""
    return base * (1.0 + k * instability)
