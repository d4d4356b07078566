"""wedge: could the United States split China and Russia.

The public surface: load a scenario, run an ensemble, write and plot its results.
"""

from sim.ensemble import DEFAULT_SEED, EnsembleResult, Inputs, load_inputs, run_ensemble
from sim.scenario.errors import InputError

__all__ = ["DEFAULT_SEED", "EnsembleResult", "InputError", "Inputs", "load_inputs", "run_ensemble"]
