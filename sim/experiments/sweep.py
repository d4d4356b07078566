"""The sweep experiment: a sweep's design run in resumable chunks, then analysed (``wedge sweep``).

The work folder is the sweep's working state: :func:`sim.engine.sweep.run_sweep`
streams each finished chunk there (``chunks/``, ``sweep.json``,
``design.parquet``), so an interrupted sweep resumes where it stopped. The
analysis reads the chunks and returns tables; :func:`sim.io.write` then
writes the results folder whole, carrying the chunks over (:data:`CARRY`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from sim.engine.design import build_design
from sim.engine.executors import executor_for
from sim.engine.sweep import Plan, run_sweep
from sim.experiments.base import SILENT, Progress, Result, Table
from sim.experiments.discovery import prim_module
from sim.experiments.sweep_analysis import SweepAnalysis, analyse

CARRY: tuple[str, ...] = ("chunks", "sweep.json", "design.parquet")
"""Entries of a sweep's folder that are its working state, kept when the folder is rewritten."""


@dataclass(frozen=True)
class SweepExperiment:
    """Run every chunk of a sweep not yet in its folder, and analyse them all.

    Parameters
    ----------
    plan
        The validated sweep (:func:`sim.engine.sweep.load_sweep`).
    folder
        The sweep's folder: its chunks are streamed there as they finish.
    resume
        Keep the finished chunks of an interrupted run of the same sweep.
    workers
        Local worker processes (or Dask workers with ``scheduler``) when ``run``
        gets no executor; the chunks in flight at once are twice the workers.
    scheduler
        A Dask scheduler address, or ``local`` for a LocalCluster of ``workers``,
        when ``run`` gets no executor.

    Without an executor, the experiment starts its processes or cluster for the
    chunks and stops them before the analysis, which runs in this process.
    """

    kind: ClassVar[str] = "sweep"
    plan: Plan
    folder: Path
    resume: bool = False
    workers: int = 1
    scheduler: str | None = None

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Run the chunks (numbers independent of ``executor``), analyse them, return the result.

        ``seed`` replaces the sweep file's root seed when it differs (and with
        it the sampled design). A ``KeyboardInterrupt`` leaves the finished
        chunks in the folder for ``resume``.
        """
        plan = with_seed(self.plan, seed)
        # The analysis's libraries take seconds to import (ema_workbench's PRIM most):
        # import them while the worlds run, not after.
        importing = threading.Thread(target=import_analysis_libraries, daemon=True)
        importing.start()
        progress.start(plan.runs_per_scenario * len(plan.inputs), "runs", plan.sweep.name)
        with contextlib.ExitStack() as stack:
            workers = self.workers
            if executor is None:
                executor, workers = stack.enter_context(executor_for(self.workers, self.scheduler))
            record = run_sweep(
                plan,
                self.folder,
                executor=executor,
                workers=workers,
                resume=self.resume,
                progress=progress.advance,
            )
        progress.start(1, "analysis", f"analysing {plan.sweep.name}")
        importing.join()  # one thread at a time touches the warning filters
        return sweep_result(plan, analyse(plan, self.folder, record), record)


def import_analysis_libraries() -> None:
    """Import what the analysis of a sweep needs (a failure is left for the analysis to report)."""
    import importlib

    with contextlib.suppress(Exception):
        prim_module()
    for name in ("SALib.analyze.sobol", "matplotlib.pyplot"):
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def with_seed(plan: Plan, seed: int) -> Plan:
    """The plan with another root seed, its design drawn anew (the same plan for its own seed)."""
    if seed == plan.sweep.seed:
        return plan
    sweep = plan.sweep.model_copy(update={"seed": seed})
    return Plan(sweep, plan.path, plan.inputs, build_design(sweep))


def sweep_result(plan: Plan, analysis: SweepAnalysis, record: dict) -> Result:
    """A sweep's analysis as its :class:`Result`.

    Files: ``points.parquet`` and ``.csv`` (per scenario and design point),
    ``time_to_split.csv``, ``sensitivity_<outcome>.csv``, ``discovery.json``
    and ``summary.json``; the figures and ``report.md`` come from
    :mod:`sim.views.sweep`.
    """
    tables = {}
    if len(analysis.points):
        tables["points"] = Table(analysis.points, ("parquet", "csv"))
    if analysis.curves is not None:
        tables["time_to_split"] = Table(analysis.curves, ("csv",))
    for outcome, table in analysis.sensitivity.items():
        tables[f"sensitivity_{outcome}"] = Table(table, ("csv",))
    texts = {}
    if analysis.discovery is not None:
        # Open sides of a box are infinite: JSON's Infinity, as pandas and Python read it.
        texts["discovery.json"] = json.dumps(analysis.discovery, indent=2) + "\n"
    inputs = {"sweep": plan.path}
    for name, inp in plan.inputs.items():
        inputs[f"scenario_{name}"] = str(inp.path)
        inputs[f"calibration_{name}"] = str(inp.calibration.path)
    sw = plan.sweep
    return Result(
        kind="sweep",
        name=sw.name,
        carry=CARRY,
        summary=analysis.summary,
        tables=tables,
        texts=texts,
        inputs=inputs,
        manifest={
            "identity": plan.identity(),
            "design": sw.design,
            "points": len(plan.design),
            "replicates": sw.replicates,
            "chunk_size": sw.chunk_size,
            "scenarios": list(plan.inputs),
            "swept_parameters": plan.design.names,
            "chunks": {
                "run": record["done"],
                "kept": record["skipped"],
                "failed": len(record["failed"]),
            },
        },
        seed=sw.seed,
        runs=int(analysis.summary.get("runs", 0)),
        payload=SweepPayload(plan, analysis),
    )


@dataclass(frozen=True)
class SweepPayload:
    """What the sweep's view reads beside the summary: the plan and the analysis tables."""

    plan: Plan
    analysis: SweepAnalysis
