"""Provided helpers shared by every assignment (not student work)."""
