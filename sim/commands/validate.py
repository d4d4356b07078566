"""``wedge validate [EPISODE ...]``: score the model on history episodes, one scorecard each."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.base import (
    Command,
    Part,
    Settings,
    Shipped,
    add_episodes,
    add_world_options,
    default_out,
    execute,
    executor_of,
    require_count,
    seed_of,
)

if TYPE_CHECKING:
    from sim.experiments.base import Experiment


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge validate``."""
    add_episodes(parser)
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="score this scenario in place of the episode's hindcast (one episode only; "
        "without an episode file, the shipped episode whose years it covers)",
    )
    parser.add_argument(
        "--calibration",
        metavar="FILE",
        help="score with this calibration file (and the posterior sample beside it) in place "
        "of the one each scenario names: a fit's calibration.toml, to score a fit to one "
        "episode on another",
    )
    add_world_options(parser, "runs/validation/", runs="runs per episode")


def main(args: argparse.Namespace) -> int:
    """Run every episode's hindcast, write one scorecard per episode and a summary."""
    from sim.experiments.validate import Validate, hindcasts
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    chosen = hindcasts(
        [locate(e) for e in args.episodes],
        locate(args.scenario) if args.scenario else None,
        args.calibration,
    )
    out = Path(args.out) if args.out else default_out("validation")
    with executor_of(args) as (executor, _):
        execute(Validate(tuple(chosen), args.runs), args, out, seed, executor)
    return 0


def shipped_parts(settings: Settings, seed: int) -> list[Part]:
    """One part, ``validation``: every shipped episode (each loads with its scenario first)."""
    from sim.experiments.validate import hindcasts

    hindcasts()
    return [Part("validate", "validation", None, seed)]


def shipped_experiment(part: Part, settings: Settings, folder: Path) -> Experiment:
    """The validation on every shipped episode."""
    from sim.experiments.validate import Validate, hindcasts

    return Validate(tuple(hindcasts()), settings.runs)


def shipped_command(part: Part, settings: Settings, out: str) -> str:
    """``wedge validate`` of every shipped episode."""
    return f"wedge validate --runs {settings.runs} --seed {part.seed} --out {out}"


COMMAND = Command(
    "validate",
    "score the model on history episodes (default: all shipped): a scorecard per episode",
    arguments,
    main,
    shipped=Shipped(shipped_parts, shipped_experiment, shipped_command),
)
