"""Scenario and calibration files: schema, loading, validation and errors."""
