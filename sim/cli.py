"""The ``wedge`` command.

``wedge run SCENARIO`` runs a scenario and writes its results folder;
``wedge schema`` prints the JSON Schema of scenario files; ``wedge docs``
regenerates the generated parts of ``docs/``. A bad input file ends in one
line naming the file, the field and what is allowed, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from sim.scenario.errors import InputError

EXIT_BAD_INPUT = 2


def _require_count(flag: str, value: int | None) -> None:
    """One-line bad input unless ``value`` (runs, sets, workers...) is at least 1 or unset."""
    if value is not None and value < 1:
        raise InputError(flag, "", f"must be at least 1, got {value}")


def _require_seed(seed: int) -> None:
    """One-line bad input unless the root seed is usable by ``SeedSequence`` (>= 0)."""
    if seed < 0:
        raise InputError("--seed", "", f"must be a non-negative integer, got {seed}")


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.engine.ensemble import load_inputs, run_ensemble
    from sim.io import argv, write_results
    from sim.views.run import format_summary_table

    _require_count("--runs", args.runs)
    _require_seed(args.seed)
    inputs = load_inputs(args.scenario)
    sc = inputs.scenario
    out = Path(args.out) if args.out else Path("results") / sc.name
    steps = round((sc.time.horizon - sc.time.start) / sc.time.step)
    began = time.perf_counter()
    with tqdm(
        total=args.runs * steps,
        unit=" world-steps",
        unit_scale=True,
        disable=None if not args.quiet else True,
        desc=sc.name,
        file=sys.stderr,
    ) as bar:
        result = run_ensemble(inputs, runs=args.runs, seed=args.seed, progress=bar.update)
    seconds = time.perf_counter() - began
    write_results(result, out, argv(), seconds)
    print(format_summary_table(result.summary()))
    print(f"\n{args.runs} runs in {seconds:.1f} s; results in {out}/ (report.md)")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.engine.sweep import load_sweep, run_sweep
    from sim.experiments.sweep_analysis import analyse
    from sim.views.sweep import write_sweep_outputs

    if args.workers < 1:
        raise InputError("--workers", "", f"must be at least 1, got {args.workers}")
    plan = load_sweep(args.sweep)
    out = Path(args.out) if args.out else Path("results") / "sweeps" / plan.sweep.name
    total = plan.runs_per_scenario * len(plan.inputs)
    executor, closer, workers = None, None, args.workers
    if args.scheduler:
        executor, closer, workers = _dask_executor(args.scheduler, args.workers)
    began = time.perf_counter()
    try:
        with tqdm(
            total=total, unit=" runs", unit_scale=True, disable=None if not args.quiet else True,
            desc=plan.sweep.name, file=sys.stderr,
        ) as bar:  # fmt: skip
            record = run_sweep(
                plan, out, executor=executor, workers=workers, resume=args.resume,
                progress=bar.update,
            )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"wedge: interrupted; finished chunks are kept in {out}/; rerun with --resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if closer is not None:
            closer()
    summary = analyse(plan, out, record)
    write_sweep_outputs(plan, out, summary)
    seconds = time.perf_counter() - began
    print(
        f"{summary['runs']} runs ({record['done']} chunks run, {record['skipped']} kept) "
        f"in {seconds:.1f} s"
    )
    for scenario, entry in summary["overall"].items():
        p = entry["p_split"]
        print(
            f"{scenario}: P(split) over the design {p['value']:.3f} "
            f"[{p['low']:.3f}, {p['high']:.3f}]"
        )
    for box in summary.get("discovery", []):
        print(f"  {box['sentence']}")
    if record["failed"]:
        print(
            f"wedge: {len(record['failed'])} chunk(s) failed; see *.error.json in {out}/chunks/",
            file=sys.stderr,
        )
        return 1
    print(f"results in {out}/ (report.md)")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.engine.ensemble import load_inputs
    from sim.experiments.validate import (
        default_scenario,
        format_scorecard,
        validate,
        write_validation,
    )
    from sim.io import argv

    _require_count("--runs", args.runs)
    _require_seed(args.seed)
    inputs = load_inputs(args.scenario or default_scenario())
    sc = inputs.scenario
    out = Path(args.out)
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


def _factors(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import default_scenarios, directions, run_factors, write_factors
    from sim.io import argv

    _require_count("--runs", args.runs)
    _require_seed(args.seed)
    present_file, past_file = default_scenarios()
    present = load_inputs(args.present or present_file)
    past = load_inputs(args.past or past_file)
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
    out = Path(args.out)
    write_factors(res, out, argv(), seconds)
    for _, r in res.table.iterrows():
        print(
            f"{r['direction']} {r['case']:<13} P(split) {r['p_split']:6.1%} "
            f"[{r['p_split_low']:.1%}, {r['p_split_high']:.1%}]  "
            f"P(rupture) {r['p_rupture']:6.1%}"
        )
    print(f"\n{14 * args.runs} runs in {seconds:.1f} s; results in {out}/ (report.md)")
    return 0


def _dask_executor(scheduler: str, workers: int) -> tuple:
    """A Dask executor (``local`` starts a LocalCluster), a closer, and the cluster's workers."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler == "local":
        # distributed sets MALLOC_TRIM_THRESHOLD_ in its workers, which turns off glibc's
        # adaptive mmap threshold: every numpy temporary is then freshly mapped, doubling
        # the time of a chunk (benchmarks/README.md). Leave glibc's default.
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

    else:
        client = Client(scheduler)
        close = client.close
    size = max(1, len(client.scheduler_info().get("workers", {})))
    return client.get_executor(pure=False), close, size


def _calibrate(args: argparse.Namespace) -> int:
    import shutil

    from sim.engine.ensemble import load_inputs, run_chunk
    from sim.experiments.calibrate import (
        PRESENT_YEARS,
        calibrate,
        present_day_ok,
        report,
        write_calibration_file,
    )
    from sim.experiments.validate import check_hindcast, misses, tightened
    from sim.io import replacing

    for flag, count in (
        ("--sets", args.sets), ("--replicates", args.replicates), ("--candidates", args.candidates),
    ):  # fmt: skip
        _require_count(flag, count)
    for flag, value, ok, allowed in (
        ("--accept", args.accept, 0.0 < args.accept <= 1.0, "a share in (0, 1]"),
        ("--verify", args.verify, args.verify >= 0, "0 (skip) or more"),
        ("--widen", args.widen, args.widen >= 0.0, "0 or more"),
        ("--margin", args.margin, 0.0 <= args.margin < 0.5, "at least 0 and below 0.5"),
    ):
        if not ok:
            raise InputError(flag, "", f"must be {allowed}, got {value}")
    _require_seed(args.seed)
    hindcast = load_inputs(args.hindcast)
    if args.around and hindcast.calibration.posterior is None:
        raise InputError(
            hindcast.calibration.path, "posterior",
            "--around needs a calibration file that names a posterior sample",
        )  # fmt: skip
    baseline = load_inputs(args.baseline)
    years = check_hindcast(hindcast)
    codes = list(hindcast.scenario.actors)
    thr = hindcast.scenario.outcomes.model_dump()
    start = hindcast.scenario.time.start

    bars = tightened(args.margin)

    def score(runs):
        return misses(runs, codes, thr, start, bars).add_prefix("miss_")

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
    out = Path(args.out)
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


def _identify(args: argparse.Namespace) -> int:
    from sim.engine.ensemble import load_inputs
    from sim.experiments import identify
    from sim.io import replacing

    _require_count("--runs", args.runs)
    _require_count("--forecast-runs", args.forecast_runs)
    _require_count("--joint-sets", args.joint_sets)
    _require_count("--joint-runs", args.joint_runs)
    if not 0.0 < args.joint_share <= 1.0:
        raise InputError("--joint-share", "", f"must be a share in (0, 1], got {args.joint_share}")
    _require_seed(args.seed)
    if not 0.0 < args.tolerance < 1.0:
        raise InputError("--tolerance", "", f"must be above 0 and below 1, got {args.tolerance}")
    hindcast = load_inputs(args.hindcast)
    baseline, wedge = load_inputs(args.baseline), load_inputs(args.wedge)
    names = identify.fitted_names(hindcast.calibration)
    if args.parameters:
        unknown = [n for n in args.parameters if n not in names]
        if unknown:
            raise InputError(
                "--parameters", "", f"{', '.join(unknown)} not fitted; allowed: {', '.join(names)}"
            )
        names = list(args.parameters)
    began = time.perf_counter()

    def say(stage: str):
        return None if args.quiet else lambda name: print(f"  {stage}: {name}", flush=True)

    moves = identify.profile(
        hindcast, names, args.runs, args.seed, baseline, progress=say("profiled")
    )
    bounds = identify.ranges(moves, args.tolerance)
    effect = identify.forecast_effect(
        wedge, bounds, args.forecast_runs, args.seed, progress=say("2024 forecast at range ends")
    )
    table = identify.summary_table(bounds, effect)
    check, bar = identify.joint_check(
        hindcast, baseline, bounds, args.joint_sets, args.joint_runs, args.seed, args.tolerance
    )
    joint = identify.Joint(
        check, bar, args.joint_share, identify.chosen_shrink(check, args.joint_share),
        args.joint_runs,
    )  # fmt: skip
    command = (
        f"wedge identify --hindcast {args.hindcast} --baseline {args.baseline} "
        f"--wedge {args.wedge} --runs {args.runs} --forecast-runs {args.forecast_runs} "
        f"--tolerance {args.tolerance:g} --joint-sets {args.joint_sets} "
        f"--joint-runs {args.joint_runs} --joint-share {args.joint_share:g} --seed {args.seed}"
        + (f" --parameters {' '.join(args.parameters)}" if args.parameters else "")
    )
    wedge_name = wedge.scenario.name
    text = identify.markdown_report(
        table, effect, args.tolerance, args.runs, args.forecast_runs, args.seed, wedge_name,
        command, joint,
    )  # fmt: skip
    out = Path(args.out)
    with replacing(out) as tmp:
        formats = ("png",) if args.no_svg else ("png", "svg")
        identify.write(tmp, table, moves, effect, text, wedge_name, formats, joint)
    print(
        f"profiled {len(names)} parameters in {time.perf_counter() - began:.0f} s; "
        f"report in {out / 'report.md'}"
    )
    if args.apply:
        target = Path(hindcast.calibration.path)
        passing = check.loc[check["shrink"] == joint.chosen, "share"].iloc[0]
        identify.write_ranges(
            hindcast.calibration, identify.shrunk(bounds, joint.chosen), target, command,
            args.tolerance, joint.chosen, f"{100 * passing:.0f}%",
        )  # fmt: skip
        print(
            f"wrote the tolerated ranges shrunk by {joint.chosen:g} into {target}; run `wedge docs`"
        )
    return 0


def _reference(args: argparse.Namespace) -> int:
    from sim.reference import Options, StepError, default_workers, regenerate

    for flag, value in (
        ("--runs", args.runs), ("--sweep-runs", args.sweep_runs), ("--workers", args.workers),
    ):  # fmt: skip
        _require_count(flag, value)
    _require_seed(args.seed)
    workers = args.workers if args.workers is not None else default_workers()
    options = Options(
        out=Path(args.out), runs=args.runs, sweep_runs=args.sweep_runs, workers=workers,
        seed=args.seed, quiet=args.quiet,
    )  # fmt: skip
    began = time.perf_counter()
    try:
        made = regenerate(options, report=None if args.quiet else print)
    except StepError as exc:
        print(f"wedge: reference: {exc}; {args.out}/ was left as it was", file=sys.stderr)
        return 1
    print(
        f"{len(made.parts)} parts regenerated in {time.perf_counter() - began:.0f} s; "
        f"index in {Path(args.out) / 'README.md'}"
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from sim.scenario.schema import Scenario
    from sim.scenario.sweep import Sweep

    model = Sweep if args.sweep else Scenario
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from sim.docs import write_docs

    for path in write_docs(Path(args.dir)):
        print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``wedge``."""
    from sim.defaults import DEFAULT_SEED

    p = argparse.ArgumentParser(
        prog="wedge",
        description="Could the United States split China and Russia? Agent-based scenarios.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario file and write its results folder")
    run.add_argument("scenario", help="scenario TOML file, e.g. scenarios/us_offer_to_moscow.toml")
    run.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (default 1000)")
    run.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})"
    )
    run.add_argument("--out", help="results folder (default results/<scenario name>/)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_run)
    sweep = sub.add_parser("sweep", help="run a sweep file: designs over levers and uncertainties")
    sweep.add_argument("sweep", help="sweep TOML file, e.g. scenarios/sweeps/offer_vs_threat.toml")
    sweep.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    sweep.add_argument(
        "--scheduler", help="Dask scheduler ADDRESS, or `local` for a LocalCluster of --workers"
    )
    sweep.add_argument("--out", help="sweep folder (default results/sweeps/<name>/)")
    sweep.add_argument(
        "--resume", action="store_true", help="keep finished chunks of an earlier run"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(func=_sweep)
    validate = sub.add_parser(
        "validate", help="score the 1949-1975 hindcast against history (writes a scorecard)"
    )
    validate.add_argument(
        "--scenario",
        help="hindcast scenario (default scenarios/history/sino_soviet_1949.toml)",
    )
    validate.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs (default 1000)")
    validate.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})"
    )
    validate.add_argument(
        "--out", default="results/validation", help="folder (default results/validation/)"
    )
    validate.set_defaults(func=_validate)
    factors = sub.add_parser(
        "factors",
        help="the five-factor experiment: swap each factor between 1949 and 2024, "
        "one at a time and all together",
    )
    factors.add_argument("--runs", type=int, default=1000, help="runs per case (default 1000)")
    factors.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})"
    )
    factors.add_argument(
        "--out", default="results/factors", help="folder (default results/factors/)"
    )
    factors.add_argument(
        "--present", help="present scenario (default scenarios/baseline_2024.toml)"
    )
    factors.add_argument(
        "--past", help="past scenario (default scenarios/history/sino_soviet_1949.toml)"
    )
    factors.add_argument("--quiet", action="store_true", help="no progress bar")
    factors.set_defaults(func=_factors)
    ref = sub.add_parser(
        "reference",
        help="regenerate results/: every shipped scenario and sweep, the validation and the "
        "five-factor experiment, with an index",
    )
    ref.add_argument("--out", default="results", help="results folder (default results/)")
    ref.add_argument(
        "--runs", type=int, default=1000,
        help="runs per scenario, validation and factor case (default 1000)",
    )  # fmt: skip
    ref.add_argument(
        "--sweep-runs", type=int,
        help="runs per design point of every sweep (default: each sweep file's replicates)",
    )  # fmt: skip
    ref.add_argument(
        "--workers", type=int, help="worker processes for the sweeps (default 2, or 1 on one core)"
    )
    ref.add_argument(
        "--seed", type=int, default=DEFAULT_SEED,
        help=f"root seed of scenarios, validation and factors (default {DEFAULT_SEED}); "
        "sweeps keep their own",
    )  # fmt: skip
    ref.add_argument("--quiet", action="store_true", help="no progress bars or step lines")
    ref.set_defaults(func=_reference)
    cal = sub.add_parser("calibrate", help="fit the behaviour parameters to the 1949-1975 hindcast")
    cal.add_argument("--hindcast", default="scenarios/history/sino_soviet_1949.toml")
    cal.add_argument("--baseline", default="scenarios/baseline_2024.toml")
    cal.add_argument("--sets", type=int, default=600, help="parameter sets drawn (default 600)")
    cal.add_argument("--replicates", type=int, default=20, help="runs per set (default 20)")
    cal.add_argument("--accept", type=float, default=0.05, help="share of sets kept (default 0.05)")
    cal.add_argument(
        "--verify", type=int, default=200,
        help="runs per set when the closest sets are run again (default 200; 0 skips)",
    )  # fmt: skip
    cal.add_argument(
        "--candidates", type=int,
        help="how many of the closest sets are run again (default ten times as many as kept)",
    )  # fmt: skip
    cal.add_argument("--widen", type=float, default=0.5, help="prior widening (default 0.5)")
    cal.add_argument(
        "--around", action="store_true",
        help="draw the sets around the calibration's posterior sample, with importance "
        "weights (an ABC-PMC population step), instead of over the whole prior",
    )  # fmt: skip
    cal.add_argument(
        "--margin", type=float, default=0.0,
        help="fit to targets whose least shares of runs and least rises are raised by this "
        "much (default 0), so that sets meeting the scorecard's bars only by luck are not kept",
    )  # fmt: skip
    cal.add_argument("--seed", type=int, default=1972)
    cal.add_argument("--out", default="results/calibration")
    cal.add_argument("--apply", action="store_true", help="write the fit into the calibration file")
    cal.set_defaults(func=_calibrate)
    ident = sub.add_parser(
        "identify",
        help="how tightly the hindcast pins each fitted parameter, one at a time, and what "
        "its tolerated range does to a 2024 forecast",
    )  # fmt: skip
    ident.add_argument("--hindcast", default="scenarios/history/sino_soviet_1949.toml")
    ident.add_argument("--baseline", default="scenarios/baseline_2024.toml")
    ident.add_argument(
        "--wedge", default="scenarios/us_offer_to_moscow.toml",
        help="2024 scenario whose P(rupture) and P(split) are read at the range ends",
    )  # fmt: skip
    ident.add_argument("--runs", type=int, default=300, help="hindcast worlds per move (300)")
    ident.add_argument(
        "--forecast-runs", type=int, default=1000, help="2024 worlds per range end (1000)"
    )
    ident.add_argument(
        "--tolerance", type=float, default=0.05,
        help="how much worse than the fit's distance to history a move may be (default 0.05: "
        "half a year, or 0.05 of a share or relation)",
    )  # fmt: skip
    ident.add_argument(
        "--joint-sets", type=int, default=200,
        help="parameter sets drawn jointly over the ranges at each shrink factor (200)",
    )  # fmt: skip
    ident.add_argument(
        "--joint-runs", type=int, default=60, help="hindcast worlds per joint draw (60)"
    )
    ident.add_argument(
        "--joint-share", type=float, default=0.8,
        help="least share of joint draws that must fit history as well as the fit; the "
        "ranges --apply writes are shrunk toward the fit until it is reached (0.8)",
    )  # fmt: skip
    ident.add_argument("--parameters", nargs="+", help="profile only these parameters")
    ident.add_argument("--seed", type=int, default=1972)
    ident.add_argument("--out", default="results/identify")
    ident.add_argument("--quiet", action="store_true", help="do not list parameters as they finish")
    ident.add_argument(
        "--no-svg", action="store_true", help="write the figure as PNG only (as results/ keeps it)"
    )
    ident.add_argument(
        "--apply", action="store_true",
        help="write the tolerated ranges as the calibration file's low/high (values and "
        "posterior sample unchanged)",
    )  # fmt: skip
    ident.set_defaults(func=_identify)
    schema = sub.add_parser("schema", help="print the JSON Schema of scenario (or sweep) files")
    schema.add_argument("--sweep", action="store_true", help="the schema of sweep files instead")
    schema.set_defaults(func=_schema)
    docs = sub.add_parser("docs", help="regenerate docs/scenarios.md and the ODD parameter table")
    docs.add_argument("--dir", default="docs", help="docs folder (default docs/)")
    docs.set_defaults(func=_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, dispatch, and turn bad input into one line and exit 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"wedge: error: {exc.line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("wedge: interrupted; no results were written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
