"""Small helpers shared by the mechanisms, and the one way they are compiled.

Every mechanism is written once, as compiled arithmetic (:data:`compiled`):
elementwise equations run unchanged on numbers (inside the step kernel,
:mod:`sim.model.kernel`) and on arrays (numpy broadcasting, as the
hand-worked tests call them); equations that sum over third states take one
world's rows and matrices.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numba
import numpy as np
from numba import njit

Num = float | np.ndarray
"""A number or an array: elementwise equations accept either."""

MODEL_SOURCES = Path(__file__).resolve().parents[1]
"""``sim/model``: every file whose text the compiled step depends on."""


def cache_dir() -> Path:
    """Where the machine code of this version of the model is kept.

    numba checks a cached function against its own file only, so a change to
    a mechanism would leave the kernel that inlines it stale. The folder is
    named after a digest of every source file of ``sim/model``: any edit
    starts a fresh cache. It lies under ``$NUMBA_CACHE_DIR`` if set, else
    ``$XDG_CACHE_HOME/wedge`` (``~/.cache/wedge``), or in the temporary folder
    when that cannot be written.
    """
    digest = hashlib.sha256()
    for path in sorted(MODEL_SOURCES.rglob("*.py")):
        digest.update(path.relative_to(MODEL_SOURCES).as_posix().encode())
        digest.update(path.read_bytes())
    root = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "wedge"
    )
    folder = Path(root) / f"model-{digest.hexdigest()[:16]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError:
        writable = False
    if not writable:  # a read-only home: keep the code for this machine's session instead
        folder = Path(tempfile.gettempdir()) / f"wedge-{os.getuid()}" / folder.name
        folder.mkdir(parents=True, exist_ok=True)
    return folder


CACHE = cache_dir()
numba.config.CACHE_DIR = str(CACHE)  # read when each compiled function below is defined

compiled = njit(
    cache=True, nogil=True, inline="always", fastmath={"contract", "reassoc", "nsz", "arcp"}
)
"""The compiler every mechanism uses: numba ``@njit``, cached on disk per machine.

``cache=True`` keeps the machine code in :data:`CACHE`, so only the first run
on a machine (or after an edit of the model) pays the compilation.
``inline="always"`` lets the kernel fold each equation into its loop, so a
world's numbers stay in registers; ``nogil`` lets threads share a process if
a caller chooses to.
"""

whole = njit(cache=True, nogil=True, fastmath={"contract", "reassoc", "nsz", "arcp"})
""":data:`compiled` without the inlining: for the step's driver, which is called
as a whole (from Python, or once per thread from :mod:`sim.model.threads`)."""


@compiled
def kept(rate: Num, dt: float) -> Num:
    """Share of a gap left after ``dt`` years of closing at ``rate`` per year: ``exp(-rate dt)``."""
    return np.exp(-rate * dt)


@compiled
def approach(current: Num, target: Num, keep: Num) -> Num:
    """``current`` moved toward ``target``, keeping the share ``keep`` of the gap (:func:`kept`)."""
    return target + (current - target) * keep


@compiled
def relax(current: Num, target: Num, rate: Num, dt: float) -> Num:
    """Move ``current`` toward ``target`` at ``rate`` per year over ``dt`` years.

    Exact solution of dx/dt = rate (target - x) with the target held fixed,
    so it is stable for any step: with rate 1/year and dt = 0.25, 22% of the
    gap closes. The step kernel computes :func:`kept` once per world and
    calls :func:`approach` for each pair: the same numbers.
    """
    return approach(current, target, kept(rate, dt))


@compiled
def occurs(hazard: Num, dt: float, u: Num) -> Num:
    """Whether an event with ``hazard`` per year happens in ``dt`` years, given uniforms ``u``."""
    return u < -np.expm1(-hazard * dt)


@compiled
def happens(hazard: float, dt: float, u: float) -> bool:
    """:func:`occurs` for one draw, without the exponential for most draws.

    The chance ``1 - exp(-h dt)`` never exceeds ``h dt``, so a draw at or
    above ``h dt`` settles the answer (no event) before the exponential is
    needed; the answer is the same as :func:`occurs`.
    """
    return u < hazard * dt and occurs(hazard, dt, u)


@compiled
def clip(x: Num, low: float, high: float) -> Num:
    """``x`` held to ``[low, high]``, for numbers and arrays alike (``np.clip``)."""
    return np.minimum(np.maximum(x, low), high)


@compiled
def relation_into(stance: np.ndarray, out: np.ndarray) -> None:
    """One world's relations ``r_ij = min(s_ij, s_ji)`` written into ``out`` ``(n, n)``."""
    n = stance.shape[0]
    for i in range(n):
        for j in range(n):
            out[i, j] = min(stance[i, j], stance[j, i])


@compiled
def relation(stance: np.ndarray) -> np.ndarray:
    """Relation from stances: ``r_ij = min(s_ij, s_ji)``.

    Cooperation needs both sides, hostility can be one-sided (BRIEF
    section 3): the pair is as friendly as its less friendly member.
    Shape ``(worlds, n, n)``, symmetric, zero diagonal.
    """
    out = np.empty_like(stance)
    for w in range(stance.shape[0]):
        relation_into(stance[w], out[w])
    return out
