"""Benchmarks of the wedge simulation: ensemble engine, Mesa batch_run, sweeps.

Usage (from the repository root, with the venv active)::

    python benchmarks/run.py              # rows 1, 2 and 4 (about 5 minutes on 2 cores)
    python benchmarks/run.py --quick      # short version (about 2 minutes)
    python benchmarks/run.py --million    # also row 3: a 1,000,000-run sweep (minutes)
    python benchmarks/run.py --markdown   # print the table as Markdown

Rows (see benchmarks/README.md):

1. world-steps per second of ``run_chunk`` on ``scenarios/baseline_2024.toml``
   at 1, 1,000 and 100,000 worlds (one chunk each);
1b. the same worlds on the numpy step of the commit before the step was
   compiled (``PRE_KERNEL``, checked out into a temporary git worktree and run
   in a child process), and the ratio compiled / numpy;
1e. the same worlds on the step of the commit before the choice kept its
   motives apart for ``wedge explain`` (``PRE_MOTIVES``), and the ratio now / then;
2. the same worlds run the usual Mesa way, one model per world through
   ``mesa.batch_run``, and the ratio ensemble(largest) / batch_run;
3. (``--million``) wall time and peak memory of a 1,000,000-run sweep with 2 workers;
4. wall time of one ~200,000-run sweep with 1 worker, 2 local processes, a
   2-worker Dask LocalCluster, and the same cluster with Dask's default
   ``MALLOC_TRIM_THRESHOLD_`` for workers unset; the speed-ups over 1 worker;
5. start-up: the wall time of ``wedge --help`` in a fresh interpreter (best of
   5) and the import time of ``sim.cli`` that ``python -X importtime`` reports.

Other options: ``--repeat N`` runs each row-4 set-up N times, interleaved,
and keeps the best; ``--json FILE`` saves everything; ``--render FILE``
prints a saved run's table again (with ``--markdown`` for Markdown).

Every ratio is measured within one invocation: the machine may be shared, so
absolute numbers move between runs and only same-run ratios are comparable.
Sweeps run through ``python -m sim.cli sweep`` in a subprocess whose process
tree is sampled every 0.2 s; if the CLI cannot run the sweep command (e.g. a
module it imports is missing), a small driver in this file runs the same
library calls (``load_sweep``, ``run_sweep``, ``analyse``) instead, and the
table says which was used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
BASELINE = ROOT / "scenarios" / "baseline_2024.toml"
OFFER = ROOT / "scenarios" / "us_offer_to_moscow.toml"
SEED = 20241008  # sim.defaults.DEFAULT_SEED, repeated so that spawned children import nothing
MB = 1024 * 1024
TARGET_MILLION_S = 180.0
TARGET_MILLION_BYTES = 2 * 1024**3
TARGET_SPEEDUP = 1.7


# -- machine --------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _mem_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict:
    """Where and with what the benchmark ran."""
    from sim.io import git_commit  # here, not at the top: spawned children import nothing

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": _cpu_model(),
        "processor": platform.processor() or "-",
        "cpus": os.cpu_count(),
        "usable_cpus": usable,
        "memory_gib": _mem_total() / 1024**3,
        "load": os.getloadavg(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "commit": git_commit(ROOT) or "-",
        "packages": {
            n: _version(n)
            for n in (
                "wedge",
                "mesa",
                "numpy",
                "numba",
                "scipy",
                "pandas",
                "pyarrow",
                "dask",
                "distributed",
                "psutil",
            )
        },
    }


# -- results --------------------------------------------------------------------------------
@dataclass
class Row:
    """One line of the table."""

    key: str
    what: str
    size: str = ""
    wall: str = ""
    rate: str = ""
    ratio: str = ""
    memory: str = ""
    note: str = ""
    detail: str = ""
    values: dict = field(default_factory=dict)


COLUMNS = [
    ("key", "#"),
    ("what", "benchmark"),
    ("size", "size"),
    ("wall", "wall"),
    ("rate", "throughput"),
    ("ratio", "ratio"),
    ("memory", "peak RSS"),
    ("note", "note"),
]


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}"


def _fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 1 else f"{x:.1f} s" if x < 100 else f"{x:.0f} s"


def _fmt_mb(x: float) -> str:
    return f"{x / MB:,.0f} MB"


def header(info: dict, args: argparse.Namespace) -> list[str]:
    pk = info["packages"]
    load = ", ".join(f"{x:.2f}" for x in info["load"])
    mode = "quick" if args.quick else "full"
    return [
        f"wedge benchmarks ({mode}{', with --million' if args.million else ''}) {info['date']}",
        f"machine: {info['cpu']} (platform.processor: {info['processor']}), "
        f"{info['cpus']} CPUs ({info['usable_cpus']} usable), {info['memory_gib']:.1f} GiB RAM, "
        f"load average at start {load}",
        f"os: {info['os']}; repository commit {info.get('commit', '-')}",
        f"python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in pk.items()),
        "ratios are measured within this run; the machine may be shared, so absolute numbers vary",
    ]


def render_text(lines: list[str], rows: list[Row]) -> str:
    table = [[label for _, label in COLUMNS]]
    table += [[getattr(r, k) for k, _ in COLUMNS] for r in rows]
    widths = [max(len(row[c]) for row in table) for c in range(len(COLUMNS))]
    right = {"wall", "rate", "ratio", "memory"}
    out = [*lines, ""]
    for n, row in enumerate(table):
        cells = []
        for c, (key, _) in enumerate(COLUMNS):
            cell = row[c]
            cells.append(cell.rjust(widths[c]) if key in right else cell.ljust(widths[c]))
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    details = [r for r in rows if r.detail]
    if details:
        out += ["", "details:"]
        out += [f"  [{r.key}] {r.what}: {r.detail}" for r in details]
    return "\n".join(out)


def render_markdown(lines: list[str], rows: list[Row]) -> str:
    out = [f"{lines[0]}", ""]
    out += [f"- {line}" for line in lines[1:]]
    out.append("")
    out.append("| " + " | ".join(label for _, label in COLUMNS) + " |")
    out.append(
        "|"
        + "|".join(
            "---:" if k in {"wall", "rate", "ratio", "memory"} else "---" for k, _ in COLUMNS
        )
        + "|"
    )
    for r in rows:
        cells = [getattr(r, k).replace("|", "\\|") for k, _ in COLUMNS]
        out.append("| " + " | ".join(cells) + " |")
    details = [r for r in rows if r.detail]
    if details:
        out += ["", "Details:", ""]
        out += [f"- **[{r.key}] {r.what}**: {r.detail}" for r in details]
    return "\n".join(out)


# -- 1. ensemble engine ---------------------------------------------------------------------
def _timed(fn, repeats: int) -> tuple[float, float, object]:
    """Best wall time of ``repeats`` calls, the CPU time of that call, and its result."""
    best, best_cpu, result = float("inf"), 0.0, None
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        t, c = time.perf_counter() - t0, time.process_time() - c0
        if t < best:
            best, best_cpu = t, c
    return best, best_cpu, result


def bench_ensemble(sizes: list[tuple[int, int]], log) -> tuple[list[Row], dict]:
    from sim.engine.ensemble import load_inputs, run_chunk
    from sim.model.threads import available_cores, use_threads

    inputs = load_inputs(BASELINE)
    sc = inputs.scenario
    steps = sc.time.steps
    run_chunk(inputs, SEED, 0, 64)  # warm imports and caches
    rows, keep = [], {"steps": steps}
    for n, repeats in sizes:
        log(f"ensemble: {n:,} worlds x {repeats}")
        wall, cpu, result = _timed(lambda n=n: run_chunk(inputs, SEED, 0, n), repeats)
        rate = n * steps / wall
        keep[n] = {"wall": wall, "rate": rate, "runs": result.runs}
        rows.append(
            Row(
                "1",
                "ensemble run_chunk (baseline_2024)",
                f"{n:,} world{'s' if n > 1 else ''} x {steps} steps",
                _fmt_s(wall),
                f"{_fmt_int(rate)} world-steps/s",
                note=f"best of {repeats}; cpu/wall {cpu / wall:.2f}"
                if repeats > 1
                else f"1 run; cpu/wall {cpu / wall:.2f}",
                values={"worlds": n, "wall_s": wall, "cpu_s": cpu, "world_steps_per_s": rate},
            )
        )
    cores = available_cores()
    n = sizes[-1][0]
    if cores > 1:
        log(f"ensemble: {n:,} worlds on {cores} threads")
        use_threads(cores)
        try:
            run_chunk(inputs, SEED, 0, 64 * cores)  # compile the threaded step if needed
            wall, cpu, result = _timed(lambda: run_chunk(inputs, SEED, 0, n), 1)
        finally:
            use_threads(1)
        same = result.runs.equals(keep[n]["runs"])
        rate = n * steps / wall
        keep["threads"] = {"wall": wall, "rate": rate, "threads": cores, "worlds": n}
        rows.append(
            Row(
                "1t",
                f"ensemble run_chunk, step on {cores} threads",
                f"{n:,} worlds x {steps} steps",
                _fmt_s(wall),
                f"{_fmt_int(rate)} world-steps/s",
                f"{keep[n]['wall'] / wall:.2f}x 1 thread",
                note=f"1 run; cpu/wall {cpu / wall:.2f}; "
                + ("same numbers as 1 thread" if same else "NUMBERS DIFFER from 1 thread"),
                values={
                    "worlds": n,
                    "threads": cores,
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "world_steps_per_s": rate,
                    "same": same,
                },
            )
        )
    return rows, keep


# -- 1b. the numpy step before it was compiled -----------------------------------------------
PRE_KERNEL = "26fc48a4730f4b86aa3b053f8ca0176d0cd3cb34"
"""The last commit whose step was numpy (issue 17 compiled it); its arithmetic is the same."""

_COMMIT_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import sim
assert sim.__file__.startswith(sys.argv[1]), sim.__file__
from sim.engine.ensemble import load_inputs, run_chunk
inputs = load_inputs(sys.argv[2])
run_chunk(inputs, int(sys.argv[3]), 0, 64)
out = {}
for n in json.loads(sys.argv[4]):
    t0 = time.perf_counter()
    run_chunk(inputs, int(sys.argv[3]), 0, n)
    out[n] = time.perf_counter() - t0
print(json.dumps(out))
"""


PRE_MOTIVES = "2f8e0355c5d2c589cf3151cb610db01b15a5ed7f"
"""The last commit whose step summed the motives without keeping them apart (``wedge explain``)."""


def bench_pre_kernel(sizes: list[int], ensemble: dict, log) -> list[Row]:
    """The same worlds on the numpy step of :data:`PRE_KERNEL`, from a git worktree, in this run."""
    return bench_commit(PRE_KERNEL, "1b", "pre-kernel numpy step", "compiled", sizes, ensemble, log)


def bench_pre_motives(sizes: list[int], ensemble: dict, log) -> list[Row]:
    """The same worlds on the step of :data:`PRE_MOTIVES`: what keeping the motives apart costs."""
    return bench_commit(
        PRE_MOTIVES, "1e", "step before the motives were kept apart", "now", sizes, ensemble, log
    )


def bench_commit(
    commit: str, label: str, title: str, ratio_word: str, sizes: list[int], ensemble: dict, log
) -> list[Row]:
    """The same worlds on the step of an earlier ``commit``, from a git worktree, in this run.

    The ratio is row 1's rate over the commit's, both measured in this invocation.
    """
    tmp = Path(tempfile.mkdtemp(prefix="wedge-commit-"))
    tree = tmp / "tree"
    try:
        made = subprocess.run(  # noqa: S603 (fixed arguments)
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],  # noqa: S607
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            why = (made.stderr.strip().splitlines() or ["git failed"])[-1]
            return [Row(label, title, note=f"not measured: {why}")]
        log(f"{title} ({commit[:9]}): {sizes} worlds")
        child = subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "-c", _COMMIT_CHILD, str(tree), str(BASELINE), str(SEED),
             json.dumps(sizes)],
            capture_output=True, text=True, cwd=tmp,
        )  # fmt: skip
        if child.returncode != 0:
            why = (child.stderr.strip().splitlines() or ["child failed"])[-1]
            return [Row(label, title, note=f"not measured: {why}")]
        walls = {int(k): v for k, v in json.loads(child.stdout).items()}
    finally:
        subprocess.run(  # noqa: S603 (fixed arguments)
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],  # noqa: S607
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)
    rows = []
    steps = ensemble["steps"]
    for n, wall in walls.items():
        rate = n * steps / wall
        ratio = ensemble[n]["rate"] / rate if n in ensemble else float("nan")
        threaded = ensemble.get("threads", {})
        also = (
            f"; on {threaded['threads']} threads {threaded['rate'] / rate:.1f}x"
            if threaded.get("worlds") == n
            else ""
        )
        rows.append(
            Row(
                label,
                f"{title} ({commit[:9]})",
                f"{n:,} worlds x {steps} steps",
                _fmt_s(wall),
                f"{_fmt_int(rate)} world-steps/s",
                f"{ratio_word} {ratio:.2f}x",
                note=f"1 run, same invocation as row 1{also}",
                values={"worlds": n, "wall_s": wall, "world_steps_per_s": rate, "speedup": ratio},
            )
        )
    return rows


# -- 2. mesa.batch_run ----------------------------------------------------------------------
def bench_batch_run(worlds: int, ensemble: dict, log) -> list[Row]:
    import warnings

    import mesa
    import numpy as np

    sys.path.insert(0, str(BENCH))
    from mesa_one_world import OneWorld, cached_inputs

    path = str(BASELINE)
    cached_inputs(path)
    steps = ensemble["steps"]
    log(f"batch_run: {worlds} one-world models")

    def go() -> list[dict]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return mesa.batch_run(
                OneWorld,
                parameters={"scenario_path": path, "world": range(worlds)},
                rng=SEED,  # every model gets seed=SEED; `world` picks its streams
                number_processes=1,
                max_steps=steps,
                display_progress=False,
                data_collection_period=-1,
            )

    mesa.batch_run(  # warm-up: one model
        OneWorld,
        parameters={"scenario_path": path, "world": [0]},
        rng=SEED,
        number_processes=1,
        max_steps=steps,
        display_progress=False,
    )
    wall, cpu, results = _timed(go, 1)
    done = sum(int(r["Step"]) for r in results)
    rate = done / wall
    # The same worlds, run by the ensemble engine in row 1: identical outcomes expected.
    ref = min(k for k in ensemble if isinstance(k, int) and k >= worlds)
    table = ensemble[ref]["runs"].set_index("run")
    got = sorted(results, key=lambda r: r["world"])
    rel = np.array([r["r_partnership"] for r in got])
    want = table.loc[: worlds - 1, "r_CHN-RUS"].to_numpy()
    split = np.array([r["split_year"] for r in got])
    want_split = table.loc[: worlds - 1, "split_year"].to_numpy()
    same = bool(np.array_equal(rel, want) and np.array_equal(split, want_split, equal_nan=True))
    largest = max(k for k in ensemble if isinstance(k, int))
    ratio = ensemble[largest]["rate"] / rate
    rows = [
        Row(
            "2",
            "mesa.batch_run, 1 model per world",
            f"{worlds:,} worlds x {steps} steps",
            _fmt_s(wall),
            f"{_fmt_int(rate)} world-steps/s",
            note=f"same worlds as run_chunk: {'identical' if same else 'DIFFERENT'}",
            detail=f"number_processes=1, data_collection_period=-1; cpu/wall {cpu / wall:.2f}; "
            f"final CHN-RUS relation and split year of every world equal those of run_chunk "
            f"worlds 0-{worlds - 1}: {'yes' if same else 'NO'}",
            values={
                "worlds": worlds,
                "wall_s": wall,
                "cpu_s": cpu,
                "world_steps_per_s": rate,
                "identical": same,
            },
        ),
        Row(
            "2",
            f"ratio ensemble({largest:,}) / batch_run",
            ratio=f"{ratio:,.0f}x",
            note="world-steps/s, measured in this run",
            values={"ratio": ratio},
        ),
    ]
    return rows


# -- sweeps: monitored subprocess -----------------------------------------------------------
def _status(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in bytes; (0, 0) if gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, hwm


def _descendants(pid: int) -> list[int]:
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a live process (``/proc/<pid>/stat``); 0 if gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _busy_seconds() -> float:
    """CPU-seconds the whole machine has spent busy since boot (``/proc/stat``)."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def monitored(
    cmd: list[str], workdir: Path, chunks: Path | None = None, every: float = 0.2
) -> dict:
    """Run ``cmd``; sample its process tree's memory every ``every`` s until it ends.

    With ``chunks`` (a sweep's ``chunks/`` folder) it also notes when the last
    chunk file appeared: the end of the simulation phase; what follows is
    the analysis and report.

    Returns wall time, exit code, the parent's peak RSS (VmHWM), the largest
    peak among its descendants, the peak of the summed RSS and PSS of the
    tree, ``ru_maxrss`` of the tree from ``wait4`` (the largest single
    process), CPU seconds of the tree, the cores other processes on the
    machine kept busy meanwhile (``/proc/stat``), and stdout/stderr.
    """
    out_f = open(workdir / "stdout.txt", "w+")  # noqa: SIM115
    err_f = open(workdir / "stderr.txt", "w+")  # noqa: SIM115
    busy0 = _busy_seconds()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_f, stderr=err_f)  # noqa: S603
    hwm: dict[int, int] = {}
    tree_rss = tree_pss = 0
    procs_seen: set[int] = set()
    cpu: dict[int, float] = {}
    samples, n_chunks, last_chunk = 0, 0, None
    run_phase = {"parent_hwm": 0, "tree_rss_peak": 0}
    while True:
        pids = [proc.pid, *_descendants(proc.pid)]
        total_rss = total_pss = 0
        for pid in pids:
            rss, peak = _status(pid)
            total_rss += rss
            total_pss += _pss(pid)
            if peak:
                hwm[pid] = max(hwm.get(pid, 0), peak)
            cpu[pid] = max(cpu.get(pid, 0.0), _cpu(pid))
        procs_seen.update(pids)
        tree_rss, tree_pss = max(tree_rss, total_rss), max(tree_pss, total_pss)
        samples += 1
        if chunks is not None and chunks.is_dir():
            count = sum(1 for _ in chunks.glob("*/chunk-*.parquet"))
            if count > n_chunks:
                n_chunks, last_chunk = count, time.perf_counter() - t0
                run_phase = {"parent_hwm": hwm.get(proc.pid, 0), "tree_rss_peak": tree_rss}
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(every)
    wall = time.perf_counter() - t0
    busy = _busy_seconds() - busy0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out_f.seek(0)
    err_f.seek(0)
    stdout, stderr = out_f.read(), err_f.read()
    out_f.close()
    err_f.close()
    children = [v for k, v in hwm.items() if k != proc.pid]
    return {
        "cmd": cmd,
        "wall_s": wall,
        "returncode": proc.returncode,
        "parent_peak": hwm.get(proc.pid, 0),
        "child_peak": max(children, default=0),
        "tree_rss_peak": tree_rss,
        "tree_pss_peak": tree_pss,
        "ru_maxrss": usage.ru_maxrss * 1024,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        # Cores kept busy by everything else on the machine during the run, on average.
        "others_cores": max(0.0, busy - (usage.ru_utime + usage.ru_stime)) / wall,
        "processes": len(procs_seen),
        # CPU seconds seen per process at its last sample (up to 0.2 s short per process).
        "parent_cpu_s": cpu.get(proc.pid, 0.0),
        "children_cpu_s": sum(v for k, v in cpu.items() if k != proc.pid),
        "chunks_seen": n_chunks,
        "last_chunk_s": last_chunk,
        "run_phase": run_phase,
        "samples": samples,
        "stdout": stdout,
        "stderr": stderr,
    }


def cli_can_sweep() -> tuple[bool, str]:
    """Whether ``python -m sim.cli sweep`` can import what it needs."""
    probe = (
        "import importlib, sys\n"
        "for m in ('sim.cli', 'sim.experiments.sweep_analysis', 'sim.views.sweep',\n"
        "          'sim.engine.sweep'):\n"
        "    try:\n"
        "        importlib.import_module(m)\n"
        "    except Exception as e:\n"
        "        print(f'{m}: {type(e).__name__}: {e}'); sys.exit(1)\n"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.returncode == 0, done.stdout.strip() or done.stderr.strip()[-200:]


NO_TRIM = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
"""Dask config that stops the nanny from setting ``MALLOC_TRIM_THRESHOLD_`` in its workers.

Distributed sets ``MALLOC_TRIM_THRESHOLD_=65536`` in every worker by default;
setting it turns off glibc's dynamic mmap threshold, so each NumPy temporary
above 128 KiB is mmap'd and unmapped again: many more page faults and system
time in this model's chunk loop (see benchmarks/README.md).
"""


def sweep_command(file: Path, out: Path, workers: int, mode: str, via: str) -> list[str]:
    """The command of one sweep; ``mode``: ``local``, ``dask`` or ``dask-notrim``."""
    if via == "cli":
        args = ["sweep", str(file), "--out", str(out), "--quiet", "--workers", str(workers)]
        if mode.startswith("dask"):
            args += ["--scheduler", "local"]
        if mode == "dask-notrim":
            # The CLI, with one Dask config setting changed first.
            code = (
                "import sys, dask; dask.config.set(" + repr(NO_TRIM) + "); "
                "from sim.cli import main; sys.exit(main(sys.argv[1:]))"
            )
            return [sys.executable, "-c", code, *args]
        return [sys.executable, "-m", "sim.cli", *args]
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--sweep-child",
        str(file),
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    return [*cmd, "--dask", mode] if mode.startswith("dask") else cmd


def sweep_child(args: argparse.Namespace) -> int:
    """What ``wedge sweep`` does, through the library: load, run, analyse; print phase times."""
    from sim.engine.sweep import load_sweep, run_sweep
    from sim.experiments.sweep_analysis import analyse

    t0 = time.perf_counter()
    plan = load_sweep(args.sweep_child)
    phases = {"load_s": time.perf_counter() - t0}
    executor, close = None, None
    if args.dask:
        import dask
        from distributed import Client, LocalCluster

        if args.dask == "dask-notrim":
            dask.config.set(NO_TRIM)

        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        executor = client.get_executor(pure=False)

        def close() -> None:
            client.close()
            cluster.close()

        phases["cluster_start_s"] = time.perf_counter() - t
    t = time.perf_counter()
    try:
        record = run_sweep(plan, args.out, executor=executor, workers=args.workers)
    finally:
        if close is not None:
            close()
    phases["run_s"] = time.perf_counter() - t
    phases["parent_hwm_after_run"] = _status(os.getpid())[1]
    t = time.perf_counter()
    try:
        analyse(plan, Path(args.out), record)
        phases["analyse"] = "ok"
    except Exception as exc:  # report it; the run itself is what is timed
        phases["analyse"] = f"failed: {type(exc).__name__}: {exc}"[:200]
    phases["analyse_s"] = time.perf_counter() - t
    phases["parent_hwm_after_analyse"] = _status(os.getpid())[1]
    phases["failed_chunks"] = len(record["failed"])
    phases["done_chunks"] = record["done"]
    print("BENCH " + json.dumps(phases))
    return 0


def _phases(result: dict) -> dict:
    for line in result["stdout"].splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    return {}


def _check(result: dict, what: str) -> None:
    if result["returncode"] != 0:
        raise RuntimeError(
            f"{what} failed (exit {result['returncode']}): {' '.join(result['cmd'])}\n"
            f"{result['stderr'][-2000:]}"
        )


def _sweep_toml(
    name: str,
    scenario: Path,
    design: str,
    axes: list[str],
    replicates: int,
    chunk: int,
    seed: int,
    points: int | None = None,
    heatmap: list[str] | None = None,
    group_by: str | None = None,
) -> str:
    lines = [
        f'name = "{name}"',
        f"scenarios = [{json.dumps(str(scenario))}]",
        f"seed = {seed}",
        f'design = "{design}"',
        f"replicates = {replicates}",
        f"chunk_size = {chunk}",
    ]
    if points is not None:
        lines.append(f"points = {points}")
    lines += ["", *axes, "", "[analysis]"]
    if heatmap:
        lines.append(f"heatmap = [{json.dumps(heatmap)}]")
    if group_by:
        lines.append(f'group_by = "{group_by}"')
    return "\n".join(lines) + "\n"


def _phase_note(r: dict) -> str:
    """When the simulation ended (last chunk file) and what the rest took."""
    last = r.get("last_chunk_s")
    if last is None:
        return ""
    rp = r["run_phase"]
    return (
        f"last chunk written {last:.1f} s after start (start-up + simulation), then "
        f"{r['wall_s'] - last:.1f} s of analysis and report; peak RSS until the last chunk: "
        f"parent {_fmt_mb(rp['parent_hwm'])}, tree sum {_fmt_mb(rp['tree_rss_peak'])}"
    )


def _mem_note(r: dict) -> str:
    return (
        f"parent {_fmt_mb(r['parent_peak'])}; largest child {_fmt_mb(r['child_peak'])}; "
        f"tree sum RSS {_fmt_mb(r['tree_rss_peak'])} (PSS {_fmt_mb(r['tree_pss_peak'])})"
    )


# -- 3. one million runs ----------------------------------------------------------------------
def bench_million(tmp: Path, via: str, log) -> list[Row]:
    fear = "pairs.CHN-RUS.fear.RUS"
    axes = [
        "[[uncertain]]",
        f'parameter = "{fear}"',
        "low = 0.0",
        "high = 0.9",
        'label = "Russia\'s extra fear of China (0-1)"',
    ]
    text = _sweep_toml(
        "bench_million",
        BASELINE,
        "lhs",
        axes,
        replicates=10_000,
        chunk=8192,
        seed=7,
        points=100,
        group_by=fear,
    )
    file = tmp / "million.toml"
    file.write_text(text)
    work = tmp / "million"
    work.mkdir()
    log("sweep: 1,000,000 runs, 2 workers")
    cmd = sweep_command(file, work / "out", 2, "local", via)
    r = monitored(cmd, work, work / "out" / "chunks")
    _check(r, "1M sweep")
    ph = _phases(r)
    peak = max(r["tree_rss_peak"], r["ru_maxrss"])
    ok_t = r["wall_s"] < TARGET_MILLION_S
    ok_m = peak < TARGET_MILLION_BYTES
    runs = 1_000_000
    note = f"<3 min: {'met' if ok_t else 'NOT met'}; <2 GB: {'met' if ok_m else 'NOT met'}"
    detail = (
        f"lhs 100 points x 10,000 replicates, chunk_size 8192, --workers 2, via {via}; "
        f"peak RSS: {_mem_note(r)}; wait4 ru_maxrss (largest process) {_fmt_mb(r['ru_maxrss'])}; "
        f"{r['processes']} processes seen; CPU {r['cpu_s']:.0f} s (parent "
        f"{r['parent_cpu_s']:.0f} s, children {r['children_cpu_s']:.0f} s, sampled); "
        f"other processes kept {r['others_cores']:.2f} cores busy on average; {_phase_note(r)}"
    )
    if ph:
        detail += (
            f"; phases: run_sweep {ph['run_s']:.0f} s, analyse {ph['analyse_s']:.0f} s "
            f"({ph['analyse']}); parent peak after run_sweep "
            f"{_fmt_mb(ph['parent_hwm_after_run'])}, after analyse "
            f"{_fmt_mb(ph['parent_hwm_after_analyse'])}"
        )
    out_size = sum(f.stat().st_size for f in (work / "out").rglob("*") if f.is_file())
    detail += f"; output {_fmt_mb(out_size)} on disk"
    return [
        Row(
            "3",
            "sweep 1M runs (baseline_2024), 2 processes",
            f"{runs:,} runs x 64 steps",
            _fmt_s(r["wall_s"]),
            f"{_fmt_int(runs / r['wall_s'])} runs/s",
            memory=_fmt_mb(peak),
            note=note,
            detail=detail,
            values={
                **{k: v for k, v in r.items() if k not in ("stdout", "stderr")},
                "phases": ph,
                "met_time": ok_t,
                "met_memory": ok_m,
            },
        )
    ]


# -- 4. scaling of one sweep ------------------------------------------------------------------
def bench_scaling(tmp: Path, via: str, quick: bool, repeats: int, log) -> list[Row]:
    offer, fear = "levers.offer_to_moscow.size", "pairs.CHN-RUS.fear.RUS"
    axes = [
        "[[levers]]",
        f'parameter = "{offer}"',
        "values = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]",
        "",
        "[[uncertain]]",
        f'parameter = "{fear}"',
        "values = [0.0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9]",
    ]
    replicates, chunk = (600, 2048) if quick else (4800, 4096)
    runs = 42 * replicates
    text = _sweep_toml(
        "bench_scaling",
        OFFER,
        "grid",
        axes,
        replicates,
        chunk,
        seed=1972,
        heatmap=[offer, fear],
        group_by=fear,
    )
    file = tmp / "scaling.toml"
    file.write_text(text)
    configs = [
        ("1 worker", 1, "local"),
        ("2 local processes", 2, "local"),
        ("Dask LocalCluster, 2 workers", 2, "dask"),
        ("Dask LocalCluster, 2 workers, no malloc trim", 2, "dask-notrim"),
    ]
    best: dict[str, dict] = {}
    for rep in range(repeats):
        for label, workers, mode in configs:
            work = tmp / f"scaling-{workers}-{mode}-{rep}"
            work.mkdir()
            log(f"sweep: {runs:,} runs, {label} (repeat {rep + 1} of {repeats})")
            cmd = sweep_command(file, work / "out", workers, mode, via)
            r = monitored(cmd, work, work / "out" / "chunks")
            _check(r, f"sweep ({label})")
            shutil.rmtree(work / "out", ignore_errors=True)
            r["phases"] = _phases(r)
            r["walls"] = [*best.get(label, {}).get("walls", []), r["wall_s"]]
            if label not in best or r["wall_s"] < best[label]["wall_s"]:
                best[label] = r
            else:
                best[label]["walls"] = r["walls"]
    rows: list[Row] = []
    base = best[configs[0][0]]
    for label, workers, _ in configs:
        r = best[label]
        ph, base_ph = r["phases"], base["phases"]
        speed = base["wall_s"] / r["wall_s"]
        walls = ", ".join(f"{w:.1f}" for w in r["walls"])
        detail = (
            f"via {via}; best of {repeats} (walls {walls} s); CPU {r['cpu_s']:.0f} s "
            f"(parent {r['parent_cpu_s']:.0f} s, children {r['children_cpu_s']:.0f} s, sampled); "
            f"other processes kept {r['others_cores']:.2f} cores busy on average; "
            f"peak RSS: {_mem_note(r)}; {_phase_note(r)}"
        )
        if ph:
            detail += f"; run_sweep {ph['run_s']:.1f} s"
            if "cluster_start_s" in ph:
                detail += f" (+ cluster start {ph['cluster_start_s']:.1f} s)"
            detail += f", analyse {ph['analyse_s']:.1f} s"
        if workers > 1:
            met = speed >= TARGET_SPEEDUP
            note = f">= {TARGET_SPEEDUP}x: {'met' if met else 'NOT met'}"
            if r["last_chunk_s"] and base["last_chunk_s"]:
                sim = base["last_chunk_s"] / r["last_chunk_s"]
                detail += f"; speed-up up to the last chunk {sim:.2f}x"
            if ph and base_ph:
                detail += f"; speed-up of run_sweep alone {base_ph['run_s'] / ph['run_s']:.2f}x"
        else:
            note = "baseline of the speed-ups"
        rows.append(
            Row(
                "4",
                f"sweep offer x fear grid, {label}",
                f"{runs:,} runs x 64 steps",
                _fmt_s(r["wall_s"]),
                f"{_fmt_int(runs / r['wall_s'])} runs/s",
                f"{speed:.2f}x",
                _fmt_mb(max(r["tree_rss_peak"], r["ru_maxrss"])),
                note,
                detail,
                values={
                    **{k: v for k, v in r.items() if k not in ("stdout", "stderr")},
                    "speedup": speed,
                },
            )
        )
    return rows


# -- main -----------------------------------------------------------------------------------
# -- 5. start-up ----------------------------------------------------------------------------
def bench_startup(log) -> list[Row]:
    """``wedge --help`` in a fresh interpreter: best wall time of 5, and sim.cli's import time."""
    log("5: wedge --help start-up")
    cmd = [sys.executable, "-m", "sim.cli", "--help"]
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)  # noqa: S603
        best = min(best, time.perf_counter() - t0)
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sim.cli"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    cumulative = next(
        int(line.split("|")[1])
        for line in probe.stderr.splitlines()
        if line.rstrip().endswith("| sim.cli")
    )
    return [
        Row(
            key="5",
            what="wedge --help (fresh interpreter)",
            size="best of 5",
            wall=_fmt_s(best),
            note=f"import of sim.cli {cumulative / 1e6:.3f} s (python -X importtime)",
            values={"wall_s": best, "import_us": cumulative},
        )
    ]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="short version (about 2 minutes)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--million", action="store_true", help="also the 1,000,000-run sweep")
    p.add_argument("--no-sweeps", action="store_true", help="only rows 1 and 2")
    p.add_argument(
        "--via",
        choices=["auto", "cli", "library"],
        default="auto",
        help="sweeps through `python -m sim.cli sweep` or a library driver (auto: CLI if it can)",
    )
    p.add_argument(
        "--repeat", type=int, default=1, help="row 4: run each set-up N times, interleaved; best"
    )
    p.add_argument("--json", help="also write every measurement to this JSON file")
    p.add_argument("--render", metavar="JSON", help="print the table of a run saved with --json")
    p.add_argument("--sweep-child", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--dask", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.sweep_child:
        return sweep_child(args)
    if args.render:
        return render_saved(args.render, args.markdown)

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    info = machine()
    rows: list[Row] = []
    sizes = [(1, 5), (1000, 3), (10_000, 1)] if args.quick else [(1, 20), (1000, 3), (100_000, 1)]
    ens_rows, ensemble = bench_ensemble(sizes, log)
    rows += ens_rows
    rows += bench_pre_kernel([n for n, _ in sizes if n >= 1000], ensemble, log)
    rows += bench_pre_motives([n for n, _ in sizes if n >= 1000], ensemble, log)
    rows += bench_batch_run(20 if args.quick else 100, ensemble, log)
    rows += bench_startup(log)
    lines = header(info, args)
    if not args.no_sweeps or args.million:
        via = args.via
        if via == "auto":
            ok, why = cli_can_sweep()
            via = "cli" if ok else "library"
            if not ok:
                lines.append(f"sweeps run through the library driver: the CLI cannot ({why})")
        tmp = Path(tempfile.mkdtemp(prefix="wedge-bench-"))
        try:
            if args.million:
                rows += bench_million(tmp, via, log)
            if not args.no_sweeps:
                rows += bench_scaling(tmp, via, args.quick, args.repeat, log)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines.append(f"load average at end {load}")
    text = render_markdown(lines, rows) if args.markdown else render_text(lines, rows)
    print(text)
    if args.json:
        saved = {"machine": info, "lines": lines, "rows": [asdict(r) for r in rows]}
        Path(args.json).write_text(json.dumps(saved, indent=2, default=str) + "\n")
    return 0


def render_saved(path: str, markdown: bool) -> int:
    """Print the table of a run saved with ``--json``, without measuring anything."""
    saved = json.loads(Path(path).read_text())
    rows = [Row(**r) for r in saved["rows"]]
    lines = saved["lines"]
    print(render_markdown(lines, rows) if markdown else render_text(lines, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
