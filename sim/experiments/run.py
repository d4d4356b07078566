"""The run experiment: one scenario's ensemble of worlds (``wedge run``).

Runs ``runs`` worlds of a scenario with a root seed and returns the
:class:`~sim.experiments.base.Result` that ``wedge run`` writes: the per-world
table, the tidy per-step tables, the summary and the scenario as resolved.
"""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from typing import ClassVar

import tomli_w

from sim.defaults import DEFAULT_RUNS
from sim.engine.ensemble import EnsembleResult, Inputs, parameter_columns, run_ensemble
from sim.experiments.base import SILENT, Progress, Result, Table, input_files


@dataclass(frozen=True)
class RunScenario:
    """Run ``runs`` worlds of one scenario.

    Parameters
    ----------
    inputs
        The scenario and its calibration (:func:`sim.engine.ensemble.load_inputs`).
    runs
        Worlds (Monte Carlo runs).
    """

    kind: ClassVar[str] = "run"
    inputs: Inputs
    runs: int = DEFAULT_RUNS

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Simulate the worlds and return the run's result (numbers independent of ``executor``)."""
        sc = self.inputs.scenario
        progress.start(self.runs * sc.time.steps, "world-steps", sc.name)
        ensemble = run_ensemble(
            self.inputs, runs=self.runs, seed=seed, executor=executor, progress=progress.advance
        )
        return ensemble_result(ensemble)


def ensemble_result(ensemble: EnsembleResult, kind: str = "run") -> Result:
    """An ensemble as a run's :class:`Result`: its tables, summary and resolved scenario.

    Files: ``runs.parquet`` (one row per world), ``trajectories.parquet`` and
    ``.csv``, ``configurations.parquet``, ``roles.parquet``, ``events.csv``,
    ``summary.json`` and ``scenario.resolved.toml``.
    """
    inputs = ensemble.inputs
    posterior = inputs.calibration.posterior
    return Result(
        kind=kind,
        name=ensemble.scenario.name,
        summary=ensemble.summary(),
        tables={
            "runs": Table(ensemble.runs),
            "trajectories": Table(ensemble.trajectories(), ("parquet", "csv")),
            "configurations": Table(ensemble.configurations()),
            "roles": Table(ensemble.role_shares()),
            "events": Table(ensemble.events(), ("csv",)),
        },
        texts={"scenario.resolved.toml": resolved_toml(ensemble)},
        inputs=input_files(scenario=inputs.path, calibration=inputs.calibration.path),
        manifest={
            "scenario": ensemble.scenario.name,
            "calibration_posterior_sets": None if posterior is None else len(posterior),
            "uncertain_parameters": parameter_columns(ensemble.runs.columns),
        },
        seed=ensemble.seed,
        runs=ensemble.n,
        payload=ensemble,
    )


def _drop_none(value: object) -> object:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value


def resolved_toml(ensemble: EnsembleResult) -> str:
    """The scenario with every default filled in, and the behaviour values it ran with."""
    data = _drop_none(ensemble.scenario.model_dump(mode="json"))
    assert isinstance(data, dict)  # noqa: S101  (a model dumps to a table)
    data["calibration_values"] = ensemble.inputs.calibration.values() | ensemble.scenario.behaviour
    header = (
        "# The scenario as run: every default filled in. `calibration_values` are the\n"
        "# point values of the behaviour parameters; uncertain ones were sampled per run\n"
        "# (see runs.parquet). Not meant to be edited: edit the source scenario.\n"
    )
    return header + tomli_w.dumps(data)
