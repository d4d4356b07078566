"""The parts of the reference results: which commands make them, running and keeping them.

Every command of the registry (:mod:`sim.commands`) that has shipped inputs
lists its parts (:class:`~sim.commands.base.Shipped`); a part's experiment
runs and is written by the one writer (:func:`sim.io.write`) as its command
would, and only its small readable files are kept.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import time
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from sim.commands import REGISTRY
from sim.commands.base import Command, Part, Settings
from sim.defaults import DEFAULT_RUNS, DEFAULT_SEED
from sim.markdown import link_target
from sim.paths import REPO
from sim.scenario.errors import InputError

KEPT_FILES: tuple[str, ...] = (
    "*.png",
    "report.md",
    "summary.json",
    "scorecard.json",
    "factors.json",
    "factors.csv",
    "manifest.json",
    "points.csv",
    "sensitivity_*.csv",
)
"""Name patterns of the files of a part copied into ``results/`` (``.gitignore`` tracks these)."""

MAX_TABLE_BYTES = 100_000
"""Largest CSV table copied into ``results/``, in bytes; a larger one (the points table of a
big Sobol design) stays in the full output of the part's own command. The JSON summaries are
always kept: the index reads its numbers from them."""


def default_workers() -> int:
    """Worker processes for the sweeps: two (the sweep sizes were timed on two cores), or one."""
    return min(2, os.cpu_count() or 1)


class StepError(RuntimeError):
    """A step of the regeneration failed; ``results/`` was left as it was."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"step `{part}` failed: {reason}")
        self.part = part
        self.reason = reason


@dataclass(frozen=True)
class Options:
    """What ``wedge reference`` was asked for.

    Attributes
    ----------
    out
        The results folder (``results``).
    runs
        Runs per scenario, for the validation and per five-factor variant.
    sweep_runs
        Runs per design point of every sweep; ``None`` keeps each file's ``replicates``.
    workers
        Worker processes for the sweeps (:func:`default_workers`).
    seed
        Root seed of the scenarios, the validation and the five-factor experiment
        (sweeps keep the seed of their file).
    quiet
        No progress bars and no line per step.
    root
        The project whose ``scenarios/`` are run (:data:`~sim.paths.REPO`).
    """

    out: Path = Path("results")
    runs: int = DEFAULT_RUNS
    sweep_runs: int | None = None
    workers: int = field(default_factory=lambda: default_workers())
    seed: int = DEFAULT_SEED
    quiet: bool = False
    root: Path = field(default_factory=lambda: REPO)

    def command(self) -> str:
        """The ``wedge reference`` command line that gives these results."""
        words = ["wedge", "reference", "--out", Path(self.out).as_posix(), "--runs", str(self.runs)]
        if self.sweep_runs is not None:
            words += ["--sweep-runs", str(self.sweep_runs)]
        words += ["--workers", str(self.workers), "--seed", str(self.seed)]
        return " ".join(words)

    def settings(self) -> Settings:
        """What every part is asked for."""
        return Settings(self.runs, self.sweep_runs, self.workers, Path(self.root))


@dataclass
class Generated:
    """What a regeneration produced: its options, parts, metadata and timings (seconds)."""

    options: Options
    parts: list[Part]
    meta: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)


# ------------------------------------------------------------------- planning

SHIPPING: dict[str, Command] = {c.name: c for c in REGISTRY if c.shipped is not None}
"""The commands with shipped inputs, in index order (the order of the registry)."""


def find_parts(opts: Options) -> list[Part]:
    """Every part to generate, in index order: scenarios, sweeps, validation, factors.

    Each command lists its parts, loading (and so validating) every file
    first, so that a bad shipped file or option fails before anything runs.

    Raises
    ------
    InputError
        A bad scenario, sweep or episode file, or a bad ``--sweep-runs``.
    """
    settings = opts.settings()
    parts: list[Part] = []
    for command in SHIPPING.values():
        parts += command.shipped.parts(settings, opts.seed)  # type: ignore[union-attr]
    folders = [p.folder for p in parts]
    clash = sorted({f for f in folders if folders.count(f) > 1 or f.split("/")[0] == "calibration"})
    if clash:
        raise InputError(
            settings.root / "scenarios", "name", f"the results folder {clash[0]!r} is taken "
            "(by another part, or kept for `wedge calibrate`): rename the scenario or sweep",
        )  # fmt: skip
    return parts


def part_command(part: Part, opts: Options) -> str:
    """The command that regenerates one part alone (the same numbers)."""
    out = f"{Path(opts.out).as_posix()}/{part.folder}"
    return SHIPPING[part.kind].shipped.command(part, opts.settings(), out)  # type: ignore[union-attr]


# -------------------------------------------------------------------- running


def run_part(part: Part, dest: Path, opts: Options) -> None:
    """Write the complete output of one part into ``dest``, as its own command does.

    Raises
    ------
    StepError
        With the part and the one-line reason it failed.
    """
    from sim.io import write
    from sim.progress import TerminalProgress

    shipped = SHIPPING[part.kind].shipped
    assert shipped is not None  # noqa: S101  (SHIPPING holds commands with shipped parts)
    try:
        experiment = shipped.experiment(part, opts.settings(), dest)
        began = time.perf_counter()
        with TerminalProgress(quiet=opts.quiet) as progress:
            result = experiment.run(part.seed, progress=progress)
        failure = None if shipped.failure is None else shipped.failure(result)
        if failure:
            raise StepError(part.folder, failure)
        command = shlex.split(part_command(part, opts))
        write(result, dest, command, time.perf_counter() - began, formats=("png",))
    except StepError:
        raise
    except InputError as exc:
        raise StepError(part.folder, exc.line()) from exc
    except Exception as exc:  # any other failure of a step is reported as that step's
        raise StepError(part.folder, str(exc) or type(exc).__name__) from exc


# ------------------------------------------------------------------ keeping


def kept(name: str) -> bool:
    """Whether a file of this name is copied into ``results/`` (:data:`KEPT_FILES`)."""
    return any(fnmatch(name, pattern) for pattern in KEPT_FILES)


def keep_files(src: Path, dest: Path) -> list[str]:
    """Copy the small readable files of one part's output into ``dest``.

    The files of ``src`` and of its sub-folders (one per history episode) that
    match :data:`KEPT_FILES`, but not a sweep's ``chunks/``; CSV tables above
    :data:`MAX_TABLE_BYTES` are left out. Links in each copied ``report.md``
    are then made to work from its new folder (:func:`fix_links`).

    Returns
    -------
    list of str
        The names of matching files left out because they are too large.
    """
    dest.mkdir(parents=True, exist_ok=True)
    dropped = []
    for path in sorted(src.iterdir()):
        if path.is_dir() and path.name != "chunks":
            dropped += [f"{path.name}/{name}" for name in keep_files(path, dest / path.name)]
        if not path.is_file() or not kept(path.name):
            continue
        if path.suffix == ".csv" and path.stat().st_size > MAX_TABLE_BYTES:
            dropped.append(path.name)
            continue
        shutil.copy2(path, dest / path.name)
    if (dest / "report.md").is_file():
        fix_links(dest / "report.md")
    return dropped


_LINK = re.compile(r"(!?)\[([^\]]*)\]\((<[^>]*>|[^)\s]*)\)")


def _is_external(target: str) -> bool:
    return target.startswith("#") or bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target))


def fix_links(report: Path) -> None:
    """Make every relative link of a copied report resolve from its new folder.

    A link to a file that was kept stays; a link to an SVG figure whose PNG was
    kept points to the PNG; any other link to a file that was not kept becomes
    plain text (an image, a note that it is not kept in ``results/``).
    """
    folder = report.parent

    def fix(m: re.Match[str]) -> str:
        bang, text, target = m.groups()
        bare = target[1:-1] if target.startswith("<") else target
        path = bare.split("#", 1)[0]
        if not path or _is_external(bare) or (folder / path).exists():
            return m.group(0)
        png = Path(path).with_suffix(".png")
        if Path(path).suffix == ".svg" and (folder / png).is_file():
            return f"{bang}[{text}]({link_target(png.as_posix())})"
        return f"*({text or path}: not kept in results/)*" if bang else text

    text = report.read_text(encoding="utf-8")
    report.write_text(_LINK.sub(fix, text), encoding="utf-8", newline="\n")


def read_json(folder: Path, name: str) -> dict[str, Any]:
    """A part's JSON summary, or an empty table when it has none."""
    path = folder / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
