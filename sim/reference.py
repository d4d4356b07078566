"""Regenerate ``results/``: the reference results of everything the project ships.

``wedge reference`` runs every shipped scenario (``scenarios/*.toml`` but the
calibration), the shipped sweeps (``scenarios/sweeps/*.toml``), the 1949-1975
hindcast validation and the five-factor experiment, each through the same
functions as its own command (``wedge run``, ``wedge sweep``, ``wedge
validate``, ``wedge factors``), into a temporary folder beside ``results/``.
It keeps only the small, readable files of each part (PNG figures,
``report.md``, the JSON summaries and small CSV tables; never Parquet, SVG or
large tables), writes ``results/README.md``, an index with each part's
headline numbers read from its JSON summary, and swaps the new parts in only
when every step has succeeded: a failure leaves the old ``results/`` as it
was. ``results/calibration/`` (written by ``wedge calibrate``),
``results/identify/`` (``wedge identify``) and anything else the index did not
generate are never touched.

Layout of the generated parts, the default folders of the individual
commands: ``<scenario name>/``, ``sweeps/<sweep name>/``, ``validation/``,
``factors/``, plus ``README.md`` and ``reference.json`` (what made them, and
which parts they are, so that a part that is no longer shipped is removed at
the next regeneration).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from sim.commands.base import Command, add_quiet, add_runs, add_seed, require_count, seed_of
from sim.defaults import DEFAULT_SEED
from sim.paths import REPO

KEPT_FILES: tuple[str, ...] = (
    "*.png",
    "report.md",
    "summary.json",
    "scorecard.json",
    "factors.json",
    "factors.csv",
    "manifest.json",
    "points.csv",
    "sensitivity_*.csv",
)
"""Name patterns of the files of a part copied into ``results/`` (``.gitignore`` tracks these)."""

MAX_TABLE_BYTES = 100_000
"""Largest CSV table copied into ``results/``, in bytes; a larger one (the points table of a
big Sobol design) stays in the full output of the part's own command. The JSON summaries are
always kept: the index reads its numbers from them."""

THUMBNAIL_PIXELS = 200
"""Width of the figure thumbnails in the index, in pixels."""

DEFAULT_RUNS = 1000
"""Runs per scenario, validation and five-factor variant (the commands' own default)."""


def default_workers() -> int:
    """Worker processes for the sweeps: two (the sweep sizes were timed on two cores), or one."""
    return min(2, os.cpu_count() or 1)


class StepError(RuntimeError):
    """A step of the regeneration failed; ``results/`` was left as it was."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"step `{part}` failed: {reason}")
        self.part = part
        self.reason = reason


@dataclass(frozen=True)
class Options:
    """What ``wedge reference`` was asked for.

    Attributes
    ----------
    out
        The results folder (``results``).
    runs
        Runs per scenario, for the validation and per five-factor variant.
    sweep_runs
        Runs per design point of every sweep; ``None`` keeps each file's ``replicates``.
    workers
        Worker processes for the sweeps (:func:`default_workers`).
    seed
        Root seed of the scenarios, the validation and the five-factor experiment
        (sweeps keep the seed of their file).
    quiet
        No progress bars and no line per step.
    root
        The repository whose ``scenarios/`` are run (:data:`REPO`).
    """

    out: Path = Path("results")
    runs: int = DEFAULT_RUNS
    sweep_runs: int | None = None
    workers: int = field(default_factory=lambda: default_workers())
    seed: int = DEFAULT_SEED
    quiet: bool = False
    root: Path = field(default_factory=lambda: REPO)

    def command(self) -> str:
        """The ``wedge reference`` command line that gives these results."""
        words = ["wedge", "reference", "--out", _posix(self.out), "--runs", str(self.runs)]
        if self.sweep_runs is not None:
            words += ["--sweep-runs", str(self.sweep_runs)]
        words += ["--workers", str(self.workers), "--seed", str(self.seed)]
        return " ".join(words)


@dataclass(frozen=True)
class Part:
    """One generated part of ``results/``.

    Attributes
    ----------
    kind
        ``scenario``, ``sweep``, ``validation`` or ``factors``.
    folder
        Its folder inside ``results/``, POSIX-style (``sweeps/offer_vs_threat``).
    source
        The scenario or sweep file it runs (``None`` for the five-factor experiment).
    seed
        Its root seed.
    """

    kind: Literal["scenario", "sweep", "validation", "factors"]
    folder: str
    source: Path | None
    seed: int


@dataclass
class Generated:
    """What a regeneration produced: its options, parts, metadata and timings (seconds)."""

    options: Options
    parts: list[Part]
    meta: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    dropped: dict[str, list[str]] = field(default_factory=dict)


# ------------------------------------------------------------------- planning


def find_parts(opts: Options) -> list[Part]:
    """Every part to generate, in index order: scenarios, sweeps, validation, factors.

    Loads (and so validates) every scenario and sweep file first, so that a bad
    shipped file or option fails before anything runs.

    Raises
    ------
    InputError
        A bad scenario or sweep file, or a bad ``--sweep-runs``.
    """
    from sim.engine.ensemble import load_inputs
    from sim.engine.sweep import load_sweep
    from sim.experiments.validate import hindcasts

    scenarios = opts.root / "scenarios"
    parts: list[Part] = []
    for path in sorted(scenarios.glob("*.toml")):
        if path.stem.startswith("calibration"):
            continue  # behaviour parameters, not a situation
        name = load_inputs(path).scenario.name
        parts.append(Part("scenario", name, path, opts.seed))
    for path in sorted((scenarios / "sweeps").glob("*.toml")):
        plan = load_sweep(path, replicates=opts.sweep_runs)
        parts.append(Part("sweep", f"sweeps/{plan.sweep.name}", path, plan.sweep.seed))
    hindcasts()  # every shipped episode and its scenario load
    parts.append(Part("validation", "validation", None, opts.seed))
    parts.append(Part("factors", "factors", None, opts.seed))
    folders = [p.folder for p in parts]
    clash = sorted({f for f in folders if folders.count(f) > 1 or f.split("/")[0] == "calibration"})
    if clash:
        from sim.scenario.errors import InputError

        raise InputError(
            scenarios, "name", f"the results folder {clash[0]!r} is taken (by another part, "
            "or kept for `wedge calibrate`): rename the scenario or sweep",
        )  # fmt: skip
    return parts


def part_command(part: Part, opts: Options) -> str:
    """The command that regenerates one part alone (the same numbers)."""
    out = f"{_posix(opts.out)}/{part.folder}"
    source = _shown(part.source, opts.root) if part.source is not None else ""
    match part.kind:
        case "scenario":
            return f"wedge run {source} --runs {opts.runs} --seed {part.seed} --out {out}"
        case "sweep":
            if opts.sweep_runs is not None:  # `wedge sweep` has no per-point override
                return opts.command()
            return f"wedge sweep {source} --workers {opts.workers} --out {out}"
        case "validation":
            return f"wedge validate --runs {opts.runs} --seed {part.seed} --out {out}"
        case "factors":
            return f"wedge factors --runs {opts.runs} --seed {part.seed} --out {out}"
    raise ValueError(f"unknown part kind {part.kind!r}")


# -------------------------------------------------------------------- running


class _Tee(io.TextIOBase):
    """Writes to a terminal stream and keeps a copy (for the failure message)."""

    def __init__(self, stream: Any, copy: io.StringIO) -> None:
        self.stream, self.copy = stream, copy

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()


@contextlib.contextmanager
def _captured(quiet: bool) -> Iterator[io.StringIO]:
    """Silence standard output; keep standard error (shown unless ``quiet``) for messages."""
    err = io.StringIO()
    target = err if quiet else _Tee(sys.stderr, err)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(target):
        yield err


def _last_line(text: str) -> str:
    """The last non-empty line of a command's standard error, without the ``wedge:`` prefix."""
    lines = [ln.strip() for ln in re.split(r"[\r\n]", text) if ln.strip()]
    line = lines[-1] if lines else ""
    return re.sub(r"^wedge:\s*(error:\s*)?", "", line)


def _wedge(argv: list[str], quiet: bool) -> None:
    """Run ``wedge ARGV`` in this process; raise ``RuntimeError`` with its message if it fails."""
    from sim import cli

    with _captured(quiet) as err:
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse rejected the arguments
            code = exc.code if isinstance(exc.code, int) else 2
    if code != 0:
        raise RuntimeError(_last_line(err.getvalue()) or f"`wedge {argv[0]}` exited with {code}")


def _run_sweep(part: Part, dest: Path, opts: Options) -> None:
    """Run, analyse and report one sweep as ``wedge sweep`` does, with ``--sweep-runs``."""
    import time

    from sim.engine.sweep import load_sweep
    from sim.experiments.sweep import CARRY, SweepExperiment
    from sim.io import argv, write
    from sim.progress import TerminalProgress

    plan = load_sweep(part.source, replicates=opts.sweep_runs)  # type: ignore[arg-type]
    began = time.perf_counter()
    with _captured(opts.quiet), TerminalProgress(quiet=opts.quiet) as progress:
        experiment = SweepExperiment(plan, dest, workers=opts.workers)
        result = experiment.run(plan.sweep.seed, progress=progress)
        failed = result.summary["failed_chunks"]
        if failed:
            raise RuntimeError(
                f"{len(failed)} chunk(s) failed, the first with {failed[0]['error']}"
            )
        write(result, dest, argv(), time.perf_counter() - began, carry=CARRY)


def _as_typed(path: Path | None) -> str:
    """A file's path relative to the working folder when inside it, as a user types it.

    The commands record it in each ``manifest.json``, which is committed: a relative
    path does not carry the machine's folder names.
    """
    return _shown(Path(str(path)), Path.cwd())


def run_part(part: Part, dest: Path, opts: Options) -> None:
    """Write the complete output of one part into ``dest``, as its own command does.

    Raises
    ------
    StepError
        With the part and the command's one-line message.
    """
    common = ["--runs", str(opts.runs), "--seed", str(part.seed), "--out", str(dest)]
    try:
        match part.kind:
            case "scenario":
                _wedge(["run", _as_typed(part.source), *common, "--quiet"], opts.quiet)
            case "sweep":
                _run_sweep(part, dest, opts)
            case "validation":
                _wedge(["validate", *common, "--quiet"], opts.quiet)
            case "factors":
                _wedge(["factors", *common, "--quiet"], opts.quiet)
    except Exception as exc:  # any failure of a step is reported as that step's
        raise StepError(part.folder, str(exc) or type(exc).__name__) from exc
    if not dest.is_dir():
        raise StepError(part.folder, f"the command wrote nothing into {dest}")


# ------------------------------------------------------------------ keeping


def kept(name: str) -> bool:
    """Whether a file of this name is copied into ``results/`` (:data:`KEPT_FILES`)."""
    return any(fnmatch(name, pattern) for pattern in KEPT_FILES)


def keep_files(src: Path, dest: Path) -> list[str]:
    """Copy the small readable files of one part's output into ``dest``.

    The files of ``src`` and of its sub-folders (one per history episode) that
    match :data:`KEPT_FILES`, but not a sweep's ``chunks/``; CSV tables above
    :data:`MAX_TABLE_BYTES` are left out. Links in each copied ``report.md``
    are then made to work from its new folder (:func:`fix_links`).

    Returns
    -------
    list of str
        The names of matching files left out because they are too large.
    """
    dest.mkdir(parents=True, exist_ok=True)
    dropped = []
    for path in sorted(src.iterdir()):
        if path.is_dir() and path.name != "chunks":
            dropped += [f"{path.name}/{name}" for name in keep_files(path, dest / path.name)]
        if not path.is_file() or not kept(path.name):
            continue
        if path.suffix == ".csv" and path.stat().st_size > MAX_TABLE_BYTES:
            dropped.append(path.name)
            continue
        shutil.copy2(path, dest / path.name)
    if (dest / "report.md").is_file():
        fix_links(dest / "report.md")
    return dropped


_LINK = re.compile(r"(!?)\[([^\]]*)\]\((<[^>]*>|[^)\s]*)\)")


def _is_external(target: str) -> bool:
    return target.startswith("#") or bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target))


def fix_links(report: Path) -> None:
    """Make every relative link of a copied report resolve from its new folder.

    A link to a file that was kept stays; a link to an SVG figure whose PNG was
    kept points to the PNG; any other link to a file that was not kept becomes
    plain text (an image, a note that it is not kept in ``results/``).
    """
    folder = report.parent

    def fix(m: re.Match[str]) -> str:
        bang, text, target = m.groups()
        bare = target[1:-1] if target.startswith("<") else target
        path = bare.split("#", 1)[0]
        if not path or _is_external(bare) or (folder / path).exists():
            return m.group(0)
        png = Path(path).with_suffix(".png")
        if Path(path).suffix == ".svg" and (folder / png).is_file():
            return f"{bang}[{text}]({_md_target(png.as_posix())})"
        return f"*({text or path}: not kept in results/)*" if bang else text

    text = report.read_text(encoding="utf-8")
    report.write_text(_LINK.sub(fix, text), encoding="utf-8", newline="\n")


# --------------------------------------------------------------------- index


def _md_target(target: str) -> str:
    """A Markdown link target, in angle brackets when it holds spaces or brackets."""
    return f"<{target}>" if any(ch in target for ch in " ()<>") else target


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
    return f"[`{shown}`]({_md_target(Path(rel).as_posix())})"


def _source_link(part: Part, out: Path, gen: Generated) -> str:
    """A link from the index to the part's scenario or sweep file (:func:`_file_link`)."""
    if part.source is None:
        return ""
    return _file_link(part.source, out, gen.options.root)


def _estimate(est: Mapping[str, Any] | None) -> str:
    """``"12.3% (95% interval 10.4%–14.5%)"`` from ``{"value", "low", "high"}``."""
    from sim.formats import format_interval, format_share

    if not est:
        return "n/a"
    return f"{format_share(est.get('value'))} ({format_interval(est.get('low'), est.get('high'))})"


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


def _read(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _scenario_section(part: Part, folder: Path, out: Path, gen: Generated) -> tuple[str, list[str]]:
    from sim.formats import format_share, format_year
    from sim.views.words import CONFIGURATION_LABELS, group_label

    s = _read(folder, "summary.json")
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
    from sim.views.sweep import share

    s = _read(folder, "summary.json")
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

    summary = _read(folder, "summary.json")
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
        c = _read(folder / row["folder"], "scorecard.json")
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

    f = _read(folder, "factors.json")
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
    "scenario": ("Scenarios", _scenario_section),
    "sweep": ("Sweeps", _sweep_section),
    "validation": ("Validation against history", _validation_section),
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
                    f"Run with `--sweep-runs {opts.sweep_runs}` in place of the "
                    f"{_file_replicates(part.source)} runs per design point of the sweep file "  # type: ignore[arg-type]
                    f"(`wedge sweep` has no such option): regenerate it with `{opts.command()}`.",
                ]
            else:
                body += ["", f"Regenerate this part alone: `{part_command(part, opts)}`"]
    sweeps = (
        "as in each sweep file"
        if opts.sweep_runs is None
        else f"{opts.sweep_runs:,} per design point (in place of each file's)"
    )
    intro = (
        "The current summaries and figures of every shipped scenario, the shipped sweeps, "
        "the 1949-1975 hindcast validation and the five-factor experiment, all made by one "
        "command. Do not edit these files: rerun the command."
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
    ]
    path = build / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


# ------------------------------------------------------------------ swapping


def _previous_parts(out: Path) -> list[str]:
    """Parts listed by the last regeneration's ``reference.json`` (to remove stale ones)."""
    info = _read(out, "reference.json") if out.is_dir() else {}
    safe = []
    for folder in info.get("parts", []):
        p = Path(str(folder))
        if p.is_absolute() or ".." in p.parts or p.parts[:1] == ("calibration",) or not p.parts:
            continue
        safe.append(p.as_posix())
    return safe


def swap_in(build: Path, out: Path, names: Sequence[str], trash: Path) -> None:
    """Replace each of ``names`` (files or folders relative to ``out``) by its new version.

    A name missing from ``build`` is removed from ``out`` (a part no longer
    generated). Old versions are moved into ``trash``; if any move fails, every
    move made so far is undone and the error is raised.
    """
    out.mkdir(parents=True, exist_ok=True)
    done: list[tuple[str, bool, bool]] = []  # name, old moved to trash, new moved in
    try:
        for name in names:
            target, new, old = out / name, build / name, trash / name
            moved_old = moved_new = False
            if target.exists():
                old.parent.mkdir(parents=True, exist_ok=True)
                target.rename(old)
                moved_old = True
            done.append((name, moved_old, moved_new))
            if new.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                new.rename(target)
                done[-1] = (name, moved_old, True)
    except BaseException:
        for name, moved_old, moved_new in reversed(done):
            if moved_new:
                (out / name).rename(build / name)
            if moved_old:
                (trash / name).rename(out / name)
        raise
    for name in ("sweeps",):  # an emptied group folder of removed parts
        folder = out / name
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# -------------------------------------------------------------------- driver


def regenerate(
    opts: Options,
    parts: Sequence[Part] | None = None,
    report: Callable[[str], None] | None = None,
) -> Generated:
    """Regenerate ``opts.out``: run every part, keep the small files, index, swap in.

    Parameters
    ----------
    opts
        What to run and where (:class:`Options`).
    parts
        The parts to generate; ``None``: every shipped part (:func:`find_parts`).
    report
        Called with one line per finished step (progress for the terminal).

    Returns
    -------
    Generated
        The options, parts and metadata written to ``reference.json``.

    Raises
    ------
    StepError
        A step failed; ``opts.out`` is as it was before.
    """
    from sim.io import git_commit

    parts = list(parts) if parts is not None else find_parts(opts)
    out = Path(opts.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    work, build, trash = tmp / "work", tmp / "build", tmp / "old"
    gen = Generated(opts, parts, {})
    try:
        for k, part in enumerate(parts, start=1):
            step_began = time.perf_counter()
            run_part(part, work / part.folder, opts)
            gen.dropped[part.folder] = keep_files(work / part.folder, build / part.folder)
            shutil.rmtree(work / part.folder)  # the Parquet tables are not kept: free the disk
            gen.seconds[part.folder] = seconds = time.perf_counter() - step_began
            if report is not None:
                words = SECTIONS[part.kind][1](part, build / part.folder, out, gen)[0]
                report(f"[{k}/{len(parts)}] {part.folder}: {words} ({seconds:.1f} s)")
        gen.meta = {
            "command": opts.command(),
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "git_commit": git_commit(opts.root),
            "version": metadata.version("wedge"),
            "seed": opts.seed,
            "runs": opts.runs,
            "sweep_runs": opts.sweep_runs,
            "workers": opts.workers,
            "seconds": time.perf_counter() - began,
            "parts": [p.folder for p in parts],
            "step_seconds": {k: round(v, 2) for k, v in gen.seconds.items()},
        }
        write_index(build, gen)
        (build / "reference.json").write_text(json.dumps(gen.meta, indent=2) + "\n")
        names = [p.folder for p in parts]
        names += [n for n in _previous_parts(out) if n not in names]
        swap_in(build, out, [*names, "README.md", "reference.json"], trash)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gen


# ------------------------------------------------------------------- command


def arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``wedge reference``."""
    parser.add_argument(
        "--out", default="results", metavar="DIR", help="results folder (default results/)"
    )
    add_runs(parser, what="runs per scenario, validation episode and factor case")
    parser.add_argument(
        "--sweep-runs",
        type=int,
        metavar="N",
        help="runs per design point of every sweep (default: each sweep file's replicates)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes for the sweeps (default 2, or 1 on one core)",
    )
    add_seed(parser, default=f"{DEFAULT_SEED}; sweeps keep their file's")
    add_quiet(parser)


def main(args: argparse.Namespace) -> int:
    """Regenerate ``results/`` and print one line per part."""
    for flag, value in (
        ("--runs", args.runs), ("--sweep-runs", args.sweep_runs), ("--workers", args.workers),
    ):  # fmt: skip
        require_count(flag, value)
    seed = seed_of(args)
    workers = args.workers if args.workers is not None else default_workers()
    options = Options(
        out=Path(args.out), runs=args.runs, sweep_runs=args.sweep_runs, workers=workers,
        seed=seed, quiet=args.quiet,
    )  # fmt: skip
    began = time.perf_counter()
    try:
        made = regenerate(options, report=None if args.quiet else print)
    except StepError as exc:
        print(f"wedge: reference: {exc}; {args.out}/ was left as it was", file=sys.stderr)
        return 1
    print(
        f"{len(made.parts)} parts regenerated in {time.perf_counter() - began:.0f} s; "
        f"index in {Path(args.out) / 'README.md'}"
    )
    return 0


COMMAND = Command(
    "reference",
    "regenerate results/: every shipped scenario and sweep, the validation and the five "
    "factors, with an index",
    arguments,
    main,
)
