"""Graders for the security tests: ``course grade`` of one isolation backend, run in its own process.

``privilege-drop`` runs in a Gradescope-like setting (see ``test_isolation.py``): a ``course bundle`` unpacked in a
root-only directory, a world-readable venv (``RNN_SANDBOX_VENV``, default ``/opt/rnn-sandbox-venv``), and a
private mount namespace with an empty ``/work``, a fresh ``/tmp`` and the course checkouts hidden (wherever CI
cloned them).
"""

import hashlib
import json
import os
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from autograder.grading.sandbox import Limits
from autograder.runtime.manifest import REPO_ROOT, load_manifest

A1 = load_manifest().assignment("a1")
A1_POINTS = sum(task.points for task in A1.tasks)
RNN_PY_POINTS = sum(task.points for task in A1.tasks if task.file == "rnn.py")
PROCESS_LIMIT = Limits().processes
SANDBOX_VENV = Path(os.environ.get("RNN_SANDBOX_VENV", "/opt/rnn-sandbox-venv"))
# In a private mount namespace: the checkouts the tests come from ($2, colon-separated) hidden under empty tmpfs, a
# fresh /tmp that keeps only pytest's base directory ($1, root-only), and an empty /work; then run the rest.
GRADESCOPE_LIKE = """set -e
keep="$1"; hide="$2"; shift 2
IFS=:; for directory in $hide; do mount -t tmpfs -o mode=755 rnn-hidden-checkout "$directory"; done; unset IFS
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


def checkouts():
    """The course checkouts on this machine outside /work and /tmp (which the simulation empties anyway).

    A CI system clones the course wherever it likes (and may keep the repository it cloned from); those copies hold a
    world-readable reference that Gradescope's container never holds, so the simulation hides them: the checkout
    these tests run from, and the local repository its ``origin`` points at.
    """
    found = {REPO_ROOT.resolve()}
    origin = subprocess.run(["git", "-C", str(REPO_ROOT), "remote", "get-url", "origin"], capture_output=True,
                            text=True).stdout.strip()
    if origin and Path(origin).is_dir():
        found.add(Path(origin).resolve())
    outside = [path for path in found if not path.is_relative_to("/work") and not path.is_relative_to("/tmp")]
    return sorted(path for path in outside if not any(path != other and path.is_relative_to(other) for other in outside))


def gradescope_like(keep):
    """The command prefix that runs a command in the Gradescope-like filesystem (see the module docstring)."""
    hidden = [path for path in checkouts() if not Path(keep).is_relative_to(path)]
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", GRADESCOPE_LIKE, "sh", str(keep),
            ":".join(map(str, hidden))]


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


@contextmanager
def peak_of(name):
    """Count, while the block runs, the most live processes called ``name`` at once: yields a list whose [0] is it."""
    peak, running = [0], [True]

    def watch():
        while running[0]:
            peak[0] = max(peak[0], len(named(name)))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield peak
    finally:
        running[0] = False
        watcher.join()
