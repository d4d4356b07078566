"""Shared helpers: small scenario files and in-memory inputs built by the tests themselves.

Tests build their own situations and, where a value matters, their own
behaviour parameters; the project's calibration file is only copied beside a
written scenario so that loading works, and no test depends on its numbers.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from sim.ensemble import Inputs
from sim.model.setup import check_uncertain
from sim.scenario.calibration import PARAMETERS, Calibration, Parameter, load_calibration
from sim.scenario.schema import Scenario

REPO = Path(__file__).resolve().parents[1]
CALIBRATION_FILE = REPO / "scenarios" / "calibration.toml"

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
            shutil.copy(CALIBRATION_FILE, folder / "calibration.toml")
        return write_toml(folder / name, scenario_data(n_actors) if data is None else data)

    return write


def make_calibration(values: dict[str, float] | None = None) -> Calibration:
    """A calibration with point values only (no uncertain ranges).

    Parameters not in ``values`` take the point value of the project's
    calibration file; pass every parameter to be independent of it.
    """
    values = dict(values or {})
    missing = [name for name in PARAMETERS if name not in values]
    if missing:
        base = load_calibration(CALIBRATION_FILE).values()
        values.update({name: base[name] for name in missing})
    return Calibration(
        "<tests>",
        {name: Parameter(value=float(values[name]), source="tests") for name in PARAMETERS},
    )


def make_inputs(data: dict[str, Any], calibration: Calibration | None = None) -> Inputs:
    """Validated :class:`~sim.ensemble.Inputs` from a scenario dict, without any file."""
    scenario = Scenario.model_validate(data)
    calibration = make_calibration() if calibration is None else calibration
    check_uncertain(scenario, calibration, "<tests>")
    return Inputs(scenario, calibration, "<tests>")
