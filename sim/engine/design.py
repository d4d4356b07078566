"""Experimental designs over the swept parameters.

Every design is first a set of points in the unit cube, one column per
swept parameter, then mapped to values: a ``GridAxis`` with ``low``/``high``
uniformly, one with ``values`` by picking among them, a ``Distribution``
through its inverse CDF. Keeping the unit points lets the Sobol and Morris
analyses (SALib) work on the design they sampled.

- ``grid``: the Cartesian product of every axis's ``values``;
- ``lhs``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``, McKay et al. 1979);
- ``sobol``: Saltelli's scheme for first- and total-order indices
  (``SALib.sample.sobol``, Saltelli et al. 2010), ``points * (d + 2)`` rows;
- ``morris``: elementary-effects trajectories (``SALib.sample.morris``,
  Morris 1991; Campolongo et al. 2007), ``points * (d + 1)`` rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.scenario.sampling import from_unit
from sim.scenario.schema import Distribution
from sim.scenario.sweep import GridAxis, Sweep

DUMMY = "(dummy: noise floor)"
"""Name of the parameter a design may add that changes nothing (``analysis.noise_floor``)."""


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes
    ----------
    names
        Swept parameter paths, one per column.
    unit
        ``(points, d)`` coordinates in the unit cube (``nan`` for grid designs).
    values
        ``(points, d)`` parameter values.
    problem
        SALib problem over the unit cube (``num_vars``, ``names``, ``bounds``). With
        ``analysis.noise_floor`` it has one more variable than ``names``,
        :data:`DUMMY`, whose column is the last of ``unit`` and sets nothing.
    """

    names: list[str]
    unit: np.ndarray
    values: np.ndarray
    problem: dict

    def table(self) -> pd.DataFrame:
        """One row per design point: ``point`` and a column per parameter."""
        frame = pd.DataFrame(self.values, columns=self.names)
        frame.insert(0, "point", np.arange(len(frame)))
        return frame

    def __len__(self) -> int:
        return len(self.values)


def _map(axis: Distribution | GridAxis, u: np.ndarray) -> np.ndarray:
    if isinstance(axis, Distribution):
        return from_unit(axis, u)
    if axis.low is not None and axis.high is not None:
        return axis.low + u * (axis.high - axis.low)
    choices = np.asarray(axis.values, dtype=float)
    return choices[np.minimum((u * len(choices)).astype(int), len(choices) - 1)]


def build_design(sweep: Sweep) -> Design:
    """The design of a sweep, reproducible from its seed."""
    axes = sweep.axes()
    names = [a.parameter for a in axes]
    d = len(axes)
    dummy = sweep.analysis.noise_floor and sweep.design in ("sobol", "morris")
    sampled = [*names, DUMMY] if dummy else names
    problem = {"num_vars": len(sampled), "names": sampled, "bounds": [[0.0, 1.0]] * len(sampled)}
    # The design's own stream: separate from every world's streams.
    seed = int(np.random.SeedSequence(sweep.seed, spawn_key=(2**31 - 1,)).generate_state(1)[0])
    if sweep.design == "grid":
        grid = list(itertools.product(*[a.values for a in axes]))  # type: ignore[union-attr]
        values = np.asarray(grid, dtype=float)
        return Design(names, np.full_like(values, np.nan), values, problem)
    if sweep.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(sweep.points)
    elif sweep.design == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem, sweep.points, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        unit = morris.sample(problem, sweep.points, num_levels=sweep.morris_levels, seed=seed)
    unit = np.clip(unit, 1e-12, 1.0 - 1e-12)  # keep unbounded inverse CDFs finite
    values = np.column_stack([_map(a, unit[:, k]) for k, a in enumerate(axes)])
    return Design(names, unit, values, problem)
