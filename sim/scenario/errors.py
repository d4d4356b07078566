"""The one error type a user sees for a bad input file."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A scenario, calibration or sweep file that cannot be used.

    Carries the file, the field (a dotted path such as ``levers[0].target``)
    and what was wrong, including what is allowed, so the command line can
    print it as a single line.
    """

    def __init__(self, file: Path | str, field: str, message: str) -> None:
        self.file = str(file)
        self.field = field
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line form: ``file: field: message``."""
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"
