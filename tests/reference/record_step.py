"""Record the model's per-world results before the step is compiled (issue: compiled step).

Run from the repository root: ``python tests/reference/record_step.py``. It writes,
into ``tests/reference/step/``:

- the inputs, frozen: every shipped scenario (``scenarios/*.toml`` and
  ``scenarios/history/*.toml``) as its merged, unvalidated table (``<name>.json``),
  and copies of the calibration file and its posterior sample, so that later changes
  to the shipped files do not change what the reference means;
- ``step.npz``: for each scenario, :data:`WORLDS` worlds at seed :data:`SEED` (the
  first worlds of any run of that seed), every world's relation of every pair at
  every recorded step (``<name>.relation``, shape ``(steps + 1, worlds, pairs)``),
  its capability shares (``<name>.capability``) and its numeric outcomes
  (``<name>.outcomes``: the runs table's outcome columns);
- ``meta.json``: the commit, the seed, the pairs and outcome column names.

``tests/test_step_reference.py`` reruns the same worlds and compares. The numbers
are data (numpy arrays and JSON), read without pickle.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np

from sim.engine.ensemble import load_inputs, run_chunk
from sim.model.model import WedgeModel
from sim.paths import SCENARIOS
from sim.scenario.loader import scenario_dict

HERE = Path(__file__).resolve().parent / "step"
SEED = 20241008
WORLDS = 32
OUTCOMES = (
    "rupture_year", "split_year", "worst_relation", "worst_year", "peak_hazard",
    "peak_hazard_year",
)  # fmt: skip


def shipped() -> list[Path]:
    """Every shipped scenario file, in a fixed order."""
    files = [*sorted(SCENARIOS.glob("*.toml")), *sorted(SCENARIOS.glob("history/*.toml"))]
    return [p for p in files if not p.stem.startswith("calibration")]


def trajectories(model: WedgeModel) -> tuple[np.ndarray, np.ndarray]:
    """Relations of every pair and capabilities, at the start and after every step."""
    pairs = model.pairs
    rel, cap = [], []
    while True:
        rel.append(np.stack([model.relation[:, i, j] for i, j in pairs], axis=1))
        cap.append(model.state.capability.copy())
        if not model.running:
            break
        model.step()
    return np.array(rel), np.array(cap)


def main() -> None:
    if HERE.exists():
        shutil.rmtree(HERE)
    HERE.mkdir(parents=True)
    calibration = SCENARIOS / "calibration.toml"
    shutil.copy(calibration, HERE / "calibration.toml")
    shutil.copy(SCENARIOS / "calibration_posterior.csv", HERE / "calibration_posterior.csv")
    arrays: dict[str, np.ndarray] = {}
    names = []
    for path in shipped():
        inputs = load_inputs(path)
        if Path(inputs.scenario.calibration) != calibration.resolve():
            raise SystemExit(f"{path}: not on the shipped calibration")
        data = scenario_dict(path)
        data["calibration"] = "calibration.toml"
        name = inputs.scenario.name
        names.append(name)
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
        model = WedgeModel(inputs.scenario, inputs.calibration, worlds=WORLDS, seed=SEED)
        model.running = model.total_steps > 0
        rel, cap = trajectories(model)
        runs = run_chunk(inputs, SEED, 0, WORLDS, paths=False).runs
        arrays[f"{name}.relation"] = rel
        arrays[f"{name}.capability"] = cap
        arrays[f"{name}.outcomes"] = runs[list(OUTCOMES)].to_numpy(dtype=float)
    np.savez_compressed(HERE / "step.npz", **arrays)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    meta = {"commit": commit, "seed": SEED, "worlds": WORLDS, "scenarios": names,
            "outcomes": list(OUTCOMES)}  # fmt: skip
    (HERE / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"recorded {len(names)} scenarios at {commit[:10]} in {HERE}")


if __name__ == "__main__":
    main()
