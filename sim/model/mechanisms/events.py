"""Endogenous events: crises and clashes, aid cut-offs, leadership turnover.

Each is a hazard per year turned into a probability per step; none is
scheduled. In a hindcast the 1960 withdrawal of Soviet experts or the 1969
border clashes must come out of these hazards, not out of the scenario.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def crisis_rate(
    relation: Num,
    threat_ij: Num,
    threat_ji: Num,
    restraint: Num,
    rate: Num,
    k_hostility: Num,
    k_threat: Num,
) -> Num:
    """Crises per year between i and j (symmetric).

    ``rate exp(k_h max(0, -r_ij) + k_t (T_ij + T_ji) / 2) (1 - Re_ij)``: rises
    with hostility and with mutual threat (Vasquez 1993; Colaresi et al.
    2007) and is damped by the pair's restraint ``Re`` (symmetric, [0, 1]),
    the crisis management that frightening clashes leave behind (George
    1991; Gerson 2010 on the Sino-Soviet border talks after 1969).
    """
    mutual = 0.5 * (threat_ij + threat_ji)
    log_h = k_hostility * np.maximum(0.0, -relation) + k_threat * mutual
    return rate * np.exp(log_h) * (1.0 - restraint)


@compiled
def cutoff_rate(stance_ji: Num, dependence_ij: Num, dependence_ji: Num, rate: Num) -> Num:
    """Hazard per year that patron j cuts aid to dependent i.

    ``rate max(0, -s_ji) max(0, D_ij - D_ji)``: a patron that has turned
    against a client which depends on it more than it on the client.
    """
    against = np.maximum(0.0, -stance_ji)
    leverage = np.maximum(0.0, dependence_ij - dependence_ji)
    return rate * against * leverage


@compiled
def restraint_learnt(
    restraint: Num, threat_ij: Num, threat_ji: Num, gain_i: Num, gain_j: Num
) -> Num:
    """Restraint added by a crisis between i and j (symmetric).

    ``g (1 - Re_ij) (T_ij + T_ji) / 2``, with ``g`` the mean of the two
    sides' gains: a clash with a state both sides fear teaches both to
    manage the next one (talks, hotlines, rules on the border); a clash
    between states that do not fear each other teaches nothing. A share of
    the restraint not yet held, so ``Re`` stays below 1.
    """
    return 0.5 * (gain_i + gain_j) * (0.5 * (threat_ij + threat_ji)) * (1.0 - restraint)


@compiled
def restraint_left(restraint: Num, fade_i: Num, fade_j: Num, dt: float) -> Num:
    """Restraint after ``dt`` years without a crisis: ``Re_ij exp(-f dt)``.

    ``f`` is the mean of the two sides' ``fade`` (per year), so ``Re`` stays
    symmetric.
    """
    return restraint * np.exp(-(0.5 * (fade_i + fade_j)) * dt)


@compiled
def leader_hazard(base: Num, instability: Num, k: Num) -> Num:
    """Leader changes per year of an actor: ``base (1 + k U)``."""
    return base * (1.0 + k * instability)


def _zero_diagonal(x: np.ndarray) -> np.ndarray:
    n = x.shape[1]
    x[:, np.arange(n), np.arange(n)] = 0.0
    return x


def crisis_hazard(
    relation: np.ndarray,
    threat: np.ndarray,
    rate: np.ndarray,
    k_hostility: np.ndarray,
    k_threat: np.ndarray,
    restraint: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`crisis_rate` of every pair ``(worlds, n, n)``, zero diagonal; rates are columns."""
    held = np.zeros_like(relation) if restraint is None else restraint
    out = crisis_rate(
        relation, threat, np.swapaxes(threat, 1, 2), held,
        rate[:, :, None], k_hostility[:, :, None], k_threat[:, :, None],
    )  # fmt: skip
    return _zero_diagonal(out)


def cutoff_hazard(stance: np.ndarray, dependence: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """:func:`cutoff_rate` of every pair, ``[w, i, j]`` for j cutting i's aid."""
    return cutoff_rate(
        np.swapaxes(stance, 1, 2), dependence, np.swapaxes(dependence, 1, 2), rate[:, :, None]
    )


def restraint_gain(restraint: np.ndarray, threat: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """:func:`restraint_learnt` of every pair; ``gain`` is ``(worlds, 1)`` or ``(worlds, n)``."""
    if gain.shape[1] == 1:
        gain = np.broadcast_to(gain, restraint.shape[:2])
    return restraint_learnt(
        restraint, threat, np.swapaxes(threat, 1, 2), gain[:, :, None], gain[:, None, :]
    )


def restraint_decay(restraint: np.ndarray, fade: np.ndarray, dt: float) -> np.ndarray:
    """:func:`restraint_left` of every pair; ``fade`` is ``(worlds, 1)`` or ``(worlds, n)``."""
    if fade.shape[1] == 1:
        fade = np.broadcast_to(fade, restraint.shape[:2])
    return restraint_left(restraint, fade[:, :, None], fade[:, None, :], dt)
