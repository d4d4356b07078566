"""The commands of ``wedge``, one module each, in the order of ``wedge --help``.

Each module defines ``COMMAND`` (:class:`~sim.commands.base.Command`): its
options and entry point. ``wedge reference``, which runs the others, lives in
:mod:`sim.reference` and is added by :mod:`sim.cli`.
"""

from __future__ import annotations

from sim.commands import (
    calibrate,
    check,
    compare,
    docs,
    explain,
    factors,
    identify,
    listing,
    new,
    run,
    schema,
    sensitivity,
    sweep,
    validate,
)
from sim.commands.base import Command

REGISTRY: tuple[Command, ...] = (
    run.COMMAND,
    compare.COMMAND,
    sweep.COMMAND,
    validate.COMMAND,
    factors.COMMAND,
    explain.COMMAND,
    calibrate.COMMAND,
    identify.COMMAND,
    sensitivity.COMMAND,
    new.COMMAND,
    check.COMMAND,
    listing.COMMAND,
    schema.COMMAND,
    docs.COMMAND,
)
"""Every command but ``reference``, in the order of the help."""
