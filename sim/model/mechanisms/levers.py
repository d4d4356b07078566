"""Wedge levers: reward or coercion by a third power (Crawford 2011; Izumikawa 2013).

A lever acts while ``start <= t < start + duration``. Its effective strength
is ``size * credibility * need``, where the target's *need* is
``C_driver / (C_driver + C_target) * (1 + distress_target)``: the same offer
weighs more for a state that is small beside the driver, and more still in
distress. This is how the claim that wedges work better on the weaker member
(Crawford 2011; Bekkevold 2024) can emerge rather than be assumed:

- **reward**: the target's desired stance toward the driver rises by
  ``w_reward * eff``; the driver warms toward the target by ``driver_commitment * size``; the
  driver's sanctions on the target are relieved by ``sanction_relief * size``;
  when conditional, the target's desired stance toward the partner falls by
  ``w_condition * eff`` (the price of the deal: distance from the partner).
- **coercion**: the driver's sanctions on the target rise to at least
  ``size``; the driver cools toward the target by ``driver_commitment * size``; association with
  the partner costs the target ``w_coercion * eff * r+`` (pressure that
  targets the alignment itself).

The partner's counter-bid is not here: it is the partner's own response to
abandonment fear, in :mod:`sim.model.mechanisms.stance`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def need_of(capability_driver: Num, capability_target: Num, distress_target: Num) -> Num:
    """The target's need for what the driver offers: ``C_d / (C_d + C_t) * (1 + E_t)``.

    Relative smallness times distress.
    """
    return capability_driver / (capability_driver + capability_target) * (1.0 + distress_target)


def need(capability: np.ndarray, distress: np.ndarray, driver: int, target: int) -> np.ndarray:
    """:func:`need_of` in every world, ``(worlds,)``."""
    return need_of(capability[:, driver], capability[:, target], distress[:, target])


class LeverRoles(NamedTuple):
    """Who a lever involves, as actor indices, and its kind (a tuple the compiled code reads)."""

    driver: int
    target: int
    partner: int
    reward: bool
    conditional: bool


@compiled
def active(t: float, start: Num, duration: Num) -> Num:
    """Whether the lever is in force at time ``t`` in each world."""
    return (start <= t) & (t < start + duration)


@compiled
def apply(
    roles: LeverRoles,
    on: np.ndarray,
    size: np.ndarray,
    credibility: np.ndarray,
    need: np.ndarray,
    relation: np.ndarray,
    motives: np.ndarray,
    sanctions: np.ndarray,
    w_reward: np.ndarray,
    w_condition: np.ndarray,
    w_coercion: np.ndarray,
    relief: np.ndarray,
    commitment: np.ndarray,
) -> None:
    """Add one lever's effect to ``motives`` and ``sanctions`` in place.

    Parameters
    ----------
    on
        ``(worlds,)`` whether it is in force.
    size, credibility
        ``(worlds,)``.
    need
        ``(worlds,)`` the target's need (see the module docstring), >= 0.
    relation
        ``(worlds, n, n)``.
    motives
        ``(worlds, n, n)`` desired-stance motives (before ``tanh``) to add to.
    sanctions
        ``(worlds, n, n)`` effective sanctions this step, ``[w, k, i]`` = k on i.
    w_reward, w_condition, w_coercion, relief, commitment
        ``(worlds, 1)`` behaviour parameters.
    """
    d, tg, p = roles.driver, roles.target, roles.partner
    for w in range(on.shape[0]):
        gate = 1.0 if on[w] else 0.0
        eff = gate * size[w] * credibility[w] * need[w]
        if roles.reward:
            motives[w, tg, d] += w_reward[w, 0] * eff
            motives[w, d, tg] += commitment[w, 0] * gate * size[w]
            sanctions[w, d, tg] *= 1.0 - min(1.0, relief[w, 0] * size[w] * gate)
            if roles.conditional:
                motives[w, tg, p] -= w_condition[w, 0] * eff
        else:
            if on[w]:
                sanctions[w, d, tg] = max(sanctions[w, d, tg], size[w])
            motives[w, d, tg] -= commitment[w, 0] * gate * size[w]
            motives[w, tg, p] -= w_coercion[w, 0] * eff * max(0.0, relation[w, tg, p])
