"""Capability growth, economic distress, instability and help from partners.

Capability (share of world material capability, COW CINC scale) grows at the
actor's trend rate, less drags from distress and sanctions, with lognormal
noise. Distress (0-1) decays, faster with help from partners willing and
able to give it; such help builds dependence on the helper (Bekkevold 2024:
China keener than the West to help Russia rebuild). Distress feeds regime
instability, which raises the hazard of a change of leader.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def help_given(
    patronage_j: Num, stance_ji: Num, capability_i: Num, capability_j: Num, distress_i: Num
) -> Num:
    """Help that j gives i in distress, in [0, 1].

    ``patronage_j * s+_ji * C_j / (C_i + C_j) * E_i``: a willing, friendly and
    relatively strong partner helps a state in distress.
    """
    friendly = np.maximum(0.0, stance_ji)
    return patronage_j * friendly * (capability_j / (capability_i + capability_j)) * distress_i


@compiled
def bite(sanctions: Num, stance: Num, hostility: Num) -> Num:
    """Sanctions in force, i's on j: ``S_ij min(1, max(0, -s_ij) / h)``.

    Sanctions are an instrument of hostility: they bite fully while the
    sanctioner's stance is at or below ``-h`` and are relaxed as it warms
    (US trade controls on China were eased from 1969 as relations thawed).
    """
    return sanctions * np.minimum(1.0, np.maximum(0.0, -stance) / hostility)


@compiled
def log_growth(
    growth: Num, distress: Num, sanctions_on_me: Num, distress_drag: Num, sanction_drag: Num
) -> Num:
    """Expected log growth per year of capability.

    ``g - distress_drag E - sanction_drag sum_k S_ki D0_ik`` where
    ``sanctions_on_me`` already holds ``sum_k S_ki D0_ik``.
    """
    return growth - distress_drag * distress - sanction_drag * sanctions_on_me


def support(
    stance: np.ndarray, capability: np.ndarray, patronage: np.ndarray, distress: np.ndarray
) -> np.ndarray:
    """:func:`help_given` of every pair, ``[w, i, j]`` = j's help to i, ``(worlds, n, n)``."""
    return help_given(
        patronage[:, None, :],
        np.swapaxes(stance, 1, 2),
        capability[:, :, None],
        capability[:, None, :],
        distress[:, :, None],
    )


def sanction_bite(sanctions: np.ndarray, stance: np.ndarray, hostility: np.ndarray) -> np.ndarray:
    """:func:`bite` of every pair, ``[w, i, j]`` = i's on j; ``hostility`` is ``(worlds, 1)``."""
    return bite(sanctions, stance, hostility[:, :, None])
