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


def compiled_here(worlds: int = 1) -> bool:
    """Whether stepping ``worlds`` worlds here needs no compiling (loaded, or cached on disk).

    The step on several threads (:mod:`sim.model.threads`) is compiled apart,
    the first time a process steps enough worlds on more than one thread.
    """
    from sim.model.kernel import advance
    from sim.model.threads import advance_ranges, ranges, threads

    def ready(function: object, name: str) -> bool:
        return bool(function.signatures) or any(CACHE.rglob(f"{name}-*.nbi"))  # type: ignore[attr-defined]

    threaded = len(ranges(worlds, threads())) > 2
    serial = ready(advance, "kernel.advance")
    return serial and (not threaded or ready(advance_ranges, "threads.advance_ranges"))


def announce_compilation(
    worlds: int = 1, write: Callable[[str], object] = sys.stderr.write
) -> None:
    """Say, once per process, that the step is being compiled for this machine.

    Only when no machine code for stepping ``worlds`` worlds is loaded or
    cached (:func:`compiled_here`): the first run on a machine, or the first
    after the model's code changed.
    """
    global _announced
    if _announced or compiled_here(worlds):
        return
    _announced = True
    write("wedge: compiling the model's step for this machine, once (15-30 seconds)...\n")
