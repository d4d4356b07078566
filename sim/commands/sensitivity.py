"""``wedge sensitivity``: which behaviour parameters move the distance to history."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_episodes,
    add_out,
    add_quiet,
    add_runs,
    add_seed,
    add_workers,
    default_out,
    execute,
    executor_of,
    require,
    require_count,
    seed_of,
)
from sim.scenario.errors import InputError


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge sensitivity``."""
    add_episodes(parser)
    parser.add_argument(
        "--points", type=int, default=64, metavar="N",
        help="Saltelli base sample, a power of 2: N (D + 3) sets for D parameters (default 64)",
    )  # fmt: skip
    add_runs(parser, default=40, what="worlds per set and episode, the same for every set")
    parser.add_argument(
        "--prior", choices=("bounds", "calibration"), default="bounds",
        help="draw each parameter over its admissible bounds (default) or over the "
        "calibration file's low-high range",
    )  # fmt: skip
    parser.add_argument(
        "--parameters", nargs="+", metavar="NAME",
        help="vary only these behaviour parameters (default every one)",
    )  # fmt: skip
    add_seed(parser)
    add_out(parser, "runs/sensitivity/")
    add_workers(parser)
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Score the design on every episode, write ``runs/sensitivity/`` (or ``--out``)."""
    from sim.experiments.sensitivity import HistorySensitivity
    from sim.experiments.validate import hindcasts
    from sim.paths import locate
    from sim.scenario.calibration import PARAMETERS

    require_count("--points", args.points)
    require("--points", args.points, args.points & (args.points - 1) == 0, "a power of 2")
    require_count("--runs", args.runs)
    seed = seed_of(args)
    chosen = hindcasts([locate(e) for e in args.episodes])
    calibrations = {h.inputs.calibration.path for h in chosen}
    if len(calibrations) > 1:
        raise InputError(
            "episodes", "", f"their hindcasts use {len(calibrations)} calibration files; "
            "the parameters are drawn for one",
        )  # fmt: skip
    if args.parameters:
        unknown = [n for n in args.parameters if n not in PARAMETERS]
        if unknown:
            raise InputError(
                "--parameters", "", f"{', '.join(unknown)} unknown; allowed: "
                f"{', '.join(PARAMETERS)}",
            )  # fmt: skip
    experiment = HistorySensitivity(
        tuple(chosen), points=args.points, replicates=args.runs, prior=args.prior,
        parameters=tuple(args.parameters) if args.parameters else None,
    )  # fmt: skip
    if not experiment.names():
        raise InputError("--parameters", "", "none of them has a prior range to draw from")
    out = Path(args.out) if args.out else default_out("sensitivity")
    with executor_of(args) as (executor, _):
        execute(experiment, args, out, seed, executor)
    return 0


COMMAND = Command(
    "sensitivity",
    "which behaviour parameters move the distance to history (Sobol indices over the prior)",
    arguments,
    main,
)
