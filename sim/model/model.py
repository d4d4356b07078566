"""The world: situation, schedule of shocks and levers, endogenous events, slow stocks.

:class:`WedgeModel` is a Mesa model holding an ensemble of worlds. Its step:

1. the step's random draws; scheduled shocks due in this step; the levers
   in force; relations and the help each state in distress receives;
2. every :class:`~sim.model.agents.State` perceives, evaluates and decides
   (simultaneously; the model commits the new stances);
3. endogenous events: crises, aid cut-offs, leader changes;
4. slow stocks, in this order: trust, institutions, doctrinal rivalry,
   crisis memory, structural and realised dependence, capability,
   instability, distress;
5. the observer records relations and outcomes.

One world or 100,000 go through the same code: every array has a leading
world axis, and random numbers come from :class:`~sim.model.streams.Streams`
so that a world's draws do not depend on how many others run beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import cache, kernel, motives, phases, schedule, threads
from sim.model.agents import State
from sim.model.mechanisms import dependence, events, levers, trust
from sim.model.mechanisms.common import relation
from sim.model.setup import (
    Worlds,
    actors_token,
    behaviour_record,
    build_worlds,
    calibration_mode,
    is_behaviour,
    posterior_rows,
    stream_key,
    uncertain_parameters,
)
from sim.model.streams import Streams, behaviour_sets
from sim.scenario.calibration import Calibration
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.outcomes import Observer


class WorldState:
    """Everything that changes during a run, per world, in two blocks the compiled step walks.

    ``actors`` is ``(worlds, fields, n)`` and ``pairs`` ``(worlds, fields, n, n)``
    in the order of :data:`~sim.model.kernel.ACTOR_FIELDS` and
    :data:`~sim.model.kernel.PAIR_FIELDS`, so that one world's state lies
    together in memory. Each field reads as an attribute, a view with the
    leading world axis (``state.stance[w, i, j]`` is i's stance toward j);
    assigning to it writes into the block. Units: capability is a share of
    world capability; everything else is on [0, 1] except stance on [-1, 1]
    and growth (fraction per year).
    """

    def __init__(self, actor: dict[str, np.ndarray], pair: dict[str, np.ndarray]) -> None:
        worlds, n = actor["capability"].shape
        blocks = {
            "actors": np.empty((worlds, len(kernel.ACTOR_FIELDS), n)),
            "pairs": np.empty((worlds, len(kernel.PAIR_FIELDS), n, n)),
        }
        self.__dict__.update(blocks)
        for name in kernel.ACTOR_FIELDS:
            setattr(self, name, actor[name])
        for name in kernel.PAIR_FIELDS:
            setattr(self, name, pair[name])

    def fields(self) -> dict[str, np.ndarray]:
        """Every field by name, as views with the leading world axis."""
        return {name: getattr(self, name) for name in (*kernel.ACTOR_FIELDS, *kernel.PAIR_FIELDS)}

    def __getattr__(self, name: str) -> np.ndarray:
        if name in _ACTOR_INDEX:
            return self.__dict__["actors"][:, _ACTOR_INDEX[name]]
        if name in _PAIR_INDEX:
            return self.__dict__["pairs"][:, _PAIR_INDEX[name]]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: np.ndarray) -> None:
        if name not in _ACTOR_INDEX and name not in _PAIR_INDEX:
            raise AttributeError(f"WorldState has no field {name!r}")
        getattr(self, name)[...] = value


_ACTOR_INDEX = {name: k for k, name in enumerate(kernel.ACTOR_FIELDS)}
_PAIR_INDEX = {name: k for k, name in enumerate(kernel.PAIR_FIELDS)}


@dataclass
class StepDraws:
    """Draws of one step, one set per entity (see :mod:`sim.model.streams`).

    All uniform on [0, 1); the compiled step turns capability and stance
    noise into standard normals (:mod:`sim.model.normal`).
    """

    capability: np.ndarray  # (worlds, n)
    leader: np.ndarray  # (worlds, n)
    stance_noise: np.ndarray  # (worlds, n, n), [w, i, j] for i's stance toward j
    cutoff: np.ndarray  # (worlds, n, n), uniform, [w, i, j] for j cutting i's aid
    crisis: np.ndarray  # (worlds, n, n), uniform, symmetric


class WedgeModel(mesa.Model):
    """An ensemble of worlds of one scenario.

    Parameters
    ----------
    scenario, calibration
        Validated inputs.
    worlds
        Number of worlds simulated side by side.
    seed
        Root seed of the run.
    world_offset
        Global index of the first world: world ``world_offset + k`` here is
        the same as world ``world_offset + k`` of any other run of the seed.
    unit_draws
        ``(worlds, n_uncertain)`` points of the unit cube for the uncertain
        parameters (a sweep design); ``None`` draws them from the seed.
    sample
        ``False`` runs every world at the point values (no parameter
        uncertainty; the dynamics stay stochastic).
    observer
        Optional recorder called after every step (see :mod:`sim.outcomes`).
    fixed
        Path -> ``(worlds,)`` values imposed on top of sampling (sweep designs).
    world_ids
        Optional global index of each world, in place of ``world_offset + k``;
        indices may repeat, and worlds with the same index draw the same random
        numbers (:class:`~sim.model.streams.Streams`): many parameter sets run
        on common worlds.
    record_motives
        Keep each state's weighted motives toward each other at every step in
        :attr:`motives` (``(worlds, len(MOTIVES), n, n)``, the last step's;
        an observer reads them per step). Off by default: the ensemble
        computes the same numbers either way and only copies them out when asked.
    """

    def __init__(
        self,
        scenario: Scenario,
        calibration: Calibration,
        worlds: int = 1,
        seed: int = 0,
        world_offset: int = 0,
        unit_draws: np.ndarray | None = None,
        sample: bool = True,
        observer: Observer | None = None,
        fixed: dict[str, np.ndarray] | None = None,
        world_ids: np.ndarray | None = None,
        record_motives: bool = False,
    ) -> None:
        # Mesa's own generator is unused by the dynamics (all draws are keyed
        # streams); it is seeded so that nothing depends on OS entropy.
        super().__init__(rng=np.random.SeedSequence(seed, spawn_key=(world_offset,)))
        self.situation = scenario
        self.worlds = int(worlds)
        self.n = len(scenario.actors)
        self.codes = list(scenario.actors)
        self.dt = scenario.time.step
        self.start = scenario.time.start
        self.total_steps = scenario.time.steps
        self.streams = Streams(seed, world_offset, self.worlds, world_ids)
        ids = (
            np.arange(world_offset, world_offset + self.worlds) if world_ids is None else world_ids
        )
        self.behaviour_set = behaviour_sets(ids)
        # Behaviour is drawn per set of SET_WORLDS worlds, so its doubt can be told from chance.
        per_set = Streams(seed, 0, self.worlds, self.behaviour_set)
        self.uncertain = uncertain_parameters(scenario, calibration)
        posterior = sample and calibration_mode(scenario, calibration) == "posterior"
        self.samples_behaviour = posterior or (
            sample and any(is_behaviour(d.parameter) for d in self.uncertain)
        )
        if unit_draws is None and sample and self.uncertain:
            # One stream per parameter: adding or removing one leaves the others' draws alone.
            unit_draws = np.column_stack(
                [
                    per_set.uniform(f"behaviour:{d.parameter}", 1)[:, 0]
                    if is_behaviour(d.parameter)
                    else self.streams.uniform(stream_key(d.parameter), 1)[:, 0]
                    for d in self.uncertain
                ]
            )
        imposed = dict(fixed or {})
        if posterior:
            # One draw per set picks a whole accepted set: the fit's joint uncertainty.
            rows = posterior_rows(
                scenario, calibration, per_set.uniform("behaviour:posterior", 1)[:, 0]
            )
            imposed = rows | imposed  # a sweep's design values win
        self.inputs: Worlds = build_worlds(
            scenario, calibration, self.worlds, unit_draws if sample else None, imposed or None
        )
        self.behaviour = self.inputs.behaviour
        self.record = behaviour_record(self.behaviour)
        self.token = actors_token(self.n)
        cache.announce_compilation()
        self.state = self._initial_state(self.inputs)
        self.lever_roles = [
            levers.LeverRoles(
                driver=self.codes.index(lv.actor),
                target=self.codes.index(lv.target),
                partner=self.codes.index(scenario.lever_partner(lv)),
                reward=lv.kind == "reward",
                conditional=lv.conditional,
            )
            for lv in scenario.levers
        ]
        # Shock draws are made once, up front, so that their timing in other
        # worlds cannot shift this world's stream.
        self.shock_draws = {
            s.name: self.streams.uniform(f"shock:{s.name}", 2) for s in scenario.shocks
        }
        self.schedule = schedule.compile_shocks(scenario, self.inputs.shock, self.shock_draws)
        self.paths = schedule.compile_paths(scenario)
        self.pairs = list(combinations(range(self.n), 2))
        self.new_leader = np.zeros((self.worlds, self.n), dtype=bool)
        self.next_stance = self.state.stance.copy()
        self.lever_motives = np.zeros((self.worlds, self.n, self.n))
        self.relation = relation(self.state.stance)
        self.crisis_hazard = np.zeros((self.worlds, self.n, self.n))
        self.support = np.zeros((self.worlds, self.n, self.n))
        self.abandonment = np.zeros((self.worlds, self.n, self.n))
        self._draws: StepDraws | None = None
        self.motives = np.zeros(
            (self.worlds if record_motives else 0, len(motives.MOTIVES), self.n, self.n)
        )
        self.counts = {
            "crises": np.zeros((self.worlds, self.n, self.n), dtype=np.int32),
            "cutoffs": np.zeros((self.worlds, self.n, self.n), dtype=np.int32),
            "leader_changes": np.zeros((self.worlds, self.n), dtype=np.int32),
        }
        for k, code in enumerate(self.codes):
            State(self, k, code, scenario.actors[code].name)
        self.observer = observer
        self._settle_initial_perceptions()
        self.crisis_hazard = events.crisis_hazard(
            self.relation,
            self.state.threat,
            self.behaviour["crisis_rate"],
            self.behaviour["crisis_hostility"],
            self.behaviour["crisis_threat"],
            self.state.restraint,
        )
        if observer is not None:
            observer.start(self)

    # -- construction --------------------------------------------------------------------
    def _initial_state(self, w: Worlds) -> WorldState:
        a, p = w.actor, w.pair
        zeros = np.zeros((self.worlds, self.n, self.n))
        pair = {name: p[name] for name in kernel.PAIR_FIELDS if name in p}
        pair |= {"threat": zeros, "alarm": zeros, "crisis": zeros, "restraint": zeros}
        pair |= {"dependence_base": p["dependence"], "sanctions_base": p["sanctions"]}
        return WorldState({name: a[name] for name in kernel.ACTOR_FIELDS}, pair)

    def _settle_initial_perceptions(self) -> None:
        """Start threat and realised dependence at their targets for the initial situation.

        A scenario gives relations, not perceptions; starting perceptions at
        zero would open every run with a spurious wave of rising threat.
        """
        b = self.behaviour
        for agent in self.agents:
            agent.perceive(instant=True)
        s = self.state
        s.dependence = dependence.target(
            s.dependence_base,
            self.relation,
            s.sanctions,
            b["dependence_elasticity"],
            b["trade_diversion"],
        )

    # -- time ----------------------------------------------------------------------------
    @property
    def year(self) -> float:
        """Decimal year at the end of the last completed step."""
        return self.start + self.steps * self.dt

    def step(self) -> None:
        """Advance every world by one time step of ``dt`` years.

        Random draws, scheduled shocks and levers here; then the compiled step
        (:func:`sim.model.kernel.advance`) runs every state's perception and
        choice, the endogenous events and the slow stocks, one world at a time.
        """
        t0 = self.start + (self.steps - 1) * self.dt  # Mesa has already counted this step
        draws = self._draw()
        self.draws = draws
        self._apply_shocks(t0)
        self._apply_levers(t0)
        c = self.counts
        threads.step(
            self.state.actors, self.state.pairs, self.record,
            draws.capability, draws.leader, draws.stance_noise, draws.cutoff, draws.crisis,
            self.lever_motives, self.relation, self.crisis_hazard, self.support,
            self.abandonment, self.new_leader,
            c["crises"], c["cutoffs"], c["leader_changes"], self.motives, dt=self.dt,
            actors_token=self.token,
        )  # fmt: skip
        if self.observer is not None:
            self.observer.record(self)
        if self.steps >= self.total_steps:
            self.running = False

    def run(self) -> None:
        """Run every world to the horizon."""
        while self.running:
            self.step()

    # -- random draws ---------------------------------------------------------------------
    def _draw(self) -> StepDraws:
        n, w, codes, streams = self.n, self.worlds, self.codes, self.streams
        if self._draws is None:  # reused every step: no fresh pages for the next step's draws
            pair = np.ones((3, w, n, n))
            pair[0] = 0.5  # the diagonal is never drawn: no noise, no cut-off, no crisis
            self._draws = StepDraws(np.empty((w, n)), np.empty((w, n)), pair[0], pair[1], pair[2])
        d = self._draws
        cap, lead, noise, cut, crisis = d.capability, d.leader, d.stance_noise, d.cutoff, d.crisis
        for i, code in enumerate(codes):
            u = streams.uniform(code, 2)
            cap[:, i], lead[:, i] = u[:, 0], u[:, 1]
        for i, j in self.pairs:
            for a, b in ((i, j), (j, i)):
                u = streams.uniform(f"{codes[a]}>{codes[b]}", 2)
                noise[:, a, b], cut[:, a, b] = u[:, 0], u[:, 1]
            key = "|".join(sorted((codes[i], codes[j])))
            crisis[:, i, j] = crisis[:, j, i] = streams.uniform(key, 1)[:, 0]
        return d

    # -- scheduled shocks and paths ------------------------------------------------------
    def _apply_shocks(self, t0: float) -> None:
        """Paths first, then each shock due, in file order (see :mod:`sim.model.schedule`)."""
        s = self.state
        schedule.apply_paths(self.paths, s, self.steps - 1)
        for item in self.schedule:
            if item.idle(self.steps - 1):
                continue
            hit = schedule.advance(item, t0, self.dt)
            if not schedule.is_due(item):
                continue
            for op in item.actor_ops:
                schedule.apply(op, item.since, s, self.dt)
            hits = bool(hit.any())
            if hits:
                # A succession always brings a new leader; otherwise the shock's own chance.
                succession = item.shock.successor is not None
                forced = hit if succession else hit & (item.draws[:, 1] < item.leader_change)
                if forced.any():
                    flags = np.zeros((self.worlds, self.n), dtype=bool)
                    flags[:, item.actor] = forced
                    self._change_leaders(flags)
            for op in item.pair_ops:
                schedule.apply(op, item.since, s, self.dt)
            for a, b in item.crisis_pairs if hits else []:
                mask = np.zeros((self.worlds, self.n, self.n), dtype=bool)
                mask[:, a, b] = mask[:, b, a] = hit
                self._crisis(mask)

    # -- levers --------------------------------------------------------------------------
    def _apply_levers(self, t0: float) -> None:
        s, b = self.state, self.behaviour
        self.lever_motives[:] = 0.0
        phases.bite_worlds(s.pairs, self.record)
        for lever, roles in zip(self.situation.levers, self.lever_roles, strict=True):
            f = self.inputs.lever[lever.name]
            levers.apply(
                roles,
                levers.active(t0, f["start"], f["duration"]),
                f["size"],
                f["credibility"],
                levers.need(s.capability, s.distress, roles.driver, roles.target),
                self.relation,
                self.lever_motives,
                s.sanctions,
                b["w_reward"],
                b["w_condition"],
                b["w_coercion"],
                b["sanction_relief"],
                b["driver_commitment"],
            )

    # -- endogenous events ---------------------------------------------------------------
    def _events(self, draws: StepDraws) -> None:
        """Crises, aid cut-offs and leader changes of this step, in every world."""
        c = self.counts
        phases.events_worlds(
            self.state.actors, self.state.pairs, self.record, draws.leader, draws.cutoff,
            draws.crisis, self.relation, self.crisis_hazard, self.new_leader,
            c["crises"], c["cutoffs"], c["leader_changes"], self.dt,
        )  # fmt: skip

    def _crisis(self, mask: np.ndarray) -> None:
        """Apply a crisis or clash to the pairs flagged in the symmetric ``mask``."""
        if mask.any():
            phases.clash_worlds(mask, self.state.pairs, self.record, self.counts["crises"])

    def _change_leaders(self, changed: np.ndarray) -> None:
        """New leaders for the actors flagged in ``changed`` ``(worlds, n)``."""
        b = self.behaviour
        self.state.trust = trust.reset(
            self.state.trust, changed, b["trust_reset"], b["trust_carryover"]
        )
        self.new_leader |= changed
        self.counts["leader_changes"] += changed

    # -- slow stocks ---------------------------------------------------------------------
    def _slow_stocks(self, draws: StepDraws) -> None:
        """Trust, institutions, rivalry, memories, dependence, capability, instability, distress."""
        phases.slow_stocks_worlds(
            self.state.actors, self.state.pairs, self.record, draws.capability,
            self.relation, self.support, self.abandonment, self.dt,
        )  # fmt: skip
