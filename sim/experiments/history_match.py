"""Fit a few behaviour parameters to both history episodes by Bayesian history matching.

Procedure (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015), on the
ensemble engine and reproducible from one seed:

1. *Prior*: each fitted parameter (:data:`CORE` by default) uniform over a
   range that holds both its hand-set judgement and the value the calibration
   file holds now, widened by a factor (:data:`PRIOR_FACTOR`) beyond either
   and clipped to its admissible bounds; on a log scale where the range is
   positive, so that a factor of 2 down weighs as much as a factor of 2 up.
   Every parameter not fitted is drawn over its calibration range world by
   world, as forecasts draw it once the fit's posterior holds only the fitted
   ones (``calibration_uncertainty = "auto"``): the fit scores the model that
   forecasts.
2. *Outputs*: every quantity the targets of the shipped episodes read, and the
   2018-2024 picture of the 2024 baseline, each with the interval that meets
   it (:func:`~sim.experiments.history.targets.quantities`), measured on
   ``runs`` worlds per set and scenario.
3. *Waves* (:func:`sim.experiments.emulate.history_match`): a design of sets
   is run, each output is emulated by a Gaussian process, and every set
   whose emulated output lies more than ``cutoff`` standard deviations
   (emulator, sampling noise and a stated model discrepancy,
   :data:`DISCREPANCY`) outside its interval is ruled out; the next wave's
   design is drawn from the region left.
4. *Sampling*: ``samples`` sets are drawn from the region left (steered toward
   sets the last wave expects to meet every output), run on fresh worlds,
   and accepted when their distance to history (the root sum of squared
   target misses over both episodes and the present-day picture) is within
   ``epsilon``. Each carries the importance weight prior / proposal, so the
   accepted sets, drawn by weight, are an ABC posterior of the prior
   restricted to the region left, whatever the emulators got wrong.

History matching was chosen over more rounds of ABC because the emulators
cost minutes where the simulator costs hours: each wave rules out most of what
is left of the prior from a thousand runs, and only the sampling stage needs
the simulator near history.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from sim.engine.ensemble import Inputs
from sim.experiments.base import SILENT, Progress, Result, Table, input_files
from sim.experiments.calibrate import (
    PRESENT_YEARS,
    CalibrationResult,
    PresentMeasure,
    weighted_quantiles,
)
from sim.experiments.calibration_file import hand_set
from sim.experiments.emulate import Match, Output, history_match
from sim.experiments.sets import EpisodeMeasure, Interval, measure_sets
from sim.paths import shown_path
from sim.scenario.calibration import PARAMETERS, WEIGHT, Calibration, effective_sample_size
from sim.scenario.errors import InputError

CORE = (
    "stance_gain",
    "crisis_hostility",
    "w_trust",
    "stance_noise",
    "w_threat",
    "w_ideology",
    "w_balance",
    "stance_speed",
    "w_institutions",
    "w_common_enemy",
    "crisis_rate",
    "trust_reset",
    "w_rival_bid",
    "crisis_threat",
    "parity_rate",
)
"""The behaviour parameters fitted by default: the fifteen that move the fitted outputs most.

Chosen by a global screen over every behaviour parameter's prior (the sum over the 23
outputs of squared standardized rank-regression coefficients; ``docs/evidence/core_screen.py``
and its output ``core_screen.md``): the scale, pace and noise of stances, the motives of
threat, balance, common enemies, rival bids, ideology, trust and institutions, the crisis
hazard's rate and its rise with hostility and threat, trust's reset with a new leader and
doctrinal rivalry from parity. The other parameters together explain less than these."""

PRIOR_FACTOR = 3.0
"""How far the prior reaches beyond the judgement and the current value, as a factor."""

DISCREPANCY = {"share": 0.02, "relation": 0.02, "year": 0.5, "count": 0.5}
"""Judgement: how far the model may sit from history on each scale and still be right
(standard deviations: two points of a share of runs, 0.02 of relation, half a year, half
a crisis)."""

EPSILON = 0.05
"""Distance to history within which a sampled set is accepted (a share of 0.05, or half a
year: :func:`~sim.experiments.history.scorecard.distance`)."""

FEW = 100
"""Under this effective sample size no parameter is called constrained or free."""

SAMPLING = 1000
"""Spawn key of the sampling stage's streams (waves use their own numbers)."""

METHOD = (
    "# value = the accepted set closest to history (both episodes and the 2018-2024 picture);",
    "# low/high of the fitted parameters = weighted 10th-90th percentiles of the posterior;",
    "# every other parameter keeps its value and range, over which forecasts draw it;",
    "# posterior = the accepted sets with their importance weights (history matching, then",
    "# sampling from the region left): each world draws one whole set by its weight",
    '# (calibration_uncertainty = "auto") and the parameters it does not hold over their ranges.',
)
"""How a history-matching fit's calibration file reads (its header)."""


@dataclass(frozen=True)
class Prior:
    """The fitted parameters' prior: uniform on the unit cube, mapped to each range.

    ``log[k]``: parameter ``k`` is log-uniform over ``[low, high]`` (else uniform).
    """

    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray

    @classmethod
    def around(cls, calibration: Calibration, names: tuple[str, ...], factor: float) -> Prior:
        """Each range holds the judgement and the current value, ``factor`` beyond either."""
        low, high, log = [], [], []
        for name in names:
            spec, param = PARAMETERS[name], calibration.parameters[name]
            judged, _ = hand_set(param.value, param.source)
            ends = sorted((float(judged), float(param.value)))
            lo, hi = ends[0] / factor, ends[1] * factor
            if lo <= 0.0:
                lo = spec.lower
            lo, hi = max(lo, spec.lower), min(hi, spec.upper)
            low.append(lo)
            high.append(hi)
            log.append(lo > 0.0)
        return cls(names, np.array(low), np.array(high), np.array(log))

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Parameter values of unit-cube points ``(n, len(names))``."""
        u = np.asarray(unit, dtype=float)
        lo, hi = self.low, self.high
        with np.errstate(divide="ignore"):
            logged = np.exp(np.log(np.where(self.log, lo, 1.0)) + u * np.log(
                np.where(self.log, hi / np.where(self.log, lo, 1.0), 1.0)))  # fmt: skip
        return np.where(self.log, logged, lo + u * (hi - lo))

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Name -> (low, high)."""
        return {n: (float(a), float(b)) for n, a, b in zip(self.names, self.low, self.high,
                                                           strict=True)}  # fmt: skip


def ranged(inputs: Inputs) -> Inputs:
    """``inputs`` with the calibration's posterior dropped: every parameter over its range.

    What a forecast draws for the parameters the fit leaves out, once the fit's
    posterior holds only the fitted ones.
    """
    calibration = replace(inputs.calibration, posterior=None, posterior_names=(),
                          posterior_weights=None)  # fmt: skip
    return replace(inputs, calibration=calibration)


def stream(seed: int, *key: int) -> int:
    """A run seed for one part of the fit, derived from ``seed`` (no two parts share worlds)."""
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0])


class HistoryRuledOutError(RuntimeError):
    """A wave left none of the prior, or no sampled set came within ``epsilon``."""


@dataclass(frozen=True)
class Matched:
    """A history match, read by its view and by ``wedge calibrate --apply``."""

    experiment: MatchHistory
    match: Match
    prior: Prior
    outputs: list[Output]
    samples: pd.DataFrame
    command: str

    @property
    def accepted(self) -> pd.DataFrame:
        """The posterior sample, with normalised weights."""
        acc = self.samples[self.samples["accepted"]]
        return acc.assign(**{WEIGHT: acc[WEIGHT] / acc[WEIGHT].sum()})

    def effective_size(self) -> float:
        """Kish's effective sample size of the posterior."""
        acc = self.accepted
        return effective_sample_size(acc[WEIGHT].to_numpy()) if len(acc) else 0.0

    def marginals(self) -> pd.DataFrame:
        """Per parameter: prior range, weighted 5/50/95% of the posterior, share of the prior.

        ``q05``, ``median``, ``q95`` are in the parameter's units and
        ``u_q05``, ``u_median``, ``u_q95`` on the prior's own (unit) scale;
        ``share`` is the 5-95% width on that scale; ``verdict`` says
        ``constrained`` under a half, ``free`` over 0.8, and nothing under
        :data:`FEW` effective sets.
        """
        acc = self.accepted
        w = acc[WEIGHT].to_numpy(float)
        judged = self.effective_size() >= FEW
        levels = (0.05, 0.5, 0.95)
        rows = []
        for k, name in enumerate(self.prior.names):
            q, u = (
                weighted_quantiles(acc[c].to_numpy(float), w, levels) if len(acc)
                else [math.nan] * 3
                for c in (name, f"u_{name}")
            )  # fmt: skip
            share = u[2] - u[0]
            verdict = ""
            if judged:
                verdict = "constrained" if share < 0.5 else "free" if share > 0.8 else ""
            rows.append({
                "parameter": name, "prior_low": float(self.prior.low[k]),
                "prior_high": float(self.prior.high[k]), "log": bool(self.prior.log[k]),
                "q05": q[0], "median": q[1], "q95": q[2],
                "u_q05": u[0], "u_median": u[1], "u_q95": u[2], "share": share, "verdict": verdict,
            })  # fmt: skip
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class MatchHistory:
    """Fit ``names`` to every shipped episode and the present day (the module docstring).

    Parameters
    ----------
    hindcasts
        The episodes and their hindcast scenarios
        (:func:`sim.experiments.validate.hindcasts`).
    baseline
        The 2024 scenario of the present-day picture.
    names
        The fitted parameters.
    waves, design, runs
        Waves of history matching, sets per wave, worlds per set and scenario.
    samples, epsilon
        Sets drawn from the region left, and the distance that accepts one.
    cutoff, factor
        Implausibility cut-off (standard deviations) and the prior's factor.
    folder
        Where each wave is written as it finishes (``waves/wave_<k>.csv``);
        waves already there are reused (a resumed fit).
    """

    kind: ClassVar[str] = "match"
    hindcasts: tuple
    baseline: Inputs
    names: tuple[str, ...] = CORE
    waves: int = 4
    design: int = 1000
    runs: int = 100
    samples: int = 2000
    epsilon: float = EPSILON
    cutoff: float = 3.0
    factor: float = PRIOR_FACTOR
    folder: Path | None = None
    executor: cf.Executor | None = field(default=None, compare=False)

    def command(self, seed: int) -> str:
        """The ``wedge calibrate`` command line with these settings and ``seed``."""
        return (
            f"wedge calibrate --method history --baseline {shown_path(self.baseline.path)} "
            f"--fit {','.join(self.names)} --waves {self.waves} --design {self.design} "
            f"--runs {self.runs} --samples {self.samples} --epsilon {self.epsilon:g} "
            f"--cutoff {self.cutoff:g} --prior-factor {self.factor:g} --seed {seed}"
        )

    def _scenarios(self) -> list[tuple[str, Inputs, object, tuple[float, ...]]]:
        from sim.experiments.validate import snapshot_years

        out = []
        for h in self.hindcasts:
            inputs = ranged(h.inputs)
            out.append((h.episode.name, inputs, EpisodeMeasure.of(inputs, h.episode),
                        snapshot_years(inputs, h.episode)))  # fmt: skip
        base = ranged(self.baseline)
        out.append(("present", base, PresentMeasure(base.scenario.outcomes.model_dump()),
                    PRESENT_YEARS))  # fmt: skip
        return out

    def measure(self, values: np.ndarray, seed: int) -> tuple[pd.DataFrame, list[Interval]]:
        """Every set's outputs, misses and distance over both episodes and the present day.

        Columns ``<scenario>/<quantity>``, ``<scenario>/miss_<target>`` and
        ``distance`` (root sum of squares of every miss); one row per set.
        Scenario ``j`` runs worlds of :func:`stream` ``(seed, j)``.
        """
        parts, intervals = [], []
        for j, (name, inputs, measure, years) in enumerate(self._scenarios()):
            table, spans = measure_sets(inputs, measure, values, list(self.names), self.runs,
                                        stream(seed, j), years, self.executor)  # fmt: skip
            parts.append(table.drop(columns=["set", "distance"]).add_prefix(f"{name}/"))
            intervals += [(f"{name}/{n}", lo, hi, scale) for n, lo, hi, scale in spans]
        out = pd.concat(parts, axis=1)
        miss = out[[c for c in out.columns if "/miss_" in c]].to_numpy(float)
        out["distance"] = np.sqrt(np.sum(np.square(miss), axis=1))
        return out, intervals

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Match, sample, and return the result.

        Raises
        ------
        HistoryRuledOutError
            A wave rules out the whole prior, or no sampled set comes within ``epsilon``.
        """
        calibration = self.hindcasts[0].inputs.calibration
        prior = Prior.around(calibration, self.names, self.factor)
        _, intervals = self.measure(prior.values(np.full((1, len(self.names)), 0.5)), seed)
        outputs = [Output(n, lo, hi, DISCREPANCY[scale]) for n, lo, hi, scale in intervals]
        names = [o.name for o in outputs]
        waves_dir = None if self.folder is None else self.folder / "waves"
        stored = _stored(waves_dir, prior.names, names)

        def simulate(unit: np.ndarray, wave: int) -> np.ndarray:
            progress.note(f"wave {wave}: {len(unit)} sets")
            table, _ = self.measure(prior.values(unit), stream(seed, wave, 0))
            return table[names].to_numpy(float)

        def keep(wave: int, unit: np.ndarray, y: np.ndarray) -> None:
            if waves_dir is not None:
                waves_dir.mkdir(parents=True, exist_ok=True)
                frame = pd.DataFrame(unit, columns=[f"u_{n}" for n in prior.names])
                frame[names] = y
                frame.to_csv(waves_dir / f"wave_{wave}.csv", index=False)

        match = history_match(simulate, outputs, len(self.names), self.waves, self.design, seed,
                              self.cutoff, stored=stored, on_wave=keep)  # fmt: skip
        if match.emptied:
            raise HistoryRuledOutError(
                f"history rules out the whole prior by wave {len(match.waves) - 1}: no set of "
                f"{len(self.names)} parameters is expected to meet every target"
            )
        samples = self._sampled(match, prior, seed, waves_dir, progress)
        samples["accepted"] = samples["distance"] <= self.epsilon
        samples[WEIGHT] = 1.0 / samples["density"]
        if not samples["accepted"].any():
            raise HistoryRuledOutError(
                f"none of {len(samples)} sets drawn from the region left came within "
                f"--epsilon {self.epsilon:g} of history (closest {samples['distance'].min():.3g})"
            )
        found = Matched(self, match, prior, outputs, samples, self.command(seed))
        return match_result(found, seed)

    def _sampled(
        self, match: Match, prior: Prior, seed: int, folder: Path | None, progress: Progress
    ) -> pd.DataFrame:
        """The sampling stage's sets, run; read back from ``folder`` when a resumed fit has them.

        The sets and their distances are written (``samples_<waves>_<samples>.csv``)
        before any is accepted, so a fit resumed with another ``epsilon`` accepts
        again without running them again; a fit resumed with more waves samples
        afresh from its smaller region. The column ``density`` is the proposal's.
        """
        path = None if folder is None else folder / f"samples_{len(match.waves)}_{self.samples}.csv"
        units = [f"u_{n}" for n in prior.names]
        if path is not None and path.is_file():
            samples = pd.read_csv(path)
            if list(samples.columns[: len(prior.names)]) != list(prior.names):
                raise InputError(path, "columns", "written by a fit of other parameters; "
                                 "remove the folder or give another --out")  # fmt: skip
            return samples
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(SAMPLING,)))
        unit, density = match.sample(self.samples, rng)
        progress.note(f"sampling: {len(unit)} sets from the region left")
        table, _ = self.measure(prior.values(unit), stream(seed, SAMPLING))
        samples = pd.DataFrame(prior.values(unit), columns=list(prior.names))
        samples[units] = unit
        samples["density"] = density
        samples = pd.concat([samples, table], axis=1)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            samples.to_csv(path, index=False)
        return samples


def _stored(
    folder: Path | None, params: tuple[str, ...], outputs: list[str]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Waves already written in ``folder`` with the same parameters and outputs."""
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if folder is None or not folder.is_dir():
        return out
    columns = [f"u_{n}" for n in params]
    for k in range(10_000):
        path = folder / f"wave_{k}.csv"
        if not path.is_file():
            break
        frame = pd.read_csv(path)
        if list(frame.columns) != [*columns, *outputs]:
            raise InputError(path, "columns", "written by a fit of other parameters or outputs; "
                             "remove the folder or give another --out")  # fmt: skip
        out[k] = frame[columns].to_numpy(float), frame[outputs].to_numpy(float)
    return out


def as_calibration_result(found: Matched, seed: int) -> CalibrationResult:
    """The posterior as a :class:`~sim.experiments.calibrate.CalibrationResult` for the file."""
    table = found.samples.copy()
    exp = found.experiment
    return CalibrationResult(
        names=list(found.prior.names), prior=found.prior.ranges(), table=table, seed=seed,
        sets=len(table), replicates=exp.runs, around=True,
    )  # fmt: skip


def match_result(found: Matched, seed: int) -> Result:
    """A history match as a :class:`~sim.experiments.base.Result` for the writer.

    Files: ``waves.csv`` (every design set of every wave, on the prior's unit
    scale, with its outputs), ``samples.parquet`` (every sampled set: values,
    outputs, misses, distance, accepted, weight), ``calibration.toml`` and
    ``calibration_posterior.csv`` (the fit as a calibration file), and
    ``summary.json``; ``waves/`` (each wave, and the sampled sets with their
    distances) is kept for a resumed fit.
    """
    from sim.experiments.calibration_file import calibration_text, posterior_csv

    exp, match = found.experiment, found.match
    result = as_calibration_result(found, seed)
    calibration = exp.hindcasts[0].inputs.calibration
    note = (f"history matching, {len(match.waves)} waves of {exp.design} sets x {exp.runs} "
            f"runs, {len(found.samples)} sampled, seed {seed}")  # fmt: skip
    designs = []
    for k, (x, y) in enumerate(zip(match.designs, match.runs, strict=True)):
        frame = pd.DataFrame(x, columns=[f"u_{n}" for n in found.prior.names])
        frame[[o.name for o in found.outputs]] = y
        frame.insert(0, "wave", k)
        designs.append(frame)
    waves = match.summary()
    marginals = found.marginals()
    ess = found.effective_size()
    summary = {
        "method": "history matching",
        "parameters": list(found.prior.names),
        "waves": waves.to_dict(orient="records"),
        "outputs": [
            {"name": o.name, "low": o.low, "high": o.high, "discrepancy": o.discrepancy}
            for o in found.outputs
        ],
        "sampled": len(found.samples),
        "accepted": int(found.samples["accepted"].sum()),
        "effective_sample_size": ess,
        "epsilon": exp.epsilon,
        "marginals": marginals.to_dict(orient="records"),
        "command": found.command,
    }
    return Result(
        kind="match",
        name="calibration",
        summary=summary,
        tables={
            "waves": Table(pd.concat(designs, ignore_index=True), ("csv",)),
            "samples": Table(found.samples),
            "marginals": Table(marginals, ("csv",)),
        },
        texts={
            "calibration.toml": calibration_text(result, calibration, note, method=METHOD),
            "calibration_posterior.csv": posterior_csv(result),
        },
        inputs=input_files(
            calibration=calibration.path,
            baseline=exp.baseline.path,
            **{h.episode.name: h.path for h in exp.hindcasts},
        ),
        seed=seed,
        runs=(sum(len(x) for x in match.designs) + len(found.samples))
        * exp.runs
        * (len(exp.hindcasts) + 1),
        payload=found,
        carry=("waves",),
    )
