"""Delivery: the grader bundle, Gradescope's autograder zip, and the student repository's workflow."""

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder.authoring.bundle import write_bundle
from autograder.grading.grade import grade_submission
from autograder.authoring.gradescope import write_autograder_zip
from autograder.runtime.manifest import load_manifest
from autograder.authoring import release as release_module
from autograder.authoring.release import BuildError, build_student_repo

GRADESCOPE_STATUSES = {"passed", "failed"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def validate_gradescope_results(results):
    """Check a results.json against Gradescope's specification; return a list of problems."""
    problems = []
    if not isinstance(results.get("score"), (int, float)):
        problems.append("top-level score must be a number")
    for key, kinds in (("output", str), ("visibility", str), ("stdout_visibility", str), ("execution_time", (int, float))):
        if key in results and not isinstance(results[key], kinds):
            problems.append(f"{key} has the wrong type")
    for key in ("visibility", "stdout_visibility"):
        if key in results and results[key] not in GRADESCOPE_VISIBILITY:
            problems.append(f"{key} {results[key]!r} is not a Gradescope visibility")
    for test in results.get("tests", []):
        for key, kinds in (("name", str), ("score", (int, float)), ("max_score", (int, float)), ("output", str)):
            if not isinstance(test.get(key), kinds):
                problems.append(f"test {test.get('name')}: {key} missing or of the wrong type")
        if test.get("status") not in GRADESCOPE_STATUSES:
            problems.append(f"test {test.get('name')}: status {test.get('status')!r}")
        if test.get("visibility", "visible") not in GRADESCOPE_VISIBILITY:
            problems.append(f"test {test.get('name')}: visibility {test.get('visibility')!r}")
        if isinstance(test.get("score"), (int, float)) and test["score"] > test.get("max_score", 0) + 1e-9:
            problems.append(f"test {test.get('name')}: score above max_score")
    if "tests" in results and abs(sum(t["score"] for t in results["tests"]) - results["score"]) > 1e-6:
        problems.append("score is not the sum of the tests' scores")
    return problems


def test_bundle_holds_exactly_what_grading_needs(tmp_path):
    bundle = write_bundle(tmp_path / "grader.tar.gz")
    with tarfile.open(bundle) as archive:
        names = set(archive.getnames())
    for required in ("grader/course.yml", "grader/autograder/grading/grade.py", "grader/autograder/grading/sandbox_child.py",
                     "grader/autograder/grading/submission.py", "grader/autograder/grading/submission_zip.py",
                     "grader/solutions/a3_lstm/lstm.py", "grader/autograder/runtime/harness.py",
                     "grader/autograder/runtime/cases_a4.py"):
        assert required in names, required
    for name in names:
        assert not name.startswith(("grader/assignments", "grader/examples", "grader/tests/reference",
                                    "grader/tests")), name
        assert not name.endswith((".md", "test_tasks.py", "conftest.py", ".pkl")), name


def test_the_bundles_cli_starts_with_only_the_bundled_modules(tmp_path):
    from autograder.authoring.bundle import extract_bundle

    root = extract_bundle(write_bundle(tmp_path / "grader.tar.gz"), tmp_path / "x")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    result = subprocess.run([sys.executable, "-m", "autograder.authoring.cli", "--help"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "grade" in result.stdout


def test_grading_with_the_bundle_matches_the_working_tree(tmp_path, sample_submissions):
    bundle = write_bundle(tmp_path / "grader.tar.gz")
    out = tmp_path / "report.json"
    sample = sample_submissions / "mistake_lstm_gate_order_cs231n"
    result = subprocess.run([sys.executable, "-m", "autograder.authoring.cli", "grade", "--bundle", str(bundle), str(sample),
                             "--assignment", "a3", "--seed", "4", "--format", "json", "--out", str(out)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    via_bundle = json.loads(out.read_text())[0]
    local = grade_submission(sample, assignment_ids=["a3"], seed=4)
    assert via_bundle["points"] == local.points < local.max_points
    assert via_bundle["seed"] == 4


def printed_seed(message_key, text, lang=None):
    """The seed that ``text`` names where the message ``message_key`` (with a ``{seed}`` field) was rendered."""
    from autograder.runtime.messages import catalogue, language

    parts = re.split(r"(\{\w+\})", catalogue(lang or language())[message_key])
    pattern = "".join(r"(\d+)" if part == "{seed}" else ".*?" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
                      for part in parts)
    found = re.findall(pattern, text)
    assert found, f"no seed in {text!r}"
    return int(found[-1])


def _python_path_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    env.update(extra)
    return env


@pytest.mark.parametrize("sample", ["complete", "partial", "mistake_gru_z_reversed", "empty"])
def test_gradescope_zip_in_a_simulated_autograder_root(tmp_path, sample_submissions, sample):
    archive = write_autograder_zip(tmp_path / "autograder.zip")
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "grader/autograder/authoring/cli.py"} <= names
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        root = tmp_path / "autograder"
        zf.extractall(root / "source")
    shutil.copytree(sample_submissions / sample, root / "submission")
    (root / "source" / "python3").symlink_to(sys.executable)  # the image's python3, with numpy and pyyaml
    env = _python_path_env(AUTOGRADER_ROOT=str(root), SANDBOX_USER="",
                           PATH=f"{root / 'source'}:{os.environ['PATH']}")
    result = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert validate_gradescope_results(results) == []
    assert len(results["tests"]) == len(load_manifest().tasks)
    expected = grade_submission(sample_submissions / sample,
                                seed=printed_seed("report.gradescope_output", results["output"]))
    assert results["score"] == pytest.approx(expected.points)


def test_gradescope_writes_results_even_when_the_submission_is_unusable(tmp_path):
    archive = write_autograder_zip(tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "README.txt").write_text("I forgot my code")
    (root / "source" / "python3").symlink_to(sys.executable)
    env = _python_path_env(AUTOGRADER_ROOT=str(root), SANDBOX_USER="", PATH=f"{root / 'source'}:{os.environ['PATH']}")
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    assert validate_gradescope_results(results) == []
    assert results["score"] == 0
    assert "no 'assignments/' package" in results["tests"][0]["output"]


def workflow(repo):
    return yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text())


def test_workflow_yaml_is_valid_and_has_one_points_runner_per_task_without_any_token(tmp_path):
    repo = tmp_path / "student"
    build_student_repo(repo)
    text = (repo / ".github" / "workflows" / "classroom.yml").read_text()
    spec = workflow(repo)
    triggers = spec.get("on", spec.get(True))  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers
    steps = spec["jobs"]["grade"]["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)
    assert all("@v" in step["uses"] for step in steps if "uses" in step)
    assert "secrets." not in text and not re.search(r"token\s*:", text, re.IGNORECASE)
    assert all(step["with"]["persist-credentials"] is False for step in steps
               if step.get("uses", "").startswith("actions/checkout@"))
    tasks = load_manifest().tasks
    runners = [step for step in steps if step.get("uses") == "classroom-resources/autograding-command-grader@v1"]
    assert [(r["id"], r["with"]["max-score"]) for r in runners] == [
        ("task_" + task.id.replace(".", "_"), task.points) for task in tasks]
    assert all(f'-k "test_task[{task.id}-"' in r["with"]["command"] for r, task in zip(runners, tasks))
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"].split(",") == [r["id"] for r in runners]
    assert reporter["env"] == {r["id"].upper() + "_RESULTS": "${{ steps." + r["id"] + ".outputs.result }}"
                               for r in runners}
    assert not re.search(r"\{\{[A-Z_]+\}\}", text), "unfilled placeholder"
    assert not (repo / "grader.tar.gz").exists()


def test_workflow_validates_against_the_github_workflow_schema(tmp_path):
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.exists(), "check-jsonschema is a test dependency: pip install -e '.[test]'"
    repo = tmp_path / "student"
    build_student_repo(repo)
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows",
                             str(repo / ".github" / "workflows" / "classroom.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_refuses_fractional_points():
    task = dataclasses.replace(load_manifest().tasks[0], points=1.5)
    with pytest.raises(BuildError, match=f"Task {task.id} has 1.5 points; the workflow's runners need whole"):
        release_module._task_step(task)


def _command_grader(step, clone, env):
    """What classroom-resources/autograding-command-grader does: run the command, full points on exit 0."""
    result = subprocess.run(["bash", "-c", step["with"]["command"]], cwd=clone, env=env, capture_output=True,
                            text=True, timeout=60 * step["with"]["timeout"])
    passed = result.returncode == 0
    return {"version": 1, "status": "pass" if passed else "fail", "max_score": step["with"]["max-score"],
            "tests": [{"name": step["with"]["test-name"], "status": "pass" if passed else "fail",
                       "score": step["with"]["max-score"] if passed else 0, "message": result.stdout[-2000:]}]}


@pytest.mark.slow
@pytest.mark.xdist_group("student-venv")  # the worker that already built the student venv (test_student_repo.py)
@pytest.mark.parametrize("sample", ["complete", "mistake_bptt_no_future_gradient"])
def test_workflow_steps_run_locally_in_a_fresh_clone(tmp_path, student_venv, sample_submissions, sample):
    template = tmp_path / "template"
    build_student_repo(template)
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", str(template)], check=True)
    subprocess.run([*git, "-C", str(template), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(template), "commit", "-qm", "release"], check=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(template), str(clone)], check=True)
    shutil.rmtree(clone / "assignments")
    shutil.copytree(sample_submissions / sample / "assignments", clone / "assignments")  # the student's work
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    summary = tmp_path / "step_summary"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    env.update(PATH=f"{student_venv / 'bin'}:{env['PATH']}", RUNNER_TEMP=str(runner_temp),
               GITHUB_STEP_SUMMARY=str(summary), GITHUB_WORKSPACE=str(clone), CI="true")
    results = {}
    for step in workflow(clone)["jobs"]["grade"]["steps"]:
        if step.get("uses") == "classroom-resources/autograding-command-grader@v1":
            results[step["id"]] = _command_grader(step, clone, env)
            continue
        if "uses" in step:
            continue  # checkout of the submission, setup-python, the reporter (simulated below)
        result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=clone, env=env, capture_output=True,
                                text=True, timeout=900)
        if not step.get("continue-on-error"):
            assert result.returncode == 0, (step["name"], result.stdout[-2000:], result.stderr[-2000:])
    tasks = load_manifest().tasks
    assert list(results) == ["task_" + task.id.replace(".", "_") for task in tasks]
    points = sum(test["score"] for result in results.values() for test in result["tests"])
    assert sum(result["max_score"] for result in results.values()) == sum(task.points for task in tasks)
    failed = {task.id for task in tasks if results["task_" + task.id.replace(".", "_")]["status"] == "fail"}
    local = grade_submission(sample_submissions / sample, seed=1)  # the grade of record's view of the same work
    assert failed == {task.task_id for task in local.tasks if not task.passed}
    assert points == local.max_points if sample == "complete" else points < local.max_points
    assert (runner_temp / "hidden.xml").exists()
    assert "Hidden checks (feedback only" in summary.read_text()
    if sample != "complete":
        assert "hint: BPTT must add the gradient" in results["task_1_4"]["tests"][0]["message"]
