"""Run a sweep in chunks on any executor, streaming each chunk to disk, resumably.

The runs of a sweep are numbered ``w = point * replicates + replicate`` for
each base scenario and cut into chunks of ``chunk_size`` runs. Run ``w``
draws from the streams of world ``w`` (:mod:`sim.model.streams`), whichever
worker runs its chunk, so 1 worker, N processes and a Dask cluster give
bit-identical runs; and the same ``w`` in two base scenarios shares its
random numbers (common random numbers), so scenarios compare like for like.

Each finished chunk is written by the parent as
``chunks/<scenario>/chunk-NNNNNN.parquet`` (written to a temporary name,
then renamed), so a chunk file exists only when complete. ``resume`` skips
complete chunks, removes partial files and retries failed chunks. A chunk
that raises is recorded as ``chunk-NNNNNN.error.json`` (error, seed, runs)
and the sweep goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import io
import json
import math
import os
import re
import shutil
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.engine.design import Design, build_design
from sim.engine.ensemble import Inputs, load_inputs, parameter_columns, run_chunk, warm_up
from sim.engine.executors import SerialExecutor, local_executor
from sim.model.setup import check_uncertain
from sim.scenario.errors import InputError
from sim.scenario.loader import read_toml, validation_error
from sim.scenario.schema import Distribution
from sim.scenario.sweep import GridAxis, Sweep


@dataclass(frozen=True)
class Plan:
    """A validated sweep with its inputs, design and chunks."""

    sweep: Sweep
    path: str
    inputs: dict[str, Inputs]
    design: Design

    @property
    def runs_per_scenario(self) -> int:
        """Design points times replicates."""
        return len(self.design) * self.sweep.replicates

    def chunks(self) -> Iterator[tuple[str, int, int, int]]:
        """``(scenario, chunk, first run, runs)`` for every chunk, in order."""
        size, total = self.sweep.chunk_size, self.runs_per_scenario
        for name in self.inputs:
            for k, offset in enumerate(range(0, total, size)):
                yield name, k, offset, min(size, total - offset)

    def identity(self) -> str:
        """Hash of everything that determines the sweep's numbers."""
        h = hashlib.sha256()
        h.update(self.sweep.model_dump_json().encode())
        for name, inp in self.inputs.items():
            h.update(name.encode())
            h.update(inp.scenario.model_dump_json().encode())
            h.update(json.dumps(inp.calibration.values(), sort_keys=True).encode())
            h.update(json.dumps(inp.calibration.ranges(), sort_keys=True).encode())
            if inp.calibration.posterior is not None:
                h.update(inp.calibration.posterior.tobytes())
            if inp.calibration.posterior_weights is not None:
                h.update(inp.calibration.posterior_weights.tobytes())
        h.update(metadata.version("wedge").encode())
        return h.hexdigest()


def load_sweep(path: str | Path, replicates: int | None = None, seed: int | None = None) -> Plan:
    """Read and validate a sweep file and the scenarios it names.

    Parameters
    ----------
    path
        The sweep file.
    replicates
        Runs per design point in place of the file's ``replicates`` (``None``:
        the file's), validated like the file's value. A smaller sweep of the
        same design, e.g. for the reference results (``wedge reference
        --sweep-runs``); it changes the sweep's identity, so ``--resume`` never
        mixes chunks of two sizes.
    seed
        Root seed in place of the file's ``seed`` (``None``: the file's); like
        ``replicates``, it changes the sweep's identity.

    Raises
    ------
    InputError
        For any problem with the sweep file or its scenarios.
    """
    path = Path(path)
    data = read_toml(path)
    if replicates is not None:
        data = {**data, "replicates": replicates}
    if seed is not None:
        data = {**data, "seed": seed}
    try:
        sweep = Sweep.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, Sweep, exc) from None
    inputs: dict[str, Inputs] = {}
    targets = [path.parent / rel for rel in sweep.scenarios]
    for i, (rel, target) in enumerate(zip(sweep.scenarios, targets, strict=True)):
        if not target.is_file():
            raise InputError(
                path, f"scenarios[{i}]", f"{rel!r} not found (looked in {target.parent})"
            )
    if sweep.sweep_calibration:
        sweep = _with_calibration_axes(sweep, targets[0])
        if not sweep.axes():
            raise InputError(
                path,
                "sweep_calibration",
                f"the calibration of {sweep.scenarios[0]!r} has no parameter with a range "
                "(low, high) that the scenario leaves free, so nothing would vary; add "
                "`levers` or `uncertain` entries",
            )
    for i, target in enumerate(targets):
        inp = load_inputs(target)
        if inp.scenario.name in inputs:
            raise InputError(
                path, f"scenarios[{i}]", f"scenario {inp.scenario.name!r} listed twice"
            )
        # The swept paths must make sense in every base scenario, within bounds.
        probe = inp.scenario.model_copy(
            update={"uncertain": [_as_distribution(a) for a in sweep.axes()]}
        )
        try:
            check_uncertain(probe, inp.calibration, path)
        except InputError as exc:
            raise InputError(
                path, _axis_field(sweep, exc.field), f"{exc.message} (in {inp.scenario.name})"
            ) from None
        inputs[inp.scenario.name] = inp
    return Plan(sweep, str(path), inputs, build_design(sweep))


def _axis_field(sweep: Sweep, field: str) -> str:
    """Map ``uncertain[k]`` over all axes back to ``levers[i]`` or ``uncertain[j]`` of the file."""
    m = re.match(r"uncertain\[(\d+)\](.*)", field)
    if not m:
        return field
    k, rest = int(m.group(1)), m.group(2)
    if k < len(sweep.levers):
        return f"levers[{k}]{rest}"
    return f"uncertain[{k - len(sweep.levers)}]{rest}"


CALIBRATION_SOURCE = "calibration range"
"""The ``source`` of the uncertainties that ``sweep_calibration`` adds to a sweep."""


def _with_calibration_axes(sweep: Sweep, scenario: Path) -> Sweep:
    """The sweep with every ranged calibration parameter of its first scenario added."""
    first = load_inputs(scenario)
    named = {a.parameter for a in sweep.axes()}
    extra = [
        Distribution(parameter=name, dist="uniform", low=lo, high=hi, source=CALIBRATION_SOURCE)
        for name, (lo, hi) in first.calibration.ranges().items()
        if name not in named and name not in first.scenario.behaviour
    ]
    return sweep.model_copy(update={"uncertain": [*sweep.uncertain, *extra]})


def _as_distribution(axis: Distribution | GridAxis) -> Distribution:
    """A uniform over every value an axis may set (its range and its grid values), for checks."""
    if isinstance(axis, Distribution):
        return axis
    given = [v for v in (axis.low, axis.high, *axis.values) if v is not None]
    lo, hi = min(given), max(given)
    # Distribution needs low < high; an axis of one value is checked as a sliver above it.
    hi = max(hi, math.nextafter(lo, math.inf))
    return Distribution(parameter=axis.parameter, dist="uniform", low=lo, high=hi)


def sweep_chunk(
    inputs: Inputs,
    seed: int,
    offset: int,
    size: int,
    replicates: int,
    names: list[str],
    values: np.ndarray,
    sample: bool,
) -> pd.DataFrame:
    """Run one chunk: runs ``[offset, offset + size)`` with their design values.

    ``values`` holds the design rows of the points these runs belong to,
    starting at point ``offset // replicates``. Top-level and free of
    closures so that it pickles to worker processes and Dask workers.
    """
    runs = np.arange(offset, offset + size)
    points = runs // replicates
    rows = values[points - points[0]]
    fixed = {name: rows[:, k] for k, name in enumerate(names)}
    table = run_chunk(inputs, seed, offset, size, sample=sample, paths=False, fixed=fixed).runs
    sampled = [c for c in parameter_columns(table.columns) if c not in names]
    table[sampled] = table[sampled].astype(np.float32)
    table.insert(0, "scenario", inputs.scenario.name)
    table.insert(1, "point", points)
    table.insert(2, "replicate", runs % replicates)
    return table


def encoded_chunk(*args: Any) -> bytes:
    """:func:`sweep_chunk`'s table as the bytes of its Parquet file.

    Encoded where the chunk ran, so that the parent only writes bytes to disk
    and leaves its core to the workers; the bytes travel to any executor,
    whatever file system its workers see.
    """
    buffer = io.BytesIO()
    sweep_chunk(*args).to_parquet(buffer, index=False)
    return buffer.getvalue()


def _write_atomic(data: bytes, target: Path) -> None:
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def chunk_file(out: Path, scenario: str, k: int) -> Path:
    """Where chunk ``k`` of a scenario is stored."""
    return out / "chunks" / scenario / f"chunk-{k:06d}.parquet"


def _prepare(plan: Plan, out: Path, resume: bool) -> None:
    marker = out / "sweep.json"
    ident = plan.identity()
    if out.exists() and not out.is_dir():
        raise InputError(out, "", "is a file; --out must name a folder")
    if out.exists() and any(out.iterdir()) and not marker.exists():
        raise InputError(out, "", "exists and is not a sweep folder; choose another --out")
    if marker.exists():
        same = json.loads(marker.read_text()).get("identity") == ident
        if resume and not same:
            raise InputError(
                marker,
                "identity",
                "the folder holds another sweep (file, scenarios or version changed); "
                "run without --resume to start over",
            )
        if not resume:
            shutil.rmtree(out)  # a fresh start replaces the earlier sweep
    (out / "chunks").mkdir(parents=True, exist_ok=True)
    for name in plan.inputs:
        folder = out / "chunks" / name
        folder.mkdir(exist_ok=True)
        for stale in folder.glob("*.tmp"):
            stale.unlink()  # a chunk killed mid-write
    marker.write_text(
        json.dumps(
            {
                "identity": ident,
                "sweep_file": plan.path,
                "seed": plan.sweep.seed,
                "design": plan.sweep.design,
                "points": len(plan.design),
                "replicates": plan.sweep.replicates,
                "chunk_size": plan.sweep.chunk_size,
                "scenarios": list(plan.inputs),
            },
            indent=2,
        )
        + "\n"
    )
    plan.design.table().to_parquet(out / "design.parquet", index=False)


def run_sweep(
    plan: Plan,
    out: str | Path,
    executor: cf.Executor | None = None,
    workers: int = 1,
    resume: bool = False,
    progress: Callable[[int], None] | None = None,
    max_pending: int | None = None,
) -> dict:
    """Run every chunk of a sweep not already on disk.

    Parameters
    ----------
    plan
        From :func:`load_sweep`.
    out
        The sweep's folder.
    executor
        Any ``concurrent.futures.Executor`` (e.g. Dask's
        ``client.get_executor(pure=False)``); ``None`` uses
        :func:`sim.engine.executors.local_executor` with ``workers``.
    workers
        Local worker processes when no executor is given.
    resume
        Keep complete chunks of an earlier run of the same sweep.
    progress
        Called with the number of runs each time a chunk finishes or is skipped.
    max_pending
        Chunks in flight at once (bounds the parent's memory); default
        twice the workers, at least 2.

    Returns
    -------
    A record with the counts of chunks done, skipped and failed, and the failures.
    """
    out = Path(out)
    _prepare(plan, out, resume)
    own = executor is None
    pool = local_executor(workers) if own else executor
    if not isinstance(pool, SerialExecutor):  # compile here once, not in every worker
        warm_up(next(iter(plan.inputs.values())))
    limit = max_pending or max(2, 2 * workers)
    names = plan.design.names
    sw = plan.sweep
    record = {"done": 0, "skipped": 0, "failed": []}
    pending: dict[cf.Future, tuple[str, int, int, int]] = {}

    def settle(done: set[cf.Future]) -> None:
        for fut in done:
            name, k, offset, size = pending.pop(fut)
            target = chunk_file(out, name, k)
            err = target.with_name(target.stem + ".error.json")
            try:
                data = fut.result()
            except Exception as exc:  # one bad chunk must not stop the sweep
                err.write_text(
                    json.dumps(
                        {
                            "scenario": name, "chunk": k, "seed": sw.seed, "first_run": offset,
                            "runs": size, "error": repr(exc),
                            "traceback": "".join(traceback.format_exception(exc))[-4000:],
                        },
                        indent=2,
                    )
                )  # fmt: skip
                record["failed"].append({"scenario": name, "chunk": k, "error": repr(exc)})
            else:
                _write_atomic(data, target)
                err.unlink(missing_ok=True)
                record["done"] += 1
            if progress is not None:
                progress(size)

    try:
        for name, k, offset, size in plan.chunks():
            if chunk_file(out, name, k).exists():
                record["skipped"] += 1
                if progress is not None:
                    progress(size)
                continue
            first_point = offset // sw.replicates
            last_point = (offset + size - 1) // sw.replicates
            rows = plan.design.values[first_point : last_point + 1]
            fut = pool.submit(
                encoded_chunk, plan.inputs[name], sw.seed, offset, size, sw.replicates, names, rows,
                sw.sample_scenario_uncertainty,
            )  # fmt: skip
            pending[fut] = (name, k, offset, size)
            while len(pending) >= limit:
                done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                settle(done)
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            settle(done)
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
    return record
