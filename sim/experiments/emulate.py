"""Bayesian history matching with Gaussian-process emulators, in waves, then weighted sampling.

History matching (Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015)
rules out, wave by wave, the inputs at which a simulator cannot meet history:
each wave runs a design (a Latin hypercube first, then draws from the region
kept so far), fits one :class:`Emulator` per output and rules out an input
when an emulator's mean lies more than :data:`CUTOFF` standard deviations
(emulator and model discrepancy together) outside its output's interval.
:meth:`Match.sample` then draws from the region left, with weights that make
the sample one of the uniform prior restricted to it. Inputs are points of
``[0, 1]^d`` (a caller maps them to parameters), outputs real vectors from a
callback; a run's undefined output (``nan``, say a median year of an event
that never happened) is dropped from that output's emulator only, and an
output with fewer than ``d + 2`` defined runs in a wave rules nothing out there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from sim.experiments.emulator import (
    CHUNK,
    ONE_THREAD,
    Emulator,
    Output,
    Rng,
    latin_hypercube,
    points,
)

CUTOFF = 3.0
"""Implausibility cut-off: Pukelsheim's three-sigma rule (any unimodal law has 95% within 3 sd)."""

UNIFORM = 50_000
"""Uniform draws that measure the share of the cube left and seed the next design."""

GUIDED = 0.5
"""Share of each later design steered toward points the last wave expects to meet every output."""

GUIDE_FLOOR = 0.05
"""Least acceptance probability of a guided draw, so that no kept point is left out."""

MAX_TRIES = 400_000
"""Most proposals drawn while filling a design or a sample."""

DEFENSIVE = 0.1
"""Uniform share of the proposal mixture, so that importance weights stay bounded by 1/0.1."""

LOO_SHARE = 0.95
"""Share of LOO errors within 3 for :meth:`Match.summary` to pass an emulator (99% expected)."""

_FAR = 8.0
"""Prior standard deviations beyond which :meth:`Wave.meet_probability` skips the variance."""


def _ratio(dist: np.ndarray, sd: np.ndarray | float) -> np.ndarray:
    """``dist / sd`` where ``sd > 0``; else 0 where ``dist == 0`` and ``inf`` where it is not."""
    sd = np.broadcast_to(np.asarray(sd, dtype=float), dist.shape)
    out = np.where(dist > 0, np.inf, 0.0)
    return np.divide(dist, sd, out=out, where=sd > 0)


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    """A boolean mask of length ``n``, true at ``rows``."""
    return np.bincount(rows, minlength=n).astype(bool)


def _stream(seed: int, wave: int, use: int) -> Rng:
    """The random stream of ``wave`` for ``use`` (0 design, 1 emulators, 2 volume draws)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(wave, use)))


@dataclass(frozen=True)
class Wave:
    """One wave's emulators and the verdict they give on unit-cube inputs.

    ``emulators`` has one per output, aligned with ``outputs``, ``None`` where
    the wave had too few defined runs to emulate that output (it then rules
    nothing out); ``dims`` is the cube's dimension; an input whose
    implausibility exceeds ``cutoff`` is ruled out.
    """

    emulators: tuple[Emulator | None, ...]
    outputs: tuple[Output, ...]
    dims: int
    cutoff: float = CUTOFF

    def _pairs(self) -> list[tuple[Output, Emulator]]:
        return [(o, e) for o, e in zip(self.outputs, self.emulators, strict=True) if e is not None]

    def implausibility(self, x: np.ndarray) -> np.ndarray:
        """Largest over outputs of ``outside(mean) / sqrt(var + discrepancy²)`` at each point."""
        x = points(x, self.dims)
        worst = np.zeros(len(x))
        for out, em in self._pairs():
            mean, var = em.predict(x)
            worst = np.maximum(worst, _ratio(out.outside(mean), np.sqrt(var + out.discrepancy**2)))
        return worst

    def plausible(self, x: np.ndarray) -> np.ndarray:
        """Whether each point is kept: ``implausibility(x) <= cutoff``, computed lazily.

        Since ``0 <= var <= prior_variance``, the mean alone decides most
        points; the variance is predicted only for the rest, output by output,
        on rows not yet ruled out.
        """
        x = points(x, self.dims)
        rows = np.arange(len(x))
        for out, em in self._pairs():
            if rows.size == 0:
                break
            dist = out.outside(em.mean(x[rows]))
            d2 = out.discrepancy**2
            ruled = _ratio(dist, np.sqrt(em.prior_variance + d2)) > self.cutoff
            kept = (dist == 0) | (_ratio(dist, np.sqrt(d2)) <= self.cutoff)
            open_ = ~ruled & ~kept
            if open_.any():
                _, var = em.predict(x[rows[open_]])
                ruled[open_] = _ratio(dist[open_], np.sqrt(var + d2)) > self.cutoff
            rows = rows[~ruled]
        return _mask(len(x), rows)

    def meet_probability(self, x: np.ndarray) -> np.ndarray:
        """Chance that a run at each point meets every interval, outputs taken as independent.

        Each output is ``N(mean, var + discrepancy²)``; a mean more than 8
        prior sds outside (or inside, from both ends) the interval gives 0 (1)
        without predicting the variance.
        """
        x = points(x, self.dims)
        prob = np.ones(len(x))
        for out, em in self._pairs():
            rows = np.flatnonzero(prob > 0)
            if rows.size == 0:
                break
            mean = em.mean(x[rows])
            d2 = out.discrepancy**2
            far = _FAR * np.sqrt(em.prior_variance + d2)
            p = np.where(out.outside(mean) > far, 0.0, 1.0)
            open_ = (p > 0) & ~((mean - out.low > far) & (out.high - mean > far))
            if open_.any():
                _, var = em.predict(x[rows[open_]])
                p[open_] = _interval(mean[open_], np.sqrt(var + d2), out.low, out.high)
            prob[rows] *= p
        return prob


def _interval(mean: np.ndarray, sd: np.ndarray, low: float, high: float) -> np.ndarray:
    """``P(low <= Y <= high)`` for ``Y ~ N(mean, sd²)`` (a point mass where ``sd == 0``)."""
    safe = np.where(sd > 0, sd, 1.0)
    a, b = (low - mean) / safe, (high - mean) / safe
    p = np.where(a > 0, special.ndtr(-a) - special.ndtr(-b), special.ndtr(b) - special.ndtr(a))
    return np.where(sd > 0, p, ((mean >= low) & (mean <= high)).astype(float))


def fit_wave(
    x: np.ndarray, y: np.ndarray, outputs: Sequence[Output], rng: Rng, cutoff: float = CUTOFF
) -> Wave:
    """Fit one emulator per output to runs ``y`` (n, m) at design ``x`` (n, d).

    Non-finite runs of an output are left out of that output's emulator only;
    an output with fewer than ``d + 2`` finite runs gets no emulator.
    """
    x = points(x)
    y = np.asarray(y, dtype=float).reshape(len(x), -1)
    if y.shape[1] != len(outputs):
        raise ValueError(f"runs have {y.shape[1]} outputs, expected {len(outputs)}")
    ok = np.isfinite(y)
    fits = ok.sum(axis=0) >= x.shape[1] + 2
    emulators = tuple(
        Emulator.fit(x[ok[:, j]], y[ok[:, j], j], rng) if fits[j] else None
        for j in range(y.shape[1])
    )
    return Wave(emulators, tuple(outputs), x.shape[1], cutoff)


def plausible(waves: Sequence[Wave], x: np.ndarray) -> np.ndarray:
    """Whether every wave keeps each point; each wave sees only the rows still kept."""
    x = points(x)
    rows = np.arange(len(x))
    for wave in waves:
        rows = rows[wave.plausible(x[rows])]
    return _mask(len(x), rows)


class Proposal:
    """A defensive mixture on the cube with an exact density, to draw from a region.

    :data:`DEFENSIVE` uniform plus equal-weight Gaussian kernels centred on
    given points, each truncated to ``[0, 1]`` in every dimension, with
    per-dimension bandwidth by Scott's rule (sd of the points × ``n^(-1/(d+4))``,
    at least 1e-3). With no points it is the uniform law.
    """

    def __init__(self, centres: np.ndarray, dims: int) -> None:
        self.dims = dims
        self.centres = points(centres, dims)
        k = len(self.centres)
        spread = self.centres.std(axis=0, ddof=1) if k > 1 else np.zeros(dims)
        h = self.bandwidth = np.maximum(spread * max(k, 1) ** (-1 / (dims + 4)), 1e-3)
        mass = special.ndtr((1 - self.centres) / h) - special.ndtr(-self.centres / h)  # in cube
        self._log_norm = -np.sum(np.log(h * np.sqrt(2 * np.pi) * mass), axis=1)

    @classmethod
    def around(cls, points: np.ndarray, dims: int | None = None) -> Proposal:
        """The proposal with kernels centred on ``points`` (k, d); ``dims`` needed when k is 0."""
        points = np.asarray(points, dtype=float)
        return cls(points, dims or points.shape[-1])

    def draw(self, n: int, rng: Rng) -> np.ndarray:
        """``n`` independent points of the cube from the mixture."""
        out = rng.random((n, self.dims))
        if len(self.centres) == 0:
            return out
        kernel = rng.random(n) >= DEFENSIVE
        c, h = self.centres[rng.integers(len(self.centres), size=kernel.sum())], self.bandwidth
        draws = stats.truncnorm.rvs(-c / h, (1 - c) / h, c, h, random_state=rng)
        out[kernel] = np.clip(draws, 0.0, 1.0)
        return out

    @ONE_THREAD
    def density(self, x: np.ndarray) -> np.ndarray:
        """Mixture density at each point of ``x`` (n, d), per unit volume of the cube."""
        x = points(x, self.dims)
        inside = np.all((x >= 0) & (x <= 1), axis=1)
        k, dens = len(self.centres), inside.astype(float)
        if k == 0:
            return dens
        step = 500  # centres at a time: a (CHUNK, step) block of log densities
        for i in range(0, len(x), CHUNK):
            xs = x[i : i + CHUNK] / self.bandwidth
            acc = np.full(len(xs), -np.inf)
            for j in range(0, k, step):
                cs = self.centres[j : j + step] / self.bandwidth
                sq = (xs**2).sum(1)[:, None] + (cs**2).sum(1)[None] - 2 * xs @ cs.T
                logs = -0.5 * np.maximum(sq, 0.0) + self._log_norm[j : j + step]
                acc = np.logaddexp(acc, special.logsumexp(logs, axis=1))
            mix = np.exp(acc - np.log(k))
            dens[i : i + CHUNK] = (DEFENSIVE + (1 - DEFENSIVE) * mix) * inside[i : i + CHUNK]
        return dens


def _fill(
    waves: Sequence[Wave], proposal: Proposal, n: int, rng: Rng, max_tries: int, guided: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Draws kept by every wave (thinned by guidance if asked) and their acceptance chances."""
    found, chances, count, tries = [np.zeros((0, proposal.dims))], [np.zeros(0)], 0, 0
    while count < n and tries < max_tries:
        # first batch: twice what is needed; then enough for the acceptance rate seen so far
        need = n - count
        size = 2 * need + 1_000 if not tries else 1.2 * need / max(count / tries, 1e-4)
        size = int(min(size, 100_000, max_tries - tries))  # bounded batches
        x = proposal.draw(size, rng)
        tries += size
        x = x[plausible(waves, x)]
        a = np.ones(len(x))
        if guided and len(x):
            a = np.maximum(GUIDE_FLOOR, waves[-1].meet_probability(x))
            take = rng.random(len(x)) < a
            x, a = x[take], a[take]
        found.append(x)
        chances.append(a)
        count += len(x)
    return np.concatenate(found)[:n], np.concatenate(chances)[:n]


def draw_plausible(
    waves: Sequence[Wave], proposal: Proposal, n: int, rng: Rng, max_tries: int = MAX_TRIES
) -> np.ndarray:
    """Up to ``n`` draws from ``proposal`` kept by every wave, from at most ``max_tries``."""
    return _fill(waves, proposal, n, rng, max_tries, guided=False)[0]


def draw_guided(
    waves: Sequence[Wave], proposal: Proposal, n: int, rng: Rng, max_tries: int = MAX_TRIES
) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``n`` kept draws, thinned toward points the last wave expects to meet history.

    A kept draw is accepted with chance ``a = max(GUIDE_FLOOR, p)``, ``p`` the
    last wave's :meth:`Wave.meet_probability`. Returns the points and their
    unnormalised density ``proposal.density(x) · a``: weights ``1 / density``
    make the sample one of the uniform prior restricted to the kept region.
    """
    x, a = _fill(waves, proposal, n, rng, max_tries, guided=True)
    return x, proposal.density(x) * a


def uniform_plausible(
    waves: Sequence[Wave], rng: Rng, n: int = UNIFORM
) -> tuple[np.ndarray, float]:
    """``n`` uniform draws of the cube: those every wave keeps, and the share kept (volume left)."""
    x = rng.random((n, waves[0].dims))
    keep = plausible(waves, x)
    return x[keep], float(keep.mean()) if n else 0.0


def _region(waves: Sequence[Wave], designs: Sequence[np.ndarray], rng: Rng):
    """Uniform survivors and design points kept by every wave, and the share of cube left."""
    survivors, share = uniform_plausible(waves, rng)
    design = np.concatenate(designs)
    return np.concatenate([survivors, design[plausible(waves, design)]]), share


@dataclass
class Match:
    """What a history match found, wave by wave.

    ``waves`` are the fitted waves; ``designs`` and ``runs`` each wave's
    unit-cube points and simulated outputs (n, m); ``left`` the share of the
    cube's volume kept by every wave so far, after each wave; ``emptied`` is
    true when a wave left no point of the cube, or no kept point was found in
    :data:`MAX_TRIES` draws (the match stopped there).
    """

    waves: list[Wave]
    designs: list[np.ndarray]
    runs: list[np.ndarray]
    left: list[float]
    emptied: bool

    def sample(self, n: int, rng: Rng, max_tries: int = MAX_TRIES) -> tuple[np.ndarray, np.ndarray]:
        """Guided draws from the region left, and their densities (weights are ``1 / density``).

        The proposal is centred on uniform survivors and on design points kept
        by every wave; see :func:`draw_guided`.
        """
        proposal = Proposal.around(_region(self.waves, self.designs, rng)[0], self.waves[0].dims)
        return draw_guided(self.waves, proposal, n, rng, max_tries)

    def summary(self) -> pd.DataFrame:
        """One row per wave: ``wave``, ``design`` (runs), ``left`` (share of the cube kept so far).

        Then ``kept`` (share of the design its own wave keeps), ``inside_median``
        and ``inside_max`` (outputs of a run inside their interval, ``nan`` is
        outside), ``loo_within`` (share of all standardized LOO errors within
        3) and ``loo_ok`` (share of emulators with :data:`LOO_SHARE` within 3).
        """
        rows = []
        for k, (wave, x, y) in enumerate(zip(self.waves, self.designs, self.runs, strict=True)):
            low, high = np.array([(o.low, o.high) for o in wave.outputs]).T
            inside = ((y >= low) & (y <= high)).sum(axis=1)
            within = [np.abs(e.loo_errors()) <= 3 for e in wave.emulators if e is not None]
            pooled = np.concatenate([np.zeros(0, dtype=bool), *within])
            loo = np.mean(pooled if pooled.size else np.nan)
            ok = np.mean([w.mean() >= LOO_SHARE for w in within] or np.nan)
            kept = wave.plausible(x).mean()
            rows.append((k, len(x), self.left[k], kept, np.median(inside), inside.max(), loo, ok))
        names = ["wave", "design", "left", "kept", "inside_median", "inside_max", "loo_within"]
        return pd.DataFrame(rows, columns=[*names, "loo_ok"])


def history_match(
    simulate: Callable[[np.ndarray, int], np.ndarray],
    outputs: Sequence[Output],
    dims: int,
    waves: int,
    design: int,
    seed: int,
    cutoff: float = CUTOFF,
    stored: Mapping[int, tuple[np.ndarray, np.ndarray]] | None = None,
    on_wave: Callable[[int, np.ndarray, np.ndarray], None] | None = None,
) -> Match:
    """Run up to ``waves`` waves of ``design`` runs in the cube of ``dims`` inputs.

    Parameters
    ----------
    simulate
        ``simulate(x, wave)`` returns the (n, m) outputs at unit-cube points
        ``x`` (n, dims), ``nan`` where an output is undefined for a run.
    outputs, cutoff
        The m outputs and their intervals; the implausibility cut-off.
    seed
        Wave ``k`` draws its design, emulator fits and volume draws from
        streams ``SeedSequence(seed, spawn_key=(k, use))``, ``use`` 0, 1, 2, so
        a match resumed from ``stored`` waves ends exactly as an uninterrupted one.
    stored, on_wave
        Waves already simulated, ``wave -> (x, y)``, used instead of drawing
        and simulating (emulators are refitted); ``on_wave(k, x, y)`` is
        called after each newly simulated wave (to stream it to disk, say).
    """
    if waves < 1 or design < 1 or dims < 1:
        raise ValueError(f"need waves, design and dims >= 1, got {waves}, {design}, {dims}")
    stored = stored or {}
    match = Match([], [], [], [], emptied=False)
    proposal = Proposal.around(np.zeros((0, dims)), dims)
    for k in range(waves):
        if k in stored:
            x = points(stored[k][0], dims)
            y = np.asarray(stored[k][1], dtype=float).reshape(len(x), len(outputs))
        else:
            rng = _stream(seed, k, 0)
            if k == 0:
                x = latin_hypercube(design, dims, rng)
            else:
                first = round(design * (1 - GUIDED))
                x = draw_plausible(match.waves, proposal, first, rng)
                x = np.concatenate([x, draw_guided(match.waves, proposal, design - first, rng)[0]])
            if len(x) == 0:
                match.emptied = True
                break
            y = np.asarray(simulate(x, k), dtype=float)
            if y.shape != (len(x), len(outputs)):
                raise ValueError(f"simulate gave shape {y.shape} for {len(x)} points")
            if on_wave is not None:
                on_wave(k, x, y)
        match.waves.append(fit_wave(x, y, outputs, _stream(seed, k, 1), cutoff))
        match.designs.append(x)
        match.runs.append(y)
        centres, share = _region(match.waves, match.designs, _stream(seed, k, 2))
        match.left.append(share)
        if len(centres) == 0:
            match.emptied = True
            break
        proposal = Proposal.around(centres, dims)
    return match
