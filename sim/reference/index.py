"""The index of the reference results, ``results/README.md``: a section per part.

Every number is read from the parts' JSON summaries, never recomputed, so the
index says what the parts' own reports say.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sim.commands.base import Part
from sim.formats import format_estimate as _estimate
from sim.markdown import first_paragraph, link_target
from sim.reference.claims import claims_section
from sim.reference.parts import (
    MAX_TABLE_BYTES,
    Generated,
    part_command,
    read_json,
)

THUMBNAIL_PIXELS = 200
"""Width of the figure thumbnails in the index, in pixels."""

# --------------------------------------------------------------------- index


def _posix(path: Path | str) -> str:
    return Path(path).as_posix()


def _shown(path: Path, root: Path) -> str:
    """A file's path relative to the repository when inside it, as typed in a command."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _file_link(path: Path, out: Path, root: Path) -> str:
    """A link to a repository file from the index, or its path in code when ``out`` is outside."""
    shown = _shown(path, root)
    try:
        Path(out).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return f"`{shown}`"
    rel = os.path.relpath(Path(path).resolve(), Path(out).resolve())
    return f"[`{shown}`]({link_target(Path(rel).as_posix())})"


def _source_link(part: Part, out: Path, gen: Generated) -> str:
    """A link from the index to the part's scenario or sweep file (:func:`_file_link`)."""
    if part.source is None:
        return ""
    return _file_link(part.source, out, gen.options.root)


def _median(year: float | None, event: str) -> str:
    from sim.formats import format_year

    return format_year(year) if year is not None else f"none: fewer than half of the runs {event}"


def _thumbnails(folder: Path, rel: str) -> list[str]:
    """HTML thumbnails of every PNG of a part, each linking to the full-size figure."""
    pngs = sorted(folder.glob("*.png"))
    if not pngs:
        return []
    cells = [
        f'<a href="{rel}/{p.name}"><img src="{rel}/{p.name}" width="{THUMBNAIL_PIXELS}" '
        f'alt="{p.stem.replace("_", " ")}"></a>'
        for p in pngs
    ]
    return ["<p>", *cells, "</p>"]


def _file_replicates(path: Path) -> int:
    """The runs per design point a sweep file asks for (its ``replicates`` or the default)."""
    from sim.scenario.loader import read_toml
    from sim.scenario.sweep import Sweep

    return int(read_toml(path).get("replicates", Sweep.model_fields["replicates"].default))


def _scenario_section(part: Part, folder: Path, out: Path, gen: Generated) -> tuple[str, list[str]]:
    from sim.formats import format_share, format_year
    from sim.views.words import CONFIGURATION_LABELS, group_label

    s = read_json(folder, "summary.json")
    actors = s.get("actors")
    a, b = s.get("partnership", ["?", "?"])
    third = s.get("third", "?")
    horizon = format_year(s.get("horizon"))
    confs = s.get("configurations_at_horizon") or {}
    top = max(confs, key=confs.get) if confs else None
    headline = f"P(split) {_estimate(s.get('p_split'))}; P(rupture) {_estimate(s.get('p_rupture'))}"
    lines = [
        f"### {s.get('title') or part.folder}",
        "",
        f"`{s.get('scenario', part.folder)}` · {_source_link(part, out, gen)} · "
        f"{int(s.get('runs', 0)):,} runs · seed {s.get('seed')} · "
        f"{format_year(s.get('start_year'))}–{horizon} · [report]({part.folder}/report.md)",
        "",
        f"| outcome by {horizon} | share of runs (95% interval) or year |",
        "| --- | --- |",
        f"| rupture of {group_label([a, b], actors)} | {_estimate(s.get('p_rupture'))} |",
        f"| 1970s-style split ({group_label([third], actors)} pivot or partner) | "
        f"{_estimate(s.get('p_split'))} |",
        f"| median rupture year | {_median(s.get('median_rupture_year'), 'rupture')} |",
        f"| median split year | {_median(s.get('median_split_year'), 'split')} |",
    ]
    if top is not None:
        label = CONFIGURATION_LABELS.get(top, top)
        lines.append(
            f"| most common configuration at {horizon} | {label}: {format_share(confs[top])} |"
        )
    return headline, lines


def _sweep_section(part: Part, folder: Path, out: Path, gen: Generated) -> tuple[str, list[str]]:
    from sim.views.sweep_words import share

    s = read_json(folder, "summary.json")
    overall = s.get("overall") or {}
    labels = s.get("parameters") or {}
    heads = [f"`{name}`: P(split) {_estimate(e.get('p_split'))}" for name, e in overall.items()]
    links = [f"[report]({part.folder}/report.md)"]
    if (folder / "points.csv").is_file():
        links.append(f"[design points]({part.folder}/points.csv)")
    lines = [
        f"### {s.get('title') or part.folder}",
        "",
        f"`{s.get('sweep', part.folder)}` · {_source_link(part, out, gen)} · "
        f"{s.get('design')} design · {int(s.get('points', 0)):,} points × "
        f"{int(s.get('replicates', 0)):,} runs · {int(s.get('runs', 0)):,} runs · "
        f"seed {s.get('seed')} · {' · '.join(links)}",
        "",
        first_paragraph(folder / "report.md"),
        "",
        "| base scenario | P(split) over the design | P(rupture) over the design | "
        "best point: P(split) |",
        "| --- | --- | --- | --- |",
    ]
    for name, e in overall.items():
        best = (e.get("best_point") or {}).get("p_split")
        lines.append(
            f"| `{name}` | {_estimate(e.get('p_split'))} | {_estimate(e.get('p_rupture'))} | "
            f"{share(best) if best is not None else 'n/a'} |"
        )
    boxes = [b for b in s.get("discovery") or [] if b.get("outcome", "p_split") == "p_split"]
    if boxes:
        lines += ["", f"Where splits concentrate (PRIM): {boxes[0]['sentence']}."]
    ranking = (s.get("sensitivity") or {}).get("p_split") or []
    key = "ST" if ranking and "ST" in ranking[0] else "mu_star"
    if ranking:
        top = sorted(ranking, key=lambda r: -(r.get(key) or 0.0))[:3]
        words = ", ".join(
            f"{labels.get(r['parameter'], r['parameter'])} ({r[key]:.2f})" for r in top
        )
        index = "Sobol total index" if key == "ST" else "Morris μ*"
        lines += ["", f"Most influential on P(split) ({index}): {words}."]
    if gen.dropped.get(part.folder):
        lines += [
            "",
            f"Not kept here (larger than {MAX_TABLE_BYTES // 1000} kB): "
            + ", ".join(f"`{n}`" for n in gen.dropped[part.folder])
            + "; rerun the command below for the full tables.",
        ]
    return "; ".join(heads) or "no runs", lines


def _validation_section(
    part: Part, folder: Path, out: Path, gen: Generated
) -> tuple[str, list[str]]:
    from sim.formats import format_year

    summary = read_json(folder, "summary.json")
    met, total = summary.get("targets_met"), summary.get("targets_total")
    episodes = summary.get("episodes") or []
    headline = f"{met} of {total} history targets met"
    lines = [
        f"{int(summary.get('runs_per_episode', 0)):,} runs per episode · seed "
        f"{summary.get('seed')} · **{headline}** over {len(episodes)} episode(s) · "
        f"[report]({part.folder}/report.md)",
    ]
    for row in episodes:
        sub = f"{part.folder}/{row['folder']}"
        c = read_json(folder / row["folder"], "scorecard.json")
        lines += [
            "",
            f"#### {c.get('title') or row['episode']}",
            "",
            f"`{row['episode']}` · `{c.get('scenario')}` · {int(c.get('runs', 0)):,} runs · "
            f"{format_year(c.get('start_year'))}–{format_year(c.get('horizon'))} · "
            f"**{c.get('targets_met')} of {c.get('targets_total')} targets met** · "
            f"[scorecard]({sub}/report.md)",
            "",
            "| # | target | simulated | met |",
            "| ---: | --- | --- | :---: |",
        ]
        for k, t in enumerate(c.get("targets") or [], start=1):
            verdict = "yes" if t.get("pass") else "**no**"
            lines.append(f"| {k} | {t.get('name')} | {t.get('simulated')} | {verdict} |")
        lines += ["", *_thumbnails(folder / row["folder"], sub)]
    return headline, lines


def _pair(row: Mapping[str, Any], key: str) -> str:
    """A flat row's estimate ``key``, ``key_low``, ``key_high`` as text."""
    return _estimate(
        {"value": row.get(key), "low": row.get(f"{key}_low"), "high": row.get(f"{key}_high")}
    )


def _factors_section(part: Part, folder: Path, out: Path, gen: Generated) -> tuple[str, list[str]]:
    from sim.formats import format_share

    f = read_json(folder, "factors.json")
    cases = f.get("cases") or []
    links = [f"[report]({part.folder}/report.md)"]
    if (folder / "factors.csv").is_file():
        links.append(f"[table]({part.folder}/factors.csv)")
    lines = [
        "### Bekkevold's five factors swapped between "
        + " and ".join(f"`{d.get('base')}`" for d in f.get("directions") or []),
        "",
        f"{int(f.get('runs_per_case', 0)):,} runs per case · seed {f.get('seed')} · "
        "the same worlds in every case (paired) · " + " · ".join(links),
    ]
    heads = []
    for d in f.get("directions") or []:
        rows = [r for r in cases if r.get("direction") == d.get("direction")]
        if not rows:
            continue
        lines += [
            "",
            f"**{d.get('title') or d.get('direction')}**",
            "",
            "| case | P(split) (95% interval) | change | paired p | P(rupture) (95% interval) |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for r in rows:
            change, p = r.get("change_p_split"), r.get("p_value_split")
            change_text = "—" if p is None or change is None else f"{100 * change:+.1f} points"
            p_text = "—" if p is None else ("< 0.001" if p < 0.001 else f"{p:.3f}")
            lines.append(
                f"| {r.get('case')} | {_pair(r, 'p_split')} | {change_text} | {p_text} | "
                f"{_pair(r, 'p_rupture')} |"
            )
        first, last = rows[0], rows[-1]
        heads.append(
            f"{d.get('title') or d.get('direction')}: P(split) {format_share(first.get('p_split'))}"
            f" ({first.get('case')}) → {format_share(last.get('p_split'))} ({last.get('case')})"
        )
    if len(lines) > 3:
        lines += [
            "",
            "*change* is in percentage points against the direction's base case; *paired p* the "
            "exact McNemar test over the same worlds.",
        ]
    return "; ".join(heads) or "see the report", lines


SECTIONS: dict[str, tuple[str, Callable[..., tuple[str, list[str]]]]] = {
    "run": ("Scenarios", _scenario_section),
    "sweep": ("Sweeps", _sweep_section),
    "validate": ("Validation against history", _validation_section),
    "factors": ("The five-factor experiment", _factors_section),
}
"""Heading and section writer of each kind of part, in index order."""


def write_index(build: Path, gen: Generated) -> Path:
    """Write ``README.md`` in ``build``: what made the results, then one section per part.

    Every number is read from the parts' JSON summaries in ``build``.
    """
    opts, meta = gen.options, gen.meta
    out = opts.out
    contents: list[str] = []
    body: list[str] = []
    for kind, (heading, writer) in SECTIONS.items():
        parts = [p for p in gen.parts if p.kind == kind]
        if not parts:
            continue
        body += ["", f"## {heading}"]
        for part in parts:
            headline, lines = writer(part, build / part.folder, out, gen)
            contents.append(f"| `{part.folder}` | {headline} | [report]({part.folder}/report.md) |")
            body += ["", *lines, "", *_thumbnails(build / part.folder, part.folder)]
            if part.kind == "sweep" and opts.sweep_runs is not None:
                body += [
                    "",
                    f"Run with {opts.sweep_runs} runs per design point in place of the sweep "
                    f"file's {_file_replicates(part.source)}.",  # type: ignore[arg-type]
                ]
            body += ["", f"Regenerate this part alone: `{part_command(part, opts)}`"]
    sweeps = (
        "as in each sweep file"
        if opts.sweep_runs is None
        else f"{opts.sweep_runs:,} per design point (in place of each file's)"
    )
    intro = (
        "The current summaries and figures of every shipped scenario, the shipped sweeps, "
        "the validation on both history episodes (1949-1975 and 1976-1991) and the "
        "five-factor experiment, all made by one command. Do not edit these files: rerun "
        "the command."
    )
    if (out / "calibration" / "report.md").is_file():
        intro += (
            " The fit of the behaviour parameters, [`calibration/`](calibration/report.md), "
            "is written by `wedge calibrate` and is not part of this index."
        )
    if (out / "identify" / "report.md").is_file():
        intro += (
            " How tightly history pins each fitted parameter, [`identify/`](identify/report.md), "
            "is written by `wedge identify` and is not part of this index either."
        )
    for folder, prior in (
        ("sensitivity", "admissible bounds"),
        ("sensitivity_near_fit", "calibration's ranges"),
    ):
        if (out / folder / "report.md").is_file():
            intro += (
                f" Which parameters move the distance to history over their {prior}, "
                f"[`{folder}/`]({folder}/report.md), is written by `wedge sensitivity`."
            )
    lines = [
        "# Reference results",
        "",
        intro,
        "",
        "| | |",
        "| --- | --- |",
        f"| command | `{opts.command()}` |",
        f"| generated | {meta['generated']} |",
        f"| git commit | {'`' + meta['git_commit'] + '`' if meta['git_commit'] else 'unknown'} |",
        f"| package | wedge {meta['version']} |",
        f"| seed | {opts.seed} for the scenarios, the validation and the five-factor experiment; "
        "each sweep uses the seed of its file |",
        f"| runs | {opts.runs:,} per scenario, validation and factor case; sweeps: {sweeps} |",
        f"| wall time | {meta['seconds']:.0f} s with {opts.workers} worker(s) for the sweeps |",
        "",
        "Probabilities are shares of simulated runs with 95% Wilson intervals: the intervals "
        "measure the sampling error of a finite number of runs, not doubt about the model, and "
        "every number describes the model under its current calibration, not the world. Only "
        "PNG figures, reports, JSON summaries and small CSV tables are kept here; the full "
        "tables (Parquet, CSV) and SVG figures come from each part's own command, given at the "
        "end of its section.",
        "",
        "## Contents",
        "",
        "| part | headline | report |",
        "| --- | --- | --- |",
        *contents,
        *body,
        "",
        *claims_section(build),
    ]
    path = build / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


def headline(part: Part, folder: Path, out: Path, gen: Generated) -> str:
    """The one-line headline of a written part, as in the index's contents."""
    return SECTIONS[part.kind][1](part, folder, out, gen)[0]
