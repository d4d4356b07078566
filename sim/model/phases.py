"""The compiled step's phases over every world, one phase or one state at a time.

:func:`sim.model.kernel.advance` runs all phases world by world; these run one
phase across all worlds with the same compiled functions: the initial
settling of perceptions, a shock's crisis, one state stepped by hand
(:class:`~sim.model.agents.State`), and the tests that check a phase alone.
"""

from __future__ import annotations

import numpy as np

from sim.model import kernel as k
from sim.model.kernel import choose, clash, events, perceive, slow_stocks
from sim.model.mechanisms import stance as st
from sim.model.mechanisms.common import compiled


@compiled
def perceive_worlds(i: int, actor: tuple, pair: tuple, behaviour: np.ndarray, dt: float,
                    instant: bool) -> None:  # fmt: skip
    """:func:`perceive` of state i in every world (``instant``: land on the target)."""
    capability, offensive, salience = actor[k.CAPABILITY], actor[k.OFFENSIVE], actor[k.SALIENCE]
    (stance, threat, fear, alarm, reach) = (
        pair[k.STANCE],
        pair[k.THREAT],
        pair[k.FEAR],
        pair[k.ALARM],
        pair[k.REACH],
    )
    distance, rivalry, proximity = (
        pair[k.IDEOLOGY_DISTANCE],
        pair[k.DOCTRINAL_RIVALRY],
        pair[k.PROXIMITY],
    )
    for w in range(behaviour.shape[0]):
        perceive(
            i,
            capability[w],
            offensive[w],
            salience[w],
            proximity[w],
            reach[w],
            distance[w],
            rivalry[w],
            stance[w],
            fear[w],
            alarm[w],
            threat[w],
            behaviour[w],
            dt,
            instant,
        )


@compiled
def choose_worlds(
    i: int,
    actor: tuple,
    pair: tuple,
    behaviour: np.ndarray,
    noise_z: np.ndarray,
    lever_motives: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    new_leader: np.ndarray,
    dt: float,
    new_stance: np.ndarray,
    abandon: np.ndarray,
) -> None:
    """:func:`choose` of state i in every world; ``new_stance``, ``abandon``: ``(worlds, n, n)``."""
    capability, salience, patronage = actor[k.CAPABILITY], actor[k.SALIENCE], actor[k.PATRONAGE]
    worth = np.empty(relation.shape[1:])
    for w in range(behaviour.shape[0]):
        st.counterweight_into(relation[w], worth)
        choose(
            i,
            capability[w],
            salience[w],
            patronage[w],
            pair[k.STANCE][w],
            pair[k.THREAT][w],
            pair[k.TRUST][w],
            pair[k.DEPENDENCE][w],
            pair[k.SANCTIONS][w],
            pair[k.INSTITUTIONS][w],
            pair[k.IDEOLOGY_DISTANCE][w],
            pair[k.DOCTRINAL_RIVALRY][w],
            pair[k.DISPUTES][w],
            pair[k.CRISIS][w],
            relation[w],
            worth,
            support[w],
            lever_motives[w],
            noise_z[w, i],
            new_leader[w, i],
            behaviour[w],
            dt,
            new_stance[w],
            abandon[w],
        )


@compiled
def events_worlds(
    actor: tuple,
    pair: tuple,
    behaviour: np.ndarray,
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
) -> None:
    """:func:`events` in every world."""
    n = relation.shape[1]
    cut = np.empty((n, n))
    changed = np.zeros(n, dtype=np.bool_)
    for w in range(behaviour.shape[0]):
        events(
            w,
            actor,
            pair,
            behaviour[w],
            leader_u,
            cut_u,
            crisis_u,
            relation[w],
            hazard[w],
            new_leader,
            crises,
            cutoffs,
            leaders,
            dt,
            cut,
            changed,
        )


@compiled
def slow_stocks_worlds(
    actor: tuple,
    pair: tuple,
    behaviour: np.ndarray,
    capability_z: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    dt: float,
) -> None:
    """:func:`slow_stocks` in every world."""
    target = np.empty(relation.shape[1])
    for w in range(behaviour.shape[0]):
        slow_stocks(
            w,
            actor,
            pair,
            behaviour[w],
            capability_z,
            relation[w],
            support[w],
            abandon[w],
            dt,
            target,
        )


@compiled
def clash_worlds(mask: np.ndarray, pair: tuple, behaviour: np.ndarray, crises: np.ndarray) -> None:
    """:func:`clash` for every pair flagged in the symmetric ``mask`` ``(worlds, n, n)``."""
    n = mask.shape[1]
    for w in range(mask.shape[0]):
        for i in range(n):
            for j in range(i + 1, n):
                if mask[w, i, j]:
                    clash(
                        i,
                        j,
                        pair[k.STANCE][w],
                        pair[k.THREAT][w],
                        pair[k.TRUST][w],
                        pair[k.ALARM][w],
                        pair[k.PROXIMITY][w],
                        pair[k.CRISIS][w],
                        pair[k.RESTRAINT][w],
                        behaviour[w],
                    )
                    crises[w, i, j] += 1
                    crises[w, j, i] += 1
