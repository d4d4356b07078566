"""The model's step, compiled: every mechanism of one world, then the next world.

:meth:`sim.model.model.WedgeModel.step` draws the step's random numbers (numpy,
per-world streams), applies scheduled shocks and levers, and hands the rest to
:func:`advance`, which walks the worlds one at a time and, for each, runs the
step of the ODD (section 3) on numbers that stay in the processor's cache:

1. relations, counterweights and the help each state in distress receives;
2. every state perceives (:func:`perceive`), weighs its motives and decides
   (:func:`~sim.model.motives.choose`), simultaneously: new stances are committed together;
3. endogenous events (:func:`events`): crises, aid cut-offs, leader changes;
4. slow stocks (:func:`slow_stocks`): trust, institutions, doctrinal rivalry,
   crisis memory, structural and realised dependence, capability,
   instability, distress.

The equations are the mechanisms' own (:mod:`sim.model.mechanisms`); this
module only composes them, in the order and with the arguments the ODD
gives. Arrays keep their leading world axis; ``b`` is a world's row of the
behaviour record (:func:`~sim.model.setup.behaviour_record`), read by name (``b.w_threat``).
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
from sim.model.mechanisms.common import (
    approach,
    clip,
    compiled,
    happens,
    kept,
    relation_into,
    whole,
)
from sim.model.motives import MOTIVES, choose
from sim.model.normal import quantile

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

CHANGING_ACTOR_FIELDS = (CAPABILITY, INSTABILITY, DISTRESS)
"""Actor fields :func:`advance` changes (the others only shocks and paths move)."""
CHANGING_PAIR_FIELDS = (
    STANCE, THREAT, TRUST, DEPENDENCE, DEPENDENCE_BASE, ALARM, INSTITUTIONS, DOCTRINAL_RIVALRY,
    CRISIS, RESTRAINT,
)  # fmt: skip
"""Pair fields :func:`advance` changes."""

SCRATCH = 4
"""Per-world working matrices of :func:`advance`: counterweights, new stances, cut-offs, a row."""


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
    keep: float,
) -> None:
    """State i's threat from each j in one world (Walt 1987).

    Actor arrays are the world's ``(n,)`` rows, pair arrays its ``(n, n)``
    matrices; threat keeps the share ``keep`` of its gap to the perceived
    level (``kept(threat_speed, dt)``; 0 lands on it, for the initial settling).
    """
    n = capability.shape[0]
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
        threat[i, j] = approach(threat[i, j], target, keep)


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
    crises: np.ndarray,
) -> None:
    """A crisis or clash between i and j in one world, both directions at once.

    Counted in ``crises``. Restraint is learnt from the fear the clash held, so it reads threat
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
        crises[a, c] += 1


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
    stance: np.ndarray,
    threat: np.ndarray,
    trust: np.ndarray,
    dep: np.ndarray,
    dep_base: np.ndarray,
    alarm: np.ndarray,
    proximity: np.ndarray,
    crisis: np.ndarray,
    restraint: np.ndarray,
    leader_hazard: np.ndarray,
    instability: np.ndarray,
    relation: np.ndarray,
    leader_u: np.ndarray,
    cut_u: np.ndarray,
    crisis_u: np.ndarray,
    b: np.void,
    dt: float,
    hazard: np.ndarray,
    cut: np.ndarray,
    changed: np.ndarray,
    crises: np.ndarray,
    cutoffs: np.ndarray,
    leaders: np.ndarray,
) -> None:
    """Crises, aid cut-offs and leader changes in one world; none is scheduled.

    ``relation`` holds the relations after the stances just chosen; ``hazard``
    receives the crisis hazards (per year); ``cut`` and ``changed`` receive
    the cut-offs and leader changes of this step; ``crises``, ``cutoffs`` and
    ``leaders`` count them.
    """
    n = relation.shape[0]
    for i in range(n):
        hazard[i, i] = 0.0
        for j in range(i + 1, n):
            h = ev.crisis_rate(
                relation[i, j], threat[i, j], threat[j, i], restraint[i, j],
                b.crisis_rate, b.crisis_hostility, b.crisis_threat,
            )  # fmt: skip
            hazard[i, j] = hazard[j, i] = h
    for i in range(n):
        for j in range(i + 1, n):
            if happens(hazard[i, j], dt, crisis_u[i, j]):
                clash(i, j, stance, threat, trust, alarm, proximity, crisis, restraint, b, crises)
    # Cut-offs: every hazard read before any cut (a cut moves the other direction's leverage).
    for i in range(n):
        for j in range(n):
            h = ev.cutoff_rate(stance[j, i], dep[i, j], dep[j, i], b.cutoff_rate)
            cut[i, j] = happens(h, dt, cut_u[i, j])
    for i in range(n):
        for j in range(n):
            if cut[i, j]:
                keep = 1.0 - b.cutoff_share
                dep_base[i, j] *= keep
                dep[i, j] *= keep
                trust[i, j] = clip(trust[i, j] - b.cutoff_trust_loss, 0.0, 1.0)
                cutoffs[i, j] += 1
    for i in range(n):
        h = ev.leader_hazard(leader_hazard[i], instability[i], b.instability_hazard)
        changed[i] = happens(h, dt, leader_u[i])
        leaders[i] += changed[i]
    new_leaders(changed, trust, b)


@compiled
def slow_stocks(
    capability: np.ndarray,
    growth: np.ndarray,
    volatility: np.ndarray,
    salience: np.ndarray,
    instability: np.ndarray,
    distress: np.ndarray,
    trust: np.ndarray,
    dep: np.ndarray,
    dep_base: np.ndarray,
    sanctions: np.ndarray,
    institutions_: np.ndarray,
    distance: np.ndarray,
    rivalry: np.ndarray,
    alarm: np.ndarray,
    crisis: np.ndarray,
    restraint: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    capability_u: np.ndarray,
    b: np.void,
    dt: float,
    target: np.ndarray,
) -> None:
    """Trust, institutions, rivalry, memories, dependence, capability, instability, distress.

    One world, in this order; ``relation`` is the world's relations after
    this step's crises, ``support`` the help each state received this step,
    ``abandon`` each state's abandonment fear from its choice,
    ``capability_u`` the uniform capability draws; ``target`` ``(n,)``
    working space.
    """
    n = relation.shape[0]
    memory = kept(b.crisis_memory, dt)
    alarm_left = kept(b.alarm_fade, dt)
    restraint_left = ev.restraint_left(1.0, b.restraint_fade, b.restraint_fade, dt)
    dependence_keep = kept(b.dependence_speed, dt)
    for i in range(n):
        for j in range(n):
            r = relation[i, j]
            trust[i, j] = clip(
                trust[i, j]
                + dt * tr.rate(
                    trust[i, j], r, abandon[i, j], dep[i, j], dep[j, i], rivalry[i, j],
                    b.trust_build, b.trust_erosion, b.betrayal, b.humiliation,
                    b.trust_fade, b.trust_reset,
                ),
                0.0,
                1.0,
            )  # fmt: skip
            institutions_[i, j] = clip(
                institutions_[i, j]
                + dt * institutions.rate(
                    institutions_[i, j], r, b.institution_build, b.institution_decay
                ),
                0.0,
                1.0,
            )  # fmt: skip
            d_rivalry = 0.0
            if i != j:
                d_rivalry = ideology.rivalry_rate(
                    rivalry[i, j], r, salience[i], salience[j], distance[i, j],
                    capability[i], capability[j], b.polemic_rate, b.parity_rate, b.rivalry_decay,
                )  # fmt: skip
            rivalry[i, j] = clip(rivalry[i, j] + dt * d_rivalry, 0.0, 1.0)
            crisis[i, j] *= memory
            alarm[i, j] *= alarm_left
            restraint[i, j] *= restraint_left
            # Help in distress: speeds recovery and builds dependence on the helper.
            dep_base[i, j] = clip(dep_base[i, j] + dt * b.aid_dependence * support[i, j], 0.0, 1.0)
    for i in range(n):
        dependence.settle_row(
            dep_base, relation, sanctions, i, b.dependence_elasticity, b.trade_diversion, target
        )
        for j in range(n):
            dep[i, j] = approach(dep[i, j], target[j], dependence_keep)
    for i in range(n):
        exposure = 0.0
        helped = 0.0
        for j in range(n):
            exposure += sanctions[j, i] * dep_base[i, j]
            helped += support[i, j]
        growth_ = economy.log_growth(
            growth[i], distress[i], exposure, b.distress_drag, b.sanction_drag
        )
        shock = volatility[i] * np.sqrt(dt) * quantile(capability_u[i])
        capability[i] = clip(capability[i] * np.exp(growth_ * dt + shock), 1e-6, 1.0)
        recovery = b.distress_recovery + b.support_recovery * helped
        instability[i] = clip(
            instability[i]
            + dt * (b.distress_instability * distress[i] * (1.0 - instability[i]))
            - dt * b.instability_decay * instability[i],
            0.0,
            1.0,
        )
        distress[i] = distress[i] * np.exp(-recovery * dt)


@whole
def advance(
    first: int,
    last: int,
    actors: np.ndarray,
    pairs: np.ndarray,
    behaviour: np.ndarray,
    capability_u: np.ndarray,
    leader_u: np.ndarray,
    noise_u: np.ndarray,
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
    recorded: np.ndarray,
    dt: float,
    actors_token: tuple,
) -> None:
    """One step of ``dt`` years for worlds ``[first, last)``, in place.

    Parameters
    ----------
    first, last
        The worlds stepped (all of them: ``0, worlds``); :mod:`sim.model.threads`
        hands each thread its own range.
    actors, pairs
        The state blocks ``(worlds, fields, n)`` and ``(worlds, fields, n, n)``
        (:class:`~sim.model.model.WorldState`).
    behaviour
        :func:`~sim.model.setup.behaviour_record`, ``(worlds,)``.
    capability_u, leader_u
        ``(worlds, n)`` uniform capability and leader draws.
    noise_u, cut_u, crisis_u
        ``(worlds, n, n)`` uniform stance-noise, cut-off and (symmetric)
        crisis draws; noise becomes standard normal here (:mod:`sim.model.normal`).
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
    recorded
        ``(worlds, len(MOTIVES), n, n)``: each state's weighted motives toward
        each other this step (:data:`~sim.model.motives.MOTIVES`), or
        ``(0, ...)`` to record none;
        the same arithmetic runs either way, so recording changes no number.
    actors_token
        A tuple of one zero per actor (:func:`~sim.model.setup.actors_token`): its length is part
        of its type, so the step is compiled for each number of actors and
        every loop over actors has a fixed length (a quarter faster).

    Each world is copied into a small working block, stepped there and
    copied back: the compiled code then works on arrays it owns, which is
    several times faster than reaching into the ensemble's arrays from every
    equation.
    """
    worlds, n_actor, n = actors.shape[0], len(ACTOR_FIELDS), len(actors_token)
    n_pair = len(PAIR_FIELDS)
    a = np.empty((n_actor, n))
    p = np.empty((n_pair, n, n))
    # One world's block is contiguous: copied in and out as a flat run of numbers.
    a_flat, p_flat = a.reshape(n_actor * n), p.reshape(n_pair * n * n)
    actors_flat = actors.reshape((worlds, n_actor * n))
    pairs_flat = pairs.reshape((worlds, n_pair * n * n))
    draws = np.empty((4, n, n))  # stance noise, cut-off, crisis; capability and leader rows
    out = np.empty((4, n, n))  # relation, hazard, support, abandonment
    work = np.empty((SCRATCH, n, n))
    terms = np.empty((len(MOTIVES), n, n))
    recording = recorded.shape[0] > 0
    counts = np.zeros((3, n, n), dtype=np.int64)  # crises, cut-offs; leader changes in row 0
    flags = np.zeros((2, n), dtype=np.bool_)  # new leader; changed this step
    # Views made once: every equation below reads arrays owned here.
    capability, growth, volatility, offensive = (
        a[CAPABILITY],
        a[GROWTH],
        a[VOLATILITY],
        a[OFFENSIVE],
    )
    salience, leader_hazard, instability = a[SALIENCE], a[LEADER_HAZARD], a[INSTABILITY]
    distress, patronage = a[DISTRESS], a[PATRONAGE]
    stance, threat, trust, dep, dep_base = (
        p[STANCE],
        p[THREAT],
        p[TRUST],
        p[DEPENDENCE],
        p[DEPENDENCE_BASE],
    )
    reach, fear, alarm, sanctions, institutions_ = (
        p[REACH],
        p[FEAR],
        p[ALARM],
        p[SANCTIONS],
        p[INSTITUTIONS],
    )
    distance, rivalry, proximity = p[IDEOLOGY_DISTANCE], p[DOCTRINAL_RIVALRY], p[PROXIMITY]
    disputes, crisis, restraint = p[DISPUTES], p[CRISIS], p[RESTRAINT]
    noise, cut_draw, crisis_draw, rows = draws[0], draws[1], draws[2], draws[3]
    rel, haz, helped, aband = out[0], out[1], out[2], out[3]
    worth, new_stance, cut, target = work[0], work[1], work[2], work[3, 0]
    levers_w = work[3]
    new_row, changed = flags[0], flags[1]
    crises_w, cutoffs_w, leaders_w = counts[0], counts[1], counts[2, 0]
    for w in range(first, last):
        b = behaviour[w]
        for k in range(a_flat.shape[0]):
            a_flat[k] = actors_flat[w, k]
        for k in range(p_flat.shape[0]):
            p_flat[k] = pairs_flat[w, k]
        for i in range(n):
            rows[0, i] = capability_u[w, i]
            rows[1, i] = leader_u[w, i]
            new_row[i] = new_leader[w, i]
            for j in range(n):
                noise[i, j] = noise_u[w, i, j]
                cut_draw[i, j] = cut_u[w, i, j]
                crisis_draw[i, j] = crisis_u[w, i, j]
                levers_w[i, j] = lever_motives[w, i, j]
        counts[:] = 0
        # 1-2: relations, help, and every state's perception and choice.
        relation_into(stance, rel)
        st.counterweight_into(rel, worth)
        for i in range(n):
            for j in range(n):
                helped[i, j] = economy.help_given(
                    patronage[j], stance[j, i], capability[i], capability[j], distress[i]
                )
        keep = kept(b.threat_speed, dt)
        for i in range(n):
            perceive(
                i, capability, offensive, salience, proximity, reach, distance, rivalry, stance,
                fear, alarm, threat, b, keep,
            )  # fmt: skip
            choose(
                i, capability, salience, patronage, stance, threat, trust, dep, sanctions,
                institutions_, distance, rivalry, disputes, crisis, rel, worth, helped, levers_w,
                noise, new_row[i], b, dt, new_stance, aband, recording, terms,
            )  # fmt: skip
        for i in range(n):
            for j in range(n):
                stance[i, j] = new_stance[i, j]
        if recording:
            for k in range(len(MOTIVES)):
                for i in range(n):
                    for j in range(n):
                        recorded[w, k, i, j] = terms[k, i, j]
        # 3: events, on the relations just chosen.
        relation_into(stance, rel)
        events(
            stance, threat, trust, dep, dep_base, alarm, proximity, crisis, restraint,
            leader_hazard, instability, rel, rows[1], cut_draw, crisis_draw, b, dt, haz, cut,
            changed, crises_w, cutoffs_w, leaders_w,
        )  # fmt: skip
        # 4: slow stocks. Crises move stances; slow stocks do not, so this relation serves both.
        relation_into(stance, rel)
        slow_stocks(
            capability, growth, volatility, salience, instability, distress, trust, dep, dep_base,
            sanctions, institutions_, distance, rivalry, alarm, crisis, restraint, rel, helped,
            aband, rows[0], b, dt, target,
        )  # fmt: skip
        for f in CHANGING_ACTOR_FIELDS:  # only what the step moves goes back
            for k in range(f * n, (f + 1) * n):
                actors_flat[w, k] = a_flat[k]
        for f in CHANGING_PAIR_FIELDS:
            for k in range(f * n * n, (f + 1) * n * n):
                pairs_flat[w, k] = p_flat[k]
        for i in range(n):
            new_leader[w, i] = changed[i]
            leaders[w, i] += leaders_w[i]
            for j in range(n):
                relation[w, i, j] = rel[i, j]
                hazard[w, i, j] = haz[i, j]
                support[w, i, j] = helped[i, j]
                abandon[w, i, j] = aband[i, j]
                crises[w, i, j] += crises_w[i, j]
                cutoffs[w, i, j] += cutoffs_w[i, j]
