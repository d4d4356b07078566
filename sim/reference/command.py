"""``wedge reference``: regenerate ``results/`` and its index in one go."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.commands.base import Command, add_quiet, add_runs, add_seed, require_count, seed_of
from sim.defaults import DEFAULT_SEED
from sim.reference import Options, StepError, default_workers, regenerate


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge reference``."""
    parser.add_argument(
        "--out", default="results", metavar="DIR", help="results folder (default results/)"
    )
    add_runs(parser, what="runs per scenario, validation episode and factor case")
    parser.add_argument(
        "--sweep-runs",
        type=int,
        metavar="N",
        help="runs per design point of every sweep (default: each sweep file's replicates)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes for the sweeps (default 2, or 1 on one core)",
    )
    add_seed(parser, default=f"{DEFAULT_SEED}; sweeps keep their file's")
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Regenerate ``results/``, print one line per part, rewrite the README's headline block.

    The README's block (:mod:`sim.docs.readme`) is rewritten only when the
    project's own ``results/`` was regenerated.
    """
    for flag, value in (
        ("--runs", args.runs), ("--sweep-runs", args.sweep_runs), ("--workers", args.workers),
    ):  # fmt: skip
        require_count(flag, value)
    seed = seed_of(args)
    workers = args.workers if args.workers is not None else default_workers()
    options = Options(
        out=Path(args.out), runs=args.runs, sweep_runs=args.sweep_runs, workers=workers,
        seed=seed, quiet=args.quiet,
    )  # fmt: skip
    began = time.perf_counter()
    try:
        made = regenerate(options, report=None if args.quiet else print)
    except StepError as exc:
        print(f"wedge: reference: {exc}; {args.out}/ was left as it was", file=sys.stderr)
        return 1
    print(
        f"{len(made.parts)} parts regenerated in {time.perf_counter() - began:.0f} s; "
        f"index in {Path(args.out) / 'README.md'}"
    )
    from sim.docs.readme import write_readme_block
    from sim.paths import REPO

    if Path(args.out).resolve() == (REPO / "results").resolve():
        print(f"wrote {write_readme_block(REPO / 'README.md', REPO / 'results')} (headline)")
    return 0


COMMAND = Command(
    "reference",
    "regenerate results/: every shipped scenario and sweep, the validation and the five "
    "factors, with an index",
    arguments,
    main,
)
