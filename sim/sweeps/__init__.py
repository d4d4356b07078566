"""Sweeps: designs over levers and uncertainties, run in chunks, analysed."""
