"""``wedge compare A B``: two scenarios on the same worlds, and what B changes against A."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_world_options,
    default_out,
    execute,
    executor_of,
    require_count,
    seed_of,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge compare``."""
    parser.add_argument("a", metavar="A", help="the reference scenario file (e.g. the baseline)")
    parser.add_argument("b", metavar="B", help="the scenario compared with it")
    add_world_options(parser, "runs/compare/<A>-vs-<B>/", runs="worlds of each scenario")


def main(args: argparse.Namespace) -> int:
    """Run both scenarios on common random numbers and write the paired differences."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.compare import Compare, check_comparable
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    a, b = load_inputs(locate(args.a)), load_inputs(locate(args.b))
    check_comparable(a, b)
    name = f"{a.scenario.name}-vs-{b.scenario.name}"
    out = Path(args.out) if args.out else default_out("compare", name)
    with executor_of(args) as (executor, _):
        execute(Compare(a, b, args.runs), args, out, seed, executor)
    return 0


COMMAND = Command(
    "compare",
    "two scenarios on the same worlds: the paired difference of P(split), P(rupture), relations",
    arguments,
    main,
)
