"""The ODD parameter table, generated from the calibration: between two markers of ``ODD.md``.

:func:`parameter_table` reads :data:`sim.scenario.calibration.PARAMETERS`
(group, unit, meaning) and the calibration file (value, range, source).
"""

from __future__ import annotations

from pathlib import Path

from sim.docs.scenarios import GENERATED, cell, number
from sim.paths import SCENARIOS
from sim.scenario.calibration import PARAMETERS, load_calibration

START = "<!-- parameters:start -->"
"""Marker that opens the generated parameter table in ``ODD.md``."""

END = "<!-- parameters:end -->"
"""Marker that closes the generated parameter table in ``ODD.md``."""

CALIBRATION = SCENARIOS / "calibration.toml"
"""The shared calibration file of the repository."""


def parameter_table(calibration_path: str | Path) -> str:
    """Markdown table of every behaviour parameter with its calibrated value.

    Parameters
    ----------
    calibration_path
        The calibration TOML file whose values, ranges and sources to show.

    Returns
    -------
    str
        One row per entry of :data:`~sim.scenario.calibration.PARAMETERS`, in
        its order: name | group | unit | value | uncertain range | meaning |
        source.
    """
    calibration = load_calibration(calibration_path)
    rows = [
        "| name | group | unit | value | uncertain range | meaning | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    ranges = calibration.ranges()
    for name, spec in PARAMETERS.items():
        p = calibration.parameters[name]
        span = (
            f"[{number(ranges[name][0])}, {number(ranges[name][1])}]" if name in ranges else "fixed"
        )
        cells = [f"`{name}`", spec.group, spec.unit, number(p.value), span, spec.meaning, p.source]
        rows.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return "\n".join(rows)


def parameter_block(calibration_path: str | Path) -> str:
    """The text between the parameter markers of ``ODD.md``, markers excluded."""
    return "\n".join(
        [
            "",
            GENERATED.format(
                what="sim/scenario/calibration.py (PARAMETERS) and scenarios/calibration.toml"
            ),
            "",
            parameter_table(calibration_path),
            "",
        ]
    )


def replace_block(text: str, block: str, first: str = START, last: str = END) -> str:
    """``text`` with everything between the markers ``first`` and ``last`` replaced by ``block``.

    The markers default to :data:`START` and :data:`END`, those of the ODD table.

    Raises
    ------
    ValueError
        When the markers are missing or out of order.
    """
    start, end = text.find(first), text.find(last)
    if start < 0 or end < start:
        raise ValueError(f"expected the markers {first} and {last}, in that order")
    return text[: start + len(first)] + block + text[end:]
