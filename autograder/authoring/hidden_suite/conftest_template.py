"""Hidden-suite set-up. Feedback only: the grade of record comes from instructor-side grading or Gradescope.

A time limit per task comes from pytest-timeout (``--timeout`` in the workflow, ``timeout`` in
pyproject.toml): an endless loop in your code fails that task's test, and the others still run.
"""
