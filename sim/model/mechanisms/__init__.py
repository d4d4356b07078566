"""Mechanisms: pure functions over arrays with a leading world axis.

Each module implements one part of BRIEF section 3 and cites the theory it
follows. Arrays are ``(worlds, actors)`` for actor quantities and
``(worlds, actors, actors)`` for pair quantities, where ``x[w, i, j]`` is
i's quantity toward j. Behaviour parameters arrive as ``(worlds, 1)``
columns. No function reads files, draws random numbers or keeps state.
"""
