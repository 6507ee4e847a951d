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
from autograder.runtime.manifest import REPO_ROOT, load_manifest
from autograder.authoring import release as release_module
from autograder.authoring.release import BuildError, build_student_repo
from benchmarks import delivery_paths_runs

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
    """The seed that ``text`` names where the message ``message_key`` was rendered; it must name one."""
    from autograder.runtime.messages import language

    seed = delivery_paths_runs.printed_seed(message_key, text, lang or language())
    assert seed is not None, f"no seed in {text!r}"
    return seed


def _python_path_env(**extra):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    env.update(extra)
    return env


def _simulated_root(tmp_path):
    """Gradescope's /autograder with the zip unpacked in source/ and, as setup.sh leaves it, venv/bin/python."""
    archive = write_autograder_zip(tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "grader/autograder/authoring/cli.py",
                "grader/autograder/authoring/upload_shapes.py"} <= names
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
        zf.extractall(root / "source")
    (root / "venv" / "bin").mkdir(parents=True)
    python = root / "venv" / "bin" / "python"  # the course's venv (numpy, pyyaml); setup.sh is tested below
    python.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    python.chmod(0o755)
    return root


def _run_autograder(root):
    env = _python_path_env(AUTOGRADER_ROOT=str(root), SANDBOX_USER="")
    env["PATH"] = "/usr/bin:/bin"  # no python3 of ours on the PATH: run_autograder uses $ROOT/venv only
    result = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert validate_gradescope_results(results) == []
    return results


def _zip_tree(source, archive, prefix=""):
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, prefix + path.relative_to(source).as_posix())


UPLOAD_SHAPES = ("repository", "zip of the repository", "assignments folder", "its contents", "module files")


def upload(shape, sample, destination):
    """Lay out ``sample`` (a sample submission: a repository) as a student would upload it in ``shape``."""
    package = sample / "assignments"
    destination.mkdir(parents=True)
    if shape == "repository":
        shutil.copytree(sample, destination / "repo")
    elif shape == "zip of the repository":
        _zip_tree(sample, destination / "my-work.zip", prefix="rnn-course-main/")
    elif shape == "assignments folder":
        shutil.copytree(package, destination / "assignments")
    elif shape == "its contents":
        for child in package.iterdir():
            (shutil.copytree if child.is_dir() else shutil.copyfile)(child, destination / child.name)
    else:  # two module files, one renamed
        shutil.copyfile(package / "a1_vanilla_rnn" / "rnn.py", destination / "rnn.py")
        shutil.copyfile(package / "a3_lstm" / "lstm.py", destination / "my_lstm (2).py")
    return destination


def equivalent_package(shape, sample, destination):
    """What the grade of an upload in ``shape`` should equal: the sample, or the stubs with its two modules."""
    if shape != "module files":
        return sample
    shutil.copytree(REPO_ROOT / "assignments", destination / "assignments",
                    ignore=shutil.ignore_patterns("__pycache__", "*.md"))
    for module in ("a1_vanilla_rnn/rnn.py", "a3_lstm/lstm.py"):
        shutil.copyfile(sample / "assignments" / module, destination / "assignments" / module)
    return destination


@pytest.mark.parametrize("shape", UPLOAD_SHAPES)
def test_every_upload_shape_is_found_where_it_is(tmp_path, sample_submissions, shape):
    """normalize_upload (no grading): the student's files end up in their modules, and the lines say where."""
    from autograder.authoring.upload_shapes import normalize_upload

    sample = sample_submissions / "partial"
    found = normalize_upload(upload(shape, sample, tmp_path / "submission"), tmp_path / "work", load_manifest())
    package = next(found.path.rglob("assignments/__init__.py")).parent if found.path.is_dir() else None
    modules = ["a1_vanilla_rnn/rnn.py", "a3_lstm/lstm.py"] if shape == "module files" else \
        sorted(p.relative_to(sample / "assignments").as_posix() for p in (sample / "assignments").rglob("*.py")
               if p.name != "__init__.py")
    for module in modules:
        assert (package / module).read_bytes() == (sample / "assignments" / module).read_bytes(), module
    text = "\n".join(found.lines)
    if shape == "module files":
        assert "assignments/a3_lstm/lstm.py <- submission/my_lstm (2).py (by its functions)" in text
        assert "not found (their tasks count as not implemented): " in text and "a4_gru/gru.py" in text
        assert 'raise NotImplementedError("Task 4.9: gru_forward")' in (package / "a4_gru" / "gru.py").read_text()
    elif shape == "zip of the repository":
        assert text.startswith("unpacked submission/my-work.zip") and "rnn-course-main/assignments" in text
    elif shape == "its contents":
        assert "assignments/a1_vanilla_rnn/rnn.py <- submission/a1_vanilla_rnn/rnn.py (by its folder)" in text


@pytest.mark.parametrize("shape,sample", [("repository", "complete"), ("zip of the repository", "partial"),
                                          ("assignments folder", "mistake_gru_z_reversed"),
                                          ("its contents", "partial"), ("module files", "complete")])
def test_gradescope_grades_every_upload_shape_in_a_simulated_autograder_root(tmp_path, sample_submissions,
                                                                             shape, sample):
    root = _simulated_root(tmp_path)
    upload(shape, sample_submissions / sample, root / "submission")
    results = _run_autograder(root)
    assert len(results["tests"]) == len(load_manifest().tasks)
    seed = printed_seed("report.gradescope_output", results["output"])
    expected = grade_submission(equivalent_package(shape, sample_submissions / sample, tmp_path / "expected"),
                                seed=seed)
    assert results["score"] == pytest.approx(expected.points)
    assert 0 < results["score"] if sample != "empty" else True
    if shape == "module files":
        assert results["score"] < expected.max_points and "not found (their tasks" in results["output"]


def test_gradescope_writes_results_even_when_the_submission_is_unusable(tmp_path):
    root = _simulated_root(tmp_path)
    (root / "submission").mkdir()
    (root / "submission" / "README.txt").write_text("I forgot my code")
    results = _run_autograder(root)
    assert results["score"] == 0
    first = results["output"].splitlines()[0]
    assert first.startswith("Not graded: ") and "seed" not in first and "-1" not in first
    assert "no 'assignments/' package" in first
    assert {test["output"] for test in results["tests"]} == {"Not graded: see the message at the top."}


def test_run_autograder_without_setup_says_so(tmp_path):
    root = _simulated_root(tmp_path)
    shutil.rmtree(root / "venv")
    (root / "submission").mkdir()
    results = _run_autograder(root)
    assert results["score"] == 0 and "setup.sh did not run" in results["output"]


def workflow(repo):
    return yaml.safe_load((repo / ".github" / "workflows" / "classroom.yml").read_text())


NODE24_ACTIONS = {"actions/checkout@v7", "actions/setup-python@v7"}  # current majors; both declare node24


def test_workflow_yaml_is_valid_without_any_token_with_time_limits_and_node24_actions(tmp_path):
    repo = tmp_path / "student"
    build_student_repo(repo)
    text = (repo / ".github" / "workflows" / "classroom.yml").read_text()
    spec = workflow(repo)
    triggers = spec.get("on", spec.get(True))  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers
    steps = spec["jobs"]["grade"]["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)
    assert {step["uses"] for step in steps if "uses" in step} == NODE24_ACTIONS
    assert "secrets." not in text and not re.search(r"token\s*:", text, re.IGNORECASE)
    assert all(step["with"]["persist-credentials"] is False for step in steps
               if step.get("uses", "").startswith("actions/checkout@"))
    assert all(0 < step["timeout-minutes"] <= 10 for step in steps if "run" in step)
    pytest_steps = [step for step in steps if "run" in step and "-m pytest" in step["run"]]
    assert len(pytest_steps) == 2 and all(re.search(r"--timeout \d+", step["run"]) for step in pytest_steps)
    points = steps[-1]
    assert points["if"] == "always()" and "report.py" in points["run"]
    tasks = load_manifest().tasks
    assert f"--tasks {','.join(t.id for t in tasks)} " in points["run"] + " "
    assert f"--points {','.join(str(int(t.points)) for t in tasks)} " in points["run"] + " "
    assert not re.search(r"\{\{[A-Z_]+\}\}", text), "unfilled placeholder"
    assert not (repo / "grader.tar.gz").exists()
    assert "pytest-timeout" in (repo / "pyproject.toml").read_text()


def test_workflow_validates_against_the_github_workflow_schema(tmp_path):
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.exists(), "check-jsonschema is a test dependency: pip install -e '.[test]'"
    repo = tmp_path / "student"
    build_student_repo(repo, assignments=["a3"])
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows",
                             str(repo / ".github" / "workflows" / "classroom.yml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_refuses_fractional_points():
    task = dataclasses.replace(load_manifest().tasks[0], points=1.5)
    with pytest.raises(BuildError, match=f"Task {task.id} has 1.5 points; the workflow's runners need whole"):
        release_module._whole_points(task)


def _report_module():
    import importlib.util

    path = release_module.HIDDEN_SUITE_DIR / "report_template.py"
    spec = importlib.util.spec_from_file_location("feedback_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reporter_v1_totals = delivery_paths_runs.reporter_totals  # the reporter's console and notice formulas


def _junit(cases):
    rows = []
    for name, message in cases:
        failure = "" if message is None else f'<failure message="{message}">{message}</failure>'
        rows.append(f'<testcase classname="test_hidden" name="{name}">{failure}</testcase>')
    return f'<?xml version="1.0"?><testsuites><testsuite>{"".join(rows)}</testsuite></testsuites>'


def test_console_notice_and_job_summary_show_the_same_total(tmp_path):
    """The same partial run: reporter v1's console and notice formulas, and our job summary, agree."""
    report = _report_module()
    tasks = load_manifest().assignment("a1").tasks
    long_message = "Task 1.4 (rnn_backward):&#10;  - dWx | differs &lt;b&gt;*here*&lt;/b&gt; `x`&#10;  hint: " + "y" * 5000
    cases = [(f"test_task[{t.id}-{t.points:g}pts]", None if k % 3 else long_message) for k, t in enumerate(tasks)]
    cases = cases[:-1]  # the last task never ran (the step hit its time limit)
    (tmp_path / "hidden.xml").write_text(_junit(cases))
    summary, results_file = tmp_path / "summary.md", tmp_path / "results.json"
    argv = [str(tmp_path / "hidden.xml"), "--tasks", ",".join(t.id for t in tasks),
            "--points", ",".join(str(int(t.points)) for t in tasks), "--results", str(results_file),
            "--summary", str(summary)]
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = report.main(argv)
    assert status == 1
    results = json.loads(results_file.read_text())
    console, notice = reporter_v1_totals(results)
    expected = sum(t.points for k, t in enumerate(tasks[:-1]) if k % 3)  # computed from the cases above
    shown = re.search(r"\*\*(\d+)/(\d+)\*\*", summary.read_text())
    assert console == notice == expected == int(shown[1])
    assert int(shown[2]) == sum(t.points for t in tasks)
    assert f"::notice title=Autograding complete::Points {expected:g}/{sum(t.points for t in tasks):g}" in \
        stdout.getvalue()
    assert results["task_" + tasks[-1].id.replace(".", "_")]["status"] == "error"
    for result in results.values():  # short messages: the reporter's environment limit is far away
        assert len(result["tests"][0]["message"]) <= report.MESSAGE_CHARS
    table = [line for line in summary.read_text().splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(tasks) + 1
    unescaped_pipes = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert unescaped_pipes == {5}, table  # a message with a line break or a pipe keeps its row
    assert "\\<b\\>" in summary.read_text() and "<b>" not in summary.read_text()


@pytest.mark.slow
@pytest.mark.xdist_group("student-venv")  # the worker that already built the student venv (test_student_repo.py)
@pytest.mark.parametrize("sample", ["complete", "mistake_bptt_no_future_gradient"])
def test_workflow_steps_run_locally_in_a_fresh_clone(tmp_path, student_venv, sample_submissions, sample):
    """Every run step of the workflow in a fresh clone; the mistake sample also hangs in Task 4.10."""
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
    hang = sample != "complete"
    if hang:  # an endless loop in Task 4.10 (which no other task calls) costs that task's tests only
        gru = clone / "assignments" / "a4_gru" / "gru.py"
        text = gru.read_text()
        begin = text.index("    # BEGIN SOLUTION\n", text.index("def gru_backward("))
        gru.write_text(text[:begin] + "    while True:\n        pass\n" + text[begin:])
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    summary = tmp_path / "step_summary"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "RNN_COURSE_IMPL")}
    env.update(PATH=f"{student_venv / 'bin'}:{env['PATH']}", RUNNER_TEMP=str(runner_temp),
               GITHUB_STEP_SUMMARY=str(summary), GITHUB_WORKSPACE=str(clone), CI="true")
    statuses = {}
    for step in workflow(clone)["jobs"]["grade"]["steps"]:
        if "uses" in step:
            continue  # checkout of the submission, setup-python
        command = re.sub(r"--timeout \d+", "--timeout 5", step["run"])  # a short hang, same mechanism
        result = subprocess.run(["bash", "-e", "-c", command], cwd=clone, env=env, capture_output=True,
                                text=True, timeout=60 * step["timeout-minutes"])
        statuses[step["name"]] = result.returncode
        if not step.get("continue-on-error") and step.get("if") != "always()":
            assert result.returncode == 0, (step["name"], result.stdout[-2000:], result.stderr[-2000:])
        if step["name"].startswith("Points"):
            notice = re.search(r"Points (\d+)/(\d+)", result.stdout)
    results = json.loads((runner_temp / "results.json").read_text())
    tasks = load_manifest().tasks
    assert list(results) == ["task_" + task.id.replace(".", "_") for task in tasks]
    console, notice_total = reporter_v1_totals(results)
    assert console == notice_total == int(notice[1])
    assert re.search(rf"\*\*{int(notice[1])}/{int(notice[2])}\*\*", summary.read_text())
    failed = {task.id for task in tasks if results["task_" + task.id.replace(".", "_")]["status"] != "pass"}
    local = grade_submission(sample_submissions / sample, seed=1)  # the grade of record's view of the same work
    expected_failed = {task.task_id for task in local.tasks if not task.passed} | ({"4.10"} if hang else set())
    # The student's runner has no reference to answer a task's calls to the tasks it uses, so its feedback also
    # fails the tasks downstream of a bug (the grade of record isolates them: a bug costs its own task there).
    assert expected_failed <= failed
    # (the tasks whose code a task's cases run: through uses, or an input or loss made by another task's output)
    dependencies = json.loads((clone / ".github" / "feedback" / "dependencies.json").read_text())
    assert all(set(dependencies[task_id]) & expected_failed for task_id in failed - expected_failed), \
        failed - expected_failed
    for task_id in failed - expected_failed:  # each says which task it runs fails too
        message = results["task_" + task_id.replace(".", "_")]["tests"][0]["message"]
        assert "whose code this task runs, fails too" in message, (task_id, message)
    assert statuses["Points (feedback only)"] == (0 if sample == "complete" else 1)
    if hang:
        assert "Timeout" in results["task_4_10"]["tests"][0]["message"]
        from autograder.runtime.messages import t  # the catalogued mistake's hint, as the graders render it
        assert "hint: " + t("mistake.bptt_no_future_gradient", "en")[:60] in results["task_1_4"]["tests"][0]["message"]


FAKE_SYSTEM_PYTHON = """#!/bin/sh
# The image's python3: 3.10, without pip (Gradescope's default Ubuntu 22.04). Logs every call.
echo "python3 $*" >> "$FAKE_PYTHON_LOG"
case "$1" in
  --version|-V) echo "Python 3.10.12"; exit 0;;
  -m) echo "/usr/bin/python3: No module named $2" >&2; exit 1;;
esac
echo "python3 3.10 (simulated): refused" >&2
exit 1
"""


@pytest.mark.slow
def test_setup_sh_installs_a_python_311_venv_where_the_image_has_python_310_without_pip(tmp_path):
    """setup.sh in a clean environment (env -i) whose python3 is 3.10 without pip: the venv gets Python >= 3.11.

    Simulated with PATH: a fake python3 (3.10, no pip) first; uv from the test dependencies; and, standing for
    the Python that uv would download on Gradescope (downloads are off here: UV_PYTHON_DOWNLOADS=never), this
    machine's own interpreter as python3.X. The installer branch (curl) is not exercised: no uv download here.
    """
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    assert uv, "uv is a test dependency: pip install -e '.[test]'"
    root = tmp_path / "autograder"
    with zipfile.ZipFile(write_autograder_zip(tmp_path / "autograder.zip")) as zf:
        zf.extractall(root / "source")
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    (fakebin / "python3").write_text(FAKE_SYSTEM_PYTHON)
    (fakebin / "python3").chmod(0o755)
    (fakebin / "uv").symlink_to(uv)
    real = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    (fakebin / f"python3.{sys.version_info.minor}").symlink_to(real)
    log = tmp_path / "python3.log"
    env = {"PATH": f"{fakebin}:/usr/bin:/bin", "HOME": str(tmp_path / "home"), "AUTOGRADER_ROOT": str(root),
           "FAKE_PYTHON_LOG": str(log), "UV_PYTHON_DOWNLOADS": "never", "UV_CACHE_DIR": str(tmp_path / "cache")}
    env.update({key: os.environ[key] for key in ("SSL_CERT_FILE", "UV_INDEX_URL", "UV_DEFAULT_INDEX")
                if key in os.environ})
    assert subprocess.run(["env", "-i", *[f"{k}={v}" for k, v in env.items()], "python3", "--version"],
                          capture_output=True, text=True).stdout.strip() == "Python 3.10.12"
    result = subprocess.run(["env", "-i", *[f"{k}={v}" for k, v in env.items()], "bash",
                             str(root / "source" / "setup.sh")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    venv_python = root / "venv" / "bin" / "python"
    probe = subprocess.run([str(venv_python), "-c", "import sys, numpy, yaml; print(sys.version_info[:2], sys.prefix)"],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    assert eval(probe.stdout.split(")")[0] + ")") >= (3, 11) and str(root / "venv") in probe.stdout
    calls = log.read_text() if log.exists() else ""
    # the image's python3 was asked its version (by the test, and by uv's discovery) but never to install anything
    assert not [line for line in calls.splitlines() if re.match(r"python3 -m (pip|ensurepip|venv)\b", line)], calls
