"""The child side of the sandbox: runs student code and returns arrays, never a verdict.

Started by ``autograder/grading/sandbox.py`` as ``python -I -S sandbox_child.py RUN_DIR``
with resource limits already applied. ``-S`` skips site-packages processing, so
no ``.pth`` file runs and the instructor packages (``solutions``,
``autograder``, instructor tests) are not importable; only the directories named
in ``RUN_DIR/job.json`` are put on ``sys.path`` (the task cases, the student's
submission, and the directories holding numpy and the standard library's
extras).

Everything in this process is the student's to change (their modules run here
and can patch numpy, the harness or this file), so it computes nothing that
earns points. For each request, in order, it appends ``N`` to ``started.log`` before running
it and writes ``N.result`` after (:func:`encode_result`: the status, error and names of
non-numeric outputs, then numeric arrays only; no zip, no pickle):

- ``{"kind": "call", "task_id", "args"}``: ``out:NAME`` for each flat output
  and ``arg:NAME`` for each argument after the call (the grader checks
  outputs and in-place changes itself);
- ``{"kind": "loss", "task_id", "args", "points": [{input name: value}]}``:
  ``loss``, the task's gradient-check loss at each point the grader chose (the arguments with those inputs
  replaced).

With ``channel_fd`` and ``proxies`` in the job, the functions of the tasks listed in ``proxies`` are replaced,
before any request runs, by proxies whose calls the grader answers (``dependency_proxies.py``, copied next to
this file; see autograder/grading/dependency_answers.py).

A request that ``started.log`` names and that has no complete ``.result`` is the one that killed the child.

With ``control`` in the job (two inherited pipe ends), the child does not exit after its requests: it writes a
byte, waits for the name of the next job file (``todo``, ``modules`` and the requests file, written by the grader
once it has read the results so far) and runs those, until an empty line (``sandbox_control.py``).

Before the first request the child writes ``ready`` (numpy and the cases are
loaded), then imports the student's modules of ``job["imports"]`` one by one
(``import.MODULE.json`` after each: its status, or the exception it raised), so a
module that hangs, crashes or exits at import costs one timeout for the whole
submission, not one per task. Every import of a module of the student's package
is logged to ``imports.log`` ("start NAME" / "end NAME"), which tells the grader
the module that hung or crashed; modules of ``job["blocked"]`` (one that hung or
crashed in an earlier child) raise ImportError at once. Requests of a module
that could not be imported are not run (the grader reports the import failure).
This file is standard-library only so it can run before anything is imported.
"""

import importlib.machinery
import json
import os
import pickle
import sys
import traceback
from pathlib import Path

MAX_MESSAGE = 2000
RESULT_MAGIC = b"RNNRES1\n"  # the first bytes of a result file (see encode_result)


def _student_frames(error, submission_dir):
    """The traceback lines that point into the submission, relative to it (short, no grader internals)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(submission_dir + os.sep)]
    return [f"{Path(frame.filename).relative_to(submission_dir)}:{frame.lineno} in {frame.name}: "
            f"{(frame.line or '').strip()}"[:300] for frame in frames[-3:]]


def _arrays(np, values, prefix, record):
    """{prefix + name: numeric array}; names of values numpy cannot store as numbers go to record["not_numeric"]."""
    arrays = {}
    for name, value in values.items():
        try:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise TypeError(array.dtype)
            arrays[prefix + str(name)] = array
        except Exception:  # noqa: BLE001 - reported to the grader by name, judged there
            record["not_numeric"].append(prefix + str(name)[:200])
    return arrays


def _error_record(error, submission_dir):
    try:
        message = str(error)[:MAX_MESSAGE]
    except BaseException:  # noqa: BLE001 - an exception whose __str__ fails
        message = ""
    return {"status": "error", "not_numeric": [],
            "error": {"type": type(error).__name__[:100], "message": message,
                      "where": _student_frames(error, submission_dir)}}


def _run(np, harness, spec, load, request, record):
    if request["kind"] == "call":
        outputs, args_after = harness.call(spec, load, request["args"])
        return {**_arrays(np, outputs, "out:", record), **_arrays(np, args_after, "arg:", record)}
    losses = [float(spec.grad_checks.loss(load, {**harness.fresh_copy(request["args"]),
                                                 **{name: value.copy() for name, value in point.items()}}))
              for point in request["points"]]
    return {"loss": np.array(losses, dtype=np.float64)}


class Blocked(ImportError):
    """Raised on importing a module that hung or crashed at import in an earlier child."""


class ImportWatch:
    """A meta path finder: logs every import of a module of the student's package and refuses blocked ones."""

    def __init__(self, package, blocked, log):
        self.package, self.blocked, self.log = package, set(blocked), log

    def find_spec(self, name, path=None, target=None):
        if name != self.package and not name.startswith(self.package + "."):
            return None
        if name in self.blocked:
            raise Blocked(name)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = WatchedLoader(spec.loader, name, self.log)
        return spec


class WatchedLoader:
    def __init__(self, loader, name, log):
        self.loader, self.name, self.log = loader, name, log

    def __getattr__(self, attribute):
        return getattr(self.loader, attribute)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.log(f"start {self.name}")
        try:
            self.loader.exec_module(module)
        finally:
            self.log(f"end {self.name}")


def _import_modules(job, load, results):
    """Import the student's modules of the job; returns the set of those that failed."""
    log_handle = open(results / "imports.log", "a", buffering=1)

    def log(line):
        log_handle.write(line + "\n")
        log_handle.flush()

    sys.meta_path.insert(0, ImportWatch(job["student_package"], job["blocked"], log))
    failures = set()
    for module in job["imports"]:
        record = {"status": "ok", "error": None, "not_numeric": []}
        try:
            load(module)
        except BaseException as error:  # noqa: BLE001 - an exit or any exception at import is the module's failure
            record = _error_record(error, job["submission_dir"])
            blocked = error if isinstance(error, Blocked) else error.__context__ or error.__cause__
            while blocked is not None and not isinstance(blocked, Blocked):
                blocked = blocked.__context__ or blocked.__cause__
            if blocked is not None:
                record["blocked_by"] = str(blocked.args[0])[:300]
            failures.add(module)
        (results / f"import.{module}.json").write_text(json.dumps(record))
    return failures


def _install_proxies(np, load, job, run_dir):
    import importlib.util

    spec = importlib.util.spec_from_file_location("dependency_proxies", run_dir / "dependency_proxies.py")
    proxies = importlib.util.module_from_spec(spec)
    sys.modules["dependency_proxies"] = proxies
    spec.loader.exec_module(proxies)
    proxies.install(np, load, job["proxies"], job["channel_fd"], job["student_package"])


def _request(np, harness, specs, load, request, index, import_failed, job, results, started):
    if import_failed:
        return  # the grader reports the module's import failure
    started.write(f"{index}\n")  # one line-buffered write: a file per request costs more than most requests
    record = {"status": "ok", "error": None, "not_numeric": []}
    try:
        arrays = _run(np, harness, specs[request["task_id"]], load, request, record)
    except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are student errors too
        record, arrays = _error_record(error, job["submission_dir"]), {}
    try:
        data = encode_result(record, arrays)
    except BaseException as error:  # noqa: BLE001 - e.g. an output name JSON cannot carry
        data = encode_result(_error_record(error, job["submission_dir"]), {})
    with open(results / f"{index}.result", "wb") as handle:
        handle.write(data)


def encode_result(record, arrays):
    """One request's result file: RESULT_MAGIC, the header's length (4 bytes, little-endian), the header (JSON:
    ``record`` and, per array, [name, dtype, Fortran order, shape]), then each array's bytes in that order.

    One file per request, written once (a file that ends early is a request that did not finish); no zip, no
    pickle (read by ``autograder/grading/results.py``)."""
    described, chunks = [], []
    for name, array in arrays.items():
        fortran = bool(array.flags.f_contiguous and not array.flags.c_contiguous)
        described.append([name, array.dtype.str, fortran, list(array.shape)])
        chunks.append(array.tobytes(order="F" if fortran else "C"))
    header = json.dumps({"record": record, "arrays": described}).encode()
    return b"".join([RESULT_MAGIC, len(header).to_bytes(4, "little"), header, *chunks])


def _next_job(fd):
    """The name of the next job file the grader sends (one line), or None: nothing more."""
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(fd, 1024)
        if not chunk:
            return None
        line += chunk
    return line.decode("ascii").strip() or None


def main(run_dir):
    run_dir = Path(run_dir)
    job = json.loads((run_dir / "job.json").read_text())
    sys.path[:0] = job["path"]
    import numpy as np

    package = __import__(job["cases_package"], fromlist=["harness"])
    harness = package.harness
    specs = harness.all_specs()
    load = harness.make_loader(job["student_package"])
    results = run_dir / "results"
    (results / "ready").write_text("")
    failures = _import_modules(job, load, results)
    if job.get("channel_fd") is not None:  # the grader answers the calls to these tasks (dependency_proxies.py)
        _install_proxies(np, load, job, run_dir)  # after the watched imports: a hang there costs one timeout
    step, control = job, job.get("control")
    started = open(results / "started.log", "a", buffering=1)
    while True:  # a step: job.json, then each job file the grader sends
        with open(run_dir / step["requests"], "rb") as handle:
            requests = pickle.load(handle)  # {index: request} of the step, written by the grader (trusted direction)
        for index in step["todo"]:
            _request(np, harness, specs, load, requests[index], index, step["modules"][str(index)] in failures, job,
                     results, started)
        if control is None:
            break
        os.write(control[1], b".")  # this step is done: the grader reads its results, then may send more
        name = _next_job(control[0])
        if name is None:
            break
        step = json.loads((run_dir / name).read_text())
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
