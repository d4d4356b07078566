"""The README's headline block: what the model currently concludes, read from ``results/``.

Numbers that change with a fit live in generated files, not in prose: this
block is written between two markers of ``README.md`` from the JSON summaries
of the reference results (``wedge reference`` and ``wedge docs`` both rewrite
it), and a test fails when it differs from what the results say now.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sim.docs.parameters import replace_block
from sim.formats import format_interval, format_share, format_year
from sim.markdown import first_paragraph
from sim.views.run import DRIVER_SHARE, behaviour_cell

START = "<!-- headline:start -->"
END = "<!-- headline:end -->"


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _share(estimate: dict[str, Any] | None) -> str:
    if not estimate:
        return "n/a"
    low, high = estimate.get("low"), estimate.get("high")
    return f"{format_share(estimate.get('value'))} ({format_interval(low, high)})"


def _over_behaviour(summary: dict[str, Any]) -> str:
    """P(split)'s central 80% over behaviour and the parameter it depends on most, or why not."""
    spread = (summary.get("p_split") or {}).get("behaviour")
    text = behaviour_cell(summary, "p_split")
    if not spread or not spread.get("detected", True):
        return text
    top = ((summary.get("behaviour") or {}).get("drivers_split") or [None])[0]
    if top and (top.get("share") or 0.0) >= DRIVER_SHARE:
        text += f"; mostly `{top['parameter']}` ({'fitted' if top['fitted'] else 'free'})"
    return text


def headline_block(results: Path, link: str = "results") -> str:
    """The block's Markdown from the reference results folder ``results``.

    ``link`` is how the README reaches that folder. Without results (a fresh
    checkout before ``wedge reference``), the block says so.
    """
    meta = _read(results / "reference.json")
    if not meta:
        return f"\nNo reference results yet: run `wedge reference` to make `{link}/`.\n"
    rows, behaviour = [], {}
    for part in meta.get("parts", []):
        summary = _read(results / part / "summary.json")
        if "p_split" not in summary:
            continue
        behaviour = summary.get("behaviour") or behaviour
        rows.append(
            f"| [`{summary['scenario']}`]({link}/{part}/report.md) | {summary.get('title', '')} "
            f"| {_share(summary.get('p_rupture'))} | {_share(summary.get('p_split'))} "
            f"| {_over_behaviour(summary)} |"
        )
    horizons = {_read(results / p / "summary.json").get("horizon") for p in meta["parts"]}
    horizon = format_year(max((h for h in horizons if h is not None), default=None))
    lines = [
        "",
        f"From the reference results ([`{link}/README.md`]({link}/README.md): "
        f"`{meta['command']}`, {meta['generated']}); shares of {meta['runs']:,} simulated "
        f"worlds by {horizon}, with 95% intervals:",
        "",
        "| scenario | situation | P(China–Russia rupture) | P(1970s-style split) "
        "| P(split), central 80% over behaviour |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]
    for part in meta.get("parts", []):
        if part.startswith("sweeps/"):
            answer = first_paragraph(results / part / "report.md")
            if answer:
                lines.append(f"- **Sweep** [`{part}`]({link}/{part}/report.md): {answer}")
    validation = _read(results / "validation" / "summary.json")
    if validation:
        episodes = "; ".join(
            f"{e['title']}, {e['targets_met']} of {e['targets_total']} targets met"
            for e in validation.get("episodes", [])
        )
        lines.append(f"- **History** ([scorecards]({link}/validation/report.md)): {episodes}.")
    factors = _read(results / "factors" / "factors.json")
    for direction in factors.get("directions", []):
        cases = [c for c in factors.get("cases", []) if c["direction"] == direction["direction"]]
        if cases:
            base, every = cases[0], cases[-1]
            lines.append(
                f"- **Five factors** ([report]({link}/factors/report.md)), "
                f"{direction['title']}: P(split) {format_share(base['p_split'])} as it is, "
                f"{format_share(every['p_split'])} with all five."
            )
    if behaviour.get("posterior_sets"):
        lines.append(
            f"- **Behaviour**: each set of 20 runs draws one whole parameter set from the "
            f"calibration's posterior of {behaviour.get('posterior_sets'):,} sets (effective "
            f"sample size {behaviour.get('effective_size') or 0:,.1f})"
            + (
                f" and each of {behaviour['judged_parameters']} fixed parameters over its "
                "judgement range"
                if behaviour.get("judged_parameters")
                else ""
            )
            + "; the 95% intervals show the noise of a finite number of worlds, the 80% "
            "ranges how far the answer moves with how states behave "
            f"([fit]({link}/calibration/report.md))."
        )
    return "\n".join([*lines, ""])


def write_readme_block(readme: Path, results: Path) -> Path:
    """Rewrite the headline block of ``readme`` from ``results``; the rest is left as it is."""
    text = readme.read_text(encoding="utf-8")
    link = Path(results).resolve().relative_to(readme.resolve().parent).as_posix()
    block = headline_block(results, link)
    readme.write_text(replace_block(text, block, START, END), encoding="utf-8", newline="\n")
    return readme
