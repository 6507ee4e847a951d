"""The privilege-drop sandbox: a grader running as root runs the child as an unprivileged user.

For machines without namespaces (Gradescope's container), following Gradescope's advice: the child runs as the
sandbox user (default ``nobody``) with no supplementary groups (``setgroups([])``), cannot open sockets
(seccomp, see ``sandbox_limits.py``) and has ``RLIMIT_NPROC`` (which applies: its real uid is not 0). Its run
directory is root's, traversable but not listable by others during the run, with its inputs readable and only
``results/`` owned by the sandbox user; after each child, every process of the sandbox user is killed and the
files it left in the shared temporary directories are removed. Runs of different submissions take turns (one
lock per user), so no submission can see or signal another one's child.

What it cannot hide is what file permissions do not: the grader refuses the backend when the reference solutions
it grades with are readable by the sandbox user (``chmod -R o= <course root>``, as Gradescope's
``run_autograder`` does), or when that user already runs processes (they would be killed: use a dedicated user).

Graders on one machine share the sandbox user: the turns are a lock file per user in a root-only directory
(``/run``), so two ``course grade`` runs take turns instead of killing each other's children, and the check for
processes of the sandbox user runs in a turn (it sees only processes no grader started).
"""

import fcntl
import importlib.util
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from .sandbox_session import Session

SHARED_TEMPORARY_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
LOCK_DIRECTORIES = ("/run",)  # root's own; else a root-only directory made in the temporary directory

PROBE = """
import json, os, sys
report = {"numpy": None, "readable": None}
sys.path.insert(0, sys.argv[1])
try:
    import numpy
except Exception as error:
    report["numpy"] = f"{type(error).__name__}: {error}"
for top, _, files in os.walk(sys.argv[2]):
    for name in files:
        try:
            with open(os.path.join(top, name), "rb"):
                report["readable"] = os.path.join(top, name)
                break
        except OSError:
            pass
    if report["readable"]:
        break
print(json.dumps(report))
"""


def sandbox_user(user):
    """(uid, gid) of the sandbox user: ``user`` as a uid or a name, default ``nobody``; KeyError if unknown."""
    if user is None:
        user = "nobody"
    try:
        entry = pwd.getpwuid(user) if isinstance(user, int) else pwd.getpwnam(user)
    except KeyError:
        if isinstance(user, int):
            return user, user
        raise KeyError(f"no user {user!r} to run student code as (give one with --sandbox-user)") from None
    return entry.pw_uid, entry.pw_gid


def reference_dir():
    """The directory of the reference solutions the grader imports (``solutions``)."""
    spec = importlib.util.find_spec("solutions")
    return Path(list(spec.submodule_search_locations)[0])


def _lock_directory():
    """A directory only root can write to, for the turn locks."""
    for directory in LOCK_DIRECTORIES:
        try:
            info = os.lstat(directory)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and not info.st_mode & 0o022:
            return Path(directory)
    private = Path(tempfile.gettempdir()) / "rnn-course-turns"
    try:
        private.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(private)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
        raise RuntimeError(f"{private} is not a directory of root's own (someone made it first): remove it")
    return private


class Turn:
    """One sandboxed child per sandbox user at a time on this machine (an exclusive ``flock``); a context manager."""

    def __init__(self, uid):
        self.uid, self.handle = uid, None

    def acquire(self):
        path = _lock_directory() / f"rnn-course-sandbox-{self.uid}.lock"
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except BaseException:
            os.close(handle)
            raise
        self.handle = handle

    def release(self):
        handle, self.handle = self.handle, None
        os.close(handle)  # closing the only descriptor releases the lock

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


@lru_cache(maxsize=None)
def problem(uid, gid, executable, numpy_parent):
    """None if the privilege drop to (uid, gid) protects the reference here, else why not.

    Checked once per grader process, in a turn of the sandbox user (another grader's child is not in the way)."""
    if os.geteuid() != 0:
        return "the grader does not run as root, so it cannot change user"
    if uid == 0:
        return "the sandbox user must not be root"
    with Turn(uid):
        return _problem_in_turn(uid, gid, executable, numpy_parent)


def _problem_in_turn(uid, gid, executable, numpy_parent):
    running = [pid for pid, state in processes_of(uid) if state not in "ZX"]
    if running:
        return (f"user {uid} already runs processes (pids {', '.join(map(str, running[:5]))}); the grader kills "
                "every process of the sandbox user after each run: use a dedicated user")
    try:
        out = subprocess.run([executable, "-I", "-S", "-c", PROBE, numpy_parent, str(reference_dir())], cwd="/",
                             user=uid, group=gid, extra_groups=[], capture_output=True, text=True, timeout=120)
        report = json.loads(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return f"the interpreter {executable} does not run as user {uid}: {error} (use one readable by all users)"
    if report["numpy"]:
        return f"user {uid} cannot import numpy from {numpy_parent}: {report['numpy']} (use a world-readable venv)"
    if report["readable"]:
        return (f"user {uid} can read the reference ({report['readable']}): make the course unreadable to others "
                f"(chmod -R o= on its root)")
    return None


def _status(pid):
    """((real uid, effective uid), state letter) of a process, or None if it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    real, effective = fields["Uid"].split()[:2]
    return (int(real), int(effective)), fields["State"].split()[0]


def processes_of(uid):
    """[(pid, state letter)] of the processes whose real or effective uid is ``uid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (status := _status(entry.name)) and uid in status[0]:
            found.append((int(entry.name), status[1]))
    return found


def kill_all(uid, timeout=10.0):
    """SIGKILL every process of ``uid`` until none is left (zombies aside); RuntimeError if they keep coming."""
    deadline = time.monotonic() + timeout
    while alive := [pid for pid, state in processes_of(uid) if state not in "ZX"]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes of the sandbox user {uid} survived: {alive[:10]}")
        for pid in alive:
            try:
                handle = os.pidfd_open(pid)
            except ProcessLookupError:
                continue
            try:
                status = _status(pid)  # the pidfd pins the process: a reused pid cannot be hit
                if status and uid in status[0]:
                    signal.pidfd_send_signal(handle, signal.SIGKILL)
            except ProcessLookupError:
                pass
            finally:
                os.close(handle)
        time.sleep(0.005)
    # the killed processes' zombies still count against RLIMIT_NPROC until their new parent (init) reaps them
    deadline = time.monotonic() + 2.0
    while processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.01)


def remove_files_of(uid, since):
    """Remove what ``uid`` created (changed) since ``since`` at the top of the shared temporary directories."""
    for shared in SHARED_TEMPORARY_DIRS:
        try:
            entries = list(os.scandir(shared))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid != uid or info.st_ctime < since:
                continue
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


class PrivilegeDropSession(Session):
    network = "deny"

    def __init__(self, isolation, run, limits):
        self.uid, self.gid = isolation.uid, isolation.gid
        self._turn = Turn(self.uid)
        self._turn.acquire()
        self.started = time.time() - 1
        try:
            super().__init__(isolation, run, limits)
            os.chown(run.results, self.uid, self.gid)
            os.chmod(run.results, 0o700)
        except BaseException:
            self._turn.release()
            raise

    def command(self, child_args):
        self._open_run_dir()
        return self.inner(child_args)

    def _open_run_dir(self):
        """Inputs readable by the sandbox user, the run directory traversable (not listable), results its own."""
        os.chmod(self.run.root, 0o711)
        for top, dirs, files in os.walk(self.run.root):
            if Path(top) == self.run.results:
                dirs[:] = []
                continue
            for name in dirs:
                path = Path(top) / name
                if path != self.run.results and not path.is_symlink():
                    path.chmod(path.stat().st_mode | 0o055)
            for name in files:
                path = Path(top) / name
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | 0o044)

    def popen_options(self):
        return {"start_new_session": True, "user": self.uid, "group": self.gid, "extra_groups": [], "umask": 0o077}

    def stop(self, process):
        kill_all(self.uid)
        remove_files_of(self.uid, self.started)

    def close(self):
        try:
            kill_all(self.uid)
            os.chmod(self.run.root, 0o700)
        finally:
            self._turn.release()
