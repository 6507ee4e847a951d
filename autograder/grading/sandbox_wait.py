"""Waiting for a sandbox child: its exit, its progress files, its control pipe, and the wall limits.

The grader waits on the child's exit (a pidfd: woken at once, no polling sleep) and on its control pipe
(:mod:`.sandbox_control`), and looks at the child's progress files a few times per wall limit: a child that makes
no progress for the current limit (:class:`~autograder.grading.sandbox.Timeouts`) is killed with its process group.
"""

import os
import select
import signal
import time

STEP_DONE = "step done"  # wait(): the child has left every result of its step and waits for the next
CONTROL_SCANS_PER_SECOND = 200  # the most often bytes that brought nothing new make the grader look at the files
CHECKS_PER_LIMIT = 8  # how often, per wall limit, the grader looks at the child's progress
# The child's start (interpreter, numpy, the cases; no student code runs before it writes ``ready``) is not the
# student's time: on a loaded machine it may take seconds, so it gets this limit, not the per-request one.
STARTUP_SECONDS = 60.0


def step_complete(results, todo, modules, imports, wanted):
    """True when the child has left a result for every request of its step (or its module could not be imported)."""
    if not all((results / f"import.{module}.json").exists() for module in wanted["imports"]):
        return False
    imports.read(results, wanted["imports"], lambda: None)
    return all((results / f"{i}.result").exists() or modules[i] in imports.failed for i in todo)


def wait(process, results, steps, limits, timeouts, control=None, ready=False, complete=None):
    """Wait for the child; kill its process group when it makes no progress for the current wall limit.

    Progress: ``ready`` (the child's start, under STARTUP_SECONDS at least) and then each new file of ``steps``
    (under ``timeouts.seconds``). The wait is woken by the child's exit and by its ``control`` pipe (see
    :mod:`.sandbox_control`); progress is looked at CHECKS_PER_LIMIT times per step limit (also during the start),
    so a hang is stopped between 1 and 1 + 1/CHECKS_PER_LIMIT limits after the child's last progress.
    ready: the child has started already (a later step of the same child).
    Returns the limit (seconds) the child ran past, None if it ended by itself, or STEP_DONE when it is waiting
    with ``complete()`` true (only with ``control``).
    """
    exited = _exit_waiter(process, control)
    try:
        last_progress, seen, unchecked, last_scan, idle = time.monotonic(), set(), True, 0.0, False
        while True:
            limit = timeouts.seconds if ready else max(STARTUP_SECONDS, float(limits.wall_seconds_per_request))
            # looked at as often during the start as after it: a child that hangs right after ``ready`` is seen
            # ready within a step limit's fraction, not a start limit's (7.5 s per restart of a hanging task)
            wake = min(limit, timeouts.seconds) / CHECKS_PER_LIMIT
            event = exited(min(wake, max(0.0, last_progress + limit - time.monotonic())))
            if event == "exited":
                return None
            if event == "control" and idle:  # a child that floods its pipe (bytes that bring no new file) gets
                # looked at CONTROL_SCANS_PER_SECOND times a second; the byte that ends a step is never delayed
                time.sleep(max(0.0, last_scan + 1 / CONTROL_SCANS_PER_SECOND - time.monotonic()))
            last_scan = time.monotonic()
            progress = not ready and (results / "ready").exists()
            ready = ready or progress
            new = {name for name in steps if name not in seen and (results / name).exists()}
            seen |= new
            # a byte on the control pipe proves nothing (the student's code may write it): the files must be there.
            # They are looked for once per batch of new files (a step cannot become complete without one: a flood
            # of bytes costs nothing), on a byte or, when the child's pipe is gone, on the next wake.
            unchecked = unchecked or bool(new)
            idle = event == "control" and not new and not unchecked
            if control is not None and (event == "control" or not control.open) and ready and unchecked:
                if complete():
                    return STEP_DONE
                unchecked = False
            now = time.monotonic()
            if progress or new:
                last_progress = now
            elif now - last_progress >= limit:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                timeouts.count += 1
                return limit
    finally:
        exited.close()


def _exit_waiter(process, control=None):
    """A function ``wait(seconds)`` -> "exited" (the process has ended and is reaped), "control" (the child wrote
    to its control pipe) or None (the time passed); with ``close()``."""
    poller = select.poll()
    try:
        fd = os.pidfd_open(process.pid)
        poller.register(fd, select.POLLIN)
    except (AttributeError, OSError):  # no pidfd (not Linux >= 5.3): look at the process every few milliseconds
        fd = None
    if control is not None:
        poller.register(control.fd, select.POLLIN)

    def wait(seconds):
        timeout = seconds if fd is not None else min(seconds, 0.02)
        events = dict(poller.poll(timeout * 1000))
        if (fd in events) or (fd is None and process.poll() is not None):
            process.wait()
            return "exited"
        if control is not None and control.fd in events:
            if not control.drain():
                poller.unregister(control.fd)  # the child closed it: never readable again, do not spin on it
            return "control"
        return None

    wait.close = lambda: os.close(fd) if fd is not None else None
    return wait
