"""``wedge docs``: regenerate the generated parts of the documentation."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import Command


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge docs``."""
    parser.add_argument(
        "--dir", default=None, metavar="DIR", help="docs folder (default: the project's docs/)"
    )


def main(args: argparse.Namespace) -> int:
    """Write the file references, the ODD parameter table and the README's headline block."""
    from sim.docs import write_docs
    from sim.docs.readme import write_readme_block
    from sim.paths import REPO

    for path in write_docs(Path(args.dir) if args.dir else REPO / "docs"):
        print(f"wrote {path}")
    if args.dir is None:
        print(f"wrote {write_readme_block(REPO / 'README.md', REPO / 'results')}")
    return 0


COMMAND = Command(
    "docs",
    "regenerate docs/scenarios.md, docs/episodes.md, the ODD parameter table and the README's "
    "headline block",
    arguments,
    main,
)
