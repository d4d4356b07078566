"""``wedge run SCENARIO``: run a scenario file's ensemble and write its results folder."""

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
    """The options of ``wedge run``."""
    parser.add_argument(
        "scenario", help="scenario TOML file, e.g. scenarios/us_offer_to_moscow.toml"
    )
    add_runs(parser)
    add_seed(parser)
    add_out(parser, "runs/<scenario name>/")
    add_workers(parser)
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run the scenario, write ``runs/<name>/`` (or ``--out``), print the headline table."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.run import RunScenario
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    inputs = load_inputs(locate(args.scenario))
    out = Path(args.out) if args.out else default_out(inputs.scenario.name)
    executor, close, _ = executor_of(args)
    try:
        execute(RunScenario(inputs, args.runs), args, out, seed, executor)
    finally:
        close()
    return 0


COMMAND = Command(
    "run",
    "run a scenario file: Monte Carlo worlds, results folder with tables, plots and report",
    arguments,
    main,
)
