"""``wedge calibrate``: fit the behaviour parameters to history."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_fit_inputs,
    add_out,
    add_quiet,
    add_seed,
    add_threads,
    default_out,
    execute,
    fit_inputs,
    require,
    require_count,
    seed_of,
    stderr,
    use_cores,
)
from sim.scenario.errors import InputError


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge calibrate``."""
    add_fit_inputs(
        parser,
        "the sets are scored on",
        "every kept set must give the 2018-2024 picture in",
    )
    parser.add_argument(
        "--sets", type=int, default=600, metavar="N", help="parameter sets drawn (default 600)"
    )
    parser.add_argument(
        "--replicates", type=int, default=20, metavar="N", help="runs per set (default 20)"
    )
    parser.add_argument(
        "--accept", type=float, default=0.05, metavar="SHARE",
        help="share of sets kept (default 0.05)",
    )  # fmt: skip
    parser.add_argument(
        "--verify", type=int, default=200, metavar="N",
        help="runs per set when the closest sets are run again (default 200; 0 skips)",
    )  # fmt: skip
    parser.add_argument(
        "--candidates", type=int, metavar="N",
        help="how many of the closest sets are run again (default ten times as many as kept)",
    )  # fmt: skip
    parser.add_argument(
        "--widen", type=float, default=0.5, metavar="SHARE",
        help="prior: the calibration file's ranges widened by this share each way (default 0.5)",
    )  # fmt: skip
    parser.add_argument(
        "--around", action="store_true",
        help="draw the sets around the calibration's posterior sample, with importance "
        "weights (an ABC-PMC population step), instead of over the whole prior",
    )  # fmt: skip
    parser.add_argument(
        "--margin", type=float, default=0.0, metavar="M",
        help="fit to targets whose least shares of runs and least rises are raised by this "
        "much (default 0), so that sets meeting the scorecard's bars only by luck are not kept",
    )  # fmt: skip
    history = parser.add_argument_group(
        "history matching (--method history): a few parameters fitted to both episodes"
    )
    history.add_argument(
        "--method", choices=("abc", "history"), default="abc",
        help="abc: rejection ABC of every fitted parameter on the 1949-1975 hindcast (default); "
        "history: history matching of --fit on every shipped episode and the present day",
    )  # fmt: skip
    history.add_argument(
        "--fit", metavar="NAMES",
        help="comma-separated parameters to fit (default: the fifteen of "
        "sim.experiments.history_match.CORE)",
    )  # fmt: skip
    for flag, default, what in (
        ("--waves", 4, "waves of history matching"),
        ("--design", 1000, "sets run in each wave"),
        ("--runs", 100, "worlds per set and scenario"),
        ("--samples", 2000, "sets drawn from the region left and run again"),
    ):
        history.add_argument(flag, type=int, default=default, metavar="N",
                             help=f"{what} (default {default})")  # fmt: skip
    history.add_argument(
        "--epsilon", type=float, default=0.05, metavar="D",
        help="distance to history that accepts a sampled set (default 0.05)",
    )  # fmt: skip
    history.add_argument(
        "--cutoff", type=float, default=3.0, metavar="SD",
        help="implausibility cut-off, in standard deviations (default 3)",
    )  # fmt: skip
    history.add_argument(
        "--prior-factor", type=float, default=3.0, metavar="F",
        help="each prior holds the judgement and the current value, this factor beyond either "
        "(default 3)",
    )  # fmt: skip
    history.add_argument(
        "--resume", action="store_true",
        help="reuse the waves already written in the results folder (the same fit, resumed)",
    )  # fmt: skip
    add_seed(parser)
    add_threads(parser)
    add_out(parser, "runs/calibration/")
    parser.add_argument(
        "--apply", action="store_true",
        help="write the fit into the calibration file and its posterior sample",
    )  # fmt: skip
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Fit, write ``runs/calibration/`` (or ``--out``); ``--apply`` installs the fit."""
    from sim.experiments.calibrate import FitToHistory, NothingAcceptedError

    for flag, count in (
        ("--sets", args.sets), ("--replicates", args.replicates), ("--candidates", args.candidates),
    ):  # fmt: skip
        require_count(flag, count)
    for flag, value, ok, allowed in (
        ("--accept", args.accept, 0.0 < args.accept <= 1.0, "a share in (0, 1]"),
        ("--verify", args.verify, args.verify >= 0, "0 (skip) or more"),
        ("--widen", args.widen, args.widen >= 0.0, "0 or more"),
        ("--margin", args.margin, 0.0 <= args.margin < 0.5, "at least 0 and below 0.5"),
    ):
        require(flag, value, ok, allowed)
    use_cores(args)
    seed = seed_of(args)
    if args.method == "history":
        return _history(args, seed)
    hindcast, baseline = fit_inputs(args)
    if args.around and hindcast.calibration.posterior is None:
        raise InputError(
            hindcast.calibration.path, "posterior",
            "--around needs a calibration file that names a posterior sample",
        )  # fmt: skip
    experiment = FitToHistory(
        hindcast, baseline, sets=args.sets, replicates=args.replicates, accept=args.accept,
        verify=args.verify, candidates=args.candidates, widen=args.widen, around=args.around,
        margin=args.margin,
    )  # fmt: skip
    out = Path(args.out) if args.out else default_out("calibration")
    try:
        execute(experiment, args, out, seed)
    except NothingAcceptedError:
        stderr("wedge: no parameter set gave the present-day picture; nothing written")
        return 1
    if args.apply:
        install(out, hindcast.calibration.path)
    return 0


def _history(args: argparse.Namespace, seed: int) -> int:
    """``--method history``: match, sample, write; ``--apply`` installs the fit."""
    import shutil

    from sim.engine.ensemble import load_inputs
    from sim.experiments.history_match import CORE, HistoryRuledOutError, MatchHistory
    from sim.experiments.validate import hindcasts
    from sim.paths import locate
    from sim.scenario.calibration import PARAMETERS

    for flag in ("--waves", "--design", "--runs", "--samples"):
        require_count(flag, getattr(args, flag.lstrip("-")))
    for flag, value, ok, allowed in (
        ("--epsilon", args.epsilon, args.epsilon > 0.0, "above 0"),
        ("--cutoff", args.cutoff, args.cutoff > 0.0, "above 0"),
        ("--prior-factor", args.prior_factor, args.prior_factor >= 1.0, "at least 1"),
    ):
        require(flag, value, ok, allowed)
    names = tuple(n.strip() for n in args.fit.split(",") if n.strip()) if args.fit else CORE
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown or not names or len(set(names)) != len(names):
        raise InputError("--fit", "", f"must name distinct behaviour parameters (docs/ODD.md); "
                         f"not one: {', '.join(unknown) or args.fit!r}")  # fmt: skip
    out = Path(args.out) if args.out else default_out("calibration")
    if not args.resume and (out / "waves").exists():
        shutil.rmtree(out / "waves")
    episodes = tuple(hindcasts())
    baseline = load_inputs(locate(args.baseline))
    experiment = MatchHistory(
        episodes, baseline, names, waves=args.waves, design=args.design, runs=args.runs,
        samples=args.samples, epsilon=args.epsilon, cutoff=args.cutoff,
        factor=args.prior_factor, folder=out,
    )  # fmt: skip
    try:
        execute(experiment, args, out, seed)
    except HistoryRuledOutError as err:
        stderr(
            f"wedge: {err}; waves and sampled sets kept in {out}/waves (--resume); "
            "nothing else written"
        )
        return 1
    if args.apply:
        install(out, episodes[0].inputs.calibration.path)
    return 0


def install(out: Path, calibration: str | Path) -> None:
    """``--apply``: copy a fit's ``calibration.toml`` and posterior over ``calibration``."""
    import shutil

    target = Path(calibration)
    shutil.copyfile(out / "calibration.toml", target)
    shutil.copyfile(
        out / "calibration_posterior.csv", target.with_name(f"{target.stem}_posterior.csv")
    )
    print(f"wrote {target} and its posterior; run `wedge docs` and `wedge validate`")


COMMAND = Command(
    "calibrate",
    "fit the behaviour parameters to history (ABC, or history matching of a few)",
    arguments,
    main,
)
