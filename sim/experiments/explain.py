"""Why a world's relation fell (or rose): the motives behind the stance changes that mattered.

``wedge explain`` replays chosen worlds of a run (the same seed and world
index give the same random numbers, :mod:`sim.model.streams`), with the model
keeping each state's weighted motives at every step
(:data:`sim.model.motives.MOTIVES`; off in ordinary runs, and the numbers are
the same either way). For one world and one pair it finds the moment that
mattered: the rupture when the pair ruptured (the first step of the hostile
spell), otherwise the largest fall of the relation within ``lookback``
years (or, asked, its largest rise). It compares each direction's motives
there with those at the relation's turning point just before. The changes
add up exactly to the change of the summed motive, which sets the desired
stance (``tanh(stance_gain * sum)``, ODD 3.2); what the motives leave
unexplained is the stance's own lag, its noise and the crises, which the
explanation counts.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from sim.engine.ensemble import Inputs, run_chunk
from sim.experiments.base import SILENT, Progress, Result, Table, input_files, json_ready
from sim.model.mechanisms.stance import desired
from sim.model.model import WedgeModel
from sim.model.motives import MOTIVES
from sim.outcomes import Observer
from sim.scenario.errors import InputError

LOOKBACK = 5.0
"""Years before the moment in which the relation's high point is sought (and a fall measured)."""

SEARCH_WORLDS = 500
"""Worlds simulated to find one that ruptures when no world is named."""

MOTIVE_LABELS: dict[str, str] = {
    "threat": "threat",
    "balancing": "balancing",
    "common_enemy": "common enemy",
    "pivot": "pivot",
    "rival_bid": "rival's bid",
    "dependence": "dependence",
    "sanctions": "sanctions",
    "ideology": "ideology",
    "trust": "trust",
    "institutions": "institutions",
    "disputes": "disputes",
    "reciprocity": "reciprocity",
    "support": "support",
    "abandonment": "abandonment",
    "counterbid": "counter-bid",
    "entrapment": "entrapment",
    "deescalation": "de-escalation",
    "levers": "levers",
}
"""Readable name of each motive of :data:`MOTIVES`."""


@dataclass
class MotiveRecorder(Observer):
    """An :class:`~sim.outcomes.Observer` that also keeps every step of a few worlds.

    Attributes after the run, ``w`` worlds, ``s`` steps (the initial state included),
    ``n`` actors, ``K = len(MOTIVES)``: ``stances`` and ``relations``
    ``(w, s, n, n)``; ``motives`` ``(w, s, K, n, n)`` (NaN at the initial
    state, which no choice made); ``crisis_counts`` ``(w, s, n, n)`` and
    ``leader_counts`` ``(w, s, n)``, cumulative; ``gain`` ``(w,)`` the
    worlds' ``stance_gain``. Memory grows with worlds times steps: this is
    for a handful of worlds, not an ensemble.
    """

    stances: np.ndarray = field(init=False)

    def start(self, model: WedgeModel) -> None:
        """Allocate the per-step arrays, then the outcome observer's, and record step 0."""
        w, s, n = model.worlds, model.total_steps + 1, model.n
        self.stances = np.zeros((w, s, n, n))
        self.relations = np.zeros((w, s, n, n))
        self.motives = np.full((w, s, len(MOTIVES), n, n), np.nan)
        self.crisis_counts = np.zeros((w, s, n, n), dtype=np.int64)
        self.leader_counts = np.zeros((w, s, n), dtype=np.int64)
        self.gain = model.record["stance_gain"].astype(float)
        super().start(model)

    def record(self, model: WedgeModel) -> None:
        """Keep this step's stances, relations, motives and event counts, then the outcomes."""
        k = self._step
        self.stances[:, k] = model.state.stance
        self.relations[:, k] = model.relation
        if k > 0:
            self.motives[:, k] = model.motives
        self.crisis_counts[:, k] = model.counts["crises"]
        self.leader_counts[:, k] = model.counts["leader_changes"]
        super().record(model)


def trace_worlds(inputs: Inputs, seed: int, worlds: Sequence[int]) -> MotiveRecorder:
    """Replay ``worlds`` (indices of a run with root ``seed``) and keep their every step.

    World ``k`` here is world ``k`` of ``wedge run`` with the same scenario
    and seed: its behaviour draw, its shocks and its dynamics.
    """
    ids = np.asarray(list(worlds), dtype=np.int64)
    if ids.ndim != 1 or ids.size == 0 or (ids < 0).any():
        raise ValueError("worlds must be one or more non-negative world indices")
    sc = inputs.scenario
    recorder = MotiveRecorder(sc.outcomes)
    model = WedgeModel(
        sc, inputs.calibration, len(ids), seed, observer=recorder, world_ids=ids,
        record_motives=True,
    )  # fmt: skip
    model.run()
    return recorder


@dataclass(frozen=True)
class Direction:
    """One state's stance toward the other over the window, and the motives behind it.

    Stances and desired stances on [-1, 1]; ``summed_*`` are the summed
    weighted motives (before the gain); ``changes`` maps each motive of
    :data:`MOTIVES` to its change over the window (end minus start), which
    add up to ``summed_to - summed_from``.
    """

    actor: str
    toward: str
    stance_from: float
    stance_to: float
    summed_from: float
    summed_to: float
    desired_from: float
    desired_to: float
    changes: dict[str, float]

    def ranked(self) -> list[tuple[str, float]]:
        """Motives by the size of their change, largest first."""
        return sorted(self.changes.items(), key=lambda kv: -abs(kv[1]))


@dataclass(frozen=True)
class Explanation:
    """Why one pair's relation fell in one world: the window, the mover and the motives."""

    world: int
    seed: int
    pair: tuple[str, str]
    names: dict[str, str]
    event: str  # "rupture", "largest fall" or "largest rise"
    year_from: float
    year_to: float
    relation_from: float
    relation_to: float
    directions: tuple[Direction, Direction]
    crises: int
    leader_changes: dict[str, int]

    @property
    def mover(self) -> Direction:
        """The direction whose stance moved further the way the relation went."""
        sign = 1.0 if self.event == "largest rise" else -1.0
        return max(self.directions, key=lambda d: sign * (d.stance_to - d.stance_from))

    def sentence(self) -> str:
        """The explanation in words: the moment, the mover, and the motives that moved most."""
        a, b = (self.names[c] for c in self.pair)
        what = {"rupture": "ruptured in", "largest fall": "fell furthest by"}.get(
            self.event, "rose furthest by"
        )
        head = (
            f"In world {self.world} (seed {self.seed}) {a}-{b} {what} {self.year_to:.2f}: "
            f"the relation went from {self.relation_from:+.2f} ({self.year_from:.2f}) to "
            f"{self.relation_to:+.2f}."
        )
        d = self.mover
        actor, toward = self.names[d.actor], self.names[d.toward]
        drivers = [(m, v) for m, v in d.ranked() if abs(v) >= 0.005]
        down = [f"{MOTIVE_LABELS[m]} {v:+.2f}" for m, v in drivers if v < 0][:3]
        up = [f"{MOTIVE_LABELS[m]} {v:+.2f}" for m, v in drivers if v > 0][:2]
        moved = (
            f"{actor} moved most: its stance toward {toward} went from {d.stance_from:+.2f} "
            f"to {d.stance_to:+.2f}, and its summed motives from {d.summed_from:+.2f} to "
            f"{d.summed_to:+.2f} (desired stance {d.desired_from:+.2f} to {d.desired_to:+.2f})"
        )
        if down:
            moved += "; down: " + ", ".join(down)
        if up:
            moved += "; up: " + ", ".join(up)
        events = f"{self.crises} crisis" if self.crises == 1 else f"{self.crises} crises"
        changed = [self.names[c] for c, k in self.leader_changes.items() if k]
        events += f" and new leaders in {', '.join(changed)}" if changed else ", no new leader"
        return f"{head} {moved}. In the window: {events}."

    def as_dict(self) -> dict:
        """JSON-ready form, for ``explanation.json``."""
        return json_ready(
            {
                "world": self.world, "seed": self.seed, "pair": list(self.pair),
                "event": self.event, "year_from": self.year_from, "year_to": self.year_to,
                "relation_from": self.relation_from, "relation_to": self.relation_to,
                "mover": self.mover.actor, "crises": self.crises,
                "leader_changes": self.leader_changes, "sentence": self.sentence(),
                "directions": [d.__dict__ for d in self.directions],
            }
        )  # fmt: skip


def _window(
    relation: np.ndarray,
    years: np.ndarray,
    rupture_year: float | None,
    lookback: float,
    rise: bool = False,
) -> tuple[int, int, str]:
    """``(start, end, event)`` steps of the moment explained and the turning point before it.

    A fall ends at the rupture (``rupture_year``) or else at the steepest fall within
    ``lookback`` years, and starts at the relation's high point in the ``lookback``
    years before; a rise (``rise``) is the same with the relation turned upside down.
    """
    span = max(1, round(float(lookback / (years[1] - years[0]))))
    path = -relation if rise else relation
    if not rise and rupture_year is not None and np.isfinite(rupture_year):
        end = int(np.argmin(np.abs(years - rupture_year)))
        event = "rupture"
    else:
        highs = np.array([path[max(0, t - span) : t + 1].max() for t in range(len(path))])
        end = int(np.argmax(highs - path))
        event = "largest rise" if rise else "largest fall"
    lo = max(0, end - span)
    start = lo + int(np.argmax(path[lo : end + 1]))
    return start, end, event


def explain_world(
    trace: MotiveRecorder,
    k: int,
    world: int,
    seed: int,
    pair: tuple[str, str],
    names: dict[str, str],
    lookback: float = LOOKBACK,
    rise: bool = False,
) -> Explanation:
    """The explanation of traced world ``k`` (run index ``world``) for ``pair``.

    The window runs from the relation's highest point in the ``lookback``
    years before the moment to the moment itself (its lowest point, for a
    ``rise``); the motives compared are those of the first choice in the
    window and of the choice at its end.
    """
    codes = list(trace.codes)
    i, j = (codes.index(c) for c in pair)
    years = trace.years
    relation = trace.relations[k, :, i, j]
    ruptured = None
    if tuple(sorted((i, j))) == tuple(sorted(trace.watch[:2])):
        ruptured = float(trace.rupture_year[k])
    start, end, event = _window(relation, years, ruptured, lookback, rise)
    first = max(start, 1)  # the initial state was not chosen: its motives are the first step's
    end = max(end, first)
    directions = []
    for a, c in ((i, j), (j, i)):
        m0, m1 = trace.motives[k, first, :, a, c], trace.motives[k, end, :, a, c]
        s0, s1 = float(m0.sum()), float(m1.sum())
        gain = trace.gain[k]
        directions.append(
            Direction(
                codes[a], codes[c],
                float(trace.stances[k, start, a, c]), float(trace.stances[k, end, a, c]),
                s0, s1, float(desired(s0, gain)), float(desired(s1, gain)),
                {m: float(m1[q] - m0[q]) for q, m in enumerate(MOTIVES)},
            )
        )  # fmt: skip
    crises = int(trace.crisis_counts[k, end, i, j] - trace.crisis_counts[k, start, i, j])
    leaders = {
        codes[x]: int(trace.leader_counts[k, end, x] - trace.leader_counts[k, start, x])
        for x in (i, j)
    }
    return Explanation(
        world, seed, (codes[i], codes[j]), names, event, float(years[start]), float(years[end]),
        float(relation[start]), float(relation[end]), (directions[0], directions[1]),
        crises, leaders,
    )  # fmt: skip


def motive_table(trace: MotiveRecorder, k: int, pair: tuple[str, str]) -> pd.DataFrame:
    """Every step of traced world ``k`` for ``pair``, one row per year and direction.

    Columns: ``year``, ``actor``, ``toward``, ``relation``, ``stance``,
    ``summed`` (the summed weighted motives), ``desired`` (the stance they
    ask for) and one column per motive of :data:`MOTIVES`.
    """
    codes = list(trace.codes)
    i, j = (codes.index(c) for c in pair)
    frames = []
    for a, c in ((i, j), (j, i)):
        m = trace.motives[k, :, :, a, c]
        summed = m.sum(axis=1)
        frame = pd.DataFrame(
            {
                "year": trace.years,
                "actor": codes[a],
                "toward": codes[c],
                "relation": trace.relations[k, :, i, j],
                "stance": trace.stances[k, :, a, c],
                "summed": summed,
                "desired": desired(summed, trace.gain[k]),
            }
        )
        frames.append(pd.concat([frame, pd.DataFrame(m, columns=list(MOTIVES))], axis=1))
    return pd.concat(frames, ignore_index=True)


def first_rupture(inputs: Inputs, seed: int, worlds: int = SEARCH_WORLDS) -> int | None:
    """The first of a run's first ``worlds`` worlds whose watched pair ruptures, if any."""
    runs = run_chunk(inputs, seed, 0, worlds, paths=False).runs
    hits = np.flatnonzero(runs["rupture_year"].notna().to_numpy())
    return int(hits[0]) if hits.size else None


@dataclass(frozen=True)
class ExplainWorld:
    """Explain one world of a scenario's run: ``wedge explain``.

    Parameters
    ----------
    inputs
        The scenario and its calibration.
    world
        Index of the world in ``wedge run``'s numbering; ``None``: the first
        of the first :data:`SEARCH_WORLDS` worlds whose watched pair ruptures
        (world 0 when none does).
    pair
        The two actors whose relation is explained; ``None``: the watched partnership.
    lookback
        Years before the moment searched for the relation's high point.
    rise
        Explain the largest rise of the relation (a thaw) instead of its fall.
    """

    kind: ClassVar[str] = "explain"
    inputs: Inputs
    world: int | None = None
    pair: tuple[str, str] | None = None
    lookback: float = LOOKBACK
    rise: bool = False

    def run(
        self, seed: int, executor: cf.Executor | None = None, progress: Progress = SILENT
    ) -> Result:
        """Replay the world with its motives recorded and explain the pair's fall."""
        sc = self.inputs.scenario
        pair = self.pair or tuple(sc.watch.partnership)
        for code in pair:
            if code not in sc.actors:
                raise InputError(
                    "--pair", "", f"{code!r} is not an actor of {sc.name}; allowed: "
                    f"{', '.join(sc.actors)}",
                )  # fmt: skip
        if pair[0] == pair[1]:
            raise InputError("--pair", "", f"{pair[0]}-{pair[1]} names one actor twice; give two")
        world, picked = self.world, ""
        if world is None:
            progress.note(f"searching the first {SEARCH_WORLDS} worlds for a rupture")
            world = first_rupture(self.inputs, seed)
            picked = "first rupture" if world is not None else "no rupture found"
            world = 0 if world is None else world
        progress.start(sc.time.steps, "steps", f"world {world} of {sc.name}")
        trace = trace_worlds(self.inputs, seed, [world])
        progress.advance(sc.time.steps)
        names = {c: a.name for c, a in sc.actors.items()}
        explanation = explain_world(trace, 0, world, seed, pair, names, self.lookback, self.rise)
        table = motive_table(trace, 0, pair)
        summary = explanation.as_dict() | {
            "scenario": sc.name,
            "title": sc.title,
            "picked": picked,
            "lookback": self.lookback,
            "thresholds": {"aligned": sc.outcomes.aligned, "hostile": sc.outcomes.hostile},
            "motive_labels": MOTIVE_LABELS,
        }
        return Result(
            kind="explain",
            name=f"{sc.name}_world{world}",
            summary=summary,
            summary_file="explanation.json",
            tables={"motives": Table(table, ("csv",), "%.6g")},
            inputs=input_files(scenario=self.inputs.path, calibration=self.inputs.calibration.path),
            manifest={"world": world, "pair": list(pair)},
            seed=seed,
            runs=1,
            payload=(explanation, table),
        )
