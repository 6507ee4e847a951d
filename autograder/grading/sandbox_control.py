"""The live control of a sandbox child: further requests for the same child, after the first ones' results are read.

A submission's gradient checks need the losses at points the grader chooses after it has read the backward's
outputs (the code that runs once the directions are known must not be able to change the gradients it returned).
Instead of starting a second child for them, the grader keeps the first one waiting:

1. the child runs its requests, then writes one byte to ``done`` and blocks on ``more``;
2. the grader, woken by that byte, checks that every request of the step has its result file (a byte alone proves
   nothing: the student's code may write it), reads every result into its own memory, and only then writes the
   next job file (``job.K.json``: the new requests' indices and modules, the requests file) into the run directory,
   which the child may read but not write, and sends its name as one line;
3. an empty line (or the pipe's end) tells the child to exit; the grader stops it in any case.

Every byte from the child is untrusted: it wakes the grader, nothing else. The student's code can close or steal
the pipes; then the grader stops hearing ``done``, and waits for the child's files (looked at a few times per wall
limit, see ``sandbox_wait.wait``) or its wall limit, as for any child; it can never make the grader block (the
grader's ends are non-blocking, and it writes one short line per step).
"""

import contextlib
import os


class Control:
    """The two pipes of one child: ``child_fds`` (read ``more``, write ``done``) go to it; the others stay here."""

    def __init__(self):
        self._more = os.pipe()  # grader -> child: the name of the next job file, one line
        self._done = os.pipe()  # child -> grader: a byte after each step's last result
        for fd in (self._more[1], self._done[0]):
            os.set_blocking(fd, False)
        self._unclosed = {*self._more, *self._done}
        self.open = True  # False once the child closed its end of ``done``

    @property
    def child_fds(self):
        return self._more[0], self._done[1]

    @property
    def fd(self):
        """What the grader polls: readable when the child says a step is done (or closes the pipe)."""
        return self._done[0]

    def started(self):
        """After the child started: close the child's ends here (so the grader sees the pipe end when it dies)."""
        self._close(self.child_fds)

    def drain(self):
        """Read whatever the child wrote; returns False once the child's end is closed."""
        try:
            while True:
                data = os.read(self._done[0], 4096)
                if not data:
                    self.open = False
                    return False
        except BlockingIOError:
            return True

    def send(self, name):
        """Tell the child the next job file (None: nothing more). Returns False if it cannot hear it."""
        try:
            os.write(self._more[1], ((name or "") + "\n").encode())
            return True
        except (BlockingIOError, BrokenPipeError):
            return False

    def close(self):
        self._close(list(self._unclosed))

    def _close(self, fds):
        for fd in fds:
            if fd in self._unclosed:
                self._unclosed.discard(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)
