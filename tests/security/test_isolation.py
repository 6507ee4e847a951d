"""The sandbox holds against hostile submissions, for every isolation backend this machine can run.

Each attack of ``attacks.py`` is graded through ``course grade`` (a separate grader process, so that an attack
on the grader cannot take pytest down with it) and must score exactly what the submission's honest code is
worth. The controls in ``test_backend_choice.py`` run the same attacks without isolation (``unsafe-same-user``)
and show that they work there: without the sandbox, every hunt scores the reference's full marks.

Backends:

- ``bubblewrap``: the worktree's grader, as it is.
- ``privilege-drop``: a Gradescope-like setting. The grader runs from a ``course bundle`` unpacked in a
  root-only directory, with a world-readable virtual environment (``RNN_SANDBOX_VENV``, default
  ``/opt/rnn-sandbox-venv``: ``python3 -m venv`` of the system Python plus numpy and pyyaml), in a private mount
  namespace with an empty ``/work`` and a fresh ``/tmp`` (keeping only pytest's root-only directory), as
  Gradescope's container holds only ``/autograder``. A privilege drop hides only what file permissions hide:
  on this machine ``/work`` (the checkouts), other work in ``/tmp`` and a CI clone wherever it lives (hidden too)
  hold world-readable copies of the
  reference, which a filesystem walk as ``nobody`` finds. It needs root and ``unshare``.
"""

import concurrent.futures
import json
import os
import pwd
import time
import uuid

import pytest

from autograder.grading import privilege_drop
from tests.security import attacks
from tests.security.graders import A1_POINTS, PROCESS_LIMIT, named, peak_of, tree_hash

# These tests watch processes system-wide (by name, or every process of the sandbox user, which privilege-drop
# grading kills after each run): one xdist worker runs them all, one after the other.
pytestmark = pytest.mark.xdist_group("system-wide-processes")


@pytest.mark.parametrize("method", attacks.HUNT_METHODS)
def test_stubs_that_hunt_for_the_reference_score_zero(grader, tmp_path, method):
    assert grader.points(attacks.hunter(tmp_path / "hunter", method)) == [0.0]


def test_no_network_to_localhost(grader, tmp_path, local_web_server):
    port, requests = local_web_server
    assert grader.points(attacks.network(tmp_path / "network", port)) == [0.0]
    assert requests == []


def test_a_daemon_dies_with_its_sandbox_and_cannot_touch_the_next_submission(grader, tmp_path):
    name, marker = f"rnnd{uuid.uuid4().hex[:8]}", f"VICTIM_{uuid.uuid4().hex[:8]}"
    victim = attacks.victim(tmp_path / "victim", marker)
    assert grader.points(victim) == [A1_POINTS]
    try:
        assert grader.points(attacks.daemon(tmp_path / "daemon", name, marker), victim) == [A1_POINTS, A1_POINTS]
        assert named(name) == []
    finally:
        for pid in named(name):
            os.kill(pid, 9)


def test_background_processes_are_capped_and_all_gone_after_grading(grader, tmp_path):
    name = f"rnns{uuid.uuid4().hex[:8]}"
    with peak_of(name) as peak:
        assert grader.points(attacks.sleepers(tmp_path / "sleepers", name, 100)) == [A1_POINTS]
    left = named(name)
    for pid in left:
        os.kill(pid, 9)
    assert 0 < peak[0] < PROCESS_LIMIT and left == []


def test_writes_outside_the_results_fail(grader, tmp_path):
    sibling = attacks.reference(tmp_path / "sibling")
    own = tmp_path / "writer"
    grader_file = grader.root / "solutions" / "planted_by_a_student.py"
    targets = [own / "assignments" / "a1_vanilla_rnn" / "rnn.py", sibling / "assignments" / "a1_vanilla_rnn" / "rnn.py",
               grader.root / "solutions" / "a1_vanilla_rnn" / "rnn.py", grader_file]
    attacks.writer(own, targets)
    trees = [own, sibling, grader.root / "solutions"]
    before = [tree_hash(tree) for tree in trees]
    try:
        assert grader.points(own) == [0.0]
        assert [tree_hash(tree) for tree in trees] == before and not grader_file.exists()
    finally:
        grader_file.unlink(missing_ok=True)
    assert grader.points(sibling) == [A1_POINTS]


def test_the_shared_task_cases_cannot_be_changed_by_a_submission(grader, tmp_path):
    # every file of the cases package the child imported, overwritten at import: the grader process writes them
    # once for all its children (read-only for every one), so the next submission is graded as alone
    assert grader.points(attacks.poison_cases(tmp_path / "poison"), attacks.reference(tmp_path / "victim")) \
        == [A1_POINTS, A1_POINTS]


def test_the_results_directory_holds_only_regular_files_for_the_grader(grader, tmp_path):
    # FIFOs named like every result, then the child ends: the grader must not block reading them; each restart
    # does the same, so every task crashes
    assert grader.points(attacks.fifos(tmp_path / "fifos")) == [0.0]


def test_signals_to_the_grader_are_contained(grader, tmp_path):
    # kill(getppid(), 9) and killpg(getpgid(getppid()), 9) at import: the grader survives, the submission is graded
    assert grader.points(attacks.kill_parent(tmp_path / "parent")) == [A1_POINTS]
    # killpg(0, 9) at import kills only the student's own process group: every task crashes, the grader survives
    assert grader.points(attacks.kill_group(tmp_path / "group")) == [0.0]


def test_two_graders_on_one_machine_take_turns(grader, tmp_path):
    # two `course grade` runs at once (an instructor grading two sections): with privilege-drop they share the
    # sandbox user, so neither may refuse because of the other's child, nor kill it (each kills every process of
    # that user after each run); the second starts while the first one's child is importing (slowly)
    slow = attacks.append(attacks.reference(tmp_path / "slow"), "__init__.py", "import time\ntime.sleep(4)\n")
    sandbox_uid = pwd.getpwnam("nobody").pw_uid
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(grader.run, slow)
        deadline = time.monotonic() + 60
        while not privilege_drop.processes_of(sandbox_uid) and not first.done() and time.monotonic() < deadline:
            time.sleep(0.01)
        second = pool.submit(grader.run, attacks.reference(tmp_path / "honest"))
        results = [first.result(), second.result()]
    assert [(result.returncode, result.stderr[-600:]) for result in results] == [(0, "")] * 2
    assert [[report["points"] for report in json.loads(result.stdout)] for result in results] == [[A1_POINTS]] * 2
