"""The compiled step's phases over every world, one phase or one state at a time.

:func:`sim.model.kernel.advance` runs all phases world by world; these run one
phase across all worlds with the same compiled functions: the initial
settling of perceptions, a shock's crisis, one state stepped by hand
(:class:`~sim.model.agents.State`), and the tests that check a phase alone.
They read the state blocks of :class:`~sim.model.model.WorldState` in place.
"""

from __future__ import annotations

import numpy as np

from sim.model import kernel as k
from sim.model.kernel import clash, events, perceive, slow_stocks
from sim.model.mechanisms import economy
from sim.model.mechanisms import stance as st
from sim.model.mechanisms.common import compiled, kept
from sim.model.motives import MOTIVES, choose


@compiled
def perceive_worlds(
    i: int, actors: np.ndarray, pairs: np.ndarray, behaviour: np.ndarray, dt: float, instant: bool
) -> None:
    """:func:`~sim.model.kernel.perceive` of state i in every world (``instant``: land on it)."""
    for w in range(behaviour.shape[0]):
        a, p, b = actors[w], pairs[w], behaviour[w]
        perceive(
            i, a[k.CAPABILITY], a[k.OFFENSIVE], a[k.SALIENCE], p[k.PROXIMITY], p[k.REACH],
            p[k.IDEOLOGY_DISTANCE], p[k.DOCTRINAL_RIVALRY], p[k.STANCE], p[k.FEAR], p[k.ALARM],
            p[k.THREAT], b, 0.0 if instant else kept(b.threat_speed, dt),
        )  # fmt: skip


@compiled
def choose_worlds(
    i: int,
    actors: np.ndarray,
    pairs: np.ndarray,
    behaviour: np.ndarray,
    noise_u: np.ndarray,
    lever_motives: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    new_leader: np.ndarray,
    dt: float,
    new_stance: np.ndarray,
    abandon: np.ndarray,
) -> None:
    """:func:`~sim.model.motives.choose` of state i in every world; outputs ``(worlds, n, n)``."""
    worth = np.empty(relation.shape[1:])
    n = relation.shape[1]
    terms = np.empty((len(MOTIVES), n, n))  # the motives, kept apart by choose; unused here
    for w in range(behaviour.shape[0]):
        a, p = actors[w], pairs[w]
        st.counterweight_into(relation[w], worth)
        choose(
            i, a[k.CAPABILITY], a[k.SALIENCE], a[k.PATRONAGE], p[k.STANCE], p[k.THREAT],
            p[k.TRUST], p[k.DEPENDENCE], p[k.SANCTIONS], p[k.INSTITUTIONS],
            p[k.IDEOLOGY_DISTANCE], p[k.DOCTRINAL_RIVALRY], p[k.DISPUTES], p[k.CRISIS],
            relation[w], worth, support[w], lever_motives[w], noise_u[w], new_leader[w, i],
            behaviour[w], dt, new_stance[w], abandon[w], False, terms,
        )  # fmt: skip


@compiled
def events_worlds(
    actors: np.ndarray,
    pairs: np.ndarray,
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
    """:func:`~sim.model.kernel.events` in every world; new leaders join ``new_leader``."""
    n = relation.shape[1]
    cut = np.empty((n, n))
    changed = np.zeros(n, dtype=np.bool_)
    for w in range(behaviour.shape[0]):
        a, p = actors[w], pairs[w]
        events(
            p[k.STANCE], p[k.THREAT], p[k.TRUST], p[k.DEPENDENCE], p[k.DEPENDENCE_BASE],
            p[k.ALARM], p[k.PROXIMITY], p[k.CRISIS], p[k.RESTRAINT], a[k.LEADER_HAZARD],
            a[k.INSTABILITY], relation[w], leader_u[w], cut_u[w], crisis_u[w], behaviour[w], dt,
            hazard[w], cut, changed, crises[w], cutoffs[w], leaders[w],
        )  # fmt: skip
        for i in range(n):
            new_leader[w, i] = new_leader[w, i] or changed[i]


@compiled
def slow_stocks_worlds(
    actors: np.ndarray,
    pairs: np.ndarray,
    behaviour: np.ndarray,
    capability_u: np.ndarray,
    relation: np.ndarray,
    support: np.ndarray,
    abandon: np.ndarray,
    dt: float,
) -> None:
    """:func:`~sim.model.kernel.slow_stocks` in every world."""
    target = np.empty(relation.shape[1])
    for w in range(behaviour.shape[0]):
        a, p = actors[w], pairs[w]
        slow_stocks(
            a[k.CAPABILITY], a[k.GROWTH], a[k.VOLATILITY], a[k.SALIENCE], a[k.INSTABILITY],
            a[k.DISTRESS], p[k.TRUST], p[k.DEPENDENCE], p[k.DEPENDENCE_BASE], p[k.SANCTIONS],
            p[k.INSTITUTIONS], p[k.IDEOLOGY_DISTANCE], p[k.DOCTRINAL_RIVALRY], p[k.ALARM],
            p[k.CRISIS], p[k.RESTRAINT], relation[w], support[w], abandon[w], capability_u[w],
            behaviour[w], dt, target,
        )  # fmt: skip


@compiled
def clash_worlds(
    mask: np.ndarray, pairs: np.ndarray, behaviour: np.ndarray, crises: np.ndarray
) -> None:
    """:func:`~sim.model.kernel.clash` for every pair flagged in the symmetric ``mask``."""
    n = mask.shape[1]
    for w in range(mask.shape[0]):
        p = pairs[w]
        for i in range(n):
            for j in range(i + 1, n):
                if mask[w, i, j]:
                    clash(
                        i, j, p[k.STANCE], p[k.THREAT], p[k.TRUST], p[k.ALARM], p[k.PROXIMITY],
                        p[k.CRISIS], p[k.RESTRAINT], behaviour[w], crises[w],
                    )  # fmt: skip


@compiled
def bite_worlds(pairs: np.ndarray, behaviour: np.ndarray) -> None:
    """Sanctions in force from those imposed and the sanctioner's stance, in every world.

    :func:`~sim.model.mechanisms.economy.bite` of every pair, written into the
    ``sanctions`` field before the levers of the step act on it.
    """
    n = pairs.shape[2]
    for w in range(pairs.shape[0]):
        h = behaviour[w].sanction_hostility
        for i in range(n):
            for j in range(n):
                pairs[w, k.SANCTIONS, i, j] = economy.bite(
                    pairs[w, k.SANCTIONS_BASE, i, j], pairs[w, k.STANCE, i, j], h
                )
