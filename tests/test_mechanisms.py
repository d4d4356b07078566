"""Every mechanism against values worked out by hand, and the outcome definitions.

Each expected number is computed in the test from the documented formula,
with the arithmetic in a comment, never by calling the function under test.
Arrays carry the leading world axis the mechanisms expect; behaviour
parameters are ``(worlds, 1)`` columns.
"""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pytest
from conftest import make_calibration, make_inputs, scenario_data
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from sim.model.mechanisms import (
    common,
    dependence,
    economy,
    events,
    ideology,
    institutions,
    levers,
    stance,
    threat,
    trust,
)
from sim.model.model import WedgeModel
from sim.outcomes import CONFIGURATIONS, ROLES, Observer, configuration, role


def col(x: float, worlds: int = 1) -> np.ndarray:
    """A behaviour parameter as the mechanisms receive it: ``(worlds, 1)``."""
    return np.full((worlds, 1), float(x))


def pair_matrix(n: int, entries: dict[tuple[int, int], float], worlds: int = 1) -> np.ndarray:
    """``(worlds, n, n)`` zeros with the given ``[i, j]`` entries."""
    out = np.zeros((worlds, n, n))
    for (i, j), v in entries.items():
        out[:, i, j] = v
    return out


def symmetric(n: int, entries: dict[tuple[int, int], float], worlds: int = 1) -> np.ndarray:
    """Like :func:`pair_matrix`, with each entry mirrored to ``[j, i]``."""
    return pair_matrix(n, entries | {(j, i): v for (i, j), v in entries.items()}, worlds)


# --- threat (Walt 1987) ------------------------------------------------------------------


def test_capacity_combines_relative_power_with_weighted_means():
    # Perceiver i = 0 with capability 0.2; j = 1 has 0.3, j = 2 has 0.1.
    out = threat.capacity(
        own_capability=np.array([[0.2]]),
        capability=np.array([[0.2, 0.3, 0.1]]),
        proximity=np.array([[0.0, 1.0, 0.5]]),
        reach_toward=np.array([[0.0, 0.5, 0.2]]),
        offensive=np.array([[0.5, 0.8, 0.4]]),
        w_proximity=col(0.4),
        w_reach=col(0.3),
        w_offensive=col(0.3),
    )
    # j = 1: power 0.3 / (0.2 + 0.3) = 0.6; means (0.4*1 + 0.3*0.5 + 0.3*0.8) / 1 = 0.79
    #        -> 0.6 * 0.79 = 0.474
    # j = 2: power 0.1 / 0.3 = 1/3;  means (0.4*0.5 + 0.3*0.2 + 0.3*0.4) / 1 = 0.38
    #        -> 0.38 / 3 = 0.126667
    assert out.shape == (1, 3)
    assert_allclose(out[0, 1:], [0.474, 0.38 / 3])


def test_capacity_normalises_the_weights():
    # Weights (2, 1, 1) sum to 4: means = (2*1 + 1*0.5 + 1*0) / 4 = 0.625;
    # equal capability gives power 0.5 -> 0.3125.
    out = threat.capacity(
        np.array([[0.1]]),
        np.array([[0.1, 0.1]]),
        np.array([[0.0, 1.0]]),
        np.array([[0.0, 0.5]]),
        np.array([[0.0, 0.0]]),
        col(2.0),
        col(1.0),
        col(1.0),
    )
    assert_allclose(out[0, 1], 0.3125)


def test_capacity_is_zero_when_all_means_weights_are_zero():
    # PARAMETERS admits all three weights at 0 (each bound [0, 1]): with no weight on
    # any means, capability alone cannot threaten (found as a 0/0 = nan bug, now fixed).
    out = threat.capacity(
        np.array([[0.2]]),
        np.array([[0.2, 0.3]]),
        np.array([[0.0, 1.0]]),
        np.array([[0.0, 1.0]]),
        np.array([[0.5, 0.8]]),
        col(0.0),
        col(0.0),
        col(0.0),
    )
    assert_array_equal(out, 0.0)


def test_intent_combines_suspicion_hostility_and_friction_as_a_probabilistic_or():
    out = threat.intent(
        stance_toward_me=np.array([[0.0, -0.3, 0.5, -0.9]]),
        friction=np.array([[0.0, 0.2, 0.0, 0.4]]),
        baseline_suspicion=col(0.2),
        ideology_intent=col(0.5),
    )
    # j = 1: 1 - 0.8 * 0.7 * (1 - 0.5*0.2) = 1 - 0.8*0.7*0.9 = 0.496
    # j = 2: a friendly stance shows no hostility: 1 - 0.8 * 1 * 1 = 0.2
    # j = 3: 1 - 0.8 * 0.1 * (1 - 0.2) = 1 - 0.064 = 0.936: below 1, unlike a capped sum
    assert_allclose(out[0, 1:], [0.496, 0.2, 0.936])


def test_threat_target_combines_walt_fear_and_alarm_as_a_probabilistic_or():
    out = threat.target(
        capacity_=np.array([[0.474, 0.9, 0.1, 0.5]]),
        intent_=np.array([[0.6, 1.0, 0.0, 0.5]]),
        fear=np.array([[0.05, 0.3, 0.0, 0.0]]),
        alarm=np.array([[0.0, 0.0, 0.0, 0.6]]),
    )
    # 1 - (1 - 0.2844)(1 - 0.05) = 0.32018; 1 - (1 - 0.9)(1 - 0.3) = 0.93 (a capped sum: 1);
    # 1 - 1 * 1 * 1 = 0; 1 - (1 - 0.25)(1 - 0.6) = 0.7
    assert_allclose(out[0], [0.32018, 0.93, 0.0, 0.7])


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.5))
def test_threat_target_stays_in_range_and_rises_with_every_source(c, i, f, a, more):
    base = threat.target(np.array([c]), np.array([i]), np.array([f]), np.array([a]))
    assert 0.0 <= base[0] <= 1.0
    for bumped in (
        threat.target(np.array([c]), np.array([i]), np.array([min(1.0, f + more)]), np.array([a])),
        threat.target(np.array([c]), np.array([i]), np.array([f]), np.array([min(1.0, a + more)])),
    ):
        assert bumped[0] >= base[0] - 1e-12


# --- ideology (Luthi 2008) -----------------------------------------------------------------


def test_affinity_turns_closeness_into_friction_under_doctrinal_rivalry():
    out = ideology.affinity(
        salience=col(0.8),
        distance=np.array([[0.0, 1.0, 0.2, 0.0]]),
        rivalry=np.array([[0.0, 0.0, 0.5, 1.0]]),
    )
    # same doctrine, no rivalry:      0.8 * (1 - 0)                     = +0.8
    # opposite systems:               0.8 * (1 - 2)                     = -0.8
    # d = 0.2, R = 0.5:               0.8 * ((1 - 0.4) - 2*0.5*0.8)     = 0.8 * -0.2 = -0.16
    # same doctrine, open schism:     0.8 * (1 - 2*1*1)                 = -0.8
    assert_allclose(out[0], [0.8, -0.8, -0.16, -0.8])


def test_friction_is_the_negative_part_of_affinity():
    assert_allclose(ideology.friction(np.array([[0.8, -0.16, 0.0, -1.0]])), [[0, 0.16, 0, 1.0]])


def test_rivalry_change_grows_with_polemics_and_parity_and_decays():
    # Two actors with salience 0.8 and 0.5, distance 0.2, capability 0.3 and 0.1,
    # relation -0.5, current rivalry 0.1; polemic 1.0, parity 0.5, decay 0.2 per year.
    out = ideology.rivalry_change(
        rivalry=symmetric(2, {(0, 1): 0.1}),
        relation=symmetric(2, {(0, 1): -0.5}),
        salience=np.array([[0.8, 0.5]]),
        distance=symmetric(2, {(0, 1): 0.2}),
        capability=np.array([[0.3, 0.1]]),
        polemic_rate=col(1.0),
        parity_rate=col(0.5),
        rivalry_decay=col(0.2),
    )
    # stake = 0.8 * 0.5 * (1 - 0.2) = 0.32; parity = 1 - |0.3 - 0.1| / 0.4 = 0.5
    # growth = 0.32 * (1.0*0.5 + 0.5*0.5) = 0.24
    # change = 0.24 * (1 - 0.1) - 0.2 * 0.1 = 0.216 - 0.02 = 0.196
    assert_allclose(out[0], [[0.0, 0.196], [0.196, 0.0]])


def test_rivalry_only_decays_between_friends_that_do_not_care_about_doctrine():
    out = ideology.rivalry_change(
        rivalry=symmetric(2, {(0, 1): 0.5}),
        relation=symmetric(2, {(0, 1): 0.7}),
        salience=np.array([[0.0, 0.9]]),
        distance=symmetric(2, {(0, 1): 0.0}),
        capability=np.array([[0.2, 0.2]]),
        polemic_rate=col(1.0),
        parity_rate=col(1.0),
        rivalry_decay=col(0.1),
    )
    # stake = 0 * 0.9 * 1 = 0, so only decay: -0.1 * 0.5 = -0.05
    assert_allclose(out[0, 0, 1], -0.05)


# --- dependence (Keohane and Nye 1977; Farrell and Newman 2019) ---------------------------

RUS, CHN, USA = 0, 1, 2


def test_dependence_target_follows_the_relation():
    base = pair_matrix(3, {(RUS, CHN): 0.4})
    out = dependence.target(
        base, symmetric(3, {(RUS, CHN): 0.2}), np.zeros((1, 3, 3)), col(0.5), col(0.5)
    )
    # kept = 0.4 * (1 - 0.5 * (1 - 0.2) / 2) = 0.4 * 0.8 = 0.32; no sanctions, nothing diverted
    assert_allclose(out[0, RUS, CHN], 0.32)
    assert_allclose(out[0, CHN, RUS], 0.0)


def test_embargo_diverts_trade_to_the_remaining_partner():
    # Russia depends on China (0.3) and on the US (0.2); relations allied (+1), so
    # the relation term keeps everything. The US embargoes Russia: sanctions[US, RUS] = 1.
    base = pair_matrix(3, {(RUS, CHN): 0.3, (RUS, USA): 0.2})
    relation = symmetric(3, {(RUS, CHN): 1.0, (RUS, USA): 1.0, (CHN, USA): 1.0})
    sanctions = pair_matrix(3, {(USA, RUS): 1.0})
    out = dependence.target(base, relation, sanctions, col(0.5), col(0.5))
    # RUS on USA: 0.2 * (1 - 1) = 0.
    # lost = 1 * 0.2 = 0.2; China holds the whole open share: 0.3 + 0.5 * 0.2 = 0.4
    assert_allclose(out[0, RUS, USA], 0.0)
    assert_allclose(out[0, RUS, CHN], 0.4)
    # China's dependence is untouched: nobody sanctions China.
    assert_allclose(out[0, CHN], 0.0)


def test_partial_sanctions_divert_only_to_the_remaining_partner():
    # As above but the US cuts half: kept on the US 0.2 * (1 - 0.5) = 0.1; lost 0.1,
    # all of it to China, the only other partner: 0.3 + 0.5 * 0.1 = 0.35.
    base = pair_matrix(3, {(RUS, CHN): 0.3, (RUS, USA): 0.2})
    relation = symmetric(3, {(RUS, CHN): 1.0, (RUS, USA): 1.0, (CHN, USA): 1.0})
    out = dependence.target(base, relation, pair_matrix(3, {(USA, RUS): 0.5}), col(0.5), col(0.5))
    assert_allclose(out[0, RUS, CHN], 0.35)
    assert_allclose(out[0, RUS, USA], 0.1)


def test_diverted_trade_is_shared_in_proportion_to_the_open_partners():
    # Russia (0) depends on China (1) 0.2, the US (2) 0.2, India (3) 0.2; all allied.
    # The US embargoes Russia (S = 1), India halves its trade (S = 0.5); diversion 0.5.
    # Open shares: China 0.2, India 0.1, US 0.
    # The US cut 0.2 -> to China and India 2:1: +0.1333 and +0.0667, times 0.5.
    # India cut 0.1 -> to China alone (the US is closed, India never gets its own back):
    # +0.1, times 0.5.
    # China: 0.2 + 0.5 * (0.2 * 2/3 + 0.1) = 0.31667; India: 0.1 + 0.5 * 0.2 / 3 = 0.13333
    ind = 3
    base = pair_matrix(4, {(RUS, CHN): 0.2, (RUS, USA): 0.2, (RUS, ind): 0.2})
    relation = np.ones((1, 4, 4))
    sanctions = pair_matrix(4, {(USA, RUS): 1.0, (ind, RUS): 0.5})
    out = dependence.target(base, relation, sanctions, col(0.5), col(0.5))
    assert_allclose(out[0, RUS, [CHN, USA, ind]], [0.2 + 0.5 * (0.4 / 3 + 0.1), 0.0, 0.1 + 0.1 / 3])


def test_diverted_trade_does_not_flow_back_to_the_sanctioner():
    # Russia's only partner is the US (base 0.4); the US sanctions half of it.
    # kept = 0.4 * (1 - 0.5) = 0.2; there is no remaining partner to divert the lost
    # 0.2 to, so it is lost (found as a bug: it used to return to the US, and with
    # diversion 1.5 sanctions raised the dependence on the sanctioner to 0.5).
    base = pair_matrix(3, {(RUS, USA): 0.4})
    relation = symmetric(3, {(RUS, USA): 1.0})
    out = dependence.target(base, relation, pair_matrix(3, {(USA, RUS): 0.5}), col(0.5), col(1.5))
    assert_allclose(out[0, RUS, USA], 0.2)


def test_dependence_value_is_a_gain_when_trusted_and_a_risk_when_feared():
    out = dependence.value(
        dependence=np.array([[0.0, 0.5, 0.5]]),
        trust=np.array([[0.0, 0.8, 0.2]]),
        threat=np.array([[0.0, 0.3, 0.6]]),
        w_gain=col(1.0),
        w_risk=col(2.0),
    )
    # 0.5 * (1*0.8 - 2*0.3) = 0.1;  0.5 * (1*0.2 - 2*0.6) = -0.5
    assert_allclose(out[0], [0.0, 0.1, -0.5])


# --- trust ---------------------------------------------------------------------------------


def test_trust_change_builds_with_cooperation_and_erodes_with_humiliation():
    # Actor 0 depends on 1 (0.5 vs 0.1) and they are doctrinal rivals (0.4); relation +0.5.
    out = trust.change(
        trust=pair_matrix(2, {(0, 1): 0.6, (1, 0): 0.4}),
        relation=symmetric(2, {(0, 1): 0.5}),
        abandonment=np.zeros((1, 2, 2)),
        dependence=pair_matrix(2, {(0, 1): 0.5, (1, 0): 0.1}),
        rivalry=symmetric(2, {(0, 1): 0.4}),
        build=col(0.3),
        erosion=col(0.2),
        betrayal=col(0.5),
        humiliation=col(1.0),
        fade=col(0.0),
        neutral=col(0.5),
    )
    # 0 -> 1: up 0.3*0.5*(1 - 0.6) = 0.06; junior (0.5 - 0.1)*0.4 = 0.16;
    #         down 1.0*0.16*0.6 = 0.096 -> -0.036
    # 1 -> 0: up 0.3*0.5*(1 - 0.4) = 0.09; the senior is not humiliated -> +0.09
    assert_allclose(out[0, 0, 1], -0.036)
    assert_allclose(out[0, 1, 0], 0.09)


def test_trust_erodes_with_hostility_and_betrayal():
    out = trust.change(
        trust=pair_matrix(2, {(0, 1): 0.6}),
        relation=symmetric(2, {(0, 1): -0.5}),
        abandonment=pair_matrix(2, {(0, 1): 0.2}),
        dependence=np.zeros((1, 2, 2)),
        rivalry=np.zeros((1, 2, 2)),
        build=col(0.3),
        erosion=col(0.2),
        betrayal=col(0.5),
        humiliation=col(1.0),
        fade=col(0.0),
        neutral=col(0.5),
    )
    # up = 0 (no positive relation); down = (0.2*0.5 + 0.5*0.2) * 0.6 = 0.12
    assert_allclose(out[0, 0, 1], -0.12)


def test_trust_reset_moves_every_pair_touching_a_new_leader():
    t = pair_matrix(3, {(0, 1): 0.9, (1, 0): 0.8, (1, 2): 0.1, (2, 1): 0.3, (0, 2): 0.7})
    t = np.concatenate([t, t])  # two worlds; only world 0 changes leader
    changed = np.array([[False, True, False], [False, False, False]])
    out = trust.reset(t, changed, col(0.5, 2), col(0.3, 2))
    # level + carryover (trust - level): 0.5 + 0.3*0.4 = 0.62; 0.5 + 0.3*0.3 = 0.59;
    # 0.5 + 0.3*(-0.4) = 0.38; 0.5 + 0.3*(-0.2) = 0.44
    assert_allclose(
        [out[0, 0, 1], out[0, 1, 0], out[0, 1, 2], out[0, 2, 1]], [0.62, 0.59, 0.38, 0.44]
    )
    assert out[0, 0, 2] == 0.7  # a pair without the new leader keeps its trust
    assert_array_equal(out[1], t[1])  # and so does the world with no change


# --- institutions (Keohane 1984) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        (0.5, 0.1 * 0.5 * (1 - 0.4)),  # build r+ (1 - I) = 0.03
        (-0.5, -0.3 * 0.5 * 0.4),  # - decay r- I = -0.06
        (0.0, 0.0),
    ],
)
def test_institutions_build_with_cooperation_and_decay_with_hostility(relation, expected):
    out = institutions.change(
        symmetric(2, {(0, 1): 0.4}), symmetric(2, {(0, 1): relation}), col(0.1), col(0.3)
    )
    assert_allclose(out[0, 0, 1], expected, atol=1e-15)


def test_institutional_inertia_is_one_plus_weight_times_stock():
    # 1 + 2 * 0.7 = 2.4; no institutions, no slowing: 1
    assert_allclose(institutions.inertia(np.array([[0.7, 0.0]]), col(2.0)), [[[2.4, 1.0]]])


# --- stance (Walt 1987; Snyder 1984; Goldstein and Freeman 1990) ---------------------------


def test_balancing_enlists_whoever_is_not_on_the_threats_side():
    # i = 0 fears 1 (0.5) and 2 (0.8); r_12 = -0.6, r_01 = 0.3, r_02 = -0.2.
    relation = symmetric(3, {(1, 2): -0.6, (0, 1): 0.3, (0, 2): -0.2})
    out = stance.balancing(np.array([[0.0, 0.5, 0.8]]), stance.counterweight(relation))
    # j = 1 is not aligned with 2: T_02 * 1 = 0.8; j = 2 is not aligned with 1: T_01 * 1 = 0.5.
    assert_allclose(out[0, 1:], [0.8, 0.5])  # the entry toward i itself is never used
    # A neutral j is as good a counterweight as a hostile one ...
    neutral = symmetric(3, {(1, 2): 0.0, (0, 1): 0.3, (0, 2): -0.2})
    assert_allclose(
        stance.balancing(np.array([[0.0, 0.5, 0.8]]), stance.counterweight(neutral))[0, 1:],
        [0.8, 0.5],
    )
    # ... and an ally of what i fears repels: r_12 = 0.75 gives 1 - 1.5 = -0.5 of it.
    allied = symmetric(3, {(1, 2): 0.75, (0, 1): 0.3, (0, 2): -0.2})
    assert_allclose(
        stance.balancing(np.array([[0.0, 0.5, 0.8]]), stance.counterweight(allied))[0, 1:],
        [-0.4, -0.25],
    )


def test_counterweight_is_one_unless_aligned_and_zero_on_the_diagonal():
    relation = symmetric(3, {(0, 1): -0.9, (0, 2): 0.1, (1, 2): 0.5})
    out = stance.counterweight(relation)[0]
    assert_allclose(np.diag(out), [0.0, 0.0, 0.0])
    assert_allclose([out[0, 1], out[0, 2], out[1, 2]], [1.0, 0.8, 0.0])


def test_common_enemy_pulls_together_two_states_hostile_to_the_same_third():
    # 0 = USA, 1 = CHN, 2 = USSR in 1969: all three hostile.
    relation = symmetric(3, {(0, 1): -0.9, (0, 2): -0.8, (1, 2): -0.7})
    out = stance.common_enemy(relation[:, 0], stance.counterweight(relation), 0)
    # toward 1: r-_02 * (1 - 0) = 0.8; toward 2: r-_01 * 1 = 0.9
    assert_allclose(out[0], [0.0, 0.8, 0.9])


def test_common_enemy_holds_while_the_other_pair_only_thaws_and_lapses_once_it_aligns():
    # Moscow (0) at odds with Beijing (2); Washington (1) thaws toward Beijing to neutral.
    thaw = symmetric(3, {(0, 1): -0.8, (0, 2): -0.9, (1, 2): -0.1})
    assert_allclose(stance.common_enemy(thaw[:, 0], stance.counterweight(thaw), 0)[0, 1], 0.9)
    # Washington aligned with Beijing (0.5): the pull on Moscow turns to a push.
    aligned = symmetric(3, {(0, 1): -0.8, (0, 2): -0.9, (1, 2): 0.5})
    assert_allclose(stance.common_enemy(aligned[:, 0], stance.counterweight(aligned), 0)[0, 1], 0.0)
    # Seen from 1, aligned with 2: its hostility to 0 (0.8) times 2's worth against 0 (1).
    assert_allclose(
        stance.common_enemy(aligned[:, 1], stance.counterweight(aligned), 1)[0], [0.0, 0.0, 0.8]
    )


def test_pivot_needs_standing_closer_to_the_third_than_the_courted_state():
    # 1 and 2 hostile to each other (-0.6); i = 0 hostile to 1 (-0.9), friendly to 2 (0.4).
    relation = symmetric(3, {(1, 2): -0.6, (0, 1): -0.9, (0, 2): 0.4})
    out = stance.pivot(relation, 0)
    # toward 1: max(0, r_02 - r_12) = 0.4 + 0.6 = 1.0; toward 2: max(0, r_01 - r_21) = 0
    # (0 is further from 1 than 2 is: no card to play with 2).
    assert_allclose(out[0], [0.0, 1.0, 0.0])
    # Moscow (0) after the split, hostile to Beijing (2); Washington (1) warms to Beijing:
    # Moscow has no pivot to lose, whatever Washington's relation with Beijing.
    for r_12 in (-0.7, -0.2, 0.3):
        split = symmetric(3, {(0, 2): -0.9, (0, 1): -0.8, (1, 2): r_12})
        assert_allclose(stance.pivot(split, 0)[0, 1], 0.0)


def test_rival_bid_courts_a_non_partner_that_leans_toward_what_i_fear():
    # i = 0 (USSR) fears 2 (China, 0.4) and 1 (USA, 0.1); r_01 = -0.8.
    # 1 (USA) has stance -0.2 toward 2, above its relation with 0: it leans toward 2.
    stances = pair_matrix(3, {(1, 2): -0.2, (1, 0): -0.8, (0, 1): -0.8, (2, 1): 0.5, (2, 0): -0.9})
    relation = symmetric(3, {(0, 1): -0.8, (1, 2): -0.2, (0, 2): -0.9})
    threat = np.array([[0.0, 0.1, 0.4]])
    out = stance.rival_bid(threat, relation[:, 0], stances)
    # toward 1: (1 - 0) * T_02 * max(0, s_12 - r_01) = 0.4 * (-0.2 + 0.8) = 0.24
    # toward 2: T_01 * max(0, s_21 - r_02) = 0.1 * (0.5 + 0.9) = 0.14
    assert_allclose(out[0, 1:], [0.24, 0.14])
    # The bid grows as 1 warms further toward 2, and is nil while 1 stands no closer to 2.
    warmer = stances.copy()
    warmer[0, 1, 2] = 0.4
    assert stance.rival_bid(threat, relation[:, 0], warmer)[0, 1] > out[0, 1]
    cold = stances.copy()
    cold[0, 1, 2] = -0.9
    assert stance.rival_bid(threat, relation[:, 0], cold)[0, 1] == 0.0
    # Once 1 is i's partner (r_01 = 0.6) the worry is abandonment: the bid shrinks to 40%,
    # and 1 must lean toward 2 more than toward i (0.7 > 0.6).
    allied = symmetric(3, {(0, 1): 0.6, (1, 2): 0.5})
    leaning = pair_matrix(3, {(1, 2): 0.7, (1, 0): 0.6, (0, 1): 0.6})
    assert_allclose(stance.rival_bid(threat, allied[:, 0], leaning)[0, 1], 0.4 * 0.4 * 0.1)


def test_abandonment_grows_as_a_partner_softens_toward_what_i_fear():
    # i = 0 fears 2 (0.9) and a little 1 (0.1); partner 1 (r_01 = 0.6) has stance 0.4
    # toward 2; 2 is not a partner of 0 (r_02 = -0.5).
    s = pair_matrix(3, {(1, 2): 0.4, (1, 0): 0.7, (2, 1): -0.2, (0, 1): 0.6, (0, 2): -0.5})
    out = stance.abandonment(np.array([[0.0, 0.1, 0.9]]), np.array([[0.0, 0.6, -0.5]]), s)
    # j = 1: r+_01 * sum_{k != 1} T_0k (1 + s_1k) / 2 = 0.6 * (0 + 0.9 * 1.4 / 2) = 0.378
    # j = 2: not a partner: 0
    assert_allclose(out[0, 1:], [0.378, 0.0])


@pytest.mark.parametrize(
    ("s_partner_to_rival", "expected"),
    [(-1.0, 0.0), (0.0, 0.6 * 0.9 * 0.5), (1.0, 0.6 * 0.9)],  # graded from full hostility
)
def test_abandonment_is_graded_by_the_partners_stance_toward_my_threat(
    s_partner_to_rival, expected
):
    s = pair_matrix(3, {(1, 2): s_partner_to_rival})
    out = stance.abandonment(np.array([[0.0, 0.0, 0.9]]), np.array([[0.0, 0.6, -0.5]]), s)
    assert_allclose(out[0, 1], expected, atol=1e-15)


def test_entrapment_counts_a_partners_crises_with_states_i_does_not_fear():
    # Partner 1 (r_01 = 0.6) is in a crisis with 2 (X_12 = 0.5) and 3 (X_13 = 1.0);
    # i = 0 fears 2 (0.9) but not 3.
    crisis = symmetric(4, {(1, 2): 0.5, (1, 3): 1.0})
    out = stance.entrapment(
        np.array([[0.0, 0.1, 0.9, 0.0]]), np.array([[0.0, 0.6, -0.5, 0.2]]), crisis, 0
    )
    # j = 1: 0.6 * ((1 - 0.9)*0.5 + (1 - 0)*1.0) = 0.6 * 1.05 = 0.63
    # j = 3: partner 3 (r = 0.2) is in a crisis with 1, which i barely fears:
    #        0.2 * (1 - 0.1) * 1.0 = 0.18;  j = 2: no partner, 0
    assert_allclose(out[0, 1:], [0.63, 0.0, 0.18])


def test_entrapment_ignores_crises_between_the_partner_and_i_itself():
    # Partner 1 (r_01 = 0.6) is in a crisis with i = 0 (X_10 = 1) and with 2 (X_12 = 0.5).
    # Only the crisis with 2 could drag i in: 0.6 * (1 - 0.9) * 0.5 = 0.03 (found as a
    # bug: the crisis with i itself used to add 0.6 * 1 * 1.0).
    crisis = symmetric(3, {(0, 1): 1.0, (1, 2): 0.5})
    out = stance.entrapment(np.array([[0.0, 0.1, 0.9]]), np.array([[0.0, 0.6, -0.5]]), crisis, 0)
    assert_allclose(out[0, 1], 0.03)


def test_desired_stance_is_tanh_of_gain_times_motives():
    out = stance.desired(np.array([[2.0, -1.0, 0.0]]), col(0.5))
    # tanh(0.5 * 2) = tanh(1); tanh(-0.5); tanh(0) = 0
    assert_allclose(out[0], [math.tanh(1.0), math.tanh(-0.5), 0.0])


def test_stance_moves_toward_desired_with_inertia_and_shock():
    out = stance.move(
        stance=np.array([[0.2, 0.9]]),
        desired_=np.array([[0.8, 0.95]]),
        speed=np.array([[1.0, 1.0]]),
        inertia_factor=np.array([[2.0, 1.0]]),
        dt=0.5,
        shock=np.array([[0.05, 0.3]]),
    )
    # rate = 1 / 2 = 0.5; 0.8 + (0.2 - 0.8) e^{-0.25} + 0.05 = 0.85 - 0.6 * 0.7788008
    # second: 0.95 + (-0.05) e^{-0.5} + 0.3 = 1.2197 -> clipped to 1
    assert_allclose(out[0], [0.85 - 0.6 * math.exp(-0.25), 1.0])


# --- endogenous events (Vasquez 1993) -----------------------------------------------------


def test_crisis_hazard_rises_with_hostility_and_mutual_threat():
    relation = symmetric(3, {(0, 1): -0.4, (0, 2): 0.5})
    threat_ = pair_matrix(3, {(0, 1): 0.2, (1, 0): 0.6})
    out = events.crisis_hazard(relation, threat_, col(0.02), col(2.5), col(2.0))
    # pair 0-1: 0.02 exp(2.5*0.4 + 2.0*(0.2 + 0.6)/2) = 0.02 e^{1.8}
    # pair 0-2: friendly, no threat: 0.02 e^0 = 0.02
    assert_allclose(out[0, 0, 1], 0.02 * math.exp(1.8))
    assert_allclose(out[0, 1, 0], 0.02 * math.exp(1.8))
    assert_allclose(out[0, 0, 2], 0.02)
    assert_array_equal(np.diagonal(out[0]), 0.0)


def test_restraint_damps_the_crisis_hazard_in_proportion():
    relation = symmetric(3, {(0, 1): -0.4, (0, 2): -0.4})
    threat_ = np.zeros((1, 3, 3))
    restraint = symmetric(3, {(0, 1): 0.75})
    np.fill_diagonal(restraint[0], 0.0)
    free = events.crisis_hazard(relation, threat_, col(0.02), col(2.5), col(2.0))
    held = events.crisis_hazard(relation, threat_, col(0.02), col(2.5), col(2.0), restraint)
    # 0-1 keeps a quarter of its hazard; 0-2 has no restraint and keeps all of it.
    assert_allclose(held[0, 0, 1], 0.25 * free[0, 0, 1])
    assert_allclose(held[0, 1, 0], 0.25 * free[0, 1, 0])
    assert_allclose(held[0, 0, 2], free[0, 0, 2])


def test_restraint_gain_needs_mutual_fear_and_saturates():
    threat_ = pair_matrix(3, {(0, 1): 0.2, (1, 0): 0.6})
    held = symmetric(3, {(0, 1): 0.5})
    gain = np.array([[0.4, 0.8, 0.0]])
    out = events.restraint_gain(held, threat_, gain)
    # 0-1: mean gain 0.6 x mutual threat 0.4 x restraint not yet held 0.5 = 0.12, both ways.
    assert_allclose([out[0, 0, 1], out[0, 1, 0]], [0.12, 0.12])
    # 0-2: no threat either way, nothing learnt.
    assert out[0, 0, 2] == 0.0 and out[0, 2, 0] == 0.0


def _crisis_model(data: dict, values: dict[str, float]):
    """One world of ``data`` with ``values`` as behaviour, its CHN, RUS, USA indices,
    and a mask flagging a crisis between CHN-RUS and USA-CHN."""
    model = WedgeModel(make_inputs(data).scenario, make_calibration(values), worlds=1, sample=False)
    c, r, u = (model.codes.index(x) for x in ("CHN", "RUS", "USA"))
    mask = np.zeros((1, model.n, model.n), dtype=bool)
    for a, b in ((c, r), (u, c)):
        mask[0, a, b] = mask[0, b, a] = True
    return model, (c, r, u), mask


def _quiet_steps(model, steps: int) -> None:
    """Run the slow stocks for ``steps`` steps without crises."""
    model.agents.do("evaluate")  # the slow stocks read each state's abandonment fear
    for _ in range(steps):
        model._slow_stocks(model._draw())


def test_a_frightening_crisis_leaves_restraint_that_saturates_and_fades():
    model, (c, r, u), mask = _crisis_model(
        scenario_data(), {"restraint_gain": 0.5, "restraint_fade": 0.4}
    )
    model.state.threat[0] = 0.0
    model.state.threat[0, c, r] = model.state.threat[0, r, c] = 0.8
    model._crisis(mask)
    held = model.state.restraint[0]
    # CHN-RUS feared each other (0.8): 0.5 x 0.8 = 0.4 each way; USA-CHN did not: nothing.
    assert_allclose([held[c, r], held[r, c]], [0.4, 0.4])
    assert held[u, c] == 0.0 and held[c, u] == 0.0 and held[u, r] == 0.0
    # Repeated clashes saturate: restraint never passes 1.
    for _ in range(200):
        model.state.threat[0, c, r] = model.state.threat[0, r, c] = 0.8
        model._crisis(mask)
    assert model.state.restraint.max() <= 1.0
    # Without further crises it fades at restraint_fade per year.
    model.state.restraint[:] = 0.0
    model.state.threat[0, c, r] = model.state.threat[0, r, c] = 0.8
    model._crisis(mask)
    steps = 8
    _quiet_steps(model, steps)
    assert_allclose(model.state.restraint[0, r, c], 0.4 * np.exp(-0.4 * steps * model.dt))


def test_the_model_damps_a_restrained_pairs_crisis_hazard():
    model, (c, r, u), _ = _crisis_model(scenario_data(), {})
    model.state.restraint[0, c, r] = model.state.restraint[0, r, c] = 0.75
    s, b = model.state, model.behaviour
    free = events.crisis_hazard(
        model.relation, s.threat, b["crisis_rate"], b["crisis_hostility"], b["crisis_threat"]
    )
    model._events(model._draw())  # the hazard is computed before any crisis it draws
    assert_allclose(model.crisis_hazard[0, c, r], 0.25 * free[0, c, r])
    assert_allclose(model.crisis_hazard[0, u, c], free[0, u, c])


def test_cutoff_hazard_needs_a_hostile_patron_and_a_dependent_client():
    s = pair_matrix(2, {(1, 0): -0.5, (0, 1): -0.2})
    d = pair_matrix(2, {(0, 1): 0.6, (1, 0): 0.1})
    out = events.cutoff_hazard(s, d, col(2.0))
    # [0, 1]: patron 1 cuts client 0: 2 * 0.5 * (0.6 - 0.1) = 0.5
    # [1, 0]: 1 depends less on 0 than 0 on 1: max(0, 0.1 - 0.6) = 0 -> 0
    assert_allclose(out[0], [[0.0, 0.5], [0.0, 0.0]])


def test_leader_hazard_is_multiplied_by_instability():
    # 0.1 (1 + 3 * 0.5) = 0.25; stable regime keeps its base hazard 0.2
    out = events.leader_hazard(np.array([[0.1, 0.2]]), np.array([[0.5, 0.0]]), col(3.0))
    assert_allclose(out, [[0.25, 0.2]])


# --- levers (Crawford 2011; Izumikawa 2013) ------------------------------------------------

DRIVER, PARTNER, TARGET = 0, 1, 2
NEED = 0.8  # the target's need, as the model passes it (see test_need_...)


def apply_lever(reward: bool, conditional: bool, sanctions_on_target: float, relation: float):
    """One lever in force in world 0 and not in world 1; returns (motives, sanctions)."""
    motives = np.zeros((2, 3, 3))
    sanctions = pair_matrix(3, {(DRIVER, TARGET): sanctions_on_target}, worlds=2)
    levers.apply(
        levers.LeverRoles(DRIVER, TARGET, PARTNER, reward, conditional),
        on=np.array([True, False]),
        size=np.array([0.6, 0.6]),
        credibility=np.array([0.5, 0.5]),
        need=np.array([NEED, NEED]),
        relation=symmetric(3, {(TARGET, PARTNER): relation}, worlds=2),
        motives=motives,
        sanctions=sanctions,
        w_reward=col(1.0, 2),
        w_condition=col(0.5, 2),
        w_coercion=col(0.5, 2),
        relief=col(0.8, 2),
        commitment=col(2.0, 2),
    )
    return motives, sanctions


@pytest.mark.parametrize(
    ("start", "t", "expected"),
    [
        (2025.0, 2024.99, False),
        (2025.0, 2025.0, True),
        (2025.0, 2029.99, True),
        (2025.0, 2030.0, False),
    ],
)
def test_lever_is_active_from_start_for_duration(start, t, expected):
    assert levers.active(t, np.array([start]), np.array([5.0]))[0] == expected


def test_need_is_relative_smallness_times_distress():
    capability = np.array([[0.15, 0.2, 0.05], [0.15, 0.2, 0.05]])
    distress = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.6]])
    out = levers.need(capability, distress, DRIVER, TARGET)
    # 0.15 / (0.15 + 0.05) = 0.75; in distress 0.6: 0.75 * 1.6 = 1.2
    assert_allclose(out, [0.75, 1.2])


def test_conditional_reward_pulls_target_to_driver_relieves_sanctions_and_pushes_from_partner():
    motives, sanctions = apply_lever(True, True, sanctions_on_target=0.8, relation=0.5)
    # eff = size * credibility * need = 0.6 * 0.5 * 0.8 = 0.24
    assert_allclose(motives[0, TARGET, DRIVER], 1.0 * 0.24)  # w_reward * eff
    assert_allclose(motives[0, DRIVER, TARGET], 2.0 * 0.6)  # commitment * size
    assert_allclose(motives[0, TARGET, PARTNER], -0.5 * 0.24)  # -w_condition * eff
    # sanctions relieved: 0.8 * (1 - 0.8*0.6) = 0.8 * 0.52 = 0.416
    assert_allclose(sanctions[0, DRIVER, TARGET], 0.416)
    # not in force in world 1: nothing moves
    assert_array_equal(motives[1], 0.0)
    assert_allclose(sanctions[1, DRIVER, TARGET], 0.8)


def test_unconditional_reward_does_not_push_target_from_partner():
    motives, _ = apply_lever(True, False, sanctions_on_target=0.0, relation=0.5)
    assert motives[0, TARGET, DRIVER] == pytest.approx(0.24)
    assert motives[0, TARGET, PARTNER] == 0.0


@pytest.mark.parametrize(
    ("before", "relation", "sanctions_after", "partner_motive"),
    [
        (0.2, 0.5, 0.6, -0.5 * 0.24 * 0.5),  # sanctions rise to size; -w_coercion eff r+ = -0.06
        (0.9, 0.5, 0.9, -0.06),  # sanctions already above size stay
        (0.2, -0.4, 0.6, 0.0),  # a hostile partnership costs nothing more
    ],
)
def test_coercion_raises_sanctions_and_taxes_the_partnership(
    before, relation, sanctions_after, partner_motive
):
    motives, sanctions = apply_lever(False, True, before, relation)
    assert_allclose(sanctions[0, DRIVER, TARGET], sanctions_after)
    assert_allclose(motives[0, DRIVER, TARGET], -2.0 * 0.6)  # the driver cools: commitment * size
    assert_allclose(motives[0, TARGET, PARTNER], partner_motive, atol=1e-15)
    assert_allclose(sanctions[1, DRIVER, TARGET], before)  # not in force in world 1
    assert_array_equal(motives[1], 0.0)


# --- economy --------------------------------------------------------------------------------


def test_support_comes_from_a_willing_friendly_stronger_partner():
    s = pair_matrix(3, {(1, 0): 0.5, (2, 0): -0.4})
    out = economy.support(
        s,
        capability=np.array([[0.1, 0.3, 0.5]]),
        patronage=np.array([[0.2, 0.6, 0.9]]),
        distress=np.array([[0.5, 0.0, 0.0]]),
    )
    # 1 helps 0: patronage 0.6 * s+_10 0.5 * 0.3/(0.1 + 0.3) * distress 0.5 = 0.1125
    # 2 is hostile to 0: no help; nobody helps states not in distress
    assert_allclose(out[0, 0], [0.0, 0.1125, 0.0])
    assert_array_equal(out[0, 1:], 0.0)


def test_log_growth_subtracts_distress_and_sanction_drags():
    out = economy.log_growth(
        np.array([[0.02]]), np.array([[0.4]]), np.array([[0.5]]), col(0.05), col(0.02)
    )
    # 0.02 - 0.05*0.4 - 0.02*0.5 = -0.01
    assert_allclose(out, [[-0.01]])


# --- common ---------------------------------------------------------------------------------


def test_relax_is_the_exact_exponential_step():
    out = common.relax(np.array([0.0, 0.4]), np.array([1.0, 0.4]), np.array([1.0, 3.0]), 0.25)
    # 1 + (0 - 1) e^{-0.25} = 1 - 0.7788 = 0.2212; already at target: stays
    assert_allclose(out, [1.0 - math.exp(-0.25), 0.4])
    assert_allclose(common.relax(np.array([0.0]), np.array([1.0]), np.array([np.inf]), 0.25), [1.0])


def test_occurs_turns_a_yearly_hazard_into_a_step_probability():
    # p = 1 - e^{-1 * 0.25} = 0.221199
    p = 1.0 - math.exp(-0.25)
    out = common.occurs(np.array([1.0, 1.0, 0.0]), 0.25, np.array([p - 1e-6, p + 1e-6, 0.0]))
    assert_array_equal(out, [True, False, False])


def test_relation_is_the_less_friendly_of_the_two_stances():
    s = pair_matrix(
        3, {(0, 1): 0.8, (1, 0): 0.3, (0, 2): -0.5, (2, 0): 0.6, (1, 2): 0.1, (2, 1): 0.1}
    )
    r = common.relation(s)
    assert_allclose(r[0, 0, 1], 0.3)  # cooperation needs both sides
    assert_allclose(r[0, 0, 2], -0.5)  # hostility can be one-sided
    assert_allclose(r[0], r[0].T)
    assert_allclose(r[0, 1, 2], 0.1)


# --- outcomes: Dittmer's configurations and Wu's roles -------------------------------------

FLAGS = list(product([False, True], repeat=3))


@pytest.mark.parametrize(("ab", "ac", "bc"), FLAGS)
def test_configuration_counts_aligned_pairs(ab, ac, bc):
    expected = {0: "unit_veto", 1: "stable_marriage", 2: "romantic_triangle", 3: "menage_a_trois"}
    code = configuration(np.array([ab]), np.array([ac]), np.array([bc]))
    assert CONFIGURATIONS[code[0]] == expected[ab + ac + bc]


@pytest.mark.parametrize(
    ("own_1", "own_2", "others", "expected"),
    [
        (False, False, False, "foe"),  # unit veto
        (False, False, True, "outcast"),  # excluded from a stable marriage
        (True, False, False, "partner"),  # married, the third excluded
        (False, True, False, "partner"),
        (True, False, True, "wing"),  # aligned with the pivot only
        (False, True, True, "wing"),
        (True, True, False, "pivot"),  # aligned with two who are not aligned
        (True, True, True, "friend"),  # ménage à trois
    ],
)
def test_role_of_each_aligned_flag_combination(own_1, own_2, others, expected):
    code = role(np.array([own_1]), np.array([own_2]), np.array([others]))
    assert ROLES[code[0]] == expected


@pytest.mark.parametrize(("ab", "ac", "bc"), FLAGS)
def test_roles_of_a_triad_fit_its_configuration(ab, ac, bc):
    a, b, c = (np.array([x]) for x in (ab, ac, bc))
    roles = sorted(
        ROLES[role(x, y, z)[0]] for x, y, z in ((a, b, c), (a, c, b), (b, c, a))
    )  # members A (AB, AC | BC), B (AB, BC | AC), C (AC, BC | AB)
    expected = {
        "unit_veto": ["foe", "foe", "foe"],
        "stable_marriage": ["outcast", "partner", "partner"],
        "romantic_triangle": ["pivot", "wing", "wing"],
        "menage_a_trois": ["friend", "friend", "friend"],
    }
    assert roles == expected[CONFIGURATIONS[configuration(a, b, c)[0]]]


# --- outcomes: rupture and split through the Observer --------------------------------------

START = 2000.0
AL, HO, NE = 0.5, -0.5, 0.0  # aligned, hostile and neutral relations


def tiny_model(persistence: float = 3.0, window: float = 10.0, years: int = 20) -> WedgeModel:
    """One world of a 3-actor model with yearly steps, neutral everywhere."""
    data = scenario_data(
        time={"start": START, "horizon": START + years, "step": 1.0},
        outcomes={"persistence": persistence, "window": window},
        pairs={},
    )
    return WedgeModel(make_inputs(data).scenario, make_calibration(), worlds=1, sample=False)


def set_relations(model: WedgeModel, r_ab: float, r_ta: float, r_tb: float, s_ab=None, s_ba=None):
    """Overwrite the watched triad's relations (and the pair's stances) of world 0."""
    a, b, t = (model.codes.index(x) for x in ("CHN", "RUS", "USA"))
    rel = symmetric(model.n, {(a, b): r_ab, (t, a): r_ta, (t, b): r_tb})
    model.relation = rel
    model.state.stance = rel.copy()
    model.state.stance[0, a, b] = r_ab if s_ab is None else s_ab
    model.state.stance[0, b, a] = r_ab if s_ba is None else s_ba


def observe(
    r_ab: list[float],
    r_ta: list[float] | None = None,
    r_tb: list[float] | None = None,
    stances: dict[int, tuple[float, float]] | None = None,
    persistence: float = 3.0,
    window: float = 10.0,
    through_record: bool = False,
) -> Observer:
    """Feed yearly relations of the watched triad (CHN-RUS, USA third) to an Observer.

    ``r_ab[k]`` is CHN-RUS at year START + k; ``r_ta``, ``r_tb`` the US relations
    with CHN and RUS (default hostile); ``stances`` maps a year index to the
    pair's stances ``(s_CHN>RUS, s_RUS>CHN)``. By default the sequence drives
    ``Observer._track_split`` (the event logic alone) after a neutral start;
    ``through_record`` feeds it through ``Observer.start`` and ``record`` as a run does.
    """
    n = len(r_ab)
    r_ta = r_ta or [HO] * n
    r_tb = r_tb or [HO] * n
    stances = stances or {}
    model = tiny_model(persistence, window, years=n - 1)
    observer = Observer(model.situation.outcomes)
    if not through_record:
        set_relations(model, NE, NE, NE)
        observer.start(model)  # a neutral record: starts no spell and no alignment
    for k in range(n):
        set_relations(model, r_ab[k], r_ta[k], r_tb[k], *stances.get(k, (None, None)))
        if not through_record:
            observer._track_split(model, START + k)
        elif k == 0:
            observer.start(model)
        else:
            observer.record(model)
    return observer


def test_a_hostile_spell_after_alignment_that_persists_is_a_rupture_dated_to_its_start():
    # aligned 2000-2002, hostile from 2003 to 2007 (4 years >= 3), neutral after
    obs = observe([AL, AL, AL, HO, HO, HO, HO, HO, NE, NE])
    assert obs.rupture_year[0] == START + 3


def test_a_spell_lasting_exactly_persistence_is_a_rupture():
    # hostile at 2003, 2004, 2005 and 2006: 2006 - 2003 = 3 years
    obs = observe([AL, AL, AL, HO, HO, HO, HO, NE, NE])
    assert obs.rupture_year[0] == START + 3


@pytest.mark.parametrize(
    "r_ab",
    [
        pytest.param([AL, AL, HO, HO, NE, NE, NE, NE, NE], id="short-spell-after-alignment"),
        pytest.param([HO] * 9, id="hostile-from-the-start-never-aligned"),
        pytest.param([NE, NE, HO, HO, HO, HO, HO, HO], id="neutral-then-hostile"),
        pytest.param([AL, AL, AL, NE, NE, HO, HO], id="spell-censored-at-the-horizon"),
    ],
)
def test_no_rupture_without_a_persistent_hostile_spell_after_alignment(r_ab):
    obs = observe(r_ab, r_ta=[AL] * len(r_ab))  # the third power would qualify for a split
    assert np.isnan(obs.rupture_year[0])
    assert np.isnan(obs.split_year[0])
    assert obs.first_mover[0] == -1


def test_alignment_before_an_earlier_short_spell_still_counts():
    # aligned, a short spell (2002-2003), neutral, then a long spell from 2005
    obs = observe([AL, AL, HO, HO, NE, HO, HO, HO, HO, HO])
    assert obs.rupture_year[0] == START + 5


def test_first_mover_is_the_member_with_the_lower_stance_when_the_spell_begins():
    # at 2002 Russia's stance toward China (-0.7) is below China's toward Russia (-0.3)
    obs = observe([AL, AL, HO, HO, HO, HO, HO], stances={2: (-0.3, -0.7)})
    assert obs.codes[obs.first_mover[0]] == "RUS"
    obs = observe([AL, AL, HO, HO, HO, HO, HO], stances={2: (-0.7, -0.3)})
    assert obs.codes[obs.first_mover[0]] == "CHN"


def test_split_when_the_third_power_beats_the_pairs_relation_within_the_window():
    # rupture from 2003; the US warms to RUS in 2008 (0.3 > -0.5 and not hostile)
    obs = observe([AL, AL, AL] + [HO] * 12, r_tb=[HO] * 8 + [0.3] * 7)
    assert obs.rupture_year[0] == START + 3
    assert obs.split_year[0] == START + 8


def test_split_counts_a_third_power_that_warmed_during_the_spell():
    # the US is neutral to CHN (-0.1 > -0.6) from 2004, before the rupture is confirmed in 2006
    obs = observe([AL, AL, AL] + [-0.6] * 6, r_ta=[HO] * 4 + [-0.1] * 5)
    assert (obs.rupture_year[0], obs.split_year[0]) == (START + 3, START + 4)


@pytest.mark.parametrize(
    "r_ta",
    [
        pytest.param([HO] * 4 + [-0.3] * 14, id="better-than-the-pair-but-hostile"),
        pytest.param([HO] * 4 + [-0.7] * 14, id="worse-than-the-pair"),
        pytest.param([HO] * 14 + [0.5] * 4, id="warms-after-the-window"),  # 2014 > 2003 + 10
    ],
)
def test_no_split_unless_the_third_power_is_better_and_not_hostile_within_the_window(r_ta):
    obs = observe([AL, AL, AL] + [-0.6] * 15, r_ta=r_ta)
    assert obs.rupture_year[0] == START + 3
    assert np.isnan(obs.split_year[0])


def test_split_on_the_last_year_of_the_window_counts():
    # 2013 = rupture 2003 + window 10
    obs = observe([AL, AL, AL] + [-0.6] * 15, r_ta=[HO] * 13 + [0.5] * 5)
    assert obs.split_year[0] == START + 13


def test_split_found_during_a_long_spell_respects_the_window():
    # persistence 3, window 1: rupture from 2003; the US warms to CHN in 2005, during the
    # spell (confirmed in 2006) but two years after the rupture, past 2003 + 1 (found as
    # a bug: the in-spell year used to count whatever the window).
    obs = observe([AL, AL, AL] + [-0.6] * 6, r_ta=[HO] * 5 + [0.5] * 4, window=1.0)
    assert obs.rupture_year[0] == START + 3
    assert np.isnan(obs.split_year[0])


def test_record_dates_a_rupture_and_split_by_the_step_it_records():
    # the sequence of test_split_when_..., fed as a run feeds it
    obs = observe([AL, AL, AL] + [HO] * 12, r_tb=[HO] * 8 + [0.3] * 7, through_record=True)
    assert (obs.rupture_year[0], obs.split_year[0]) == (START + 3, START + 8)


def test_record_stores_each_steps_configuration_in_its_own_row():
    # CHN-RUS aligned at 0-1 (stable marriage), nothing aligned at 2-3 (unit veto),
    # then the US aligned with both and they with each other (ménage à trois) at 4.
    r_ab = [AL, AL, HO, HO, AL]
    us = [HO, HO, HO, HO, AL]
    obs = observe(r_ab, r_ta=us, r_tb=us, through_record=True)
    expected = [1, 1, 0, 0, 3]  # number of aligned pairs = configuration code
    assert_array_equal(obs.path[0], expected)
    assert_array_equal(obs.configs[:, 0].argmax(axis=1), expected)
    assert_array_equal(obs.configs[:, 0].sum(axis=1), 1)
    # Wu's roles per step, members in index order USA, CHN, RUS
    roles = [[ROLES[r] for r in obs.roles[k].argmax(axis=1)] for k in (0, 2, 4)]
    assert roles[0] == ["outcast", "partner", "partner"]  # stable marriage CHN-RUS
    assert roles[1] == ["foe", "foe", "foe"]  # unit veto
    assert roles[2] == ["friend", "friend", "friend"]  # ménage à trois
    assert_array_equal(obs.roles.sum(axis=2), 1)


def test_trust_fades_toward_neutral_without_cooperation_or_betrayal():
    out = trust.change(
        trust=pair_matrix(2, {(0, 1): 0.1, (1, 0): 0.9}),
        relation=np.zeros((1, 2, 2)),
        abandonment=np.zeros((1, 2, 2)),
        dependence=np.zeros((1, 2, 2)),
        rivalry=np.zeros((1, 2, 2)),
        build=col(0.3),
        erosion=col(0.2),
        betrayal=col(0.5),
        humiliation=col(1.0),
        fade=col(0.05),
        neutral=col(0.5),
    )
    # 0 -> 1: 0.05 * (0.5 - 0.1) = +0.02; 1 -> 0: 0.05 * (0.5 - 0.9) = -0.02
    assert_allclose([out[0, 0, 1], out[0, 1, 0]], [0.02, -0.02])


def test_priority_sets_lesser_quarrels_aside_under_a_graver_third_threat():
    # i = 0 fears 1 at 0.2 and 2 at 0.6 (zero toward itself); 1 and 2 are neutral to each other.
    worth = stance.counterweight(np.zeros((1, 3, 3)))
    out = stance.priority(np.array([[0.0, 0.2, 0.6]]), worth, col(0.5))
    # toward 1: the worst other threat is 2's 0.6 -> 1 - 0.5*0.6 = 0.7
    # toward 2: the worst other threat is 1's 0.2 -> 1 - 0.5*0.2 = 0.9
    assert_allclose(out[0, 1:], [0.7, 0.9])


def test_priority_keeps_the_quarrel_with_an_ally_of_the_threat():
    # 0 fears 2 at 0.8; 1 is aligned with 2 at +0.7, so 1 is part of the threat, not a help.
    relation = pair_matrix(3, {(1, 2): 0.7, (2, 1): 0.7})
    out = stance.priority(np.array([[0.0, 0.1, 0.8]]), stance.counterweight(relation), col(0.5))
    # toward 1: 2's threat counts for nothing (1 - 2*0.7 < 0) -> 1; toward 2 likewise, since 2
    # stands with 1 and is no counterweight to it -> 1
    assert_allclose(out[0, 1:], [1.0, 1.0])
    # A half-hearted partner of the threat (+0.25) is half a counterweight: 1 - 0.5 * 0.8 * 0.5
    relation = pair_matrix(3, {(1, 2): 0.25, (2, 1): 0.25})
    out = stance.priority(np.array([[0.0, 0.1, 0.8]]), stance.counterweight(relation), col(0.5))
    assert_allclose(out[0, 1], 0.8)


@given(
    threat=arrays(np.float64, (4, 3), elements=st.floats(0, 1)),
    rel=arrays(np.float64, (4, 3, 3), elements=st.floats(-1, 1)),
    weight=st.floats(0, 1),
)
def test_priority_stays_in_its_range_and_falls_as_the_third_threat_grows(threat, rel, weight):
    threat[:, 0] = 0.0
    relation = np.minimum(rel, np.swapaxes(rel, 1, 2)) * (1.0 - np.eye(3))
    worth = stance.counterweight(relation)
    w = np.full((4, 1), weight)
    out = stance.priority(threat, worth, w)
    assert np.all(out <= 1.0 + 1e-12) and np.all(out >= 1.0 - weight - 1e-12)
    graver = threat.copy()
    graver[:, 2] = np.minimum(1.0, graver[:, 2] + 0.3)
    assert np.all(stance.priority(graver, worth, w)[:, 1] <= out[:, 1] + 1e-12)


def test_deescalation_is_crisis_memory_times_fear():
    out = stance.deescalation(np.array([[0.0, 0.5, 0.2]]), np.array([[0.0, 0.8, 0.0]]))
    assert_allclose(out[0], [0.0, 0.4, 0.0])


def test_sanctions_bite_in_proportion_to_the_sanctioners_hostility():
    from sim.model.mechanisms import economy

    sanctions = pair_matrix(3, {(0, 1): 0.8, (0, 2): 0.8, (1, 0): 0.5})
    stance_ = pair_matrix(3, {(0, 1): -0.9, (0, 2): -0.25, (1, 0): 0.3})
    out = economy.sanction_bite(sanctions, stance_, col(0.5))
    # 0 on 1: hostile beyond -0.5 -> full 0.8; 0 on 2: 0.8 * 0.25/0.5 = 0.4;
    # 1 on 0: a friendly sanctioner enforces nothing -> 0
    assert_allclose([out[0, 0, 1], out[0, 0, 2], out[0, 1, 0]], [0.8, 0.4, 0.0])


def test_a_crisis_leaves_an_alarm_scaled_by_proximity_that_fades():
    # CHN-RUS share a border (proximity 1), USA-CHN are far apart (0.25); alarm 0.2.
    data = scenario_data()
    data["pairs"]["CHN-RUS"]["proximity"] = 1.0
    data["pairs"]["CHN-RUS"]["fear"] = {"RUS": 0.5}
    data["pairs"]["USA-CHN"]["proximity"] = 0.25
    model, (c, r, u), mask = _crisis_model(data, {"crisis_alarm": 0.2, "alarm_fade": 0.5})
    model._crisis(mask)
    alarm = model.state.alarm[0]
    # Each side gains 0.2 x proximity of the alarm it did not yet hold; the scenario's
    # situational fear is a separate stock and is left alone.
    assert_allclose([alarm[r, c], alarm[c, r]], [0.2, 0.2])
    assert_allclose([alarm[u, c], alarm[c, u]], [0.05, 0.05])
    assert alarm[u, r] == 0.0 and alarm[r, u] == 0.0
    assert_allclose(model.state.fear[0, r, c], 0.5)
    # Repeated clashes saturate below 1.
    for _ in range(200):
        model._crisis(mask)
    assert model.state.alarm.max() <= 1.0
    # Without further crises it fades at alarm_fade per year: 0.2 exp(-0.5 t) after t years.
    model.state.alarm[:] = 0.0
    model._crisis(mask)
    steps = 8
    _quiet_steps(model, steps)
    assert_allclose(model.state.alarm[0, r, c], 0.2 * np.exp(-0.5 * steps * model.dt))
