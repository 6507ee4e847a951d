"""Adding a task takes at most four hand-edited files; every generator and verb copes with it.

In a copy of the course, a forward-only task is added (Task 3.14, one step of an
LSTM with peephole connections) by editing the solution, its ``course.yml``
entry (English and Korean texts), its case inputs and one handout paragraph.
The generators then run in the copy, and ``course check``, the public tests of a
fresh release, ``course grade`` of the reference and the nbgrader build must all
take the new task into account, with totals computed from the manifests.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from autograder.runtime.manifest import REPO_ROOT, load_manifest

pytestmark = pytest.mark.slow

COPIED = ("course.yml", "solutions", "autograder", "assignments", "tests/public", "notebooks",
          "nbgrader_config.py", "pyproject.toml")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
NEW_TASK = "3.14"
NEW_POINTS = 2
GENERATORS = (["stubs"], ["fixtures"])  # sample submissions are generated on demand, never committed

SOLUTION = '''

def peephole_lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b, w_ci, w_cf, w_co):
    """Task 3.14: one LSTM step with peephole connections: the input and forget gates also see c_prev, the
    output gate sees the new cell state c_next (Gers, Schraudolph and Schmidhuber, 2002).

    With a = x Wx + h_prev Wh + b (gate order i, f, g, o):
    i = sigmoid(a_i + w_ci * c_prev), f = sigmoid(a_f + w_cf * c_prev), g = tanh(a_g),
    c_next = f * c_prev + i * g, o = sigmoid(a_o + w_co * c_next), h_next = o * tanh(c_next).

    Inputs:
    - x: input of shape (N, D)
    - h_prev: previous hidden state of shape (N, H)
    - c_prev: previous cell state of shape (N, H)
    - Wx: input-to-hidden weights of shape (D, 4H)
    - Wh: hidden-to-hidden weights of shape (H, 4H)
    - b: bias of shape (4H,)
    - w_ci, w_cf, w_co: peephole weights of the input, forget and output gates, each of shape (H,)

    Returns a tuple of:
    - h_next: next hidden state of shape (N, H)
    - c_next: next cell state of shape (N, H)
    """
    # BEGIN SOLUTION
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    a[:, 0:H] += w_ci * c_prev  # the input gate peeks at c_prev
    a[:, H:2 * H] += w_cf * c_prev  # the forget gate peeks at c_prev
    c_next = cell_state_update(c_prev, forget_gate(a), input_gate(a), cell_candidate(a))  # (N, H)
    a[:, 3 * H:] += w_co * c_next  # the output gate peeks at the new cell state
    h_next = hidden_state(c_next, output_gate(a))  # (N, H)
    return h_next, c_next
    # END SOLUTION
'''

MANIFEST_ENTRY = f'''      - id: "{NEW_TASK}"
        file: lstm.py
        function: peephole_lstm_step_forward
        points: {NEW_POINTS}
        notebook: check_lstm
        uses: ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6"]
        title:
          en: "Peephole LSTM step forward"
          ko: "핍홀 LSTM 스텝 순전파"
        hint:
          en: "add w_ci * c_prev to a_i and w_cf * c_prev to a_f before the gates; the output gate sees the new c: a_o + w_co * c_next"
          ko: "게이트 전에 a_i에 w_ci * c_prev, a_f에 w_cf * c_prev를 더하세요; 출력 게이트는 새 c를 봅니다: a_o + w_co * c_next"
'''

CASES = f'''

# {NEW_TASK}: lstm.py, peephole connections ------------------------------------------------------------
def peephole_inputs(rng, N, T, D, H):
    return {{**step_inputs(rng, N, T, D, H), **{{name: rng.standard_normal(H) * 0.5 for name in ("w_ci", "w_cf", "w_co")}}}}


register(TaskSpec("{NEW_TASK}", peephole_inputs, call=(*STEP_ARGS, "w_ci", "w_cf", "w_co"), outputs=("h_next", "c_next")))
'''

HANDOUT = f'''## Peephole connections (Task {NEW_TASK})

In a peephole LSTM the gates also look at the cell state: the input and forget gates add
$w_{{ci}} \\odot c_{{t-1}}$ and $w_{{cf}} \\odot c_{{t-1}}$ to their pre-activations, and the output gate adds
$w_{{co}} \\odot c_t$, the *new* cell state. `peephole_lstm_step_forward` reuses your gate functions.

## References
'''


PEEPHOLE_ORACLE = """
import numpy as np
from solutions.a3_lstm.lstm import peephole_lstm_step_forward
rng = np.random.default_rng(0)
N, D, H = 3, 4, 5
x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
Wx, Wh, b = rng.standard_normal((D, 4 * H)), rng.standard_normal((H, 4 * H)), rng.standard_normal(4 * H)
w_ci, w_cf, w_co = rng.standard_normal(H), rng.standard_normal(H), rng.standard_normal(H)
sigmoid = lambda z: 1 / (1 + np.exp(-z))
a = x @ Wx + h @ Wh + b
i, f = sigmoid(a[:, :H] + w_ci * c), sigmoid(a[:, H:2 * H] + w_cf * c)
c_next = f * c + i * np.tanh(a[:, 2 * H:3 * H])
h_next = sigmoid(a[:, 3 * H:] + w_co * c_next) * np.tanh(c_next)
got = peephole_lstm_step_forward(x, h, c, Wx, Wh, b, w_ci, w_cf, w_co)
np.testing.assert_allclose(got[0], h_next, rtol=1e-12, atol=1e-14)
np.testing.assert_allclose(got[1], c_next, rtol=1e-12, atol=1e-14)
"""


def _snapshot(root):
    """{relative path: sha256} of every file under root (caches excluded)."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and "__pycache__" not in path.parts
            and ".pytest_cache" not in path.parts}


def _changed(before, after):
    return sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r} must occur once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _run(root, *args, cwd=None, timeout=1800):
    env = {key: value for key, value in os.environ.items() if key not in ("RNN_COURSE_IMPL", "RNN_COURSE_LANG")}
    env["PYTHONPATH"] = str(root)
    result = subprocess.run([sys.executable, *args], cwd=cwd or root, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _course(root, *args, timeout=1800):
    return _run(root, "-m", "autograder.authoring.cli", *args, timeout=timeout)


def _add_the_task(root):
    """The hand edits of a new task: solution, course.yml entry, case inputs, handout paragraph."""
    with (root / "solutions" / "a3_lstm" / "lstm.py").open("a", encoding="utf-8") as handle:
        handle.write(SOLUTION)
    _edit(root / "course.yml", "\n\n  - id: a4\n", "\n" + MANIFEST_ENTRY + "\n  - id: a4\n")
    with (root / "autograder" / "runtime" / "cases_a3.py").open("a", encoding="utf-8") as handle:
        handle.write(CASES)
    _edit(root / "solutions" / "a3_lstm" / "handout.en.md", "## References\n", HANDOUT)


def test_a_new_task_needs_at_most_four_hand_edited_files(tmp_path):
    root = tmp_path / "course"
    for name in COPIED:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=IGNORE)
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / name)
    old = load_manifest(root / "course.yml")

    pristine = _snapshot(root)
    _add_the_task(root)
    hand_edited = _changed(pristine, _snapshot(root))
    for generator in GENERATORS:
        _course(root, *generator)
    regenerated = [path for path in _changed(pristine, _snapshot(root)) if path not in hand_edited]
    print(f"\nhand-edited files: {len(hand_edited)} {hand_edited}")
    print(f"regenerated files: {len(regenerated)} {regenerated}")
    assert len(hand_edited) <= 4, hand_edited

    new = load_manifest(root / "course.yml", solutions_dir=root / "solutions")
    task = new.task(NEW_TASK)
    assert task.uses == tuple(f"3.{k}" for k in range(1, 7)) and task.notebook == "check_lstm"
    assert new.assignment("a3").points == old.assignment("a3").points + task.points
    assert any(path.startswith("assignments/a3_lstm/") for path in regenerated)
    assert any(path.startswith("tests/public/fixtures/") for path in regenerated)

    # the reference is the peephole LSTM step, written out here independently of the course's gate functions
    _run(root, "-c", PEEPHOLE_ORACLE)

    # course check: reference full marks, stubs zero, every catalogued mistake caught
    out = _course(root, "check", "--seed", "11", "--assignment", "a3", timeout=3000)  # the new task's assignment
    assert "self-check passed" in out, out[-3000:]

    # the public tests of a fresh release pass with the reference copied in
    student = tmp_path / "student"
    _course(root, "release", "--out", str(student))
    assert f'raise NotImplementedError("Task {NEW_TASK}: peephole_lstm_step_forward")' in \
        (student / "assignments" / "a3_lstm" / "lstm.py").read_text()
    for package in [a.package for a in new.assignments] + ["common"]:
        shutil.rmtree(student / "assignments" / package)
        shutil.copytree(root / "solutions" / package, student / "assignments" / package, ignore=IGNORE)
    tests = _run(student, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests")
    assert " passed" in tests and "failed" not in tests, tests[-3000:]
    marked = _run(student, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", task.marker, "tests")
    assert " passed" in marked and "failed" not in marked, marked[-3000:]

    # course grade of the reference: the old total plus the new task's points
    _course(root, "samples", "--out", str(tmp_path / "samples"))
    graded = json.loads(_course(root, "grade", str(tmp_path / "samples" / "complete"),
                                "--format", "json", "--seed", "3"))[0]
    old_total = sum(t.points for t in old.tasks)
    assert graded["points"] == graded["max_points"] == old_total + task.points
    assert any(t["id"] == NEW_TASK and t["points"] == task.points for t in graded["tasks"]), graded["tasks"]

    # the nbgrader build counts the new task's points in its graded cell
    course_dir = tmp_path / "nbgrader"
    _course(root, "nbgrader", "--out", str(course_dir), "--assignment", "a3")
    import nbformat

    nb = nbformat.read(course_dir / "source" / "a3_lstm" / "a3_lstm.ipynb", as_version=4)
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells  # autograded (not the written answers)
             if cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata["nbgrader"].get("solution")}
    answers = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")
               and cell.metadata["nbgrader"].get("solution")]
    assert sum(cell.metadata["nbgrader"]["points"] for cell in answers) == new.assignment("a3").written_points
    lstm_cell = cells["check_lstm"]
    assert re.search(rf"\b{re.escape(NEW_TASK)}\b", lstm_cell.source), lstm_cell.source
    old_cell_points = sum(t.points for t in old.assignment("a3").tasks if t.notebook == "check_lstm")
    assert lstm_cell.metadata["nbgrader"]["points"] == old_cell_points + task.points
    assert sum(cell.metadata["nbgrader"]["points"] for cell in cells.values()) == new.assignment("a3").points
    assert (course_dir / "release" / "a3_lstm" / "a3_lstm.ipynb").is_file()
    assert yaml.safe_load((root / "course.yml").read_text())["assignments"][2]["tasks"][-1]["id"] == NEW_TASK
