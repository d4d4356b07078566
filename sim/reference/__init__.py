"""Regenerate ``results/``: the reference results of everything the project ships.

``wedge reference`` iterates the command registry (:mod:`sim.commands`): every
command that has shipped inputs lists them as parts (:class:`~sim.commands.base.Shipped`):
one per shipped scenario (``wedge run``), per shipped sweep (``wedge sweep``),
the validation on every shipped history episode (``wedge validate``) and the
five-factor experiment (``wedge factors``). Each part's experiment runs into a
temporary folder beside ``results/`` and is written by the one writer
(:func:`sim.io.write`), exactly as its own command would. Only the small,
readable files of each part are kept (PNG figures, ``report.md``, the JSON
summaries and small CSV tables; never Parquet, SVG or large tables); an index,
``results/README.md``, gives each part's headline numbers read from its JSON
summary (:mod:`sim.reference.index`); the new parts are swapped in only when
every step has succeeded, so a failure leaves the old ``results/`` as it was.
``results/calibration/`` (``wedge calibrate``), ``results/identify/``
(``wedge identify``), ``results/sensitivity*/`` (``wedge sensitivity``) and
anything else the index did not generate are never touched.

Layout of the generated parts, the default folders of the individual
commands: ``<scenario name>/``, ``sweeps/<sweep name>/``, ``validation/``,
``factors/``, plus ``README.md`` and ``reference.json`` (what made them, and
which parts they are, so that a part that is no longer shipped is removed at
the next regeneration).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sim.commands.base import Part
from sim.reference.index import headline, write_index
from sim.reference.parts import (
    KEPT_FILES,
    MAX_TABLE_BYTES,
    Generated,
    Options,
    StepError,
    default_workers,
    find_parts,
    fix_links,
    keep_files,
    kept,
    read_json,
    run_part,
)

__all__ = [
    "KEPT_FILES",
    "MAX_TABLE_BYTES",
    "Generated",
    "Options",
    "Part",
    "StepError",
    "default_workers",
    "find_parts",
    "fix_links",
    "kept",
    "regenerate",
]


# ------------------------------------------------------------------ swapping


def _previous_parts(out: Path) -> list[str]:
    """Parts listed by the last regeneration's ``reference.json`` (to remove stale ones)."""
    info = read_json(out, "reference.json") if out.is_dir() else {}
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
                words = headline(part, build / part.folder, out, gen)
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
