"""Grading: the sandbox, grade, reports and the mistake catalogue (imports the runtime)."""
