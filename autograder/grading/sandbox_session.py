"""One submission's sandbox runs: the run directory's layout, the child's command and Popen options, the cleanup.

A :class:`Session` (made by ``isolation.Isolation.session``) copies the limits launcher (``sandbox_limits.py``)
into the run directory and makes ``site/`` with numpy in it; for each child, ``command`` and ``popen_options`` go
to ``subprocess.Popen`` and ``finish`` runs once the child has ended, so that nothing it started survives it.
"""

import os
import select
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import bubblewrap, pids_cgroup
from .sandbox_cases import CASES_PACKAGE, shared_cases

LAUNCHER = Path(__file__).resolve().parent / "sandbox_limits.py"
TMP_BYTES = 64 * 1024**2  # the private /tmp of a bubblewrap sandbox
BWRAP_OVERHEAD_PROCESSES = 2  # bwrap's monitor and the sandbox's init share the cgroup's count


def interpreter():
    """The real interpreter file behind ``sys.executable`` (a venv's ``python`` is a link to it)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def child_packages():
    """{name: directory} of what the child imports besides the standard library: numpy (and its bundled
    ``numpy.libs``) and PyYAML (the message catalogue); never the whole ``site-packages``."""
    import numpy
    import yaml

    dirs = {}
    for module in (numpy, yaml):
        package = Path(module.__file__).resolve().parent
        for name in (package.name, package.name + ".libs", "_" + package.name):
            if (package.parent / name).is_dir():
                dirs[name] = package.parent / name
    return dirs


def site_packages():
    """{name: directory} of the child's ``site/``: :func:`child_packages` and the task cases
    (:func:`~autograder.grading.sandbox_cases.shared_cases`)."""
    return {**child_packages(), CASES_PACKAGE: shared_cases()}


@dataclass(frozen=True)
class RunDir:
    root: Path  # the run directory: child script, launcher, cases, job files (read-only for the child)
    work: Path  # the submission copy (the child's working directory)
    results: Path  # the only directory the child may write

    @property
    def site(self):
        return self.root / "site"  # numpy and yaml, nothing else of site-packages; on sys.path


class Session:
    """One submission's sandbox: ``command`` and ``popen_options`` for each child, ``finish`` after each one.

    ``site`` is the directory to put on the child's ``sys.path`` for numpy. Used as a context manager.
    """

    network = "allow"

    def __init__(self, isolation, run, limits):
        self.isolation, self.run, self.limits = isolation, run, limits
        self.executable = interpreter()
        shutil.copyfile(LAUNCHER, run.root / LAUNCHER.name)
        run.site.mkdir()
        self._make_site()

    @property
    def site(self):
        return self.run.site

    def _make_site(self):
        for name, directory in site_packages().items():
            (self.site / name).symlink_to(directory, target_is_directory=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def processes(self):
        return str(self.limits.processes)

    def inner(self, child_args):
        """The launcher command: limits, then ``python -I -S`` child_args."""
        limits = self.limits
        return [self.executable, "-I", "-S", str(self.run.root / LAUNCHER.name), "--cpu", str(limits.cpu_seconds),
                "--memory", str(limits.memory_bytes), "--output", str(limits.output_bytes),
                "--processes", self.processes(), "--network", self.network, "--", *child_args]

    def command(self, child_args):
        return self.inner(child_args)

    def popen_options(self):
        return {"start_new_session": True}

    def finish(self, process):
        """After the child (and ``process``) ended: stop everything it started, then keep only regular files in
        ``results/`` (a FIFO or a symlink there would make the grader block or read another file)."""
        self.stop(process)
        for entry in os.scandir(self.run.results):
            if not entry.is_file(follow_symlinks=False):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)

    def stop(self, process):
        """Make sure nothing the child started is still running (each backend as it can)."""

    def close(self):
        pass


class SameUserSession(Session):
    """Unsafe: the grader's own user; only rlimits (no process count: the user's other processes would count)."""

    def processes(self):
        return "none"

    def stop(self, process):
        try:
            os.killpg(process.pid, signal.SIGKILL)  # what stayed in its group; a new session escapes this
        except (ProcessLookupError, PermissionError):
            pass


class BubblewrapSession(Session):
    def __init__(self, isolation, run, limits):
        super().__init__(isolation, run, limits)
        self.bwrap = bubblewrap.binary()
        self.cgroup = pids_cgroup.PidsCgroup(limits.processes + BWRAP_OVERHEAD_PROCESSES) \
            if os.geteuid() == 0 else None
        self._info = None

    def _make_site(self):
        for name in site_packages():
            (self.site / name).mkdir()  # mount points: the packages are bound here inside the sandbox

    def command(self, child_args):
        self._info = os.pipe()
        return bubblewrap.command(self.bwrap, self.executable, self.run, site_packages(), self.inner(child_args),
                                  self._info[1], TMP_BYTES)

    def popen_options(self):
        options = {"start_new_session": True, "pass_fds": (self._info[1],)}
        if self.cgroup is not None:
            options["preexec_fn"] = self.cgroup.join
        return options

    def stop(self, process):
        read, write = self._info
        os.close(write)
        try:
            init = bubblewrap.sandbox_init_pid(read)
        finally:
            os.close(read)
        if init is not None:
            _wait_until_gone(init)
        if self.cgroup is not None and self.cgroup.wait_empty():
            raise RuntimeError(f"processes of the sandbox survived in {self.cgroup.path}")

    def close(self):
        if self.cgroup is not None:
            self.cgroup.remove()


def _state(pid):
    """The state letter of a process (R, S, Z...), or None if it does not exist."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text.rsplit(")", 1)[1].split()[0]


def _wait_until_gone(pid, timeout=10.0):
    """Wait for the sandbox's init to exit: the kernel then has killed everything in its PID namespace.

    Woken by a pidfd when it exits (no polling sleep); without pidfds, looked at every 5 ms."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        fd = None
    try:
        for _ in range(2):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if _state(pid) in (None, "Z", "X"):
                    return
                if fd is None:
                    time.sleep(0.005)
                else:
                    select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                return
    finally:
        if fd is not None:
            os.close(fd)
    raise RuntimeError(f"the sandbox's init (pid {pid}) did not exit")
