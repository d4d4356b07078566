"""The experiment contract: what every command runs and what it hands to the writer.

An *experiment* is a small object built from validated inputs (scenario files,
a sweep file, history episodes) and its settings (runs, replicates, ...). Its
one verb is ``run(seed, executor, progress) -> Result``. A :class:`Result`
holds data only: tidy tables, a JSON-ready summary, the input files it read,
extra text files (a resolved scenario), sub-results written in sub-folders,
and the experiment's own objects (``payload``) for its view. Figures and text
are drawn from a result by the view of its ``kind`` (:mod:`sim.views`), and
:func:`sim.io.write` writes everything, with ``report.md`` and
``manifest.json``, into a folder that appears whole or not at all.

This is the split of EMA Workbench between running experiments and analysing
them: nothing here imports matplotlib, and ``sim.experiments`` never imports
``sim.views``.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import pandas as pd


class Progress(Protocol):
    """How an experiment reports progress: a counted task at a time, and short notes.

    The command line passes a progress bar (:class:`sim.progress.TerminalProgress`);
    Python callers pass nothing (:data:`SILENT`) or their own object.
    """

    def start(self, total: int, unit: str, label: str) -> None:
        """Begin a task of ``total`` units (``world-steps``, ``runs``, ``sets``)."""

    def advance(self, n: int) -> None:
        """``n`` more units of the current task are done."""

    def note(self, text: str) -> None:
        """A one-line remark while running (a finished parameter, a case)."""


class _Silent:
    """A :class:`Progress` that says nothing."""

    def start(self, total: int, unit: str, label: str) -> None:
        """Do nothing."""

    def advance(self, n: int) -> None:
        """Do nothing."""

    def note(self, text: str) -> None:
        """Do nothing."""


SILENT: Progress = _Silent()
"""The progress of an experiment run from Python without a progress bar."""


@dataclass(frozen=True)
class Table:
    """A tidy table of a result and the formats it is written in.

    ``formats`` holds ``"parquet"`` and/or ``"csv"``; ``float_format`` is
    passed to :meth:`pandas.DataFrame.to_csv` (``None``: full precision).
    """

    frame: pd.DataFrame
    formats: tuple[str, ...] = ("parquet",)
    float_format: str | None = None


@dataclass
class Result:
    """What an experiment produced, before anything is drawn or written.

    Attributes
    ----------
    kind
        The experiment that made it (``run``, ``compare``, ``sweep``,
        ``validate``, ``factors``, ``calibrate``, ``identify``): picks the view.
    name
        A short name, the default results folder's last part.
    summary
        JSON-ready headline numbers, written as ``summary_file``.
    summary_file
        File name of the summary (``summary.json``; ``scorecard.json`` for an
        episode and ``factors.json`` for the five factors, their historical names).
    tables
        File stem -> :class:`Table` (``runs`` -> ``runs.parquet``).
    texts
        Relative file name -> text (``scenario.resolved.toml``,
        ``resolved/2024_base.toml``), written as UTF-8.
    inputs
        What the experiment read: role -> file path (``scenario``,
        ``calibration``, ``sweep``, ``episode``, ``milestones``...), hashed into
        ``manifest.json``.
    manifest
        Further facts for ``manifest.json`` (the uncertain parameters...).
    seed
        The root seed (``None`` when nothing was drawn).
    runs
        Worlds simulated in all, for the manifest and the terminal.
    parts
        Sub-folder name -> sub-result, each written in its own folder with its
        own report and manifest (one scorecard per history episode).
    payload
        The experiment's own objects (an ensemble, a scorecard), read by its view.
    carry
        Entries of an existing results folder that are the experiment's working
        state (a sweep's ``chunks/``): the writer keeps them in the new folder.
    """

    kind: str
    name: str
    summary: dict[str, Any]
    summary_file: str = "summary.json"
    tables: dict[str, Table] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    runs: int | None = None
    parts: dict[str, Result] = field(default_factory=dict)
    payload: Any = None
    carry: tuple[str, ...] = ()


class Experiment(Protocol):
    """Anything a command runs: built from its inputs, run with a seed, returns a :class:`Result`.

    ``executor`` is any :class:`concurrent.futures.Executor` (local processes,
    Dask's ``client.get_executor()``), or ``None`` to run in this process; the
    numbers never depend on it.
    """

    kind: ClassVar[str]

    def run(
        self,
        seed: int,
        executor: cf.Executor | None = None,
        progress: Progress = SILENT,
    ) -> Result:
        """Run the experiment."""
        ...


def input_files(**files: str | Path | None) -> dict[str, str]:
    """``role -> path`` for a result's ``inputs``, leaving out roles without a file."""
    return {role: str(path) for role, path in files.items() if path is not None}


def json_ready(value: Any) -> Any:
    """Plain Python values for JSON: numpy scalars to float/int, NaN and infinities to None."""
    import math

    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value
