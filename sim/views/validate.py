"""The view of a validation: one line per history episode, with links to each scorecard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sim.views import episode as episode_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.experiments.base import Result


def figures(result: Result) -> dict[str, Figure]:
    """None: each episode's folder has its own figure."""
    return {}


def report(result: Result, figure_files: Mapping[str, str]) -> str:
    """``report.md``: how many targets each episode met, and where its scorecard is."""
    s = result.summary
    lines = [
        "# Validation against history",
        "",
        f"{s['runs_per_episode']:,} runs per episode · seed {s['seed']} · "
        f"**{s['targets_met']} of {s['targets_total']} targets met** over "
        f"{len(s['episodes'])} episode{'s' if len(s['episodes']) != 1 else ''}.",
        "",
        "Each episode starts from its situation with only exogenous events scheduled; its "
        "targets (what history did, the data that say so, the rule) are data in "
        "`data/episode_*.toml`, scored by one scorer. Shares of runs carry 95% Wilson "
        "intervals: sampling error only.",
        "",
        "| episode | scenario | targets met | missed | scorecard |",
        "| --- | --- | ---: | --- | --- |",
    ]
    for row in s["episodes"]:
        missed = ", ".join(f"`{k}`" for k in row["failed"]) or "none"
        lines.append(
            f"| {row['title']} | `{row['scenario']}` | {row['targets_met']} of "
            f"{row['targets_total']} | {missed} | [report]({row['folder']}/report.md) |"
        )
    return "\n".join(lines) + "\n"


def terminal(result: Result) -> str:
    """Every episode's scorecard, then the total."""
    blocks = [episode_view.terminal(part) for part in result.parts.values()]
    s = result.summary
    blocks.append(
        f"{s['targets_met']} of {s['targets_total']} targets met over "
        f"{len(s['episodes'])} episode(s)"
    )
    return "\n\n".join(blocks)
