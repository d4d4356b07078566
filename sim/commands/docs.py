"""``wedge docs``: regenerate the generated parts of docs/."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import (
    Command,
)


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge docs``."""
    parser.add_argument("--dir", default="docs", help="docs folder (default docs/)")


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from sim.docs import write_docs

    for path in write_docs(Path(args.dir)):
        print(f"wrote {path}")
    return 0


COMMAND = Command(
    "docs",
    "regenerate docs/scenarios.md and the ODD parameter table",
    arguments,
    main,
)
