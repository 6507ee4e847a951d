"""A pids cgroup per sandbox: the process-count limit for a grader that runs as root.

``RLIMIT_NPROC`` does not apply to processes whose real uid is 0, and bubblewrap started by root maps the
sandbox's user to uid 0 outside. A cgroup with ``pids.max`` limits every process in it, whatever its uid; the
sandbox joins it before ``bwrap`` starts, so everything the student starts is in it and counted.

:func:`parent` finds a directory where this process may create such cgroups (cgroup v1's ``pids`` hierarchy or
cgroup v2 with the pids controller), or None.
"""

import os
import time
import uuid
from functools import lru_cache
from pathlib import Path


def _mounts():
    """[(mount point, filesystem type, super options)] from /proc/self/mountinfo."""
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        mounts.append((fields[4], fields[separator + 1], fields[separator + 3].split(",")))
    return mounts


def _candidates():
    """Directories of this process's own pids cgroup (v1 first, then v2)."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else ["<v2>"]:
            own[controller] = path
    candidates = []
    for mount, kind, options in _mounts():
        if kind == "cgroup" and "pids" in options and "pids" in own:
            candidates.append(Path(mount + own["pids"]))
        elif kind == "cgroup2" and "<v2>" in own:
            candidates.append(Path(mount + own["<v2>"]))
    return candidates


@lru_cache(maxsize=1)
def parent():
    """A directory in which a child cgroup gets a writable ``pids.max``, or None."""
    try:
        candidates = _candidates()
    except (OSError, ValueError):
        return None
    for candidate in candidates:
        trial = candidate / f"rnn-sandbox-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            trial.mkdir()
        except OSError:
            continue
        try:
            (trial / "pids.max").write_text("8")
            return candidate
        except OSError:
            continue
        finally:
            trial.rmdir()
    return None


class PidsCgroup:
    """One cgroup limited to ``limit`` processes; join it from a Popen ``preexec_fn``, remove it when done."""

    def __init__(self, limit):
        base = parent()
        if base is None:
            raise OSError("no writable pids cgroup")
        self.path = base / f"rnn-sandbox-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.path.mkdir()
        (self.path / "pids.max").write_text(str(limit))
        self._procs = str(self.path / "cgroup.procs")

    def join(self):
        """Move the calling process into the cgroup (runs in the forked child: one open and one write)."""
        fd = os.open(self._procs, os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)

    def pids(self):
        text = (self.path / "cgroup.procs").read_text()
        return [int(pid) for pid in text.split()]

    def wait_empty(self, timeout=10.0):
        """Kill what is left in the cgroup and wait until it is empty; returns the pids still there (none)."""
        deadline = time.monotonic() + timeout
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        return self.pids()

    def remove(self):
        self.wait_empty()
        self.path.rmdir()
