"""``wedge sweep SWEEP``: run a sweep file's design, resumably, and analyse it."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_seed,
    add_workers,
    dask_executor,
    default_out,
    require_count,
)
from sim.scenario.errors import InputError


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
    """Run the command."""
    from tqdm import tqdm

    from sim.engine.sweep import load_sweep, run_sweep
    from sim.experiments.sweep_analysis import analyse
    from sim.paths import locate
    from sim.views.sweep import write_sweep_outputs

    require_count("--workers", args.workers)
    require_count("--replicates", args.replicates)
    if args.seed is not None and args.seed < 0:
        raise InputError("--seed", "", f"must be a non-negative integer, got {args.seed}")
    plan = load_sweep(locate(args.sweep), replicates=args.replicates, seed=args.seed)
    out = Path(args.out) if args.out else default_out("sweeps", plan.sweep.name)
    total = plan.runs_per_scenario * len(plan.inputs)
    executor, closer, workers = None, None, args.workers
    if args.scheduler:
        executor, closer, workers = dask_executor(args.scheduler, args.workers)
    began = time.perf_counter()
    try:
        with tqdm(
            total=total, unit=" runs", unit_scale=True, disable=None if not args.quiet else True,
            desc=plan.sweep.name, file=sys.stderr,
        ) as bar:  # fmt: skip
            record = run_sweep(
                plan, out, executor=executor, workers=workers, resume=args.resume,
                progress=bar.update,
            )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"wedge: interrupted; finished chunks are kept in {out}/; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if closer is not None:
            closer()
    summary = analyse(plan, out, record)
    write_sweep_outputs(plan, out, summary)
    seconds = time.perf_counter() - began
    print(
        f"{summary['runs']} runs ({record['done']} chunks run, {record['skipped']} kept) "
        f"in {seconds:.1f} s"
    )
    for scenario, entry in summary["overall"].items():
        p = entry["p_split"]
        print(
            f"{scenario}: P(split) over the design {p['value']:.3f} "
            f"[{p['low']:.3f}, {p['high']:.3f}]"
        )
    for box in summary.get("discovery", []):
        print(f"  {box['sentence']}")
    if record["failed"]:
        print(
            f"wedge: {len(record['failed'])} chunk(s) failed; see *.error.json in {out}/chunks/",
            file=sys.stderr,
        )
        return 1
    print(f"results in {out}/ (report.md)")
    return 0


COMMAND = Command(
    "sweep",
    "run a sweep file: designs over levers and uncertainties, resumable",
    arguments,
    main,
)
