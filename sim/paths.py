"""Where the shipped files are, whatever the working folder.

Paths a user types are taken as typed, relative to the working folder; paths
written inside a file are relative to that file (the loaders do this). The
files the project ships (``scenarios/``, ``data/``) are found next to the
package, so ``wedge validate`` or ``wedge factors`` behave the same from any
folder. A name that is neither an existing path nor a shipped file is
returned as given, and the loader reports it missing in one line.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
"""The project folder: the parent of the ``sim`` package (an editable install)."""

SCENARIOS = REPO / "scenarios"
"""Shipped scenario files, the calibration and the sweeps (``sweeps/``)."""

DATA = REPO / "data"
"""Shipped historical data and the validation episodes (``episodes/``)."""


def shipped(relative: str | Path) -> Path:
    """A shipped file by its path inside the project, e.g. ``scenarios/baseline_2024.toml``."""
    return REPO / relative


def locate(path: str | Path) -> Path:
    """A path as typed if it exists; else the shipped file of that name; else as typed.

    ``scenarios/baseline_2024.toml`` then works from any folder, while a file
    in the working folder always wins over a shipped one.
    """
    given = Path(path)
    if given.exists() or given.is_absolute():
        return given
    for base in (REPO, SCENARIOS):
        candidate = base / given
        if candidate.exists():
            return candidate
    return given


def shown_path(path: str | Path) -> str:
    """``path`` relative to the working folder when it lies inside it, else as given.

    Manifests name their input files; a relative name keeps results made in a
    checkout free of that machine's folder layout.
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
