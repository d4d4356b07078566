"""The compiled step's machine code on this machine: is it there, and the one notice if not.

numba keeps the code in :data:`sim.model.mechanisms.common.CACHE`; the first
run on a machine (or after the model's code changed) compiles it, which
takes 15-30 seconds, and says so once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sim.model.mechanisms.common import CACHE

_announced = False


def compiled_here() -> bool:
    """Whether the step needs no compiling: loaded in this process or cached on disk."""
    from sim.model.kernel import advance

    return bool(advance.signatures) or any(CACHE.rglob("kernel.advance-*.nbi"))


def announce_compilation(write: Callable[[str], object] = sys.stderr.write) -> None:
    """Say, once per process, that the step is being compiled for this machine.

    Only when no machine code is loaded or cached (:func:`compiled_here`): the
    first run on a machine, or the first after the model's code changed.
    """
    global _announced
    if _announced or compiled_here():
        return
    _announced = True
    write("wedge: compiling the model's step for this machine, once (15-30 seconds)...\n")
