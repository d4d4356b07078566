"""``wedge factors``: the five-factor experiment."""

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
)

if TYPE_CHECKING:
    from sim.experiments.base import Experiment

PRESENT = Path("scenarios") / "baseline_2024.toml"
PAST = Path("scenarios") / "history" / "sino_soviet_1949.toml"
"""The two eras of the experiment, inside the project (the defaults of --present, --past)."""


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge factors``."""
    add_world_options(parser, "runs/factors/", runs="runs per case (14 cases)")
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


def main(args: argparse.Namespace) -> int:
    """Run the 14 cases, write ``runs/factors/`` (or ``--out``), print a line per case."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import FiveFactors, directions
    from sim.paths import locate

    require_count("--runs", args.runs)
    seed = seed_of(args)
    present = load_inputs(locate(args.present or PRESENT))
    past = load_inputs(locate(args.past or PAST))
    directions(present, past)  # checks the pair before any run
    out = Path(args.out) if args.out else default_out("factors")
    with executor_of(args) as (executor, _):
        execute(FiveFactors(present, past, args.runs), args, out, seed, executor)
    return 0


def shipped_parts(settings: Settings, seed: int) -> list[Part]:
    """One part, ``factors``: the shipped present and past (both load first)."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import directions

    directions(load_inputs(settings.root / PRESENT), load_inputs(settings.root / PAST))
    return [Part("factors", "factors", None, seed)]


def shipped_experiment(part: Part, settings: Settings, folder: Path) -> Experiment:
    """The experiment between the project's present and past."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.factors import FiveFactors

    present, past = (load_inputs(settings.root / p) for p in (PRESENT, PAST))
    return FiveFactors(present, past, settings.runs)


def shipped_command(part: Part, settings: Settings, out: str) -> str:
    """``wedge factors`` with the shipped present and past."""
    return f"wedge factors --runs {settings.runs} --seed {part.seed} --out {out}"


COMMAND = Command(
    "factors",
    "the five-factor experiment: each factor of 1949 and 2024 swapped, alone and all together",
    arguments,
    main,
    shipped=Shipped(shipped_parts, shipped_experiment, shipped_command),
)
