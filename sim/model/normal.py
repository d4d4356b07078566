"""Standard normal quantiles, compiled, so that the step turns its own uniform draws into noise.

The algorithm is Cephes ``ndtri`` (Moshier 1989), the one behind
``scipy.special.ndtri``: a rational approximation in ``y - 1/2`` for the
central 73% of the unit interval and two in ``sqrt(-2 log y)`` for the
tails. Written here so that the compiled step can call it on numbers; the
test suite checks it against scipy on a million uniforms and on the tails.
"""

from __future__ import annotations

import numpy as np

from sim.model.mechanisms.common import compiled

_CENTRE_P = np.array([
    -5.99633501014107895267e1, 9.80010754185999661536e1, -5.66762857469070293439e1,
    1.39312609387279679503e1, -1.23916583867381258016e0,
])  # fmt: skip
_CENTRE_Q = np.array([
    1.95448858338141759834e0, 4.67627912898881538453e0, 8.63602421390890590575e1,
    -2.25462687854119370527e2, 2.00260212380060660359e2, -8.20372256168333339912e1,
    1.59056225126211695515e1, -1.18331621121330003142e0,
])  # fmt: skip
_TAIL_P = np.array([
    4.05544892305962419923e0, 3.15251094599893866154e1, 5.71628192246421288162e1,
    4.40805073893200834700e1, 1.46849561928858024014e1, 2.18663306850790267539e0,
    -1.40256079171354495875e-1, -3.50424626827848203418e-2, -8.57456785154685413611e-4,
])  # fmt: skip
_TAIL_Q = np.array([
    1.57799883256466749731e1, 4.53907635128879210584e1, 4.13172038254672030440e1,
    1.50425385692907503408e1, 2.50464946208309415979e0, -1.42182922854787788574e-1,
    -3.80806407691578277194e-2, -9.33259480895457427372e-4,
])  # fmt: skip
_FAR_P = np.array([
    3.23774891776946035970e0, 6.91522889068984211695e0, 3.93881025292474443415e0,
    1.33303460815807542389e0, 2.01485389549179081538e-1, 1.23716634817820021358e-2,
    3.01581553508235416007e-4, 2.65806974686737550832e-6, 6.23974539184983293730e-9,
])  # fmt: skip
_FAR_Q = np.array([
    6.02427039364742014255e0, 3.67983563856160859403e0, 1.37702099489081330271e0,
    2.16236993594496635890e-1, 1.34204006088543189037e-2, 3.28014464682127739104e-4,
    2.89247864745380683936e-6, 6.79019408009981274425e-9,
])  # fmt: skip
_EXP_M2 = 0.13533528323661269189  # exp(-2): where the tail approximations take over
_SQRT_2PI = 2.50662827463100050242
EPS = 1e-12
"""Uniforms are held to ``[EPS, 1 - EPS]`` before the quantile, so noise stays finite."""


@compiled
def _polynomial(x: float, coef: np.ndarray) -> float:
    """``coef[0] x^N + ... + coef[N]`` by Horner's rule."""
    out = coef[0]
    for k in range(1, coef.shape[0]):
        out = out * x + coef[k]
    return out


@compiled
def _monic(x: float, coef: np.ndarray) -> float:
    """``x^N + coef[0] x^(N-1) + ... + coef[N-1]`` by Horner's rule."""
    out = x + coef[0]
    for k in range(1, coef.shape[0]):
        out = out * x + coef[k]
    return out


@compiled
def quantile(u: float) -> float:
    """Standard normal quantile of a uniform ``u``, held to ``[EPS, 1 - EPS]``."""
    y = min(max(u, EPS), 1.0 - EPS)
    upper = y > 1.0 - _EXP_M2
    if upper:
        y = 1.0 - y
    if y > _EXP_M2:
        y = y - 0.5
        y2 = y * y
        x = y + y * (y2 * _polynomial(y2, _CENTRE_P) / _monic(y2, _CENTRE_Q))
        return x * _SQRT_2PI
    x = np.sqrt(-2.0 * np.log(y))
    x0 = x - np.log(x) / x
    z = 1.0 / x
    if x < 8.0:
        x1 = z * _polynomial(z, _TAIL_P) / _monic(z, _TAIL_Q)
    else:
        x1 = z * _polynomial(z, _FAR_P) / _monic(z, _FAR_Q)
    x = x0 - x1
    return x if upper else -x


@compiled
def quantiles(u: np.ndarray) -> np.ndarray:
    """:func:`quantile` of every element of a 1-D array."""
    out = np.empty_like(u)
    for k in range(u.shape[0]):
        out[k] = quantile(u[k])
    return out
