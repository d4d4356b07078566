"""Stance choice: what each state wants its stance toward each other to be.

i's desired stance toward j sums motives, each a documented term, and is
squashed by ``tanh`` into (-1, 1); the stance then moves toward it with
inertia (:func:`move`). The motives follow BRIEF section 3:

- security: the threat j poses (Walt 1987);
- balancing: j's hostility toward those who threaten i, the enemy of my
  enemy, a structural-balance field (Heider 1946; Marvel et al. 2011);
- common enemy: hostility that i and j share toward a third state, whether
  or not i fears it, the one clause of structural balance kept on its own
  (Heider 1946; Cartwright and Harary 1956; Maoz et al. 2007);
- dependence: gain from a trusted partner, vulnerability to a feared one;
- ideology, leaders' trust, institutions, open disputes, sanctions;
- partial reciprocity of j's stance toward i, weight below one (Goldstein
  and Freeman 1990);
- the rival's bid: courting a non-partner who warms to the states i fears,
  to keep the two apart (Moscow's haste toward detente after Kissinger's
  1971 visit to Beijing);
- the alliance security dilemma (Snyder 1984): resentment of a partner who
  courts one's own threat (abandonment), a counter-bid by a partner strong
  enough to pay, and distance from a partner whose crises could drag one in
  (entrapment);
- wedge levers, supplied by :mod:`sim.model.mechanisms.levers`.
"""

from __future__ import annotations

import numpy as np


def balancing(own_threat: np.ndarray, relation: np.ndarray) -> np.ndarray:
    """Enemy-of-my-enemy field on i's row: ``sum_k T_ik (-r_jk)``, shape ``(worlds, n)``.

    ``own_threat`` is i's threat row ``(worlds, n)`` (zero at i), ``relation``
    the full ``(worlds, n, n)`` matrix (zero diagonal). Positive when j is
    hostile to what i fears, negative when j is aligned with it.
    """
    return -np.einsum("wk,wjk->wj", own_threat, relation)


def common_enemy(own_relation: np.ndarray, relation: np.ndarray, me: int) -> np.ndarray:
    """Shared hostility of i and each j toward third states: ``sum_k r-_ik r-_jk``.

    ``own_relation`` is i's relation row ``(worlds, n)``, ``relation`` the full
    ``(worlds, n, n)`` matrix (zero diagonal), ``me`` is i's index, ``r-``
    the hostile part ``max(0, -r)``. Shape ``(worlds, n)``, zero toward i
    itself. Only the "enemy of my enemy" clause of
    structural balance, and measured by hostility rather than fear: two states
    at odds with the same third have a basis to cooperate (Beijing and
    Washington against Moscow after 1969; Beijing and Moscow against
    Washington in the 1950s and today). The friend-of-a-friend clauses are left
    out because alliance data support them least (Maoz et al. 2007). In a
    triad where all three are hostile, every pair feels the pull; once one
    pair warms, the pull on the other two lapses: the all-hostile triad is
    unstable (Cartwright and Harary 1956).
    """
    hostile = np.maximum(0.0, -relation)
    out = np.einsum("wk,wjk->wj", np.maximum(0.0, -own_relation), hostile)
    out[:, me] = 0.0
    return out


def pivot(relation: np.ndarray, me: int) -> np.ndarray:
    """Pivot opportunity of i toward each j: ``sum_{k != i} r-_jk``, shape ``(worlds, n)``.

    ``relation`` is the full ``(worlds, n, n)`` matrix (zero diagonal), ``me``
    is i's index, ``r-`` the hostile part ``max(0, -r)``. A state courted by
    two rivals holds the best place in a triangle, the pivot of a "romantic
    triangle" (Dittmer 1981), so each state has a motive to be on better terms
    with each of two rivals than they are with each other: Kissinger's
    triangular diplomacy of 1969-1972 toward Beijing and Moscow at once, or
    Khrushchev's peaceful coexistence with Washington while allied to
    Beijing. Hostility between j and i itself does not count.
    """
    hostile = np.maximum(0.0, -relation)
    hostile[:, :, me] = 0.0
    out = hostile.sum(axis=2)
    out[:, me] = 0.0
    return out


def rival_bid(own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Bid of i for each non-partner j that warms to what i fears, shape ``(worlds, n)``.

    ``(1 - r+_ij) sum_k T_ik s+_jk``: j's friendly stance toward the states k
    that i fears, ``s+ = max(0, s)``, for j not (yet) aligned with i. A state
    that sees a third party warm to its rival bids for that party to keep the
    two apart: after Kissinger's secret visit to Beijing (July 1971) Moscow
    hurried the summit and SALT that it had delayed. Toward a partner the same
    worry is abandonment (:func:`abandonment`), so the bid fades as i and j
    align. ``own_threat`` is zero at i and ``stance`` has a zero diagonal, so
    neither i nor j counts as a k.
    """
    warmth = np.einsum("wk,wjk->wj", own_threat, np.maximum(0.0, stance))
    return (1.0 - np.maximum(0.0, own_relation)) * warmth


def abandonment(own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Abandonment fear of i toward each partner j, shape ``(worlds, n)``.

    ``r+_ij sum_k T_ik (1 + s_jk) / 2``: how far an aligned partner j has
    come from full hostility toward the states i fears (Snyder 1984). Graded,
    so a partner who softens toward i's rival raises the fear before it turns
    friendly. Zero toward non-partners.
    """
    n = stance.shape[1]
    courting = np.einsum("wk,wjk->wj", own_threat, (1.0 + stance) / 2.0 * (1.0 - np.eye(n)))
    return np.maximum(0.0, own_relation) * courting


def entrapment(
    own_threat: np.ndarray, own_relation: np.ndarray, crisis: np.ndarray, me: int
) -> np.ndarray:
    """Entrapment fear of i toward each partner j, shape ``(worlds, n)``.

    ``r+_ij sum_k X_jk (1 - T_ik)``: partner j's live crises (intensity
    ``X``) with third states k (neither i nor j) that i itself does not fear,
    which could drag i in. ``me`` is i's index: a crisis between i and j is
    not one that j could drag i into.
    """
    n = own_threat.shape[1]
    stake = 1.0 - own_threat
    stake[:, me] = 0.0
    courting = np.einsum("wk,wjk->wj", stake, crisis * (1.0 - np.eye(n)))
    return np.maximum(0.0, own_relation) * courting


def priority(own_threat: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """How much lesser motives still count toward each j, on i's row ``(worlds, n)``.

    ``1 - weight * max_{k != i, j} T_ik``: facing a grave threat from a third
    state, i sets aside disputes and ideological quarrels with others (Walt
    1987): Mao and Nixon shelved Taiwan and doctrine in 1971-72 because both
    feared the USSR more. ``own_threat`` is zero at i itself.
    """
    n = own_threat.shape[1]
    if n < 3:
        return np.ones_like(own_threat)
    top2 = -np.partition(-own_threat, 1, axis=1)[:, :2]  # largest and second largest
    is_top = own_threat >= top2[:, [0]]
    worst_other = np.where(is_top, top2[:, [1]], top2[:, [0]])
    return 1.0 - weight * worst_other


def deescalation(own_threat: np.ndarray, crisis: np.ndarray) -> np.ndarray:
    """Fear of war after a clash: ``X_ij T_ij`` on i's row ``(worlds, n)``.

    A fresh crisis with a state one fears pulls one back from the brink
    (the 1969 Zhenbao clashes were followed by the Kosygin-Zhou talks).
    """
    return crisis * own_threat


def desired(motives: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Desired stance from the summed motives: ``tanh(gain * sum)``, in (-1, 1).

    ``gain`` (decisiveness, ``(worlds, 1)``) sets how far motives push a
    stance toward the extremes: states hedge rather than go all the way.
    """
    return np.tanh(gain * motives)


def move(
    stance: np.ndarray,
    desired_: np.ndarray,
    speed: np.ndarray,
    inertia_factor: np.ndarray,
    dt: float,
    shock: np.ndarray,
) -> np.ndarray:
    """New stance after ``dt`` years, clipped to [-1, 1].

    The stance closes the gap to the desired stance at ``speed / inertia``
    per year (exact exponential step) and takes the random ``shock``
    (diplomatic incidents, domestic politics) on top.
    """
    rate = speed / inertia_factor
    new = desired_ + (stance - desired_) * np.exp(-rate * dt) + shock
    return np.clip(new, -1.0, 1.0)
