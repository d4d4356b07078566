"""Metamorphic relations: change one input in a known direction, check the direction of the output.

Runs share seeds (common random numbers), so differences come from the change.
"""

from itertools import pairwise

import numpy as np
import pytest

from sim import load_inputs, run_ensemble

BASELINE = "scenarios/baseline_2024.toml"
RUNS = 600


def _fear(level: float) -> dict:
    # The baseline samples Russia's extra fear of China; pin it to a narrow band instead.
    return {
        "uncertain": [
            {
                "parameter": "pairs.CHN-RUS.fear.RUS",
                "dist": "uniform",
                "low": level,
                "high": level + 0.01,
            }
        ]
    }


def _offer(size: float, start: float = 2025.0, duration: float = 20.0) -> dict:
    lever = {
        "name": "offer", "actor": "USA", "target": "RUS", "kind": "reward", "size": size,
        "start": start, "duration": duration, "credibility": 0.8,
    }  # fmt: skip
    return {"levers": [lever]}


def _run(overrides: dict, runs: int = RUNS):
    return run_ensemble(load_inputs(BASELINE, overrides), runs=runs, seed=2024)


@pytest.mark.slow
@pytest.mark.parametrize("with_offer", [False, True], ids=["baseline", "with offer to Moscow"])
def test_more_russian_fear_of_china_never_lowers_p_split(with_offer):
    levels = [0.0, 0.3, 0.6, 0.9]
    p = []
    for level in levels:
        over = _fear(level) | (_offer(0.6) if with_offer else {})
        p.append(_run(over).summary()["p_split"]["value"])
    assert all(b >= a for a, b in pairwise(p)), p
    assert p[-1] > p[0], f"fear should matter at all: {p}"


@pytest.mark.slow
def test_more_russian_fear_of_china_raises_p_rupture():
    p = [_run(_fear(level)).summary()["p_rupture"]["value"] for level in (0.0, 0.5, 0.9)]
    # Never lower with more fear (a level may sit at 0 with the fear still too weak to rupture).
    assert all(b >= a for a, b in pairwise(p)), p
    assert p[-1] > p[0], f"fear should matter at all: {p}"


def test_a_larger_reward_to_moscow_never_lowers_us_russia_relation_at_horizon():
    finals = []
    for size in (0.0, 0.3, 0.6, 1.0):
        runs = _run(_offer(size), runs=300).runs
        finals.append((runs["r_USA-RUS"].mean(), runs["r_USA-RUS"].median()))
    means = [m for m, _ in finals]
    medians = [m for _, m in finals]
    assert all(b >= a for a, b in pairwise(means)), means
    assert all(b >= a for a, b in pairwise(medians)), medians
    assert means[-1] > means[0] + 0.05, means


def test_a_reward_in_force_warms_the_target_toward_the_driver():
    base = _run({}, runs=300).trajectories()
    offer = _run(_offer(0.8, start=2025.0, duration=6.0), runs=300).trajectories()

    def at(t, year):
        row = t[(t.pair == "USA-RUS") & np.isclose(t.year, year)]
        return float(row.q50.iloc[0])

    assert at(offer, 2030.0) > at(base, 2030.0) + 0.1
    # Once it lapses the effect fades: the offer does not buy a lasting change by itself.
    assert at(offer, 2040.0) - at(base, 2040.0) < at(offer, 2030.0) - at(base, 2030.0)
