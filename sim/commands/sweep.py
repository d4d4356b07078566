"""``wedge sweep SWEEP``: run a sweep file's design, resumably, and analyse it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.base import (
    Command,
    Part,
    Settings,
    Shipped,
    add_out,
    add_quiet,
    add_seed,
    add_workers,
    default_out,
    execute,
    require_count,
    shown,
)
from sim.scenario.errors import InputError

if TYPE_CHECKING:
    from sim.experiments.base import Experiment, Result


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge sweep``."""
    parser.add_argument("sweep", help="sweep TOML file, e.g. scenarios/sweeps/offer_vs_threat.toml")
    parser.add_argument(
        "--replicates",
        type=int,
        metavar="N",
        help="runs per design point in place of the file's `replicates` (a quicker, noisier sweep)",
    )
    add_seed(parser, default="the sweep file's `seed`")
    add_out(parser, "runs/sweeps/<sweep name>/")
    add_workers(parser)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the finished chunks of an interrupted run of the same sweep and run the rest",
    )
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run the sweep into ``runs/sweeps/<name>/`` (or ``--out``) and write its results there.

    Exit 1 when chunks failed (the folder is written without them), 130 on
    Ctrl-C (the finished chunks stay for ``--resume``).
    """
    from sim.engine.sweep import load_sweep
    from sim.experiments.sweep import SweepExperiment
    from sim.paths import locate

    require_count("--workers", args.workers)
    require_count("--replicates", args.replicates)
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed", "", f"must be a non-negative integer, got {args.seed}")
    plan = load_sweep(locate(args.sweep), replicates=args.replicates, seed=args.seed)
    out = Path(args.out) if args.out else default_out("sweeps", plan.sweep.name)
    require_count("--workers", args.workers)
    # The experiment starts its own processes or cluster and stops them once the chunks are
    # run, so that they do not hold memory through the analysis.
    experiment = SweepExperiment(
        plan, out, resume=args.resume, workers=args.workers, scheduler=args.scheduler
    )
    try:
        result = execute(experiment, args, out, plan.sweep.seed)
    except KeyboardInterrupt:
        print(
            f"wedge: interrupted; finished chunks are kept in {out}/; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    chunks = result.manifest["chunks"]
    kept = f", {chunks['kept']} kept from an earlier run" if chunks["kept"] else ""
    print(f"{chunks['run']} chunk{'s' if chunks['run'] != 1 else ''} run{kept}")
    if chunks["failed"]:
        print(
            f"wedge: {chunks['failed']} chunk(s) failed; see *.error.json in {out}/chunks/",
            file=sys.stderr,
        )
        return 1
    return 0


def shipped_parts(settings: Settings, seed: int) -> list[Part]:
    """One part per shipped sweep (``scenarios/sweeps/*.toml``), with the seed of its file."""
    from sim.engine.sweep import load_sweep

    parts = []
    for path in sorted((settings.root / "scenarios" / "sweeps").glob("*.toml")):
        plan = load_sweep(path, replicates=settings.replicates)
        parts.append(Part("sweep", f"sweeps/{plan.sweep.name}", path, plan.sweep.seed))
    return parts


def shipped_experiment(part: Part, settings: Settings, folder: Path) -> Experiment:
    """One shipped sweep, its chunks streamed into ``folder``, on the settings' workers."""
    from sim.engine.sweep import load_sweep
    from sim.experiments.sweep import SweepExperiment

    plan = load_sweep(part.source, replicates=settings.replicates)  # type: ignore[arg-type]
    return SweepExperiment(plan, folder, workers=settings.workers)


def shipped_command(part: Part, settings: Settings, out: str) -> str:
    """``wedge sweep`` of one shipped sweep alone."""
    words = ["wedge sweep", shown(part.source, settings.root)]
    if settings.replicates is not None:
        words.append(f"--replicates {settings.replicates}")
    words.append(f"--workers {settings.workers} --out {out}")
    return " ".join(words)


def failed_chunks(result: Result) -> str | None:
    """Why a sweep's result is incomplete: its failed chunks, or ``None``."""
    failed = result.summary.get("failed_chunks") or []
    if not failed:
        return None
    return f"{len(failed)} chunk(s) failed, the first with {failed[0]['error']}"


COMMAND = Command(
    "sweep",
    "run a sweep file: designs over levers and uncertainties, resumable",
    arguments,
    main,
    shipped=Shipped(shipped_parts, shipped_experiment, shipped_command, failure=failed_chunks),
)
