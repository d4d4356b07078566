"""The ``wedge`` command: a thin registry of commands (:mod:`sim.commands`).

Each command parses its options, builds an experiment from validated inputs,
runs it and writes its folder. A bad input file or option ends in one line
naming the file (or option), the field and what is allowed, and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import metadata

from sim.commands import REGISTRY
from sim.commands.base import Command
from sim.reference import command as reference
from sim.scenario.errors import InputError

EXIT_BAD_INPUT = 2

COMMANDS: tuple[Command, ...] = (*REGISTRY[:5], reference.COMMAND, *REGISTRY[5:])
"""Every command, in the order of ``wedge --help``."""


def _version() -> str:
    try:
        return metadata.version("wedge")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``wedge``."""
    p = argparse.ArgumentParser(
        prog="wedge",
        description="Could the United States split China and Russia? Agent-based scenarios "
        "of the strategic triangle, their Monte Carlo ensembles, sweeps and checks against "
        "history.",
    )
    p.add_argument("--version", action="version", version=f"wedge {_version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        one = sub.add_parser(
            command.name, help=command.help, description=command.description or command.help
        )
        command.arguments(one)
        one.set_defaults(func=command.main)
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
