"""Scheduled changes of the situation: shocks (with ramps and fades) and time paths.

A scenario's shocks and paths are compiled once, when the model is built, into
*operations* on the model's state arrays: which array, which entries (an
actor, or one direction of a pair), which mode and, per world, which amount.
Each step then applies the operations due, vectorised over worlds; nothing
loops over worlds.

Timing of a shock (hand-worked in ``tests/test_scenario_language.py``): it
*hits* in the step whose interval ``[t0, t0 + dt)`` holds its ``year``, in the
worlds whose draw falls below its ``probability``. An effect with ``ramp = R``
is then spread over ``m = max(1, round(R / dt))`` steps from the hit:

- ``add a``: ``a / m`` is added in each of the ``m`` steps;
- ``scale f``: the field is multiplied by ``f ** (1 / m)`` in each step;
- ``set v``: each step closes ``1 / (steps left)`` of the gap to ``v``, so the
  field moves linearly to ``v`` if nothing else moves it, and lands on it;
- a plain ``capability`` number ``c`` multiplies by ``1 + c`` at the hit.

An added amount with ``fade = h`` decays from the step after it is added:
each step removes the share ``1 - 2 ** (-dt / h)`` of what is left of it,
so half is gone ``h`` years later. Values are kept in their field's range
after every operation. A path sets its field to the path's value at the start
of every step, before the shocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.scenario.forms import FIELDS, effect_of
from sim.scenario.schema import Scenario, Shock

STATE_OF = {"relation": "stance", "dependence": "dependence_base", "sanctions": "sanctions_base"}
"""The state array a field lives in, where its name differs."""

FLOOR = {"capability": 1e-6}
"""Lower limits kept in the state that are above the field's nominal range."""


def state_name(field_name: str) -> str:
    """The :class:`~sim.model.model.WorldState` attribute that holds a field."""
    return STATE_OF.get(field_name, field_name)


def _cells(field_name: str, actor: int, other: int | None, mutual: bool) -> list[tuple[int, ...]]:
    """The entries a field's change reaches: an actor, a direction, or both directions."""
    kind = FIELDS[field_name].kind
    if kind == "actor":
        return [(actor,)]
    assert other is not None  # noqa: S101  (validated: relationship effects need `toward`)
    if kind == "symmetric":
        # One value for the pair, written to both directions; relation is both stances.
        return [(actor, other, other, actor)] if field_name != "relation" else [
            (actor, other), (other, actor)
        ]  # fmt: skip
    return [(actor, other), (other, actor)] if mutual else [(actor, other)]


@dataclass
class Operation:
    """One field of one shock at one entry, with its per-world amount.

    ``cell`` is ``(i,)`` for an actor, ``(i, j)`` for one direction of a pair,
    ``(i, j, j, i)`` for a symmetric value held in both directions.
    """

    field: str
    state: str
    cell: tuple[int, ...]
    mode: str
    amount: np.ndarray
    steps: int
    fade: float | None
    live: np.ndarray | None = None

    def read(self, state: object) -> np.ndarray:
        """The current value, ``(worlds,)``."""
        return getattr(state, self.state)[(slice(None), *self.cell[:2])]

    def write(self, state: object, value: np.ndarray) -> None:
        """Store ``value``, in both directions for a symmetric field."""
        arr = getattr(state, self.state)
        arr[(slice(None), *self.cell[:2])] = value
        if len(self.cell) == 4:
            arr[(slice(None), *self.cell[2:])] = value

    def clip(self, value: np.ndarray) -> np.ndarray:
        """Keep a value in its field's range."""
        spec = FIELDS[self.field]
        return np.clip(value, FLOOR.get(self.field, spec.low), spec.high)


@dataclass
class Scheduled:
    """A shock compiled for the ensemble: its timing per world and its operations in order."""

    shock: Shock
    actor: int
    year: np.ndarray
    probability: np.ndarray
    leader_change: np.ndarray
    draws: np.ndarray
    actor_ops: list[Operation]
    pair_ops: list[Operation]
    crisis_pairs: list[tuple[int, int]]
    since: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    window: int = 1
    first: int = 0
    last: int = 0

    def idle(self, k: int) -> bool:
        """Whether step ``k`` lies outside every world's window and nothing is fading.

        ``first`` and ``last`` bound the steps in which any world can hit or
        still ramp (with a step of margin each side), so the clock need not run
        elsewhere: outside them ``since`` is ``-1`` or past every ramp.
        """
        outside = k < self.first or k > self.last
        return outside and not any(op.live is not None for op in self.actor_ops + self.pair_ops)


@dataclass
class PathOp:
    """A field that follows a path: its value at the start of every step."""

    state: str
    cell: tuple[int, ...]
    values: np.ndarray  # (steps,)


def compile_shocks(
    scenario: Scenario, amounts: dict[str, dict[str, np.ndarray]], draws: dict[str, np.ndarray]
) -> list[Scheduled]:
    """Operations of every shock, in file order.

    ``amounts`` is the per-world table of :class:`~sim.model.setup.Worlds`
    (shock name -> field -> ``(worlds,)``), which holds sampled values.
    """
    dt, codes = scenario.time.step, list(scenario.actors)
    out = []
    for shock in scenario.shocks:
        f = amounts[shock.name]
        a = codes.index(shock.actor)
        others = [codes.index(o) for o in shock.counterparts]
        actor_ops, pair_ops = [], []
        for name, spec in FIELDS.items():
            value = getattr(shock, name)
            if value is None:
                continue
            mode, _, ramp, fade = effect_of(name, value)
            amount = f[name]
            if mode in ("add", "relative") and not np.any(amount != 0.0):
                continue  # a zero change: nothing to do
            steps = max(1, round(ramp / dt))
            targets = [None] if spec.kind == "actor" else others
            for other in targets:
                for cell in _cells(name, a, other, shock.mutual):
                    op = Operation(name, state_name(name), cell, mode, amount, steps, fade)
                    (actor_ops if spec.kind == "actor" else pair_ops).append(op)
        worlds = len(f["year"])
        window = max([op.steps for op in actor_ops + pair_ops] + [1])
        steps_in = (f["year"] - scenario.time.start) / dt
        item = Scheduled(
            shock=shock,
            actor=a,
            year=f["year"],
            probability=f["probability"],
            leader_change=f["leader_change"],
            draws=draws[shock.name],
            actor_ops=actor_ops,
            pair_ops=pair_ops,
            crisis_pairs=[(a, b) for b in others] if shock.crisis else [],
            since=np.full(worlds, -1, dtype=np.int64),
            window=window,
            first=int(np.floor(steps_in.min())) - 1,
            last=int(np.floor(steps_in.max())) + window + 1,
        )
        out.append(item)
    return out


def compile_paths(scenario: Scenario) -> list[PathOp]:
    """One operation per value given as a path, with its value at every step's start."""
    codes = list(scenario.actors)
    starts = np.array(scenario.time.years()[:-1])
    out = []
    for (name, who, other), path in scenario.path_fields().items():
        i = codes.index(who)
        cell = (i,) if other is None else (i, codes.index(other))
        out.append(PathOp(state_name(name), cell, path.at(starts)))
    return out


def apply_paths(paths: list[PathOp], state: object, k: int) -> None:
    """Set every path's field to its value at the start of step ``k``."""
    for op in paths:
        getattr(state, op.state)[(slice(None), *op.cell)] = op.values[k]


def advance(item: Scheduled, t0: float, dt: float) -> np.ndarray:
    """Move a shock's clock to the step starting at ``t0``; return the worlds it hits now.

    ``since`` counts steps from the hit (``-1`` before it), so an effect
    ramped over ``m`` steps is due where ``0 <= since < m``.
    """
    hit = (item.year >= t0) & (item.year < t0 + dt) & (item.draws[:, 0] < item.probability)
    started = item.since >= 0
    item.since = np.where(started, item.since + 1, item.since)
    item.since = np.where(hit, 0, item.since)
    return hit


def apply(op: Operation, since: np.ndarray, state: object, dt: float) -> None:
    """Apply one operation for this step: its fade first, then its share of the change."""
    if op.fade is not None and op.live is not None:
        x = op.read(state)
        keep = 2.0 ** (-dt / op.fade)
        op.write(state, op.clip(x - op.live * (1.0 - keep)))
        op.live = op.live * keep
    due = (since >= 0) & (since < op.steps)
    if not due.any():
        return
    x = op.read(state).copy()
    m = op.steps
    if op.mode == "add":
        new = x + op.amount / m * due
    elif op.mode == "relative":
        new = x * (1.0 + op.amount * due)
    elif op.mode == "scale":
        new = np.where(due, x * op.amount ** (1.0 / m), x)
    else:  # set: close 1/(steps left) of the gap; land on the level in the last step
        left = m - since
        new = np.where(due, np.where(left == 1, op.amount, x + (op.amount - x) / left), x)
    new = op.clip(new)
    if op.fade is not None:
        op.live = (op.live if op.live is not None else 0.0) + (new - x)
    op.write(state, new)


def is_due(item: Scheduled) -> bool:
    """Whether a shock has anything to do this step (in its window, or an amount still fading)."""
    fading = any(op.live is not None for op in item.actor_ops + item.pair_ops)
    return fading or bool(np.any((item.since >= 0) & (item.since < item.window)))
