"""The one writer: a result's folder, whole or not at all, for every command.

Results are written into a fresh temporary folder beside the target and
swapped in only when everything is written: an existing folder is replaced
whole when the new run succeeds, and left as it was when the run fails or
is interrupted. Every folder describes itself (``manifest.json``: the
experiment, its input files with their hashes, seed, versions, command line,
time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.paths import shown_path

if TYPE_CHECKING:
    from sim.experiments.base import Result

PACKAGES = ("wedge", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "pydantic")


@contextlib.contextmanager
def replacing(out_dir: Path, carry: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out_dir`` only if the block succeeds.

    On any exception (including ``KeyboardInterrupt``) the temporary folder
    is removed and ``out_dir`` is untouched. Names in ``carry`` (files or
    folders of the old ``out_dir``, such as a sweep's chunks) move into the new
    folder when it is swapped in.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for name in carry:
        if (out_dir / name).exists() and not (tmp / name).exists():
            (out_dir / name).rename(tmp / name)
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{tmp.name.rsplit('-', 1)[-1]}"
        out_dir.rename(old)
    tmp.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape the numbers."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(where: Path) -> str | None:
    """The git commit of the source tree (``+dirty`` if modified), or ``None`` outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=where, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def manifest(result: Result, command: list[str], seconds: float) -> dict[str, Any]:
    """What made a result: experiment, inputs with their hashes, seed, versions, command, time.

    Every input file of the result gets ``<role>_file`` (relative to the working
    folder when inside it) and ``<role>_sha256``; the result's own facts
    (``result.manifest``) follow.
    """
    out: dict[str, Any] = {"experiment": result.kind, "name": result.name}
    for role, path in result.inputs.items():
        out[f"{role}_file"] = shown_path(path)
        out[f"{role}_sha256"] = sha256(path)
    out |= result.manifest
    out |= {
        "runs": result.runs,
        "seed": result.seed,
        "versions": versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "command": command,
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(seconds, 3),
        "platform": platform.platform(),
    }
    return out


def write(
    result: Result,
    out_dir: str | Path,
    command: list[str],
    seconds: float = 0.0,
    formats: Sequence[str] = ("png", "svg"),
) -> Path:
    """Write a result's folder whole: tables, summary, figures, ``report.md``, ``manifest.json``.

    The one writer of every command. Everything goes into a temporary folder
    that replaces ``out_dir`` only when all is written (:func:`replacing`), so
    an interrupted or failed write leaves the old folder as it was. Sub-results
    (``result.parts``) get a sub-folder each, written the same way.

    Parameters
    ----------
    result
        From an experiment's ``run``.
    out_dir
        The results folder.
    command
        The command line that made it (:func:`argv`), for the manifest.
    seconds
        Wall time of the run, for the manifest.
    formats
        Figure formats (``png``, ``svg``).
    """
    with replacing(Path(out_dir), carry=result.carry) as tmp:
        _write_into(result, tmp, command, seconds, tuple(formats))
    return Path(out_dir)


def _write_into(
    result: Result, folder: Path, command: list[str], seconds: float, formats: tuple[str, ...]
) -> None:
    from sim.views import view_for
    from sim.views.style import save_figure

    for stem, table in result.tables.items():
        if "parquet" in table.formats:
            table.frame.to_parquet(folder / f"{stem}.parquet", index=False)
        if "csv" in table.formats:
            table.frame.to_csv(folder / f"{stem}.csv", index=False, float_format=table.float_format)
    (folder / result.summary_file).write_text(
        json.dumps(result.summary, indent=2, default=_plain) + "\n"
    )
    for name, text in result.texts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for name, part in result.parts.items():
        (folder / name).mkdir(parents=True)
        _write_into(part, folder / name, command, seconds, formats)
    view = view_for(result.kind)
    files = {}
    for key, fig in view.figures(result).items():
        save_figure(fig, folder / key, formats)
        files[key] = f"{key}.png" if "png" in formats else f"{key}.{formats[0]}"
    (folder / "report.md").write_text(view.report(result, files), encoding="utf-8", newline="\n")
    (folder / "manifest.json").write_text(
        json.dumps(manifest(result, command, seconds), indent=2, default=_plain) + "\n"
    )


def _plain(value: Any) -> Any:
    """JSON form of numpy scalars and arrays (json's ``default`` hook)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return float(value)


def argv() -> list[str]:
    """The command line as typed."""
    return [Path(sys.argv[0]).name, *sys.argv[1:]]
