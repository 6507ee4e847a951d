"""End to end: the standalone student repository installs in a fresh venv and its tests behave.

1. ``course release --out DIR``; ``pip install -e DIR`` in a new venv; ``pytest``:
   every task fails with a ``NotImplementedError`` naming a task, nothing errors
   at collection.
2. The solution files are copied over the stubs; ``pytest`` again: all pass.
"""

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from autograder.runtime.manifest import REPO_ROOT, load_manifest

# the student venv (a session fixture) is built once, in the worker that runs every test that needs it
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("student-venv")]


def _run(command, cwd, env=None):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _junit(path):
    """{test name: (outcome, message)} from a junit XML file."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome, message = child.tag, (child.get("message") or "") + (child.text or "")
        results[case.get("name")] = (outcome, message)
    return results


# session scope: built once in the worker of this file's xdist group, even when that worker runs other
# modules' tests in between (a module fixture would be built again after them)
@pytest.fixture(scope="session")
def student_repo(tmp_path_factory, student_venv):
    root = tmp_path_factory.mktemp("release")
    repo = root / "student"
    result = _run([sys.executable, "-m", "autograder.authoring.cli", "release", "--out", str(repo)], cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr
    venv = student_venv
    install = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-e", str(repo)], cwd=repo)
    assert install.returncode == 0, install.stdout + install.stderr
    return repo, venv


def _student_pytest(repo, venv, junit):
    env = {key: value for key, value in os.environ.items() if key != "RNN_COURSE_IMPL"}
    return _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 f"--junitxml={junit}"], cwd=repo, env=env)


def test_fresh_release_fails_every_task_with_not_implemented(student_repo, tmp_path):
    repo, venv = student_repo
    result = _student_pytest(repo, venv, tmp_path / "stubs.xml")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    assert "error" not in result.stdout.splitlines()[-1], result.stdout[-2000:]
    results = _junit(tmp_path / "stubs.xml")
    assert results and all(outcome == "failure" for outcome, _ in results.values()), \
        [name for name, (outcome, _) in results.items() if outcome != "failure"]
    assert all("NotImplementedError" in message and "Task " in message for _, message in results.values())
    failed_tasks = {name.split("[")[1].split("-")[0].rstrip("]") for name in results}
    assert failed_tasks == {task.id for task in load_manifest().tasks}


def test_release_with_solutions_copied_in_passes(student_repo, tmp_path):
    repo, venv = student_repo
    solved = tmp_path / "solved"
    shutil.copytree(repo, solved, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for source in (REPO_ROOT / "solutions").rglob("*.py"):
        shutil.copyfile(source, solved / "assignments" / source.relative_to(REPO_ROOT / "solutions"))
    env = {key: value for key, value in os.environ.items() if key != "RNN_COURSE_IMPL"}
    env["PYTHONPATH"] = str(solved)  # the venv's editable install points at the stub copy
    result = _run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   f"--junitxml={tmp_path / 'solved.xml'}"], cwd=solved, env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    results = _junit(tmp_path / "solved.xml")
    assert results and all(outcome == "passed" for outcome, _ in results.values())


def _experiments(repo, venv, *args, pythonpath=None):
    env = {key: value for key, value in os.environ.items() if key not in ("RNN_COURSE_IMPL", "PYTHONPATH")}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return _run([str(venv / "bin" / "python"), "-m", "experiments", *args], cwd=repo, env=env)


def test_experiments_on_stubs_name_the_task_to_implement_first(student_repo, tmp_path):
    repo, venv = student_repo
    result = _experiments(repo, venv, "vanishing", "gates", "--quick", "--out", str(tmp_path / "figures"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "vanishing: implement Task 2." in result.stderr and "gates: implement Task 2." in result.stderr


def test_experiments_with_solutions_copied_in_write_every_figure(student_repo, tmp_path):
    """``python -m experiments all --quick`` on the reference: every figure each experiment lists is written."""
    repo, venv = student_repo
    solved = tmp_path / "solved"
    shutil.copytree(repo, solved, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    for source in (REPO_ROOT / "solutions").rglob("*.py"):
        shutil.copyfile(source, solved / "assignments" / source.relative_to(REPO_ROOT / "solutions"))
    out = tmp_path / "figures"
    result = _experiments(solved, venv, "all", "--quick", "--out", str(out), pythonpath=solved)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    listed = re.findall(r'"([\w.]+\.png)"', result.stdout)
    expected = {"char_lm.png", "vanishing.png", "clipping.png", "truncated_bptt.png", "gradient_flow.png",
                "adding.png", "gates.png", "char_project_en_lstm.png", "unrolled_rnn.png", "lstm_cell.png",
                "gru_cell.png"}
    assert set(listed) == expected
    assert all((out / name).read_bytes().startswith(b"\x89PNG") for name in expected)
