"""Run student code in a separate, resource-limited process and collect its outputs safely.

The grader never imports student code. :func:`run_requests` copies the task
cases (public, no expected values) next to the submission, starts
``sandbox_child.py`` under ``python -I -S`` with limits on CPU time, address
space, file size and wall time, and reads back JSON and ``.npz`` files
(:mod:`autograder.grading.results`: size caps, numeric arrays only, no pickles,
anything else is that request's failure). The child returns arrays only;
every check is computed by the grader. Expected values stay in the grader's memory.

A child that dies (``os._exit``, a signal, the CPU, memory or output limit, a
hang past the wall limit) costs only the request it was running: the grader
records why and starts a new child for the requests left.

How the child is isolated from the grader (bubblewrap namespaces, a privilege drop, or, only when asked,
nothing but rlimits) is chosen by ``Limits.backend`` (see :mod:`autograder.grading.isolation`); the limits are
set inside the sandbox by ``sandbox_limits.py`` just before the child starts.
"""

import contextlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..runtime.manifest import find_manifest
from ..runtime.messages import LANG_ENV, language
from ..runtime.problems import problem
from . import isolation
from .results import Outcome, failed, read_outcome  # noqa: F401  (Outcome: the type of run_requests' results)

CHILD = Path(__file__).resolve().parent / "sandbox_child.py"
# the dependency channel's format and the child's proxies (autograder.grading.dependency_answers)
PROXIES = Path(__file__).resolve().parent / "dependency_proxies.py"
CASES_SOURCE = Path(__file__).resolve().parent.parent / "runtime"
CASES_PACKAGE = "course_cases"
# What the child imports of the runtime (with the cases_*.py modules): how to call each task, nothing that checks.
CHILD_RUNTIME = ("harness.py", "manifest.py", "messages.py", "problems.py")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 60
    memory_bytes: int = 3 * 1024**3
    wall_seconds_per_request: float = 10.0
    output_bytes: int = 8 * 1024**2
    processes: int = 64  # processes (and threads) the student code may run at once
    backend: str = "auto"  # isolation.CHOICES: auto, bubblewrap, privilege-drop, unsafe-same-user
    user: int = None  # privilege-drop: the uid (or name) to run student code as; None: nobody




def _copy_cases(destination):
    package = destination / CASES_PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for source in CASES_SOURCE.glob("*.py"):
        if source.name in CHILD_RUNTIME or source.name.startswith("cases_"):
            shutil.copyfile(source, package / source.name)
    shutil.copytree(CASES_SOURCE / "messages", package / "messages")
    # the harness calls the functions that the course.yml above the runtime names
    shutil.copyfile(find_manifest(CASES_SOURCE), package / "course.yml")


def _crash_reason(returncode, timed_out, stdout_size, limits):
    """The Problem of a child that died or hung."""
    if timed_out:
        return problem("crash.timeout", seconds=float(limits.wall_seconds_per_request))
    if returncode is not None and returncode < 0:
        sig = -returncode
        if sig == signal.SIGXCPU:
            return problem("crash.cpu", seconds=limits.cpu_seconds)
        if sig == signal.SIGXFSZ or stdout_size >= limits.output_bytes:
            return problem("crash.output", mib=limits.output_bytes // 1024**2)
        if sig == signal.SIGKILL:
            return problem("crash.killed")
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return problem("crash.signal", signal=name)
    if returncode == 0:
        return problem("crash.exit_zero")
    return problem("crash.exit_code", code=returncode, gib=limits.memory_bytes // 1024**3)


def run_requests(submission_dir, requests, limits=Limits(), student_package="assignments", answers=None):
    """Run requests on the package ``student_package`` of a submission; the child returns arrays only.

    Inputs:
    - submission_dir: the directory that holds the student's package (``assignments/``)
    - requests: list of {"kind": "call", "task_id", "args"} (outputs and arguments after the call) or
      {"kind": "loss", "task_id", "args", "points": [(input name, value)]} (the gradient-check loss at each point)
    - limits: Limits of the child process
    - student_package: the import name of the student's package
    - answers: None, or a :class:`~autograder.grading.dependency_answers.Answers`: the child's calls to the
      tasks it serves are answered by the grader over an inherited socket (see that module)

    Returns:
    - a list of :class:`~autograder.grading.results.Outcome`, one per request, in order (never raises
      because of what the student's code did or wrote)
    """
    submission_dir = Path(submission_dir).resolve()
    outcomes = [None] * len(requests)
    sandbox = isolation.select(limits)
    with tempfile.TemporaryDirectory(prefix="rnn-grade-") as tmp, contextlib.ExitStack() as cleanup:
        tmp = Path(tmp)
        work = tmp / "submission"
        # only the student's package is copied: nothing else of their checkout (or what sits beside it);
        # links are copied as links and refused, never followed (open_submission makes link-free copies)
        source = submission_dir / student_package
        if source.is_symlink():
            raise ValueError(f"{student_package} is a symbolic link: open submissions with open_submission")
        shutil.copytree(source, work / student_package, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        links = [path for path in (work / student_package).rglob("*") if path.is_symlink()]
        if links:
            raise ValueError(f"{student_package} holds symbolic links ({links[0].relative_to(work)}): "
                             "open submissions with open_submission")
        _copy_cases(tmp / "cases")
        child = tmp / "sandbox_child.py"
        shutil.copyfile(CHILD, child)
        shutil.copyfile(PROXIES, tmp / PROXIES.name)
        with (tmp / "requests.pkl").open("wb") as handle:
            pickle.dump(requests, handle)
        results = tmp / "results"
        results.mkdir()
        session = cleanup.enter_context(sandbox.session(tmp, work, results, limits))
        todo = list(range(len(requests)))
        while todo:
            job = {"path": [str(tmp / "cases"), str(work), str(session.site)], "cases_package": CASES_PACKAGE,
                   "student_package": student_package, "submission_dir": str(work), "todo": todo}
            channel = answers.channel() if answers is not None else None
            if channel is not None:
                job.update(channel_fd=channel.child_fd, proxies=answers.proxies)
            (tmp / "job.json").write_text(json.dumps(job))
            stdout_path = tmp / "stdout.txt"
            with stdout_path.open("wb") as stdout:
                env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "MKL_NUM_THREADS": "1", "HOME": str(tmp), LANG_ENV: language()}
                for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
                    if key in os.environ:
                        env[key] = os.environ[key]
                command = session.command([str(child), str(tmp)])  # before popen_options (bubblewrap's info fd)
                options = session.popen_options()
                if channel is not None:
                    options["pass_fds"] = (*options.get("pass_fds", ()), channel.child_fd)
                try:
                    process = subprocess.Popen(command, cwd=work,
                                               stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT,
                                               env=env, **options)
                except BaseException:
                    if channel is not None:
                        channel.close()
                    raise
                if channel is not None:
                    channel.started()
                try:
                    timed_out = _wait(process, results, todo, limits)
                finally:
                    try:
                        session.finish(process)  # nothing the child started outlives it
                    finally:
                        if channel is not None:
                            channel.close()
                stdout_size = os.fstat(stdout.fileno()).st_size
            finished = [i for i in todo if (results / f"{i}.json").exists()]
            for index in finished:
                outcomes[index] = read_outcome(results, index, requests[index], work)
            remaining = [i for i in todo if outcomes[i] is None]
            if not remaining:
                break
            started = [i for i in remaining if (results / f"{i}.started").exists()]
            culprit = started[0] if started else remaining[0]
            # stdout_path.stat() would fail on a file the student's code deleted: the open handle still knows
            reason = _crash_reason(process.returncode, timed_out, stdout_size, limits)
            outcomes[culprit] = failed(reason, "crashed")
            # the other shapes of a task that crashed or hung would do the same: do not wait for each
            for index in remaining:
                if index != culprit and requests[index]["task_id"] == requests[culprit]["task_id"]:
                    outcomes[index] = outcomes[culprit]
            todo = [i for i in remaining if outcomes[i] is None]
    return outcomes


def _wait(process, results, todo, limits):
    """Wait for the child; kill its process group when one request runs past the wall limit."""
    last_progress, done = time.monotonic(), 0
    while process.poll() is None:
        seen = done
        while done < len(todo) and (results / f"{todo[done]}.json").exists():  # the child runs them in order
            done += 1
        if done != seen:
            last_progress = time.monotonic()
        if time.monotonic() - last_progress > limits.wall_seconds_per_request:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.02)
    return False
