"""``wedge schema``: the JSON Schema of scenario or sweep files."""

from __future__ import annotations

import argparse
import json

from sim.commands.base import (
    Command,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge schema``."""
    parser.add_argument("--sweep", action="store_true", help="the schema of sweep files instead")


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from sim.scenario.schema import Scenario
    from sim.scenario.sweep import Sweep

    model = Sweep if args.sweep else Scenario
    print(json.dumps(model.model_json_schema(), indent=2))
    return 0


COMMAND = Command(
    "schema",
    "print the JSON Schema of scenario (or sweep) files",
    arguments,
    main,
)
