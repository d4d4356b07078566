"""Which behaviour parameters move the distance to history: Sobol indices over the prior.

The evidence a parsimonious model is chosen on. Every behaviour parameter of
the calibration (or those named) is drawn over its prior by Saltelli's design
(the sweep engine's ``sobol`` design, :func:`sim.engine.design.build_design`,
with a dummy parameter that does nothing), each set runs the same ``R`` worlds
of each history episode's hindcast (common random numbers,
:func:`sim.experiments.sets.score_sets`), and the distance of each set to each
episode (root sum of squared target misses, as ``wedge calibrate`` ranks sets)
is decomposed by Sobol's first-order (S1) and total (ST) indices (SALib; Saltelli
et al. 2010), as a sweep decomposes P(split).

Read ST: the share of the distance's variance over the prior that a parameter
accounts for, alone and through its interactions. A parameter whose ST is near 0
on every episode is one history does not inform: a fit cannot learn it, and it
should be fixed at a stated judgement. Because the worlds are common to all
sets, a parameter that does nothing has indices of exactly 0 (the dummy shows
it), and the indices' confidence intervals are those of the design's size alone.

Two priors: ``bounds`` (each parameter uniform over its admissible range, the
widest question: does it matter anywhere?) and ``calibration`` (the calibration
file's ``low``-``high`` ranges: does it matter near the current fit?).
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd

from sim.engine.design import DUMMY, build_design
from sim.engine.sweep import Plan
from sim.experiments.base import SILENT, Progress, Result, Table, input_files, json_ready
from sim.experiments.sets import score_sets
from sim.experiments.sweep_analysis import sensitivity
from sim.experiments.validate import Hindcast, snapshot_years
from sim.scenario.calibration import PARAMETERS
from sim.scenario.schema import Distribution
from sim.scenario.sweep import Analysis, Sweep

JOINT = "joint"
"""The outcome that adds the episodes: root sum of their squared distances."""

INFORMED = 0.05
"""A total index at least this large on some outcome: history informs the parameter."""

FREE = 0.01
"""A total index below this on every outcome: history leaves the parameter free."""

Prior = Literal["bounds", "calibration"]


def prior_bounds(hindcast: Hindcast, names: Sequence[str], prior: Prior) -> dict[str, tuple]:
    """Each parameter's prior range: its admissible bounds, or the calibration's low-high."""
    ranges = hindcast.inputs.calibration.ranges()
    out = {}
    for name in names:
        spec = PARAMETERS[name]
        lo, hi = (spec.lower, spec.upper) if prior == "bounds" else ranges[name]
        out[name] = (float(lo), float(hi))
    return out


def design_plan(bounds: dict[str, tuple[float, float]], points: int, seed: int) -> Plan:
    """A ``sobol`` sweep over ``bounds`` with a dummy parameter: the sweep engine's design."""
    sweep = Sweep(
        name="history_sensitivity",
        scenarios=["history"],
        seed=seed,
        design="sobol",
        points=points,
        replicates=1,
        uncertain=[
            Distribution(parameter=n, dist="uniform", low=lo, high=hi)
            for n, (lo, hi) in bounds.items()
        ],
        analysis=Analysis(noise_floor=True),
    )
    return Plan(sweep, "", {}, build_design(sweep))


@dataclass
class Sensitivity:
    """Every set's distances and the indices, for the view."""

    names: list[str]
    bounds: dict[str, tuple[float, float]]
    sets: pd.DataFrame  # one row per set: parameter values, distance per episode and joint
    indices: pd.DataFrame  # outcome, parameter, S1, S1_conf, ST, ST_conf
    episodes: list[str]
    points: int
    replicates: int
    prior: str
    seed: int

    def verdicts(self) -> pd.DataFrame:
        """Per parameter: its largest ST over the outcomes, and informed / free / between."""
        wide = self.indices.pivot(index="parameter", columns="outcome", values="ST")
        top = wide.max(axis=1)
        verdict = np.where(top >= INFORMED, "informed", np.where(top < FREE, "free", "weak"))
        out = wide.assign(max_ST=top, verdict=verdict).sort_values("max_ST", ascending=False)
        return out.reset_index()


@dataclass(frozen=True)
class HistorySensitivity:
    """The experiment of the module docstring.

    Parameters
    ----------
    hindcasts
        The episodes and their hindcast scenarios (:func:`sim.experiments.validate.hindcasts`).
    points
        Saltelli base sample ``N`` (a power of 2): ``N (D + 3)`` sets for ``D``
        parameters and the dummy.
    replicates
        Worlds per set and episode (the same worlds for every set).
    prior
        ``bounds`` or ``calibration`` (module docstring).
    parameters
        The parameters varied (default: every parameter of the calibration).
    """

    kind: ClassVar[str] = "sensitivity"
    hindcasts: tuple[Hindcast, ...]
    points: int = 64
    replicates: int = 40
    prior: Prior = "bounds"
    parameters: tuple[str, ...] | None = None

    def names(self) -> list[str]:
        """The parameters varied, in the calibration's order.

        With the ``calibration`` prior, only those the file gives a range
        (``low``, ``high``); a parameter without one has no prior to draw from.
        """
        cal = self.hindcasts[0].inputs.calibration
        known = list(cal.parameters) if self.prior == "bounds" else list(cal.ranges())
        return [n for n in known if self.parameters is None or n in self.parameters]

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Score every set of the design on every episode; decompose the distances."""
        names = self.names()
        bounds = prior_bounds(self.hindcasts[0], names, self.prior)
        plan = design_plan(bounds, self.points, seed)
        values = plan.design.values  # one column per parameter; the dummy has none
        sets = pd.DataFrame(values, columns=names)
        progress.start(len(values) * len(self.hindcasts), "sets", "history sensitivity")
        squares = np.zeros(len(values))
        for h in self.hindcasts:
            years = snapshot_years(h.inputs, h.episode)
            scored = score_sets(
                h.inputs, h.episode, values, names, self.replicates, seed, years,
                common=True, executor=executor, progress=progress.advance,
            )  # fmt: skip
            dist = scored.sort_values("set")["distance"].to_numpy()
            sets[f"distance_{h.episode.name}"] = dist
            squares += dist**2
        sets[f"distance_{JOINT}"] = np.sqrt(squares)
        outcomes = [*(h.episode.name for h in self.hindcasts), JOINT]
        frames = []
        for outcome in outcomes:
            table = sensitivity(plan, sets[f"distance_{outcome}"].to_numpy(), seed=seed)
            frames.append(table.assign(outcome=outcome))
        indices = pd.concat(frames, ignore_index=True)
        found = Sensitivity(
            names, bounds, sets, indices, outcomes[:-1], self.points, self.replicates,
            self.prior, seed,
        )  # fmt: skip
        return sensitivity_result(found, self, seed)


def sensitivity_result(found: Sensitivity, experiment: HistorySensitivity, seed: int) -> Result:
    """The experiment's :class:`Result`: ``indices.csv``, ``sets.parquet``, ``summary.json``."""
    verdicts = found.verdicts()
    dummy = found.indices[found.indices["parameter"] == DUMMY]
    counts = verdicts[verdicts["parameter"] != DUMMY]["verdict"].value_counts()
    summary = {
        "episodes": found.episodes,
        "parameters": len(found.names),
        "sets": len(found.sets),
        "points": found.points,
        "replicates": found.replicates,
        "prior": found.prior,
        "seed": seed,
        "thresholds": {"informed": INFORMED, "free": FREE},
        "counts": {k: int(counts.get(k, 0)) for k in ("informed", "weak", "free")},
        "dummy_max_ST": float(dummy["ST"].abs().max()) if len(dummy) else None,
        "distance": {
            o: {
                "mean": float(found.sets[f"distance_{o}"].mean()),
                "sd": float(found.sets[f"distance_{o}"].std()),
                "met_all": float((found.sets[f"distance_{o}"] == 0).mean()),
            }
            for o in [*found.episodes, JOINT]
        },
        "ranking": verdicts.to_dict(orient="records"),
    }
    files = {f"episode_{k}": h.path for k, h in enumerate(experiment.hindcasts)}
    files |= {f"hindcast_{k}": h.inputs.path for k, h in enumerate(experiment.hindcasts)}
    files["calibration"] = experiment.hindcasts[0].inputs.calibration.path
    return Result(
        kind="sensitivity",
        name="sensitivity",
        summary=json_ready(summary),
        tables={
            "indices": Table(found.indices, ("csv",), "%.6g"),
            "sets": Table(found.sets, ("parquet",)),
        },
        inputs=input_files(**files),
        manifest={"prior": found.bounds},
        seed=seed,
        runs=len(found.sets) * found.replicates * len(found.episodes),
        payload=found,
    )
