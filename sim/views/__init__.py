"""Views: figures and text made from experiments' results, in one style (:mod:`sim.views.style`).

Each experiment kind has one view module with ``figures(result)``,
``report(result, figures)`` and ``terminal(result)``; :func:`view_for` finds it.
"""
