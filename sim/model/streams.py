"""Random streams keyed by world block and by entity.

Reproducibility contract: world ``w`` of a run with root seed ``seed`` draws
every random number from generators seeded with
``SeedSequence(seed, spawn_key=(w // BLOCK, crc32(entity)))``, where the
entity is what the draw is about (an actor such as ``"RUS"``, a directed pair
``"CHN>RUS"``, an unordered pair ``"CHN|RUS"``, a shock ``"shock:<name>"``,
or an uncertain parameter ``"parameter:<path>"``), at lane ``w % BLOCK`` of a
block-wide draw. Therefore:

- world ``w`` gets the same numbers whether it runs alone (with
  ``world_offset=w``) or inside an ensemble of any size, on any worker;
- reordering the actors in a scenario file permutes the draws with the
  actors, so results permute and nothing else changes;
- adding an actor, a shock or an uncertain parameter does not change the
  draws of the others.

Draws are made for a whole block (``BLOCK`` lanes) at a time, so the cost is
one generator call per block and entity per step, never one per world.
"""

from __future__ import annotations

import zlib

import numpy as np

BLOCK = 1024
"""Worlds per random block. Fixed forever: changing it changes every result."""

SET_WORLDS = 20
"""Worlds per behaviour set. Fixed forever: changing it changes every result.

Worlds ``s * SET_WORLDS`` to ``(s + 1) * SET_WORLDS - 1`` share one draw of the
behaviour parameters (a whole posterior set, and one value of each ranged
calibration parameter): their draws come from streams keyed by the set ``s``
rather than by the world, under entity names ``"behaviour:<parameter>"``
(``"behaviour:posterior"`` for the choice of posterior set). Worlds of a set
differ in everything else, so the spread of per-set probabilities measures
doubt about behaviour apart from chance (:mod:`sim.engine.spread`).
"""


def behaviour_sets(ids: np.ndarray) -> np.ndarray:
    """The behaviour set of each world, from the worlds' global indices."""
    return np.asarray(ids, dtype=np.int64) // SET_WORLDS


def entity_key(entity: str) -> int:
    """A stable 32-bit key for an entity name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(entity.encode("utf-8"))


class Streams:
    """Block-wise generators for worlds ``[offset, offset + worlds)``, or for listed worlds.

    Parameters
    ----------
    seed
        The run's root seed (a non-negative integer).
    offset
        Global index of the first world.
    worlds
        Number of worlds.
    ids
        Optional global index of each of the ``worlds`` worlds, in place of
        ``offset + k``. Indices may repeat: every world with index ``w`` draws
        exactly what world ``w`` of the seed draws (common random numbers, e.g.
        many parameter sets run on the same worlds).
    """

    def __init__(self, seed: int, offset: int, worlds: int, ids: np.ndarray | None = None) -> None:
        self.seed = int(seed)
        self.offset = int(offset)
        self.worlds = int(worlds)
        # For each block: (block id, lanes inside the block, positions in our arrays).
        self._blocks: list[tuple[int, slice | np.ndarray, slice | np.ndarray]] = []
        if ids is not None:
            ids = np.asarray(ids, dtype=np.int64)
            if ids.shape != (self.worlds,) or (ids < 0).any():
                raise ValueError("ids must hold one non-negative world index per world")
            for block in np.unique(ids // BLOCK):
                ours = np.flatnonzero(ids // BLOCK == block)
                self._blocks.append((int(block), ids[ours] % BLOCK, ours))
        else:
            first = self.offset // BLOCK
            last = (self.offset + self.worlds - 1) // BLOCK
            for block in range(first, last + 1):
                lo = max(self.offset, block * BLOCK)
                hi = min(self.offset + self.worlds, (block + 1) * BLOCK)
                self._blocks.append(
                    (
                        block,
                        slice(lo - block * BLOCK, hi - block * BLOCK),
                        slice(lo - self.offset, hi - self.offset),
                    )
                )
        self._generators: dict[str, list[np.random.Generator]] = {}

    def _gens(self, entity: str) -> list[np.random.Generator]:
        gens = self._generators.get(entity)
        if gens is None:
            key = entity_key(entity)
            gens = [
                np.random.Generator(
                    np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(b, key)))
                )
                for b, _, _ in self._blocks
            ]
            self._generators[entity] = gens
        return gens

    def uniform(self, entity: str, k: int) -> np.ndarray:
        """Next ``k`` uniforms on [0, 1) of ``entity`` for each world, shape ``(worlds, k)``."""
        out = np.empty((self.worlds, k))
        for gen, (_, lanes, ours) in zip(self._gens(entity), self._blocks, strict=True):
            out[ours] = gen.random((BLOCK, k))[lanes]
        return out
