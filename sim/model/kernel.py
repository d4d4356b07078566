"""The model's step, compiled: every mechanism of one world, then the next world.

:meth:`sim.model.model.WedgeModel.step` draws the step's random numbers (numpy,
per-world streams), applies scheduled shocks and levers, and hands the rest to
:func:`advance`, which walks the worlds one at a time and, for each, runs the
step of the ODD (section 3) on numbers that stay in the processor's cache:

1. relations, counterweights and the help each state in distress receives;
2. every state perceives (:func:`perceive`), weighs its motives and decides
   (:func:`choose`), simultaneously: new stances are committed together;
3. endogenous events (:func:`events`): crises, aid cut-offs, leader changes;
4. slow stocks (:func:`slow_stocks`): trust, institutions, doctrinal rivalry,
   crisis memory, structural and realised dependence, capability,
   instability, distress.

The equations are the mechanisms' own (:mod:`sim.model.mechanisms`); this
module only composes them, in the order and with the arguments the ODD
gives. Arrays keep their leading world axis; ``b`` is a world's row of the
behaviour record (:func:`behaviour_record`), read by name (``b.w_threat``).
The state arrays travel as two tuples in the order of :data:`ACTOR_FIELDS`
and :data:`PAIR_FIELDS`.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms import dependence, economy, ideology, institutions
from sim.model.mechanisms import events as ev
from sim.model.mechanisms import stance as st
from sim.model.mechanisms import threat as th
from sim.model.mechanisms import trust as tr
from sim.model.mechanisms.common import clip, compiled, occurs, relation_into, relax

ACTOR_FIELDS = (
    "capability", "growth", "volatility", "offensive", "salience",
    "leader_hazard", "instability", "distress", "patronage",
)  # fmt: skip
"""Actor arrays ``(worlds, n)`` of :class:`~sim.model.model.WorldState`, in tuple order."""

PAIR_FIELDS = (
    "stance", "threat", "trust", "dependence", "dependence_base", "reach", "fear", "alarm",
    "sanctions_base", "sanctions", "institutions", "ideology_distance", "doctrinal_rivalry",
    "proximity", "disputes", "crisis", "restraint",
)  # fmt: skip
"""Pair arrays ``(worlds, n, n)`` of :class:`~sim.model.model.WorldState`, in tuple order."""

# Positions in the two tuples, read as constants by the compiled code.
CAPABILITY = 0
GROWTH = 1
VOLATILITY = 2
OFFENSIVE = 3
SALIENCE = 4
LEADER_HAZARD = 5
INSTABILITY = 6
DISTRESS = 7
PATRONAGE = 8
STANCE = 0
THREAT = 1
TRUST = 2
DEPENDENCE = 3
DEPENDENCE_BASE = 4
REACH = 5
FEAR = 6
ALARM = 7
SANCTIONS_BASE = 8
SANCTIONS = 9
INSTITUTIONS = 10
IDEOLOGY_DISTANCE = 11
DOCTRINAL_RIVALRY = 12
PROXIMITY = 13
DISPUTES = 14
CRISIS = 15
RESTRAINT = 16

SCRATCH = 4
"""Per-world working matrices of :func:`advance`: counterweights, new stances, cut-offs, a row."""


def behaviour_record(behaviour: dict[str, np.ndarray]) -> np.ndarray:
    """Behaviour parameters as one record per world, shape ``(worlds,)``.

    ``behaviour`` maps a parameter to its ``(worlds, 1)`` column; a record keeps
    one world's parameters side by side in memory, read by name in the kernel.
    """
    names = sorted(behaviour)
    worlds = len(next(iter(behaviour.values())))
    record = np.empty(worlds, dtype=[(name, "f8") for name in names])
    for name in names:
        record[name] = behaviour[name][:, 0]
    return record


@compiled
def perceive(
    i: int,
    capability: np.ndarray,
    offensive: np.ndarray,
    salience: np.ndarray,
    proximity: np.ndarray,
    reach: np.ndarray,
    distance: np.ndarray,
    rivalry: np.ndarray,
    stance: np.ndarray,
    fear: np.ndarray,
    alarm: np.ndarray,
    threat: np.ndarray,
    b: np.void,
    dt: float,
    instant: bool,
) -> None:
    """State i's threat from each j in one world (Walt 1987), relaxed at ``threat_speed``.

    Actor arrays are the world's ``(n,)`` rows, pair arrays its ``(n, n)``
    matrices; ``instant`` lands on the target (the initial settling).
    """
    n = capability.shape[0]
    rate = np.inf if instant else b.threat_speed
    for j in range(n):
        if j == i:
            target = 0.0
        else:
            aff = ideology.affinity(salience[i], distance[i, j], rivalry[i, j])
            cap = th.capacity(
                capability[i], capability[j], proximity[i, j], reach[j, i], offensive[j],
                b.threat_weight_proximity, b.threat_weight_reach, b.threat_weight_offensive,
            )  # fmt: skip
            intent = th.intent(
                stance[j, i], ideology.friction(aff), b.baseline_suspicion, b.ideology_intent
            )
            target = th.target(cap, intent, fear[i, j], alarm[i, j])
        threat[i, j] = relax(threat[i, j], target, rate, dt)


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
) -> None:
    """State i weighs its motives toward each j and moves its stance, in one world.

    Writes i's new stances into ``new_stance[i]`` (committed by the caller once
    every state has chosen) and its abandonment fear into ``abandon[i]``.
    ``noise`` is i's row of standard normal draws; ``fresh`` says whether i
    has a new leader, who closes part of the gap to the desired stance at once.
    """
    own_threat, own_relation = threat[i], relation[i]
    for j in range(capability.shape[0]):
        t_ij = threat[i, j]
        aband = st.abandonment_toward(own_threat, own_relation, stance, j)
        abandon[i, j] = aband
        leverage = capability[i] / (capability[i] + capability[j])
        lesser = st.priority_toward(own_threat, worth, b.security_priority, j)
        aff = ideology.affinity(salience[i], distance[i, j], rivalry[i, j])
        m = -b.w_threat * t_ij
        m += b.w_balance * st.balancing_toward(own_threat, worth, j)
        m += b.w_common_enemy * st.common_enemy_toward(own_relation, worth, i, j)
        m += b.w_pivot * st.pivot_toward(relation, i, j)
        m += b.w_rival_bid * st.rival_bid_toward(own_threat, own_relation, stance, j)
        m += dependence.value(
            dependence_[i, j], trust[i, j], t_ij, b.w_dependence_gain, b.w_dependence_risk
        )
        m -= b.w_sanctions * sanctions[j, i]
        m += b.w_ideology * lesser * aff
        m += b.w_trust * (2.0 * trust[i, j] - 1.0)
        m += b.w_institutions * institutions_[i, j]
        m -= b.w_disputes * lesser * disputes[i, j]
        m += b.w_reciprocity * stance[j, i]
        m += b.w_support * support[i, j]
        m -= b.w_abandonment * aband
        m += b.w_counterbid * aband * leverage * patronage[i]
        m -= b.w_entrapment * st.entrapment_toward(own_threat, own_relation, crisis, i, j)
        m += b.w_deescalation * st.deescalation(t_ij, crisis[i, j])
        m += lever_motives[i, j]
        want = st.desired(m, b.stance_gain)
        shock = b.stance_noise * np.sqrt(dt) * noise[j]
        drag = institutions.drag(institutions_[i, j], b.inertia)
        new = st.move(stance[i, j], want, b.stance_speed, drag, dt, shock)
        if fresh:
            new = clip(new + b.leader_reset * (want - new), -1.0, 1.0)
        new_stance[i, j] = 0.0 if j == i else new


@compiled
def clash(
    i: int,
    j: int,
    stance: np.ndarray,
    threat: np.ndarray,
    trust: np.ndarray,
    alarm: np.ndarray,
    proximity: np.ndarray,
    crisis: np.ndarray,
    restraint: np.ndarray,
    b: np.void,
) -> None:
    """A crisis or clash between i and j in one world, both directions at once.

    Restraint is learnt from the fear the clash held, so it reads threat
    before the clash; stances drop, threat jumps, trust falls; a clash next
    door leaves an alarm that outlasts the crisis (the Soviet build-up on the
    Chinese border after 1969), a share of the alarm not yet held, so it
    stays below 1; the crisis intensity is set to 1 and fades in the slow stocks.
    """
    t_ij, t_ji = threat[i, j], threat[j, i]
    for a, c in ((i, j), (j, i)):
        restraint[a, c] = restraint[a, c] + ev.restraint_learnt(
            restraint[a, c], t_ij if a == i else t_ji, t_ji if a == i else t_ij,
            b.restraint_gain, b.restraint_gain,
        )  # fmt: skip
        stance[a, c] = clip(stance[a, c] - b.crisis_stance_drop, -1.0, 1.0)
        threat[a, c] = clip(threat[a, c] + b.crisis_threat_jump, 0.0, 1.0)
        trust[a, c] = clip(trust[a, c] - b.crisis_trust_loss, 0.0, 1.0)
        alarm_ = b.crisis_alarm * proximity[a, c]
        alarm[a, c] = alarm[a, c] + alarm_ * (1.0 - alarm[a, c])
        crisis[a, c] = 1.0


@compiled
def new_leaders(changed: np.ndarray, trust: np.ndarray, b: np.void) -> None:
    """Trust of every pair touching an actor flagged in ``changed`` ``(n,)``, in one world."""
    n = changed.shape[0]
    for i in range(n):
        for j in range(n):
            if changed[i] or changed[j]:
                trust[i, j] = tr.after_new_leader(trust[i, j], b.trust_reset, b.trust_carryover)


@compiled
def events(
    w: int,
    actor: tuple,
    pair: tuple,
    b: np.void,
    leader_u: np.ndarray,
    cut_u: np.ndarray,
    crisis_u: np.ndarray,
    relation: np.ndarray,
    hazard: np.ndarray,
    new_leader: np.ndarray,
    crises: np.ndarray,
    cutoffs: np.ndarray,
    leaders: np.ndarray,
    dt: float,
    cut: np.ndarray,
    changed: np.ndarray,
) -> None:
    """Crises, aid cut-offs and leader changes in world ``w``; none is scheduled.

    ``relation`` and ``hazard`` are the world's ``(n, n)`` relations (after
    the stances just chosen) and crisis hazards (written here, per year);
    ``leader_u``, ``cut_u`` and ``crisis_u`` its uniform draws; ``cut``
    ``(n, n)`` and ``changed`` ``(n,)`` working space.
    """
    leader_hazard, instability = actor[LEADER_HAZARD], actor[INSTABILITY]
    stance = pair[STANCE]
    threat = pair[THREAT]
    trust = pair[TRUST]
    dep = pair[DEPENDENCE]
    dep_base = pair[DEPENDENCE_BASE]
    alarm = pair[ALARM]
    proximity = pair[PROXIMITY]
    crisis = pair[CRISIS]
    restraint = pair[RESTRAINT]
    n = relation.shape[0]
    for i in range(n):
        hazard[i, i] = 0.0
        for j in range(i + 1, n):
            h = ev.crisis_rate(
                relation[i, j], threat[w, i, j], threat[w, j, i], restraint[w, i, j],
                b.crisis_rate, b.crisis_hostility, b.crisis_threat,
            )  # fmt: skip
            hazard[i, j] = hazard[j, i] = h
    for i in range(n):
        for j in range(i + 1, n):
            if occurs(hazard[i, j], dt, crisis_u[w, i, j]):
                clash(
                    i, j, stance[w], threat[w], trust[w], alarm[w], proximity[w], crisis[w],
                    restraint[w], b,
                )  # fmt: skip
                crises[w, i, j] += 1
                crises[w, j, i] += 1
    # Cut-offs: every hazard read before any cut (a cut moves the other direction's leverage).
    any_cut = False
    for i in range(n):
        for j in range(n):
            h = ev.cutoff_rate(stance[w, j, i], dep[w, i, j], dep[w, j, i], b.cutoff_rate)
            cut[i, j] = 1.0 if occurs(h, dt, cut_u[w, i, j]) else 0.0
            any_cut = any_cut or cut[i, j] > 0.0
    if any_cut:
        for i in range(n):
            for j in range(n):
                if cut[i, j] > 0.0:
                    keep = 1.0 - b.cutoff_share
                    dep_base[w, i, j] *= keep
                    dep[w, i, j] *= keep
                    trust[w, i, j] = clip(trust[w, i, j] - b.cutoff_trust_loss, 0.0, 1.0)
                    cutoffs[w, i, j] += 1
    any_change = False
    for i in range(n):
        h = ev.leader_hazard(leader_hazard[w, i], instability[w, i], b.instability_hazard)
        changed[i] = occurs(h, dt, leader_u[w, i])
        any_change = any_change or changed[i]
    if any_change:
        new_leaders(changed, trust[w], b)
        for i in range(n):
            if changed[i]:
                new_leader[w, i] = True
                leaders[w, i] += 1


@compiled
def slow_stocks(
    w: int,
    actor: tuple,
    pair: tuple,
    b: np.void,
    capability_z: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    dt: float,
    target: np.ndarray,
) -> None:
    """Trust, institutions, rivalry, memories, dependence, capability, instability, distress.

    World ``w``, in this order; ``relation`` is the world's ``(n, n)``
    relations after this step's crises, ``support`` the help each state
    received this step, ``abandon`` each state's abandonment fear from its
    choice, ``capability_z`` the world's standard normal capability draws;
    ``target`` ``(n,)`` working space.
    """
    capability, growth, volatility, salience, instability, distress = (
        actor[CAPABILITY],
        actor[GROWTH],
        actor[VOLATILITY],
        actor[SALIENCE],
        actor[INSTABILITY],
        actor[DISTRESS],
    )
    trust = pair[TRUST]
    dep = pair[DEPENDENCE]
    dep_base = pair[DEPENDENCE_BASE]
    sanctions = pair[SANCTIONS]
    institutions_ = pair[INSTITUTIONS]
    distance = pair[IDEOLOGY_DISTANCE]
    rivalry = pair[DOCTRINAL_RIVALRY]
    alarm = pair[ALARM]
    crisis = pair[CRISIS]
    restraint = pair[RESTRAINT]
    n = relation.shape[0]
    memory = np.exp(-b.crisis_memory * dt)
    alarm_left = np.exp(-b.alarm_fade * dt)
    for i in range(n):
        for j in range(n):
            r = relation[i, j]
            trust[w, i, j] = clip(
                trust[w, i, j]
                + dt * tr.rate(
                    trust[w, i, j], r, abandon[i, j], dep[w, i, j], dep[w, j, i], rivalry[w, i, j],
                    b.trust_build, b.trust_erosion, b.betrayal, b.humiliation,
                    b.trust_fade, b.trust_reset,
                ),
                0.0,
                1.0,
            )  # fmt: skip
            institutions_[w, i, j] = clip(
                institutions_[w, i, j]
                + dt * institutions.rate(
                    institutions_[w, i, j], r, b.institution_build, b.institution_decay
                ),
                0.0,
                1.0,
            )  # fmt: skip
            d_rivalry = 0.0
            if i != j:
                d_rivalry = ideology.rivalry_rate(
                    rivalry[w, i, j], r, salience[w, i], salience[w, j], distance[w, i, j],
                    capability[w, i], capability[w, j],
                    b.polemic_rate, b.parity_rate, b.rivalry_decay,
                )  # fmt: skip
            rivalry[w, i, j] = clip(rivalry[w, i, j] + dt * d_rivalry, 0.0, 1.0)
            crisis[w, i, j] *= memory
            alarm[w, i, j] *= alarm_left
            restraint[w, i, j] = ev.restraint_left(
                restraint[w, i, j], b.restraint_fade, b.restraint_fade, dt
            )
            # Help in distress: speeds recovery and builds dependence on the helper.
            dep_base[w, i, j] = clip(
                dep_base[w, i, j] + dt * b.aid_dependence * support[i, j], 0.0, 1.0
            )
    for i in range(n):
        dependence.settle_row(
            dep_base[w], relation, sanctions[w], i,
            b.dependence_elasticity, b.trade_diversion, target,
        )  # fmt: skip
        for j in range(n):
            dep[w, i, j] = relax(dep[w, i, j], target[j], b.dependence_speed, dt)
    for i in range(n):
        exposure = 0.0
        helped = 0.0
        for j in range(n):
            exposure += sanctions[w, j, i] * dep_base[w, i, j]
            helped += support[i, j]
        growth_ = economy.log_growth(
            growth[w, i], distress[w, i], exposure, b.distress_drag, b.sanction_drag
        )
        shock = volatility[w, i] * np.sqrt(dt) * capability_z[w, i]
        capability[w, i] = clip(capability[w, i] * np.exp(growth_ * dt + shock), 1e-6, 1.0)
        recovery = b.distress_recovery + b.support_recovery * helped
        instability[w, i] = clip(
            instability[w, i]
            + dt * (b.distress_instability * distress[w, i] * (1.0 - instability[w, i]))
            - dt * b.instability_decay * instability[w, i],
            0.0,
            1.0,
        )
        distress[w, i] = distress[w, i] * np.exp(-recovery * dt)


@compiled
def decide_all(
    w: int,
    actor: tuple,
    pair: tuple,
    b: np.void,
    noise_z: np.ndarray,
    lever_motives: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    new_leader: np.ndarray,
    dt: float,
    worth: np.ndarray,
    new_stance: np.ndarray,
) -> None:
    """Steps 1 and 2 of world ``w``: relations, help, then every state perceives and chooses.

    New stances are committed after all have chosen, so the order of states
    does not matter; new-leader flags are spent here.
    """
    capability, offensive, salience, patronage, distress = (
        actor[CAPABILITY],
        actor[OFFENSIVE],
        actor[SALIENCE],
        actor[PATRONAGE],
        actor[DISTRESS],
    )
    stance = pair[STANCE]
    threat = pair[THREAT]
    trust = pair[TRUST]
    dep = pair[DEPENDENCE]
    reach = pair[REACH]
    fear = pair[FEAR]
    alarm = pair[ALARM]
    sanctions = pair[SANCTIONS]
    institutions_ = pair[INSTITUTIONS]
    distance = pair[IDEOLOGY_DISTANCE]
    rivalry = pair[DOCTRINAL_RIVALRY]
    proximity = pair[PROXIMITY]
    disputes = pair[DISPUTES]
    crisis = pair[CRISIS]
    n = relation.shape[0]
    relation_into(stance[w], relation)
    st.counterweight_into(relation, worth)
    for i in range(n):
        for j in range(n):
            support[i, j] = economy.help_given(
                patronage[w, j], stance[w, j, i], capability[w, i], capability[w, j], distress[w, i]
            )
    for i in range(n):
        perceive(
            i, capability[w], offensive[w], salience[w], proximity[w], reach[w], distance[w],
            rivalry[w], stance[w], fear[w], alarm[w], threat[w], b, dt, False,
        )  # fmt: skip
        choose(
            i, capability[w], salience[w], patronage[w], stance[w], threat[w], trust[w], dep[w],
            sanctions[w], institutions_[w], distance[w], rivalry[w], disputes[w], crisis[w],
            relation, worth, support, lever_motives[w], noise_z[w, i], new_leader[w, i], b, dt,
            new_stance, abandon,
        )  # fmt: skip
    for i in range(n):
        for j in range(n):
            stance[w, i, j] = new_stance[i, j]
        new_leader[w, i] = False


@compiled
def advance(
    actor: tuple,
    pair: tuple,
    behaviour: np.ndarray,
    capability_z: np.ndarray,
    leader_u: np.ndarray,
    noise_z: np.ndarray,
    cut_u: np.ndarray,
    crisis_u: np.ndarray,
    lever_motives: np.ndarray,
    relation: np.ndarray,
    hazard: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    new_leader: np.ndarray,
    crises: np.ndarray,
    cutoffs: np.ndarray,
    leaders: np.ndarray,
    dt: float,
    scratch: np.ndarray,
) -> None:
    """One step of ``dt`` years for every world, in place.

    Parameters
    ----------
    actor, pair
        The state arrays in the order of :data:`ACTOR_FIELDS` and :data:`PAIR_FIELDS`.
    behaviour
        :func:`behaviour_record`, ``(worlds,)``.
    capability_z, leader_u
        ``(worlds, n)`` standard normal capability draws and uniform leader draws.
    noise_z, cut_u, crisis_u
        ``(worlds, n, n)`` standard normal stance noise, uniform cut-off and
        (symmetric) crisis draws.
    lever_motives
        ``(worlds, n, n)`` motives the levers in force add this step.
    relation, hazard, support, abandon
        ``(worlds, n, n)`` outputs: relations at the end of the step, crisis
        hazards (per year), help received and abandonment fear this step.
    new_leader
        ``(worlds, n)`` new-leader flags: read and cleared by the choice, set
        by this step's leader changes for the next.
    crises, cutoffs, leaders
        Event counts, added to.
    scratch
        ``(SCRATCH, n, n)`` working space.
    """
    worth, new_stance, cut, target = scratch[0], scratch[1], scratch[2], scratch[3, 0]
    changed = np.zeros(relation.shape[1], dtype=np.bool_)
    stance = pair[0]
    for w in range(behaviour.shape[0]):
        b = behaviour[w]
        decide_all(
            w, actor, pair, b, noise_z, lever_motives, relation[w], support[w], abandon[w],
            new_leader, dt, worth, new_stance,
        )  # fmt: skip
        relation_into(stance[w], relation[w])
        events(
            w, actor, pair, b, leader_u, cut_u, crisis_u, relation[w], hazard[w], new_leader,
            crises, cutoffs, leaders, dt, cut, changed,
        )  # fmt: skip
        # Crises move stances; slow stocks do not, so this relation serves both.
        relation_into(stance[w], relation[w])
        slow_stocks(
            w, actor, pair, b, capability_z, relation[w], support[w], abandon[w], dt, target
        )
