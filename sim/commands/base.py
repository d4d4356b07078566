"""What every command shares: its spec, the common options, and running an experiment.

A command is a name, a help line, a function that adds its options to an
argparse parser, and a ``main(args) -> exit status``. Commands that run
worlds build an experiment from their inputs and hand it to :func:`execute`,
which runs it with the one progress reporter, writes it with the one writer
(:func:`sim.io.write`) and prints the view's terminal summary.

Only :mod:`sim.defaults` and the standard library are imported at the top, so
that ``wedge --help`` stays fast; each command imports what it needs when it
runs.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sim.defaults import DEFAULT_RUNS, DEFAULT_SEED
from sim.scenario.errors import InputError

if TYPE_CHECKING:
    import concurrent.futures as cf

    from sim.engine.ensemble import Inputs
    from sim.experiments.base import Experiment, Result


@dataclass(frozen=True)
class Part:
    """One folder of the reference results: the command that makes it, from which file, seed."""

    kind: str
    """The name of the command that makes it (``run``, ``sweep``, ``validate``, ``factors``)."""
    folder: str
    """Its folder inside ``results/``, POSIX-style (``sweeps/offer_vs_threat``)."""
    source: Path | None
    """The scenario or sweep file it runs (``None``: the command's shipped inputs)."""
    seed: int
    """Its root seed."""


@dataclass(frozen=True)
class Settings:
    """What ``wedge reference`` asks of every part: run counts, workers, the project folder."""

    runs: int
    """Worlds per scenario, validation episode and five-factor case."""
    replicates: int | None
    """Runs per design point of every sweep; ``None``: each sweep file's own."""
    workers: int
    """Worker processes for the sweeps."""
    root: Path
    """The project whose ``scenarios/`` are run."""


@dataclass(frozen=True)
class Shipped:
    """How a command turns the project's shipped files into parts of ``wedge reference``.

    ``parts`` lists them (loading, and so validating, every file); ``experiment``
    builds one part's experiment, given the folder it will be written to;
    ``command`` is the command line that makes that part alone; ``failure``
    reads a result and returns why the part failed, or ``None``.
    """

    parts: Callable[[Settings, int], list[Part]]
    experiment: Callable[[Part, Settings, Path], Experiment]
    command: Callable[[Part, Settings, str], str]
    failure: Callable[[Result], str | None] | None = None


@dataclass(frozen=True)
class Command:
    """One ``wedge`` command: its name, help line, options, entry point, shipped parts."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    main: Callable[[argparse.Namespace], int]
    description: str = ""
    shipped: Shipped | None = None
    """What the command contributes to ``wedge reference`` (``None``: nothing)."""


def shown(path: Path | None, root: Path) -> str:
    """A file's path relative to the project when inside it, as typed in a command."""
    if path is None:
        return ""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# ------------------------------------------------------------------ options


def add_runs(parser: argparse.ArgumentParser, default: int = DEFAULT_RUNS, what: str = "") -> None:
    """``--runs N``: Monte Carlo runs (worlds)."""
    parser.add_argument(
        "--runs",
        type=int,
        default=default,
        metavar="N",
        help=f"{what or 'Monte Carlo runs (worlds)'} (default {default:,})",
    )


def add_seed(parser: argparse.ArgumentParser, default: str = str(DEFAULT_SEED)) -> None:
    """``--seed S``: the root seed of every random draw (``None`` when not given)."""
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="S",
        help=f"root seed of every random draw; the same seed gives the same numbers "
        f"(default {default})",
    )


def add_quiet(parser: argparse.ArgumentParser) -> None:
    """``--quiet``: no progress bars or notes on standard error."""
    parser.add_argument(
        "--quiet", action="store_true", help="no progress bar or notes on standard error"
    )


def add_out(parser: argparse.ArgumentParser, default: str) -> None:
    """``--out DIR``: the results folder, replaced whole when the command succeeds."""
    parser.add_argument(
        "--out",
        metavar="DIR",
        help=f"results folder, replaced whole when the command succeeds (default {default})",
    )


def add_workers(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--scheduler ADDRESS``: where the worlds run."""
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="cores to use: local worker processes, or threads when the worlds run in this "
        "process (default 1); the numbers do not depend on it",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster at ADDRESS, or `local` for a LocalCluster of --workers",
    )


def add_threads(parser: argparse.ArgumentParser) -> None:
    """``--workers N`` for a command whose worlds all run in its own process: N threads."""
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="cores to use: the worlds are stepped on N threads of this process (default 1); "
        "the numbers do not depend on it",
    )


def use_cores(args: argparse.Namespace) -> None:
    """Step this process's worlds on ``--workers`` threads (checked: at least 1)."""
    require_count("--workers", args.workers)
    from sim.model.threads import use_threads

    use_threads(args.workers)


def add_episodes(parser: argparse.ArgumentParser) -> None:
    """``EPISODE ...``: history episode files, every shipped one by default."""
    parser.add_argument(
        "episodes",
        nargs="*",
        metavar="EPISODE",
        help="history episode files (default: every shipped one, data/episode_*.toml)",
    )


def add_world_options(parser: argparse.ArgumentParser, out: str, runs: str = "") -> None:
    """The options of every command that runs worlds: runs, seed, out, workers, quiet.

    ``out`` is the default results folder, ``runs`` what a run counts (default:
    Monte Carlo runs).
    """
    add_runs(parser, what=runs)
    add_seed(parser)
    add_out(parser, out)
    add_workers(parser)
    add_quiet(parser)


def add_fit_inputs(parser: argparse.ArgumentParser, scored: str, checked: str) -> None:
    """``--hindcast`` and ``--baseline``: the history and present scenarios a fit is judged on.

    ``scored`` and ``checked`` say, in the command's words, what each is for.
    The default hindcast is the scenario of the episode the behaviour is fitted
    to (:func:`sim.experiments.validate.fit_episode`), named there once.
    """
    parser.add_argument(
        "--hindcast",
        metavar="FILE",
        help=f"the history scenario {scored} (default: the scenario of the fitted episode, "
        "data/episode_1949_1975.toml)",
    )
    parser.add_argument(
        "--baseline",
        default="scenarios/baseline_2024.toml",
        metavar="FILE",
        help=f"the 2024 scenario {checked} (default %(default)s)",
    )


def fit_inputs(args: argparse.Namespace) -> tuple[Inputs, Inputs]:
    """The hindcast and baseline of :func:`add_fit_inputs`, loaded and validated."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.validate import fit_episode
    from sim.paths import locate

    hindcast = locate(args.hindcast) if args.hindcast else fit_episode().scenario
    return load_inputs(hindcast), load_inputs(locate(args.baseline))


def seed_of(args: argparse.Namespace, default: int = DEFAULT_SEED) -> int:
    """The seed given on the command line, else ``default``; checked for ``SeedSequence``."""
    seed = default if args.seed is None else args.seed
    if seed < 0:
        raise InputError("--seed", "", f"must be a non-negative integer, got {seed}")
    return seed


def require_count(flag: str, value: int | None) -> None:
    """One-line bad input unless ``value`` (runs, sets, workers...) is at least 1 or unset."""
    if value is not None and value < 1:
        raise InputError(flag, "", f"must be at least 1, got {value}")


def require(flag: str, value: float, ok: bool, allowed: str) -> None:
    """One-line bad input naming the option, its value and what is allowed, unless ``ok``."""
    if not ok:
        raise InputError(flag, "", f"must be {allowed}, got {value}")


# ------------------------------------------------------------------ running


@contextlib.contextmanager
def executor_of(args: argparse.Namespace) -> Iterator[tuple[cf.Executor | None, int]]:
    """The executor the options ask for (``--workers``, ``--scheduler``) and its worker count.

    One worker and no scheduler: ``None`` (run in this process). More workers: a
    pool of spawned processes. ``--scheduler``: a Dask cluster
    (``client.get_executor``). Shut down when the block ends.
    """
    require_count("--workers", args.workers)
    from sim.engine.executors import executor_for
    from sim.model.threads import use_threads

    # --workers N is N cores: worlds stepped in this process use N threads; worker
    # processes keep their default of one thread each.
    use_threads(args.workers if args.scheduler is None else 1)
    with executor_for(args.workers, args.scheduler) as found:
        yield found


def execute(
    experiment: Experiment,
    args: argparse.Namespace,
    out: Path,
    seed: int,
    executor: cf.Executor | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> Result:
    """Run an experiment with a progress bar, write its folder, print its summary.

    Parameters
    ----------
    experiment
        Built from validated inputs.
    args
        The command's options (``quiet`` is read).
    out
        The results folder (written whole by :func:`sim.io.write`).
    seed
        The root seed.
    executor
        Where worlds run (:func:`executor_of`); ``None``: this process.
    formats
        Figure formats (``png``, ``svg``).
    """
    from sim.io import argv, write
    from sim.progress import TerminalProgress
    from sim.views import view_for

    began = time.perf_counter()
    with TerminalProgress(quiet=getattr(args, "quiet", False)) as progress:
        result = experiment.run(seed, executor=executor, progress=progress)
        seconds = time.perf_counter() - began
        progress.start(1, "folder", f"writing {out}")
        write(result, out, argv(), seconds, formats)
    print(view_for(result.kind).terminal(result))
    runs = f"{result.runs:,} runs in " if result.runs else ""
    print(f"\n{runs}{time.perf_counter() - began:.1f} s; results in {out}/ (report.md)")
    return result


def default_out(*parts: str) -> Path:
    """A default results folder under ``runs/`` in the working folder (git-ignored)."""
    return Path("runs", *parts)


def stderr(text: str) -> None:
    """One line on standard error."""
    print(text, file=sys.stderr)
