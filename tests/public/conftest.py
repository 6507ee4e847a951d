"""Public-test set-up: task markers from course.yml, and the implementation under test.

- ``pytest -m task3_4`` runs the tests of Task 3.4; ``pytest -m a3`` those of Assignment 3.
- The code under test is the package named by ``$RNN_COURSE_IMPL``:
  ``assignments`` (your code) by default.
- Messages are in the language of ``course.yml`` (``course.language``), or ``$RNN_COURSE_LANG``.
"""

import os
from pathlib import Path

from autograder.runtime import harness
from autograder.runtime.manifest import find_manifest, load_manifest
from autograder.runtime.messages import LANG_ENV

MANIFEST_PATH = find_manifest(Path(__file__).resolve().parent)
# The manifest's files and functions are checked against the package under test.
MANIFEST = load_manifest(MANIFEST_PATH, solutions_dir=MANIFEST_PATH.parent / harness.implementation_package())
# Messages speak the course's language unless $RNN_COURSE_LANG says otherwise.
os.environ.setdefault(LANG_ENV, MANIFEST.language)
TASKS = {task.id: task for task in MANIFEST.tasks}
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def pytest_configure(config):
    for assignment in MANIFEST.assignments:
        config.addinivalue_line("markers", f"{assignment.id}: tests of assignment {assignment.id}")
    for task in MANIFEST.tasks:
        config.addinivalue_line("markers", f"{task.marker}: Task {task.id} ({task.function})")


def pytest_collection_modifyitems(items):
    """Give every test of Task X.Y the marker of its assignment too."""
    by_marker = {task.marker: task.assignment_id for task in MANIFEST.tasks}
    for item in items:
        for marker in list(item.iter_markers()):
            if marker.name in by_marker:
                item.add_marker(by_marker[marker.name])
