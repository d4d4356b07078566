"""The model reproduces the per-world reference recorded before its step is compiled.

``tests/reference/record_step.py`` froze every shipped scenario's inputs (merged
tables, the calibration and its posterior) and recorded, at one seed, each world's
relations and capabilities at every step and its outcomes. These tests rerun the
same worlds from the frozen inputs, so a change of the shipped files does not
touch them: only a change of the model's arithmetic does.

The reference was first recorded with the numpy step (commit 7b594af); the
compiled step reproduced it to within :data:`TOLERANCE` and every event year
exactly. It was recorded again, with the compiled step, when behaviour came to
be drawn per set of 20 worlds (:data:`sim.model.streams.SET_WORLDS`): that
changed which posterior set each world draws, not the arithmetic. The differences come
from floating-point arithmetic, not from the model: numpy evaluates ``exp``,
``expm1`` and ``tanh`` with its own vectorised code where compiled code calls the
platform's maths library (the two differ in the last bit of a few per cent of
results), and the compiler may reassociate sums and products (numba's
``fastmath`` reassociation and contraction, no approximations of functions).
Each is about 1e-16. The model's updates are contractions (each stock relaxes
toward a target), so such differences stay near that size: the largest seen
over 170 steps of the 1949-1991 run is about 1e-14. A draw compared with a
probability could flip only if the two lay within 1e-16 of each other, which
would show here as a different year, and does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.engine.ensemble import Inputs, run_chunk
from sim.model.model import WedgeModel
from sim.scenario.calibration import load_calibration
from sim.scenario.schema import Scenario

HERE = Path(__file__).resolve().parent / "reference" / "step"
META = json.loads((HERE / "meta.json").read_text(encoding="utf-8"))
REFERENCE = np.load(HERE / "step.npz", allow_pickle=False)
TOLERANCE = 1e-12
"""Largest absolute difference allowed in a relation, capability or outcome value."""
YEARS = ("rupture_year", "split_year", "worst_year", "peak_hazard_year")


def frozen_inputs(name: str) -> Inputs:
    """A recorded scenario on the recorded calibration."""
    data = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    data["calibration"] = str(HERE / "calibration.toml")
    scenario = Scenario.model_validate(data)
    return Inputs(scenario, load_calibration(HERE / "calibration.toml"), f"{name}.json")


def test_the_reference_covers_every_history_and_2024_scenario():
    names = set(META["scenarios"])
    assert {"baseline_2024", "sino_soviet_1949", "cold_war_1949", "normalisation_1976"} <= names
    assert len(META["commit"]) == 40 and META["worlds"] >= 16


@pytest.mark.parametrize("name", META["scenarios"])
def test_every_world_matches_the_reference(name):
    inputs = frozen_inputs(name)
    worlds, seed = META["worlds"], META["seed"]
    model = WedgeModel(inputs.scenario, inputs.calibration, worlds=worlds, seed=seed)
    relation, capability = [], []
    while True:
        relation.append(np.stack([model.relation[:, i, j] for i, j in model.pairs], axis=1))
        capability.append(model.state.capability.copy())
        if not model.running:
            break
        model.step()
    close = {"rtol": 0.0, "atol": TOLERANCE}
    np.testing.assert_allclose(np.array(relation), REFERENCE[f"{name}.relation"], **close)
    np.testing.assert_allclose(np.array(capability), REFERENCE[f"{name}.capability"], **close)
    runs = run_chunk(inputs, seed, 0, worlds, paths=False).runs
    outcomes = runs[META["outcomes"]].to_numpy(dtype=float)
    expected = REFERENCE[f"{name}.outcomes"]
    for k, column in enumerate(META["outcomes"]):
        if column in YEARS:  # a year differs only if an event flipped: never allowed
            np.testing.assert_array_equal(outcomes[:, k], expected[:, k], err_msg=column)
        else:
            np.testing.assert_allclose(outcomes[:, k], expected[:, k], err_msg=column, **close)
