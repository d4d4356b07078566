"""``wedge calibrate``: fit the behaviour parameters to history."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_seed,
    default_out,
    require_count,
    seed_of,
)
from sim.scenario.errors import InputError


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge calibrate``."""
    parser.add_argument(
        "--hindcast",
        default="scenarios/history/sino_soviet_1949.toml",
        metavar="FILE",
        help="the history scenario the sets are scored on (default %(default)s)",
    )
    parser.add_argument(
        "--baseline",
        default="scenarios/baseline_2024.toml",
        metavar="FILE",
        help="the 2024 scenario every kept set must give the 2018-2024 picture in "
        "(default %(default)s)",
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
    add_seed(parser)
    add_out(parser, "runs/calibration/")
    parser.add_argument(
        "--apply", action="store_true",
        help="write the fit into the calibration file and its posterior sample",
    )  # fmt: skip
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    import shutil

    from sim.engine.ensemble import load_inputs, run_chunk
    from sim.experiments.calibrate import (
        PRESENT_YEARS,
        calibrate,
        present_day_ok,
        report,
        write_calibration_file,
    )
    from sim.experiments.history.scorecard import misses
    from sim.experiments.history.targets import tightened
    from sim.experiments.validate import fit_episode, snapshot_years
    from sim.io import replacing
    from sim.paths import locate

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
        if not ok:
            raise InputError(flag, "", f"must be {allowed}, got {value}")
    args.seed = seed_of(args)
    hindcast = load_inputs(locate(args.hindcast))
    if args.around and hindcast.calibration.posterior is None:
        raise InputError(
            hindcast.calibration.path, "posterior",
            "--around needs a calibration file that names a posterior sample",
        )  # fmt: skip
    baseline = load_inputs(locate(args.baseline))
    episode = fit_episode()
    years = snapshot_years(hindcast, episode)
    codes = list(hindcast.scenario.actors)
    thr = hindcast.scenario.outcomes.model_dump()
    start = hindcast.scenario.time.start

    bars = tightened(args.margin, episode.targets)

    def score(runs):
        return misses(runs, codes, episode, thr, start, bars).add_prefix("miss_")

    def present(runs):
        return present_day_ok(runs, baseline.scenario.outcomes.model_dump())

    before_runs = run_chunk(
        hindcast, args.seed, 0, args.replicates * 10, paths=False, sample=False, snapshots=years
    ).runs
    before = score(before_runs)
    began = time.perf_counter()
    result = calibrate(
        hindcast, baseline, score, present, years, PRESENT_YEARS, sets=args.sets,
        replicates=args.replicates, accept=args.accept, widen=args.widen, seed=args.seed,
        verify=args.verify, candidates=args.candidates, around=args.around,
    )  # fmt: skip
    if result.accepted.empty:
        print(
            "wedge: no parameter set gave the present-day picture; nothing written", file=sys.stderr
        )
        return 1
    command = (
        f"wedge calibrate --hindcast {args.hindcast} --baseline {args.baseline} "
        f"--sets {args.sets} --replicates {args.replicates} --accept {args.accept:g} "
        f"--widen {args.widen:g} --verify {args.verify}"
        + (f" --candidates {args.candidates}" if args.candidates is not None else "")
        + (" --around" if args.around else "")
        + (f" --margin {args.margin:g}" if args.margin else "")
        + f" --seed {args.seed}"
    )
    out = Path(args.out) if args.out else default_out("calibration")
    with replacing(out) as tmp:
        result.table.to_parquet(tmp / "sets.parquet", index=False)
        result.accepted.to_csv(tmp / "accepted.csv", index=False)
        (tmp / "report.md").write_text(report(result, before, command))
        note = (
            f"{args.sets} sets x {args.replicates} runs, the closest "
            f"{int(result.table['verified'].sum())} verified with {args.verify} runs, "
            f"{len(result.accepted)} kept, seed {args.seed}"
        )
        write_calibration_file(result, hindcast.calibration, tmp / "calibration.toml", note)
    print(report(result, before, command))
    print(f"calibrated in {time.perf_counter() - began:.0f} s; results in {out}/")
    if args.apply:
        target = Path(hindcast.calibration.path)
        shutil.copyfile(out / "calibration.toml", target)
        shutil.copyfile(
            out / "calibration_posterior.csv", target.with_name(f"{target.stem}_posterior.csv")
        )
        print(f"wrote {target} and its posterior; run `wedge docs` and `wedge validate`")
    return 0


COMMAND = Command(
    "calibrate",
    "fit the behaviour parameters to the 1949-1975 hindcast (ABC)",
    arguments,
    main,
)
