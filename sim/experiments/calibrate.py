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

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import logsumexp, ndtr
from scipy.stats import qmc, truncnorm

from sim.engine.ensemble import Inputs, run_chunk
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


def weighted_range(
    x: np.ndarray, w: np.ndarray, q: tuple[float, float] = (0.1, 0.9)
) -> tuple[float, float]:
    """Weighted ``q`` quantiles of ``x``: the smallest value whose weight share reaches ``q``.

    The inverse of the weighted empirical distribution function (numpy's
    ``inverted_cdf``), so that a set with almost all the weight is the range.
    """
    lo, hi = np.quantile(x, list(q), weights=w, method="inverted_cdf")
    return float(lo), float(hi)


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


def run_sets(
    inputs: Inputs, values: np.ndarray, names: list[str], replicates: int, seed: int,
    snapshots: tuple[float, ...], chunk: int = 8192,
) -> pd.DataFrame:  # fmt: skip
    """Runs of every set: set k on worlds ``[k R, (k + 1) R)``, a ``set`` column added."""
    total = len(values) * replicates
    per_world = np.repeat(values, replicates, axis=0)
    frames = []
    for start in range(0, total, chunk):
        size = min(chunk, total - start)
        rows = per_world[start : start + size]
        fixed = {n: rows[:, c] for c, n in enumerate(names)}
        runs = run_chunk(
            inputs, seed, start, size, paths=False, fixed=fixed, snapshots=snapshots
        ).runs
        frames.append(runs)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "set", out["run"].to_numpy() // replicates)
    return out


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


def write_calibration_file(
    result: CalibrationResult, old: Calibration, path: Path, note: str
) -> None:
    """Rewrite the calibration file with the fitted values and ranges.

    Parameters without a range keep their value. Each fitted entry keeps
    its earlier source and states how it was fitted.
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
        "# value = the accepted parameter set closest to the 1949-1975 history;",
        *(
            [
                "# low/high = weighted 10th-90th percentiles of the accepted sets (an ABC-PMC",
                "# population step around the previous fit; unweighted where one set holds",
                "# so much of the weight that the two coincide);",
                "# posterior = the accepted sets with their importance weights: by default each",
                "# world draws one whole set in proportion to its weight",
                '# (calibration_uncertainty = "auto"), keeping the fit\'s joint structure.',
            ]
            if result.around
            else [
                "# low/high = 10th-90th percentiles of the accepted sets (ABC rejection);",
                "# posterior = the accepted sets themselves: by default each world draws one",
                '# whole set (calibration_uncertainty = "auto"), keeping the fit\'s joint',
                "# structure.",
            ]
        ),
        "",
        f'posterior = "{path.stem}_posterior.csv"',
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
        source = source.replace("\\", "/").replace('"', "'")
        lines.append(f'{name} = {{ {entry}, source = "{source}" }}')
    path.write_text("\n".join(lines) + "\n")
    # Equal weights (a rejection round) are the default of a posterior without a weight column.
    columns = [*result.names, WEIGHT] if result.around else result.names
    accepted = result.accepted.assign(**{WEIGHT: result.weights}).sort_values("distance")
    accepted[columns].to_csv(
        path.with_name(f"{path.stem}_posterior.csv"), index=False, float_format="%.6g"
    )


PRESENT_YEARS = (2025.0, 2030.0, 2040.0)
"""Years at which the 2024 baseline must show the present-day picture."""

PRESENT_FLOOR = -0.9
"""Judgement: a median relation below this would be open war, which 2018-2024 was not."""


def present_day_ok(runs: pd.DataFrame, thresholds: dict[str, float]) -> bool:
    """The 2018-2024 picture (data/README.md) at every year of :data:`PRESENT_YEARS`.

    Medians across runs: CHN-RUS aligned, USA-RUS hostile, USA-CHN hostile or
    within 0.1 of it; and neither US relation at the floor (median above
    :data:`PRESENT_FLOOR`): 2018-2024 was rivalry with summits, trade and
    arms-control talks, not war.
    """
    for year in PRESENT_YEARS:
        med = {p: runs[f"r_{p}@{year:g}"].median() for p in ("CHN-RUS", "USA-RUS", "USA-CHN")}
        if not (
            med["CHN-RUS"] >= thresholds["aligned"]
            and med["USA-RUS"] <= thresholds["hostile"]
            and med["USA-CHN"] <= thresholds["hostile"] + 0.1
            and min(med["USA-RUS"], med["USA-CHN"]) > PRESENT_FLOOR
        ):
            return False
    return True


def report(result: CalibrationResult, before: pd.Series, command: str = "") -> str:
    """Markdown account of a calibration: procedure, prior, fit, posterior ranges.

    ``command`` is the command line that made it, shown so that the fit can be rerun.
    """
    best = result.best()
    miss_cols = [c for c in result.table.columns if c.startswith("miss_")]
    acc = result.accepted
    lines = [
        "# Calibration against the 1949-1975 hindcast",
        "",
        *(
            [f"Made by `{command}`, with the calibration file it started from as prior.", ""]
            if command
            else []
        ),
        (
            f"ABC population step (Beaumont et al. 2009): {result.sets} parameter sets drawn "
            "around the earlier fit's accepted sets (a normal kernel with twice their "
            "variance, truncated to the prior; parameters new to the fit uniform over their "
            "prior), each with its importance weight, "
            if result.around
            else f"ABC rejection: {result.sets} parameter sets drawn by Latin hypercube "
            "from the prior, "
        )
        + f"{result.replicates} runs each (seed {result.seed}); distance = root sum of squared "
        "target misses (sim/experiments/validate.py)"
        + (
            f"; the {int(result.table['verified'].sum())} closest run again with "
            f"{result.verify} runs each (seed {result.seed + 1}) and ranked by that distance"
            if result.verify
            else ""
        )
        + "; the closest sets that also give the 2018-2024 "
        f"picture in the 2024 baseline are accepted ({len(acc)} sets"
        + (
            f"; effective sample size of their weights {result.effective_size():.1f}"
            if result.around
            else ""
        )
        + ").",
        "",
        "| target | miss before (point values) | miss of the best accepted set |",
        "| --- | --- | --- |",
    ]
    for c in miss_cols:
        lines.append(
            f"| {c.removeprefix('miss_')} | {before.get(c, float('nan')):.3f} | {best[c]:.3f} |"
        )
    lines += [
        "",
        f"Distance of the best accepted set: {best['distance']:.3f} "
        f"(before: {float(np.sqrt((before[miss_cols] ** 2).sum())):.3f}).",
        "",
        "| parameter | prior | best | posterior 10-90% |",
        "| --- | --- | --- | --- |",
    ]
    for n, (lo, hi) in result.ranges().items():
        p_lo, p_hi = result.prior[n]
        lines.append(f"| `{n}` | [{p_lo:.3g}, {p_hi:.3g}] | {best[n]:.3g} | [{lo:.3g}, {hi:.3g}] |")
    return "\n".join(lines) + "\n"
