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


def support(
    stance: np.ndarray, capability: np.ndarray, patronage: np.ndarray, distress: np.ndarray
) -> np.ndarray:
    """Help that j gives i in distress, ``[w, i, j]``, in [0, 1].

    ``patronage_j * s+_ji * C_j / (C_i + C_j) * E_i``: a willing, friendly and
    relatively strong partner helps a state in distress.
    """
    c_i = capability[:, :, None]
    c_j = capability[:, None, :]
    friendly = np.maximum(0.0, np.swapaxes(stance, 1, 2))
    return patronage[:, None, :] * friendly * (c_j / (c_i + c_j)) * distress[:, :, None]


def sanction_bite(sanctions: np.ndarray, stance: np.ndarray, hostility: np.ndarray) -> np.ndarray:
    """Sanctions in force, ``[w, i, j]`` = i's on j: ``S_ij min(1, max(0, -s_ij) / h)``.

    Sanctions are an instrument of hostility: they bite fully while the
    sanctioner's stance is at or below ``-h`` and are relaxed as it warms
    (US trade controls on China were eased from 1969 as relations thawed).
    ``hostility`` is ``(worlds, 1)``.
    """
    return sanctions * np.minimum(1.0, np.maximum(0.0, -stance) / hostility[:, :, None])


def log_growth(
    growth: np.ndarray,
    distress: np.ndarray,
    sanctions_on_me: np.ndarray,
    distress_drag: np.ndarray,
    sanction_drag: np.ndarray,
) -> np.ndarray:
    """Expected log growth per year of capability, ``(worlds, n)``.

    ``g - distress_drag E - sanction_drag sum_k S_ki D0_ik`` where
    ``sanctions_on_me`` already holds ``sum_k S_ki D0_ik``.
    """
    return growth - distress_drag * distress - sanction_drag * sanctions_on_me
