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
earns points. For each request, in order, it writes ``N.started`` before running
it and ``N.json`` (status, error, names of non-numeric outputs) plus ``N.npz``
(arrays only, no pickles) after:

- ``{"kind": "call", "task_id", "args"}``: ``out:NAME`` for each flat output
  and ``arg:NAME`` for each argument after the call (the grader checks
  outputs and in-place changes itself);
- ``{"kind": "loss", "task_id", "args", "points": [(input name, value)]}``:
  ``loss``, the task's gradient-check loss at each point the grader chose.

With ``channel_fd`` and ``proxies`` in the job, the functions of the tasks listed in ``proxies`` are replaced,
before any request runs, by proxies whose calls the grader answers (``dependency_proxies.py``, copied next to
this file; see autograder/grading/dependency_answers.py).

A request whose ``.started`` has no ``.json`` is the one that killed the child.
This file is standard-library only so it can run before anything is imported.
"""

import copy
import json
import os
import pickle
import sys
import traceback
from pathlib import Path

MAX_MESSAGE = 2000


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
    losses = [float(spec.grad_checks.loss(load, {**copy.deepcopy(request["args"]), name: value.copy()}))
              for name, value in request["points"]]
    return {"loss": np.array(losses, dtype=np.float64)}


def _install_proxies(np, load, job, run_dir):
    import importlib.util

    spec = importlib.util.spec_from_file_location("dependency_proxies", run_dir / "dependency_proxies.py")
    proxies = importlib.util.module_from_spec(spec)
    sys.modules["dependency_proxies"] = proxies
    spec.loader.exec_module(proxies)
    proxies.install(np, load, job["proxies"], job["channel_fd"], job["student_package"])


def main(run_dir):
    run_dir = Path(run_dir)
    job = json.loads((run_dir / "job.json").read_text())
    sys.path[:0] = job["path"]
    import numpy as np

    package = __import__(job["cases_package"], fromlist=["harness"])
    harness = package.harness
    specs = harness.all_specs()
    load = harness.make_loader(job["student_package"])
    if job.get("channel_fd") is not None:  # the grader answers the calls to these tasks (dependency_proxies.py)
        _install_proxies(np, load, job, run_dir)
    with open(run_dir / "requests.pkl", "rb") as handle:
        requests = pickle.load(handle)  # written by the grader (trusted direction)
    results = run_dir / "results"
    for index in job["todo"]:
        request = requests[index]
        (results / f"{index}.started").write_text("")
        record = {"status": "ok", "error": None, "not_numeric": []}
        try:
            arrays = _run(np, harness, specs[request["task_id"]], load, request, record)
        except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are student errors too
            record, arrays = _error_record(error, job["submission_dir"]), {}
        try:
            np.savez(results / f"{index}.npz", **arrays)
        except BaseException as error:  # noqa: BLE001 - e.g. an output name numpy cannot store
            record = _error_record(error, job["submission_dir"])
            np.savez(results / f"{index}.npz")
        (results / f"{index}.json").write_text(json.dumps(record))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
