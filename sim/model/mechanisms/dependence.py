"""Asymmetric dependence: gain and vulnerability, and trade diversion.

Dependence of i on j (energy, technology, markets, finance, aid) is a gain
when j is trusted and a vulnerability when j is feared (Keohane and Nye
1977; Farrell and Newman 2019). Realised dependence follows the relation
("trade follows the flag"), and sanctions by a third state divert trade to
the remaining partners, deepening i's dependence on them (Trofimov 2019).
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def settle_row(
    base: np.ndarray,
    relation: np.ndarray,
    sanctions: np.ndarray,
    i: int,
    elasticity: float,
    diversion: float,
    out: np.ndarray,
) -> None:
    """Dependence i would settle at on each j, in [0, 1], written into ``out`` ``(n,)``.

    One world: ``base``, ``relation`` and ``sanctions`` are ``(n, n)``, with
    ``sanctions[k, i]`` k's sanctions on i. The result is
    ``base_ij (1 - e (1 - r_ij) / 2) (1 - S_ji)`` plus the diverted trade:
    what each sanctioner k cuts, ``diversion * S_ki base_ik``, shared among
    i's partners other than k in proportion to their open base dependence
    ``O_ij = base_ij (1 - S_ji)``. Trade cut by k never flows back to k.
    ``e`` is the share of dependence lost when the relation goes from
    allied (+1) to hostile (-1); ``diversion`` the share of what sanctions
    cut that moves to the others.
    """
    n = base.shape[0]
    open_total = 0.0
    for k in range(n):
        open_total += base[i, k] * (1.0 - sanctions[k, i])
    # per unit of open dependence outside k, what i loses to sanctioner k
    per_unit_total = 0.0
    for k in range(n):
        per_unit_total += _per_unit(base[i, k], sanctions[k, i], open_total)
    for j in range(n):
        against = sanctions[j, i]
        open_share = base[i, j] * (1.0 - against)
        kept = base[i, j] * (1.0 - elasticity * (1.0 - relation[i, j]) / 2.0) * (1.0 - against)
        # sum over k != j of lost_ik O_ij / others_ik = O_ij (sum_k per_unit_ik - per_unit_ij)
        diverted = open_share * (per_unit_total - _per_unit(base[i, j], against, open_total))
        out[j] = min(max(kept + diversion * diverted, 0.0), 1.0)


@compiled
def _per_unit(base: float, against: float, open_total: float) -> float:
    """What i loses to one sanctioner per unit of its open dependence on the others."""
    others = open_total - base * (1.0 - against)
    return against * base / max(others, 1e-12) if others > 1e-12 else 0.0


@compiled
def target(
    base: np.ndarray,
    relation: np.ndarray,
    sanctions: np.ndarray,
    elasticity: np.ndarray,
    diversion: np.ndarray,
) -> np.ndarray:
    """:func:`settle_row` for every world and row, shape ``(worlds, n, n)``.

    ``sanctions[w, k, i]`` is k's sanctions on i; ``elasticity`` and
    ``diversion`` are ``(worlds, 1)``.
    """
    out = np.empty_like(base)
    for w in range(base.shape[0]):
        for i in range(base.shape[1]):
            settle_row(
                base[w], relation[w], sanctions[w], i, elasticity[w, 0], diversion[w, 0], out[w, i]
            )
    return out


@compiled
def value(dependence: Num, trust: Num, threat: Num, w_gain: Num, w_risk: Num) -> Num:
    """Pull of dependence on i's stance toward j: ``D_ij (w_gain L_ij - w_risk T_ij)``.

    Depending on a trusted partner is a gain, on a feared one a vulnerability.
    """
    return dependence * (w_gain * trust - w_risk * threat)
