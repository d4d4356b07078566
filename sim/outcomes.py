"""Outcome definitions (BRIEF section 4) and the per-step observer.

- *aligned*: ``r >= aligned`` (default +0.25); *hostile*: ``r <= hostile``
  (default -0.25); neutral between.
- Dittmer's (1981) configuration of a triad from its number of aligned pairs:
  3 ménage à trois, 2 romantic triangle, 1 stable marriage, 0 unit veto; and
  each member's role (pivot and wings; partners and outcast; friends; foes).
- *rupture* of the watched partnership (a, b): a hostile spell that follows a
  time when the pair was aligned and lasts at least ``persistence`` years;
  its year is the first year of that spell. A spell still short of
  ``persistence`` at the horizon is not counted (right-censored).
- *1970s-style split*: a rupture after which, within ``window`` years, the
  third power's relation with a or b is better than r_ab and not hostile;
  its year is the first such year. Only the first rupture counts.

The :class:`Observer` records what a run needs without keeping every
world's trajectory: per-world event times and the path of configurations,
and per-step histograms of each pair's relation, which merge exactly
across chunks of worlds and give quantiles to ``1 / BINS`` of the range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms.common import compiled
from sim.scenario.schema import Outcomes, Scenario

if TYPE_CHECKING:
    from sim.model.model import WedgeModel

CONFIGURATIONS = ("unit_veto", "stable_marriage", "romantic_triangle", "menage_a_trois")
"""Dittmer's configurations indexed by the number of aligned pairs (0 to 3)."""

ROLES = ("foe", "outcast", "partner", "wing", "pivot", "friend")
"""Roles of a triad member (Dittmer 1981; Wu 1996), codes 0-5."""

BINS = 400
"""Histogram bins over [-1, 1] for relation quantiles: a resolution of 0.005."""


def configuration(
    aligned_ab: np.ndarray, aligned_ac: np.ndarray, aligned_bc: np.ndarray
) -> np.ndarray:
    """Configuration code (index into :data:`CONFIGURATIONS`) from three aligned flags."""
    return aligned_ab.astype(np.int8) + aligned_ac.astype(np.int8) + aligned_bc.astype(np.int8)


def role(own_1: np.ndarray, own_2: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Role code (index into :data:`ROLES`) of a member aligned or not with each of the other two.

    ``own_1``, ``own_2``: the member's aligned flags with the other two;
    ``others``: whether those two are aligned with each other.
    """
    mine = own_1.astype(np.int8) + own_2.astype(np.int8)
    out = np.zeros(mine.shape, dtype=np.int8)  # foe: no aligned pair at all
    out = np.where((mine == 0) & others, 1, out)  # outcast of a stable marriage
    out = np.where((mine == 1) & ~others, 2, out)  # partner in a stable marriage
    out = np.where((mine == 1) & others, 3, out)  # wing of a romantic triangle
    out = np.where((mine == 2) & ~others, 4, out)  # pivot of a romantic triangle
    return np.where((mine == 2) & others, 5, out)  # friend in a ménage à trois


@compiled
def _role_code(own_1: bool, own_2: bool, others: bool) -> int:
    """:func:`role` of one member in one world."""
    mine = int(own_1) + int(own_2)
    if mine == 0:
        return 1 if others else 0
    if mine == 1:
        return 3 if others else 2
    return 5 if others else 4


@compiled
def _count(
    relation: np.ndarray,
    hazard: np.ndarray,
    k: int,
    year: float,
    pairs: np.ndarray,
    triads: np.ndarray,
    watch: np.ndarray,
    watch_triad: int,
    members: np.ndarray,
    aligned_at: float,
    hostile_at: float,
    hist: np.ndarray,
    aligned: np.ndarray,
    hostile: np.ndarray,
    configs: np.ndarray,
    roles: np.ndarray,
    path: np.ndarray,
    worst: np.ndarray,
    worst_year: np.ndarray,
    peak: np.ndarray,
    peak_year: np.ndarray,
) -> None:
    """Step ``k``'s counts of every world: bins, aligned and hostile pairs, configurations, roles.

    ``pairs`` ``(P, 2)`` and ``triads`` ``(T, 3)`` hold actor indices,
    ``watch`` the watched (a, b, third), ``members`` the watched triad sorted.
    Also the watched pair's lowest relation and highest crisis hazard so far.
    """
    bins = hist.shape[2]
    a, b = watch[0], watch[1]
    for w in range(relation.shape[0]):
        r = relation[w]
        for p in range(pairs.shape[0]):
            x = r[pairs[p, 0], pairs[p, 1]]
            slot = min(max(int((x + 1.0) * (bins / 2.0)), 0), bins - 1)
            hist[k, p, slot] += 1
            aligned[k, p] += x >= aligned_at
            hostile[k, p] += x <= hostile_at
        for m in range(triads.shape[0]):
            x, y, z = triads[m, 0], triads[m, 1], triads[m, 2]
            code = int(r[x, y] >= aligned_at) + int(r[x, z] >= aligned_at)
            code += int(r[y, z] >= aligned_at)
            configs[k, m, code] += 1
            if m == watch_triad:
                path[w, k] = code
        i, j, q = members[0], members[1], members[2]
        al_ij, al_iq, al_jq = r[i, j] >= aligned_at, r[i, q] >= aligned_at, r[j, q] >= aligned_at
        roles[k, 0, _role_code(al_ij, al_iq, al_jq)] += 1
        roles[k, 1, _role_code(al_ij, al_jq, al_iq)] += 1
        roles[k, 2, _role_code(al_iq, al_jq, al_ij)] += 1
        if r[a, b] < worst[w]:
            worst[w], worst_year[w] = r[a, b], year
        if hazard[w, a, b] > peak[w]:
            peak[w], peak_year[w] = hazard[w, a, b], year


@compiled
def _split(
    relation: np.ndarray,
    stance: np.ndarray,
    year: float,
    watch: np.ndarray,
    aligned_at: float,
    hostile_at: float,
    persistence: float,
    window: float,
    rupture_year: np.ndarray,
    split_year: np.ndarray,
    first_mover: np.ndarray,
    was_aligned: np.ndarray,
    spell_start: np.ndarray,
    spell_after_alignment: np.ndarray,
    spell_mover: np.ndarray,
    third_ok_in_spell: np.ndarray,
) -> None:
    """Rupture and split of the watched pair in every world, updated with this step."""
    a, b, t = watch[0], watch[1], watch[2]
    for w in range(relation.shape[0]):
        r_ab = relation[w, a, b]
        hostile = r_ab <= hostile_at
        third_best = max(relation[w, t, a], relation[w, t, b])
        third_ok = third_best > r_ab and third_best > hostile_at
        undecided = np.isnan(rupture_year[w])
        # A hostile spell starts: remember whether it follows an alignment and who moved.
        if hostile and np.isnan(spell_start[w]) and undecided:
            spell_start[w] = year
            spell_after_alignment[w] = was_aligned[w]
            spell_mover[w] = a if stance[w, a, b] <= stance[w, b, a] else b
        in_spell = not np.isnan(spell_start[w]) and undecided
        if in_spell and third_ok and np.isnan(third_ok_in_spell[w]):
            third_ok_in_spell[w] = year
        # The spell ends before it persisted long enough: forget it.
        ends = not hostile and in_spell
        if ends:
            spell_start[w] = np.nan
            third_ok_in_spell[w] = np.nan
        # A spell that persisted after an alignment is a rupture, dated to its start.
        confirmed = (
            in_spell and not ends and spell_after_alignment[w]
            and year - spell_start[w] >= persistence - 1e-9
        )  # fmt: skip
        if confirmed:
            rupture_year[w] = spell_start[w]
            first_mover[w] = spell_mover[w]
            if third_ok_in_spell[w] <= spell_start[w] + window + 1e-9:
                split_year[w] = third_ok_in_spell[w]
        # After the rupture, the split may still come within the window.
        ruptured = not np.isnan(rupture_year[w]) and np.isnan(split_year[w])
        if ruptured and third_ok and year <= rupture_year[w] + window + 1e-9:
            split_year[w] = year
        if r_ab >= aligned_at:
            was_aligned[w] = True


def pair_name(codes: list[str], i: int, j: int) -> str:
    """``"CHN-RUS"`` for actors i < j, in scenario order."""
    return f"{codes[i]}-{codes[j]}"


def partnership_column(scenario: Scenario) -> str:
    """Runs-table column of the watched partnership's relation at the horizon (``r_A-B``)."""
    codes = list(scenario.actors)
    i, j = sorted(codes.index(c) for c in scenario.watch.partnership)
    return f"r_{pair_name(codes, i, j)}"


@dataclass
class Observer:
    """Records outcomes of a :class:`~sim.model.model.WedgeModel` as it runs.

    ``snapshots``: optional years at which every world's relations are kept
    (for validation against dated history); the nearest recorded step is used.

    Attributes after the run
    ------------------------
    hist
        ``(steps + 1, pairs, BINS)`` counts of relations per bin.
    sums
        ``(steps + 1, pairs)`` sums of relations (for exact means).
    aligned, hostile
        ``(steps + 1, pairs)`` counts of aligned and hostile worlds.
    hazard
        ``(steps + 1, pairs)`` sums of crisis hazards (crises per year).
    configs
        ``(steps + 1, triads, 4)`` counts of worlds per configuration.
    path
        ``(worlds, steps + 1)`` configuration code of the watched triad.
    rupture_year, split_year
        ``(worlds,)`` decimal years, ``nan`` when none by the horizon.
    first_mover
        ``(worlds,)`` index of the member whose stance was lower when the
        rupturing spell began (-1 when no rupture).
    worst_relation, worst_year
        ``(worlds,)`` the watched pair's lowest relation and when (first time).
    peak_hazard, peak_hazard_year
        ``(worlds,)`` the watched pair's highest crisis hazard (crises/year) and when.
    snapshot
        ``{year: (worlds, pairs)}`` relations at each requested snapshot year.
    """

    thresholds: Outcomes
    snapshots: tuple[float, ...] = ()
    years: np.ndarray = field(init=False)

    def start(self, model: WedgeModel) -> None:
        """Allocate for ``model`` and record its initial state."""
        sc = model.situation
        self.codes = model.codes
        self.pairs = list(combinations(range(model.n), 2))
        self.triads = list(combinations(range(model.n), 3))
        self.pair_index = {p: k for k, p in enumerate(self.pairs)}
        self._pair_array = np.array(self.pairs, dtype=np.int64).reshape(-1, 2)
        self._pair_rows = tuple(self._pair_array.T)
        self._triad_array = np.array(self.triads, dtype=np.int64).reshape(-1, 3)
        a, b = (model.codes.index(x) for x in sc.watch.partnership)
        t = model.codes.index(sc.watch.third)
        self.watch = (a, b, t)
        self.watch_triad = tuple(sorted((a, b, t)))
        self._watch_array = np.array(self.watch, dtype=np.int64)
        steps, w, p = model.total_steps + 1, model.worlds, len(self.pairs)
        self.years = model.start + model.dt * np.arange(steps)
        self.hist = np.zeros((steps, p, BINS), dtype=np.int64)
        self.sums = np.zeros((steps, p))
        self.aligned = np.zeros((steps, p), dtype=np.int64)
        self.hostile = np.zeros((steps, p), dtype=np.int64)
        self.hazard = np.zeros((steps, p))
        self.configs = np.zeros((steps, len(self.triads), 4), dtype=np.int64)
        self.roles = np.zeros((steps, 3, len(ROLES)), dtype=np.int64)
        self.path = np.zeros((w, steps), dtype=np.int8)
        self.rupture_year = np.full(w, np.nan)
        self.split_year = np.full(w, np.nan)
        self.first_mover = np.full(w, -1, dtype=np.int8)
        self._was_aligned = np.zeros(w, dtype=bool)
        self._spell_start = np.full(w, np.nan)
        self._spell_after_alignment = np.zeros(w, dtype=bool)
        self._spell_mover = np.full(w, -1, dtype=np.int8)
        self._third_ok_in_spell = np.full(w, np.nan)
        self.worst_relation = np.full(w, np.inf)
        self.worst_year = np.full(w, np.nan)
        self.peak_hazard = np.full(w, -np.inf)
        self.peak_hazard_year = np.full(w, np.nan)
        self._snapshot_steps = {
            float(y): int(np.argmin(np.abs(self.years - y))) for y in self.snapshots
        }
        self.snapshot: dict[float, np.ndarray] = {}
        self._step = 0
        self.record(model)

    def record(self, model: WedgeModel) -> None:
        """Record the state at the end of the current step."""
        k = self._step
        r = model.relation
        th = self.thresholds
        year = model.start + k * model.dt
        rows, cols = self._pair_rows
        self.sums[k] = r[:, rows, cols].sum(axis=0)
        self.hazard[k] = model.crisis_hazard[:, rows, cols].sum(axis=0)
        _count(
            r, model.crisis_hazard, k, year, self._pair_array, self._triad_array,
            self._watch_array, self.triads.index(self.watch_triad),
            np.array(self.watch_triad, dtype=np.int64), th.aligned, th.hostile,
            self.hist, self.aligned, self.hostile, self.configs, self.roles, self.path,
            self.worst_relation, self.worst_year, self.peak_hazard, self.peak_hazard_year,
        )  # fmt: skip
        for snap, at in self._snapshot_steps.items():
            if at == k:
                self.snapshot[snap] = r[:, rows, cols].copy()
        self._track_split(model, year)
        self._step += 1

    def _track_split(self, model: WedgeModel, year: float) -> None:
        th = self.thresholds
        _split(
            model.relation, model.state.stance, year, self._watch_array, th.aligned, th.hostile,
            th.persistence, th.window, self.rupture_year, self.split_year, self.first_mover,
            self._was_aligned, self._spell_start, self._spell_after_alignment, self._spell_mover,
            self._third_ok_in_spell,
        )  # fmt: skip

    def roles_at_end(self, model: WedgeModel) -> dict[str, np.ndarray]:
        """Role codes of each member of the watched triad at the horizon."""
        al = model.relation >= self.thresholds.aligned
        return {model.codes[m]: codes for m, codes in self._roles(al).items()}

    def _roles(self, al: np.ndarray) -> dict[int, np.ndarray]:
        """Role codes of each member of the watched triad, from aligned flags ``(worlds, n, n)``."""
        i, j, k = self.watch_triad
        return {
            i: role(al[:, i, j], al[:, i, k], al[:, j, k]),
            j: role(al[:, j, i], al[:, j, k], al[:, i, k]),
            k: role(al[:, k, i], al[:, k, j], al[:, i, j]),
        }
