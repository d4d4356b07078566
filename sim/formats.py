"""How numbers read wherever they appear: shares, intervals, years, relations.

One definition of each format, so that a number reads the same in a figure
legend, in ``report.md``, in a scorecard's JSON and in the terminal. Standard
library only: every layer may use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any


def format_share(p: float | None) -> str:
    """Format a share of runs as a percentage with one decimal, e.g. ``0.231 -> "23.1%"``.

    Parameters
    ----------
    p : float or None
        Share on [0, 1]. ``None`` or NaN means "not estimated".

    Returns
    -------
    str
        ``"23.1%"``, or ``"n/a"`` when there is no estimate.
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    return f"{100.0 * float(p):.1f}%"


def format_interval(low: float | None, high: float | None, sep: str = "–") -> str:
    """Format a 95% interval of shares as ``"20.5%–25.9%"``.

    Parameters
    ----------
    low, high : float or None
        Bounds on [0, 1].
    sep : str
        Separator between the bounds (an en dash in Markdown, ``"-"`` in the terminal).

    Returns
    -------
    str
        The interval, with both bounds as percentages.
    """
    return f"{format_share(low)}{sep}{format_share(high)}"


def format_estimate(est: Mapping[str, Any] | None) -> str:
    """A share with its 95% interval, ``"12.3% (10.4%–14.5%)"``, from ``{"value", "low", "high"}``.

    ``"n/a"`` when there is no estimate.
    """
    if not est:
        return "n/a"
    return f"{format_share(est.get('value'))} ({format_interval(est.get('low'), est.get('high'))})"


def format_behaviour_range(
    low: float, high: float, interval: Callable[[float, float], str] = format_interval
) -> str:
    """The central 80% of a probability over behaviour, or ``"none detected"``.

    The range is a point (``high <= low``) when the behaviour sets differ no
    more than chance makes them (:mod:`sim.engine.spread`). ``interval``
    formats a real range (the view's own style of interval).
    """
    return "none detected" if high <= low else interval(low, high)


def format_year(year: float | None) -> str:
    """Format a decimal year without spurious decimals: ``2045.0 -> "2045"``, ``2031.25``.

    Parameters
    ----------
    year : float or None
        Decimal year (quarterly steps give ``.25``, ``.5``, ``.75``).

    Returns
    -------
    str
        The year with at most two decimals and no trailing zeros, or ``"n/a"``.
    """
    if year is None or (isinstance(year, float) and math.isnan(year)):
        return "n/a"
    text = f"{float(year):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_relation(r: float) -> str:
    """Format a relation on [-1, 1] with an explicit sign: ``0.4 -> "+0.40"``.

    A real minus sign is used so that negative values read clearly in figures.
    """
    if math.isnan(r):
        return "n/a"
    text = f"{r:+.2f}"
    if text in ("+0.00", "-0.00"):
        return "0.00"
    return text.replace("-", "−")
