"""wedge: could the United States split China and Russia.

The public surface: load a scenario, run an ensemble, write and plot its results.
Names load on first use (PEP 562), so that ``import sim`` and the ``wedge``
command's help stay fast; ``from sim import run_ensemble`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.defaults import DEFAULT_RUNS, DEFAULT_SEED
from sim.scenario.errors import InputError

if TYPE_CHECKING:
    from sim.engine.ensemble import EnsembleResult, Inputs, load_inputs, run_ensemble

_LAZY = {
    "EnsembleResult": "sim.engine.ensemble",
    "Inputs": "sim.engine.ensemble",
    "load_inputs": "sim.engine.ensemble",
    "run_ensemble": "sim.engine.ensemble",
}

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "EnsembleResult",
    "InputError",
    "Inputs",
    "load_inputs",
    "run_ensemble",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
