"""Run student code in a separate, resource-limited process and collect its outputs safely.

The grader never imports student code. :func:`run_requests` copies the student's
package, puts the task cases (public, no expected values; written once per process,
read-only: :mod:`.sandbox_cases`) beside numpy in the child's ``site/``, starts
``sandbox_child.py`` under ``python -I -S`` with limits on CPU time, address
space, file size and wall time, and reads back one result file per request
(:mod:`autograder.grading.results`: size caps, numeric arrays only, no pickles,
anything else is that request's failure). The child returns arrays only;
every check is computed by the grader. Expected values stay in the grader's memory.

A child that dies (``os._exit``, a signal, the CPU, memory or output limit, a
hang past the wall limit) costs only the request it was running: the grader
records why and starts a new child for the requests left. A module that hangs,
crashes or exits at import costs one timeout for the submission (see
:mod:`autograder.grading.sandbox_imports`). After a submission's first timeout,
each later step gets ``Limits.wall_seconds_after_timeout`` (a correct request
takes milliseconds), so a submission whose every task hangs is graded in about
``wall_seconds_per_request + tasks * wall_seconds_after_timeout``.

The grader waits on the child's exit (a pidfd: woken at once, no polling sleep) and on its control pipe
(requests asked of the same child after the first ones' results are read: :mod:`.sandbox_control`),
and looks at its progress a few times per wall limit.

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
from dataclasses import dataclass
from pathlib import Path

from ..runtime import harness
from ..runtime.messages import LANG_ENV, language
from ..runtime.problems import problem
from . import isolation
from .dependency_answers import plan
from .results import Outcome  # noqa: F401  (the type of run_requests' results)
from .results import MalformedResult, _read_capped, failed, read_outcome
from .sandbox_cases import CASES_PACKAGE
from .sandbox_control import Control
from .sandbox_imports import ImportFailures
from .sandbox_wait import STEP_DONE, step_complete, wait

MAX_STARTED_BYTES = 1024**2  # started.log: a line per request
CHILD = Path(__file__).resolve().parent / "sandbox_child.py"
# the dependency channel's format and the child's proxies (autograder.grading.dependency_answers)
PROXIES = Path(__file__).resolve().parent / "dependency_proxies.py"


class Timeouts:
    """The wall limit of the next step (an import or a request) of one submission's children.

    The full ``limits.wall_seconds_per_request`` until the submission's first timeout, then
    ``limits.wall_seconds_after_timeout``; shared by the call and loss runs of a submission.
    """

    def __init__(self, limits):
        self.limits, self.count = limits, 0

    @property
    def seconds(self):
        if self.count == 0:
            return float(self.limits.wall_seconds_per_request)
        return float(min(self.limits.wall_seconds_per_request, self.limits.wall_seconds_after_timeout))


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 60
    memory_bytes: int = 3 * 1024**3
    wall_seconds_per_request: float = 10.0
    wall_seconds_after_timeout: float = 1.0  # each step's wall limit once the submission has timed out once
    output_bytes: int = 8 * 1024**2
    processes: int = 64  # processes (and threads) the student code may run at once
    backend: str = "auto"  # isolation.CHOICES: auto, bubblewrap, privilege-drop, unsafe-same-user
    user: int = None  # privilege-drop: the uid (or name) to run student code as; None: nobody




def _crash_reason(returncode, timed_out, stdout_size, limits):
    """The Problem of a child that died or hung (timed_out: the wall limit it ran past, in seconds, or None)."""
    if timed_out:
        return problem("crash.timeout", seconds=float(timed_out))
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


def run_requests(submission_dir, requests, limits=Limits(), student_package="assignments", timeouts=None,
                 answers=None, then=None):
    """Run requests on the package ``student_package`` of a submission; the child returns arrays only.

    Inputs:
    - submission_dir: the directory that holds the student's package (``assignments/``)
    - requests: list of {"kind": "call", "task_id", "args"} (outputs and arguments after the call) or
      {"kind": "loss", "task_id", "args", "points": [(input name, value)]} (the gradient-check loss at each point)
    - limits: Limits of the child process
    - student_package: the import name of the student's package
    - timeouts: the submission's :class:`Timeouts` (shared by its runs); None: a new one
    - answers: None, or a :class:`~autograder.grading.dependency_answers.Answers`: the child's calls to the
      tasks it serves are answered by the grader over an inherited socket (see that module)
    - then: None, or a function (the outcomes so far) -> further requests, called each time every request so far
      has its outcome (read into this process before it is called), until it returns none; the child that ran
      them runs the further ones when it is still waiting for them (:mod:`.sandbox_control`), else a new one does

    Returns:
    - a list of :class:`~autograder.grading.results.Outcome`, one per request (those of ``then``'s requests
      after the others), in order (never raises because of what the student's code did or wrote)
    """
    submission_dir = Path(submission_dir).resolve()
    requests = list(requests)
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
        child = tmp / "sandbox_child.py"
        shutil.copyfile(CHILD, child)
        shutil.copyfile(PROXIES, tmp / PROXIES.name)
        results = tmp / "results"
        results.mkdir()
        session = cleanup.enter_context(sandbox.session(tmp, work, results, limits))
        timeouts = timeouts or Timeouts(limits)
        manifest = harness.course_manifest()
        modules = [manifest.task(request["task_id"]).module for request in requests]
        imports = ImportFailures(student_package, work)
        files = iter(range(1, 1_000_000))

        def write_requests(indices):
            """The requests file of a step: {index: request} of its requests only."""
            name = f"requests.{next(files)}.pkl"
            with (tmp / name).open("wb") as handle:
                pickle.dump({i: requests[i] for i in indices}, handle)
            return name

        def extend(more):
            """Append ``then``'s requests; returns their indices."""
            first = len(requests)
            requests.extend(more)
            outcomes.extend([None] * len(more))
            modules.extend(manifest.task(request["task_id"]).module for request in more)
            return list(range(first, len(requests)))

        def collect(todo, wanted, reason):
            """Read the outcomes of ``todo`` the child left (reason: why it ended, None if it is waiting);
            returns (not finished, died while importing)."""
            died_importing = imports.read(results, wanted["imports"], lambda: reason)
            for index in todo:
                if (results / f"{index}.result").exists():
                    outcomes[index] = read_outcome(results, index, requests[index], work, finished=reason is None)
                if outcomes[index] is None and modules[index] in imports.failed:
                    outcomes[index] = failed(imports.failed[modules[index]],
                                             "crashed" if modules[index] in imports.crashed else "error")
            return [i for i in todo if outcomes[i] is None], died_importing

        todo = list(range(len(requests)))
        while todo or then is not None:
            if not todo:  # every request has its outcome, and the last child has ended
                more = then(outcomes)
                if more:
                    todo = extend(more)
                else:
                    then = None
                continue
            for stale in ("ready", "imports.log", "started.log", *(f"import.{m}.json" for m in set(modules))):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(results / stale)
            wanted = imports.job(modules[i] for i in todo)
            job = {"path": [str(session.site), str(work)], "cases_package": CASES_PACKAGE,
                   "student_package": student_package, "submission_dir": str(work), "todo": todo,
                   "modules": {str(i): modules[i] for i in todo}, "requests": write_requests(todo), **wanted}
            channel = answers.channel() if answers is not None else None
            control = Control() if then is not None else None
            extra_fds = ()
            if channel is not None:
                job.update(channel_fd=channel.child_fd, proxies=answers.proxies)
                extra_fds += (channel.child_fd,)
            if control is not None:
                job["control"] = list(control.child_fds)
                extra_fds += control.child_fds
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
                options["pass_fds"] = (*options.get("pass_fds", ()), *extra_fds)
                try:
                    process = subprocess.Popen(command, cwd=work,
                                               stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT,
                                               env=env, **options)
                except BaseException:
                    for opened in (channel, control):
                        if opened is not None:
                            opened.close()
                    raise
                if channel is not None:
                    channel.started()
                if control is not None:
                    control.started()
                steps = [f"import.{m}.json" for m in wanted["imports"]] + [f"{i}.result" for i in todo]
                ready = continued = False
                try:
                    while True:
                        timed_out = wait(process, results, steps, limits, timeouts, control, ready,
                                         complete=lambda: step_complete(results, todo, modules, imports, wanted))
                        if timed_out is not STEP_DONE:
                            break
                        # the child waits: its results are read here before anything else is computed or sent
                        todo, _ = collect(todo, wanted, None)
                        more = then(outcomes) if then is not None else []
                        wanted, ready = {"imports": []}, True
                        if not more:
                            then = None
                            os.killpg(process.pid, signal.SIGKILL)  # done: nothing of it is needed any more
                            process.wait()
                            timed_out = None
                            break
                        todo = extend(more)
                        step = f"job.{len(requests)}.json"
                        (tmp / step).write_text(json.dumps({"todo": todo, "requests": write_requests(todo),
                                                            "modules": {str(i): modules[i] for i in todo}}))
                        control.send(step)
                        steps, continued = [f"{i}.result" for i in todo], True
                finally:
                    try:
                        session.finish(process)  # nothing the child started outlives it
                    finally:
                        for opened in (channel, control):
                            if opened is not None:
                                opened.close()
                stdout_size = os.fstat(stdout.fileno()).st_size
            # stdout_path.stat() would fail on a file the student's code deleted: the open handle still knows
            if not todo:
                continue
            started = _started(results)
            if continued and not started & set(todo):
                continue  # it ended between steps (its code stopped listening): a new child runs them, no blame
            reason = _crash_reason(process.returncode, timed_out, stdout_size, limits)
            remaining, died_importing = collect(todo, wanted, reason)
            if not remaining or died_importing:
                todo = remaining
                continue
            culprit = next((i for i in remaining if i in started), remaining[0])
            outcomes[culprit] = failed(reason, "crashed")
            # the other shapes of a task that crashed or hung would do the same: do not wait for each
            for index in remaining:
                if index != culprit and requests[index]["task_id"] == requests[culprit]["task_id"]:
                    outcomes[index] = outcomes[culprit]
            if timed_out and answers is None:  # nor for the tasks that would hang in it (see _waits_on)
                hung = requests[culprit]["task_id"]
                for index in remaining:
                    if outcomes[index] is None and _waits_on(requests[index], hung):
                        outcomes[index] = failed(problem("crash.upstream_timeout", other=hung,
                                                         seconds=float(timed_out)), "crashed")
            todo = [i for i in remaining if outcomes[i] is None]
    return outcomes


def _started(results):
    """The requests ``started.log`` says the child started (untrusted: a malformed log says nothing)."""
    try:
        lines = _read_capped(results / "started.log", MAX_STARTED_BYTES).split(b"\n")
    except MalformedResult:
        return set()
    return {int(line) for line in lines if line.isdigit() and len(line) < 10}


def _waits_on(request, hung):
    """True when ``request``'s task calls Task ``hung`` through code the grader answers when it grades the task
    again (dependency_regrade): not run after ``hung`` timed out, it costs no timeout of its own, and is graded
    in that second run with ``hung`` answered by the reference."""
    found = plan(request["task_id"])
    return hung in (found.call_served if request["kind"] == "call" else found.loss_served)
