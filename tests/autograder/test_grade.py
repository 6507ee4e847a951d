"""The hidden graders: scores, isolation against hostile code, partial credit, hints, batch grading."""

import json
import zipfile
from pathlib import Path

import pytest

from autograder.grading import mistakes, reports
from autograder.grading.grade import SubmissionError, grade_many, grade_submission, open_submission
from autograder.runtime.manifest import load_manifest
from autograder.grading.sandbox import Limits, run_requests
from autograder.runtime import harness
from autograder.runtime.problems import Problem
from autograder.authoring.samples import copy_as_submission

FAST = Limits(cpu_seconds=20, wall_seconds_per_request=5)
HANG = Limits(cpu_seconds=20, wall_seconds_per_request=1)
RNN_FILE = "a1_vanilla_rnn/rnn.py"
STEP_LINE = "    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)  # (N, H)\n"


@pytest.fixture(scope="module")
def reference_submission(tmp_path_factory):
    root = tmp_path_factory.mktemp("reference")
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    return root


def hostile(tmp_path, extra_line, file=RNN_FILE, anchor=STEP_LINE):
    """The reference with one line of hostile code inserted after ``anchor`` (Task 1.1's body)."""
    root = tmp_path / "hostile"
    copy_as_submission(mistakes.SOLUTIONS_DIR, root)
    path = root / "assignments" / file
    text = path.read_text()
    assert text.count(anchor) == 1
    path.write_text(text.replace(anchor, anchor + extra_line))
    return root


def a1_report(path, limits=FAST):
    return grade_submission(path, assignment_ids=["a1"], seed=7, limits=limits)


def task(report, task_id):
    return next(t for t in report.tasks if t.task_id == task_id)


def messages(task_result):
    """The task's failures as the reports render them (English)."""
    return reports.task_messages(task_result, "en")


def test_reference_scores_full_marks_and_records_the_seed(reference_submission):
    report = grade_submission(reference_submission, seed=11, limits=FAST)
    assert report.points == report.max_points == sum(t.points for t in load_manifest().tasks)
    assert report.seed == 11
    assert all(t.passed and t.max_error < 1e-12 for t in report.tasks)


def test_inputs_are_fresh_per_run_unless_seeded(reference_submission):
    first = grade_submission(reference_submission, assignment_ids=["a4"], limits=FAST)
    second = grade_submission(reference_submission, assignment_ids=["a4"], limits=FAST)
    assert first.seed != second.seed


def test_stubs_score_zero_with_task_messages(sample_submissions):
    report = grade_submission(sample_submissions / "empty", assignment_ids=["a3"], seed=1, limits=FAST)
    assert report.points == 0
    assert messages(task(report, "3.1")) == ["not implemented (Task 3.1: input_gate)"]
    assert "uses Task 3.10 (lstm_step_forward)" in messages(task(report, "3.11"))[0]
    assert {found.code for found in task(report, "3.11").problems} == {"grade.uses_unimplemented"}


@pytest.mark.parametrize("name,line,message", [
    ("os._exit", "    import os; os._exit(3)\n", "ended the process with exit code 3"),
    ("sys.exit", "    import sys; sys.exit(0)\n", "called sys.exit(0)"),
    ("infinite loop", "    while True: pass\n", "did not finish within 1 s"),
    ("huge stdout", "    print('x' * 10**6 * 20)\n", "File too large"),
    ("memory hog", "    big = np.ones(10**10)\n", "MemoryError"),
    ("reads the reference", "    import solutions\n", "No module named 'solutions'"),
    ("reads the grader", "    import autograder\n", "No module named 'autograder'"),
    ("NaN output", "    h_next = h_next * np.nan\n", "contains NaN or inf"),
    ("float32 output", "    h_next = h_next.astype(np.float32)\n", "dtype float32, expected float64"),
    ("wrong shape", "    h_next = h_next[:, :1]\n", "has shape"),
    ("argument mutation", "    x *= 2\n", "argument 'x' was modified in place"),
    ("raises", "    raise ValueError('oops')\n", "ValueError: oops"),
])
def test_hostile_code_costs_only_its_task(tmp_path, name, line, message):
    report = a1_report(hostile(tmp_path, line), HANG if name == "infinite loop" else FAST)
    broken = task(report, "1.1")
    assert broken.points == 0, name
    assert any(message in text for text in messages(broken)), (name, messages(broken))
    # tasks that do not run the broken function keep their points
    for other in ("1.5", "1.6", "1.7"):
        assert task(report, other).passed, (name, other, messages(task(report, other)))


def test_syntax_error_costs_that_modules_tasks_only(tmp_path):
    report = a1_report(hostile(tmp_path, "    def (\n"))
    for task_id in ("1.1", "1.2", "1.3", "1.4"):
        assert task(report, task_id).points == 0
        assert any("SyntaxError" in m for m in messages(task(report, task_id)))
    assert task(report, "1.5").passed and task(report, "1.7").passed  # output_layers.py does not import rnn.py


def test_import_time_error_costs_that_modules_tasks_only(tmp_path):
    root = hostile(tmp_path, "", anchor="import numpy as np\n")
    path = root / "assignments" / RNN_FILE
    path.write_text(path.read_text().replace("import numpy as np\n", "import numpy as np\nraise RuntimeError('boom')\n"))
    report = a1_report(root)
    assert all(task(report, t).points == 0 for t in ("1.1", "1.2", "1.3", "1.4"))
    assert any("RuntimeError: boom" in m for m in messages(task(report, "1.1")))
    assert task(report, "1.5").passed


def test_crash_in_import_at_exit_time_is_contained(tmp_path):
    root = hostile(tmp_path, "", anchor="import numpy as np\n")
    path = root / "assignments" / RNN_FILE
    path.write_text(path.read_text().replace("import numpy as np\n", "import numpy as np\nimport os; os._exit(1)\n"))
    report = a1_report(root)
    assert task(report, "1.1").points == 0
    assert task(report, "1.5").passed


def test_backward_graded_through_the_students_own_cache(tmp_path):
    root = hostile(tmp_path, "", anchor="    cache = (x, h_prev, Wx, Wh, h_next)\n")
    path = root / "assignments" / RNN_FILE
    text = path.read_text()
    text = text.replace("    cache = (x, h_prev, Wx, Wh, h_next)\n", "    cache = {'h': h_next, 'x': x, 'hp': h_prev, 'Wx': Wx, 'Wh': Wh}\n")
    text = text.replace("    x, h_prev, Wx, Wh, h_next = cache\n",
                        "    x, h_prev, Wx, Wh, h_next = cache['x'], cache['hp'], cache['Wx'], cache['Wh'], cache['h']\n")
    text = text.replace("D = step_caches[0][0].shape[1]", "D = step_caches[0]['x'].shape[1]")
    path.write_text(text)
    report = a1_report(root)
    assert report.points == report.max_points


def test_partial_credit_and_catalogue_hint_for_a_mutant(tmp_path):
    mistake = next(m for m in mistakes.CATALOGUE if m.id == "bptt_no_future_gradient")
    mistakes.write_mutant_tree(mistake, tmp_path / "sub" / "assignments")
    report = a1_report(tmp_path / "sub")
    backward = task(report, "1.4")
    assert 0 < backward.points < backward.max_points  # the T = 1 shape has no future: that check passes
    assert reports.task_hints(backward)[0] == mistake.hint
    assert [m.id for m in backward.mistakes] == ["bptt_no_future_gradient"]
    assert task(report, "1.3").passed


def test_a_wrong_gradient_is_named_by_a_third_round_of_the_same_child(tmp_path, monkeypatch):
    """The joint losses of the gradient check disagree with a wrong gradient: the per-input losses, asked of the
    child that ran the calls (it waits), name it; no other child starts (A1 has no regrade for Task 1.2)."""
    root = hostile(tmp_path, "", anchor="    db = da.sum(axis=0)  # (H,)\n")
    path = root / "assignments" / RNN_FILE
    text = path.read_text().replace("    db = da.sum(axis=0)  # (H,)\n", "    db = 1.01 * da.sum(axis=0)  # (H,)\n")
    path.write_text(text)
    import subprocess

    from autograder.grading import sandbox
    from autograder.runtime import gradient_check

    started, moved = [], []
    popen = subprocess.Popen
    loss_points = gradient_check.loss_points
    monkeypatch.setattr(gradient_check, "loss_points",
                        lambda args, found, *a: moved.append(len(found[0].pairs)) or loss_points(args, found, *a))
    monkeypatch.setattr(sandbox.subprocess, "Popen", lambda command, *a, **k: started.append(
        any(str(part).endswith("sandbox_child.py") for part in command)) or popen(command, *a, **k))
    report = grade_submission(root, assignment_ids=["a1"], seed=7, limits=FAST, task_ids=["1.2"])
    gradient = [check for check in task(report, "1.2").checks if check.kind == "gradient"]
    assert sum(started) == 1
    assert moved == [5] * len(gradient) + [1] * len(gradient)  # every input at once, then one at a time
    assert [[(p.code, p.fields["name"]) for p in check.problems] for check in gradient] == \
        [[("gradient.mismatch", "db")]] * len(gradient)


def test_zip_submission_and_unreadable_ones(tmp_path, reference_submission):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (reference_submission / "assignments").rglob("*.py"):
            zf.write(path, Path("alice-repo") / path.relative_to(reference_submission))
    with open_submission(archive) as intake:
        assert intake.student == "alice" and (intake.package_dir / "__init__.py").is_file()
        assert intake.package_dir.name == "assignments" and intake.graded == "alice.zip/alice-repo/assignments"
    (tmp_path / "notes.txt").write_text("not a submission")
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(SubmissionError, match="not a directory or a zip"):
        with open_submission(tmp_path / "notes.txt"):
            pass
    results = grade_many([archive, tmp_path / "empty_dir", tmp_path / "missing"], assignment_ids=["a2"], seed=3,
                         jobs=2, limits=FAST)
    assert results[0].points == results[0].max_points
    assert results[1].points == 0 and "no 'assignments/' package" in messages(results[1].tasks[0])[0]
    assert results[2].points == 0 and "no such file" in messages(results[2].tasks[0])[0]
    assert results[2].tasks[0].problems[0].code == "grade.unreadable"
    assert results[2].tasks[0].problems[0].fields["error"]["code"] == "grade.not_found"


def test_zip_with_path_traversal_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../escape.py", "x = 1\n")
    with pytest.raises(SubmissionError, match="unsafe path"):
        with open_submission(archive):
            pass


def test_child_cannot_make_the_grader_unpickle(tmp_path, reference_submission):
    """Results come back as a JSON header and raw numeric arrays, without pickles; an object array is refused."""
    root = hostile(tmp_path, "    h_next = np.array([object()] * h_next.size, dtype=object)\n")
    args = {"x": np.ones((1, 2)), "h_prev": np.ones((1, 2)), "Wx": np.eye(2), "Wh": np.eye(2), "b": np.zeros(2)}
    outcome = run_requests(root, [{"kind": "call", "task_id": "1.1", "args": args}], FAST)[0]
    assert outcome.status == "ok" and outcome.outputs["h_next"].dtype == object  # a placeholder, never unpickled
    assert set(outcome.args_after) == set(args)
    spec = harness.all_specs()["1.1"]
    problems = harness.check_outputs(spec, outcome.outputs, {"h_next": np.ones((1, 2))}, 1e-8)
    assert problems == [Problem("output.not_numeric", {"name": "h_next"})]
    assert "output 'h_next' is not a numeric array" in messages(a1_report(root).tasks[0])


def test_report_formats(reference_submission, tmp_path):
    report = grade_submission(reference_submission, assignment_ids=["a4"], seed=5, limits=FAST)
    results = reports.gradescope(report, execution_time=1.5)
    assert results["score"] == report.points
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
    json.dumps(results)
    rows = reports.csv_rows([report]).splitlines()
    assert rows[0].startswith("student,seed,task 4.1") and rows[1].startswith(f"{report.student},5,")
    a4 = f"{load_manifest().assignment('a4').points:g}"
    assert rows[1].endswith(f",{a4},{a4},{a4}")  # the reference: full marks on a4, the total, the maximum
    assert f"# Feedback for {report.student}" in reports.markdown(report)
    assert "Task" not in reports.text(report).splitlines()[0]
    assert json.loads(reports.to_json([report]))[0]["points"] == report.points


import numpy as np  # noqa: E402  (used by the hostile fixtures above)
