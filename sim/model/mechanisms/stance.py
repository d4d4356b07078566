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

The motives that sum over third states k are written for one world and one
pair (i toward j): ``own_threat`` and ``own_relation`` are i's rows ``(n,)``,
``worth``, ``stance`` and ``crisis`` that world's ``(n, n)`` matrices. Each
has an array form over worlds, ``(worlds, n)``, named without ``_toward``.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def counterweight_of(relation_jk: Num) -> Num:
    """Worth of j as a counterweight to k: ``1 - 2 r+_jk``.

    Any state not aligned with k can be enlisted against it (+1, whether it
    is neutral or hostile toward k); a state aligned with k is part of the
    problem, down to -1 for a full ally. Reading the other pair's relation
    this way rather than by its hostility (Heider's "enemy of my enemy") is
    what lets Moscow keep Washington as a counterweight to Beijing while
    Washington stops being hostile to Beijing (1971-1974) and only lose it
    once the two align (Walt 1987, ch. 2: states balance by enlisting
    whoever is not on the threat's side).
    """
    return 1.0 - 2.0 * np.maximum(0.0, relation_jk)


@compiled
def counterweight_into(relation: np.ndarray, out: np.ndarray) -> None:
    """One world's :func:`counterweight_of` matrix ``(n, n)``, zero where ``k == j``."""
    n = relation.shape[0]
    for j in range(n):
        for k in range(n):
            out[j, k] = counterweight_of(relation[j, k]) if j != k else 0.0


@compiled
def counterweight(relation: np.ndarray) -> np.ndarray:
    """:func:`counterweight_of` of every pair, ``(worlds, n, n)``.

    Zero where ``k == j``: a state is no counterweight to itself.
    """
    out = np.empty_like(relation)
    for w in range(relation.shape[0]):
        counterweight_into(relation[w], out[w])
    return out


@compiled
def balancing_toward(own_threat: np.ndarray, worth: np.ndarray, j: int) -> float:
    """Balancing field of i toward j: ``sum_k T_ik (1 - 2 r+_jk)``.

    ``worth`` is the :func:`counterweight` matrix of this step's relations.
    Positive toward every j that is not aligned with what i fears, in
    proportion to the fear; negative toward an ally of it. The sum runs over
    ``k != j`` (a feared j is no counterweight to itself).
    """
    out = 0.0
    for k in range(own_threat.shape[0]):
        out += own_threat[k] * worth[j, k]
    return out


@compiled
def common_enemy_toward(own_relation: np.ndarray, worth: np.ndarray, me: int, j: int) -> float:
    """Partners against i's foes: ``sum_k r-_ik (1 - 2 r+_jk)``; zero toward i itself.

    ``r-`` is the hostile part ``max(0, -r)``. The hostility-weighted twin
    of :func:`balancing_toward`: a state at odds with k, whether or not it
    fears k, is drawn to every j that is not aligned with k, and pushed from
    k's allies: Beijing and Moscow against Washington in the 1950s and
    today, Beijing toward Washington against Moscow after 1969. This is the
    "enemy of my enemy" clause of structural balance (Heider 1946;
    Cartwright and Harary 1956; Maoz et al. 2007), read by alignment: j need
    not be hostile to k, only not on k's side. The friend-of-a-friend
    clauses are left out because alliance data support them least (Maoz et
    al. 2007).
    """
    if j == me:
        return 0.0
    out = 0.0
    for k in range(own_relation.shape[0]):
        out += max(0.0, -own_relation[k]) * worth[j, k]
    return out


@compiled
def pivot_toward(relation: np.ndarray, me: int, j: int) -> float:
    """Pivot opportunity of i toward j: ``sum_k max(0, r_ik - r_jk)`` over third states k.

    If i stands on better terms with k than j does, j must reckon with i's
    choice between them, and i gains by being on good terms with j too: the
    pivot of a "romantic triangle", on better terms with each of two states
    than they are with each other (Dittmer 1981). Kissinger's triangular
    diplomacy of 1969-1972 toward Beijing and Moscow at once, or Khrushchev's
    peaceful coexistence with Washington while allied to Beijing. Where j is
    the closer of the two to k there is nothing to gain: Moscow after the
    split loses nothing as Washington warms to Beijing.
    """
    out = 0.0
    if j == me:
        return out
    for k in range(relation.shape[0]):
        if k != j and k != me:
            out += max(0.0, relation[me, k] - relation[j, k])
    return out


@compiled
def rival_bid_toward(
    own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray, j: int
) -> float:
    """Bid of i for a non-partner j that leans toward what i fears.

    ``(1 - r+_ij) sum_k T_ik max(0, s_jk - r_ij)``: how far j's stance toward
    a state k that i fears stands above j's relation with i, for j not (yet)
    aligned with i. A state that sees a third party lean toward its rival
    rather than toward itself bids for that party to keep the two apart:
    after Kissinger's secret visit to Beijing (July 1971) Moscow hurried the
    summit and SALT that it had delayed. The bid is read from where j stands
    relative to i, so it starts while Washington is still cool toward Beijing
    but warmer to it than to Moscow. Toward a partner the same worry is
    abandonment (:func:`abandonment_toward`), so the bid fades as i and j
    align. ``own_threat`` is zero at i and ``k == j`` is left out.
    """
    lean = 0.0
    for k in range(stance.shape[0]):
        if k != j:
            lean += own_threat[k] * max(0.0, stance[j, k] - own_relation[j])
    return (1.0 - max(0.0, own_relation[j])) * lean


@compiled
def abandonment_toward(
    own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray, j: int
) -> float:
    """Abandonment fear of i toward partner j: ``r+_ij sum_k T_ik (1 + s_jk) / 2``.

    How far an aligned partner j has come from full hostility toward the
    states i fears (Snyder 1984). Graded, so a partner who softens toward
    i's rival raises the fear before it turns friendly. Zero toward
    non-partners; ``k == j`` is left out.
    """
    courting = 0.0
    for k in range(stance.shape[0]):
        if k != j:
            courting += own_threat[k] * ((1.0 + stance[j, k]) / 2.0)
    return max(0.0, own_relation[j]) * courting


@compiled
def entrapment_toward(
    own_threat: np.ndarray, own_relation: np.ndarray, crisis: np.ndarray, me: int, j: int
) -> float:
    """Entrapment fear of i toward partner j: ``r+_ij sum_k X_jk (1 - T_ik)``.

    Partner j's live crises (intensity ``X``) with third states k (neither
    i nor j) that i itself does not fear, which could drag i in: a crisis
    between i and j is not one that j could drag i into.
    """
    courting = 0.0
    for k in range(crisis.shape[0]):
        if k != j and k != me:
            courting += (1.0 - own_threat[k]) * crisis[j, k]
    return max(0.0, own_relation[j]) * courting


@compiled
def priority_toward(own_threat: np.ndarray, worth: np.ndarray, weight: float, j: int) -> float:
    """How much lesser motives still count toward j: ``1 - weight * max_k T_ik (1 - 2 r+_jk)+``.

    Facing a grave threat from a third state k, i sets aside disputes and
    ideological quarrels with the states that could stand with it against k
    (Walt 1987): Mao and Nixon shelved Taiwan and doctrine in 1971-72
    because both feared the USSR more. The threat counts only as far as j is
    a counterweight to k (``worth``, floored at zero): an ally of the threat
    is part of it, so Washington did not shelve its quarrel with Beijing
    while Beijing stood with Moscow (1950-1958), nor Beijing its quarrel
    with Washington before it feared Moscow more (1968-1969). ``weight`` is
    in [0, 1] (1: quarrels wholly set aside under a threat of 1); the
    result lies in ``[1 - weight, 1]``.
    """
    pressure = 0.0
    for k in range(own_threat.shape[0]):
        pressure = max(pressure, own_threat[k] * max(0.0, worth[j, k]))
    return 1.0 - weight * pressure


@compiled
def deescalation(own_threat: Num, crisis: Num) -> Num:
    """Fear of war after a clash: ``X_ij T_ij``.

    A fresh crisis with a state one fears pulls one back from the brink
    (the 1969 Zhenbao clashes were followed by the Kosygin-Zhou talks).
    """
    return crisis * own_threat


@compiled
def desired(motives: Num, gain: Num) -> Num:
    """Desired stance from the summed motives: ``tanh(gain * sum)``, in (-1, 1).

    ``gain`` (decisiveness) sets how far motives push a stance toward the
    extremes: states hedge rather than go all the way. Computed as
    ``1 - 2 / (exp(2x) + 1)``, which is ``tanh(x)`` to the last bits and
    several times cheaper compiled.
    """
    return 1.0 - 2.0 / (np.exp(2.0 * gain * motives) + 1.0)


@compiled
def move(stance: Num, desired_: Num, speed: Num, inertia_factor: Num, dt: float, shock: Num) -> Num:
    """New stance after ``dt`` years, clipped to [-1, 1].

    The stance closes the gap to the desired stance at ``speed / inertia``
    per year (exact exponential step) and takes the random ``shock``
    (diplomatic incidents, domestic politics) on top.
    """
    rate = speed / inertia_factor
    new = desired_ + (stance - desired_) * np.exp(-rate * dt) + shock
    return np.minimum(np.maximum(new, -1.0), 1.0)


# -- the same motives over worlds, ``(worlds, n)`` rows of i ----------------------------------
@compiled
def balancing(own_threat: np.ndarray, worth: np.ndarray) -> np.ndarray:
    """:func:`balancing_toward` for every world and j."""
    out = np.empty_like(own_threat)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = balancing_toward(own_threat[w], worth[w], j)
    return out


@compiled
def common_enemy(own_relation: np.ndarray, worth: np.ndarray, me: int) -> np.ndarray:
    """:func:`common_enemy_toward` for every world and j."""
    out = np.empty_like(own_relation)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = common_enemy_toward(own_relation[w], worth[w], me, j)
    return out


@compiled
def pivot(relation: np.ndarray, me: int) -> np.ndarray:
    """:func:`pivot_toward` for every world and j; ``relation`` is ``(worlds, n, n)``."""
    out = np.empty(relation.shape[:2])
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = pivot_toward(relation[w], me, j)
    return out


@compiled
def rival_bid(own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """:func:`rival_bid_toward` for every world and j."""
    out = np.empty_like(own_threat)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = rival_bid_toward(own_threat[w], own_relation[w], stance[w], j)
    return out


@compiled
def abandonment(own_threat: np.ndarray, own_relation: np.ndarray, stance: np.ndarray) -> np.ndarray:
    """:func:`abandonment_toward` for every world and j."""
    out = np.empty_like(own_threat)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = abandonment_toward(own_threat[w], own_relation[w], stance[w], j)
    return out


@compiled
def entrapment(
    own_threat: np.ndarray, own_relation: np.ndarray, crisis: np.ndarray, me: int
) -> np.ndarray:
    """:func:`entrapment_toward` for every world and j."""
    out = np.empty_like(own_threat)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = entrapment_toward(own_threat[w], own_relation[w], crisis[w], me, j)
    return out


@compiled
def priority(own_threat: np.ndarray, worth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """:func:`priority_toward` for every world and j; ``weight`` is ``(worlds, 1)``."""
    out = np.empty_like(own_threat)
    for w in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[w, j] = priority_toward(own_threat[w], worth[w], weight[w, 0], j)
    return out
