"""A student module that hangs, crashes or exits at import costs one timeout for the submission, not one per task,
and its tasks' reports say that the module could not be imported, and why (en and ko)."""

import pytest

from autograder.grading import grade, mistakes, reports
from autograder.grading.grade import grade_submission
from autograder.grading.sandbox import Limits, Timeouts
from autograder.authoring.samples import copy_as_submission

WALL = 2.0
LIMITS = Limits(cpu_seconds=20, wall_seconds_per_request=WALL)
RNN_TASKS = ("1.1", "1.2", "1.3", "1.4")  # a1_vanilla_rnn/rnn.py
IMPORTERS = ("1.8", "1.11")  # char_lm.py and architectures.py import rnn.py


def submission(tmp_path, file, line):
    """The reference with ``line`` run at import of ``file``, just after its ``import numpy as np``."""
    root = tmp_path / "sub"
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    path = root / "assignments" / file
    text = path.read_text()
    assert text.count("import numpy as np\n") == 1
    path.write_text(text.replace("import numpy as np\n", "import numpy as np\n" + line, 1))
    return root


@pytest.fixture
def timeouts(monkeypatch):
    """The Timeouts of every submission graded in the test: their ``count`` is the number of timeouts."""
    made = []

    class Counted(Timeouts):
        def __init__(self, limits):
            super().__init__(limits)
            made.append(self)

    monkeypatch.setattr(grade, "Timeouts", Counted)
    return made


def tasks(report):
    return {t.task_id: t for t in report.tasks}


@pytest.mark.parametrize("line,reason_en,reason_ko", [
    ("while True: pass\n", "did not finish within 2 s", "2"),
    ("import time; time.sleep(60)\n", "did not finish within 2 s", "2"),
    ("import os; os._exit(4)\n", "exit code 4", "4"),
    ("import sys; sys.exit(3)\n", "sys.exit(3)", "sys.exit(3)"),
])
def test_import_failure_costs_one_timeout_and_says_why(tmp_path, timeouts, line, reason_en, reason_ko):
    root = submission(tmp_path, "a1_vanilla_rnn/rnn.py", line)
    report = grade_submission(root, assignment_ids=["a1"], seed=3, limits=LIMITS)
    # one timeout for the submission (not one per task of rnn.py and of the modules that import it)
    assert [t.count for t in timeouts] == [1 if "within" in reason_en else 0]
    by_id = tasks(report)
    for task_id in RNN_TASKS:
        assert by_id[task_id].points == 0
        [code] = {found.code for found in by_id[task_id].problems}
        assert code == "import.failed", (task_id, by_id[task_id].problems)
        en = reports.task_messages(by_id[task_id], "en")[0]
        assert en.startswith("module a1_vanilla_rnn/rnn.py could not be imported") and reason_en in en, en
        ko = reports.task_messages(by_id[task_id], "ko")[0]
        assert "a1_vanilla_rnn/rnn.py" in ko and "import할 수 없어서" in ko and reason_ko in ko, ko
    if "within" in reason_en:  # the modules that import rnn.py blame it, without a timeout of their own
        for task_id in IMPORTERS:
            text = reports.task_messages(by_id[task_id], "en")[0]
            assert "could not be imported" in text and "importing a1_vanilla_rnn/rnn.py failed" in text, text
    # modules that do not import rnn.py keep their points
    assert by_id["1.5"].passed and by_id["1.6"].passed and by_id["1.7"].passed
