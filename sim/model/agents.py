"""States as Mesa agents whose state is vectorised over an ensemble of worlds.

One :class:`State` agent stands for one state (USA, CHN, RUS, ...) in every
world at once: its rows of the model's arrays (its threat perceptions, its
stances) have a leading world axis. Its step reads like the ODD text:
perceive the others (threat), then evaluate motives toward each and choose a
stance. The arithmetic lives in :mod:`sim.model.mechanisms`, composed in
:mod:`sim.model.kernel`.

The model's compiled step runs every state's perception and choice world by
world (:func:`sim.model.kernel.advance`), so that one world's numbers stay in
the cache; an agent's own methods run the same compiled functions for that
state across all worlds (the initial settling of perceptions, and anyone
who wants to step one state by hand).

Agents decide simultaneously: each reads the stances as they stand after
this step's shocks and writes its new row to a staging array that the model
commits after all have decided, so the order of the states does not matter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model import phases
from sim.model.mechanisms.common import relation

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

    # -- views of this state's rows ------------------------------------------------------
    @property
    def threat(self) -> np.ndarray:
        """Threat this state perceives from each other, ``(worlds, n)`` in [0, 1]."""
        return self.model.state.threat[:, self.index]

    @property
    def stance(self) -> np.ndarray:
        """The stance of this state toward each other, ``(worlds, n)`` in [-1, 1]."""
        return self.model.state.stance[:, self.index]

    @property
    def abandonment(self) -> np.ndarray:
        """Abandonment fear toward each partner at this state's last choice, ``(worlds, n)``."""
        return self.model.abandonment[:, self.index]

    # -- the step ------------------------------------------------------------------------
    def step(self) -> None:
        """Perceive, then evaluate and choose (staged: the model commits new stances)."""
        self.perceive()
        self.evaluate()

    def perceive(self, instant: bool = False) -> None:
        """Update the threat perceived from each other state (Walt 1987).

        ``instant`` lands on the perceived level at once instead of relaxing
        toward it at ``threat_speed`` (the initial settling).
        """
        m = self.model
        phases.perceive_worlds(self.index, m.state.actors, m.state.pairs, m.record, m.dt, instant)

    def evaluate(self) -> None:
        """Weigh the motives toward each state and stage the new stances in ``model.next_stance``.

        Uses this step's stance noise once the model has drawn it, none before
        the first step; records the abandonment fear that the slow stocks read.
        """
        m = self.model
        draws = getattr(m, "draws", None)
        noise = draws.stance_noise if draws is not None else np.zeros_like(m.state.stance)
        phases.choose_worlds(
            self.index, m.state.actors, m.state.pairs, m.record, noise, m.lever_motives,
            relation(m.state.stance), m.support, m.new_leader, m.dt, m.next_stance, m.abandonment,
        )  # fmt: skip
