"""Views: figures and text made from experiments' results, in one style (:mod:`sim.views.style`).

Each experiment kind has one view module with ``figures(result)``,
``report(result, figures)`` and ``terminal(result)``; :func:`view_for` finds it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from matplotlib.figure import Figure

    from sim.experiments.base import Result


class View(Protocol):
    """What the writer asks of the view of an experiment kind."""

    def figures(self, result: Result) -> dict[str, Figure]:
        """File stem -> figure."""
        ...

    def report(self, result: Result, figure_files: Mapping[str, str]) -> str:
        """``report.md``, embedding the figures by their file names."""
        ...

    def terminal(self, result: Result) -> str:
        """What the command prints when it is done."""
        ...


VIEWS: dict[str, str] = {
    "run": "sim.views.run",
    "compare": "sim.views.compare",
    "validate": "sim.views.validate",
    "episode": "sim.views.episode",
    "calibrate": "sim.views.calibrate",
    "match": "sim.views.history_match",
    "factors": "sim.views.factors",
    "identify": "sim.views.identify",
    "sensitivity": "sim.views.sensitivity",
    "sweep": "sim.views.sweep",
    "explain": "sim.views.explain",
}
"""The view module of each experiment kind."""


def view_for(kind: str) -> Any:
    """The view module of an experiment kind (a :class:`View`)."""
    return importlib.import_module(VIEWS[kind])
