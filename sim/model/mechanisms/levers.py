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

from dataclasses import dataclass

import numpy as np


def need(capability: np.ndarray, distress: np.ndarray, driver: int, target: int) -> np.ndarray:
    """The target's need for what the driver offers, ``(worlds,)``.

    ``C_d / (C_d + C_t) * (1 + E_t)``: relative smallness times distress.
    """
    c_d, c_t = capability[:, driver], capability[:, target]
    return c_d / (c_d + c_t) * (1.0 + distress[:, target])


@dataclass(frozen=True)
class LeverRoles:
    """Who a lever involves, as actor indices, and its kind."""

    driver: int
    target: int
    partner: int
    reward: bool
    conditional: bool


def active(t: float, start: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Whether the lever is in force at time ``t`` in each world, ``(worlds,)``."""
    return (start <= t) & (t < start + duration)


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
    gate = on.astype(float)
    eff = gate * size * credibility * need
    if roles.reward:
        motives[:, tg, d] += w_reward[:, 0] * eff
        motives[:, d, tg] += commitment[:, 0] * gate * size
        sanctions[:, d, tg] *= 1.0 - np.minimum(1.0, relief[:, 0] * size * gate)
        if roles.conditional:
            motives[:, tg, p] -= w_condition[:, 0] * eff
    else:
        sanctions[:, d, tg] = np.where(
            on, np.maximum(sanctions[:, d, tg], size), sanctions[:, d, tg]
        )
        motives[:, d, tg] -= commitment[:, 0] * gate * size
        motives[:, tg, p] -= w_coercion[:, 0] * eff * np.maximum(0.0, relation[:, tg, p])
