"""Public-test set-up: task markers from course.yml, and the implementation under test.

- ``pytest -m task3_4`` runs the tests of Task 3.4; ``pytest -m a3`` those of Assignment 3.
- The code under test is the package named by ``$RNN_COURSE_IMPL``:
  ``assignments`` (your code) by default.
- Messages are in the language of ``course.yml`` (``course.language``), or ``$RNN_COURSE_LANG``.
"""

import os
from pathlib import Path

import pytest
import yaml


def find_manifest():
    for directory in Path(__file__).resolve().parents:
        if (directory / "course.yml").is_file():
            return directory / "course.yml"
    raise FileNotFoundError("course.yml not found above the tests directory")


MANIFEST = yaml.safe_load(find_manifest().read_text(encoding="utf-8"))
# Messages speak the course's language unless $RNN_COURSE_LANG says otherwise.
os.environ.setdefault("RNN_COURSE_LANG", MANIFEST["course"].get("language", "en"))
TASKS = {task["id"]: {**task, "assignment": assignment["id"]}
         for assignment in MANIFEST["assignments"] for task in assignment["tasks"]}


def task_marker(task_id):
    return "task" + task_id.replace(".", "_")


def pytest_configure(config):
    for assignment in MANIFEST["assignments"]:
        config.addinivalue_line("markers", f"{assignment['id']}: tests of assignment {assignment['id']}")
    for task_id, task in TASKS.items():
        config.addinivalue_line("markers", f"{task_marker(task_id)}: Task {task_id} ({task['function']})")


def pytest_collection_modifyitems(items):
    """Give every test of Task X.Y the marker of its assignment too."""
    by_marker = {task_marker(task_id): task["assignment"] for task_id, task in TASKS.items()}
    for item in items:
        for marker in list(item.iter_markers()):
            if marker.name in by_marker:
                item.add_marker(by_marker[marker.name])


@pytest.fixture
def task_info():
    """Look up a task of course.yml by ID."""
    return TASKS.__getitem__
