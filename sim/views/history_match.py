"""The view of ``wedge calibrate --method history``: the waves, the posterior and its marginals.

One figure in the project's style: per fitted parameter, its prior (the whole
row, on the prior's own scale), where each wave's sets were drawn (5-95% of
them: the prior, then the region earlier waves left) and the posterior's
weighted 5-95% interval and median.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np

from sim.experiments.history_match import FEW, Matched
from sim.markdown import records_table
from sim.views.style import OKABE_ITO, STYLE, new_figure, wrap_title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result


def figures(result: Result) -> dict[str, Figure]:
    """``posterior``: each parameter's prior, the waves' regions and the posterior."""
    found: Matched = result.payload
    names = list(found.prior.names)
    marg = found.marginals()
    with mpl.rc_context(STYLE):
        fig = new_figure(8.5, 0.42 * len(names) + 2.4)
        ax = fig.subplots()
        ypos = np.arange(len(names))[::-1].astype(float)
        greys = np.linspace(0.8, 0.45, max(1, len(found.match.designs)))
        for k, x in enumerate(found.match.designs):
            lo, hi = np.quantile(x, [0.05, 0.95], axis=0)
            where = "the prior" if k == 0 else "the region earlier waves left"
            ax.barh(ypos + 0.3 - 0.12 * k, hi - lo, left=lo, height=0.1, color=str(greys[k]),
                    label=f"wave {k}: 5-95% of its sets (drawn from {where})")  # fmt: skip
        for j, row in marg.iterrows():
            if np.isnan(row["u_median"]):
                continue
            ax.plot([row["u_q05"], row["u_q95"]], [ypos[j] - 0.25] * 2,
                    color=OKABE_ITO["vermillion"], linewidth=3,
                    label="posterior: weighted 5-95%" if j == 0 else None)  # fmt: skip
            ax.plot(row["u_median"], ypos[j] - 0.25, "D", color="black", markersize=5,
                    label="posterior median" if j == 0 else None)  # fmt: skip
        ax.set_yticks(ypos, names)
        ax.set_xlim(0, 1)
        ax.set_xlabel("position in the prior range (0 = low end, 1 = high end; log scale "
                      "where the range is positive)")  # fmt: skip
        ess = found.effective_size()
        ax.set_title(wrap_title(fig, f"History matching: what {len(found.match.designs)} waves "
                                f"and the sampled posterior (effective size {ess:.0f}) leave "
                                "of each fitted parameter"))  # fmt: skip
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize="small")
    return {"posterior": fig}


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: the waves, the sampling, the marginals, and how to apply the fit."""
    found: Matched = result.payload
    s = result.summary
    ess = s["effective_sample_size"]
    waves = found.match.summary()
    marg = found.marginals()
    lines = [
        "# Fit to history by history matching",
        "",
        f"`{found.command}`",
        "",
        f"{len(found.prior.names)} behaviour parameters fitted to both history episodes and "
        "the 2018-2024 picture; every other parameter drawn over its calibration range, as "
        "forecasts draw it. Each wave rules out the sets whose emulated outputs lie more than "
        f"{found.experiment.cutoff:g} standard deviations (emulator, sampling noise and the "
        "stated model discrepancy) outside the intervals that meet history.",
        "",
        "## Waves",
        "",
        records_table(waves.to_dict(orient="records"), list(waves.columns)),
        "",
        "## Sampling",
        "",
        f"{s['sampled']} sets drawn from the region left and run on fresh worlds; "
        f"{s['accepted']} came within {s['epsilon']:g} of history. Effective sample size "
        f"(Kish) **{ess:.0f}**.",
        "",
    ]
    if ess < FEW:
        lines += [
            f"Under {FEW} effective sets the posterior is too small to say which parameters "
            "history constrains; the marginals below describe the sets found, not a posterior.",
            "",
        ]
    lines += [
        "## Marginals",
        "",
        records_table(marg.to_dict(orient="records"), list(marg.columns)),
        "",
        f"![What each wave and the posterior leave]({figure_files.get('posterior', '')})",
        "",
        "Apply with `--apply` (writes the calibration file and its posterior), then run "
        "`wedge docs` and `wedge validate`.",
    ]
    return "\n".join(lines) + "\n"


def terminal(result: Result) -> str:
    """A few lines: waves, region left, accepted sets and effective size."""
    s = result.summary
    left = ", ".join(f"{w['left']:.2%}" for w in s["waves"])
    return (
        f"history matching: {len(s['waves'])} waves, prior left after each: {left}\n"
        f"sampled {s['sampled']} sets, {s['accepted']} within {s['epsilon']:g} of history; "
        f"effective sample size {s['effective_sample_size']:.0f}"
    )
