"""History as data, scored by one scorer.

An episode (:mod:`sim.scenario.episode`, ``data/episode_*.toml``) names its
hindcast scenario, its records and its targets. This package reads an
ensemble's runs table against them: the yearly snapshots
(:mod:`~sim.experiments.history.snapshots`), the target rules
(:mod:`~sim.experiments.history.targets`), the shape of each relation and the
clashes (:mod:`~sim.experiments.history.shape`) and the scorecard
(:mod:`~sim.experiments.history.scorecard`).
"""
