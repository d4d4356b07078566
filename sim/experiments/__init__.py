"""Experiments: what the commands run, each returning a :class:`~sim.experiments.base.Result`.

An experiment runs worlds through the engine and analyses them; it returns
tables, a summary and its own objects, and never draws or writes (the views
and :func:`sim.io.write` do). ``sim.experiments`` never imports ``sim.views``.
"""
