"""Endogenous events: crises and clashes, aid cut-offs, leadership turnover.

Each is a hazard per year turned into a probability per step; none is
scheduled. In a hindcast the 1960 withdrawal of Soviet experts or the 1969
border clashes must come out of these hazards, not out of the scenario.
"""

from __future__ import annotations

import numpy as np


def _mutual(pair: np.ndarray) -> np.ndarray:
    """The symmetric mean ``(x_ij + x_ji) / 2`` of a directed pair array ``(worlds, n, n)``."""
    return 0.5 * (pair + np.swapaxes(pair, 1, 2))


def _pair_mean(actor: np.ndarray) -> np.ndarray:
    """``(v_i + v_j) / 2`` of an actor array ``(worlds, n)``, as ``(worlds, n, n)``."""
    return 0.5 * (actor[:, :, None] + actor[:, None, :])


def crisis_hazard(
    relation: np.ndarray,
    threat: np.ndarray,
    rate: np.ndarray,
    k_hostility: np.ndarray,
    k_threat: np.ndarray,
    restraint: np.ndarray | None = None,
) -> np.ndarray:
    """Crises per year between i and j, symmetric, shape ``(worlds, n, n)``.

    ``rate exp(k_h max(0, -r_ij) + k_t (T_ij + T_ji) / 2) (1 - Re_ij)``: rises
    with hostility and with mutual threat (Vasquez 1993; Colaresi et al.
    2007) and is damped by the pair's restraint ``Re`` (symmetric, [0, 1]),
    the crisis management that frightening clashes leave behind (George
    1991; Gerson 2010 on the Sino-Soviet border talks after 1969).
    """
    mutual = _mutual(threat)
    log_h = k_hostility[:, :, None] * np.maximum(0.0, -relation) + k_threat[:, :, None] * mutual
    hazard = rate[:, :, None] * np.exp(log_h)
    if restraint is not None:
        hazard *= 1.0 - restraint
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


def restraint_gain(restraint: np.ndarray, threat: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Restraint added by a crisis between i and j, symmetric, ``(worlds, n, n)``.

    ``g (1 - Re_ij) (T_ij + T_ji) / 2``, with ``g`` the mean of the two
    sides' gains: a clash with a state both sides fear teaches both to
    manage the next one (talks, hotlines, rules on the border); a clash
    between states that do not fear each other teaches nothing. A share of
    the restraint not yet held, so ``Re`` stays below 1.
    """
    return _pair_mean(gain) * _mutual(threat) * (1.0 - restraint)


def restraint_decay(restraint: np.ndarray, fade: np.ndarray, dt: float) -> np.ndarray:
    """Restraint after ``dt`` years without a crisis: ``Re_ij exp(-f dt)``.

    ``f`` is the mean of the two sides' ``fade`` (per year), so ``Re`` stays
    symmetric.
    """
    return restraint * np.exp(-_pair_mean(fade) * dt)


def leader_hazard(base: np.ndarray, instability: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Leader changes per year of each actor, ``(worlds, n)``: ``base (1 + k U)``."""
    return base * (1.0 + k * instability)
