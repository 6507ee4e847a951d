"""Honest mistakes cost exactly their tasks, and a batch always completes.

One batch: a forgotten ``return`` in ``init_spectral_radius`` (the function returns None, a task checked by
properties), a module with a syntax error, a module that raises at import, and a complete submission. Each
report has its exact score (the manifest's points minus the tasks of the broken function or module), and the
complete one gets full marks, as when graded alone.
"""

import re

from autograder.grading import reports
from autograder.grading.grade import grade_many

from .submissions import FAST, SEED, SOLUTIONS, edit, grade_alone, points, reference, tasks_where


def importers(module):
    """Reference modules that import ``module`` (relatively, from any package): guards the exact scores."""
    pattern = re.compile(rf"^from \.+(\w+\.)?{module} import", re.M)
    return [path.relative_to(SOLUTIONS).as_posix() for path in SOLUTIONS.rglob("*.py") if pattern.search(path.read_text())]


def missing_return(root):
    [task] = tasks_where(lambda task: task.function == "init_spectral_radius")
    edit(root, f"{task.package}/{task.file}", "    return G * (radius / rho)\n", "    W = G * (radius / rho)\n")
    return [task.id]


def syntax_error(root):
    edit(root, "a1_vanilla_rnn/architectures.py", "import numpy as np\n", "import numpy as np\ndef broken(:\n")
    assert importers("architectures") == []
    return [task.id for task in tasks_where(lambda task: task.file == "architectures.py")]


def import_time_error(root):
    edit(root, "a3_lstm/lstm.py", "import numpy as np\n", "import numpy as np\nraise RuntimeError('half-done')\n")
    assert importers("lstm") == []
    return [task.id for task in tasks_where(lambda task: task.assignment_id == "a3" and task.file == "lstm.py")]


def test_a_batch_of_honest_mistakes_completes_with_exact_scores(tmp_path):
    paths, expected = [], []
    for mistake in (missing_return, syntax_error, import_time_error):
        root = reference(tmp_path / mistake.__name__)
        lost = mistake(root)
        assert lost and all(solution_calls_only_itself(task_id) for task_id in lost)
        paths.append(root)
        expected.append(points(without=lost))
    complete = reference(tmp_path / "complete")
    batch = grade_many([*paths, complete], seed=SEED, jobs=2, limits=FAST)
    assert [report.points for report in batch] == [*expected, points()]
    alone = grade_alone(complete, None)
    assert [(t.task_id, t.points) for t in batch[-1].tasks] == [(t.task_id, t.points) for t in alone.tasks]
    [spectral] = [t for t in batch[0].tasks if t.function == "init_spectral_radius"]
    assert spectral.points == 0 and reports.task_messages(spectral)  # says why, instead of stopping the batch


def solution_calls_only_itself(task_id):
    """No other reference function calls the function of ``task_id`` (so only that task can lose points)."""
    [task] = tasks_where(lambda t: t.id == task_id)
    callers = [path for path in SOLUTIONS.rglob("*.py")
               if f"{task.function}(" in path.read_text() and path.name != task.file]
    return not callers
