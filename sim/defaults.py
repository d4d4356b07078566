"""Defaults every command shares, in a module that imports nothing.

The command line reads these to print its help, so they live apart from the
modules that need numpy, pandas or Mesa: ``wedge --help`` stays fast.
"""

from __future__ import annotations

DEFAULT_SEED = 20241008
"""Root seed of every command (the date of the first seed article, 8 Oct 2024)."""

DEFAULT_RUNS = 1000
"""Monte Carlo runs (worlds) of a scenario, a validation episode or a five-factor case."""
