"""The engine: ensembles of worlds, sweep designs and the sweep runner.

Above the model core (:mod:`sim.model`, :mod:`sim.scenario`, :mod:`sim.outcomes`)
and below the experiments: it runs worlds and returns data, and never writes
reports or draws figures.
"""
