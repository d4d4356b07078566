"""Stance choice: what each state wants its stance toward each other to be.

i's desired stance toward j sums motives, each a documented term, and is
squashed by ``tanh`` into (-1, 1); the stance then moves toward it with
inertia (:func:`move`). The motives follow BRIEF section 3:

- security: the threat j poses (Walt 1987);
- balancing: j as a counterweight to those who threaten i, worth as much
  as the threat unless j is aligned with it (Walt 1987), a
  structural-balance field (Heider 1946; Marvel et al. 2011);
- common enemy: the same reading of j for the states i is hostile to,
  whether or not i fears them, the "enemy of my enemy" clause of
  structural balance (Heider 1946; Cartwright and Harary 1956; Maoz et al.
  2007);
- pivot: the advantage of standing closer to k than j does (Dittmer 1981);
- dependence: gain from a trusted partner, vulnerability to a feared one;
- ideology, leaders' trust, institutions, open disputes, sanctions;
- partial reciprocity of j's stance toward i, weight below one (Goldstein
  and Freeman 1990);
- the rival's bid: courting a non-partner who leans toward the states i
  fears more than toward i, to keep the two apart (Moscow's haste toward
  detente after Kissinger's 1971 visit to Beijing);
- the alliance security dilemma (Snyder 1984): resentment of a partner who
  courts one's own threat (abandonment), a counter-bid by a partner strong
  enough to pay, and distance from a partner whose crises could drag one in
  (entrapment);
- wedge levers, supplied by :mod:`sim.model.mechanisms.levers`.
"""

from __future__ import annotations

import numpy as np


def counterweight(relation: np.ndarray) -> np.ndarray:
    """Worth of each j as a counterweight to each k: ``1 - 2 r+_jk``, shape ``(worlds, n, n)``.

    ``relation`` is the full ``(worlds, n, n)`` matrix. Any state not aligned
    with k can be enlisted against it (+1, whether it is neutral or hostile
    toward k); a state aligned with k is part of the problem, down to -1 for a
    full ally. Zero where ``k == j``: a state is no counterweight to itself.
    Reading the other pair's relation this way rather than by its hostility
    (Heider's "enemy of my enemy") is what lets Moscow keep Washington as a
    counterweight to Beijing while Washington stops being hostile to Beijing
    (1971-1974) and only lose it once the two align (Walt 1987, ch. 2:
    states balance by enlisting whoever is not on the threat's side).
    """
    n = relation.shape[1]
    return (1.0 - 2.0 * np.maximum(0.0, relation)) * (1.0 - np.eye(n))


def balancing(own_threat: np.ndarray, worth: np.ndarray) -> np.ndarray:
    """Balancing field on i's row: ``sum_k T_ik (1 - 2 r+_jk)``, shape ``(worlds, n)``.

    ``own_threat`` is i's threat row ``(worlds, n)`` (zero at i), ``worth``
    the :func:`counterweight` matrix ``(worlds, n, n)`` of this step's
    relations, computed once for all agents. Positive toward every j that is
    not aligned with what i fears, in proportion to the fear; negative toward
    an ally of it. The sum runs over ``k != j`` (a feared j is no
    counterweight to itself).
    """
    return np.einsum("wk,wjk->wj", own_threat, worth)


def common_enemy(own_relation: np.ndarray, worth: np.ndarray, me: int) -> np.ndarray:
    """Partners against i's foes: ``sum_k r-_ik (1 - 2 r+_jk)``, shape ``(worlds, n)``.

    ``own_relation`` is i's relation row ``(worlds, n)``, ``worth`` the
    :func:`counterweight` matrix ``(worlds, n, n)``, ``me`` is i's index, ``r-``
    the hostile part ``max(0, -r)``. The hostility-weighted twin of
    :func:`balancing`: a state at odds with k, whether or not it fears k, is
    drawn to every j that is not aligned with k (:func:`counterweight`), and
    pushed from k's allies: Beijing and Moscow against Washington in the 1950s
    and today, Beijing toward Washington against Moscow after 1969. This is
    the "enemy of my enemy" clause of structural balance (Heider 1946;
    Cartwright and Harary 1956; Maoz et al. 2007), read by alignment: j need
    not be hostile to k, only not on k's side. The friend-of-a-friend clauses
    are left out because alliance data support them least (Maoz et al. 2007).
    Zero toward i itself and from ``k == j``.
    """
    out = np.einsum("wk,wjk->wj", np.maximum(0.0, -own_relation), worth)
    out[:, me] = 0.0
    return out


def pivot(relation: np.ndarray, me: int) -> np.ndarray:
    """Pivot opportunity of i toward each j: ``sum_k max(0, r_ik - r_jk)``, shape ``(worlds, n)``.

    ``relation`` is the full ``(worlds, n, n)`` matrix (zero diagonal), ``me``
    is i's index; the sum runs over third states ``k`` (neither i nor j). If
    i stands on better terms with k than j does, j must reckon with i's
    choice between them, and i gains by being on good terms with j too: the
    pivot of a "romantic triangle", on better terms with each of two states
    than they are with each other (Dittmer 1981). Kissinger's triangular
    diplomacy of 1969-1972 toward Beijing and Moscow at once, or Khrushchev's
    peaceful coexistence with Washington while allied to Beijing. Where j is
    the closer of the two to k there is nothing to gain: Moscow after the
    split loses nothing as Washington warms to Beijing.
    """
    own = relation[:, [me], :]  # (worlds, 1, n): r_ik
    gap = np.maximum(0.0, own - relation) * (1.0 - np.eye(relation.shape[1]))
    gap[:, :, me] = 0.0
    out = gap.sum(axis=2)
    out[:, me] = 0.0
    return out


def rival_bid(own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """Bid of i for each non-partner j that leans toward what i fears, shape ``(worlds, n)``.

    ``(1 - r+_ij) sum_k T_ik max(0, s_jk - r_ij)``: how far j's stance toward
    a state k that i fears stands above j's relation with i, for j not (yet)
    aligned with i. A state that sees a third party lean toward its rival
    rather than toward itself bids for that party to keep the two apart:
    after Kissinger's secret visit to Beijing (July 1971) Moscow hurried the
    summit and SALT that it had delayed. The bid is read from where j stands
    relative to i, so it starts while Washington is still cool toward Beijing
    but warmer to it than to Moscow. Toward a partner the same worry is
    abandonment (:func:`abandonment`), so the bid fades as i and j align.
    ``own_threat`` is zero at i and ``k == j`` is left out.
    """
    n = stance.shape[1]
    lean = np.maximum(0.0, stance - own_relation[:, :, None]) * (1.0 - np.eye(n))
    return (1.0 - np.maximum(0.0, own_relation)) * np.einsum("wk,wjk->wj", own_threat, lean)


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


def priority(own_threat: np.ndarray, worth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """How much lesser motives still count toward each j, on i's row ``(worlds, n)``.

    ``1 - weight * max_{k != i, j} T_ik (1 - 2 r+_jk)+``: facing a grave threat
    from a third state k, i sets aside disputes and ideological quarrels with
    the states that could stand with it against k (Walt 1987): Mao and Nixon
    shelved Taiwan and doctrine in 1971-72 because both feared the USSR more.
    The threat counts only as far as j is a counterweight to k (``worth``, the
    :func:`counterweight` matrix ``(worlds, n, n)``, floored at zero): an ally
    of the threat is part of it, so Washington did not shelve its quarrel with
    Beijing while Beijing stood with Moscow (1950-1958), nor Beijing its
    quarrel with Washington before it feared Moscow more (1968-1969).
    ``own_threat`` is zero at i itself and ``worth`` zero at ``k == j``;
    ``weight`` is ``(worlds, 1)``, in [0, 1] (1: quarrels wholly set aside
    under a threat of 1). The result lies in ``[1 - weight, 1]``.
    """
    pressure = (own_threat[:, None, :] * np.maximum(0.0, worth)).max(axis=2)
    return 1.0 - weight * pressure


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
