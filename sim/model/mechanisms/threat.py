"""Threat perception from Walt's balance of threat (Walt 1987).

i's threat from j combines j's *capacity* to hurt i (aggregate power relative
to i, scaled by proximity, j's reach toward i and j's offensive capability)
with j's perceived *intent* (j's hostility toward i and ideological friction,
over a floor of baseline suspicion), plus any situational fear the scenario
names (e.g. Russia's fear for its Far East) and the alarm that recent
crises leave behind. Because intent reads j's stance and i's stance follows
threat, hostility and threat feed each other: the security-dilemma spiral
(Jervis 1976).

All three equations are elementwise: the step kernel calls them on numbers,
the tests on arrays.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def capacity(
    own_capability: Num,
    capability: Num,
    proximity: Num,
    reach_toward: Num,
    offensive: Num,
    w_proximity: Num,
    w_reach: Num,
    w_offensive: Num,
) -> Num:
    """Capacity of each j to threaten the perceiver i, in [0, 1].

    Parameters
    ----------
    own_capability
        The perceiver's share of world capability (COW CINC scale).
    capability
        j's share.
    proximity
        Proximity of i to j (1 = long land border).
    reach_toward
        j's power-projection reach toward i, in [0, 1].
    offensive
        j's offensive capability, in [0, 1].
    w_proximity, w_reach, w_offensive
        Weights, normalised here to sum to one (all zero: no capacity).

    Returns
    -------
    ``power_ij * means_ij`` with ``power_ij = C_j / (C_i + C_j)``: facing a far
    stronger neighbour with long reach and strong offensive forces scores
    near 1. The perceiver's own entry is meaningless; callers mask it.
    """
    power = capability / (own_capability + capability)
    total = w_proximity + w_reach + w_offensive
    weighted = w_proximity * proximity + w_reach * reach_toward + w_offensive * offensive
    # All three weights at zero means capability alone cannot threaten: 0 / 1 = 0.
    means = weighted / (total + (total <= 0.0))
    return power * means


@compiled
def intent(
    stance_toward_me: Num, friction: Num, baseline_suspicion: Num, ideology_intent: Num
) -> Num:
    """Hostile intent the perceiver reads in j, in [0, 1].

    ``1 - (1 - suspicion)(1 - max(0, -s_ji))(1 - min(1, ideology_intent * friction_ij))``:
    each source can reveal hostile intent on its own (a probabilistic "or"),
    so intent stays below 1 and a partial thaw in j's stance lowers it, where
    a capped sum would sit at 1. What j shows toward i is what i reads.
    """
    hostility = np.maximum(0.0, -stance_toward_me)
    doctrinal = np.minimum(1.0, ideology_intent * friction)
    return 1.0 - (1.0 - baseline_suspicion) * (1.0 - hostility) * (1.0 - doctrinal)


@compiled
def target(capacity_: Num, intent_: Num, fear: Num, alarm: Num) -> Num:
    """Threat that i would perceive at rest, in [0, 1].

    ``1 - (1 - capacity * intent)(1 - fear)(1 - alarm)``: Walt's threat, the
    scenario's situational fear and the alarm left by recent crises (which
    fades, 7.9 of the ODD) each raise it on their own, as in :func:`intent`.
    A probabilistic "or" rather than a capped sum, so that threat stays
    below 1 and keeps responding to each source: a capped sum would pin a
    feared neighbour at 1 and freeze the security-dilemma spiral.
    """
    return 1.0 - (1.0 - capacity_ * intent_) * (1.0 - fear) * (1.0 - alarm)
