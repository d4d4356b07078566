"""Gaussian-process emulators of a stochastic simulator's outputs, and the outputs they emulate.

An :class:`Emulator` is a linear trend plus a Gaussian process (anisotropic
Matérn 5/2 kernel and a white-noise term for run-to-run noise) fitted to runs
at points of ``[0, 1]^d``; an :class:`Output` is a simulator output with the
interval that meets history and its model discrepancy. History matching
(:mod:`sim.experiments.emulate`) rules out inputs with them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular
from scipy.stats import qmc
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from threadpoolctl import ThreadpoolController

FIT_POINTS = 400
"""Most design points the kernel is tuned on (at random); the GP is then conditioned on all."""

CHUNK = 5_000
"""Points predicted at a time, to bound memory (a chunk holds ``CHUNK × design`` kernel values)."""

_EXACT = 1e-9
"""Residual sd, relative to the root mean square of the output, below which the trend is exact."""

_JITTER = 1e-10
"""Added to the kernel's diagonal for a stable Cholesky factor (normalised units)."""

Rng = np.random.Generator  # every function takes a Generator, never the legacy global state

ONE_THREAD = ThreadpoolController().wrap(limits=1, user_api="blas")
"""BLAS runs single-threaded here: the matrices are small, and threads contending with busy
cores (simulation workers) made the emulators ten to thirty times slower in practice."""


def points(x: np.ndarray, dims: int | None = None) -> np.ndarray:
    """``x`` as a float array of shape (n, d), checked against ``dims`` when given."""
    x = np.asarray(x, dtype=float)
    x = x.reshape(-1, dims) if x.ndim == 1 and dims else x
    if x.ndim != 2 or (dims is not None and x.shape[1] != dims):
        raise ValueError(f"expected points of shape (n, {dims or 'd'}), got {x.shape}")
    return x


@dataclass(frozen=True)
class Output:
    """A simulator output, the interval ``[low, high]`` that meets history and the discrepancy.

    Bounds are in the output's units (an unbounded side is ``-inf`` or
    ``inf``); ``discrepancy`` is the standard deviation, in the same units, of
    model discrepancy: how far even the best inputs may miss history for
    reasons the model leaves out.
    """

    name: str
    low: float
    high: float
    discrepancy: float

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"output {self.name!r}: low {self.low} is not <= high {self.high}")
        if not (np.isfinite(self.discrepancy) and self.discrepancy >= 0):
            raise ValueError(f"output {self.name!r}: discrepancy {self.discrepancy} must be >= 0")

    def outside(self, values: np.ndarray) -> np.ndarray:
        """Distance of each value outside ``[low, high]`` in output units (0 inside, nan if nan)."""
        v = np.asarray(values, dtype=float)
        out, flat = np.zeros(v.size), v.ravel()
        below, above = flat < self.low, flat > self.high
        out[below], out[above] = self.low - flat[below], flat[above] - self.high
        out[np.isnan(flat)] = np.nan
        return out.reshape(v.shape)


def latin_hypercube(n: int, dims: int, rng: Rng) -> np.ndarray:
    """``n`` points of ``[0, 1]^dims``, one in each of ``n`` equal slices of every axis."""
    return qmc.LatinHypercube(d=dims, seed=rng).random(n)


_PAD = 64
"""Rows of every matrix product of the variance, padded up to a multiple of this."""


def _rows_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T`` by BLAS on one thread, each row the same whatever rows share the call.

    A BLAS product computes a row's sums in an order that depends only on the
    kernel it picks, and it picks by the number of rows: padding every call to
    a multiple of :data:`_PAD` rows (at least one block) keeps the same kernel,
    so a point's variance does not depend on the other points of its chunk
    (tested) at the speed of BLAS rather than of a Python-level sum.
    """
    rows = len(a)
    size = max(_PAD, -(-rows // _PAD) * _PAD)
    padded = np.zeros((size, a.shape[1])) if size != rows else a
    if size != rows:
        padded[:rows] = a
    return (padded @ b.T)[:rows]


@dataclass(frozen=True, eq=False)
class Emulator:
    """A fast statistical stand-in for one simulator output on the unit cube (see :meth:`fit`).

    An OLS linear trend (``beta``, intercept first) plus a Gaussian process
    (``gp``) on the residuals in units of their sd (``scale``), with kernel
    ``C · Matérn(ν = 5/2, a length scale per input) + white noise``, the white
    term being a stochastic simulator's run-to-run noise. ``gp`` is ``None``
    when the trend is exact (a constant output, say); every variance gets a
    ``floor`` of ``(1e-9 × rms output)²``; ``gp_prior`` is the GP's amplitude +
    white noise in units of ``scale²``, ``whiten`` the inverse Cholesky factor
    of the runs' kernel matrix, ``runs`` the number of runs fitted.
    """

    dims: int
    runs: int
    beta: np.ndarray
    scale: float
    gp: GaussianProcessRegressor | None
    floor: float
    gp_prior: float = 0.0
    whiten: np.ndarray | None = None

    @classmethod
    @ONE_THREAD
    def fit(cls, x: np.ndarray, y: np.ndarray, rng: Rng) -> Emulator:
        """Fit to runs ``y`` (n,) at unit-cube inputs ``x`` (n, d); all values must be finite.

        The kernel is tuned by maximum likelihood on at most :data:`FIT_POINTS`
        runs chosen by ``rng``, then the GP is conditioned on every run with
        the kernel fixed. With ``n <= d + 1`` runs the trend is a constant.
        """
        x, y = points(x), np.asarray(y, dtype=float).ravel()
        (n, d), state = x.shape, int(rng.integers(2**31 - 1))
        if n == 0 or y.shape != (n,) or not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ValueError(f"need >= 1 finite runs, one per input: got {y.shape} for {x.shape}")
        basis = cls._basis(x, linear=n > d + 1)
        beta = np.linalg.lstsq(basis, y, rcond=None)[0]
        resid = y - basis @ beta
        scale, size = float(np.std(resid)), float(np.sqrt(np.mean(y**2)))
        floor = (_EXACT * size) ** 2
        if scale <= _EXACT * size or n < 2:
            return cls(d, n, beta, 0.0, None, floor)
        z = resid / scale
        pick = np.sort(rng.choice(n, FIT_POINTS, replace=False)) if n > FIT_POINTS else slice(None)
        kernel = ConstantKernel(1.0, (1e-4, 1e4)) * Matern(
            length_scale=np.full(d, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
        ) + WhiteKernel(noise_level=1e-2, noise_level_bounds=(1e-8, 1e1))
        with warnings.catch_warnings():
            # a deterministic simulator drives the noise to its lower bound: expected, not a fault
            warnings.simplefilter("ignore", ConvergenceWarning)
            tuned = GaussianProcessRegressor(
                kernel, alpha=_JITTER, n_restarts_optimizer=0, random_state=state
            ).fit(x[pick], z[pick])
        gp = GaussianProcessRegressor(tuned.kernel_, alpha=_JITTER, optimizer=None).fit(x, z)
        whiten = solve_triangular(gp.L_, np.eye(n), lower=True, check_finite=False)
        return cls(d, n, beta, scale, gp, floor, float(gp.kernel_.diag(x[:1])[0]), whiten)

    @staticmethod
    def _basis(x: np.ndarray, linear: bool) -> np.ndarray:
        """Trend regressors: a column of ones, then the inputs when ``linear``."""
        return np.hstack([np.ones((len(x), 1)), x]) if linear else np.ones((len(x), 1))

    @ONE_THREAD
    def _chunk(self, x: np.ndarray, variance: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Mean and (if asked) variance of a fresh run at a chunk of points, in output units."""
        # row by row, not BLAS (whose blocking mixes rows): Wave.plausible is then exact
        mean = (self._basis(x, linear=len(self.beta) > 1) * self.beta).sum(axis=1)
        if self.gp is None:
            return mean, np.full(len(x), self.floor) if variance else None
        gp = self.gp
        cross = gp.kernel_(x, gp.X_train_)
        mean = mean + self.scale * (cross * np.ravel(gp.alpha_)).sum(axis=1)
        if not variance:
            return mean, None
        v = _rows_product(cross, self.whiten)
        var = np.clip(gp.kernel_.diag(x) - np.einsum("ij,ij->i", v, v), 0.0, self.gp_prior)
        return mean, var * self.scale**2 + self.floor

    def _chunks(self, x: np.ndarray, variance: bool) -> list[tuple[np.ndarray, np.ndarray | None]]:
        x = points(x, self.dims)
        return [self._chunk(x[i : i + CHUNK], variance) for i in range(0, len(x), CHUNK)]

    def mean(self, x: np.ndarray) -> np.ndarray:
        """Expected simulator output at each point of ``x`` (n, d), in output units."""
        return np.concatenate([np.zeros(0)] + [m for m, _ in self._chunks(x, False)])

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of a fresh simulator run at each point (output units, squared).

        The variance is the emulator's uncertainty about the mean plus the
        white-noise (run-to-run) variance, never above :attr:`prior_variance`.
        """
        parts = [(np.zeros(0), np.zeros(0)), *self._chunks(x, True)]
        return np.concatenate([m for m, _ in parts]), np.concatenate([v for _, v in parts])

    @property
    def prior_variance(self) -> float:
        """Largest variance :meth:`predict` can return: kernel amplitude + white noise (units²)."""
        return self.gp_prior * self.scale**2 + self.floor

    @ONE_THREAD
    def loo_errors(self) -> np.ndarray:
        """Standardized leave-one-out errors of the design runs, in closed form (trend held fixed).

        ``r_i / sd_i`` with ``r_i = [K⁻¹e]_i / [K⁻¹]_ii`` and ``sd_i = [K⁻¹]_ii^(-1/2)``;
        a good emulator has about 99% of them within 3. Zeros for an exact trend.
        """
        if self.gp is None:
            return np.zeros(self.runs)
        gp = self.gp
        gram = gp.kernel_(gp.X_train_)
        gram[np.diag_indices_from(gram)] += _JITTER
        factor = cho_factor(gram, lower=True, check_finite=False)
        inverse_diag = np.diag(cho_solve(factor, np.eye(len(gram)), check_finite=False))
        return cho_solve(factor, np.ravel(gp.y_train_), check_finite=False) / np.sqrt(inverse_diag)
