"""``wedge factors``: the five-factor experiment."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_runs,
    add_seed,
    default_out,
    execute,
    require_count,
    seed_of,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge factors``."""
    add_runs(parser, what="runs per case (14 cases)")
    add_seed(parser)
    add_out(parser, "runs/factors/")
    parser.add_argument(
        "--present",
        metavar="FILE",
        help="the present's scenario (default scenarios/baseline_2024.toml)",
    )
    parser.add_argument(
        "--past",
        metavar="FILE",
        help="the past's scenario (default scenarios/history/sino_soviet_1949.toml)",
    )
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run the 14 cases, write ``runs/factors/`` (or ``--out``), print a line per case."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import FiveFactors, default_scenarios, directions
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    present_file, past_file = default_scenarios()
    present = load_inputs(locate(args.present) if args.present else present_file)
    past = load_inputs(locate(args.past) if args.past else past_file)
    directions(present, past)  # checks the pair before any run
    out = Path(args.out) if args.out else default_out("factors")
    execute(FiveFactors(present, past, args.runs), args, out, seed)
    return 0


COMMAND = Command(
    "factors",
    "the five-factor experiment: each factor of 1949 and 2024 swapped, alone and all together",
    arguments,
    main,
)
