"""Instructor tooling of the RNN course: one module per verb behind the ``course`` CLI."""
