"""The one progress reporter of the command line: a bar on standard error per task.

Experiments say what they are doing through the :class:`~sim.experiments.base.Progress`
protocol; this is its terminal form. Bars go to standard error, so that
standard output holds only the results; ``quiet`` silences bars and notes alike.
"""

from __future__ import annotations

import sys
from typing import Any


class TerminalProgress:
    """A tqdm bar per task on standard error, and notes printed above it.

    Parameters
    ----------
    quiet
        Show nothing.
    """

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._bar: Any = None

    def start(self, total: int, unit: str, label: str) -> None:
        """Close the previous task's bar and open one for ``total`` ``unit``."""
        self.close()
        if self.quiet:
            return
        from tqdm import tqdm

        self._bar = tqdm(
            total=total,
            unit=f" {unit}",
            unit_scale=True,
            desc=label,
            file=sys.stderr,
            disable=None,  # no bar when standard error is not a terminal
            leave=False,
        )

    def advance(self, n: int) -> None:
        """Move the current bar on by ``n`` units."""
        if self._bar is not None:
            self._bar.update(n)

    def note(self, text: str) -> None:
        """Print one line on standard error, above the bar."""
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def close(self) -> None:
        """Close the current bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
