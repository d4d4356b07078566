"""WedgeModel as a plain one-world Mesa model, for ``mesa.batch_run``.

``mesa.batch_run`` builds ``model_cls(**params)`` once per run and steps it
until ``running`` is false or ``max_steps``. :class:`OneWorld` is that usual
Mesa model: a :class:`~sim.model.model.WedgeModel` with ``worlds=1``, the same
observer as the ensemble engine, and a ``DataCollector`` that records the
outcomes once, at the end of the run.

batch_run (Mesa 3.5) passes its ``rng`` values to a ``seed`` keyword when the
model has one. The benchmark gives every run the same root ``seed`` and a
different ``world`` (the global world index), so batch-run run ``k`` is, draw
for draw, world ``k`` of ``run_chunk(inputs, seed, 0, n)``: the two ways of
running give identical worlds and only the speed differs.

Benchmark-only shortcut: inputs are parsed once per path and cached in a
module-level dict, so the measured time is model construction and stepping,
not TOML parsing and validation.
"""

from __future__ import annotations

import math

import mesa

from sim.defaults import DEFAULT_SEED
from sim.engine.ensemble import Inputs, load_inputs
from sim.model.model import WedgeModel
from sim.outcomes import Observer

_INPUTS: dict[str, Inputs] = {}


def cached_inputs(path: str) -> Inputs:
    """Load a scenario once per process (benchmark only)."""
    inputs = _INPUTS.get(path)
    if inputs is None:
        inputs = _INPUTS[path] = load_inputs(path)
    return inputs


def _year_or_nan(value: float) -> float:
    return float(value) if math.isfinite(value) else math.nan


class OneWorld(WedgeModel):
    """One world of a scenario, run the usual Mesa way.

    Parameters
    ----------
    scenario_path
        Scenario TOML file.
    world
        Global index of the world (its random streams), default 0.
    seed
        Root seed of the run (``batch_run`` fills it from its ``rng`` argument).
    """

    def __init__(self, scenario_path: str, world: int = 0, seed: int | None = None) -> None:
        inputs = cached_inputs(str(scenario_path))
        observer = Observer(inputs.scenario.outcomes)
        super().__init__(
            inputs.scenario,
            inputs.calibration,
            worlds=1,
            seed=DEFAULT_SEED if seed is None else int(seed),
            world_offset=int(world),
            observer=observer,
        )
        self.obs = observer
        a, b = (self.codes.index(c) for c in inputs.scenario.watch.partnership)
        self._ab = (a, b)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "r_partnership": lambda m: float(m.relation[0, m._ab[0], m._ab[1]]),
                "rupture_year": lambda m: _year_or_nan(m.obs.rupture_year[0]),
                "split_year": lambda m: _year_or_nan(m.obs.split_year[0]),
            }
        )

    def step(self) -> None:
        """One step of the world; collect the outcomes when the run ends."""
        super().step()
        if not self.running:
            self.datacollector.collect(self)
