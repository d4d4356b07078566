"""``wedge validate [EPISODE ...]``: score the model on history episodes, one scorecard each."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_runs,
    add_seed,
    add_workers,
    default_out,
    execute,
    executor_of,
    require_count,
    seed_of,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge validate``."""
    parser.add_argument(
        "episodes",
        nargs="*",
        metavar="EPISODE",
        help="history episode files (default: every shipped one, data/episode_*.toml)",
    )
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="score this scenario in place of the episode's hindcast (one episode only)",
    )
    add_runs(parser, what="runs per episode")
    add_seed(parser)
    add_out(parser, "runs/validation/")
    add_workers(parser)
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run every episode's hindcast, write one scorecard per episode and a summary."""
    from sim.experiments.validate import Validate, hindcasts
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    chosen = hindcasts(
        [locate(e) for e in args.episodes],
        locate(args.scenario) if args.scenario else None,
    )
    out = Path(args.out) if args.out else default_out("validation")
    executor, close, _ = executor_of(args)
    try:
        execute(Validate(tuple(chosen), args.runs), args, out, seed, executor)
    finally:
        close()
    return 0


COMMAND = Command(
    "validate",
    "score the model on history episodes (default: all shipped): a scorecard per episode",
    arguments,
    main,
)
