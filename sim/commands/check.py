"""``wedge check FILE ...``: validate scenario, sweep and episode files without running them all."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import Command


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge check``."""
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="scenario, sweep or history episode files (the kind is read from the file)",
    )


def kind_of(data: dict) -> str:
    """``sweep`` (it names base ``scenarios``), ``episode`` (it has ``targets``) or ``scenario``."""
    if "targets" in data:
        return "episode"
    if "scenarios" in data:
        return "sweep"
    return "scenario"


def check(path: Path) -> str:
    """Validate one file as a user's command would, and run one world of a scenario.

    Returns a one-line description of what the file holds.

    Raises
    ------
    InputError
        The file, the field and what is allowed.
    """
    from sim.engine.ensemble import load_inputs, run_chunk
    from sim.engine.sweep import load_sweep
    from sim.experiments.validate import hindcasts
    from sim.scenario.loader import read_toml

    kind = kind_of(read_toml(path))
    if kind == "sweep":
        plan = load_sweep(path)
        return (
            f"sweep {plan.sweep.name}: {plan.sweep.design} design, {len(plan.design)} points x "
            f"{plan.sweep.replicates} runs over {', '.join(plan.inputs)}"
        )
    if kind == "episode":
        (hindcast,) = hindcasts([path])
        return (
            f"episode {hindcast.episode.name}: {len(hindcast.episode.targets)} targets on "
            f"{hindcast.inputs.scenario.name}"
        )
    inputs = load_inputs(path)
    run_chunk(inputs, 0, 0, 1, paths=False)  # one world to its horizon
    sc = inputs.scenario
    extras = []
    paths = {id(p) for p in sc.path_fields().values()}  # a pair's path is listed both ways
    if paths:
        extras.append(f"{len(paths)} time paths")
    successions = [s for s in sc.shocks if s.successor is not None]
    if successions:
        extras.append(
            ", ".join(f"{s.actor} becomes {s.successor} in {s.year:g}" for s in successions)
        )
    return (
        f"scenario {sc.name}: {len(sc.actors)} actors, {len(sc.shocks)} shocks, "
        f"{len(sc.levers)} levers, {len(sc.uncertain)} uncertain values, "
        f"{sc.time.start:g}-{sc.time.horizon:g}" + "".join(f"; {e}" for e in extras)
    )


def main(args: argparse.Namespace) -> int:
    """Check every file; the first bad one ends the command with its one-line error."""
    from sim.paths import locate

    for name in args.files:
        path = locate(name)
        print(f"ok: {path}: {check(path)}")
    return 0


COMMAND = Command(
    "check",
    "validate scenario, sweep and episode files (one world of a scenario runs to its horizon)",
    arguments,
    main,
)
