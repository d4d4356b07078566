"""``wedge validate``: score the hindcast against history."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_runs,
    add_seed,
    default_out,
    require_count,
    seed_of,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge validate``."""
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="hindcast scenario (default scenarios/history/sino_soviet_1949.toml)",
    )
    add_runs(parser)
    add_seed(parser)
    add_out(parser, "runs/validation/")
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from tqdm import tqdm

    from sim.engine.ensemble import load_inputs
    from sim.experiments.validate import (
        default_scenario,
        format_scorecard,
        validate,
        write_validation,
    )
    from sim.io import argv
    from sim.paths import locate

    require_count("--runs", args.runs)
    args.seed = seed_of(args)
    inputs = load_inputs(locate(args.scenario) if args.scenario else default_scenario())
    sc = inputs.scenario
    out = Path(args.out) if args.out else default_out("validation")
    steps = round((sc.time.horizon - sc.time.start) / sc.time.step)
    began = time.perf_counter()
    with tqdm(
        total=args.runs * steps, unit=" world-steps", unit_scale=True, desc=sc.name,
        file=sys.stderr, disable=None,
    ) as bar:  # fmt: skip
        card = validate(inputs, runs=args.runs, seed=args.seed, progress=bar.update)
    seconds = time.perf_counter() - began
    write_validation(card, card.result, out, command=argv(), seconds=seconds)
    print(format_scorecard(card))
    print(f"\n{args.runs} runs in {seconds:.1f} s; scorecard in {out}/ (report.md)")
    return 0


COMMAND = Command(
    "validate",
    "score the 1949-1975 hindcast against history (writes a scorecard)",
    arguments,
    main,
)
