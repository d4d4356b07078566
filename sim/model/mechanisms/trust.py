"""Leaders' personal trust: built by cooperation, broken by humiliation and betrayal.

Trust is i's leader's trust in j's leader, on [0, 1] with 0.5 neutral. It
grows with summits and cooperation (a positive relation), erodes with
hostility, with betrayal (a partner courting one's own threat; an aid
cut-off) and with the humiliation of a dependent junior in a doctrinal
rivalry (Mao in Moscow 1949-50: Lüthi 2008; Bekkevold 2024). A new leader
starts near a neutral record (``trust_reset``), inheriting only part of it.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import Num, compiled


@compiled
def rate(
    trust: Num,
    relation: Num,
    abandonment: Num,
    dependence_ij: Num,
    dependence_ji: Num,
    rivalry: Num,
    build: Num,
    erosion: Num,
    betrayal: Num,
    humiliation: Num,
    fade: Num,
    neutral: Num,
) -> Num:
    """d(trust)/dt per year of i's leader in j's.

    ``build r+ (1 - L) - (erosion r- + betrayal A + humiliation H) L
    + fade (neutral - L)`` with ``H_ij = max(0, D_ij - D_ji) R_ij``:
    dependence on a doctrinal rival; ``fade`` returns trust toward the
    neutral level (``trust_reset``) as memories fade.
    """
    up = build * np.maximum(0.0, relation) * (1.0 - trust)
    junior = np.maximum(0.0, dependence_ij - dependence_ji) * rivalry
    down = (
        erosion * np.maximum(0.0, -relation) + betrayal * abandonment + humiliation * junior
    ) * trust
    return up - down + fade * (neutral - trust)


@compiled
def after_new_leader(trust: Num, level: Num, carryover: Num) -> Num:
    """Trust in a pair with a new leader: ``level + carryover (trust - level)``."""
    return level + carryover * (trust - level)


def change(
    trust: np.ndarray,
    relation: np.ndarray,
    abandonment: np.ndarray,
    dependence: np.ndarray,
    rivalry: np.ndarray,
    build: np.ndarray,
    erosion: np.ndarray,
    betrayal: np.ndarray,
    humiliation: np.ndarray,
    fade: np.ndarray,
    neutral: np.ndarray,
) -> np.ndarray:
    """:func:`rate` of every pair ``(worlds, n, n)``; the parameters are ``(worlds, 1)``."""
    return rate(
        trust, relation, abandonment, dependence, np.swapaxes(dependence, 1, 2), rivalry,
        build[:, :, None], erosion[:, :, None], betrayal[:, :, None],
        humiliation[:, :, None], fade[:, :, None], neutral[:, :, None],
    )  # fmt: skip


def reset(
    trust: np.ndarray, changed: np.ndarray, level: np.ndarray, carryover: np.ndarray
) -> np.ndarray:
    """Trust after leader changes, for actors flagged in ``changed`` ``(worlds, n)``.

    Both directions of every pair touching a new leader move as in
    :func:`after_new_leader`; ``level`` and ``carryover`` are ``(worlds, 1)``.
    """
    touched = changed[:, :, None] | changed[:, None, :]
    moved = after_new_leader(trust, level[:, :, None], carryover[:, :, None])
    return np.where(touched, moved, trust)
