"""Fit the behaviour parameters to the 1949-1975 hindcast by approximate Bayesian computation.

Procedure (ABC rejection, Pritchard et al. 1999; Beaumont et al. 2002), all
on the ensemble engine and reproducible from one seed:

1. *Prior*: each behaviour parameter uniform over its prior range, the
   calibration file's ``[low, high]`` widened by ``widen`` on each side
   (a share of the range) and clipped to its admissible bounds.
2. *Simulation*: ``sets`` parameter sets drawn by Latin hypercube (or,
   with ``around``, by one population step of ABC-PMC around an earlier
   fit's posterior sample, below); set k
   runs worlds ``[k R, (k + 1) R)`` of the hindcast scenario, ``R`` =
   ``replicates``, all sets in one vectorised ensemble (chunks of 8,192
   worlds). Sets do not share random numbers: sharing them would need one
   model per set, twenty times slower, for little gain in a rejection scheme.
3. *Distance*: how far each set's ensemble misses the history targets of
   :mod:`sim.experiments.validate` (zero when every target passes).
4. *Verification*: the ``candidates`` closest sets (by default ten times as
   many as will be kept) are run again with
   ``verify`` runs each (fresh random numbers, seed + 1) and ranked by that
   distance, so that no set is kept for a lucky draw of a few runs: with 20
   or 40 runs, a set whose true P(rupture by 1965) is 0.5 passes the 0.6 bar
   about one time in four, and a posterior of such sets fails as a whole.
5. *Present-day check*: the verified sets are also run on the 2024 baseline
   and rejected if they do not give the 2018-2024 picture (CHN-RUS aligned,
   US-RUS hostile, US-CHN hostile or near it): the behaviour that
   reproduces 1949-1975 must be the one that forecasts from 2024.
6. *Posterior*: the ``accept`` share of sets closest to history that pass
   the check. Point values are the closest accepted set; ranges are the
   10th-90th percentiles of the accepted sets.

*Population step* (``around``; Beaumont et al. 2009, Toni et al. 2009): a
rejection round over a wide prior in some 60 dimensions finds few sets that
meet every target. Starting from an earlier fit's accepted sets instead, each
new set copies one of them (chosen by its weight) and moves every parameter
the earlier fit had by a normal kernel truncated to the prior, with variance
twice the sample's weighted variance; parameters it did not have are drawn
uniformly from their prior. Each set carries the importance weight
``prior / proposal`` = ``1 / sum_j w_j K(theta | theta_j)`` (normalised), so
the accepted sets, drawn by weight, are a sample of the posterior under the
same prior and not merely of the neighbourhood searched.

Rejection ABC was chosen over an optimiser because the targets are coarse
(pass or fail with tolerances) and the model is stochastic: a sample of
acceptable parameter sets says how well-determined each parameter is, which
an optimum does not.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.special import logsumexp, ndtr
from scipy.stats import qmc, truncnorm

from sim.engine.ensemble import Inputs, run_chunk
from sim.experiments.base import SILENT, Progress, Result, Table, input_files, json_ready
from sim.experiments.history.scorecard import misses
from sim.experiments.history.targets import Quantity, floored, tightened
from sim.experiments.sets import run_sets
from sim.paths import shown_path
from sim.scenario.calibration import PARAMETERS, WEIGHT, Calibration, effective_sample_size

Score = Callable[[pd.DataFrame], pd.Series]
"""Maps the runs of one parameter set to target misses (>= 0, 0 = target met)."""


@dataclass
class CalibrationResult:
    """Every simulated set with its distance, and the accepted posterior sample."""

    names: list[str]
    prior: dict[str, tuple[float, float]]
    table: pd.DataFrame  # one row per set: parameters, misses, distance, present_ok, accepted
    seed: int
    sets: int
    replicates: int
    verify: int = 0
    around: bool = False

    @property
    def accepted(self) -> pd.DataFrame:
        """The posterior sample."""
        return self.table[self.table["accepted"]]

    @property
    def weights(self) -> np.ndarray:
        """Importance weights of the accepted sets, in table order, summing to 1."""
        w = self.accepted[WEIGHT].to_numpy(dtype=float)
        return w / w.sum()

    def effective_size(self) -> float:
        """Kish's effective sample size of the accepted sets (:func:`effective_sample_size`)."""
        return effective_sample_size(self.weights)

    def best(self) -> pd.Series:
        """The accepted set closest to history."""
        return self.accepted.sort_values("distance").iloc[0]

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Weighted 10th-90th percentile of each parameter over the accepted sets.

        Where one set holds so much of the weight that the two percentiles
        coincide, the unweighted 10th-90th percentiles of the accepted sets are
        used instead: a range of zero width would take the parameter out of the
        next round's prior and out of every sweep of calibration uncertainty,
        which a degenerate weighting does not justify.
        """
        acc, w = self.accepted, self.weights
        out = {}
        for n in self.names:
            x = acc[n].to_numpy(dtype=float)
            lo, hi = weighted_range(x, w)
            out[n] = weighted_range(x, np.ones_like(x)) if lo == hi else (lo, hi)
        return out


def fitted_names(calibration: Calibration) -> list[str]:
    """Parameters the calibration fitted (source starting ``fitted``), in file order.

    A file that fitted nothing (hand-set values) profiles every parameter
    with an uncertain range instead.
    """
    names = [n for n, p in calibration.parameters.items() if p.source.startswith("fitted")]
    return names or list(calibration.ranges())


def weighted_quantiles(x: np.ndarray, w: np.ndarray, q: Sequence[float]) -> list[float]:
    """Weighted ``q`` quantiles of ``x``: the smallest value whose weight share reaches each.

    The inverse of the weighted empirical distribution function (numpy's
    ``inverted_cdf``), so that a set with almost all the weight is every quantile.
    """
    return [float(v) for v in np.quantile(x, list(q), weights=w, method="inverted_cdf")]


def weighted_range(
    x: np.ndarray, w: np.ndarray, q: tuple[float, float] = (0.1, 0.9)
) -> tuple[float, float]:
    """Weighted ``q`` quantiles of ``x`` as a range (:func:`weighted_quantiles`)."""
    lo, hi = weighted_quantiles(x, w, q)
    return lo, hi


def propose_around(
    previous: pd.DataFrame,
    previous_weights: np.ndarray | None,
    prior: dict[str, tuple[float, float]],
    sets: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One ABC-PMC population step: ``sets`` proposals around ``previous`` and their weights.

    ``previous`` holds an earlier fit's accepted sets (a column per parameter),
    ``previous_weights`` their weights (``None``: equal). Returns the values,
    ``(sets, len(prior))`` in the order of ``prior``, and normalised importance
    weights ``(sets,)`` (module docstring). Parameters of ``prior`` missing from
    ``previous`` are drawn uniformly over their prior.
    """
    names = list(prior)
    lo = np.array([prior[n][0] for n in names])
    hi = np.array([prior[n][1] for n in names])
    out = lo + rng.random((sets, len(names))) * (hi - lo)
    moved = [k for k, n in enumerate(names) if n in previous.columns and hi[k] > lo[k]]
    centres = previous[[names[k] for k in moved]].to_numpy(dtype=float)
    wp = np.full(len(centres), 1.0 / len(centres))
    if previous_weights is not None:
        wp = np.asarray(previous_weights, dtype=float) / np.sum(previous_weights)
    mean = wp @ centres
    sd = np.sqrt(2.0 * (wp @ (centres - mean) ** 2))
    sd = np.maximum(sd, 1e-3 * (hi[moved] - lo[moved]))  # a column without spread still moves
    pick = rng.choice(len(centres), size=sets, p=wp)
    a = (lo[moved] - centres[pick]) / sd
    b = (hi[moved] - centres[pick]) / sd
    out[:, moved] = truncnorm.rvs(a, b, loc=centres[pick], scale=sd, random_state=rng)
    out[:, moved] = np.clip(out[:, moved], lo[moved], hi[moved])
    # log K(theta_i | theta_j) for every proposal i and centre j: truncated normal densities.
    z = (out[:, None, moved] - centres[None, :, :]) / sd
    mass = ndtr((hi[moved] - centres) / sd) - ndtr((lo[moved] - centres) / sd)
    log_k = (-0.5 * z**2 - np.log(sd * np.sqrt(2.0 * np.pi))).sum(axis=2) - np.log(
        np.maximum(mass, 1e-300)
    ).sum(axis=1)
    log_w = -logsumexp(log_k + np.log(wp), axis=1)
    w = np.exp(log_w - log_w.max())
    return out, w / w.sum()


def prior_ranges(calibration: Calibration, widen: float) -> dict[str, tuple[float, float]]:
    """Uniform prior of each parameter with a range: the file's range widened and clipped."""
    out = {}
    for name, (lo, hi) in calibration.ranges().items():
        spec = PARAMETERS[name]
        pad = widen * (hi - lo)
        out[name] = (max(spec.lower, lo - pad), min(spec.upper, hi + pad))
    return out


def _score_sets(
    inputs: Inputs, values: np.ndarray, names: list[str], replicates: int, seed: int,
    snapshots: tuple[float, ...], score: Score,
) -> pd.DataFrame:  # fmt: skip
    """Each set's parameters, target misses and ``distance`` (root sum of squared misses)."""
    runs = run_sets(inputs, values, names, replicates, seed, snapshots)
    misses = runs.groupby("set").apply(score, include_groups=False).reset_index(drop=True)
    table = pd.concat([pd.DataFrame(values, columns=names), misses], axis=1)
    miss_cols = [c for c in table.columns if c.startswith("miss_")]
    table["distance"] = np.sqrt((table[miss_cols] ** 2).sum(axis=1))
    return table


def calibrate(
    hindcast: Inputs,
    baseline: Inputs,
    hindcast_score: Score,
    present_ok: Callable[[pd.DataFrame], bool],
    snapshots: tuple[float, ...],
    baseline_snapshots: tuple[float, ...],
    sets: int = 400,
    replicates: int = 20,
    accept: float = 0.05,
    widen: float = 0.5,
    seed: int = 1972,
    verify: int = 200,
    candidates: int | None = None,
    progress: Callable[[int], None] | None = None,
    around: bool = False,
) -> CalibrationResult:
    """Run the ABC procedure of the module docstring.

    ``around`` proposes the sets around the hindcast calibration's posterior
    sample (a population step) instead of by Latin hypercube over the prior.
    """
    prior = prior_ranges(hindcast.calibration, widen)
    names = list(prior)
    lo = np.array([prior[n][0] for n in names])
    hi = np.array([prior[n][1] for n in names])
    if around:
        cal = hindcast.calibration
        if cal.posterior is None:
            raise ValueError("a population step needs a calibration with a posterior sample")
        previous = pd.DataFrame(cal.posterior, columns=list(cal.posterior_names))
        values, weights = propose_around(
            previous, cal.posterior_weights, prior, sets, np.random.default_rng(seed)
        )
    else:
        unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(sets)
        values, weights = lo + unit * (hi - lo), np.full(sets, 1.0 / sets)
    table = _score_sets(hindcast, values, names, replicates, seed, snapshots, hindcast_score)
    table.insert(0, "set", np.arange(sets))
    table[WEIGHT] = weights
    want = max(1, round(accept * sets))
    count = min(sets, 10 * want if candidates is None else candidates)
    table["screen_distance"] = table["distance"]
    table["verified"] = False
    if verify > 0:
        # Stage 2: the closest sets again, with more runs and fresh random numbers, so that
        # a set is not kept for a lucky draw of `replicates` runs.
        picked = table.sort_values("distance")["set"].to_numpy()[:count]
        again = _score_sets(
            hindcast, values[picked], names, verify, seed + 1, snapshots, hindcast_score
        )
        cols = [c for c in again.columns if c not in names]
        table.loc[picked, cols] = again[cols].to_numpy()
        table.loc[picked, "verified"] = True
    if progress is not None:
        progress(sets)
    # Check the present day on the verified sets, or without verification on the `count`
    # closest. The table's index is the set number.
    pool = table[table["verified"]] if verify > 0 else table
    closest = pool.sort_values("distance")["set"].to_numpy()[:count]
    present = run_sets(baseline, values[closest], names, replicates, seed, baseline_snapshots)
    verdict = present.groupby("set").apply(present_ok, include_groups=False)
    ok = verdict.reindex(range(len(closest)), fill_value=False).to_numpy(dtype=bool)
    table["present_ok"] = False
    table.loc[closest, "present_ok"] = ok
    table["accepted"] = table["set"].isin(closest[ok][:want])
    return CalibrationResult(names, prior, table, seed, sets, replicates, verify, around)


PRESENT_YEARS = (2025.0, 2030.0, 2040.0)
"""Years at which the 2024 baseline must show the present-day picture."""

PRESENT_FLOOR = -0.9
"""Judgement: a median relation below this would be open war, which 2018-2024 was not."""


def present_quantities(runs: pd.DataFrame, thresholds: dict[str, float]) -> list[Quantity]:
    """The 2018-2024 picture (data/README.md) as quantities with the intervals that meet it.

    Medians across runs at every year of :data:`PRESENT_YEARS`: CHN-RUS
    aligned (its lowest median at or above the aligned threshold), USA-RUS
    hostile (its highest at or below the hostile threshold), USA-CHN hostile
    or within 0.1 of it; and neither US relation at the floor (the lowest
    median of either above :data:`PRESENT_FLOOR`): 2018-2024 was rivalry with
    summits, trade and arms-control talks, not war. Relation units.
    """
    med = {
        p: np.array([runs[f"r_{p}@{year:g}"].median() for year in PRESENT_YEARS], dtype=float)
        for p in ("CHN-RUS", "USA-RUS", "USA-CHN")
    }
    inf = math.inf
    floor = float(np.nextafter(PRESENT_FLOOR, inf))
    return [
        Quantity("present.chn_rus", float(med["CHN-RUS"].min()), thresholds["aligned"], inf,
                 "relation"),
        Quantity("present.usa_rus", float(med["USA-RUS"].max()), -inf, thresholds["hostile"],
                 "relation"),
        Quantity("present.usa_chn", float(med["USA-CHN"].max()), -inf,
                 thresholds["hostile"] + 0.1, "relation"),
        Quantity("present.floor", float(min(med["USA-RUS"].min(), med["USA-CHN"].min())),
                 floor, inf, "relation"),
    ]  # fmt: skip


def present_day_ok(runs: pd.DataFrame, thresholds: dict[str, float]) -> bool:
    """Do the runs give the 2018-2024 picture (:func:`present_quantities`, every one met)."""
    return all(q.met for q in present_quantities(runs, thresholds))


@dataclass(frozen=True)
class PresentMeasure:
    """The 2018-2024 picture read from one set's runs of the 2024 baseline.

    Returns :func:`present_quantities` and a miss per quantity (0 when met,
    else its distance outside its interval, at least
    :data:`~sim.experiments.history.snapshots.MIN_MISS`), like an episode's
    :class:`~sim.experiments.sets.EpisodeMeasure`. Picklable.
    """

    thresholds: dict[str, float]

    def __call__(self, runs: pd.DataFrame) -> tuple[list[Quantity], pd.Series]:
        """The set's present-day quantities and their misses."""
        found = present_quantities(runs, self.thresholds)
        miss = {q.name: floored(q.met, q.outside) for q in found}
        return found, pd.Series(miss, dtype=float)


# ------------------------------------------------------------------ the experiment


class NothingAcceptedError(RuntimeError):
    """No parameter set both came close to history and gave the present-day picture."""


@dataclass(frozen=True)
class Calibrated:
    """A fit, read by the view of ``calibrate`` and by ``wedge calibrate --apply``."""

    experiment: FitToHistory
    fit: CalibrationResult
    before: pd.Series
    """Target misses of the calibration it started from, at its point values (``miss_*``)."""
    command: str
    """The command line that makes the fit again."""


@dataclass(frozen=True)
class FitToHistory:
    """Fit the behaviour parameters to the 1949-1975 hindcast (the module docstring's ABC).

    Scored with the history targets of :mod:`sim.experiments.validate`
    (:func:`~sim.experiments.validate.snapshot_years`,
    :func:`~sim.experiments.history.scorecard.misses`, with the bars raised by ``margin``:
    :func:`~sim.experiments.history.targets.tightened`); every kept set must also give
    the 2018-2024 picture in ``baseline`` (:func:`present_day_ok`).

    Parameters
    ----------
    hindcast
        The history scenario; its calibration is the prior (widened by ``widen``).
    baseline
        The 2024 scenario of the present-day check.
    sets, replicates, accept, verify, candidates, widen, around
        As :func:`calibrate`.
    margin
        How much the targets' least shares and least rises are raised for the fit.
    """

    kind: ClassVar[str] = "calibrate"
    hindcast: Inputs
    baseline: Inputs
    sets: int = 600
    replicates: int = 20
    accept: float = 0.05
    verify: int = 200
    candidates: int | None = None
    widen: float = 0.5
    around: bool = False
    margin: float = 0.0

    def command(self, seed: int) -> str:
        """The ``wedge calibrate`` command line with these inputs, settings and ``seed``."""
        return (
            f"wedge calibrate --hindcast {shown_path(self.hindcast.path)} "
            f"--baseline {shown_path(self.baseline.path)} "
            f"--sets {self.sets} --replicates {self.replicates} --accept {self.accept:g} "
            f"--widen {self.widen:g} --verify {self.verify}"
            + (f" --candidates {self.candidates}" if self.candidates is not None else "")
            + (" --around" if self.around else "")
            + (f" --margin {self.margin:g}" if self.margin else "")
            + f" --seed {seed}"
        )

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Fit, and return the result; ``executor`` is not used (the sets run here).

        Raises
        ------
        NothingAcceptedError
            When no set gives the present-day picture: there is no fit to write.
        """
        from sim.experiments.validate import fit_episode, snapshot_years

        hindcast, baseline = self.hindcast, self.baseline
        episode = fit_episode()
        years = snapshot_years(hindcast, episode)
        codes = list(hindcast.scenario.actors)
        thr = hindcast.scenario.outcomes.model_dump()
        start = hindcast.scenario.time.start
        bars = tightened(self.margin, episode.targets)

        def score(runs: pd.DataFrame) -> pd.Series:
            return misses(runs, codes, episode, thr, start, bars).add_prefix("miss_")

        def present(runs: pd.DataFrame) -> bool:
            return present_day_ok(runs, baseline.scenario.outcomes.model_dump())

        before_runs = run_chunk(
            hindcast, seed, 0, self.replicates * 10, paths=False, sample=False, snapshots=years
        ).runs
        before = score(before_runs)
        progress.start(self.sets, "sets", "calibration")
        fit = calibrate(
            hindcast, baseline, score, present, years, PRESENT_YEARS, sets=self.sets,
            replicates=self.replicates, accept=self.accept, widen=self.widen, seed=seed,
            verify=self.verify, candidates=self.candidates, progress=progress.advance,
            around=self.around,
        )  # fmt: skip
        if fit.accepted.empty:
            raise NothingAcceptedError("no parameter set gave the present-day picture")
        progress.note(f"kept {len(fit.accepted)} of {self.sets} sets")
        return calibrate_result(Calibrated(self, fit, before, self.command(seed)))


def calibrate_result(found: Calibrated) -> Result:
    """A fit as a :class:`~sim.experiments.base.Result` for the writer.

    Files: ``sets.parquet`` (every set: parameters, misses, distance, checks),
    ``accepted.csv`` (the kept sets), ``calibration.toml`` and
    ``calibration_posterior.csv`` (the fit as a calibration file,
    :mod:`sim.experiments.calibration_file`) and ``summary.json``. Inputs: the
    hindcast, the baseline and the calibration the fit started from.
    """
    from sim.experiments.calibration_file import calibration_text, posterior_csv

    exp, fit = found.experiment, found.fit
    verified = int(fit.table["verified"].sum())
    note = (
        f"{exp.sets} sets x {exp.replicates} runs, the closest {verified} verified with "
        f"{exp.verify} runs, {len(fit.accepted)} kept, seed {fit.seed}"
    )
    old = exp.hindcast.calibration
    best = fit.best()
    misses = [c for c in fit.table.columns if c.startswith("miss_")]
    summary = {
        "command": found.command,
        "seed": fit.seed,
        "procedure": "ABC-PMC population step" if fit.around else "ABC rejection",
        "sets": fit.sets,
        "replicates": fit.replicates,
        "verified": verified,
        "verify_runs": fit.verify,
        "accepted": len(fit.accepted),
        "effective_size": fit.effective_size() if fit.around else None,
        "distance_before": float(np.sqrt((found.before[misses] ** 2).sum())),
        "distance_best": float(best["distance"]),
        "misses_before": {c.removeprefix("miss_"): found.before.get(c) for c in misses},
        "misses_best": {c.removeprefix("miss_"): best[c] for c in misses},
        "parameters": {
            name: {"prior": fit.prior[name], "best": best[name], "posterior": list(rng)}
            for name, rng in fit.ranges().items()
        },
    }
    return Result(
        kind=FitToHistory.kind,
        name="calibration",
        summary=json_ready(summary),
        tables={"sets": Table(fit.table), "accepted": Table(fit.accepted, ("csv",))},
        texts={
            "calibration.toml": calibration_text(fit, old, note),
            "calibration_posterior.csv": posterior_csv(fit),
        },
        inputs=input_files(
            hindcast=exp.hindcast.path, baseline=exp.baseline.path, calibration=old.path
        ),
        manifest={"sets": fit.sets, "accepted": len(fit.accepted)},
        seed=fit.seed,
        payload=found,
    )
