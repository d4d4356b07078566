"""Asymmetric dependence: gain and vulnerability, and trade diversion.

Dependence of i on j (energy, technology, markets, finance, aid) is a gain
when j is trusted and a vulnerability when j is feared (Keohane and Nye
1977; Farrell and Newman 2019). Realised dependence follows the relation
("trade follows the flag"), and sanctions by a third state divert trade to
the remaining partners, deepening i's dependence on them (Trofimov 2019).
"""

from __future__ import annotations

import numpy as np


def target(
    base: np.ndarray,
    relation: np.ndarray,
    sanctions: np.ndarray,
    elasticity: np.ndarray,
    diversion: np.ndarray,
) -> np.ndarray:
    """Dependence i would settle at, in [0, 1], shape ``(worlds, n, n)``.

    Parameters
    ----------
    base
        Structural dependence of i on j (scenario, shocks, cut-offs, aid).
    relation
        Current relations ``r_ij``.
    sanctions
        ``sanctions[w, k, i]``: k's sanctions on i.
    elasticity
        ``(worlds, 1)``: share of dependence lost when the relation goes from
        allied (+1) to hostile (-1).
    diversion
        ``(worlds, 1)``: share of what sanctions cut that moves to the others.

    Returns
    -------
    ``base_ij (1 - e (1 - r_ij) / 2) (1 - S_ji)`` plus the diverted trade:
    what each sanctioner k cuts, ``diversion * S_ki base_ik``, shared among
    i's partners other than k in proportion to their open base dependence
    ``O_ij = base_ij (1 - S_ji)``. Trade cut by k never flows back to k.
    """
    e = elasticity[:, :, None]
    against = np.swapaxes(sanctions, 1, 2)  # [w, i, j] = j's sanctions on i
    kept = base * (1.0 - e * (1.0 - relation) / 2.0) * (1.0 - against)
    lost = against * base  # [w, i, k]: what i loses to sanctioner k
    open_share = base * (1.0 - against)  # [w, i, j]
    others = open_share.sum(axis=2, keepdims=True) - open_share  # [w, i, k]: open share outside k
    per_unit = np.where(others > 1e-12, lost / np.maximum(others, 1e-12), 0.0)  # [w, i, k]
    # sum over k != j of lost_ik * O_ij / others_ik = O_ij (sum_k per_unit_ik - per_unit_ij)
    diverted = open_share * (per_unit.sum(axis=2, keepdims=True) - per_unit)
    return np.clip(kept + diversion[:, :, None] * diverted, 0.0, 1.0)


def value(
    dependence: np.ndarray,
    trust: np.ndarray,
    threat: np.ndarray,
    w_gain: np.ndarray,
    w_risk: np.ndarray,
) -> np.ndarray:
    """Pull of dependence on i's stance toward each j, on i's row ``(worlds, n)``.

    ``D_ij (w_gain L_ij - w_risk T_ij)``: depending on a trusted partner is a
    gain, on a feared one a vulnerability. Weights are ``(worlds, 1)``.
    """
    return dependence * (w_gain * trust - w_risk * threat)
