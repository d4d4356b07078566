"""A state's choice: the motives it weighs toward another, one term each (ODD 3.2).

:func:`choose` computes each weighted motive of state i toward j, signed as
it enters the sum that sets the desired stance, sums them in the order of
:data:`MOTIVES` and moves the stance. The terms are named scalars that stay
in registers; only when a run records them (``WedgeModel(record_motives=True)``,
for the few worlds ``wedge explain`` replays) are they written out, so the
ensemble pays little for being explainable and computes the same numbers.
(Returning them from a helper function, or storing every term, made the
whole step about a quarter slower; as written the cost is within the noise of
``benchmarks/run.py``, row 1e: 2-3% in a best-of-5 comparison.)
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import dependence, ideology, institutions
from sim.model.mechanisms import stance as st
from sim.model.mechanisms.common import clip, compiled
from sim.model.normal import quantile

MOTIVES = (
    "threat", "balancing", "common_enemy", "pivot", "rival_bid", "dependence", "sanctions",
    "ideology", "trust", "institutions", "disputes", "reciprocity", "support", "abandonment",
    "counterbid", "entrapment", "deescalation", "levers",
)  # fmt: skip
"""The weighted motives a state sums into its desired stance (ODD 3.2), in the order summed.

Each is the motive times its weight, signed as it enters the sum: a threat
term of -0.4 pulls the stance down by 0.4 before the gain. ``levers`` is
everything the levers in force add (rewards, coercion, a partner's counter-bid).
"""
(
    THREAT_M, BALANCING_M, COMMON_ENEMY_M, PIVOT_M, RIVAL_BID_M, DEPENDENCE_M, SANCTIONS_M,
    IDEOLOGY_M, TRUST_M, INSTITUTIONS_M, DISPUTES_M, RECIPROCITY_M, SUPPORT_M, ABANDONMENT_M,
    COUNTERBID_M, ENTRAPMENT_M, DEESCALATION_M, LEVERS_M,
) = range(len(MOTIVES))  # fmt: skip


@compiled
def choose(
    i: int,
    capability: np.ndarray,
    salience: np.ndarray,
    patronage: np.ndarray,
    stance: np.ndarray,
    threat: np.ndarray,
    trust: np.ndarray,
    dependence_: np.ndarray,
    sanctions: np.ndarray,
    institutions_: np.ndarray,
    distance: np.ndarray,
    rivalry: np.ndarray,
    disputes: np.ndarray,
    crisis: np.ndarray,
    relation: np.ndarray,
    worth: np.ndarray,
    support: np.ndarray,
    lever_motives: np.ndarray,
    noise: np.ndarray,
    fresh: bool,
    b: np.void,
    dt: float,
    new_stance: np.ndarray,
    abandon: np.ndarray,
    record: bool,
    terms: np.ndarray,
) -> None:
    """State i weighs its motives toward each j and moves its stance, in one world.

    Writes i's new stances into ``new_stance[i]`` (committed by the caller once
    every state has chosen), its abandonment fear into ``abandon[i]`` and, if
    ``record``, each weighted motive into ``terms[:, i]`` (``(len(MOTIVES), n,
    n)``, in the order of :data:`MOTIVES`; the desired
    stance reads their sum).
    ``noise`` is the world's ``(n, n)`` uniform stance-noise draws; ``fresh`` says whether i
    has a new leader, who closes part of the gap to the desired stance at once.
    """
    own_threat, own_relation = threat[i], relation[i]
    for j in range(capability.shape[0]):
        if j == i:  # no stance toward oneself, and no fear of being abandoned by oneself
            abandon[i, j] = 0.0
            new_stance[i, j] = 0.0
            if record:
                terms[:, i, j] = 0.0
            continue
        aband = st.abandonment_toward(own_threat, own_relation, stance, j)
        abandon[i, j] = aband
        t_ij = threat[i, j]
        leverage = capability[i] / (capability[i] + capability[j])
        lesser = st.priority_toward(own_threat, worth, b.security_priority, j)
        aff = ideology.affinity(salience[i], distance[i, j], rivalry[i, j])
        by_threat = -b.w_threat * t_ij
        by_balancing = b.w_balance * st.balancing_toward(own_threat, worth, j)
        by_common_enemy = b.w_common_enemy * st.common_enemy_toward(own_relation, worth, i, j)
        by_pivot = b.w_pivot * st.pivot_toward(relation, i, j)
        by_rival_bid = b.w_rival_bid * st.rival_bid_toward(own_threat, own_relation, stance, j)
        by_dependence = dependence.value(
            dependence_[i, j], trust[i, j], t_ij, b.w_dependence_gain, b.w_dependence_risk
        )
        by_sanctions = -(b.w_sanctions * sanctions[j, i])
        by_ideology = b.w_ideology * lesser * aff
        by_trust = b.w_trust * (2.0 * trust[i, j] - 1.0)
        by_institutions = b.w_institutions * institutions_[i, j]
        by_disputes = -(b.w_disputes * lesser * disputes[i, j])
        by_reciprocity = b.w_reciprocity * stance[j, i]
        by_support = b.w_support * support[i, j]
        by_abandonment = -(b.w_abandonment * aband)
        by_counterbid = b.w_counterbid * aband * leverage * patronage[i]
        by_entrapment = -(
            b.w_entrapment * st.entrapment_toward(own_threat, own_relation, crisis, i, j)
        )
        by_deescalation = b.w_deescalation * st.deescalation(t_ij, crisis[i, j])
        by_levers = lever_motives[i, j]
        # Left to right, the order the terms were always summed in: no number changed.
        m = by_threat + by_balancing + by_common_enemy + by_pivot + by_rival_bid + by_dependence
        m = m + by_sanctions + by_ideology + by_trust + by_institutions + by_disputes
        m = m + by_reciprocity + by_support + by_abandonment + by_counterbid + by_entrapment
        m = m + by_deescalation + by_levers
        if record:
            terms[THREAT_M, i, j] = by_threat
            terms[BALANCING_M, i, j] = by_balancing
            terms[COMMON_ENEMY_M, i, j] = by_common_enemy
            terms[PIVOT_M, i, j] = by_pivot
            terms[RIVAL_BID_M, i, j] = by_rival_bid
            terms[DEPENDENCE_M, i, j] = by_dependence
            terms[SANCTIONS_M, i, j] = by_sanctions
            terms[IDEOLOGY_M, i, j] = by_ideology
            terms[TRUST_M, i, j] = by_trust
            terms[INSTITUTIONS_M, i, j] = by_institutions
            terms[DISPUTES_M, i, j] = by_disputes
            terms[RECIPROCITY_M, i, j] = by_reciprocity
            terms[SUPPORT_M, i, j] = by_support
            terms[ABANDONMENT_M, i, j] = by_abandonment
            terms[COUNTERBID_M, i, j] = by_counterbid
            terms[ENTRAPMENT_M, i, j] = by_entrapment
            terms[DEESCALATION_M, i, j] = by_deescalation
            terms[LEVERS_M, i, j] = by_levers
        want = st.desired(m, b.stance_gain)
        shock = b.stance_noise * np.sqrt(dt) * quantile(noise[i, j])
        drag = institutions.drag(institutions_[i, j], b.inertia)
        new = st.move(stance[i, j], want, b.stance_speed, drag, dt, shock)
        if fresh:
            new = clip(new + b.leader_reset * (want - new), -1.0, 1.0)
        new_stance[i, j] = new
