"""``wedge new NAME --from BASE``: a commented scenario file that extends a base."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import Command


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge new``."""
    parser.add_argument("name", help="name of the new scenario (and of its file, NAME.toml)")
    parser.add_argument(
        "--from",
        dest="base",
        default="baseline_2024",
        metavar="BASE",
        help="the scenario it extends: a shipped name (baseline_2024, us_offer_to_moscow, ...) "
        "or a file (default baseline_2024)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help="where to write it (default NAME.toml in this folder)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")


def base_file(base: str) -> Path:
    """A base given by shipped name (``baseline_2024``) or by path."""
    from sim.paths import SCENARIOS, locate

    given = Path(base)
    if given.suffix != ".toml" and (SCENARIOS / f"{base}.toml").is_file():
        return SCENARIOS / f"{base}.toml"
    return locate(given)


def main(args: argparse.Namespace) -> int:
    """Write the new scenario file and say how to run it."""
    from sim.scenario.template import write_new

    out = Path(args.out) if args.out else Path(f"{args.name}.toml")
    path = write_new(args.name, base_file(args.base), out, force=args.force)
    print(f"wrote {path}: it extends {args.base}; edit what differs, then `wedge run {path}`")
    return 0


COMMAND = Command(
    "new",
    "write a new scenario file that extends a base, with the fields most often changed",
    arguments,
    main,
)
