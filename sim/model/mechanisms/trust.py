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
    """d(trust)/dt per year, shape ``(worlds, n, n)``.

    ``build r+ (1 - L) - (erosion r- + betrayal A + humiliation H) L
    + fade (neutral - L)`` with ``H_ij = max(0, D_ij - D_ji) R_ij``:
    dependence on a doctrinal rival; ``fade`` returns trust toward the
    neutral level (``trust_reset``) as memories fade.
    """
    up = build[:, :, None] * np.maximum(0.0, relation) * (1.0 - trust)
    junior = np.maximum(0.0, dependence - np.swapaxes(dependence, 1, 2)) * rivalry
    down = (
        erosion[:, :, None] * np.maximum(0.0, -relation)
        + betrayal[:, :, None] * abandonment
        + humiliation[:, :, None] * junior
    ) * trust
    return up - down + fade[:, :, None] * (neutral[:, :, None] - trust)


def reset(
    trust: np.ndarray, changed: np.ndarray, level: np.ndarray, carryover: np.ndarray
) -> np.ndarray:
    """Trust after leader changes, for actors flagged in ``changed`` ``(worlds, n)``.

    Both directions of every pair touching a new leader move to
    ``level + carryover (trust - level)``.
    """
    touched = changed[:, :, None] | changed[:, None, :]
    lvl = level[:, :, None]
    reset_ = lvl + carryover[:, :, None] * (trust - lvl)
    return np.where(touched, reset_, trust)
