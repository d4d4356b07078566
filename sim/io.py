"""Write a run's results folder, whole or not at all.

Results are written into a fresh temporary folder beside the target and
swapped in only when everything is written: an existing folder is replaced
whole when the new run succeeds, and left as it was when the run fails or
is interrupted. Every folder describes itself (resolved scenario, seed,
versions, command line, time).
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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import tomli_w

from sim.engine.ensemble import EnsembleResult, parameter_columns

PACKAGES = ("wedge", "mesa", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "pydantic")


@contextlib.contextmanager
def replacing(out_dir: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``out_dir`` only if the block succeeds.

    On any exception (including ``KeyboardInterrupt``) the temporary folder
    is removed and ``out_dir`` is untouched.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
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


def shown_path(path: str | Path) -> str:
    """``path`` relative to the working folder when it lies inside it, else as given.

    Manifests name their input files; a relative name keeps results made in a
    checkout free of that machine's folder layout.
    """
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def manifest(result: EnsembleResult, command: list[str], seconds: float) -> dict[str, Any]:
    """What made these results: seed, inputs with their hashes, versions, command, time."""
    return {
        "scenario": result.scenario.name,
        "scenario_file": result.inputs.path,
        "scenario_sha256": sha256(result.inputs.path),
        "calibration_file": shown_path(result.inputs.calibration.path),
        "calibration_sha256": sha256(result.inputs.calibration.path),
        "calibration_posterior_sets": (
            None
            if result.inputs.calibration.posterior is None
            else len(result.inputs.calibration.posterior)
        ),
        "runs": result.n,
        "seed": result.seed,
        "uncertain_parameters": parameter_columns(result.runs.columns),
        "versions": versions(),
        "git_commit": git_commit(Path(__file__).resolve().parent),
        "command": command,
        "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(seconds, 3),
        "platform": platform.platform(),
    }


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value


def resolved_toml(result: EnsembleResult) -> str:
    """The scenario with every default filled in, and the behaviour values it ran with."""
    data = _drop_none(result.scenario.model_dump(mode="json"))
    data["calibration_values"] = result.inputs.calibration.values() | result.scenario.behaviour
    header = (
        "# The scenario as run: every default filled in. `calibration_values` are the\n"
        "# point values of the behaviour parameters; uncertain ones were sampled per run\n"
        "# (see runs.parquet). Not meant to be edited: edit the source scenario.\n"
    )
    return header + tomli_w.dumps(data)


def write_tables(result: EnsembleResult, folder: Path) -> None:
    """Parquet and CSV tables, ``summary.json`` and ``scenario.resolved.toml``."""
    result.runs.to_parquet(folder / "runs.parquet", index=False)
    traj = result.trajectories()
    traj.to_parquet(folder / "trajectories.parquet", index=False)
    traj.to_csv(folder / "trajectories.csv", index=False)
    result.configurations().to_parquet(folder / "configurations.parquet", index=False)
    result.role_shares().to_parquet(folder / "roles.parquet", index=False)
    result.events().to_csv(folder / "events.csv", index=False)
    (folder / "summary.json").write_text(json.dumps(result.summary(), indent=2) + "\n")
    (folder / "scenario.resolved.toml").write_text(resolved_toml(result))


def write_plots(result: EnsembleResult, folder: Path) -> dict[str, str]:
    """All plots as PNG and SVG; returns caption key -> PNG file name."""
    from sim.views import figures as plots

    summary = result.summary()
    traj = result.trajectories()
    sc = result.scenario
    triad = "-".join(sorted((*sc.watch.partnership, sc.watch.third), key=list(sc.actors).index))
    mid = sc.time.start + (sc.time.horizon - sc.time.start) / 2
    figures = {
        "fans": plots.plot_fans(traj, summary),
        "cumulative": plots.plot_cumulative(result.events(), summary),
        "configurations": plots.plot_configurations(
            result.configurations(), triad, actors=summary["actors"]
        ),
        "triangle": plots.plot_triangle(traj, summary, [sc.time.start, mid, sc.time.horizon]),
    }
    out = {}
    for key, fig in figures.items():
        plots.save_figure(fig, folder / key)
        out[key] = f"{key}.png"
    return out


def write_results(
    result: EnsembleResult,
    out_dir: Path,
    command: list[str],
    seconds: float,
    before_swap: Callable[[Path], None] | None = None,
) -> Path:
    """Write the complete results folder of a run, replacing ``out_dir`` whole."""
    from sim.views.run import write_report

    with replacing(out_dir) as tmp:
        write_tables(result, tmp)
        figures = write_plots(result, tmp)
        write_report(tmp, result.summary(), figures)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest(result, command, seconds), indent=2) + "\n"
        )
        if before_swap is not None:
            before_swap(tmp)
    return Path(out_dir)


def argv() -> list[str]:
    """The command line as typed."""
    return [Path(sys.argv[0]).name, *sys.argv[1:]]
