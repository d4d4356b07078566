"""Which behaviour parameters move what history is scored on: the screen behind ``CORE``.

A Latin hypercube over the prior of *every* behaviour parameter (each range holds the
hand-set judgement and the current calibration value, a factor of 3 beyond either:
``sim.experiments.history_match.Prior.around``), each set run on both episodes' hindcasts
and the 2024 baseline. For each of the 23 outputs history matching emulates
(``sim.experiments.history.targets.quantities`` and the present-day picture), a rank
regression on the parameters gives standardized rank-regression coefficients (SRRC) and
its R^2 (Saltelli et al. 2004, ch. 1; Helton and Davis 2003). A parameter's importance is
its sum of squared SRRC over the outputs: the share of rank variance it explains, added
over what history is scored on. The fifteen most important form ``CORE``.

Run from the repository root (about 5 minutes on two cores)::

    python docs/evidence/core_screen.py > docs/evidence/core_screen.md
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.stats import qmc, rankdata

from sim.engine.ensemble import load_inputs
from sim.experiments.history_match import MatchHistory, Prior
from sim.experiments.validate import hindcasts

SETS, RUNS, FACTOR, SEED = 3000, 40, 3.0, 11


def main() -> None:
    """Run the screen and print its tables as Markdown."""
    episodes = tuple(hindcasts())
    baseline = load_inputs("scenarios/baseline_2024.toml")
    calibration = episodes[0].inputs.calibration
    names = tuple(calibration.parameters)
    prior = Prior.around(calibration, names, FACTOR)
    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(SEED)).random(SETS)
    table, intervals = MatchHistory(episodes, baseline, names, runs=RUNS).measure(
        prior.values(unit), SEED
    )
    ranks = np.column_stack([rankdata(unit[:, k]) for k in range(len(names))])
    ranks = (ranks - ranks.mean(0)) / ranks.std(0)
    met = np.column_stack([(table[n] >= lo) & (table[n] <= hi) for n, lo, hi, _ in intervals])
    out = sys.stdout
    out.write(f"# Screen of {len(names)} behaviour parameters over {len(intervals)} outputs\n\n")
    out.write(f"{SETS} sets (Latin hypercube, seed {SEED}), {RUNS} worlds per set and scenario; "
              f"prior factor {FACTOR:g}. Sets meeting every output: "
              f"{int(met.all(axis=1).sum())}; outputs met per set: median "
              f"{np.median(met.sum(axis=1)):g}, most {met.sum(axis=1).max()}.\n\n")  # fmt: skip
    out.write("| output | sets meeting it | R² | largest SRRC |\n|---|---:|---:|---|\n")
    importance = np.zeros(len(names))
    for (name, *_), hit in zip(intervals, met.T, strict=True):
        y = table[name].to_numpy(float)
        ok = np.isfinite(y)
        yr = rankdata(y[ok])
        yr = (yr - yr.mean()) / yr.std()
        beta, *_ = np.linalg.lstsq(ranks[ok], yr, rcond=None)
        r2 = 1 - np.sum((yr - ranks[ok] @ beta) ** 2) / np.sum(yr**2)
        importance += beta**2
        top = ", ".join(f"`{names[k]}` {beta[k]:+.2f}" for k in np.argsort(-np.abs(beta))[:5])
        out.write(f"| `{name}` | {hit.mean():.1%} | {r2:.2f} | {top} |\n")
    out.write("\n| rank | parameter | importance (sum of squared SRRC) |\n|---:|---|---:|\n")
    order = np.argsort(-importance)
    for rank, k in enumerate(order, start=1):
        out.write(f"| {rank} | `{names[k]}` | {importance[k]:.3f} |\n")
    share = importance[order[:15]].sum() / importance.sum()
    out.write(f"\nThe fifteen most important hold {share:.0%} of the summed importance.\n")


if __name__ == "__main__":
    main()
