"""``wedge identify``: how tightly history pins each fitted parameter."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_fit_inputs,
    add_out,
    add_quiet,
    add_runs,
    add_seed,
    add_threads,
    default_out,
    execute,
    fit_inputs,
    require_count,
    seed_of,
    use_cores,
)
from sim.scenario.errors import InputError


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge identify``."""
    add_fit_inputs(parser, "each move is scored on", "checked for the 2018-2024 picture")
    parser.add_argument(
        "--wedge", default="scenarios/us_offer_to_moscow.toml", metavar="FILE",
        help="2024 scenario whose P(rupture) and P(split) are read at the range ends "
        "(default %(default)s)",
    )  # fmt: skip
    add_runs(parser, default=300, what="hindcast worlds per move")
    parser.add_argument(
        "--forecast-runs", type=int, default=1000, metavar="N",
        help="2024 worlds per range end (default 1,000)",
    )  # fmt: skip
    parser.add_argument(
        "--tolerance", type=float, default=0.05, metavar="T",
        help="how much worse than the fit's distance to history a move may be (default 0.05: "
        "half a year, or 0.05 of a share or relation)",
    )  # fmt: skip
    parser.add_argument(
        "--joint-sets", type=int, default=200, metavar="N",
        help="parameter sets drawn jointly over the ranges at each shrink factor (default 200)",
    )  # fmt: skip
    parser.add_argument(
        "--joint-runs", type=int, default=60, metavar="N",
        help="hindcast worlds per joint draw (default 60)",
    )  # fmt: skip
    parser.add_argument(
        "--joint-share", type=float, default=0.8, metavar="SHARE",
        help="least share of joint draws that must fit history as well as the fit; the "
        "ranges --apply writes are shrunk toward the fit until it is reached (default 0.8)",
    )  # fmt: skip
    parser.add_argument(
        "--parameters",
        nargs="+",
        metavar="NAME",
        help="profile only these parameters (default every fitted parameter)",
    )
    add_seed(parser)
    add_threads(parser)
    add_out(parser, "runs/identify/")
    parser.add_argument(
        "--no-svg",
        action="store_true",
        help="write the figures as PNG only (as results/ keeps them)",
    )
    parser.add_argument(
        "--apply", action="store_true",
        help="write the tolerated ranges as the calibration file's low/high (values and "
        "posterior sample unchanged)",
    )  # fmt: skip
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Profile, write ``runs/identify/`` (or ``--out``); ``--apply`` writes the ranges."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.calibrate import fitted_names
    from sim.experiments.calibration_file import write_ranges
    from sim.experiments.identify import Identification
    from sim.paths import locate

    use_cores(args)
    require_count("--runs", args.runs)
    require_count("--forecast-runs", args.forecast_runs)
    require_count("--joint-sets", args.joint_sets)
    require_count("--joint-runs", args.joint_runs)
    if not 0.0 < args.joint_share <= 1.0:
        raise InputError("--joint-share", "", f"must be a share in (0, 1], got {args.joint_share}")
    seed = seed_of(args)
    if not 0.0 < args.tolerance < 1.0:
        raise InputError("--tolerance", "", f"must be above 0 and below 1, got {args.tolerance}")
    hindcast, baseline = fit_inputs(args)
    wedge = load_inputs(locate(args.wedge))
    if args.parameters:
        names = fitted_names(hindcast.calibration)
        unknown = [n for n in args.parameters if n not in names]
        if unknown:
            raise InputError(
                "--parameters", "", f"{', '.join(unknown)} not fitted; allowed: {', '.join(names)}"
            )
    experiment = Identification(
        hindcast, baseline, wedge,
        parameters=tuple(args.parameters) if args.parameters else None,
        runs=args.runs, forecast_runs=args.forecast_runs, tolerance=args.tolerance,
        joint_sets=args.joint_sets, joint_runs=args.joint_runs, joint_share=args.joint_share,
    )  # fmt: skip
    out = Path(args.out) if args.out else default_out("identify")
    formats = ("png",) if args.no_svg else ("png", "svg")
    result = execute(experiment, args, out, seed, formats=formats)
    if args.apply:
        found = result.payload
        target = Path(hindcast.calibration.path)
        write_ranges(
            hindcast.calibration, found.applied(), target, found.command, args.tolerance,
            found.joint.chosen, f"{100 * found.passing_share():.0f}%",
        )  # fmt: skip
        print(
            f"wrote the tolerated ranges shrunk by {found.joint.chosen:g} into {target}; "
            "run `wedge docs`"
        )
    return 0


COMMAND = Command(
    "identify",
    "how tightly history pins each fitted parameter, and what that does to a 2024 forecast",
    arguments,
    main,
)
