"""Calibration files written by the fitting commands: a fit (calibrate) and ranges (identify).

The calibration file (``scenarios/calibration.toml``, read by
:mod:`sim.scenario.calibration`) is the one place behaviour parameters live.
``wedge calibrate`` writes a fit as a new file with its posterior sample
(:func:`calibration_text`, :func:`posterior_csv`); ``wedge identify --apply``
rewrites the low/high of the file in place (:func:`write_ranges`). Both keep
each value's history in its ``source`` and write ranges with enough digits to
read back as ranges.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from sim.scenario.calibration import WEIGHT, Calibration

if TYPE_CHECKING:
    import pandas as pd

    from sim.experiments.calibrate import CalibrationResult


def distinct_digits(low: float, high: float, least: int = 4) -> int:
    """Significant digits, at least ``least``, that keep ``low`` and ``high`` apart when written.

    A narrow range written with too few digits (7.8012 and 7.8019 as 7.801)
    would read back as a single value, and the parameter would silently leave
    the fit. Equal values need only ``least`` digits.
    """
    for d in range(least, 18):
        if f"{low:.{d}g}" != f"{high:.{d}g}":
            return d
    return least


_FITTED = re.compile(
    r"^fitted: wedge calibrate, prior \[[^\]]*\]; "
    r"(?:before|hand-set before any fit): (?P<value>\S+) \((?P<source>.*)\)$",
    re.DOTALL,
)


def hand_set(value: float, source: str) -> tuple[str, str]:
    """The hand-set value and source behind a fitted entry's source, however many fits ago.

    A fitted entry's source names its prior and the value it replaced, with that
    value's own source in brackets; a refit would otherwise nest the whole history.
    """
    shown = f"{value:.4g}"
    while (match := _FITTED.match(source)) is not None:
        shown, source = match["value"], match["source"]
    return shown, source


ABC_REJECTION = (
    "# value = the accepted parameter set closest to the 1949-1975 history;",
    "# low/high = 10th-90th percentiles of the accepted sets (ABC rejection);",
    "# posterior = the accepted sets themselves: by default each world draws one",
    '# whole set (calibration_uncertainty = "auto"), keeping the fit\'s joint',
    "# structure.",
)
"""How a rejection fit's calibration file reads (its header)."""

ABC_STEP = (
    "# value = the accepted parameter set closest to the 1949-1975 history;",
    "# low/high = weighted 10th-90th percentiles of the accepted sets (an ABC-PMC",
    "# population step around the previous fit; unweighted where one set holds",
    "# so much of the weight that the two coincide);",
    "# posterior = the accepted sets with their importance weights: by default each",
    "# world draws one whole set in proportion to its weight",
    '# (calibration_uncertainty = "auto"), keeping the fit\'s joint structure.',
)
"""How the calibration file of an ABC-PMC population step reads (its header)."""


def calibration_text(
    result: CalibrationResult,
    old: Calibration,
    note: str,
    stem: str = "calibration",
    method: tuple[str, ...] = (),
) -> str:
    """A calibration file holding a fit: the fitted values and ranges, and its posterior's name.

    Parameters the fit did not set keep their value and range. Each fitted
    entry keeps its earlier source and states how it was fitted. The file
    names its posterior sample ``<stem>_posterior.csv`` (:func:`posterior_csv`),
    beside it. ``method`` replaces the header's account of value, low/high and
    the posterior (comment lines), for a fit other than ABC.
    """
    best = result.best()
    ranges = result.ranges()
    lines = [
        "# Behaviour parameters of the wedge model, shared by every scenario.",
        "#",
        "# Each entry: value (the point value), low/high (the range over which the",
        "# parameter is uncertain: what sweeps over behaviour and scenarios with",
        '# calibration_uncertainty = "ranges" draw from), and source.',
        "# Units and meanings: docs/ODD.md (generated from sim/scenario/calibration.py).",
        "#",
        f"# Fitted by `wedge calibrate` ({note}); see results/calibration/report.md.",
        *(method or (ABC_STEP if result.around else ABC_REJECTION)),
        "",
        f'posterior = "{stem}_posterior.csv"',
        "",
    ]
    for name, param in old.parameters.items():
        if name in ranges:
            lo, hi = ranges[name]
            value = float(best[name])
            lo, hi = min(lo, value), max(hi, value)
            prior = result.prior[name]
            first_value, first_source = hand_set(param.value, param.source)
            source = (
                f"fitted: wedge calibrate, prior [{prior[0]:.4g}, {prior[1]:.4g}]; hand-set "
                f"before any fit: {first_value} ({first_source})"
            )
            d = distinct_digits(lo, hi)
            entry = f"value = {value:.{d}g}, low = {lo:.{d}g}, high = {hi:.{d}g}"
        else:
            source = param.source
            entry = f"value = {param.value:.4g}"
            if param.low is not None and param.high is not None:
                entry += f", low = {param.low:.4g}, high = {param.high:.4g}"
        source = source.replace("\\", "/").replace('"', "'")
        lines.append(f'{name} = {{ {entry}, source = "{source}" }}')
    return "\n".join(lines) + "\n"


def posterior_csv(result: CalibrationResult) -> str:
    """The accepted sets as the calibration's posterior sample (CSV text), closest first.

    A population step adds the importance weights as a column; equal weights (a
    rejection round) are the default of a posterior without one.
    """
    columns = [*result.names, WEIGHT] if result.around else result.names
    accepted = result.accepted.assign(**{WEIGHT: result.weights}).sort_values("distance")
    return accepted[columns].to_csv(index=False, float_format="%.6g")


def write_calibration_file(
    result: CalibrationResult, old: Calibration, path: Path, note: str
) -> None:
    """Write a fit as the calibration file ``path`` and its posterior sample beside it."""
    path = Path(path)
    path.write_text(calibration_text(result, old, note, path.stem))
    path.with_name(f"{path.stem}_posterior.csv").write_text(posterior_csv(result))


RANGE_NOTE = (
    "# low/high = the range the 1949-1975 hindcast tolerates around the value, one parameter",
    "# at a time with every other at its value (within {tolerance} of the fit's distance to",
    "# history, keeping the 2018-2024 picture in the 2024 baseline), shrunk toward the value",
    "# by {shrink:g} so that {share} of joint draws over all the ranges fit history as well as",
    "# the fit (`wedge identify`; results/identify/report.md). They are not a posterior:",
    '# sweeps over behaviour (sweep_calibration) and calibration_uncertainty = "ranges" draw',
    "# each parameter independently over its range;",
)
"""Header lines that say what the calibration file's low/high mean once ranges are applied."""


def write_ranges(
    calibration: Calibration,
    bounds: pd.DataFrame,
    path: Path,
    command: str,
    tolerance: float,
    shrink: float = 1.0,
    share: str = "",
) -> None:
    """Rewrite the calibration file at ``path`` with ``bounds`` as the low/high of each parameter.

    Values, sources and the posterior sample are kept. A tolerated range of
    zero width leaves the parameter without a range (a point value); parameters
    not in ``bounds`` keep theirs. The header's account of low/high is replaced
    by :data:`RANGE_NOTE`, naming ``command``; ``bounds`` are written as given,
    so pass them already shrunk (:func:`shrunk`) by the ``shrink`` factor the
    note states, with ``share`` the joint check's share of passing draws.
    """
    text = Path(path).read_text().splitlines()
    header = []
    for line in text:
        if not line.startswith("#"):
            break
        header.append(line)
    note = [
        line.format(tolerance=f"{tolerance:g}", shrink=shrink, share=share or "most")
        for line in RANGE_NOTE
    ]
    note += [f"# {line}" for line in textwrap.wrap(f"made by {command}.", 92)]
    start = next((k for k, h in enumerate(header) if h.startswith("# low/high")), None)
    if start is None:
        header += note
    else:
        end = next(
            (k for k in range(start, len(header)) if header[k].startswith("# posterior")),
            len(header),
        )
        header[start:end] = note
    body = ["", *[line for line in text if line.startswith("posterior")], ""]
    found = {str(r.parameter): (float(r.low), float(r.high)) for r in bounds.itertuples()}
    for name, param in calibration.parameters.items():
        entry = f"value = {param.value!r}"
        lo, hi = found.get(name, (param.low, param.high))
        if lo is not None and hi is not None and lo < hi:
            d = distinct_digits(lo, hi)
            shown_lo, shown_hi = f"{lo:.{d}g}", f"{hi:.{d}g}"
            if float(shown_lo) > param.value:
                shown_lo = repr(param.value)
            if float(shown_hi) < param.value:
                shown_hi = repr(param.value)
            entry += f", low = {shown_lo}, high = {shown_hi}"
        source = param.source.replace("\\", "/").replace('"', "'")
        body.append(f'{name} = {{ {entry}, source = "{source}" }}')
    Path(path).write_text("\n".join([*header, *body]) + "\n")
