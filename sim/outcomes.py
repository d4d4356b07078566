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
        a, b = (model.codes.index(x) for x in sc.watch.partnership)
        t = model.codes.index(sc.watch.third)
        self.watch = (a, b, t)
        self.watch_triad = tuple(sorted((a, b, t)))
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
        rel = np.stack([r[:, i, j] for i, j in self.pairs], axis=1)  # (worlds, pairs)
        bins = np.clip(((rel + 1.0) * (BINS / 2.0)).astype(np.int64), 0, BINS - 1)
        offsets = np.arange(len(self.pairs)) * BINS
        self.hist[k] = np.bincount(
            (bins + offsets).ravel(), minlength=len(self.pairs) * BINS
        ).reshape(len(self.pairs), BINS)
        self.sums[k] = rel.sum(axis=0)
        al = rel >= th.aligned
        ho = rel <= th.hostile
        self.aligned[k] = al.sum(axis=0)
        self.hostile[k] = ho.sum(axis=0)
        self.hazard[k] = np.stack(
            [model.crisis_hazard[:, i, j] for i, j in self.pairs], axis=1
        ).sum(axis=0)
        for m, (x, y, z) in enumerate(self.triads):
            code = configuration(
                al[:, self.pair_index[(x, y)]],
                al[:, self.pair_index[(x, z)]],
                al[:, self.pair_index[(y, z)]],
            )
            self.configs[k, m] = np.bincount(code, minlength=4)
            if (x, y, z) == self.watch_triad:
                self.path[:, k] = code
        member_roles = self._roles(model.relation >= th.aligned).values()
        for member, codes in enumerate(member_roles):
            self.roles[k, member] = np.bincount(codes, minlength=len(ROLES))
        year = model.start + k * model.dt
        a, b, _ = self.watch
        r_ab, h_ab = r[:, a, b], model.crisis_hazard[:, a, b]
        lower = r_ab < self.worst_relation
        self.worst_relation = np.where(lower, r_ab, self.worst_relation)
        self.worst_year = np.where(lower, year, self.worst_year)
        higher = h_ab > self.peak_hazard
        self.peak_hazard = np.where(higher, h_ab, self.peak_hazard)
        self.peak_hazard_year = np.where(higher, year, self.peak_hazard_year)
        for snap, at in self._snapshot_steps.items():
            if at == k:
                self.snapshot[snap] = rel.copy()
        self._track_split(model, year)
        self._step += 1

    def _track_split(self, model: WedgeModel, year: float) -> None:
        a, b, t = self.watch
        r = model.relation
        th = self.thresholds
        r_ab = r[:, a, b]
        hostile = r_ab <= th.hostile
        third_best = np.maximum(r[:, t, a], r[:, t, b])
        third_ok = (third_best > r_ab) & (third_best > th.hostile)
        undecided = np.isnan(self.rupture_year)
        # A hostile spell starts: remember whether it follows an alignment and who moved.
        begins = hostile & np.isnan(self._spell_start) & undecided
        self._spell_start = np.where(begins, year, self._spell_start)
        self._spell_after_alignment = np.where(
            begins, self._was_aligned, self._spell_after_alignment
        )
        mover = np.where(model.state.stance[:, a, b] <= model.state.stance[:, b, a], a, b).astype(
            np.int8
        )
        self._spell_mover = np.where(begins, mover, self._spell_mover)
        in_spell = ~np.isnan(self._spell_start) & undecided
        self._third_ok_in_spell = np.where(
            in_spell & third_ok & np.isnan(self._third_ok_in_spell), year, self._third_ok_in_spell
        )
        # The spell ends before it persisted long enough: forget it.
        ends = ~hostile & in_spell
        self._spell_start = np.where(ends, np.nan, self._spell_start)
        self._third_ok_in_spell = np.where(ends, np.nan, self._third_ok_in_spell)
        # A spell that persisted after an alignment is a rupture, dated to its start.
        confirmed = (
            in_spell & ~ends & self._spell_after_alignment
            & (year - self._spell_start >= th.persistence - 1e-9)
        )  # fmt: skip
        self.rupture_year = np.where(confirmed, self._spell_start, self.rupture_year)
        self.first_mover = np.where(confirmed, self._spell_mover, self.first_mover)
        in_window = self._third_ok_in_spell <= self._spell_start + th.window + 1e-9
        self.split_year = np.where(confirmed & in_window, self._third_ok_in_spell, self.split_year)
        # After the rupture, the split may still come within the window.
        ruptured = ~np.isnan(self.rupture_year) & np.isnan(self.split_year)
        late = ruptured & third_ok & (year <= self.rupture_year + th.window + 1e-9)
        self.split_year = np.where(late, year, self.split_year)
        self._was_aligned |= r_ab >= th.aligned

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
