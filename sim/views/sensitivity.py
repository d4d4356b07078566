"""The view of ``wedge sensitivity``: Sobol indices of the distance to each history episode.

One figure in the project's style: for the parameters that move the distance
most, the total index (ST, solid) and first-order index (S1, hatched) with their
95% bootstrap intervals, one panel per episode and one for the two together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.lines import Line2D

from sim.engine.design import DUMMY
from sim.experiments.sensitivity import FREE, INFORMED, JOINT, Sensitivity
from sim.views.style import STYLE, new_figure, paired_barh, wrap_title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result

TOP = 30
"""Parameters drawn: those with the largest total index on any outcome."""


def _title(outcome: str) -> str:
    return "both episodes together" if outcome == JOINT else f"episode {outcome}"


def figures(result: Result) -> dict[str, Figure]:
    """``sensitivity``: ST and S1 of the top parameters, a panel per outcome."""
    found: Sensitivity = result.payload
    verdicts = found.verdicts()
    shown = [*[p for p in verdicts["parameter"] if p != DUMMY][:TOP], DUMMY]
    outcomes = [*found.episodes, JOINT]
    with mpl.rc_context(STYLE):
        fig = new_figure(4.0 * len(outcomes) + 2.0, 0.26 * len(shown) + 2.6)
        axes = np.atleast_1d(fig.subplots(1, len(outcomes), sharex=True, sharey=True))
        ypos = np.arange(len(shown))[::-1].astype(float)
        handles: list = []
        for ax, outcome in zip(axes, outcomes, strict=True):
            table = found.indices[found.indices["outcome"] == outcome].set_index("parameter")
            table = table.reindex(shown)
            _, handles = paired_barh(
                ax,
                ypos,
                [
                    ("total index ST", table["ST"].to_numpy(), table["ST_conf"].to_numpy()),
                    ("first-order index S1", table["S1"].to_numpy(), table["S1_conf"].to_numpy()),
                ],
            )
            ax.axvline(INFORMED, color="black", linestyle="--", linewidth=0.8)
            ax.axvline(0.0, color="black", linewidth=0.6)
            ax.set_title(_title(outcome))
            ax.set_xlabel("share of the distance's variance")
            ax.grid(axis="y", visible=False)
        shown_st = found.indices[found.indices["parameter"].isin(shown)]
        top = float(np.nanmax(shown_st["ST"] + shown_st["ST_conf"]))
        axes[0].set_xlim(-0.05, max(0.5, min(1.5, top + 0.05)))  # one scale: panels compare
        axes[0].set_yticks(ypos, shown)
        axes[0].set_ylabel("behaviour parameter (largest total index first)")
        handles.append(
            Line2D([], [], color="black", linestyle="--", linewidth=0.8,
                   label=f"informed: ST ≥ {INFORMED:g}")
        )  # fmt: skip
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
        fig.suptitle(
            wrap_title(
                fig,
                "What moves the distance to history: Sobol indices over the "
                f"{found.prior} prior\n{len(found.sets):,} parameter sets x "
                f"{found.replicates} common worlds per episode; bars: 95% bootstrap intervals",
            )
        )
    return {"sensitivity": fig}


def _fmt(x: float) -> str:
    return f"{x:.3f}".replace("-", "−")


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: what was run, the counts, the figure and every parameter's indices."""
    s = result.summary
    found: Sensitivity = result.payload
    verdicts = found.verdicts()
    outcomes = [*found.episodes, JOINT]
    lines = [
        "# What moves the distance to history",
        "",
        f"{s['parameters']} behaviour parameters drawn over their {s['prior']} prior by "
        f"Saltelli's design (base sample {s['points']}, {s['sets']:,} sets), each set run on "
        f"the same {s['replicates']} worlds of each episode's hindcast (seed {s['seed']}). "
        "The outcome is each set's distance to history (root sum of squared target misses), "
        "per episode and for both together.",
        "",
        f"- **informed** (total index at least {INFORMED:g} on some outcome): "
        f"{s['counts']['informed']} parameters",
        f"- **weak** (between): {s['counts']['weak']}",
        f"- **free** (below {FREE:g} on every outcome; history does not inform them): "
        f"{s['counts']['free']}",
        f"- the dummy parameter, which does nothing, has a largest |ST| of "
        f"{s['dummy_max_ST']:.3g}: with common worlds it must be 0",
        "",
    ]
    for o in outcomes:
        d = s["distance"][o]
        lines.append(
            f"- distance to {_title(o)} over the prior: mean {d['mean']:.3f}, sd {d['sd']:.3f}; "
            f"{100 * d['met_all']:.1f}% of sets meet every target"
        )
    lines += ["", f"![Sobol indices]({figure_files['sensitivity']})", ""]
    header = "| parameter | " + " | ".join(f"ST {_title(o)}" for o in outcomes) + " | verdict |"
    lines += [header, "|---|" + "---:|" * len(outcomes) + "---|"]
    for _, row in verdicts.iterrows():
        cells = " | ".join(_fmt(row[o]) for o in outcomes)
        lines.append(f"| `{row['parameter']}` | {cells} | {row['verdict']} |")
    lines += [
        "",
        "Indices are estimated from a finite design: small negative values and values a "
        "little above 1 are estimation error (the intervals in `indices.csv` say how much).",
        "",
    ]
    return "\n".join(lines)


def terminal(result: Result) -> str:
    """Three lines: the design, the counts, the five parameters that matter most."""
    s = result.summary
    top = [r["parameter"] for r in s["ranking"] if r["parameter"] != DUMMY][:5]
    return "\n".join(
        [
            f"{s['parameters']} parameters, {s['sets']:,} sets x {s['replicates']} common "
            f"worlds on {len(s['episodes'])} episode(s) ({s['prior']} prior, seed {s['seed']})",
            f"informed {s['counts']['informed']}, weak {s['counts']['weak']}, "
            f"free {s['counts']['free']}",
            f"largest total index: {', '.join(top)}",
        ]
    )
