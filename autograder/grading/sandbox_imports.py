"""The student's modules that could not be imported, as the sandbox's child left them: records, log, culprits.

Before the first request, the child (:mod:`autograder.grading.sandbox_child`) imports every module of the
student's package that its requests need, writing ``import.MODULE.json`` after each (the module's status, or the
exception it raised) and logging every import of a module of the package to ``imports.log`` ("start NAME" /
"end NAME"). When the child hangs or dies while importing, the innermost module started and not ended is the
culprit: the next child refuses to import it (``job["blocked"]``), so an import-time hang, crash or ``sys.exit``
costs one timeout (or one crash) for the whole submission, and every task of a module that could not be imported
fails with a Problem that says which module and why (``import.failed`` / ``import.failed_in``).
All files are untrusted: read with caps, anything malformed is ignored or counted as a failure.
"""

import re
import sys

from ..runtime.problems import problem
from .results import MalformedResult, _read_capped, _record, error_problem

MAX_LOG_BYTES = 256 * 1024
MAX_RECORD_BYTES = 64 * 1024
MODULE_NAME = re.compile(r"^[A-Za-z_][\w.]{0,299}$")


def module_file(name, package):
    """``assignments.a3_lstm.lstm`` or ``a3_lstm.lstm`` -> ``a3_lstm/lstm.py`` (what a student recognises)."""
    if name == package:
        return f"{package}/__init__.py"
    if name.startswith(package + "."):
        name = name[len(package) + 1:]
    return name.replace(".", "/") + ".py"


class ImportFailures:
    """What is known, in one run of requests, about the student's modules that cannot be imported.

    - ``failed``: {task module (as ``course.yml`` names it): the Problem every request of it fails with}
    - ``blocked``: {full module name: the Problem of why it hung or crashed} (not imported again)
    - ``crashed``: the task modules of ``failed`` that failed by a hang or a crash, not by an exception
    """

    def __init__(self, package, submission_dir):
        self.package, self.submission_dir = package, submission_dir
        self.failed, self.blocked = {}, {}
        self.crashed = set()  # task modules that failed because an import hung or crashed (not an exception)

    def job(self, modules):
        """The ``imports`` and ``blocked`` entries of the next child's job, for the task modules it needs."""
        return {"imports": [m for m in dict.fromkeys(modules) if m not in self.failed], "blocked": sorted(self.blocked)}

    def _failure(self, module, culprit, reason):
        if culprit is None or culprit == f"{self.package}.{module}":
            return problem("import.failed", module=module_file(module, self.package), reason=reason.to_dict())
        return problem("import.failed_in", module=module_file(module, self.package),
                       culprit=module_file(culprit, self.package), reason=reason.to_dict())

    def read(self, results, modules, crash):
        """Read a finished child's import records for ``modules``; ``crash``: a function returning the Problem
        of how the child ended (called only if it died or hung while importing). Returns True if it did."""
        for module in modules:
            path = results / f"import.{module}.json"
            if not path.exists():
                if not (results / "ready").exists():
                    return False  # the child never got to the imports (not the student's code)
                culprit = self._culprit(results) or f"{self.package}.{module}"
                self.blocked[culprit] = crash()
                self.failed[module] = self._failure(module, culprit, self.blocked[culprit])
                self.crashed.add(module)
                return True
            try:
                record = _record(_read_capped(path, MAX_RECORD_BYTES))
            except MalformedResult:
                self.failed[module] = self._failure(module, None, problem("result.malformed"))
                continue
            if record["status"] == "ok":
                continue
            blocked_by = record.get("blocked_by")
            if isinstance(blocked_by, str) and blocked_by in self.blocked:
                self.failed[module] = self._failure(module, blocked_by, self.blocked[blocked_by])
                self.crashed.add(module)
            else:
                reason = error_problem(record["error"], None, self.submission_dir)
                self.failed[module] = self._failure(module, None, reason)
        return False

    def _culprit(self, results):
        """The innermost module of the package that ``imports.log`` shows started and not ended, or None."""
        try:
            lines = _read_capped(results / "imports.log", MAX_LOG_BYTES).decode("utf-8", "replace").splitlines()
        except MalformedResult as error:
            print(f"grader: imports.log unreadable: {error}", file=sys.stderr)
            return None
        stack = []
        for line in lines:
            kind, _, name = line.partition(" ")
            if not MODULE_NAME.match(name) or not (name == self.package or name.startswith(self.package + ".")):
                continue
            if kind == "start":
                stack.append(name)
            elif kind == "end" and name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name):]
        return stack[-1] if stack else None
