"""Where the points of a single-bug submission are lost: per task, for reference copies with one upstream bug.

Each submission is the reference solution with ONE line changed (a realistic mistake in one task). The
graders should charge the bug to the task that holds it; a task that calls the buggy one (``uses`` in
course.yml) is graded relative to a correct upstream task (autograder.grading.dependency_answers).

    python benchmarks/points_lost_by_task.py [--seed 5] [--jobs 2]

prints, for every submission, the tasks that lost points and how many (and the total lost elsewhere).

Measured (seed 5, all assignments): before dependency answers, 15 points lost in the buggy tasks and 66 in
others (the 1.2 bug alone cost 1.4, 1.9, 1.12, 1.14, 1.16, 2.1 and 2.4); after, 15 and 3, the 3 being Task 1.2,
whose cache comes from the buggy Task 1.1 (documented in autograder/grading/dependency_answers.py).
"""

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.authoring.samples import copy_as_submission  # noqa: E402
from autograder.grading import mistakes  # noqa: E402
from autograder.grading.grade import grade_many  # noqa: E402
from autograder.grading.sandbox import Limits  # noqa: E402


@dataclass(frozen=True)
class Bug:
    name: str
    task_id: str  # the task whose function holds the bug
    file: str  # under the package root
    old: str
    new: str


BUGS = (
    Bug("rnn_step_forward_Wh_transposed", "1.1", "a1_vanilla_rnn/rnn.py",
        "h_next = np.tanh(x @ Wx + h_prev @ Wh + b)", "h_next = np.tanh(x @ Wx + h_prev @ Wh.T + b)"),
    Bug("rnn_step_backward_tanh_of_h_prev", "1.2", "a1_vanilla_rnn/rnn.py",
        "da = dh_next * (1.0 - h_next**2)", "da = dh_next * (1.0 - h_prev**2)"),
    Bug("relu_step_backward_Wh_not_transposed", "2.9", "a2_bptt_gradients/relu_rnn.py",
        "dh_prev = da @ Wh.T  # (N, H)", "dh_prev = da @ Wh  # (N, H)"),
    Bug("lstm_step_backward_drops_dc_next", "3.11", "a3_lstm/lstm.py",
        "dc = dc_next + dc_from_h", "dc = dc_from_h"),
    Bug("gru_step_backward_drops_direct_path", "4.8", "a4_gru/gru.py",
        "dh_prev = dh_direct + dah @ Wh.T", "dh_prev = dah @ Wh.T"),
    Bug("hidden_state_backward_one_minus_c_squared", "3.7", "a3_lstm/gates_backward.py",
        "dc = dh * o * (1.0 - tanh_c**2)", "dc = dh * o * (1.0 - c**2)"),
)


def write_bug(bug, root):
    """The reference copied under ``root/<bug.name>/assignments`` with the bug's one line changed; returns the path."""
    destination = root / bug.name
    copy_as_submission(mistakes.SOLUTIONS_DIR, destination)
    path = destination / "assignments" / bug.file
    text = path.read_text()
    if text.count(bug.old) != 1:
        raise ValueError(f"{bug.name}: {bug.old!r} is not exactly once in {bug.file}")
    path.write_text(text.replace(bug.old, bug.new))
    return destination


def points_lost(report):
    """{task id: points lost} of the tasks that lost points."""
    return {task.task_id: round(task.max_points - task.points, 4) for task in report.tasks
            if task.points < task.max_points}


def grade_bugs(bugs=BUGS, seed=5, jobs=2, limits=Limits(cpu_seconds=60, wall_seconds_per_request=10)):
    """[(bug, report)] of every bug's submission graded on every assignment."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = [write_bug(bug, Path(tmp)) for bug in bugs]
        reports = grade_many(paths, seed=seed, jobs=jobs, limits=limits)
    return list(zip(bugs, reports))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args(argv)
    total_own = total_elsewhere = 0.0
    for bug, report in grade_bugs(seed=options.seed, jobs=options.jobs):
        lost = points_lost(report)
        own = lost.get(bug.task_id, 0.0)
        elsewhere = sum(points for task_id, points in lost.items() if task_id != bug.task_id)
        total_own, total_elsewhere = total_own + own, total_elsewhere + elsewhere
        spread = ", ".join(f"{task_id}: -{points:g}" for task_id, points in lost.items())
        print(f"{bug.name} (bug in {bug.task_id}): lost {own:g} in {bug.task_id}, {elsewhere:g} elsewhere  [{spread}]")
    print(f"total: {total_own:g} points lost in the tasks holding the bugs, {total_elsewhere:g} in other tasks")


if __name__ == "__main__":
    main()
