"""The public checks of a task (autograder/runtime/public_checks.py) and the notebooks' self-check built on them.

The reference passes every task's public checks; a stub is "not implemented"; a
catalogued mistake fails the public checks of its own task while the tasks that do
not use that task still pass; ``check_tasks`` prints a line per task and raises
AssertionError naming exactly the failing tasks; an exception of the student's code is
reported with its type and message, without a traceback.
"""

import types

import pytest

from autograder.authoring.public_fixtures import FIXTURES_DIR
from autograder.grading import mistakes
from autograder.runtime import harness, public_checks
from autograder.runtime.manifest import load_manifest
from autograder.runtime.messages import t
from autograder.runtime.notebook_self_check import check_tasks, task_line

MANIFEST = load_manifest()
TASK_IDS = [task.id for task in MANIFEST.tasks]
REFERENCE = harness.make_loader("solutions")
STUBS = harness.make_loader("assignments")
MISTAKE = next(mistake for mistake in mistakes.CATALOGUE if mistake.id == "bptt_no_future_gradient")


def unwrapped(message):
    """The lines of a self-check's AssertionError before wrapping (a continuation line starts with 4 spaces)."""
    lines = []
    for line in filter(None, message.splitlines()):
        if line.startswith("    ") and lines:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return lines


def users_of(task_id):
    """The tasks whose function uses ``task_id``'s, directly or through other tasks (course.yml ``uses``)."""
    users, changed = {task_id}, True
    while changed:
        changed = False
        for task in MANIFEST.tasks:
            if task.id not in users and users & set(task.uses):
                users.add(task.id)
                changed = True
    return users


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_the_reference_passes_every_public_check(task_id):
    assert public_checks.public_checks(task_id), f"Task {task_id} has no public check"
    assert public_checks.task_problems(task_id, REFERENCE, FIXTURES_DIR) == []


def test_every_task_has_the_checks_of_its_spec():
    for task_id, spec in harness.all_specs().items():
        kinds = {kind for kind, _ in public_checks.public_checks(task_id)}
        if spec.properties is not None:
            assert kinds == {public_checks.PROPERTY}, task_id
        else:
            assert public_checks.FIXTURE in kinds, task_id
            assert (public_checks.GRADIENT in kinds) == (spec.grad_checks is not None), task_id


def test_a_stub_is_not_implemented_and_its_users_say_which_task_to_do_first():
    with pytest.raises(NotImplementedError, match=r"^Task 1\.1: rnn_step_forward$"):
        public_checks.task_problems("1.1", STUBS, FIXTURES_DIR)
    with pytest.raises(NotImplementedError) as raised:
        public_checks.task_problems("1.2", STUBS, FIXTURES_DIR)  # its gradient check runs Task 1.1's forward
    assert public_checks.other_task_not_implemented("1.2", raised.value) == "1.1"
    assert str(raised.value) == t("test.implement_first", error="Task 1.1: rnn_step_forward",
                                  header=public_checks.header("1.2"), other="1.1")


def test_a_mistake_fails_its_own_task_and_no_task_that_does_not_use_it():
    load = harness.make_loader(mistakes.mutant_package(MISTAKE))
    assignment = MANIFEST.assignment(MANIFEST.task(MISTAKE.task_id).assignment_id)
    failing = {task.id for task in assignment.tasks if public_checks.task_problems(task.id, load, FIXTURES_DIR)}
    assert MISTAKE.task_id in failing
    assert failing <= users_of(MISTAKE.task_id), failing - users_of(MISTAKE.task_id)
    codes = {found.code for found in public_checks.task_problems(MISTAKE.task_id, load, FIXTURES_DIR)}
    assert codes & {"output.differs", "gradient.mismatch"}, codes


def test_check_tasks_prints_a_line_per_task_and_passes_on_the_reference(capsys):
    check_tasks("1.1", "1.2", "1.3", "1.4", package="solutions", fixtures_dir=FIXTURES_DIR)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [t("selfcheck.passes", header=public_checks.header(task_id))
                       for task_id in ("1.1", "1.2", "1.3", "1.4")]


def test_check_tasks_names_every_failing_task_once(capsys):
    package = mistakes.mutant_package(MISTAKE)
    with pytest.raises(AssertionError) as raised:
        check_tasks("1.1", "1.2", "1.3", "1.4", package=package, fixtures_dir=FIXTURES_DIR)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4
    assert printed[:3] == [t("selfcheck.passes", header=public_checks.header(task_id))
                           for task_id in ("1.1", "1.2", "1.3")]
    hint = t("test.hint", hint=MANIFEST.task("1.4").text("hint", "en"))
    assert printed[3].startswith(public_checks.header("1.4")) and printed[3].count(hint) == 1
    assert unwrapped(str(raised.value)) == [t("selfcheck.summary", failed=1, total=4, tasks="1.4"), printed[3]]


def test_check_tasks_on_the_stubs_says_not_implemented(capsys):
    with pytest.raises(AssertionError) as raised:
        check_tasks("1.1", "1.2", package="assignments", fixtures_dir=FIXTURES_DIR)
    assert capsys.readouterr().out.splitlines() == [
        t("selfcheck.not_implemented", header=public_checks.header("1.1")),
        t("selfcheck.needs_other", header=public_checks.header("1.2"), other="1.1")]
    assert unwrapped(str(raised.value))[0] == t("selfcheck.summary", failed=2, total=2, tasks="1.1, 1.2")


def test_an_exception_is_reported_by_type_and_message_without_a_traceback():
    def broken(*args):
        raise ValueError("shapes (2,3) and (4,5) not aligned")

    load = lambda module: types.SimpleNamespace(rnn_step_forward=broken)  # noqa: E731
    passed, line = task_line("1.1", load, FIXTURES_DIR)
    assert not passed
    assert t("selfcheck.raised", kind="ValueError", message="shapes (2,3) and (4,5) not aligned") in line
    assert "Traceback" not in line and "File " not in line
