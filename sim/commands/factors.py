"""``wedge factors``: the five-factor experiment."""

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
    """Run the command."""
    from tqdm import tqdm

    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import default_scenarios, directions, run_factors, write_factors
    from sim.io import argv
    from sim.paths import locate

    require_count("--runs", args.runs)
    args.seed = seed_of(args)
    present_file, past_file = default_scenarios()
    present = load_inputs(locate(args.present) if args.present else present_file)
    past = load_inputs(locate(args.past) if args.past else past_file)
    directions(present, past)  # checks the pair before any run
    steps = sum(
        round((t.horizon - t.start) / t.step) for t in (present.scenario.time, past.scenario.time)
    )
    began = time.perf_counter()
    with tqdm(
        total=7 * args.runs * steps, unit=" world-steps", unit_scale=True, file=sys.stderr,
        disable=None if not args.quiet else True, desc="five factors",
    ) as bar:  # fmt: skip
        res = run_factors(
            present, past, runs=args.runs, seed=args.seed, progress=bar.update,
            on_case=lambda case: bar.set_description(f"{case.direction} {case.label}"),
        )  # fmt: skip
    seconds = time.perf_counter() - began
    out = Path(args.out) if args.out else default_out("factors")
    write_factors(res, out, argv(), seconds)
    for _, r in res.table.iterrows():
        print(
            f"{r['direction']} {r['case']:<13} P(split) {r['p_split']:6.1%} "
            f"[{r['p_split_low']:.1%}, {r['p_split_high']:.1%}]  "
            f"P(rupture) {r['p_rupture']:6.1%}"
        )
    print(f"\n{14 * args.runs} runs in {seconds:.1f} s; results in {out}/ (report.md)")
    return 0


COMMAND = Command(
    "factors",
    "the five-factor experiment: each factor of 1949 and 2024 swapped, alone and all together",
    arguments,
    main,
)
