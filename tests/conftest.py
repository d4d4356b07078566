"""Shared helpers: small scenario files and in-memory inputs built by the tests themselves.

Tests build their own situations and, where a value matters, their own
behaviour parameters; the project's calibration file is only copied beside a
written scenario so that loading works, and no test depends on its numbers.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import settings

from sim.engine.ensemble import Inputs
from sim.model.setup import check_uncertain
from sim.scenario.calibration import PARAMETERS, Calibration, Parameter
from sim.scenario.schema import Scenario

# The mechanisms are compiled: the first call with a new type of argument compiles
# or loads machine code, which can take longer than hypothesis's default deadline.
settings.register_profile("compiled", deadline=None)
settings.load_profile("compiled")

REPO = Path(__file__).resolve().parents[1]
CALIBRATION_FILE = REPO / "scenarios" / "calibration.toml"


def wedge(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run the ``wedge`` command in a fresh interpreter, as a user would (Agg backend)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], cwd=cwd, capture_output=True, text=True, env=env
    )


def copy_calibration(folder: Path) -> Path:
    """Copy the shipped calibration file, and the posterior sample it names, into ``folder``."""
    shutil.copy(CALIBRATION_FILE, folder / "calibration.toml")
    for extra in CALIBRATION_FILE.parent.glob("calibration_*.csv"):
        shutil.copy(extra, folder / extra.name)
    return folder / "calibration.toml"


CODES = ("USA", "CHN", "RUS", "IND", "EUR", "JPN", "BRA", "TUR")
"""Actor identifiers used by the helpers, in order: the first N make an N-actor scenario."""


def scenario_data(n_actors: int = 3, **top: Any) -> dict[str, Any]:
    """A small valid scenario as a dict: ``n_actors`` actors, CHN-RUS watched, USA third.

    Every pair among the first three actors is given, so that a test can
    change one field of an existing pair or add its own; keyword arguments
    replace top-level tables.
    """
    if not 3 <= n_actors <= len(CODES):
        raise ValueError(f"n_actors must be in [3, {len(CODES)}]")
    codes = CODES[:n_actors]
    actors = {
        code: {"capability": round(0.05 + 0.03 * k, 4), "growth": 0.0, "offensive": 0.5}
        for k, code in enumerate(codes)
    }
    data: dict[str, Any] = {
        "name": "test_scenario",
        "title": "A small test scenario",
        "time": {"start": 2024.0, "horizon": 2030.0, "step": 0.25},
        "watch": {"partnership": ["CHN", "RUS"], "third": "USA"},
        "actors": actors,
        "pairs": {
            "CHN-RUS": {"relation": 0.5, "dependence": {"RUS": 0.4, "CHN": 0.1}},
            "USA-CHN": {"relation": -0.3},
            "USA-RUS": {"relation": -0.5, "sanctions": {"USA": 0.5}},
        },
    }
    data.update(copy.deepcopy(top))
    return data


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as TOML at ``path`` (parents created) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tomli_w.dumps(data).encode("utf-8"))
    return path


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(data=None, *, n_actors=3, name="scenario.toml", folder=tmp_path)``.

    Writes a scenario TOML (``data``, or :func:`scenario_data` with
    ``n_actors`` actors) with a copy of ``scenarios/calibration.toml`` beside
    it, and returns the scenario's path.
    """

    def write(
        data: dict[str, Any] | None = None,
        *,
        n_actors: int = 3,
        name: str = "scenario.toml",
        folder: Path | None = None,
    ) -> Path:
        folder = tmp_path if folder is None else folder
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "calibration.toml").exists():
            copy_calibration(folder)
        return write_toml(folder / name, scenario_data(n_actors) if data is None else data)

    return write


PLAUSIBLE: dict[str, float] = {
    # Round, moderate values chosen for the tests (rates of about one per year, weights
    # near one, rare crises), so runs show alignment, rupture and recovery. They are
    # not the project's calibration and need not track it.
    "threat_speed": 1.0, "threat_weight_proximity": 0.4, "threat_weight_reach": 0.3,
    "threat_weight_offensive": 0.3, "baseline_suspicion": 0.2, "ideology_intent": 0.5,
    "stance_gain": 0.5, "stance_speed": 1.0, "inertia": 2.0, "stance_noise": 0.1,
    "w_threat": 1.5, "w_balance": 1.5, "w_common_enemy": 0.5, "w_pivot": 0.3,
    "w_rival_bid": 0.5,
    "w_dependence_gain": 1.0, "w_dependence_risk": 1.0,
    "w_sanctions": 0.8, "w_ideology": 0.8, "w_trust": 0.5, "w_institutions": 0.5,
    "w_reciprocity": 0.4, "w_disputes": 0.7, "w_support": 0.5, "w_abandonment": 1.0,
    "w_counterbid": 1.0, "w_entrapment": 0.8, "w_reward": 1.0, "driver_commitment": 1.0,
    "w_condition": 0.5, "w_coercion": 0.5, "sanction_relief": 0.8,
    "trust_build": 0.3, "trust_erosion": 0.3, "betrayal": 0.5, "humiliation": 0.5,
    "trust_reset": 0.5, "trust_carryover": 0.3, "leader_reset": 0.3,
    "institution_build": 0.05, "institution_decay": 0.3,
    "dependence_speed": 0.5, "dependence_elasticity": 0.5, "trade_diversion": 0.5,
    "polemic_rate": 0.5, "parity_rate": 0.05, "rivalry_decay": 0.05,
    "crisis_rate": 0.02, "crisis_hostility": 2.5, "crisis_threat": 2.0,
    "crisis_stance_drop": 0.15, "crisis_threat_jump": 0.1, "crisis_trust_loss": 0.1,
    "crisis_alarm": 0.0,
    "alarm_fade": 0.15,
    "restraint_gain": 0.0, "restraint_fade": 0.2,
    "crisis_memory": 1.0, "cutoff_rate": 2.0, "cutoff_share": 0.6, "cutoff_trust_loss": 0.2,
    "instability_hazard": 3.0, "instability_decay": 0.3, "distress_instability": 0.5,
    "distress_drag": 0.05, "distress_recovery": 0.2, "support_recovery": 0.5,
    "aid_dependence": 0.3, "sanction_drag": 0.02,
}  # fmt: skip
"""Default behaviour values of the test helpers."""


def calibration_table(values: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """The content of a calibration file written by the tests, independent of the project's.

    Every parameter of ``PARAMETERS`` at ``values[name]``, else :data:`PLAUSIBLE`,
    else (a parameter added since) a tenth of the way up its admissible range.
    """
    values = PLAUSIBLE | (values or {})
    return {
        name: {
            "value": values.get(name, spec.lower + 0.1 * (min(spec.upper, 10.0) - spec.lower)),
            "source": "tests",
        }
        for name, spec in PARAMETERS.items()
    }


def make_calibration(values: dict[str, float] | None = None) -> Calibration:
    """A calibration with point values only (no uncertain ranges), built here.

    Parameters not in ``values`` take the defaults of :func:`calibration_table`,
    so nothing depends on the numbers of the project's calibration file.
    """
    table = calibration_table(values)
    parameters = {
        name: Parameter(value=float(t["value"]), source="tests") for name, t in table.items()
    }
    return Calibration("<tests>", parameters)


def make_inputs(data: dict[str, Any], calibration: Calibration | None = None) -> Inputs:
    """Validated :class:`~sim.engine.ensemble.Inputs` from a scenario dict, without any file."""
    scenario = Scenario.model_validate(data)
    calibration = make_calibration() if calibration is None else calibration
    check_uncertain(scenario, calibration, "<tests>")
    return Inputs(scenario, calibration, "<tests>")
