"""Hidden-suite set-up: a time limit per test (a signal alarm; the runner is Linux).

Feedback only: the grade of record comes from instructor-side grading or Gradescope.
"""

import signal

import pytest

SECONDS_PER_TASK = 120


class TaskTimeout(Exception):
    """A task's code ran longer than SECONDS_PER_TASK."""


@pytest.fixture(autouse=True)
def time_limit():
    def expire(signum, frame):
        raise TaskTimeout(f"took longer than {SECONDS_PER_TASK} s (an endless loop?)")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(SECONDS_PER_TASK)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
