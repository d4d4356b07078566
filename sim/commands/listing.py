"""``wedge list``: the shipped scenarios, sweeps and history episodes, with their titles."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.base import Command


def arguments(parser: argparse.ArgumentParser) -> None:
    """``wedge list`` takes no options."""


def shipped() -> dict[str, list[tuple[str, str, str]]]:
    """``kind -> [(name, file, title)]`` for every shipped scenario, sweep and episode.

    A file that does not load is listed with the first line of its error as title.
    """
    from sim.engine.sweep import load_sweep
    from sim.experiments.validate import shipped_episodes
    from sim.paths import REPO, SCENARIOS
    from sim.scenario.episode import load_episode
    from sim.scenario.errors import InputError
    from sim.scenario.loader import load_scenario

    def entry(path: Path, load) -> tuple[str, str, str]:
        shown = path.relative_to(REPO).as_posix()
        try:
            thing = load(path)
        except InputError as exc:
            return path.stem, shown, f"(does not load: {exc.message})"
        return thing.name, shown, getattr(thing, "title", "") or ""

    scenarios = [
        p
        for p in [*sorted(SCENARIOS.glob("*.toml")), *sorted(SCENARIOS.glob("history/*.toml"))]
        if not p.stem.startswith("calibration")
    ]
    return {
        "scenarios": [entry(p, load_scenario) for p in scenarios],
        "sweeps": [
            entry(p, lambda q: load_sweep(q).sweep) for p in sorted(SCENARIOS.glob("sweeps/*.toml"))
        ],
        "episodes": [entry(p, load_episode) for p in shipped_episodes()],
    }


def main(args: argparse.Namespace) -> int:
    """Print the shipped files, a table per kind."""
    commands = {
        "scenarios": "wedge run FILE",
        "sweeps": "wedge sweep FILE",
        "episodes": "wedge validate [FILE]",
    }
    for kind, rows in shipped().items():
        print(f"{kind} ({commands[kind]})")
        width = max((len(f) for _, f, _ in rows), default=0)
        for _, file, title in rows:
            print(f"  {file:<{width}}  {title}")
        print()
    return 0


COMMAND = Command(
    "list", "list the shipped scenarios, sweeps and history episodes", arguments, main
)
