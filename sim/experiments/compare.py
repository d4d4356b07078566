"""The compare experiment: two scenarios world by world (``wedge compare A B``).

Both scenarios run the same worlds of one seed: world ``w`` of B draws every
random number that world ``w`` of A draws for the same actor, pair, shock or
parameter (common random numbers, :mod:`sim.model.streams`). The difference
between them is then measured pair by pair, which is far sharper than setting
two independent shares side by side: P(rupture) and P(split) by the horizon
get the exact paired interval of their difference (conditional on the worlds
where only one scenario had the event) and the McNemar p-value; each
relation at the horizon gets the median of the paired differences with its
exact sign-test interval, and their mean with a t interval.
"""

from __future__ import annotations

import concurrent.futures as cf
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from sim.defaults import DEFAULT_RUNS
from sim.engine.ensemble import EnsembleResult, Inputs, run_ensemble
from sim.engine.spread import sets_of, spread
from sim.engine.stats import mean_difference, median_difference, paired_difference
from sim.experiments.base import SILENT, Progress, Result, Table, input_files
from sim.experiments.run import ensemble_result
from sim.paths import shown_path
from sim.scenario.errors import InputError

EVENTS = ("rupture", "split")
"""The events compared: a rupture of the watched partnership, a 1970s-style split."""


def check_comparable(a: Inputs, b: Inputs) -> None:
    """Two scenarios can be compared world by world: same time grid, same watched triad.

    Raises
    ------
    InputError
        Naming B's file and the field that differs from A's.
    """
    sa, sb = a.scenario, b.scenario
    if (sa.time.start, sa.time.step, sa.time.horizon) != (
        sb.time.start,
        sb.time.step,
        sb.time.horizon,
    ):
        raise InputError(
            b.path,
            "time",
            f"runs {sb.time.start:g}-{sb.time.horizon:g} by {sb.time.step:g}; a comparison "
            f"needs the time of {sa.name}: {sa.time.start:g}-{sa.time.horizon:g} by "
            f"{sa.time.step:g}",
        )
    if set(sa.watch.partnership) != set(sb.watch.partnership) or sa.watch.third != sb.watch.third:
        raise InputError(
            b.path,
            "watch",
            f"watches {'-'.join(sb.watch.partnership)} with {sb.watch.third}; a comparison "
            f"needs the triad of {sa.name}: {'-'.join(sa.watch.partnership)} with "
            f"{sa.watch.third}",
        )
    if sa.outcomes != sb.outcomes:
        raise InputError(
            b.path, "outcomes", f"defines the outcomes differently from {sa.name}; use the same"
        )


def _folders(a: EnsembleResult, b: EnsembleResult) -> tuple[str, str]:
    """Sub-folder names of the two runs: their scenario names, told apart if equal."""
    na, nb = a.scenario.name, b.scenario.name
    return (na, nb) if na != nb else (f"A_{na}", f"B_{nb}")


def paired_table(a: EnsembleResult, b: EnsembleResult) -> pd.DataFrame:
    """One row per outcome: its value in A and B and the paired difference B - A.

    Event rows (``p_rupture``, ``p_split``: shares of worlds with the event by the
    horizon) carry the exact paired interval and McNemar ``p_value``; relation rows
    (``r_<pair>`` at the horizon, on [-1, 1], named as in A, for the pairs both
    scenarios have) carry the median paired difference with its sign-test
    interval and the mean difference with its t interval.
    """
    rows = []
    for event in EVENTS:
        ea = a.runs[f"{event}_year"].notna().to_numpy()
        eb = b.runs[f"{event}_year"].notna().to_numpy()
        diff, lo, hi, p = paired_difference(ea, eb)
        rows.append(
            {
                "outcome": f"p_{event}",
                "kind": "share",
                "a": float(ea.mean()),
                "b": float(eb.mean()),
                "difference": diff,
                "low": lo,
                "high": hi,
                "p_value": p,
                "worlds_only_a": int(np.sum(ea & ~eb)),
                "worlds_only_b": int(np.sum(eb & ~ea)),
            }
        )
    in_b = {frozenset((x, y)): f"r_{name}" for name, x, y in b.pair_names()}
    for name, x, y in a.pair_names():
        if frozenset((x, y)) not in in_b:
            continue  # a pair of an actor B does not have
        column = f"r_{name}"
        ra, rb = a.runs[column].to_numpy(float), b.runs[in_b[frozenset((x, y))]].to_numpy(float)
        med, lo, hi = median_difference(ra, rb)
        mean, mean_lo, mean_hi = mean_difference(ra, rb)
        rows.append(
            {
                "outcome": column,
                "kind": "relation",
                "a": float(np.median(ra)),
                "b": float(np.median(rb)),
                "difference": med,
                "low": lo,
                "high": hi,
                "mean_difference": mean,
                "mean_low": mean_lo,
                "mean_high": mean_hi,
            }
        )
    return pd.DataFrame(rows)


def detectable(low: float, high: float) -> bool:
    """Whether a difference is detectable: its interval leaves out zero."""
    return low > 0.0 or high < 0.0


def cumulative(a: EnsembleResult, b: EnsembleResult) -> pd.DataFrame:
    """Cumulative P(rupture) and P(split) by year in each scenario, with 95% Wilson intervals."""
    frames = []
    for label, ensemble in (("A", a), ("B", b)):
        events = ensemble.events()
        events.insert(0, "scenario", ensemble.scenario.name)
        events.insert(0, "side", label)
        frames.append(events)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Compare:
    """Scenario B against scenario A, on common random numbers.

    Parameters
    ----------
    a, b
        The two scenarios (:func:`check_comparable` must hold).
    runs
        Worlds of each.
    """

    kind: ClassVar[str] = "compare"
    a: Inputs
    b: Inputs
    runs: int = DEFAULT_RUNS

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Run both scenarios on the same worlds and measure the paired differences."""
        check_comparable(self.a, self.b)
        steps = self.a.scenario.time.steps
        progress.start(2 * self.runs * steps, "world-steps", "compare")
        ensembles = []
        for inputs in (self.a, self.b):
            progress.note(f"running {inputs.scenario.name}")
            ensembles.append(
                run_ensemble(inputs, self.runs, seed, executor=executor, progress=progress.advance)
            )
        a, b = ensembles
        table = paired_table(a, b)
        folders = _folders(a, b)
        return Result(
            kind="compare",
            name=f"{a.scenario.name}-vs-{b.scenario.name}",
            summary=summary(a, b, table, folders),
            tables={
                "paired": Table(table, ("csv",)),
                "cumulative": Table(cumulative(a, b), ("csv",)),
            },
            inputs=input_files(
                scenario_a=self.a.path,
                scenario_b=self.b.path,
                calibration_a=self.a.calibration.path,
                calibration_b=self.b.calibration.path,
            ),
            seed=seed,
            runs=2 * self.runs,
            parts={folders[0]: ensemble_result(a), folders[1]: ensemble_result(b)},
            payload=(a, b),
        )


def summary(
    a: EnsembleResult, b: EnsembleResult, table: pd.DataFrame, folders: tuple[str, str]
) -> dict:
    """``summary.json``: the two scenarios, their shares with intervals, the differences.

    Each share has its 95% interval and, when the runs drew behaviour, its spread over
    behaviour (:mod:`sim.engine.spread`).
    """
    sides = {}
    for label, ensemble, folder in (("a", a, folders[0]), ("b", b, folders[1])):
        sc = ensemble.scenario
        entry = {"scenario": sc.name, "title": sc.title, "file": shown_path(ensemble.inputs.path)}
        runs, sets = ensemble.runs, sets_of(ensemble.runs)
        for event in EVENTS:
            entry[f"p_{event}"] = spread(runs[f"{event}_year"].notna().to_numpy(), sets).as_dict()
        entry["folder"] = folder
        sides[label] = entry
    rows = table.set_index("outcome")
    differences = {}
    for outcome, row in rows.iterrows():
        item = {
            "difference": float(row["difference"]),
            "low": float(row["low"]),
            "high": float(row["high"]),
            "detectable": detectable(float(row["low"]), float(row["high"])),
        }
        if row["kind"] == "share":
            item |= {
                "p_value": float(row["p_value"]),
                "worlds_only_a": int(row["worlds_only_a"]),
                "worlds_only_b": int(row["worlds_only_b"]),
            }
        else:
            item |= {
                "median_a": float(row["a"]),
                "median_b": float(row["b"]),
                "mean_difference": float(row["mean_difference"]),
            }
        differences[str(outcome)] = item
    sc = a.scenario
    return {
        "a": sides["a"],
        "b": sides["b"],
        "runs": a.n,
        "seed": a.seed,
        "start_year": sc.time.start,
        "horizon": sc.time.horizon,
        "partnership": list(sc.watch.partnership),
        "third": sc.watch.third,
        "actors": {k: sc.display_name(k) for k in sc.actors},
        "differences": differences,
    }
