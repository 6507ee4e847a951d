"""The child side of the sandbox: runs student code, never imports the grader.

Started by ``autograder/grading/sandbox.py`` as ``python -I -S sandbox_child.py RUN_DIR``
with resource limits already applied. ``-S`` skips site-packages processing, so
no ``.pth`` file runs and the instructor packages (``solutions``,
``autograder``, instructor tests) are not importable; only the directories named
in ``RUN_DIR/job.json`` are put on ``sys.path`` (the task cases, the student's
submission, and the directories holding numpy and the standard library's
extras).

For each request, in order, the child writes ``N.started`` before running it and
``N.json`` (status, problems, error) plus ``N.npz`` (outputs, no pickles) after.
A request whose ``.started`` has no ``.json`` is the one that killed the child.
This file is standard-library only so it can run before anything is imported.
"""

import json
import os
import pickle
import sys
import traceback
from pathlib import Path

MAX_MESSAGE = 2000


def _student_frames(error, submission_dir):
    """The traceback lines that point into the submission (short, no grader internals)."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(submission_dir)]
    lines = [f"{Path(frame.filename).relative_to(submission_dir)}:{frame.lineno} in {frame.name}: "
             f"{(frame.line or '').strip()}" for frame in frames[-3:]]
    return lines


def main(run_dir):
    run_dir = Path(run_dir)
    job = json.loads((run_dir / "job.json").read_text())
    sys.path[:0] = job["path"]
    import numpy as np

    package = __import__(job["cases_package"], fromlist=["harness", "messages"])
    harness = package.harness
    specs = harness.all_specs()
    load = harness.make_loader(job["student_package"])
    with open(run_dir / "requests.pkl", "rb") as handle:
        requests = pickle.load(handle)  # written by the grader (trusted direction)
    results = run_dir / "results"
    for index in job["todo"]:
        request = requests[index]
        (results / f"{index}.started").write_text("")
        record = {"status": "ok", "problems": [], "gradient_problems": [], "error": None}
        outputs = {}
        try:
            spec = specs[request["task_id"]]
            outputs, record["problems"] = harness.run_case(spec, load, request["args"])
            if request.get("gradcheck") and spec.grad_checks is not None:
                record["gradient_problems"] = harness.gradient_problems(spec, load, request["args"], outputs,
                                                                        request["gradcheck"])
        except BaseException as error:  # noqa: BLE001 - SystemExit and KeyboardInterrupt are student errors too
            record["status"] = "error"
            record["error"] = {"type": type(error).__name__, "message": str(error)[:MAX_MESSAGE],
                               "where": _student_frames(error, job["submission_dir"])}
            outputs = {}
        arrays = {}
        for name, value in outputs.items():
            try:
                array = np.asarray(value)
                if array.dtype == object:
                    raise TypeError("object array")
                arrays[name] = array
            except Exception:  # noqa: BLE001
                record["problems"].append(package.messages.t("output.not_numeric", name=name))
        np.savez(results / f"{index}.npz", **arrays)
        (results / f"{index}.json").write_text(json.dumps(record))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
