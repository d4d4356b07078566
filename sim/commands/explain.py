"""``wedge explain SCENARIO``: why one world's relation fell, motive by motive."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
    add_out,
    add_quiet,
    add_seed,
    default_out,
    execute,
    require,
    seed_of,
)
from sim.scenario.errors import InputError


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge explain``."""
    parser.add_argument(
        "scenario", help="scenario TOML file, e.g. scenarios/history/sino_soviet_1949.toml"
    )
    parser.add_argument(
        "--world", type=int, default=None, metavar="K",
        help="the world to explain, numbered as in `wedge run`'s runs.parquet (column run) "
        "with the same seed (default: the first of the first 500 worlds that ruptures)",
    )  # fmt: skip
    parser.add_argument(
        "--pair", default=None, metavar="A-B",
        help="the two actors whose relation is explained, e.g. USA-RUS (default: the "
        "watched partnership)",
    )  # fmt: skip
    parser.add_argument(
        "--lookback", type=float, default=5.0, metavar="YEARS",
        help="years before the rupture (or fall) searched for the relation's high point "
        "(default 5)",
    )  # fmt: skip
    parser.add_argument(
        "--rise", action="store_true",
        help="explain the relation's largest rise (a thaw) instead of its rupture or fall",
    )  # fmt: skip
    add_seed(parser)
    add_out(parser, "runs/explain/<scenario name>/")
    add_quiet(parser)


def pair_of(text: str | None) -> tuple[str, str] | None:
    """``"A-B"`` as ``("A", "B")``; one clear line when it is not two codes joined by a dash."""
    if text is None:
        return None
    parts = text.split("-")
    if len(parts) != 2 or not all(parts):
        raise InputError("--pair", "", f"must be two actor codes joined by '-', got {text!r}")
    return parts[0], parts[1]


def main(args: argparse.Namespace) -> int:
    """Replay the world with its motives recorded; write ``explanation.png`` and the report."""
    from sim.engine.ensemble import load_inputs
    from sim.experiments.explain import ExplainWorld
    from sim.paths import locate

    if args.world is not None:
        require("--world", args.world, args.world >= 0, "a world index, 0 or more")
    require("--lookback", args.lookback, args.lookback > 0, "a number of years above 0")
    seed = seed_of(args)
    inputs = load_inputs(locate(args.scenario))
    experiment = ExplainWorld(inputs, args.world, pair_of(args.pair), args.lookback, args.rise)
    out = Path(args.out) if args.out else default_out("explain", inputs.scenario.name)
    execute(experiment, args, out, seed)
    return 0


COMMAND = Command(
    "explain",
    "why one world's relation fell: the motives behind its rupture, as a waterfall",
    arguments,
    main,
)
