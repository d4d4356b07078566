"""``wedge run SCENARIO``: run a scenario file's ensemble and write its results folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.base import (
    Command,
    Part,
    Settings,
    Shipped,
    add_world_options,
    default_out,
    execute,
    executor_of,
    require_count,
    seed_of,
    shown,
)

if TYPE_CHECKING:
    from sim.experiments.base import Experiment


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge run``."""
    parser.add_argument(
        "scenario", help="scenario TOML file, e.g. scenarios/us_offer_to_moscow.toml"
    )
    add_world_options(parser, "runs/<scenario name>/")


def main(args: argparse.Namespace) -> int:
    """Run the scenario, write ``runs/<name>/`` (or ``--out``), print the headline table."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.run import RunScenario
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    inputs = load_inputs(locate(args.scenario))
    out = Path(args.out) if args.out else default_out(inputs.scenario.name)
    with executor_of(args) as (executor, _):
        execute(RunScenario(inputs, args.runs), args, out, seed, executor)
    return 0


def shipped_parts(settings: Settings, seed: int) -> list[Part]:
    """One part per shipped scenario (``scenarios/*.toml`` but the calibration), by its name."""
    from sim.scenario.loader import load_scenario

    parts = []
    for path in sorted((settings.root / "scenarios").glob("*.toml")):
        if path.stem.startswith("calibration"):
            continue  # behaviour parameters, not a situation
        parts.append(Part("run", load_scenario(path).name, path, seed))
    return parts


def shipped_experiment(part: Part, settings: Settings, folder: Path) -> Experiment:
    """The run of one shipped scenario."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.run import RunScenario

    return RunScenario(load_inputs(part.source), settings.runs)  # type: ignore[arg-type]


def shipped_command(part: Part, settings: Settings, out: str) -> str:
    """``wedge run`` of one shipped scenario alone."""
    source = shown(part.source, settings.root)
    return f"wedge run {source} --runs {settings.runs} --seed {part.seed} --out {out}"


COMMAND = Command(
    "run",
    "run a scenario file: Monte Carlo worlds, results folder with tables, plots and report",
    arguments,
    main,
    shipped=Shipped(shipped_parts, shipped_experiment, shipped_command),
)
