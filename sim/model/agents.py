"""States as Mesa agents whose state is vectorised over an ensemble of worlds.

One :class:`State` agent stands for one state (USA, CHN, RUS, ...) in every
world at once: its rows of the model's arrays (its threat perceptions, its
stances) have a leading world axis. Its step reads like the ODD text:
perceive the others (threat), evaluate motives toward each, decide a stance.
The arithmetic lives in :mod:`sim.model.mechanisms`.

Agents decide simultaneously: each reads the stances as they stand after
this step's shocks and writes its new row to a staging array that the model commits after all
have decided, so the order in which Mesa calls them does not matter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtri

from sim.model.mechanisms import dependence, ideology, institutions, stance, threat
from sim.model.mechanisms.common import relax

if TYPE_CHECKING:
    from sim.model.model import WedgeModel


class State(mesa.Agent):
    """A state: perceives threats, weighs motives and chooses its stances.

    Parameters
    ----------
    model
        The :class:`~sim.model.model.WedgeModel` it belongs to.
    index
        Its position on the actor axes of every array.
    code, name
        Identifier (``"RUS"``) and readable name.
    """

    model: WedgeModel

    def __init__(self, model: WedgeModel, index: int, code: str, name: str) -> None:
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name or code
        self.affinity = np.zeros((model.worlds, model.n))
        self.motives = np.zeros((model.worlds, model.n))

    # -- views of this state's rows ------------------------------------------------------
    @property
    def threat(self) -> np.ndarray:
        """Threat this state perceives from each other, ``(worlds, n)`` in [0, 1]."""
        return self.model.state.threat[:, self.index]

    @property
    def stance(self) -> np.ndarray:
        """The stance of this state toward each other, ``(worlds, n)`` in [-1, 1]."""
        return self.model.state.stance[:, self.index]

    # -- the step ------------------------------------------------------------------------
    def step(self) -> None:
        """Perceive, evaluate, decide."""
        self.perceive()
        self.evaluate()
        self.decide()

    def perceive(self) -> None:
        """Update the threat perceived from each other state (Walt 1987)."""
        m, s, b, i = self.model, self.model.state, self.model.behaviour, self.index
        self.affinity = ideology.affinity(
            s.salience[:, [i]], s.ideology_distance[:, i], s.doctrinal_rivalry[:, i]
        )
        capacity = threat.capacity(
            s.capability[:, [i]],
            s.capability,
            s.proximity[:, i],
            s.reach[:, :, i],
            s.offensive,
            b["threat_weight_proximity"],
            b["threat_weight_reach"],
            b["threat_weight_offensive"],
        )
        intent = threat.intent(
            s.stance[:, :, i],
            ideology.friction(self.affinity),
            b["baseline_suspicion"],
            b["ideology_intent"],
        )
        target = threat.target(capacity, intent, s.fear[:, i], s.alarm[:, i])
        target[:, i] = 0.0
        s.threat[:, i] = relax(s.threat[:, i], target, b["threat_speed"], m.dt)

    def evaluate(self) -> None:
        """Sum the motives for this state's stance toward each other state."""
        s, b, i = self.model.state, self.model.behaviour, self.index
        r = self.model.relation
        own_r = r[:, i]
        abandon = stance.abandonment(self.threat, own_r, s.stance)
        leverage = s.capability[:, [i]] / (s.capability[:, [i]] + s.capability)
        lesser = stance.priority(self.threat, self.model.counterweight, b["security_priority"])
        self.abandonment = abandon
        self.motives = (
            -b["w_threat"] * self.threat
            + b["w_balance"] * stance.balancing(self.threat, self.model.counterweight)
            + b["w_common_enemy"] * stance.common_enemy(own_r, self.model.counterweight, i)
            + b["w_pivot"] * stance.pivot(r, i)
            + b["w_rival_bid"] * stance.rival_bid(self.threat, own_r, s.stance)
            + dependence.value(
                s.dependence[:, i], s.trust[:, i], self.threat,
                b["w_dependence_gain"], b["w_dependence_risk"],
            )
            - b["w_sanctions"] * s.sanctions[:, :, i]
            + b["w_ideology"] * lesser * self.affinity
            + b["w_trust"] * (2.0 * s.trust[:, i] - 1.0)
            + b["w_institutions"] * s.institutions[:, i]
            - b["w_disputes"] * lesser * s.disputes[:, i]
            + b["w_reciprocity"] * s.stance[:, :, i]
            + b["w_support"] * self.model.support[:, i]
            - b["w_abandonment"] * abandon
            + b["w_counterbid"] * abandon * leverage * s.patronage[:, [i]]
            - b["w_entrapment"] * stance.entrapment(self.threat, own_r, s.crisis, i)
            + b["w_deescalation"] * stance.deescalation(self.threat, s.crisis[:, i])
            + self.model.lever_motives[:, i]
        )  # fmt: skip

    def decide(self) -> None:
        """Move each stance toward the desired one, with institutional inertia and noise."""
        m, s, b, i = self.model, self.model.state, self.model.behaviour, self.index
        want = stance.desired(self.motives, b["stance_gain"])
        noise = b["stance_noise"] * np.sqrt(m.dt) * ndtri(m.draws.stance_noise[:, i])
        new = stance.move(
            s.stance[:, i],
            want,
            b["stance_speed"],
            institutions.inertia(s.institutions[:, [i]], b["inertia"])[:, 0],
            m.dt,
            noise,
        )
        # A new leader re-examines policy: part of the gap to the desired stance closes at once.
        fresh = m.new_leader[:, [i]]
        new = np.where(fresh, np.clip(new + b["leader_reset"] * (want - new), -1.0, 1.0), new)
        new[:, i] = 0.0
        m.next_stance[:, i] = new
