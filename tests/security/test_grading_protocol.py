"""The grading protocol: the student's process returns arrays, the grader decides; checks are data with codes.

- a NaN (or otherwise non-finite) backward fails its gradient checks (NaN never passes a comparison);
- patching numpy or the copied harness inside the student's process cannot raise a score;
- bad outputs (None from a property task) and forged result files cost only their own check;
- an exception in the grader costs one check ("grade.internal_error") or one submission ("grade.failed");
- messages never show paths outside the submission;
- the JSON report carries each problem's code and fields; ``course check`` decides by codes, so it passes in Korean.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from autograder.authoring.check import stub_problems
from autograder.authoring.samples import copy_as_submission
from autograder.grading import grade, mistakes, reports
from autograder.grading.grade import grade_many, grade_submission
from autograder.grading.sandbox import Limits
from autograder.runtime import gradient_check, harness
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.runtime.messages import LANG_ENV
from autograder.runtime.problems import problem

FAST = Limits(cpu_seconds=20, wall_seconds_per_request=5)
RNN = "a1_vanilla_rnn/rnn.py"
STEP_BACKWARD_RETURN = "    return dx, dh_prev, dWx, dWh, db\n"
NAN_GRADIENTS = "    dx, dh_prev, dWx, dWh, db = (g * np.nan for g in (dx, dh_prev, dWx, dWh, db))\n"


def edited(root, file, old, new, source=mistakes.SOLUTIONS_DIR):
    """A copy of ``source`` as a submission at ``root`` with ``old`` replaced once by ``new`` in ``file``."""
    copy_as_submission(source, root)
    path = root / "assignments" / file
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    return root


def task(report, task_id):
    return next(t for t in report.tasks if t.task_id == task_id)


def codes(task_result, kind=None):
    return {found.code for check in task_result.checks if kind in (None, check.kind) for found in check.problems}


def a1(path):
    return grade_submission(path, assignment_ids=["a1"], seed=7, limits=FAST)


def test_a_nan_backward_scores_zero_on_its_gradient_checks(tmp_path):
    report = a1(edited(tmp_path / "nan", RNN, STEP_BACKWARD_RETURN, NAN_GRADIENTS + STEP_BACKWARD_RETURN))
    backward = task(report, "1.2")
    gradient_checks = [check for check in backward.checks if check.kind == "gradient"]
    assert len(gradient_checks) == len(grade.GRADER_DIMS) and not any(check.passed for check in gradient_checks)
    assert codes(backward, "gradient") == {"gradient.nonfinite"}
    assert backward.points == 0
    assert task(report, "1.1").passed  # the forward is untouched


def test_the_gradient_check_fails_on_nan_inf_and_huge_values_in_this_process():
    """The same check the public tests run: NaN or inf in gradients or losses is a failure, never a pass."""
    spec = harness.all_specs()["1.2"]
    load = harness.make_loader("solutions")
    args = spec.inputs(np.random.default_rng(0), N=2, T=1, D=3, H=4)
    outputs, _ = harness.run_case(spec, load, args)
    found = gradient_check.probes(spec, args, np.random.default_rng(1))
    losses = gradient_check.evaluate_losses(spec, load, args, gradient_check.loss_points(args, found))
    assert gradient_check.gradient_problems_from_losses(spec, args, outputs, found, losses, 1e-6) == []
    for bad in (np.nan, np.inf, 1e200):
        broken = {**outputs, "dWx": outputs["dWx"] * bad}
        assert gradient_check.gradient_problems_from_losses(spec, args, broken, found, losses, 1e-6) == [
            problem("gradient.nonfinite", name="dWx")]
    nan_losses = losses.copy()
    nan_losses[0] = np.nan
    assert [p.code for p in gradient_check.gradient_problems_from_losses(
        spec, args, outputs, found, nan_losses, 1e-6)] == ["gradient.loss_nonfinite"]
    wrong = {**outputs, "db": outputs["db"] * 1.01}
    assert [p.code for p in gradient_check.gradient_problems_from_losses(spec, args, wrong, found, losses, 1e-6)] \
        == ["gradient.mismatch"]


PATCHES = """
import sys
import numpy
numpy.linalg.norm = lambda *a, **k: 0.0
numpy.isfinite = lambda x, *a, **k: numpy.ones(numpy.shape(x), dtype=bool)
numpy.allclose = lambda *a, **k: True
harness = sys.modules.get("course_cases.harness")
if harness is not None:
    harness.check_outputs = lambda *a, **k: []
    harness.mutation_problems = lambda *a, **k: []
    harness.rel_error = lambda *a, **k: 0.0
"""


def test_patching_numpy_or_the_harness_in_the_child_does_not_raise_a_score(tmp_path, sample_submissions):
    nan = edited(tmp_path / "nan", RNN, STEP_BACKWARD_RETURN, NAN_GRADIENTS + STEP_BACKWARD_RETURN)
    patched = edited(tmp_path / "patched", RNN, STEP_BACKWARD_RETURN, NAN_GRADIENTS + STEP_BACKWARD_RETURN)
    init = patched / "assignments" / "a1_vanilla_rnn" / "__init__.py"
    init.write_text(init.read_text() + PATCHES)
    honest, cheating = a1(nan), a1(patched)
    assert task(cheating, "1.2").points == task(honest, "1.2").points == 0
    assert cheating.points <= honest.points
    stub = tmp_path / "stub"
    copy_as_submission(sample_submissions / "empty" / "assignments", stub)
    init = stub / "assignments" / "a1_vanilla_rnn" / "__init__.py"
    init.write_text(init.read_text() + PATCHES)
    assert a1(stub).points == 0


def test_a_property_task_returning_none_costs_only_that_task(tmp_path):
    root = edited(tmp_path / "none", "a2_bptt_gradients/initializers.py", "    return G * (radius / rho)\n",
                  "    W = G * (radius / rho)\n")
    report = grade_submission(root, assignment_ids=["a2"], seed=3, limits=FAST)
    broken = task(report, "2.5")
    assert broken.points == 0 and codes(broken) == {"output.not_numeric"}
    assert all(t.passed for t in report.tasks if t.task_id != "2.5")


def test_an_exception_in_a_check_costs_that_check_only(tmp_path, monkeypatch, capsys, sample_submissions):
    spec = harness.all_specs()["2.6"]

    def broken_properties(args, outputs):
        raise KeyError("W")

    monkeypatch.setitem(harness.REGISTRY, "2.6", type(spec)(**{**spec.__dict__, "properties": broken_properties}))
    report = grade_submission(sample_submissions / "complete", assignment_ids=["a2"], seed=3,
                              limits=FAST)
    assert codes(task(report, "2.6")) == {"grade.internal_error"} and task(report, "2.6").points == 0
    assert all(t.passed for t in report.tasks if t.task_id != "2.6")
    assert "KeyError" in capsys.readouterr().err  # the instructor gets the traceback, the student does not
    assert "KeyError" not in " ".join(reports.task_messages(task(report, "2.6")))


FORGE = """
    import json, os
    results = os.path.join(os.path.dirname(os.getcwd()), "results")
    if os.path.exists(os.path.join(results, "7.result")):
        def replace(name):
            path = os.path.join(results, name)
            if os.path.lexists(path):
                os.remove(path)
            return path
        def result(header, tail=b""):
            data = json.dumps(header).encode()
            return b"RNNRES1\\n" + len(data).to_bytes(4, "little") + data + tail
        ok = {"status": "ok", "error": None, "not_numeric": []}
        open(replace("0.result"), "wb").write(b"{not a result")
        open(replace("1.result"), "wb").write(result({"record": ok, "arrays": [["out:grads.Wx", "|O", False, [1]]]},
                                                     b"12345678"))
        open(replace("2.result"), "wb").write(result({"record": ok, "arrays": [], "x": "y" * 5 * 10**6}))
        open(replace("3.result"), "wb").write(result({"record": [1, 2], "arrays": []}))
        os.symlink("/etc/passwd", replace("4.result"))
        os.mkfifo(replace("5.result"))
        open(replace("6.result"), "wb").write(result({"record": ok, "arrays": [["out:grads.Wx", "<f8", False, [10**6]]]}))
        open(replace("7.result"), "wb").write(b"RNNRES1\\n" + (9).to_bytes(4, "little") + b"{not json")
"""
CLIP_VALUE_RETURN = ("    return {k: np.clip(np.asarray(g, dtype=np.float64), -clip_value, clip_value) "
                     "for k, g in grads.items()}\n")


def test_forged_result_files_cost_only_their_requests(tmp_path, capsys):
    """Task 2.3's code overwrites the results of requests 0-7: Task 2.1's four calls and Task 2.2's four.

    Not a result file, an object dtype, a 5 MB header, a record that is a JSON list, a symlink to /etc/passwd,
    a FIFO, an array that declares more bytes than the file holds and a header that is not JSON: each costs its
    own check, none stops the grader, nothing of them reaches the report.
    """
    root = edited(tmp_path / "forger", "a2_bptt_gradients/clipping.py", CLIP_VALUE_RETURN, FORGE + CLIP_VALUE_RETURN)
    report = grade_submission(root, assignment_ids=["a2"], seed=7, limits=FAST)
    forged = task(report, "2.2")
    assert forged.points == 0 and not any(check.passed for check in forged.checks)
    # a link or FIFO in results/ is removed by the sandbox session before the grader reads (bubblewrap):
    # that request then has no result at all, as if the child had ended early (crash.exit_zero)
    assert codes(forged) <= {"result.malformed", "crash.exit_zero"}
    # Task 2.1 (not a result, an object dtype, a 5 MB header, a list record) uses Tasks 1.3-1.7: after its forged first run it is graded
    # again with those answered by the grader (dependency_regrade), in a child where Task 2.3's code never runs;
    # that honest run is the one that counts
    rerun = task(report, "2.1")
    assert any(note.code == "dependency.answered" for note in rerun.notes) and "result.malformed" not in codes(rerun)
    assert all(t.passed for t in report.tasks if t.task_id not in ("2.1", "2.2"))
    assert "root:" not in reports.to_json([report])  # nothing of /etc/passwd reaches a report
    assert "malformed" in capsys.readouterr().err


def test_messages_hold_no_path_outside_the_submission(tmp_path):
    line = "    open('/nonexistent/grader/secret.txt')\n"
    anchor = "    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)  # (N, H)\n"
    report = a1(edited(tmp_path / "paths", RNN, anchor, anchor + line))
    found = task(report, "1.1").problems[0]
    assert found.code == "grade.exception_at"
    assert "<path>" in found.fields["message"] and "/nonexistent" not in json.dumps(found.fields)
    assert found.fields["where"].startswith("assignments/a1_vanilla_rnn/rnn.py:")  # relative to the submission
    assert str(tmp_path) not in json.dumps(json.loads(reports.to_json([report]))[0]["tasks"])  # the student's part


def test_one_failing_submission_does_not_stop_the_batch(tmp_path, monkeypatch, capsys, sample_submissions):
    real = grade.grade_submission

    def sometimes_broken(path, *args, **kwargs):
        if path.name == "broken":
            raise RuntimeError("grader bug")
        return real(path, *args, **kwargs)

    broken = tmp_path / "broken"
    copy_as_submission(sample_submissions / "empty" / "assignments", broken)
    monkeypatch.setattr(grade, "grade_submission", sometimes_broken)
    results = grade_many([broken, sample_submissions / "complete"], assignment_ids=["a4"],
                         seed=2, jobs=2, limits=FAST)
    assert results[0].points == 0 and all(codes(t) == {"grade.failed"} for t in results[0].tasks)
    assert results[1].points == results[1].max_points
    assert "grader bug" in capsys.readouterr().err
    assert "grader bug" not in reports.to_json(results)


def test_json_report_carries_codes_and_fields_beside_the_text(sample_submissions):
    report = grade_submission(sample_submissions / "empty", assignment_ids=["a1"], seed=1, limits=FAST)
    data = json.loads(reports.to_json([report], lang="ko"))[0]
    first = data["tasks"][0]
    check = first["checks"][0]
    assert check["kind"] == "values" and check["dims"] == {"N": 1, "T": 1, "D": 3, "H": 2} and not check["passed"]
    assert check["problems"] == [{"code": "grade.not_implemented",
                                  "fields": {"message": "Task 1.1: rnn_step_forward"},
                                  "text": "구현되지 않음 (Task 1.1: rnn_step_forward)"}]
    assert check["detail"] == check["problems"][0]["text"]
    texts = load_manifest().task("1.1").texts["hint"]
    assert first["hint_codes"] == [{"code": "task.hint", "fields": {"task_id": "1.1", "texts": texts}}]


def test_stubs_pass_the_course_check_in_korean(monkeypatch, sample_submissions):
    """``course check`` decides by codes: Korean messages do not turn the stubs into problems."""
    monkeypatch.setenv(LANG_ENV, "ko")
    report = grade_submission(sample_submissions / "empty", seed=4, limits=FAST)
    assert stub_problems(report) == []
    assert reports.task_messages(report.tasks[0])[0].startswith("구현되지 않음")


@pytest.mark.slow
def test_course_check_cli_passes_in_korean():
    env = {**os.environ, LANG_ENV: "ko", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-m", "autograder.authoring.cli", "check", "--seed", "5",
                             "--assignment", "a1"], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("line,passed,code", [
    ("    h_next = h_next.tolist()\n", True, None),  # a list of numbers is converted
    ("    h_next = list(h_next)\n", True, None),  # so is a list of arrays that make one array (issue 12, part 4)
    ("    h_next = [h_next, h_next[:, :1]]\n", False, "output.not_array"),  # a ragged one is reported
])
def test_lists_are_converted_when_they_hold_numbers(tmp_path, line, passed, code):
    anchor = "    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)  # (N, H)\n"
    report = a1(edited(tmp_path / "lists", RNN, anchor, anchor + line))
    assert task(report, "1.1").passed == passed
    if code:
        assert codes(task(report, "1.1")) == {code}
        assert "is a list or tuple of 2 items" in reports.task_messages(task(report, "1.1"), "en")[0]
