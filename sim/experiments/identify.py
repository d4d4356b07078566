"""How tightly the 1949-1975 history pins each behaviour parameter, and what that means for 2024.

A calibration that keeps a handful of parameter sets says little about which
parameters the history actually decides: sixty-odd parameters fitted to nine
coarse targets leave many of them free, and a population of fits that has
collapsed onto one set (effective sample size 1) hides that entirely. This
module measures it directly, one parameter at a time (a profile):

1. *Moves*: each fitted parameter alone is moved from the point fit by
   :data:`OFFSETS` (fractions of its admissible range, both ways, clipped to
   the range), every other parameter at its point value.
2. *Common random numbers*: every move runs the same worlds ``0 .. runs-1``
   of one seed, so that the difference between two moves is the parameter's
   effect and not a fresh draw of the model's randomness.
3. *Distance*: each move's runs are scored against history with
   :func:`sim.experiments.history.scorecard.misses` (root sum of squared target misses; 0.1 is a
   share of runs of 0.1, a relation of 0.1 or one year).
4. *Present day*: each move also runs the 2024 baseline on common random
   numbers and is checked for the 2018-2024 picture
   (:func:`sim.experiments.calibrate.present_day_ok`), the check a calibration applies
   to every set it keeps.
5. *Tolerated range*: walking outward from the fit, the last move at which
   the distance is still within ``tolerance`` of the fit's own and the
   present-day picture holds; the first move that fails either ends the
   range, even if a later one comes back. Its ends are known to the
   resolution of :data:`OFFSETS`.
6. *What it does to 2024*: at both ends of each tolerated range a wedge
   scenario gives P(rupture) and P(split) by its horizon, on common random
   numbers again.

A profile reads each parameter with the others held at the fit, so it
neither finds compensating moves (two parameters that can move together
where neither can alone) nor says that the tolerated ranges hold jointly; it
says which parameters the history constrains near the fit, and which of the
ones it does not constrain move the forecast.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from sim.engine.ensemble import Inputs, run_chunk
from sim.experiments.base import SILENT, Progress, Result, Table, input_files, json_ready
from sim.experiments.calibrate import PRESENT_YEARS, fitted_names, present_day_ok
from sim.experiments.history.scorecard import distance
from sim.experiments.joint import JOINT_SHRINKS, Joint, chosen_shrink, joint_check, shrunk
from sim.experiments.validate import fit_episode, fit_misses, snapshot_years
from sim.paths import shown_path
from sim.scenario.calibration import PARAMETERS

OFFSETS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 1.0)
"""Moves from the fit, as fractions of the parameter's admissible range (each way)."""


def moves(
    value: float, lower: float, upper: float, offsets: Sequence[float] = OFFSETS
) -> np.ndarray:
    """The values a profile tries: ``value`` moved by each offset both ways, within bounds.

    Offsets are fractions of ``upper - lower``; moves past a bound are
    clipped to it and repeats dropped. Sorted ascending, ``value`` included.
    """
    width = upper - lower
    steps = np.asarray(offsets, dtype=float) * width
    tried = np.concatenate([value - steps, [value], value + steps])
    return np.unique(np.clip(tried, lower, upper))


def tolerated(
    values: np.ndarray,
    distances: np.ndarray,
    fit: float,
    tolerance: float,
    ok: np.ndarray | None = None,
) -> tuple[float, float]:
    """The range around ``fit`` over which ``distances`` stay within ``tolerance`` of the fit's.

    ``values`` ascending and containing ``fit``; ``distances`` the distance to
    history at each; ``ok`` whether each value passes a further check (the
    present-day picture; ``None``: all pass). Walking outward from the fit
    each way, the range ends at the last value before the first one that
    fails the check or whose distance exceeds the fit's by more than
    ``tolerance``. The fit itself is always in the range.
    """
    values = np.asarray(values, dtype=float)
    distances = np.asarray(distances, dtype=float)
    good = np.ones(len(values), dtype=bool) if ok is None else np.asarray(ok, dtype=bool)
    centre = int(np.flatnonzero(values == fit)[0])
    keep = good & (distances <= distances[centre] + tolerance)
    lo = hi = centre
    while lo > 0 and keep[lo - 1]:
        lo -= 1
    while hi < len(values) - 1 and keep[hi + 1]:
        hi += 1
    return float(values[lo]), float(values[hi])


def _fixed(
    point: dict[str, float], names: Sequence[str], size: int, moved: str | None = None,
    value: float = np.nan,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Every one of ``names`` at its point value on ``size`` worlds, ``moved`` at ``value``."""
    out = {n: np.full(size, point[n]) for n in names}
    if moved is not None:
        out[moved] = np.full(size, value)
    return out


def profile(
    hindcast: Inputs,
    names: Sequence[str],
    runs: int,
    seed: int,
    baseline: Inputs | None = None,
    offsets: Sequence[float] = OFFSETS,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Distance to history of every one-parameter move (module docstring, steps 1-4).

    ``names`` are the parameters moved; every fitted parameter is held at
    its point value (:func:`fitted_names`). Returns one row per move:
    ``parameter``, ``value``, ``fit`` (the point value), ``offset`` (the
    move as a signed share of the admissible range), one ``miss_<target>``
    column per target, ``distance`` and ``present_ok`` (the 2024 baseline
    gives the 2018-2024 picture; always true without ``baseline``).
    """
    cal = hindcast.calibration
    point = cal.values()
    years = snapshot_years(hindcast, fit_episode())
    score = fit_misses(hindcast)
    held = fitted_names(cal)
    rows = []
    for name in names:
        spec = PARAMETERS[name]
        for value in moves(point[name], spec.lower, spec.upper, offsets):
            fixed = _fixed(point, held, runs, name, value)
            table = run_chunk(
                hindcast, seed, 0, runs, paths=False, fixed=fixed, snapshots=years
            ).runs
            miss = score(table)
            rows.append(
                {
                    "parameter": name,
                    "value": float(value),
                    "fit": point[name],
                    "offset": (value - point[name]) / (spec.upper - spec.lower),
                    **{f"miss_{k}": float(v) for k, v in miss.items()},
                    "distance": distance(miss),
                    "present_ok": baseline is None or _present(baseline, fixed, runs, seed),
                }
            )
        if progress is not None:
            progress(name)
    return pd.DataFrame(rows)


def _present(baseline: Inputs, fixed: dict[str, np.ndarray], runs: int, seed: int) -> bool:
    table = run_chunk(
        baseline, seed, 0, runs, paths=False, fixed=fixed, snapshots=PRESENT_YEARS
    ).runs
    return present_day_ok(table, baseline.scenario.outcomes.model_dump())


def _limit(values: np.ndarray, worse: np.ndarray, lost: np.ndarray, end: float, step: int) -> str:
    """What ends a range at ``end`` going ``step`` (-1 down, +1 up): see :func:`ranges`."""
    k = int(np.flatnonzero(values == end)[0]) + step
    if k < 0 or k >= len(values):
        return "bound"
    return "both" if worse[k] and lost[k] else "present day" if lost[k] else "history"


def ranges(table: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """Each parameter's tolerated range (module docstring, step 5) from a :func:`profile`.

    Columns: ``parameter``, ``fit``, ``low``, ``high``, ``lower``/``upper``
    (admissible bounds), ``share`` (the tolerated range's share of the
    admissible one), ``fit_distance``, and ``limit_low``/``limit_high``:
    what ends the range that way, ``"bound"`` (the admissible bound: history
    does not limit the parameter that way), ``"history"`` (the next move fits
    the hindcast worse by more than ``tolerance``), ``"present day"`` (the next
    move loses the 2018-2024 picture) or ``"both"``.
    """
    out = []
    for name, group in table.groupby("parameter", sort=False):
        group = group.sort_values("value")
        values = group["value"].to_numpy()
        distances = group["distance"].to_numpy()
        ok = group["present_ok"].to_numpy(dtype=bool)
        fit = float(group["fit"].iloc[0])
        lo, hi = tolerated(values, distances, fit, tolerance, ok)
        bar = float(distances[values == fit][0]) + tolerance
        spec = PARAMETERS[str(name)]
        out.append(
            {
                "parameter": name,
                "fit": fit,
                "low": lo,
                "high": hi,
                "lower": spec.lower,
                "upper": spec.upper,
                "share": (hi - lo) / (spec.upper - spec.lower),
                "limit_low": _limit(values, distances > bar, ~ok, lo, -1),
                "limit_high": _limit(values, distances > bar, ~ok, hi, +1),
                "fit_distance": bar - tolerance,
            }
        )
    return pd.DataFrame(out)


def forecast_effect(
    wedge: Inputs,
    bounds: pd.DataFrame,
    runs: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """P(rupture) and P(split) by the horizon of ``wedge``, at the fit and each range's ends.

    One row per (parameter, end) with ``end`` in ``low``/``high``, plus a
    first row for the fit itself (``parameter`` = ``"(fit)"``). Every fitted
    parameter is held at its point value except the one at its end. Shares
    are of ``runs`` worlds, the same worlds for every row (common random
    numbers), so that differences between rows are the parameters'.
    """
    point = wedge.calibration.values()
    held = fitted_names(wedge.calibration)

    def one(name: str | None, value: float) -> dict[str, float]:
        fixed = _fixed(point, held, runs, name, value)
        table = run_chunk(wedge, seed, 0, runs, paths=False, fixed=fixed).runs
        return {
            "runs": runs,
            "p_rupture": float(table["rupture_year"].notna().mean()),
            "p_split": float(table["split_year"].notna().mean()),
        }

    rows = [{"parameter": "(fit)", "end": "fit", "value": np.nan, **one(None, np.nan)}]
    for rec in bounds.itertuples():
        for end in ("low", "high"):
            value = float(getattr(rec, end))
            rows.append(
                {
                    "parameter": rec.parameter,
                    "end": end,
                    "value": value,
                    **one(rec.parameter, value),
                }
            )
        if progress is not None:
            progress(str(rec.parameter))
    return pd.DataFrame(rows)


def summary_table(bounds: pd.DataFrame, effect: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter: the tolerated range and the 2024 shares at its two ends.

    Sorted by how much the wedge scenario's P(rupture) moves across the
    range (largest first), ties by the share of the admissible range
    tolerated.
    """
    ends = effect[effect["end"] != "fit"].pivot(
        index="parameter", columns="end", values=["p_rupture", "p_split"]
    )
    ends.columns = [f"{a}_{b}" for a, b in ends.columns]
    out = bounds.merge(ends, left_on="parameter", right_index=True, how="left")
    out["rupture_swing"] = (out["p_rupture_high"] - out["p_rupture_low"]).abs()
    out["split_swing"] = (out["p_split_high"] - out["p_split_low"]).abs()
    return out.sort_values(["rupture_swing", "share"], ascending=False).reset_index(drop=True)


# ------------------------------------------------------------------ the experiment


@dataclass(frozen=True)
class Identified:
    """What :class:`Identification` found, read by its view and by ``wedge identify --apply``."""

    experiment: Identification
    moves: pd.DataFrame
    """Every one-parameter move (:func:`profile`)."""
    bounds: pd.DataFrame
    """Each parameter's tolerated range (:func:`ranges`)."""
    effect: pd.DataFrame
    """The wedge scenario at the fit and at each range's ends (:func:`forecast_effect`)."""
    table: pd.DataFrame
    """One row per parameter, ranges and 2024 shares (:func:`summary_table`)."""
    joint: Joint
    seed: int

    @property
    def command(self) -> str:
        """The command line that makes these numbers again."""
        return self.experiment.command(self.seed)

    def applied(self) -> pd.DataFrame:
        """The ranges ``--apply`` writes: the tolerated ones shrunk by the chosen factor."""
        return shrunk(self.bounds, self.joint.chosen)

    def passing_share(self) -> float:
        """Share of joint draws that passed at the chosen factor."""
        check = self.joint.table
        return float(check.loc[check["shrink"] == self.joint.chosen, "share"].iloc[0])


@dataclass(frozen=True)
class Identification:
    """How far each fitted parameter can move alone, and what that does to 2024.

    Runs the module docstring's steps: the profile of every move on the hindcast
    (and the baseline's present-day check), the tolerated ranges, the wedge
    scenario at their ends, and the joint check of the ranges with the shrink
    factor it chooses. Everything runs in this process, on common random numbers
    drawn from the one ``seed``.

    Parameters
    ----------
    hindcast, baseline, wedge
        The 1949-1975 history scenario each move is scored on, the 2024 scenario
        checked for the 2018-2024 picture, and the 2024 scenario whose P(rupture)
        and P(split) are read at the ends of the ranges.
    parameters
        The parameters to profile; ``None``: every fitted one (:func:`fitted_names`).
    runs
        Hindcast (and baseline) worlds per move.
    forecast_runs
        Worlds of ``wedge`` per range end.
    tolerance
        How much worse than the fit's distance to history a move may be.
    joint_sets, joint_runs
        Sets drawn jointly over the ranges at each shrink factor, and worlds per set.
    joint_share
        Least share of joint draws that must pass; the applied ranges are shrunk
        until it is reached (:func:`chosen_shrink`).
    """

    kind: ClassVar[str] = "identify"
    hindcast: Inputs
    baseline: Inputs
    wedge: Inputs
    parameters: tuple[str, ...] | None = None
    runs: int = 300
    forecast_runs: int = 1000
    tolerance: float = 0.05
    joint_sets: int = 200
    joint_runs: int = 60
    joint_share: float = 0.8

    def names(self) -> list[str]:
        """The parameters profiled, in order."""
        if self.parameters:
            return list(self.parameters)
        return fitted_names(self.hindcast.calibration)

    def command(self, seed: int) -> str:
        """The ``wedge identify`` command line with these inputs, settings and ``seed``."""
        return (
            f"wedge identify --hindcast {shown_path(self.hindcast.path)} "
            f"--baseline {shown_path(self.baseline.path)} "
            f"--wedge {shown_path(self.wedge.path)} --runs {self.runs} "
            f"--forecast-runs {self.forecast_runs} "
            f"--tolerance {self.tolerance:g} --joint-sets {self.joint_sets} "
            f"--joint-runs {self.joint_runs} --joint-share {self.joint_share:g} --seed {seed}"
            + (f" --parameters {' '.join(self.parameters)}" if self.parameters else "")
        )

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Profile, read the forecast at the range ends, check the ranges jointly.

        ``executor`` is not used: the moves run here, one parameter at a time.
        """
        names = self.names()
        progress.start(len(names), "parameters", "profile on 1949-1975")
        moved = profile(
            self.hindcast, names, self.runs, seed, self.baseline,
            progress=_noting(progress, "profiled"),
        )  # fmt: skip
        bounds = ranges(moved, self.tolerance)
        progress.start(len(names), "parameters", "2024 forecast at range ends")
        effect = forecast_effect(
            self.wedge, bounds, self.forecast_runs, seed,
            progress=_noting(progress, "2024 forecast at range ends"),
        )  # fmt: skip
        table = summary_table(bounds, effect)
        progress.start(len(JOINT_SHRINKS), "shrink factors", "joint check of the ranges")
        check, bar = joint_check(
            self.hindcast, self.baseline, bounds, self.joint_sets, self.joint_runs, seed,
            self.tolerance, progress=lambda _: progress.advance(1),
        )  # fmt: skip
        joint = Joint(
            check, bar, self.joint_share, chosen_shrink(check, self.joint_share), self.joint_runs
        )
        found = Identified(self, moved, bounds, effect, table, joint, seed)
        return identify_result(found)


def _noting(progress: Progress, stage: str) -> Callable[[str], None]:
    """A per-parameter callback that moves the bar on and notes ``stage: name``."""

    def done(name: str) -> None:
        progress.advance(1)
        progress.note(f"  {stage}: {name}")

    return done


def identify_result(found: Identified) -> Result:
    """An identification as a :class:`~sim.experiments.base.Result` for the writer.

    Tables (CSV, six significant digits): ``identify`` (one row per parameter),
    ``moves``, ``forecast`` and ``joint``. ``summary.json`` holds the headline:
    the fit's forecast, which parameters history leaves free or pins, the joint
    check's bar and chosen factor, and the command line. Inputs: the three
    scenarios and the calibration.
    """
    exp, table, joint = found.experiment, found.table, found.joint
    fit = found.effect[found.effect["end"] == "fit"].iloc[0]
    ends = table[["limit_low", "limit_high"]]
    free = table[(ends == "bound").all(axis=1)]["parameter"]
    pinned = table[table["share"] < PINNED]["parameter"]
    by_present = table[ends.isin(["present day", "both"]).any(axis=1)]["parameter"]
    csv = ("csv",)
    return Result(
        kind=Identification.kind,
        name="identify",
        summary=json_ready(
            {
                "command": found.command,
                "seed": found.seed,
                "parameters": list(table["parameter"]),
                "runs_per_move": exp.runs,
                "forecast_runs": exp.forecast_runs,
                "tolerance": exp.tolerance,
                "fit_distance": float(table["fit_distance"].iloc[0]),
                "wedge": exp.wedge.scenario.name,
                "wedge_at_fit": {"p_rupture": fit["p_rupture"], "p_split": fit["p_split"]},
                "free": list(free),
                "pinned": list(pinned),
                "ended_by_present_day": list(by_present),
                "joint": {
                    "sets": exp.joint_sets,
                    "runs": exp.joint_runs,
                    "bar": joint.bar,
                    "target": joint.target,
                    "chosen_shrink": joint.chosen,
                    "passing_share": found.passing_share(),
                },
            }
        ),
        tables={
            "identify": Table(table, csv, "%.6g"),
            "moves": Table(found.moves, csv, "%.6g"),
            "forecast": Table(found.effect, csv, "%.6g"),
            "joint": Table(joint.table, csv, "%.6g"),
        },
        inputs=input_files(
            hindcast=exp.hindcast.path,
            baseline=exp.baseline.path,
            wedge=exp.wedge.path,
            calibration=exp.hindcast.calibration.path,
        ),
        manifest={"parameters_profiled": len(table)},
        seed=found.seed,
        payload=found,
    )


PINNED = 0.02
"""A tolerated range narrower than this share of the admissible range counts as pinned."""
